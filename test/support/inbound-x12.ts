import { readFile } from 'node:fs/promises';
import type { DataSource } from 'typeorm';
import type { MessageStore } from '../../src/messages/message-store.js';

/** The sample 210 from demo-edi with its own ISA13 and invoice number, received over SFTP: its message id. */
export async function receive210(
  store: MessageStore,
  icn: string,
  invoice: string,
  tenantId = 'demo',
  partnerId = 'demo-edi',
): Promise<string> {
  const file = (await readFile('samples/x12/210-freight-invoice-INV-2026-001.edi', 'utf8'))
    .replaceAll('\n', '')
    .replaceAll('000000005', icn)
    .replace('INV-2026-001', invoice);
  const message = await store.receive({
    tenantId,
    partnerId,
    channel: 'sftp',
    payload: Buffer.from(file),
    fileName: `210-${invoice}.edi`,
    environment: 'production',
  });
  return message.id;
}

/** A partner's control number counters: the last number of each kind that went out (0 before any). */
export async function controlNumberCounters(
  dataSource: DataSource,
  tenantId = 'demo',
  partnerId = 'demo-edi',
): Promise<{ interchange: number; group: number; transaction: number }> {
  const rows = (await dataSource.query(
    `SELECT kind, last_value FROM control_number_sequences WHERE tenant_id = $1 AND partner_id = $2`,
    [tenantId, partnerId],
  )) as { kind: string; last_value: string }[];
  const value = (kind: string): number => Number(rows.find((r) => r.kind === kind)?.last_value ?? 0);
  return { interchange: value('interchange'), group: value('group'), transaction: value('transaction') };
}

/** ISA13, GS06 and ST02 of each interchange of an X12 text, checked against IEA02, GE02 and SE02. */
export function x12ControlNumbers(text: string): { isa13: number; gs06: number; st02: number }[] {
  const segments = text.split('~').map((s) => s.trim().split('*'));
  const found: { isa13: number; gs06: number; st02: number }[] = [];
  let open = { isa13: 0, gs06: 0, st02: 0 };
  for (const [tag, ...elements] of segments) {
    const at = (i: number): number => Number(elements[i - 1]);
    if (tag === 'ISA') open = { isa13: at(13), gs06: 0, st02: 0 };
    else if (tag === 'GS') open.gs06 = at(6);
    else if (tag === 'ST') open.st02 = at(2);
    else if (tag === 'SE' && at(2) !== open.st02) throw new Error(`SE02 ${at(2)} after ST02 ${open.st02}`);
    else if (tag === 'GE' && at(2) !== open.gs06) throw new Error(`GE02 ${at(2)} after GS06 ${open.gs06}`);
    else if (tag === 'IEA') {
      if (at(2) !== open.isa13) throw new Error(`IEA02 ${at(2)} after ISA13 ${open.isa13}`);
      found.push(open);
    }
  }
  return found;
}
