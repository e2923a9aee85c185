import type { EntityManager } from 'typeorm';
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
