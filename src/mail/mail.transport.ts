import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type MailMessage from 'nodemailer/lib/mailer/mail-message';
import SMTPPool, { type SMTPPoolSentMessageInfo } from 'nodemailer/lib/smtp-pool';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { composeRaw, type RawMessage } from './mime.js';

/**
 * A stalled SMTP server fails the attempt (then retried with backoff) well within the send job's expiry
 * (SEND_EXPIRE_SECONDS, 30 s): connecting, waiting for the greeting, and any silence after a command.
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 15_000 } as const;

/** SMTP connections kept open per process (the send batch shares them) and how long an unused one stays. */
export const SMTP_POOL = { pool: true, maxConnections: 4, maxMessages: 500, idleTimeout: 30_000 } as const;

/**
 * Where mail goes: the SMTP server of `SMTP_URL`, or, when it is unset, one `.eml` file per message under
 * `<VAR_DIR>/mail/` (the file name is fixed per outbox row, so sending a row again overwrites its file).
 */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  /** The .eml writer, when SMTP_URL is unset. */
  private readonly transporter: Transporter | undefined;
  /**
   * nodemailer's SMTP pool, given each message already composed into one buffer (`composeRaw`): one write to
   * the socket instead of one per MIME piece. It is handed the message directly rather than through
   * nodemailer's `sendMail`, which would parse and compose the raw message once more (a MIME tree, a stream
   * pipeline and an abort signal per message): measured, that was half of the sending's CPU.
   */
  private readonly pool: SMTPPool | undefined;
  /** Folder of the .eml files; undefined when sending over SMTP. */
  readonly emlDir?: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (config.smtpUrl) {
      // Pooled: a few connections kept open and reused (up to SMTP_POOL.maxMessages each), instead of a new
      // TCP connection, greeting and EHLO for every message; a dropped one is replaced on the next message.
      this.pool = new SMTPPool({ url: config.smtpUrl, ...SMTP_TIMEOUTS, ...SMTP_POOL });
    } else {
      this.emlDir = path.resolve(config.varDir, 'mail');
      this.transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    }
  }

  /** Sends one message; rejects when the server does not accept it. `fileName` names the .eml in file mode. */
  async send(message: SendMailOptions, fileName: string): Promise<void> {
    if (this.pool) {
      const pool = this.pool;
      const built = await composeRaw(message);
      await new Promise<void>((resolve, reject) => pool.send(poolMessage(built), (err) => (err ? reject(err) : resolve())));
      return;
    }
    const info = await this.transporter!.sendMail(message);
    if (!this.emlDir) return;
    await mkdir(this.emlDir, { recursive: true });
    const file = path.join(this.emlDir, fileName);
    const partial = path.join(this.emlDir, `.${fileName}.${process.pid}.partial`); // hidden, not *.eml
    await writeFile(partial, (info as { message: Buffer }).message);
    await rename(partial, file); // readers never see half a file
  }

  onApplicationShutdown(): void {
    this.pool?.close();
    this.transporter?.close();
  }
}

/**
 * What nodemailer's SMTP pool reads of a message (`SMTPPool.send`): its envelope, its Message-ID and a fresh
 * stream of its bytes for each attempt (the pool sends a message again over another connection when one
 * closes before the message's first byte was read).
 */
function poolMessage(built: RawMessage): MailMessage<SMTPPoolSentMessageInfo> {
  const message = {
    getEnvelope: () => ({ from: built.envelope.from, to: [...built.envelope.to] }),
    messageId: () => built.messageId,
    getHeader: (key: string) => (key.toLowerCase() === 'message-id' ? built.messageId : undefined),
    createReadStream: () => {
      const stream = new Readable({ read() {} });
      stream.push(built.raw);
      stream.push(null);
      return stream;
    },
  };
  return { data: {}, message } as unknown as MailMessage<SMTPPoolSentMessageInfo>;
}
