import { Global, Module } from '@nestjs/common';
import { LoginThrottle } from './login-throttle.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimiterStore } from './rate-limiter-store.js';

/**
 * Global so the token endpoint can inject `LoginThrottle`. The guard itself runs inside the one
 * global PolicyGuard (auth/policy.guard.ts), where the order AuthGuard → RateLimitGuard → ScopesGuard is visible.
 */
@Global()
@Module({
  providers: [RateLimiterStore, RateLimitGuard, LoginThrottle],
  exports: [RateLimiterStore, RateLimitGuard, LoginThrottle],
})
export class RateLimitModule {}
