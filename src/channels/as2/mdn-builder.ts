import { randomBytes } from 'node:crypto';
import type { MicAlgorithm } from './as2-mic.js';
import { formatMic } from './as2-mic.js';
import type { As2Failure } from './as2-unpack.js';
import type { SigningIdentity } from './cms-sign.js';
import { signedMultipart } from './signed-multipart.js';

export interface MdnInput {
  readonly as2From: string;
  readonly as2To: string;
  readonly originalMessageId: string;
  readonly mic?: { readonly value: string; readonly algorithm: MicAlgorithm };
  /** Absent: processed. */
  readonly failure?: As2Failure;
  readonly explanation: string;
  /** Signs the MDN with this identity and digest; unsigned when absent. */
  readonly signWith?: { readonly identity: SigningIdentity; readonly digest: MicAlgorithm };
}

export interface BuiltMdn {
  /** Headers of the HTTP response or request that carries it (AS2-*, Message-ID, Content-Type). */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly messageId: string;
}

const CRLF = '\r\n';

/** An RFC 4130 §7.4 MDN (multipart/report), signed (multipart/signed) when asked. All CRLF. */
export async function buildMdn(input: MdnInput): Promise<BuiltMdn> {
  const reportBoundary = `----=_MDN_${randomBytes(12).toString('hex')}`;
  const disposition = input.failure
    ? `automatic-action/MDN-sent-automatically; processed/error: ${input.failure}`
    : 'automatic-action/MDN-sent-automatically; processed';
  const fields = [
    'Reporting-UA: Crossdock AS2',
    `Original-Recipient: rfc822; ${input.as2To}`,
    `Final-Recipient: rfc822; ${input.as2To}`,
    `Original-Message-ID: ${input.originalMessageId}`,
    ...(input.mic ? [`Received-Content-MIC: ${formatMic(input.mic.value, input.mic.algorithm)}`] : []),
    `Disposition: ${disposition}`,
  ];
  const reportBody = [
    `--${reportBoundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    'Content-Transfer-Encoding: 7bit',
    '',
    input.explanation.replace(/[\r\n]+/g, ' '),
    '',
    `--${reportBoundary}`,
    'Content-Type: message/disposition-notification',
    'Content-Transfer-Encoding: 7bit',
    '',
    ...fields,
    '',
    `--${reportBoundary}--`,
    '',
  ].join(CRLF);
  const reportType = `multipart/report; report-type=disposition-notification; boundary="${reportBoundary}"`;
  const messageId = `<${randomBytes(16).toString('hex')}@crossdock>`;
  const base: Record<string, string> = {
    'as2-version': '1.2',
    'as2-from': quoteAs2Id(input.as2To),
    'as2-to': quoteAs2Id(input.as2From),
    'message-id': messageId,
    'mime-version': '1.0',
  };
  if (!input.signWith) {
    return {
      headers: { ...base, 'content-type': reportType },
      body: Buffer.from(reportBody, 'latin1'),
      messageId,
    };
  }
  const signedEntity = Buffer.from(`Content-Type: ${reportType}${CRLF}${CRLF}${reportBody}`, 'latin1');
  const signed = await signedMultipart(signedEntity, input.signWith.identity, input.signWith.digest);
  return { headers: { ...base, 'content-type': signed.contentType }, body: signed.body, messageId };
}

/** AS2 identifiers with spaces or specials travel quoted (RFC 4130 §6.2). */
export function quoteAs2Id(id: string): string {
  return /^[!#-[\]-~]+$/.test(id) && !/[()<>@,;:\\"/[\]?={} ]/.test(id) ? id : `"${id.replace(/"/g, '\\"')}"`;
}

export function unquoteAs2Id(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1).replace(/\\(.)/g, '$1')
    : trimmed;
}
