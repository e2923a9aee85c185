import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { decryptPrivateKey } from './private-key-cipher.js';
import { ensureActiveSigningKey, type PublicJwk } from './signing-keys.js';

interface VerificationKey {
  readonly jwk: PublicJwk;
  readonly pem: string;
  /** Epoch ms after which the key no longer verifies; undefined while it is the active key. */
  readonly retireAfter: number | undefined;
}

// An unknown kid is looked up in the database (a key just rotated, maybe on another node), but
// at most this many times a second, so a flood of forged kids cannot turn into a flood of queries.
const UNKNOWN_KID_LOOKUPS_PER_SECOND = 20;

/**
 * The signing keys as this node uses them: the active private key (decrypted once per kid, never
 * exposed) to sign, and the public keys that still verify. The database is the source of truth,
 * shared by every node; the verification set is cached for AUTH_STATUS_CACHE_SECONDS.
 */
@Injectable()
export class SigningKeyRing {
  private readonly privateKeys = new Map<string, KeyObject>();
  private verification: Map<string, VerificationKey> | undefined;
  private loadedAt = 0;
  private loading: Promise<Map<string, VerificationKey>> | undefined;
  private lookupWindow = { startedAt: 0, used: 0 };

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The key that signs now. Read from the database at each call, so a rotation on any node takes effect at once. */
  async activeKey(): Promise<{ kid: string; privateKey: KeyObject }> {
    const [row] = (await this.dataSource.query(
      `SELECT kid, private_key_encrypted FROM signing_keys WHERE status = 'active'`,
    )) as { kid: string; private_key_encrypted: string }[];
    if (!row) {
      await ensureActiveSigningKey(this.dataSource, this.kek());
      return this.activeKey();
    }
    let privateKey = this.privateKeys.get(row.kid);
    if (!privateKey) {
      const der = decryptPrivateKey(this.kek(), row.kid, row.private_key_encrypted);
      privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      der.fill(0);
      this.privateKeys.set(row.kid, privateKey);
    }
    return { kid: row.kid, privateKey };
  }

  /** PEM of the public key for `kid`, or undefined when the kid is unknown or retired. */
  /**
   * The public key of `kid` if the cached key set (fresh within AUTH_STATUS_CACHE_SECONDS) holds it
   * and it has not retired; `undefined` means "ask `verificationKey`", not "refused".
   */
  cachedVerificationKey(kid: string): string | undefined {
    if (!this.verification || Date.now() - this.loadedAt >= this.config.authStatusCacheSeconds * 1000) {
      return undefined;
    }
    const key = this.verification.get(kid);
    return key && (key.retireAfter === undefined || key.retireAfter > Date.now()) ? key.pem : undefined;
  }

  async verificationKey(kid: string): Promise<string | undefined> {
    const keys = await this.keys();
    const key = keys.get(kid) ?? (await this.lookUp(kid));
    if (!key || (key.retireAfter !== undefined && key.retireAfter <= Date.now())) return undefined;
    return key.pem;
  }

  /**
   * The JWKS document: every key that still verifies. Read fresh (and refreshing the cache), so
   * that a key rotated on any node is published at once to verifiers outside Crossdock.
   */
  async jwks(): Promise<{ keys: PublicJwk[] }> {
    const now = Date.now();
    const keys = [...(await this.load()).values()]
      .filter((k) => k.retireAfter === undefined || k.retireAfter > now)
      .map((k) => k.jwk);
    return { keys };
  }

  private kek() {
    const kek = this.config.keyEncryptionKey;
    if (!kek) throw new Error('no key encryption key: set CROSSDOCK_KEY_ENCRYPTION_KEY');
    return kek;
  }

  private async keys(): Promise<Map<string, VerificationKey>> {
    const fresh = Date.now() - this.loadedAt < this.config.authStatusCacheSeconds * 1000;
    if (this.verification && fresh) return this.verification;
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<Map<string, VerificationKey>> {
    const rows = (await this.dataSource.query(
      `SELECT kid, public_jwk, retire_after FROM signing_keys ${VALID}`,
    )) as KeyRow[];
    const keys = new Map(rows.map((row) => [row.kid, toVerificationKey(row)]));
    this.verification = keys;
    this.loadedAt = Date.now();
    return keys;
  }

  private async lookUp(kid: string): Promise<VerificationKey | undefined> {
    const now = Date.now();
    if (now - this.lookupWindow.startedAt >= 1000) this.lookupWindow = { startedAt: now, used: 0 };
    // A kid we issue is a JWK thumbprint (base64url); anything else is unknown without a query
    // (a NUL in it made PostgreSQL fail the request with a 500).
    if (!KID_SHAPE.test(kid) || this.lookupWindow.used >= UNKNOWN_KID_LOOKUPS_PER_SECOND) return undefined;
    this.lookupWindow.used += 1;
    const [row] = (await this.dataSource.query(
      `SELECT kid, public_jwk, retire_after FROM signing_keys ${VALID} AND kid = $1`,
      [kid],
    )) as KeyRow[];
    if (!row) return undefined;
    const key = toVerificationKey(row);
    this.verification?.set(kid, key);
    return key;
  }
}

const KID_SHAPE = /^[A-Za-z0-9_-]{1,128}$/;

const VALID = `WHERE (status = 'active' OR (status = 'previous' AND retire_after > now()))`;

interface KeyRow {
  kid: string;
  public_jwk: PublicJwk;
  retire_after: Date | null;
}

function toVerificationKey(row: KeyRow): VerificationKey {
  const pem = createPublicKey({ key: row.public_jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  return {
    jwk: row.public_jwk,
    pem: pem.toString(),
    retireAfter: row.retire_after ? row.retire_after.getTime() : undefined,
  };
}
