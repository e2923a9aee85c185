import { generateKeyPair as generateKeyPairCallback, type KeyObject, type JsonWebKey } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint } from 'jose';
import type { DataSource, EntityManager } from 'typeorm';
import type { KeyEncryptionKey } from '../config/app-config.js';
import { updatedRows } from '../database/updated-rows.js';
import { CLOCK_TOLERANCE_SECONDS, SIGNING_ALGORITHM } from './access-token-format.js';
import { encryptPrivateKey } from './private-key-cipher.js';

const generateKeyPair = promisify(generateKeyPairCallback);
// Any constant shared by every node: key creation and rotation never run twice at once.
const SIGNING_KEY_LOCK = 0x6b657973;

export type SigningKeyStatus = 'active' | 'previous' | 'retired';

/** What may be shown about a signing key: never its private part. */
export interface SigningKeySummary {
  readonly kid: string;
  readonly algorithm: string;
  readonly status: SigningKeyStatus;
  readonly createdAt: Date;
  readonly retireAfter: Date | null;
  readonly retiredAt: Date | null;
}

export interface PublicJwk extends JsonWebKey {
  readonly kid: string;
  readonly alg: string;
  readonly use: 'sig';
}

/** How long a replaced key must keep verifying: the longest-lived token it may have signed, plus skew. */
export function retirementDelaySeconds(accessTokenTtlSeconds: number): number {
  return accessTokenTtlSeconds + CLOCK_TOLERANCE_SECONDS + 60;
}

async function newKey(kek: KeyEncryptionKey): Promise<{ kid: string; jwk: PublicJwk; encrypted: string }> {
  const { publicKey, privateKey } = (await generateKeyPair('ec', { namedCurve: 'P-256' })) as {
    publicKey: KeyObject;
    privateKey: KeyObject;
  };
  const raw = publicKey.export({ format: 'jwk' });
  const kid = await calculateJwkThumbprint({ kty: raw.kty!, crv: raw.crv!, x: raw.x!, y: raw.y! });
  const jwk: PublicJwk = {
    kty: raw.kty,
    crv: raw.crv,
    x: raw.x,
    y: raw.y,
    kid,
    alg: SIGNING_ALGORITHM,
    use: 'sig',
  };
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  return { kid, jwk, encrypted: encryptPrivateKey(kek, kid, pkcs8) };
}

async function insertActiveKey(manager: EntityManager, kek: KeyEncryptionKey): Promise<string> {
  const key = await newKey(kek);
  await manager.query(
    `INSERT INTO signing_keys (kid, algorithm, public_jwk, private_key_encrypted, status) VALUES ($1, $2, $3, $4, 'active')`,
    [key.kid, SIGNING_ALGORITHM, key.jwk, key.encrypted],
  );
  return key.kid;
}

/** Keys whose overlap has passed leave the JWKS for good. */
export async function retireExpiredSigningKeys(manager: EntityManager | DataSource): Promise<string[]> {
  const retired = updatedRows<{ kid: string }>(
    await manager.query(
      `UPDATE signing_keys SET status = 'retired', retired_at = now()
        WHERE status = 'previous' AND retire_after <= now() RETURNING kid`,
    ),
  );
  return retired.map((row) => row.kid);
}

/** At boot: the first signing key, when there is none yet. Safe when several nodes boot at once. */
export async function ensureActiveSigningKey(
  dataSource: DataSource,
  kek: KeyEncryptionKey,
): Promise<{ kid: string; created: boolean }> {
  return dataSource.transaction(async (manager) => {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [SIGNING_KEY_LOCK]);
    await retireExpiredSigningKeys(manager);
    const [active] = (await manager.query(`SELECT kid FROM signing_keys WHERE status = 'active'`)) as {
      kid: string;
    }[];
    if (active) return { kid: active.kid, created: false };
    return { kid: await insertActiveKey(manager, kek), created: true };
  });
}

/**
 * A new key signs from now on; the previous active key keeps verifying (and stays in the JWKS)
 * for `overlapSeconds`, then retires.
 */
export async function rotateSigningKey(
  dataSource: DataSource,
  kek: KeyEncryptionKey,
  overlapSeconds: number,
): Promise<{ kid: string; previous: string | undefined; retireAfter: Date | undefined; retired: string[] }> {
  return dataSource.transaction(async (manager) => {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [SIGNING_KEY_LOCK]);
    const retired = await retireExpiredSigningKeys(manager);
    const [previous] = updatedRows<{ kid: string; retire_after: Date }>(
      await manager.query(
        `UPDATE signing_keys SET status = 'previous', retire_after = now() + make_interval(secs => $1)
          WHERE status = 'active' RETURNING kid, retire_after`,
        [overlapSeconds],
      ),
    );
    const kid = await insertActiveKey(manager, kek);
    return { kid, previous: previous?.kid, retireAfter: previous?.retire_after, retired };
  });
}

export async function listSigningKeys(dataSource: DataSource): Promise<SigningKeySummary[]> {
  const rows = (await dataSource.query(
    `SELECT kid, algorithm, status, created_at, retire_after, retired_at FROM signing_keys ORDER BY created_at, kid`,
  )) as {
    kid: string;
    algorithm: string;
    status: SigningKeyStatus;
    created_at: Date;
    retire_after: Date | null;
    retired_at: Date | null;
  }[];
  return rows.map((r) => ({
    kid: r.kid,
    algorithm: r.algorithm,
    status: r.status,
    createdAt: r.created_at,
    retireAfter: r.retire_after,
    retiredAt: r.retired_at,
  }));
}
