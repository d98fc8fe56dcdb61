// Issue 13.6: no stalled tickets when one person is away. Article 8 names the initiating
// department, not one person: any dispatcher (the operations service department's) takes the
// initiator's steps; the record keeps who registered and names who acted; the inbox and the
// DingTalk to-dos reach every dispatcher and close for all once one acts. Real PostgreSQL, real
// HTTP to the DingTalk simulator.
import { Client } from 'pg';
import type { OutboxSender } from '../apps/worker/src/outbox/outbox-sender.service';
import { DeadlineJobsService } from '@hotline/tickets';
import type { TestApp } from './support/app';
import { startDingTalkStack, type DingTalkStack } from './support/dingtalk-stack';
import { ApiClient, replyBody } from './support/api-client';

describe('issue 13.6: the initiating department takes the initiator steps', () => {
  let t: TestApp;
  let api: ApiClient;
  let sender: OutboxSender;
  let stack: DingTalkStack;

  beforeAll(async () => {
    stack = await startDingTalkStack({ dbSuffix: 'initiating_dept' });
    ({ t, api, sender } = stack);
  });
  afterAll(async () => {
    await stack.close();
  });

  const now = () => t.clock.now();
  const todosOf = (userid: string): Promise<any[]> => stack.todos(userid);

  async function step(userid: string, id: string, action: string, body: unknown = {}) {
    t.clock.advance(5 * 60_000);
    const r = await api.ok(userid, id, action, body);
    expect((await sender.drain()).failed).toBe(0);
    return r;
  }

  async function outbox(id: string): Promise<Array<{ kind: string; payload: any }>> {
    const c = new Client({ connectionString: t.databaseUrl });
    await c.connect();
    try {
      return (await c.query(`SELECT kind, payload FROM outbox WHERE ticket_id = $1 ORDER BY id`, [id])).rows;
    } finally {
      await c.end();
    }
  }

  /** A chain-B ticket registered and dispatched by dispatcher1, replied and approved by branch 1. */
  async function atInitiatorReview(): Promise<string> {
    const created = await api.createTicket('dispatcher1', { source: 'mayor_hotline' });
    expect(created.chain).toBe('B');
    await step('dispatcher1', created.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    await step('b1_receiver', created.id, 'accept');
    await step('b1_receiver', created.id, 'submit_reply', replyBody(now()));
    const approved = await step('b1_leader', created.id, 'approve_reply');
    expect(approved).toMatchObject({ status: 'in_review', step: 'initiator_review', initiator: 'dispatcher1' });
    return created.id;
  }

  it('issue 13.6: a second dispatcher (not the registrant) approves at initiator review and reports upstream on chain B; the timeline names them, the record keeps the registrant', async () => {
    const id = await atInitiatorReview();

    // The API's allowed actions (what the micro-app shows as buttons) offer it to dispatcher2.
    const view = await api.get('dispatcher2', `/api/tickets/${id}`);
    expect(view.body.actions).toEqual(expect.arrayContaining(['pass_review', 'send_back']));

    const passed = await step('dispatcher2', id, 'pass_review', { comment: '回复属实' });
    expect(passed).toMatchObject({ status: 'in_review', step: 'ops_review' });
    await step('ops_head', id, 'pass_review');
    const upstream = await step('office_reviewer', id, 'pass_review');
    expect(upstream.step).toBe('upstream_report');
    expect((await api.get('dispatcher2', `/api/tickets/${id}`)).body.actions).toContain('report_upstream');

    const closed = await step('dispatcher2', id, 'report_upstream', { comment: '已报市长热线' });
    expect(closed).toMatchObject({ status: 'closed', initiator: 'dispatcher1' });
    const byAction = (a: string) => closed.timeline.filter((e: any) => e.action === a).map((e: any) => e.actor.userid);
    expect(byAction('register')).toEqual(['dispatcher1']);
    expect(byAction('pass_review')).toEqual(['dispatcher2', 'ops_head', 'office_reviewer']);
    expect(byAction('report_upstream')).toEqual(['dispatcher2']);
    expect(closed.timeline.find((e: any) => e.action === 'report_upstream').actor).toEqual({
      userid: 'dispatcher2',
      name: '李娜',
    });
  });

  it("issue 13.6: the second dispatcher's inbox lists the ticket at initiator review and at the upstream report", async () => {
    const id = await atInitiatorReview();
    const has = async (userid: string, action: string) =>
      (await api.get(userid, '/api/inbox')).body.some((i: any) => i.ticket.id === id && i.action === action);
    expect(await has('dispatcher2', 'pass_review')).toBe(true);
    expect(await has('dispatcher1', 'pass_review')).toBe(true);

    await step('dispatcher1', id, 'pass_review');
    expect(await has('dispatcher2', 'pass_review')).toBe(false);
    await step('ops_head', id, 'pass_review');
    await step('office_reviewer', id, 'pass_review');
    expect(await has('dispatcher2', 'report_upstream')).toBe(true);
    await step('dispatcher2', id, 'report_upstream');
    expect(await has('dispatcher2', 'report_upstream')).toBe(false);
    expect(await has('dispatcher1', 'report_upstream')).toBe(false);
  });

  it('issue 13.6: the initiator-review to-do goes to both dispatchers and is closed for both once one acts', async () => {
    const id = await atInitiatorReview();
    const key = `${id}:review:initiator_review`;
    const opened = (await outbox(id)).filter((r) => r.kind === 'todo_open' && r.payload.key === key);
    expect(opened).toHaveLength(1);
    expect(opened[0].payload.userids).toEqual(expect.arrayContaining(['dispatcher1', 'dispatcher2']));
    expect(opened[0].payload.userids).not.toContain('ops_head');

    // The worker's sourceId is the outbox row's dedupe key: todo_open:<key>:v<version>.
    const reviewTodo = async (userid: string) =>
      (await todosOf(userid)).filter((x: any) => String(x.sourceId).startsWith(`todo_open:${key}:`));
    const d1 = await reviewTodo('dispatcher1');
    const d2 = await reviewTodo('dispatcher2');
    expect(d1).toHaveLength(1);
    expect(d2).toHaveLength(1);
    expect(d1[0].id).toBe(d2[0].id); // one DingTalk to-do with both dispatchers as executors
    expect(d1[0].done).toBe(false);

    await step('dispatcher2', id, 'pass_review');
    expect((await outbox(id)).filter((r) => r.kind === 'todo_done' && r.payload.key === key)).toHaveLength(1);
    for (const u of ['dispatcher1', 'dispatcher2']) {
      const mine = await reviewTodo(u);
      expect({ u, done: mine.map((x: any) => x.done) }).toEqual({ u, done: [true] });
    }
  });

  it('issue 13.6: a unit receiver, and the ops head, are still refused the initiator steps', async () => {
    const id = await atInitiatorReview();
    expect((await api.act('b1_receiver', id, 'pass_review', {})).status).toBe(403);
    expect((await api.act('ops_head', id, 'pass_review', {})).status).toBe(403);
    await step('dispatcher2', id, 'pass_review');
    await step('ops_head', id, 'pass_review');
    await step('office_reviewer', id, 'pass_review');
    expect((await api.act('b1_receiver', id, 'report_upstream', {})).status).toBe(403);
    expect((await api.act('ops_head', id, 'report_upstream', {})).status).toBe(403);
    expect((await api.get('b1_receiver', `/api/tickets/${id}`)).body.actions).not.toContain('report_upstream');
  });
  it('issue 13.6: a return request waiting for a decision reminds every dispatcher, not only the registrant, when the reply deadline nears', async () => {
    const created = await api.createTicket('dispatcher1');
    const dispatched = await step('dispatcher1', created.id, 'dispatch', {
      assignments: [{ unit: 'branch2', role: 'sole' }],
    });
    await step('b2_receiver', created.id, 'request_return', { reason: '不属于本单位', basis: '线路表' });
    const inbox = (await api.get('dispatcher2', '/api/inbox?limit=200')).body;
    expect(inbox.some((i: any) => i.ticket.id === created.id && i.action === 'approve_return')).toBe(true);

    t.clock.set(new Date(new Date(dispatched.assignments[0].replyDeadline).getTime() - 10 * 60_000));
    await t.app.get(DeadlineJobsService).runScans();
    const c = new Client({ connectionString: t.databaseUrl });
    await c.connect();
    try {
      const { rows } = await c.query(
        `SELECT payload FROM outbox WHERE kind = 'notice' AND payload->>'notice' = 'remind'
            AND payload->'items' @> $1::jsonb`,
        [JSON.stringify([{ ticket: { id: created.id } }])],
      );
      const people = rows.flatMap((r) => r.payload.userids as string[]).sort();
      // Deadline notices are folded per person: one row per person, with this ticket among its items.
      expect([...new Set(people)]).toEqual(['dispatcher1', 'dispatcher2']);
    } finally {
      await c.end();
    }
  });
});
