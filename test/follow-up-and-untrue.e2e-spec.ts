// Issues 15.6 and 15.7 over HTTP against real PostgreSQL with a set clock: the units that
// handled a verified report record their follow-up progress too (Art. 14(三)), and a reply found
// untrue goes back to its unit for a corrected reply through its leader, counted against the
// unit (Art. 10, R-10, R-18).
import { Client } from 'pg';
import { parseShanghai } from '@hotline/calendar';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';

const at = (text: string) => parseShanghai(text);
const HOUR = 3_600_000;

describe('issues 15.6 and 15.7: unit follow-up progress, and correcting a reply found untrue', () => {
  let t: TestApp;
  let api: ApiClient;
  let db: Client;
  const now = () => t.clock.now();
  const later = (h: number) => t.clock.set(new Date(now().getTime() + h * HOUR));

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'followuntrue', start: at('2026-12-07 09:00') });
    api = new ApiClient(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  /** Registered, dispatched (branch1 lead + branch2 co, or branch1 alone), replied and approved. */
  async function replied(overrides: Record<string, unknown>, withCo = false) {
    const ticket = await api.createTicket('dispatcher1', overrides);
    await api.ok('dispatcher1', ticket.id, 'dispatch', {
      assignments: withCo
        ? [
            { unit: 'branch1', role: 'lead' },
            { unit: 'branch2', role: 'co' },
          ]
        : [{ unit: 'branch1', role: 'sole' }],
    });
    if (withCo) {
      await api.ok('b2_receiver', ticket.id, 'accept');
      await api.ok('b2_receiver', ticket.id, 'submit_reply', replyBody(now()));
      await api.ok('b2_leader', ticket.id, 'approve_reply', {});
    }
    await api.ok('b1_receiver', ticket.id, 'accept');
    await api.ok('b1_receiver', ticket.id, 'submit_reply', replyBody(now()));
    await api.ok('b1_leader', ticket.id, 'approve_reply', {});
    return ticket.id as string;
  }

  const notices = async (id: string, notice: string) =>
    (
      await db.query(
        `SELECT payload FROM outbox WHERE ticket_id = $1 AND kind = 'notice' AND payload->>'notice' = $2 ORDER BY id`,
        [id, notice],
      )
    ).rows.map((r) => r.payload);

  it('issue 15.6 (Art. 14(三)): a report kept under follow-up: both units are told, their receivers and leaders record progress (inbox, timeline with the unit), the ops department finishes', async () => {
    const id = await replied({ category: 'report', subject: '举报12路驾驶员途中吸烟' }, true);
    await api.ok('dispatcher1', id, 'pass_review', {});
    const kept = await api.ok('ops_head', id, 'pass_review', { followUp: true });
    expect(kept.status).toBe('follow_up');
    const told = await notices(id, 'follow_up');
    expect(
      told
        .map((n) => n.userids)
        .flat()
        .sort(),
    ).toEqual(['b1_leader', 'b1_receiver', 'b2_leader', 'b2_receiver']);
    expect(await notices(id, 'closed')).toEqual([]);

    // Who may act now: the units' people see it in their inbox and get the button.
    for (const who of ['b1_receiver', 'b1_leader', 'b2_receiver']) {
      const inbox = (await api.get(who, '/api/inbox?limit=200')).body;
      expect([who, inbox.some((i: any) => i.ticket.id === id && i.action === 'record_unit_follow_up')]).toEqual([
        who,
        true,
      ]);
      expect((await api.get(who, `/api/tickets/${id}`)).body.actions).toEqual(['record_unit_follow_up']);
    }
    const ops = (await api.get('dispatcher2', `/api/tickets/${id}`)).body.actions;
    expect(ops).toEqual(expect.arrayContaining(['record_follow_up', 'finish_follow_up']));
    expect(ops).not.toContain('record_unit_follow_up');

    later(24);
    const empty = await api.act('b1_receiver', id, 'record_unit_follow_up', { comment: ' ' });
    expect(empty).toMatchObject({ status: 400, body: { field: 'comment' } });
    await api.ok('b1_leader', id, 'record_unit_follow_up', { comment: '涉事驾驶员已停岗培训，车厢加装禁烟提示' });
    await api.ok('b2_receiver', id, 'record_unit_follow_up', { comment: '已复查车载监控，未再发现吸烟' });
    await api.ok('dispatcher1', id, 'record_follow_up', { comment: '电话回访举报人，表示情况好转' });
    // Art. 14: approving that the matter is finished stays the ops department's.
    expect((await api.act('b1_leader', id, 'finish_follow_up', {})).status).toBe(403);
    expect((await api.act('safety_receiver', id, 'record_unit_follow_up', { comment: 'x' })).status).toBe(404);
    const view = (await api.get('dispatcher1', `/api/tickets/${id}`)).body;
    const progress = view.timeline
      .filter((e: any) => ['record_unit_follow_up', 'record_follow_up'].includes(e.action))
      .map((e: any) => [e.action, e.actor.userid, e.unit]);
    expect(progress).toEqual([
      ['record_unit_follow_up', 'b1_leader', 'branch1'],
      ['record_unit_follow_up', 'b2_receiver', 'branch2'],
      ['record_follow_up', 'dispatcher1', null],
    ]);
    // The dispatchers are told of a unit's progress.
    expect((await notices(id, 'follow_up_progress')).map((n) => n.unit)).toEqual(['branch1', 'branch2']);
    expect((await notices(id, 'follow_up_progress'))[0].userids).toEqual(expect.arrayContaining(['dispatcher1']));

    const done = await api.ok('dispatcher2', id, 'finish_follow_up', {});
    expect(done.status).toBe('closed');
    const inbox = (await api.get('b1_receiver', '/api/inbox?limit=200')).body;
    expect(inbox.some((i: any) => i.ticket.id === id)).toBe(false);
    expect((await api.act('b1_receiver', id, 'record_unit_follow_up', { comment: '补充' })).status).toBe(409);
  });

  it('issue 19, R-14(3): assignments.in_follow_up mirrors its ticket (entering, leaving, an assignment added), and the tab counts count the unit’s follow-up work', async () => {
    const id = await replied({ category: 'report', subject: '举报5路车厢内吸烟' }, true);
    const flags = async () =>
      (
        await db.query(`SELECT unit_code, in_follow_up FROM assignments WHERE ticket_id = $1 ORDER BY seq`, [id])
      ).rows.map((r) => [r.unit_code, r.in_follow_up]);
    expect(await flags()).toEqual([
      ['branch1', false],
      ['branch2', false],
    ]);
    await api.ok('dispatcher1', id, 'pass_review', {});
    await api.ok('ops_head', id, 'pass_review', { followUp: true });
    expect(await flags()).toEqual([
      ['branch1', true],
      ['branch2', true],
    ]);
    // The count (from the flag's index) agrees with the items (from the tickets under follow-up).
    const tab = (await api.get('b1_receiver', '/api/inbox/page?limit=200&actions=record_unit_follow_up')).body;
    expect(tab.items.some((i: any) => i.ticket.id === id)).toBe(true);
    expect(tab.counts.record_unit_follow_up).toBe(tab.items.length);
    // Neither a row added while the ticket is under follow-up nor a direct write can disagree with it.
    const added = await db.query(
      `INSERT INTO assignments (ticket_id, unit_code, role, status, dispatched_at, dispatched_by, reply_deadline, seq,
                                calendar_version, updated_at, in_follow_up)
       SELECT ticket_id, 'safety', 'co', 'withdrawn', dispatched_at, dispatched_by, reply_deadline, 99,
              calendar_version, updated_at, false
         FROM assignments WHERE ticket_id = $1 AND unit_code = 'branch2'
       RETURNING in_follow_up`,
      [id],
    );
    expect(added.rows).toEqual([{ in_follow_up: true }]);
    await db.query(`DELETE FROM assignments WHERE ticket_id = $1 AND unit_code = 'safety'`, [id]);
    await db.query(`UPDATE assignments SET in_follow_up = false WHERE ticket_id = $1`, [id]);
    expect(await flags()).toEqual([
      ['branch1', true],
      ['branch2', true],
    ]);
    await api.ok('dispatcher2', id, 'finish_follow_up', {});
    expect(await flags()).toEqual([
      ['branch1', false],
      ['branch2', false],
    ]);
  });

  it('issue 15.6 (Art. 14(三)): the follow-up switch is refused where the server does not accept it (a suggestion; an initiator review step)', async () => {
    const id = await replied({ category: 'suggestion', subject: '建议增开夜班车' });
    const early = await api.act('dispatcher1', id, 'pass_review', { followUp: true });
    expect(early).toMatchObject({ status: 400, body: { field: 'followUp' } });
    await api.ok('dispatcher1', id, 'pass_review', {});
    const wrongCategory = await api.act('ops_head', id, 'pass_review', { followUp: true });
    expect(wrongCategory).toMatchObject({ status: 400, body: { field: 'followUp' } });
  });

  let untrue: string;

  it('issue 15.7 (Art. 10): in review on chain B the ops department finds branch1 untrue; reason and a future deadline required; the unit is told and corrects through its leader', async () => {
    t.clock.set(at('2026-12-08 10:00'));
    untrue = await replied({
      source: 'mayor_hotline',
      upstreamRef: 'SZ-15-7',
      upstreamDeadline: new Date(now().getTime() + 20 * 24 * HOUR).toISOString(),
      subject: '投诉5路车辆不进站',
    });
    await api.ok('dispatcher1', untrue, 'pass_review', {});
    const before = (await api.get('ops_head', `/api/tickets/${untrue}`)).body;
    expect(before).toMatchObject({ status: 'in_review', step: 'ops_review' });
    expect(before.actions).toContain('flag_untrue_reply');
    const deadline = new Date(now().getTime() + 48 * HOUR).toISOString();
    const body = { unit: 'branch1', reason: '调取监控：车辆未进站停靠，回复称“已进站”不实', replyDeadline: deadline };

    expect(await api.act('ops_head', untrue, 'flag_untrue_reply', { ...body, reason: '' })).toMatchObject({
      status: 400,
      body: { field: 'reason' },
    });
    expect(
      await api.act('ops_head', untrue, 'flag_untrue_reply', {
        ...body,
        replyDeadline: new Date(now().getTime() - HOUR).toISOString(),
      }),
    ).toMatchObject({ status: 400, body: { field: 'replyDeadline' } });
    expect(await api.act('ops_head', untrue, 'flag_untrue_reply', { unit: 'branch1', reason: 'x' })).toMatchObject({
      status: 400,
      body: { field: 'replyDeadline' },
    });
    for (const who of ['b1_leader', 'office_reviewer']) {
      expect([who, (await api.act(who, untrue, 'flag_untrue_reply', body)).status]).toEqual([who, 403]);
    }

    const reopened = await api.ok('dispatcher2', untrue, 'flag_untrue_reply', body);
    expect(reopened).toMatchObject({ status: 'in_progress', step: null, stepDeadline: null });
    expect(reopened.assignments[0]).toMatchObject({
      status: 'accepted',
      reply: null,
      reworkCount: 0,
      untrueCount: 1,
      replyDeadline: deadline,
      deadlineBasis: { source: 'untrue_reply' },
    });
    expect(reopened.timeline.at(-1)).toMatchObject({
      action: 'flag_untrue_reply',
      actor: { userid: 'dispatcher2' },
      unit: 'branch1',
      comment: body.reason,
      data: { replyDeadline: deadline, untrueCount: 1 },
    });
    const told = await notices(untrue, 'reply_untrue');
    expect(
      told
        .map((n) => n.userids)
        .flat()
        .sort(),
    ).toEqual(['b1_leader', 'b1_receiver']);
    // the notice names the ticket, not the caller; the reason stays on the ticket page.
    expect(JSON.stringify(told)).not.toContain('张三丰');
    // R-9b: a reply has been approved on it, so only the ops head revokes from now on.
    expect((await api.get('dispatcher1', `/api/tickets/${untrue}`)).body.actions).not.toContain('revoke');

    // The corrected reply goes through the leader again, then the whole chain B review again.
    later(2);
    await api.ok('b1_receiver', untrue, 'submit_reply', replyBody(now(), { content: '经复核，该车确未进站，已处理' }));
    const waiting = (await api.get('b1_leader', `/api/tickets/${untrue}`)).body;
    expect(waiting.assignments[0].status).toBe('awaiting_leader');
    const approved = await api.ok('b1_leader', untrue, 'approve_reply', {});
    expect(approved).toMatchObject({ status: 'in_review', step: 'initiator_review' });
    const { rows } = await db.query(
      `SELECT f.unit_code, f.note, f.flagged_by, r.status AS reply_status, f.new_deadline
         FROM untrue_reply_flags f JOIN replies r ON r.id = f.reply_id WHERE f.ticket_id = $1`,
      [untrue],
    );
    expect(rows).toEqual([
      {
        unit_code: 'branch1',
        note: body.reason,
        flagged_by: 'dispatcher2',
        reply_status: 'sent_back',
        new_deadline: new Date(deadline),
      },
    ]);
  });

  it('issue 15.7 (Art. 10, R-18): the unit figures count the untrue reply against branch1, apart from rework, and not as a first-time close', async () => {
    await api.ok('dispatcher1', untrue, 'pass_review', {});
    await api.ok('ops_head', untrue, 'pass_review', {});
    await api.ok('office_reviewer', untrue, 'pass_review', {});
    expect((await api.ok('dispatcher1', untrue, 'report_upstream', {})).status).toBe('closed');
    // Only this ticket was dispatched in the period (the suggestion above went out at 09:00).
    const period = `from=${at('2026-12-08 09:30').toISOString()}&to=${at('2026-12-09 00:00').toISOString()}`;
    const r = await api.get('ops_head', `/api/stats/units?${period}`);
    expect(r.status).toBe(200);
    const b1 = r.body.units.find((u: any) => u.unitCode === 'branch1');
    // The first reply (on time against the deadline it had before the flag) still counts as on time.
    expect(b1).toMatchObject({
      dispatched: 1,
      untrueReplies: 1,
      rework: 0,
      reworkedAssignments: 0,
      repliedOnTime: 1,
      closed: 1,
      closedOnTime: 1,
      firstTimeClosed: 0,
    });
  });

  it('issue 15.7 (Art. 10): after closing, a co unit is not flagged (its input reached the caller through the lead); the lead is, and the ticket re-opens with a new round of calls', async () => {
    t.clock.set(at('2026-12-09 09:00'));
    const id = await replied({ subject: '投诉7路司机拒载' }, true);
    await api.ok('dispatcher1', id, 'pass_review', {});
    expect((await api.ok('ops_head', id, 'pass_review', {})).status).toBe('closed');
    const deadline = new Date(now().getTime() + 24 * HOUR).toISOString();
    const co = await api.act('ops_head', id, 'flag_untrue_reply', {
      unit: 'branch2',
      reason: '不实',
      replyDeadline: deadline,
    });
    expect(co.status).toBe(409);
    expect(co.body.message).toMatch(/会办/);
    const lead = await api.ok('ops_head', id, 'flag_untrue_reply', {
      unit: 'branch1',
      reason: '回访来电人称驾驶员并未道歉',
      replyDeadline: deadline,
    });
    expect(lead).toMatchObject({ status: 'in_progress', closedAt: null });
    expect(lead.assignments.map((a: any) => [a.unit.code, a.status])).toEqual([
      ['branch1', 'accepted'],
      ['branch2', 'replied'],
    ]);
    const { rows } = await db.query(`SELECT visit_round, visit_due_at FROM tickets WHERE id = $1`, [id]);
    expect(rows).toEqual([{ visit_round: 2, visit_due_at: null }]);
  });
});
