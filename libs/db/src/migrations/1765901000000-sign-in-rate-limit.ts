import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 17, item 3: sign-in attempts are counted in PostgreSQL, so N api replicas share one limit
// (an in-memory counter per replica let N× the attempts through). One row per key and window.
export class SignInRateLimit1765901000000 implements MigrationInterface {
  name = 'SignInRateLimit1765901000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rate_limit_hits (
        key           text NOT NULL,
        window_start  timestamptz NOT NULL,
        hits          integer NOT NULL CHECK (hits > 0),
        PRIMARY KEY (key, window_start)
      );
      CREATE INDEX rate_limit_hits_window_idx ON rate_limit_hits (window_start);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limit_hits;`);
  }
}
