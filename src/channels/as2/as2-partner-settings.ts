import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as pkijs from 'pkijs';
import type { PartnerDefinition, TenantDefinition } from '../../tenancy/tenant-definition.js';
import { normalizeMicAlgorithm, type MicAlgorithm } from './as2-mic.js';
import { certificatesFromPem } from './cms-asn1.js';
import type { DecryptionKey } from './cms-decrypt.js';
import { CONTENT_ENCRYPTIONS, type ContentEncryption, type KeyTransport } from './cms-encrypt.js';
import type { SigningIdentity } from './cms-sign.js';

/**
 * A partner's `{type: as2, ...}` channel, read from the free-form channel settings of the tenant
 * file: `as2Id`, `url` (outbound), `certificates` (PEM paths relative to the tenant file, or PEM
 * text from `${ENV}`; two during a rollover), `sign`, `encrypt`, `encryptionAlgorithm`,
 * `keyTransport`, `signingAlgorithm`, `mdn` (sync|async), `requireSigned`, `requireEncrypted`.
 */
export interface As2PartnerSettings {
  readonly partner: PartnerDefinition;
  readonly as2Id: string;
  readonly url?: string;
  readonly certificates: readonly pkijs.Certificate[];
  readonly sign: boolean;
  readonly encrypt: boolean;
  readonly encryptionAlgorithm: ContentEncryption;
  readonly keyTransport: KeyTransport;
  readonly signingAlgorithm: MicAlgorithm;
  readonly mdn: 'sync' | 'async';
  readonly requireSigned: boolean;
  readonly requireEncrypted: boolean;
  /** Seconds to wait for an MDN before sending again (same Message-ID). */
  readonly mdnTimeoutSeconds: number;
  readonly maxAttempts: number;
}

/** The tenant's own AS2 identity with its keys parsed. */
export interface As2TenantIdentity {
  readonly as2Id: string;
  readonly signing: SigningIdentity;
  readonly decryption: readonly DecryptionKey[];
}

export class As2ConfigError extends Error {}

export function tenantIdentity(tenant: TenantDefinition): As2TenantIdentity | undefined {
  if (!tenant.as2) return undefined;
  const certificates = certificatesFromPem(tenant.as2.certificate);
  const keyPems =
    tenant.as2.privateKey.match(
      /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/g,
    ) ?? [];
  if (certificates.length === 0 || keyPems.length === 0) {
    throw new As2ConfigError(`tenant ${tenant.id}: the AS2 certificate or private key is not PEM`);
  }
  const decryption = certificates.map((certificate, i) => {
    const privateKeyPem = keyPems[Math.min(i, keyPems.length - 1)]!;
    const privateKey: KeyObject = createPrivateKey(privateKeyPem);
    return { certificate, privateKey, privateKeyPem };
  });
  return {
    as2Id: tenant.as2.as2Id,
    signing: { certificate: decryption[0]!.certificate, privateKeyPem: decryption[0]!.privateKeyPem },
    decryption,
  };
}

export function as2Partners(tenant: TenantDefinition): As2PartnerSettings[] {
  const out: As2PartnerSettings[] = [];
  for (const partner of tenant.partners) {
    if (!partner.active) continue;
    for (const channel of partner.channels) {
      if (channel.type !== 'as2' || typeof channel.as2Id !== 'string') continue;
      out.push(partnerSettings(tenant, partner, channel));
    }
  }
  return out;
}

function partnerSettings(
  tenant: TenantDefinition,
  partner: PartnerDefinition,
  channel: PartnerDefinition['channels'][number],
): As2PartnerSettings {
  const refs = Array.isArray(channel.certificates) ? (channel.certificates as unknown[]) : [];
  const certificates = refs
    .filter((r): r is string => typeof r === 'string')
    .flatMap((r) => certificatesFromPem(pemText(tenant, r)));
  const encryption = String(channel.encryptionAlgorithm ?? 'aes256-cbc') as ContentEncryption;
  if (!CONTENT_ENCRYPTIONS.includes(encryption)) {
    throw new As2ConfigError(`partner ${partner.id}: unknown encryptionAlgorithm ${encryption}`);
  }
  return {
    partner,
    as2Id: channel.as2Id as string,
    ...(typeof channel.url === 'string' && /^https?:\/\//.test(channel.url) ? { url: channel.url } : {}),
    certificates,
    sign: channel.sign !== false,
    encrypt: channel.encrypt !== false,
    encryptionAlgorithm: encryption,
    keyTransport: channel.keyTransport === 'rsa-oaep' ? 'rsa-oaep' : 'rsa-pkcs1',
    signingAlgorithm: normalizeMicAlgorithm(String(channel.signingAlgorithm ?? 'sha256')) ?? 'sha256',
    mdn: channel.mdn === 'async' ? 'async' : 'sync',
    requireSigned: channel.requireSigned === true,
    requireEncrypted: channel.requireEncrypted === true,
    mdnTimeoutSeconds: typeof channel.mdnTimeoutSeconds === 'number' ? channel.mdnTimeoutSeconds : 300,
    maxAttempts: typeof channel.maxAttempts === 'number' ? channel.maxAttempts : 10,
  };
}

/** PEM text as written (resolved from `${ENV}` by the loader) or read from a path next to the tenant file. */
function pemText(tenant: TenantDefinition, reference: string): string {
  if (reference.includes('-----BEGIN')) return reference;
  return readFileSync(path.resolve(path.dirname(tenant.sourceFile), reference), 'utf8');
}
