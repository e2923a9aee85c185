import { normalizeMicAlgorithm, type MicAlgorithm } from './as2-mic.js';
import { splitOutsideQuotes } from './as2-mime-parser.js';

export interface DispositionOptions {
  /** The partner asked for a signed receipt (pkcs7-signature). */
  readonly signed: boolean;
  /** The first digest of its list we support, for the MIC and the MDN signature. */
  readonly micAlgorithm?: MicAlgorithm;
}

/**
 * `signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256, sha1`
 * — parsed loosely (spaces, case, required/optional) because partners write it every way.
 */
export function parseDispositionOptions(value: string | undefined): DispositionOptions {
  if (!value) return { signed: false };
  let signed = false;
  let micAlgorithm: MicAlgorithm | undefined;
  for (const clause of splitOutsideQuotes(value, ';')) {
    const eq = clause.indexOf('=');
    if (eq <= 0) continue;
    const name = clause.slice(0, eq).trim().toLowerCase();
    const values = clause
      .slice(eq + 1)
      .split(',')
      .map((v) => v.trim().replace(/^"|"$/g, '').toLowerCase())
      .filter((v) => v !== 'required' && v !== 'optional' && v.length > 0);
    if (name === 'signed-receipt-protocol') signed = values.includes('pkcs7-signature');
    if (name === 'signed-receipt-micalg') {
      micAlgorithm = values.map(normalizeMicAlgorithm).find((a) => a !== undefined);
    }
  }
  return { signed, ...(micAlgorithm ? { micAlgorithm } : {}) };
}
