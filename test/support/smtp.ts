import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A real SMTP listener on 127.0.0.1 that keeps every message it accepts, parsed by mailparser. */
export class SmtpSink {
  readonly messages: { raw: string; parsed: ParsedMail }[] = [];
  private server?: SMTPServer;
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.messages.push({ raw, parsed: await simpleParser(raw) });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Waits until `predicate` holds over the received messages (bounded). */
  async waitFor(predicate: (m: { raw: string; parsed: ParsedMail }[]) => boolean, timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      if (Date.now() > until) throw new Error(`SMTP sink: condition not met in ${timeoutMs} ms; got ${this.messages.length} messages: ${this.messages.map((m) => m.parsed.subject).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  to(email: string) {
    return this.messages.filter((m) => (Array.isArray(m.parsed.to) ? m.parsed.to : [m.parsed.to]).some((a) => a?.value.some((v) => v.address === email)));
  }
}
