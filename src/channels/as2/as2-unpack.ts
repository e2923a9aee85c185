import type * as pkijs from 'pkijs';
import { computeMic, type MicAlgorithm } from './as2-mic.js';
import {
  MimeError,
  decodedBody,
  parseContentType,
  parseEntity,
  splitMultipart,
  type MimeEntity,
} from './as2-mime-parser.js';
import { DecompressedTooLarge, decompress, isCompressed } from './cms-compress.js';
import { DecryptionFailed, decryptEnveloped, isEnveloped, type DecryptionKey } from './cms-decrypt.js';
import { verifyDetached } from './cms-verify.js';

/** RFC 4130 §7.4.3 disposition modifiers of a negative MDN. */
export type As2Failure =
  | 'decryption-failed'
  | 'authentication-failed'
  | 'integrity-check-failed'
  | 'insufficient-message-security'
  | 'decompression-failed'
  | 'unexpected-processing-error';

export class As2Rejection extends Error {
  /** Refused after the sender's signature verified: the bytes are that partner's, not a claim. */
  authenticated = false;

  constructor(
    readonly failure: As2Failure,
    message: string,
  ) {
    super(message);
  }
}

export interface UnpackPolicy {
  readonly keys: readonly DecryptionKey[];
  readonly partnerCertificates: readonly pkijs.Certificate[];
  readonly requireSigned: boolean;
  readonly requireEncrypted: boolean;
  /** The digest the partner asked for in Disposition-Notification-Options, if any. */
  readonly micAlgorithm?: MicAlgorithm;
  /** Largest content a compressed entity may inflate to (the body size limit); unbounded when absent. */
  readonly maxPayloadBytes?: number;
}

export interface UnpackedMessage {
  /** The business document: the innermost entity's decoded body. */
  readonly payload: Buffer;
  readonly contentType: string;
  readonly fileName?: string;
  readonly signed: boolean;
  readonly encrypted: boolean;
  readonly compressed: boolean;
  /** Base64 MIC per RFC 4130 §7.3.1 and the digest it used. */
  readonly mic: string;
  readonly micAlgorithm: MicAlgorithm;
}

const PKCS7_MIME = ['application/pkcs7-mime', 'application/x-pkcs7-mime'];

/**
 * Peels an AS2 body: decrypt → (decompress) → verify → (decompress), noting which entity's exact
 * bytes the MIC must cover. The top entity is the HTTP body with the HTTP Content-Type.
 */
export async function unpackAs2(top: MimeEntity, policy: UnpackPolicy): Promise<UnpackedMessage> {
  const progress = { signed: false };
  try {
    return await peel(top, policy, progress);
  } catch (error) {
    if (error instanceof As2Rejection) error.authenticated = progress.signed;
    throw error;
  }
}

