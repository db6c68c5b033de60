// Redaction of customer contact details in observation text (DESIGN.md: "Customer contact details never
// leave a form: rollups, exports and emails show redacted quotes"). Pure: no Nest, no database, no I/O.
//
// What is replaced, and by what:
// - email addresses                          -> "[email]"       kind 'email'
//   plain (plus-addressing, subdomains, IDN letters, "%40" in URLs, inside <>, before punctuation) and
//   obfuscated: "jane[at]acme.com", "jane (at) acme (dot) com", "jane @ acme.com",
//   "jane dot doe at acme dot com", "jane underscore doe at acme dash logistics dot com".
// - phone numbers                            -> "[phone]"       kind 'phone'
//   international ("+44 20 7946 0958", "+49 (0)30 1234 5678"), national ("020 7946 0958",
//   "(415) 555-2671", "03-1234-5678", "0412 345 678"), with their extension ("x123", "ext. 45").
//   US toll-free vanity numbers are caught when the letters are upper case: "1-800-FLOWERS".
// - names the author marked on the form      -> "[name]"        kind 'marked'
//   case-insensitive, whole words, any whitespace between words, straight or curly apostrophes;
//   a possessive keeps its "'s" ("Acme's" -> "[name]'s").
// - credentials in URLs                      -> "[credential]"  kind 'url_credential'
//   the userinfo of "https://user:pass@host/…" and the value of secret-looking query parameters
//   ("?token=…", "&api_key=…", "X-Amz-Signature=…").
//
// How: each pass finds spans with every recogniser on the same text, drops spans that touch an existing
// placeholder, merges overlapping spans (one placeholder, the strongest kind: email > phone >
// url_credential > marked, so "jane@acme.com" with "Acme" marked is one "[email]"; `count` and `kinds`
// describe the placeholders inserted), then rebuilds the text. Passes
// repeat until nothing changes (in practice the second pass finds nothing), so redact() is idempotent by
// construction. Every recogniser is a single left-to-right scan or a regular expression whose start
// positions are restricted so that no text is rescanned more than a constant number of times: the cost is
// linear in the input (1 MB in well under a second), including adversarial input.
//
// Phone numbers are recognised by a hand-written scanner rather than a phone library (none is installed):
// it reads a run of digit groups ("+"? then groups of digits joined by one separator: space, "-", ".",
// "/", " - ", " / ", en dash, or parentheses around a group) and classifies the run. Deliberate trade-offs,
// biased towards redacting (a leaked phone number is worse than a lost number in a quote):
// - A run needs at least 7 digits. A leading "+" makes any such run a phone (even 16+ digits, e.g. two
//   numbers side by side). Without "+", any run of 2+ groups with 7+ digits is a phone unless it is one of
//   the ordinary-number shapes below; so ISBNs, card numbers and serials written in groups are redacted too.
// - Long runs of 9+ digits with separators are phones even when they look like thousands
//   ("120 000 000", "1.234.567.890"), unless a currency or a unit is attached ("€", "USD", "users", "%").
//   Thousands-shaped runs under 9 digits ("1 200 000", "1.200.000") are numbers.
// - A single run of digits with no separator is a phone only when it starts with "+", a trunk "0"
//   ("07700900123", 9 to 13 digits), an international "00", is a valid 10/11-digit North American number
//   ("4155552671", "14155552671"), or follows a word such as "phone", "call", "cell", "tel:" (7 to 15 digits).
//   So order ids, amounts and Unix timestamps stay.
// - Not phones: dates ("2026-11-22", "22/11/2026", "22.11.2026", with a time), times ("14:30"), years and
//   year ranges ("2024-2026"), year-prefixed ids ("2026-001234"), versions ("v2.3.1"), decimals
//   ("1234567.89"), coordinates, IP addresses, ZIP+4 ("94107-1234"), round ranges ("1000-2000",
//   "10000-20000 users", "10 000 - 20 000"), lists of 1-2 digit numbers ("12 15 18 20 22 25"),
//   "#"-prefixed ids, digits glued to letters ("SKU-12345678", "abc123456789"), amounts with a currency.
//   A phone-context word before the run ("call", "mobile", "T:") or an area code in parentheses overrides
//   the softer of these shapes (ZIP+4, decimal, ranges, year + number, short lists).
// - A run that is rejected as a whole is retried without its trailing space-separated groups when the rest
//   is unmistakably a phone, so "call 415-555-2671 10 users" still redacts the phone. Ordinary numbers
//   glued to a phone by one space ("3 415-555-2671") are redacted with it; phones glued to each other by
//   one space become a single "[phone]".
// - Vanity numbers: only toll-free (800/833/844/855/866/877/888) with upper-case letters, so that
//   "1 800 employees" stays.
// Emails written out in words ("jane at acme dot com") need a real top-level domain (any two letters or a
// common generic one); "looked at acme.com"-style phrases where the word before "at" is an ordinary English
// word are left alone, other "<word> at <domain>" phrases ("VP Sales at acme.io") are treated as addresses.
// File names ("logo@2x.png") are not addresses. Twitter-style handles ("@jane") are not redacted.
// redactDeep redacts string values (arrays, plain objects, class instances, Map/Set values), not keys.

