import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDocument } from '../../../src/edi/render-document.js';
import { outboundIdentity } from '../../../src/messages/usecases/publish-outbound.js';
import type { PartnerDefinition, TenantDefinition } from '../../../src/tenancy/tenant-definition.js';
import { canonicalDocuments } from '../edi/edifact-fixture-support.js';

const tenant = {
  id: 't',
  edi: {
    x12: { isaQualifier: 'ZZ', isaId: 'TENANTISA' },
    edifact: { unbId: '5412345000013', unbQualifier: '14' },
  },
} as unknown as TenantDefinition;
const partner = (edifact: { unbId: string; unbQualifier?: string }): PartnerDefinition =>
  ({
    id: 'p',
    edi: { x12: { isaQualifier: '01', isaId: 'PARTNERISA' }, edifact },
  }) as unknown as PartnerDefinition;

test("outbound EDIFACT carries each side's UNB qualifier from the tenant file, X12 its ISA qualifier", () => {
  assert.deepEqual(
    outboundIdentity(tenant, partner({ unbId: 'PARTNERUNB', unbQualifier: 'ZZZ' }), 'edifact-desadv'),
    {
      sender: '5412345000013:14',
      receiver: 'PARTNERUNB:ZZZ',
    },
  );
  assert.deepEqual(outboundIdentity(tenant, partner({ unbId: 'PARTNERUNB' }), 'edifact-desadv'), {
    sender: '5412345000013:14',
    receiver: 'PARTNERUNB',
  });
  assert.deepEqual(outboundIdentity(tenant, partner({ unbId: 'X' }), 'x12-856'), {
    sender: 'ZZ:TENANTISA',
    receiver: '01:PARTNERISA',
  });
  const doc = canonicalDocuments('desadv-d96a-release-char')[0];
  const r = renderDocument(doc, 'edifact-desadv', {
    ...outboundIdentity(tenant, partner({ unbId: 'PARTNERUNB', unbQualifier: 'ZZZ' }), 'edifact-desadv'),
    now: new Date('2026-11-27T10:00:00Z'),
  });
  assert.match(r.text, /UNB\+UNOC:3\+5412345000013:14\+PARTNERUNB:ZZZ\+/);
});
