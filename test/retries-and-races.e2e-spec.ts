// Issue 18 (items 2 and 3): a retried or doubled registration creates one ticket, and an action
// carries the version the person saw, so two concurrent dispatches cannot both succeed. Real
// PostgreSQL; the requests run at the same time through the whole HTTP app.
import { Client } from 'pg';
import { TicketQueriesService } from '@hotline/tickets';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';

const BODY = {
  source: 'group_hotline',
  channel: 'phone',
  category: 'complaint',
  subject: '幂等登记测试',
  content: '市民反映12路公交车未进站停靠。',
  caller: { name: '李四', phone: '13900001111' },
};

describe('retried registrations and concurrent actions', () => {
  let t: TestApp;
  let api: ApiClient;
  let pg: Client;

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'races' });
    api = new ApiClient(t.app);
    pg = new Client({ connectionString: t.databaseUrl });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await t.close();
  });

  const ticketsWithSubject = async (subject: string) =>
    (await pg.query(`SELECT id FROM tickets WHERE subject = $1`, [subject])).rows.map((r) => r.id as string);
  const register = (subject: string, key?: string, body: Record<string, unknown> = {}) =>
    api.post('dispatcher1', '/api/tickets', { ...BODY, subject, ...body }, key ? { 'idempotency-key': key } : {});

  it('R-17 (issue 18.2): a registration retried after its answer was lost gets the first ticket back, never a second', async () => {
    const first = await register('幂等-重试', 'reg-retry-1');
    expect(first.status).toBe(201);
    // The answer never reached the phone; the micro-app sends the same request with the same key.
    const again = await register('幂等-重试', 'reg-retry-1');
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.number).toBe(first.body.number);
    expect(await ticketsWithSubject('幂等-重试')).toEqual([first.body.id]);
    // Without a key, two requests are two registrations (the key is what says "the same one").
    await register('幂等-无键');
    await register('幂等-无键');
    expect(await ticketsWithSubject('幂等-无键')).toHaveLength(2);
  });

  it('R-17 (issue 18.2): concurrent registrations with one key give one ticket, and every answer names it (many rounds)', async () => {
    for (let round = 0; round < 8; round++) {
      const subject = `幂等-并发-${round}`;
      const replies = await Promise.all(Array.from({ length: 6 }, () => register(subject, `reg-concurrent-${round}`)));
      expect(replies.map((r) => r.status)).toEqual(Array(6).fill(201));
      const ids = new Set(replies.map((r) => r.body.id));
      expect(ids.size).toBe(1);
      expect(await ticketsWithSubject(subject)).toEqual([...ids]);
    }
  });

  it('R-17 (issue 18.2): a key reused for a different registration is refused, naming Idempotency-Key', async () => {
    expect((await register('幂等-原请求', 'reg-reused')).status).toBe(201);
    const other = await register('幂等-另一请求', 'reg-reused');
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ error: 'VALIDATION', field: 'Idempotency-Key' });
    expect(await ticketsWithSubject('幂等-另一请求')).toEqual([]);
    const bad = await register('幂等-坏键', 'has spaces!');
    expect(bad.body).toMatchObject({ statusCode: 400, field: 'Idempotency-Key' });
  });

  it('R-17 (issue 18.2): a failing read-back cannot turn a committed registration into an error: it fails before the commit, and the retry registers once', async () => {
    const service = t.app.get(TicketQueriesService);
    const get = jest.spyOn(service, 'get').mockRejectedValueOnce(new Error('read-back failed'));
    try {
      const failed = await register('幂等-读回失败', 'reg-readback');
      expect(failed.status).toBe(500);
      // The error came before the commit: nothing was registered, so no ticket is left behind.
      expect(await ticketsWithSubject('幂等-读回失败')).toEqual([]);
    } finally {
      get.mockRestore();
    }
    const retry = await register('幂等-读回失败', 'reg-readback');
    expect(retry.status).toBe(201);
    expect(await ticketsWithSubject('幂等-读回失败')).toEqual([retry.body.id]);
  });

  it('R-6 (issue 18.3): GET /api/tickets/:id gives the version as ETag; an action with a stale If-Match or expectedVersion is 409, a current one passes', async () => {
    const c = (await register('版本-基本')).body;
    const got = await t.app.inject({
      method: 'GET',
      url: `/api/tickets/${c.id}`,
      headers: { authorization: `Bearer ${await api.token('dispatcher1')}` },
    });
    expect(got.headers.etag).toBe(`"${c.version}"`);
    const dispatch = { assignments: [{ unit: 'branch1', role: 'sole' }] };
    const stale = await api.act('dispatcher1', c.id, 'dispatch', dispatch, { 'if-match': `"${c.version + 1}"` });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: 'CONFLICT' });
    const staleBody = await api.act('dispatcher1', c.id, 'dispatch', { ...dispatch, expectedVersion: c.version - 1 });
    expect(staleBody.status).toBe(409);
    const ok = await api.act('dispatcher1', c.id, 'dispatch', dispatch, { 'if-match': got.headers.etag as string });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(c.version + 1);
    // The person who saw the old version and now adds a unit is refused: they did not see the dispatch.
    const late = await api.act('dispatcher2', c.id, 'dispatch', {
      assignments: [{ unit: 'branch2', role: 'sole' }],
      expectedVersion: c.version,
    });
    expect(late.status).toBe(409);
    const badTag = await api.act('dispatcher1', c.id, 'accept', {}, { 'if-match': 'yesterday' });
    expect(badTag.body).toMatchObject({ statusCode: 400, field: 'If-Match' });
    const badBody = await api.act('dispatcher1', c.id, 'accept', { expectedVersion: 'x' });
    expect(badBody.body).toMatchObject({ statusCode: 400, field: 'expectedVersion' });
  });

  it('R-6 (issue 18.3): two dispatchers sending the same new ticket to different units at once: exactly one succeeds, in every one of 40 rounds', async () => {
    for (let round = 0; round < 40; round++) {
      const c = (await register(`版本-并发派单-${round}`)).body;
      const [a, b] = await Promise.all([
        api.act('dispatcher1', c.id, 'dispatch', {
          assignments: [{ unit: 'branch1', role: 'sole' }],
          expectedVersion: c.version,
        }),
        api.act('dispatcher2', c.id, 'dispatch', {
          assignments: [{ unit: 'branch2', role: 'sole' }],
          expectedVersion: c.version,
        }),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses).toEqual([200, 409]);
      const { rows } = await pg.query(`SELECT unit_code FROM assignments WHERE ticket_id = $1`, [c.id]);
      expect(rows).toHaveLength(1);
    }
  });
});
