/**
 * JSON Schema of one `tenants/<id>.yaml` file: the tenant, its Odoo connections, sync modes and
 * SLAs (the integration inventory), its partners and their API clients. Secrets are `${ENV}`
 * references only; the loader refuses literal secrets.
 */

const identifier = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } as const;
const envReference = {
  type: 'string',
  pattern: '^\\$\\{[A-Z_][A-Z0-9_]*(:-[^}]*)?\\}$',
  description: 'an environment reference such as ${ODOO_API_KEY} (or ${VAR:-default} in demo files)',
} as const;
const environment = { enum: ['test', 'production'] } as const;
const contact = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1 },
    email: { type: 'string', format: 'email' },
    phone: { type: 'string' },
    role: { type: 'string' },
  },
} as const;
const syncMode = { enum: ['realtime', 'near-realtime', 'batch'] } as const;
const retryPolicy = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxAttempts: { type: 'integer', minimum: 1, maximum: 100 },
    initialDelaySeconds: { type: 'integer', minimum: 1, maximum: 86400 },
    maxDelaySeconds: { type: 'integer', minimum: 1, maximum: 604800 },
  },
} as const;
/** How documents are applied to an Odoo (read by src/odoo/odoo-document-deliverer.ts). */
const odooDelivery = {
  type: 'object',
  additionalProperties: false,
  description:
    'how documents are applied to Odoo; under `odoo` for both connections, under a connection to override',
  properties: {
    confirmOrders: {
      type: 'boolean',
      description: 'confirm a new sale.order (action_confirm), so Odoo creates its delivery',
    },
    moveQuantityField: {
      enum: ['quantity', 'quantity_done'],
      description:
        'shipped quantities go to `quantity` + `picked` on Odoo 17.0+, `quantity_done` on 16.0 and older',
    },
    invoiceTolerance: {
      type: 'string',
      pattern: '^\\d{1,12}(\\.\\d{1,6})?$',
      description:
        "allowed difference between a freight invoice's charges and its net amount due before it is flagged (decimal string)",
    },
    createLeaseSeconds: {
      type: 'integer',
      minimum: 1,
      maximum: 86400,
      description:
        "how long a create whose answer was lost may still commit in Odoo (longer than Odoo's limit_time_real)",
    },
    units: {
      type: 'object',
      description:
        'unit codes as partners send them (or normalized) → the name of the Odoo unit of measure, e.g. CA: Case of 12',
      propertyNames: { pattern: '^[A-Za-z0-9]{1,10}$' },
      additionalProperties: { type: 'string', minLength: 1 },
    },
  },
} as const;
const odooConnection = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'database', 'login', 'apiKey'],
  properties: {
    delivery: odooDelivery,
    url: { type: 'string', format: 'uri', pattern: '^https?://' },
    database: { type: 'string', minLength: 1 },
    login: { type: 'string', minLength: 1 },
    apiKey: envReference,
    webhookSecret: {
      ...envReference,
      description: 'the secret Odoo signs event webhooks with (HMAC-SHA256), as ${ENV_VAR}',
    },
    protocol: { enum: ['jsonrpc', 'json2'], default: 'jsonrpc' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 600000 },
  },
} as const;
const rateLimits = {
  perSecond: { type: 'integer', minimum: 1 },
  burst: { type: 'integer', minimum: 1 },
  perMinute: { type: 'integer', minimum: 1 },
  perDay: { type: 'integer', minimum: 1 },
} as const;
const rateLimitPolicy = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...rateLimits,
    routes: {
      type: 'object',
      description: 'overrides per route group, e.g. tracking, edi, token',
      additionalProperties: { type: 'object', additionalProperties: false, properties: rateLimits },
    },
  },
} as const;
export const SCOPES = [
  'orders:read',
  'orders:write',
  'shipments:read',
  'shipments:write',
  'tracking:read',
  'tracking:write',
  'invoices:read',
  'invoices:write',
  'returns:read',
  'returns:write',
  'fulfillment:write',
  'edi:write',
  'messages:read',
  'messages:replay',
  'audit:read',
  'portal:read',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];
const scope = { enum: SCOPES } as const;

