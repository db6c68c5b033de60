import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** One worker's metrics as `registry.getMetricsAsJSON()` gives them. */
type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * With WEB_CONCURRENCY > 1 the port is shared by the workers, so a scrape reaches one of them at random.
 * That worker asks the primary, the primary asks every worker that has announced its registry for its
 * metrics (JSON), and answers with the aggregate (prom-client's AggregatorRegistry: counters and histograms
 * summed, the database's gauges taken once): every scrape sees the whole instance.
 */
const READY = 'ridealong:metrics:ready';
const SCRAPE = 'ridealong:metrics:scrape';
const SCRAPED = 'ridealong:metrics:scraped';
const COLLECT = 'ridealong:metrics:collect';
const COLLECTED = 'ridealong:metrics:collected';

/** How long the primary waits for the workers' metrics; a worker that has not answered by then is left out. */
const COLLECT_TIMEOUT_MS = 4_000;
/** How long a worker waits for the primary's aggregate before it answers with its own metrics. */
const SCRAPE_TIMEOUT_MS = 6_000;

interface Message {
  type?: string;
  id?: string;
  text?: string;
  metrics?: MetricsJson;
  error?: string;
}

/** Primary: answers the workers' scrapes with the aggregate of every ready worker. */
export function relayClusterMetrics(): void {
  const ready = new Set<Worker>();
  const waiting = new Map<string, { got: MetricsJson[]; left: Set<Worker>; done: () => void }>();
  cluster.on('exit', (worker) => {
    ready.delete(worker);
    for (const w of waiting.values()) if (w.left.delete(worker) && w.left.size === 0) w.done();
  });
  cluster.on('message', (worker: Worker, msg: Message) => {
    if (msg?.type === READY) ready.add(worker);
    else if (msg?.type === COLLECTED && msg.id) {
      const w = waiting.get(msg.id);
      if (!w || !w.left.delete(worker)) return;
      if (msg.metrics) w.got.push(msg.metrics);
      if (w.left.size === 0) w.done();
    } else if (msg?.type === SCRAPE && msg.id) {
      const id = randomUUID();
      const targets = [...ready].filter((x) => x.isConnected());
      void new Promise<MetricsJson[]>((resolve) => {
        const entry = { got: [] as MetricsJson[], left: new Set(targets), done: () => undefined as void };
        const timer = setTimeout(() => entry.done(), COLLECT_TIMEOUT_MS);
        entry.done = () => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(entry.got);
        };
        waiting.set(id, entry);
        if (targets.length === 0) return entry.done();
        for (const t of targets) t.send({ type: COLLECT, id });
      })
        .then((all) => AggregatorRegistry.aggregate(all).metrics())
        .then(
          (text) => worker.isConnected() && worker.send({ type: SCRAPED, id: msg.id, text }),
          (e: unknown) => worker.isConnected() && worker.send({ type: SCRAPED, id: msg.id, error: e instanceof Error ? e.message : String(e) }),
        );
    }
  });
}

/**
 * Worker: answers the primary's collect requests from `registry`, and announces itself. Returns the
 * function that stops answering (for the app's shutdown). Does nothing outside a cluster worker.
 */
export function answerClusterCollects(registry: Registry): () => void {
  if (!cluster.isWorker || !process.send) return () => undefined;
  const onMessage = (msg: Message) => {
    if (msg?.type !== COLLECT || !msg.id) return;
    registry.getMetricsAsJSON().then(
      (metrics) => process.send?.({ type: COLLECTED, id: msg.id, metrics }),
      (e: unknown) => process.send?.({ type: COLLECTED, id: msg.id, error: e instanceof Error ? e.message : String(e) }),
    );
  };
  process.on('message', onMessage);
  process.send({ type: READY });
  return () => process.off('message', onMessage);
}

/** Worker: the whole instance's metrics from the primary; null outside a cluster worker or when it does not answer. */
export function scrapeCluster(): Promise<string | null> {
  if (!cluster.isWorker || !process.send) return Promise.resolve(null);
  const id = randomUUID();
  return new Promise((resolve) => {
    const finish = (text: string | null) => {
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve(text);
    };
    const onMessage = (msg: Message) => {
      if (msg?.type === SCRAPED && msg.id === id) finish(msg.error ? null : (msg.text ?? null));
    };
    const timer = setTimeout(() => finish(null), SCRAPE_TIMEOUT_MS);
    process.on('message', onMessage);
    process.send!({ type: SCRAPE, id });
  });
}
