import type { EntityManager } from 'typeorm';
import { updatedRows } from '../database/updated-rows.js';
import type { ControlNumberGenerator } from '../edi/x12-writer.js';

type Kind = Parameters<ControlNumberGenerator>[0];

/**
 * Outbound control numbers from a per-partner database sequence. The EDI engine asks for numbers
 * synchronously while it writes, so a block is reserved up front in the caller's transaction;
 * numbers left unused are skipped (X12 and EDIFACT require uniqueness, not contiguity).
 */
export async function reserveControlNumbers(
  manager: EntityManager,
  tenantId: string,
  partnerId: string,
  counts: Readonly<Record<Kind, number>>,
): Promise<ControlNumberGenerator> {
  const next: Partial<Record<Kind, { value: number; last: number }>> = {};
  for (const kind of Object.keys(counts) as Kind[]) {
    const size = Math.max(1, counts[kind]);
    const [row] = (await manager.query(
      `INSERT INTO control_number_sequences (tenant_id, partner_id, kind, last_value) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, partner_id, kind)
       DO UPDATE SET last_value = CASE
         WHEN control_number_sequences.last_value + $4 > 999999999 THEN $4
         ELSE control_number_sequences.last_value + $4 END
       RETURNING last_value`,
      [tenantId, partnerId, kind, size],
    )) as { last_value: string }[];
    const last = Number(row!.last_value);
    next[kind] = { value: last - size + 1, last };
  }
  return (kind) => {
    const block = next[kind];
    if (!block || block.value > block.last) throw new Error(`no ${kind} control number reserved`);
    return block.value++;
  };
}

/** Upper bounds of the numbers an acknowledgement run needs, counted cheaply from the raw bytes. */
export function ackControlNumberNeeds(payload: Buffer): Record<Kind, number> {
  const text = payload.toString('latin1');
  const count = (pattern: RegExp): number => (text.match(pattern) ?? []).length;
  const interchanges = Math.max(1, count(/ISA|UNB/g));
  const groups = Math.max(1, count(/GS|UNH|UNG/g));
  return { interchange: interchanges, group: groups, transaction: groups };
}

/** A block of numbers reserved for one kind, first to last. */
export interface ReservedBlock {
  readonly kind: Kind;
  readonly first: number;
  readonly last: number;
}

/**
 * What a reservation took, read from its fresh generator (which it then consumes): `counts` as
 * given to `reserveControlNumbers`. Only for a generator nothing was drawn from yet.
 */
export function reservedBlocks(
  controlNumbers: ControlNumberGenerator,
  counts: Readonly<Record<Kind, number>>,
): ReservedBlock[] {
  return (Object.keys(counts) as Kind[]).map((kind) => {
    const first = Number(controlNumbers(kind));
    return { kind, first, last: first + Math.max(1, counts[kind]) - 1 };
  });
}

/**
 * Gives unused blocks back, each only while it is still the last one reserved of its kind: a
 * later reservation keeps its numbers and the gap stays (uniqueness first). Returns how many
 * blocks went back.
 */
export async function releaseControlNumbers(
  manager: EntityManager,
  tenantId: string,
  partnerId: string,
  blocks: readonly ReservedBlock[],
): Promise<number> {
  let released = 0;
  for (const block of blocks) {
    const result: unknown = await manager.query(
      `UPDATE control_number_sequences SET last_value = $4
        WHERE tenant_id = $1 AND partner_id = $2 AND kind = $3 AND last_value = $5 RETURNING kind`,
      [tenantId, partnerId, block.kind, block.first - 1, block.last],
    );
    released += updatedRows(result).length;
  }
  return released;
}
