// Issue 17.8: every workflow action × every kind of person × chain-A and chain-B tickets in every
// reachable state, over HTTP. The pure workflow's allowedActions() is the one answer to "may
// this person take this action now"; the API must agree with it: allowed → 2xx, not allowed →
// 403 / 409 with a Chinese message (404 for a person who cannot see the ticket), never a 5xx,
// and a refused action leaves the ticket as it was (same version).
import { Client } from 'pg';
import { TicketRepository } from '@hotline/db';
import {
  ACTIONS,
  CHAIN_STEPS,
  PHASES,
  allowedActions,
  phaseOf,
  workOf,
  type Actor,
  type Audience,
  type TicketState,
} from '@hotline/workflow';
import { LoopHooks } from '../libs/tickets/src/loop/loop-hooks';
import { startDingTalkSimulator } from '../apps/dingtalk-sim/src/simulator';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';

const PERSONAS = [
  'dispatcher1', // the initiator of every ticket here
  'dispatcher2',
  'ops_head',
  'office_reviewer',
  'b1_receiver',
  'b1_leader',
  'b2_receiver',
  'b2_leader',
  'admin',
  'nobody_actions', // signed in, no role
] as const;
type Persona = (typeof PERSONAS)[number];

type Step = [Persona, string, Record<string, unknown>?];

const HOUR = 3600_000;

/** A walk: how to build a ticket in one state from scratch, through the API only. */
interface Walk {
  name: string;
  chain: 'A' | 'B';
  category?: string;
  steps: Step[];
}

const DISPATCH_B1: Step = ['dispatcher1', 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] }];
const ACCEPT: Step = ['b1_receiver', 'accept', {}];
const REPLY: Step = ['b1_receiver', 'submit_reply', {}]; // body filled in with the clock's time
const APPROVE: Step = ['b1_leader', 'approve_reply', { comment: '同意' }];
const INITIATOR_PASS: Step = ['dispatcher1', 'pass_review', {}];
const OPS_PASS: Step = ['ops_head', 'pass_review', {}];
const TO_REVIEW = [DISPATCH_B1, ACCEPT, REPLY, APPROVE];

