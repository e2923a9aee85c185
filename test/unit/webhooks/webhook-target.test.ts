import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { guardedLookup, refusedAddress, refusedTarget } from '../../../src/webhooks/webhook-target.js';

describe('webhook targets: public addresses only', () => {
  test('private, loopback, link-local, reserved and mapped addresses are refused; public ones pass', () => {
    for (const address of [
      '10.1.2.3',
      '172.31.255.255',
      '192.168.0.1',
      '127.0.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '::1',
      '::',
      'fd12::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:a00:1',
      '64:ff9b::a00:1',
    ]) {
      assert.ok(refusedAddress(address, false), address);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8']) {
      assert.equal(refusedAddress(address, false), undefined, address);
    }
  });

  test('the loopback is allowed only when asked (demo mode), the rest of the private space never', () => {
    assert.equal(refusedAddress('127.0.0.1', true), undefined);
    assert.equal(refusedAddress('::1', true), undefined);
    assert.ok(refusedAddress('10.0.0.1', true));
    assert.equal(refusedTarget('http://127.0.0.1:8080/hook', true), undefined);
    assert.equal(refusedTarget('http://localhost:8080/hook', true), undefined);
    assert.match(refusedTarget('http://127.0.0.1:8069/web', false) ?? '', /public address/);
    assert.match(refusedTarget('https://localhost/hook', false) ?? '', /localhost/);
    assert.match(refusedTarget('https://app.localhost./hook', false) ?? '', /localhost/);
  });

  test('every spelling of an address is judged as the address it parses to; credentials are refused', () => {
    for (const url of [
      'https://2130706433/',
      'https://0x7f000001/',
      'https://127.1/',
      'https://[::ffff:7f00:1]/',
      'https://[0:0:0:0:0:ffff:169.254.169.254]/latest',
    ]) {
      assert.match(refusedTarget(url, false) ?? '', /public address/, url);
    }
    assert.match(refusedTarget('https://user:pw@example.com/', false) ?? '', /credentials/);
    assert.equal(refusedTarget('https://hooks.example.com/crossdock', false), undefined);
  });

  test('a name is judged by what it resolves to when Crossdock connects', async () => {
    const resolve = (allowLoopback: boolean) =>
      new Promise<{ error: (Error & { code?: string }) | null; address: string }>((done) =>
        guardedLookup(allowLoopback)('localhost', { family: 4 }, (error, address) =>
          done({ error, address: String(address) }),
        ),
      );
    const refused = await resolve(false);
    assert.equal(refused.error?.code, 'EWEBHOOKTARGET');
    assert.match(refused.error?.message ?? '', /localhost refused: 127\.0\.0\.1/);
    const allowed = await resolve(true);
    assert.equal(allowed.error, null);
    assert.equal(allowed.address, '127.0.0.1');
  });
});
