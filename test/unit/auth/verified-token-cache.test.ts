import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SignJWT, generateKeyPair } from 'jose';
import { VerifiedTokenCache } from '../../../src/auth/verified-token-cache.js';

async function token(expiresInSeconds: number): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: 'tracking:read' })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject('demo-carrier')
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(privateKey);
}

describe('VerifiedTokenCache', () => {
  test('remembers a verified token with its kid until it expires', async () => {
    const cache = new VerifiedTokenCache(0);
    const valid = await token(600);
    assert.equal(cache.get(valid), undefined, 'nothing before it was verified');
    cache.remember(valid);
    const hit = cache.get(valid);
    assert.equal(hit?.kid, 'k1');
    assert.equal(hit?.payload.sub, 'demo-carrier');
    assert.equal(cache.get(`${valid}x`), undefined, 'another string is another token');
  });

  test('an expired token is not served from the cache', async () => {
    const cache = new VerifiedTokenCache(0);
    const expired = await token(-1);
    cache.remember(expired);
    assert.equal(cache.get(expired), undefined);
  });

  test('garbage is never remembered', () => {
    const cache = new VerifiedTokenCache(0);
    cache.remember('not.a.jwt');
    assert.equal(cache.get('not.a.jwt'), undefined);
  });
});
