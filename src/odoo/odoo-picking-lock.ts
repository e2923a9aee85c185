/**
 * Some deliveries read a picking's current values and write them back with their own added
 * (a shipment's quantities on top of earlier shipments', tracking numbers merged): two of them on
 * one picking at the same time would both read the old values and the second write would undo the
 * first. Such a read-add-write runs in an exclusive section keyed by the pickings it touches.
 *
 * Within a process, a section waits for the earlier ones on the same Odoo connection. Across
 * processes, the caller provides `OdooDeliveryOptions.exclusive` (the pipeline holds PostgreSQL
 * advisory locks on a small pool of lock connections, never the main pool's, released however the
 * section ends, crash included: src/database/advisory-lock-pool.ts).
 */
import type { OdooClient } from './odoo-client.js';
import type { DeliveryContext } from './odoo-delivery-types.js';
import { OdooError } from './odoo-errors.js';

/** The lock key of one Odoo picking of the tenant. */
export function pickingLockKey(ctx: DeliveryContext, pickingId: number): string {
  return `${ctx.module}:stock.picking:${pickingId}`;
}

/** Per Odoo connection: each key's last waiter (a section starts once the one before it ended). */
const tails = new WeakMap<OdooClient, Map<string, Promise<void>>>();

async function locally<T>(client: OdooClient, keys: readonly string[], work: () => Promise<T>): Promise<T> {
  let held = tails.get(client);
  if (!held) tails.set(client, (held = new Map()));
  const releases: Array<() => void> = [];
  try {
    // Always in the same order, so two sections wanting the same two pickings cannot wait on each other.
    for (const key of [...new Set(keys)].sort()) {
      const before = held.get(key) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      const tail = before.then(() => mine);
      held.set(key, tail);
      releases.push(() => {
        release();
        if (held.get(key) === tail) held.delete(key);
      });
      await before;
    }
    return await work();
  } finally {
    for (const release of releases.reverse()) release();
  }
}

export async function exclusively<T>(
  ctx: DeliveryContext,
  keys: readonly string[],
  work: () => Promise<T>,
): Promise<T> {
  const shared = ctx.options.exclusive;
  if (!shared) return locally(ctx.client, keys, work);
  return locally(ctx.client, keys, async () => {
    let failure: { error: unknown } | undefined;
    try {
      return await shared(keys, async () => {
        try {
          return await work();
        } catch (error) {
          failure = { error };
          throw error;
        }
      });
    } catch (error) {
      if (failure && failure.error === error) throw error;
      // Taking or releasing the lock failed (no lock connection free in time, a lock timeout, the
      // database away, the pool closed at shutdown): worth a retry.
      const message = error instanceof Error ? error.message : String(error);
      throw new OdooError('retryable', `the lock on ${keys.join(', ')} failed: ${message}`, { cause: error });
    }
  });
}
