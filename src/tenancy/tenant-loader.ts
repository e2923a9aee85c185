import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { createSchemaValidator } from '../common/json-schema.js';
import { tenantFileSchema, type Scope } from './tenant-file-schema.js';
import {
  DEFAULT_SYNC_MODES,
  type ApiClientDefinition,
  type IdentityProviderDefinition,
  type OdooConnection,
  type OdooDeliverySettings,
  type PartnerDefinition,
  type TenantDefinition,
} from './tenant-definition.js';
import { TenantFileError, type TenantFileProblem } from './tenant-file-error.js';

export interface LoadTenantsOptions {
  /** Where variables named by `${ENV}` references are looked up. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Load `tenants/demo/*.yaml` as well (demo mode only). */
  readonly includeDemo?: boolean;
  /** For messages: paths are shown relative to this directory. */
  readonly cwd?: string;
}

const validateFile = createSchemaValidator(tenantFileSchema, { useDefaults: true });
const ENV_REFERENCE = /^\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}$/;

async function yamlFilesIn(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

/** The tenant files a start-up would load: `tenants/*.yaml`, plus `tenants/demo/*.yaml` in demo mode. */
export async function tenantFilePaths(tenantsDir: string, includeDemo: boolean): Promise<string[]> {
  const files = await yamlFilesIn(tenantsDir);
  if (includeDemo) files.push(...(await yamlFilesIn(path.join(tenantsDir, 'demo'))));
  return files;
}

/** Reads, validates and resolves every tenant file; all problems of all files are reported together. */
export async function loadTenants(
  tenantsDir: string,
  options: LoadTenantsOptions = {},
): Promise<TenantDefinition[]> {
  const files = await tenantFilePaths(tenantsDir, options.includeDemo ?? false);
  const problems: TenantFileProblem[] = [];
  const tenants: TenantDefinition[] = [];
  for (const file of files) {
    const result = await loadTenantFile(file, {
      ...options,
      demo: path.dirname(file) === path.join(tenantsDir, 'demo'),
    });
    problems.push(...result.problems);
    if (result.tenant) tenants.push(result.tenant);
  }
  problems.push(...crossFileProblems(tenants));
  if (problems.length > 0) throw new TenantFileError(problems);
  return tenants;
}

interface FileResult {
  readonly tenant?: TenantDefinition;
  readonly problems: TenantFileProblem[];
}

export async function loadTenantFile(
  file: string,
  options: LoadTenantsOptions & { readonly demo?: boolean } = {},
): Promise<FileResult> {
  const shown = path.relative(options.cwd ?? process.cwd(), file) || file;
  const bytes = await readFile(file);
  const lineCounter = new LineCounter();
  const document = parseDocument(bytes.toString('utf8'), {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
  });
  if (document.errors.length > 0) {
    return {
      problems: document.errors.map((error) => {
        const at = lineCounter.linePos(error.pos[0]);
        return {
          file: shown,
          line: at.line,
          column: at.col,
          path: '',
          message: error.message.split('\n')[0]!,
        };
      }),
    };
  }
  const locate = (pointer: string): Pick<TenantFileProblem, 'line' | 'column'> =>
    locateNode(document, lineCounter, pointer);
  const value: unknown = document.toJS();
  const errors = validateFile(value);
  if (errors.length > 0) {
    return {
      problems: errors.map((error) => ({
        file: shown,
        ...locate(error.pointer),
        path: error.pointer,
        message: error.message,
      })),
    };
  }
  const raw = value as RawTenantFile;
  const problems: TenantFileProblem[] = [];
  const problem = (pointer: string, message: string): void => {
    problems.push({ file: shown, ...locate(pointer), path: pointer, message });
  };
  const env = options.env ?? process.env;
  const resolve = (reference: string, pointer: string): string => {
    const match = ENV_REFERENCE.exec(reference);
    if (!match) {
      problem(pointer, 'must be an environment reference such as ${NAME}');
      return '';
    }
    if (match[2] !== undefined && !options.demo) {
      problem(pointer, 'defaults (${NAME:-value}) are allowed only in demo tenant files');
      return '';
    }
    const found = env[match[1]!];
    if (found !== undefined && found !== '') return found;
    if (match[2] !== undefined) return match[2];
    problem(pointer, `environment variable ${match[1]} is not set`);
    return '';
  };

  const basename = path.basename(file).replace(/\.ya?ml$/i, '');
  if (basename !== raw.id) problem('/id', `must match the file name "${basename}"`);

  const partnerIds = new Set<string>();
  const partners: PartnerDefinition[] = raw.partners.map((p, index) => {
    if (partnerIds.has(p.id)) problem(`/partners/${index}/id`, `partner "${p.id}" is defined twice`);
    partnerIds.add(p.id);
    const timeZone = p.timeZone ?? 'UTC';
    if (!isTimeZone(timeZone))
      problem(`/partners/${index}/timeZone`, `"${timeZone}" is not an IANA time zone`);
    return {
      id: p.id,
      name: p.name,
      kind: p.kind,
      active: p.active ?? true,
      environment: p.environment ?? 'production',
      timeZone,
      // Channel secrets (SFTP passwords and keys, AS2 keys) are `${ENV}` references like all others.
      channels: (p.channels ?? []).map(
        (c, ci) =>
          Object.fromEntries(
            Object.entries(c).map(([key, setting]) => [
              key,
              typeof setting === 'string' && ENV_REFERENCE.test(setting)
                ? resolve(setting, `/partners/${index}/channels/${ci}/${key}`)
                : setting,
            ]),
          ) as PartnerDefinition['channels'][number],
      ),
      scopes: p.scopes ?? [],
      ...(p.owner ? { owner: p.owner } : {}),
      ...(p.edi ? { edi: p.edi } : {}),
      ...(p.rateLimit ? { rateLimit: p.rateLimit } : {}),
      ...(p.customerAccount ? { customerAccount: p.customerAccount } : {}),
    };
  });

  const x12Ids = new Map<string, number>();
  partners.forEach((p, index) => {
    const x12 = p.edi?.x12;
    if (!x12) return;
    const key = `${x12.isaQualifier}/${x12.isaId}`;
    const previous = x12Ids.get(key);
    if (previous !== undefined) {
      problem(
        `/partners/${index}/edi/x12`,
        `ISA identity ${key} is already used by partner "${partners[previous]!.id}"`,
      );
    }
    x12Ids.set(key, index);
  });

  const clients: ApiClientDefinition[] = (raw.apiClients ?? []).map((c, index) => {
    const partner = c.partner ? partners.find((p) => p.id === c.partner) : undefined;
    if (c.partner && !partner)
      problem(`/apiClients/${index}/partner`, `no partner "${c.partner}" in this file`);
    const scopes = c.scopes ?? partner?.scopes ?? [];
    if (partner) {
      const extra = scopes.filter((s) => !partner.scopes.includes(s));
      if (extra.length > 0) {
        problem(
          `/apiClients/${index}/scopes`,
          `scopes ${extra.join(', ')} are not allowed for partner "${partner.id}"`,
        );
      }
    }
    return {
      id: c.id,
      active: c.active ?? true,
      secrets: c.secrets.map((s, i) => resolve(s, `/apiClients/${index}/secrets/${i}`)),
      scopes,
      ...(c.partner ? { partnerId: c.partner } : {}),
      ...(c.description ? { description: c.description } : {}),
    };
  });

  const identityProviders: IdentityProviderDefinition[] = (raw.identityProviders ?? []).map((idp, index) => {
    for (const [claimValue, partnerId] of Object.entries(idp.partners)) {
      if (!partnerIds.has(partnerId)) {
        problem(
          `/identityProviders/${index}/partners/${claimValue.replace(/~/g, '~0').replace(/\//g, '~1')}`,
          `no partner "${partnerId}" in this file`,
        );
      }
    }
    // Keys fetched over plain HTTP could be swapped by anyone on the path; only a local JWKS may skip TLS.
    const jwks = new URL(idp.jwksUrl);
    if (jwks.protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(jwks.hostname)) {
      problem(`/identityProviders/${index}/jwksUrl`, 'must be https (plain http only for localhost)');
    }
    return {
      issuer: idp.issuer,
      jwksUrl: idp.jwksUrl,
      audience: idp.audience,
      partnerClaim: idp.partnerClaim ?? 'sub',
      scopeClaim: idp.scopeClaim ?? 'scope',
      partners: { ...idp.partners },
    };
  });

  const odoo = (which: 'production' | 'sandbox'): OdooConnection | undefined => {
    const c = raw.odoo?.[which];
    if (!c) return undefined;
    return {
      url: c.url,
      database: c.database,
      login: c.login,
      apiKeyRef: c.apiKey,
      apiKey: resolve(c.apiKey, `/odoo/${which}/apiKey`),
      ...(c.webhookSecret ? { webhookSecret: resolve(c.webhookSecret, `/odoo/${which}/webhookSecret`) } : {}),
      protocol: c.protocol ?? 'jsonrpc',
      ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}),
      ...deliverySettings(raw.odoo?.delivery, c.delivery),
    };
  };
  // AS2 key material: a `${ENV}` holding the PEM, or a PEM file next to the tenant file.
  const pem = async (reference: string, pointer: string): Promise<string> => {
    if (reference.startsWith('${')) return resolve(reference, pointer);
    try {
      return await readFile(path.resolve(path.dirname(file), reference), 'utf8');
    } catch {
      problem(pointer, `cannot read the PEM file "${reference}"`);
      return '';
    }
  };
  const as2 = raw.as2
    ? {
        as2Id: raw.as2.as2Id,
        certificate: await pem(raw.as2.certificate, '/as2/certificate'),
        privateKey: await pem(raw.as2.privateKey, '/as2/privateKey'),
      }
    : undefined;

  const production = odoo('production');
  const sandbox = odoo('sandbox');

  if (problems.length > 0) return { problems };
  return {
    problems,
    tenant: {
      id: raw.id,
      name: raw.name,
      environment: raw.environment,
      active: raw.active ?? true,
      contacts: raw.contacts ?? [],
      odoo: { ...(production ? { production } : {}), ...(sandbox ? { sandbox } : {}) },
      syncModes: { ...DEFAULT_SYNC_MODES, ...(raw.syncModes ?? {}) },
      slas: raw.slas ?? {},
      retention: {
        messagesDays: raw.retention?.messagesDays ?? 90,
        auditDays: raw.retention?.auditDays ?? 400,
      },
      edi: raw.edi ?? {},
      pipeline: {
        duplicateWindowDays: raw.pipeline?.duplicateWindowDays ?? 30,
        batchIntervalMinutes: raw.pipeline?.batchIntervalMinutes ?? 15,
        retry: raw.pipeline?.retry ?? {},
      },
      corsOrigins: raw.cors?.origins ?? [],
      partners,
      apiClients: clients,
      identityProviders,
      sourceFile: shown,
      sourceSha256: createHash('sha256').update(bytes).digest('hex'),
      demo: options.demo ?? false,
      ...(raw.owner ? { owner: raw.owner } : {}),
      ...(as2 ? { as2 } : {}),
    },
  };
}

