/** Where one key stands in one fixed window. */
export interface WindowCount {
  readonly consumed: number;
  readonly msBeforeNext: number;
}

interface Slot {
  consumed: number;
  resetAt: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Fixed-window counters in this process's memory, answered synchronously: the same windows as
 * rate-limiter-flexible's memory limiter (a window starts at a key's first request and lasts its
 * duration), without a promise and a timer per request and key. Expired keys are swept once a
 * minute, so idle IPs and partners do not accumulate.
 */
export class MemoryWindowCounter {
  private readonly slots = new Map<string, Slot>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** Counts one request of `key` in a window of `seconds`. */
  consume(key: string, seconds: number, now = Date.now()): WindowCount {
    let slot = this.slots.get(key);
    if (!slot || slot.resetAt <= now) {
      slot = { consumed: 0, resetAt: now + seconds * 1000 };
      this.slots.set(key, slot);
    }
    slot.consumed += 1;
    return { consumed: slot.consumed, msBeforeNext: slot.resetAt - now };
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private sweep(now: number): void {
    for (const [key, slot] of this.slots) if (slot.resetAt <= now) this.slots.delete(key);
  }
}
