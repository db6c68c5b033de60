import { parse } from 'csv-parse/sync';
import { isEmail, isUUID } from 'class-validator';
import { isIsoDate } from '../common/time/dates.js';
import { isIanaZone } from '../common/time/time-zone.js';

/** The roles a row may name (the users' roles). */
export const IMPORT_ROLES = ['rep', 'marketer', 'lifecycle'] as const;
export type ImportRole = (typeof IMPORT_ROLES)[number];

/** Columns every file must have, and the ones it may add. */
export const REQUIRED_COLUMNS = ['email', 'name', 'roles', 'timeZone'] as const;
export const OPTIONAL_COLUMNS = ['startedOn', 'rosterPeriodId', 'enrolPeriodId', 'quota'] as const;
export type ImportColumn = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];
const ALL_COLUMNS: readonly ImportColumn[] = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS];

/** At most this many data rows in one file. */
export const MAX_IMPORT_ROWS = 20_000;
export const MAX_QUOTA = 1000;

export interface RowError {
  column: ImportColumn | 'row';
  message: string;
}

/** One data row as read and checked on its own (the database checks come later). */
export interface ParsedRow {
  /** 1-based data row (the header is not counted; blank lines are skipped). */
  row: number;
  email: string;
  name: string;
  roles: ImportRole[];
  timeZone: string;
  /** null: the cell was empty or the column absent (an existing person's date is kept). */
  startedOn: string | null;
  rosterPeriodId: string | null;
  enrolPeriodId: string | null;
  quota: number | null;
  errors: RowError[];
}

/** A problem with the file as a whole (no header, unknown or missing columns, unreadable CSV): a 400. */
export class CsvFileError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The column a header cell names, ignoring case and surrounding spaces; undefined when unknown. */
function columnOf(header: string): ImportColumn | undefined {
  const h = header.trim().toLowerCase();
  return ALL_COLUMNS.find((c) => c.toLowerCase() === h);
}

function checkRow(n: number, cell: (c: ImportColumn) => string, isDate: (v: string) => boolean): ParsedRow {
  const errors: RowError[] = [];
  const email = cell('email');
  if (!email) errors.push({ column: 'email', message: 'email is empty' });
  else if (email.length > 254 || !isEmail(email)) errors.push({ column: 'email', message: `"${email}" is not an email address` });

  const name = cell('name');
  if (!name) errors.push({ column: 'name', message: 'name is empty' });
  else if (name.length > 200) errors.push({ column: 'name', message: 'name must be at most 200 characters' });

  const roleNames = cell('roles').split(';').map((r) => r.trim().toLowerCase()).filter(Boolean);
  const roles: ImportRole[] = [];
  const unknownRoles = roleNames.filter((r) => !(IMPORT_ROLES as readonly string[]).includes(r));
  if (!roleNames.length) errors.push({ column: 'roles', message: `roles is empty: give one or more of ${IMPORT_ROLES.join(', ')} separated by ;` });
  else if (unknownRoles.length) errors.push({ column: 'roles', message: `unknown role ${unknownRoles.map((r) => `"${r}"`).join(', ')}: roles are ${IMPORT_ROLES.join(', ')} separated by ;` });
  else for (const r of IMPORT_ROLES) if (roleNames.includes(r)) roles.push(r);

  const timeZone = cell('timeZone');
  if (!isIanaZone(timeZone)) errors.push({ column: 'timeZone', message: timeZone ? `"${timeZone}" is not an IANA time zone such as Europe/Berlin` : 'timeZone is empty' });

  const startedOn = cell('startedOn') || null;
  if (startedOn !== null && !isDate(startedOn)) errors.push({ column: 'startedOn', message: `"${startedOn}" is not a date like 2026-11-02` });

  const period = (column: 'rosterPeriodId' | 'enrolPeriodId'): string | null => {
    const v = cell(column).toLowerCase() || null;
    if (v !== null && !isUUID(v)) errors.push({ column, message: `"${v}" is not a period id (a UUID)` });
    return v;
  };
  const rosterPeriodId = period('rosterPeriodId');
  const enrolPeriodId = period('enrolPeriodId');
  if (rosterPeriodId && !roles.includes('rep') && roles.length) errors.push({ column: 'rosterPeriodId', message: 'only a person with the rep role can be put on a roster' });
  if (enrolPeriodId && !roles.includes('marketer') && roles.length) errors.push({ column: 'enrolPeriodId', message: 'only a person with the marketer role can be enrolled' });

  const quotaText = cell('quota');
  let quota: number | null = null;
  if (quotaText) {
    if (!/^\d{1,4}$/.test(quotaText) || Number(quotaText) > MAX_QUOTA) errors.push({ column: 'quota', message: `"${quotaText}" is not a whole number from 0 to ${MAX_QUOTA}` });
    else if (!enrolPeriodId) errors.push({ column: 'quota', message: 'quota needs an enrolPeriodId on the same row' });
    else quota = Number(quotaText);
  }
  return { row: n, email, name, roles, timeZone, startedOn, rosterPeriodId: rosterPeriodId, enrolPeriodId, quota, errors };
}

