import { domainOf, externalAttendees, isCompanyAddress, isCustomerCall, normaliseDomain } from './company-domains.js';

describe('normaliseDomain', () => {
  it.each([
    ['example.com', 'example.com'],
    ['  Example.COM ', 'example.com'],
    ['@example.co.uk', 'example.co.uk'],
    ['example.com.', 'example.com'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['a-b.example.org', 'a-b.example.org'],
  ])('accepts %j as %j', (raw, want) => expect(normaliseDomain(raw)).toBe(want));

  it.each(['', 'example', 'exa mple.com', '-example.com', 'example-.com', 'ex_ample.com', 'user@example.com', 'example..com', '*.example.com', '1.2.3.4', `${'a'.repeat(64)}.com`])(
    'refuses %j',
    (raw) => expect(normaliseDomain(raw)).toBeNull(),
  );
});

describe('company addresses', () => {
  const company = ['example.com', 'example.co.uk'];

  it('reads the domain of an address, mailto: and case ignored', () => {
    expect(domainOf('MAILTO:Ann@Customer.ORG')).toBe('customer.org');
    expect(domainOf('nobody')).toBe('');
  });

  it('matches ignoring case, and takes subdomains as the company’s', () => {
    expect(isCompanyAddress('ANN@EXAMPLE.COM', company)).toBe(true);
    expect(isCompanyAddress('ann@eu.Example.com', company)).toBe(true);
    expect(isCompanyAddress('ann@example.co.uk', company)).toBe(true);
    expect(isCompanyAddress('ann@example.com', ['EXAMPLE.COM'])).toBe(true);
  });

  it('does not take a look-alike domain as the company’s', () => {
    expect(isCompanyAddress('ann@notexample.com', company)).toBe(false);
    expect(isCompanyAddress('ann@example.com.evil.org', company)).toBe(false);
    expect(isCompanyAddress('ann@example.co', company)).toBe(false);
  });

  it('an event with one outside attendee is a customer call; internal-only ones are not', () => {
    expect(isCustomerCall(['bob@example.com', 'CFO@Customer.org'], company)).toBe(true);
    expect(isCustomerCall(['bob@example.com', 'amy@eu.example.com'], company)).toBe(false);
    expect(isCustomerCall([], company)).toBe(false);
    expect(externalAttendees(['bob@example.com', 'cfo@customer.org', 'cto@customer.org'], company)).toEqual(['cfo@customer.org', 'cto@customer.org']);
  });
});
