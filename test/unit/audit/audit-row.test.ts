import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { canonicalEntry, chainEntry, GENESIS_HASH } from '../../../src/audit/audit-chain.js';
import type { AuditEntry } from '../../../src/audit/audit-event.js';
import { copyLineFromEntry } from '../../../src/audit/audit-row.js';

type Unchained = Omit<AuditEntry, 'hash' | 'prevHash'>;

const base: Unchained = {
  id: '7d5b1e2e-8f0c-4a51-9d5e-0b8e8f1c2a11',
  tenantId: 'demo',
  seq: 7,
  occurredAt: new Date('2026-11-27T09:00:00.123Z'),
  kind: 'http',
  action: 'read',
  clientId: 'demo-carrier',
  partnerId: null,
  sourceIp: '203.0.113.7',
  userAgent: 'curl/8.5',
  method: 'GET',
  route: '/v1/shipments/:id',
  path: '/v1/shipments/S1',
  resourceType: 'shipments',
  resourceId: 'S1',
  status: 200,
  scopes: ['shipments:read'],
  correlationId: 'c-1',
  latencyMs: 1.235,
  bytesIn: 0,
  bytesOut: 321,
  reason: null,
  details: null,
};

describe('COPY rows of audit entries', () => {
  test('a plain entry is one tab-separated line, \\N for null, scopes as an array literal', () => {
    const entry = chainEntry(GENESIS_HASH, base);
    assert.equal(
      copyLineFromEntry(entry),
      [
        base.id,
        'demo',
        '7',
        '2026-11-27T09:00:00.123Z',
        'http',
        'read',
        'demo-carrier',
        '\\N',
        '203.0.113.7',
        'curl/8.5',
        'GET',
        '/v1/shipments/:id',
        '/v1/shipments/S1',
        'shipments',
        'S1',
        '200',
        '{"shipments:read"}',
        'c-1',
        '1.235',
        '0',
        '321',
        '\\N',
        '\\N',
        GENESIS_HASH,
        entry.hash,
      ].join('\t') + '\n',
    );
  });

  test('backslash, newline, carriage return and tab are escaped, in text, scopes and details', () => {
    const entry = chainEntry(GENESIS_HASH, {
      ...base,
      userAgent: 'a\\b\tc\nd\re',
      scopes: ['q"uote', 'back\\slash'],
      details: { note: 'x\ty' },
    });
    const fields = copyLineFromEntry(entry).slice(0, -1).split('\t');
    assert.equal(fields.length, 25);
    assert.equal(fields[9], 'a\\\\b\\tc\\nd\\re');
    assert.equal(fields[16], '{"q\\\\"uote","back\\\\\\\\slash"}');
    assert.equal(fields[22], '{"note":"x\\\\ty"}');
  });

  test('the shortcut for an entry whose canonical form has no backslash writes the same line', () => {
    const text = fc.oneof(fc.string(), fc.constantFrom('\\', '\n', '\r', '\t', '"', 'plain'));
    fc.assert(
      fc.property(
        fc.record({
          userAgent: fc.option(text),
          path: fc.option(text),
          reason: fc.option(text),
          scopes: fc.array(text, { maxLength: 3 }),
          details: fc.option(fc.dictionary(fc.string({ maxLength: 4 }), text, { maxKeys: 2 })),
        }),
        (change) => {
          const entry = chainEntry(GENESIS_HASH, { ...base, ...change });
          const canonical = canonicalEntry(entry);
          if (canonical.includes('\\')) return;
          assert.equal(
            copyLineFromEntry(entry, entry.occurredAt.toISOString(), true),
            copyLineFromEntry(entry),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
