/** Typed wrappers over the ORM calls the mappings use; each hides one protocol difference at most. */
import type { OdooClient, OdooDomain } from './odoo-client.js';

export type OdooRecord = Readonly<Record<string, unknown>> & { readonly id: number };

export async function searchRead(
  client: OdooClient,
  model: string,
  domain: OdooDomain,
  fields: readonly string[],
  options: { readonly limit?: number; readonly offset?: number; readonly order?: string } = {},
): Promise<OdooRecord[]> {
  return client.call<OdooRecord[]>(model, 'search_read', { domain, fields, ...options });
}

export async function readRecords(
  client: OdooClient,
  model: string,
  ids: readonly number[],
  fields: readonly string[],
): Promise<OdooRecord[]> {
  if (ids.length === 0) return [];
  return client.call<OdooRecord[]>(model, 'read', { ids, fields });
}

export async function createRecord(
  client: OdooClient,
  model: string,
  vals: Readonly<Record<string, unknown>>,
): Promise<number> {
  const result = await client.call<number | number[]>(model, 'create', { vals_list: [vals] });
  const id = Array.isArray(result) ? result[0] : result;
  if (typeof id !== 'number') throw new TypeError(`${model}.create returned ${JSON.stringify(result)}`);
  return id;
}

export async function writeRecords(
  client: OdooClient,
  model: string,
  ids: readonly number[],
  vals: Readonly<Record<string, unknown>>,
): Promise<void> {
  if (ids.length === 0 || Object.keys(vals).length === 0) return;
  await client.call(model, 'write', { ids, vals });
}

/**
 * Posts an internal note in the record's chatter and returns the mail.message id. 16/17 JSON-RPC
 * answers an int (`@api.returns`), JSON-2 answers the ids list.
 */
export async function postNote(client: OdooClient, model: string, id: number, body: string): Promise<number> {
  const result = await client.call<number | number[]>(model, 'message_post', {
    ids: [id],
    body,
    message_type: 'comment',
    subtype_xmlid: 'mail.mt_note',
  });
  const messageId = Array.isArray(result) ? result[0] : result;
  if (typeof messageId !== 'number')
    throw new TypeError(`${model}.message_post returned ${JSON.stringify(result)}`);
  return messageId;
}

/** The note already in this record's chatter that carries `marker`, if any. */
export async function findNote(
  client: OdooClient,
  model: string,
  id: number,
  marker: string,
): Promise<number | undefined> {
  const rows = await searchRead(
    client,
    'mail.message',
    [
      ['model', '=', model],
      ['res_id', '=', id],
      ['body', 'ilike', marker],
    ],
    ['id'],
    { limit: 1 },
  );
  return rows[0]?.id;
}

/** Only the fields whose current value differs (Odoo many2one reads as `[id, name]`). */
export function changedValues(
  current: OdooRecord,
  wanted: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(wanted)) {
    const now = current[field];
    const comparable = Array.isArray(now) && typeof value === 'number' ? now[0] : now;
    if (comparable !== value && !(comparable === false && (value === false || value === '')))
      changes[field] = value;
  }
  return changes;
}
