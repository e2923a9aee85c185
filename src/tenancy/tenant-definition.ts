import type { Scope } from './tenant-file-schema.js';

export type Environment = 'test' | 'production';
export type PartnerKind = 'carrier' | '3pl' | 'warehouse' | 'customer' | 'supplier' | 'marketplace';
export type SyncMode = 'realtime' | 'near-realtime' | 'batch';
export type SyncFlow =
  'orders' | 'shipments' | 'tracking' | 'invoices' | 'returns' | 'acknowledgements' | 'masterData';

export interface Contact {
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
  readonly role?: string;
}

/** How documents are applied to one Odoo: the tenant file's `odoo.delivery`, merged per connection. */
export interface OdooDeliverySettings {
  /** Confirm a new sale.order with `action_confirm`. */
  readonly confirmOrders?: boolean;
  /** `quantity` + `picked` on 17.0+; `quantity_done` on 16.0 and older. */
  readonly moveQuantityField?: 'quantity' | 'quantity_done';
  /** Allowed |charges total − net amount due| on a freight invoice before it is flagged (decimal string). */
  readonly invoiceTolerance?: string;
  /** How long a create whose answer was lost may still commit in Odoo. */
  readonly createLeaseSeconds?: number;
  /** Unit code (upper case, as sent or normalized) → name of the Odoo unit of measure it means. */
  readonly units?: Readonly<Record<string, string>>;
}

export interface OdooConnection {
  readonly url: string;
  readonly database: string;
  readonly login: string;
  /** The `${ENV}` reference as written in the file. */
  readonly apiKeyRef: string;
  /** The value of that reference, resolved at load; never logged, never stored. */
  readonly apiKey: string;
  /** Resolved secret of Odoo's signed event webhooks; absent when Odoo does not push events. */
  readonly webhookSecret?: string;
  readonly protocol: 'jsonrpc' | 'json2';
  readonly timeoutMs?: number;
  /** Absent when the file sets none. */
  readonly delivery?: OdooDeliverySettings;
}

export interface RateLimitRule {
  readonly perSecond?: number;
  readonly burst?: number;
  readonly perMinute?: number;
  readonly perDay?: number;
}

export interface RateLimitPolicy extends RateLimitRule {
  readonly routes?: Readonly<Record<string, RateLimitRule>>;
}

export interface X12Identity {
  readonly isaQualifier: string;
  readonly isaId: string;
  readonly gsId?: string;
  readonly versions?: readonly string[];
  readonly requestTa1?: boolean;
  readonly lenientIsa?: boolean;
}

export interface EdifactIdentity {
  readonly unbId: string;
  readonly unbQualifier?: string;
  readonly directories?: readonly string[];
  /** The UNB syntax identifier the partner reads (UNOC when not given); UNOW/UNOY for UTF-8. */
  readonly syntaxIdentifier?: string;
}

export interface PartnerChannel {
  readonly type: 'rest' | 'sftp' | 'sftp-poll' | 'as2' | 'webhook';
  readonly [setting: string]: unknown;
}

export interface PartnerDefinition {
  readonly id: string;
  readonly name: string;
  readonly kind: PartnerKind;
  readonly active: boolean;
  readonly environment: Environment;
  readonly timeZone: string;
  readonly owner?: Contact;
  readonly channels: readonly PartnerChannel[];
  readonly edi?: {
    readonly x12?: X12Identity;
    readonly edifact?: EdifactIdentity;
    readonly documents?: readonly string[];
  };
  readonly scopes: readonly Scope[];
  readonly rateLimit?: RateLimitPolicy;
  readonly customerAccount?: string;
}

export interface ApiClientDefinition {
  readonly id: string;
  readonly partnerId?: string;
  readonly description?: string;
  readonly active: boolean;
  /** Resolved secret values (one, or two during a rotation); hashed before they reach the database. */
  readonly secrets: readonly string[];
  readonly scopes: readonly Scope[];
}

/** A tenant's own identity provider whose tokens Crossdock accepts for some of the tenant's partners. */
export interface IdentityProviderDefinition {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly audience: string;
  readonly partnerClaim: string;
  readonly scopeClaim: string;
  /** Value of `partnerClaim` → partner id of this tenant. */
  readonly partners: Readonly<Record<string, string>>;
}

export interface TenantDefinition {
  readonly id: string;
  readonly name: string;
  readonly environment: Environment;
  readonly active: boolean;
  readonly owner?: Contact;
  readonly contacts: readonly Contact[];
  readonly odoo: { readonly production?: OdooConnection; readonly sandbox?: OdooConnection };
  readonly syncModes: Readonly<Record<SyncFlow, SyncMode>>;
  readonly slas: Readonly<Record<string, number>>;
  readonly retention: { readonly messagesDays: number; readonly auditDays: number };
  readonly pipeline: PipelineSettings;
  /** The tenant's own EDI identities, the sender of what Crossdock writes for it. */
  readonly edi: {
    readonly x12?: Omit<X12Identity, 'versions' | 'requestTa1' | 'lenientIsa'>;
    readonly edifact?: EdifactIdentity;
  };
  readonly corsOrigins: readonly string[];
  readonly partners: readonly PartnerDefinition[];
  readonly apiClients: readonly ApiClientDefinition[];
  readonly identityProviders: readonly IdentityProviderDefinition[];
  /** Path of the file it was read from, relative to the working directory. */
  readonly sourceFile: string;
  /** sha256 of the file's bytes: a sync only rewrites what changed. */
  readonly sourceSha256: string;
  readonly demo: boolean;
  /** The tenant's own AS2 identity, when its partners reach it over AS2. */
  readonly as2?: As2Identity;
}

export interface As2Identity {
  readonly as2Id: string;
  /** PEM certificate(s): the first is current, a second one is still accepted during a rollover. */
  readonly certificate: string;
  /** PEM private key(s) matching the certificates, in the same order. */
  readonly privateKey: string;
}

export interface RetrySettings {
  readonly maxAttempts: number;
  readonly initialDelaySeconds: number;
  readonly maxDelaySeconds: number;
}

export interface PipelineSettings {
  /** A repeated interchange (sender + control number) within this window is a duplicate. */
  readonly duplicateWindowDays: number;
  /** Flows in `batch` sync mode are delivered on this grid. */
  readonly batchIntervalMinutes: number;
  /** Retry policy per flow; `default` for flows without their own. */
  readonly retry: Readonly<Partial<Record<SyncFlow | 'default', RetrySettings>>>;
}

export const DEFAULT_RETRY: RetrySettings = { maxAttempts: 8, initialDelaySeconds: 5, maxDelaySeconds: 600 };

export function retrySettingsFor(pipeline: PipelineSettings, flow: SyncFlow): RetrySettings {
  return { ...DEFAULT_RETRY, ...pipeline.retry.default, ...pipeline.retry[flow] };
}

/** Defaults the business asked for: customer commitments real time, tracking and acks near real time, money in batch. */
export const DEFAULT_SYNC_MODES: Readonly<Record<SyncFlow, SyncMode>> = {
  orders: 'realtime',
  shipments: 'realtime',
  tracking: 'near-realtime',
  invoices: 'batch',
  returns: 'realtime',
  acknowledgements: 'near-realtime',
  masterData: 'batch',
};
