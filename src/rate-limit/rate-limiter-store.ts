import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { WindowState } from './rate-limit-headers.js';
import type { LimitWindow } from './rate-limit-policy.js';
import { MemoryWindowCounter } from './memory-window-counter.js';

export interface LimiterSpec {
  /** Separates counter families in Redis (`req`, `login-pair`, …). */
  readonly family: string;
  readonly points: number;
  readonly seconds: number;
}

/**
 * Where counters live: this process's memory, or Redis when `REDIS_URL` is set so that every
 * node counts against one limit. Each Redis limiter carries a memory insurance limiter: if Redis
 * goes away every node keeps limiting on its own (per node), and returns to the shared counters
 * as soon as ioredis reconnects.
 */
@Injectable()
export class RateLimiterStore implements OnApplicationShutdown {
  private readonly logger = new Logger('RateLimiterStore');
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly redis: Redis | undefined;
  private readonly prefix: string;
  private redisDown = false;
  /**
   * Request counters in this process: the counters when there is no Redis (answered without a
   * promise, see `consume`), else the insurance that counts per node while Redis is away.
   */
  private readonly memory = new MemoryWindowCounter();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = config.redisKeyPrefix;
    if (config.redisUrl) {
      this.redis = new Redis(config.redisUrl, {
        // Fail fast while disconnected, so the insurance limiter answers instead of a queue waiting.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        // A Redis that hangs must not hang requests: time out and let the insurance limiter answer.
        commandTimeout: 500,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
        // The commands of one event-loop turn (every window of every request in it) go out in one
        // write and come back in one read, instead of a round of syscalls each, on both sides.
        enableAutoPipelining: true,
      });
      this.redis.on('error', (error: Error) => {
        if (!this.redisDown) this.logger.warn(`Redis unavailable, limiting per node: ${error.message}`);
        this.redisDown = true;
      });
      this.redis.on('ready', () => {
        if (this.redisDown) this.logger.log('Redis back: shared rate limits again');
        this.redisDown = false;
      });
      this.redis.defineCommand(COUNT_WINDOWS, { lua: COUNT_WINDOWS_LUA });
    }
  }

  get shared(): boolean {
    return this.redis !== undefined;
  }

  limiter(spec: LimiterSpec): RateLimiterAbstract {
    const id = `${spec.family}:${spec.points}:${spec.seconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const options = {
        points: spec.points,
        duration: spec.seconds,
        keyPrefix: `${this.prefix}:${spec.family}:${spec.seconds}`,
      };
      limiter = this.redis
        ? new RateLimiterRedis({
            ...options,
            storeClient: this.redis,
            rejectIfRedisNotReady: true,
            insuranceLimiter: new RateLimiterMemory(options),
          })
        : new RateLimiterMemory(options);
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  /**
   * Counts one request against every window; all are counted, refused or not. In memory the
   * answer is synchronous: the policy chain then refuses or passes a request without an await.
   * In Redis one script counts every window of the request in one round trip (rate-limiter-flexible
   * would send a transaction per window); while Redis is away, this node counts on its own.
   */
  consume(key: string, windows: readonly LimitWindow[]): WindowState[] | Promise<WindowState[]> {
    const redis = this.redis;
    if (!redis) return this.consumeInMemory(key, windows);
    // One hash tag per subject: a Redis Cluster keeps all of a request's windows in one slot.
    const keys = windows.map((w) => `${this.prefix}:req:${w.seconds}:${w.points}:{${key}}`);
    const durations = windows.map((w) => w.seconds * 1000);
    return (redis as RedisWithWindowCounter)[COUNT_WINDOWS](keys.length, ...keys, ...durations).then(
      (counts) =>
        windows.map((window, i) => countedState(window, Number(counts[2 * i]), Number(counts[2 * i + 1]))),
      (error: unknown) => {
        if (!this.redisDown)
          this.logger.warn(
            `Redis rate limit failed, limiting per node: ${error instanceof Error ? error.message : String(error)}`,
          );
        return this.consumeInMemory(key, windows);
      },
    );
  }

  private consumeInMemory(key: string, windows: readonly LimitWindow[]): WindowState[] {
    const memory = this.memory;
    const now = Date.now();
    return windows.map((window) => {
      const count = memory.consume(`${window.seconds}:${window.points}:${key}`, window.seconds, now);
      return countedState(window, count.consumed, count.msBeforeNext);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.memory.close();
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

function countedState(window: LimitWindow, consumed: number, msBeforeNext: number): WindowState {
  return {
    window,
    remaining: Math.max(0, window.points - consumed),
    resetSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)),
    exceeded: consumed > window.points,
  };
}

const COUNT_WINDOWS = 'crossdockCountWindows';

/**
 * KEYS: one counter per window; ARGV: each window's length in ms. Fixed windows as
 * rate-limiter-flexible's Redis limiter keeps them (a window starts at a key's first request and
 * lasts its duration): returns count and ms left for each window. A counter found without an
 * expiry (left by a crash between the two calls) gets one, so it cannot block for ever.
 */
const COUNT_WINDOWS_LUA = `
local out = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  local ttl = tonumber(ARGV[i])
  if count == 1 then
    redis.call('PEXPIRE', key, ttl)
  else
    local left = redis.call('PTTL', key)
    if left < 0 then redis.call('PEXPIRE', key, ttl) else ttl = left end
  end
  out[2 * i - 1] = count
  out[2 * i] = ttl
end
return out
`;

type RedisWithWindowCounter = Redis & {
  [COUNT_WINDOWS](numberOfKeys: number, ...keysThenDurations: (string | number)[]): Promise<number[]>;
};
