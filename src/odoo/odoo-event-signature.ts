/**
 * Realtime sync: Odoo automated actions POST record events to `/v1/odoo/events`, signed with the
 * tenant's secret. The signature covers a timestamp and the raw body (`t=<unix>,v1=<hex>` over
 * `"<t>.<body>"`, HMAC-SHA256), so a captured request cannot be replayed after the tolerance window.
 * In the automated action (Python, server action code):
 *
 *   t = str(int(time.time()))
 *   sig = hmac.new(secret.encode(), (t + '.' + body).encode(), hashlib.sha256).hexdigest()
 *   headers = {'Content-Type': 'application/json', 'X-Crossdock-Signature': f't={t},v1={sig}'}
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const ODOO_EVENT_SIGNATURE_HEADER = 'x-crossdock-signature';

export type OdooEventSignatureCheck =
  | { readonly valid: true }
  | { readonly valid: false; readonly reason: 'missing' | 'malformed' | 'expired' | 'mismatch' };

export interface SignatureCheckOptions {
  readonly now?: () => Date;
  /** Accepted clock difference either way, in seconds. */
  readonly toleranceSeconds?: number;
}

function hmac(secret: string, timestamp: string, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

export function signOdooEvent(body: Buffer | string, secret: string, at: Date = new Date()): string {
  const t = String(Math.floor(at.getTime() / 1000));
  return `t=${t},v1=${hmac(secret, t, body).toString('hex')}`;
}

/** Checks against every current secret (two during a rotation), in constant time per secret. */
export function verifyOdooEventSignature(
  body: Buffer | string,
  header: string | undefined,
  secrets: readonly string[],
  options: SignatureCheckOptions = {},
): OdooEventSignatureCheck {
  if (!header) return { valid: false, reason: 'missing' };
  const parts = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (!t || !/^\d{1,12}$/.test(t) || !v1 || !/^[0-9a-f]{64}$/i.test(v1))
    return { valid: false, reason: 'malformed' };
  const now = (options.now ?? (() => new Date()))().getTime() / 1000;
  if (Math.abs(now - Number(t)) > (options.toleranceSeconds ?? 300))
    return { valid: false, reason: 'expired' };
  const given = Buffer.from(v1, 'hex');
  const matches = secrets.some((secret) => timingSafeEqual(hmac(secret, t, body), given));
  return matches ? { valid: true } : { valid: false, reason: 'mismatch' };
}
