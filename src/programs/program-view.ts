import type { Program } from './program.entity.js';
import type { ProgramSettings } from './program-settings.js';

/** Settings only the lifecycle team reads: the rollup recipients are people's email addresses. */
export const LIFECYCLE_ONLY_SETTINGS = ['rollupRecipients'] as const satisfies readonly (keyof ProgramSettings)[];

type LifecycleOnly = (typeof LIFECYCLE_ONLY_SETTINGS)[number];

/** A program as one viewer may read it: everything for the lifecycle team, settings without the lifecycle-only ones for others. */
export type ProgramView = Omit<Program, 'settings'> & { settings: ProgramSettings | Omit<ProgramSettings, LifecycleOnly> };

/** The program for a viewer with these roles (a copy when something is left out; the entity is never changed). */
export function programFor(viewerRoles: readonly string[], program: Program): ProgramView {
  if (viewerRoles.includes('lifecycle')) return program;
  const settings: Partial<ProgramSettings> = { ...program.settings };
  for (const key of LIFECYCLE_ONLY_SETTINGS) delete settings[key];
  return { ...program, settings: settings as Omit<ProgramSettings, LifecycleOnly> };
}
