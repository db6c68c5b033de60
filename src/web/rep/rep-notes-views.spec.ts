import type { User } from '../../people/user.entity.js';
import type { RepNoteJson } from '../../rep-notes/rep-notes.service.js';
import { repNotePage, repNotesSection } from './rep-notes-views.js';

const note = (extra: Partial<RepNoteJson> = {}): RepNoteJson => ({
  id: 'n1',
  bookingId: 'b1',
  programId: 'p1',
  periodId: 'pe1',
  repId: 'r1',
  status: 'open',
  wish: null,
  usefulness: null,
  followUp: null,
  markedNames: [],
  sessionEndedAt: new Date('2026-03-10T15:45:00Z'),
  dueAt: new Date('2026-03-11T15:45:00Z'),
  submittedAt: null,
  late: false,
  session: { startsAt: new Date('2026-03-10T15:00:00Z'), endsAt: new Date('2026-03-10T15:45:00Z'), marketerName: 'Milo <M>' },
  programName: 'Rep Life',
  ...extra,
});
const user = { id: 'r1', name: 'Rita', email: 'r@x', roles: ['rep'], timeZone: 'America/New_York' } as unknown as User;

describe('rep note views', () => {
  it('lists the notes to write with a link each, in the rep’s zone, or says none wait', () => {
    const s = repNotesSection([note(), note({ id: 'n2', status: 'draft' })], 'America/New_York').value;
    expect(s).toContain('Notes for Marketing (optional)');
    expect(s).toContain('href="/rep/notes/n1"');
    expect(s).toContain('Finish your note');
    expect(s).toContain('Milo &lt;M&gt;');
    expect(s).toContain('11:00');
    expect(repNotesSection([], 'UTC').value).toContain('No notes waiting.');
  });

  it('shows the form while open, what was sent once sent, and nothing to write once withdrawn', () => {
    const open = repNotePage({ user, csrf: 'c', note: note({ wish: 'a <b>' }) }).value;
    expect(open).toContain('action="/rep/notes/n1"');
    expect(open).toContain('a &lt;b&gt;');
    expect(open).toContain('never sees it');
    const sent = repNotePage({ user, csrf: 'c', note: note({ status: 'submitted', usefulness: 5, submittedAt: new Date('2026-03-10T16:00:00Z') }) }).value;
    expect(sent).toContain('5 of 5 (Very useful)');
    expect(sent).not.toContain('<form method="post" action="/rep/notes/n1"');
    expect(repNotePage({ user, csrf: 'c', note: note({ status: 'withdrawn' }) }).value).toContain('no-show');
  });
});
