import { createHash } from 'node:crypto';

/** Digest algorithms AS2 partners name in `micalg` / `signed-receipt-micalg`. */
export type MicAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

const NAMES: Readonly<Record<string, MicAlgorithm>> = {
  sha1: 'sha1',
  'sha-1': 'sha1',
  sha256: 'sha256',
  'sha-256': 'sha256',
  sha384: 'sha384',
  'sha-384': 'sha384',
  sha512: 'sha512',
  'sha-512': 'sha512',
};

/** Partners write `sha1`, `SHA-1`, `sha-256`...: one spelling per algorithm before comparing. */
export function normalizeMicAlgorithm(name: string | undefined): MicAlgorithm | undefined {
  return name === undefined ? undefined : NAMES[name.trim().toLowerCase()];
}

/** The RFC 5751 spelling used in `micalg=` and in Received-Content-MIC. */
export function micAlgorithmLabel(algorithm: MicAlgorithm): string {
  return { sha1: 'sha-1', sha256: 'sha-256', sha384: 'sha-384', sha512: 'sha-512' }[algorithm];
}

/** WebCrypto's name of the same digest. */
export function webCryptoHash(algorithm: MicAlgorithm): string {
  return { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' }[algorithm];
}

/**
 * RFC 4130 §7.3.1: the MIC covers the signed entity (headers and body) of a signed message, the
 * decrypted entity of an encrypted unsigned one, and the body alone of an unprotected one. The
 * caller passes exactly those bytes; this only digests and formats them.
 */
export function computeMic(bytes: Buffer, algorithm: MicAlgorithm): string {
  return createHash(algorithm).update(bytes).digest('base64');
}

/** `Received-Content-MIC: <base64>, <alg>` */
export function formatMic(mic: string, algorithm: MicAlgorithm): string {
  return `${mic}, ${micAlgorithmLabel(algorithm)}`;
}

export function parseMic(value: string | undefined): { mic: string; algorithm?: MicAlgorithm } | undefined {
  if (!value) return undefined;
  const [mic, alg] = value.split(',').map((s) => s.trim());
  if (!mic) return undefined;
  const algorithm = normalizeMicAlgorithm(alg);
  return { mic, ...(algorithm ? { algorithm } : {}) };
}
