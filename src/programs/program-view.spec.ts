import type { Program } from './program.entity.js';
import { DEFAULT_SETTINGS } from './program-settings.js';
import { programFor } from './program-view.js';

const program = (): Program => ({
  id: 'p1',
  name: 'Rep Life',
  kind: 'call_shadowing',
  timeZone: 'Europe/Berlin',
  settings: { ...DEFAULT_SETTINGS, rollupRecipients: ['lifecycle@example.com'] },
  preparationNote: null,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-01T00:00:00Z'),
});

describe('programFor', () => {
  it('gives the lifecycle team every setting, the rollup recipients too', () => {
    expect(programFor(['lifecycle'], program()).settings).toMatchObject({ rollupRecipients: ['lifecycle@example.com'] });
    expect(programFor(['rep', 'lifecycle'], program()).settings).toHaveProperty('rollupRecipients');
  });

  it('leaves the rollup recipients out for reps and marketers, and keeps everything else', () => {
    for (const roles of [['rep'], ['marketer'], ['rep', 'marketer'], []]) {
      const p = program();
      const view = programFor(roles, p);
      expect(view.settings).not.toHaveProperty('rollupRecipients');
      expect(JSON.stringify(view)).not.toContain('lifecycle@example.com');
      const { rollupRecipients: _left, ...others } = p.settings;
      expect(view.settings).toEqual(others);
      expect(view).toMatchObject({ id: 'p1', name: 'Rep Life', timeZone: 'Europe/Berlin' });
      expect(p.settings.rollupRecipients).toEqual(['lifecycle@example.com']); // the entity itself is untouched
    }
  });
});
