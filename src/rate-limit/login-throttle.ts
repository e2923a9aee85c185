/**
 * Credential-stuffing defence for the token endpoint. How the token endpoint uses it:
 *
 *   constructor(private readonly loginThrottle: LoginThrottle) {}   // provided globally
 *   await this.loginThrottle.check(clientId, request.ip);   // throws a 429 problem while locked out
 *   ...verify the client secret...
 *   await this.loginThrottle.fail(clientId, request.ip);    // on invalid_client (wrong secret or unknown id)
 *   await this.loginThrottle.succeed(clientId, request.ip); // on a token issued
 *
 * Counted per source (`rateLimitSource`: an IPv4 address, an IPv6 /64). A client id + source pair
 * is locked for 15 minutes after 5 consecutive failures; a source for 15 minutes after 50 failures
 * within an hour whatever client ids it tries. Beyond those, a client id that has failed more than
 * 1,000 times in an hour from all sources together is under distributed guessing: until that hour
 * ends, a source that has already failed for it this hour is refused, so every source gets one
 * guess, not five. Nothing is refused for a client id alone: a source with no failure for it (the
 * client's own address, or one whose failures a success has cleared) still gets its token, so the
 * guessing cannot lock the client out. Counters live where the rate limits live (Redis when
 * shared), so a lockout holds on every node.
 */
import { Injectable } from '@nestjs/common';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { RateLimiterStore } from './rate-limiter-store.js';
import { rateLimitSource } from './source-address.js';

export const MAX_PAIR_FAILURES = 5;
export const MAX_IP_FAILURES = 50;
/** Failures for one client id from all sources in an hour before each source gets one guess only. */
export const MAX_CLIENT_FAILURES = 1_000;
export const LOCKOUT_SECONDS = 15 * 60;
const FAILURE_WINDOW_SECONDS = 60 * 60;

@Injectable()
export class LoginThrottle {
  private readonly pair: RateLimiterAbstract;
  private readonly ip: RateLimiterAbstract;
  private readonly client: RateLimiterAbstract;
  /** Failures of a client id + source pair this hour, for the one-guess rule (a success clears them). */
  private readonly pairHour: RateLimiterAbstract;

  constructor(store: RateLimiterStore) {
    this.pair = store.limiter({ family: 'login-pair', points: MAX_PAIR_FAILURES, seconds: LOCKOUT_SECONDS });
    this.ip = store.limiter({ family: 'login-ip', points: MAX_IP_FAILURES, seconds: FAILURE_WINDOW_SECONDS });
    this.client = store.limiter({
      family: 'login-client',
      points: MAX_CLIENT_FAILURES,
      seconds: FAILURE_WINDOW_SECONDS,
    });
    this.pairHour = store.limiter({ family: 'login-pair-hour', points: 1, seconds: FAILURE_WINDOW_SECONDS });
  }

  /** Throws a 429 problem (with `Retry-After`) while this pair or this source is locked out. */
  async check(clientId: string | undefined, ip: string): Promise<void> {
    const source = rateLimitSource(ip);
    const key = pairKey(clientId, source);
    const [pair, bySource, client, pairHour] = await Promise.all([
      this.pair.get(key).catch(() => null),
      this.ip.get(source).catch(() => null),
      this.client.get(clientKey(clientId)).catch(() => null),
      this.pairHour.get(key).catch(() => null),
    ]);
    const locked = [
      pair && pair.consumedPoints >= MAX_PAIR_FAILURES ? pair.msBeforeNext : 0,
      bySource && bySource.consumedPoints >= MAX_IP_FAILURES ? bySource.msBeforeNext : 0,
      // Refused while both hold: the client id is under distributed guessing and this source has
      // had its guess.
      exceeded(client, MAX_CLIENT_FAILURES) && pairHour && pairHour.consumedPoints >= 1
        ? Math.min(client.msBeforeNext, pairHour.msBeforeNext)
        : 0,
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
    const source = rateLimitSource(ip);
    const key = pairKey(clientId, source);
    await Promise.all([
      this.pair
        .penalty(key, 1)
        .then((res) =>
          res.consumedPoints >= MAX_PAIR_FAILURES ? this.pair.block(key, LOCKOUT_SECONDS) : undefined,
        )
        .catch(() => undefined),
      this.ip
        .penalty(source, 1)
        .then((res) =>
          res.consumedPoints >= MAX_IP_FAILURES ? this.ip.block(source, LOCKOUT_SECONDS) : undefined,
        )
        .catch(() => undefined),
      this.client.penalty(clientKey(clientId), 1).catch(() => undefined),
      this.pairHour.penalty(key, 1).catch(() => undefined),
    ]);
  }

  /**
   * A success clears the pair's failures (not the source's, nor the client id's): the source has
   * proved itself, and keeps its token under distributed guessing.
   */
  async succeed(clientId: string | undefined, ip: string): Promise<void> {
    const key = pairKey(clientId, rateLimitSource(ip));
    await Promise.all([
      this.pair.delete(key).catch(() => undefined),
      this.pairHour.delete(key).catch(() => undefined),
    ]);
  }
}

function exceeded(res: RateLimiterRes | null, points: number): res is RateLimiterRes {
  return res !== null && res.consumedPoints > points;
}

function pairKey(clientId: string | undefined, source: string): string {
  return `${clientId ?? '-'}|${source}`;
}

function clientKey(clientId: string | undefined): string {
  return clientId ?? '-';
}
