import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyId, loadOrCreateKeyFile, open, parseKey, seal, SecretsError } from './secrets.js';

const key = randomBytes(32);

describe('parseKey', () => {
  it('reads 64 hex digits and 44 characters of base64 (standard or url-safe)', () => {
    expect(parseKey(key.toString('hex'))).toEqual(key);
    expect(parseKey(key.toString('hex').toUpperCase())).toEqual(key);
    expect(parseKey(key.toString('base64'))).toEqual(key);
    expect(parseKey(key.toString('base64url'))).toEqual(key);
    expect(parseKey(` ${key.toString('hex')}\n`)).toEqual(key);
  });

  it('refuses anything else, without echoing it', () => {
    for (const bad of ['', 'abc', key.toString('hex').slice(2), randomBytes(16).toString('base64'), randomBytes(48).toString('base64')]) {
      expect(() => parseKey(bad)).toThrow(SecretsError);
    }
    try {
      parseKey('not-a-key-but-a-secret');
    } catch (err) {
      expect((err as Error).message).not.toContain('not-a-key-but-a-secret');
    }
  });
});

describe('seal and open', () => {
  it('round-trips text, including empty and non-ASCII', () => {
    for (const plain of ['', 'https://calendar.google.com/calendar/ical/x%40example.com/private-abc/basic.ics', 'pässwörd 🔑']) {
      expect(open(key, seal(key, plain))).toBe(plain);
    }
  });

  it('writes v1:<iv>:<tag>:<ciphertext> in base64url, a fresh IV each time', () => {
    const a = seal(key, 'same text');
    const b = seal(key, 'same text');
    expect(a).toMatch(/^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a.split(':')[1]).not.toBe(b.split(':')[1]);
    expect(a).not.toContain('same');
  });

  it('refuses a tampered text, a text sealed with another key, and junk', () => {
    const sealed = seal(key, 'secret-feed-token');
    const [v, iv, tag, body] = sealed.split(':');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    for (const bad of [`${v}:${iv}:${tag}:${flip(body)}`, `${v}:${iv}:${flip(tag)}:${body}`, `${v}:${flip(iv)}:${tag}:${body}`, `${v}:${iv}:${tag}:${body}AA`]) {
      expect(() => open(key, bad)).toThrow('a stored secret could not be opened');
    }
    expect(() => open(randomBytes(32), sealed)).toThrow(SecretsError);
    for (const junk of ['', 'secret-feed-token', `v2:${iv}:${tag}:${body}`, `v1:${iv}:${tag}`, `v1:${iv}:${tag.slice(2)}:${body}`, `v1:${iv}:${tag}:${body}:x`, `v1:${iv}:${tag}:b*dy`]) {
      expect(() => open(key, junk)).toThrow(SecretsError);
    }
  });

  it('never puts the plain text or the key in an error', () => {
    try {
      open(randomBytes(32), seal(key, 'secret-feed-token'));
    } catch (err) {
      expect((err as Error).message).not.toContain('secret-feed-token');
      expect((err as Error).message).not.toContain(key.toString('hex'));
    }
  });
});

describe('keyId', () => {
  it('is 8 hex digits, the same for the same key, different for another', () => {
    expect(keyId(key)).toMatch(/^[0-9a-f]{8}$/);
    expect(keyId(Buffer.from(key))).toBe(keyId(key));
    expect(keyId(randomBytes(32))).not.toBe(keyId(key));
  });
});

describe('loadOrCreateKeyFile', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ridealong-key-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('creates the folder and an owner-only key file once, then reads it', () => {
    const dir = path.join(tempDir(), 'nested', 'var');
    const made = loadOrCreateKeyFile(dir);
    expect(made.created).toBe(true);
    expect(fs.statSync(made.file).mode & 0o777).toBe(0o600);
    const again = loadOrCreateKeyFile(dir);
    expect(again).toEqual({ key: made.key, file: made.file, created: false });
    expect(fs.readdirSync(dir)).toEqual(['secrets.key']);
  });

  it('refuses a key file that does not hold a key, naming the file but not its content', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'secrets.key'), 'hunter2\n');
    expect(() => loadOrCreateKeyFile(dir)).toThrow(`${path.join(dir, 'secrets.key')} does not hold a valid secrets key`);
    expect(() => loadOrCreateKeyFile(dir)).not.toThrow(/hunter2/);
  });

  it('says what to do when VAR_DIR cannot be written', () => {
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, '');
    expect(() => loadOrCreateKeyFile(path.join(file, 'var'))).toThrow(/could not create the secrets key .* make VAR_DIR writable or set SECRETS_KEY/);
  });
});
