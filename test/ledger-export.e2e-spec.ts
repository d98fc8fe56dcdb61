// a generated ledger of 100,000 tickets exported as a streamed .xlsx and read back.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { Readable } from 'node:stream';
import { Client } from 'pg';
import { LedgerRepository } from '@hotline/db';
import { exportSearchMatches, readLedgerBatches, type LedgerFilter } from '../libs/db/src/repositories/ledger-sql';
import { exportProcessEntry } from '../libs/tickets/src/loop/ledger-export.spawn';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';
import { LEDGER_SHEETS, readXlsx } from './support/xlsx';
import { GENERATED_BASE, generateLedger } from '../bench/generated-ledger';

const N = 100_000;

describe('R-15: ledger export at scale', () => {
  let t: TestApp;
  let api: ApiClient;
  let db: Client;

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'ledger_export', start: new Date('2026-12-01T01:00:00Z') });
    api = new ApiClient(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    await generateLedger(db, N);
  }, 180_000);
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  /** Export statements streaming rows now (the ledger query run as COPY). */
  const copying = async () =>
    Number(
      (
        await db.query(
          `SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'active' AND query LIKE 'COPY (SELECT t.id%'`,
        )
      ).rows[0].n,
    );

  it('R-15: 100,000 generated tickets export to an .xlsx that reads back row for row, with the unit sheet', async () => {
    const from = GENERATED_BASE.toISOString();
    const to = '2027-01-01T00:00:00.000Z';
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/ledger/export?from=${from}&to=${to}`,
      headers: { authorization: `Bearer ${await api.token('ops_head')}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="ledger-20261201-\d+\.xlsx"$/);
    const sheets = await readXlsx(res.rawPayload, LEDGER_SHEETS);
    const ledger = sheets.get('台账')!;
    expect(ledger[0].slice(0, 4)).toEqual(['工单号', '受理时间', '来源', '事项类型']);
    expect(ledger).toHaveLength(N + 1);
    const header = ledger[0] as string[];
    const col = (name: string) => header.indexOf(name);
    // The register in order; sample rows compared with what the generator wrote.
    for (const i of [1, 7, 2, 50_000, 99_999, N]) {
      const row = ledger[i];
      expect(row[col('工单号')]).toBe(`GX${String(i).padStart(8, '0')}`);
      expect(row[col('主题')]).toBe(`第${i}号生成工单`);
      expect(row[col('事项类型')]).toBe(['投诉', '咨询', '求助', '建议'][i % 4]);
      expect(row[col('承办单位')]).toBe('第一分公司（承办）');
      expect(row[col('经办人')]).toBe(`经办人${i % 20}`);
      expect(row[col('办理结果')]).toBe(`已处理 GX${String(i).padStart(8, '0')}`);
      expect(row[col('超期')]).toBe(i % 7 === 0 ? '是' : '否');
      expect(row[col('状态')]).toBe('已办结');
    }
    // the same figures as the API, on the second sheet.
    const units = sheets.get('单位考核')!;
    const api18 = await api.get('ops_head', `/api/stats/units?from=${from}&to=${to}`);
    const b1 = api18.body.units[0];
    expect(b1).toMatchObject({ unitCode: 'branch1', dispatched: N, overdue: Math.floor(N / 7) });
    expect(units[1].slice(0, 4)).toEqual([1, '第一分公司', N, b1.acceptedOnTime]);
    expect(units[1][7]).toBe(Math.floor(N / 7)); // 超期
    // On record: who, when, which filters, how many rows.
    const { rows } = await db.query(`SELECT userid, status, row_count, total, filters FROM ledger_exports`);
    expect(rows).toEqual([{ userid: 'ops_head', status: 'done', row_count: N, total: N, filters: { from, to } }]);
    // Issue 19: the answer says how many rows it holds and which record follows its progress.
    expect(res.headers['x-row-count']).toBe(String(N));
    const record = await api.get('ops_head', `/api/ledger/exports/${String(res.headers['x-export-id'])}`);
    expect(record.body).toMatchObject({ status: 'done', rowCount: N, total: N });
    // Caller data never leaves in an export.
    expect(JSON.stringify(ledger[0])).not.toMatch(/来电人|电话号码|caller/i);
  }, 180_000);

  it('R-15: the export takes the filters; a receiver may not export', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/ledger/export?q=${encodeURIComponent('第42号生成工单')}`,
      headers: { authorization: `Bearer ${await api.token('dispatcher1')}` },
    });
    const ledger = (await readXlsx(res.rawPayload, LEDGER_SHEETS)).get('台账')!;
    expect(ledger.map((r) => r[0])).toEqual(['工单号', 'GX00000042']);
    const denied = await api.get('b1_receiver', '/api/ledger/export');
    expect(denied.status).toBe(403);
  });

  it('R-15: an export with a search reads its matches by the text\u2019s indexes when one chunk holds them, else chunk by chunk; the same rows either way', async () => {
    const conn = { client: db, cancel: async () => undefined };
    const clock = { now: new Date(), yellowShare: 0.8 };
    const exported = async (q: string, chunk: number, filter: LedgerFilter = {}) => {
      const numbers: string[] = [];
      for await (const batch of readLedgerBatches(conn, { kind: 'all' }, { ...filter, q }, clock, 7, chunk)) {
        numbers.push(...batch.map((r) => r.number));
      }
      return numbers;
    };
    const expected = async (q: string, category?: string) =>
      (
        await db.query(
          `SELECT number FROM tickets
            WHERE (subject LIKE '%' || $1 || '%' OR content LIKE '%' || $1 || '%' OR number = $1)
              AND ($2::text IS NULL OR category_code = $2)
            ORDER BY received_at, id`,
          [q, category ?? null],
        )
      ).rows.map((r: { number: string }) => r.number);
    // 第4200: tickets 4,200 and 42,000–42,009 (11), which a chunk of 50 holds: read by the indexes.
    const few = await exportSearchMatches(db, { kind: 'all' }, { q: '第4200' }, clock, 50);
    expect(few).toHaveLength(11);
    expect(await exportSearchMatches(db, { kind: 'all' }, { q: '第420' }, clock, 50)).toBeNull();
    for (const q of ['第4200', '内容 4200', 'GX00004200', '没有这句话']) {
      expect([q, await exported(q, 50)]).toEqual([q, await expected(q)]);
    }
    expect(await exported('第4200', 50, { category: 'help' })).toEqual(await expected('第4200', 'help'));
    // 第420: 111 matches, more than a chunk of 50: chunk by chunk, the search among the conditions.
    const more = await expected('第420');
    expect(more).toHaveLength(111);
    expect(await exported('第420', 50)).toEqual(more);
  });

  it('issue 19: a running export shows its progress to whoever started it; stopping the download cancels it', async () => {
    await t.app.listen(0, '127.0.0.1');
    const port = (t.app.getHttpServer().address() as { port: number }).port;
    const token = await api.token('dispatcher1');
    // A plain connection of its own (no keep-alive pool), so hanging up closes it for good.
    const req = http.get({
      host: '127.0.0.1',
      port,
      path: '/api/ledger/export',
      agent: false,
      headers: { authorization: `Bearer ${token}` },
    });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      req.on('response', resolve).on('error', reject),
    );
    expect(res.statusCode).toBe(200);
    const id = String(res.headers['x-export-id']);
    expect(Number(res.headers['x-row-count'])).toBeGreaterThanOrEqual(N);
    // Take a little of it, then look at its record: running, some rows of the total.
    res.pause();
    await once(res, 'readable');
    const running = await api.get('dispatcher1', `/api/ledger/exports/${id}`);
    expect(running.status).toBe(200);
    expect(running.body).toMatchObject({ status: 'running', userid: 'dispatcher1' });
    expect(running.body.total).toBeGreaterThanOrEqual(N);
    // Another person without the export records may not look at it; a bad id is a 400 naming id.
    expect((await api.get('b1_receiver', `/api/ledger/exports/${id}`)).status).toBe(404);
    const bad = await api.get('dispatcher1', '/api/ledger/exports/99999999999999999999');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('id');
    // The person cancels: the server stops reading the database and records it.
    req.on('error', () => undefined);
    req.destroy();
    let record = running.body;
    for (let i = 0; i < 100 && record.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      record = (await api.get('dispatcher1', `/api/ledger/exports/${id}`)).body;
    }
    expect(record.status).toBe('cancelled');
    expect(record.rowCount).toBeLessThan(record.total);
    expect(record.finishedAt).not.toBeNull();
    // The statement that was streaming rows (its socket paused while the download waited) is
    // cancelled, not left blocked on a connection nobody reads (readLedgerBatches).
    let left = await copying();
    for (let i = 0; i < 100 && left > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await copying();
    }
    expect(left).toBe(0);
  }, 60_000);

  it('issue 19: at most three exports run at once per API process (each holds a database connection); a fourth gets 429 until one ends', async () => {
    const address = t.app.getHttpServer().address() as { port: number } | null;
    if (!address) await t.app.listen(0, '127.0.0.1');
    const port = (t.app.getHttpServer().address() as { port: number }).port;
    const token = await api.token('dispatcher1');
    const open = async () => {
      const req = http.get({
        host: '127.0.0.1',
        port,
        path: '/api/ledger/export',
        agent: false,
        headers: { authorization: `Bearer ${token}` },
      });
      req.on('error', () => undefined);
      const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
        req.on('response', resolve).on('error', reject),
      );
      res.pause();
      return { req, res, id: String(res.headers['x-export-id']) };
    };
    const waitEnded = async (id: string) => {
      for (let i = 0; i < 100; i++) {
        const r = (await api.get('dispatcher1', `/api/ledger/exports/${id}`)).body;
        if (r.status !== 'running') return r.status;
        await new Promise((done) => setTimeout(done, 100));
      }
      return 'running';
    };
    const running = [await open(), await open(), await open()];
    for (const r of running) expect(r.res.statusCode).toBe(200);
    const fourth = await api.get('dispatcher1', '/api/ledger/export');
    expect(fourth.status).toBe(429);
    expect(fourth.body.message).toContain('导出');
    // One is cancelled: its place is free again.
    running[0]!.req.destroy();
    expect(await waitEnded(running[0]!.id)).toBe('cancelled');
    const again = await open();
    expect(again.res.statusCode).toBe(200);
    for (const r of [...running.slice(1), again]) r.req.destroy();
    for (const r of [...running.slice(1), again]) expect(await waitEnded(r.id)).toBe('cancelled');
  }, 60_000);

  /** The export processes this test process has forked (their pids), from /proc. */
  const exportProcesses = (): number[] =>
    readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((pid) => {
        try {
          const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
          return ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ledger-export.process');
        } catch {
          return false; // gone meanwhile
        }
      })
      .map(Number);

  const until = async (what: () => Promise<boolean> | boolean, ms = 10_000) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
      if (await what()) return true;
    }
    return false;
  };

  it('issue 19 goal 3: the export runs in a process of its own; if it dies mid-export the download breaks off and the record says failed', async () => {
    const address = t.app.getHttpServer().address() as { port: number } | null;
    if (!address) await t.app.listen(0, '127.0.0.1');
    const port = (t.app.getHttpServer().address() as { port: number }).port;
    expect(exportProcesses()).toEqual([]);
    const req = http.get({
      host: '127.0.0.1',
      port,
      path: '/api/ledger/export',
      agent: false,
      headers: { authorization: `Bearer ${await api.token('dispatcher1')}` },
    });
    req.on('error', () => undefined);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      req.on('response', resolve).on('error', reject),
    );
    expect(res.statusCode).toBe(200);
    const id = String(res.headers['x-export-id']);
    res.pause();
    await once(res, 'readable');
    const [pid, ...others] = exportProcesses();
    expect(pid).toBeGreaterThan(0);
    expect(others).toEqual([]);
    process.kill(pid!, 'SIGKILL');
    // The rest of the download: it must break off, not end as if the file were whole.
    const ending = new Promise<string>((resolve) => {
      res.on('end', () => resolve('end')).on('aborted', () => resolve('aborted'));
      res.on('error', () => resolve('aborted'));
    });
    res.resume();
    expect(await ending).toBe('aborted');
    let record = (await api.get('dispatcher1', `/api/ledger/exports/${id}`)).body;
    await until(async () => {
      record = (await api.get('dispatcher1', `/api/ledger/exports/${id}`)).body;
      return record.status !== 'running';
    });
    expect(record.status).toBe('failed');
    expect(await until(async () => (await copying()) === 0)).toBe(true);
    // The API is unharmed: the next export runs to the end.
    const next = await t.app.inject({
      method: 'GET',
      url: '/api/ledger/export?status=closed&q=GX00000042',
      headers: { authorization: `Bearer ${await api.token('ops_head')}` },
    });
    expect(next.statusCode).toBe(200);
    expect((await readXlsx(next.rawPayload, LEDGER_SHEETS)).get('台账')).toHaveLength(2);
  }, 60_000);

  it('issue 19 goal 3: the export process stops, and cancels its statement, when the API goes away', async () => {
    const { file, execArgv } = exportProcessEntry();
    const child = fork(file, [], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'],
      serialization: 'advanced',
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const messages: Array<{ type: string }> = [];
    child.on('message', (m: { type: string }) => messages.push(m));
    child.send({
      type: 'job',
      job: {
        database: t.app.get(LedgerRepository).exportConnectionSettings(),
        scope: { kind: 'all' },
        filter: {},
        clock: { now: new Date('2026-12-01T01:00:00Z'), yellowShare: 0.8 },
        startedAt: new Date('2026-12-01T01:00:00Z'),
        batch: 500,
        sheets: [{ name: '台账', widths: [10] }],
      },
    });
    const output = child.stdio[4] as Readable;
    output.pause();
    await once(output, 'readable');
    // Nobody reads on: the process's statement waits on its socket. Then the API is gone.
    expect(await until(async () => (await copying()) === 1)).toBe(true);
    child.disconnect();
    await exited;
    expect(await until(async () => (await copying()) === 0)).toBe(true);
    expect(messages.some((m) => m.type === 'done')).toBe(false);
  }, 60_000);
});
