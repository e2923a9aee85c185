/**
 * Credential-stuffing defence for the token endpoint. How the token endpoint uses it:
 *
 *   constructor(private readonly loginThrottle: LoginThrottle) {}   // provided globally
 *   await this.loginThrottle.check(clientId, request.ip);   // throws a 429 problem while locked out
 *   ...verify the client secret...
 *   await this.loginThrottle.fail(clientId, request.ip);    // on invalid_client (wrong secret or unknown id)
 *   await this.loginThrottle.succeed(clientId, request.ip); // on a token issued
 *
 * A client id + IP pair is locked for 15 minutes after 5 consecutive failures; an IP for 15
 * minutes after 50 failures within an hour whatever client ids it tries. Counters live where the
 * rate limits live (Redis when shared), so a lockout holds on every node.
 */
import { Injectable } from '@nestjs/common';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { RateLimiterStore } from './rate-limiter-store.js';

export const MAX_PAIR_FAILURES = 5;
export const MAX_IP_FAILURES = 50;
export const LOCKOUT_SECONDS = 15 * 60;
const IP_WINDOW_SECONDS = 60 * 60;

@Injectable()
export class LoginThrottle {
  private readonly pair: RateLimiterAbstract;
  private readonly ip: RateLimiterAbstract;

  constructor(store: RateLimiterStore) {
    this.pair = store.limiter({ family: 'login-pair', points: MAX_PAIR_FAILURES, seconds: LOCKOUT_SECONDS });
    this.ip = store.limiter({ family: 'login-ip', points: MAX_IP_FAILURES, seconds: IP_WINDOW_SECONDS });
  }

  /** Throws a 429 problem (with `Retry-After`) while this pair or this IP is locked out. */
  async check(clientId: string | undefined, ip: string): Promise<void> {
    const [pair, byIp] = await Promise.all([
      this.pair.get(pairKey(clientId, ip)).catch(() => null),
      this.ip.get(ip).catch(() => null),
    ]);
    const locked = [
      pair && pair.consumedPoints >= MAX_PAIR_FAILURES ? pair.msBeforeNext : 0,
      byIp && byIp.consumedPoints >= MAX_IP_FAILURES ? byIp.msBeforeNext : 0,
    ];
    const waitMs = Math.max(...locked);
    if (waitMs > 0) {
      const seconds = String(Math.max(1, Math.ceil(waitMs / 1000)));
      throw new ProblemException(
        429,
        ProblemCode.TooManyRequests,
        `Too many failed attempts; retry after ${seconds} second(s).`,
        { reason: 'login-lockout' },
        { 'Retry-After': seconds },
      );
    }
  }

  /** Counts a failed attempt; the fifth in a row locks the pair out for the full lockout period. */
  async fail(clientId: string | undefined, ip: string): Promise<void> {
    const key = pairKey(clientId, ip);
    await Promise.all([
      this.pair
        .penalty(key, 1)
        .then((res) =>
          res.consumedPoints >= MAX_PAIR_FAILURES ? this.pair.block(key, LOCKOUT_SECONDS) : undefined,
        )
        .catch(() => undefined),
      this.ip
        .penalty(ip, 1)
        .then((res) =>
          res.consumedPoints >= MAX_IP_FAILURES ? this.ip.block(ip, LOCKOUT_SECONDS) : undefined,
        )
        .catch(() => undefined),
    ]);
  }

  /** A success clears the pair's consecutive failures (not the IP's). */
  async succeed(clientId: string | undefined, ip: string): Promise<void> {
    await this.pair.delete(pairKey(clientId, ip)).catch(() => undefined);
  }
}

function pairKey(clientId: string | undefined, ip: string): string {
  return `${clientId ?? '-'}|${ip}`;
}
