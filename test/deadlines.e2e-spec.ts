// Deadlines that hold (issue 5), through the HTTP API and the deadline jobs against real
// PostgreSQL with a set clock: time-limit policies, the upstream margin, extensions, traffic
// lights, reminders (once, even with two workers racing), overdue escalation, the same-day
// dispatch alert, the return window, the daily digest and admin-entered holiday years.
import { Client } from 'pg';
import { parseShanghai, formatShanghai } from '@hotline/calendar';
import { DeadlineRepository } from '@hotline/db';
import { composeNotice, DeadlineJobsService, type NoticePayload } from '@hotline/tickets';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';
import { createTestDeadlineJobs } from './support/deadline-jobs';

const at = (text: string) => parseShanghai(text);
const fmt = (iso: string) => formatShanghai(new Date(iso));

describe('deadlines: policies, extensions, lights and the deadline jobs', () => {
  let t: TestApp;
  let api: ApiClient;
  let db: Client;
  let jobs: DeadlineJobsService;

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'deadlines', start: at('2026-11-30 09:00') });
    api = new ApiClient(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    jobs = t.app.get(DeadlineJobsService);
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  /** Registers and dispatches a ticket to one unit at the clock's current time. */
  async function dispatched(
    unit: string,
    overrides: Record<string, unknown> = {},
    dispatch: Record<string, unknown> = {},
  ) {
    const ticket = await api.createTicket('dispatcher1', overrides);
    const view = await api.ok('dispatcher1', ticket.id, 'dispatch', {
      assignments: [{ unit, role: 'sole' }],
      ...dispatch,
    });
    return view;
  }

  /** Notice rows of a kind that mention the ticket (alone or folded with others). */
  async function notices(ticketId: string, notice: string) {
    const { rows } = await db.query<{ id: string; payload: NoticePayload }>(
      `SELECT id, payload FROM outbox
        WHERE kind = 'notice' AND payload->>'notice' = $2
          AND (ticket_id = $1 OR payload->'items' @> $3::jsonb)
        ORDER BY id`,
      [ticketId, notice, JSON.stringify([{ ticket: { id: ticketId } }])],
    );
    return rows.map((r) => r.payload);
  }

  it('X-1, X-2: a dispatch stores its deadline with the policy and the calendar version used', async () => {
    t.clock.set(at('2026-11-30 09:00'));
    const view = await dispatched('branch1');
    const a = view.assignments[0];
    // Monday 09:00 + 5 working days (the day of receipt not counted) → next Monday 17:30.
    expect(fmt(a.replyDeadline)).toBe('2026-12-07 17:30');
    expect(fmt(a.acceptDeadline)).toBe('2026-12-01 17:30');
    expect(a.deadlineBasis).toMatchObject({ source: 'policy', limit: { amount: 5, unit: 'working_days' } });
    expect(a.calendarVersion).toMatch(/^cal1-[0-9a-f]{16}$/);
    expect(a.light).toBe('green');
    expect(view.light).toBe('green');
  });

  it('X-1: time limits are data the admin edits; the most specific row applies to the next dispatch', async () => {
    t.clock.set(at('2026-11-30 09:00'));
    const before = await api.get('admin', '/api/admin/time-limits');
    expect(before.status).toBe(200);
    expect(before.body).toHaveLength(4);
    expect(before.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ urgency: 'urgent', reply: { amount: 2, unit: 'working_hours' } }),
        expect.objectContaining({ sourceCode: 'npc_cppcc', reply: { amount: 3, unit: 'calendar_months' } }),
        expect.objectContaining({ categoryCode: 'consultation', reply: { amount: 3, unit: 'working_days' } }),
        expect.objectContaining({
          sourceCode: null,
          categoryCode: null,
          urgency: null,
          reply: { amount: 5, unit: 'working_days' },
        }),
      ]),
    );
    const strip = (p: any) => ({
      sourceCode: p.sourceCode,
      categoryCode: p.categoryCode,
      urgency: p.urgency,
      accept: p.accept,
      reply: p.reply,
      review: p.review,
      note: p.note,
    });
    const defaults = before.body.map(strip);

    expect((await api.call('dispatcher1', 'GET', '/api/admin/time-limits')).status).toBe(200);
    const forbidden = await api.call('dispatcher1', 'PUT', '/api/admin/time-limits', { policies: defaults });
    expect(forbidden.status).toBe(403);
    const noDefault = await api.call('admin', 'PUT', '/api/admin/time-limits', {
      policies: defaults.filter((p: any) => p.sourceCode || p.categoryCode || p.urgency),
    });
    expect(noDefault).toMatchObject({ status: 400, body: { field: 'policies' } });
    const tooLong = await api.call('admin', 'PUT', '/api/admin/time-limits', {
      policies: [...defaults, { sourceCode: 'group_hotline', reply: { amount: 7, unit: 'calendar_months' } }],
    });
    expect(tooLong.status).toBe(400);

    const put = await api.call('admin', 'PUT', '/api/admin/time-limits', {
      policies: [
        ...defaults,
        {
          sourceCode: 'group_hotline',
          categoryCode: 'complaint',
          reply: { amount: 2, unit: 'working_days' },
          note: '测试',
        },
      ],
    });
    expect(put.status).toBe(200);
    const view = await dispatched('branch1');
    expect(fmt(view.assignments[0].replyDeadline)).toBe('2026-12-02 17:30');
    expect(view.assignments[0].deadlineBasis.limit).toEqual({ amount: 2, unit: 'working_days' });

    expect((await api.call('admin', 'PUT', '/api/admin/time-limits', { policies: defaults })).status).toBe(200);
  });

  it('X-1: an urgent matter gets 2 working hours; a matter received Friday 17:45 counts from Monday', async () => {
    t.clock.set(at('2026-12-04 17:45'));
    const urgent = await dispatched('branch1', { urgency: 'urgent' });
    expect(fmt(urgent.assignments[0].replyDeadline)).toBe('2026-12-07 10:30');
    const ordinary = await dispatched('branch1');
    expect(fmt(ordinary.assignments[0].replyDeadline)).toBe('2026-12-14 17:30');
  });

  it('X-3, issue 15.5: with an upstream deadline the internal one leaves the four review days before it; the dispatcher may only go earlier', async () => {
    t.clock.set(at('2026-11-30 09:00'));
    const upstreamDeadline = at('2026-12-10 17:30').toISOString();
    const ticket = await api.createTicket('dispatcher1', {
      source: 'mayor_hotline',
      upstreamRef: '12345-20261130-0001',
      upstreamDeadline,
    });
    const later = await api.act('dispatcher1', ticket.id, 'dispatch', {
      assignments: [{ unit: 'branch1', role: 'sole' }],
      replyDeadline: at('2026-12-11 12:00').toISOString(),
    });
    expect(later).toMatchObject({ status: 400, body: { field: 'replyDeadline' } });
    const view = await api.ok('dispatcher1', ticket.id, 'dispatch', {
      assignments: [{ unit: 'branch1', role: 'sole' }],
    });
    const a = view.assignments[0];
    // Four working days (one per review step) before Thursday 12-10: Friday 12-04.
    expect(fmt(a.replyDeadline)).toBe('2026-12-04 17:30');
    expect(a.deadlineBasis).toMatchObject({
      source: 'upstream_margin',
      upstreamDeadline,
      marginWorkingDays: 4,
      policyDeadline: at('2026-12-07 17:30').toISOString(),
    });

    const other = await api.createTicket('dispatcher1');
    const pastPolicy = await api.act('dispatcher1', other.id, 'dispatch', {
      assignments: [{ unit: 'branch2', role: 'sole' }],
      replyDeadline: at('2026-12-08 17:30').toISOString(),
    });
    expect(pastPolicy).toMatchObject({ status: 400, body: { field: 'replyDeadline' } });
    const earlier = await api.ok('dispatcher1', other.id, 'dispatch', {
      assignments: [{ unit: 'branch2', role: 'sole' }],
      replyDeadline: at('2026-12-01 12:00').toISOString(),
    });
    expect(earlier.assignments[0]).toMatchObject({
      replyDeadline: at('2026-12-01 12:00').toISOString(),
      deadlineBasis: expect.objectContaining({ source: 'dispatcher' }),
    });
  });

  it('X-4: extensions: before the deadline, at most 3 working days each, at most 3 times, decided by the ops department', async () => {
    t.clock.set(at('2026-11-30 09:00'));
    const view = await dispatched('branch2');
    const id = view.id;
    await api.ok('b2_receiver', id, 'accept');

    expect(await api.act('b2_receiver', id, 'request_extension', { days: 4, reason: '需调取监控' })).toMatchObject({
      status: 400,
      body: { field: 'days' },
    });
    expect(await api.act('b2_receiver', id, 'request_extension', { days: 2 })).toMatchObject({ status: 400 });
    const asked = await api.ok('b2_receiver', id, 'request_extension', { days: 2, reason: '需调取车载监控' });
    expect(asked.assignments[0].extensionRequest).toMatchObject({ days: 2, requestedBy: 'b2_receiver' });
    expect(fmt(asked.assignments[0].extensionRequest.newDeadline)).toBe('2026-12-09 17:30');
    expect(fmt(asked.assignments[0].replyDeadline)).toBe('2026-12-07 17:30');
    expect((await api.act('b2_receiver', id, 'request_extension', { days: 1, reason: '再延' })).status).toBe(409);
    expect((await api.act('b2_leader', id, 'approve_extension', {})).status).toBe(403);
    expect(await notices(id, 'extension_requested')).toHaveLength(2);
    // X-4: the request waits in the ops department's inbox (the extension queue), not a unit's.
    const queue = await api.get('ops_head', '/api/inbox');
    expect(queue.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'approve_extension',
          unit: 'branch2',
          ticket: expect.objectContaining({ id }),
        }),
      ]),
    );
    expect((await api.get('b2_receiver', '/api/inbox')).body.some((i: any) => i.action === 'approve_extension')).toBe(
      false,
    );

    const approved = await api.ok('dispatcher2', id, 'approve_extension', { comment: '同意' });
    const a = approved.assignments[0];
    expect(fmt(a.replyDeadline)).toBe('2026-12-09 17:30');
    expect(a).toMatchObject({ extensionCount: 1, extensionRequest: null });
    expect(a.deadlineBasis).toMatchObject({
      source: 'extension',
      days: 2,
      previousDeadline: at('2026-12-07 17:30').toISOString(),
    });

    await api.ok('b2_receiver', id, 'request_extension', { days: 1, reason: '第二次' });
    expect(await api.act('ops_head', id, 'reject_extension', {})).toMatchObject({
      status: 400,
      body: { field: 'comment' },
    });
    const rejected = await api.ok('ops_head', id, 'reject_extension', { comment: '期限内能办结' });
    expect(rejected.assignments[0]).toMatchObject({ extensionCount: 1 });
    expect(fmt(rejected.assignments[0].replyDeadline)).toBe('2026-12-09 17:30');
    for (let i = 0; i < 2; i++) {
      await api.ok('b2_receiver', id, 'request_extension', { days: 1, reason: `第${i + 3}次` });
      await api.ok('ops_head', id, 'approve_extension', {});
    }
    const third = await api.get('b2_receiver', `/api/tickets/${id}`);
    expect(third.body.assignments[0].extensionCount).toBe(3);
    expect(fmt(third.body.assignments[0].replyDeadline)).toBe('2026-12-11 17:30');
    expect(third.body.actions).not.toContain('request_extension');
    const capped = await api.act('b2_receiver', id, 'request_extension', { days: 1, reason: '第五次' });
    expect(capped).toMatchObject({ status: 409, body: { message: expect.stringContaining('达到上限') } });
    expect(third.body.timeline.map((e: any) => e.action)).toEqual([
      'register',
      'dispatch',
      'accept',
      'request_extension',
      'approve_extension',
      'request_extension',
      'reject_extension',
      'request_extension',
      'approve_extension',
      'request_extension',
      'approve_extension',
    ]);
    const { rows } = await db.query(
      `SELECT decision, count(*)::int AS n FROM extension_requests WHERE ticket_id = $1 GROUP BY decision ORDER BY decision`,
      [id],
    );
    expect(rows).toEqual([
      { decision: 'approved', n: 3 },
      { decision: 'rejected', n: 1 },
    ]);

    // Only before the deadline.
    const late = await dispatched('branch2');
    t.clock.set(at('2026-12-07 17:31'));
    const refused = await api.act('b2_receiver', late.id, 'request_extension', { days: 1, reason: '来不及' });
    expect(refused).toMatchObject({ status: 409, body: { message: expect.stringContaining('最晚回复时间已过') } });
  });

  it('X-3, issue 15.5: no review step of a chain-B ticket ends after its upstream deadline', async () => {
    t.clock.set(at('2026-11-30 09:00'));
    const view = await dispatched('branch1', {
      source: 'mayor_hotline',
      upstreamRef: '12345-20261130-0003',
      upstreamDeadline: at('2026-12-03 17:30').toISOString(),
    });
    await api.ok('b1_receiver', view.id, 'accept');
    t.clock.set(at('2026-12-03 15:00'));
    await api.ok('b1_receiver', view.id, 'submit_reply', replyBody(t.clock.now()));
    t.clock.set(at('2026-12-03 16:00'));
    const inReview = await api.ok('b1_leader', view.id, 'approve_reply', {});
    expect(inReview).toMatchObject({ status: 'in_review', step: 'initiator_review' });
    // The review limit (1 working day) would end Friday 12-04 17:30: clamped to the upstream deadline.
    expect(fmt(inReview.stepDeadline)).toBe('2026-12-03 17:30');
    const { rows } = await db.query(`SELECT step_deadline_basis FROM tickets WHERE id = $1`, [view.id]);
    expect(rows[0]?.step_deadline_basis).toMatchObject({
      source: 'upstream_deadline',
      policyDeadline: at('2026-12-04 17:30').toISOString(),
    });
  });

  it('X-3, X-4: an extension never passes the upstream deadline', async () => {
    t.clock.set(at('2026-11-30 09:00'));
    const view = await dispatched('branch1', {
      source: 'mayor_hotline',
      upstreamRef: '12345-20261130-0002',
      upstreamDeadline: at('2026-12-03 17:30').toISOString(),
    });
    // Issue 15.5: too late a referral for four review days: the unit gets half the working time
    // left (35.5 working hours from Monday 09:00 → 17.75 h → Wednesday 08:45).
    expect(fmt(view.assignments[0].replyDeadline)).toBe('2026-12-02 08:45');
    const tooFar = await api.act('b1_receiver', view.id, 'request_extension', { days: 2, reason: '需协调' });
    expect(tooFar).toMatchObject({
      status: 400,
      body: { field: 'days', message: expect.stringContaining('超过上级期限 2026-12-03 17:30') },
    });
    const ok = await api.ok('b1_receiver', view.id, 'request_extension', { days: 1, reason: '需协调' });
    expect(fmt(ok.assignments[0].extensionRequest.newDeadline)).toBe('2026-12-03 17:30');
  });

  it('X-9: lights turn green → yellow → red in the list, the detail and the inbox; the list filters by light', async () => {
    t.clock.set(at('2026-11-30 09:00'));
    const view = await dispatched('branch1');
    const id = view.id;
    const listed = async (light?: string) => {
      const r = await api.get('dispatcher1', `/api/tickets?limit=100${light ? `&light=${light}` : ''}`);
      expect(r.status).toBe(200);
      return r.body.items.find((x: any) => x.id === id);
    };
    const inboxItem = async () => {
      const r = await api.get('b1_receiver', '/api/inbox?limit=200');
      return r.body.find((x: any) => x.ticket.id === id);
    };
    expect((await listed())?.light).toBe('green');
    expect(await listed('green')).toBeDefined();
    expect(await listed('yellow')).toBeUndefined();
    expect(await inboxItem()).toMatchObject({
      light: 'green',
      startedAt: at('2026-11-30 09:00').toISOString(),
      deadline: at('2026-12-07 17:30').toISOString(),
    });

    // 2/3 of the 176.5 hours from Monday 09:00 to the next Monday 17:30 have passed by Saturday 06:40.
    t.clock.set(at('2026-12-05 06:30'));
    expect((await listed())?.light).toBe('green');
    t.clock.set(at('2026-12-05 06:50'));
    expect((await listed())?.light).toBe('yellow');
    expect(await listed('yellow')).toBeDefined();
    expect(await listed('green')).toBeUndefined();
    expect((await inboxItem()).light).toBe('yellow');
    expect((await api.get('dispatcher1', `/api/tickets/${id}`)).body).toMatchObject({
      light: 'yellow',
      assignments: [expect.objectContaining({ light: 'yellow' })],
    });

    t.clock.set(at('2026-12-07 17:30'));
    expect((await listed())?.light).toBe('red');
    expect(await listed('red')).toBeDefined();
    expect(await listed('yellow')).toBeUndefined();
    expect((await inboxItem()).light).toBe('red');

    // Nothing open, no light.
    await api.ok('b1_receiver', id, 'accept');
    const r = await api.get('dispatcher1', `/api/tickets?limit=100&light=red`);
    expect(r.body.items.find((x: any) => x.id === id)).toBeDefined();
    await api.ok('dispatcher1', id, 'revoke', { reason: '测试撤销' });
    expect((await listed())?.light).toBeNull();
    expect(await listed('red')).toBeUndefined();
  });

  it('X-9: one reminder at yellow, one shortly before the deadline; overdue is marked, escalated and on the timeline', async () => {
    t.clock.set(at('2026-11-30 09:00'));
    const view = await dispatched('branch1');
    const id = view.id;
    await jobs.scanReminders();
    expect(await notices(id, 'remind')).toEqual([]);

    // Yellow since Saturday 06:40; the reminder waits for working time (Monday 08:30).
    t.clock.set(at('2026-12-05 12:00'));
    await jobs.scanReminders();
    expect(await notices(id, 'remind')).toEqual([]);
    t.clock.set(at('2026-12-07 09:00'));
    await jobs.scanReminders();
    await jobs.scanReminders();
    const yellow = await notices(id, 'remind');
    expect(yellow).toHaveLength(1);
    expect(yellow[0]).toMatchObject({ stage: 'yellow', userids: ['b1_receiver'] });
    expect(JSON.stringify(yellow[0])).not.toContain('13812345678');

    // Accepted and replied → awaiting the leader: the next reminder goes to the leader.
    await api.ok('b1_receiver', id, 'accept');
    t.clock.set(at('2026-12-07 16:45'));
    await api.ok('b1_receiver', id, 'submit_reply', {
      content: '已处理',
      handledAt: t.clock.now().toISOString(),
      handler: '赵强',
      callerContact: { contacted: true, method: 'phone', at: t.clock.now().toISOString(), summary: '已告知' },
      satisfaction: 'satisfied',
    });
    await jobs.scanReminders();
    await jobs.scanReminders();
    const soon = (await notices(id, 'remind')).filter((n) => n.stage === 'due_soon');
    expect(soon).toHaveLength(1);
    expect(soon[0].userids).toEqual(['b1_leader']);

    t.clock.set(at('2026-12-07 17:31'));
    await jobs.scanReminders();
    await jobs.scanReminders();
    // 督办 to the unit leader and the ops head, each once (each person's notice folds their own matters).
    const overdue = await notices(id, 'overdue');
    expect(overdue.flatMap((n) => n.userids).sort()).toEqual(['b1_leader', 'ops_head']);
    const detail = (await api.get('dispatcher1', `/api/tickets/${id}`)).body;
    expect(detail.assignments[0].overdueAt).toBe(at('2026-12-07 17:31').toISOString());
    expect(detail.light).toBe('red');
    expect(detail.timeline.at(-1)).toMatchObject({
      action: 'overdue',
      actor: { userid: 'system' },
      unit: 'branch1',
      data: { deadline: at('2026-12-07 17:30').toISOString() },
    });
    const { rows } = await db.query(`SELECT kind FROM deadline_reminders WHERE item = $1 ORDER BY sent_at`, [
      `assignment:${detail.assignments[0].id}`,
    ]);
    expect(rows.map((r) => r.kind)).toEqual(['yellow', 'due_soon', 'overdue']);
  });

  it('X-9: reminders due for one person in one scan come as one notice', async () => {
    t.clock.set(at('2026-11-30 10:00'));
    const one = await dispatched('fare');
    const two = await dispatched('fare');
    t.clock.set(at('2026-12-07 09:00'));
    const r = await jobs.scanReminders();
    expect(r.made.yellow).toBeGreaterThanOrEqual(2);
    const rows = await notices(one.id, 'remind');
    expect(rows).toHaveLength(1);
    expect(rows[0].userids).toEqual(['fare_receiver']);
    expect(rows[0].items!.map((i) => i.ticket.id)).toEqual(expect.arrayContaining([one.id, two.id]));
    expect(await notices(two.id, 'remind')).toEqual(rows);
    const msg = composeNotice(rows[0], { publicUrl: 'http://localhost:3000', corpId: 'dingtestcorp' });
    expect(msg.action_card.title).toMatch(/^工单催办（\d+件）$/);
    expect(msg.action_card.markdown).toContain(one.number);
    expect(msg.action_card.markdown).toContain(two.number);
  });

  it('X-9: two workers racing over one database send exactly one reminder per threshold', async () => {
    t.clock.set(at('2026-11-30 11:00'));
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) ids.push((await dispatched('safety')).id);
    const second = await createTestDeadlineJobs(t.config, t.databaseUrl, t.clock);
    try {
      for (const [time, notice, stage] of [
        ['2026-12-07 09:00', 'remind', 'yellow'],
        ['2026-12-07 16:45', 'remind', 'due_soon'],
        ['2026-12-07 17:45', 'overdue', undefined],
      ] as const) {
        t.clock.set(at(time));
        await Promise.all([
          jobs.scanReminders({ batchSize: 5 }),
          second.jobs.scanReminders({ batchSize: 5 }),
          jobs.scanReminders({ batchSize: 7 }),
          second.jobs.scanReminders({ batchSize: 3 }),
        ]);
        // Each matter reaches each person exactly once per threshold.
        const expected = notice === 'overdue' ? ['ops_head', 'safety_leader'] : ['safety_receiver'];
        for (const id of ids) {
          const rows = (await notices(id, notice)).filter((n) => n.stage === stage);
          const people = rows.flatMap((n) => n.userids).sort();
          expect({ id, stage, people }).toEqual({ id, stage, people: expected });
        }
      }
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM timeline_events WHERE action = 'overdue' AND ticket_id = ANY($1::uuid[])`,
        [ids],
      );
      expect(rows[0].n).toBe(ids.length);
    } finally {
      await second.ctx.close();
    }
  });

  it('R-17: a ticket registered but not dispatched alerts the dispatchers and the ops head before close of business, once', async () => {
    t.clock.set(at('2026-12-08 10:00'));
    const ticket = await api.createTicket('dispatcher1');
    t.clock.set(at('2026-12-08 16:59'));
    await jobs.scanUndispatched();
    expect(await notices(ticket.id, 'undispatched')).toEqual([]);
    t.clock.set(at('2026-12-08 17:00'));
    await jobs.scanUndispatched();
    await jobs.scanUndispatched();
    const alerts = await notices(ticket.id, 'undispatched');
    expect(alerts).toHaveLength(1);
    expect(alerts[0].userids).toEqual(['dispatcher1', 'dispatcher2', 'ops_head']);
    expect(alerts[0].items!.find((i) => i.ticket.id === ticket.id)?.deadline).toBe(
      at('2026-12-08 17:30').toISOString(),
    );

    // Received on a Saturday: due by Monday's close of business.
    t.clock.set(at('2026-12-12 10:00'));
    const weekend = await api.createTicket('dispatcher1');
    const { rows } = await db.query(`SELECT dispatch_due_at FROM tickets WHERE id = $1`, [weekend.id]);
    expect(new Date(rows[0].dispatch_due_at).toISOString()).toBe(at('2026-12-14 17:30').toISOString());
  });

  it('R-11: the closing of the 24-hour return window is recorded; afterwards a return is refused', async () => {
    t.clock.set(at('2026-12-08 09:00'));
    const view = await dispatched('branch2');
    t.clock.set(at('2026-12-09 08:59'));
    await jobs.scanReturnWindows();
    let timeline = (await api.get('dispatcher1', `/api/tickets/${view.id}`)).body.timeline;
    expect(timeline.map((e: any) => e.action)).not.toContain('return_window_closed');
    t.clock.set(at('2026-12-09 09:05'));
    await jobs.scanReturnWindows();
    await jobs.scanReturnWindows();
    timeline = (await api.get('dispatcher1', `/api/tickets/${view.id}`)).body.timeline;
    const closed = timeline.filter((e: any) => e.action === 'return_window_closed');
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ unit: 'branch2', data: { closedAt: at('2026-12-09 09:00').toISOString() } });
    const refused = await api.act('b2_receiver', view.id, 'request_return', { reason: '非本单位', basis: '线路表' });
    expect(refused).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('24 小时内申请，现已超过') },
    });
  });

  it('X-9: the ops head gets a daily digest at 08:30 on working days only, once a day', async () => {
    t.clock.set(at('2026-12-12 08:30'));
    expect(await jobs.sendDigest()).toEqual({ sent: false, reason: 'not a working day' });
    t.clock.set(at('2026-12-09 08:30'));
    expect(await jobs.sendDigest()).toEqual({ sent: true });
    expect(await jobs.sendDigest()).toEqual({ sent: false, reason: 'already sent today' });
    const { rows } = await db.query<{ payload: NoticePayload }>(
      `SELECT payload FROM outbox WHERE payload->>'notice' = 'digest' ORDER BY id DESC LIMIT 1`,
    );
    const digest = rows[0].payload;
    expect(digest.userids).toEqual(['ops_head']);
    expect(digest.digest!.overdue).toBeGreaterThan(0);
    expect(digest.digest!.overdueByUnit).toEqual(expect.arrayContaining([expect.objectContaining({ unit: 'safety' })]));
    const msg = composeNotice(digest, { publicUrl: 'http://localhost:3000', corpId: 'dingtestcorp' });
    expect(msg.action_card.title).toBe('每日工单汇总');
    expect(msg.action_card.markdown).toContain('已超期');
  });

  it('X-9: a scan that dies mid-batch leaves no key and no notice; the next scan sends the reminder once', async () => {
    t.clock.set(at('2026-12-14 09:00'));
    // A consultation: 3 working days → Thursday 17:30; yellow from Wednesday 14:40.
    const view = await dispatched('branch1', { category: 'consultation' });
    t.clock.set(at('2026-12-16 15:00'));
    const repo = t.app.get(DeadlineRepository);
    await expect(
      repo.transaction(async (m) => {
        const rows = await repo.claimDueReminders(m, t.clock.now(), 1000);
        const keys = rows.map((r) => ({
          item: `assignment:${r.id}`,
          kind: 'yellow' as const,
          deadline: r.replyDeadline,
          ticketId: r.ticketId,
        }));
        await repo.insertKeys(m, keys, t.clock.now());
        throw new Error('worker killed');
      }),
    ).rejects.toThrow('worker killed');
    expect(await notices(view.id, 'remind')).toEqual([]);
    await jobs.scanReminders();
    await jobs.scanReminders();
    expect(await notices(view.id, 'remind')).toHaveLength(1);
  });

  it('X-2: a deadline reaching into a year without holiday data alerts the admin and /health; the admin enters the year and it counts', async () => {
    t.clock.set(at('2026-12-30 10:00'));
    api = new ApiClient(t.app); // fresh tokens after the clock moved a month
    const health = async () => (await api.get('admin', '/health')).body.info.calendar;
    expect(await health()).toMatchObject({ status: 'up', missingYears: [] });

    // chinese-days has no 2027 table: 2027-01-01 falls back to a working Friday (known trap).
    const before = await dispatched('branch1');
    expect(fmt(before.assignments[0].replyDeadline)).toBe('2027-01-06 17:30');
    expect(await health()).toMatchObject({ missingYears: [2027] });
    const alert = await notices(before.id, 'calendar_missing_year');
    expect(alert).toHaveLength(1);
    expect(alert[0]).toMatchObject({ userids: ['admin'], years: [2027] });
    expect(
      composeNotice(alert[0], { publicUrl: 'http://localhost:3000', corpId: 'dingtestcorp' }).action_card.markdown,
    ).toContain('2027');
    const status = await api.get('admin', '/api/admin/calendar');
    expect(status.body.missingYears).toEqual([expect.objectContaining({ year: 2027, lastTicketId: before.id })]);
    expect(status.body.coveredYears).not.toContain(2027);

    // TEST DATA, not the State Council's 2027 notice: the admin types the notice's lines.
    const text = [
      '元旦：2027-01-01 至 2027-01-03 休',
      '春节：2027-02-05 至 02-13 休',
      '2027-02-20 上班  # 春节调休',
    ].join('\n');
    expect((await api.call('dispatcher1', 'PUT', '/api/admin/calendar/years/2027', { text })).status).toBe(403);
    const bad = await api.call('admin', 'PUT', '/api/admin/calendar/years/2027', { text: '2027-13-01 休' });
    expect(bad).toMatchObject({ status: 400, body: { field: 'text' } });
    const entered = await api.call('admin', 'PUT', '/api/admin/calendar/years/2027', { text });
    expect(entered.status).toBe(200);
    expect(entered.body.coveredYears).toContain(2027);
    expect(entered.body.missingYears).toEqual([]);
    expect(entered.body.years[0]).toMatchObject({ year: 2027, workdays: ['2027-02-20'] });
    expect(await health()).toMatchObject({ missingYears: [] });

    const after = await dispatched('branch1');
    expect(fmt(after.assignments[0].replyDeadline)).toBe('2027-01-07 17:30');
    expect(after.assignments[0].calendarVersion).not.toBe(before.assignments[0].calendarVersion);

    // Spring Festival 2027 (with the entered data): a consultation on 02-04 is due 02-17.
    t.clock.set(at('2027-02-04 10:00'));
    api = new ApiClient(t.app);
    const festival = await dispatched('branch1', { category: 'consultation' });
    expect(fmt(festival.assignments[0].replyDeadline)).toBe('2027-02-17 17:30');

    // A local closure day (an override) moves deadlines too.
    t.clock.set(at('2026-12-30 10:00'));
    api = new ApiClient(t.app);
    const closed = await api.call('admin', 'PUT', '/api/admin/calendar/overrides/2026-12-31', {
      kind: 'closed',
      note: '公司年终盘点',
    });
    expect(closed.status).toBe(200);
    expect(closed.body.overrides).toEqual([expect.objectContaining({ date: '2026-12-31', kind: 'closed' })]);
    expect(fmt((await dispatched('branch1')).assignments[0].replyDeadline)).toBe('2027-01-08 17:30');
    expect((await api.call('admin', 'DELETE', '/api/admin/calendar/overrides/2026-12-31')).status).toBe(200);
    expect((await api.call('admin', 'DELETE', '/api/admin/calendar/overrides/2026-12-31')).status).toBe(404);
    expect((await api.call('admin', 'DELETE', '/api/admin/calendar/years/2027')).status).toBe(200);
    expect(await health()).toMatchObject({ missingYears: [2027] });
  });
});
