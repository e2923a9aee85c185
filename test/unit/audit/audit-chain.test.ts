import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GENESIS_HASH, canonicalEntry, chainEntry, entryHash } from '../../../src/audit/audit-chain.js';
import type { AuditEntry } from '../../../src/audit/audit-event.js';

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
