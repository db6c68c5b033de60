import type { ImportRole, ParsedRow, RowError } from './people-csv.js';

/** A person already stored, as the plan needs them. */
export interface ExistingPerson {
  id: string;
  email: string;
  name: string;
  timeZone: string;
  roles: ImportRole[];
  active: boolean;
  startedOn: string | null;
}

export interface PlanInput {
  rows: ParsedRow[];
  /** Stored people whose email (lower case) is in the file. */
  people: ReadonlyMap<string, ExistingPerson>;
  /** Periods named in the file that exist, with their program's default quota. */
  periods: ReadonlyMap<string, { defaultQuota: number }>;
  /** Roster entries of stored people in named periods, by `${periodId}:${userId}`. */
  roster: ReadonlyMap<string, { id: string; status: string }>;
  /** Enrolments of stored people in named periods, by `${periodId}:${userId}`. */
  enrolments: ReadonlyMap<string, { id: string; quota: number; ended?: boolean }>;
  /** Ids of the active lifecycle users. */
  activeLifecycleIds: readonly string[];
}

export type Outcome = 'create' | 'update' | 'unchanged' | 'error';

export interface RowResult {
  row: number;
  email: string;
  outcome: Outcome;
  errors: RowError[];
  roster?: { periodId: string; outcome: 'invite' | 'reinvite' | 'unchanged'; status: string };
  enrolment?: { periodId: string; outcome: 'create' | 'update' | 'unchanged'; quota: number };
}

export interface Totals {
  rows: number;
  create: number;
  update: number;
  unchanged: number;
  error: number;
  rosterInvites: number;
  enrolments: number;
}

/** What applying writes; new people are named by their email (their ids come from the insert). */
export interface Writes {
  createPeople: { email: string; name: string; timeZone: string; roles: ImportRole[]; startedOn: string | null }[];
  updatePeople: { id: string; email: string; name: string; timeZone: string; roles: ImportRole[]; startedOn: string | null }[];
  /** New roster entries (status invited), for a stored person (userId) or a new one (email). */
  rosterInserts: { periodId: string; userId?: string; email?: string }[];
  /** Declined or removed entries invited again. */
  rosterReinvites: string[];
  enrolInserts: { periodId: string; userId?: string; email?: string; quota: number }[];
  /** Enrolments given another quota, or ended ones (a deactivation ends them) enrolled again. */
  enrolQuotaUpdates: { id: string; quota: number }[];
}

export interface ImportPlan {
  rows: RowResult[];
  totals: Totals;
  writes: Writes;
}

const sameRoles = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((r) => b.includes(r));

/**
 * Decides, row by row, what an import does against what is stored: create or update the person (matched by
 * email ignoring case), and invite them to a roster or enrol them as the programs' rules allow (an invited
 * or active rep is left as is, a declined or removed one is invited again; an enrolment keeps its quota
 * unless the file gives another). A row with any error writes nothing; the caller applies only a clean plan.
 */
