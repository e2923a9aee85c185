import type { DataSource, EntityManager } from 'typeorm';
import type { WaitingMessagesSample } from '../../ops/metrics.js';
import type { TenantRegistry } from '../../tenancy/tenant-registry.js';
import { JOB_SCHEMA, QUEUES, type JobQueue } from '../job-queue.js';
import { InboundState } from '../message-state.js';
import type { MessageStore, Transition } from '../message-store.js';

export interface RecoveryPolicy {
  /** Wait after a message's last attempt before its first automatic retranslation, in seconds. */
  readonly initialDelaySeconds: number;
  /** The wait doubles with every automatic retranslation of the same stay in `received`, up to this. */
  readonly maxDelaySeconds: number;
  /** Messages of one tenant queued again per sweep, oldest first. */
  readonly batchSize: number;
}

export const DEFAULT_RECOVERY_POLICY: RecoveryPolicy = {
  initialDelaySeconds: 60,
  maxDelaySeconds: 3600,
  batchSize: 100,
};

export interface RecoveredMessage {
  readonly tenantId: string;
  readonly messageId: string;
  /** 1 for the first automatic retranslation since the message (re)entered `received`. */
  readonly recovery: number;
}

interface DueRow {
  id: string;
  last_error: string | null;
  recoveries: number;
  idle_seconds: number;
}

/**
 * Inbound messages left in `received` with no translate job pending or running (its retries used
 * up on a broken partner file, a crash, a job gone) are queued for translation again, each with a
 * history entry saying why. The wait after the last attempt doubles each time, so a file that
 * stays broken is tried at most once per `maxDelaySeconds`. Any number of processes may sweep:
 * a message is re-checked under its row lock, which every enqueuer of a translate job holds.
 */
export class RecoverWaitingMessages {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: MessageStore,
    private readonly jobs: JobQueue,
    private readonly tenants: TenantRegistry,
    private readonly policy: RecoveryPolicy = DEFAULT_RECOVERY_POLICY,
  ) {}

  /** One sweep over every tenant; a tenant's failure does not stop the others. */
  async run(log: (message: string, error?: unknown) => void = () => undefined): Promise<RecoveredMessage[]> {
    const recovered: RecoveredMessage[] = [];
    for (const tenant of this.tenants.all()) {
      try {
        recovered.push(...(await this.runTenant(tenant.id)));
      } catch (error) {
        log(`recovering waiting messages of tenant ${tenant.id} failed`, error);
      }
    }
    return recovered;
  }

  async runTenant(tenantId: string): Promise<RecoveredMessage[]> {
    const candidates = await this.due(this.dataSource.manager, tenantId);
    if (candidates.length === 0) return [];
    const transitions: Transition[] = [];
    const recovered = await this.dataSource.transaction(async (manager) => {
      const locked = (await manager.query(
        `SELECT id FROM messages WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND state = $3
          ORDER BY id FOR UPDATE SKIP LOCKED`,
        [tenantId, candidates.map((c) => c.id), InboundState.Received],
      )) as { id: string }[];
      if (locked.length === 0) return [];
      // Checked again now that the rows are ours: another sweeper may have queued them meanwhile.
      const due = await this.due(
        manager,
        tenantId,
        locked.map((l) => l.id),
      );
      const done: RecoveredMessage[] = [];
      for (const row of due) {
        const recovery = row.recoveries + 1;
        const nextWait = this.delaySeconds(recovery);
        transitions.push(
          await this.store.record(manager, {
            tenantId,
            messageId: row.id,
            from: InboundState.Received,
            to: InboundState.Received,
            cause:
              `translation queued again automatically (recovery ${recovery}): no translate job pending for ${Math.round(row.idle_seconds)} s` +
              (row.last_error ? `; its last attempt: ${row.last_error}` : '') +
              `; if it waits again, next try in ${nextWait} s`,
            detail: { recovery, idleSeconds: Math.round(row.idle_seconds), nextWaitSeconds: nextWait },
          }),
        );
        // The sweep is the retry from here on: a job of its own retrying quickly would only spin.
        await this.jobs.sendTranslate(manager, { messageId: row.id, tenantId }, { retryLimit: 0 });
        done.push({ tenantId, messageId: row.id, recovery });
      }
      return done;
    });
    this.store.notify(transitions);
    return recovered;
  }

  /**
   * What the waiting-message gauges show: the messages waiting in `received` of the tenants this
   * sweep covers (those of the registry). A tenant removed from the files is swept no more, so its
   * leftover messages would hold an alert above 0 that nothing can clear; they stay in the database
   * and in `crossdock messages list`.
   */
  waiting(olderThanSeconds: number): Promise<WaitingMessagesSample[]> {
    return this.store.waitingInReceived(
      olderThanSeconds,
      this.tenants.all().map((t) => t.id),
    );
  }

  /** The wait before automatic retranslation number `recovery` + 1 (0: the first). */
  delaySeconds(recovery: number): number {
    return Math.min(this.policy.initialDelaySeconds * 2 ** recovery, this.policy.maxDelaySeconds);
  }

  /**
   * The tenant's `received` messages whose translate job is neither waiting nor running and whose
   * last event is older than their backoff; `ids` narrows to those.
   */
  private async due(manager: EntityManager, tenantId: string, ids?: readonly string[]): Promise<DueRow[]> {
    return (await manager.query(
      `SELECT m.id, r.recoveries, extract(epoch FROM now() - a.last_at)::float8 AS idle_seconds,
              coalesce((SELECT j.output->>'error' FROM ${JOB_SCHEMA}.job j
                         WHERE j.name = $6 AND j.state = 'failed' AND j.data->>'messageId' = m.id::text
                         ORDER BY j.completed_on DESC NULLS LAST LIMIT 1), m.last_error) AS last_error
         FROM messages m
         CROSS JOIN LATERAL (SELECT coalesce(max(e.at), m.received_at) AS last_at
                               FROM message_events e WHERE e.message_id = m.id) a
         CROSS JOIN LATERAL (
           SELECT count(*)::int AS recoveries FROM message_events e
            WHERE e.message_id = m.id AND e.detail ? 'recovery'
              -- counted since the message last entered received (receipt or replay)
              AND e.id > coalesce((SELECT max(x.id) FROM message_events x
                                    WHERE x.message_id = m.id AND x.document_id IS NULL AND x.to_state = $2
                                      AND x.from_state IS DISTINCT FROM $2), 0)) r
        WHERE m.tenant_id = $1 AND m.direction = 'inbound' AND m.state = $2
          AND ($3::uuid[] IS NULL OR m.id = ANY($3::uuid[]))
          AND a.last_at <= now() - make_interval(secs => least($4 * power(2, r.recoveries), $5))
          -- NOT IN over the live jobs: a hashed set, however many jobs a backlog holds
          AND m.id::text NOT IN (SELECT j.data->>'messageId' FROM ${JOB_SCHEMA}.job j
                                  WHERE j.name = $6 AND j.state IN ('created', 'retry', 'active')
                                    AND j.data->>'messageId' IS NOT NULL)
        ORDER BY m.received_at, m.id
        LIMIT $7`,
      [
        tenantId,
        InboundState.Received,
        ids ?? null,
        this.policy.initialDelaySeconds,
        this.policy.maxDelaySeconds,
        QUEUES.translate,
        this.policy.batchSize,
      ],
    )) as DueRow[];
  }
}
