import { createPublicKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { SCOPES, type Scope } from '../tenancy/tenant-file-schema.js';
import { TenantRegistry } from '../tenancy/tenant-registry.js';
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_TYPE,
  CLOCK_TOLERANCE_SECONDS,
  SIGNING_ALGORITHM,
} from './access-token-format.js';
import { ClientStatusCache, type CallerStatus } from './client-status-cache.js';
import { InvalidTokenError, TokenCheckFailure } from './invalid-token-error.js';
import type { Principal } from './principal.js';
import { SigningKeyRing } from './signing-key-ring.js';
import { TrustedIdentityProviders, type TrustedIdentityProvider } from './trusted-identity-providers.js';

export const ACCESS_TOKEN_STRATEGY = 'crossdock-access-token';

/**
 * What a tenant's identity provider may sign with, besides ES256. Asymmetric only: an HMAC
 * "signed" with a public key must never verify.
 */
const IDP_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES384'] as const;
const KNOWN_SCOPES: ReadonlySet<string> = new Set(SCOPES);

function claimString(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function audiences(payload: JWTPayload): string[] {
  return typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
}

const PARSED_KEYS = new Map<string, KeyObject>();

/**
 * A PEM parsed once: parsing it on every request cost about a seventh of a token check's CPU
 * (bench/auth-chain). Keys are few (ours rotate, providers publish a handful), so the map stays small.
 */
function parsedPublicKey(pem: string): KeyObject {
  let key = PARSED_KEYS.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    if (PARSED_KEYS.size > 256) PARSED_KEYS.clear();
    PARSED_KEYS.set(pem, key);
  }
  return key;
}

/**
 * Verifies bearer tokens with passport-jwt (jsonwebtoken underneath): the key is chosen by issuer
 * and kid, the algorithm list excludes `none` and HMAC, expiry and not-before are enforced. The
 * claims are then mapped to a Principal, and the client or partner must still be active.
 */