/** Tenant ids and API client ids must be unique across all files: a client id alone identifies its tenant. */
function crossFileProblems(tenants: readonly TenantDefinition[]): TenantFileProblem[] {
  const problems: TenantFileProblem[] = [];
  const tenantFiles = new Map<string, string>();
  const clientTenants = new Map<string, string>();
  const issuerTenants = new Map<string, string>();
  for (const tenant of tenants) {
    // A token's issuer alone decides which tenant it speaks for.
    tenant.identityProviders.forEach((idp, index) => {
      const owner = issuerTenants.get(idp.issuer);
      if (owner) {
        problems.push({
          file: tenant.sourceFile,
          path: `/identityProviders/${index}/issuer`,
          message: `issuer "${idp.issuer}" is already trusted by tenant "${owner}"`,
        });
      }
      issuerTenants.set(idp.issuer, tenant.id);
    });
    const other = tenantFiles.get(tenant.id);
    if (other)
      problems.push({
        file: tenant.sourceFile,
        path: '/id',
        message: `tenant "${tenant.id}" is also defined in ${other}`,
      });
    tenantFiles.set(tenant.id, tenant.sourceFile);
    tenant.apiClients.forEach((client, index) => {
      const owner = clientTenants.get(client.id);
      if (owner) {
        problems.push({
          file: tenant.sourceFile,
          path: `/apiClients/${index}/id`,
          message: `API client id "${client.id}" is already used by tenant "${owner}"`,
        });
      }
      clientTenants.set(client.id, tenant.id);
    });
  }
  return problems;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function locateNode(
  document: Document,
  lineCounter: LineCounter,
  pointer: string,
): Pick<TenantFileProblem, 'line' | 'column'> {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  // The pointer may name a property that is missing: walk up to the closest node that exists.
  for (let length = segments.length; length >= 0; length -= 1) {
    const node = document.getIn(segments.slice(0, length), true);
    if (isNode(node) && node.range) {
      const at = lineCounter.linePos(node.range[0]);
      return { line: at.line, column: at.col };
    }
  }
  return {};
}

interface RawContact {
  name: string;
  email?: string;
  phone?: string;
  role?: string;
}
/** `odoo.delivery` for both connections, a connection's own `delivery` winning key by key. */
function deliverySettings(
  shared: OdooDeliverySettings | undefined,
  own: OdooDeliverySettings | undefined,
): { delivery?: OdooDeliverySettings } {
  if (!shared && !own) return {};
  const units = shared?.units || own?.units ? upperCaseKeys({ ...shared?.units, ...own?.units }) : undefined;
  return { delivery: { ...shared, ...own, ...(units ? { units } : {}) } };
}

/** Unit codes are matched without regard to case (`ca` in a file means the `CA` partners send). */
function upperCaseKeys(units: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(units).map(([code, name]) => [code.toUpperCase(), name]));
}

