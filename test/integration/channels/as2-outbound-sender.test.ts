import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { As2OutboundSender } from '../../../src/channels/as2/as2-outbound-sender.js';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import type { TenantDefinition } from '../../../src/tenancy/tenant-definition.js';
import { TenantRegistry } from '../../../src/tenancy/tenant-registry.js';
import { startPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';

/**
 * The AS2 outbox against a partner endpoint that is down (HTTP 503), next to a partner whose
 * configuration cannot be used to build a message (an EC certificate: AS2 encrypts to RSA keys).
 */
describe('AS2 outbound sender: one partner that cannot be sent to holds back no other', () => {
  let harness: PipelineHarness;
  let pipeline: Pipeline;
  let endpoint: Server;
  let url: string;
  let tenants: TenantDefinition[];
  const dir = mkdtempSync(path.join(tmpdir(), 'crossdock-as2-out-'));

  const queue = async (partnerId: string): Promise<string> => {
    const id = randomUUID();
    const payload = readFileSync('samples/x12/856-asn-PO778899.edi');
    await harness.dataSource.query(
      `INSERT INTO messages (id, tenant_id, partner_id, direction, channel, format, document_type, state, environment,
         correlation_id, content_type, payload, payload_sha256, payload_size)
       VALUES ($1::uuid, 'demo', $2, 'outbound', 'as2', 'x12', 'x12-856', 'queued', 'production',
         $1::text, 'application/edi-x12', $3, encode(sha256($3), 'hex'), $4)`,
      [id, partnerId, payload, payload.length],
    );
    return id;
  };

  const transferOf = async (
    messageId: string,
  ): Promise<{ state: string; detail: string | null } | undefined> =>
    (
      (await harness.dataSource.query(
        `SELECT state, detail FROM as2_transfers WHERE direction = 'outbound' AND message_id = $1`,
        [messageId],
      )) as { state: string; detail: string | null }[]
    )[0];

  before(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'ec.key'),
        '-out',
        path.join(dir, 'ec.cert.pem'),
        '-subj',
        '/CN=ec-partner',
        '-days',
        '2',
      ],
      { stdio: 'ignore' },
    );
    endpoint = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(503).end('down for maintenance'));
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/as2`;
    harness = await startPipelineHarness('as2_outbound');
    pipeline = await harness.startPipeline({ workers: false });
    const ecCertificate = readFileSync(path.join(dir, 'ec.cert.pem'), 'utf8');
    tenants = harness.tenants.map((tenant) =>
      tenant.id !== 'demo'
        ? tenant
        : {
            ...tenant,
            partners: tenant.partners.map((partner) => {
              // demo-carrier comes first in the tenant file, so first in the outbox loop.
              if (partner.id === 'demo-carrier')
                return {
                  ...partner,
                  channels: [
                    ...partner.channels,
                    { type: 'as2', as2Id: 'ECPARTNER', url, certificates: [ecCertificate], encrypt: true },
                  ],
                };
              if (partner.id === 'demo-edi')
                return {
                  ...partner,
                  channels: partner.channels.map((c) => (c.type === 'as2' ? { ...c, url } : c)),
                };
              return partner;
            }),
          },
    );
  });
  after(async () => {
    await harness?.close();
    await new Promise<void>((resolve) => (endpoint ? endpoint.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('the broken partner is retried later with the reason; the other partner is still sent to', async () => {
    const broken = await queue('demo-carrier');
    const fine = await queue('demo-edi');
    const sender = new As2OutboundSender(
      harness.dataSource,
      pipeline.store,
      new TenantRegistry(tenants),
      () => undefined,
    );
    await sender.tick();
    const other = await transferOf(fine);
    assert.equal(other?.state, 'retry', 'demo-edi was sent to (and its endpoint answered 503)');
    assert.equal(other?.detail, 'HTTP 503');
    const stuck = await transferOf(broken);
    assert.equal(stuck?.state, 'retry');
    assert.match(stuck?.detail ?? '', /^the AS2 message could not be built: /);
  });
});
