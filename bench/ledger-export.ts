// Benchmark (not a test): the ledger export (R-15, issue 19 goal 3) of BENCH_ROWS tickets beside
// its ceilings, in one run. Fills a throwaway database with INSERT … SELECT generate_series (the
// generator the export test uses), brings the unit figures' per-day sums up to date as the
// worker does (the second sheet of an export with a period reads them), then:
//   1. the product: the API in its own process (dist/apps/api), GET /api/ledger/export over HTTP
//      into a counting sink; rows/s, and the server process's resident memory (VmRSS sampled every
//      50 ms, and the kernel's peak VmHWM);
//   2. the row query by the row protocol, in this process: the ledger page's keyset batches
//      (LedgerRepository.page, JIT as the server is configured, pg's row parsing), nothing written;
//   2b. the export's own read alone: the same batches by COPY … TO STDOUT with JIT off, parsed and
//      mapped (readLedgerBatches on a connection of its own, as the export process), nothing written;
//   3. plain SQL alone: the same facts for this data (ticket, source, category, its one
//      assignment, unit and approved reply) by keyset batches of the same size, nothing converted;
//   4. the .xlsx writer alone, with the rows in memory: one batch of the export's cells written
//      over and over, by our writer (xlsx-stream.ts: rows/s, CPU and this process's RSS) and by
//      exceljs' streaming writer;
// and prints each as rows/s with the ratio of the product to it, the memory of each process and
// the load average. Results: docs/benchmarks.md.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:ledger
//   BENCH_ROWS=200000 for a quicker run (default 1,000,000; the database hotline_bench_ledger is
//   dropped and re-created, or kept with BENCH_REUSE=1 when it holds BENCH_ROWS tickets);
//   BENCH_SIDES=product,copy,sql,writers to leave sides out (default all, with `rows`);
//   BENCH_API_NODE_OPTIONS="--max-old-space-size=96" for flags of the API's node (a heap cap).
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import { createDataSource, LedgerRepository, TicketSearch, type LedgerCursor, type LedgerRow } from '@hotline/db';
import { EXPORT_BATCH, LEDGER_COLUMNS, XlsxStreamWriter, type XlsxCell } from '@hotline/tickets';
import { openExportConnection, readLedgerBatches } from '@hotline/db/ledger-export';
import { GENERATED_BASE, generateLedger } from './generated-ledger';
import { freshBenchDatabase, log, refreshFigureDays } from './bench-database';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DB = 'hotline_bench_ledger';
/** BENCH_SIDES: which sides to run (default all): product, rows (row protocol), copy, sql, writers. */
const SIDES = new Set((process.env.BENCH_SIDES ?? 'product,rows,copy,sql,writers').split(','));
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

/** CPU seconds a process has used (user + system), from /proc/<pid>/stat; 0 when it is gone. */
function procCpu(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** The PostgreSQL backend running a COPY for database `db` (its process title says so), if any. */
function copyBackend(db: string): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.startsWith('postgres:') && cmd.includes(` ${db} `) && cmd.includes(' COPY')) return Number(d);
    } catch {
      // ended meanwhile
    }
  }
  return undefined;
}

/** The ledger export processes `parent` has forked (issue 19 goal 3), from /proc. */
function exportProcesses(parent: number): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('ledger-export.process')) {
        pids.push(Number(d));
      }
    } catch {
      // ended meanwhile
    }
  }
  return pids;
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

/**
 * The bench database with ROWS generated tickets: kept from an earlier run with BENCH_REUSE=1 when
 * it holds exactly ROWS tickets, else dropped, re-created and filled.
 */
