import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_TYPE, SIGNING_ALGORITHM } from './access-token-format.js';
import { SigningKeyRing } from './signing-key-ring.js';

export interface TokenSubject {
  readonly clientId: string;
  readonly tenantId: string;
  readonly partnerId: string | undefined;
  readonly scopes: readonly string[];
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly tokenId: string;
  readonly kid: string;
  readonly expiresIn: number;
}

/** Signs Crossdock access tokens with the active key. */
@Injectable()
export class AccessTokenIssuer {
  constructor(
    private readonly keys: SigningKeyRing,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async issue(subject: TokenSubject): Promise<IssuedAccessToken> {
    const { kid, privateKey } = await this.keys.activeKey();
    const tokenId = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = this.config.accessTokenTtlSeconds;
    const token = await new SignJWT({
      client_id: subject.clientId,
      tid: subject.tenantId,
      ...(subject.partnerId ? { pid: subject.partnerId } : {}),
      scope: subject.scopes.join(' '),
    })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.config.publicBaseUrl)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(subject.clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + expiresIn)
      .setJti(tokenId)
      .sign(privateKey);
    return { token, tokenId, kid, expiresIn };
  }
}