export type RedactionKind = 'email' | 'phone' | 'marked' | 'url_credential';

export interface RedactOptions {
  /** Names (or other strings) the author marked as customer identifiers on the form; matched case-insensitively, whole words, also possessive ("Acme's"). */
  marked?: string[];
}

export interface Redacted {
  text: string;
  /** Number of placeholders inserted. */
  count: number;
  /** Distinct kinds that were redacted, in the fixed order email, phone, marked, url_credential. */
  kinds: RedactionKind[];
}

export const PLACEHOLDERS: Readonly<Record<RedactionKind, string>> = {
  email: '[email]',
  phone: '[phone]',
  marked: '[name]',
  url_credential: '[credential]',
};

const KIND_ORDER: readonly RedactionKind[] = ['email', 'phone', 'marked', 'url_credential'];
const KIND_PRIORITY: Readonly<Record<RedactionKind, number>> = { email: 4, phone: 3, url_credential: 2, marked: 1 };
const PLACEHOLDER_RE = /\[(?:email|phone|name|credential)\]/g;
const MAX_PASSES = 4;

/** Replaces customer contact details with placeholders: emails → "[email]", phone numbers → "[phone]", marked names → "[name]". Idempotent: redact(redact(x).text) changes nothing. */
export function redact(text: string, options?: RedactOptions): Redacted {
  return compile(options)(text);
}

/** Convenience: redact every string in a JSON-like value (objects/arrays), same options; returns a new value. */
export function redactDeep<T>(value: T, options?: RedactOptions): T {
  const run = compile(options);
  const seen = new WeakMap<object, unknown>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return run(v).text;
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return seen.get(v);
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      seen.set(v, out);
      for (const item of v) out.push(walk(item));
      return out;
    }
    if (v instanceof Date || v instanceof RegExp || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v;
    if (v instanceof Map) {
      const out = new Map<unknown, unknown>();
      seen.set(v, out);
      for (const [k, item] of v) out.set(k, walk(item));
      return out;
    }
    if (v instanceof Set) {
      const out = new Set<unknown>();
      seen.set(v, out);
      for (const item of v) out.add(walk(item));
      return out;
    }
    // Plain objects and class instances (e.g. an entity): same prototype, own enumerable properties.
    const out = Object.create(Object.getPrototypeOf(v) as object | null) as Record<string, unknown>;
    seen.set(v, out);
    for (const key of Object.keys(v)) out[key] = walk((v as Record<string, unknown>)[key]);
    return out;
  };
  return walk(value) as T;
}

// ---------------------------------------------------------------------------------------------------------
// Driver

interface Span {
  start: number;
  end: number;
  kind: RedactionKind;
  /** Replacement; defaults to the kind's placeholder. */
  replacement?: string;
}

interface PassResult {
  text: string;
  count: number;
  kinds: Set<RedactionKind>;
}

function compile(options?: RedactOptions): (text: string) => Redacted {
  const marked = markedMatcher(options?.marked ?? []);
  return (input: string): Redacted => {
    let text = typeof input === 'string' ? input : String(input ?? '');
    let count = 0;
    const kinds = new Set<RedactionKind>();
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const r = redactPass(text, marked);
      if (r.count === 0) break;
      text = r.text;
      count += r.count;
      for (const k of r.kinds) kinds.add(k);
    }
    return { text, count, kinds: KIND_ORDER.filter((k) => kinds.has(k)) };
  };
}

function redactPass(input: string, marked: RegExp | null): PassResult {
  // Stage 1: credentials inside URLs (their own replacement text, so that the host stays readable).
  const urls = applySpans(input, urlCredentialSpans(input, placeholderMask(input)));
  const text = urls.text;

  // Stage 2: emails, phones and marked names on the same text, merged.
  const mask = placeholderMask(text);
  const spans: Span[] = [];
  plainEmailSpans(text, spans);
  obfuscatedEmailSpans(text, spans);
  markDates(text, mask);
  phoneSpans(text, mask, spans);
  vanitySpans(text, spans);
  if (marked) markedSpans(text, marked, spans);
  const kept = spans.filter((s) => !touchesPlaceholder(mask, s.start, s.end));
  const merged = applySpans(text, kept);
  const kinds = new Set<RedactionKind>([...urls.kinds, ...merged.kinds]);
  return { text: merged.text, count: urls.count + merged.count, kinds };
}

const MASK_PLACEHOLDER = 1;
const MASK_DATE = 2;

