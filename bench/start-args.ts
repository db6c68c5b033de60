import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The options `npm start` gives Node before the service's script (package.json's `start`, `… && node <options>
 * dist/src/main.js`). The HTTP benches start the service with them, so they measure it as `npm start` runs it.
 */
export function startNodeArgs(start: string = readStartScript()): string[] {
  const m = /(?:^|&&)\s*node((?:\s+--[^\s]+)*)\s+dist\/src\/main\.js\s*$/.exec(start);
  if (!m) throw new Error(`package.json's start script does not end in "node [options] dist/src/main.js": ${start}`);
  return m[1].split(/\s+/).filter(Boolean);
}

/** `npm start`'s command line, from the `package.json` in `dir` (by default the working directory, where the benches run). */
export function readStartScript(dir = '.'): string {
  const pkg = JSON.parse(readFileSync(path.resolve(dir, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start;
}
