import { createHash } from 'node:crypto';
import { Pool, type ClientConfig, type PoolConfig } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/** Runs SQL on the manager's connection and returns rows and the affected row count. */
export async function exec<T = Record<string, unknown>>(
  m: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<{ rows: T[]; affected: number }> {
  const runner = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const res = await runner.query(sql, params, true);
    return { rows: (res.records ?? []) as T[], affected: res.affected ?? 0 };
  } finally {
    if (!m.queryRunner) await runner.release();
  }
}

export const iso = (d: Date | null | undefined): Date | null => (d ? d : null);
export const toDate = (v: unknown): Date | undefined =>
  v === null || v === undefined ? undefined : new Date(v as string);

/**
 * A pool beside TypeORM's, to the same server with the same settings, whose connections also run
 * with `settings` (`-c name=value …`, PostgreSQL's startup options): for statements that need a
 * setting without the round trips of setting it each time (issue 19). Half as many connections
 * as TypeORM's pool (at least two); the caller ends it.
 */
export function sidePool(ds: DataSource, settings: string): Pool {
  const master = (ds.driver as unknown as { master?: { options: PoolConfig } }).master;
  if (!master) throw new Error('sidePool: the DataSource is not initialised');
  const pool = new Pool({
    ...master.options,
    max: Math.max(2, Math.ceil((master.options.max ?? 10) / 2)),
    options: [master.options.options, settings].filter(Boolean).join(' '),
  });
  // An idle connection that breaks (the server restarts) leaves the pool; the next query opens another.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * The settings of TypeORM's pool as plain data (no functions), for a connection opened in another
 * process to the same server as the same role: the ledger export process (issue 19 goal 3).
 */
export function connectionSettings(ds: DataSource): ClientConfig {
  const master = (ds.driver as unknown as { master?: { options: PoolConfig } }).master;
  if (!master) throw new Error('connectionSettings: the DataSource is not initialised');
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(master.options)) {
    if (typeof value === 'function' || value === undefined) continue;
    if (['max', 'min', 'idleTimeoutMillis', 'log'].includes(key)) continue;
    settings[key] = value;
  }
  return settings as ClientConfig;
}

/** The side pools of serial statements per DataSource (plain and prepared), shared by the repositories. */
const serialPools = new WeakMap<DataSource, { plain?: Pool; prepared?: Pool }>();

/** The serial pools' settings: no parallel workers, no JIT compilation. */
const SERIAL = '-c max_parallel_workers_per_gather=0 -c jit=off';

/**
 * Runs one statement without parallel workers (issue 19), on a side pool whose connections have
 * the setting (so a statement is one round trip). For statements that read one page in an
 * index's order: the planner turns to a parallel plan once the table is large, and starting the
 * workers, or their scanning ahead of the page, then costs more than the whole read (the inbox's
 * tabs; the ticket list's free-text search at 10 M tickets: 156 ms with two workers, 14 ms
 * without; docs/benchmarks.md). The inbox and the ticket list share the pool: half as many
 * connections as the product's pool.
 *
 * JIT compilation is off on these connections too: a search's second phase, which the planner
 * costs for the 50,000 rows it guesses (a GIN bitmap; it finds none for a rare term), passes
 * jit_above_cost, and compiling took 6–45 ms for a statement that runs in 0.1 ms (at 10 M tickets,
 * docs/benchmarks.md).
 *
 * `prepared`: a named statement (named by its text), prepared once per connection and planned
 * once (a generic plan, on a pool of its own whose connections force it): for statements run on
 * every request that take as long to plan as to run, whose text varies only with the shape of the
 * request and whose plan does not depend on the values (the inbox's: an index range each branch;
 * at 10 M tickets a receiver's page took 3.7 ms planned each time, 2.5 with its generic plan).
 */
export async function serialQuery<T = Record<string, any>>(
  ds: DataSource,
  sql: string,
  params: unknown[],
  opts: { prepared?: boolean } = {},
): Promise<T[]> {
  const pools = serialPools.get(ds) ?? {};
  serialPools.set(ds, pools);
  if (opts.prepared) {
    pools.prepared ??= sidePool(ds, `${SERIAL} -c plan_cache_mode=force_generic_plan`);
    const name = `s${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    return (await pools.prepared.query({ name, text: sql, values: params })).rows as T[];
  }
  pools.plain ??= sidePool(ds, SERIAL);
  return (await pools.plain.query(sql, params)).rows as T[];
}

/** Ends the DataSource's serial pools, if it has them (on shutdown; a later statement opens others). */
export async function endSerialPool(ds: DataSource): Promise<void> {
  const pools = serialPools.get(ds);
  serialPools.delete(ds);
  await Promise.all([pools?.plain?.end(), pools?.prepared?.end()]);
}
