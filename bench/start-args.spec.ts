import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { startNodeArgs } from './start-args.js';

/**
 * The largest new space (MiB) a Node process with `args` reaches while it builds pages of small objects and
 * keeps each until it is done, as the week view does with its rows. Without NODE_OPTIONS (jest's own).
 */
function newSpaceMiB(args: string[]): number {
  const script = `
    const v8 = require('node:v8');
    let max = 0;
    for (let page = 0; page < 6; page++) {
      const rows = [];
      for (let i = 0; i < 300000; i++) rows.push({ i, text: 'row ' + i });
      max = Math.max(max, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
    }
    process.stdout.write(String(max / 2 ** 20));`;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return Number(execFileSync(process.execPath, [...args, '-e', script], { env, encoding: 'utf8' }));
}

describe('npm start', () => {
  it("gives Node a young generation large enough that a page's rows are not copied again and again", () => {
    const args = startNodeArgs();
    expect(args).toContain('--max-semi-space-size=64');
    // Node's own default stops the new space at 32 MiB (two 16 MiB semi-spaces); npm start's options let it grow.
    const plain = newSpaceMiB([]);
    const started = newSpaceMiB(args);
    expect(plain).toBeLessThanOrEqual(32);
    expect(started).toBeGreaterThan(plain);
    expect(started).toBeLessThanOrEqual(128);
  });

  it("reads the options between node and the service's script", () => {
    expect(startNodeArgs('npm run build && node dist/src/main.js')).toEqual([]);
    expect(startNodeArgs('npm run build && node --max-semi-space-size=64 --enable-source-maps dist/src/main.js')).toEqual([
      '--max-semi-space-size=64',
      '--enable-source-maps',
    ]);
    expect(startNodeArgs('node --a=1 dist/src/main.js')).toEqual(['--a=1']);
  });

  it('refuses a start script that does not end by running the service with node', () => {
    expect(() => startNodeArgs('npm run build && node dist/src/main.js --max-semi-space-size=64')).toThrow(/start script/);
    expect(() => startNodeArgs('npm run build && tsx src/main.ts')).toThrow(/start script/);
    expect(() => startNodeArgs('npm run build && node dist/src/demo/main.js')).toThrow(/start script/);
  });
});
