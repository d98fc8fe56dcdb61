// Issue 18.6: a database outage. The test owns its PostgreSQL (an embedded server on its own
// folder and port), stops it (fast and immediate shutdowns), and starts it again.
import { Logger } from '@nestjs/common';
import { ensureDatabase, runMigrations } from '@hotline/db';
import type { OutboxSender } from '../apps/worker/src/outbox/outbox-sender.service';
import { createTestApp, signIn, type TestApp } from './support/app';
import { OwnPostgres } from './support/own-postgres';
import { createTestSender } from './support/worker';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a database outage (issue 18.6)', () => {
  let pg: OwnPostgres;
  let t: TestApp;
  let token: string;
  let sender: OutboxSender;
  let closeSender: () => Promise<void>;

  beforeAll(async () => {
    pg = await OwnPostgres.create();
    await ensureDatabase(pg.url('postgres'), 'hotline');
    await runMigrations(pg.url('hotline'));
    t = await createTestApp({ databaseUrl: pg.url('hotline'), seedDemo: true });
    token = await signIn(t.app, 'dispatcher1');
    const s = await createTestSender(t.config, t.databaseUrl, t.clock);
    sender = s.sender;
    closeSender = () => s.ctx.close();
  }, 120_000);

  afterAll(async () => {
    await closeSender?.().catch(() => undefined);
    await t?.close().catch(() => undefined);
    await pg?.destroy().catch(() => undefined);
  });

  const get = (url: string) =>
    t.app.inject({ method: 'GET', url, headers: url === '/health' ? {} : { authorization: `Bearer ${token}` } });

  async function healthyWithin(ms: number): Promise<number> {
    const start = Date.now();
    while (Date.now() - start < ms) {
      if ((await get('/health')).statusCode === 200 && (await get('/api/tickets?limit=1')).statusCode === 200) {
        return Date.now() - start;
      }
      await sleep(100);
    }
    throw new Error(`not healthy within ${ms} ms`);
  }

  async function expectOutageAnswers() {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const error = jest.spyOn(Logger.prototype, 'error');
    try {
      const replies = await Promise.all(Array.from({ length: 30 }, () => get('/api/tickets?limit=5')));
      expect(replies.map((r) => r.statusCode)).toEqual(Array(30).fill(503));
      expect(replies.every((r) => r.headers['retry-after'] === '5')).toBe(true);
      expect(replies[0].json()).toMatchObject({ statusCode: 503, error: 'DATABASE_UNAVAILABLE' });
      const health = await get('/health');
      expect(health.statusCode).toBe(503);
      expect(health.headers['retry-after']).toBe('5');
      expect(health.json()).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
      // At most one line (one per 30 s of outage), not one per request; nothing at error level.
      expect(warn.mock.calls.filter((c) => String(c[1]).includes('database unavailable')).length).toBeLessThanOrEqual(
        1,
      );
      expect(error).not.toHaveBeenCalled();
      // The worker does not crash either: its round fails and the next one sends.
      await expect(sender.runOnce()).rejects.toBeDefined();
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  }

  it('R-9a: PostgreSQL stopped (fast shutdown): 503 with Retry-After, /health 503 naming the database, one log line; after a restart everything answers', async () => {
    expect((await get('/health')).statusCode).toBe(200);
    await pg.stop('fast');
    await expectOutageAnswers();
    await pg.start();
    const recovered = await healthyWithin(20_000);
    expect(recovered).toBeLessThan(20_000);
    expect((await sender.runOnce()).failed).toBe(0);
  }, 90_000);

  it('R-9a: PostgreSQL killed (immediate shutdown, SIGQUIT): the same 503s, and it recovers after a restart', async () => {
    await pg.stop('immediate');
    expect(pg.alive()).toBe(false);
    await expectOutageAnswers();
    await pg.start();
    await healthyWithin(20_000);
  }, 90_000);

  it('R-9a: the api and the worker shut down at once after database restarts (well under 2 s, not 12)', async () => {
    const start = Date.now();
    await closeSender();
    await t.close();
    const closedIn = Date.now() - start;
    const stopStart = Date.now();
    await pg.stop();
    const stoppedIn = Date.now() - stopStart;
    process.stdout.write(
      `[reliability] shutdown after two database restarts: app ${closedIn} ms, PostgreSQL ${stoppedIn} ms\n`,
    );
    expect(closedIn + stoppedIn).toBeLessThan(3000);
  }, 60_000);
});
