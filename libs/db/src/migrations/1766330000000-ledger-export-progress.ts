import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 19 goal 3: a long ledger export shows its progress and can be cancelled. While it runs,
// its record's row_count is the rows written so far (the append-only trigger of 1766220000000
// already allows changing a running record); `total` is the number of rows the export will hold,
// counted when it starts; a person who stops the download ends it as 'cancelled'.
export class LedgerExportProgress1766330000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ledger_exports ADD COLUMN total integer;
      ALTER TABLE ledger_exports DROP CONSTRAINT ledger_exports_status_check;
      ALTER TABLE ledger_exports ADD CONSTRAINT ledger_exports_status_check
        CHECK (status IN ('running', 'done', 'failed', 'cancelled'));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    // A cancelled export did not finish: it reads as failed before this migration.
    await q.query(`
      ALTER TABLE ledger_exports DISABLE TRIGGER ledger_exports_append_only;
      UPDATE ledger_exports SET status = 'failed' WHERE status = 'cancelled';
      ALTER TABLE ledger_exports ENABLE TRIGGER ledger_exports_append_only;
      ALTER TABLE ledger_exports DROP CONSTRAINT ledger_exports_status_check;
      ALTER TABLE ledger_exports ADD CONSTRAINT ledger_exports_status_check
        CHECK (status IN ('running', 'done', 'failed'));
      ALTER TABLE ledger_exports DROP COLUMN total;
    `);
  }
}
