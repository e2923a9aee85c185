/**
 * A create whose answer never came (our timeout, a proxy's 504, a reset connection) may still be
 * running in Odoo and commit after the retry has searched for it and created the record again: the
 * external id then binds the retry's record and the late one stays behind, a duplicate nobody
 * binds. So before a create, a delivery takes a lease in Odoo (an `ir.model.data` row
 * `pending_<name>`, its `create_date` stamped by Odoo). A later attempt that finds no record but a
 * lease younger than `createLeaseSeconds` (longer than Odoo's own `limit_time_real`, 120 s by default)
 * is told to try again later; once the lease is older, a request that took
 * it can no longer commit, and what the natural-key search did not find will not appear.
 * Two deliveries racing meet at the unique index: the second is told to try again.
 */
import { DEFAULT_ODOO_TIMEOUT_MS, type OdooClient } from './odoo-client.js';
import { OdooError } from './odoo-errors.js';
import { completeName, type ExternalIdRef } from './odoo-external-ids.js';

/**
 * The lease when the tenant sets none: four times the client's timeout plus 30 s, so 150 s with the
 * default 30 s timeout, past Odoo's default limit_time_real of 120 s. A create still running in
 * Odoo that long after we gave up on it has been killed by Odoo.
 */
export function defaultCreateLeaseSeconds(timeoutMs: number = DEFAULT_ODOO_TIMEOUT_MS): number {
  return Math.ceil(timeoutMs / 1000) * 4 + 30;
}

export interface CreateLease {
  /**
   * Runs the create under the lease. Once Odoo answered, the lease is removed: the record is
   * committed (the natural-key search finds it from now on) or Odoo refused it for good (a business
   * or access error rolled it back). Without an answer the lease stays and runs its time.
   */
  create<T>(create: () => Promise<T>): Promise<T>;
}

function leaseRef(ref: ExternalIdRef): ExternalIdRef {
  return { module: ref.module, name: `pending_${ref.name}` };
}

/** Odoo's `YYYY-MM-DD HH:MM:SS` (UTC) as epoch milliseconds. */
function odooTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(`${value.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Takes the lease for creating the record `ref` will name, or rejects with a retryable OdooError
 * while an earlier attempt's create may still commit. Call it after the natural-key search found
 * nothing to adopt, right before the create.
 */
export async function takeCreateLease(
  client: OdooClient,
  ref: ExternalIdRef,
  model: string,
  leaseSeconds: number = defaultCreateLeaseSeconds(client.timeoutMs),
  now: () => number = Date.now,
): Promise<CreateLease> {
  const lease = leaseRef(ref);
  const rows = await client.call<Array<{ id: number; create_date: unknown }>>(
    'ir.model.data',
    'search_read',
    {
      domain: [
        ['module', '=', lease.module],
        ['name', '=', lease.name],
      ],
      fields: ['create_date'],
    },
  );
  for (const row of rows) {
    const takenAt = odooTime(row.create_date);
    const age = takenAt === undefined ? Infinity : (now() - takenAt) / 1000;
    if (age < leaseSeconds) throw stillPending(ref, model, age, leaseSeconds);
  }
  // Expired: whatever request took it can no longer commit.
  if (rows.length > 0) await client.call('ir.model.data', 'unlink', { ids: rows.map((r) => r.id) });
  let leaseId: number;
  try {
    const created = await client.call<number | number[]>('ir.model.data', 'create', {
      vals_list: [{ module: lease.module, name: lease.name, model, res_id: 0, noupdate: true }],
    });
    leaseId = Array.isArray(created) ? created[0]! : created;
  } catch (error) {
    // The unique index: another delivery of the same document took the lease an instant ago.
    if (error instanceof OdooError && error.kind === 'business')
      throw stillPending(ref, model, 0, leaseSeconds);
    throw error;
  }
  const release = (): Promise<unknown> => client.call('ir.model.data', 'unlink', { ids: [leaseId] });
  return {
    create: async <T>(create: () => Promise<T>): Promise<T> => {
      let created: T;
      try {
        created = await create();
      } catch (error) {
        if (error instanceof OdooError && error.kind !== 'retryable') await release().catch(() => undefined);
        throw error;
      }
      await release();
      return created;
    },
  };
}

/** Removes a lease a create left behind (the record it created was adopted): keeps ir.model.data clean. */
export async function dropCreateLease(client: OdooClient, ref: ExternalIdRef): Promise<void> {
  const lease = leaseRef(ref);
  const ids = await client.call<number[]>('ir.model.data', 'search', {
    domain: [
      ['module', '=', lease.module],
      ['name', '=', lease.name],
    ],
  });
  if (ids.length > 0) await client.call('ir.model.data', 'unlink', { ids });
}

function stillPending(ref: ExternalIdRef, model: string, age: number, leaseSeconds: number): OdooError {
  return new OdooError(
    'retryable',
    `an earlier attempt to create the ${model} for ${completeName(ref)} may still commit in Odoo (started ${Math.max(0, Math.round(age))} s ago); it is searched for again once ${leaseSeconds} s have passed`,
    { model, method: 'create' },
  );
}
