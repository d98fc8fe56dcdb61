import type { MigrationInterface, QueryRunner } from 'typeorm';

// R-19 at rest: caller_name / caller_phone / caller_address now hold AES-256-GCM ciphertexts
// (written by the application, key id inside each value); the keyed hash of the phone lets
// repeat callers be matched without decrypting anything.
export class CallerEncryption1764900000000 implements MigrationInterface {
  name = 'CallerEncryption1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tickets ADD COLUMN caller_phone_hash text;
      CREATE INDEX tickets_caller_phone_hash_idx ON tickets (caller_phone_hash, created_at DESC)
        WHERE caller_phone_hash IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets DROP COLUMN caller_phone_hash;`);
  }
}
