// Benchmark (not a test): the ledger export (R-15, issue 19 goal 3) of BENCH_ROWS tickets beside
// its ceilings, in one run. Fills a throwaway database with INSERT … SELECT generate_series (the
// generator the export test uses), then:
//   1. the product: the API in its own process (dist/apps/api), GET /api/ledger/export over HTTP
//      into a counting sink; rows/s, and the server process's resident memory (VmRSS sampled every
//      50 ms, and the kernel's peak VmHWM);
//   2. the row query alone, in this process: the export's keyset batches (LedgerRepository.page,
//      its lateral reads and row mapping), nothing written;
//   3. plain SQL alone: the same facts for this data (ticket, source, category, its one
//      assignment, unit and approved reply) by keyset batches of the same size, nothing converted;
//   4. the .xlsx writer alone, with the rows in memory: one batch of the export's cells written
//      over and over, by our writer (xlsx-stream.ts) and by exceljs' streaming writer;
// and prints each as rows/s with the ratio of the product to it. Results: docs/benchmarks.md.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:ledger
//   (BENCH_ROWS=200000 for a quicker run; default 1,000,000; the database hotline_bench_ledger is
//   dropped and re-created)
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import { createDataSource, LedgerRepository, type LedgerCursor, type LedgerRow } from '@hotline/db';
import { EXPORT_BATCH, LEDGER_COLUMNS, XlsxStreamWriter, type XlsxCell } from '@hotline/tickets';
import { GENERATED_BASE, generateLedger } from './generated-ledger';
import { freshBenchDatabase, log } from './bench-database';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DB = 'hotline_bench_ledger';
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000));
const FROM = GENERATED_BASE;
const TO = new Date('2030-01-01T00:00:00Z');
const CLOCK = { now: new Date('2031-01-01T00:00:00Z'), yellowShare: 2 / 3 };

/** A kernel memory figure of a process, in bytes (VmRSS now, VmHWM its peak). */
function procMemory(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function countingSink(): Writable & { bytes: number } {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      sink.bytes += chunk.length;
      done();
    },
  }) as Writable & { bytes: number };
  sink.bytes = 0;
  return sink;
}

