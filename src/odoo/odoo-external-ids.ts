/**
 * Idempotency keys kept in Odoo itself: every record Crossdock creates (or adopts) gets an
 * `ir.model.data` row `crossdock_<tenant>.<type>_<natural key>`, checked before any create, so a
 * redelivery finds the record instead of duplicating it, whichever Crossdock node delivers it.
 */
import { createHash } from 'node:crypto';
import type { OdooClient } from './odoo-client.js';
import { OdooError } from './odoo-errors.js';

export interface ExternalIdRef {
  readonly module: string;
  readonly name: string;
}

export interface ResolvedExternalId extends ExternalIdRef {
  readonly model: string;
  readonly resId: number;
}

export function completeName(ref: ExternalIdRef): string {
  return `${ref.module}.${ref.name}`;
}

const MAX_NAME = 120;

function clean(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function shortHash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 10);
}

/**
 * Lower-cases and replaces anything outside [a-z0-9_]. When that loses information ("PO-1" and
 * "po_1" would meet, or parts "a_b"+"c" and "a"+"b_c"), or the result is too long, one short hash
 * of the original parts keeps distinct keys distinct.
 */
export function sanitizeExternalIdParts(parts: readonly string[]): string {
  const cleaned = parts.map(clean);
  const joined = cleaned.join('_');
  const lossless = parts.every((p) => /^[a-z0-9]+$/.test(p)) && joined.length <= MAX_NAME;
  if (lossless) return joined;
  return `${joined.slice(0, MAX_NAME - 12).replace(/_+$/, '') || 'x'}_h${shortHash(JSON.stringify(parts))}`;
}

/**
 * `crossdock_<tenant>`, plainly sanitized so operators recognise it in Odoo. Tenant ids are unique
 * slugs, so two of them meeting after sanitizing would need ids like "acme-x" and "acme_x".
 */
export function externalIdModule(tenantId: string): string {
  return `crossdock_${clean(tenantId) || 'tenant'}`;
}

/** `<type>_<natural key parts>`, readable when the key is already clean, suffixed by one hash when not. */
export function externalIdName(type: string, ...naturalKey: readonly string[]): string {
  return `${type}_${sanitizeExternalIdParts(naturalKey)}`;
}

/**
 * The record an external id points to, or undefined. A stale id whose record was deleted in Odoo
 * is removed, so the document is applied again rather than skipped forever.
 */
export async function resolveExternalId(
  client: OdooClient,
  ref: ExternalIdRef,
): Promise<ResolvedExternalId | undefined> {
  return (await resolveExternalIds(client, [ref]))[0];
}

/**
 * Several external ids of one module in two or three round trips instead of two per id: with
 * Odoo tens of milliseconds away, round trips are what a delivery costs. The ones that exist, in `refs` order.
 */
export async function resolveExternalIds(
  client: OdooClient,
  refs: readonly ExternalIdRef[],
): Promise<ResolvedExternalId[]> {
  if (refs.length === 0) return [];
  const modules = [...new Set(refs.map((r) => r.module))];
  const rows = await client.call<
    Array<{ id: number; module: string; name: string; model: string; res_id: number }>
  >('ir.model.data', 'search_read', {
    domain: [
      ['module', 'in', modules],
      ['name', 'in', [...new Set(refs.map((r) => r.name))]],
    ],
    fields: ['module', 'name', 'model', 'res_id'],
  });
  const alive = new Set<string>();
  for (const model of new Set(rows.map((r) => r.model))) {
    const ids = rows.filter((r) => r.model === model).map((r) => r.res_id);
    const found = await client.call<number[]>(model, 'search', { domain: [['id', 'in', ids]] });
    for (const id of found) alive.add(`${model},${id}`);
  }
  const stale = rows.filter((r) => !alive.has(`${r.model},${r.res_id}`)).map((r) => r.id);
  if (stale.length > 0) await client.call('ir.model.data', 'unlink', { ids: stale });
  const resolved: ResolvedExternalId[] = [];
  for (const ref of refs) {
    const row = rows.find((r) => r.module === ref.module && r.name === ref.name);
    if (row && alive.has(`${row.model},${row.res_id}`))
      resolved.push({ ...ref, model: row.model, resId: row.res_id });
  }
  return resolved;
}

/**
 * Records the external id (`noupdate` keeps Odoo module upgrades off it) and returns the record it
 * ends up naming. When a concurrent delivery of the same key bound it first, Odoo's unique index
 * refuses ours; that is not an error here: the winner's record id comes back instead.
 */
export async function bindExternalId(
  client: OdooClient,
  ref: ExternalIdRef,
  model: string,
  resId: number,
): Promise<number> {
  try {
    await client.call('ir.model.data', 'create', {
      vals_list: [{ module: ref.module, name: ref.name, model, res_id: resId, noupdate: true }],
    });
    return resId;
  } catch (error) {
    if (!(error instanceof OdooError) || error.kind !== 'business') throw error;
    const winner = await resolveExternalId(client, ref);
    if (!winner || winner.model !== model) throw error;
    return winner.resId;
  }
}

/**
 * Binds a record this delivery just created. If another delivery of the same document won the
 * race, ours is a duplicate: it is removed and the winner's id returned with `won: false`.
 */
export async function bindCreatedRecord(
  client: OdooClient,
  ref: ExternalIdRef,
  model: string,
  createdIds: readonly number[],
): Promise<{ readonly id: number; readonly won: boolean }> {
  const mainId = createdIds[0]!;
  const bound = await bindExternalId(client, ref, model, mainId);
  if (bound === mainId) return { id: mainId, won: true };
  await client.call(model, 'unlink', { ids: createdIds });
  return { id: bound, won: false };
}
