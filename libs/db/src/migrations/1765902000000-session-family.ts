import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 17, item 5: an access token dies with its session. A sign-in starts a session family;
// each refresh adds a row to it; signing out revokes the whole family, and every request checks
// the family's first row (its id is the token's `sid`).
export class SessionFamily1765902000000 implements MigrationInterface {
  name = 'SessionFamily1765902000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE auth_sessions ADD COLUMN family uuid;
      UPDATE auth_sessions SET family = id;
      ALTER TABLE auth_sessions ALTER COLUMN family SET NOT NULL;
      CREATE INDEX auth_sessions_family_idx ON auth_sessions (family);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE auth_sessions DROP COLUMN family;`);
  }
}
