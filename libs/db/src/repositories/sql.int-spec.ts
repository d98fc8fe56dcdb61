import { createDataSource } from '../data-source';
import { createEmptyDatabase } from '../../../../test/support/database';
import { endSerialPool, serialQuery, sidePool } from './sql';

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

  it('issue 19: a prepared serial statement (the inbox) is planned once per connection, generically, without parallel workers or JIT', async () => {
    const url = await createEmptyDatabase('serial_prepared');
    const ds = createDataSource(url, 4);
    await ds.initialize();
    try {
      const sql = `SELECT current_setting('plan_cache_mode') AS mode, current_setting('max_parallel_workers_per_gather') AS workers,
                          current_setting('jit') AS jit, (SELECT generic_plans FROM pg_prepared_statements WHERE statement = $1) AS generic, $1 AS text`;
      const run = async () => (await serialQuery<Record<string, any>>(ds, sql, [sql], { prepared: true }))[0]!;
      const first = await run();
      expect(first).toMatchObject({ mode: 'force_generic_plan', workers: '0', jit: 'off', text: sql });
      // The statement sees itself prepared on its connection, its one plan generic and reused.
      const later = await run();
      expect(Number(later.generic)).toBeGreaterThanOrEqual(1);
      // Plain serial statements keep custom plans (the ticket list's filters need them), without
      // JIT compilation either (a search's second phase compiled for longer than it ran).
      const [plain] = await serialQuery<{ mode: string; jit: string }>(
        ds,
        `SELECT current_setting('plan_cache_mode') AS mode, current_setting('jit') AS jit`,
        [],
      );
      expect(plain).toEqual({ mode: 'auto', jit: 'off' });
    } finally {
      await endSerialPool(ds);
      await ds.destroy();
    }
  });

  it('issue 19: serial statements (the inbox, the ticket list) share one such pool per DataSource, ended on shutdown', async () => {
    const url = await createEmptyDatabase('serial_pool');
    const ds = createDataSource(url, 4);
    await ds.initialize();
    try {
      const pid = async () =>
        (
          await serialQuery<{ pid: number; v: string }>(
            ds,
            `SELECT pg_backend_pid() AS pid, current_setting('max_parallel_workers_per_gather') AS v`,
            [],
          )
        )[0];
      const first = await pid();
      expect(first.v).toBe('0');
      // One after the other: the same idle connection is reused, not a pool per caller.
      expect((await pid()).pid).toBe(first.pid);
      const [{ n }] = await serialQuery<{ n: number }>(ds, 'SELECT $1::int AS n', [7]);
      expect(n).toBe(7);
      await endSerialPool(ds);
      // Its connection closes (the server's backend goes away a moment after the socket does).
      let left = 1;
      for (let i = 0; i < 100 && left > 0; i++) {
        left = (await ds.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1`, [first.pid]))[0].n;
        if (left > 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(left).toBe(0);
      // Ending twice is harmless; a statement afterwards opens a new pool.
      await endSerialPool(ds);
      expect((await pid()).v).toBe('0');
    } finally {
      await endSerialPool(ds);
      await ds.destroy();
    }
  });
});
