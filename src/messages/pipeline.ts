import type { JobWithMetadata } from 'pg-boss';
import type { DataSource } from 'typeorm';
import type { AdvisoryLockPoolOptions } from '../database/advisory-lock-pool.js';
import type { RecoveryConfig } from '../config/app-config.js';
import type { TenantRegistry } from '../tenancy/tenant-registry.js';
import type { DocumentDeliverer } from './document-deliverer.js';
import { JobQueue, QUEUES, type DeliverJob, type TranslateJob } from './job-queue.js';
import { MessageStore } from './message-store.js';
import { DeliverDocument, RetryLater } from './usecases/deliver-document.js';
import { PublishOutbound, type AckTimeoutJob } from './usecases/publish-outbound.js';
import {
  DEFAULT_RECOVERY_POLICY,
  RecoverWaitingMessages,
  type RecoveryPolicy,
} from './usecases/recover-waiting-messages.js';
import { ReplayMessage } from './usecases/replay-message.js';
import { TranslateMessage } from './usecases/translate-message.js';

export interface PipelineOptions {
  /** Jobs this process works at once per queue. */
  readonly concurrency?: number;
  /** Jobs of one tenant in flight at once across all processes: one noisy tenant cannot starve the rest. */
  readonly perTenantConcurrency?: number;
  /** Whether this process works jobs at all (the CLI only enqueues). */
  readonly workers?: boolean;
  readonly log?: (message: string, error?: unknown) => void;
  /** pg-boss retries of a translate job (default 5, about 30 s); then the recovery sweep takes over. */
  readonly translateRetryLimit?: number;
  /** Messages left in `received` without a translate job are queued again: backoff and batch. */
  readonly recovery?: Partial<RecoveryPolicy> & {
    /** How often a working process sweeps (default 30 s). */
    readonly sweepIntervalMs?: number;
  };
  /** A message in `received` longer than this counts as waiting in the metrics (default 300 s). */
  readonly waitingThresholdSeconds?: number;
  /** The delivery lock pool's size and waits (src/database/advisory-lock-pool.ts defaults). */
  readonly locks?: AdvisoryLockPoolOptions;
}

/** The recovery settings of the configuration (RECOVERY_* variables), as the pipeline takes them. */
export function recoveryOptions(config: RecoveryConfig): NonNullable<PipelineOptions['recovery']> {
  return {
    sweepIntervalMs: config.sweepIntervalSeconds * 1000,
    initialDelaySeconds: config.initialDelaySeconds,
    maxDelaySeconds: config.maxDelaySeconds,
  };
}

/** The message pipeline of one process: the store, the job queue and the workers of each step. */
export class Pipeline {
  readonly jobs: JobQueue;
  readonly store: MessageStore;
  readonly translate: TranslateMessage;
  readonly deliver: DeliverDocument;
  readonly replay: ReplayMessage;
  readonly publish: PublishOutbound;
  readonly recover: RecoverWaitingMessages;
  readonly waitingThresholdSeconds: number;
  /** How often this process sweeps for messages left in `received`, when it works jobs. */
  readonly sweepIntervalMs: number;
  private working = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;

  constructor(
    readonly dataSource: DataSource,
    databaseUrl: string,
    tenants: TenantRegistry,
    deliverer: DocumentDeliverer,
    private readonly options: PipelineOptions = {},
  ) {
    const log = options.log ?? (() => undefined);
    this.jobs = new JobQueue(databaseUrl, log, options.translateRetryLimit);
    this.store = new MessageStore(dataSource, this.jobs);
    this.translate = new TranslateMessage(dataSource, this.store, this.jobs, tenants);
    this.deliver = new DeliverDocument(dataSource, this.store, deliverer, {
      jobs: this.jobs,
      ...(options.locks ? { lockPool: options.locks } : {}),
    });
    this.replay = new ReplayMessage(dataSource, this.store, this.jobs, tenants);
    this.publish = new PublishOutbound(dataSource, this.store, this.jobs, tenants);
    const { sweepIntervalMs: _interval, ...policy } = options.recovery ?? {};
    this.recover = new RecoverWaitingMessages(dataSource, this.store, this.jobs, tenants, {
      ...DEFAULT_RECOVERY_POLICY,
      ...policy,
    });
    this.waitingThresholdSeconds = options.waitingThresholdSeconds ?? 300;
    this.sweepIntervalMs = options.recovery?.sweepIntervalMs ?? 30_000;
  }

  async start(): Promise<void> {
    const log = this.options.log ?? (() => undefined);
    await this.jobs.start();
    if (this.options.workers === false) return;
    const concurrency = this.options.concurrency ?? 16;
    const perTenant = this.options.perTenantConcurrency ?? 16;
    // NOTIFY wakes workers for new jobs, but not for retries coming due: poll every second as well.
    const common = {
      localConcurrency: Math.max(1, Math.ceil(concurrency / 8)),
      batchSize: Math.min(8, concurrency),
      groupConcurrency: perTenant,
      pollingIntervalSeconds: 1,
      notifyPollingIntervalSeconds: 1,
    };
    await this.jobs.work<TranslateJob>(QUEUES.translate, common, (job) =>
      this.translate.run(job.data.tenantId, job.data.messageId, {
        ignoreDuplicate: job.data.ignoreDuplicate ?? false,
      }),
    );
    // With the jobs' retry delays, which the next job of a deferred delivery keeps.
    await this.jobs.work<DeliverJob>(QUEUES.deliver, { ...common, includeMetadata: true }, async (job) => {
      const { retryDelay, retryDelayMax } = job as JobWithMetadata<DeliverJob>;
      try {
        await this.deliver.run(job.data, job.retryCount + 1, { retryDelay, retryDelayMax });
      } catch (error) {
        if (error instanceof RetryLater) throw error;
        // Unexpected (database down, a bug): pg-boss retries it; the document keeps its last state.
        this.options.log?.(`delivery of document ${job.data.documentId} failed unexpectedly`, error);
        throw error;
      }
    });
    await this.jobs.work<AckTimeoutJob>(
      QUEUES.ackTimeout,
      { localConcurrency: 1, pollingIntervalSeconds: 5 },
      (job) => this.publish.checkAck(job.data),
    );
    // Like the other periodic work (AS2 timers, Odoo polling): a timer per process, safe to run on all.
    this.sweepTimer = setInterval(() => {
      this.sweeping ??= this.recover.run(log).finally(() => {
        this.sweeping = undefined;
      });
    }, this.sweepIntervalMs);
    this.sweepTimer.unref();
    this.working = true;
  }

  /** Whether this process works jobs (not the CLI, nor the OpenAPI generator). */
  get isWorking(): boolean {
    return this.working;
  }

  async stop(): Promise<void> {
    if (this.working) {
      this.working = false;
      clearInterval(this.sweepTimer);
      await this.sweeping;
      await this.jobs.offWork(QUEUES.translate).catch(() => undefined);
      await this.jobs.offWork(QUEUES.deliver).catch(() => undefined);
      await this.jobs.offWork(QUEUES.ackTimeout).catch(() => undefined);
    }
    // Once no delivery is being worked: a section still stalled in Odoo keeps its lock until it ends or the process exits.
    await this.deliver.close();
    await this.jobs.stop();
  }
}