function placeholderMask(text: string): Uint8Array {
  const mask = new Uint8Array(text.length);
  PLACEHOLDER_RE.lastIndex = 0;
  for (let m = PLACEHOLDER_RE.exec(text); m; m = PLACEHOLDER_RE.exec(text)) {
    mask.fill(MASK_PLACEHOLDER, m.index, m.index + m[0].length);
  }
  return mask;
}

function touchesPlaceholder(mask: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (mask[i] === MASK_PLACEHOLDER) return true;
  return false;
}

/** Merges overlapping spans into one placeholder of the strongest kind and rebuilds the text. */
function applySpans(text: string, spans: Span[]): PassResult {
  const kinds = new Set<RedactionKind>();
  if (spans.length === 0) return { text, count: 0, kinds };
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const parts: string[] = [];
  let cursor = 0;
  let count = 0;
  let i = 0;
  while (i < spans.length) {
    const first = spans[i];
    let end = first.end;
    let best = first;
    let j = i + 1;
    while (j < spans.length && spans[j].start < end) {
      const s = spans[j];
      if (s.end > end) end = s.end;
      if (KIND_PRIORITY[s.kind] > KIND_PRIORITY[best.kind]) best = s;
      j++;
    }
    kinds.add(best.kind);
    parts.push(text.slice(cursor, first.start));
    // A lone span may carry its own replacement; a merged group always gets the plain placeholder.
    parts.push(j === i + 1 && first.replacement !== undefined ? first.replacement : PLACEHOLDERS[best.kind]);
    cursor = end;
    count++;
    i = j;
  }
  parts.push(text.slice(cursor));
  return { text: parts.join(''), count, kinds };
}

// ---------------------------------------------------------------------------------------------------------
// Character classes

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const LETTER = /\p{L}/u;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
/** ASCII or fullwidth ("０３－１２３４－５６７８") digit, for the phone scanner. */
function isPhoneDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 0xff10 && code <= 0xff19);
}
function asciiDigits(s: string): string {
  return s.replace(/[\uff10-\uff19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 48));
}
function isAsciiAlnum(code: number): boolean {
  return isDigit(code) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}
function isWordChar(ch: string | undefined): boolean {
  if (ch === undefined || ch === '') return false;
  const code = ch.charCodeAt(0);
  if (code < 128) return isAsciiAlnum(code) || code === 95;
  return LETTER_OR_DIGIT.test(ch);
}
function isLetter(ch: string | undefined): boolean {
  if (ch === undefined || ch === '') return false;
  const code = ch.charCodeAt(0);
  if (code < 128) return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  return LETTER.test(ch);
}
/** Characters of an email local part (dot-atom, minus the rarely used "/", "=", "?", "`", "{", "|", "}"). */
function isLocalChar(ch: string): boolean {
  const code = ch.charCodeAt(0);
  if (code < 128) return isAsciiAlnum(code) || "._%+-'!#$&*^~".includes(ch);
  return LETTER_OR_DIGIT.test(ch);
}

// ---------------------------------------------------------------------------------------------------------
// URL credentials

const URL_USERINFO_RE = /\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s/?#@[\]<>"']+)@(?=[\p{L}\p{N}[])/giu;
const QUERY_PARAM_RE = /[?&;#]([\w.\-[\]%]{1,64})=([^&#\s"'<>]+)/gu;
const SECRET_PARAM_RE =
  /token|secret|passw(?:or)?d|pwd|signature|credential|api[-_]?key|apikey|auth|session|^sid$|^sig$|^key$|^pass$/i;

function urlCredentialSpans(text: string, mask: Uint8Array): Span[] {
  const spans: Span[] = [];
  const replacement = PLACEHOLDERS.url_credential;
  URL_USERINFO_RE.lastIndex = 0;
  for (let m = URL_USERINFO_RE.exec(text); m; m = URL_USERINFO_RE.exec(text)) {
    const start = m.index + m[1].length;
    spans.push({ start, end: start + m[2].length, kind: 'url_credential', replacement });
  }
  QUERY_PARAM_RE.lastIndex = 0;
  for (let m = QUERY_PARAM_RE.exec(text); m; m = QUERY_PARAM_RE.exec(text)) {
    const value = m[2];
    if (!SECRET_PARAM_RE.test(m[1]) || value === replacement) continue;
    const end = m.index + m[0].length;
    spans.push({ start: end - value.length, end, kind: 'url_credential', replacement });
  }
  return spans.filter((s) => !touchesPlaceholder(mask, s.start, s.end));
}

// ---------------------------------------------------------------------------------------------------------
// Emails

const EMAIL_ANCHOR_RE = /@|%40/g;
const DOMAIN_RE =
  /(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,63}|xn--[\p{L}\p{N}-]{1,59})(?![\p{L}\p{N}_])/uy;

