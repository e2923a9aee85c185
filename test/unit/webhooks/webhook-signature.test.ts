import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signWebhook, verifyWebhook } from '../../../src/webhooks/webhook-signature.js';

const secret = 'whsec_test';
const body = '{"type":"tracking.updated"}';
const at = new Date('2026-11-27T10:00:00Z');

test('a signature is the HMAC of "<t>.<body>" and verifies only with the secret, the body and in time', () => {
  const header = signWebhook(secret, body, at);
  assert.match(header, /^t=1795773600,v1=[0-9a-f]{64}$/);
  assert.ok(verifyWebhook(secret, body, header, at));
  assert.ok(verifyWebhook(secret, body, header, new Date(at.getTime() + 299_000)));
  assert.ok(!verifyWebhook(secret, body, header, new Date(at.getTime() + 301_000)), 'replayed too late');
  assert.ok(!verifyWebhook('whsec_other', body, header, at));
  assert.ok(!verifyWebhook(secret, `${body} `, header, at), 'body changed');
  const moved = header.replace('t=1795773600', 't=1795773660');
  assert.ok(!verifyWebhook(secret, body, moved, at), 'the timestamp is signed too');
  assert.ok(!verifyWebhook(secret, body, 'garbage', at));
});