/** Who a party is in X12 (ISA05/06 or 07/08, GS02/03) and EDIFACT (UNB 0004/0010): for partners and for the tenant itself. */
const x12Identity = {
  type: 'object',
  additionalProperties: false,
  required: ['isaQualifier', 'isaId'],
  properties: {
    isaQualifier: { type: 'string', pattern: '^[A-Z0-9]{2}$' },
    isaId: { type: 'string', minLength: 1, maxLength: 15 },
    gsId: { type: 'string', minLength: 2, maxLength: 15 },
  },
} as const;
const edifactIdentity = {
  type: 'object',
  additionalProperties: false,
  required: ['unbId'],
  properties: {
    unbId: { type: 'string', minLength: 1, maxLength: 35 },
    unbQualifier: { type: 'string', maxLength: 4 },
  },
} as const;

const ediIdentities = {
  type: 'object',
  additionalProperties: false,
  properties: {
    x12: {
      ...x12Identity,
      properties: {
        ...x12Identity.properties,
        versions: {
          type: 'array',
          items: { enum: ['004010', '004020', '004030', '004040', '004050', '004060', '005010'] },
        },
        requestTa1: { type: 'boolean' },
        lenientIsa: { type: 'boolean' },
      },
    },
    edifact: {
      ...edifactIdentity,
      properties: {
        ...edifactIdentity.properties,
        directories: { type: 'array', items: { enum: ['D96A', 'D01B'] } },
        syntaxIdentifier: {
          enum: ['UNOA', 'UNOB', 'UNOC', 'UNOW', 'UNOY'],
          description: 'UNB syntax identifier of what we send (default UNOC, ISO 8859-1; UNOW/UNOY: UTF-8)',
        },
      },
    },
    documents: {
      type: 'array',
      description:
        'document formats this partner exchanges, e.g. x12-856, edifact-desadv, json-tracking-event',
      items: { type: 'string', pattern: '^(x12-[0-9]{3}|edifact-[a-z]+|json-[a-z-]+)$' },
    },
  },
} as const;

const sftpChannel = {
  properties: {
    username: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,62}$' },
    password: envReference,
    passwordHash: { type: 'string', pattern: '^scrypt\\$' },
    publicKeys: { type: 'array', items: { type: 'string', pattern: '^(ssh-|ecdsa-)' } },
    pickedUpOn: { enum: ['delete', 'download'] },
  },
} as const;
const sftpPollChannel = {
  required: ['host', 'username', 'hostKeyFingerprint'],
  properties: {
    host: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    username: { type: 'string', minLength: 1 },
    password: envReference,
    privateKey: envReference,
    passphrase: envReference,
    hostKeyFingerprint: { type: 'string', pattern: '^SHA256:[A-Za-z0-9+/]{43}=?$' },
    inboxPath: { type: 'string', minLength: 1 },
    outboxPath: { type: 'string', minLength: 1 },
    archivePath: { type: 'string', minLength: 1 },
    pattern: { type: 'string', minLength: 1 },
    intervalSeconds: { type: 'integer', minimum: 5, maximum: 86400 },
  },
} as const;
const channel = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: ['rest', 'sftp', 'sftp-poll', 'as2', 'webhook'] },
  },
  allOf: [
    { if: { properties: { type: { const: 'sftp' } } }, then: sftpChannel },
    { if: { properties: { type: { const: 'sftp-poll' } } }, then: sftpPollChannel },
  ],
} as const;

const partner = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'kind'],
  properties: {
    id: identifier,
    name: { type: 'string', minLength: 1 },
    kind: { enum: ['carrier', '3pl', 'warehouse', 'customer', 'supplier', 'marketplace'] },
    active: { type: 'boolean', default: true },
    environment: { ...environment, default: 'production' },
    timeZone: { type: 'string', default: 'UTC' },
    owner: contact,
    channels: { type: 'array', items: channel },
    edi: ediIdentities,
    scopes: { type: 'array', items: scope, uniqueItems: true },
    rateLimit: rateLimitPolicy,
    customerAccount: {
      type: 'string',
      description: 'for customer partners: the account whose orders and shipments they may read',
    },
  },
} as const;

