// The rest of X-10's figures and the complete ledger (issue 15 items 11 and 13) through the HTTP API
// against real PostgreSQL with a set clock, on a constructed fortnight whose answers are worked out
// by hand: repeat calls, same-day dispatch, on-time and first-time closing, a revoked late
// ticket that keeps counting, a direct answer, a lead + co ticket and a merged ticket.
import { parseShanghai } from '@hotline/calendar';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';
import { LEDGER_SHEETS, readXlsx } from './support/xlsx';

const at = (text: string) => parseShanghai(text);
const HOUR = 3_600_000;
const PERIOD = `from=${at('2026-12-01 00:00').toISOString()}&to=${at('2027-01-01 00:00').toISOString()}`;

const RECEIVER: Record<string, string> = {
  branch1: 'b1_receiver',
  branch2: 'b2_receiver',
  safety: 'safety_receiver',
  fare: 'fare_receiver',
};
const LEADER: Record<string, string> = {
  branch1: 'b1_leader',
  branch2: 'b2_leader',
  safety: 'safety_leader',
  fare: 'fare_leader',
};

describe('X-10 figures and the complete ledger on a constructed fortnight', () => {
  let t: TestApp;
  let api: ApiClient;
  const ids: Record<string, string> = {};
  const numbers: Record<string, string> = {};
  const initiator: Record<string, string> = {};

  beforeAll(async () => {
    // A 5-day repeat window, so that a call 6 days after the last one is not a repeat.
    t = await createTestApp({ dbSuffix: 'figures', start: at('2026-12-07 09:00'), env: { REPEAT_WINDOW_DAYS: '5' } });
    api = new ApiClient(t.app);
  });
  afterAll(async () => {
    await t.close();
  });

  const setClock = (text: string) => t.clock.set(at(text));

  /** Registers (as `by`) with its own caller phone; `unit` dispatches at once with a deadline `hours` ahead. */
  async function register(
    key: string,
    by: string,
    phone: string,
    overrides: Record<string, unknown>,
    dispatch?: { units: Array<{ unit: string; role: string }>; hours: number },
  ) {
    const ticket = await api.createTicket(by, {
      subject: `${key} 测试工单`,
      caller: { name: '王五', phone, address: '人民路1号' },
      ...overrides,
    });
    ids[key] = ticket.id;
    numbers[key] = ticket.number;
    initiator[key] = by;
    if (dispatch) await dispatchNow(key, dispatch.units, dispatch.hours);
  }

  async function dispatchNow(key: string, units: Array<{ unit: string; role: string }>, hours: number) {
    await api.ok('dispatcher1', ids[key], 'dispatch', {
      assignments: units,
      replyDeadline: new Date(t.clock.now().getTime() + hours * HOUR).toISOString(),
    });
  }

  async function reply(key: string, unit: string) {
    await api.ok(RECEIVER[unit], ids[key], 'accept').catch(() => undefined);
    await api.ok(RECEIVER[unit], ids[key], 'submit_reply', replyBody(t.clock.now()));
    return api.ok(LEADER[unit], ids[key], 'approve_reply', {});
  }

  async function close(key: string) {
    await api.ok(initiator[key], ids[key], 'pass_review', {}); // the initiator's review step
    return api.ok('ops_head', ids[key], 'pass_review', {});
  }

  it('builds the fortnight: repeat calls, late dispatches, a revoked late ticket, rework, a direct answer, a merge', async () => {
    const sole = (unit: string) => [{ unit, role: 'sole' }];
    // November: O1 at branch2; O2, the same caller and matter three days later, is registered but
    // only dispatched in December, so it counts there, received long before the period.
    setClock('2026-11-20 09:00');
    await register(
      'O1',
      'dispatcher1',
      '13900000002',
      { category: 'complaint', route: '30' },
      { units: sole('branch2'), hours: 4 },
    );
    setClock('2026-11-23 09:00');
    await register('O2', 'dispatcher1', '13900000002', { category: 'complaint', route: '30路' });

    // Monday 2026-12-07, 09:00-09:06.
    setClock('2026-12-07 09:00');
    await dispatchNow('O2', sole('branch2'), 170); // due 12-14 11:00, after the figures are read
    await register(
      'R1',
      'dispatcher1',
      '13900000001',
      { category: 'complaint', route: '5' },
      { units: sole('branch2'), hours: 4 },
    );
    setClock('2026-12-07 09:01');
    await register(
      'V1',
      'dispatcher1',
      '13900000011',
      { category: 'help', route: '7' },
      { units: sole('fare'), hours: 2 },
    );
    setClock('2026-12-07 09:02');
    await register(
      'V2',
      'dispatcher1',
      '13900000012',
      { category: 'help', route: '8' },
      { units: sole('fare'), hours: 8 },
    );
    setClock('2026-12-07 09:03');
    await register('M1', 'dispatcher2', '13900000013', { category: 'complaint', route: '9' });
    await dispatchNow(
      'M1',
      [
        { unit: 'branch1', role: 'lead' },
        { unit: 'safety', role: 'co' },
      ],
      6,
    );
    setClock('2026-12-07 09:04');
    await register('D1', 'dispatcher1', '13900000014', { category: 'suggestion', route: '10' });
    setClock('2026-12-07 09:05');
    await register('D5', 'dispatcher1', '13900000015', { category: 'consultation', route: '11' });
    const answered = await api.ok('dispatcher1', ids.D5, 'answer_directly', { answer: '12路首班车6:00发车。' });
    expect(answered.status).toBe('closed');
    setClock('2026-12-07 09:06');
    // The same caller as M1 about the same matter: merged into M1 (并单).
    await register('G1', 'dispatcher1', '13900000013', { category: 'complaint', route: '9' });
    await api.ok('dispatcher1', ids.G1, 'merge', { into: ids.M1 });

    setClock('2026-12-07 10:00');
    await reply('R1', 'branch2');
    await close('R1');
    await reply('M1', 'safety'); // the co unit first (R-6d)
    setClock('2026-12-07 11:00');
    await reply('M1', 'branch1');
    await api.ok('dispatcher2', ids.M1, 'send_back', { comment: '请补充整改措施' });
    setClock('2026-12-07 12:00');
    // V1 is an hour past its deadline without a reply; V2 is not yet due. Both revoked.
    await api.ok('dispatcher1', ids.V1, 'revoke', { reason: '派错单位' });
    await api.ok('dispatcher1', ids.V2, 'revoke', { reason: '派错单位' });
    setClock('2026-12-07 13:00');
    await reply('M1', 'branch1');
    await close('M1');
    setClock('2026-12-07 16:00');
    await dispatchNow('D1', sole('branch1'), 24); // registered 09:04, dispatched before 17:30: on time
    setClock('2026-12-07 17:00');
    await register('D2', 'dispatcher1', '13900000016', { category: 'suggestion', route: '12' }); // due today 17:30
    setClock('2026-12-07 18:00');
    await register('D3', 'dispatcher2', '13900000017', { category: 'suggestion', route: '13' }); // after close: due Tuesday

    // Tuesday 2026-12-08.
    setClock('2026-12-08 09:00');
    await dispatchNow('D2', sole('branch1'), 24); // late: due Monday 17:30
    await dispatchNow('D3', sole('branch1'), 24); // on time
    await register(
      'R2',
      'dispatcher1',
      '13900000001',
      { category: 'complaint', route: '5路' },
      { units: sole('branch2'), hours: 4 },
    );
    setClock('2026-12-08 09:10');
    await register(
      'R3',
      'dispatcher1',
      '13900000001',
      { category: 'complaint', route: '6' },
      { units: sole('branch2'), hours: 4 },
    );
    setClock('2026-12-08 09:20');
    await register('D4', 'dispatcher1', '13900000018', { category: 'suggestion', route: '14' }); // never dispatched
    setClock('2026-12-08 10:00');
    for (const k of ['R2', 'R3']) {
      await reply(k, 'branch2');
      await close(k);
    }

    // Monday 2026-12-14: the same caller and matter as R2, but 6 days later (window: 5 days).
    setClock('2026-12-14 09:00');
    await register(
      'R4',
      'dispatcher1',
      '13900000001',
      { category: 'complaint', route: ' 5 ' },
      { units: sole('branch2'), hours: 4 },
    );
    setClock('2026-12-14 10:00');
    await reply('R4', 'branch2');
    await close('R4');
  });

  it('X-10, R-18: on-time close, first-time close and repeat rate per unit equal the hand count', async () => {
    const r = await api.get('ops_head', `/api/stats/units?${PERIOD}`);
    expect(r.status).toBe(200);
    const by = Object.fromEntries(r.body.units.map((u: any) => [u.unitCode, u]));
    // branch2: R1-R4 closed an hour after dispatch, none reworked; R2 repeats R1 (same caller,
    // complaint, route 5 = 5路, a day later); R3 is another route; R4 came 6 days after R2. O2
    // (received in November, dispatched in December, still open within its deadline) repeats O1.
    expect(by.branch2).toMatchObject({
      dispatched: 5,
      handled: 5,
      closed: 4,
      closedOnTime: 4,
      closeDue: 4,
      onTimeCloseRate: 1,
      firstTimeClosed: 4,
      firstTimeCloseRate: 1,
      repeatCalls: 2,
      repeatRate: 0.4,
      overdue: 0,
    });
    // branch1: M1 (lead) replied 11:00, sent back, closed 13:00 within its 15:00 deadline: on time,
    // not first time. D1-D3 open past their deadlines: certainly late, overdue.
    expect(by.branch1).toMatchObject({
      dispatched: 4,
      handled: 4,
      closed: 1,
      closedOnTime: 1,
      closeDue: 4,
      onTimeCloseRate: 0.25,
      firstTimeClosed: 0,
      firstTimeCloseRate: 0,
      repeatCalls: 0,
      repeatRate: 0,
      rework: 1,
      overdue: 3,
    });
    // safety: M1's co unit, approved at 10:00 and never sent back.
    expect(by.safety).toMatchObject({
      dispatched: 1,
      closed: 1,
      closedOnTime: 1,
      closeDue: 1,
      onTimeCloseRate: 1,
      firstTimeClosed: 1,
      firstTimeCloseRate: 1,
    });
  });

  it('R-18, issue 15: a ticket revoked after its assignment was overdue keeps counting; one revoked in time does not', async () => {
    const r = await api.get('ops_head', `/api/stats/units?${PERIOD}`);
    const fare = r.body.units.find((u: any) => u.unitCode === 'fare');
    // V1 (overdue at the 12:00 revoke) counts; V2 (deadline 17:02, revoked at 12:00) is left out.
    expect(fare).toMatchObject({
      dispatched: 1,
      handled: 1,
      due: 1,
      repliedOnTime: 0,
      overdue: 1,
      overdueRate: 1,
      closed: 0,
      closeDue: 1,
      onTimeCloseRate: 0,
      firstTimeCloseRate: null,
    });
    const ledger = await api.get('dispatcher1', `/api/ledger?status=revoked`);
    const rows = Object.fromEntries(ledger.body.items.map((x: any) => [x.id, x]));
    expect(rows[ids.V1].overdue).toBe(true);
    expect(rows[ids.V2].overdue).toBe(false);
  });

  it('R-17: same-day dispatch per initiator and office-wide equals the hand count', async () => {
    const r = await api.get('ops_head', `/api/stats/dispatch?${PERIOD}`);
    expect(r.status).toBe(200);
    // Due: every ticket dispatched or waiting (not D5, answered directly; not G1, merged).
    // Late: D2 (dispatched the next morning), D4 (still waiting past Tuesday 17:30).
    expect(r.body.total).toEqual({
      userid: null,
      name: null,
      due: 11,
      onTime: 9,
      late: 2,
      waiting: 1,
      lateRate: 2 / 11,
    });
    expect(r.body.dispatchers).toEqual([
      { userid: 'dispatcher1', name: '王敏', due: 9, onTime: 7, late: 2, waiting: 1, lateRate: 2 / 9 },
      { userid: 'dispatcher2', name: '李娜', due: 2, onTime: 2, late: 0, waiting: 0, lateRate: 0 },
    ]);
    expect((await api.get('b1_receiver', `/api/stats/dispatch?${PERIOD}`)).status).toBe(403);
  });

  it('R-15: the ledger shows the direct answer with handler and time, every unit’s reply, and the ticket a merged one joined', async () => {
    const page = await api.get('dispatcher1', '/api/ledger?limit=50');
    const rows = Object.fromEntries(page.body.items.map((x: any) => [x.id, x]));
    expect(rows[ids.D5]).toMatchObject({
      directAnswer: true,
      reply: '12路首班车6:00发车。',
      handler: '王敏',
      handlerUnit: '运营服务部',
      handledAt: at('2026-12-07 09:05').toISOString(),
      callerAnswer: '直接答复来电人',
      unitReplies: [],
      mergedInto: null,
    });
    expect(rows[ids.M1]).toMatchObject({ directAnswer: false, handlerUnit: '第一分公司', handler: '赵强' });
    expect(rows[ids.M1].unitReplies).toEqual([
      {
        unit: '第一分公司',
        role: '主办',
        handler: '赵强',
        handledAt: at('2026-12-07 13:00').toISOString(),
        content: expect.stringContaining('经核查'),
        callerAnswer: '电话：已电话告知来电人处理结果，来电人表示认可。',
      },
      {
        unit: '安全技术科',
        role: '会办',
        handler: '赵强',
        handledAt: at('2026-12-07 10:00').toISOString(),
        content: expect.stringContaining('经核查'),
        callerAnswer: '电话：已电话告知来电人处理结果，来电人表示认可。',
      },
    ]);
    expect(rows[ids.G1].mergedInto).toEqual({ id: ids.M1, number: numbers.M1 });
    expect(rows[ids.R1].mergedInto).toBeNull();
  });

  it('R-15, R-17, X-10: the export carries the complete ledger and the new figures on the 单位考核 sheet', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/ledger/export?${PERIOD}`,
      headers: { authorization: `Bearer ${await api.token('ops_head')}` },
    });
    expect(res.statusCode).toBe(200);
    const sheets = await readXlsx(res.rawPayload, LEDGER_SHEETS);
    const ledger = sheets.get('台账')!;
    const header = ledger[0] as string[];
    const row = (key: string) => ledger.find((r) => r[0] === numbers[key])!;
    const col = (name: string) => header.indexOf(name);
    expect(row('D5')[col('办理方式')]).toBe('直接答复');
    expect(row('D5')[col('经办人')]).toBe('王敏');
    expect(row('D5')[col('办理结果')]).toBe('12路首班车6:00发车。');
    expect(row('G1')[col('并入工单')]).toBe(numbers.M1);
    const replies = String(row('M1')[col('各单位回复')]).split('\n');
    expect(replies).toHaveLength(2);
    expect(replies[0]).toMatch(/^第一分公司（主办）赵强 2026-12-07 13:00/);
    expect(replies[1]).toMatch(/^安全技术科（会办）赵强 2026-12-07 10:00/);

    const units = sheets.get('单位考核')!;
    const uh = units[0] as string[];
    const b2 = units.find((r) => r[1] === '第二分公司')!;
    expect(b2[uh.indexOf('按时办结率')]).toBe('100.0%');
    expect(b2[uh.indexOf('一次办结率')]).toBe('100.0%');
    expect(b2[uh.indexOf('重复来电')]).toBe(2);
    expect(b2[uh.indexOf('重复来电率')]).toBe('40.0%');
    const b1 = units.find((r) => r[1] === '第一分公司')!;
    expect(b1[uh.indexOf('按时办结率')]).toBe('25.0%');
    expect(b1[uh.indexOf('一次办结率')]).toBe('0.0%');
    // R-17 below the units: per initiator, then the office.
    const start = units.findIndex((r) => r[0] === '派单及时（R-17）');
    expect(start).toBeGreaterThan(0);
    expect(units.slice(start + 1).map((r) => r.slice(1))).toEqual([
      ['王敏', 9, 7, 2, 1, '22.2%'],
      ['李娜', 2, 2, 0, 0, '0.0%'],
      ['全部', 11, 9, 2, 1, '18.2%'],
    ]);
  });
});
