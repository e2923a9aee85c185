import { kMaxLength } from 'node:buffer';
import { deflateSync, inflateSync } from 'node:zlib';
import * as asn1js from 'asn1js';
import { CmsError, OID, children, isContext, octets, parseContentInfo } from './cms-asn1.js';

/** Whether DER bytes hold CMS CompressedData (RFC 3274, used by AS2 per RFC 5402). */
export function isCompressed(der: Uint8Array): boolean {
  try {
    return parseContentInfo(der).contentType === OID.compressedData;
  } catch {
    return false;
  }
}

/** Inflating would pass the size limit: a small body may expand a thousandfold (a zip bomb). */
export class DecompressedTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the decompressed content is larger than ${limit} bytes`);
  }
}

/** The zlib-inflated content of a CompressedData, refused past `maxBytes` (never held in memory). */
export function decompress(der: Uint8Array, maxBytes = Number.MAX_SAFE_INTEGER): Buffer {
  const { contentType, content } = parseContentInfo(der);
  if (contentType !== OID.compressedData) throw new CmsError(`not compressed data: ${contentType}`);
  const [, algorithm, encapsulated] = children(content);
  const algorithmId = algorithm ? children(algorithm)[0] : undefined;
  if (!(algorithmId instanceof asn1js.ObjectIdentifier) || algorithmId.valueBlock.toString() !== OID.zlib) {
    throw new CmsError('compression other than zlib');
  }
  const explicit = encapsulated ? children(encapsulated).find((n) => isContext(n, 0)) : undefined;
  const octetString = explicit ? children(explicit)[0] : undefined;
  if (!octetString) throw new CmsError('compressed data without content');
  try {
    return inflateSync(octets(octetString), { maxOutputLength: Math.min(maxBytes, kMaxLength) });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new DecompressedTooLarge(maxBytes);
    throw error;
  }
}

/** CompressedData (DER) of `content`, zlib. */
export function compress(content: Uint8Array): Buffer {
  const compressed = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.zlib })] }),
      new asn1js.Sequence({
        value: [
          new asn1js.ObjectIdentifier({ value: OID.data }),
          new asn1js.Constructed({
            idBlock: { tagClass: 3, tagNumber: 0 },
            value: [new asn1js.OctetString({ valueHex: deflateSync(content) })],
          }),
        ],
      }),
    ],
  });
  const info = new asn1js.Sequence({
    value: [
      new asn1js.ObjectIdentifier({ value: OID.compressedData }),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [compressed] }),
    ],
  });
  return Buffer.from(info.toBER(false));
}