const FILE_EXTENSION_RE = /\.(?:png|jpe?g|gif|svg|webp|pdf|html?|css|js|json|csv|txt)$/i;

/** "local@domain.tld" and "local%40domain.tld": anchored on each "@", expanded left and right. */
function plainEmailSpans(text: string, spans: Span[]): void {
  let floor = 0; // left expansion never crosses the previous anchor: linear overall
  EMAIL_ANCHOR_RE.lastIndex = 0;
  for (let m = EMAIL_ANCHOR_RE.exec(text); m; m = EMAIL_ANCHOR_RE.exec(text)) {
    const at = m.index;
    const after = at + m[0].length;
    let start = at;
    while (start > floor && isLocalChar(text[start - 1])) start--;
    floor = after;
    while (start < at && !isWordChar(text[start])) start++; // no leading quote/dot/+
    if (start === at) continue;
    DOMAIN_RE.lastIndex = after;
    const d = DOMAIN_RE.exec(text);
    if (!d || FILE_EXTENSION_RE.test(d[0])) continue; // "logo@2x.png"
    spans.push({ start, end: after + d[0].length, kind: 'email' });
  }
}

// Spoken joiners inside a word: "jane underscore doe", "acme dash logistics".
const OBF_JOIN = String.raw`\s{1,3}(?:dash|hyphen|underscore)\s{1,3}`;
const OBF_WORD = String.raw`[\p{L}\p{N}_%+'’\-]+(?:${OBF_JOIN}[\p{L}\p{N}_%+'’\-]+)*`;
const OBF_DOT = String.raw`(?:\s{0,3}[\[({<]\s{0,2}(?:dot|\.)\s{0,2}[\])}>]\s{0,3}|\s{1,3}dot\s{1,3}|\.)`;
const OBF_AT = String.raw`(?:\s{0,3}[\[({<]\s{0,2}(?:at|@)\s{0,2}[\])}>]\s{0,3}|\s{1,3}at\s{1,3}|\s{0,3}@\s{0,3})`;
const OBF_LABEL = String.raw`[\p{L}\p{N}][\p{L}\p{N}\-]*(?:${OBF_JOIN}[\p{L}\p{N}][\p{L}\p{N}\-]*)*`;
// Starts only at the head of a dotted chain (not after a word character, "x.", "dot " or "[dot] "), so a
// long chain is scanned once, not once per word.
const OBF_START = String.raw`(?<![\p{L}\p{N}_%+'’\-]|[\p{L}\p{N}_]\.|\b(?:dot|dash|hyphen|underscore)\s{1,3}|[\[({<]\s{0,2}dot\s{0,2}[\])}>]\s{0,3})`;
const OBF_EMAIL_RE = new RegExp(
  `${OBF_START}(${OBF_WORD}(?:${OBF_DOT}${OBF_WORD})*)(${OBF_AT})(${OBF_LABEL}(?:${OBF_DOT}${OBF_LABEL})+)`,
  'giu',
);
const OBF_DOT_RE = new RegExp(OBF_DOT, 'giu');
const SPOKEN_AT_RE = /^\s+at\s+$/i;
const SPOKEN_DOT_RE = /^\s+dot\s+$/i;
const SPOKEN_JOIN_RE = /\s+(?:dash|hyphen|underscore)\s+/gi;
const hasSpokenJoin = (s: string): boolean => /\s(?:dash|hyphen|underscore)\s/i.test(s);
const PLAIN_AT_RE = /^@$/;
const LABEL_RE = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const TLD_RE = /^(?:\p{L}{2,63}|xn--[\p{L}\p{N}-]{1,59})$/u;
const TWO_LETTERS_RE = /^[a-z]{2}$/i;
/** Generic top-level domains accepted in spoken form ("acme dot com"); every two-letter one is accepted too. */
const SPOKEN_TLDS = new Set(
  (
    'com net org edu gov mil int info biz app dev tech cloud online site website xyz io ai shop store blog news ' +
    'media email mail agency digital solutions company group global world life live studio design services ' +
    'consulting finance capital ventures partners health care law legal travel systems software network ' +
    'works team tools zone one pro name mobi asia eu'
  ).split(' '),
);
/** Ordinary words that precede "at <domain>" in prose ("we looked at acme.com"): not an address. */
const AT_STOPWORDS = new Set(
  (
    'a an the i me my we us our you your he him his she her they them their it its this that these those there here ' +
    'is are was were be been being am look looks looked looking see saw seen check checked checking work works ' +
    'worked working job role based meet meets met meeting arrive arrived stay stayed live lives lived visit ' +
    'visited available found find go goes went going sign signed up in on out buy bought order ordered shop ' +
    'shopped demo online directly hired joined start started started laughed aim aimed point pointed stare ' +
    'stared glance glanced hosted listed published posted available only also even just still now then both ' +
    'all everyone someone people folks team colleagues customers users'
  ).split(' '),
);

