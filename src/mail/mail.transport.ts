import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type SendMailOptions, type StreamSentMessageInfo, type Transporter } from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

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
  private readonly transporter: Transporter;
  /**
   * Builds each message into one buffer first (nodemailer's stream transport: the same composition as its SMTP
   * transport's), which then goes to the SMTP server as raw data. Composed while sending, a message reaches
   * the socket as dozens of small writes, one per MIME piece, and those writes cost more CPU than composing it.
   */
  private readonly builder: Transporter<StreamSentMessageInfo> | undefined;
  /** Folder of the .eml files; undefined when sending over SMTP. */
  readonly emlDir?: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (config.smtpUrl) {
      // Pooled: a few connections kept open and reused (up to SMTP_POOL.maxMessages each), instead of a new
      // TCP connection, greeting and EHLO for every message; a dropped one is replaced on the next message.
      this.transporter = nodemailer.createTransport({
        url: config.smtpUrl,
        ...SMTP_TIMEOUTS,
        ...SMTP_POOL,
      });
      this.builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
    } else {
      this.emlDir = path.resolve(config.varDir, 'mail');
      this.transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    }
  }

  /** Sends one message; rejects when the server does not accept it. `fileName` names the .eml in file mode. */
  async send(message: SendMailOptions, fileName: string): Promise<void> {
    if (this.builder) {
      const built = await this.builder.sendMail(message);
      await this.transporter.sendMail({ envelope: built.envelope, raw: built.message });
      return;
    }
    const info = await this.transporter.sendMail(message);
    if (!this.emlDir) return;
    await mkdir(this.emlDir, { recursive: true });
    const file = path.join(this.emlDir, fileName);
    const partial = path.join(this.emlDir, `.${fileName}.${process.pid}.partial`); // hidden, not *.eml
    await writeFile(partial, (info as { message: Buffer }).message);
    await rename(partial, file); // readers never see half a file
  }

  onApplicationShutdown(): void {
    this.transporter.close();
  }
}
