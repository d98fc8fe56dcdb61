import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 15.2 (R-9b): revoking a ticket releases its upstream reference, so the upstream system can
// submit the same matter again and it is registered anew. The released row stays (released_at set)
// as the record of the revoked ticket; only one unreleased row per source and reference.
export class IntakeRefRelease1766240000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE intake_refs
        ADD COLUMN released_at timestamptz,
        DROP CONSTRAINT intake_refs_pkey,
        ADD PRIMARY KEY (source_code, ref, ticket_id);
      CREATE UNIQUE INDEX intake_refs_open_key ON intake_refs (source_code, ref) WHERE released_at IS NULL;
      CREATE INDEX intake_refs_ticket_idx ON intake_refs (ticket_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    // Going back keeps one row per reference: the unreleased one, or else the latest released one.
    await q.query(`
      DELETE FROM intake_refs r
       WHERE r.released_at IS NOT NULL
         AND EXISTS (SELECT 1 FROM intake_refs o
                      WHERE o.source_code = r.source_code AND o.ref = r.ref AND o.ticket_id <> r.ticket_id
                        AND (o.released_at IS NULL OR o.released_at > r.released_at));
      DROP INDEX intake_refs_ticket_idx;
      DROP INDEX intake_refs_open_key;
      ALTER TABLE intake_refs
        DROP CONSTRAINT intake_refs_pkey,
        ADD PRIMARY KEY (source_code, ref),
        DROP COLUMN released_at;
    `);
  }
}