@Injectable()
export class AccessTokenStrategy extends PassportStrategy(Strategy, ACCESS_TOKEN_STRATEGY) {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly status: ClientStatusCache,
    private readonly providers: TrustedIdentityProviders,
    private readonly tenants: TenantRegistry,
    keyRing: SigningKeyRing,
  ) {
    const ownIssuer = config.publicBaseUrl;
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: [SIGNING_ALGORITHM, ...IDP_ALGORITHMS],
      issuer: [ownIssuer, ...providers.issuers()],
      audience: [ACCESS_TOKEN_AUDIENCE, ...providers.audiences()],
      jsonWebTokenOptions: { clockTolerance: CLOCK_TOLERANCE_SECONDS },
      secretOrKeyProvider: (
        _request: unknown,
        rawToken: unknown,
        done: (err: unknown, key?: string) => void,
      ) => {
        keyFor(String(rawToken)).then(
          // jsonwebtoken takes a KeyObject as well as a PEM string (the typings only say string).
          (key) => done(null, parsedPublicKey(key) as unknown as string),
          (error: unknown) => done(error),
        );
      },
    });

    // Chooses the key from unverified header and issuer; the signature check that follows proves them.
    async function keyFor(rawToken: string): Promise<string> {
      let header;
      let payload;
      try {
        header = decodeProtectedHeader(rawToken);
        payload = decodeJwt(rawToken);
      } catch {
        throw new InvalidTokenError('The access token is malformed.');
      }
      if (payload.iss === ownIssuer) {
        // Crossdock signs with one algorithm only; anything else claiming to be ours is forged.
        if (header.alg !== SIGNING_ALGORITHM) {
          throw new InvalidTokenError(
            'The access token uses a signing algorithm that is not accepted.',
            `alg ${String(header.alg).slice(0, 20)}`,
          );
        }
        if (header.typ !== ACCESS_TOKEN_TYPE) {
          throw new InvalidTokenError('The token is not an access token.', `typ ${String(header.typ)}`);
        }
        const key =
          typeof header.kid === 'string'
            ? await keyRing.verificationKey(header.kid).catch((error: unknown) => {
                throw new TokenCheckFailure(error);
              })
            : undefined;
        if (!key) {
          throw new InvalidTokenError(
            'The access token was signed by an unknown or retired key.',
            `unknown kid ${String(header.kid).slice(0, 80)}`,
          );
        }
        return key;
      }
      const provider = typeof payload.iss === 'string' ? providers.forIssuer(payload.iss) : undefined;
      if (!provider) {
        throw new InvalidTokenError(
          'The access token has an untrusted issuer.',
          `untrusted iss ${String(payload.iss).slice(0, 200)}`,
        );
      }
      try {
        return await providers.publicKeyPem(provider, header);
      } catch (error) {
        throw new InvalidTokenError(
          'The access token was signed by a key the identity provider does not publish.',
          `identity provider key: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  /** Called by passport-jwt with the verified payload; the returned principal becomes request.principal. */
  async validate(payload: JWTPayload): Promise<Principal> {
    return this.principalOf(payload);
  }

  /**
   * The principal of a verified payload. Synchronous when the caller's status is cached (the
   * common case), so that a request with a known token is authenticated without an await.
   */
  principalOf(payload: JWTPayload): Principal | Promise<Principal> {
    if (typeof payload.exp !== 'number') throw new InvalidTokenError('The access token has no expiry.');
    if (payload.iss === this.config.publicBaseUrl) return this.ownPrincipal(payload);
    const provider = typeof payload.iss === 'string' ? this.providers.forIssuer(payload.iss) : undefined;
    if (!provider) throw new InvalidTokenError('The access token has an untrusted issuer.');
    return this.providerPrincipal(payload, provider);
  }

  private ownPrincipal(payload: JWTPayload): Principal | Promise<Principal> {
    const clientId = claimString(payload, 'sub');
    const tenantId = claimString(payload, 'tid');
    const tokenId = claimString(payload, 'jti');
    const scope = payload.scope;
    if (!clientId || !tenantId || !tokenId || typeof scope !== 'string') {
      throw new InvalidTokenError('The access token lacks required claims.');
    }
    // Pairs issuer and audience: jsonwebtoken only checked each against the union of both lists.
    if (!audiences(payload).includes(ACCESS_TOKEN_AUDIENCE)) {
      throw new InvalidTokenError(
        'The access token is not meant for this API.',
        `aud ${String(payload.aud)}`,
      );
    }
    const status = this.status.client(tenantId, clientId);
    return status instanceof Promise
      ? status.then((s) => this.ownPrincipalOf(payload, tenantId, clientId, tokenId, scope, s))
      : this.ownPrincipalOf(payload, tenantId, clientId, tokenId, scope, status);
  }

  private ownPrincipalOf(
    payload: JWTPayload,
    tenantId: string,
    clientId: string,
    tokenId: string,
    scope: string,
    status: CallerStatus,
  ): Principal {
    if (!status.usable || (status.partnerId ?? undefined) !== claimString(payload, 'pid')) {
      throw new InvalidTokenError(
        'The access token has been revoked.',
        'client, partner or tenant deactivated',
      );
    }
    const current = new Set(status.scopes ?? []);
    const scopes = scope.split(' ').filter((s): s is Scope => KNOWN_SCOPES.has(s) && current.has(s));
    return {
      tenantId,
      clientId,
      scopes,
      tokenId,
      issuer: this.config.publicBaseUrl,
      ...(status.partnerId ? { partnerId: status.partnerId } : {}),
      ...(status.partnerKind ? { partnerKind: status.partnerKind } : {}),
      ...(status.customerAccount ? { customerAccount: status.customerAccount } : {}),
    };
  }

  private async providerPrincipal(
    payload: JWTPayload,
    provider: TrustedIdentityProvider,
  ): Promise<Principal> {
    const { definition, tenantId } = provider;
    if (!audiences(payload).includes(definition.audience)) {
      throw new InvalidTokenError(
        'The access token is not meant for this API.',
        `aud ${String(payload.aud)}`,
      );
    }
    const subject = claimString(payload, 'sub');
    const claimValue = claimString(payload, definition.partnerClaim);
    const partnerId =
      claimValue !== undefined && Object.hasOwn(definition.partners, claimValue)
        ? definition.partners[claimValue]
        : undefined;
    if (!subject || !partnerId) {
      throw new InvalidTokenError(
        'The access token does not name a partner this tenant maps.',
        `${definition.partnerClaim}=${String(claimValue).slice(0, 80)} not mapped`,
      );
    }
    const status = await this.status.partner(tenantId, partnerId);
    if (!status.usable)
      throw new InvalidTokenError('The access token has been revoked.', 'partner or tenant deactivated');
    const raw = payload[definition.scopeClaim];
    const claimed = typeof raw === 'string' ? raw.split(' ') : Array.isArray(raw) ? raw.map(String) : [];
    // The identity provider cannot grant more than the tenant file allows the partner.
    const allowed = new Set(this.tenants.partner(tenantId, partnerId)?.scopes ?? []);
    const scopes = claimed.filter((s): s is Scope => KNOWN_SCOPES.has(s) && allowed.has(s as Scope));
    return {
      tenantId,
      partnerId,
      clientId: subject,
      scopes,
      tokenId: claimString(payload, 'jti') ?? `${subject}:${String(payload.iat ?? payload.exp)}`,
      issuer: definition.issuer,
      ...(status.partnerKind ? { partnerKind: status.partnerKind } : {}),
      ...(status.customerAccount ? { customerAccount: status.customerAccount } : {}),
    };
  }
}