const WALKS: Walk[] = [
  { name: 'A registered', chain: 'A', steps: [] },
  { name: 'A in_progress, pending accept', chain: 'A', steps: [DISPATCH_B1] },
  { name: 'A in_progress, accepted', chain: 'A', steps: [DISPATCH_B1, ACCEPT] },
  {
    name: 'A in_progress, return requested',
    chain: 'A',
    steps: [DISPATCH_B1, ['b1_receiver', 'request_return', { reason: '不属于本单位', basis: '职责划分' }]],
  },
  {
    name: 'A in_progress, extension requested',
    chain: 'A',
    steps: [DISPATCH_B1, ACCEPT, ['b1_receiver', 'request_extension', { days: 1, reason: '需调取监控' }]],
  },
  { name: 'A in_progress, reply awaiting the leader', chain: 'A', steps: [DISPATCH_B1, ACCEPT, REPLY] },
  { name: 'A initiator_review', chain: 'A', steps: TO_REVIEW },
  { name: 'A ops_review', chain: 'A', steps: [...TO_REVIEW, INITIATOR_PASS] },
  {
    name: 'A follow_up (a report found true)',
    chain: 'A',
    category: 'report',
    steps: [...TO_REVIEW, INITIATOR_PASS, ['ops_head', 'pass_review', { followUp: true }]],
  },
  { name: 'A closed', chain: 'A', steps: [...TO_REVIEW, INITIATOR_PASS, OPS_PASS] },
  { name: 'A revoked', chain: 'A', steps: [DISPATCH_B1, ['dispatcher1', 'revoke', { reason: '重复登记' }]] },
  {
    // Issue 15.2 (R-9b): one unit's reply is approved, so revoking is the ops head's.
    name: 'A in_progress, branch2 approved, branch1 accepted',
    chain: 'A',
    steps: [
      [
        'dispatcher1',
        'dispatch',
        {
          assignments: [
            { unit: 'branch1', role: 'sole' },
            { unit: 'branch2', role: 'sole' },
          ],
        },
      ],
      ACCEPT,
      ['b2_receiver', 'accept', {}],
      ['b2_receiver', 'submit_reply', {}],
      ['b2_leader', 'approve_reply', { comment: '同意' }],
    ],
  },
  {
    // Issue 15.9 (改派): branch1's assignment withdrawn, branch2 dispatched in its place.
    name: 'A in_progress, branch1 rerouted to branch2',
    chain: 'A',
    steps: [DISPATCH_B1, ACCEPT, ['dispatcher2', 'reroute', { newUnit: 'branch2', reason: '派错单位' }]],
  },
  {
    // Issue 14.2, R-6: lead and co units; the co unit's reply waits for its leader, the lead works on.
    name: 'A in_progress, lead accepted, co reply awaiting its leader',
    chain: 'A',
    steps: [
      [
        'dispatcher1',
        'dispatch',
        {
          assignments: [
            { unit: 'branch1', role: 'lead' },
            { unit: 'branch2', role: 'co' },
          ],
        },
      ],
      ACCEPT,
      ['b2_receiver', 'accept', {}],
      ['b2_receiver', 'submit_reply', {}],
    ],
  },
  {
    // Issue 15.7 (Art. 10): a closed ticket's reply found untrue goes back to the unit for correction.
    name: 'A in_progress, a reply flagged untrue',
    chain: 'A',
    steps: [...TO_REVIEW, INITIATOR_PASS, OPS_PASS, ['dispatcher1', 'flag_untrue_reply', {}]],
  },
  { name: 'B registered', chain: 'B', steps: [] },
  // Issue 15.1 (Art. 4, Art. 8): a chain-B consultation may be answered directly, and the answer is reviewed.
  { name: 'B registered consultation', chain: 'B', category: 'consultation', steps: [] },
  {
    name: 'B initiator_review, a direct answer',
    chain: 'B',
    category: 'consultation',
    steps: [['dispatcher1', 'answer_directly', { answer: '12路首班车6:00发车。' }]],
  },
  {
    name: 'B upstream_report, a direct answer',
    chain: 'B',
    category: 'consultation',
    steps: [
      ['dispatcher1', 'answer_directly', { answer: '12路首班车6:00发车。' }],
      INITIATOR_PASS,
      OPS_PASS,
      ['office_reviewer', 'pass_review', {}],
    ],
  },
  { name: 'B in_progress, accepted', chain: 'B', steps: [DISPATCH_B1, ACCEPT] },
  { name: 'B initiator_review', chain: 'B', steps: TO_REVIEW },
  { name: 'B ops_review', chain: 'B', steps: [...TO_REVIEW, INITIATOR_PASS] },
  { name: 'B office_review', chain: 'B', steps: [...TO_REVIEW, INITIATOR_PASS, OPS_PASS] },
  {
    name: 'B upstream_report',
    chain: 'B',
    steps: [...TO_REVIEW, INITIATOR_PASS, OPS_PASS, ['office_reviewer', 'pass_review', {}]],
  },
  {
    name: 'B closed',
    chain: 'B',
    steps: [
      ...TO_REVIEW,
      INITIATOR_PASS,
      OPS_PASS,
      ['office_reviewer', 'pass_review', {}],
      ['dispatcher1', 'report_upstream', { comment: '已报市长热线' }],
    ],
  },
  { name: 'B revoked', chain: 'B', steps: [DISPATCH_B1, ['dispatcher1', 'revoke', { reason: '重复登记' }]] },
  {
    // Issue 15.12 (Art. 16): the unit named at fault owes its case analysis, also after closing.
    name: 'A closed, branch1 at fault, case analysis owed',
    chain: 'A',
    steps: [
      ...TO_REVIEW,
      INITIATOR_PASS,
      OPS_PASS,
      ['ops_head', 'mark_responsible', { atFault: true, basis: '车载视频', responsibleUnit: 'branch1' }],
    ],
  },
  {
    // Issue 15.10 (Art. 4): the office passed its review with an edited consolidated answer.
    name: 'B upstream_report, the office edited the answer',
    chain: 'B',
    steps: [
      ...TO_REVIEW,
      INITIATOR_PASS,
      OPS_PASS,
      ['office_reviewer', 'pass_review', { upstreamAnswer: '经核查，已处理并答复来电人。' }],
    ],
  },
];

