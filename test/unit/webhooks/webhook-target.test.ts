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

  test('IPv6 forms that carry or translate to a private or loopback IPv4 address are refused, saying so', () => {
    for (const [address, reason] of [
      ['::7f00:1', /IPv4-compatible, deprecated \(RFC 4291\), carrying 127\.0\.0\.1/],
      ['::127.0.0.1', /IPv4-compatible.*carrying 127\.0\.0\.1/],
      ['::a9fe:a9fe', /IPv4-compatible.*carrying 169\.254\.169\.254/],
      ['64:ff9b::7f00:1', /NAT64 well-known prefix \(RFC 6052\) of 127\.0\.0\.1, loopback/],
      ['64:ff9b::192.168.1.1', /NAT64 well-known prefix.* of 192\.168\.1\.1, private-use/],
      ['64:ff9b:1::808:808', /NAT64 local-use prefix \(RFC 8215\)/],
      ['2002:7f00:1::1', /6to4 \(RFC 3056\) of 127\.0\.0\.1, loopback/],
      ['2002:a9fe:a9fe::', /6to4.* of 169\.254\.169\.254, link-local/],
      ['2002:a00:1:1::1', /6to4.* of 10\.0\.0\.1, private-use/],
      ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo tunnelling \(RFC 4380\)/],
      ['2001::1', /Teredo/],
      ['::ffff:0:7f00:1', /outside the global unicast space/], // IPv4-translated (SIIT)
    ] as const) {
      const refused = refusedAddress(address, false);
      assert.match(refused ?? '', reason, address);
      assert.ok(refused?.startsWith(`${address} is a private, loopback, link-local or reserved address: `));
      // Demo mode allows the loopback itself, never a form that translates to it.
      assert.ok(refusedAddress(address, true), address);
    }
  });

  test('every block of the IANA special-purpose registries that is not globally reachable is refused by name', () => {
    for (const [address, reason] of [
      ['fec0::1', /site-local, deprecated \(RFC 3879\)/],
      ['feff:ffff::1', /site-local/],
      ['100::1', /discard-only \(RFC 6666\)/],
      ['100:0:0:1::1', /dummy prefix \(RFC 9780\)/],
      ['2001:2::1', /benchmarking \(RFC 5180\)/],
      ['2001:10::1', /ORCHID, deprecated/],
      ['2001:1::4', /IETF protocol assignments \(RFC 2928\)/],
      ['2001:1ff::1', /IETF protocol assignments/],
      ['2001:db8::1', /documentation \(RFC 3849\)/],
      ['3fff::1', /documentation \(RFC 9637\)/],
      ['5f00::1', /segment routing SIDs \(RFC 9602\)/],
      ['fd00::1', /unique local \(RFC 4193\)/],
      ['fe80::1%eth0', /link-local \(RFC 4291\)/],
      ['ff02::1', /multicast/],
      ['::', /unspecified/],
      ['::1', /loopback \(RFC 4291\)/],
      ['4000::1', /outside the global unicast space 2000::\/3/],
      ['192.0.2.10', /documentation, TEST-NET-1/],
      ['198.51.100.10', /documentation, TEST-NET-2/],
      ['203.0.113.10', /documentation, TEST-NET-3/],
      ['192.88.99.1', /6to4 relay anycast/],
      ['198.19.0.1', /benchmarking \(RFC 2544\)/],
      ['169.254.169.254', /link-local, cloud metadata services/],
      ['255.255.255.255', /limited broadcast/],
    ] as const) {
      assert.match(refusedAddress(address, false) ?? '', reason, address);
    }
  });

  test('globally reachable addresses pass, NAT64 and 6to4 of a public IPv4 address and the registry exceptions too', () => {
    for (const address of [
      '2606:4700::1111',
      '2a00:1450:4001:80b::200e',
      '64:ff9b::8.8.8.8', // RFC 6052: translated to 8.8.8.8 in an IPv6-only network
      '2002:808:808::1',
      '2001:1::1', // PCP anycast
      '2001:3::1', // AMT
      '2001:4:112::1', // AS112-v6
      '2001:20::1', // ORCHIDv2
      '2620:4f:8000::1', // AS112 direct delegation
      '192.31.196.1',
      '1.1.1.1',
    ]) {
      assert.equal(refusedAddress(address, false), undefined, address);
    }
  });

  test('a URL with such a literal is refused at subscription, and so is the address when connecting', async () => {
    for (const url of [
      'https://[::127.0.0.1]/hook',
      'https://[64:ff9b::a9fe:a9fe]/',
      'https://[2002:c0a8:101::]/',
    ]) {
      assert.match(refusedTarget(url, false) ?? '', /must reach a public address: .* of |carrying /, url);
    }
    // The lookup of a literal answers the literal: the connection-time check is the same function.
    const error = await new Promise<(Error & { code?: string }) | null>((done) =>
      guardedLookup(false)('::7f00:1', { family: 6 }, (e) => done(e)),
    );
    assert.equal(error?.code, 'EWEBHOOKTARGET');
    assert.match(error?.message ?? '', /::7f00:1 refused: .*IPv4-compatible.*carrying 127\.0\.0\.1/);
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