async function main(): Promise<void> {
  const { ds: setup, url } = await freshBenchDatabase(DB, 2);
  await setup.destroy();
  log(`Node.js ${process.version}, ${ROWS} tickets (one assignment and one approved reply each)`);
  const db = new Client({ connectionString: url });
  await db.connect();
  let t0 = performance.now();
  await generateLedger(db, ROWS);
  log(`fill (generate_series, 3 INSERT … SELECT per 200,000): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const results: Array<{ what: string; rowsPerSecond: number }> = [];

  // 1. The product, in its own process.
  const port = await freePort();
  const server = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      DB_MIGRATE_ON_START: 'false',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'hotline-bench-')),
      AUTH_TOKEN_SECRET: 'bench-secret-bench-secret-bench-secret-0123456789',
      DEV_LOGIN: 'true',
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 300) throw new Error('the API did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const signIn = await fetch(`${base}/api/auth/dev`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userid: 'ops_head' }),
    });
    const token = ((await signIn.json()) as { token: string }).token;
    const pid = server.pid!;
    const before = procMemory(pid, 'VmRSS');
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, procMemory(pid, 'VmRSS'));
    }, 50);
    const sink = countingSink();
    t0 = performance.now();
    const query = `from=${FROM.toISOString()}&to=${TO.toISOString()}`;
    await new Promise<void>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: `/api/ledger/export?${query}`, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          if (res.statusCode !== 200) reject(new Error(`export → ${res.statusCode}`));
          pipeline(res, sink).then(resolve, reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
    const ms = performance.now() - t0;
    clearInterval(sampler);
    const hwm = procMemory(pid, 'VmHWM');
    const rec = (await (
      await fetch(`${base}/api/ledger/exports`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as Array<{ rowCount: number; status: string }>;
    if (rec[0].rowCount !== ROWS || rec[0].status !== 'done') throw new Error(`export: ${JSON.stringify(rec[0])}`);
    log(
      `1. product, GET /api/ledger/export over HTTP: ${ROWS} rows, ${mib(sink.bytes)} MiB .xlsx in ${(ms / 1000).toFixed(1)} s = ${rate(ROWS, ms)} rows/s`,
    );
    log(
      `   API process RSS: ${mib(before)} MiB before, ${mib(peak)} MiB peak sampled while exporting, kernel peak (VmHWM, whole life) ${mib(hwm)} MiB`,
    );
    results.push({ what: 'product', rowsPerSecond: rate(ROWS, ms) });
  } finally {
    server.kill('SIGTERM');
  }

  // 2. The row query alone (the product's SQL and row mapping, nothing written).
  const ds = createDataSource(url, 2);
  await ds.initialize();
  const repo = new LedgerRepository(ds);
  const scope = { kind: 'all' as const };
  const filter = { from: FROM, to: TO };
  let firstBatch: LedgerRow[] = [];
  const timeQuery = async (what: string, read: (cursor?: LedgerCursor) => Promise<LedgerRow[]>, rows: number) => {
    let n = 0;
    let cursor: LedgerCursor | undefined;
    const start = performance.now();
    while (n < rows) {
      const batch = await read(cursor);
      if (!firstBatch.length) firstBatch = batch;
      n += batch.length;
      if (batch.length < EXPORT_BATCH) break;
      const last = batch[batch.length - 1];
      cursor = { receivedAt: last.receivedAt, id: last.id };
    }
    const ms = performance.now() - start;
    log(`${what}: ${n} rows in ${(ms / 1000).toFixed(1)} s = ${rate(n, ms)} rows/s`);
    return rate(n, ms);
  };
  results.push({
    what: 'row query (the export’s batches)',
    rowsPerSecond: await timeQuery(
      "2. row query alone, the export's keyset batches (LedgerRepository.page(…, 'asc'))",
      (c) => repo.page(scope, filter, EXPORT_BATCH, c, CLOCK, 'asc'),
      ROWS,
    ),
  });
  await ds.destroy();

  // 3. Plain SQL: the same facts for this data, keyset batches, no mapping.
  {
    let n = 0;
    let last: { received_at: Date; id: string } | undefined;
    const start = performance.now();
    for (;;) {
      const { rows } = await db.query(
        `SELECT t.id, t.number, t.received_at, s.name AS source, t.channel, c.name AS category, t.subject, t.status,
                t.route, t.closed_at, u.name AS unit, a.role, a.status AS assignment_status, a.reply_deadline,
                a.first_approved_at, r.handler, r.handled_at, r.content, r.contact_method, r.contact_summary
           FROM tickets t JOIN sources s ON s.code = t.source_code JOIN categories c ON c.code = t.category_code
           LEFT JOIN assignments a ON a.ticket_id = t.id LEFT JOIN units u ON u.code = a.unit_code
           LEFT JOIN replies r ON r.assignment_id = a.id AND r.status = 'approved'
          WHERE t.received_at >= $1 AND t.received_at < $2 AND ($3::timestamptz IS NULL OR (t.received_at, t.id) > ($3, $4))
          ORDER BY t.received_at, t.id LIMIT $5`,
        [FROM, TO, last?.received_at ?? null, last?.id ?? null, EXPORT_BATCH],
      );
      n += rows.length;
      if (rows.length < EXPORT_BATCH) break;
      last = rows[rows.length - 1];
    }
    const ms = performance.now() - start;
    log(`3. plain SQL alone (one join per keyset batch, pg's parsing only): ${n} rows = ${rate(n, ms)} rows/s`);
    results.push({ what: 'plain SQL', rowsPerSecond: rate(n, ms) });
  }
  await db.end();

  // Row → cell conversion alone, and the writers alone, with one batch of the export's rows in memory.
  {
    const start = performance.now();
    let cells = 0;
    for (let n = 0; n < ROWS; n += firstBatch.length) {
      for (const r of firstBatch) cells += LEDGER_COLUMNS.map((c) => c.value(r)).length;
    }
    const ms = performance.now() - start;
    log(`   row → cells alone: ${ROWS} rows (${cells} cells) = ${rate(ROWS, ms)} rows/s`);
  }
  const batchCells: XlsxCell[][] = firstBatch.map((r) => LEDGER_COLUMNS.map((c) => c.value(r)));
  {
    const sink = countingSink();
    const start = performance.now();
    const w = new XlsxStreamWriter(sink, [{ name: '台账', widths: LEDGER_COLUMNS.map((c) => c.width) }]);
    await w.start();
    await w.startSheet();
    for (let n = 0; n < ROWS; n += batchCells.length) await w.writeRows(batchCells);
    await w.endSheet();
    await w.finish();
    const ms = performance.now() - start;
    log(`4. our .xlsx writer alone, rows in memory: ${ROWS} rows, ${mib(sink.bytes)} MiB = ${rate(ROWS, ms)} rows/s`);
    results.push({ what: 'our writer', rowsPerSecond: rate(ROWS, ms) });
  }
  {
    const sink = countingSink();
    const start = performance.now();
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: false, useSharedStrings: false });
    const sheet = wb.addWorksheet('台账');
    sheet.columns = LEDGER_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width }));
    for (let n = 0; n < ROWS; n += batchCells.length) {
      for (const row of batchCells) sheet.addRow(row).commit();
      // exceljs does not wait for its stream: yield so the zip can flush.
      await new Promise((r) => setImmediate(r));
    }
    sheet.commit();
    await wb.commit();
    const ms = performance.now() - start;
    log(
      `   exceljs' streaming writer alone, rows in memory: ${ROWS} rows, ${mib(sink.bytes)} MiB = ${rate(ROWS, ms)} rows/s`,
    );
    results.push({ what: 'exceljs writer', rowsPerSecond: rate(ROWS, ms) });
  }

  const product = results[0].rowsPerSecond;
  log('ratio of the product to each ceiling:');
  for (const r of results.slice(1)) log(`   ${r.what}: ${(product / r.rowsPerSecond).toFixed(2)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
