// Issue 13.3: people and roles, units, sources and categories configured in the app. Admin only,
// every change audited (append-only, application clock). Real PostgreSQL through HTTP.
import { Client } from 'pg';
import { AdminPeopleService, type CurrentUser } from '@hotline/tickets';
import { DomainError } from '@hotline/workflow';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';

describe('admin: people, roles, units, sources and categories (issue 13.3)', () => {
  let t: TestApp;
  let api: ApiClient;
  let db: Client;

  const patch = async (userid: string, url: string, payload: unknown) => {
    const res = await t.app.inject({
      method: 'PATCH',
      url,
      payload: payload as never,
      headers: { authorization: `Bearer ${await api.token(userid)}` },
    });
    return { status: res.statusCode, body: res.json() };
  };
  const setRoles = (by: string, userid: string, roles: unknown) =>
    api.call(by, 'PUT', `/api/admin/people/${userid}/roles`, { roles });

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'peopleadmin' });
    api = new ApiClient(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('ISSUE-13.3: only an admin may read or change people, units, sources and categories (403 for others)', async () => {
    for (const who of ['dispatcher1', 'ops_head', 'b1_receiver']) {
      expect((await api.get(who, '/api/admin/people')).status).toBe(403);
      expect((await setRoles(who, who, ['admin'])).status).toBe(403);
      expect((await api.get(who, '/api/admin/role-changes')).status).toBe(403);
      expect((await api.get(who, '/api/admin/units')).status).toBe(403);
      expect((await patch(who, '/api/admin/units/fare', { name: 'x' })).status).toBe(403);
      expect((await api.post(who, '/api/admin/sources', { code: 'x_src', name: 'x', chain: 'A' })).status).toBe(403);
      expect((await patch(who, '/api/admin/categories/praise', { active: false })).status).toBe(403);
    }
    expect((await api.get(null, '/api/admin/people')).status).toBe(401);
  });

  it('ISSUE-13.3: the people list filters by q (name or userid), role and unit, in keyset pages', async () => {
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.get('admin', `/api/admin/people?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(4);
      all.push(...page.body.items.map((p: any) => p.userid));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(expect.arrayContaining(['dispatcher1', 'b1_receiver', 'admin', 'fare_leader']));

    const byName = await api.get('admin', `/api/admin/people?q=${encodeURIComponent('赵')}`);
    expect(byName.body.items).toEqual([
      {
        userid: 'b1_receiver',
        name: '赵强',
        title: '接单员',
        active: true,
        roles: ['receiver'],
        units: [{ code: 'branch1', name: '第一分公司', isLeader: false }],
        synced: true,
        configuredAdmin: false,
        receiverByAdmin: false,
      },
    ]);
    // Ordered by name, then userid: 李娜 (dispatcher2) before 王敏 (dispatcher1).
    expect((await api.get('admin', '/api/admin/people?q=DISPATCHER')).body.items.map((p: any) => p.userid)).toEqual([
      'dispatcher2',
      'dispatcher1',
    ]);
    // A % in q is a character, not a wildcard.
    expect((await api.get('admin', '/api/admin/people?q=%25')).body.items).toEqual([]);
    expect((await api.get('admin', '/api/admin/people?role=unit_leader&unit=branch2')).body.items).toEqual([
      expect.objectContaining({ userid: 'b2_leader' }),
    ]);
    expect((await api.get('admin', '/api/admin/people?role=boss')).body).toMatchObject({
      statusCode: 400,
      field: 'role',
    });
    expect((await api.get('admin', '/api/admin/people?cursor=nonsense')).body).toMatchObject({ field: 'cursor' });

    const roles = await api.get('admin', '/api/admin/roles');
    expect(roles.body.filter((r: any) => r.source === 'dingtalk').map((r: any) => r.role)).toEqual([
      'receiver',
      'unit_leader',
    ]);
  });

  it('ISSUE-13.3: a role change takes effect at once and is audited with who, when (application clock), before and after', async () => {
    t.clock.set(new Date('2026-12-01T02:00:00Z'));
    const r = await setRoles('admin', 'fare_receiver', ['receiver', 'dispatcher']);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ userid: 'fare_receiver', roles: ['dispatcher', 'receiver'], receiverByAdmin: true });
    // The new dispatcher may register at once (roles are read per request).
    expect((await api.createTicket('fare_receiver')).id).toEqual(expect.any(String));

    const trail = await api.get('admin', '/api/admin/role-changes?userid=fare_receiver');
    expect(trail.body.items).toEqual([
      expect.objectContaining({
        at: '2026-12-01T02:00:00.000Z',
        changedBy: 'admin',
        changedByName: '马超',
        via: 'admin',
        userid: 'fare_receiver',
        before: ['receiver'],
        after: ['dispatcher', 'receiver'],
      }),
    ]);
    expect((await api.get('admin', '/api/admin/role-changes')).body.items[0]).toMatchObject({
      userid: 'fare_receiver',
    });
    // Saving the same roles again changes nothing and audits nothing.
    await setRoles('admin', 'fare_receiver', ['dispatcher', 'receiver']);
    expect((await api.get('admin', '/api/admin/role-changes?userid=fare_receiver')).body.items).toHaveLength(1);

    // The audit is append-only, for the application's own login too.
    await expect(db.query(`UPDATE role_changes SET after = '{}'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM role_changes`)).rejects.toThrow(/append-only/);
    await expect(db.query(`TRUNCATE role_changes`)).rejects.toThrow(/append-only/);
  });

  it('ISSUE-13.3: bad role input is a 400 naming roles; unit_leader comes from DingTalk and cannot be set here', async () => {
    expect((await setRoles('admin', 'b1_receiver', ['boss'])).body).toMatchObject({ statusCode: 400, field: 'roles' });
    expect((await setRoles('admin', 'b1_receiver', 'admin')).body).toMatchObject({ statusCode: 400, field: 'roles' });
    const leader = await setRoles('admin', 'b1_receiver', ['receiver', 'unit_leader']);
    expect(leader.status).toBe(400);
    expect(leader.body.message).toContain('钉钉');
    expect((await setRoles('admin', 'b1_leader', [])).status).toBe(400);
    expect((await setRoles('admin', 'nobody_here', ['receiver'])).status).toBe(404);
  });

  it('ISSUE-13.3: an admin cannot remove the last active admin; two admins removing each other at once leave one', async () => {
    const last = await setRoles('admin', 'admin', []);
    expect(last.status).toBe(409);
    expect(last.body).toMatchObject({ field: 'roles' });
    expect(last.body.message).toContain('最后一位');

    // Two admins, each removing the other at the same moment, both past the access check: the
    // active admins' rows are locked, so the second sees it is no longer an admin (or the last one).
    const service = t.app.get(AdminPeopleService);
    const actor = (userid: string): CurrentUser =>
      ({ userid, name: userid, roles: ['admin'], units: [] }) as unknown as CurrentUser;
    for (let round = 0; round < 5; round++) {
      await db.query(`UPDATE people SET roles = '{admin}' WHERE userid IN ('admin', 'dispatcher2')`);
      const results = await Promise.allSettled([
        service.setRoles(actor('admin'), 'dispatcher2', ['dispatcher']),
        service.setRoles(actor('dispatcher2'), 'admin', []),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(DomainError);
      expect(['FORBIDDEN', 'CONFLICT']).toContain(refused.reason.code);
      const admins = await db.query(`SELECT userid FROM people WHERE active AND 'admin' = ANY(roles)`);
      expect(admins.rows).toHaveLength(1);
    }
    // Back to the demo roles for the other tests.
    await db.query(`UPDATE people SET roles = '{admin}' WHERE userid = 'admin'`);
    await db.query(`UPDATE people SET roles = '{dispatcher}' WHERE userid = 'dispatcher2'`);
  });

  it('ISSUE-13.3: units: kind, rename, DingTalk department and activation, each audited; one ops and one office', async () => {
    const units = (await api.get('admin', '/api/admin/units')).body as any[];
    expect(units.find((u) => u.code === 'ops')).toMatchObject({
      kind: 'ops',
      kindLabel: '运营服务部',
      dingtalkDeptId: 100,
    });
    expect(units.find((u) => u.code === 'office')).toMatchObject({ kind: 'office' });

    const second = await patch('admin', '/api/admin/units/safety', { kind: 'ops' });
    expect(second).toMatchObject({ status: 409, body: { field: 'kind' } });
    const dept = await patch('admin', '/api/admin/units/safety', { dingtalkDeptId: 105 });
    expect(dept).toMatchObject({ status: 409, body: { field: 'dingtalkDeptId' } });
    expect((await patch('admin', '/api/admin/units/safety', { kind: 'boss' })).status).toBe(400);
    expect((await patch('admin', '/api/admin/units/safety', { name: '' })).body).toMatchObject({ field: 'name' });
    expect((await patch('admin', '/api/admin/units/nowhere', { name: 'x' })).status).toBe(404);

    const renamed = await patch('admin', '/api/admin/units/safety', { name: '安全科', kind: 'department' });
    expect(renamed.body).toMatchObject({ code: 'safety', name: '安全科' });
    const off = await patch('admin', '/api/admin/units/safety', { active: false });
    expect(off.body).toMatchObject({ active: false, deactivatedBy: 'admin' });
    // An inactive unit is no longer offered for dispatch.
    expect(((await api.get('dispatcher1', '/api/units')).body as any[]).map((u) => u.code)).not.toContain('safety');
    await patch('admin', '/api/admin/units/safety', { active: true, name: '安全技术科' });
    const audit = await api.get('admin', '/api/admin/config-changes?entity=unit&code=safety');
    expect(audit.body.map((c: any) => c.after)).toEqual([
      expect.objectContaining({ name: '安全技术科', active: true }),
      expect.objectContaining({ active: false }),
      expect.objectContaining({ name: '安全科' }),
    ]);
    expect(audit.body[2]).toMatchObject({
      changedBy: 'admin',
      before: expect.objectContaining({ name: '安全技术科' }),
    });
  });

  it('ISSUE-13.3: sources and categories: create, edit, deactivate; a deactivated one is refused for new tickets and stays on old ones', async () => {
    const created = await api.post('admin', '/api/admin/sources', {
      code: 'metro_hotline',
      name: '地铁热线',
      chain: 'B',
    });
    expect(created).toMatchObject({ status: 201, body: { code: 'metro_hotline', chain: 'B', active: true } });
    expect(
      (await api.post('admin', '/api/admin/sources', { code: 'metro_hotline', name: 'x', chain: 'A' })).status,
    ).toBe(409);
    expect(
      (await api.post('admin', '/api/admin/sources', { code: 'Bad Code', name: 'x', chain: 'A' })).body,
    ).toMatchObject({ statusCode: 400, field: 'code' });
    expect(
      (await api.post('admin', '/api/admin/sources', { code: 'x_src', name: 'x', chain: 'C' })).body,
    ).toMatchObject({
      statusCode: 400,
      field: 'chain',
    });
    expect(((await api.get('dispatcher1', '/api/sources')).body as any[]).map((s) => s.code)).toContain(
      'metro_hotline',
    );

    const old = await api.createTicket('dispatcher1', { source: 'metro_hotline' });
    expect(
      (await patch('admin', '/api/admin/sources/metro_hotline', { active: false, name: '地铁服务热线' })).body,
    ).toMatchObject({
      active: false,
      name: '地铁服务热线',
    });
    const refused = await api.post('dispatcher1', '/api/tickets', {
      source: 'metro_hotline',
      channel: 'phone',
      category: 'complaint',
      subject: '地铁站出口指示不清',
      content: '市民反映地铁站出口指示不清。',
      caller: { name: '张三丰', phone: '13812345678' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ field: 'source' });
    expect(refused.body.message).toContain('已停用');
    expect(((await api.get('dispatcher1', '/api/sources')).body as any[]).map((s) => s.code)).not.toContain(
      'metro_hotline',
    );
    const still = await api.get('dispatcher1', `/api/tickets/${old.id}`);
    expect(still.body.source).toEqual({ code: 'metro_hotline', name: '地铁服务热线' });
    expect(
      ((await api.get('admin', '/api/admin/sources')).body as any[]).find((s) => s.code === 'metro_hotline'),
    ).toMatchObject({ active: false });

    expect((await api.post('admin', '/api/admin/categories', { code: 'lost_found', name: '失物招领' })).status).toBe(
      201,
    );
    expect((await patch('admin', '/api/admin/categories/lost_found', { active: false })).body).toMatchObject({
      active: false,
    });
    const cat = await api.post('dispatcher1', '/api/tickets', {
      source: 'group_hotline',
      channel: 'phone',
      category: 'lost_found',
      subject: '遗失钱包',
      content: '乘客在12路车上遗失钱包。',
      caller: { name: '张三丰', phone: '13812345678' },
    });
    expect(cat.body).toMatchObject({ statusCode: 400, field: 'category' });
    expect((await patch('admin', '/api/admin/categories/none_such', { active: false })).status).toBe(404);
    const audit = await api.get('admin', '/api/admin/config-changes?entity=source&code=metro_hotline');
    expect(audit.body.map((c: any) => c.before === null)).toEqual([false, true]);
  });
});
