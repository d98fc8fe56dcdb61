// The refusals people meet, through HTTP: the message is Chinese for the person, while the error
// code and the field stay the stable contract for programs.
import { Client } from 'pg';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';

const HOUR = 3600_000;
/** At least one Chinese character (CJK Unified Ideographs). */
const CJK = /[\u4e00-\u9fff]/;

describe('refusals in Chinese over HTTP', () => {
  let t: TestApp;
  let api: ApiClient;
  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'messages' });
    api = new ApiClient(t.app);
  });
  afterAll(() => t.close());

  async function dispatchedToBranch1(): Promise<string> {
    const ticket = await api.createTicket('dispatcher1');
    await api.ok('dispatcher1', ticket.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    return ticket.id as string;
  }

  it('R-11: a return after 24 h is a 409 INVALID_STATE that says so in Chinese', async () => {
    const id = await dispatchedToBranch1();
    t.clock.advance(24 * HOUR + 60_000);
    const late = await api.act('b1_receiver', id, 'request_return', { reason: '不属于本单位', basis: '职责分工' });
    expect(late).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        error: 'INVALID_STATE',
        message: '退回须在派单后 24 小时内申请，现已超过（R-11），本单位须继续办理。',
      },
    });
    expect(late.body.message).toMatch(CJK);
  });

  it('R-6c: a unit listed twice in a dispatch is a 400 VALIDATION naming the field, in Chinese with the unit name', async () => {
    const ticket = await api.createTicket('dispatcher1');
    const twice = await api.act('dispatcher1', ticket.id, 'dispatch', {
      assignments: [
        { unit: 'branch1', role: 'sole' },
        { unit: 'branch1', role: 'sole' },
      ],
    });
    expect(twice).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        error: 'VALIDATION',
        field: 'assignments[1].unit',
        message: '第一分公司选了两次，每个单位只能选一次。',
      },
    });
    expect(twice.body.message).toMatch(CJK);
  });

  it('X-4: an extension asked for after the reply deadline is a 409 INVALID_STATE in Chinese', async () => {
    const id = await dispatchedToBranch1();
    await api.ok('b1_receiver', id, 'accept');
    const view = (await api.get('b1_receiver', `/api/tickets/${id}`)).body;
    t.clock.set(new Date(Date.parse(view.assignments[0].replyDeadline) + 60_000));
    const late = await api.act('b1_receiver', id, 'request_extension', { days: 1, reason: '需协调其他部门' });
    expect(late).toMatchObject({ status: 409, body: { statusCode: 409, error: 'INVALID_STATE' } });
    expect(late.body).not.toHaveProperty('field');
    expect(late.body.message).toMatch(CJK);
    expect(late.body.message).toBe('最晚回复时间已过，不能再申请延期：延期须在期限前申请（X-4）。');
  });

  it('X-6: a merged matter refuses mark_responsible with a 409 INVALID_STATE in Chinese that points to the open ticket', async () => {
    const open = await dispatchedToBranch1();
    const repeat = await api.createTicket('dispatcher2', { caller: { name: '钱七', phone: '13700000009' } });
    await api.ok('dispatcher2', repeat.id, 'merge', { into: open, comment: '同一车辆同一事' });
    const judged = await api.act('ops_head', repeat.id, 'mark_responsible', {
      atFault: false,
      basis: '驾驶员按规定操作',
    });
    expect(judged).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        error: 'INVALID_STATE',
        message: '此事项已并入另一工单（并单，X-6）：请在并入的工单上记录回访和责任认定。',
      },
    });
    expect(judged.body.message).toMatch(CJK);
  });

  it('R-8: an action on a stale version (another change won the compare-and-set) is a 409 CONFLICT in Chinese', async () => {
    const id = await dispatchedToBranch1();
    await api.token('b1_receiver');
    const other = new Client({ connectionString: t.databaseUrl });
    // A second session to watch the first: pg_stat_activity is a snapshot per transaction.
    const watcher = new Client({ connectionString: t.databaseUrl });
    await Promise.all([other.connect(), watcher.connect()]);
    try {
      // Hold the ticket's row so the request reads version N, decides, and waits at its
      // `UPDATE … WHERE version = N`; then another change moves the version and lets it go.
      await other.query('BEGIN');
      await other.query('SELECT version FROM tickets WHERE id = $1 FOR UPDATE', [id]);
      const pending = api.act('b1_receiver', id, 'accept');
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { rows } = await watcher.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE tickets SET status%'`,
        );
        if (rows[0].n > 0) break;
        if (Date.now() > deadline) throw new Error('the request never reached its compare-and-set');
        await new Promise((r) => setTimeout(r, 20));
      }
      await other.query('UPDATE tickets SET version = version + 1 WHERE id = $1', [id]);
      await other.query('COMMIT');
      const stale = await pending;
      expect(stale).toEqual({
        status: 409,
        body: { statusCode: 409, error: 'CONFLICT', message: '该工单刚被他人处理，请刷新后重试。' },
      });
      expect(stale.body.message).toMatch(CJK);
    } finally {
      await Promise.all([other.end(), watcher.end()]);
    }
    // Nothing of the refused accept was written.
    const view = (await api.get('dispatcher1', `/api/tickets/${id}`)).body;
    expect(view.assignments[0].status).toBe('pending_accept');
  });

  it('R-19: a missing ticket is a 404 NOT_FOUND in Chinese, for a read and for an action', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const body = { statusCode: 404, error: 'NOT_FOUND', message: '工单不存在，或您无权查看。' };
    expect(await api.get('dispatcher1', `/api/tickets/${missing}`)).toEqual({ status: 404, body });
    expect(await api.act('b1_receiver', missing, 'accept')).toEqual({ status: 404, body });
  });

  it('FOUNDATION: a malformed request is a 400 VALIDATION whose message names each field and says in Chinese what is wrong', async () => {
    const base = {
      source: 'group_hotline',
      channel: 'phone',
      category: 'complaint',
      subject: '测试',
      content: '测试内容',
      caller: { name: '张三', phone: '13800000000' },
    };
    const tooLong = await api.post('dispatcher1', '/api/tickets', {
      ...base,
      caller: { ...base.caller, address: '路'.repeat(201) },
    });
    expect(tooLong).toMatchObject({
      status: 400,
      body: { error: 'VALIDATION', field: 'caller.address', message: 'caller.address：最多 200 个字符' },
    });
    const unknown = await api.post('dispatcher1', '/api/tickets', { ...base, admin: true });
    expect(unknown.body).toMatchObject({ field: 'admin', message: 'admin：不是允许的字段' });
    const badDate = await api.post('dispatcher1', '/api/tickets', { ...base, upstreamDeadline: '明天' });
    expect(badDate.body).toMatchObject({
      field: 'upstreamDeadline',
      message: expect.stringMatching(/^upstreamDeadline：须为 ISO 8601 时间/),
    });
    // A DTO's own message is already Chinese and kept as written.
    const phone = await api.post('dispatcher1', '/api/tickets', { ...base, caller: { name: '张三', phone: 'abc' } });
    expect(phone.body).toMatchObject({
      field: 'caller.phone',
      message: '电话须为 5–20 位数字（可含空格、+、- 和括号）',
    });
    // Several problems at once, each named.
    const two = await api.post('dispatcher1', '/api/tickets', { ...base, subject: '', channel: 'fax' });
    expect(two.status).toBe(400);
    expect(two.body.message).toContain('subject：不能为空');
    expect(two.body.message).toMatch(/channel：须为以下之一：/);
  });
});
