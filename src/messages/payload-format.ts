import type { PayloadFormat } from './message-state.js';

/** Tells X12, EDIFACT and JSON apart from the first non-blank bytes (a BOM is skipped). */
export function detectPayloadFormat(payload: Buffer): PayloadFormat {
  let start = 0;
  if (payload[0] === 0xef && payload[1] === 0xbb && payload[2] === 0xbf) start = 3;
  while (start < payload.length && /\s/.test(String.fromCharCode(payload[start]!))) start += 1;
  const head = payload.subarray(start, start + 3).toString('latin1');
  if (head === 'ISA') return 'x12';
  if (head === 'UNA' || head === 'UNB' || head === 'UNH') return 'edifact';
  if (head.startsWith('{') || head.startsWith('[')) return 'json';
  return 'unknown';
}
