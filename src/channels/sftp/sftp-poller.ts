import path from 'node:path/posix';
import type { DataSource } from 'typeorm';
import type { AuditEvent } from '../../audit/audit-event.js';
import type { MessageStore } from '../../messages/message-store.js';
import { OutboundState } from '../../messages/message-state.js';
import type { PartnerDefinition } from '../../tenancy/tenant-definition.js';
import type { TenantRegistry } from '../../tenancy/tenant-registry.js';
import { RemoteFileTooLarge, RemoteSftp } from './remote-sftp.js';
import { sftpPollSettings, type SftpPollSettings } from './sftp-channel-settings.js';
import { listOutboxFiles } from './sftp-outbox-files.js';

export interface SftpPollerOptions {
  readonly registry: TenantRegistry;
  readonly dataSource: DataSource;
  readonly store: MessageStore;
  readonly audit: (event: AuditEvent) => void;
  readonly maxFileBytes: number;
  readonly log: {
    warn(message: string, error?: unknown): void;
    error(message: string, error?: unknown): void;
  };
  readonly connectTimeoutMs?: number;
  /** A re-read of a stored file (same name, same sha256) within this window is not stored again. */
  readonly duplicateWindowDays?: number;
}

export interface PollOutcome {
  /** Remote file names stored as new messages. */
  readonly received: string[];
  /** Remote files already stored earlier (a delete that never happened): removed, not stored again. */
  readonly alreadyStored: string[];
  /** Outbox file names uploaded and marked sent. */
  readonly uploaded: string[];
  /** Remote files over the size limit: left on the partner's server, audited, not read. */
  readonly refused: string[];
}

/** Failures in a row before an unreachable partner server is logged as an error for operations. */
const RAISE_AFTER_FAILURES = 3;
const MAX_BACKOFF_SECONDS = 3600;

/**
 * Fetches files from partners' own SFTP servers and uploads what their outbox holds.
 * Order matters for "never lost, never read twice": a remote file is removed only after its
 * message committed, and a file seen again with the same name and bytes is not stored twice.
 * Uploads go to `<name>.part` then are renamed, so the partner never picks up half a file.
 */
