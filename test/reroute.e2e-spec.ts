// Issue 15.9 (改派; Art. 9(二), Art. 12): the operations department withdraws one unit's assignment
// and dispatches another unit in its place, over HTTP against real PostgreSQL with a set clock:
// the record, the to-dos and notices, the deadlines of a dispatch, the figures and a race.
import { Client } from 'pg';
import { parseShanghai } from '@hotline/calendar';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';

const at = (text: string) => parseShanghai(text);

describe('issue 15.9: reroute one unit (改派)', () => {
  let t: TestApp;
  let api: ApiClient;
  let db: Client;

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'reroute', start: at('2026-12-07 09:00') });
    api = new ApiClient(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const setClock = (text: string) => t.clock.set(at(text));
  const unitOf = (ticket: any, code: string, status?: string) =>
    ticket.assignments.find((a: any) => a.unit.code === code && (!status || a.status === status));

  async function dispatched(assignments: Array<{ unit: string; role: string }>, overrides = {}) {
    const ticket = await api.createTicket('dispatcher1', overrides);
    return api.ok('dispatcher1', ticket.id, 'dispatch', { assignments });
  }

  async function outbox(ticketId: string, afterId: number) {
    const { rows } = await db.query(
      `SELECT id, kind, payload FROM outbox WHERE ticket_id = $1 AND id > $2 ORDER BY id`,
      [ticketId, afterId],
    );
    return rows as Array<{ id: number; kind: string; payload: any }>;
  }
  async function lastOutboxId(ticketId: string): Promise<number> {
    const { rows } = await db.query(`SELECT COALESCE(max(id), 0)::int AS id FROM outbox WHERE ticket_id = $1`, [
      ticketId,
    ]);
    return rows[0].id;
  }

  it('issue 15.9 (Art. 12): an accepted unit with a pending extension is withdrawn; the new unit gets a dispatch’s deadline, notice and to-do', async () => {
    setClock('2026-12-07 09:00');
    const d = await dispatched([{ unit: 'branch1', role: 'sole' }]);
    await api.ok('b1_receiver', d.id, 'accept');
    await api.ok('b1_receiver', d.id, 'request_extension', { days: 1, reason: '需调取监控' });
    // The same policy at the same instant: what a dispatch would give.
    setClock('2026-12-08 10:00');
    const control = await dispatched([{ unit: 'safety', role: 'sole' }]);
    const before = await lastOutboxId(d.id);

    const r = await api.ok('dispatcher2', d.id, 'reroute', {
      unit: 'branch1',
      newUnit: 'branch2',
      reason: '派错单位：12路属第二分公司',
    });
    expect(r.status).toBe('in_progress');
    expect(unitOf(r, 'branch1')).toMatchObject({ status: 'withdrawn', role: 'sole', extensionRequest: null });
    const added = unitOf(r, 'branch2');
    expect(added).toMatchObject({
      status: 'pending_accept',
      role: 'sole',
      dispatchedAt: at('2026-12-08 10:00').toISOString(),
      replyDeadline: unitOf(control, 'safety').replyDeadline,
    });
    expect(r.timeline.at(-1)).toMatchObject({
      action: 'reroute',
      actor: { userid: 'dispatcher2' },
      unit: 'branch1',
      comment: '派错单位：12路属第二分公司',
      data: { from: 'branch1', to: 'branch2', role: 'sole', withdrawnStatus: 'accepted' },
    });
    // The dispatcher sees no 改派 of a withdrawn unit, the withdrawn receiver nothing to do.
    const b1 = await api.get('b1_receiver', `/api/tickets/${d.id}`);
    expect(b1.body.actions).toEqual([]);
    const b2 = await api.get('b2_receiver', `/api/tickets/${d.id}`);
    expect(b2.body.actions).toEqual(expect.arrayContaining(['accept', 'request_return']));

    // the pending extension request is closed as withdrawn; the deadline record is a dispatch's.
    const ext = await db.query(`SELECT decision FROM extension_requests WHERE ticket_id = $1`, [d.id]);
    expect(ext.rows).toEqual([{ decision: 'withdrawn' }]);
    const basis = await db.query(
      `SELECT a.unit_code, a.deadline_basis->>'source' AS source, a.accept_deadline IS NOT NULL AS accept
         FROM assignments a WHERE a.ticket_id = $1 ORDER BY a.seq`,
      [d.id],
    );
    expect(basis.rows.find((x) => x.unit_code === 'branch2')).toMatchObject({ source: 'policy', accept: true });

    // R-9a: branch1's to-dos are done and it is told; branch2 gets the dispatch notice and its to-do.
    const rows = await outbox(d.id, before);
    const done = rows.filter((x) => x.kind === 'todo_done').map((x) => x.payload.key);
    expect(done.sort()).toEqual([`${d.id}:branch1:extension_review`, `${d.id}:branch1:reply`]);
    const notices = rows.filter((x) => x.kind === 'notice').map((x) => [x.payload.notice, x.payload.userids]);
    expect(notices).toEqual(
      expect.arrayContaining([
        ['assignment_withdrawn', ['b1_receiver']],
        ['new_assignment', ['b2_receiver']],
      ]),
    );
    const opened = rows.filter((x) => x.kind === 'todo_open').map((x) => [x.payload.key, x.payload.userids]);
    expect(opened).toEqual([[`${d.id}:branch2:accept`, ['b2_receiver']]]);

    // The withdrawn unit's people are refused with 409 (the ticket moved on), not 403.
    const late = await api.act('b1_receiver', d.id, 'submit_reply', replyBody(t.clock.now()));
    expect(late.status).toBe(409);
    expect(late.body.message).toMatch(/改派/);
  });

  it('issue 15.9 (R-12): a pending return request of the withdrawn unit is closed as withdrawn, not approved', async () => {
    setClock('2026-12-09 09:00');
    const d = await dispatched([{ unit: 'branch1', role: 'sole' }]);
    await api.ok('b1_receiver', d.id, 'request_return', { reason: '非本单位线路', basis: '线路划分表' });
    const r = await api.ok('ops_head', d.id, 'reroute', { newUnit: 'fare', reason: '票务问题，应由票务科办理' });
    expect(unitOf(r, 'branch1')).toMatchObject({ status: 'withdrawn' });
    expect(unitOf(r, 'fare')).toMatchObject({ status: 'pending_accept' });
    const ret = await db.query(`SELECT decision, decided_by FROM return_requests WHERE ticket_id = $1`, [d.id]);
    expect(ret.rows).toEqual([{ decision: 'withdrawn', decided_by: 'ops_head' }]);
  });

  it('issue 15.9 (R-6d, issue 15.4): the new unit takes the role; a co unit answers before the lead already at work', async () => {
    setClock('2026-12-09 10:00');
    const d = await dispatched([
      { unit: 'branch1', role: 'lead' },
      { unit: 'fare', role: 'co' },
    ]);
    const lead = unitOf(d, 'branch1');
    setClock('2026-12-10 10:00');
    const co = await api.ok('dispatcher1', d.id, 'reroute', {
      unit: 'fare',
      newUnit: 'safety',
      reason: '属安全科职责',
    });
    const safety = unitOf(co, 'safety');
    expect(safety).toMatchObject({ role: 'co', status: 'pending_accept' });
    // One working day before the lead's deadline (the policy's coLeadWorkingDays), not after it.
    expect(Date.parse(safety.replyDeadline)).toBeLessThan(Date.parse(lead.replyDeadline));
    const control = await dispatched([
      { unit: 'branch2', role: 'lead' },
      { unit: 'fare', role: 'co' },
    ]);
    expect(Date.parse(safety.replyDeadline)).toBeLessThanOrEqual(Date.parse(unitOf(control, 'fare').replyDeadline));

    const asLead = await api.ok('dispatcher1', d.id, 'reroute', {
      unit: 'branch1',
      newUnit: 'branch2',
      reason: '属第二分公司线路',
    });
    expect(unitOf(asLead, 'branch2')).toMatchObject({
      role: 'lead',
      status: 'pending_accept',
      replyDeadline: unitOf(control, 'branch2').replyDeadline,
    });
    expect(asLead.assignments.map((a: any) => [a.unit.code, a.role, a.status])).toEqual([
      ['branch1', 'lead', 'withdrawn'],
      ['fare', 'co', 'withdrawn'],
      ['safety', 'co', 'pending_accept'],
      ['branch2', 'lead', 'pending_accept'],
    ]);
  });

  it('issue 15.9: bad input is a 4xx naming the field; only the ops department re-routes; not after the unit replied or the ticket closed', async () => {
    setClock('2026-12-11 09:00');
    const d = await dispatched([{ unit: 'branch1', role: 'sole' }]);
    const noReason = await api.act('dispatcher1', d.id, 'reroute', { newUnit: 'branch2', reason: '' });
    expect(noReason.status).toBe(400);
    const noUnit = await api.act('dispatcher1', d.id, 'reroute', { reason: '派错' });
    expect(noUnit.status).toBe(400);
    const unknown = await api.act('dispatcher1', d.id, 'reroute', { newUnit: 'nowhere', reason: '派错' });
    expect(unknown).toMatchObject({ status: 400, body: { field: 'newUnit' } });
    const same = await api.act('dispatcher1', d.id, 'reroute', { newUnit: 'branch1', reason: '派错' });
    expect(same).toMatchObject({ status: 409, body: { field: 'newUnit' } });
    const badDate = await api.act('dispatcher1', d.id, 'reroute', {
      newUnit: 'branch2',
      reason: '派错',
      replyDeadline: 'x',
    });
    expect(badDate.status).toBe(400);
    expect((await api.act('b1_receiver', d.id, 'reroute', { newUnit: 'branch2', reason: '派错' })).status).toBe(403);

    await api.ok('b1_receiver', d.id, 'accept');
    await api.ok('b1_receiver', d.id, 'submit_reply', replyBody(t.clock.now()));
    const review = await api.ok('b1_leader', d.id, 'approve_reply', {});
    expect(review.status).toBe('in_review');
    expect(review.actions ?? []).not.toContain('reroute');
    const tooLate = await api.act('dispatcher1', d.id, 'reroute', { newUnit: 'branch2', reason: '派错' });
    expect(tooLate.status).toBe(409);
    await api.ok('dispatcher1', d.id, 'pass_review', {});
    await api.ok('ops_head', d.id, 'pass_review', {});
    expect((await api.act('dispatcher1', d.id, 'reroute', { newUnit: 'branch2', reason: '派错' })).status).toBe(409);
  });

  it('issue 15.9 (R-8): a reroute racing the unit’s accept: one wins, the other gets 409', async () => {
    const results: number[][] = [];
    for (let round = 0; round < 4; round += 1) {
      setClock(`2026-12-14 ${String(9 + round).padStart(2, '0')}:00`);
      const d = await dispatched([{ unit: 'branch1', role: 'sole' }]);
      await api.token('b1_receiver');
      await api.token('dispatcher2');
      // Both send the version they saw (the micro-app always does, issue 18.3).
      const race = [
        api.act('dispatcher2', d.id, 'reroute', {
          newUnit: 'branch2',
          reason: '派错单位',
          expectedVersion: d.version,
        }),
        api.act('b1_receiver', d.id, 'accept', { expectedVersion: d.version }),
      ];
      const [reroute, accept] = await Promise.all(race);
      results.push([reroute.status, accept.status]);
      expect([reroute.status, accept.status].sort()).toEqual([200, 409]);
      const view = (await api.get('dispatcher1', `/api/tickets/${d.id}`)).body;
      expect(view.version).toBe(d.version + 1);
      if (reroute.status === 200) {
        expect(view.assignments.map((a: any) => a.status)).toEqual(['withdrawn', 'pending_accept']);
      } else {
        expect(view.assignments.map((a: any) => a.status)).toEqual(['accepted']);
      }
    }
    expect(results).toHaveLength(4);
  });

  it('issue 15.9 (R-18, docs/kpi.md): the withdrawn unit’s late assignment counts in none of its figures; the new unit’s does', async () => {
    // A month of its own, so that only this ticket is in the period (last: fresh sign-ins after the jump).
    setClock('2027-02-01 09:00');
    api = new ApiClient(t.app);
    const d = await dispatched([{ unit: 'safety', role: 'sole' }]);
    const deadline = unitOf(d, 'safety').replyDeadline;
    await api.ok('safety_receiver', d.id, 'accept');
    await api.ok('safety_receiver', d.id, 'request_return', { reason: '不属本科', basis: '职责分工' });
    // Overdue by now: this would count against safety if the assignment were not withdrawn.
    t.clock.set(new Date(Date.parse(deadline) + 3_600_000));
    const r = await api.ok('dispatcher1', d.id, 'reroute', { newUnit: 'fare', reason: '票务问题' });
    await api.ok('fare_receiver', r.id, 'accept');
    await api.ok('fare_receiver', r.id, 'submit_reply', replyBody(t.clock.now()));
    await api.ok('fare_leader', r.id, 'approve_reply', {});
    await api.ok('dispatcher1', r.id, 'pass_review', {});
    await api.ok('ops_head', r.id, 'pass_review', {});

    const period = `from=${at('2027-02-01 00:00').toISOString()}&to=${at('2027-03-01 00:00').toISOString()}`;
    const stats = await api.get('ops_head', `/api/stats/units?${period}`);
    expect(stats.status).toBe(200);
    const by = Object.fromEntries(stats.body.units.map((u: any) => [u.unitCode, u]));
    expect(by.safety).toBeUndefined();
    expect(by.fare).toMatchObject({
      dispatched: 1,
      handled: 1,
      due: 1,
      repliedOnTime: 1,
      overdue: 0,
      returnRequests: 0,
      returnsApproved: 0,
      rework: 0,
      closed: 1,
      closedOnTime: 1,
      firstTimeClosed: 1,
    });
    // The ledger names the unit that answered, and the ticket is not overdue.
    const ledger = await api.get('dispatcher1', `/api/ledger?${period}&limit=50`);
    const row = ledger.body.items.find((x: any) => x.id === d.id);
    expect(row).toMatchObject({ overdue: false, returns: 0 });
    expect(row.units).toContain('票务科');
    expect(row.units).not.toContain('安全');
  });
});
