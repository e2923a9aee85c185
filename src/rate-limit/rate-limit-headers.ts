import type { LimitWindow } from './rate-limit-policy.js';

/** Where one window stands after a request was counted. */
export interface WindowState {
  readonly window: LimitWindow;
  readonly remaining: number;
  /** Seconds until the window resets (at least 1 while something is consumed). */
  readonly resetSeconds: number;
  readonly exceeded: boolean;
}

/** draft-ietf-httpapi-ratelimit-headers-11: `"burst";q=40;w=1, "daily";q=200000;w=86400`. */
export function rateLimitPolicyHeader(windows: readonly LimitWindow[]): string {
  return windows.map((w) => `"${w.name}";q=${w.points};w=${w.seconds}`).join(', ');
}

/** The window closest to refusing (an exceeded one first): `"burst";r=12;t=1`. */
export function mostRestrictive(states: readonly WindowState[]): WindowState | undefined {
  return [...states].sort(
    (a, b) =>
      Number(b.exceeded) - Number(a.exceeded) ||
      (a.exceeded && b.exceeded ? b.resetSeconds - a.resetSeconds : 0) ||
      a.remaining / a.window.points - b.remaining / b.window.points ||
      a.resetSeconds - b.resetSeconds,
  )[0];
}

export function rateLimitHeader(state: WindowState): string {
  return `"${state.window.name}";r=${state.remaining};t=${state.resetSeconds}`;
}

/** The headers of a limited response; a refused one adds `Retry-After`. */
export function rateLimitHeaders(states: readonly WindowState[]): Record<string, string> {
  const headers: Record<string, string> = {};
  if (states.length === 0) return headers;
  headers['RateLimit-Policy'] = rateLimitPolicyHeader(states.map((s) => s.window));
  const worst = mostRestrictive(states)!;
  headers['RateLimit'] = rateLimitHeader(worst);
  if (worst.exceeded) headers['Retry-After'] = String(worst.resetSeconds);
  return headers;
}
