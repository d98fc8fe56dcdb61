// The reminders issue 5 still lacked, through the HTTP API and the deadline jobs against real
// PostgreSQL with a set clock: an assignment not accepted by its accept deadline (X-1, X-9), a
// review step past the policy's review limit, and the ops head's digest when 08:30 was missed.
import { Client } from 'pg';
import { parseShanghai, formatShanghai } from '@hotline/calendar';
import { composeNotice, DeadlineJobsService, type NoticePayload } from '@hotline/tickets';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';
import { createTestDeadlineJobs } from './support/deadline-jobs';

const at = (text: string) => parseShanghai(text);
const fmt = (iso: string) => formatShanghai(new Date(iso));

describe('deadlines: accept-limit and review-step reminders, the digest catch-up', () => {
  let t: TestApp;
  let api: ApiClient;
  let db: Client;
  let jobs: DeadlineJobsService;

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'deadline_reminders', start: at('2026-11-30 09:00') });
    api = new ApiClient(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    jobs = t.app.get(DeadlineJobsService);
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  async function dispatched(unit: string, overrides: Record<string, unknown> = {}) {
    const ticket = await api.createTicket('dispatcher1', overrides);
    return api.ok('dispatcher1', ticket.id, 'dispatch', { assignments: [{ unit, role: 'sole' }] });
  }

  /** Deadline notices of a kind and stage that mention the ticket (alone or folded with others). */
  async function notices(ticketId: string, notice: string, stage: string) {
    const { rows } = await db.query<{ payload: NoticePayload }>(
      `SELECT payload FROM outbox
        WHERE kind = 'notice' AND payload->>'notice' = $2 AND payload->>'stage' = $3
          AND (ticket_id = $1 OR payload->'items' @> $4::jsonb)
        ORDER BY id`,
      [ticketId, notice, stage, JSON.stringify([{ ticket: { id: ticketId } }])],
    );
    return rows.map((r) => r.payload);
  }

  const people = (rows: NoticePayload[]) => rows.flatMap((n) => n.userids).sort();

  async function timelineActions(ticketId: string, action: string): Promise<number> {
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM timeline_events WHERE ticket_id = $1 AND action = $2 AND actor = 'system'`,
      [ticketId, action],
    );
    return rows[0].n;
  }

  it('X-1, X-9: an assignment not accepted by its accept deadline reminds the receivers and escalates to the leader, once, with two workers racing', async () => {
    t.clock.set(at('2026-11-30 09:00'));
    const ids: string[] = [];
    for (let i = 0; i < 14; i++) ids.push((await dispatched('safety')).id);
    const first = (await api.get('dispatcher1', `/api/tickets/${ids[0]}`)).body;
    // Monday 09:00 + 1 working day (X-1 default accept limit) → Tuesday 17:30.
    expect(fmt(first.assignments[0].acceptDeadline)).toBe('2026-12-01 17:30');

    t.clock.set(at('2026-12-01 17:29'));
    await jobs.scanAccepts();
    for (const id of ids) expect(await notices(id, 'remind', 'accept_overdue')).toEqual([]);

    t.clock.set(at('2026-12-01 17:31'));
    const second = await createTestDeadlineJobs(t.config, t.databaseUrl, t.clock);
    try {
      await Promise.all([
        jobs.scanAccepts({ batchSize: 3 }),
        second.jobs.scanAccepts({ batchSize: 4 }),
        jobs.scanAccepts({ batchSize: 5 }),
        second.jobs.scanAccepts({ batchSize: 2 }),
      ]);
      await second.jobs.runScans();
    } finally {
      await second.ctx.close();
    }
    await jobs.scanAccepts();
    for (const id of ids) {
      const reminded = people(await notices(id, 'remind', 'accept_overdue'));
      const escalated = people(await notices(id, 'overdue', 'accept_overdue'));
      expect({ id, reminded, escalated }).toEqual({
        id,
        reminded: ['safety_receiver'],
        escalated: ['safety_leader'],
      });
      expect(await timelineActions(id, 'accept_overdue')).toBe(1);
    }
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM deadline_reminders WHERE kind = 'accept_overdue' AND ticket_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows[0].n).toBe(ids.length);

    // The matters of one batch come to each person as one notice.
    const [folded] = await notices(ids[0], 'overdue', 'accept_overdue');
    expect(folded.count).toBeGreaterThan(1);
    const msg = composeNotice(folded, { publicUrl: 'http://localhost:3000', corpId: 'dingtestcorp' });
    expect(msg.action_card.title).toMatch(/^工单超时未签收（\d+件）$/);
    expect(msg.action_card.markdown).toContain('最晚 2026-12-01 17:30');
    expect(msg.action_card.markdown).toContain('超过签收时限仍未签收');
    expect(JSON.stringify(folded)).not.toContain('13812345678');
  });

  it('X-1, X-9: no accept reminder before the accept deadline, nor for an assignment accepted in time', async () => {
    t.clock.set(at('2026-12-07 09:00'));
    const accepted = await dispatched('branch1');
    const waiting = await dispatched('branch1');
    t.clock.set(at('2026-12-07 10:00'));
    await api.ok('b1_receiver', accepted.id, 'accept');

    t.clock.set(at('2026-12-08 17:00'));
    await jobs.runScans();
    expect(await notices(waiting.id, 'remind', 'accept_overdue')).toEqual([]);

    t.clock.set(at('2026-12-08 17:45'));
    await jobs.runScans();
    await jobs.runScans();
    expect(await notices(accepted.id, 'remind', 'accept_overdue')).toEqual([]);
    expect(await notices(accepted.id, 'overdue', 'accept_overdue')).toEqual([]);
    expect(await timelineActions(accepted.id, 'accept_overdue')).toBe(0);
    const [reminder] = await notices(waiting.id, 'remind', 'accept_overdue');
    expect(reminder).toMatchObject({ userids: ['b1_receiver'], count: 1 });
    const msg = composeNotice(reminder, { publicUrl: 'http://localhost:3000', corpId: 'dingtestcorp' }).action_card;
    expect(msg.title).toBe(`工单催办 ${waiting.number}`);
    expect(msg.markdown).toContain('**最晚签收**：2026-12-08 17:30');
    expect(msg.markdown).toContain('请立即签收');
    expect(people(await notices(waiting.id, 'overdue', 'accept_overdue'))).toEqual(['b1_leader']);

    // Accepted late: nothing more.
    await api.ok('b1_receiver', waiting.id, 'accept');
    t.clock.set(at('2026-12-09 09:00'));
    await jobs.runScans();
    expect(await notices(waiting.id, 'remind', 'accept_overdue')).toHaveLength(1);
  });

  it('X-1, X-9: each review step gets a deadline from the review limit; its actors are reminded once when it passes', async () => {
    t.clock.set(at('2026-12-02 09:00'));
    const view = await dispatched('branch2');
    const id = view.id;
    await api.ok('b2_receiver', id, 'accept');
    t.clock.set(at('2026-12-02 10:00'));
    await api.ok('b2_receiver', id, 'submit_reply', replyBody(t.clock.now()));
    expect((await api.get('dispatcher1', `/api/tickets/${id}`)).body.stepDeadline).toBeNull();
    t.clock.set(at('2026-12-02 10:30'));
    const inReview = await api.ok('b2_leader', id, 'approve_reply', {});
    expect(inReview).toMatchObject({ status: 'in_review', step: 'initiator_review' });
    // Wednesday 10:30 + 1 working day (the default review limit) → Thursday 17:30.
    expect(fmt(inReview.stepDeadline)).toBe('2026-12-03 17:30');
    // The initiator's inbox lists the step against its deadline, with a light (X-9).
    const waiting = async (who: string) =>
      (await api.get(who, '/api/inbox?limit=200')).body.find(
        (x: { action: string; ticket: { id: string } }) => x.action === 'pass_review' && x.ticket.id === id,
      );
    expect(await waiting('dispatcher1')).toMatchObject({
      deadline: at('2026-12-03 17:30').toISOString(),
      startedAt: at('2026-12-02 10:30').toISOString(),
      light: 'green',
    });
    // The step's DingTalk to-do carries the step deadline as its due time.
    const { rows: todos } = await db.query(
      `SELECT payload FROM outbox WHERE ticket_id = $1 AND kind = 'todo_open' ORDER BY id DESC LIMIT 1`,
      [id],
    );
    expect(todos[0].payload).toMatchObject({ action: 'pass_review', dueAt: at('2026-12-03 17:30').toISOString() });
    const { rows: stored } = await db.query(
      `SELECT step_started_at, step_deadline_basis, step_calendar_version FROM tickets WHERE id = $1`,
      [id],
    );
    expect(stored[0]).toMatchObject({
      step_started_at: at('2026-12-02 10:30'),
      step_deadline_basis: { source: 'policy', step: 'initiator_review', limit: { amount: 1, unit: 'working_days' } },
      step_calendar_version: expect.stringMatching(/^cal1-[0-9a-f]{16}$/),
    });

    t.clock.set(at('2026-12-03 17:29'));
    await jobs.scanReviewSteps();
    expect(await notices(id, 'remind', 'review_overdue')).toEqual([]);
    expect((await waiting('dispatcher1')).light).toBe('yellow');

    t.clock.set(at('2026-12-03 17:31'));
    const second = await createTestDeadlineJobs(t.config, t.databaseUrl, t.clock);
    try {
      await Promise.all([jobs.scanReviewSteps({ batchSize: 1 }), second.jobs.scanReviewSteps({ batchSize: 1 })]);
      await Promise.all([jobs.runScans(), second.jobs.runScans()]);
    } finally {
      await second.ctx.close();
    }
    let reminders = await notices(id, 'remind', 'review_overdue');
    // Issue 13.6: the initiator review is the initiating department's, so every dispatcher is reminded.
    expect(people(reminders)).toEqual(['dispatcher1', 'dispatcher2']);
    expect((await waiting('dispatcher1')).light).toBe('red');
    expect(reminders[0].items!.find((i) => i.ticket.id === id)?.deadline).toBe(at('2026-12-03 17:30').toISOString());

    // The next step (the ops head's approval) has its own deadline and its own reminder.
    t.clock.set(at('2026-12-04 09:00'));
    const ops = await api.ok('dispatcher1', id, 'pass_review', {});
    expect(ops.step).toBe('ops_review');
    expect(fmt(ops.stepDeadline)).toBe('2026-12-07 17:30');
    // The ops head's step has its own, fresh deadline: green.
    expect(await waiting('ops_head')).toMatchObject({ deadline: at('2026-12-07 17:30').toISOString(), light: 'green' });
    const { rows: opsTodos } = await db.query(
      `SELECT payload FROM outbox WHERE ticket_id = $1 AND kind = 'todo_open' ORDER BY id DESC LIMIT 1`,
      [id],
    );
    expect(opsTodos[0].payload.dueAt).toBe(at('2026-12-07 17:30').toISOString());
    t.clock.set(at('2026-12-07 17:40'));
    await jobs.runScans();
    await jobs.runScans();
    reminders = await notices(id, 'remind', 'review_overdue');
    expect(reminders.map((n) => n.userids)).toEqual([['dispatcher1', 'dispatcher2'], ['ops_head']]);
    const opsReminder = reminders.find((n) => n.userids.includes('ops_head'))!;
    const msg = composeNotice(opsReminder, { publicUrl: 'http://localhost:3000', corpId: 'dingtestcorp' });
    expect(msg.action_card.markdown).toContain('**审核时限**：2026-12-07 17:30');
    expect(await timelineActions(id, 'review_overdue')).toBe(2);
    const { rows: keys } = await db.query(
      `SELECT item FROM deadline_reminders WHERE kind = 'review_overdue' AND ticket_id = $1 ORDER BY sent_at`,
      [id],
    );
    expect(keys.map((k) => k.item)).toEqual([`ticket:${id}:initiator_review`, `ticket:${id}:ops_review`]);

    // Closed: no step, no deadline.
    const closed = await api.ok('ops_head', id, 'pass_review', { comment: '同意办结' });
    expect(closed).toMatchObject({ status: 'closed', stepDeadline: null });
    const { rows } = await db.query(`SELECT step_deadline, step_started_at FROM tickets WHERE id = $1`, [id]);
    expect(rows[0]).toEqual({ step_deadline: null, step_started_at: null });
  });

  it('X-1: a step sent back and reviewed again gets a new deadline; none without a review limit', async () => {
    t.clock.set(at('2026-12-09 09:00'));
    const view = await dispatched('fare');
    const id = view.id;
    await api.ok('fare_receiver', id, 'accept');
    await api.ok('fare_receiver', id, 'submit_reply', replyBody(t.clock.now()));
    const first = await api.ok('fare_leader', id, 'approve_reply', {});
    expect(fmt(first.stepDeadline)).toBe('2026-12-10 17:30');
    t.clock.set(at('2026-12-09 11:00'));
    const back = await api.ok('dispatcher1', id, 'send_back', { comment: '请补充处理依据' });
    expect(back).toMatchObject({ status: 'in_progress', stepDeadline: null });

    // The admin removes the review limits: the step begins without a deadline, and no reminder.
    const policies = (await api.get('admin', '/api/admin/time-limits')).body;
    const strip = (p: any) => ({
      sourceCode: p.sourceCode,
      categoryCode: p.categoryCode,
      urgency: p.urgency,
      accept: p.accept,
      reply: p.reply,
      review: p.review,
      note: p.note,
    });
    const noReview = policies.map((p: any) => ({ ...strip(p), review: null }));
    expect((await api.call('admin', 'PUT', '/api/admin/time-limits', { policies: noReview })).status).toBe(200);
    try {
      await api.ok('fare_receiver', id, 'submit_reply', replyBody(t.clock.now()));
      const again = await api.ok('fare_leader', id, 'approve_reply', {});
      expect(again).toMatchObject({ status: 'in_review', step: 'initiator_review', stepDeadline: null });
      t.clock.set(at('2026-12-15 09:00'));
      await jobs.runScans();
      expect(await notices(id, 'remind', 'review_overdue')).toEqual([]);
    } finally {
      await api.call('admin', 'PUT', '/api/admin/time-limits', { policies: policies.map(strip) });
    }
  });

  it('X-9: a digest missed at 08:30 goes out once later that working day while the office is open; none before 08:30 or after closing, none on a plain Saturday', async () => {
    const digestRows = async (day: string) => {
      const { rows } = await db.query(`SELECT payload FROM outbox WHERE dedupe_key = $1`, [
        `digest:${at(`${day} 00:00`).toISOString()}`,
      ]);
      return rows;
    };
    // Thursday: the worker was down at 08:30.
    t.clock.set(at('2026-12-10 08:29'));
    expect((await jobs.runScans()).digest.made).toEqual({});
    expect(await digestRows('2026-12-10')).toHaveLength(0);
    t.clock.set(at('2026-12-10 10:00'));
    expect((await jobs.runScans()).digest.made).toEqual({ digest: 1 });
    t.clock.set(at('2026-12-10 10:01'));
    expect((await jobs.runScans()).digest.made).toEqual({});
    expect(await jobs.sendDigest()).toEqual({ sent: false, reason: 'already sent today' });
    const sent = await digestRows('2026-12-10');
    expect(sent).toHaveLength(1);
    expect(sent[0].payload).toMatchObject({
      notice: 'digest',
      userids: ['ops_head'],
      at: at('2026-12-10 10:00').toISOString(),
    });

    // Friday: down at 08:30 and back only after closing time: no late digest that day.
    t.clock.set(at('2026-12-11 17:30'));
    expect((await jobs.runScans()).digest.made).toEqual({});
    expect(await jobs.catchUpDigest()).toEqual({ sent: false, reason: 'after office hours' });
    expect(await digestRows('2026-12-11')).toHaveLength(0);
    t.clock.set(at('2026-12-11 17:29'));
    expect((await jobs.runScans()).digest.made).toEqual({ digest: 1 });

    // Saturday, not a make-up working day: nothing, all day.
    for (const time of ['2026-12-12 08:30', '2026-12-12 10:00', '2026-12-12 16:00']) {
      t.clock.set(at(time));
      expect((await jobs.runScans()).digest.made).toEqual({});
    }
    expect(await digestRows('2026-12-12')).toHaveLength(0);

    // A make-up working Saturday (调休, 2026-10-10) is a working day: its digest comes.
    t.clock.set(at('2026-10-10 09:15'));
    expect((await jobs.runScans()).digest.made).toEqual({ digest: 1 });
    expect(await digestRows('2026-10-10')).toHaveLength(1);
  });
});
