import type { EntityManager } from 'typeorm';
import type { ControlNumberGenerator } from '../edi/x12-writer.js';

type Kind = Parameters<ControlNumberGenerator>[0];

/** Every kind, in the order their counter rows are locked: two holders never deadlock. */
const KINDS: readonly Kind[] = ['interchange', 'group', 'transaction'];

/** ISA13 takes nine digits: past that a counter starts again at 1 (EDIFACT 0020 would take more). */
const LAST_CONTROL_NUMBER = 999_999_999;

/** Control numbers held for one rendering, and how to keep the ones it used. */
export interface HeldControlNumbers {
  /** The number after the last one kept (or handed out here) for each kind. */
  readonly next: ControlNumberGenerator;
  /** Advances the counters past the numbers handed out; without it, the next holder gets them again. */
  keep(): Promise<void>;
}

/**
 * Control numbers for an outbound document or a translation's acknowledgements (see
 * numberAcknowledgements), counted on from the partner's counters while their rows
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
  // Rows are taken in KINDS order, whoever holds them (a publish, a translation storing its acks).
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

/**
 * Gives a translation's acknowledgements their control numbers as they are stored, in the
 * transaction that stores them. The engine writes acks while it translates, outside any
 * transaction and before it is known whether they will be stored at all (a duplicate, a broken
 * partner file, a crash), so it writes provisional numbers (distinct per kind within the
 * translation); here each is replaced by the partner's next number, its counter rows held until
 * the caller commits. Numbers are drawn only for acks that are stored: concurrent translations for
 * one partner wait on each other for this step only, and a rolled-back attempt draws none.
 */
export async function numberAcknowledgements(
  manager: EntityManager,
  tenantId: string,
  partnerId: string,
  acks: readonly string[],
): Promise<string[]> {
  if (acks.length === 0) return [];
  const numbers = await holdControlNumbers(manager, tenantId, partnerId);
  // Shared by all acks of the translation: its provisional numbers are distinct across them.
  const assigned = new Map<string, number>();
  const numbered = acks.map((ack) =>
    renumberEnvelopes(ack, (kind, provisional, opens) => {
      const key = `${kind}:${provisional}`;
      let value = assigned.get(key);
      if (value === undefined) {
        if (!opens) throw new Error(`acknowledgement trailer names ${kind} ${provisional}, opened nowhere`);
        value = Number(numbers.next(kind));
        assigned.set(key, value);
      }
      return value;
    }),
  );
  await numbers.keep();
  return numbered;
}

/** Where an envelope segment carries our control number: element index, kind, digits (X12 pads). */
interface EnvelopeField {
  readonly index: number;
  readonly kind: Kind;
  readonly width: number;
  /** The header that opens the envelope (a number is drawn) rather than its trailer (it is repeated). */
  readonly opens: boolean;
}

const X12_FIELDS: Readonly<Record<string, EnvelopeField>> = {
  ISA: { index: 13, kind: 'interchange', width: 9, opens: true },
  GS: { index: 6, kind: 'group', width: 1, opens: true },
  ST: { index: 2, kind: 'transaction', width: 4, opens: true },
  SE: { index: 2, kind: 'transaction', width: 4, opens: false },
  GE: { index: 2, kind: 'group', width: 1, opens: false },
  IEA: { index: 2, kind: 'interchange', width: 9, opens: false },
};

/** A CONTRL takes only an interchange reference from the counters (its UNH 0062 is always 1). */
const EDIFACT_FIELDS: Readonly<Record<string, EnvelopeField>> = {
  UNB: { index: 5, kind: 'interchange', width: 1, opens: true },
  UNZ: { index: 2, kind: 'interchange', width: 1, opens: false },
};

/**
 * One acknowledgement interchange as our writers wrote it (x12-ack-writer.ts, contrl.ts), with the
 * control number of each envelope segment replaced by `final(kind, provisional, opens)`. Every
 * other byte stays as written.
 */
export function renumberEnvelopes(
  text: string,
  final: (kind: Kind, provisional: number, opens: boolean) => number,
): string {
  let head = '';
  let body = text;
  let fields = X12_FIELDS;
  let element: string;
  let terminator: string;
  let release: string | undefined;
  if (text.startsWith('ISA')) {
    element = text[3]!;
    terminator = isaTerminator(text);
  } else if (text.startsWith('UNA')) {
    // UNA:+.? ' names component, element, decimal, release, repetition and terminator.
    head = text.slice(0, 9);
    body = text.slice(9);
    fields = EDIFACT_FIELDS;
    element = text[4]!;
    release = text[6]!;
    terminator = text[8]!;
  } else if (text.startsWith('UNB')) {
    fields = EDIFACT_FIELDS;
    element = '+';
    release = '?';
    terminator = "'";
  } else {
    throw new Error(`not an acknowledgement interchange: ${JSON.stringify(text.slice(0, 20))}`);
  }
  // Every envelope opened must be closed by a trailer renumbered with it, or the ack is corrupt.
  let open = 0;
  const segments = splitUnreleased(body, terminator, release).map((segment) => {
    const elements = splitUnreleased(segment, element, release);
    const field = fields[elements[0]!.trimStart()];
    if (!field) return segment;
    open += field.opens ? 1 : -1;
    const provisional = elements[field.index];
    if (provisional === undefined || !/^\d+$/.test(provisional))
      throw new Error(`acknowledgement ${elements[0]!.trimStart()} without a control number: ${segment}`);
    elements[field.index] = String(final(field.kind, Number(provisional), field.opens)).padStart(
      field.width,
      '0',
    );
    return elements.join(element);
  });
  if (open !== 0) throw new Error(`acknowledgement envelopes not closed as opened: ${text.slice(0, 40)}`);
  return head + segments.join(terminator);
}

/**
 * An X12 interchange's segment terminator: the character after ISA's 105 fixed-width characters
 * (the element separator follows the tag). A whole character: an astral one is two UTF-16 units.
 */
export function isaTerminator(text: string): string {
  return String.fromCodePoint(text.codePointAt(105) ?? 0);
}

/**
 * `text` split at each `separator` not escaped by the release character (X12 has none). A separator
 * may be two UTF-16 units (an astral character as X12 terminator).
 */
function splitUnreleased(text: string, separator: string, release: string | undefined): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === release) i++;
    else if (text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      i += separator.length - 1;
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