async function peel(
  top: MimeEntity,
  policy: UnpackPolicy,
  progress: { signed: boolean },
): Promise<UnpackedMessage> {
  let entity = top;
  let encrypted = false;
  let signed = false;
  let compressed = false;
  let micBytes: Buffer | undefined;
  let micAlgorithm: MicAlgorithm = policy.micAlgorithm ?? 'sha256';
  for (let depth = 0; depth < 6; depth += 1) {
    const type = parseContentType(entity.headers.get('content-type'));
    if (PKCS7_MIME.includes(type.mediaType) || type.mediaType === 'application/octet-stream') {
      const der = cmsBytes(entity);
      if (!encrypted && isEnveloped(der)) {
        let clear: Buffer;
        try {
          clear = decryptEnveloped(der, policy.keys);
        } catch (error) {
          if (error instanceof DecryptionFailed) throw new As2Rejection('decryption-failed', error.message);
          throw error;
        }
        encrypted = true;
        entity = parseInner(clear);
        // Encrypted and unsigned: the MIC covers the decrypted entity (headers and body).
        micBytes = entity.raw;
        continue;
      }
      if (isCompressed(der)) {
        let inflated: Buffer;
        try {
          inflated = decompress(der, policy.maxPayloadBytes);
        } catch (error) {
          if (error instanceof DecompressedTooLarge)
            throw new As2Rejection('decompression-failed', error.message);
          throw new As2Rejection('decompression-failed', 'the compressed content could not be inflated');
        }
        compressed = true;
        entity = parseInner(inflated);
        // Compressed before signing: the MIC stays with the signed entity (RFC 5402 §4).
        if (!signed) micBytes = entity.raw;
        continue;
      }
      if (PKCS7_MIME.includes(type.mediaType)) {
        // Declared as CMS but neither an envelope we can open nor compressed data (truncated,
        // corrupt): the failure follows what the sender said it is.
        const declared = type.params.get('smime-type')?.toLowerCase();
        if (declared === 'compressed-data')
          throw new As2Rejection(
            'decompression-failed',
            'declared smime-type=compressed-data, but the content is not readable CMS CompressedData (truncated or corrupt?)',
          );
        throw new As2Rejection(
          encrypted ? 'unexpected-processing-error' : 'decryption-failed',
          declared
            ? `declared smime-type=${declared}, but the content is not readable CMS (truncated or corrupt?)`
            : 'unreadable CMS content',
        );
      }
    }
    if (type.mediaType === 'multipart/signed' && !signed) {
      const boundary = type.params.get('boundary');
      if (!boundary) throw new As2Rejection('integrity-check-failed', 'multipart/signed without boundary');
      let parts: Buffer[];
      try {
        // A multipart body is never transfer-encoded inside MIME, but a sender may base64 it over HTTP.
        parts = splitMultipart(decodedBody(entity), boundary);
      } catch (error) {
        throw new As2Rejection('integrity-check-failed', (error as Error).message);
      }
      const [content, signature] = parts;
      if (!content || !signature) throw new As2Rejection('integrity-check-failed', 'signature part missing');
      const signatureDer = cmsBytes(parseInner(signature));
      const check = await verifyDetached(signatureDer, content, policy.partnerCertificates);
      if (!check.valid) {
        throw new As2Rejection(
          'authentication-failed',
          "the signature does not verify with the partner's certificate",
        );
      }
      signed = true;
      progress.signed = true;
      micAlgorithm = policy.micAlgorithm ?? check.digest ?? 'sha256';
      // Signed: the MIC covers the signed entity exactly as received, headers included.
      micBytes = content;
      entity = parseInner(content);
      continue;
    }
    break;
  }
  if (policy.requireEncrypted && !encrypted) {
    throw new As2Rejection('insufficient-message-security', 'this partner must encrypt its messages');
  }
  if (policy.requireSigned && !signed) {
    throw new As2Rejection('insufficient-message-security', 'this partner must sign its messages');
  }
  const type = parseContentType(entity.headers.get('content-type'));
  const payload = decodedBody(entity);
  // Neither signed nor encrypted: the MIC covers the body alone.
  const mic = computeMic(micBytes ?? top.body, micAlgorithm);
  const fileName = fileNameOf(entity);
  return {
    payload,
    contentType: withoutControls(type.mediaType) || 'application/octet-stream',
    signed,
    encrypted,
    compressed,
    mic,
    micAlgorithm,
    ...(fileName ? { fileName } : {}),
  };
}

function parseInner(bytes: Buffer): MimeEntity {
  try {
    return parseEntity(bytes);
  } catch (error) {
    if (error instanceof MimeError) throw new As2Rejection('unexpected-processing-error', error.message);
    throw error;
  }
}

/** CMS arrives as binary DER or base64, with or without a Content-Transfer-Encoding saying which. */
function cmsBytes(entity: MimeEntity): Buffer {
  const body = decodedBody(entity);
  if (body[0] === 0x30) return body;
  const text = body.toString('latin1');
  if (/^[A-Za-z0-9+/=\s]+$/.test(text)) return Buffer.from(text.replace(/\s+/g, ''), 'base64');
  return body;
}

function fileNameOf(entity: MimeEntity): string | undefined {
  const disposition = entity.headers.get('content-disposition');
  const match = disposition ? /filename\s*=\s*"?([^";]+)"?/i.exec(disposition) : null;
  // Only the last path component: a partner's file name never chooses a directory.
  const name = match ? withoutControls(match[1]!.split(/[\\/]/).pop() ?? '') : '';
  return name || undefined;
}

/**
 * Header text without control characters: a NUL cannot be stored in a PostgreSQL text column, and
 * the failed insert would answer every retry of the message with a 500, forever.
 */
function withoutControls(text: string): string {
  return [...text].filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f).join('');
}
