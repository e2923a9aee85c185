/**
 * Chatter notes posted exactly once, whatever happens around them: a marker in the body finds a note
 * an attempt posted before its answer was lost, and an external id on the note settles two
 * deliveries racing (the loser removes the note it just posted), as for any record Crossdock creates.
 */
import type { OdooClient } from './odoo-client.js';
import {
  bindExternalId,
  externalIdName,
  resolveExternalId,
  type ExternalIdRef,
} from './odoo-external-ids.js';
import { findNote, postNote } from './odoo-records.js';

export interface NoteOnceResult {
  /** The mail.message that carries the note. */
  readonly id: number;
  /** True when this call posted the note that stays. */
  readonly posted: boolean;
}

/** The external id of the note carrying `marker`: one per marker, whichever record it sits on. */
export function noteRef(module: string, marker: string): ExternalIdRef {
  return { module, name: externalIdName('note', marker) };
}

/**
 * Posts `body` (which must contain `marker`) on the record unless a note with that marker is
 * already there or bound. Returns the note that stays.
 */
export async function postNoteOnce(
  client: OdooClient,
  module: string,
  model: string,
  resId: number,
  marker: string,
  body: string,
): Promise<NoteOnceResult> {
  if (!body.includes(marker)) throw new Error('a note posted once must carry its marker');
  const ref = noteRef(module, marker);
  const known = await resolveExternalId(client, ref);
  if (known) return { id: known.resId, posted: false };
  const existing = await findNote(client, model, resId, marker);
  if (existing !== undefined) {
    return { id: await bindExternalId(client, ref, 'mail.message', existing), posted: false };
  }
  const posted = await postNote(client, model, resId, body);
  const bound = await bindExternalId(client, ref, 'mail.message', posted);
  if (bound === posted) return { id: posted, posted: true };
  // Another delivery of the same document posted and bound the same note first: ours is a duplicate.
  await client.call('mail.message', 'unlink', { ids: [posted] });
  return { id: bound, posted: false };
}
