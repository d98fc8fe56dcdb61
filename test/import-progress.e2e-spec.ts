// Issue 19 goal 3: long imports (an upstream batch, transit data) show their progress to whoever
// started them (rows checked, then rows written, of the total) and can be cancelled, by the
// cancel endpoint or by hanging up: a cancelled import writes nothing. The imports are made long
// by their size (thousands of rows), never by timing; the tests poll with generous limits.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Client } from 'pg';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';

const ROWS = 5_000;

function multipart(fileName: string, content: Buffer) {
  const boundary = `----imports${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
        `Content-Type: text/csv\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** An upstream batch of `n` good rows (references `<prefix>-1` …), as a UTF-8 CSV. */
function upstreamCsv(prefix: string, n: number): Buffer {
  const lines = ['上级工单号,事项类型,主题,内容,来电人,联系电话'];
  for (let i = 1; i <= n; i++) {
    lines.push(
      `${prefix}-${i},投诉,第${i}件转办事项,车辆未按站停靠（第${i}件）,市民${i},135${String(i).padStart(8, '0')}`,
    );
  }
  return Buffer.from(lines.join('\n'));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('issue 19: import progress and cancel', () => {
  let t: TestApp;
  let api: ApiClient;
  let db: Client;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'import_progress' });
    api = new ApiClient(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  /** An upload over a real connection of its own (no keep-alive pool), so hanging up closes it. */
  async function startUpload(userid: string, url: string, fileName: string, content: Buffer) {
    const { payload, headers } = multipart(fileName, content);
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: url,
      agent: false,
      headers: { ...headers, 'content-length': payload.length, authorization: `Bearer ${await api.token(userid)}` },
    });
    const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      });
      req.on('error', reject);
    });
    req.end(payload);
    return { req, answer };
  }

  /** Polls the run until `until` holds (at most a minute): the run as last seen. */
  async function watch(userid: string, key: string, until: (run: any) => boolean) {
    let run: any = null;
    for (let i = 0; i < 1200; i++) {
      const r = await api.get(userid, `/api/imports/${key}`);
      if (r.status === 200) {
        run = r.body;
        if (until(run)) return run;
      }
      await sleep(50);
    }
    return run;
  }

  const written = async (prefix: string) => {
    const { rows } = await db.query(
      `SELECT (SELECT count(*)::int FROM tickets WHERE subject LIKE '第%件转办事项') AS tickets,
              (SELECT count(*)::int FROM intake_refs WHERE ref LIKE $1) AS refs`,
      [`${prefix}-%`],
    );
    return rows[0] as { tickets: number; refs: number };
  };

  it('issue 19: an upstream import in progress shows rows so far; cancelling it imports nothing', async () => {
    const key = randomUUID();
    const url = `/api/intake/import?source=transport_bureau&progress=${key}`;
    const { answer } = await startUpload('dispatcher1', url, 'batch.csv', upstreamCsv('CN', ROWS));
    const running = await watch('dispatcher1', key, (r) => r.status !== 'running' || r.rowsDone > 0);
    expect(running).toMatchObject({ key, kind: 'upstream', dryRun: false, status: 'running', total: ROWS });
    expect(running.rowsDone).toBeGreaterThan(0);
    expect(running.rowsDone).toBeLessThan(ROWS);
    expect(running.startedAt).toEqual(expect.any(String));
    expect(running.finishedAt).toBeNull();

    // Only its starter sees or cancels it; a malformed key is a 400 naming `key`.
    expect((await api.get('dispatcher2', `/api/imports/${key}`)).status).toBe(404);
    expect((await api.post('dispatcher2', `/api/imports/${key}/cancel`, {})).status).toBe(404);
    const bad = await api.get('dispatcher1', '/api/imports/not-a-key');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('key');
    expect((await api.get('dispatcher1', `/api/imports/${randomUUID()}`)).status).toBe(404);

    const cancel = await api.post('dispatcher1', `/api/imports/${key}/cancel`, {});
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ key, cancelRequested: true });

    const res = await answer;
    expect(res.status).toBe(409);
    expect(res.body.message).toContain('导入已取消');
    expect(res.body.message).toContain('未导入任何数据');
    const ended = (await api.get('dispatcher1', `/api/imports/${key}`)).body;
    expect(ended).toMatchObject({ status: 'cancelled', total: ROWS });
    expect(ended.finishedAt).toEqual(expect.any(String));
    expect(await written('CN')).toEqual({ tickets: 0, refs: 0 });
    // An ended run cannot be cancelled again.
    const again = await api.post('dispatcher1', `/api/imports/${key}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('已经结束');
  }, 120_000);

  it('issue 19: a client that hangs up mid-import leaves nothing written and the run cancelled', async () => {
    const key = randomUUID();
    const url = `/api/intake/import?source=transport_bureau&progress=${key}`;
    const { req, answer } = await startUpload('dispatcher1', url, 'batch.csv', upstreamCsv('HU', ROWS));
    answer.catch(() => undefined);
    const running = await watch('dispatcher1', key, (r) => r.status !== 'running' || r.rowsDone > 0);
    expect(running).toMatchObject({ status: 'running' });
    expect(running.rowsDone).toBeGreaterThan(0);
    req.on('error', () => undefined);
    req.destroy();
    const ended = await watch('dispatcher1', key, (r) => r.status !== 'running');
    expect(ended.status).toBe('cancelled');
    expect(ended.rowsDone).toBeLessThan(ROWS);
    expect(await written('HU')).toEqual({ tickets: 0, refs: 0 });
  }, 120_000);

  it('issue 19: a hang-up while writing rolls the write back', async () => {
    const key = randomUUID();
    const url = `/api/intake/import?source=transport_bureau&progress=${key}`;
    const { req, answer } = await startUpload('dispatcher1', url, 'batch.csv', upstreamCsv('HW', ROWS));
    answer.catch(() => undefined);
    const writing = await watch('dispatcher1', key, (r) => r.status !== 'running' || r.phase === 'writing');
    expect(writing).toMatchObject({ status: 'running', phase: 'writing' });
    req.on('error', () => undefined);
    req.destroy();
    const ended = await watch('dispatcher1', key, (r) => r.status !== 'running');
    expect(ended).toMatchObject({ status: 'cancelled', phase: 'writing' });
    expect(await written('HW')).toEqual({ tickets: 0, refs: 0 });
  }, 120_000);

  it('issue 19: a transit import with progress reaches done with every row written; a dry run with errors is done too', async () => {
    const lines = ['线路编号,线路名称,所属分公司'];
    for (let i = 1; i <= 300; i++) lines.push(`P${i},P${i}路,branch1`);
    const key = randomUUID();
    const { payload, headers } = multipart('routes.csv', Buffer.from(lines.join('\n')));
    const ok = await api.call('admin', 'POST', `/api/transit/import/routes?progress=${key}`, payload, headers);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ rows: 300, imported: 300, errors: [] });
    const run = (await api.get('admin', `/api/imports/${key}`)).body;
    expect(run).toMatchObject({
      key,
      kind: 'routes',
      dryRun: false,
      status: 'done',
      phase: 'writing',
      total: 300,
      rowsDone: 300,
    });
    expect(run.finishedAt).toEqual(expect.any(String));

    // A bad row: the report lists it as before; the run is done, every row checked, none written.
    const badKey = randomUUID();
    const bad = multipart('routes.csv', Buffer.from('线路编号,线路名称,所属分公司\nQ1,Q1路,没有这个单位\n'));
    const r = await api.call(
      'admin',
      'POST',
      `/api/transit/import/routes?progress=${badKey}`,
      bad.payload,
      bad.headers,
    );
    expect(r.body).toMatchObject({ imported: 0, errors: [{ line: 2, field: 'branch' }] });
    expect((await api.get('admin', `/api/imports/${badKey}`)).body).toMatchObject({
      status: 'done',
      phase: 'checking',
      total: 1,
      rowsDone: 1,
    });
    // A key already used is refused; a malformed one is a 400 naming `progress`.
    const reused = await api.call('admin', 'POST', `/api/transit/import/routes?progress=${key}`, payload, headers);
    expect(reused.status).toBe(409);
    const malformed = await api.call('admin', 'POST', '/api/transit/import/routes?progress=12345', payload, headers);
    expect(malformed.status).toBe(400);
    expect(malformed.body.field).toBe('progress');
  });

  it('issue 19: an unreadable file ends its run as failed', async () => {
    const key = randomUUID();
    const { payload, headers } = multipart('a.bin', Buffer.from([0, 1, 2, 3, 0xff, 0xfe]));
    const r = await api.call('admin', 'POST', `/api/transit/import/vehicles?progress=${key}`, payload, headers);
    expect(r.status).toBe(400);
    expect((await api.get('admin', `/api/imports/${key}`)).body).toMatchObject({ status: 'failed', kind: 'vehicles' });
  });
});
