import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rateLimitSource } from '../../../src/rate-limit/source-address.js';

describe('the source an address is counted as', () => {
  test('IPv4 counts per address', () => {
    assert.equal(rateLimitSource('203.0.113.7'), '203.0.113.7');
    assert.notEqual(rateLimitSource('203.0.113.7'), rateLimitSource('203.0.113.8'));
  });

  test('IPv4-mapped IPv6 counts as its IPv4, in either spelling', () => {
    assert.equal(rateLimitSource('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(rateLimitSource('::FFFF:cb00:7107'), '203.0.113.7');
    assert.equal(rateLimitSource('0:0:0:0:0:ffff:203.0.113.7'), '203.0.113.7');
  });

  test('IPv6 counts per /64, however the address is written', () => {
    const source = rateLimitSource('2001:db8:1:2::1');
    assert.equal(source, '2001:db8:1:2::/64');
    for (const other of [
      '2001:db8:1:2:ffff:ffff:ffff:fffe',
      '2001:0DB8:0001:0002:0:0:0:9',
      '2001:db8:1:2:a:b:192.0.2.1',
      '2001:db8:1:2::1%eth0',
    ])
      assert.equal(rateLimitSource(other), source, other);
    assert.notEqual(rateLimitSource('2001:db8:1:3::1'), source);
    assert.equal(rateLimitSource('::1'), '0:0:0:0::/64');
    assert.equal(rateLimitSource('2001:db8::'), '2001:db8:0:0::/64');
  });

  test('a value that is no address counts as given', () => {
    assert.equal(rateLimitSource('unknown'), 'unknown');
    assert.equal(rateLimitSource(''), '');
  });
});
