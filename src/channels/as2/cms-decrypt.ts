import { constants, createDecipheriv, privateDecrypt, randomBytes, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import forge from 'node-forge';
import * as pkijs from 'pkijs';
import {
  CmsError,
  OID,
  children,
  isContext,
  isUniversal,
  octets,
  parseContentInfo,
  sameIssuerAndSerial,
} from './cms-asn1.js';

/**
 * Every decryption failure ends here with the same message, whatever went wrong (wrong key, bad
 * padding, corrupt content): a distinguishable error would be a padding oracle.
 */
export class DecryptionFailed extends Error {
  /** Only a fact readable in clear from the envelope may be told (an algorithm we lack). */
  constructor(visibleReason?: string) {
    super(visibleReason ?? 'the message could not be decrypted');
  }
}

interface ContentCipher {
  readonly name: string;
  readonly keyLength: number;
  readonly gcm: boolean;
}

const CONTENT_CIPHERS: Readonly<Record<string, ContentCipher>> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16, gcm: false },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24, gcm: false },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32, gcm: false },
  '2.16.840.1.101.3.4.1.6': { name: 'aes-128-gcm', keyLength: 16, gcm: true },
  '2.16.840.1.101.3.4.1.26': { name: 'aes-192-gcm', keyLength: 24, gcm: true },
  '2.16.840.1.101.3.4.1.46': { name: 'aes-256-gcm', keyLength: 32, gcm: true },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24, gcm: false },
};

const OAEP_HASHES: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export interface DecryptionKey {
  readonly certificate: pkijs.Certificate;
  readonly privateKey: KeyObject;
  /** The same key as PEM, for node-forge's PKCS#1 v1.5 unwrap. */
  readonly privateKeyPem: string;
}

/** Whether DER bytes hold EnvelopedData or AuthEnvelopedData (AES-GCM, RFC 5083). */
export function isEnveloped(der: Uint8Array): boolean {
  try {
    const { contentType } = parseContentInfo(der);
    return contentType === OID.envelopedData || contentType === OID.authEnvelopedData;
  } catch {
    return false;
  }
}

/** Decrypts CMS (Auth)EnvelopedData addressed to one of `keys` (two during our own rollover). */
export function decryptEnveloped(der: Uint8Array, keys: readonly DecryptionKey[]): Buffer {
  let parts: ReturnType<typeof envelopeParts>;
  try {
    parts = envelopeParts(der);
  } catch {
    throw new DecryptionFailed();
  }
  const cipher = CONTENT_CIPHERS[parts.algorithm.algorithmId];
  // The algorithm is written in clear in the envelope: naming it tells an attacker nothing new,
  // and tells a partner on a legacy cipher (RC2, Camellia) what to change.
  if (!cipher)
    throw new DecryptionFailed(
      `the content encryption algorithm ${parts.algorithm.algorithmId} is not supported ` +
        '(use AES-128/192/256 in CBC or GCM mode, or 3DES)',
    );
  const candidates = recipientCandidates(parts.recipients, keys);
  for (const { recipient, key } of candidates) {
    const cek = unwrapKey(recipient, key, cipher.keyLength);
    const content = decryptContent(cipher, cek, parts);
    if (content) return content;
  }
  throw new DecryptionFailed();
}

interface EnvelopeParts {
  readonly recipients: pkijs.KeyTransRecipientInfo[];
  readonly algorithm: pkijs.AlgorithmIdentifier;
  readonly encrypted: Buffer;
  readonly mac?: Buffer;
  readonly authAttributes?: Buffer;
}

