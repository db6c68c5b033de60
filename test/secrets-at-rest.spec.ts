import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { keyId, open, Secrets, SecretsError } from '../src/common/secrets.js';
import { ADMIN_EMAIL, ADMIN_TOKEN, startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { killServiceProcesses, startServiceProcess } from './support/service-process.js';

/** Every line the app's logger writes. */
class LogCapture extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk.toString());
    done();
  }
  get text(): string {
    return this.chunks.join('');
  }
  lines(containing: string): string[] {
    return this.text.split('\n').filter((l) => l.includes(containing));
  }
}

const FEED = 'https://calendar.google.com/calendar/ical/rep%40example.com/private-0123456789abcdef/basic.ics';
const WARNING = 'SECRETS_KEY is not set';

describe('secrets at rest', () => {
  let database: TestDatabase;
  const dirs: string[] = [];
  const tempVarDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ridealong-secrets-'));
    dirs.push(dir);
    return dir;
  };
  /** The real app with its own VAR_DIR; closed before returning what `use` gives back. */
  async function withApp<T>(env: Record<string, string>, use: (secrets: Secrets, logs: LogCapture) => T): Promise<T> {
    const logs = new LogCapture();
    const t: TestApp = await startTestApp({ LOG_LEVEL: 'info', ...env }, database, logs);
    try {
      return use(t.app.get(Secrets), logs);
    } finally {
      await t.close();
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await killServiceProcesses();
    await database.drop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('generates a key under VAR_DIR on first start (owner-only), warns once, and reuses it on restart', async () => {
    const varDir = tempVarDir();
    const file = path.join(varDir, 'secrets.key');
    expect(fs.existsSync(file)).toBe(false);

    const first = await withApp({ VAR_DIR: varDir }, (secrets, logs) => ({ sealed: secrets.seal(FEED), logs }));
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const keyHex = fs.readFileSync(file, 'utf8').trim();
    expect(keyHex).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.readdirSync(varDir).filter((f) => f.startsWith('secrets.key'))).toEqual(['secrets.key']); // no temporary file left
    const warnings = first.logs.lines(WARNING);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('generated a key');
    expect(warnings[0]).toContain('Several instances must share one key: set SECRETS_KEY');
    expect(warnings[0]).toContain(`key id ${keyId(Buffer.from(keyHex, 'hex'))}`);
    expect(first.logs.text).not.toContain(keyHex);
    expect(first.logs.text).not.toContain('private-0123456789abcdef');
    // Sealed with the file's key, not readable as text.
    expect(first.sealed).not.toContain('calendar.google.com');
    expect(open(Buffer.from(keyHex, 'hex'), first.sealed)).toBe(FEED);

    const second = await withApp({ VAR_DIR: varDir }, (secrets, logs) => ({ opened: secrets.open(first.sealed), logs }));
    expect(second.opened).toBe(FEED);
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(keyHex);
    expect(second.logs.lines(WARNING)).toHaveLength(1);
    expect(second.logs.lines(WARNING)[0]).toContain('using the generated key');
  });

  it('honours SECRETS_KEY (hex or base64): no key file, no warning, and another key cannot open', async () => {
    const key = randomBytes(32);
    const varDir = tempVarDir();
    const sealed = await withApp({ VAR_DIR: varDir, SECRETS_KEY: key.toString('hex') }, (secrets, logs) => {
      expect(logs.lines(WARNING)).toHaveLength(0);
      expect(logs.text).not.toContain(key.toString('hex'));
      return secrets.seal('caldav-password-123');
    });
    expect(fs.existsSync(path.join(varDir, 'secrets.key'))).toBe(false);
    expect(open(key, sealed)).toBe('caldav-password-123');

    const viaBase64 = await withApp({ VAR_DIR: varDir, SECRETS_KEY: key.toString('base64') }, (secrets) => secrets.open(sealed));
    expect(viaBase64).toBe('caldav-password-123');

    // Another key (SECRETS_KEY changed, or an instance with its own generated key) cannot open it.
    const wrong = await withApp({ VAR_DIR: varDir, SECRETS_KEY: randomBytes(32).toString('hex') }, (secrets) => {
      try {
        secrets.open(sealed);
        return null;
      } catch (err) {
        return err as Error;
      }
    });
    expect(wrong).toBeInstanceOf(SecretsError);
    expect(wrong?.message).not.toContain('caldav-password-123');
    const generated = await withApp({ VAR_DIR: tempVarDir() }, (secrets) => () => secrets.open(sealed));
    expect(generated).toThrow(SecretsError);
  });

  it('seals the same secret differently each time; a tampered text does not open', async () => {
    await withApp({ VAR_DIR: tempVarDir() }, (secrets) => {
      const a = secrets.seal(FEED);
      const b = secrets.seal(FEED);
      expect(a).not.toBe(b);
      expect(a).toMatch(/^v1:/);
      expect(secrets.open(a)).toBe(FEED);
      expect(secrets.open(b)).toBe(FEED);
      const [v, iv, tag, body] = a.split(':');
      const tampered = `${v}:${iv}:${tag}:${body.slice(0, -2)}${body.endsWith('AA') ? 'BB' : 'AA'}`;
      expect(() => secrets.open(tampered)).toThrow(SecretsError);
    });
  });

  it('two service processes starting together on one VAR_DIR end up with the same key', async () => {
    const varDir = tempVarDir();
    const env = { DATABASE_URL: database.url, ADMIN_TOKEN, ADMIN_EMAIL, LOG_LEVEL: 'warn', VAR_DIR: varDir };
    const [a, b] = await Promise.all([startServiceProcess(env), startServiceProcess(env)]);
    await Promise.all([a.stop(), b.stop()]);
    const keyHex = fs.readFileSync(path.join(varDir, 'secrets.key'), 'utf8').trim();
    const id = keyId(Buffer.from(keyHex, 'hex'));
    const warnings = [a, b].map((p) => p.output().split('\n').filter((l) => l.includes(WARNING)));
    expect(warnings.map((w) => w.length)).toEqual([1, 1]);
    expect(warnings.flat().every((l) => l.includes(`key id ${id}`))).toBe(true);
    expect(warnings.flat().filter((l) => l.includes('generated a key'))).toHaveLength(1);
    expect(fs.readdirSync(varDir).filter((f) => f.startsWith('secrets.key'))).toEqual(['secrets.key']);
  }, 400_000);
});