const apiClient = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'secrets'],
  properties: {
    id: identifier,
    partner: { ...identifier, description: 'the partner this client acts for; absent for tenant staff' },
    description: { type: 'string' },
    active: { type: 'boolean', default: true },
    secrets: {
      type: 'array',
      minItems: 1,
      maxItems: 2,
      description: 'one secret, or two during a rotation',
      items: envReference,
    },
    scopes: { type: 'array', items: scope, uniqueItems: true },
  },
} as const;

const as2Identity = {
  type: 'object',
  additionalProperties: false,
  required: ['as2Id', 'certificate', 'privateKey'],
  description:
    "the tenant's own AS2 identity: what its partners send to, and the key that decrypts and signs",
  properties: {
    as2Id: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[ -~]+$' },
    certificate: {
      type: 'string',
      minLength: 1,
      description:
        'PEM path relative to this file, or ${ENV} holding the PEM; two certificates during a rollover',
    },
    privateKey: {
      type: 'string',
      minLength: 1,
      description: 'PEM path relative to this file (a mounted secret), or ${ENV} holding the PEM',
    },
  },
} as const;

const identityProvider = {
  type: 'object',
  additionalProperties: false,
  required: ['issuer', 'jwksUrl', 'audience', 'partners'],
  description: "the tenant's own identity provider, trusted to sign access tokens for the partners it maps",
  properties: {
    issuer: { type: 'string', minLength: 1, description: 'the exact `iss` of its tokens' },
    jwksUrl: { type: 'string', format: 'uri', pattern: '^https?://' },
    audience: { type: 'string', minLength: 1, description: 'the `aud` its tokens must carry for Crossdock' },
    partnerClaim: { type: 'string', minLength: 1, default: 'sub', description: 'claim naming the partner' },
    scopeClaim: { type: 'string', minLength: 1, default: 'scope', description: 'claim with the scopes' },
    partners: {
      type: 'object',
      minProperties: 1,
      description: 'partner claim value → partner id of this tenant',
      additionalProperties: identifier,
    },
  },
} as const;

export const tenantFileSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://crossdock.dev/schemas/tenant-file.json',
  title: 'Crossdock tenant file',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'environment', 'partners'],
  properties: {
    id: identifier,
    name: { type: 'string', minLength: 1 },
    environment: environment,
    active: { type: 'boolean', default: true },
    owner: contact,
    contacts: { type: 'array', items: contact },
    odoo: {
      type: 'object',
      additionalProperties: false,
      properties: { production: odooConnection, sandbox: odooConnection, delivery: odooDelivery },
    },
    syncModes: {
      type: 'object',
      additionalProperties: false,
      properties: {
        orders: syncMode,
        shipments: syncMode,
        tracking: syncMode,
        invoices: syncMode,
        returns: syncMode,
        acknowledgements: syncMode,
        masterData: syncMode,
      },
    },
    slas: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ackWithinMinutes: { type: 'integer', minimum: 1 },
        trackingGapHours: { type: 'integer', minimum: 1 },
        deliveryWithinMinutes: { type: 'integer', minimum: 1 },
        apiAvailabilityPercent: { type: 'number', minimum: 0, maximum: 100 },
      },
    },
    retention: {
      type: 'object',
      additionalProperties: false,
      properties: {
        messagesDays: { type: 'integer', minimum: 1 },
        auditDays: { type: 'integer', minimum: 1 },
      },
    },
    edi: {
      type: 'object',
      description: "the tenant's own EDI identities: the sender of everything Crossdock writes for it",
      additionalProperties: false,
      properties: { x12: x12Identity, edifact: edifactIdentity },
    },
    pipeline: {
      type: 'object',
      additionalProperties: false,
      properties: {
        duplicateWindowDays: { type: 'integer', minimum: 1, maximum: 3650 },
        batchIntervalMinutes: { type: 'integer', minimum: 1, maximum: 1440 },
        retry: {
          type: 'object',
          description:
            'retry policy per flow (orders, shipments, tracking, invoices, returns, acknowledgements) or default',
          additionalProperties: retryPolicy,
        },
      },
    },
    cors: {
      type: 'object',
      additionalProperties: false,
      properties: { origins: { type: 'array', items: { type: 'string', pattern: '^https?://[^/]+$' } } },
    },
    partners: { type: 'array', items: partner },
    apiClients: { type: 'array', items: apiClient },
    identityProviders: { type: 'array', items: identityProvider },
    as2: as2Identity,
  },
} as const;
