import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { HttpAdapterHost } from '@nestjs/core';
import type { AuditEvent } from '../../../../src/audit/audit-event.js';
import { As2ThrottleAudit } from '../../../../src/channels/as2/as2-throttle-audit.js';
import { loadTenants } from '../../../../src/tenancy/tenant-loader.js';
import { TenantRegistry } from '../../../../src/tenancy/tenant-registry.js';

/** No HTTP adapter: requests are handed to `throttled` as the onResponse hook would. */
const noHttp = {} as HttpAdapterHost;

describe('AS2 429 audit: a flood is bounded whatever the sender claims, and its count is written', () => {
  let tenants: TenantRegistry;
  before(async () => {
    tenants = new TenantRegistry(await loadTenants('tenants', { includeDemo: true, env: {} }));
  });

  const setup = (
    windowMs = 60_000,
  ): { audit: As2ThrottleAudit; entries: AuditEvent[]; clock: { now: number } } => {
    const entries: AuditEvent[] = [];
    const clock = { now: Date.parse('2026-11-28T10:00:00Z') };
    const audit = new As2ThrottleAudit(noHttp, tenants, (event) => entries.push(event), {
      windowMs,
      now: () => clock.now,
    });
    return { audit, entries, clock };
  };
  const headers = (as2From: string, i: number): Record<string, string> => ({
    'as2-from': as2From,
    'as2-to': 'CROSSDOCK-DEMO',
    'message-id': `<flood-${i}@partner.example>`,
  });
  const details = (e: AuditEvent): Record<string, unknown> => (e.details ?? {}) as Record<string, unknown>;

  test('5,000 requests with a different AS2-From each, from one source IP: one entry, then one count', () => {
    const { audit, entries, clock } = setup();
    for (let i = 0; i < 5000; i += 1) audit.throttled(headers(`FLOOD-${i}`, i), '203.0.113.7', '1');
    assert.equal(entries.length, 1, 'one entry per source IP and window, whatever AS2-From says');
    assert.equal(entries[0]!.tenantId, 'demo');
    assert.equal(entries[0]!.partnerId, null);
    assert.equal(details(entries[0]!).as2From, null, 'an AS2-From no partner has is not written');
    assert.doesNotMatch(JSON.stringify(entries), /FLOOD-/);

    clock.now += 60_000;
    audit.flush();
    assert.equal(entries.length, 2);
    assert.equal(details(entries[1]!).refusedSinceLastEntry, 4999);
    assert.equal(entries[1]!.sourceIp, '203.0.113.7');
  });

  test('a configured partner is named; source IPs past the per-tenant cap are counted together', () => {
    const { audit, entries, clock } = setup();
    audit.throttled(headers('DEMOEDI', 0), '198.51.100.1');
    assert.equal(entries[0]!.partnerId, 'demo-edi');
    assert.equal(details(entries[0]!).as2From, 'DEMOEDI');
    for (let ip = 2; ip <= 250; ip += 1) audit.throttled(headers(`X${ip}`, ip), `198.51.100.${ip}`);
    assert.equal(entries.length, 20, 'at most 20 source IPs itemised per tenant and window');
    clock.now += 60_000;
    audit.flush();
    const counted = entries.slice(20);
    assert.deepEqual(
      counted.map((e) => [e.sourceIp, details(e).refusedSinceLastEntry]),
      [[null, 230]],
    );
  });

  test('the count is written when the window ends, without another 429 (timer), and at shutdown', async () => {
    const entries: AuditEvent[] = [];
    const timed = new As2ThrottleAudit(noHttp, tenants, (event) => entries.push(event), { windowMs: 50 });
    timed.onModuleInit();
    try {
      for (let i = 0; i < 3; i += 1) timed.throttled(headers('DEMOEDI', i), '192.0.2.1');
      const deadline = Date.now() + 5000;
      while (entries.length < 2) {
        assert.ok(Date.now() < deadline, 'the count was never written');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(details(entries[1]!).refusedSinceLastEntry, 2);
    } finally {
      timed.beforeApplicationShutdown();
    }

    const { audit, entries: atShutdown } = setup();
    for (let i = 0; i < 4; i += 1) audit.throttled(headers('DEMOEDI', i), '192.0.2.2');
    audit.beforeApplicationShutdown();
    assert.deepEqual(
      atShutdown.map((e) => details(e).refusedSinceLastEntry),
      [undefined, 3],
    );
  });
});
