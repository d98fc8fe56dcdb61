import { Client } from 'pg';
import { createDataSource } from '../data-source';
import { createEmptyDatabase } from '../../../../test/support/database';

async function tables(url: string): Promise<string[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1`,
    );
    return rows.map((r) => r.tablename);
  } finally {
    await c.end();
  }
}

describe('migrations', () => {
  it('FOUNDATION: every migration goes up, down and up again on an empty database', async () => {
    const url = await createEmptyDatabase('migrations');
    const ds = createDataSource(url, 2);
    await ds.initialize();
    try {
      const up = await ds.runMigrations({ transaction: 'each' });
      expect(up.length).toBeGreaterThan(0);
      const afterUp = await tables(url);
      expect(afterUp).toEqual(expect.arrayContaining(['tickets', 'assignments', 'timeline_events', 'outbox']));

      for (let i = 0; i < up.length; i++) await ds.undoLastMigration({ transaction: 'each' });
      expect(await tables(url)).toEqual([]);

      const again = await ds.runMigrations({ transaction: 'each' });
      expect(again.map((m) => m.name)).toEqual(up.map((m) => m.name));
      expect(await tables(url)).toEqual(afterUp);
      expect(await ds.showMigrations()).toBe(false);
    } finally {
      await ds.destroy();
    }
  });
});
