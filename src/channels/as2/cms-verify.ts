import * as pkijs from 'pkijs';
import type { MicAlgorithm } from './as2-mic.js';
import { CmsError, OID, cmsEngine, parseContentInfo, toArrayBuffer } from './cms-asn1.js';

const DIGESTS: Readonly<Record<string, MicAlgorithm>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export interface SignatureCheck {
  readonly valid: boolean;
  /** The digest the signer used: the MIC is computed with it when the partner asks for no other. */
  readonly digest?: MicAlgorithm;
  /** Which of the trusted certificates signed (index into the list given). */
  readonly signerIndex?: number;
}

/**
 * Verifies a detached CMS SignedData over `content`, trusting only `trusted` (the partner's
 * certificates, two during a rollover): certificates embedded in the signature are ignored, so a
 * stranger's self-signed certificate proves nothing.
 */
export async function verifyDetached(
  signatureDer: Uint8Array,
  content: Uint8Array,
  trusted: readonly pkijs.Certificate[],
): Promise<SignatureCheck> {
  cmsEngine();
  let signedData: pkijs.SignedData;
  try {
    const { contentType, content: inner } = parseContentInfo(signatureDer);
    if (contentType !== OID.signedData) throw new CmsError(`not signed data: ${contentType}`);
    signedData = new pkijs.SignedData({ schema: inner });
  } catch {
    return { valid: false };
  }
  const signer = signedData.signerInfos[0];
  if (!signer) return { valid: false };
  const digest = DIGESTS[signer.digestAlgorithm.algorithmId];
  signedData.certificates = [...trusted];
  try {
    const result = await signedData.verify({
      signer: 0,
      data: toArrayBuffer(content),
      checkChain: false,
      extendedMode: true,
    });
    if (!result.signatureVerified || !result.signerCertificate) return { valid: false };
    const signerDer = Buffer.from(result.signerCertificate.toSchema().toBER(false));
    const signerIndex = trusted.findIndex((c) => Buffer.from(c.toSchema().toBER(false)).equals(signerDer));
    if (signerIndex < 0) return { valid: false };
    return { valid: true, signerIndex, ...(digest ? { digest } : {}) };
  } catch {
    return { valid: false };
  }
}
