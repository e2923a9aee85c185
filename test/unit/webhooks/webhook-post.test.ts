import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { postWebhook, WebhookTargetRefused } from '../../../src/webhooks/webhook-post.js';

const options = { allowLoopback: false, timeoutMs: 5_000 };

test('a URL refused as written is final (WebhookTargetRefused): no retry can make it public', async () => {
  await assert.rejects(postWebhook('http://127.0.0.1:9/hook', {}, '{}', options), WebhookTargetRefused);
});

test('a name refused for what it resolves to now fails this attempt only, to be retried', async (t) => {
  // The machine's own name resolves to a loopback address here (Debian's /etc/hosts); elsewhere skip.
  const name = hostname();
  const address = await lookup(name, { family: 4 }).then(
    (r) => r.address,
    () => '',
  );
  if (!address.startsWith('127.')) {
    t.skip(`${name} resolves to ${address || 'nothing'}, not a loopback address`);
    return;
  }
  await assert.rejects(postWebhook(`http://${name}:9/hook`, {}, '{}', options), (error: unknown) => {
    assert.ok(error instanceof Error && !(error instanceof WebhookTargetRefused), String(error));
    assert.match(error.message, /refused/);
    return true;
  });
});