/** Obfuscated addresses: "[at]", "(at)", " at ", " @ ", "[dot]", "(dot)", " dot ". */
function obfuscatedEmailSpans(text: string, spans: Span[]): void {
  const re = OBF_EMAIL_RE;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [, local, at, domain] = m;
    const atStart = m.index + local.length;
    const domainStart = atStart + at.length;
    const matchStart = m.index;
    const resume = (pos: number) => {
      re.lastIndex = Math.max(pos, matchStart + 1);
    };

    // Domain labels and the separators between them.
    const labels: { text: string; end: number }[] = [];
    const dots: string[] = [];
    let cursor = 0;
    OBF_DOT_RE.lastIndex = 0;
    for (let d = OBF_DOT_RE.exec(domain); d; d = OBF_DOT_RE.exec(domain)) {
      labels.push({ text: domain.slice(cursor, d.index), end: d.index });
      dots.push(d[0]);
      cursor = d.index + d[0].length;
    }
    labels.push({ text: domain.slice(cursor), end: domain.length });

    const localDots = local.match(OBF_DOT_RE) ?? [];
    const spokenAt = SPOKEN_AT_RE.test(at);
    const localObfuscated = !PLAIN_AT_RE.test(at) || localDots.some((d) => d !== '.');
    const localSpoken = spokenAt || hasSpokenJoin(local) || localDots.some((d) => SPOKEN_DOT_RE.test(d));
    const firstObfuscatedDot = indexOrLength(dots, (d) => d !== '.');
    const firstSpokenDot = indexOrLength(dots, (d) => SPOKEN_DOT_RE.test(d));
    const firstJoinedLabel = indexOrLength(labels, (l) => hasSpokenJoin(l.text));
    const firstBadLabel = indexOrLength(labels, (l) => !LABEL_RE.test(l.text.replace(SPOKEN_JOIN_RE, '-')));

    // Longest prefix of the labels that ends in a top-level domain (labels[0..k), joined by dots[0..k-1)).
    let accepted = -1;
    for (let k = Math.min(labels.length, firstBadLabel); k >= 2; k--) {
      const obfuscated = localObfuscated || firstObfuscatedDot < k - 1 || firstJoinedLabel < k;
      if (!obfuscated) break; // a plain address: plainEmailSpans has it
      const spoken = localSpoken || firstSpokenDot < k - 1 || firstJoinedLabel < k;
      const tld = labels[k - 1].text;
      if (TLD_RE.test(tld) && (!spoken || TWO_LETTERS_RE.test(tld) || SPOKEN_TLDS.has(tld.toLowerCase()))) {
        accepted = k;
        break;
      }
    }
    if (accepted < 0) {
      resume(atStart);
      continue;
    }
    // Trim quotes around the local part ("'jane at acme dot com'").
    let start = matchStart;
    let localText = local;
    while (localText.length > 0 && /^['’\-+%]/.test(localText)) {
      localText = localText.slice(1);
      start++;
    }
    if (localText.length === 0) {
      resume(atStart);
      continue;
    }
    if (spokenAt && localDots.length === 0 && AT_STOPWORDS.has(localText.toLowerCase())) {
      resume(atStart);
      continue;
    }
    const end = domainStart + labels[accepted - 1].end;
    spans.push({ start, end, kind: 'email' });
    resume(end);
  }
}

function indexOrLength<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  const i = items.findIndex(predicate);
  return i < 0 ? items.length : i;
}

// ---------------------------------------------------------------------------------------------------------
// Dates (shielded from the phone scanner)

