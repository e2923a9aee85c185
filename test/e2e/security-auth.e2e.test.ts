import assert from 'node:assert/strict';
import { createHmac, createPrivateKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Controller, Get, Module } from '@nestjs/common';
import { SignJWT, exportJWK, type JWK } from 'jose';
import { Scopes } from '../../src/auth/scopes.decorator.js';
import { decryptPrivateKey } from '../../src/auth/private-key-cipher.js';
import { rotateSigningKey } from '../../src/auth/signing-keys.js';
import { parseKeyEncryptionKey } from '../../src/config/app-config.js';
import { updatedRows } from '../../src/database/updated-rows.js';
import { withTenant } from '../../src/tenancy/with-tenant.js';
import { CLI, run } from '../support/child-process.js';
import { queryRows } from '../support/test-database.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const KEK_HEX = 'a1'.repeat(32);
const ISSUER = 'https://crossdock.test';
const PROBLEM = /^application\/problem\+json/;

/** A carrier-only route, mounted for this test: the real carrier routes arrive with the message API. */
@Controller('carrier-probe')
class CarrierProbeController {
  @Get()
  @Scopes('tracking:write')
  probe(): { ok: true } {
    return { ok: true };
  }
}
@Module({ controllers: [CarrierProbeController] })
class CarrierProbeModule {}

interface AuditRow {
  tenant_id: string;
  action: string;
  client_id: string | null;
  partner_id: string | null;
  route: string | null;
  status: number | null;
  reason: string | null;
  resource_id: string | null;
}

interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('security: OAuth2 client credentials, JWT verification, scopes, tenant isolation', () => {
  let server: TestServer;
  let tenantsDir: string;
  let idpServer: Server;
  let idpKey: KeyObject;
  let idpJwk: JWK;

  const post = (body: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
  const token = async (id: string, scope?: string): Promise<string> => {
    const response = await post(
      `grant_type=client_credentials${scope ? `&scope=${encodeURIComponent(scope)}` : ''}`,
      {
        authorization: basic(id, `${id}-secret`),
      },
    );
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as TokenBody).access_token;
  };
  const get = (route: string, bearer?: string): Promise<Response> =>
    fetch(`${server.url}${route}`, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {});
  const serverKey = async (): Promise<{ kid: string; key: KeyObject }> => {
    const [row] = await queryRows<{ kid: string; private_key_encrypted: string }>(
      server.testDatabase.url,
      `SELECT kid, private_key_encrypted FROM signing_keys WHERE status = 'active'`,
    );
    const der = decryptPrivateKey(parseKeyEncryptionKey(KEK_HEX)!, row!.kid, row!.private_key_encrypted);
    return { kid: row!.kid, key: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) };
  };
  /** A token signed with the server's own active key, with claims chosen by the test. */
  const signedByServer = async (
    claims: Record<string, unknown>,
    options: { exp?: number; iat?: number; nbf?: number } = {},
  ): Promise<string> => {
    const { kid, key } = await serverKey();
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({
      tid: 'demo',
      pid: 'demo-carrier',
      client_id: 'demo-carrier',
      scope: 'tracking:read',
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
      .setIssuer((claims.iss as string | undefined) ?? ISSUER)
      .setAudience((claims.aud as string | undefined) ?? 'crossdock-api')
      .setSubject('demo-carrier')
      .setJti(randomUUID())
      .setIssuedAt(options.iat ?? now)
      .setExpirationTime(options.exp ?? now + 600);
    if (options.nbf) jwt.setNotBefore(options.nbf);
    return jwt.sign(key);
  };
  /** The audit entry of a response; refused and mutating requests are committed before their response. */
  const audited = async (response: Response): Promise<AuditRow> => {
    const rows = await queryRows<AuditRow>(
      server.testDatabase.url,
      `SELECT tenant_id, action, client_id, partner_id, route, status, reason, resource_id FROM audit_events
        WHERE correlation_id = $1`,
      [response.headers.get('x-correlation-id')],
    );
    assert.equal(rows.length, 1, `one audit entry for ${response.headers.get('x-correlation-id')}`);
    return rows[0]!;
  };
  const assertInvalidToken = async (response: Response, description: RegExp): Promise<void> => {
    assert.equal(response.status, 401);
    assert.match(response.headers.get('content-type') ?? '', PROBLEM);
    const challenge = response.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer realm="crossdock", error="invalid_token", error_description="/);
    const body = (await response.json()) as { code: string; detail: string };
    assert.equal(body.code, 'invalid-token');
    assert.match(body.detail, description);
    const entry = await audited(response);
    assert.equal(entry.status, 401);
    assert.match(entry.reason ?? '', /^invalid token: /);
  };

  before(async () => {
    ({ publicKey: idpJwk, privateKey: idpKey } = await (async () => {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return {
        publicKey: { ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' },
        privateKey: pair.privateKey,
      };
    })());
    idpServer = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [idpJwk] }));
    });
    await new Promise<void>((resolve) => idpServer.listen(0, '127.0.0.1', resolve));
    const idpPort = (idpServer.address() as { port: number }).port;

    tenantsDir = await mkdtemp(path.join(tmpdir(), 'crossdock-auth-'));
    await cp('tenants/demo', path.join(tenantsDir, 'demo'), { recursive: true });
    await writeFile(
      path.join(tenantsDir, 'acme.yaml'),
      [
        'id: acme',
        'name: Acme with its own identity provider',
        'environment: test',
        'partners:',
        '  - id: acme-carrier',
        '    name: Acme Carrier',
        '    kind: carrier',
        '    scopes: [tracking:read, tracking:write]',
        'identityProviders:',
        '  - issuer: https://idp.acme.test',
        `    jwksUrl: http://127.0.0.1:${idpPort}/jwks`,
        '    audience: crossdock',
        '    partnerClaim: partner',
        '    scopeClaim: scp',
        '    partners:',
        '      carrier-7: acme-carrier',
        '',
      ].join('\n'),
    );
    server = await startTestServer({
      extraModules: [CarrierProbeModule],
      env: {
        CROSSDOCK_TENANTS_DIR: tenantsDir,
        CROSSDOCK_KEY_ENCRYPTION_KEY: KEK_HEX,
        PUBLIC_BASE_URL: ISSUER,
        AUTH_STATUS_CACHE_SECONDS: '1',
      },
    });
  });
  after(async () => {
    await server?.close();
    await new Promise((resolve) => idpServer?.close(resolve));
    if (tenantsDir) await rm(tenantsDir, { recursive: true, force: true });
  });

  describe('POST /oauth/token', () => {
    test('client_secret_basic: a signed ES256 token with every claim, all allowed scopes by default, no-store', async () => {
      const response = await post('grant_type=client_credentials', {
        authorization: basic('demo-carrier', 'demo-carrier-secret'),
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const body = (await response.json()) as TokenBody;
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 900);
      assert.deepEqual(body.scope.split(' ').sort(), [
        'edi:write',
        'invoices:read',
        'invoices:write',
        'messages:read',
        'shipments:read',
        'tracking:read',
        'tracking:write',
      ]);
      const [header, payload] = body.access_token
        .split('.')
        .slice(0, 2)
        .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
      const jwks = (await (await get('/.well-known/jwks.json')).json()) as { keys: { kid: string }[] };
      assert.equal(header!.alg, 'ES256');
      assert.equal(header!.typ, 'at+jwt');
      assert.ok(jwks.keys.some((k) => k.kid === header!.kid));
      assert.equal(payload!.iss, ISSUER);
      assert.equal(payload!.aud, 'crossdock-api');
      assert.equal(payload!.sub, 'demo-carrier');
      assert.equal(payload!.tid, 'demo');
      assert.equal(payload!.pid, 'demo-carrier');
      assert.equal(payload!.scope, body.scope);
      assert.equal((payload!.exp as number) - (payload!.iat as number), 900);
      assert.match(String(payload!.jti), /^[0-9a-f-]{36}$/);
      assert.deepEqual(
        { ...(await audited(response)), reason: undefined },
        {
          tenant_id: 'demo',
          action: 'token.issue',
          client_id: 'demo-carrier',
          partner_id: null,
          route: '/oauth/token',
          status: 200,
          reason: undefined,
          resource_id: payload!.jti,
        },
      );
    });

    test('client_secret_post with a narrower scope; the token works on /v1/me', async () => {
      const response = await post(
        'grant_type=client_credentials&client_id=demo-3pl&client_secret=demo-3pl-secret&scope=shipments%3Awrite+orders%3Aread',
      );
      assert.equal(response.status, 200);
      const body = (await response.json()) as TokenBody;
      assert.equal(body.scope, 'shipments:write orders:read');
      const me = await get('/v1/me', body.access_token);
      assert.equal(me.status, 200);
      assert.deepEqual(await me.json(), {
        tenantId: 'demo',
        partnerId: 'demo-3pl',
        partnerKind: '3pl',
        clientId: 'demo-3pl',
        scopes: ['shipments:write', 'orders:read'],
        issuer: ISSUER,
      });
    });

    test('RFC 6749 §5.2 errors: invalid_request, unsupported_grant_type, invalid_scope, invalid_client', async () => {
      const cases: [string, Record<string, string>, number, string][] = [
        ['client_id=demo-3pl&client_secret=demo-3pl-secret', {}, 400, 'invalid_request'],
        [
          'grant_type=client_credentials&grant_type=client_credentials',
          { authorization: basic('demo-3pl', 'demo-3pl-secret') },
          400,
          'invalid_request',
        ],
        [
          'grant_type=client_credentials&client_secret=x',
          { authorization: basic('demo-3pl', 'demo-3pl-secret') },
          400,
          'invalid_request',
        ],
        [
          'grant_type=password&username=a&password=b',
          { authorization: basic('demo-3pl', 'demo-3pl-secret') },
          400,
          'unsupported_grant_type',
        ],
        [
          'grant_type=client_credentials&scope=audit%3Aread',
          { authorization: basic('demo-3pl', 'demo-3pl-secret') },
          400,
          'invalid_scope',
        ],
        [
          'grant_type=client_credentials&scope=no-such-scope',
          { authorization: basic('demo-3pl', 'demo-3pl-secret') },
          400,
          'invalid_scope',
        ],
        [
          'grant_type=client_credentials',
          { authorization: basic('demo-3pl', 'wrong-secret') },
          401,
          'invalid_client',
        ],
        ['grant_type=client_credentials&client_id=nobody&client_secret=x', {}, 401, 'invalid_client'],
        ['grant_type=client_credentials', {}, 401, 'invalid_client'],
        ['grant_type=client_credentials', { authorization: 'Basic !!!' }, 401, 'invalid_client'],
      ];
      for (const [body, headers, status, error] of cases) {
        const response = await post(body, headers);
        assert.equal(response.status, status, `${body}: ${await response.clone().text()}`);
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
        assert.equal(response.headers.get('cache-control'), 'no-store');
        const answer = (await response.json()) as { error: string; error_description: string };
        assert.equal(answer.error, error, body);
        assert.ok(answer.error_description.length > 0);
        if (error === 'invalid_client') {
          assert.equal(response.headers.get('www-authenticate'), 'Basic realm="crossdock", charset="UTF-8"');
          assert.equal(
            answer.error_description,
            answer.error_description.includes('missing')
              ? answer.error_description
              : 'Client authentication failed.',
          );
        }
      }
      const json = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials' }),
      });
      assert.equal(json.status, 400);
      assert.equal(((await json.json()) as { error: string }).error, 'invalid_request');
    });

    test('secret rotation: both secrets of a client are valid at once', async () => {
      const { hashSecret } = await import('../../src/common/secret-hash.js');
      const [old] = await queryRows<{ secret_hashes: string[] }>(
        server.testDatabase.url,
        `SELECT secret_hashes FROM api_clients WHERE id = 'demo-b-3pl'`,
      );
      await queryRows(
        server.testDatabase.url,
        `UPDATE api_clients SET secret_hashes = $1 WHERE id = 'demo-b-3pl'`,
        [[...old!.secret_hashes, await hashSecret('demo-b-3pl-next-secret')]],
      );
      for (const secret of ['demo-b-3pl-secret', 'demo-b-3pl-next-secret']) {
        const response = await post('grant_type=client_credentials', {
          authorization: basic('demo-b-3pl', secret),
        });
        assert.equal(response.status, 200, secret);
      }
      assert.equal(
        (
          await post('grant_type=client_credentials', {
            authorization: basic('demo-b-3pl', 'demo-b-3pl-old'),
          })
        ).status,
        401,
      );
    });

    test('a deactivated client gets invalid_client, exactly like a wrong secret', async () => {
      await queryRows(
        server.testDatabase.url,
        `UPDATE api_clients SET active = false WHERE id = 'demo-b-edi'`,
      );
      try {
        const response = await post('grant_type=client_credentials', {
          authorization: basic('demo-b-edi', 'demo-b-edi-secret'),
        });
        assert.equal(response.status, 401);
        assert.deepEqual(await response.json(), {
          error: 'invalid_client',
          error_description: 'Client authentication failed.',
        });
      } finally {
        await queryRows(
          server.testDatabase.url,
          `UPDATE api_clients SET active = true WHERE id = 'demo-b-edi'`,
        );
      }
    });
  });

  describe('bearer token verification', () => {
    test('no token: 401 with a bare Bearer challenge', async () => {
      const response = await get('/v1/me');
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="crossdock"');
      assert.equal(((await response.json()) as { code: string }).code, 'unauthorized');
    });

    test('a forged signature (right kid, another key) is refused', async () => {
      const genuine = await token('demo-carrier');
      const [header, payload] = genuine.split('.');
      const forger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
      const forged = await new SignJWT({ ...claims, scope: 'admin' })
        .setProtectedHeader(JSON.parse(Buffer.from(header!, 'base64url').toString()) as { alg: string })
        .sign(forger);
      await assertInvalidToken(await get('/v1/me', forged), /signature is invalid/);
      // And a genuine token with its payload edited.
      const tampered = `${header}.${b64url({ ...claims, tid: 'demo-b' })}.${genuine.split('.')[2]}`;
      await assertInvalidToken(await get('/v1/me', tampered), /signature is invalid/);
    });

    test('alg none is refused', async () => {
      const { kid } = await serverKey();
      const now = Math.floor(Date.now() / 1000);
      const none = `${b64url({ alg: 'none', kid, typ: 'at+jwt' })}.${b64url({ iss: ISSUER, aud: 'crossdock-api', sub: 'demo-carrier', tid: 'demo', pid: 'demo-carrier', scope: 'tracking:write', jti: 'x', iat: now, exp: now + 600 })}.`;
      await assertInvalidToken(await get('/v1/me', none), /algorithm that is not accepted/);
      // Nor another asymmetric algorithm under Crossdock's name (an RSA key the attacker holds).
      const rsa = await new SignJWT({ tid: 'demo', pid: 'demo-carrier', scope: 'tracking:write' })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience('crossdock-api')
        .setSubject('demo-carrier')
        .setJti('r')
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(idpKey);
      await assertInvalidToken(await get('/v1/me', rsa), /algorithm that is not accepted/);
    });

    test('HS256 "signed" with the public key from the JWKS is refused', async () => {
      const jwks = (await (await get('/.well-known/jwks.json')).json()) as {
        keys: (JWK & { kid: string })[];
      };
      const jwk = jwks.keys[0]!;
      const now = Math.floor(Date.now() / 1000);
      const signingInput = `${b64url({ alg: 'HS256', kid: jwk.kid, typ: 'at+jwt' })}.${b64url({ iss: ISSUER, aud: 'crossdock-api', sub: 'demo-carrier', tid: 'demo', pid: 'demo-carrier', scope: 'tracking:write', jti: 'y', iat: now, exp: now + 600 })}`;
      const { createPublicKey } = await import('node:crypto');
      const pem = createPublicKey({ key: jwk, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
      for (const secret of [pem, JSON.stringify(jwk)]) {
        const mac = createHmac('sha256', secret).update(signingInput).digest('base64url');
        await assertInvalidToken(
          await get('/v1/me', `${signingInput}.${mac}`),
          /algorithm that is not accepted/,
        );
      }
    });

    test('expired and not-yet-valid tokens are refused even with a genuine signature', async () => {
      const now = Math.floor(Date.now() / 1000);
      await assertInvalidToken(
        await get('/v1/me', await signedByServer({}, { iat: now - 1000, exp: now - 60 })),
        /expired/,
      );
      await assertInvalidToken(
        await get('/v1/me', await signedByServer({}, { nbf: now + 300 })),
        /not valid yet/,
      );
      // The same key with sane claims does verify: the refusals above are about the claims alone.
      assert.equal((await get('/v1/me', await signedByServer({}))).status, 200);
    });

    test('wrong audience or issuer is refused', async () => {
      await assertInvalidToken(
        await get('/v1/me', await signedByServer({ aud: 'another-api' })),
        /not meant for this API/,
      );
      await assertInvalidToken(
        await get('/v1/me', await signedByServer({ iss: 'https://evil.example' })),
        /untrusted issuer/,
      );
      // An identity provider's audience does not make a Crossdock-issued token valid.
      await assertInvalidToken(
        await get('/v1/me', await signedByServer({ aud: 'crossdock' })),
        /not meant for this API/,
      );
    });

    test('an unknown kid is refused', async () => {
      const { key } = await serverKey();
      const now = Math.floor(Date.now() / 1000);
      const unknown = await new SignJWT({ tid: 'demo', pid: 'demo-carrier', scope: '' })
        .setProtectedHeader({ alg: 'ES256', kid: 'no-such-kid', typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience('crossdock-api')
        .setSubject('demo-carrier')
        .setJti('z')
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .sign(key);
      await assertInvalidToken(await get('/v1/me', unknown), /unknown or retired key/);
    });

    test('a deactivated client or partner loses its valid tokens within the cache window', async () => {
      const issued = await token('demo-b-carrier');
      assert.equal((await get('/v1/me', issued)).status, 200);
      await queryRows(
        server.testDatabase.url,
        `UPDATE api_clients SET active = false WHERE id = 'demo-b-carrier'`,
      );
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await assertInvalidToken(await get('/v1/me', issued), /revoked/);
      await queryRows(
        server.testDatabase.url,
        `UPDATE api_clients SET active = true WHERE id = 'demo-b-carrier'`,
      );
      await queryRows(
        server.testDatabase.url,
        `UPDATE partners SET active = false WHERE tenant_id = 'demo-b' AND id = 'demo-b-carrier'`,
      );
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await assertInvalidToken(await get('/v1/me', issued), /revoked/);
      await queryRows(
        server.testDatabase.url,
        `UPDATE partners SET active = true WHERE tenant_id = 'demo-b' AND id = 'demo-b-carrier'`,
      );
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.equal((await get('/v1/me', issued)).status, 200);
    });
  });

  describe('authorization and tenant isolation', () => {
    test('a customer token on a carrier-only route: 403 insufficient-scope with the RFC 6750 challenge', async () => {
      const customer = await token('demo-customer');
      const response = await get('/v1/carrier-probe', customer);
      const entry = await audited(response);
      assert.deepEqual(
        [entry.tenant_id, entry.client_id, entry.status, entry.reason],
        ['demo', 'demo-customer', 403, 'missing scope tracking:write'],
      );
      assert.equal(response.status, 403);
      assert.match(response.headers.get('content-type') ?? '', PROBLEM);
      assert.match(
        response.headers.get('www-authenticate') ?? '',
        /^Bearer realm="crossdock", error="insufficient_scope", .*scope="tracking:write"$/,
      );
      const body = (await response.json()) as {
        code: string;
        requiredScopes: string[];
        missingScopes: string[];
      };
      assert.equal(body.code, 'insufficient-scope');
      assert.deepEqual(body.missingScopes, ['tracking:write']);
      assert.equal((await get('/v1/carrier-probe', await token('demo-carrier'))).status, 200);
    });

    test('a demo token never reaches a demo-b partner: 404 exactly like a missing one', async () => {
      const carrier = await token('demo-carrier');
      const own = await get('/v1/partners/demo-carrier', carrier);
      assert.equal(own.status, 200);
      assert.equal(((await own.json()) as { id: string; kind: string }).kind, 'carrier');
      const other = await get('/v1/partners/demo-b-carrier', carrier);
      const entry = await audited(other);
      assert.deepEqual(
        [entry.tenant_id, entry.client_id, entry.route, entry.status],
        ['demo', 'demo-carrier', '/v1/partners/:partnerId', 404],
      );
      const missing = await get('/v1/partners/no-such-partner', carrier);
      assert.equal(other.status, 404);
      assert.equal(missing.status, 404);
      const strip = (b: Record<string, unknown>) => ({
        ...b,
        detail: undefined,
        instance: undefined,
        correlationId: undefined,
      });
      assert.deepEqual(
        strip((await other.json()) as Record<string, unknown>),
        strip((await missing.json()) as Record<string, unknown>),
      );
      // Nor a partner of its own tenant that is not itself.
      assert.equal((await get('/v1/partners/demo-3pl', carrier)).status, 404);
    });

    test('row-level security: under withTenant the database itself shows one tenant only', async () => {
      const seen = await withTenant(
        server.dataSource,
        'demo',
        (manager) =>
          manager.query(`SELECT DISTINCT tenant_id FROM partners ORDER BY tenant_id`) as Promise<
            { tenant_id: string }[]
          >,
      );
      assert.deepEqual(
        seen.map((r) => r.tenant_id),
        ['demo'],
      );
      const tenants = await withTenant(
        server.dataSource,
        'demo-b',
        (manager) => manager.query(`SELECT id FROM tenants`) as Promise<{ id: string }[]>,
      );
      assert.deepEqual(
        tenants.map((r) => r.id),
        ['demo-b'],
      );
      await assert.rejects(
        withTenant(server.dataSource, 'demo', (manager) =>
          manager
            .query(`UPDATE partners SET name = 'hijacked' WHERE tenant_id = 'demo-b' RETURNING id`)
            .then((r: unknown) => {
              const rows = updatedRows(r);
              if (rows.length === 0) throw new Error('no row visible');
              return rows;
            }),
        ),
        /no row visible/,
      );
      await assert.rejects(
        withTenant(server.dataSource, 'demo', (manager) =>
          manager.query(
            `INSERT INTO partner_edi_identities (tenant_id, partner_id, standard, identifier) VALUES ('demo-b', 'demo-b-edi', 'x12', 'SMUGGLED')`,
          ),
        ),
        /row-level security/,
      );
      // Outside withTenant the owner still sees every tenant (tenant sync needs that).
      const all = (await server.dataSource.query(
        `SELECT count(DISTINCT tenant_id)::int AS n FROM partners`,
      )) as { n: number }[];
      assert.ok(all[0]!.n >= 3);
    });
  });

  describe('signing key rotation', () => {
    test('after a rotation the old token still verifies, new tokens use the new key, the JWKS shows both; then the old key retires', async () => {
      const before = await token('demo-auditor');
      const oldKid = (
        JSON.parse(Buffer.from(before.split('.')[0]!, 'base64url').toString()) as { kid: string }
      ).kid;
      const rotated = await rotateSigningKey(server.dataSource, parseKeyEncryptionKey(KEK_HEX)!, 960);
      assert.equal(rotated.previous, oldKid);
      const after = await token('demo-auditor');
      const newKid = (
        JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString()) as { kid: string }
      ).kid;
      assert.equal(newKid, rotated.kid);
      assert.notEqual(newKid, oldKid);
      assert.equal((await get('/v1/me', before)).status, 200);
      assert.equal((await get('/v1/me', after)).status, 200);
      const jwks = (await (await get('/.well-known/jwks.json')).json()) as {
        keys: { kid: string; d?: string }[];
      };
      assert.deepEqual(jwks.keys.map((k) => k.kid).sort(), [newKid, oldKid].sort());
      assert.ok(
        jwks.keys.every((k) => k.d === undefined),
        'no private part in the JWKS',
      );

      // Once the overlap has passed, the old key retires: its tokens and its JWKS entry are gone.
      await queryRows(
        server.testDatabase.url,
        `UPDATE signing_keys SET retire_after = now() - interval '1 second' WHERE kid = $1`,
        [oldKid],
      );
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await assertInvalidToken(await get('/v1/me', before), /unknown or retired key/);
      const later = (await (await get('/.well-known/jwks.json')).json()) as { keys: { kid: string }[] };
      assert.deepEqual(
        later.keys.map((k) => k.kid),
        [newKid],
      );
      assert.equal((await get('/v1/me', after)).status, 200);
    });

    test('`crossdock keys rotate` and `keys list` work against the database and never print a private key', async () => {
      const env = {
        DATABASE_URL: server.testDatabase.url,
        CROSSDOCK_KEY_ENCRYPTION_KEY: KEK_HEX,
        CROSSDOCK_DEMO: undefined,
      };
      const active = (await serverKey()).kid;
      const rotated = await run('node', [CLI, 'keys', 'rotate'], env);
      assert.equal(rotated.code, 0, rotated.stderr);
      const kid = /^new signing key (\S+) is active$/m.exec(rotated.stdout)?.[1];
      assert.ok(kid && kid !== active);
      assert.match(
        rotated.stdout,
        new RegExp(`previous key ${active} keeps verifying until \\S+Z, then retires`),
      );
      const listed = await run('node', [CLI, 'keys', 'list', '--json'], env);
      assert.equal(listed.code, 0, listed.stderr);
      const keys = JSON.parse(listed.stdout) as { kid: string; status: string }[];
      assert.equal(keys.find((k) => k.kid === kid)?.status, 'active');
      assert.equal(keys.find((k) => k.kid === active)?.status, 'previous');
      assert.doesNotMatch(rotated.stdout + listed.stdout, /PRIVATE|"d":|v1\./);
      // Tokens issued now carry the key the CLI made active, at once.
      const issued = await token('demo-3pl');
      assert.equal(
        (JSON.parse(Buffer.from(issued.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid,
        kid,
      );
      assert.equal((await get('/v1/me', issued)).status, 200);
      // Outside demo mode the key encryption key is required.
      const refused = await run('node', [CLI, 'keys', 'rotate'], {
        ...env,
        CROSSDOCK_KEY_ENCRYPTION_KEY: undefined,
      });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /configuration error: CROSSDOCK_KEY_ENCRYPTION_KEY is required/);
    });

    test('private keys are stored encrypted, never in clear', async () => {
      const rows = await queryRows<{ private_key_encrypted: string; public_jwk: Record<string, unknown> }>(
        server.testDatabase.url,
        `SELECT private_key_encrypted, public_jwk FROM signing_keys`,
      );
      assert.ok(rows.length >= 1);
      for (const row of rows) {
        assert.match(row.private_key_encrypted, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
        assert.equal(row.public_jwk.d, undefined);
      }
    });
  });

  describe("a tenant's own identity provider", () => {
    const idpToken = (claims: Record<string, unknown>, kid = 'idp-1'): Promise<string> => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ scp: 'tracking:write tracking:read admin', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer('https://idp.acme.test')
        .setAudience((claims.aud as string | undefined) ?? 'crossdock')
        .setSubject('svc-carrier-7')
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(idpKey);
    };

    test('its tokens map to the configured partner, with scopes capped by the tenant file', async () => {
      const response = await get('/v1/me', await idpToken({ partner: 'carrier-7' }));
      assert.equal(response.status, 200, await response.clone().text());
      assert.deepEqual(await response.json(), {
        tenantId: 'acme',
        partnerId: 'acme-carrier',
        partnerKind: 'carrier',
        clientId: 'svc-carrier-7',
        scopes: ['tracking:write', 'tracking:read'],
        issuer: 'https://idp.acme.test',
      });
      assert.equal((await get('/v1/carrier-probe', await idpToken({ partner: 'carrier-7' }))).status, 200);
    });

    test('an unmapped partner, a wrong audience, or a key it does not publish is refused', async () => {
      await assertInvalidToken(
        await get('/v1/me', await idpToken({ partner: 'carrier-8' })),
        /does not name a partner/,
      );
      await assertInvalidToken(
        await get('/v1/me', await idpToken({ partner: 'carrier-7', aud: 'crossdock-api' })),
        /not meant for this API/,
      );
      await assertInvalidToken(
        await get('/v1/me', await idpToken({ partner: 'carrier-7' }, 'idp-unknown')),
        /does not publish/,
      );
    });
  });
});
