import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadTenants } from '../../../src/tenancy/tenant-loader.js';
import { TenantFileError, type TenantFileProblem } from '../../../src/tenancy/tenant-file-error.js';

const fixtures = path.resolve('test/fixtures/tenants');
const env = {
  ACME_ODOO_API_KEY: 'odoo-key',
  ACME_FASTLINE_SECRET: 'fastline-one',
  ACME_FASTLINE_SECRET_NEXT: 'fastline-two',
  ACME_AUDITOR_SECRET: 'auditor',
  HOME: '/root',
};

async function problemsOf(
  dir: string,
  options: { includeDemo?: boolean } = {},
): Promise<TenantFileProblem[]> {
  try {
    await loadTenants(path.join(fixtures, dir), { env, ...options });
  } catch (error) {
    assert.ok(error instanceof TenantFileError, `expected a TenantFileError, got ${String(error)}`);
    return [...error.problems];
  }
  assert.fail('the files were accepted');
}

describe('loadTenants', () => {
  test('a valid file is resolved with defaults and secrets from the environment', async () => {
    const [tenant] = await loadTenants(path.join(fixtures, 'valid'), { env });
    assert.ok(tenant);
    assert.equal(tenant.id, 'acme');
    assert.equal(tenant.odoo.production?.apiKey, 'odoo-key');
    assert.equal(tenant.odoo.production?.apiKeyRef, '${ACME_ODOO_API_KEY}');
    assert.equal(tenant.odoo.production?.protocol, 'jsonrpc');
    assert.equal(tenant.syncModes.invoices, 'batch');
    assert.equal(tenant.syncModes.orders, 'realtime');
    assert.deepEqual(
      tenant.partners.map((p) => [p.id, p.kind, p.environment, p.timeZone, p.active]),
      [
        ['fastline', 'carrier', 'production', 'America/Chicago', true],
        ['north-3pl', '3pl', 'production', 'UTC', true],
      ],
    );
    const fastline = tenant.apiClients.find((c) => c.id === 'acme-fastline');
    assert.deepEqual(fastline?.secrets, ['fastline-one', 'fastline-two']);
    assert.deepEqual(
      fastline?.scopes,
      ['tracking:write', 'tracking:read'],
      'a client inherits its partner scopes',
    );
    assert.match(tenant.sourceSha256, /^[0-9a-f]{64}$/);
  });

  test('a wrong enum value names file, line, pointer and the allowed values', async () => {
    const problems = await problemsOf('bad-kind');
    assert.equal(problems.length, 1);
    const [problem] = problems;
    assert.match(problem!.file, /bad-kind\/acme\.yaml$/);
    assert.equal(problem!.path, '/partners/1/kind');
    assert.equal(problem!.line, 10);
    assert.match(problem!.message, /must be one of "carrier", "3pl", "warehouse"/);
  });

  test('broken YAML is reported with its line', async () => {
    const [problem] = await problemsOf('bad-yaml');
    assert.match(problem!.file, /bad-yaml\/acme\.yaml$/);
    assert.ok(problem!.line && problem!.line >= 6, `line ${problem!.line}`);
  });

  test('a missing environment variable is named', async () => {
    const [problem] = await problemsOf('missing-env');
    assert.equal(problem!.path, '/apiClients/0/secrets/0');
    assert.match(problem!.message, /environment variable ACME_NOT_SET_ANYWHERE is not set/);
  });

  test('semantic mistakes: time zone, scopes beyond the partner, unknown partner', async () => {
    const problems = await problemsOf('bad-client');
    const byPath = new Map(problems.map((p) => [p.path, p.message]));
    assert.match(byPath.get('/partners/0/timeZone') ?? '', /"Mars\/Olympus" is not an IANA time zone/);
    assert.match(
      byPath.get('/apiClients/0/scopes') ?? '',
      /scopes admin are not allowed for partner "fastline"/,
    );
    assert.match(byPath.get('/apiClients/1/partner') ?? '', /no partner "nobody" in this file/);
    assert.equal(problems.length, 3);
  });

  test('a literal secret is refused', async () => {
    const [problem] = await problemsOf('literal-secret');
    assert.equal(problem!.path, '/apiClients/0/secrets/0');
    assert.match(problem!.message, /must be an environment reference such as \$\{ODOO_API_KEY\}/);
  });

  test('defaults in references are refused outside demo files', async () => {
    const [problem] = await problemsOf('demo-default');
    assert.equal(problem!.path, '/apiClients/0/secrets/0');
    assert.match(problem!.message, /only in demo tenant files/);
  });

  test('the demo tenants load in demo mode with <client id>-secret unless overridden', async () => {
    const tenants = await loadTenants(path.resolve('tenants'), {
      env: { DEMO_B_3PL_SECRET: 'override' },
      includeDemo: true,
    });
    assert.deepEqual(tenants.map((t) => t.id).sort(), ['demo', 'demo-b']);
    for (const tenant of tenants) {
      assert.equal(tenant.demo, true);
      const ids = tenant.apiClients.map((c) => c.id).sort();
      assert.deepEqual(ids, [
        `${tenant.id}-3pl`,
        `${tenant.id}-auditor`,
        `${tenant.id}-carrier`,
        `${tenant.id}-customer`,
        `${tenant.id}-edi`,
        `${tenant.id}-ops`,
      ]);
      assert.ok(tenant.partners.some((p) => p.id === `${tenant.id}-edi` && p.edi?.x12));
    }
    const demo = tenants.find((t) => t.id === 'demo')!;
    assert.deepEqual(demo.apiClients.find((c) => c.id === 'demo-carrier')?.secrets, ['demo-carrier-secret']);
    const demoB = tenants.find((t) => t.id === 'demo-b')!;
    assert.deepEqual(demoB.apiClients.find((c) => c.id === 'demo-b-3pl')?.secrets, ['override']);
  });

  test('outside demo mode the demo tenants are not loaded', async () => {
    const tenants = await loadTenants(path.resolve('tenants'), { env: {}, includeDemo: false });
    assert.deepEqual(tenants, []);
  });
});
