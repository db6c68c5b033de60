import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  at: Date;
}

/**
 * A real HTTP receiver on 127.0.0.1 that keeps every request it gets, raw body and headers, and answers with
 * the status `respond` returns for the n-th request (200 by default): a test makes it fail, then recover, or redirect.
 */
export class WebhookReceiver {
  readonly received: ReceivedHook[] = [];
  /** The status (or status and headers, e.g. a redirect's location) for the n-th request. */
  respond: (n: number, hook: ReceivedHook) => number | { status: number; headers: Record<string, string> } = () => 200;
  private server?: http.Server;
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const hook = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: new Date() };
        this.received.push(hook);
        const answer = this.respond(this.received.length, hook);
        res.statusCode = typeof answer === 'number' ? answer : answer.status;
        if (typeof answer !== 'number') for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(path = '/hooks/ridealong?token=s3cret-path-token'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Requests whose JSON body has this event type. */
  ofType(type: string): ReceivedHook[] {
    return this.received.filter((h) => (JSON.parse(h.body) as { type: string }).type === type);
  }

  async waitFor(predicate: (hooks: ReceivedHook[]) => boolean, timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (Date.now() > until) throw new Error(`webhook receiver: condition not met in ${timeoutMs} ms; got ${this.received.length}: ${this.received.map((h) => JSON.parse(h.body).type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
