// Issue 19.1 (write path): sources, categories, units and time-limit policies are cached per
// process and checked against reference_revision. An admin's edit through the API, or a change
// made by another process (plain SQL here), is seen by the very next registration or dispatch.
import { Client } from 'pg';
import { formatShanghai, parseShanghai } from '@hotline/calendar';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';

const at = (text: string) => parseShanghai(text);

describe('reference data cache (issue 19.1)', () => {
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
  const register = (category: string) =>
    api.post('dispatcher1', '/api/tickets', {
      source: 'group_hotline',
      channel: 'phone',
      category,
      subject: '12路公交车未停靠人民广场站',
      content: '市民反映12路公交车上行方向在人民广场站未停车。',
      caller: { name: '张三丰', phone: '13812345678' },
    });
  const dispatch = async (unit: string) => {
    const ticket = await api.createTicket('dispatcher1');
    return api.act('dispatcher1', ticket.id, 'dispatch', { assignments: [{ unit, role: 'sole' }] });
  };

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'refcache', start: at('2026-11-30 09:00') });
    api = new ApiClient(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('issue 19.1: an admin deactivating a category through the API is seen by the next registration', async () => {
    expect((await register('praise')).status).toBe(201); // the cache now holds the category as active
    expect((await patch('admin', '/api/admin/categories/praise', { active: false })).status).toBe(200);
    const refused = await register('praise');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ field: 'category' });
    expect(refused.body.message).toContain('已停用');
    expect((await patch('admin', '/api/admin/categories/praise', { active: true })).status).toBe(200);
    expect((await register('praise')).status).toBe(201);
  });

  it('issue 19.1: a source or unit changed by another process (plain SQL) is seen by the next registration or dispatch', async () => {
    expect((await register('complaint')).status).toBe(201);
    await db.query(`UPDATE sources SET active = false WHERE code = 'group_hotline'`);
    try {
      const refused = await register('complaint');
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ field: 'source' });
    } finally {
      await db.query(`UPDATE sources SET active = true WHERE code = 'group_hotline'`);
    }
    expect((await dispatch('fare')).status).toBe(200);
    await db.query(`UPDATE units SET active = false, deactivated_by = 'sync' WHERE code = 'fare'`);
    try {
      const refused = await dispatch('fare');
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ field: 'assignments.unit' });
    } finally {
      await db.query(`UPDATE units SET active = true, deactivated_by = NULL WHERE code = 'fare'`);
    }
    expect((await dispatch('fare')).status).toBe(200);
  });

  it('issue 19.1: a unit renamed by the admin is named so in the next dispatch answer', async () => {
    expect((await dispatch('safety')).status).toBe(200);
    expect((await patch('admin', '/api/admin/units/safety', { name: '安全监察部' })).status).toBe(200);
    const d = await dispatch('safety');
    expect(d.status).toBe(200);
    expect(d.body.assignments[0].unit).toEqual({ code: 'safety', name: '安全监察部' });
  });

  it('issue 19.1: a time-limit policy the admin puts is used by the next dispatch', async () => {
    t.clock.set(at('2026-11-30 09:00'));
    const first = await dispatch('branch1');
    // Monday 09:00 + 5 working days (the seeded catch-all) → next Monday 17:30.
    expect(formatShanghai(new Date(first.body.assignments[0].replyDeadline))).toBe('2026-12-07 17:30');
    const before = await api.get('admin', '/api/admin/time-limits');
    const defaults = (before.body as any[]).map((p) => ({
      sourceCode: p.sourceCode,
      categoryCode: p.categoryCode,
      urgency: p.urgency,
      accept: p.accept,
      reply: p.reply,
      review: p.review,
      note: p.note,
    }));
    const put = await api.call('admin', 'PUT', '/api/admin/time-limits', {
      policies: [
        ...defaults,
        { sourceCode: 'group_hotline', categoryCode: 'complaint', reply: { amount: 2, unit: 'working_days' } },
      ],
    });
    expect(put.status).toBe(200);
    const second = await dispatch('branch1');
    expect(formatShanghai(new Date(second.body.assignments[0].replyDeadline))).toBe('2026-12-02 17:30');
    expect((await api.call('admin', 'PUT', '/api/admin/time-limits', { policies: defaults })).status).toBe(200);
    const third = await dispatch('branch1');
    expect(formatShanghai(new Date(third.body.assignments[0].replyDeadline))).toBe('2026-12-07 17:30');
  });
});
