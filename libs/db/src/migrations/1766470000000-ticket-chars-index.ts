import type { MigrationInterface, QueryRunner } from 'typeorm';

// R-15, issue 19 goal 2: a free-text search of one or two characters (`q=犇`, `q=地铁`'s half, `q=zq`)
// gives pg_trgm no trigram, so the trigram indexes answered it with every ticket, each read and
// tested: a term that few tickets have took 1.9 s at 1 M tickets once the search's walk of the
// newest ones was spent (docs/benchmarks.md). This index holds the set of characters of a ticket's
// subject and content, lowered (string_to_array with a NULL separator splits into characters, in
// C: 6 µs a ticket, where a function building character pairs took 56–137 µs): a search of few
// characters reads the tickets that have all of them, and the search's own condition decides
// (searchIndexSql, which spells this expression exactly as here).
// Built CONCURRENTLY, outside a transaction: at 10 M tickets it takes minutes, and tickets are
// written meanwhile. An attempt that failed leaves an invalid index, which the next one drops.
export class TicketCharsIndex1766470000000 implements MigrationInterface {
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS tickets_chars`);
    await q.query(
      `CREATE INDEX CONCURRENTLY tickets_chars ON tickets USING gin ((string_to_array(lower(subject || content), NULL)))`,
    );
    // The characters' shares (readCharShares) are the index's statistics: gathered now (a sample
    // of the table, seconds at 10 M), not when autovacuum next analyses the table. pg_stats shows
    // an index's statistics to its owner only, and the app may run as a role that owns nothing
    // (DATABASE_APP_ROLE): the owner's function reads them for it (the shares of characters, no
    // text of a ticket).
    await q.query(`ANALYZE tickets`);
    await q.query(`
      CREATE OR REPLACE FUNCTION ticket_char_shares(OUT elems text[], OUT freqs real[])
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
          SELECT most_common_elems::text::text[], most_common_elem_freqs
            FROM pg_catalog.pg_stats WHERE schemaname = 'public' AND tablename = 'tickets_chars'
        $$`);
  }

  // TypeORM undoes a migration in a transaction whatever its flag: a plain DROP (quick).
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS ticket_char_shares()`);
    await q.query(`DROP INDEX IF EXISTS tickets_chars`);
  }
}
