import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AccessTokenIssuer } from './access-token-issuer.js';
import { AccessTokenStrategy } from './access-token.strategy.js';
import { AuthGuard } from './auth.guard.js';
import { ClientCredentialsService } from './client-credentials.service.js';
import { ClientStatusCache } from './client-status-cache.js';
import { JwksController } from './jwks.controller.js';
import { MeController } from './me.controller.js';
import { PolicyGuard } from './policy.guard.js';
import { ScopesGuard } from './scopes.guard.js';
import { SigningKeyRing } from './signing-key-ring.js';
import { TokenController } from './token.controller.js';
import { TrustedIdentityProviders } from './trusted-identity-providers.js';

/** Token endpoint, JWKS, token verification and the guards the app registers globally. */
@Module({
  imports: [PassportModule],
  controllers: [TokenController, JwksController, MeController],
  providers: [
    SigningKeyRing,
    AccessTokenIssuer,
    ClientCredentialsService,
    ClientStatusCache,
    TrustedIdentityProviders,
    AccessTokenStrategy,
    AuthGuard,
    ScopesGuard,
    PolicyGuard,
  ],
  exports: [AuthGuard, ScopesGuard, PolicyGuard, SigningKeyRing, ClientStatusCache],
})
export class AuthModule {}
