import type { OnModuleInit } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { AuditEvent } from '../../audit/audit-event.js';
import type { TenantRegistry } from '../../tenancy/tenant-registry.js';
import { unquoteAs2Id } from './mdn-builder.js';

/** Throttled requests of one sender are itemised at most once per this window in the tenant's chain. */
const DEFAULT_WINDOW_MS = 60_000;
/** Senders remembered at once; past this, the oldest windows are forgotten first. */
const REMEMBERED = 1000;

/**
 * A `POST /as2` refused by the rate limit (429) never reaches the receiver: the HTTP audit puts it
 * in the system chain, where the tenant's auditors do not look. This puts it in the chain of the
 * tenant its AS2-To names, with the sender and the Message-ID, so the tenant sees that a partner's
 * message was turned away (and has to come again). A flood is summed up, not itemised: one entry
 * per sender and source IP per window, the next one counting those left out.
 */
export class As2ThrottleAudit implements OnModuleInit {
  private readonly recent = new Map<string, { readonly since: number; suppressed: number }>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly tenants: TenantRegistry,
    private readonly audit: (event: AuditEvent) => void,
    private readonly options: { readonly windowMs?: number; readonly now?: () => number } = {},
  ) {}

  onModuleInit(): void {
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
    const as2From = unquoteAs2Id(header('as2-from')) ?? '';
    const partner = tenant.partners.find((p) =>
      p.channels.some((c) => c.type === 'as2' && c.as2Id === as2From),
    );
    const key = `${tenant.id}\u0000${as2From}\u0000${sourceIp}`;
    const now = (this.options.now ?? Date.now)();
    const windowMs = this.options.windowMs ?? DEFAULT_WINDOW_MS;
    const open = this.recent.get(key);
    if (open && now - open.since < windowMs) {
      open.suppressed += 1;
      return;
    }
    this.recent.delete(key);
    this.recent.set(key, { since: now, suppressed: 0 });
    if (this.recent.size > REMEMBERED) this.recent.delete(this.recent.keys().next().value as string);
    const messageId = header('message-id')?.trim() ?? null;
    const left = open?.suppressed
      ? `; ${open.suppressed} more from this sender were refused since ${new Date(open.since).toISOString()}`
      : '';
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
        `AS2 ${messageId ?? '(no Message-ID)'} from "${as2From}" refused: rate limit exceeded` +
        `${typeof retryAfter === 'string' || typeof retryAfter === 'number' ? `, retry after ${retryAfter} s` : ''}; ` +
        `not received, the partner must send it again${left}`,
      details: {
        as2From,
        as2To,
        messageId,
        ...(open?.suppressed ? { refusedSinceLastEntry: open.suppressed } : {}),
      },
    });
  }
}
