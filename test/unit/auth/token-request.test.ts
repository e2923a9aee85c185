import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OAuthTokenError } from '../../../src/auth/oauth-token-error.js';
import { parseTokenRequest } from '../../../src/auth/token-request.js';

const FORM = 'application/x-www-form-urlencoded';
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function refused(run: () => unknown): { error: string; status: number } {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof OAuthTokenError);
    return { error: error.error, status: error.status };
  }
  assert.fail('expected an OAuthTokenError');
}

describe('parseTokenRequest (RFC 6749 §4.4.2 and §2.3.1)', () => {
  test('client_secret_basic, with form-urlencoded user and password decoded', () => {
    assert.deepEqual(
      parseTokenRequest(FORM, basic('client%3A1', 'p%40ss+word'), { grant_type: 'client_credentials' }),
      {
        clientId: 'client:1',
        clientSecret: 'p@ss word',
        authMethod: 'client_secret_basic',
        scopes: undefined,
      },
    );
  });

  test('client_secret_post with a scope list; charset parameters are accepted', () => {
    assert.deepEqual(
      parseTokenRequest(`${FORM}; charset=UTF-8`, undefined, {
        grant_type: 'client_credentials',
        client_id: 'demo-3pl',
        client_secret: 's',
        scope: 'orders:read  shipments:write',
      }),
      {
        clientId: 'demo-3pl',
        clientSecret: 's',
        authMethod: 'client_secret_post',
        scopes: ['orders:read', 'shipments:write'],
      },
    );
  });

  test('the error of each malformed request', () => {
    const ok = { grant_type: 'client_credentials' };
    const auth = basic('a', 'b');
    assert.deepEqual(
      refused(() => parseTokenRequest('application/json', auth, ok)),
      { error: 'invalid_request', status: 400 },
    );
    assert.deepEqual(
      refused(() => parseTokenRequest(FORM, auth, {})),
      { error: 'invalid_request', status: 400 },
    );
    assert.deepEqual(
      refused(() =>
        parseTokenRequest(FORM, auth, { grant_type: ['client_credentials', 'client_credentials'] }),
      ),
      { error: 'invalid_request', status: 400 },
    );
    assert.deepEqual(
      refused(() => parseTokenRequest(FORM, auth, { grant_type: 'authorization_code' })),
      {
        error: 'unsupported_grant_type',
        status: 400,
      },
    );
    assert.deepEqual(
      refused(() => parseTokenRequest(FORM, auth, { ...ok, scope: ' ' })),
      {
        error: 'invalid_scope',
        status: 400,
      },
    );
    assert.deepEqual(
      refused(() => parseTokenRequest(FORM, auth, { ...ok, scope: 'a"b' })),
      {
        error: 'invalid_scope',
        status: 400,
      },
    );
    // Two authentication methods at once, or a body client_id that contradicts the Basic user.
    assert.deepEqual(
      refused(() => parseTokenRequest(FORM, auth, { ...ok, client_secret: 'b' })),
      {
        error: 'invalid_request',
        status: 400,
      },
    );
    assert.deepEqual(
      refused(() => parseTokenRequest(FORM, auth, { ...ok, client_id: 'other' })),
      {
        error: 'invalid_request',
        status: 400,
      },
    );
    // No credentials, or unreadable ones: invalid_client (401).
    assert.deepEqual(
      refused(() => parseTokenRequest(FORM, undefined, ok)),
      { error: 'invalid_client', status: 401 },
    );
    assert.deepEqual(
      refused(() => parseTokenRequest(FORM, 'Bearer abc', ok)),
      { error: 'invalid_client', status: 401 },
    );
    assert.deepEqual(
      refused(() => parseTokenRequest(FORM, `Basic ${Buffer.from('nocolon').toString('base64')}`, ok)),
      {
        error: 'invalid_client',
        status: 401,
      },
    );
    assert.deepEqual(
      refused(() => parseTokenRequest(FORM, basic('%zz', 'x'), ok)),
      {
        error: 'invalid_client',
        status: 401,
      },
    );
  });
});
