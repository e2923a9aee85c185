import { KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { createRemoteJWKSet, type JWSHeaderParameters, type RemoteJWKSet } from 'jose';
import type { IdentityProviderDefinition } from '../tenancy/tenant-definition.js';
import { TenantRegistry } from '../tenancy/tenant-registry.js';

export interface TrustedIdentityProvider {
  readonly tenantId: string;
  readonly definition: IdentityProviderDefinition;
  readonly keys: RemoteJWKSet;
}

/**
 * The tenants' own identity providers, by issuer. Their keys are fetched from the JWKS URL of the
 * tenant file and cached by jose (10 minutes; an unknown kid refetches at most every 30 s).
 */
@Injectable()
export class TrustedIdentityProviders {
  private readonly byIssuer: ReadonlyMap<string, TrustedIdentityProvider>;

  constructor(tenants: TenantRegistry) {
    const entries: [string, TrustedIdentityProvider][] = [];
    for (const tenant of tenants.all()) {
      if (!tenant.active) continue;
      for (const definition of tenant.identityProviders) {
        const keys = createRemoteJWKSet(new URL(definition.jwksUrl), {
          timeoutDuration: 5000,
          cooldownDuration: 30_000,
          cacheMaxAge: 600_000,
        });
        entries.push([definition.issuer, { tenantId: tenant.id, definition, keys }]);
      }
    }
    this.byIssuer = new Map(entries);
  }

  forIssuer(issuer: string): TrustedIdentityProvider | undefined {
    return this.byIssuer.get(issuer);
  }

  issuers(): string[] {
    return [...this.byIssuer.keys()];
  }

  audiences(): string[] {
    return [...new Set([...this.byIssuer.values()].map((p) => p.definition.audience))];
  }

  /** The provider's public key for this token header, as PEM for jsonwebtoken. */
  async publicKeyPem(provider: TrustedIdentityProvider, header: JWSHeaderParameters): Promise<string> {
    const key = await provider.keys(header);
    return KeyObject.from(key).export({ type: 'spki', format: 'pem' }).toString();
  }
}