export class SftpPoller {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly options: SftpPollerOptions) {}

  /** Schedules every active partner with a `sftp-poll` channel on its own interval. */
  start(): void {
    for (const tenant of this.options.registry.all()) {
      if (!tenant.active) continue;
      for (const partner of tenant.partners) {
        const settings = partner.active ? sftpPollSettings(partner) : undefined;
        if (settings) this.schedule(tenant.id, partner, settings, 1);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  /**
   * One poll of one partner, under a PostgreSQL advisory lock so that a single node polls it
   * at a time. Returns undefined when another node holds the lock.
   */
  async pollOnce(tenantId: string, partnerId: string): Promise<PollOutcome | undefined> {
    const partner = this.options.registry.partner(tenantId, partnerId);
    const settings = partner ? sftpPollSettings(partner) : undefined;
    if (!partner || !settings) throw new Error(`partner ${tenantId}/${partnerId} has no sftp-poll channel`);
    const lock = this.options.dataSource.createQueryRunner();
    await lock.connect();
    try {
      const key = `sftp-poll/${tenantId}/${partnerId}`;
      const [row] = (await lock.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [key])) as {
        locked: boolean;
      }[];
      if (!row?.locked) return undefined;
      try {
        return await this.exchange(tenantId, partner, settings);
      } finally {
        await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
      }
    } finally {
      await lock.release();
    }
  }

  private async exchange(
    tenantId: string,
    partner: PartnerDefinition,
    settings: SftpPollSettings,
  ): Promise<PollOutcome> {
    const outcome: PollOutcome = { received: [], alreadyStored: [], uploaded: [], refused: [] };
    const remote = await RemoteSftp.connect(settings, this.options.connectTimeoutMs ?? 30_000);
    try {
      const pattern = globToRegExp(settings.pattern);
      const entries = (await remote.list(settings.inboxPath))
        .filter((e) => pattern.test(e.filename) && !/\.(part|filepart|tmp)$/i.test(e.filename))
        .sort((a, b) => a.filename.localeCompare(b.filename));
      for (const entry of entries) {
        const remotePath = path.join(settings.inboxPath, entry.filename);
        // One file too big must not hold back the files after it, poll after poll: it is left on
        // the partner's server, and said so in the audit log and the service log.
        let payload: Buffer;
        try {
          if (entry.attrs.size > this.options.maxFileBytes)
            throw new RemoteFileTooLarge(remotePath, this.options.maxFileBytes);
          payload = await remote.download(remotePath, this.options.maxFileBytes);
        } catch (error) {
          if (!(error instanceof RemoteFileTooLarge)) throw error;
          this.refuse(tenantId, partner.id, settings, error);
          outcome.refused.push(entry.filename);
          continue;
        }
        // A short read (the partner still writing, a dropped stream) is left for the next poll.
        if (payload.length !== entry.attrs.size) continue;
        if (await this.alreadyStored(tenantId, partner.id, entry.filename, payload)) {
          outcome.alreadyStored.push(entry.filename);
        } else {
          await this.options.store.receive({
            tenantId,
            partnerId: partner.id,
            channel: 'sftp-poll',
            payload,
            fileName: entry.filename,
            environment: partner.environment,
          });
          outcome.received.push(entry.filename);
        }
        // Only now, with the message committed, may the partner's copy go.
        if (settings.archivePath)
          await remote.rename(remotePath, path.join(settings.archivePath, entry.filename));
        else await remote.remove(remotePath);
      }
      for (const file of await listOutboxFiles(this.options.store, tenantId, partner.id, 'sftp-poll')) {
        const target = path.join(settings.outboxPath, file.name);
        await remote.upload(`${target}.part`, file.payload);
        if ((await remote.size(`${target}.part`)) !== file.payload.length)
          throw new Error(`upload of ${file.name} was cut short`);
        await remote.rename(`${target}.part`, target);
        await this.options.store.settleOutbound(
          tenantId,
          file.messageId,
          OutboundState.Sent,
          `uploaded to ${settings.host}:${target}`,
          { fileName: file.name },
        );
        outcome.uploaded.push(file.name);
      }
    } finally {
      remote.end();
    }
    return outcome;
  }

  private refuse(
    tenantId: string,
    partnerId: string,
    settings: SftpPollSettings,
    error: RemoteFileTooLarge,
  ): void {
    const reason = `${error.message}: not fetched, left on ${settings.host}; raise the limit or ask the partner to split it`;
    this.options.log.error(`SFTP poll of ${tenantId}/${partnerId}: ${reason}`);
    this.options.audit({
      occurredAt: new Date(),
      tenantId,
      kind: 'message',
      action: 'sftp.poll',
      partnerId,
      status: 413,
      path: error.file,
      reason,
      details: { host: settings.host, port: settings.port, limit: error.limit },
    });
  }

  private async alreadyStored(
    tenantId: string,
    partnerId: string,
    fileName: string,
    payload: Buffer,
  ): Promise<boolean> {
    const rows = (await this.options.dataSource.query(
      `SELECT 1 FROM messages
        WHERE tenant_id = $1 AND partner_id = $2 AND direction = 'inbound' AND channel = 'sftp-poll'
          AND file_name = $3 AND payload_sha256 = encode(sha256($4), 'hex')
          AND received_at > now() - make_interval(days => $5)
        LIMIT 1`,
      [tenantId, partnerId, fileName, payload, this.options.duplicateWindowDays ?? 30],
    )) as unknown[];
    return rows.length > 0;
  }

  private schedule(
    tenantId: string,
    partner: PartnerDefinition,
    settings: SftpPollSettings,
    seconds: number,
  ): void {
    if (this.stopped) return;
    const key = `${tenantId}/${partner.id}`;
    const timer = setTimeout(() => {
      const run = this.pollOnce(tenantId, partner.id).then(
        () => {
          this.failures.delete(key);
          this.schedule(tenantId, partner, settings, settings.intervalSeconds);
        },
        (error: unknown) => {
          const failures = (this.failures.get(key) ?? 0) + 1;
          this.failures.set(key, failures);
          // Backoff: 30 s, 60 s, 120 s … capped; an unreachable server is retried, never given up.
          const delay = Math.min(
            MAX_BACKOFF_SECONDS,
            Math.max(30, settings.intervalSeconds) * 2 ** (failures - 1),
          );
          const message = `SFTP poll of ${key} at ${settings.host}:${settings.port} failed (${failures} in a row); retrying in ${delay}s`;
          if (failures >= RAISE_AFTER_FAILURES) this.options.log.error(message, error);
          else this.options.log.warn(message, error);
          this.options.audit({
            occurredAt: new Date(),
            tenantId,
            kind: 'message',
            action: 'sftp.poll',
            partnerId: partner.id,
            status: 502,
            reason: error instanceof Error ? error.message : String(error),
            details: { host: settings.host, port: settings.port, failures, retryInSeconds: delay },
          });
          this.schedule(tenantId, partner, settings, delay);
        },
      );
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }, seconds * 1000);
    timer.unref();
    this.timers.set(key, timer);
  }
}

/** `*` and `?` globs over one file name, everything else literal. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}
