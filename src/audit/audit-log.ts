import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { appendAuditEvents } from './audit-appender.js';
import { SYSTEM_TENANT, type AuditEvent } from './audit-event.js';

interface Pending {
  readonly event: AuditEvent;
  readonly done?: { resolve: () => void; reject: (error: unknown) => void };
}

/** Read entries reach the database within this long (the README promises one second). */
export const AUDIT_FLUSH_INTERVAL_MS = 500;
const MAX_BATCH = 500;
const DEFAULT_HIGH_WATER = 10_000;

/** Refusals counted (not kept one by one) while the audit log could not be written. */
interface RefusalTally {
  count: number;
  readonly from: Date;
  to: Date;
}

/**
 * The audit log's write side. Two promises:
 * - `record(event)` resolves once the entry is committed: for refused and mutating requests and
 *   for every non-HTTP event (token issuance, key rotation, registry changes, message lifecycle).
 * - `enqueue(event)` buffers: flushed every `AUDIT_FLUSH_INTERVAL_MS`, and on graceful shutdown.
 *   Never dropped: above the high-water mark (`congested`) the HTTP hooks `record` reads too, so
 *   overload slows requests down instead of losing entries; while a write fails (`available` false)
 *   they refuse new requests with 503.
 * Concurrent `record` calls share one transaction (group commit), so durability costs one round
 * of writes per batch, not per request.
 */
@Injectable()
export class AuditLog implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AuditLog');
  private pending: Pending[] = [];
  private draining: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly highWater: number;
  private writable = true;
  private tally: RefusalTally | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(APP_CONFIG) config?: Pick<AppConfig, 'auditBufferHighWater'>,
  ) {
    this.highWater = config?.auditBufferHighWater ?? DEFAULT_HIGH_WATER;
  }

  /** Whether the last write succeeded: while it is false nothing should be served unaudited. */
  get available(): boolean {
    return this.writable;
  }

  /** More entries buffered than the high-water mark: reads should wait for theirs to commit. */
  get congested(): boolean {
    return this.pending.length >= this.highWater;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => {
      // While unavailable the tick also retries with nothing buffered, so that the log comes back.
      if (this.pending.length > 0 || !this.writable || this.tally) void this.drain();
    }, AUDIT_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Resolves when the entry is committed; rejects if it could not be. */
  record(event: AuditEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ event, done: { resolve, reject } });
      void this.drain();
    });
  }

  /** Buffers the entry; it is committed within a second, or as soon as the database is back. */
  enqueue(event: AuditEvent): void {
    this.pending.push({ event });
    // While unavailable only the timer retries: not one connection attempt per refused request.
    if (this.pending.length >= MAX_BATCH && this.writable) void this.drain();
  }

  /** Entries waiting to be written. */
  get buffered(): number {
    return this.pending.length;
  }

  /**
   * The entry of a request refused because the log could not be written. Kept like any other up to
   * the high-water mark, then only counted: a flood during an outage must not exhaust memory, and
   * these requests reached nothing. The count is committed as one entry once the database is back.
   */
  enqueueRefusal(event: AuditEvent): void {
    if (this.pending.length < this.highWater) {
      this.enqueue(event);
      return;
    }
    if (this.tally) {
      this.tally.count += 1;
      this.tally.to = event.occurredAt;
    } else {
      this.tally = { count: 1, from: event.occurredAt, to: event.occurredAt };
    }
  }

  /** Commits everything buffered so far. */
  async flush(): Promise<void> {
    if (this.draining) await this.draining;
    if (this.pending.length > 0 || this.tally) await this.drain();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (let attempt = 0; attempt < 3 && (this.pending.length > 0 || this.tally); attempt += 1) {
      await this.flush().catch(() => undefined);
    }
    if (this.pending.length > 0) {
      this.logger.error(`audit log: ${this.pending.length} entries could not be written before shutdown`);
    }
  }

  /** One writer at a time per process; whoever arrives while it writes rides the next batch. */
  private drain(): Promise<void> {
    this.draining ??= this.writeAll().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async writeAll(): Promise<void> {
    if (this.pending.length === 0 && !this.tally) {
      // Nothing to write while unavailable: ask the database whether it is back.
      await this.dataSource.query('SELECT 1').then(
        () => this.wentWell(),
        (error: unknown) => this.failed(error),
      );
      return;
    }
    while (this.pending.length > 0 || this.tally) {
      const batch = this.pending.splice(0, MAX_BATCH);
      const events = batch.map((p) => p.event);
      const tally = batch.length < MAX_BATCH ? this.tally : undefined;
      if (tally) events.push(tallyEvent(tally));
      this.tally = tally ? undefined : this.tally;
      try {
        await appendAuditEvents(this.dataSource, events);
        this.wentWell();
        for (const item of batch) item.done?.resolve();
      } catch (error) {
        this.failed(error);
        // The waiting caller learns of it; buffered entries go back to wait for the next tick.
        for (const item of batch) item.done?.reject(error);
        this.pending.unshift(...batch.filter((item) => !item.done));
        if (tally) {
          // Refusals counted while this batch was being written join the older count.
          this.tally = this.tally
            ? { count: tally.count + this.tally.count, from: tally.from, to: this.tally.to }
            : tally;
        }
        return;
      }
    }
  }

  private wentWell(): void {
    if (this.writable) return;
    this.writable = true;
    this.logger.warn('audit log writable again; serving requests');
  }

  private failed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.writable) {
      this.logger.error(`audit log write failed, refusing requests until it succeeds: ${message}`);
    }
    this.writable = false;
  }
}

function tallyEvent(tally: RefusalTally): AuditEvent {
  return {
    occurredAt: tally.from,
    tenantId: SYSTEM_TENANT,
    kind: 'http',
    action: 'refuse',
    status: 503,
    reason: `${tally.count} requests refused while the audit log could not be written (counted, not recorded one by one)`,
    details: { refused: tally.count, from: tally.from.toISOString(), to: tally.to.toISOString() },
  };
}
