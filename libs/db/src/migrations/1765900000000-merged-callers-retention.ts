import type { MigrationInterface, QueryRunner } from 'typeorm';

// R-19 (issue 17, item 1): a merged caller (并单, ticket_callers) is erased by retention like the
// ticket's own caller; the moment is kept on the row so a run never does it twice.
export class MergedCallersRetention1765900000000 implements MigrationInterface {
  name = 'MergedCallersRetention1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket_callers ADD COLUMN caller_anonymised_at timestamptz;`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket_callers DROP COLUMN caller_anonymised_at;`);
  }
}
