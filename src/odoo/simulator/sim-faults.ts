/** Fault injection: what the simulator does instead of answering, for tests and demos of the retry paths. */
export const SIM_FAULT_MODES = [
  'down',
  'slow',
  'http500',
  'accessDenied',
  'validationError',
  'sessionExpired',
  // The call runs and commits, then the connection is reset before the answer: a timeout after the write.
  'lostReply',
  // A rate-limiting proxy: 429 with Retry-After, the call never reaches Odoo.
  'http429',
  // An Odoo that stops answering: the call waits, unanswered, until the faults are cleared, then runs.
  'stall',
] as const;
export type SimFaultMode = (typeof SIM_FAULT_MODES)[number];

const MODEL_CALL_FAULTS: ReadonlySet<SimFaultMode> = new Set([
  'accessDenied',
  'validationError',
  'sessionExpired',
]);

export interface SimFault {
  readonly mode: SimFaultMode;
  /** How many matching calls it affects; unlimited until cleared when absent. */
  readonly count?: number;
  /** Only calls on this model (`object.execute_kw` / JSON-2); `down`, `slow` and `http500` without a model hit every request. */
  readonly model?: string;
  readonly method?: string;
  /** Only requests whose raw body contains this text (e.g. a PO number). */
  readonly matching?: string;
  /** For `slow`: delay before answering (default 2000 ms). */
  readonly delayMs?: number;
  /** For `validationError`: Odoo's message. */
  readonly message?: string;
  /** Matching calls let through before the fault strikes (default 0): hits the n+1-th matching call. */
  readonly skip?: number;
  /** For `http429`: the Retry-After header in seconds (default 1). */
  readonly retryAfterSeconds?: number;
}

export interface ActiveFault extends SimFault {
  readonly id: number;
  remaining: number | undefined;
  hits: number;
  skipped: number;
}

export interface SimRequestInfo {
  readonly model?: string;
  readonly method?: string;
  readonly body: string;
}

export function isSimFault(value: unknown): value is SimFault {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['mode'] === 'string' &&
    (SIM_FAULT_MODES as readonly string[]).includes(v['mode']) &&
    (v['count'] === undefined || (typeof v['count'] === 'number' && v['count'] >= 1)) &&
    (v['model'] === undefined || typeof v['model'] === 'string') &&
    (v['method'] === undefined || typeof v['method'] === 'string') &&
    (v['matching'] === undefined || typeof v['matching'] === 'string') &&
    (v['delayMs'] === undefined || typeof v['delayMs'] === 'number') &&
    (v['message'] === undefined || typeof v['message'] === 'string') &&
    (v['skip'] === undefined || (typeof v['skip'] === 'number' && v['skip'] >= 0)) &&
    (v['retryAfterSeconds'] === undefined ||
      (typeof v['retryAfterSeconds'] === 'number' && v['retryAfterSeconds'] >= 0))
  );
}

export class SimFaultTable {
  private faults: ActiveFault[] = [];
  private nextId = 1;
  private stalled: Array<() => void> = [];

  add(fault: SimFault): ActiveFault {
    const active: ActiveFault = {
      ...fault,
      id: this.nextId++,
      remaining: fault.count,
      hits: 0,
      skipped: 0,
    };
    this.faults.push(active);
    return active;
  }

  /** Clears the faults and lets every stalled call go on. */
  clear(): void {
    this.faults = [];
    const waiting = this.stalled;
    this.stalled = [];
    for (const resume of waiting) resume();
  }

  /** Resolves when the faults are next cleared: how a `stall` fault holds its call. */
  untilCleared(): Promise<void> {
    return new Promise((resolve) => this.stalled.push(resolve));
  }

  list(): readonly ActiveFault[] {
    return this.faults;
  }

  /** The first fault matching this request, consumed by one; undefined when the request goes through. */
  take(request: SimRequestInfo): ActiveFault | undefined {
    const fault = this.faults.find((f) => {
      if (f.model !== undefined && f.model !== request.model) return false;
      if (f.method !== undefined && f.method !== request.method) return false;
      if (f.matching !== undefined && !request.body.includes(f.matching)) return false;
      // Authentication, business and session faults only make sense on a model call.
      if (request.model === undefined && MODEL_CALL_FAULTS.has(f.mode)) {
        return false;
      }
      if (f.skipped < (f.skip ?? 0)) {
        f.skipped += 1;
        return false;
      }
      return true;
    });
    if (!fault) return undefined;
    fault.hits += 1;
    if (fault.remaining !== undefined) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    }
    return fault;
  }
}