export function planImport(input: PlanInput): ImportPlan {
  const writes: Writes = { createPeople: [], updatePeople: [], rosterInserts: [], rosterReinvites: [], enrolInserts: [], enrolQuotaUpdates: [] };
  const rows: RowResult[] = [];

  // The file may not take the lifecycle role from every active lifecycle user.
  const losing = input.rows.filter((r) => {
    const p = input.people.get(r.email.toLowerCase());
    return p && p.active && p.roles.includes('lifecycle') && r.roles.length && !r.roles.includes('lifecycle');
  });
  const lifecycleLeft = input.activeLifecycleIds.filter((id) => !losing.some((r) => input.people.get(r.email.toLowerCase())!.id === id));

  for (const r of input.rows) {
    const errors = [...r.errors];
    const existing = r.email ? input.people.get(r.email.toLowerCase()) : undefined;
    if (lifecycleLeft.length === 0 && losing.includes(r)) {
      errors.push({ column: 'roles', message: 'this would take the lifecycle role from the last active lifecycle user; keep lifecycle on one of them' });
    }
    const result: RowResult = { row: r.row, email: r.email, outcome: 'unchanged', errors };
    const changed =
      !existing ||
      existing.name !== r.name ||
      existing.timeZone !== r.timeZone ||
      !sameRoles(existing.roles, r.roles) ||
      existing.startedOn !== (r.startedOn ?? existing.startedOn);
    const inactive = existing && !existing.active;

    if (r.rosterPeriodId && !errors.some((e) => e.column === 'rosterPeriodId')) {
      if (!input.periods.has(r.rosterPeriodId)) errors.push({ column: 'rosterPeriodId', message: `no period has the id ${r.rosterPeriodId}` });
      else if (inactive) errors.push({ column: 'rosterPeriodId', message: 'the person is deactivated: only an active rep can be put on a roster' });
      else {
        const entry = existing && input.roster.get(`${r.rosterPeriodId}:${existing.id}`);
        if (!entry) {
          result.roster = { periodId: r.rosterPeriodId, outcome: 'invite', status: 'invited' };
          writes.rosterInserts.push(existing ? { periodId: r.rosterPeriodId, userId: existing.id } : { periodId: r.rosterPeriodId, email: r.email });
        } else if (entry.status === 'invited' || entry.status === 'active') {
          result.roster = { periodId: r.rosterPeriodId, outcome: 'unchanged', status: entry.status };
        } else {
          result.roster = { periodId: r.rosterPeriodId, outcome: 'reinvite', status: 'invited' };
          writes.rosterReinvites.push(entry.id);
        }
      }
    }

    if (r.enrolPeriodId && !errors.some((e) => e.column === 'enrolPeriodId')) {
      const period = input.periods.get(r.enrolPeriodId);
      if (!period) errors.push({ column: 'enrolPeriodId', message: `no period has the id ${r.enrolPeriodId}` });
      else if (inactive) errors.push({ column: 'enrolPeriodId', message: 'the person is deactivated: only an active marketer can be enrolled' });
      else {
        const enrolment = existing && input.enrolments.get(`${r.enrolPeriodId}:${existing.id}`);
        if (!enrolment) {
          const quota = r.quota ?? period.defaultQuota;
          result.enrolment = { periodId: r.enrolPeriodId, outcome: 'create', quota };
          writes.enrolInserts.push(existing ? { periodId: r.enrolPeriodId, userId: existing.id, quota } : { periodId: r.enrolPeriodId, email: r.email, quota });
        } else if (enrolment.ended || (r.quota !== null && r.quota !== enrolment.quota)) {
          const quota = r.quota ?? enrolment.quota;
          result.enrolment = { periodId: r.enrolPeriodId, outcome: 'update', quota };
          writes.enrolQuotaUpdates.push({ id: enrolment.id, quota });
        } else {
          result.enrolment = { periodId: r.enrolPeriodId, outcome: 'unchanged', quota: enrolment.quota };
        }
      }
    }

    if (errors.length) result.outcome = 'error';
    else if (!existing) {
      result.outcome = 'create';
      writes.createPeople.push({ email: r.email, name: r.name, timeZone: r.timeZone, roles: r.roles, startedOn: r.startedOn });
    } else {
      const sideChange = (result.roster && result.roster.outcome !== 'unchanged') || (result.enrolment && result.enrolment.outcome !== 'unchanged');
      if (changed) {
        writes.updatePeople.push({ id: existing.id, email: existing.email, name: r.name, timeZone: r.timeZone, roles: r.roles, startedOn: r.startedOn ?? existing.startedOn });
      }
      result.outcome = changed || sideChange ? 'update' : 'unchanged';
    }
    rows.push(result);
  }

  const count = (o: Outcome) => rows.filter((r) => r.outcome === o).length;
  const clean = rows.filter((r) => r.outcome !== 'error');
  const totals: Totals = {
    rows: rows.length,
    create: count('create'),
    update: count('update'),
    unchanged: count('unchanged'),
    error: count('error'),
    rosterInvites: clean.filter((r) => r.roster && r.roster.outcome !== 'unchanged').length,
    enrolments: clean.filter((r) => r.enrolment && r.enrolment.outcome !== 'unchanged').length,
  };
  return { rows, totals, writes };
}
