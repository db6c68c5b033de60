import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source.js';
import { Notifications, NotificationSubscriber } from '../src/database/notifications.js';
import { createTestDatabase, TestDatabase } from './support/database.js';

/** A subscriber that records what it was told. */
function recorder(): NotificationSubscriber & { payloads: string[]; resets: number } {
  const r = {
    payloads: [] as string[],
    resets: 0,
    onNotify: (payload: string) => void r.payloads.push(payload),
    onReset: () => void (r.resets += 1),
  };
  return r;
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Notifications (LISTEN/NOTIFY on a dedicated connection)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let a: Notifications;
  let b: Notifications;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
    a = new Notifications(ds);
    b = new Notifications(ds);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await ds.destroy();
    await db.drop();
  });

  it('delivers a NOTIFY published on one instance to the subscribers of another, on commit only', async () => {
    const onB = recorder();
    await b.subscribe('test_channel', onB);
    expect(b.listening('test_channel')).toBe(true);
    expect(b.listening('other_channel')).toBe(false);

    await a.publish('test_channel', 'hello');
    await until(() => onB.payloads.length === 1);
    expect(onB.payloads).toEqual(['hello']);

    // Inside a transaction the notification waits for the commit, and a rollback sends none.
    await ds.transaction(async (m) => {
      await a.publish('test_channel', 'rolled back', m);
      throw new Error('roll back');
    }).catch(() => undefined);
    await ds.transaction(async (m) => {
      await a.publish('test_channel', 'committed', m);
      await new Promise((r) => setTimeout(r, 100));
      expect(onB.payloads).toEqual(['hello']);
    });
    await until(() => onB.payloads.length === 2);
    expect(onB.payloads).toEqual(['hello', 'committed']);
  });

  it('reconnects after its connection is killed, listens again, and resets every subscriber', async () => {
    const onB = recorder();
    await b.subscribe('reset_channel', onB);
    const pids = async (): Promise<number[]> =>
      (
        await ds.query<{ pid: number }[]>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ridealong:listen'`,
        )
      ).map((r) => r.pid);
    const before = await pids();
    expect(before).toHaveLength(1); // b's (a publishes through the pool and opens no LISTEN connection)
    await ds.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid', [before]);

    await until(() => onB.resets === 1);
    expect(b.listening('reset_channel')).toBe(true);
    expect(b.listening('test_channel')).toBe(true); // every channel subscribed before, too
    const after = await pids();
    expect(after).toHaveLength(1);
    expect(after.some((pid) => before.includes(pid))).toBe(false);

    await a.publish('reset_channel', 'after the reconnection');
    await until(() => onB.payloads.length === 1);
    expect(onB.payloads).toEqual(['after the reconnection']);
  });

  it('never throws when the database is out of reach: it just does not listen', async () => {
    const nowhere = new DataSource(dataSourceOptions('postgres://postgres@127.0.0.1:1/none', 1));
    const n = new Notifications(nowhere);
    await expect(n.subscribe('c', recorder())).resolves.toEqual(expect.any(Function));
    expect(n.listening('c')).toBe(false);
    await n.close();
  });
});
