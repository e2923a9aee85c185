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
  /** Chains that could not be appended while others could: tenant → last error. */
  private readonly blocked = new Map<string, string>();

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

  /**
   * Whether the tenant's entries can be written: false while the log is unavailable, or while that
   * tenant's chain cannot be appended (its requests are refused; other tenants are served).
   */
  availableFor(tenantId: string): boolean {
    return this.writable && !this.blocked.has(tenantId);
  }

  /** The chains that cannot be appended just now, with the error of the last attempt. */
  get blockedChains(): { tenantId: string; error: string }[] {
    return [...this.blocked].map(([tenantId, error]) => ({ tenantId, error }));
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
    // Entries of a blocked chain stay behind (in order); the others go on being written.
    const held: Pending[] = [];
    const failed = new Set<string>();
    try {
      while (this.pending.length > 0 || this.tally) {
        const batch = this.pending.splice(0, MAX_BATCH);
        const tally = batch.length < MAX_BATCH ? this.tally : undefined;
        const tallied: Pending | undefined = tally ? { event: tallyEvent(tally) } : undefined;
        if (tallied) batch.push(tallied);
        this.tally = tally ? undefined : this.tally;
        const failures = await this.write(batch, failed);
        if (failures.size === 0) continue;
        for (const item of batch) {
          if (!failures.has(item.event.tenantId)) continue;
          failed.add(item.event.tenantId);
          // The waiting caller learns of it; buffered entries wait for the next tick.
          item.done?.reject(failures.get(item.event.tenantId));
          if (item.done) continue;
          if (tally && item === tallied) {
            // Refusals counted while this batch was being written join the older count.
            this.tally = this.tally
              ? { count: tally.count + this.tally.count, from: tally.from, to: this.tally.to }
              : tally;
          } else {
            held.push(item);
          }
        }
        if (!this.writable) return;
      }
    } finally {
      this.pending.unshift(...held);
    }
  }

  /**
   * Writes a batch: all chains in one transaction, or, once one of them failed, each chain in its
   * own, so that a chain that cannot be appended (a forged row at its next sequence number, say)
   * holds back only its own entries. Returns the failed chains and their errors.
   */
  private async write(batch: readonly Pending[], failed: ReadonlySet<string>): Promise<Map<string, unknown>> {
    const failures = new Map<string, unknown>();
    if (this.blocked.size === 0) {
      try {
        await appendAuditEvents(
          this.dataSource,
          batch.map((p) => p.event),
        );
        this.wentWell();
        for (const item of batch) item.done?.resolve();
        return failures;
      } catch {
        // Chain by chain below: the error belongs to one chain, or to the database.
      }
    }
    const chains = new Map<string, Pending[]>();
    for (const item of batch) {
      const chain = chains.get(item.event.tenantId);
      if (chain) chain.push(item);
      else chains.set(item.event.tenantId, [item]);
    }
    for (const [tenantId, items] of chains) {
      if (failed.has(tenantId)) {
        // Failed earlier in this drain: a later entry must not overtake the held ones.
        failures.set(tenantId, new Error(`audit chain ${tenantId} cannot be appended`));
        continue;
      }
      try {
        await appendAuditEvents(
          this.dataSource,
          items.map((p) => p.event),
        );
        for (const item of items) item.done?.resolve();
        this.unblocked(tenantId);
      } catch (error) {
        failures.set(tenantId, error);
      }
    }
    if (failures.size === chains.size) {
      // Not one chain could be written: is it the database?
      const down = await this.dataSource.query('SELECT 1').then(
        () => undefined,
        (error: unknown) => error ?? new Error('database unreachable'),
      );
      if (down !== undefined) {
        this.failed(down);
        return failures;
      }
    }
    this.wentWell();
    for (const [tenantId, error] of failures) this.block(tenantId, error);
    return failures;
  }

  private block(tenantId: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (!this.blocked.has(tenantId)) {
      this.logger.error(
        `audit chain ${tenantId} cannot be appended, refusing its requests until it can: ${message}`,
      );
    }
    this.blocked.set(tenantId, message);
  }

  private unblocked(tenantId: string): void {
    if (!this.blocked.delete(tenantId)) return;
    this.logger.warn(`audit chain ${tenantId} writable again; serving its requests`);
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
