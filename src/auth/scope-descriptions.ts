import type { Scope } from '../tenancy/tenant-file-schema.js';

/** What each scope allows, as published in the OpenAPI security scheme and the README. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<Scope, string>> = {
  'orders:read': 'read orders (a customer: only its own account)',
  'orders:write': 'create and change orders',
  'shipments:read': 'read shipments (a carrier: only those it carries)',
  'shipments:write': 'send shipment notices (ASN)',
  'tracking:read': 'read tracking milestones',
  'tracking:write': 'send tracking events',
  'invoices:read': 'read freight invoices',
  'invoices:write': 'send freight invoices',
  'returns:read': 'read returns',
  'returns:write': 'request and update returns',
  'fulfillment:write': 'send pick/pack and fulfilment confirmations',
  'edi:write': 'post raw X12/EDIFACT interchanges',
  'messages:read': 'read the state of its messages and acknowledgements',
  'messages:replay': 'replay a failed message',
  'audit:read': "query and export the tenant's audit log",
  'portal:read': 'customer tracking portal',
  admin: "administer the tenant's partners",
};
