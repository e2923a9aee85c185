import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TenantFileError } from '../../../src/tenancy/tenant-file-error.js';
import { loadTenants } from '../../../src/tenancy/tenant-loader.js';

function tenantFile(id: string, identityProviders: string): string {
  return [
    `id: ${id}`,
    `name: ${id}`,
    'environment: test',
    'partners:',
    `  - { id: ${id}-carrier, name: Carrier, kind: carrier, scopes: [tracking:write] }`,
    'identityProviders:',
    identityProviders,
    '',
  ].join('\n');
}

describe('identityProviders in tenant files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'crossdock-idp-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function load(files: Record<string, string>): Promise<unknown> {
    const folder = await mkdtemp(path.join(dir, 'case-'));
    for (const [name, text] of Object.entries(files))
      await writeFile(path.join(folder, `${name}.yaml`), text);
    try {
      return await loadTenants(folder, { env: {} });
    } catch (error) {
      assert.ok(error instanceof TenantFileError);
      return error.problems.map((p) => `${p.path}: ${p.message}`);
    }
  }

  test('an identity provider is read with its defaults', async () => {
    const loaded = (await load({
      acme: tenantFile(
        'acme',
        '  - { issuer: https://idp.acme.example, jwksUrl: https://idp.acme.example/jwks, audience: crossdock, partners: { c7: acme-carrier } }',
      ),
    })) as { identityProviders: unknown[] }[];
    assert.deepEqual(loaded[0]?.identityProviders, [
      {
        issuer: 'https://idp.acme.example',
        jwksUrl: 'https://idp.acme.example/jwks',
        audience: 'crossdock',
        partnerClaim: 'sub',
        scopeClaim: 'scope',
        partners: { c7: 'acme-carrier' },
      },
    ]);
  });

  test('unknown partners, plain-http key URLs and an issuer trusted by two tenants are refused', async () => {
    const problems = await load({
      acme: tenantFile(
        'acme',
        '  - { issuer: https://idp.example, jwksUrl: http://idp.example/jwks, audience: a, partners: { "x/y": nobody } }',
      ),
      beta: tenantFile(
        'beta',
        '  - { issuer: https://idp.example, jwksUrl: http://localhost:8080/jwks, audience: b, partners: { c: beta-carrier } }',
      ),
    });
    assert.deepEqual(problems, [
      '/identityProviders/0/partners/x~1y: no partner "nobody" in this file',
      '/identityProviders/0/jwksUrl: must be https (plain http only for localhost)',
    ]);
    const shared = await load({
      acme: tenantFile(
        'acme',
        '  - { issuer: https://idp.example, jwksUrl: https://idp.example/jwks, audience: a, partners: { c: acme-carrier } }',
      ),
      beta: tenantFile(
        'beta',
        '  - { issuer: https://idp.example, jwksUrl: https://idp.example/jwks, audience: b, partners: { c: beta-carrier } }',
      ),
    });
    assert.deepEqual(shared, [
      '/identityProviders/0/issuer: issuer "https://idp.example" is already trusted by tenant "acme"',
    ]);
  });
});
