import { computeMic, micAlgorithmLabel, type MicAlgorithm } from './as2-mic.js';
import type { As2PartnerSettings, As2TenantIdentity } from './as2-partner-settings.js';
import { encryptEnveloped } from './cms-encrypt.js';
import { signedMultipart } from './signed-multipart.js';
import { quoteAs2Id } from './mdn-builder.js';

export interface OutboundAs2 {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The MIC we expect back in the partner's MDN (RFC 4130 §7.3.1). */
  readonly mic: string;
  readonly micAlgorithm: MicAlgorithm;
}

const CRLF = '\r\n';

/**
 * Builds the AS2 request for one outbound payload: sign (multipart/signed) and/or encrypt (CMS
 * EnvelopedData, DER) per the partner's settings, with the headers that ask for a signed MDN.
 */
export async function buildOutboundAs2(input: {
  readonly payload: Buffer;
  readonly contentType: string;
  readonly fileName: string;
  readonly messageId: string;
  readonly ours: As2TenantIdentity;
  readonly partner: As2PartnerSettings;
  /** Our URL for an asynchronous MDN; sync when absent. */
  readonly receiptUrl?: string;
}): Promise<OutboundAs2> {
  const { partner } = input;
  const micAlgorithm = partner.signingAlgorithm;
  const entity = Buffer.concat([
    Buffer.from(
      [
        `Content-Type: ${input.contentType}`,
        'Content-Transfer-Encoding: binary',
        `Content-Disposition: attachment; filename="${input.fileName.replace(/["\\\r\n]/g, '_')}"`,
        '',
        '',
      ].join(CRLF),
      'latin1',
    ),
    input.payload,
  ]);
  let contentType = input.contentType;
  let body = input.payload;
  let mic = computeMic(input.payload, micAlgorithm);
  let inner = entity;
  if (partner.sign) {
    const signed = await signedMultipart(entity, input.ours.signing, micAlgorithm);
    contentType = signed.contentType;
    body = signed.body;
    // Signed: the MIC covers the signed entity, headers included.
    mic = computeMic(entity, micAlgorithm);
    inner = Buffer.concat([Buffer.from(`Content-Type: ${contentType}${CRLF}${CRLF}`, 'latin1'), body]);
  } else if (partner.encrypt) {
    // Encrypted, unsigned: the MIC covers the entity that was encrypted.
    mic = computeMic(entity, micAlgorithm);
  }
  if (partner.encrypt) {
    const recipient = partner.certificates[0];
    if (!recipient) throw new Error(`partner ${partner.partner.id} has no AS2 certificate to encrypt to`);
    body = encryptEnveloped(inner, recipient, partner.encryptionAlgorithm, partner.keyTransport);
    contentType = 'application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m';
  }
  const headers: Record<string, string> = {
    'as2-version': '1.2',
    'as2-from': quoteAs2Id(input.ours.as2Id),
    'as2-to': quoteAs2Id(partner.as2Id),
    'message-id': input.messageId,
    'mime-version': '1.0',
    subject: `EDI ${input.fileName}`,
    date: new Date().toUTCString(),
    'content-type': contentType,
    ...(partner.encrypt ? { 'content-transfer-encoding': 'binary' } : {}),
    'content-disposition': `attachment; filename="${input.fileName.replace(/["\\\r\n]/g, '_')}"`,
    'disposition-notification-to': input.ours.as2Id,
    'disposition-notification-options': `signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, ${micAlgorithmLabel(micAlgorithm)}`,
    ...(input.receiptUrl ? { 'receipt-delivery-option': input.receiptUrl } : {}),
    // Content-Length, never chunked: some AS2 servers refuse chunked requests.
    'content-length': String(body.length),
  };
  return { headers, body, mic, micAlgorithm };
}