async function benchDatabase(): Promise<string> {
  if (process.env.BENCH_REUSE === '1') {
    const u = new URL(process.env.DATABASE_URL ?? '');
    u.pathname = `/${DB}`;
    const c = new Client({ connectionString: u.toString() });
    const n = await c.connect().then(
      () => c.query(`SELECT count(*)::int AS n FROM tickets`).then((r) => r.rows[0].n as number),
      () => -1,
    );
    await c.end().catch(() => undefined);
    if (n === ROWS) {
      log(`reusing ${DB} (${n} tickets)`);
      return u.toString();
    }
  }
  const { ds: setup, url } = await freshBenchDatabase(DB, 2);
  await setup.destroy();
  const db = new Client({ connectionString: url });
  await db.connect();
  const t0 = performance.now();
  await generateLedger(db, ROWS);
  await db.end();
  log(`fill (generate_series, 3 INSERT … SELECT per 200,000): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return url;
}

async function main(): Promise<void> {
  const url = await benchDatabase();
  // The export of a period has a second sheet, the unit figures, read from the per-day sums
  // that the worker keeps; left dirty (as the INSERTs leave them) it would read the whole period
  // directly beside the export, as only just after a bulk load (docs/benchmarks.md).
  const figureDays = await refreshFigureDays(url);
  log(
    `unit figure days brought up to date: ${figureDays.refreshed} in ${figureDays.seconds.toFixed(0)} s, ${figureDays.left} left`,
  );
  log(`Node.js ${process.version}, ${ROWS} tickets (one assignment and one approved reply each)`);
  log(
    `load average: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (${cpus().length} cores)`,
  );
  const db = new Client({ connectionString: url });
  await db.connect();
  let t0: number;
  const results: Array<{ what: string; rowsPerSecond: number }> = [];
  const memory: Array<{ what: string; before: number; peak: number }> = [];

  if (SIDES.has('product')) {
    // 1. The product, in its own process.
    const port = await freePort();
    // BENCH_API_NODE_OPTIONS: flags for the API's node, e.g. a heap cap (--max-old-space-size=96).
    const apiFlags = (process.env.BENCH_API_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
    if (apiFlags.length) log(`API process flags: ${apiFlags.join(' ')}`);
    const server = spawn(process.execPath, [...apiFlags, 'dist/apps/api/src/main.js'], {
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
      // The export's own process (forked by the API for the download): its RSS, and the kernel's
      // peak for it (VmHWM), sampled while it lives.
      let childPeak = 0;
      let childHwm = 0;
      let childSeen = 0;
      // CPU seconds of each process during the export: the API, the export process, PostgreSQL's backend.
      const apiCpu0 = procCpu(pid);
      let childCpu = 0;
      let backend: number | undefined;
      let backendCpu0 = 0;
      let backendCpu = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, procMemory(pid, 'VmRSS'));
        if (backend === undefined) {
          backend = copyBackend(DB);
          backendCpu0 = backend ? procCpu(backend) : 0;
        }
        if (backend) backendCpu = Math.max(backendCpu, procCpu(backend) - backendCpu0);
        for (const c of exportProcesses(pid)) {
          try {
            childSeen = c;
            childCpu = Math.max(childCpu, procCpu(c));
            childPeak = Math.max(childPeak, procMemory(c, 'VmRSS'));
            childHwm = Math.max(childHwm, procMemory(c, 'VmHWM'));
          } catch {
            // it ended between the listing and the reading
          }
        }
      }, 50);
      const sink = countingSink();
      t0 = performance.now();
      const query = `from=${FROM.toISOString()}&to=${TO.toISOString()}`;
      await new Promise<void>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: `/api/ledger/export?${query}`,
            headers: { authorization: `Bearer ${token}` },
          },
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
      const apiCpu = procCpu(pid) - apiCpu0;
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
      log(
        `   export process ${childSeen || '(not seen)'} RSS: ${mib(childPeak)} MiB peak sampled, kernel peak (VmHWM) ${mib(childHwm)} MiB`,
      );
      log(
        `   CPU during the export: API ${apiCpu.toFixed(1)} s, export process ${childCpu.toFixed(1)} s (sampled to its last 50 ms), PostgreSQL's backend ${backendCpu.toFixed(1)} s (from its first sample), of ${(ms / 1000).toFixed(1)} s`,
      );
      results.push({ what: 'product', rowsPerSecond: rate(ROWS, ms) });
      memory.push({ what: 'API process (product)', before, peak: Math.max(peak, hwm) });
      memory.push({ what: 'export process (product)', before: 0, peak: Math.max(childPeak, childHwm) });
    } finally {
      server.kill('SIGTERM');
    }
  }

  // 2. The row query alone (the product's SQL and row mapping, nothing written).
  const ds = createDataSource(url, 2);
  await ds.initialize();
  const repo = new LedgerRepository(ds, new TicketSearch(ds));
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
  if (SIDES.has('rows'))
    results.push({
      what: 'row query (row protocol, page())',
      rowsPerSecond: await timeQuery(
        "2. row query alone by the row protocol, keyset batches (LedgerRepository.page(…, 'asc'), JIT as configured)",
        (c) => repo.page(scope, filter, EXPORT_BATCH, c, CLOCK, 'asc'),
        ROWS,
      ),
    });
  if (SIDES.has('copy')) {
    // 2b. The export's own read: the same query by COPY … TO STDOUT on a connection of its own
    // (JIT off), parsed and mapped, as the export process reads it (readLedgerBatches).
    let n = 0;
    const conn = await openExportConnection(repo.exportConnectionSettings());
    const start = performance.now();
    try {
      for await (const batch of readLedgerBatches(conn, scope, filter, CLOCK, EXPORT_BATCH)) {
        if (!firstBatch.length) firstBatch = batch;
        n += batch.length;
      }
    } finally {
      await conn.end();
    }
    const ms = performance.now() - start;
    log(
      `2b. COPY alone, the export's batches (readLedgerBatches, as the export process: COPY text, parsed, mapped): ${n} rows = ${rate(n, ms)} rows/s`,
    );
    results.push({ what: 'COPY (the export’s read)', rowsPerSecond: rate(n, ms) });
  }

  // 3. Plain SQL: the same facts for this data, keyset batches, no mapping.
  if (SIDES.has('sql')) {
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
  if (!firstBatch.length) firstBatch = await repo.page(scope, filter, EXPORT_BATCH, undefined, CLOCK, 'asc');
  if (SIDES.has('writers')) {
    const start = performance.now();
    let cells = 0;
    for (let n = 0; n < ROWS; n += firstBatch.length) {
      for (const r of firstBatch) cells += LEDGER_COLUMNS.map((c) => c.value(r)).length;
    }
    const ms = performance.now() - start;
    log(`   row → cells alone: ${ROWS} rows (${cells} cells) = ${rate(ROWS, ms)} rows/s`);
  }
  const batchCells: XlsxCell[][] = firstBatch.map((r) => LEDGER_COLUMNS.map((c) => c.value(r)));
  if (SIDES.has('writers')) {
    const sink = countingSink();
    const rssBefore = procMemory(process.pid, 'VmRSS');
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, procMemory(process.pid, 'VmRSS'));
    }, 50);
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    const w = new XlsxStreamWriter(sink, [{ name: '台账', widths: LEDGER_COLUMNS.map((c) => c.width) }]);
    await w.start();
    await w.startSheet();
    for (let n = 0; n < ROWS; n += batchCells.length) await w.writeRows(batchCells);
    await w.endSheet();
    await w.finish();
    const ms = performance.now() - start;
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpu0);
    log(
      `4. our .xlsx writer alone, rows in memory: ${ROWS} rows, ${mib(sink.bytes)} MiB = ${rate(ROWS, ms)} rows/s ` +
        `(process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, deflate threads included)`,
    );
    memory.push({ what: 'bench process, our writer alone', before: rssBefore, peak: rssPeak });
    results.push({ what: 'our writer', rowsPerSecond: rate(ROWS, ms) });
  }
  if (SIDES.has('writers')) {
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

  await ds.destroy();
  const product = results.find((r) => r.what === 'product')?.rowsPerSecond ?? NaN;
  log('ratio of the product to each ceiling:');
  for (const r of results.filter((x) => x.what !== 'product'))
    log(`   ${r.what}: ${r.rowsPerSecond} rows/s, ratio ${(product / r.rowsPerSecond).toFixed(2)}`);
  log(`memory (VmRSS, MiB; goal < 150 MB peak):`);
  for (const m of memory) log(`   ${m.what}: ${mib(m.before)} before, ${mib(m.peak)} peak`);
  log(
    `load average at the end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
