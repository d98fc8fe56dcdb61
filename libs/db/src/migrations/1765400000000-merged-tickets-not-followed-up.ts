import type { MigrationInterface, QueryRunner } from 'typeorm';

// a matter merged into another ticket (并单) is called back with that ticket, not itself.
// Merges made before this release were put on the follow-up queue when they closed; with the
// workflow now refusing record_visit on them they would sit there for ever, so they leave it.
export class MergedTicketsNotFollowedUp1765400000000 implements MigrationInterface {
  name = 'MergedTicketsNotFollowedUp1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE tickets SET visit_due_at = NULL WHERE merged_into IS NOT NULL AND visit_due_at IS NOT NULL`);
  }

  async down(): Promise<void> {
    // Nothing to undo: a merged matter never had a call of its own to make.
  }
}
