// Issue 13.1: the first admins come from ADMIN_USERIDS, applied at every boot (api, worker,
// standalone: ConfiguredAdminsBootstrap in the shared TicketsModule) and on every org sync, never
// removed by a sync. Real PostgreSQL, real HTTP to the DingTalk simulator.
import { Client } from 'pg';
import { createDataSource, PeopleAdminRepository } from '@hotline/db';
import { startDingTalkSimulator } from '../apps/dingtalk-sim/src/simulator';
import { createTestSender } from './support/worker';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';

type Sim = Awaited<ReturnType<typeof startDingTalkSimulator>>;

describe('ADMIN_USERIDS (issue 13.1)', () => {
  let sim: Sim;
  let t: TestApp;
  let api: ApiClient;
  let db: Client;

  const simCall = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${sim.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json().catch(() => null)) as any };
  };
  const person = async (userid: string) =>
    (await db.query(`SELECT userid, name, unionid, active, roles FROM people WHERE userid = $1`, [userid])).rows[0];
  const audit = async (userid: string) =>
    (
      await db.query(`SELECT at, via, changed_by, before, after FROM role_changes WHERE userid = $1 ORDER BY id`, [
        userid,
      ])
    ).rows;

  beforeAll(async () => {
    sim = await startDingTalkSimulator({ port: 0, host: '127.0.0.1' });
    t = await createTestApp({
      dbSuffix: 'adminids',
      start: new Date('2026-12-02T01:00:00Z'),
      env: { DINGTALK_SIM_PORT: String(sim.port), ADMIN_USERIDS: 'b2_leader, new_boss' },
    });
    api = new ApiClient(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
    await sim.close();
  });

  it('ISSUE-13.1: at boot a known person becomes admin and an unknown userid gets a minimal row, both audited once at the application clock', async () => {
    expect((await person('b2_leader')).roles).toEqual(['unit_leader', 'admin']);
    expect(await person('new_boss')).toMatchObject({ name: 'new_boss', unionid: null, active: true, roles: ['admin'] });
    expect(await audit('b2_leader')).toEqual([
      {
        at: new Date('2026-12-02T01:00:00Z'),
        via: 'setting',
        changed_by: null,
        before: ['unit_leader'],
        after: ['unit_leader', 'admin'],
      },
    ]);
    // A second process booting (the worker) changes nothing and audits nothing.
    const worker = await createTestSender(t.config, t.databaseUrl, t.clock);
    await worker.ctx.close();
    expect(await audit('b2_leader')).toHaveLength(1);
    const listed = await api.get('b2_leader', '/api/admin/people?q=new_boss');
    expect(listed.body.items).toEqual([
      expect.objectContaining({ userid: 'new_boss', synced: false, configuredAdmin: true }),
    ]);
  });

  it('ISSUE-13.1: several processes granting at once grant and audit each userid exactly once', async () => {
    const ids = ['race_a', 'race_b', 'fare_leader'];
    const sources = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const ds = createDataSource(t.databaseUrl, 2);
        await ds.initialize();
        return ds;
      }),
    );
    try {
      const granted = await Promise.all(
        sources.map((ds) => new PeopleAdminRepository(ds).grantConfiguredAdmins(ids, t.clock.now())),
      );
      expect(granted.flat().sort()).toEqual(['fare_leader', 'race_a', 'race_b']);
    } finally {
      await Promise.all(sources.map((ds) => ds.destroy()));
    }
    for (const id of ids) {
      expect((await person(id)).roles.filter((r: string) => r === 'admin')).toHaveLength(1);
      expect(await audit(id)).toHaveLength(1);
    }
    await db.query(`UPDATE people SET roles = '{unit_leader}' WHERE userid = 'fare_leader'`);
  });

  it('ISSUE-13.1: the person signs in with DingTalk before any sync and is an admin; the sync fills in the minimal row', async () => {
    await simCall('POST', '/_sim/org/users', { userid: 'new_boss', name: '新总', deptId: 100, title: '总经理' });
    const { body } = await simCall('POST', '/_sim/auth-code', { userid: 'new_boss' });
    const signIn = await t.app.inject({ method: 'POST', url: '/api/auth/dingtalk', payload: { code: body.code } });
    expect(signIn.statusCode).toBe(200);
    expect(signIn.json().user.roles).toContain('admin');
    const token = signIn.json().token as string;

    const sync = await t.app.inject({
      method: 'POST',
      url: '/api/admin/org-sync',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(sync.statusCode).toBe(200);
    expect(await person('new_boss')).toMatchObject({ name: '新总', unionid: 'union-new-boss', roles: ['admin'] });
    const units = await db.query(`SELECT unit_code FROM unit_memberships WHERE userid = 'new_boss'`);
    expect(units.rows).toEqual([{ unit_code: 'ops' }]);
  });

  it('ISSUE-13.1: a sync never removes it, puts it back if it was taken away in the database, and the page refuses to remove it', async () => {
    const refused = await api.call('new_boss', 'PUT', '/api/admin/people/b2_leader/roles', { roles: ['unit_leader'] });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('ADMIN_USERIDS');

    await db.query(`UPDATE people SET roles = '{unit_leader}' WHERE userid = 'b2_leader'`);
    t.clock.advance(60_000);
    const sync = await api.post('new_boss', '/api/admin/org-sync');
    expect(sync.body).toMatchObject({ complete: true, adminsGranted: 1 });
    expect((await person('b2_leader')).roles.sort()).toEqual(['admin', 'unit_leader']);
    const again = await api.post('new_boss', '/api/admin/org-sync');
    expect(again.body.adminsGranted).toBe(0);
    expect((await person('b2_leader')).roles.sort()).toEqual(['admin', 'unit_leader']);
  });
});
