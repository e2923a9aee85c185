import type { BeforeApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { AuditEvent } from '../../audit/audit-event.js';
import type { TenantRegistry } from '../../tenancy/tenant-registry.js';
import { unquoteAs2Id } from './mdn-builder.js';

/** Throttled requests of one source IP are itemised at most once per this window in the tenant's chain. */
const DEFAULT_WINDOW_MS = 60_000;
/** Source IPs itemised per tenant and window; past this, refusals are only counted for the tenant. */
const PER_TENANT = 20;
/** Windows remembered at once, all tenants together; past this, the oldest are summed up early. */
const REMEMBERED = 1000;

interface OpenWindow {
  readonly tenantId: string;
  readonly sourceIp: string;
  readonly since: number;
  suppressed: number;
}

interface TenantWindow {
  readonly since: number;
  itemised: number;
  /** Refusals from source IPs past the per-tenant cap, counted together. */
  overflow: number;
}

/**
 * A `POST /as2` refused by the rate limit (429) never reaches the receiver: the HTTP audit puts it
 * in the system chain, where the tenant's auditors do not look. This puts it in the chain of the
 * tenant its AS2-To names, with the sender and the Message-ID, so the tenant sees that a partner's
 * message was turned away (and has to come again). A flood is summed up, not itemised: one entry
 * per source IP and window (AS2-From is the sender's claim, so it does not open windows: only a
 * configured partner's AS2-From is named), at most `PER_TENANT` source IPs per tenant and window,
 * and when the window closes (on a timer and at shutdown) one entry counting those left out.
 */
export class As2ThrottleAudit implements OnModuleInit, BeforeApplicationShutdown {
  private readonly recent = new Map<string, OpenWindow>();
  private readonly perTenant = new Map<string, TenantWindow>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly tenants: TenantRegistry,
    private readonly audit: (event: AuditEvent) => void,
    private readonly options: { readonly windowMs?: number; readonly now?: () => number } = {},
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.flush(), this.windowMs());
    this.timer.unref();
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    fastify.addHook(
      'onResponse',
      (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
        if (request.method === 'POST' && request.routeOptions.url === '/as2' && reply.statusCode === 429) {
          try {
            this.throttled(request.headers, request.ip, reply.getHeader('retry-after'));
          } catch {
            // The refusal is in the system chain already; this entry must never break a response.
          }
        }
        done();
      },
    );
  }

  /** Before the audit log's own shutdown flush: what is still counted is written. */
  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush(true);
  }

  /** Records one refused request for the tenant it was addressed to (none when no tenant answers). */
  throttled(
    headers: Readonly<Record<string, string | string[] | undefined>>,
    sourceIp: string,
    retryAfter?: unknown,
  ): void {
    const header = (name: string): string | undefined => {
      const value = headers[name];
      return (Array.isArray(value) ? value[0] : value)?.slice(0, 256);
    };
    const as2To = unquoteAs2Id(header('as2-to'));
    const tenant = as2To ? this.tenants.all().find((t) => t.as2?.as2Id === as2To) : undefined;
    if (!tenant) return;
    const claimed = unquoteAs2Id(header('as2-from')) ?? '';
    const partner = tenant.partners.find((p) =>
      p.channels.some((c) => c.type === 'as2' && c.as2Id === claimed),
    );
    // Only a configured partner's AS2-From is written: any other value is anyone's to choose.
    const as2From = partner ? claimed : null;
    const now = this.now();
    this.flush(false, now);
    const key = `${tenant.id}\u0000${sourceIp}`;
    const open = this.recent.get(key);
    if (open) {
      open.suppressed += 1;
      return;
    }
    let budget = this.perTenant.get(tenant.id);
    if (!budget) {
      budget = { since: now, itemised: 0, overflow: 0 };
      this.perTenant.set(tenant.id, budget);
    }
    if (budget.itemised >= PER_TENANT) {
      budget.overflow += 1;
      return;
    }
    budget.itemised += 1;
    this.recent.set(key, { tenantId: tenant.id, sourceIp, since: now, suppressed: 0 });
    if (this.recent.size > REMEMBERED) {
      const oldest = this.recent.keys().next().value as string;
      this.close(this.recent.get(oldest)!, now);
      this.recent.delete(oldest);
    }
    const messageId = header('message-id')?.trim() ?? null;
    this.audit({
      occurredAt: new Date(now),
      tenantId: tenant.id,
      kind: 'message',
      action: 'as2.throttled',
      partnerId: partner?.id ?? null,
      sourceIp,
      method: 'POST',
      route: '/as2',
      status: 429,
      reason:
        `AS2 ${messageId ?? '(no Message-ID)'} from ${as2From === null ? 'an AS2-From no partner has' : `"${as2From}"`} ` +
        `refused: rate limit exceeded` +
        `${typeof retryAfter === 'string' || typeof retryAfter === 'number' ? `, retry after ${retryAfter} s` : ''}; ` +
        `not received, the partner must send it again`,
      details: { as2From, as2To, messageId },
    });
  }

  /** Writes the count of every window that is over (all of them with `all`), and forgets it. */
  flush(all = false, now = this.now()): void {
    const windowMs = this.windowMs();
    // Both maps are in the order their windows opened: the first one still open ends the walk.
    for (const [key, open] of this.recent) {
      if (!all && now - open.since < windowMs) break;
      this.recent.delete(key);
      this.close(open, now);
    }
    for (const [tenantId, budget] of this.perTenant) {
      if (!all && now - budget.since < windowMs) break;
      this.perTenant.delete(tenantId);
      if (budget.overflow > 0) this.summary(tenantId, null, budget.since, budget.overflow, now);
    }
  }

  private close(open: OpenWindow, now: number): void {
    if (open.suppressed > 0) this.summary(open.tenantId, open.sourceIp, open.since, open.suppressed, now);
  }

  private summary(
    tenantId: string,
    sourceIp: string | null,
    since: number,
    refused: number,
    now: number,
  ): void {
    try {
      this.audit({
        occurredAt: new Date(now),
        tenantId,
        kind: 'message',
        action: 'as2.throttled',
        partnerId: null,
        sourceIp,
        method: 'POST',
        route: '/as2',
        status: 429,
        reason:
          `${refused} more AS2 request(s) ${sourceIp === null ? 'from further source IPs' : 'from this source IP'} ` +
          `refused since ${new Date(since).toISOString()}: rate limit exceeded; not received, the partners must send them again`,
        details: { refusedSinceLastEntry: refused, since: new Date(since).toISOString() },
      });
    } catch {
      // As for the entry itself: a summary must never break a response or the shutdown.
    }
  }

  private windowMs(): number {
    return this.options.windowMs ?? DEFAULT_WINDOW_MS;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
