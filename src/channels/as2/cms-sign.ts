import { createPrivateKey } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { webCryptoHash, type MicAlgorithm } from './as2-mic.js';
import { OID, cmsEngine, toArrayBuffer } from './cms-asn1.js';

export interface SigningIdentity {
  readonly certificate: pkijs.Certificate;
  readonly privateKeyPem: string;
}

/**
 * A detached CMS SignedData (DER) over `content` with the usual signed attributes. No
 * CMSAlgorithmProtection attribute: some AS2 receivers reject it, and nothing requires it.
 */
export async function signDetached(
  content: Uint8Array,
  identity: SigningIdentity,
  digest: MicAlgorithm,
): Promise<Buffer> {
  cmsEngine();
  const hash = webCryptoHash(digest);
  const pkcs8 = createPrivateKey(identity.privateKeyPem).export({ type: 'pkcs8', format: 'der' });
  const key = await globalThis.crypto.subtle.importKey(
    'pkcs8',
    toArrayBuffer(pkcs8),
    { name: 'RSASSA-PKCS1-v1_5', hash },
    false,
    ['sign'],
  );
  const messageDigest = await globalThis.crypto.subtle.digest(hash, toArrayBuffer(content));
  const cert = identity.certificate;
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({
      type: 0,
      attributes: [
        new pkijs.Attribute({
          type: OID.contentType,
          values: [new asn1js.ObjectIdentifier({ value: OID.data })],
        }),
        new pkijs.Attribute({
          type: OID.signingTime,
          values: [new asn1js.UTCTime({ valueDate: new Date() })],
        }),
        new pkijs.Attribute({
          type: OID.messageDigest,
          values: [new asn1js.OctetString({ valueHex: messageDigest })],
        }),
      ],
    }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    signerInfos: [signerInfo],
    certificates: [cert],
  });
  await signedData.sign(key, 0, hash);
  const info = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(info.toSchema().toBER(false));
}
