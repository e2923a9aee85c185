import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { appendAuditEvents } from './audit-appender.js';
import type { AuditEvent } from './audit-event.js';

interface Pending {
  readonly event: AuditEvent;
  readonly done?: { resolve: () => void; reject: (error: unknown) => void };
}

/** Read entries reach the database within this long (the README promises one second). */
export const AUDIT_FLUSH_INTERVAL_MS = 500;
const MAX_BATCH = 500;
/** While the database is away, keep this many buffered entries, then drop the oldest (and say so). */
const MAX_BUFFERED = 50_000;

/**
 * The audit log's write side. Two promises:
 * - `record(event)` resolves once the entry is committed: for refused and mutating requests and
 *   for every non-HTTP event (token issuance, key rotation, registry changes, message lifecycle).
 * - `enqueue(event)` buffers: flushed every `AUDIT_FLUSH_INTERVAL_MS`, and on graceful shutdown.
 * Concurrent `record` calls share one transaction (group commit), so durability costs one round
 * of writes per batch, not per request.
 */
@Injectable()
export class AuditLog implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AuditLog');
  private pending: Pending[] = [];
  private draining: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      if (this.pending.length > 0) void this.drain();
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

  /** Buffers the entry; it is committed within a second. */
  enqueue(event: AuditEvent): void {
    this.pending.push({ event });
    if (this.pending.length > MAX_BUFFERED) {
      const dropped = this.pending.splice(0, this.pending.length - MAX_BUFFERED);
      this.logger.error(
        `audit buffer full: ${dropped.length} read entries dropped while the database is away`,
      );
    }
    if (this.pending.length >= MAX_BATCH) void this.drain();
  }

  /** Commits everything buffered so far. */
  async flush(): Promise<void> {
    if (this.draining) await this.draining;
    if (this.pending.length > 0) await this.drain();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (let attempt = 0; attempt < 3 && this.pending.length > 0; attempt += 1) {
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
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      try {
        await appendAuditEvents(
          this.dataSource,
          batch.map((p) => p.event),
        );
        for (const item of batch) item.done?.resolve();
      } catch (error) {
        this.logger.error(
          `audit log write failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        // The waiting caller learns of it; buffered entries go back to wait for the next tick.
        for (const item of batch) item.done?.reject(error);
        this.pending.unshift(...batch.filter((item) => !item.done));
        return;
      }
    }
  }
}
