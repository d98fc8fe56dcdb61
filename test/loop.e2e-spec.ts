// Closing the loop (issue 7) through the HTTP API against real PostgreSQL with a set clock:
// follow-up calls and their queue, at-fault decisions and case files, untrue replies corrected, the
// ledger, and the unit figures on a constructed data set whose answers are worked out by hand.
import { Client } from 'pg';
import { parseShanghai } from '@hotline/calendar';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';

const at = (text: string) => parseShanghai(text);
const HOUR = 3_600_000;

describe('closing the loop: follow-up calls, ledger, assessment, case files', () => {
  let t: TestApp;
  let api: ApiClient;
  let db: Client;
  const now = () => t.clock.now();
  const later = (h: number) => t.clock.set(new Date(now().getTime() + h * HOUR));
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'loop', start: at('2026-11-30 09:00') });
    api = new ApiClient(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  /** Registers and dispatches to one unit with a reply deadline `hours` from now. */
  async function dispatched(unit: string, hours: number, overrides: Record<string, unknown> = {}) {
    const ticket = await api.createTicket('dispatcher1', overrides);
    await api.ok('dispatcher1', ticket.id, 'dispatch', {
      assignments: [{ unit, role: 'sole' }],
      replyDeadline: new Date(now().getTime() + hours * HOUR).toISOString(),
    });
    return ticket.id as string;
  }

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

  async function replyAndClose(id: string, unit: string) {
    await api.ok(RECEIVER[unit], id, 'submit_reply', replyBody(now()));
    await api.ok(LEADER[unit], id, 'approve_reply', {});
    await api.ok('dispatcher1', id, 'pass_review', {});
    return api.ok('ops_head', id, 'pass_review', {});
  }

  it('X-5: T1 closes, enters the call queue the next working day, the call is recorded apart', async () => {
    ids.t1 = await dispatched('branch1', 4, { subject: '1路司机态度恶劣', route: '1', stop: '火车站' });
    await api.ok('b1_receiver', ids.t1, 'accept');
    later(1);
    const closed = await replyAndClose(ids.t1, 'branch1');
    expect(closed.status).toBe('closed');
    // Issue 15.7 (Art. 10): the ops department may also find the reply untrue (it re-opens).
    expect(closed.actions).toEqual(['record_visit', 'mark_responsible', 'flag_untrue_reply']);
    // Closed Monday: due Tuesday 08:30, so not in today's queue, but in the full one.
    const today = await api.get('dispatcher2', '/api/follow-ups');
    expect(today.body.items.map((i: any) => i.id)).not.toContain(ids.t1);
    const all = await api.get('dispatcher2', '/api/follow-ups?all=true');
    expect(all.body.items.find((i: any) => i.id === ids.t1)).toMatchObject({
      visitDueAt: at('2026-12-01 08:30').toISOString(),
      round: 1,
      noAnswer: 0,
      units: [{ code: 'branch1', role: 'sole' }],
    });
    expect((await api.get('b1_receiver', '/api/follow-ups')).status).toBe(403);
    t.clock.set(at('2026-12-01 09:00'));
    const due = await api.get('ops_head', '/api/follow-ups');
    expect(due.body.items.map((i: any) => i.id)).toContain(ids.t1);
    const v = await api.ok('dispatcher2', ids.t1, 'record_visit', {
      outcome: 'reached',
      solved: true,
      satisfaction: 'satisfied',
      comment: '来电人表示满意',
    });
    expect(v.status).toBe('closed');
    expect(v.actions).toEqual(['mark_responsible', 'flag_untrue_reply']);
    const after = await api.get('ops_head', '/api/follow-ups?all=true');
    expect(after.body.items.map((i: any) => i.id)).not.toContain(ids.t1);
    // Answers only with what goes with the outcome (400 names the field).
    const bad = await api.act('dispatcher2', ids.t1, 'record_visit', { outcome: 'reached' });
    expect(bad.status).toBe(409); // the round has ended
  });

  it('X-5: T2 replied late; an unsatisfied call through branch1 re-opens the same ticket as rework (重办)', async () => {
    ids.t2 = await dispatched('branch1', 2, { subject: '2路车辆未进站', route: '2', stop: '火车站' });
    await api.ok('b1_receiver', ids.t2, 'accept');
    later(3); // past the 2-hour deadline: overdue
    await replyAndClose(ids.t2, 'branch1');
    const missing = await api.act('dispatcher1', ids.t2, 'record_visit', {
      outcome: 'reached',
      satisfaction: 'unsatisfied',
    });
    expect(missing).toMatchObject({ status: 400, body: { field: 'solved' } });
    const reopened = await api.ok('dispatcher1', ids.t2, 'record_visit', {
      outcome: 'reached',
      solved: false,
      satisfaction: 'unsatisfied',
      unitAtFault: 'branch1',
      comment: '车辆仍不进站',
    });
    expect(reopened).toMatchObject({ status: 'in_progress', closedAt: null });
    const a = reopened.assignments[0];
    expect(a).toMatchObject({ status: 'accepted', reworkCount: 1, deadlineBasis: { source: 'visit_rework' } });
    expect(new Date(a.replyDeadline).getTime()).toBeGreaterThan(now().getTime());
    later(1);
    const again = await replyAndClose(ids.t2, 'branch1');
    expect(again.status).toBe('closed');
    t.clock.set(at('2026-12-02 10:00'));
    const second = await api.ok('dispatcher1', ids.t2, 'record_visit', {
      outcome: 'reached',
      solved: true,
      satisfaction: 'basically_satisfied',
    });
    expect(second.status).toBe('closed');
    const { rows } = await db.query(
      `SELECT round, outcome, solved, satisfaction, unit_at_fault FROM visits WHERE ticket_id = $1 ORDER BY id`,
      [ids.t2],
    );
    expect(rows).toEqual([
      { round: 1, outcome: 'reached', solved: false, satisfaction: 'unsatisfied', unit_at_fault: 'branch1' },
      { round: 2, outcome: 'reached', solved: true, satisfaction: 'basically_satisfied', unit_at_fault: null },
    ]);
  });

  it('X-4, X-5: T3 replied after its first deadline within an approved extension; three calls unanswered → unreachable', async () => {
    t.clock.set(at('2026-12-03 09:00'));
    ids.t3 = await dispatched('branch2', 2, { subject: '3路发车间隔过长', route: '3' });
    await api.ok('b2_receiver', ids.t3, 'accept');
    await api.ok('b2_receiver', ids.t3, 'request_extension', { days: 1, reason: '需调取调度记录' });
    await api.ok('dispatcher1', ids.t3, 'approve_extension', {});
    later(4); // past the first deadline (11:00), before the extended one
    await replyAndClose(ids.t3, 'branch2');
    t.clock.set(at('2026-12-04 09:00'));
    for (const n of [1, 2, 3]) {
      const r = await api.ok('dispatcher2', ids.t3, 'record_visit', { outcome: 'no_answer' });
      expect(r.actions.includes('record_visit')).toBe(n < 3);
    }
  });

  it('R-11, R-12: T4 returned by branch2 and handled by safety; T5 at fare overdue without a reply', async () => {
    t.clock.set(at('2026-12-07 09:00'));
    ids.t4 = await dispatched('branch2', 8, { subject: '站台广告牌松动', category: 'help', stop: '人民广场' });
    await api.ok('b2_receiver', ids.t4, 'request_return', { reason: '属安全科职责', basis: '职责分工表' });
    await api.ok('dispatcher1', ids.t4, 'approve_return', {});
    await api.ok('dispatcher1', ids.t4, 'dispatch', {
      assignments: [{ unit: 'safety', role: 'sole' }],
      replyDeadline: new Date(now().getTime() + 6 * HOUR).toISOString(),
    });
    await api.ok('safety_receiver', ids.t4, 'accept');
    later(1);
    await replyAndClose(ids.t4, 'safety');

    ids.t5 = await dispatched('fare', 2, { subject: '刷卡多扣费', category: 'complaint' });
    await api.ok('fare_receiver', ids.t5, 'accept');
    await api.ok('fare_receiver', ids.t5, 'request_extension', { days: 1, reason: '需对账' });
    await api.ok('ops_head', ids.t5, 'reject_extension', { comment: '可以按期办结' });
    later(5); // past the deadline, still no reply
  });

  it('R-16, X-8: at-fault and not-at-fault decisions; the at-fault one forms a searchable case file', async () => {
    const caseFile = {
      cause: '驾驶员与乘客争执，言语不当',
      partyKind: 'driver',
      party: '1路驾驶员 1024 号',
      measures: '批评教育，停岗培训三天',
      lesson: '遇到争执先稳定情绪，文明用语',
    };
    // Issue 15.12: the case file is the unit's to write, but one given here must be complete.
    const partial = await api.act('ops_head', ids.t1, 'mark_responsible', {
      atFault: true,
      basis: '车载视频',
      responsibleUnit: 'branch1',
      caseFile: { ...caseFile, lesson: ' ' },
    });
    expect(partial).toMatchObject({ status: 400, body: { field: 'caseFile.lesson' } });
    const marked = await api.ok('ops_head', ids.t1, 'mark_responsible', {
      atFault: true,
      basis: '车载视频显示驾驶员言语不当',
      responsibleUnit: 'branch1',
      caseFile,
    });
    expect(marked.status).toBe('closed');
    await api.ok('dispatcher1', ids.t2, 'mark_responsible', { atFault: false, basis: '线路改道临时停靠点变更' });
    const found = await api.get('b1_leader', `/api/case-files?q=${encodeURIComponent('文明用语')}`);
    expect(found.body.items).toHaveLength(1);
    expect(found.body.items[0]).toMatchObject({ ticketId: ids.t1, unit: { code: 'branch1' }, ...caseFile, route: '1' });
    expect((await api.get('b2_leader', '/api/case-files')).body.items).toEqual([]);
    expect((await api.get('dispatcher1', '/api/case-files?partyKind=vehicle')).body.items).toEqual([]);
  });

  it('issue 15.7 (Art. 10, R-10): a reply found untrue after closing re-opens T1 to branch1, which corrects it through its leader', async () => {
    const deadline = new Date(now().getTime() + 24 * HOUR).toISOString();
    const flag = { unit: 'branch1', reason: '经调查，回复中"已致歉"与事实不符', replyDeadline: deadline };
    expect((await api.act('b1_leader', ids.t1, 'flag_untrue_reply', flag)).status).toBe(403);
    const reopened = await api.ok('ops_head', ids.t1, 'flag_untrue_reply', flag);
    expect(reopened).toMatchObject({ status: 'in_progress', closedAt: null });
    expect(reopened.assignments[0]).toMatchObject({
      status: 'accepted',
      reworkCount: 0,
      replyDeadline: deadline,
      deadlineBasis: { source: 'untrue_reply' },
    });
    expect(reopened.timeline.at(-1)).toMatchObject({ action: 'flag_untrue_reply', unit: 'branch1' });
    later(1);
    expect((await replyAndClose(ids.t1, 'branch1')).status).toBe('closed');
    const { rows } = await db.query(
      `SELECT unit_code, note, previous_deadline IS NOT NULL AS kept FROM untrue_reply_flags WHERE ticket_id = $1`,
      [ids.t1],
    );
    expect(rows).toEqual([{ unit_code: 'branch1', note: flag.reason, kept: true }]);
  });

  it('R-18, X-10, R-17: every unit figure of the constructed month equals the hand count', async () => {
    const period = `from=${at('2026-11-30 00:00').toISOString()}&to=${at('2027-01-01 00:00').toISOString()}`;
    const r = await api.get('ops_head', `/api/stats/units?${period}`);
    expect(r.status).toBe(200);
    const by = Object.fromEntries(r.body.units.map((u: any) => [u.unitCode, u]));
    // branch1: T1 on time; T2 late (overdue), reworked once after an unsatisfied call; calls:
    // T1 reached solved satisfied, T2 reached unsolved unsatisfied, T2 again solved 基本满意.
    expect(by.branch1).toMatchObject({
      dispatched: 2,
      handled: 2,
      acceptedOnTime: 2,
      acceptOnTimeRate: 1,
      due: 2,
      repliedOnTime: 1,
      replyOnTimeRate: 0.5,
      overdue: 1,
      overdueRate: 0.5,
      returnRequests: 0,
      returnsApproved: 0,
      returnRate: 0,
      extensionRequests: 0,
      extensionsApproved: 0,
      rework: 1,
      reworkedAssignments: 1,
      reworkRate: 0.5,
      visitRework: 1,
      callsReached: 3,
      callsSolved: 2,
      callsSatisfied: 2,
      callsUnreachable: 0,
      responsibleComplaints: 1,
      untrueReplies: 1,
      rank: 3,
    });
    expect(by.branch1.solvedRate).toBeCloseTo(2 / 3, 10);
    expect(by.branch1.satisfiedRate).toBeCloseTo(2 / 3, 10);
    // branch2: T3 on time thanks to the approved extension, caller unreachable; T4 returned.
    expect(by.branch2).toMatchObject({
      dispatched: 2,
      handled: 1,
      acceptedOnTime: 1,
      acceptOnTimeRate: 1,
      due: 1,
      repliedOnTime: 1,
      replyOnTimeRate: 1,
      overdue: 0,
      returnRequests: 1,
      returnsApproved: 1,
      returnRate: 0.5,
      extensionRequests: 1,
      extensionsApproved: 1,
      rework: 0,
      reworkRate: 0,
      callsReached: 0,
      solvedRate: null,
      satisfiedRate: null,
      callsUnreachable: 1,
      responsibleComplaints: 0,
      untrueReplies: 0,
      rank: 1,
    });
    // safety: T4 after the return, on time, never called.
    expect(by.safety).toMatchObject({
      dispatched: 1,
      handled: 1,
      repliedOnTime: 1,
      replyOnTimeRate: 1,
      overdue: 0,
      callsReached: 0,
      rank: 1,
    });
    // fare: T5 accepted, extension refused, deadline passed without a reply.
    expect(by.fare).toMatchObject({
      dispatched: 1,
      handled: 1,
      acceptedOnTime: 1,
      due: 1,
      repliedOnTime: 0,
      replyOnTimeRate: 0,
      overdue: 1,
      overdueRate: 1,
      extensionRequests: 1,
      extensionsApproved: 0,
      rank: 4,
    });
    expect(r.body.units.map((u: any) => u.unitCode)).toEqual(['branch2', 'safety', 'branch1', 'fare']);
    // X-10 办结: T2's final reply came within the deadline its re-opening call gave (on time), but
    // it was reworked (not first time); T1's corrected reply (issue 15.7) came within its new
    // deadline, but a reply found untrue is not closed the first time either; T5 is past its
    // deadline without a reply (certainly late). Every ticket has the same caller, but no two share
    // category and route: no repeat calls.
    expect(by.branch1).toMatchObject({
      closed: 2,
      closedOnTime: 2,
      closeDue: 2,
      onTimeCloseRate: 1,
      firstTimeClosed: 0,
      firstTimeCloseRate: 0,
      repeatCalls: 0,
      repeatRate: 0,
    });
    expect(by.branch2).toMatchObject({ closed: 1, closedOnTime: 1, onTimeCloseRate: 1, firstTimeCloseRate: 1 });
    expect(by.safety).toMatchObject({ closed: 1, closedOnTime: 1, onTimeCloseRate: 1, firstTimeCloseRate: 1 });
    expect(by.fare).toMatchObject({
      closed: 0,
      closeDue: 1,
      onTimeCloseRate: 0,
      firstTimeCloseRate: null,
      repeatCalls: 0,
    });
    // every ticket was dispatched as soon as it was registered.
    const dispatch = await api.get('ops_head', `/api/stats/dispatch?${period}`);
    expect(dispatch.body.total).toMatchObject({ due: 5, onTime: 5, late: 0, waiting: 0, lateRate: 0 });
    // A month without dispatches has no figures; a receiver may not read them.
    const empty = await api.get('ops_head', `/api/stats/units?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z`);
    expect(empty.body.units).toEqual([]);
    expect((await api.get('b1_receiver', `/api/stats/units?${period}`)).status).toBe(403);
    expect(
      (await api.get('ops_head', `/api/stats/units?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z`)).status,
    ).toBe(400);
  });

  it('R-15: the ledger shows one row per ticket with the Article 15 facts, filtered and paginated', async () => {
    const all = await api.get('dispatcher1', '/api/ledger?limit=2');
    expect(all).toMatchObject({ status: 200 });
    expect(all.body.items).toHaveLength(2);
    expect(all.body.items[0].id).toBe(ids.t5); // newest first
    const next = await api.get('dispatcher1', `/api/ledger?limit=10&cursor=${all.body.nextCursor}`);
    expect(next.body.items.map((r: any) => r.id)).toEqual([ids.t3, ids.t2, ids.t1]);
    expect(next.body.nextCursor).toBeNull();
    const t2 = next.body.items[1];
    expect(t2).toMatchObject({
      number: expect.stringMatching(/^RX\d{8}-\d{4}$/),
      source: '集团客服热线',
      category: '投诉',
      units: '第一分公司（承办）',
      handlerUnit: '第一分公司',
      handler: '赵强',
      callerAnswer: '电话：已电话告知来电人处理结果，来电人表示认可。',
      status: 'closed',
      visitStatus: 'reached',
      visitSolved: true,
      visitSatisfaction: 'basically_satisfied',
      overdue: true,
      returns: 0,
      rework: 1,
      responsibility: 'not_at_fault',
    });
    expect(JSON.stringify(all.body)).not.toMatch(/13812345678|张三丰|人民路100号/);
    const t4 = await api.get('dispatcher1', `/api/ledger?q=${encodeURIComponent('广告牌')}`);
    expect(t4.body.items).toHaveLength(1);
    expect(t4.body.items[0]).toMatchObject({ returns: 1, units: '安全技术科（承办）', overdue: false });
    const red = await api.get('dispatcher1', '/api/ledger?light=red');
    expect(red.body.items.map((r: any) => r.id)).toEqual([ids.t5]);
    const route2 = await api.get('dispatcher1', '/api/ledger?route=2');
    expect(route2.body.items.map((r: any) => r.id)).toEqual([ids.t2]);
    const fare = await api.get('dispatcher1', '/api/ledger?unit=fare&status=in_progress');
    expect(fare.body.items.map((r: any) => r.id)).toEqual([ids.t5]);
    // Unit people see only their units' tickets (R-19).
    const b2 = await api.get('b2_leader', '/api/ledger');
    expect(b2.body.items.map((r: any) => r.id).sort()).toEqual([ids.t3, ids.t4].sort());
  });

  it('R-3, R-16: hot spots in a window, with the strong-public-concern flag past the threshold', async () => {
    const period = `from=${at('2026-11-30 00:00').toISOString()}&to=${at('2027-01-01 00:00').toISOString()}`;
    const r = await api.get('dispatcher1', `/api/stats/hotspots?${period}&threshold=2`);
    expect(r.body.threshold).toBe(2);
    // Stops: 人民广场 (T3, T4, T5 by default) 3, 火车站 (T1, T2) 2; routes: 12 (T4, T5) 2, the rest 1.
    expect(r.body.stops).toEqual([
      { key: '人民广场', count: 3, strongConcern: true },
      { key: '火车站', count: 2, strongConcern: true },
    ]);
    expect(r.body.routes).toEqual(
      expect.arrayContaining([
        { key: '1', count: 1, strongConcern: false },
        { key: '12', count: 2, strongConcern: true },
      ]),
    );
    expect(r.body.categories[0]).toEqual({ key: '投诉', count: 4, strongConcern: true });
    const overview = await api.get('ops_head', `/api/stats/overview?${period}`);
    expect(overview.body.byCategory.find((c: any) => c.key === 'help').count).toBe(1);
    expect(overview.body.lights).toEqual({ green: 0, yellow: 0, red: 1 });
  });
});
