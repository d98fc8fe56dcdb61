// Issue 18 (items 4, 5, 7) and 16.1: the outbox under DingTalk faults and dead workers. Real
// PostgreSQL, real HTTP to the simulator; the faults are the simulator's (`/_sim/faults`).
import { Client } from 'pg';
import { OutboxRepository } from '@hotline/db';
import { MAX_ATTEMPTS, type OutboxSender } from '../apps/worker/src/outbox/outbox-sender.service';
import type { TestApp } from './support/app';
import { startDingTalkStack, type DingTalkStack, type Sim } from './support/dingtalk-stack';
import { ApiClient } from './support/api-client';
import { createTestSender } from './support/worker';

describe('the outbox under DingTalk faults and dead workers', () => {
  let sim: Sim;
  let t: TestApp;
  let api: ApiClient;
  let sender: OutboxSender;
  let stack: DingTalkStack;
  let pg: Client;

  beforeAll(async () => {
    stack = await startDingTalkStack({ dbSuffix: 'outboxfaults' });
    ({ sim, t, api, sender } = stack);
    pg = new Client({ connectionString: t.databaseUrl });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await stack.close();
  });

  const simPost = async (path: string, body: unknown) => expect((await stack.simPost(path, body)).status).toBe(200);
  const clearFaults = () => fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' });
  const todos = (userid: string) => stack.todos(userid);
  /** The ticket's to-dos still open at DingTalk for the receiver to accept (key `…:accept:…`). */
  const openAcceptTodos = async (userid: string, ticketId: string) =>
    (await todos(userid)).filter(
      (x) => !x.done && x.sourceId?.startsWith(`todo_open:${ticketId}:`) && /:accept:/.test(x.sourceId),
    );
  const messages = (userid: string): Promise<unknown[]> => stack.messages(userid);
  const rows = async (ticketId: string) =>
    (
      await pg.query(
        `SELECT id, kind, status, attempts, last_error, next_attempt_at, claimed_by FROM outbox WHERE ticket_id = $1 ORDER BY id`,
        [ticketId],
      )
    ).rows;

  async function dispatched(subject: string, unit = 'branch2') {
    const c = await api.createTicket('dispatcher1', { subject });
    await api.ok('dispatcher1', c.id, 'dispatch', { assignments: [{ unit, role: 'sole' }] });
    return c.id as string;
  }

  /** Runs the sender, moving the clock past each backoff, until nothing is pending (bounded). */
  async function drainThroughBackoff(rounds = 12) {
    const total = { sent: 0, retried: 0, failed: 0 };
    for (let i = 0; i < rounds; i++) {
      const r = await sender.drain();
      total.sent += r.sent;
      total.retried += r.retried;
      total.failed += r.failed;
      const { rows: p } = await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`);
      if (p[0].n === 0) break;
      t.clock.advance(11 * 60_000); // past the longest backoff (10 min)
    }
    return total;
  }

  beforeEach(async () => {
    await simPost('/_sim/reset', {});
    await drainThroughBackoff();
  });

  it('R-9a (issue 16.1): HTTP 400 todo.taskCreate.flowControlError is retried with backoff, and the to-do arrives', async () => {
    const id = await dispatched('限流重试测试');
    // More answers than the client's own retries (3): the row must go back to the queue, not fail.
    await simPost('/_sim/faults', {
      kind: 'respond',
      count: 4,
      path: '/v1.0/todo/users',
      status: 400,
      body: { code: 'todo.taskCreate.flowControlError', message: '流控限制', requestid: 'r1' },
    });
    const first = await sender.drain();
    expect(first.failed).toBe(0);
    expect(first.retried).toBe(1);
    const open = (await rows(id)).find((r) => r.kind === 'todo_open')!;
    expect(open).toMatchObject({ status: 'pending', claimed_by: null });
    expect(open.last_error).toMatch(/flowControlError/);
    expect(new Date(open.next_attempt_at).getTime()).toBeGreaterThan(t.clock.now().getTime()); // backoff
    t.clock.advance(60_000);
    expect((await drainThroughBackoff()).failed).toBe(0);
    expect((await todos('b2_receiver')).filter((x) => !x.done)).toHaveLength(1);
    expect((await rows(id)).every((r) => r.status === 'sent')).toBe(true);
  });

  it('R-9a (issue 16.1): HTTP 400 …lockError is retried, not dropped', async () => {
    const id = await dispatched('锁冲突重试测试');
    await simPost('/_sim/faults', {
      kind: 'respond',
      count: 4,
      path: '/v1.0/todo/users',
      status: 400,
      body: { code: 'todo.taskCreate.lockError', message: 'lock error', requestid: 'r2' },
    });
    expect((await drainThroughBackoff()).failed).toBe(0);
    expect((await rows(id)).every((r) => r.status === 'sent')).toBe(true);
    expect((await todos('b2_receiver')).filter((x) => !x.done)).toHaveLength(1);
  });

  it('R-9a (issue 18.5): repeated token errors (40014 twice in a row, and more) are retried with backoff, never failed at once', async () => {
    const id = await dispatched('令牌错误重试测试');
    // Each send meets a token error, refreshes the token once, and meets another: 40014 twice.
    await simPost('/_sim/faults', { kind: 'expired_token', count: 6, path: '/topapi/message' });
    const first = await sender.drain();
    expect(first.failed).toBe(0);
    const notice = (await rows(id)).find((r) => r.kind === 'notice')!;
    expect(notice.status).toBe('pending');
    expect(notice.last_error).toMatch(/40014|access_token/);
    expect((await drainThroughBackoff()).failed).toBe(0);
    await clearFaults();
    expect((await rows(id)).every((r) => r.status === 'sent')).toBe(true);
    expect(await messages('b2_receiver')).toHaveLength(1);
  });

  it('R-9a (issue 16.1): a truly permanent refusal (a bad parameter) still fails the row at once', async () => {
    const id = await dispatched('永久错误测试');
    await simPost('/_sim/faults', {
      kind: 'respond',
      count: 1,
      path: '/v1.0/todo/users',
      status: 400,
      body: { code: 'todo.taskCreate.paramError', message: 'subject is oversize', requestid: 'r3' },
    });
    const r = await sender.drain();
    expect(r.failed).toBe(1);
    const open = (await rows(id)).find((x) => x.kind === 'todo_open')!;
    expect(open).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('R-9a (issue 18.4): a to-do created at DingTalk but not recorded, then accepted before the retry, is found by its source id and completed', async () => {
    const id = await dispatched('待办未记录测试');
    // The create reaches DingTalk (the to-do exists) but the answer is an error: not recorded.
    // (More faults than one attempt's calls: one may be spent on a call refused for its token.)
    await simPost('/_sim/faults', { kind: 'server_error', count: 8, afterHandling: true, path: '/v1.0/todo/users' });
    await sender.drain();
    await clearFaults();
    expect((await todos('b2_receiver')).filter((x) => !x.done)).toHaveLength(1);
    expect((await rows(id)).find((r) => r.kind === 'todo_open')!.status).toBe('pending');
    // The receiver accepts before the row is retried: a todo_done row now follows the open one.
    expect(await openAcceptTodos('b2_receiver', id)).toHaveLength(1);
    await api.ok('b2_receiver', id, 'accept');
    expect((await drainThroughBackoff()).failed).toBe(0);
    expect(await openAcceptTodos('b2_receiver', id)).toEqual([]);
    const { rows: recorded } = await pg.query(`SELECT status FROM dingtalk_todos WHERE ticket_id = $1`, [id]);
    expect(recorded.map((r) => r.status)).toContain('done');
  });

  it('R-9a (issue 18.4): a to-do whose row failed for good after DingTalk created it is still completed with the work', async () => {
    const id = await dispatched('待办失败后完成测试');
    // Every attempt reaches DingTalk and answers an error, until the row fails (MAX_ATTEMPTS).
    await simPost('/_sim/faults', { kind: 'server_error', count: 200, afterHandling: true, path: '/v1.0/todo/users' });
    for (let i = 0; i <= MAX_ATTEMPTS; i++) {
      await sender.drain();
      t.clock.advance(11 * 60_000);
    }
    await clearFaults();
    expect((await rows(id)).find((r) => r.kind === 'todo_open')!.status).toBe('failed');
    expect(await openAcceptTodos('b2_receiver', id)).toHaveLength(1);
    await api.ok('b2_receiver', id, 'accept');
    expect((await drainThroughBackoff()).failed).toBe(0);
    expect(await openAcceptTodos('b2_receiver', id)).toEqual([]);
  });

  it('R-9a (issue 18.7): rows claimed by a worker that died are taken over at once, not after the 60 s lease; a live owner keeps them', async () => {
    const id = await dispatched('崩溃接管测试');
    const second = await createTestSender(t.config, t.databaseUrl, t.clock);
    const outbox = second.ctx.get(OutboxRepository);
    // A worker (its own connection and lock) claims the ticket's rows, then hangs: still alive.
    const deadWorker = outbox.workerLock();
    try {
      const claimed = await outbox.claim(10, t.clock.now(), 60_000, await deadWorker.workerId());
      expect(claimed.map((r) => r.ticketId)).toContain(id);
      expect((await sender.drain()).claimed).toBe(0); // the owner is alive: hands off
      // Its process dies (kill -9): PostgreSQL ends its session and frees its lock.
      await deadWorker.release();
      const start = Date.now();
      const r = await sender.drain();
      expect(r.failed).toBe(0);
      expect(r.sent).toBe((await rows(id)).length); // the dead worker's rows and the ones behind them
      expect(Date.now() - start).toBeLessThan(30_000); // no clock moved: no lease waited out
      expect((await rows(id)).every((x) => x.status === 'sent' && x.claimed_by === null)).toBe(true);
      expect(await messages('b2_receiver')).toHaveLength(1);
    } finally {
      await deadWorker.release();
      await second.ctx.close();
    }
  });

  it('R-9a (issue 18.7): two workers draining at once, one of them killed mid-way: every row sent exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await dispatched(`双工作进程测试${i}`, 'safety'));
    const a = await createTestSender(t.config, t.databaseUrl, t.clock);
    const b = await createTestSender(t.config, t.databaseUrl, t.clock);
    const outbox = b.ctx.get(OutboxRepository);
    const victim = outbox.workerLock();
    // The victim claims two rows and dies before sending them.
    await outbox.claim(2, t.clock.now(), 60_000, await victim.workerId());
    await victim.release();
    try {
      const [ra, rb] = await Promise.all([a.sender.drain(), b.sender.drain()]);
      expect(ra.claimed + rb.claimed).toBe(10);
      expect(ra.failed + rb.failed).toBe(0);
    } finally {
      await a.ctx.close();
      await b.ctx.close();
    }
    const { rows: left } = await pg.query(
      `SELECT count(*)::int AS n FROM outbox WHERE ticket_id = ANY($1) AND status <> 'sent'`,
      [ids],
    );
    expect(left[0].n).toBe(0);
    expect(await messages('safety_receiver')).toHaveLength(5);
    expect((await todos('safety_receiver')).filter((x) => !x.done)).toHaveLength(5);
  });
});