/** EnvelopedData and AuthEnvelopedData share their shape up to the content: read both by position. */
function envelopeParts(der: Uint8Array): EnvelopeParts {
  const { contentType, content } = parseContentInfo(der);
  if (contentType !== OID.envelopedData && contentType !== OID.authEnvelopedData) {
    throw new CmsError(`not enveloped data: ${contentType}`);
  }
  const fields = children(content);
  const recipientSet = fields.find((f) => isUniversal(f, 17));
  if (!recipientSet) throw new CmsError('no recipientInfos');
  const after = fields.slice(fields.indexOf(recipientSet) + 1);
  const contentInfo = after.find((f) => isUniversal(f, 16));
  if (!contentInfo) throw new CmsError('no encryptedContentInfo');
  const [, algorithmNode, encryptedNode] = children(contentInfo);
  if (!algorithmNode || !encryptedNode || !isContext(encryptedNode, 0))
    throw new CmsError('detached content');
  const recipients = children(recipientSet)
    .filter((r) => isUniversal(r, 16))
    .map((r) => new pkijs.KeyTransRecipientInfo({ schema: r }));
  const authAttrs = after.find((f) => isContext(f, 1));
  const mac = after.find((f) => isUniversal(f, 4));
  return {
    recipients,
    algorithm: new pkijs.AlgorithmIdentifier({ schema: algorithmNode }),
    encrypted: octets(encryptedNode),
    ...(mac ? { mac: octets(mac) } : {}),
    // Authenticated attributes are MACed with their SET OF tag, not the implicit [1] (RFC 5083 §2.2).
    ...(authAttrs ? { authAttributes: setOfEncoding(authAttrs) } : {}),
  };
}

function setOfEncoding(node: asn1js.AsnType): Buffer {
  const ber = Buffer.from(node.toBER(false));
  ber[0] = 0x31;
  return ber;
}

function recipientCandidates(
  recipients: readonly pkijs.KeyTransRecipientInfo[],
  keys: readonly DecryptionKey[],
): { recipient: pkijs.KeyTransRecipientInfo; key: DecryptionKey }[] {
  const matched: { recipient: pkijs.KeyTransRecipientInfo; key: DecryptionKey }[] = [];
  for (const recipient of recipients) {
    for (const key of keys) {
      const rid = recipient.rid;
      if (
        rid instanceof pkijs.IssuerAndSerialNumber &&
        sameIssuerAndSerial(key.certificate, rid.issuer, rid.serialNumber)
      ) {
        matched.push({ recipient, key });
      }
    }
  }
  if (matched.length > 0) return matched;
  // Some senders identify us by subject key identifier or an outdated certificate: try every pair.
  return recipients.flatMap((recipient) => keys.map((key) => ({ recipient, key })));
}

function unwrapKey(recipient: pkijs.KeyTransRecipientInfo, key: DecryptionKey, keyLength: number): Buffer {
  const encryptedKey = Buffer.from(recipient.encryptedKey.valueBlock.valueHexView);
  const algorithm = recipient.keyEncryptionAlgorithm;
  try {
    if (algorithm.algorithmId === OID.rsaOaep) {
      let oaepHash = 'sha1';
      if (algorithm.algorithmParams instanceof asn1js.Sequence) {
        const params = new pkijs.RSAESOAEPParams({ schema: algorithm.algorithmParams });
        oaepHash = OAEP_HASHES[params.hashAlgorithm.algorithmId] ?? 'unsupported';
      }
      return privateDecrypt(
        { key: key.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
        encryptedKey,
      );
    }
    // Node refuses PKCS#1 v1.5 decryption (CVE-2023-46809); node-forge's pure-JS RSA does it.
    const forgeKey = forge.pki.privateKeyFromPem(key.privateKeyPem);
    const cek = Buffer.from(forgeKey.decrypt(encryptedKey.toString('binary'), 'RSAES-PKCS1-V1_5'), 'binary');
    if (cek.length === keyLength) return cek;
  } catch {
    // Fall through: a random key makes a padding failure look like any other content failure.
  }
  return randomBytes(keyLength);
}

function decryptContent(cipher: ContentCipher, cek: Buffer, parts: EnvelopeParts): Buffer | undefined {
  try {
    const params = parts.algorithm.algorithmParams as asn1js.AsnType | undefined;
    if (!params) return undefined;
    if (cipher.gcm) {
      // GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING, aes-ICVlen INTEGER DEFAULT 12 }
      const [nonceNode] = children(params);
      if (!nonceNode || !parts.mac) return undefined;
      const decipher = createDecipheriv(cipher.name as 'aes-256-gcm', cek, octets(nonceNode), {
        authTagLength: parts.mac.length,
      });
      if (parts.authAttributes) decipher.setAAD(parts.authAttributes);
      decipher.setAuthTag(parts.mac);
      return Buffer.concat([decipher.update(parts.encrypted), decipher.final()]);
    }
    const iv = octets(params);
    const decipher = createDecipheriv(cipher.name, cek, iv);
    return Buffer.concat([decipher.update(parts.encrypted), decipher.final()]);
  } catch {
    return undefined;
  }
}
