import net from 'node:net';

export type ProxyMode = 'pass' | 'silent' | 'refuse';

export interface TcpProxy {
  port: number;
  /** pass: forward to the target; silent: accept connections and never answer; refuse: not listening (ECONNREFUSED). */
  setMode(mode: ProxyMode): Promise<void>;
  /** Cuts every open connection (both sides), as a database that died would. */
  cutAll(): void;
  close(): Promise<void>;
}

/** A TCP proxy to a database server that a test can cut, silence or refuse, to play a database outage. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass';
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (mode === 'silent') return;
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    setMode: async (next) => {
      if (next === mode) return;
      if (next === 'refuse') {
        const closed = new Promise<void>((r) => server.close(() => r()));
        for (const s of sockets) s.destroy();
        await closed;
      }
      if (mode === 'refuse') await listen(port);
      mode = next;
    },
    cutAll: () => {
      for (const s of sockets) s.destroy();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      if (mode !== 'refuse') await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
