import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export type IdempotencyClaim =
  | { readonly kind: 'new' }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'in-progress' };

// A claim whose request never finished (the process died) is given up after this long.
const ABANDONED_AFTER_SECONDS = 60;
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function requestFingerprint(method: string, path: string, body: Buffer): string {
  return createHash('sha256')
    .update(method)
    .update('\0')
    .update(path)
    .update('\0')
    .update(body)
    .digest('hex');
}

/**
 * REST `Idempotency-Key`: the first request with a key is processed and its response kept; the
 * same key with the same request replays that response; with another request it is refused.
 * Keys are per tenant and client, so two partners can never collide.
 */
export class IdempotencyKeys {
  constructor(private readonly dataSource: DataSource) {}

  async claim(
    tenantId: string,
    clientId: string,
    key: string,
    method: string,
    path: string,
    fingerprint: string,
  ): Promise<IdempotencyClaim> {
    const inserted = (await this.dataSource.query(
      `INSERT INTO idempotency_keys (tenant_id, client_id, key, request_method, request_path, request_sha256)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING key`,
      [tenantId, clientId, key, method, path, fingerprint],
    )) as unknown[];
    if (inserted.length > 0) return { kind: 'new' };
    const [row] = (await this.dataSource.query(
      `SELECT request_sha256, response_status, response_headers, response_body,
              created_at < now() - make_interval(secs => $4) AS abandoned
         FROM idempotency_keys WHERE tenant_id = $1 AND client_id = $2 AND key = $3`,
      [tenantId, clientId, key, ABANDONED_AFTER_SECONDS],
    )) as {
      request_sha256: string;
      response_status: number | null;
      response_headers: Record<string, string> | null;
      response_body: Buffer | null;
      abandoned: boolean;
    }[];
    if (!row) return this.claim(tenantId, clientId, key, method, path, fingerprint);
    if (row.request_sha256 !== fingerprint) return { kind: 'mismatch' };
    if (row.response_status === null) {
      if (!row.abandoned) return { kind: 'in-progress' };
      await this.release(tenantId, clientId, key);
      return this.claim(tenantId, clientId, key, method, path, fingerprint);
    }
    return {
      kind: 'replay',
      response: {
        status: row.response_status,
        headers: row.response_headers ?? {},
        body: row.response_body ?? Buffer.alloc(0),
      },
    };
  }

  async complete(tenantId: string, clientId: string, key: string, response: StoredResponse): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys SET response_status = $4, response_headers = $5, response_body = $6
        WHERE tenant_id = $1 AND client_id = $2 AND key = $3`,
      [tenantId, clientId, key, response.status, JSON.stringify(response.headers), response.body],
    );
  }

  /** A request that failed on our side must not pin its key: the client's retry runs again. */
  async release(tenantId: string, clientId: string, key: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND client_id = $2 AND key = $3`,
      [tenantId, clientId, key],
    );
  }
}
