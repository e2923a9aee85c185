import { PgBoss, type Job, type SendOptions, type WorkOptions } from 'pg-boss';
import type { EntityManager } from 'typeorm';

export const QUEUES = {
  translate: 'crossdock.translate',
  deliver: 'crossdock.deliver',
  ackTimeout: 'crossdock.ack-timeout',
} as const;
/** The PostgreSQL schema pg-boss keeps its tables in. */
export const JOB_SCHEMA = 'pgboss';

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface TranslateJob {
  readonly messageId: string;
  readonly tenantId: string;
  /** An operator's replay of a duplicate: translate it although the interchange was seen before. */
  readonly ignoreDuplicate?: boolean;
}

export interface DeliverJob {
  readonly documentId: string;
  readonly tenantId: string;
  readonly maxAttempts: number;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  /** First retry delay in seconds; doubles with jitter up to `maxDelaySeconds`. */
  readonly initialDelaySeconds: number;
  readonly maxDelaySeconds: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  initialDelaySeconds: 5,
  maxDelaySeconds: 600,
};

/**
 * pg-boss on the application's own PostgreSQL. Jobs are sent inside the caller's transaction
 * (through `transactionDb`), so a message row is never committed without its job, nor a job
 * without its row.
 */
export class JobQueue {
  readonly boss: PgBoss;
  private started = false;

  constructor(
    databaseUrl: string,
    private readonly log: (message: string, error?: unknown) => void,
    /** pg-boss retries of a translate job after its first attempt; the recovery sweep takes over after them. */
    private readonly translateRetryLimit = 5,
  ) {
    this.boss = new PgBoss({
      connectionString: databaseUrl,
      schema: JOB_SCHEMA,
      application_name: 'crossdock-jobs',
      max: 6,
      useListenNotify: true,
      // A crashed node's jobs come back after two missed heartbeats: look for them every 10 s, not 60.
      monitorIntervalSeconds: 10,
      superviseIntervalSeconds: 10,
      openTelemetry: { enabled: false },
    });
    this.boss.on('error', (error: unknown) => this.log('job queue error', error));
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    for (const name of Object.values(QUEUES)) {
      // A dead worker's job is taken back after two missed heartbeats, not after the 15-minute expiry.
      await this.boss.createQueue(name, { heartbeatSeconds: 10, notify: true, expireInSeconds: 300 });
    }
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, timeout: 10_000, close: true });
  }

  /**
   * Sends a job as part of the transaction `manager` belongs to. Any queue name: feature modules
   * (webhooks) create their own queues; a queue that does not exist fails the whole transaction.
   */
  async sendInTransaction(
    manager: EntityManager,
    name: string,
    data: object,
    options: SendOptions = {},
  ): Promise<string> {
    const db = {
      executeSql: async (text: string, values?: unknown[]) => ({
        rows: (await manager.query(text, values)) as unknown[],
      }),
    };
    const id = await this.boss.send(name, data, { ...options, db } as SendOptions);
    if (!id) throw new Error(`job queue refused a ${name} job`);
    return id;
  }

  /**
   * Works jobs `batchSize` at a time, in parallel, each settled on its own (one failure does not
   * fail its batch neighbours). While fetches come back full the worker fetches again at once, so
   * a backlog drains at full speed instead of one batch per polling interval.
   */
  async work<T extends object>(
    name: QueueName,
    options: WorkOptions & { batchSize?: number },
    handler: (job: Job<T>) => Promise<void>,
  ): Promise<void> {
    const batchSize = options.batchSize ?? 4;
    await this.boss.work<T>(
      name,
      { ...options, batchSize, burstWhenBatchFull: batchSize > 1, perJobResults: true } as WorkOptions,
      async (jobs: Job<T>[]) => {
        const settled = await Promise.allSettled(jobs.map((job) => handler(job)));
        return settled.map((outcome, index) => ({
          id: jobs[index]!.id,
          status: outcome.status === 'fulfilled' ? ('completed' as const) : ('failed' as const),
          ...(outcome.status === 'rejected'
            ? { output: { error: String((outcome.reason as Error)?.message ?? outcome.reason) } }
            : {}),
        }));
      },
    );
  }

  async offWork(name: QueueName): Promise<void> {
    await this.boss.offWork(name, { wait: true });
  }

  /** Sends a message's translate job in the caller's transaction, grouped by tenant. */
  async sendTranslate(
    manager: EntityManager,
    job: TranslateJob,
    options: { retryLimit?: number } = {},
  ): Promise<string> {
    return this.sendInTransaction(manager, QUEUES.translate, job, {
      group: { id: job.tenantId },
      retryLimit: options.retryLimit ?? this.translateRetryLimit,
      retryBackoff: true,
    });
  }
}

/** pg-boss options for one delivery job under a tenant's retry policy, grouped by tenant. */
export function deliveryJobOptions(tenantId: string, policy: RetryPolicy, startAfter?: Date): SendOptions {
  return {
    group: { id: tenantId },
    // pg-boss counts retries after the first attempt.
    retryLimit: Math.max(0, policy.maxAttempts - 1),
    retryDelay: policy.initialDelaySeconds,
    retryBackoff: true,
    retryDelayMax: policy.maxDelaySeconds,
    ...(startAfter ? { startAfter } : {}),
  };
}
