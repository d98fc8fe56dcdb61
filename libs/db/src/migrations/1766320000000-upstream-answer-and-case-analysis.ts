import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 15.10 (Art. 4, X-3): the one answer a ticket gives upstream. `edited_*` is the office
// reviewer's text from its wording review (NULL: none, or withdrawn by a send-back); `reported_*`
// is what report_upstream reported (the office's text or the composition of the approved replies),
// which the upstream read-back returns. One row per ticket, the latest of each.
//
// Issue 15.12 (Art. 16): the case file is the unit at fault's to write. The row is made with the
// at-fault decision (unit, basis) and the analysis (cause, party, measures, lesson) follows: all
// four with the party kind are set together or not at all; `written_by/at` say who wrote it last.
export class UpstreamAnswerAndCaseAnalysis1766320000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE upstream_answers (
        ticket_id       uuid PRIMARY KEY REFERENCES tickets(id),
        edited_answer   text CHECK (length(edited_answer) BETWEEN 1 AND 8000),
        edited_by       text REFERENCES people(userid),
        edited_at       timestamptz,
        reported_answer text CHECK (length(reported_answer) BETWEEN 1 AND 16000),
        reported_edited boolean,
        reported_by     text REFERENCES people(userid),
        reported_at     timestamptz,
        CONSTRAINT upstream_answers_edited_whole
          CHECK ((edited_answer IS NULL) = (edited_at IS NULL) AND (edited_at IS NULL) = (edited_by IS NULL)),
        CONSTRAINT upstream_answers_reported_whole
          CHECK ((reported_answer IS NULL) = (reported_at IS NULL)
             AND (reported_at IS NULL) = (reported_by IS NULL)
             AND (reported_at IS NULL) = (reported_edited IS NULL))
      );

      ALTER TABLE case_files
        ALTER COLUMN cause DROP NOT NULL,
        ALTER COLUMN party_kind DROP NOT NULL,
        ALTER COLUMN party DROP NOT NULL,
        ALTER COLUMN measures DROP NOT NULL,
        ALTER COLUMN lesson DROP NOT NULL,
        ADD COLUMN written_by text REFERENCES people(userid),
        ADD COLUMN written_at timestamptz;
      UPDATE case_files SET written_by = updated_by, written_at = updated_at;
      ALTER TABLE case_files
        ADD CONSTRAINT case_files_analysis_whole CHECK (
          (cause IS NULL) = (party_kind IS NULL) AND (cause IS NULL) = (party IS NULL)
          AND (cause IS NULL) = (measures IS NULL) AND (cause IS NULL) = (lesson IS NULL)
          AND (cause IS NULL) = (written_at IS NULL) AND (written_at IS NULL) = (written_by IS NULL));
      -- The units' pending analyses (the ops department's overview of who still owes one).
      CREATE INDEX case_files_pending_idx ON case_files (unit_code, created_at DESC)
        WHERE withdrawn_at IS NULL AND written_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX case_files_pending_idx;
      DELETE FROM case_files WHERE cause IS NULL;
      ALTER TABLE case_files
        DROP CONSTRAINT case_files_analysis_whole,
        DROP COLUMN written_by,
        DROP COLUMN written_at,
        ALTER COLUMN cause SET NOT NULL,
        ALTER COLUMN party_kind SET NOT NULL,
        ALTER COLUMN party SET NOT NULL,
        ALTER COLUMN measures SET NOT NULL,
        ALTER COLUMN lesson SET NOT NULL;
      DROP TABLE upstream_answers;
    `);
  }
}