describe('issue 17.8: every workflow action for every role on chain-A and chain-B tickets in every state', () => {
  let sim: Awaited<ReturnType<typeof startDingTalkSimulator>>;
  let t: TestApp;
  let api: ApiClient;
  let repo: TicketRepository;
  let loop: LoopHooks;
  const actors = new Map<Persona, Actor>();
  let mergeTarget: string;
  let refs = 0;

  beforeAll(async () => {
    sim = await startDingTalkSimulator({ port: 0, host: '127.0.0.1' });
    t = await createTestApp({ dbSuffix: 'actionmatrix', env: { DINGTALK_SIM_PORT: String(sim.port) } });
    api = new ApiClient(t.app);
    const pg = new Client({ connectionString: t.databaseUrl });
    await pg.connect();
    await pg.query(`INSERT INTO people (userid, name, roles) VALUES ('nobody_actions', '无角色', '{}')`);
    await pg.end();
    repo = t.app.get(TicketRepository, { strict: false });
    loop = t.app.get(LoopHooks, { strict: false });
    // Each person as the workflow sees them, from their own GET /api/me.
    for (const p of PERSONAS) {
      const me = (await api.get(p, '/api/me')).body;
      actors.set(p, { userid: me.userid, roles: me.roles, unitCodes: me.units.map((u: { code: string }) => u.code) });
    }
    mergeTarget = (await api.createTicket('dispatcher1', { subject: '并单目标' })).id;
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });

  /** The ticket as the workflow decides on it (the same load the API's action path does). */
  async function stateOf(id: string): Promise<{ state: TicketState; upstreamDeadline: Date | null }> {
    const agg = await repo.load(id, { kind: 'all' });
    if (!agg) throw new Error(`ticket ${id} not found`);
    const merged = await loop.merge(agg);
    return { state: merged.state, upstreamDeadline: merged.facts.upstreamDeadline };
  }

  function allowed(s: { state: TicketState; upstreamDeadline: Date | null }, p: Persona): Set<string> {
    const d = t.config.deadlines;
    return new Set(
      allowedActions(s.state, actors.get(p)!, t.clock.now(), {
        extensionLimits: { maxCount: d.extensionMaxCount, maxDays: d.extensionMaxDays },
        latestDeadline: s.upstreamDeadline,
      }),
    );
  }

  async function build(walk: Walk): Promise<string> {
    const now = t.clock.now();
    const created = await api.createTicket('dispatcher1', {
      subject: `动作矩阵 ${walk.name}`,
      ...(walk.category ? { category: walk.category } : {}),
      ...(walk.chain === 'B'
        ? {
            source: 'mayor_hotline',
            upstreamRef: `AM-${++refs}`,
            upstreamDeadline: new Date(now.getTime() + 20 * 24 * HOUR).toISOString(),
          }
        : {}),
    });
    for (const [who, action, body] of walk.steps) {
      // Bodies that carry a time are made from the clock's time (bodyFor), the others are the step's.
      const timed = action === 'submit_reply' || action === 'flag_untrue_reply';
      await api.ok(who, created.id, action, timed ? bodyFor(action) : body);
    }
    return created.id;
  }

  /** A plausible, valid body for each action (units and the merge target filled in). */
  function bodyFor(action: string, state?: TicketState): Record<string, unknown> {
    // On a ticket with lead and co units another unit joins as a co unit (R-6c), and a re-route
    // names the unit it takes the work from (issue 15.9).
    const open = (state?.assignments ?? []).filter((a) => !['returned', 'cancelled', 'withdrawn'].includes(a.status));
    const coled = open.some((a) => a.role !== 'sole');
    const now = t.clock.now();
    const bodies: Record<string, Record<string, unknown>> = {
      // A unit no walk has dispatched to (branch2 works in the issue 15.2 walk).
      dispatch: { assignments: [{ unit: 'fare', role: coled ? 'co' : 'sole' }] },
      answer_directly: { answer: '已当场答复来电人。' },
      revoke: { reason: '重复登记' },
      accept: {},
      request_return: { reason: '不属于本单位', basis: '职责划分' },
      approve_return: { comment: '同意退回' },
      reject_return: { comment: '属本单位职责' },
      submit_reply: replyBody(now),
      approve_reply: { comment: '同意' },
      reject_reply: { comment: '请补充处理依据' },
      pass_review: {},
      send_back: { comment: '答复不完整，请补充' },
      report_upstream: { comment: '已上报' },
      record_follow_up: { comment: '已督促整改' },
      finish_follow_up: { comment: '整改完成' },
      remind: { comment: '请尽快办理' },
      request_extension: { days: 1, reason: '需调取监控' },
      approve_extension: { comment: '同意延期' },
      reject_extension: { comment: '不同意延期' },
      record_visit: { outcome: 'no_answer' },
      mark_responsible: { atFault: false, basis: '经核查司机按规定操作' },
      merge: { into: mergeTarget, comment: '同一事项' },
      write_case_file: {
        cause: '驾驶员未停稳即开门',
        partyKind: 'driver',
        party: '驾驶员 1024 号',
        measures: '停岗培训',
        lesson: '停稳再开门',
      },
      record_unit_follow_up: { comment: '已对驾驶员停岗培训' },
      flag_untrue_reply: {
        reason: '经调取监控，回复与事实不符',
        replyDeadline: new Date(now.getTime() + 48 * HOUR).toISOString(),
      },
      // Issue 15.9: the one assignment still being worked on goes to a unit no walk uses.
      reroute: { ...(open.length > 1 ? { unit: open[0].unitCode } : {}), newUnit: 'safety', reason: '派错单位' },
    };
    return bodies[action];
  }

  /** Whether a person is in an audience, the way the DingTalk adapter resolves audiences to people. */
  function holds(a: Audience, p: Actor): boolean {
    switch (a.kind) {
      case 'person':
        return a.userid === p.userid;
      case 'role':
        return p.roles.includes(a.role);
      case 'unit_receivers':
        return p.roles.includes('receiver') && p.unitCodes.includes(a.unitCode);
      case 'unit_leaders':
        return p.roles.includes('unit_leader') && p.unitCodes.includes(a.unitCode);
    }
  }

  // Issue 14.2: "who acts now" has one answer. The inbox SQL must list, for every person, exactly
  // the work items workOf() gives the state (by action and unit), in every state the walks reach;
  // runs first, while the database holds only these tickets (the inbox is capped at 200 rows).
  it("issue 14.2, issue 19: in every reachable state, each person's inbox holds exactly the work workOf() gives them, and the tab counts are its totals", async () => {
    const problems: string[] = [];
    let compared = 0;
    for (const walk of WALKS) {
      const id = await build(walk);
      const { state } = await stateOf(id);
      const work = workOf(state);
      for (const p of PERSONAS) {
        const actor = actors.get(p)!;
        const expected = work
          .filter((w) => w.holders.some((h) => holds(h, actor)))
          .map((w) => `${w.action}@${w.unitCode ?? '-'}`)
          .sort();
        const r = await api.get(p, '/api/inbox?limit=200');
        expect(r.status).toBe(200);
        const actual = (r.body as { action: string; unit: string | null; ticket: { id: string } }[])
          .filter((row) => row.ticket.id === id)
          .map((row) => `${row.action}@${row.unit ?? '-'}`)
          .sort();
        compared++;
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          problems.push(`${walk.name}: ${p} inbox ${JSON.stringify(actual)} ≠ workOf ${JSON.stringify(expected)}`);
        }
      }
    }
    // Issue 19 goal 2: each person's tab counts are the true totals of those same items (the
    // counts read the assignments alone, on the invariant that open unit work is on open tickets).
    for (const p of PERSONAS) {
      const all = await api.get(p, '/api/inbox?limit=200');
      const items = all.body as { action: string }[];
      expect(items.length).toBeLessThan(200);
      const listed: Record<string, number> = {};
      for (const i of items) listed[i.action] = (listed[i.action] ?? 0) + 1;
      const page = await api.get(p, '/api/inbox/page?limit=1');
      expect(page.status).toBe(200);
      const counted = Object.fromEntries(
        Object.entries(page.body.counts as Record<string, number>).filter(([, n]) => n > 0),
      );
      const sorted = (o: Record<string, number>) => JSON.stringify(Object.entries(o).sort());
      if (sorted(counted) !== sorted(listed)) {
        problems.push(`${p}: tab counts ${sorted(counted)} ≠ inbox items ${sorted(listed)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(compared).toBe(WALKS.length * PERSONAS.length);
  }, 120_000);

  it('issue 17.8: the walks reach every state of the workflow, on both chains', async () => {
    const reached = new Map<string, Set<string>>([
      ['A', new Set()],
      ['B', new Set()],
    ]);
    for (const w of WALKS) {
      const s = await stateOf(await build(w));
      reached.get(w.chain)!.add(String(phaseOf(s.state)));
    }
    const missing = PHASES.filter((p) => !reached.get('A')!.has(p) && !reached.get('B')!.has(p));
    expect(missing).toEqual([]);
    // Chain B passes every one of its review steps.
    expect(CHAIN_STEPS.B.filter((step) => !reached.get('B')!.has(step))).toEqual([]);
  }, 60_000);

  it('issue 17.8: refused actions (every action × every person × every state) are 403/409/404 with a Chinese message, never 5xx, and leave the ticket unchanged', async () => {
    const problems: string[] = [];
    let refusedCount = 0;
    for (const walk of WALKS) {
      const id = await build(walk);
      const before = await stateOf(id);
      const seen = new Map<Persona, boolean>();
      for (const p of PERSONAS) seen.set(p, (await api.get(p, `/api/tickets/${id}`)).status === 200);
      for (const p of PERSONAS) {
        const may = allowed(before, p);
        for (const action of ACTIONS) {
          if (may.has(action)) continue;
          refusedCount++;
          const r = await api.act(p, id, action, bodyFor(action, before.state));
          const okStatus = seen.get(p) ? [403, 409] : [403, 404];
          const chinese = typeof r.body?.message === 'string' && /[\u4e00-\u9fff]/.test(r.body.message);
          if (!okStatus.includes(r.status) || !chinese) {
            problems.push(`${walk.name}: ${p} ${action} → ${r.status} ${JSON.stringify(r.body).slice(0, 140)}`);
          }
        }
      }
      // The version only grows: the same version after all those attempts means none changed it.
      const after = await stateOf(id);
      if (after.state.version !== before.state.version || after.state.status !== before.state.status) {
        problems.push(
          `${walk.name}: refused attempts changed the ticket (v${before.state.version} → v${after.state.version})`,
        );
      }
    }
    expect(problems).toEqual([]);
    expect(refusedCount).toBeGreaterThan(3000); // 4,027 when written
  }, 300_000);

  it('issue 17.8: every action the workflow allows a person in a state succeeds over HTTP (a fresh ticket per attempt)', async () => {
    const problems: string[] = [];
    const tried: string[] = [];
    for (const walk of WALKS) {
      const probe = await stateOf(await build(walk));
      for (const p of PERSONAS) {
        for (const action of allowed(probe, p)) {
          const id = await build(walk);
          tried.push(`${walk.name}: ${p} ${action}`);
          const r = await api.act(p, id, action, bodyFor(action, probe.state));
          if (r.status !== 200) {
            problems.push(`${walk.name}: ${p} ${action} → ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(tried.length).toBeGreaterThan(100); // 153 when written
  }, 300_000);
});
