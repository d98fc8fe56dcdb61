// Issue 15.12 (Art. 16 建档、案例分析, R-16) over HTTP against real PostgreSQL: an at-fault decision
// names the unit, which writes its case analysis (to-do and inbox until written); the ops
// department sees and may complete it; the case library searches and filters, newest first, and
// unit people see only their own units' cases (R-19).
import { Client } from 'pg';
import { parseShanghai } from '@hotline/calendar';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';

const HOUR = 3_600_000;

describe('issue 15.12: case files by the units and the case library', () => {
  let t: TestApp;
  let api: ApiClient;
  let db: Client;
  const ids: Record<string, string> = {};
  const later = (h: number) => t.clock.set(new Date(t.clock.now().getTime() + h * HOUR));

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'caselib', start: parseShanghai('2026-12-01 09:00') });
    api = new ApiClient(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const RECEIVER: Record<string, string> = { branch1: 'b1_receiver', branch2: 'b2_receiver' };
  const LEADER: Record<string, string> = { branch1: 'b1_leader', branch2: 'b2_leader' };

  /** A complaint handled by `unit` and closed (chain A). */
  async function closedComplaint(unit: string, subject: string, route: string) {
    const ticket = await api.createTicket('dispatcher1', { subject, route });
    await api.ok('dispatcher1', ticket.id, 'dispatch', { assignments: [{ unit, role: 'sole' }] });
    await api.ok(RECEIVER[unit], ticket.id, 'accept');
    await api.ok(RECEIVER[unit], ticket.id, 'submit_reply', replyBody(t.clock.now()));
    await api.ok(LEADER[unit], ticket.id, 'approve_reply');
    await api.ok('dispatcher1', ticket.id, 'pass_review');
    const closed = await api.ok('ops_head', ticket.id, 'pass_review');
    expect(closed.status).toBe('closed');
    return ticket.id as string;
  }

  const driverCase = {
    cause: '驾驶员在站台与乘客争执，言语不当',
    partyKind: 'driver',
    party: '35路驾驶员 2048 号',
    measures: '停岗培训三天，班前会通报',
    lesson: '遇到争执先稳定情绪，坚持文明用语',
  };
  const vehicleCase = {
    cause: '车辆空调故障未及时报修',
    partyKind: 'vehicle',
    party: '京A·12345',
    measures: '当日报修，车队每日出车前检查空调',
    lesson: '夏季出车前必须检查空调',
  };

  it('issue 15.12 (Art. 16): at fault without a case file, the unit leaders get the to-do and the unit the inbox entry, also on a closed ticket', async () => {
    ids.a = await closedComplaint('branch1', '35路司机与乘客争执', '35');
    const marked = await api.ok('ops_head', ids.a, 'mark_responsible', {
      atFault: true,
      basis: '车载视频显示驾驶员言语不当',
      responsibleUnit: 'branch1',
    });
    expect(marked).toMatchObject({
      status: 'closed',
      caseFile: { status: 'pending', unit: { code: 'branch1' }, basis: '车载视频显示驾驶员言语不当', cause: null },
    });
    const { rows } = await db.query(
      `SELECT payload FROM outbox WHERE ticket_id = $1 AND kind = 'todo_open' AND payload->>'action' = 'write_case_file'`,
      [ids.a],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].payload).toMatchObject({ key: `${ids.a}:case_file`, userids: ['b1_leader'], unit: 'branch1' });
    const notices = await db.query(
      `SELECT payload FROM outbox WHERE ticket_id = $1 AND kind = 'notice' AND payload->>'notice' = 'case_file_requested'`,
      [ids.a],
    );
    // A DingTalk work notice to the unit's leaders, without a reply deadline (nothing of the caller, R-19).
    expect(notices.rows.map((r) => r.payload)).toEqual([
      expect.objectContaining({ userids: ['b1_leader'], unit: 'branch1', deadline: null }),
    ]);
    for (const who of ['b1_leader', 'b1_receiver']) {
      const inbox = (await api.get(who, '/api/inbox')).body as any[];
      expect(inbox.filter((i) => i.ticket.id === ids.a).map((i) => i.action)).toEqual(['write_case_file']);
      expect((await api.get(who, `/api/tickets/${ids.a}`)).body.actions).toContain('write_case_file');
    }
    expect(((await api.get('b2_leader', '/api/inbox')).body as any[]).some((i) => i.ticket.id === ids.a)).toBe(false);
    // The library shows written analyses; the ops department sees the pending ones too.
    expect((await api.get('dispatcher1', '/api/case-files')).body.items).toEqual([]);
    const pending = await api.get('dispatcher1', '/api/case-files?status=pending');
    expect(pending.body.items).toEqual([expect.objectContaining({ ticketId: ids.a, status: 'pending' })]);
    expect((await api.get('b2_leader', '/api/case-files?status=pending')).body.items).toEqual([]);
  });

  it('issue 15.12 (Art. 16): another unit may not write it; the receiver of the unit at fault does; the to-do is done', async () => {
    const refused = await api.act('b2_leader', ids.a, 'write_case_file', driverCase);
    expect(refused.status).toBe(404); // branch2 never handled it: the ticket is not theirs to see
    const bad = await api.act('b1_receiver', ids.a, 'write_case_file', { ...driverCase, partyKind: 'weather' });
    expect(bad).toMatchObject({ status: 400, body: { field: 'partyKind' } });
    later(1);
    const written = await api.ok('b1_receiver', ids.a, 'write_case_file', driverCase);
    expect(written).toMatchObject({
      status: 'closed',
      caseFile: { status: 'written', ...driverCase, writtenBy: { userid: 'b1_receiver' } },
    });
    expect(written.timeline.at(-1)).toMatchObject({ action: 'write_case_file', unit: 'branch1' });
    const { rows } = await db.query(
      `SELECT payload FROM outbox WHERE ticket_id = $1 AND kind = 'todo_done' AND payload->>'key' = $2`,
      [ids.a, `${ids.a}:case_file`],
    );
    expect(rows).toHaveLength(1);
    expect(((await api.get('b1_leader', '/api/inbox')).body as any[]).some((i) => i.ticket.id === ids.a)).toBe(false);
  });

  it('issue 15.12 (R-16, R-19): the library searches text, filters by unit and party kind, newest first; units see their own', async () => {
    later(1);
    ids.b = await closedComplaint('branch2', '12路车厢闷热', '12');
    await api.ok('dispatcher2', ids.b, 'mark_responsible', {
      atFault: true,
      basis: '维修记录',
      responsibleUnit: 'branch2',
    });
    later(1);
    // The ops department completes it when needed.
    await api.ok('ops_head', ids.b, 'write_case_file', vehicleCase);
    const all = (await api.get('dispatcher1', '/api/case-files')).body.items as any[];
    expect(all.map((c) => c.ticketId)).toEqual([ids.b, ids.a]);
    const text = await api.get('office_reviewer', `/api/case-files?q=${encodeURIComponent('文明用语')}`);
    expect(text.body.items.map((c: any) => c.ticketId)).toEqual([ids.a]);
    expect((await api.get('dispatcher1', '/api/case-files?partyKind=vehicle')).body.items).toEqual([
      expect.objectContaining({ ticketId: ids.b, party: '京A·12345', unit: { code: 'branch2', name: '第二分公司' } }),
    ]);
    expect(
      (await api.get('dispatcher1', '/api/case-files?unit=branch1')).body.items.map((c: any) => c.ticketId),
    ).toEqual([ids.a]);
    expect((await api.get('b1_leader', '/api/case-files')).body.items.map((c: any) => c.ticketId)).toEqual([ids.a]);
    expect((await api.get('b2_receiver', '/api/case-files?unit=branch1')).body.items).toEqual([]);
    expect((await api.get('dispatcher1', '/api/case-files?partyKind=weather')).status).toBe(400);
  });

  it('issue 15.12: naming the same unit again keeps its analysis; not at fault withdraws it from the library', async () => {
    await api.ok('ops_head', ids.a, 'mark_responsible', {
      atFault: true,
      basis: '复核：车载视频与乘客陈述一致',
      responsibleUnit: 'branch1',
    });
    const kept = (await api.get('dispatcher1', `/api/tickets/${ids.a}`)).body;
    expect(kept.caseFile).toMatchObject({
      status: 'written',
      cause: driverCase.cause,
      basis: '复核：车载视频与乘客陈述一致',
    });
    expect(kept.actions).toContain('write_case_file'); // it may still be updated
    await api.ok('ops_head', ids.b, 'mark_responsible', { atFault: false, basis: '复核：空调由厂家召回' });
    expect((await api.get('dispatcher1', '/api/case-files?status=all')).body.items.map((c: any) => c.ticketId)).toEqual(
      [ids.a],
    );
    const b = (await api.get('b2_leader', `/api/tickets/${ids.b}`)).body;
    expect(b.caseFile).toBeNull();
    expect(b.actions).not.toContain('write_case_file');
  });
});
