// Issue 15.10 (Art. 4, Art. 8 second chain, X-3) over HTTP against real PostgreSQL: the office
// edits the consolidated answer of all units at its wording review, report_upstream reports that
// text, it is stored, and the upstream read-back returns it, also while the matter is followed up.
import { Client } from 'pg';
import { parseShanghai } from '@hotline/calendar';
import { intakeSignature } from '@hotline/tickets';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';

const LEAD_REPLY = '经核查，35路驾驶员在汽车南站未停车属实，已批评教育并扣绩效。';
const CO_REPLY = '站台设施完好，已在汽车南站增派站务员引导停靠。';

describe('issue 15.10: one consolidated answer upstream', () => {
  let t: TestApp;
  let api: ApiClient;
  let db: Client;
  let keyId: string;
  let secret: string;

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'upanswer', start: parseShanghai('2026-12-01 09:00') });
    api = new ApiClient(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    const r = await api.post('admin', '/api/admin/intake-clients', {
      code: 'hotline12345',
      name: '12345政务服务热线',
      source: 'mayor_hotline',
      initiator: 'dispatcher1',
    });
    ({ keyId, secret } = r.body);
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  function signed(body: string, path?: string) {
    t.clock.advance(1000);
    const ts = String(Math.floor(t.clock.now().getTime() / 1000));
    return {
      'x-intake-key-id': keyId,
      'x-intake-timestamp': ts,
      'x-intake-signature': intakeSignature(secret, ts, path ?? body),
    };
  }

  async function submit(ref: string, category = 'complaint'): Promise<string> {
    const body = JSON.stringify({
      ref,
      category,
      subject: '12345转办：35路车辆甩站',
      content: '市民反映35路在汽车南站未停车。',
      caller: { name: '孙八', phone: '13600000008' },
      upstreamDeadline: '2026-12-24T09:00:00Z',
      route: '35',
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/intake',
      payload: body,
      headers: { ...signed(body), 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(201);
    const number = res.json().ticket.number as string;
    return (await api.get('dispatcher1', `/api/tickets?q=${number}`)).body.items[0].id as string;
  }

  async function readBack(ref: string) {
    const path = `/api/intake/mayor_hotline/${ref}`;
    const res = await t.app.inject({ method: 'GET', url: path, headers: signed('', path) });
    return { status: res.statusCode, body: res.json() };
  }

  /** Lead branch1 with co branch2, both replied and approved, then the initiator and the ops head pass. */
  async function toOfficeReview(id: string) {
    await api.ok('dispatcher1', id, 'dispatch', {
      assignments: [
        { unit: 'branch1', role: 'lead' },
        { unit: 'branch2', role: 'co' },
      ],
    });
    await api.ok('b2_receiver', id, 'accept');
    await api.ok('b2_receiver', id, 'submit_reply', replyBody(t.clock.now(), { content: CO_REPLY }));
    await api.ok('b2_leader', id, 'approve_reply');
    await api.ok('b1_receiver', id, 'accept');
    await api.ok('b1_receiver', id, 'submit_reply', replyBody(t.clock.now(), { content: LEAD_REPLY }));
    await api.ok('b1_leader', id, 'approve_reply');
    await api.ok('dispatcher1', id, 'pass_review');
    // Issue 15.10 (Art. 4): only the office edits the text, at its own step.
    const early = await api.act('ops_head', id, 'pass_review', { upstreamAnswer: '运营服务部改写' });
    expect(early).toMatchObject({ status: 400, body: { field: 'upstreamAnswer' } });
    return api.ok('ops_head', id, 'pass_review');
  }

  it('issue 15.10 (Art. 4, X-3): the office edits the composed answer of lead and co unit; report_upstream reports that text, read back under follow-up', async () => {
    const id = await submit('GD-1510-A');
    const atOffice = await toOfficeReview(id);
    const composed = `【第一分公司（主办）】\n${LEAD_REPLY}\n\n【第二分公司（会办）】\n${CO_REPLY}`;
    expect(atOffice).toMatchObject({
      step: 'office_review',
      upstreamAnswer: { composed, edited: null, answer: composed, reported: null },
    });
    // Under review the upstream system gets nothing yet.
    expect((await readBack('GD-1510-A')).body.result).toBeNull();
    expect((await api.act('office_reviewer', id, 'pass_review', { upstreamAnswer: '   ' })).status).toBe(400);
    const edited = '经核查，35路驾驶员在汽车南站未停车属实，已批评教育；汽车南站已增派站务员引导停靠。';
    const passed = await api.ok('office_reviewer', id, 'pass_review', { upstreamAnswer: edited });
    expect(passed).toMatchObject({
      step: 'upstream_report',
      upstreamAnswer: { composed, edited, editedBy: 'office_reviewer', answer: edited, reported: null },
    });
    const reported = await api.ok('dispatcher2', id, 'report_upstream', { followUp: true });
    expect(reported).toMatchObject({
      status: 'follow_up',
      upstreamAnswer: { reported: { answer: edited, edited: true, by: 'dispatcher2' } },
    });
    const { rows } = await db.query(
      `SELECT edited_answer, edited_by, reported_answer, reported_edited, reported_by FROM upstream_answers WHERE ticket_id = $1`,
      [id],
    );
    expect(rows).toEqual([
      {
        edited_answer: edited,
        edited_by: 'office_reviewer',
        reported_answer: edited,
        reported_edited: true,
        reported_by: 'dispatcher2',
      },
    ]);
    // R-14(3): under follow-up the upstream system already reads the answer.
    const back = await readBack('GD-1510-A');
    expect(back.body).toMatchObject({
      ticket: { status: 'follow_up' },
      result: {
        answer: edited,
        answeredAt: expect.any(String),
        followUp: true,
        units: [
          { name: '第一分公司', role: 'lead' },
          { name: '第二分公司', role: 'co' },
        ],
      },
    });
    await api.ok('dispatcher1', id, 'finish_follow_up', {});
    expect((await readBack('GD-1510-A')).body).toMatchObject({
      ticket: { status: 'closed' },
      result: { answer: edited, followUp: false },
    });
  });

  it('issue 15.10: left as composed, the composition of all units is reported; a send-back withdraws the office’s text', async () => {
    const id = await submit('GD-1510-B');
    await toOfficeReview(id);
    await api.ok('office_reviewer', id, 'pass_review', { upstreamAnswer: '办公室初稿' });
    const back = await api.ok('dispatcher1', id, 'send_back', { comment: '请会办单位补充站务员到岗时间' });
    expect(back.status).toBe('in_progress');
    const { rows } = await db.query(`SELECT edited_answer FROM upstream_answers WHERE ticket_id = $1`, [id]);
    expect(rows).toEqual([{ edited_answer: null }]);
    // The lead was sent back; it replies again and the review starts over.
    await api.ok('b1_receiver', id, 'submit_reply', replyBody(t.clock.now(), { content: LEAD_REPLY }));
    await api.ok('b1_leader', id, 'approve_reply');
    await api.ok('dispatcher1', id, 'pass_review');
    await api.ok('ops_head', id, 'pass_review');
    const atOffice = (await api.get('office_reviewer', `/api/tickets/${id}`)).body;
    expect(atOffice.upstreamAnswer).toMatchObject({ edited: null });
    await api.ok('office_reviewer', id, 'pass_review', {});
    const closed = await api.ok('dispatcher1', id, 'report_upstream', {});
    const composed = `【第一分公司（主办）】\n${LEAD_REPLY}\n\n【第二分公司（会办）】\n${CO_REPLY}`;
    expect(closed).toMatchObject({
      status: 'closed',
      upstreamAnswer: { reported: { answer: composed, edited: false } },
    });
    expect((await readBack('GD-1510-B')).body.result).toMatchObject({ answer: composed, followUp: false });
  });
});
