/** The name and address in MAIL_FROM ("Rep Life <replife@example.com>" or a bare address): the ORGANIZER of invites. */
export function senderOf(mailFrom: string): { name: string; email: string } {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(mailFrom);
  return m ? { name: m[1] || 'ridealong', email: m[2] } : { name: 'ridealong', email: mailFrom.trim() };
}