const DATE_RES: readonly RegExp[] = [
  // 2026-11-22, 2026/11/22, 2026.11.22, optionally with an ISO time and offset
  /(?<!\d)(?:19|20)\d{2}([-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d+)?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?(?!\d)/g,
  // 22/11/2026, 11/22/2026, 22.11.2026, 22-11-2026
  /(?<!\d)(?:0?[1-9]|[12]\d|3[01])([-/.])(?:0?[1-9]|[12]\d|3[01])\1(?:19|20)\d{2}(?!\d)/g,
];

function markDates(text: string, mask: Uint8Array): void {
  for (const re of DATE_RES) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      for (let i = m.index; i < m.index + m[0].length; i++) if (mask[i] === 0) mask[i] = MASK_DATE;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Phones

const PLUS = 43;
const LPAREN = 40;
const RPAREN = 41;
const FW_PLUS = 0xff0b;
const FW_LPAREN = 0xff08;
const FW_RPAREN = 0xff09;

function isPlus(code: number): boolean {
  return code === PLUS || code === FW_PLUS;
}
function isLParen(code: number): boolean {
  return code === LPAREN || code === FW_LPAREN;
}
function isRParen(code: number): boolean {
  return code === RPAREN || code === FW_RPAREN;
}

interface Group {
  digits: string;
  paren: boolean;
  end: number;
}
interface Candidate {
  start: number;
  end: number;
  plus: boolean;
  groups: Group[];
  /** seps[i] joins groups[i] and groups[i + 1]. */
  seps: string[];
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\u00a0' || ch === '\u202f' || ch === '\u2009' || ch === '\u3000';
}
function isSepPunct(ch: string | undefined): boolean {
  return ch !== undefined && ch.length === 1 && '-./\u2010\u2011\u2012\u2013\uff0d\uff0e\uff0f'.includes(ch);
}

/** End of the separator at p, or -1 when there is none. */
function readSep(text: string, p: number, mask: Uint8Array, afterParen: boolean, firstGroup: boolean): number {
  let q = p;
  let before = 0;
  while (before < 2 && isSpace(text[q])) {
    q++;
    before++;
  }
  if (isSepPunct(text[q])) {
    const punct = text[q];
    q++;
    let afterSpaces = 0;
    while (afterSpaces < 2 && isSpace(text[q])) {
      q++;
      afterSpaces++;
    }
    if (punct === '.' && (before > 0 || afterSpaces > 0)) return -1; // ". " ends a sentence
    if ((before > 0) !== (afterSpaces > 0)) return -1; // "2671 -3" is not a separator
  }
  if (q === p) {
    // No separator: only "(0)30", "(415)555-2671" and "+49(0)30".
    if (afterParen) return q;
    if (firstGroup && isLParen(text.charCodeAt(q))) return q;
    return -1;
  }
  for (let i = p; i < q; i++) if (mask[i] !== 0) return -1;
  return q;
}

/** Reads the longest run of digit groups starting at `start` ("+", "(" or a digit). */
function scanCandidate(text: string, start: number, mask: Uint8Array): Candidate | null {
  const n = text.length;
  let p = start;
  let plus = false;
  if (isPlus(text.charCodeAt(p))) {
    plus = true;
    p++;
  }
  const groups: Group[] = [];
  const seps: string[] = [];
  let pendingSep = '';
  for (;;) {
    const groupStart = p;
    let paren = false;
    if (p < n && isLParen(text.charCodeAt(p)) && mask[p] === 0) {
      paren = true;
      p++;
      if (groups.length === 0 && !plus && isPlus(text.charCodeAt(p))) {
        plus = true;
        p++;
      }
    }
    const digitsStart = p;
    while (p < n && isPhoneDigit(text.charCodeAt(p)) && mask[p] === 0) p++;
    if (p === digitsStart) break;
    const digitsEnd = p;
    if (paren) {
      if (p < n && isRParen(text.charCodeAt(p)) && mask[p] === 0) p++;
      else if (groups.length === 0) return scanCandidate(text, groupStart + 1, mask); // "(415 555 2671)"
      else break;
    }
    if (groups.length > 0) seps.push(pendingSep);
    groups.push({ digits: asciiDigits(text.slice(digitsStart, digitsEnd)), paren, end: p });
    const sepEnd = readSep(text, p, mask, paren, groups.length === 1);
    if (sepEnd < 0 || sepEnd >= n || mask[sepEnd] !== 0) break;
    const next = text.charCodeAt(sepEnd);
    if (!isPhoneDigit(next) && !isLParen(next)) break;
    pendingSep = text.slice(p, sepEnd);
    p = sepEnd;
  }
  if (groups.length === 0) return null;
  return { start, end: groups[groups.length - 1].end, plus, groups, seps };
}

function canStart(text: string, i: number): boolean {
  const prev = text[i - 1];
  if (prev === undefined) return true;
  if (isLParen(text.charCodeAt(i))) return !isPhoneDigit(prev.charCodeAt(0)); // "call(415) 555-2671"
  if (isWordChar(prev) || prev === '#' || prev === '+' || prev === '@') return false;
  const prev2 = text[i - 2];
  if ('-./,:'.includes(prev) && prev2 !== undefined && isPhoneDigit(prev2.charCodeAt(0))) return false; // mid-number
  if ('-_/'.includes(prev) && isLetter(prev2)) return false; // "SKU-12345678", "/j/4155552671"
  return true;
}

const EXTENSION_RE = /\s{0,2}[,;]?\s{0,2}(?:extension|extn\.?|ext\.?|x|#)\s{0,2}[:.]?\s{0,2}\d{1,6}(?![\p{L}\p{N}])/iuy;
const CONTEXT_RE =
  /(?:\b(?:phone|phones|ph|tel|tele|telephone|mobile|mob|cell|cellphone|fax|whatsapp|sms|text|call|calls|called|dial|ring|landline|line|switchboard|number|contact|reach|direct|hotline)\b\.?|\b[tmpfd]\s?:)(?:[\s:.#=()\-–]|\b(?:is|at|on|me|him|her|us|them|via|my|his|their|the|our|your|direct|mobile|cell|number|no)\b){0,12}$/i;
const CURRENCY_BEFORE_RE =
  /(?:[$€£¥₹₽₩¢]|\b(?:usd|eur|gbp|chf|jpy|inr|aud|cad|brl|mxn|sek|nok|dkk|pln|r\$|us\$|a\$|c\$))\s{0,2}$/iu;
// Units that follow an ordinary number. The one-letter multipliers count only when glued ("20k", "1.5M"),
// so that "020 7946 0958 M: 07700 900123" is not read as millions.
const AFTER_NUMBER_RE =
  /^(?:(?:k|m|bn|mn)(?![\p{L}\p{N}])|\s{0,2}(?:%|‰|[$€£¥₹₽₩¢]|(?:percent|pct|usd|eur|gbp|chf|jpy|inr|aud|cad|brl|mio|mrd|million|millions|billion|billions|thousand|users?|seats?|people|persons?|employees?|staff|reps?|customers?|clients?|accounts?|licen[cs]es?|units?|items?|pieces?|pcs|hours?|hrs?|mins?|minutes?|seconds?|secs?|days?|weeks?|months?|years?|yrs?|times|calls?|deals?|leads?|tickets?|orders?|visits?|views?|downloads?|requests?|rows?|records?|emails?|messages?|members?|students?|devices?|locations?|sites?|stores?|km|kg|mb|gb|tb|ms)(?![\p{L}\p{N}:])))/iu;
const RANGE_BEFORE_RE = /\b(?:from|between|range|ranging|approx\.?|approximately|about|around|roughly|circa|ca\.)\s{1,2}$|~\s?$/i;
const NANP_RE = /^1?[2-9]\d{2}[2-9]\d{6}$/;
const YEAR_RE = /^(?:19|20)\d{2}$/;

function phoneSpans(text: string, mask: Uint8Array, spans: Span[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (!(isPhoneDigit(code) || isPlus(code) || isLParen(code)) || mask[i] !== 0 || !canStart(text, i)) {
      i++;
      continue;
    }
    const cand = scanCandidate(text, i, mask);
    if (!cand) {
      i++;
      continue;
    }
    const accepted = acceptPhone(text, cand);
    if (accepted) {
      EXTENSION_RE.lastIndex = accepted.end;
      const ext = EXTENSION_RE.exec(text);
      const end = ext && !touchesPlaceholder(mask, accepted.end, EXTENSION_RE.lastIndex) ? EXTENSION_RE.lastIndex : accepted.end;
      spans.push({ start: accepted.start, end, kind: 'phone' });
      i = Math.max(end, cand.end);
    } else {
      i = cand.end;
    }
  }
}

/**
 * The candidate, or else the longest prefix of it cut at a space that is unmistakably a phone number
 * ("call 415-555-2671 10 users", but not "from 10 000 - 20 000 users").
 */
function acceptPhone(text: string, cand: Candidate): Candidate | null {
  if (isPhone(text, cand, false)) return cand;
  if (cand.groups.length > 8) return null;
  for (let k = cand.groups.length - 1; k >= 1; k--) {
    if (!/^\s+$/.test(cand.seps[k - 1])) continue;
    const groups = cand.groups.slice(0, k);
    const prefix: Candidate = { ...cand, groups, seps: cand.seps.slice(0, k - 1), end: groups[k - 1].end };
    if (isPhone(text, prefix, true)) return prefix;
  }
  return null;
}

/** `strong`: only accept with a clear signal (a "+", an area code in parentheses, a context word, a trunk "0", NANP shape). */
function isPhone(text: string, cand: Candidate, strong: boolean): boolean {
  const { groups, seps, plus } = cand;
  const significant = groups.filter((g) => !(g.paren && g.digits === '0')); // "(0)" is a trunk prefix
  const digits = significant.reduce((sum, g) => sum + g.digits.length, 0);
  if (digits < 7) return false;

  const before = text.slice(Math.max(0, cand.start - 48), cand.start);
  const after = text.slice(cand.end, cand.end + 24);
  if (CURRENCY_BEFORE_RE.test(before)) return false;
  if (plus) return true;
  if (AFTER_NUMBER_RE.test(after)) return false;
  const context = CONTEXT_RE.test(before);
  const nextChar = text[cand.end];

  if (groups.length === 1) {
    const d = groups[0].digits;
    if (isLetter(nextChar)) return false; // "123456789abc"
    if (context && digits <= 15) return true;
    if (/^0[1-9]\d{7,11}$/.test(d)) return true;
    if (/^00[1-9]\d{8,13}$/.test(d)) return true;
    return NANP_RE.test(d);
  }

  const ds = groups.map((g) => g.digits);
  const hasAreaParen = groups.some((g) => g.paren && g.digits !== '0');
  const allSeps = seps.map((s) => s.trim() || ' ');

  // Hard exclusions: IP addresses, year pairs.
  if (ds.length === 4 && allSeps.every((s) => s === '.') && ds.every((d) => d.length <= 3 && Number(d) <= 255)) {
    return false;
  }
  if (ds.length === 2 && YEAR_RE.test(ds[0]) && YEAR_RE.test(ds[1])) return false;
  if (hasAreaParen || context) return true;
  if (strong) return ds[0][0] === '0' || NANP_RE.test(ds.join(''));

  if (ds.length === 2) {
    const [a, b] = ds;
    const sep = allSeps[0];
    if (a.length === 5 && b.length === 4 && sep === '-') return false; // ZIP+4
    if (sep === '.') return false; // decimal number
    if (YEAR_RE.test(a) && b.length >= 3) return false; // "in 2026 1500 seats", invoice "2026-001234"
    if (isDashSep(sep) && a[0] !== '0' && b[0] !== '0' && Number(a) < Number(b)) {
      if ((a.endsWith('0') && b.endsWith('0')) || RANGE_BEFORE_RE.test(before)) return false; // "1000-2000"
    }
  }
  // Ranges of thousands: "10 000 - 20 000", "1.200.000–1.500.000".
  const dashAt = allSeps.findIndex(isDashSep);
  if (dashAt >= 0 && allSeps.filter(isDashSep).length === 1) {
    const left = ds.slice(0, dashAt + 1);
    const right = ds.slice(dashAt + 1);
    const leftSeps = allSeps.slice(0, dashAt);
    const rightSeps = allSeps.slice(dashAt + 1);
    if (left.length > 1 && right.length > 1 && isThousands(left, leftSeps) && isThousands(right, rightSeps)) return false;
  }
  // Lists of one- and two-digit numbers ("12 15 18 20 22 25"), except trunk-prefixed ("01 23 45 67 89").
  if (ds.every((d) => d.length <= 2) && ds[0][0] !== '0') return false;
  // Thousands ("1 200 000", "1.200.000") under 9 digits.
  if (isThousands(ds, allSeps) && digits < 9) return false;
  return true;
}

function isDashSep(sep: string): boolean {
  return sep.length === 1 && '-\u2010\u2011\u2012\u2013\uff0d'.includes(sep);
}

/** Digit groups written as one number with thousands separators: "1 200 000", "1.200.000". */
function isThousands(ds: readonly string[], seps: readonly string[]): boolean {
  if (ds.length < 2 || ds[0].length > 3 || ds[0][0] === '0') return false;
  const sep = seps[0];
  return (sep === ' ' || sep === '.') && seps.every((s) => s === sep) && ds.slice(1).every((d) => d.length === 3);
}

const VANITY_RE =
  /(?<![\p{L}\p{N}_+])(?:\+?1[\s.-]?)?(?:\(8(?:00|33|44|55|66|77|88)\)|8(?:00|33|44|55|66|77|88))[\s.-]?([A-Z0-9](?:[A-Z0-9]|-(?=[A-Z0-9])){5,11})(?![\p{L}\p{N}_])/gu;

/** US toll-free vanity numbers: "1-800-FLOWERS", "(888) GOT-JUNK". */
function vanitySpans(text: string, spans: Span[]): void {
  VANITY_RE.lastIndex = 0;
  for (let m = VANITY_RE.exec(text); m; m = VANITY_RE.exec(text)) {
    const tail = m[1].replace(/-/g, '');
    if (!/[A-Z]/.test(tail) || tail.length < 7 || tail.length > 10) continue;
    spans.push({ start: m.index, end: m.index + m[0].length, kind: 'phone' });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Marked names

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

function markedMatcher(marked: readonly string[]): RegExp | null {
  const seen = new Set<string>();
  const names: string[] = [];
  for (const raw of marked) {
    if (typeof raw !== 'string') continue;
    const name = raw
      .trim()
      .replace(/['’]s$/i, '')
      .trim();
    if (!LETTER_OR_DIGIT.test(name)) continue;
    const key = name.toLowerCase().replace(/\s+/g, ' ').replace(/’/g, "'");
    if (seen.has(key)) continue;
    seen.add(key);
    names.push(name);
  }
  if (names.length === 0) return null;
  names.sort((a, b) => b.length - a.length);
  const alternatives = names.map((name) =>
    name
      .split(/\s+/)
      .map((word) => escapeRegExp(word).replace(/['’]/g, "['’]"))
      .join('\\s+'),
  );
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
}

function markedSpans(text: string, re: RegExp, spans: Span[]): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    spans.push({ start: m.index, end: m.index + m[0].length, kind: 'marked' });
  }
}
