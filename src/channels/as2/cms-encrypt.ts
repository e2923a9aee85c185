import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from './cms-asn1.js';

export type ContentEncryption = 'aes128-cbc' | 'aes192-cbc' | 'aes256-cbc' | 'des-ede3-cbc';
export type KeyTransport = 'rsa-pkcs1' | 'rsa-oaep';

const CIPHERS: Readonly<Record<ContentEncryption, { oid: string; name: string; key: number; iv: number }>> = {
  'aes128-cbc': { oid: '2.16.840.1.101.3.4.1.2', name: 'aes-128-cbc', key: 16, iv: 16 },
  'aes192-cbc': { oid: '2.16.840.1.101.3.4.1.22', name: 'aes-192-cbc', key: 24, iv: 16 },
  'aes256-cbc': { oid: '2.16.840.1.101.3.4.1.42', name: 'aes-256-cbc', key: 32, iv: 16 },
  'des-ede3-cbc': { oid: '1.2.840.113549.3.7', name: 'des-ede3-cbc', key: 24, iv: 8 },
};

export const CONTENT_ENCRYPTIONS = Object.keys(CIPHERS) as ContentEncryption[];

/**
 * CMS EnvelopedData (DER) of `content` for the partner's certificate. Built by hand rather than
 * with pkijs' encrypt(): WebCrypto offers no PKCS#1 v1.5 key transport, which most partners expect.
 */
export function encryptEnveloped(
  content: Uint8Array,
  recipient: pkijs.Certificate,
  encryption: ContentEncryption,
  transport: KeyTransport = 'rsa-pkcs1',
): Buffer {
  const cipher = CIPHERS[encryption];
  const cek = randomBytes(cipher.key);
  const iv = randomBytes(cipher.iv);
  const c = createCipheriv(cipher.name, cek, iv);
  const encrypted = Buffer.concat([c.update(content), c.final()]);
  const publicKey = createPublicKey({
    key: Buffer.from(recipient.subjectPublicKeyInfo.toSchema().toBER(false)),
    format: 'der',
    type: 'spki',
  });
  const encryptedKey = publicEncrypt(
    {
      key: publicKey,
      padding: transport === 'rsa-oaep' ? constants.RSA_PKCS1_OAEP_PADDING : constants.RSA_PKCS1_PADDING,
      oaepHash: 'sha1',
    },
    cek,
  );
  const envelope = new pkijs.EnvelopedData({
    version: 0,
    recipientInfos: [
      new pkijs.RecipientInfo({
        variant: 1,
        value: new pkijs.KeyTransRecipientInfo({
          version: 0,
          rid: new pkijs.IssuerAndSerialNumber({
            issuer: recipient.issuer,
            serialNumber: recipient.serialNumber,
          }),
          keyEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({
            algorithmId: transport === 'rsa-oaep' ? OID.rsaOaep : OID.rsaEncryption,
            ...(transport === 'rsa-oaep' ? {} : { algorithmParams: new asn1js.Null() }),
          }),
          encryptedKey: new asn1js.OctetString({ valueHex: encryptedKey }),
        }),
      }),
    ],
    encryptedContentInfo: new pkijs.EncryptedContentInfo({
      contentType: OID.data,
      contentEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: cipher.oid,
        algorithmParams: new asn1js.OctetString({ valueHex: iv }),
      }),
      encryptedContent: new asn1js.OctetString({ valueHex: encrypted }),
    }),
  });
  const info = new pkijs.ContentInfo({ contentType: OID.envelopedData, content: envelope.toSchema() });
  return Buffer.from(info.toSchema().toBER(false));
}
