/** Fixture paths resolve from the repository root: tests run there on compiled JS in dist/test/... */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sequentialControlNumbers } from '../../../src/edi/x12-writer.js';
import type { TranslateOptions } from '../../../src/edi/translate.js';
import type { JsonObject } from '../../../src/edi/map-paths.js';

export const X12_FIXTURES = join(process.cwd(), 'test', 'fixtures', 'edi', 'x12');
export const MAPS_DIR = join(process.cwd(), 'edi-maps');

export function x12Fixture(name: string): Buffer {
  return readFileSync(join(X12_FIXTURES, name));
}

export function x12FixtureText(name: string): string {
  return readFileSync(join(X12_FIXTURES, name), 'utf8');
}

/** Inbound fixtures (not the expected acks next to them). */
export function listX12Fixtures(sub = ''): string[] {
  return readdirSync(join(X12_FIXTURES, sub))
    .filter((f) => f.endsWith('.edi') && !f.endsWith('.ack.edi'))
    .sort();
}

/** The options the golden files were produced with: a pinned clock and control numbers from 1. */
export function goldenOptions(extra: TranslateOptions = {}): TranslateOptions {
  return {
    now: () => new Date('2026-11-27T10:00:00Z'),
    acks: true,
    controlNumbers: sequentialControlNumbers(),
    mapsDir: MAPS_DIR,
    ...extra,
  };
}

/** Interchanges of 856s with varying content; `start` numbers them, so each control number is unique. */
export function generatedInterchanges(count: number, sets: number, start = 1): string {
  let text = '';
  for (let k = start; k < start + count; k++) {
    const icn = String(k).padStart(9, '0');
    text += `ISA*00*          *00*          *ZZ*PARSENDER      *ZZ*PARRECEIVER    *261127*0930*U*00401*${icn}*0*P*>~\n`;
    text += `GS*SH*PARSENDER*PARRECEIVER*20261127*0930*${k}*X*004010~\n`;
    for (let s = 1; s <= sets; s++) {
      const st = String(s).padStart(4, '0');
      const body = [
        `BSN*00*SHP${k}-${s}*20261127*0930*0001`,
        'HL*1**S*1',
        `REF*BM*BOL${k}${s}`,
        'N1*ST*STORE*92*ST01',
        'HL*2*1*O*1',
        `PRF*PO${k}${s}***20261120`,
        'HL*3*2*I*0',
        `LIN*1*BP*SKU-${s}*VP*V-${s}`,
        // Every seventh set has an invalid quantity unit, so diagnostics come from workers too.
        `SN1**${s}*${s % 7 === 0 ? 'XX9' : 'EA'}`,
        'CTT*3',
      ];
      text += `ST*856*${st}~\n${body.map((b) => `${b}~\n`).join('')}SE*${body.length + 2}*${st}~\n`;
    }
    text += `GE*${sets}*${k}~\nIEA*1*${icn}~\n`;
  }
  return text;
}

/** A fresh copy of the maps directory, to break or override (a fresh path: loadMaps caches by it). */
export function copyOfMaps(): string {
  const maps = mkdtempSync(join(tmpdir(), 'maps-'));
  cpSync(MAPS_DIR, maps, { recursive: true });
  return maps;
}

/** A FreightInvoice as a REST caller sends it, in USD, with `fields` over the envelope. */
export function freightInvoice(fields: JsonObject): JsonObject {
  return {
    documentType: 'FreightInvoice',
    schemaVersion: '1',
    id: 'inv-1',
    tenantId: 't',
    partnerId: 'SENDERID',
    createdAt: '2026-11-27T10:00:00Z',
    source: { channel: 'rest', format: 'json', environment: 'production', messageId: 'm' },
    correlationId: 'c',
    references: [],
    invoiceNumber: 'INV-1',
    invoiceDate: '2026-11-27',
    paymentMethod: 'prepaid',
    carrier: { scac: 'ABCD' },
    parties: [],
    ...fields,
  };
}

/**
 * A copy of the maps directory with a partner `broken` whose override names a rule the 214 map does
 * not have: loading reports it, and none of that partner's input is translated.
 */
export function mapsWithBrokenPartner(): string {
  const maps = copyOfMaps();
  mkdirSync(join(maps, 'partners', 'broken'));
  writeFileSync(
    join(maps, 'partners', 'broken', 'partner.yaml'),
    'maps:\n  x12-214:\n    rules:\n      no-such-rule: { always: true }\n',
  );
  return maps;
}
