/**
 * The company's email domains, and which attendees of a calendar event are outside them (pure: no Nest, no
 * database). An event with at least one attendee outside the company's domains is a customer call.
 *
 * Matching ignores case. A subdomain of a company domain is the company's too (`eu.example.com` under
 * `example.com`): companies send mail from regional and product subdomains; a customer's domain that merely
 * ends in the same letters (`notexample.com`) is not one.
 */

/** A DNS name with at least two labels: letters, digits and hyphens, no label starting or ending with a hyphen. */
const DOMAIN = /^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** What a domain typed by a person normalises to (trimmed, lower-case, without a leading `@` or a trailing dot), or null when it is no domain. */
export function normaliseDomain(raw: string): string | null {
  const d = raw.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '');
  return DOMAIN.test(d) && /[a-z]/.test(d.slice(d.lastIndexOf('.') + 1)) ? d : null;
}

/** The domain of an address (`mailto:` and case ignored); '' when it has none. */
export function domainOf(address: string): string {
  const a = address.trim().toLowerCase().replace(/^mailto:/, '');
  const at = a.lastIndexOf('@');
  return at < 0 ? '' : a.slice(at + 1).replace(/\.$/, '');
}

/** Whether the address belongs to one of the company's domains (or a subdomain of one), ignoring case. */
export function isCompanyAddress(address: string, companyDomains: readonly string[]): boolean {
  const d = domainOf(address);
  if (!d) return true; // no domain: nobody outside the company can be identified by it
  return companyDomains.some((c) => {
    const company = c.toLowerCase();
    return d === company || d.endsWith(`.${company}`);
  });
}

/** The attendees outside the company's domains. */
export function externalAttendees(attendees: readonly string[], companyDomains: readonly string[]): string[] {
  return attendees.filter((a) => !isCompanyAddress(a, companyDomains));
}

/** An event is a customer call when at least one attendee is outside the company's domains. */
export function isCustomerCall(attendees: readonly string[], companyDomains: readonly string[]): boolean {
  return attendees.some((a) => !isCompanyAddress(a, companyDomains));
}