interface RawOdoo {
  url: string;
  database: string;
  login: string;
  apiKey: string;
  webhookSecret?: string;
  protocol?: 'jsonrpc' | 'json2';
  timeoutMs?: number;
  delivery?: OdooDeliverySettings;
}
interface RawPartner extends Omit<
  PartnerDefinition,
  'active' | 'environment' | 'timeZone' | 'channels' | 'scopes' | 'owner'
> {
  active?: boolean;
  environment?: 'test' | 'production';
  timeZone?: string;
  channels?: PartnerDefinition['channels'];
  scopes?: Scope[];
  owner?: RawContact;
}
interface RawTenantFile {
  id: string;
  name: string;
  environment: 'test' | 'production';
  active?: boolean;
  owner?: RawContact;
  contacts?: RawContact[];
  odoo?: { production?: RawOdoo; sandbox?: RawOdoo; delivery?: OdooDeliverySettings };
  syncModes?: Partial<TenantDefinition['syncModes']>;
  slas?: Record<string, number>;
  retention?: { messagesDays?: number; auditDays?: number };
  edi?: TenantDefinition['edi'];
  pipeline?: {
    duplicateWindowDays?: number;
    batchIntervalMinutes?: number;
    retry?: TenantDefinition['pipeline']['retry'];
  };
  cors?: { origins?: string[] };
  partners: RawPartner[];
  apiClients?: {
    id: string;
    partner?: string;
    description?: string;
    active?: boolean;
    secrets: string[];
    scopes?: Scope[];
  }[];
  as2?: { as2Id: string; certificate: string; privateKey: string };
  identityProviders?: {
    issuer: string;
    jwksUrl: string;
    audience: string;
    partnerClaim?: string;
    scopeClaim?: string;
    partners: Record<string, string>;
  }[];
}
