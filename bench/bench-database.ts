// Shared by the benchmarks: a throwaway database on the DATABASE_URL server, migrated and seeded
// like the product's, and a line logger. Each benchmark names its own database so that two can run
// at once without dropping each other's.
import { loadConfig, type AppConfig } from '@hotline/config';
import { AssessmentRepository, createDataSource, runMigrations, seedDemoOrganisation } from '@hotline/db';
import type { DataSource } from 'typeorm';

export function log(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Drops and re-creates `name`, applies the migrations, seeds the reference data and demo organisation. */
export async function freshBenchDatabase(
  name: string,
  poolSize: number,
): Promise<{ config: AppConfig; ds: DataSource; url: string; version: string }> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  if (!config.database.url) throw new Error('set DATABASE_URL to a PostgreSQL server (any database on it)');
  const admin = createDataSource(config.database.url, 1);
  await admin.initialize();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const version = (await admin.query(`SELECT version()`))[0].version as string;
  await admin.destroy();
  const u = new URL(config.database.url);
  u.pathname = `/${name}`;
  const url = u.toString();
  await runMigrations(url);
  const ds = createDataSource(url, poolSize);
  await ds.initialize();
  await seedDemoOrganisation(ds);
  log(`PostgreSQL: ${version}`);
  return { config, ds, url, version };
}

/**
 * The city-scale shape of the issue 19 measurements: `rows` tickets received one a minute back
 * from `now`, every 20th open (one accepted assignment; reply deadlines from 200 hours past to
 * 1,800 hours ahead, about 10 % red), the rest closed with a replied assignment; four units.
 */
export async function fillOpenAndClosed(ds: DataSource, rows: number, now: Date): Promise<void> {
  const t0 = process.hrtime.bigint();
  // Every 20th ticket is open; received one per minute going back from now. Open reply deadlines
  // run from 200 hours past to 1,800 hours ahead (about 10 % red), dispatched 100 hours before.
  await ds.query(
    `WITH t AS (
       INSERT INTO tickets (number, source_code, chain, channel, category_code, urgency, subject, content,
                            status, initiator, received_at, created_at, updated_at, closed_at, version)
       SELECT 'BENCH-' || i, 'group_hotline', 'A', 'phone', 'complaint', 'normal', '基准测试工单 ' || i, '基准测试',
              CASE WHEN i % 20 = 0 THEN 'in_progress' ELSE 'closed' END, 'dispatcher1',
              $2::timestamptz - i * interval '1 minute', $2::timestamptz - i * interval '1 minute', $2::timestamptz,
              CASE WHEN i % 20 = 0 THEN NULL ELSE $2::timestamptz END, 2
         FROM generate_series(1, $1::int) AS i
       RETURNING id, number, created_at)
     INSERT INTO assignments (ticket_id, unit_code, role, status, dispatched_at, dispatched_by, reply_deadline, seq,
                              calendar_version)
     SELECT t.id, (ARRAY['branch1', 'branch2', 'safety', 'fare'])[1 + n % 4], 'sole',
            CASE WHEN n % 20 = 0 THEN 'accepted' ELSE 'replied' END,
            CASE WHEN n % 20 = 0 THEN $2::timestamptz - interval '100 hours' ELSE t.created_at END, 'dispatcher1',
            CASE WHEN n % 20 = 0 THEN $2::timestamptz + ((n / 20) % 2000 - 200) * interval '1 hour'
                 ELSE t.created_at + interval '5 days' END,
            0, 'bench'
       FROM (SELECT id, created_at, substr(number, 7)::int AS n FROM t) AS t`,
    [rows, now],
  );
  await ds.query(`VACUUM ANALYZE tickets`);
  await ds.query(`VACUUM ANALYZE assignments`);
  log(`fill + VACUUM ANALYZE: ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);
}

/**
 * Brings the unit figures' per-day sums up to date, as the worker's UnitFigureDaysJob does after a
 * deployment or a bulk load (R-18; BENCH_REFRESH_SECONDS bounds it, default 600): a running
 * installation reads them clean, so the benchmarks measure it so.
 */
export async function refreshFigureDays(url: string): Promise<{ refreshed: number; left: number; seconds: number }> {
  const budget = Number(process.env.BENCH_REFRESH_SECONDS ?? 600) * 1000;
  const ds = createDataSource(url, 1);
  await ds.initialize();
  const repo = new AssessmentRepository(ds);
  const t0 = Date.now();
  let refreshed = 0;
  let left: number;
  try {
    do {
      const r = await repo.refreshUnitFigureDays(30, 31);
      refreshed += r.refreshed;
      left = r.left;
      if (r.refreshed === 0) break;
    } while (left > 0 && Date.now() - t0 < budget);
  } finally {
    await ds.destroy();
  }
  return { refreshed, left, seconds: (Date.now() - t0) / 1000 };
}
