// R-19 (issue 17, item 6): phone and ID numbers typed into replies, contact summaries, comments
// and case files are masked before they are stored, like the subject and content at registration,
// so the office, the ledger and DingTalk never see them.
import { Client } from 'pg';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';

const CALLER_PHONE = '13812345678';
const OTHER_MOBILE = '13987654321';
const ID_NUMBER = '11010119900307123X';
const LANDLINE = '025-83123456';
const CLEAR = [CALLER_PHONE, OTHER_MOBILE, '139 8765 4321', ID_NUMBER, '110101199003071234', LANDLINE, '张三丰'];

async function everyRowAsText(url: string): Promise<string> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows: tables } = await c.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`,
    );
    const parts: string[] = [];
    for (const { tablename } of tables) {
      const { rows } = await c.query(`SELECT row_to_json(t)::text AS j FROM "${tablename}" t`);
      parts.push(...rows.map((r) => `${tablename}: ${r.j}`));
    }
    return parts.join('\n');
  } finally {
    await c.end();
  }
}

describe('caller data in free text (R-19)', () => {
  let t: TestApp;
  let api: ApiClient;
  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'freetext' });
    api = new ApiClient(t.app);
  });
  afterAll(() => t.close());

  it('R-19: phone and ID numbers in replies, contact summaries, comments and case files are masked before anyone sees them', async () => {
    const c = await api.createTicket('dispatcher1', { subject: '12路未停靠', content: '乘客反映12路未停靠。' });
    await api.ok('dispatcher1', c.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    await api.ok('b1_receiver', c.id, 'accept');
    await api.ok(
      'b1_receiver',
      c.id,
      'submit_reply',
      replyBody(t.clock.now(), {
        content: `已联系张三丰（${CALLER_PHONE}，身份证 ${ID_NUMBER}），同车乘客电话 139 8765 4321、座机 ${LANDLINE}，驾驶员已批评教育。`,
        callerContact: {
          contacted: true,
          method: 'phone',
          at: t.clock.now().toISOString(),
          summary: `拨打 ${CALLER_PHONE} 告知处理结果，身份证号 110101199003071234 已核对。`,
        },
      }),
    );
    await api.ok('b1_leader', c.id, 'approve_reply', { comment: `同意，乘客另留 ${OTHER_MOBILE}` });
    await api.ok('dispatcher1', c.id, 'pass_review', { comment: `核对来电 ${CALLER_PHONE}` });
    await api.ok('ops_head', c.id, 'pass_review');
    await api.ok('ops_head', c.id, 'mark_responsible', {
      atFault: true,
      basis: `车载视频；来电人 ${CALLER_PHONE}`,
      responsibleUnit: 'branch1',
      caseFile: {
        cause: `驾驶员未进站（来电人身份证 ${ID_NUMBER}）`,
        partyKind: 'driver',
        party: '王师傅',
        measures: `批评教育，回访电话 ${LANDLINE}`,
        lesson: '进站必停',
      },
    });

    const view = (await api.get('dispatcher1', `/api/tickets/${c.id}`)).body;
    const reply = view.assignments[0].reply;
    expect(reply.content).toContain('138****5678');
    expect(reply.content).toContain('139****4321');
    expect(reply.content).toContain('110**************X');
    expect(reply.content).toContain('025****56');
    expect(reply.content).toContain('张**');
    expect(reply.callerContact.summary).toContain('138****5678');
    // The office's, the ledger's and DingTalk's views are all built from what is stored: none of
    // the numbers is stored anywhere in clear (outbox payloads, timeline comments, case files).
    const dump = await everyRowAsText(t.databaseUrl);
    expect(dump).toContain(c.number);
    for (const clear of CLEAR) expect([clear, dump.includes(clear)]).toEqual([clear, false]);
  });

  it('R-19: ordinary numbers (ticket numbers, dates, times, fares, routes, vehicle numbers) are left alone', async () => {
    const c = await api.createTicket('dispatcher1', {
      category: 'consultation',
      subject: '票价咨询',
      content: '咨询票价。',
    });
    const text = `工单 ${c.number}：2026-11-30 08:30 起，12路、K301路票价 2 元，车号 10086，客服 96196。`;
    await api.ok('dispatcher1', c.id, 'answer_directly', { answer: text });
    expect(await everyRowAsText(t.databaseUrl)).toContain(text);
  });
});
