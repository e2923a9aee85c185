import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuditEntry } from '../../../src/audit/audit-event.js';
import { CSV_HEADER, csvLine, ndjsonLine } from '../../../src/audit/audit-export-format.js';

const entry: AuditEntry = {
  id: 'e1',
  tenantId: 'demo',
  seq: 3,
  occurredAt: new Date('2026-11-27T09:00:00.000Z'),
  kind: 'http',
  action: 'read',
  clientId: 'demo-carrier',
  partnerId: null,
  sourceIp: '203.0.113.7',
  userAgent: '=HYPERLINK("http://evil"), "quoted"',
  method: 'GET',
  route: '/v1/me',
  path: '/v1/me',
  resourceType: 'me',
  resourceId: null,
  status: 200,
  scopes: ['tracking:read', 'shipments:read'],
  correlationId: 'c-1',
  latencyMs: 1.5,
  bytesIn: 0,
  bytesOut: 120,
  reason: null,
  details: { line: 'a\nb' },
  prevHash: '0'.repeat(64),
  hash: 'a'.repeat(64),
};

describe('audit export formats', () => {
  test('CSV: one line per entry in header order, RFC 4180 quoting, formulas neutralised', () => {
    assert.equal(CSV_HEADER.split(',').length, csvLine(entry).split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).length);
    const line = csvLine(entry);
    assert.ok(line.startsWith('demo,3,e1,2026-11-27T09:00:00.000Z,http,read,demo-carrier,,203.0.113.7,'));
    assert.ok(line.includes(`"'=HYPERLINK(""http://evil""), ""quoted"""`));
    assert.ok(line.includes(',tracking:read shipments:read,'));
    assert.ok(line.includes(`"{""line"":""a\\nb""}"`));
    assert.ok(line.endsWith(`${'a'.repeat(64)}\r\n`));
  });

  test('NDJSON: one JSON object per line with ISO times and the hashes', () => {
    const line = ndjsonLine(entry);
    assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
    const parsed = JSON.parse(line) as Record<string, unknown>;
    assert.equal(parsed.occurredAt, '2026-11-27T09:00:00.000Z');
    assert.equal(parsed.hash, 'a'.repeat(64));
    assert.deepEqual(parsed.scopes, ['tracking:read', 'shipments:read']);
  });
});
