import type { EntityManager } from 'typeorm';
import { updatedRows } from '../database/updated-rows.js';
import type { ControlNumberGenerator } from '../edi/x12-writer.js';

type Kind = Parameters<ControlNumberGenerator>[0];

/** Every kind, in the order both functions below lock their counter rows: no deadlock between them. */
const KINDS: readonly Kind[] = ['interchange', 'group', 'transaction'];

/** ISA13 takes nine digits: past that a counter starts again at 1 (EDIFACT 0020 would take more). */
const LAST_CONTROL_NUMBER = 999_999_999;

/**
 * Control numbers for acknowledgements, from the partner's database counters (row counters, not
 * PostgreSQL sequences, so they follow the caller's transaction). The EDI engine asks for numbers
 * synchronously while it writes, so a block of upper bounds is reserved up front in the caller's
 * transaction; numbers left unused go back afterwards while no later reservation follows them
 * (releaseControlNumbers), else they are skipped (X12 and EDIFACT require uniqueness first).
 */
export async function reserveControlNumbers(
  manager: EntityManager,
  tenantId: string,
  partnerId: string,
  counts: Readonly<Record<Kind, number>>,
): Promise<ReservedControlNumbers> {
  const next: Partial<Record<Kind, { value: number; last: number }>> = {};
  for (const kind of KINDS.filter((k) => k in counts)) {
    const size = Math.max(1, counts[kind]);
    const [row] = (await manager.query(
      `INSERT INTO control_number_sequences (tenant_id, partner_id, kind, last_value) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, partner_id, kind)
       DO UPDATE SET last_value = CASE
         WHEN control_number_sequences.last_value + $4 > $5 THEN $4
         ELSE control_number_sequences.last_value + $4 END
       RETURNING last_value`,
      [tenantId, partnerId, kind, size, LAST_CONTROL_NUMBER],
    )) as { last_value: string }[];
    const last = Number(row!.last_value);
    next[kind] = { value: last - size + 1, last };
  }
  return {
    next: (kind) => {
      const block = next[kind];
      if (!block || block.value > block.last) throw new Error(`no ${kind} control number reserved`);
      return block.value++;
    },
    unused: () =>
      KINDS.flatMap((kind) => {
        const block = next[kind];
        return block && block.value <= block.last ? [{ kind, first: block.value, last: block.last }] : [];
      }),
  };
}

/** Numbers reserved for one translation's acknowledgements. */
export interface ReservedControlNumbers {
  readonly next: ControlNumberGenerator;
  /**
   * Per kind, the reserved numbers not drawn yet (all of them before the first draw): the counts
   * are upper bounds read off the raw bytes, so most of a block can be left over.
   */
  unused(): ReservedBlock[];
}

/** Control numbers held for one rendering, and how to keep the ones it used. */
export interface HeldControlNumbers {
  /** The number after the last one kept (or handed out here) for each kind. */
  readonly next: ControlNumberGenerator;
  /** Advances the counters past the numbers handed out; without it, the next holder gets them again. */
  keep(): Promise<void>;
}

/**
 * Control numbers for an outbound document, counted on from the partner's counters while their rows
 * stay locked until the caller's transaction ends. The counters move only when the caller keeps
 * what it rendered, so a document render refuses leaves no gap in the sequence the partner sees
 * (many translators flag a gap in ISA13 as a missing interchange); a concurrent publisher for the
 * same partner waits on the lock and goes on from the last number kept.
 */
export async function holdControlNumbers(
  manager: EntityManager,
  tenantId: string,
  partnerId: string,
): Promise<HeldControlNumbers> {
  // An upsert rather than SELECT … FOR UPDATE: the first document for a partner has no row to lock.
  // Rows are taken in KINDS order, as reserveControlNumbers takes them.
  const rows = (await manager.query(
    `INSERT INTO control_number_sequences (tenant_id, partner_id, kind, last_value)
     SELECT $1, $2, k.kind, 0 FROM unnest($3::text[]) WITH ORDINALITY AS k(kind, n) ORDER BY k.n
     ON CONFLICT (tenant_id, partner_id, kind) DO UPDATE SET last_value = control_number_sequences.last_value
     RETURNING kind, last_value`,
    [tenantId, partnerId, KINDS],
  )) as { kind: Kind; last_value: string }[];
  const last = Object.fromEntries(rows.map((r) => [r.kind, Number(r.last_value)])) as Record<Kind, number>;
  const handedOut = new Set<Kind>();
  return {
    next: (kind) => {
      last[kind] = last[kind] >= LAST_CONTROL_NUMBER ? 1 : last[kind] + 1;
      handedOut.add(kind);
      return last[kind];
    },
    keep: async () => {
      if (handedOut.size === 0) return;
      const kinds = KINDS.filter((k) => handedOut.has(k));
      await manager.query(
        `UPDATE control_number_sequences AS c SET last_value = v.last_value
           FROM unnest($3::text[], $4::bigint[]) AS v(kind, last_value)
          WHERE c.tenant_id = $1 AND c.partner_id = $2 AND c.kind = v.kind`,
        [tenantId, partnerId, kinds, kinds.map((k) => last[k])],
      );
    },
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
