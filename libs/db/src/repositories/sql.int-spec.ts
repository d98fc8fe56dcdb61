import { createDataSource } from '../data-source';
import { createEmptyDatabase } from '../../../../test/support/database';
import { sidePool } from './sql';

describe('sidePool', () => {
  it('issue 19: the inbox pool runs its statements without parallel workers, the product pool keeps the server default', async () => {
    const url = await createEmptyDatabase('side_pool');
    const ds = createDataSource(url, 3);
    await ds.initialize();
    const pool = sidePool(ds, '-c max_parallel_workers_per_gather=0');
    try {
      const onSide = async (name: string) =>
        (await pool.query<{ v: string }>(`SELECT current_setting($1) AS v`, [name])).rows[0].v;
      expect(await onSide('max_parallel_workers_per_gather')).toBe('0');
      const [product] = await ds.query(`SELECT current_setting('max_parallel_workers_per_gather') AS v`);
      expect(product.v).not.toBe('0');
      // The product's own connection settings come along (READ COMMITTED pinned, the application name).
      expect(await onSide('default_transaction_isolation')).toBe('read committed');
      expect(await onSide('application_name')).toBe('hotline-desk');
      // Half the product pool's connections (3 here), at least two.
      expect(pool.options.max).toBe(2);
      // Two at once, as a page and its counts run.
      const both = await Promise.all([pool.query('SELECT 1 AS n'), pool.query('SELECT 2 AS n')]);
      expect(both.map((r) => r.rows[0].n)).toEqual([1, 2]);
    } finally {
      await pool.end();
      await ds.destroy();
    }
  });
});
