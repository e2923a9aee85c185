import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Access-token signing keys. The private key is stored only encrypted (AES-256-GCM under
 * CROSSDOCK_KEY_ENCRYPTION_KEY, the kid as associated data); the public JWK is served at
 * /.well-known/jwks.json until `retire_after` has passed.
 */
export class SigningKeys1764230500000 implements MigrationInterface {
  name = 'SigningKeys1764230500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        algorithm text NOT NULL CHECK (algorithm IN ('ES256')),
        public_jwk jsonb NOT NULL,
        private_key_encrypted text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'previous', 'retired')),
        created_at timestamptz NOT NULL DEFAULT now(),
        retire_after timestamptz,
        retired_at timestamptz,
        CHECK (status <> 'previous' OR retire_after IS NOT NULL)
      )`);
    // At most one key signs at any time, even when two nodes boot or rotate at once.
    await queryRunner.query(
      `CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((true)) WHERE status = 'active'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE signing_keys`);
  }
}
