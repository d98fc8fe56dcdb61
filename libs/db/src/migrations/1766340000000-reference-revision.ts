import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 19 goal 1: each process caches the reference data a registration and a dispatch read
// (sources, categories, units, time-limit policies) and checks one row instead of re-reading them.
// Any change to those tables, by any process, the admin API, the org sync or plain SQL, moves the
// revision in the changing transaction (statement triggers), so no cache outlives a committed edit.
export class ReferenceRevision1766340000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reference_revision (
        id       smallint PRIMARY KEY CHECK (id = 1),
        revision bigint NOT NULL
      );
      INSERT INTO reference_revision (id, revision) VALUES (1, 0);
      CREATE FUNCTION bump_reference_revision() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE reference_revision SET revision = revision + 1 WHERE id = 1;
        RETURN NULL;
      END $$;
      CREATE TRIGGER sources_bump_reference_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sources
        FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_revision();
      CREATE TRIGGER categories_bump_reference_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON categories
        FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_revision();
      CREATE TRIGGER units_bump_reference_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
        FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_revision();
      CREATE TRIGGER time_limit_policies_bump_reference_revision
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON time_limit_policies
        FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_revision();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER time_limit_policies_bump_reference_revision ON time_limit_policies;
      DROP TRIGGER units_bump_reference_revision ON units;
      DROP TRIGGER categories_bump_reference_revision ON categories;
      DROP TRIGGER sources_bump_reference_revision ON sources;
      DROP FUNCTION bump_reference_revision();
      DROP TABLE reference_revision;
    `);
  }
}
