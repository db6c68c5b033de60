import { startTestApp, TestApp } from './app.js';
import { createTestDatabase } from './database.js';
import { startTcpProxy, TcpProxy } from './tcp-proxy.js';

export interface ProxiedApp {
  t: TestApp;
  /** Between the app and its database: cut, silence or refuse it to play an outage. */
  proxy: TcpProxy;
  close(): Promise<void>;
}

/** The real application on a database of its own, reached through a TCP proxy the test controls. */
export async function startProxiedApp(): Promise<ProxiedApp> {
  const database = await createTestDatabase();
  const real = new URL(database.url);
  const proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
  const proxied = new URL(database.url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  const t = await startTestApp({}, { ...database, url: proxied.toString() });
  return {
    t,
    proxy,
    close: async () => {
      await proxy.setMode('pass');
      await t.close();
      await proxy.close();
      await database.drop();
    },
  };
}
