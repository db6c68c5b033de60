import { describe, expect, it } from '@jest/globals';
import { emailVerified } from './oidc-claims.js';

describe('emailVerified', () => {
  it('takes email_verified true (or "true") only', () => {
    expect(emailVerified({ email_verified: true })).toBe(true);
    expect(emailVerified({ email_verified: 'true' })).toBe(true);
    expect(emailVerified({ email_verified: false })).toBe(false);
    expect(emailVerified({ email_verified: 'false' })).toBe(false);
    expect(emailVerified({ email_verified: 1 })).toBe(false);
    expect(emailVerified({})).toBe(false);
  });

  it("takes Entra ID's xms_edov only when email_verified is absent", () => {
    expect(emailVerified({ xms_edov: true })).toBe(true);
    expect(emailVerified({ xms_edov: false })).toBe(false);
    expect(emailVerified({ email_verified: false, xms_edov: true })).toBe(false);
  });
});
