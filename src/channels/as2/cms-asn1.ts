import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** CMS content types and algorithms AS2 uses (RFC 5652, 5083, 3274, 3565, 8018). */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
  compressedData: '1.2.840.113549.1.9.16.1.9',
  zlib: '1.2.840.113549.1.9.16.3.8',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaOaep: '1.2.840.113549.1.1.7',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
} as const;

export class CmsError extends Error {}

/** Node's WebCrypto for pkijs, set once: pkijs would otherwise guess the engine. */
let engineSet = false;
export function cmsEngine(): void {
  if (engineSet) return;
  pkijs.setEngine(
    'node-webcrypto',
    new pkijs.CryptoEngine({ name: 'node-webcrypto', crypto: globalThis.crypto }),
  );
  engineSet = true;
}

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export function parseBer(bytes: Uint8Array): asn1js.AsnType {
  const parsed = asn1js.fromBER(toArrayBuffer(bytes));
  if (parsed.offset === -1) throw new CmsError(`not BER/DER: ${parsed.result.error}`);
  return parsed.result;
}

/** The ContentInfo around every CMS object: its content type and its (explicitly tagged) content. */
export function parseContentInfo(der: Uint8Array): { contentType: string; content: asn1js.AsnType } {
  const info = new pkijs.ContentInfo({ schema: parseBer(der) });
  return { contentType: info.contentType, content: info.content as asn1js.AsnType };
}

export function children(node: asn1js.AsnType): asn1js.AsnType[] {
  const value = (node.valueBlock as { value?: unknown }).value;
  return Array.isArray(value) ? (value as asn1js.AsnType[]) : [];
}

export function isUniversal(node: asn1js.AsnType, tagNumber: number): boolean {
  return node.idBlock.tagClass === 1 && node.idBlock.tagNumber === tagNumber;
}

export function isContext(node: asn1js.AsnType, tagNumber: number): boolean {
  return node.idBlock.tagClass === 3 && node.idBlock.tagNumber === tagNumber;
}

/** The octets of an OCTET STRING or an implicitly tagged one, primitive or constructed (chunked, BER). */
export function octets(node: asn1js.AsnType): Buffer {
  if (node.idBlock.isConstructed) return Buffer.concat(children(node).map(octets));
  const view = (node.valueBlock as { valueHexView?: Uint8Array }).valueHexView;
  return Buffer.from(view ?? new Uint8Array());
}

export function certificateFromPem(pem: string): pkijs.Certificate {
  const base64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return pkijs.Certificate.fromBER(Buffer.from(base64, 'base64'));
}

/** All certificates in a PEM bundle (a partner may publish two during a rollover). */
export function certificatesFromPem(pem: string): pkijs.Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    certificateFromPem,
  );
}

export function sameIssuerAndSerial(
  cert: pkijs.Certificate,
  issuer: pkijs.RelativeDistinguishedNames,
  serial: asn1js.Integer,
): boolean {
  return cert.issuer.isEqual(issuer) && cert.serialNumber.isEqual(serial);
}
