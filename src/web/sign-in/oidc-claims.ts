const TRUE = new Set<unknown>([true, 'true']);

/**
 * Only a verified address names a person here: `email_verified` true (some providers send the string
 * "true"). Microsoft Entra ID never sends `email_verified` for work accounts; its optional claim
 * `xms_edov` (the email domain's owner is verified) stands in for it, only when `email_verified` is absent.
 */
export function emailVerified(claims: { email_verified?: unknown; xms_edov?: unknown }): boolean {
  if (claims.email_verified !== undefined) return TRUE.has(claims.email_verified);
  return TRUE.has(claims.xms_edov);
}
