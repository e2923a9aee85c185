import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
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
  private readonly windowLimiters = new WeakMap<LimitWindow, RateLimiterAbstract>();
  private readonly redis: Redis | undefined;
  private readonly prefix: string;
  private redisDown = false;
  /** Request counters when there is no Redis: answered without a promise (see `consume`). */
  private readonly memory: MemoryWindowCounter | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = config.redisKeyPrefix;
    if (!config.redisUrl) this.memory = new MemoryWindowCounter();
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

  /** The `req` limiter of a window, remembered per window object (policies' windows are built once). */
  private requestLimiter(window: LimitWindow): RateLimiterAbstract {
    let limiter = this.windowLimiters.get(window);
    if (!limiter) {
      limiter = this.limiter({ family: 'req', points: window.points, seconds: window.seconds });
      this.windowLimiters.set(window, limiter);
    }
    return limiter;
  }

  /**
   * Counts one request against every window; all are counted, refused or not. In memory the
   * answer is synchronous: the policy chain then refuses or passes a request without an await.
   */
  consume(key: string, windows: readonly LimitWindow[]): WindowState[] | Promise<WindowState[]> {
    const memory = this.memory;
    if (memory) {
      const now = Date.now();
      return windows.map((window) => {
        const count = memory.consume(`${window.seconds}:${window.points}:${key}`, window.seconds, now);
        return {
          window,
          remaining: Math.max(0, window.points - count.consumed),
          resetSeconds: Math.max(1, Math.ceil(count.msBeforeNext / 1000)),
          exceeded: count.consumed > window.points,
        };
      });
    }
    return Promise.all(
      windows.map(async (window) => {
        const limiter = this.requestLimiter(window);
        try {
          return stateOf(window, await limiter.consume(key), false);
        } catch (rejection) {
          if (rejection instanceof RateLimiterRes) return stateOf(window, rejection, true);
          // Neither Redis nor the insurance answered: let the request through rather than fail it.
          this.logger.error(
            `rate limiter failed: ${rejection instanceof Error ? rejection.message : String(rejection)}`,
          );
          return { window, remaining: window.points, resetSeconds: window.seconds, exceeded: false };
        }
      }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.memory?.close();
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

function stateOf(window: LimitWindow, res: RateLimiterRes, exceeded: boolean): WindowState {
  return {
    window,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    exceeded,
  };
}
