import { randomBytes } from 'node:crypto';
import { micAlgorithmLabel, type MicAlgorithm } from './as2-mic.js';
import { signDetached, type SigningIdentity } from './cms-sign.js';

const CRLF = '\r\n';

/**
 * `multipart/signed` (RFC 1847/5751) around an entity given as its exact bytes: the first part is
 * those bytes untouched, the second the detached CMS signature over them. All CRLF.
 */
export async function signedMultipart(
  entity: Buffer,
  identity: SigningIdentity,
  digest: MicAlgorithm,
): Promise<{ contentType: string; body: Buffer }> {
  const signature = await signDetached(entity, identity, digest);
  const boundary = `----=_Signed_${randomBytes(12).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}${CRLF}`, 'latin1'),
    entity,
    Buffer.from(
      [
        '',
        `--${boundary}`,
        'Content-Type: application/pkcs7-signature; name=smime.p7s',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename=smime.p7s',
        '',
        ...(signature.toString('base64').match(/.{1,76}/g) ?? []),
        `--${boundary}--`,
        '',
      ].join(CRLF),
      'latin1',
    ),
  ]);
  return {
    contentType: `multipart/signed; protocol="application/pkcs7-signature"; micalg=${micAlgorithmLabel(digest)}; boundary="${boundary}"`,
    body,
  };
}
