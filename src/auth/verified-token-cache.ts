import { hash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';

const MAX_ENTRIES = 10_000;

export interface VerifiedToken {
  readonly payload: JWTPayload;
  /** The signing key: a cached token of a key that has since retired is refused like any other. */
  readonly kid?: string;
}

/**
 * Tokens whose signature, issuer, audience and times were already verified by this process, by
 * hash, until they expire. A partner calls with the same token for up to 15 minutes; checking its
 * ECDSA signature once instead of on every request is most of the cost of authentication. The
 * claims are still mapped (and the client, partner and tenant status checked) on every request,
 * so revocation works exactly as without the cache.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, VerifiedToken>();

  constructor(private readonly clockToleranceSeconds: number) {}

  get(token: string): VerifiedToken | undefined {
    const key = this.key(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const now = Date.now() / 1000;
    if (typeof entry.payload.exp !== 'number' || entry.payload.exp + this.clockToleranceSeconds <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Only for a token that has just passed full verification. */
  remember(token: string): void {
    let payload: JWTPayload;
    let kid: string | undefined;
    try {
      payload = decodeJwt(token);
      const header = decodeProtectedHeader(token);
      kid = typeof header.kid === 'string' ? header.kid : undefined;
    } catch {
      return;
    }
    if (typeof payload.exp !== 'number') return;
    if (this.entries.size >= MAX_ENTRIES) {
      // Drop the oldest half: insertion order is a good enough proxy for expiry here.
      let drop = MAX_ENTRIES / 2;
      for (const key of this.entries.keys()) {
        this.entries.delete(key);
        if (--drop === 0) break;
      }
    }
    this.entries.set(this.key(token), { payload, ...(kid ? { kid } : {}) });
  }

  private key(token: string): string {
    // Keyed by hash so that the cache holds no bearer credential itself.
    return hash('sha256', token, 'base64url');
  }
}
