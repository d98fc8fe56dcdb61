import type { MigrationInterface, QueryRunner } from 'typeorm';

// the knowledge base's list, most used first, is keyset-paginated: the use count becomes a
// column kept with each recorded use (same transaction) and indexed in list order, instead of a
// count per article at every read.
export class KbUseCount1765420000000 implements MigrationInterface {
  name = 'KbUseCount1765420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE kb_articles ADD COLUMN use_count integer NOT NULL DEFAULT 0 CHECK (use_count >= 0);
      UPDATE kb_articles a SET use_count = (SELECT count(*) FROM kb_article_uses u WHERE u.article_id = a.id);
      CREATE INDEX kb_articles_by_use ON kb_articles (use_count DESC, updated_at DESC, id DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX kb_articles_by_use; ALTER TABLE kb_articles DROP COLUMN use_count;`);
  }
}
