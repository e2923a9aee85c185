import type * as pkijs from 'pkijs';
import { parseMic, type MicAlgorithm } from './as2-mic.js';
import {
  decodedBody,
  entityFromParts,
  parseContentType,
  parseEntity,
  parseHeaders,
  splitMultipart,
  type MimeEntity,
} from './as2-mime-parser.js';
import { verifyDetached } from './cms-verify.js';

export interface ReadMdn {
  readonly signed: boolean;
  /** False when signed but the signature does not verify with the partner's certificates. */
  readonly signatureValid: boolean;
  readonly originalMessageId?: string;
  /** e.g. `automatic-action/MDN-sent-automatically; processed` */
  readonly disposition?: string;
  readonly processed: boolean;
  readonly mic?: { readonly value: string; readonly algorithm?: MicAlgorithm };
}

/** Reads a (signed) MDN: verifies its signature with the partner's certificates and extracts its fields. */
export async function readMdn(
  contentType: string,
  body: Buffer,
  partnerCertificates: readonly pkijs.Certificate[],
): Promise<ReadMdn | undefined> {
  let entity: MimeEntity = entityFromParts(new Map([['content-type', contentType]]), body);
  let signed = false;
  let signatureValid = false;
  const type = parseContentType(contentType);
  if (type.mediaType === 'multipart/signed') {
    const boundary = type.params.get('boundary');
    if (!boundary) return undefined;
    const [content, signature] = splitMultipart(body, boundary);
    if (!content || !signature) return undefined;
    signed = true;
    const der = decodedBody(parseEntity(signature));
    signatureValid = (await verifyDetached(der, content, partnerCertificates)).valid;
    entity = parseEntity(content);
  }
  const report = parseContentType(entity.headers.get('content-type'));
  if (report.mediaType !== 'multipart/report') return undefined;
  const boundary = report.params.get('boundary');
  if (!boundary) return undefined;
  const notification = splitMultipart(entity.body, boundary)
    .map((part) => parseEntity(part))
    .find(
      (part) =>
        parseContentType(part.headers.get('content-type')).mediaType === 'message/disposition-notification',
    );
  if (!notification) return undefined;
  const fields = parseHeaders(decodedBody(notification));
  const disposition = fields.get('disposition');
  const mic = parseMic(fields.get('received-content-mic'));
  const originalMessageId = fields.get('original-message-id');
  // `processed` alone, or with a warning modifier; any error/failure modifier is a refusal.
  const outcome = disposition?.split(';')[1]?.trim().toLowerCase() ?? '';
  const processed = /^processed(\/warning.*)?$/.test(outcome);
  return {
    signed,
    signatureValid,
    processed,
    ...(disposition ? { disposition } : {}),
    ...(originalMessageId ? { originalMessageId } : {}),
    ...(mic ? { mic: { value: mic.mic, ...(mic.algorithm ? { algorithm: mic.algorithm } : {}) } } : {}),
  };
}
