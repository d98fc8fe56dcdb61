// Issue 19 goal 3: a ledger export or an import whose process died (kill -9, a crash) must not
// read 'running' for ever. A live run writes a heartbeat (with its progress, and every
// RUN_HEARTBEAT_MS while it waits); the worker's sweep ends runs without one for
// RUN_STALE_AFTER_MS as 'failed'. Everything here moves the application clock, not the wall clock.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ImportRunRepository, LedgerRepository } from '@hotline/db';
import { RUN_STALE_AFTER_MS, StaleRunsService } from '@hotline/tickets';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';

describe('issue 19: runs whose process died end as failed', () => {
  let t: TestApp;
  let api: ApiClient;
  let db: Client;
  let ledger: LedgerRepository;
  let imports: ImportRunRepository;
  let sweep: StaleRunsService;

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'stale_runs', start: new Date('2026-12-01T02:00:00Z') });
    api = new ApiClient(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    ledger = t.app.get(LedgerRepository);
    imports = t.app.get(ImportRunRepository);
    sweep = t.app.get(StaleRunsService);
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const exportRow = async (id: number) =>
    (await db.query(`SELECT status, row_count, finished_at, heartbeat_at FROM ledger_exports WHERE id = $1`, [id]))
      .rows[0];
  const importRow = async (key: string) =>
    (await db.query(`SELECT status, rows_done, finished_at, heartbeat_at FROM import_runs WHERE key = $1`, [key]))
      .rows[0];

  it('issue 19: an export without a heartbeat for RUN_STALE_AFTER_MS ends as failed; one that beats stays running; a finished one is untouched', async () => {
    const t0 = t.clock.now();
    const dead = await ledger.startExport('ops_head', {}, 1000, t0);
    const alive = await ledger.startExport('ops_head', {}, 1000, t0);
    const finished = await ledger.startExport('ops_head', {}, 10, t0);
    await ledger.finishExport(finished, 'done', 10, t0);
    await ledger.progressExport(dead, 500, t0);
    // Just before the limit nothing is stale.
    t.clock.advance(RUN_STALE_AFTER_MS);
    expect(await sweep.sweep()).toEqual({ exports: 0, imports: 0 });
    // The live one beats (a slow client: no progress, the timer's heartbeat); the dead one does not.
    await ledger.heartbeatExport(alive, t.clock.now());
    t.clock.advance(1000);
    expect(await sweep.sweep()).toEqual({ exports: 1, imports: 0 });
    expect(await exportRow(dead)).toMatchObject({ status: 'failed', row_count: 500, finished_at: t.clock.now() });
    expect(await exportRow(alive)).toMatchObject({ status: 'running', finished_at: null });
    expect(await exportRow(finished)).toMatchObject({ status: 'done', finished_at: t0 });
    // Whoever started it sees it failed.
    const seen = await api.get('ops_head', `/api/ledger/exports/${dead}`);
    expect(seen.body).toMatchObject({ status: 'failed', rowCount: 500 });
    // Once the live one stops beating too, it goes the same way; a second sweep changes nothing more.
    t.clock.advance(RUN_STALE_AFTER_MS);
    expect(await sweep.sweep()).toEqual({ exports: 1, imports: 0 });
    expect(await exportRow(alive)).toMatchObject({ status: 'failed' });
    expect(await sweep.sweep()).toEqual({ exports: 0, imports: 0 });
  });

  it('issue 19: an import without a heartbeat ends as failed; its progress is a heartbeat', async () => {
    const t0 = t.clock.now();
    const dead = randomUUID();
    const alive = randomUUID();
    expect(await imports.start(dead, 'admin', 'routes', false, t0)).toBe(true);
    expect(await imports.start(alive, 'admin', 'routes', false, t0)).toBe(true);
    t.clock.advance(RUN_STALE_AFTER_MS - 1000);
    await imports.progress(alive, 100, t.clock.now(), { total: 300 });
    t.clock.advance(2000);
    expect(await sweep.sweep()).toEqual({ exports: 0, imports: 1 });
    expect(await importRow(dead)).toMatchObject({ status: 'failed', finished_at: t.clock.now() });
    expect(await importRow(alive)).toMatchObject({ status: 'running', rows_done: 100 });
    const seen = await api.get('admin', `/api/imports/${dead}`);
    expect(seen.body).toMatchObject({ status: 'failed' });
  });

  it('issue 19: a real export and a real import write their heartbeat, and a sweep long after leaves them done', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/ledger/export',
      headers: { authorization: `Bearer ${await api.token('ops_head')}` },
    });
    expect(res.statusCode).toBe(200);
    const id = Number(res.headers['x-export-id']);
    const boundary = '----stale';
    const payload = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="routes.csv"\r\nContent-Type: text/csv\r\n\r\n` +
        `线路编号,线路名称,所属分公司\nS1,S1路,branch1\r\n--${boundary}--\r\n`,
    );
    const key = randomUUID();
    const imported = await api.call('admin', 'POST', `/api/transit/import/routes?progress=${key}`, payload, {
      'content-type': `multipart/form-data; boundary=${boundary}`,
    });
    expect(imported.status).toBe(200);
    let exported = await exportRow(id);
    for (let i = 0; i < 100 && exported.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      exported = await exportRow(id);
    }
    expect(exported).toMatchObject({ status: 'done', heartbeat_at: t.clock.now() });
    expect(await importRow(key)).toMatchObject({ status: 'done', heartbeat_at: t.clock.now() });
    t.clock.advance(10 * RUN_STALE_AFTER_MS);
    await sweep.sweep();
    expect((await exportRow(id)).status).toBe('done');
    expect((await importRow(key)).status).toBe('done');
  });
});
