import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Global, Inject, Injectable, Logger, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

/**
 * Secrets at rest (calendar feed URLs, CalDAV passwords): AES-256-GCM with a random 12-byte IV per seal,
 * stored as the versioned text `v1:<iv>:<tag>:<ciphertext>` (base64url parts). The key comes from
 * SECRETS_KEY (64 hex digits or 44 characters of base64), else from `<VAR_DIR>/secrets.key`, generated on
 * first start (owner-only, created atomically so two processes starting together end up with the same key).
 * Neither a secret nor the key ever reaches a log line or an error message.
 */

export const KEY_FILE = 'secrets.key';
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed text that cannot be opened: altered, truncated, or sealed with another key. */
export class SecretsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretsError';
  }
}

/** 32 key bytes from 64 hex digits or base64 (standard or url-safe, padding optional); throws otherwise. */
export function parseKey(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  throw new SecretsError('the secrets key must be 32 bytes written as 64 hex digits or 44 characters of base64');
}

/**
 * The key in `<varDir>/secrets.key`, made when missing: 32 random bytes written to a private temporary file,
 * then hard-linked to the final name, which fails if another process got there first (then its key is read).
 * So the file is never seen half-written, and every process starting together uses the same key.
 */
export function loadOrCreateKeyFile(varDir: string): { key: Buffer; file: string; created: boolean } {
  const file = path.resolve(varDir, KEY_FILE);
  const read = () => {
    try {
      return parseKey(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      if (err instanceof SecretsError) throw new SecretsError(`${file} does not hold a valid secrets key (64 hex digits)`);
      throw err;
    }
  };
  if (fs.existsSync(file)) return { key: read(), file, created: false };
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const key = randomBytes(32);
  const text = `${key.toString('hex')}\n`;
  let written = false;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
    written = true;
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
      fs.writeFileSync(file, text, { mode: 0o600, flag: 'wx' }); // a file system without hard links: still exclusive
    }
    return { key, file, created: true };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (written && code === 'EEXIST') return { key: read(), file, created: false }; // another process made it first
    throw new SecretsError(`could not create the secrets key ${file} (${code ?? 'error'}): make VAR_DIR writable or set SECRETS_KEY`);
  } finally {
    if (written) fs.rmSync(tmp, { force: true });
  }
}

/** A short public fingerprint of a key (first 8 hex digits of its SHA-256), so operators can see that instances share one. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** Seals with a 32-byte key. */
export function seal(key: Buffer, plain: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join(':');
}

/** Opens what `seal` made with the same key; throws SecretsError for anything else. */
export function open(key: Buffer, sealed: string): string {
  const parts = sealed.split(':');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretsError('a stored secret is not in the sealed format');
  const [, ivText, tagText, bodyText] = parts;
  const b64 = /^[A-Za-z0-9_-]*$/;
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (!b64.test(ivText) || !b64.test(tagText) || !b64.test(bodyText) || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SecretsError('a stored secret is not in the sealed format');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(bodyText, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretsError('a stored secret could not be opened: it was altered, or sealed with another key (SECRETS_KEY)');
  }
}

@Injectable()
export class Secrets {
  private readonly logger = new Logger('Secrets');
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (config.secretsKey) {
      this.key = parseKey(config.secretsKey);
      return;
    }
    const { key, file, created } = loadOrCreateKeyFile(config.varDir);
    this.key = key;
    this.logger.warn(
      `SECRETS_KEY is not set: ${created ? 'generated a key in' : 'using the generated key in'} ${file} (key id ${keyId(key)}) to encrypt calendar secrets. ` +
        'Several instances must share one key: set SECRETS_KEY on each to the same value (e.g. the contents of that file).',
    );
  }

  seal(plain: string): string {
    return seal(this.key, plain);
  }

  open(sealed: string): string {
    return open(this.key, sealed);
  }
}

/** Provides `Secrets` everywhere (registered once in AppModule). */
@Global()
@Module({ providers: [Secrets], exports: [Secrets] })
export class SecretsModule {}
