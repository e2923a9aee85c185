import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Inbound messages of one tenant still in `received` past the waiting threshold. */
export interface WaitingMessagesSample {
  readonly tenantId: string;
  readonly count: number;
  readonly oldestSeconds: number;
}

/** One registry per application instance, so tests that boot several apps do not share counters. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'crossdock_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'crossdock_http_requests_total',
    help: 'HTTP requests by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly waitingMessages = new Gauge({
    name: 'crossdock_messages_waiting_received',
    help: 'Inbound messages in state received for longer than the waiting threshold, by tenant',
    labelNames: ['tenant'] as const,
    registers: [this.registry],
    collect: () => this.collectWaiting(),
  });
  /** Set by the collect of `waitingMessages` (registered, so scraped, first): one query for both. */
  readonly oldestWaitingMessage = new Gauge({
    name: 'crossdock_messages_waiting_received_oldest_seconds',
    help: 'Age of the oldest inbound message waiting in state received past the threshold, by tenant (0: none)',
    labelNames: ['tenant'] as const,
    registers: [this.registry],
    collect: () => this.collectingWaiting,
  });
  private waitingSource: (() => Promise<readonly WaitingMessagesSample[]>) | undefined;
  private collectingWaiting: Promise<void> | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'crossdock_' });
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpDuration.observe(labels, seconds);
    this.httpRequests.inc(labels);
  }

  /** Where the waiting-message gauges read their values at each scrape (the message store). */
  watchWaitingMessages(source: () => Promise<readonly WaitingMessagesSample[]>): void {
    this.waitingSource = source;
  }

  private collectWaiting(): Promise<void> | undefined {
    const source = this.waitingSource;
    if (!source) return undefined;
    this.collectingWaiting = (async () => {
      // A database that cannot answer leaves the series out of this scrape rather than failing it.
      const samples = await source().catch(() => undefined);
      this.waitingMessages.reset();
      this.oldestWaitingMessage.reset();
      for (const sample of samples ?? []) {
        this.waitingMessages.set({ tenant: sample.tenantId }, sample.count);
        this.oldestWaitingMessage.set({ tenant: sample.tenantId }, Math.round(sample.oldestSeconds));
      }
    })().finally(() => {
      this.collectingWaiting = undefined;
    });
    return this.collectingWaiting;
  }
}
