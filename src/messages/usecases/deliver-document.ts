import type { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import {
  AdvisoryLockPool,
  LockUnavailableError,
  type AdvisoryLockPoolOptions,
} from '../../database/advisory-lock-pool.js';
import { failureKindOf, type DocumentDeliverer } from '../document-deliverer.js';
import { QUEUES, deliveryJobOptions, type DeliverJob, type JobQueue } from '../job-queue.js';
import { FINAL_DOCUMENT_STATES, InboundState, aggregateState, type DocumentState } from '../message-state.js';
import type { MessageStore, Transition } from '../message-store.js';

interface StoredDocument {
  id: string;
  message_id: string;
  tenant_id: string;
  partner_id: string | null;
  document_type: string;
  state: DocumentState;
  target: 'production' | 'sandbox' | null;
  canonical: Record<string, unknown>;
  attempts: number;
}

/** Thrown to make pg-boss retry the job with backoff; the failure is already recorded. */
export class RetryLater extends Error {
  constructor(reason: unknown) {
    super(`delivery will be retried: ${reason instanceof Error ? reason.message : String(reason)}`, {
      cause: reason,
    });
    this.name = 'RetryLater';
  }
}

/** A delivery job, or the job a deferred delivery continues in (which carries its attempts so far). */
export interface DeliveryJob extends DeliverJob {
  /** Attempts counted by the earlier jobs of this delivery (a deferral's next job); none for a first job. */
  readonly attemptsBefore?: number;
}

/** The job's own retry delays (pg-boss metadata), kept by the job a deferred delivery continues in. */
export interface DeliveryRetryDelays {
  readonly retryDelay: number;
  readonly retryDelayMax?: number | null;
}

export interface DeliverDocumentOptions {
  /** Where a deferred delivery's next job is sent. */
  readonly jobs: JobQueue;
  /** The lock pool to use; by default one of its own on the data source's server, with `lockPool`'s settings. */
  readonly locks?: AdvisoryLockPool;
  readonly lockPool?: AdvisoryLockPoolOptions;
}

/**
 * The deliverer's exclusive sections (a read-add-write on one Odoo record), serialised across
 * processes by PostgreSQL advisory locks. They are held on the lock pool's own connections, never
 * the main pool's: a section lasts as long as its Odoo calls, and sections stalled on a slow Odoo
 * must not take the connections the API and the pipeline's transactions need. Released however a
 * section ends (an Odoo error, a crash closes the connection); keys are taken in one order, so two
 * sections cannot wait on each other. No lock connection free in time, or a lock held elsewhere
 * past the lock timeout, fails the section, and the delivery is deferred: tried again later
 * without counting an attempt (a busy lock says nothing about the document or Odoo's health).
 */
export function advisoryLocks(
  locks: AdvisoryLockPool,
  scope: string,
): <T>(keys: readonly string[], work: () => Promise<T>) => Promise<T> {
  return (keys, work) =>
    locks.withLocks(
      keys.map((key) => `${scope}:${key}`),
      work,
    );
}

/**
 * Inbound step 3: one canonical document to Odoo. At-least-once (a crash after Odoo answered
 * re-runs the job) made exactly-once in effect by the connector's external ids in Odoo.
 */
export class DeliverDocument {
  /** The pickings' locks; opens no connection until a delivery needs one. */
  readonly locks: AdvisoryLockPool;

  private readonly jobs: JobQueue;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: MessageStore,
    private readonly deliverer: DocumentDeliverer,
    options: DeliverDocumentOptions,
  ) {
    this.jobs = options.jobs;
    this.locks = options.locks ?? AdvisoryLockPool.forDataSource(dataSource, options.lockPool);
  }

  /**
   * After the workers stopped: closes the lock connections. A section still stalled in Odoo after
   * `graceMs` keeps its connection and locks until it ends or the process exits.
   */
  close(graceMs?: number): Promise<void> {
    return this.locks.close(graceMs);
  }

  /**
   * `tryOfJob` is 1 for the job's first try (pg-boss `retryCount + 1`); with the attempts of the
   * jobs before it (a deferred delivery), `job.maxAttempts` ends the retries with a dead letter.
   * `delays` are the job's own retry delays, which a deferred delivery's next job keeps.
   */
  async run(job: DeliveryJob, tryOfJob: number, delays?: DeliveryRetryDelays): Promise<void> {
    const attempt = (job.attemptsBefore ?? 0) + tryOfJob;
    const document = await this.begin(job, attempt);
    if (!document || !document.target) return;
    try {
      const outcome = await this.deliverer.deliver({
        tenantId: document.tenant_id,
        partnerId: document.partner_id,
        documentId: document.id,
        documentType: document.document_type,
        target: document.target,
        document: document.canonical,
        exclusive: advisoryLocks(this.locks, `deliver:${document.tenant_id}:${document.target}`),
      });
      await this.finish(
        document,
        InboundState.Delivered,
        attempt,
        `${
          outcome.action === 'skipped'
            ? `${outcome.model} ${outcome.id} already in Odoo, nothing to change`
            : `${outcome.action} ${outcome.model} ${outcome.id} in Odoo`
        }${
          outcome.flags && outcome.flags.length > 0 ? `; flagged for review: ${outcome.flags.join(', ')}` : ''
        }`,
        {
          odoo: outcome,
        },
      );
    } catch (error) {
      const kind = failureKindOf(error);
      const message = error instanceof Error ? error.message : String(error);
      if (lockWasUnavailable(error)) {
        await this.defer(job, document, attempt, message, delays);
      } else if (kind === 'business') {
        await this.finish(
          document,
          InboundState.DeadLettered,
          attempt,
          `Odoo refused the document: ${message}`,
          { kind },
        );
      } else if (kind === 'authentication') {
        await this.finish(
          document,
          InboundState.DeadLettered,
          attempt,
          // A bad key (AccessDenied) or a bot user without rights on a model (AccessError): fixed in Odoo or the tenant file.
          `Odoo refused access: ${message}`,
          { kind },
        );
      } else if (attempt >= job.maxAttempts) {
        await this.finish(
          document,
          InboundState.DeadLettered,
          attempt,
          `retries exhausted after ${attempt} attempts: ${message}`,
          {
            kind,
          },
        );
      } else {
        await this.finish(document, InboundState.Failed, attempt, `attempt ${attempt} failed: ${message}`, {
          kind,
        });
        throw new RetryLater(error);
      }
    }
  }

  /**
   * The delivery could not take its locks in time (every lock connection busy with sections stalled
   * on a slow Odoo, a lock held elsewhere past the lock timeout, the pool closed at shutdown): the
   * document goes back to where it was, the attempt is given back, and a new job carrying the
   * attempts so far continues the delivery after the first-retry delay. This job then completes.
   */
  private async defer(
    job: DeliveryJob,
    document: StoredDocument,
    attempt: number,
    message: string,
    delays: DeliveryRetryDelays | undefined,
  ): Promise<void> {
    const spent = attempt - 1;
    const delaySeconds = Math.max(1, delays?.retryDelay ?? 5);
    const next: DeliveryJob = {
      documentId: job.documentId,
      tenantId: job.tenantId,
      maxAttempts: job.maxAttempts,
      attemptsBefore: spent,
    };
    await this.finish(
      document,
      document.state,
      spent,
      `deferred, not counted as an attempt (${spent} of ${job.maxAttempts} made): ${message}; tried again in ${delaySeconds} s`,
      { kind: 'deferred' },
      async (manager) => {
        await manager.query(`UPDATE documents SET attempts = $2 WHERE id = $1`, [document.id, spent]);
        await this.jobs.sendInTransaction(
          manager,
          QUEUES.deliver,
          next,
          deliveryJobOptions(
            job.tenantId,
            {
              maxAttempts: Math.max(1, job.maxAttempts - spent),
              initialDelaySeconds: delays?.retryDelay ?? 5,
              maxDelaySeconds: delays?.retryDelayMax ?? 600,
            },
            new Date(Date.now() + delaySeconds * 1000),
          ),
        );
      },
    );
  }

  private async begin(job: DeliverJob, attempt: number): Promise<StoredDocument | undefined> {
    const transitions: Transition[] = [];
    const document = await this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT id, message_id, tenant_id, partner_id, document_type, state, target, canonical, attempts
           FROM documents WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
        [job.tenantId, job.documentId],
      )) as StoredDocument[];
      if (!row || FINAL_DOCUMENT_STATES.includes(row.state)) return undefined;
      await manager.query(
        `UPDATE documents SET state = $2, attempts = $3, updated_at = now() WHERE id = $1`,
        [row.id, InboundState.Delivering, attempt],
      );
      transitions.push(
        await this.store.record(manager, {
          tenantId: row.tenant_id,
          messageId: row.message_id,
          documentId: row.id,
          from: row.state,
          to: InboundState.Delivering,
          cause: `delivery attempt ${attempt} to the ${row.target} Odoo`,
          attempt,
        }),
      );
      return row;
    });
    this.store.notify(transitions);
    return document;
  }

  private async finish(
    document: StoredDocument,
    to: DocumentState,
    attempt: number,
    cause: string,
    detail: { odoo?: { model: string; id: number; externalId: string }; kind?: string },
    alsoInTransaction?: (manager: EntityManager) => Promise<void>,
  ): Promise<void> {
    const transitions: Transition[] = [];
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE documents SET state = $2, last_error = $3, odoo_model = coalesce($4, odoo_model), odoo_id = coalesce($5, odoo_id),
           odoo_external_id = coalesce($6, odoo_external_id), delivered_at = CASE WHEN $2 = 'delivered' THEN now() END,
           updated_at = now()
         WHERE id = $1`,
        [
          document.id,
          to,
          to === InboundState.Delivered ? null : cause,
          detail.odoo?.model ?? null,
          detail.odoo?.id ?? null,
          detail.odoo?.externalId ?? null,
        ],
      );
      transitions.push(
        await this.store.record(manager, {
          tenantId: document.tenant_id,
          messageId: document.message_id,
          documentId: document.id,
          from: InboundState.Delivering,
          to,
          cause,
          attempt,
          detail,
        }),
      );
      // Lock the message row so concurrent deliveries of its documents aggregate one after the other.
      const [message] = (await manager.query(`SELECT state FROM messages WHERE id = $1 FOR UPDATE`, [
        document.message_id,
      ])) as {
        state: string;
      }[];
      const states = (await manager.query(`SELECT state FROM documents WHERE message_id = $1`, [
        document.message_id,
      ])) as {
        state: DocumentState;
      }[];
      const aggregate = aggregateState(states.map((s) => s.state));
      if (message && message.state !== aggregate) {
        await manager.query(
          `UPDATE messages SET state = $2, attempts = greatest(attempts, $3), last_error = $4, updated_at = now() WHERE id = $1`,
          [document.message_id, aggregate, attempt, aggregate === InboundState.Delivered ? null : cause],
        );
        transitions.push(
          await this.store.record(manager, {
            tenantId: document.tenant_id,
            messageId: document.message_id,
            from: message.state as DocumentState,
            to: aggregate,
            cause: aggregate === InboundState.Delivered ? 'every document delivered' : cause,
            attempt,
          }),
        );
      }
      await alsoInTransaction?.(manager);
    });
    this.store.notify(transitions);
  }
}

/** Whether the delivery failed only because its locks could not be had (the connector wraps the error). */
function lockWasUnavailable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 8; depth += 1) {
    if (cause instanceof LockUnavailableError) return true;
    cause = cause.cause;
  }
  return false;
}
