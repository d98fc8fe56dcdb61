// Benchmark (not a test): the ledger export of 1,000,000 tickets through HTTP, streamed
// into a counting sink. Fills a throwaway database with INSERT … SELECT generate_series (the
// generator the export test uses), boots the API in this process, downloads
// GET /api/ledger/export, and reports rows per second, bytes, and the process's resident memory
// (sampled every 50 ms, and the kernel's peak). Results: docs/benchmarks.md.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:ledger
//   (BENCH_ROWS=100000 for a quicker run; the database hotline_bench_ledger is dropped and re-created)
import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { loadConfig } from '@hotline/config';
import { ApiModule } from '../apps/api/src/api.module';
import { configureApiApp, createFastifyAdapter } from '../apps/api/src/create-api-app';
import { GENERATED_BASE, generateLedger } from './generated-ledger';
import { freshBenchDatabase, log } from './bench-database';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DB = 'hotline_bench_ledger';
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

async function main(): Promise<void> {
  const { ds, url } = await freshBenchDatabase(DB, 2);
  await ds.destroy();

  log(`Node.js ${process.version}, ${ROWS} tickets (one assignment and one approved reply each)`);
  const db = new Client({ connectionString: url });
  await db.connect();
  let t0 = performance.now();
  await generateLedger(db, ROWS);
  log(`fill (generate_series, 3 INSERT … SELECT per 200,000): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await db.end();

  const config = loadConfig({
    DATABASE_URL: url,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'hotline-bench-')),
    AUTH_TOKEN_SECRET: 'bench-secret-bench-secret-bench-secret-0123456789',
    DEV_LOGIN: 'true',
    LOG_LEVEL: 'silent',
  });
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule.forRoot(config, url)] }).compile();
  const app = await configureApiApp(
    moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(), { logger: false }),
    config,
  );
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  const signIn = await app.inject({ method: 'POST', url: '/api/auth/dev', payload: { userid: 'ops_head' } });
  const token = signIn.json().token as string;

  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  let bytes = 0;
  t0 = performance.now();
  const query = `from=${GENERATED_BASE.toISOString()}&to=2030-01-01T00:00:00Z`;
  await new Promise<void>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: `/api/ledger/export?${query}`, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`export → ${res.statusCode}`));
        const sink = new Writable({
          write(chunk: Buffer, _enc, done) {
            bytes += chunk.length;
            done();
          },
        });
        pipeline(res, sink).then(resolve, reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const rec = (
    await app.inject({
      method: 'GET',
      url: '/api/ledger/exports',
      headers: { authorization: `Bearer ${token}` },
    })
  ).json()[0];
  log(
    `export: ${rec.rowCount} rows, ${mib(bytes)} MiB .xlsx in ${seconds.toFixed(1)} s = ${Math.round(rec.rowCount / seconds)} rows/s`,
  );
  log(
    `RSS: ${mib(before)} MiB before, ${mib(peak)} MiB peak while exporting (sampled); kernel peak (maxRSS, whole run): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
  await app.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
