import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { computeMic } from '../../../../src/channels/as2/as2-mic.js';
import { entityFromParts, parseEntity } from '../../../../src/channels/as2/as2-mime-parser.js';
import { buildOutboundAs2 } from '../../../../src/channels/as2/as2-outbound-builder.js';
import type { As2PartnerSettings } from '../../../../src/channels/as2/as2-partner-settings.js';
import { As2Rejection, unpackAs2 } from '../../../../src/channels/as2/as2-unpack.js';
import { certificateFromPem } from '../../../../src/channels/as2/cms-asn1.js';
import { compress } from '../../../../src/channels/as2/cms-compress.js';
import { buildMdn } from '../../../../src/channels/as2/mdn-builder.js';
import { readMdn } from '../../../../src/channels/as2/mdn-reader.js';
import type { PartnerDefinition } from '../../../../src/tenancy/tenant-definition.js';

const pem = (name: string): string => readFileSync(`tenants/demo/as2/${name}`, 'utf8');
const crossdock = {
  certificate: certificateFromPem(pem('crossdock.cert.pem')),
  privateKeyPem: pem('crossdock.key.pem'),
};
const partner = {
  certificate: certificateFromPem(pem('demo-edi.cert.pem')),
  privateKeyPem: pem('demo-edi.key.pem'),
};
const x12 = Buffer.from('ISA*00*          *00*          *ZZ*A*ZZ*B*261127*1020*U*00401*000000001*0*P*>~\n');

function settings(overrides: Partial<As2PartnerSettings>): As2PartnerSettings {
  return {
    partner: { id: 'demo-edi' } as PartnerDefinition,
    as2Id: 'DEMOEDI',
    certificates: [partner.certificate],
    sign: true,
    encrypt: true,
    encryptionAlgorithm: 'aes256-cbc',
    keyTransport: 'rsa-pkcs1',
    signingAlgorithm: 'sha256',
    mdn: 'sync',
    requireSigned: false,
    requireEncrypted: false,
    mdnTimeoutSeconds: 300,
    maxAttempts: 10,
    ...overrides,
  };
}

/** What we build for a partner, the partner (here: our own unpacker with its keys) reads back with the same MIC. */
for (const overrides of [
  {},
  { keyTransport: 'rsa-oaep' as const, encryptionAlgorithm: 'des-ede3-cbc' as const },
  { sign: false },
  { encrypt: false, signingAlgorithm: 'sha1' as const },
]) {
  test(`outbound → unpack round trip ${JSON.stringify(overrides)}`, async () => {
    const built = await buildOutboundAs2({
      payload: x12,
      contentType: 'application/edi-x12',
      fileName: '997.edi',
      messageId: '<m@crossdock>',
      ours: { as2Id: 'CROSSDOCK', signing: crossdock, decryption: [] },
      partner: settings(overrides),
    });
    const unpacked = await unpackAs2(
      entityFromParts(new Map([['content-type', built.headers['content-type']!]]), built.body),
      {
        keys: [{ ...partner, privateKey: createPrivateKey(partner.privateKeyPem) }],
        partnerCertificates: [crossdock.certificate],
        requireSigned: false,
        requireEncrypted: false,
        micAlgorithm: built.micAlgorithm,
      },
    );
    assert.deepEqual(unpacked.payload, x12);
    assert.equal(unpacked.mic, built.mic);
    assert.equal(unpacked.fileName, '997.edi');
  });
}

test('compressed data (RFC 5402) is inflated; the MIC then covers the decompressed entity', async () => {
  const entity = Buffer.concat([Buffer.from('Content-Type: application/edi-x12\r\n\r\n'), x12]);
  const unpacked = await unpackAs2(
    entityFromParts(
      new Map([['content-type', 'application/pkcs7-mime; smime-type=compressed-data']]),
      compress(entity),
    ),
    { keys: [], partnerCertificates: [], requireSigned: false, requireEncrypted: false },
  );
  assert.equal(unpacked.compressed, true);
  assert.deepEqual(unpacked.payload, x12);
  assert.equal(unpacked.mic, computeMic(entity, 'sha256'));
});

test('a partner that must sign is refused when it does not', async () => {
  await assert.rejects(
    unpackAs2(entityFromParts(new Map([['content-type', 'application/edi-x12']]), x12), {
      keys: [],
      partnerCertificates: [],
      requireSigned: true,
      requireEncrypted: false,
    }),
    (error: unknown) => error instanceof As2Rejection && error.failure === 'insufficient-message-security',
  );
});

test('our MDN reads back: signature valid for our certificate only, disposition and MIC', async () => {
  const mdn = await buildMdn({
    as2From: 'DEMOEDI',
    as2To: 'CROSSDOCK',
    originalMessageId: '<x@y>',
    mic: { value: 'abc=', algorithm: 'sha256' },
    explanation: 'ok',
    signWith: { identity: crossdock, digest: 'sha256' },
  });
  const read = await readMdn(mdn.headers['content-type']!, mdn.body, [crossdock.certificate]);
  assert.deepEqual(read, {
    signed: true,
    signatureValid: true,
    processed: true,
    disposition: 'automatic-action/MDN-sent-automatically; processed',
    originalMessageId: '<x@y>',
    mic: { value: 'abc=', algorithm: 'sha256' },
  });
  const stranger = await readMdn(mdn.headers['content-type']!, mdn.body, [partner.certificate]);
  assert.equal(stranger!.signatureValid, false);
  assert.equal(
    parseEntity(
      Buffer.concat([Buffer.from(`Content-Type: ${mdn.headers['content-type']}\r\n\r\n`), mdn.body]),
    ).headers.size,
    1,
  );
});
