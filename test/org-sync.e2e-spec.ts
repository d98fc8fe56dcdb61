// The org sync as DingTalk really is (issue 13.4) and what it must leave alone (issue 13.3):
// real PostgreSQL, real HTTP to the DingTalk simulator.
import { Client } from 'pg';
import { OrgSyncService } from '@hotline/tickets';
import { startDingTalkSimulator } from '../apps/dingtalk-sim/src/simulator';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';

type Sim = Awaited<ReturnType<typeof startDingTalkSimulator>>;

describe('org sync (issue 13.4)', () => {
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
  const sync = () => api.post('admin', '/api/admin/org-sync');
  const person = async (userid: string) =>
    (
      await db.query(`SELECT userid, name, unionid, active, roles, receiver_by_admin FROM people WHERE userid = $1`, [
        userid,
      ])
    ).rows[0];
  const unitsOf = async (userid: string) =>
    (await db.query(`SELECT unit_code FROM unit_memberships WHERE userid = $1 ORDER BY unit_code`, [userid])).rows.map(
      (r) => r.unit_code,
    );
  const patch = async (url: string, payload: unknown) => {
    const res = await t.app.inject({
      method: 'PATCH',
      url,
      payload: payload as never,
      headers: { authorization: `Bearer ${await api.token('admin')}` },
    });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    sim = await startDingTalkSimulator({ port: 0, host: '127.0.0.1' });
    t = await createTestApp({ dbSuffix: 'orgsync', env: { DINGTALK_SIM_PORT: String(sim.port) } });
    api = new ApiClient(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
    await sim.close();
  });
  beforeEach(async () => {
    t.app.get(OrgSyncService).limits = { departments: 5000, people: 100_000 };
    await simCall('DELETE', '/_sim/faults');
  });

  it('ISSUE-13.4: members of the root department (dept 1) are synced as people without a unit, and stay active', async () => {
    await simCall('POST', '/_sim/org/users', { userid: 'gm_root', name: '总经理', deptId: 1, title: '总经理' });
    const first = await sync();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ complete: true, people: { created: 1, deactivated: 0 } });
    expect(await person('gm_root')).toMatchObject({ name: '总经理', active: true, roles: [] });
    expect(await unitsOf('gm_root')).toEqual([]);
    // Someone both in the root and in a unit keeps the unit.
    await simCall('PATCH', '/_sim/org/users/safety_leader', { deptIds: [1, 104], leaderInDepts: [104] });
    const second = await sync();
    expect(second.body.people.deactivated).toBe(0);
    expect(await person('gm_root')).toMatchObject({ active: true });
    expect(await unitsOf('safety_leader')).toEqual(['safety']);
    expect((await person('safety_leader')).roles).toEqual(['unit_leader']);
  });

  it('ISSUE-13.4: hidden (access-restricted) employees are listed with contain_access_limit and synced', async () => {
    await simCall('POST', '/_sim/org/users', { userid: 'hidden_b1', name: '隐藏员工', deptId: 102, hidden: true });
    await simCall('PATCH', '/_sim/org/users/b2_receiver', { hidden: true });
    const r = await sync();
    expect(r.body).toMatchObject({ complete: true, people: { deactivated: 0 } });
    expect(await person('hidden_b1')).toMatchObject({ active: true, roles: ['receiver'] });
    expect(await unitsOf('hidden_b1')).toEqual(['branch1']);
    expect(await person('b2_receiver')).toMatchObject({ active: true });
  });

  it('ISSUE-13.4: a sync that fails half-way writes nothing and deactivates nobody; the next complete one does', async () => {
    await simCall('DELETE', '/_sim/org/users/fare_receiver');
    await simCall('POST', '/_sim/org/users', { userid: 'late_joiner', name: '迟到', deptId: 105 });
    // The departments are read, then the first user/list is refused.
    await simCall('POST', '/_sim/faults', { kind: 'permission_denied', path: '/topapi/v2/user/list', count: 1 });
    const failed = await sync();
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect((await api.get('admin', '/api/admin/org-sync')).body).toMatchObject({ status: 'failed' });
    expect(await person('fare_receiver')).toMatchObject({ active: true });
    expect(await person('late_joiner')).toBeUndefined();

    const ok = await sync();
    expect(ok.body).toMatchObject({ complete: true, people: { created: 1, deactivated: 1 } });
    expect(await person('fare_receiver')).toMatchObject({ active: false });
  });

  it('ISSUE-13.4: a sync cut short by a limit updates what it read but deactivates nobody (status partial)', async () => {
    await simCall('DELETE', '/_sim/org/users/b2_receiver');
    await simCall('PATCH', '/_sim/org/users/dispatcher2', { title: '值班长' });
    t.app.get(OrgSyncService).limits = { departments: 5000, people: 3 };
    const partial = await sync();
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({
      complete: false,
      incompleteReason: 'more than 3 people',
      people: { deactivated: 0 },
      units: { deactivated: 0 },
    });
    expect((await api.get('admin', '/api/admin/org-sync')).body).toMatchObject({ status: 'partial' });
    expect(await person('b2_receiver')).toMatchObject({ active: true });

    t.app.get(OrgSyncService).limits = { departments: 1, people: 100_000 };
    await simCall('DELETE', '/_sim/org/users/fare_leader');
    const cut = await sync();
    expect(cut.body).toMatchObject({ complete: false, people: { deactivated: 0 }, units: { deactivated: 0 } });
    expect(await person('fare_leader')).toMatchObject({ active: true });
  });

  it("ISSUE-13.3: the sync never undoes an admin's role grant; unit_leader follows DingTalk's leader flag", async () => {
    await simCall('POST', '/_sim/reset');
    await sync();
    const grant = await api.call('admin', 'PUT', '/api/admin/people/b1_receiver/roles', {
      roles: ['receiver', 'dispatcher'],
    });
    expect(grant.status).toBe(200);
    const drop = await api.call('admin', 'PUT', '/api/admin/people/safety_receiver/roles', { roles: [] });
    expect(drop.body).toMatchObject({ roles: [], receiverByAdmin: true });
    await simCall('PATCH', '/_sim/org/users/b2_receiver', { leader: true });
    await sync();
    expect((await person('b1_receiver')).roles.sort()).toEqual(['dispatcher', 'receiver']);
    expect((await person('safety_receiver')).roles).toEqual([]);
    // b2_receiver became a leader in DingTalk: unit_leader added; no admin saved them, so receiver is derived (gone).
    expect((await person('b2_receiver')).roles).toEqual(['unit_leader']);
    const trail = await api.get('admin', '/api/admin/role-changes?userid=b2_receiver');
    expect(trail.body.items[0]).toMatchObject({ via: 'org_sync', before: ['receiver'], after: ['unit_leader'] });
  });

  it("ISSUE-13.3: an admin's rename, kind and deactivation of a unit survive the sync; a department the sync created can be set up", async () => {
    await simCall('POST', '/_sim/reset');
    const dept = await simCall('POST', '/_sim/org/departments', { name: '第三分公司' });
    await simCall('POST', '/_sim/org/users', { userid: 'b3_receiver', name: '三号', deptId: dept.body.dept_id });
    await sync();
    const created = (await api.get('admin', '/api/admin/units')).body.find(
      (u: any) => u.dingtalkDeptId === dept.body.dept_id,
    );
    expect(created).toMatchObject({ code: `dept_${dept.body.dept_id}`, kind: 'branch', active: true, members: 1 });

    expect((await patch('/api/admin/units/safety', { name: '安全科' })).status).toBe(200);
    expect((await patch('/api/admin/units/fare', { active: false })).status).toBe(200);
    expect((await patch(`/api/admin/units/${created.code}`, { kind: 'department' })).body).toMatchObject({
      kind: 'department',
    });
    await simCall('PATCH', '/_sim/org/departments/104', { name: '安全技术部' });
    const r = await sync();
    expect(r.status).toBe(200);
    const units = (await api.get('admin', '/api/admin/units')).body as any[];
    expect(units.find((u) => u.code === 'safety')).toMatchObject({
      name: '安全科',
      dingtalkName: '安全技术部',
      renamed: true,
    });
    expect(units.find((u) => u.code === 'fare')).toMatchObject({ active: false, deactivatedBy: 'admin' });
    expect(units.find((u) => u.code === created.code)).toMatchObject({ kind: 'department' });

    // A department that DingTalk removed is deactivated by the sync, and comes back with it.
    await simCall('DELETE', `/_sim/org/users/b3_receiver`);
    await simCall('DELETE', `/_sim/org/departments/${dept.body.dept_id}`);
    expect((await sync()).body.units.deactivated).toBe(1);
    await simCall('POST', '/_sim/org/departments', { name: '第三分公司', deptId: dept.body.dept_id });
    expect((await sync()).body.units.updated).toBeGreaterThanOrEqual(1);
    const back = ((await api.get('admin', '/api/admin/units')).body as any[]).find((u) => u.code === created.code);
    expect(back).toMatchObject({ active: true, deactivatedBy: null });
    expect(((await api.get('admin', '/api/admin/units')).body as any[]).find((u) => u.code === 'fare')).toMatchObject({
      active: false,
    });
    await patch('/api/admin/units/fare', { active: true });
  });
});