/**
 * Reads a people CSV (header row first; a UTF-8 BOM, CRLF, quoted fields with commas and line breaks are
 * fine) and checks each row on its own: the email, name, roles, zone, date, period ids and quota, each error
 * naming its column; an email seen on more than one row is an error on each of those rows (ignoring case).
 * Throws CsvFileError for a file that cannot be read as a whole (no header, unknown or missing columns).
 */
export function parsePeopleCsv(text: string): ParsedRow[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: false });
  } catch (e) {
    const err = e as { message?: string; lines?: number };
    throw new CsvFileError(`The CSV could not be read: ${err.message ?? String(e)}`, 'body', err.lines ? { line: err.lines } : {});
  }
  if (!records.length) throw new CsvFileError(`The CSV is empty: it needs a header row with ${REQUIRED_COLUMNS.join(', ')}`, 'body');
  const header = records[0]!;
  const unknown = header.filter((h) => !columnOf(h));
  if (unknown.length) {
    throw new CsvFileError(`Unknown column ${unknown.map((h) => `"${h}"`).join(', ')}; the columns are ${ALL_COLUMNS.join(', ')}`, 'columns', { unknown, allowed: ALL_COLUMNS });
  }
  const index = new Map<ImportColumn, number>();
  for (const [i, h] of header.entries()) {
    const c = columnOf(h)!;
    if (index.has(c)) throw new CsvFileError(`The column "${c}" appears twice in the header`, 'columns', { duplicate: [c] });
    index.set(c, i);
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length) throw new CsvFileError(`Missing column ${missing.join(', ')}; the header needs ${REQUIRED_COLUMNS.join(', ')}`, 'columns', { missing });
  if (records.length - 1 > MAX_IMPORT_ROWS) throw new CsvFileError(`The CSV has ${records.length - 1} rows; at most ${MAX_IMPORT_ROWS} per import`, 'body', { max: MAX_IMPORT_ROWS });

  const rows: ParsedRow[] = [];
  // Files repeat start dates; checking one takes Luxon tens of microseconds, so each distinct date is checked once.
  const dates = new Map<string, boolean>();
  const isDate = (v: string) => dates.get(v) ?? (dates.set(v, isIsoDate(v)).get(v) as boolean);
  for (let r = 1; r < records.length; r++) {
    const record = records[r]!;
    const cell = (c: ImportColumn) => {
      const i = index.get(c);
      return i === undefined ? '' : (record[i] ?? '').trim();
    };
    const row = checkRow(r, cell, isDate);
    if (record.length > header.length && record.slice(header.length).some((v) => v.trim())) {
      row.errors.push({ column: 'row', message: `the row has ${record.length} fields; the header has ${header.length}` });
    }
    rows.push(row);
  }
  markDuplicates(rows);
  return rows;
}

/** Every row whose email (ignoring case) is on another row too gets an error naming the other rows. */
function markDuplicates(rows: ParsedRow[]): void {
  const byEmail = new Map<string, number[]>();
  for (const r of rows) {
    if (!r.email) continue;
    const key = r.email.toLowerCase();
    const list = byEmail.get(key);
    if (list) list.push(r.row);
    else byEmail.set(key, [r.row]);
  }
  for (const r of rows) {
    const same = r.email ? byEmail.get(r.email.toLowerCase())! : [];
    if (same.length > 1) {
      const others = same.filter((n) => n !== r.row);
      r.errors.push({ column: 'email', message: `${r.email} appears more than once in the file (also row ${others.join(', ')})` });
    }
  }
}

/** The largest CSV body an import takes (10,000 typical rows are about 1 MB); larger bodies are refused with 413. */
export const IMPORT_BODY_LIMIT = '5mb';
/** Media types of a CSV body. */
export const CSV_MEDIA_TYPES = ['text/csv', 'application/csv'];
