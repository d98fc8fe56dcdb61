// Issue 19 goal 2: fills a throwaway database with city-scale data by COPY (bench/city-data.ts has
// the mix), then VACUUM ANALYZE; prints how long each table took and the database's size. The
// readers' benchmarks time it afterwards with BENCH_REUSE=1 (bench:inbox uses the same database).
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_ROWS=10000000 npm run bench:generate
//   (default 1,000,000 tickets; BENCH_DB names the database, default hotline_bench_inbox, dropped
//   and re-created)
import 'reflect-metadata';
import { freshBenchDatabase, log } from './bench-database';
import { CITY_NOW, generateCity } from './city-data';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DB = process.env.BENCH_DB ?? 'hotline_bench_inbox';

async function main(): Promise<void> {
  const { ds, url } = await freshBenchDatabase(DB, 1);
  const t0 = Date.now();
  const took = await generateCity(url, ROWS, CITY_NOW);
  const t1 = Date.now();
  await ds.query(`VACUUM ANALYZE`);
  const [size] = await ds.query(`SELECT pg_size_pretty(pg_database_size(current_database())) AS size`);
  log(
    `${DB}: ${ROWS} tickets by COPY in ${((t1 - t0) / 1000).toFixed(0)} s (${Object.entries(took)
      .map(([t, s]) => `${t} ${s.toFixed(0)} s`)
      .join(', ')}), VACUUM ANALYZE ${((Date.now() - t1) / 1000).toFixed(0)} s; ${size.size}`,
  );
  await ds.destroy();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
