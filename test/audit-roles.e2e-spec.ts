// Issue 17.4: the audit trail cannot be wiped by the application's own login. The database is
// migrated by its owner; `grantAppRole` (what `migration:run` does with DATABASE_APP_ROLE) gives
// the app role its privileges; the app then runs as that role, as the api and worker do in compose.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { AUDIT_TABLES, createDataSource, grantAppRole, SecurityRepository, seedDemoOrganisation } from '@hotline/db';
import { DataSource } from 'typeorm';
import { readCharShares } from '../libs/db/src/repositories/loop-sql';
import { createTestDatabase } from './support/database';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';
import { createTestSender } from './support/worker';

describe('issue 17.4: the app role reads and appends to the audit trail, nothing more', () => {
  const role = `hotline_app_${process.env.HOTLINE_TEST_RUN_ID}_w${process.env.JEST_WORKER_ID ?? '0'}`.toLowerCase();
  let ownerUrl: string;
  let appUrl: string;
  let owner: Client;
  let app: Client;
  let t: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    ownerUrl = await createTestDatabase('audit_roles');
    owner = new Client({ connectionString: ownerUrl });
    await owner.connect();
    await owner.query(`DROP ROLE IF EXISTS ${role}`);
    // A password of its own: the embedded PostgreSQL (CI) asks for one (SCRAM), a trust server ignores it.
    const password = randomBytes(12).toString('hex');
    await owner.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    const ds = createDataSource(ownerUrl, 2);
    await ds.initialize();
    try {
      await seedDemoOrganisation(ds);
      await grantAppRole(ds, role);
    } finally {
      await ds.destroy();
    }
    const u = new URL(ownerUrl);
    u.username = role;
    u.password = password;
    appUrl = u.toString();
    app = new Client({ connectionString: appUrl });
    await app.connect();
    t = await createTestApp({ databaseUrl: appUrl, seedDemo: false });
    api = new ApiClient(t.app);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await app?.end();
    if (owner) {
      await owner.query(`DROP OWNED BY ${role}`);
      await owner.query(`DROP ROLE ${role}`);
      await owner.end();
    }
  });

  it('issue 17.4: the app connects as the role, which is no superuser and owns no table', async () => {
    const r = await app.query(
      `SELECT current_user AS me, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su,
              (SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user) AS owns`,
    );
    expect(r.rows[0]).toEqual({ me: role, su: false, owns: 0 });
  });

  it('R-15, issue 17.4: the app role reads the characters\u2019 shares that order a search\u2019s pieces, through the owner\u2019s function', async () => {
    for (const subject of ['站台积水', '车门故障', '空调不冷']) await api.createTicket('dispatcher1', { subject });
    await owner.query('ANALYZE tickets');
    // pg_stats shows the index's statistics to its owner only.
    const direct = await app.query(`SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'tickets_chars'`);
    expect(direct.rows[0].n).toBe(0);
    const shares = await readCharShares(t.app.get(DataSource));
    expect(shares?.shares.get('站')).toBeGreaterThan(0);
  });

  it('issue 17.4: the product flow (register, dispatch, accept, reveal, export) works as the app role', async () => {
    const c = await api.createTicket('dispatcher1');
    await api.ok('dispatcher1', c.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    await api.ok('b1_receiver', c.id, 'accept');
    const reveal = await api.post('dispatcher2', `/api/tickets/${c.id}/caller/reveal`, { reason: '核对来电号码' });
    expect(reveal.status).toBe(200);
    const exported = await t.app.inject({
      method: 'GET',
      url: `/api/ledger/export?q=${encodeURIComponent(c.number ?? '')}`,
      headers: { authorization: `Bearer ${await api.token('ops_head')}` },
    });
    expect(exported.statusCode).toBe(200);
    // What the flow wrote is on the audit trail, readable by the app role.
    const timeline = await app.query(`SELECT count(*)::int AS n FROM timeline_events WHERE ticket_id = $1`, [c.id]);
    expect(timeline.rows[0].n).toBeGreaterThanOrEqual(3);
    const reveals = await app.query(`SELECT count(*)::int AS n FROM caller_reveals WHERE ticket_id = $1`, [c.id]);
    expect(reveals.rows[0].n).toBe(1);
    // The record is finished just after the last byte is sent: wait for it (not for a time).
    let status = 'running';
    for (let i = 0; i < 500 && status === 'running'; i++) {
      status = (await app.query(`SELECT status FROM ledger_exports ORDER BY id DESC LIMIT 1`)).rows[0].status;
      if (status === 'running') await new Promise((r) => setTimeout(r, 10));
    }
    expect(status).toBe('done');
  });

  it('issue 17.4, issue 19: INSERT and SELECT on the audit tables work; a running export beats and is finished once', async () => {
    await app.query(
      `INSERT INTO role_changes (at, changed_by, via, userid, before, after) VALUES (now(), 'admin1', 'admin', 'b1_clerk', '{}', '{dispatcher}')`,
    );
    await app.query(
      `INSERT INTO config_changes (at, changed_by, entity, code, before, after) VALUES (now(), 'admin1', 'unit', 'branch1', NULL, '{}')`,
    );
    const ex = await app.query(
      `INSERT INTO ledger_exports (userid, started_at, filters) VALUES ('ops_head', now(), '{}') RETURNING id`,
    );
    const id = ex.rows[0].id;
    // Issue 19: while it runs, its progress and heartbeat are written as the app role.
    await app.query(`UPDATE ledger_exports SET row_count = 1, heartbeat_at = now() WHERE id = $1`, [id]);
    await app.query(`UPDATE ledger_exports SET status = 'done', row_count = 1, finished_at = now() WHERE id = $1`, [
      id,
    ]);
    // Once finished, the record is history: neither its outcome nor who ran it may change.
    await expect(app.query(`UPDATE ledger_exports SET row_count = 0 WHERE id = $1`, [id])).rejects.toThrow(
      /append-only/,
    );
    await expect(app.query(`UPDATE ledger_exports SET userid = 'admin1' WHERE id = $1`, [id])).rejects.toThrow(
      /permission denied/,
    );
    for (const table of AUDIT_TABLES) {
      const r = await app.query(`SELECT count(*)::int AS n FROM ${table}`);
      expect(r.rows[0].n).toBeGreaterThan(0);
    }
  });

  it.each(AUDIT_TABLES.map((x) => [x]))(
    'issue 17.4: UPDATE, DELETE, TRUNCATE and DISABLE TRIGGER on %s are refused to the app role',
    async (table) => {
      const before = (await owner.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
      expect(before).toBeGreaterThan(0);
      const column = table === 'ledger_exports' ? 'filters' : 'at';
      await expect(app.query(`UPDATE ${table} SET ${column} = ${column}`)).rejects.toThrow(/permission denied/);
      await expect(app.query(`DELETE FROM ${table}`)).rejects.toThrow(/permission denied/);
      await expect(app.query(`TRUNCATE ${table}`)).rejects.toThrow(/permission denied/);
      await expect(app.query(`ALTER TABLE ${table} DISABLE TRIGGER ALL`)).rejects.toThrow(/must be owner/);
      await expect(app.query(`DROP TABLE ${table}`)).rejects.toThrow(/must be owner/);
      expect((await owner.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n).toBe(before);
    },
  );

  it.each(AUDIT_TABLES.map((x) => [x]))(
    'issue 17.4: the triggers refuse DELETE and TRUNCATE on %s even to a role with the privilege',
    async (table) => {
      // The owner (here the superuser) holds every privilege: only the triggers stand in the way.
      await expect(owner.query(`DELETE FROM ${table}`)).rejects.toThrow(/append-only/);
      await expect(owner.query(`TRUNCATE ${table} CASCADE`)).rejects.toThrow(/append-only/);
    },
  );

  it('issue 17.4: the worker (outbox sender) and the caller-data jobs (retention, re-encryption) run as the app role', async () => {
    const worker = await createTestSender(t.config, appUrl, t.clock);
    try {
      const c = await api.createTicket('dispatcher1', { category: 'consultation' });
      await api.ok('dispatcher1', c.id, 'answer_directly', { answer: '35路末班车22:00。' });
      const sent = await worker.sender.runOnce();
      expect(sent).toMatchObject({ failed: 0 });
      expect(sent.sent).toBeGreaterThan(0);
    } finally {
      await worker.ctx.close();
    }
    // Retention erases the callers of tickets closed long ago (UPDATE on tickets, an INSERT on
    // their timeline) and key rotation rewrites ciphertexts: neither touches an audit row.
    t.clock.advance(4 * 365 * 24 * 3600_000);
    const admin = new ApiClient(t.app);
    const run = await admin.post('admin', '/api/admin/retention/run');
    expect(run.status).toBe(200);
    expect(run.body.count).toBeGreaterThan(0);
    expect(await t.app.get(SecurityRepository).reencryptCallerData()).toBe(0);
  });

  it('issue 17.4: grantAppRole refuses a role that could undo it (a superuser, the owner)', async () => {
    const ds = createDataSource(ownerUrl, 1);
    await ds.initialize();
    try {
      await expect(grantAppRole(ds, 'postgres')).rejects.toThrow(/must not be a superuser nor own the tables/);
      await expect(grantAppRole(ds, 'no_such_role_17_4')).rejects.toThrow(/does not exist/);
      await expect(grantAppRole(ds, 'Bad-Name')).rejects.toThrow(/not a plain role name/);
    } finally {
      await ds.destroy();
    }
  });
});
