import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditAnnotations } from './principal.js';
import { hashSecret, verifySecret } from '../common/secret-hash.js';
import { LoginThrottle } from '../rate-limit/login-throttle.js';
import { SCOPES } from '../tenancy/tenant-file-schema.js';
import { AccessTokenIssuer } from './access-token-issuer.js';
import { OAuthTokenError } from './oauth-token-error.js';
import type { TokenRequest } from './token-request.js';

/** The token response of RFC 6749 §5.1. */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
}

interface ClientRow {
  id: string;
  tenant_id: string;
  partner_id: string | null;
  usable: boolean;
  scopes: string[];
  secret_hashes: string[];
}

const KNOWN_SCOPES: ReadonlySet<string> = new Set(SCOPES);
const REFUSED = 'Client authentication failed.';

/** OAuth2 client credentials grant (RFC 6749 §4.4) against the `api_clients` registry. */
@Injectable()
export class ClientCredentialsService {
  // Hashed once, compared against when the client id is unknown, so that an unknown id costs the
  // same time as a wrong secret and response times do not reveal which client ids exist.
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly issuer: AccessTokenIssuer,
    private readonly loginThrottle: LoginThrottle,
  ) {}

  /**
   * Authenticates the client and issues a token; `audit` learns who was claimed and what happened.
   * Failed authentications count towards the lockout of the client id + IP pair (credential stuffing).
   */
  async grant(request: TokenRequest, ip: string, audit: AuditAnnotations): Promise<TokenResponse> {
    audit.attemptedClientId = request.clientId.slice(0, 128);
    await this.loginThrottle.check(request.clientId, ip);
    try {
      const response = await this.authenticateAndIssue(request, audit);
      await this.loginThrottle.succeed(request.clientId, ip);
      return response;
    } catch (error) {
      if (error instanceof OAuthTokenError && error.error === 'invalid_client') {
        await this.loginThrottle.fail(request.clientId, ip);
      }
      throw error;
    }
  }

  private async authenticateAndIssue(request: TokenRequest, audit: AuditAnnotations): Promise<TokenResponse> {
    // No client id holds a NUL, and PostgreSQL text cannot: such an id is unknown, not a 500.
    const [client] = request.clientId.includes('\u0000')
      ? []
      : ((await this.dataSource.query(
          `SELECT c.id, c.tenant_id, c.partner_id, c.scopes, c.secret_hashes,
              c.active AND t.active AND coalesce(p.active, true) AS usable
         FROM api_clients c
         JOIN tenants t ON t.id = c.tenant_id
         LEFT JOIN partners p ON p.tenant_id = c.tenant_id AND p.id = c.partner_id
        WHERE c.id = $1`,
          [request.clientId],
        )) as ClientRow[]);
    const secretMatches = await this.secretMatches(request.clientSecret, client?.secret_hashes);
    if (!client || !secretMatches) {
      audit.reason = client ? 'wrong client secret' : 'unknown client id';
      throw new OAuthTokenError('invalid_client', REFUSED);
    }
    audit.tenantId = client.tenant_id;
    if (!client.usable) {
      // Said only in the audit log: the caller learns nothing about the client's state.
      audit.reason = 'client, partner or tenant deactivated';
      throw new OAuthTokenError('invalid_client', REFUSED);
    }
    const scopes = this.grantedScopes(request.scopes, client.scopes, audit);
    const issued = await this.issuer.issue({
      clientId: client.id,
      tenantId: client.tenant_id,
      partnerId: client.partner_id ?? undefined,
      scopes,
    });
    audit.resourceType = 'access-token';
    audit.resourceId = issued.tokenId;
    return {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      scope: scopes.join(' '),
    };
  }

  private grantedScopes(
    requested: readonly string[] | undefined,
    allowed: readonly string[],
    audit: AuditAnnotations,
  ): string[] {
    if (requested === undefined) return [...allowed];
    const refused = requested.filter((s) => !KNOWN_SCOPES.has(s) || !allowed.includes(s));
    if (refused.length > 0) {
      audit.reason = `scope not allowed: ${refused.join(' ').slice(0, 200)}`;
      throw new OAuthTokenError(
        'invalid_scope',
        `The scope ${refused.map((s) => `"${s.slice(0, 64)}"`).join(', ')} is unknown or not allowed for this client.`,
      );
    }
    return [...new Set(requested)];
  }

  /** Every stored hash is tried (two are valid during a secret rotation). */
  private async secretMatches(secret: string, hashes: readonly string[] | undefined): Promise<boolean> {
    if (!hashes || hashes.length === 0) {
      this.decoyHash ??= hashSecret('decoy, never a real secret');
      await verifySecret(secret, await this.decoyHash);
      return false;
    }
    let matched = false;
    for (const hash of hashes) {
      if (await verifySecret(secret, hash)) matched = true;
    }
    return matched;
  }
}
