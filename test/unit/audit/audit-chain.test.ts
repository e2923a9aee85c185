import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GENESIS_HASH, canonicalEntry, chainEntry, entryHash } from '../../../src/audit/audit-chain.js';
import type { AuditEntry } from '../../../src/audit/audit-event.js';
import { canonicalJson } from '../../../src/common/canonical-json.js';

type Unchained = Omit<AuditEntry, 'hash' | 'prevHash'>;

const entry: Unchained = {
  id: '7d5b1e2e-8f0c-4a51-9d5e-0b8e8f1c2a11',
  tenantId: 'demo',
  seq: 1,
  occurredAt: new Date('2026-11-27T09:00:00.123Z'),
  kind: 'http',
  action: 'create',
  clientId: 'demo-carrier',
  partnerId: 'demo-carrier',
  sourceIp: '203.0.113.7',
  userAgent: 'curl/8.5',
  method: 'POST',
  route: '/v1/tracking-events',
  path: '/v1/tracking-events',
  resourceType: 'tracking-events',
  resourceId: null,
  status: 201,
  scopes: ['tracking:write'],
  correlationId: 'c-1',
  latencyMs: 4.25,
  bytesIn: 812,
  bytesOut: 96,
  reason: null,
  details: { b: 2, a: 1 },
};

describe('audit chain hashing', () => {
  test('the canonical form is stable: key order of details does not matter', () => {
    const reordered = { ...entry, details: { a: 1, b: 2 } };
    assert.equal(canonicalEntry(entry), canonicalEntry(reordered));
    assert.equal(entryHash(GENESIS_HASH, entry), entryHash(GENESIS_HASH, reordered));
    assert.match(entryHash(GENESIS_HASH, entry), /^[0-9a-f]{64}$/);
  });

  test('the hash of a known entry never changes: chains written by any release still verify', () => {
    assert.equal(
      entryHash(GENESIS_HASH, entry),
      '9ed84a7b0770d2911ee68f66b659d7a5fb4f0c728b214cbc21be110fe1ee1901',
    );
    const awkward = {
      ...entry,
      userAgent: 'ü "quoted" \u2028 \\ x',
      scopes: [],
      details: null,
      latencyMs: null,
      reason: 'a\nb',
    };
    assert.equal(
      entryHash(GENESIS_HASH, awkward),
      'eabf6ef42f4bafdaf6e94a111a7147ea9f5f6793fc9faa69acc1fa1f18a5f866',
    );
  });

  test('the canonical form is the canonical JSON of the field list', () => {
    const nested = { ...entry, details: { z: [1, { y: null, x: 'x' }], a: { c: true, b: -0.5 } } };
    for (const e of [entry, nested, { ...entry, details: null, scopes: ['a', 'b'] }]) {
      const fields = [
        'crossdock-audit-v1',
        e.id,
        e.tenantId,
        e.seq,
        e.occurredAt.toISOString(),
        e.kind,
        e.action,
        e.clientId,
        e.partnerId,
        e.sourceIp,
        e.userAgent,
        e.method,
        e.route,
        e.path,
        e.resourceType,
        e.resourceId,
        e.status,
        e.scopes,
        e.correlationId,
        e.latencyMs,
        e.bytesIn,
        e.bytesOut,
        e.reason,
        e.details,
      ];
      assert.equal(canonicalEntry(e), canonicalJson(fields));
    }
  });

  test('every field, the sequence number and the previous hash change the hash', () => {
    const base = entryHash(GENESIS_HASH, entry);
    const changes: Partial<Unchained>[] = [
      { id: '00000000-0000-4000-8000-000000000000' },
      { tenantId: 'demo-b' },
      { seq: 2 },
      { occurredAt: new Date('2026-11-27T09:00:00.124Z') },
      { action: 'read' },
      { clientId: 'demo-3pl' },
      { partnerId: null },
      { sourceIp: '203.0.113.8' },
      { userAgent: 'curl/8.6' },
      { method: 'PUT' },
      { route: '/v1/other' },
      { path: '/v1/other' },
      { resourceType: 'shipments' },
      { resourceId: 'S1' },
      { status: 200 },
      { scopes: [] },
      { correlationId: 'c-2' },
      { latencyMs: 4.26 },
      { bytesIn: 813 },
      { bytesOut: 97 },
      { reason: 'x' },
      { details: { a: 1, b: 3 } },
    ];
    for (const change of changes) {
      assert.notEqual(entryHash(GENESIS_HASH, { ...entry, ...change }), base, JSON.stringify(change));
    }
    assert.notEqual(entryHash('f'.repeat(64), entry), base);
  });

  test('chainEntry links an entry after the previous hash', () => {
    const first = chainEntry(GENESIS_HASH, entry);
    const second = chainEntry(first.hash, { ...entry, seq: 2 });
    assert.equal(first.prevHash, GENESIS_HASH);
    assert.equal(second.prevHash, first.hash);
    assert.equal(second.hash, entryHash(first.hash, { ...entry, seq: 2 }));
  });
});
