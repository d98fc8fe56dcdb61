import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 17.2: an upstream system sends a key id (X-Intake-Key-Id) and signs with a secret it never
// sends. The server keeps the secret encrypted at rest (AES-256-GCM, the caller-data keys) to check
// the HMAC. A key issued before (only its SHA-256 kept, the secret itself in X-Intake-Key) keeps
// working until its legacy_until — 90 days from this migration — and each such request is counted
// so the admin page warns; re-keying gives a key id and ends the legacy form for that system.
export class IntakeKeyIds1766220000001 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE intake_clients
        ADD COLUMN key_id text UNIQUE CHECK (key_id ~ '^ik_[A-Za-z0-9_-]{8,64}$'),
        ADD COLUMN secret_enc text,
        ADD COLUMN legacy_until timestamptz,
        ADD COLUMN legacy_last_used_at timestamptz,
        ADD COLUMN legacy_uses integer NOT NULL DEFAULT 0,
        ALTER COLUMN key_hash DROP NOT NULL,
        ADD CONSTRAINT intake_clients_key_scheme CHECK (
          (key_id IS NOT NULL AND secret_enc IS NOT NULL AND key_hash IS NULL)
          OR (key_id IS NULL AND secret_enc IS NULL AND key_hash IS NOT NULL));
      UPDATE intake_clients SET legacy_until = now() + interval '90 days';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE intake_clients DROP CONSTRAINT intake_clients_key_scheme;
      UPDATE intake_clients SET key_hash = md5(random()::text || code), active = false WHERE key_hash IS NULL;
      ALTER TABLE intake_clients
        ALTER COLUMN key_hash SET NOT NULL,
        DROP COLUMN legacy_uses,
        DROP COLUMN legacy_last_used_at,
        DROP COLUMN legacy_until,
        DROP COLUMN secret_enc,
        DROP COLUMN key_id;
    `);
  }
}
