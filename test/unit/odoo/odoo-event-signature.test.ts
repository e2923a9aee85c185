import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { signOdooEvent, verifyOdooEventSignature } from '../../../src/odoo/odoo-event-signature.js';

const body = '{"model":"stock.picking","id":7,"event":"done"}';
const at = new Date('2026-11-27T09:30:00Z');
const now = (): Date => new Date(at.getTime() + 20_000);

describe('Odoo event signatures', () => {
  test('what the Python snippet computes verifies', () => {
    const t = String(at.getTime() / 1000);
    const sig = createHmac('sha256', 'tenant-secret').update(`${t}.${body}`).digest('hex');
    assert.deepEqual(
      verifyOdooEventSignature(Buffer.from(body), `t=${t},v1=${sig}`, ['tenant-secret'], { now }),
      {
        valid: true,
      },
    );
    assert.equal(signOdooEvent(body, 'tenant-secret', at), `t=${t},v1=${sig}`);
  });

  test('either secret of a rotation is accepted', () => {
    const header = signOdooEvent(body, 'next-secret', at);
    assert.equal(verifyOdooEventSignature(body, header, ['old-secret', 'next-secret'], { now }).valid, true);
  });

  test('a changed body, a wrong secret, an old timestamp or a bad header are refused with a reason', () => {
    const header = signOdooEvent(body, 'tenant-secret', at);
    const check = (b: string, h: string | undefined, secrets = ['tenant-secret'], n = now) =>
      verifyOdooEventSignature(b, h, secrets, { now: n });
    assert.deepEqual(check(body.replace('7', '8'), header), { valid: false, reason: 'mismatch' });
    assert.deepEqual(check(body, header, ['other']), { valid: false, reason: 'mismatch' });
    assert.deepEqual(
      check(body, header, ['tenant-secret'], () => new Date(at.getTime() + 3_600_000)),
      {
        valid: false,
        reason: 'expired',
      },
    );
    assert.deepEqual(check(body, undefined), { valid: false, reason: 'missing' });
    assert.deepEqual(check(body, 'v1=abc'), { valid: false, reason: 'malformed' });
  });
});
