// Issue 14.5: the micro-app's types are generated from the OpenAPI document, so the document must
// say what the routes really answer. Each answer here (of the admin, loop, people-admin and
// intake-admin routes, on a closed ticket with a case file) is checked against the schema its
// route declares: a field a DTO leaves out, a wrong type or a null where none is declared fails.
import { parseShanghai } from '@hotline/calendar';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';
import { responseSchema, shapeErrors } from './support/openapi-shape';

describe('issue 14.5: answers fit the OpenAPI document', () => {
  let t: TestApp;
  let api: ApiClient;
  let doc: Record<string, any>;

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'api_shapes', start: parseShanghai('2026-11-30 09:00') });
    api = new ApiClient(t.app);
    doc = (await api.get(null, '/api/docs-json')).body;
    // One ticket through to closed, at fault, with its case file pending.
    const ticket = await api.createTicket('dispatcher1');
    await api.ok('dispatcher1', ticket.id, 'dispatch', {
      assignments: [{ unit: 'branch1', role: 'sole' }],
      replyDeadline: new Date(t.clock.now().getTime() + 4 * 3_600_000).toISOString(),
    });
    await api.ok('b1_receiver', ticket.id, 'accept');
    await api.ok('b1_receiver', ticket.id, 'submit_reply', replyBody(t.clock.now()));
    await api.ok('b1_leader', ticket.id, 'approve_reply', {});
    await api.ok('dispatcher1', ticket.id, 'pass_review', {});
    await api.ok('ops_head', ticket.id, 'pass_review', {});
    await api.ok('ops_head', ticket.id, 'mark_responsible', {
      atFault: true,
      basis: '车载视频显示驾驶员未进站',
      responsibleUnit: 'branch1',
    });
  });
  afterAll(() => t.close());

  /** Calls the route as `who`, insists on 200/201 and on the declared shape; `route` is the document's path. */
  async function fits(
    who: string,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    url: string,
    route: string,
    body?: unknown,
  ) {
    const res = await t.app.inject({
      method,
      url,
      payload: body as never,
      headers: { authorization: `Bearer ${await api.token(who)}` },
    });
    if (res.statusCode !== 200 && res.statusCode !== 201)
      throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`);
    const answer = res.json();
    expect({ url, errors: shapeErrors(doc, responseSchema(doc, method, route), answer) }).toEqual({ url, errors: [] });
    return answer;
  }

  it('issue 14.5: the admin routes (DingTalk usage, outbox, calendar, time limits, R-19 audit, retention)', async () => {
    await fits('admin', 'GET', '/api/admin/dingtalk/usage', '/api/admin/dingtalk/usage');
    const outbox = await fits('admin', 'GET', '/api/admin/outbox?status=pending', '/api/admin/outbox');
    expect(outbox.length).toBeGreaterThan(0);
    await fits('admin', 'GET', '/api/admin/calendar', '/api/admin/calendar');
    await fits('admin', 'PUT', '/api/admin/calendar/overrides/2026-12-07', '/api/admin/calendar/overrides/{date}', {
      kind: 'closed',
      note: '停电',
    });
    const limits = await fits('admin', 'GET', '/api/admin/time-limits', '/api/admin/time-limits');
    expect(limits.length).toBeGreaterThan(0);
    const [ticket] = (await api.get('ops_head', '/api/ledger')).body.items;
    const revealed = await api.post('ops_head', `/api/tickets/${ticket.id}/caller/reveal`, { reason: '回访来电人' });
    expect(revealed.status).toBe(200);
    const reveals = await fits('admin', 'GET', '/api/admin/audit/caller-reveals', '/api/admin/audit/caller-reveals');
    expect(reveals.length).toBe(1);
    await fits('admin', 'GET', '/api/admin/retention', '/api/admin/retention');
    await fits(
      'dispatcher1',
      'GET',
      '/api/deadlines/preview?source=group_hotline&category=complaint',
      '/api/deadlines/preview',
    );
  });

  it('issue 14.5: the people-admin routes (issue 13.3)', async () => {
    await fits('admin', 'GET', '/api/admin/roles', '/api/admin/roles');
    const people = await fits('admin', 'GET', '/api/admin/people', '/api/admin/people');
    expect(people.items.length).toBeGreaterThan(0);
    await fits('admin', 'PUT', '/api/admin/people/dispatcher2/roles', '/api/admin/people/{userid}/roles', {
      roles: ['dispatcher', 'ops_head'],
    });
    const changes = await fits('admin', 'GET', '/api/admin/role-changes', '/api/admin/role-changes');
    expect(changes.items.length).toBeGreaterThan(0);
    await fits('admin', 'GET', '/api/admin/units', '/api/admin/units');
    await fits('admin', 'PATCH', '/api/admin/units/branch2', '/api/admin/units/{code}', { name: '第二分公司' });
    await fits('admin', 'GET', '/api/admin/sources', '/api/admin/sources');
    await fits('admin', 'POST', '/api/admin/sources', '/api/admin/sources', {
      code: 'metro',
      name: '地铁热线',
      chain: 'A',
    });
    await fits('admin', 'PATCH', '/api/admin/sources/metro', '/api/admin/sources/{code}', { active: false });
    await fits('admin', 'GET', '/api/admin/categories', '/api/admin/categories');
    await fits('admin', 'POST', '/api/admin/categories', '/api/admin/categories', { code: 'lost_pet', name: '宠物' });
    await fits('admin', 'PATCH', '/api/admin/categories/lost_pet', '/api/admin/categories/{code}', {
      name: '走失宠物',
    });
  });

  it('issue 14.5: the loop routes (X-5 follow-ups, R-15 ledger, R-18 figures, R-16 hot spots and case files)', async () => {
    const period = '?from=2026-11-01T00:00:00.000Z&to=2026-12-31T00:00:00.000Z';
    const follow = await fits('ops_head', 'GET', '/api/follow-ups?all=true', '/api/follow-ups');
    expect(follow.items.length).toBe(1);
    const ledger = await fits('ops_head', 'GET', '/api/ledger', '/api/ledger');
    expect(ledger.items[0].unitReplies.length).toBe(1);
    await fits('ops_head', 'GET', `/api/stats/units${period}`, '/api/stats/units');
    await fits('ops_head', 'GET', `/api/stats/dispatch${period}`, '/api/stats/dispatch');
    await fits('ops_head', 'GET', `/api/stats/hotspots${period}`, '/api/stats/hotspots');
    await fits('ops_head', 'GET', `/api/stats/overview${period}`, '/api/stats/overview');
    const cases = await fits('ops_head', 'GET', '/api/case-files?status=all', '/api/case-files');
    expect(cases.items.length).toBe(1);
  });

  it('issue 14.5: the intake-admin routes (X-7 knowledge base, X-8 transit and rules, upstream keys)', async () => {
    const article = await fits('dispatcher1', 'POST', '/api/kb/articles', '/api/kb/articles', {
      title: '失物招领流程',
      body: '乘客遗失物品可拨打热线登记。',
      category: null,
      routes: ['12'],
    });
    await fits('dispatcher1', 'PUT', `/api/kb/articles/${article.id}`, '/api/kb/articles/{id}', {
      title: '失物招领流程',
      body: '乘客遗失物品可拨打热线或到车队登记。',
    });
    const list = await fits('dispatcher1', 'GET', '/api/kb/articles', '/api/kb/articles');
    expect(list.items.length).toBe(1);
    await fits('admin', 'GET', '/api/transit/routes', '/api/transit/routes');
    await fits('admin', 'GET', '/api/transit/stops', '/api/transit/stops');
    await fits('admin', 'GET', '/api/transit/vehicles', '/api/transit/vehicles');
    await fits('admin', 'PUT', '/api/admin/routing-rules', '/api/admin/routing-rules', {
      rules: [{ category: 'complaint', keywords: ['空调'], unit: 'branch1', role: 'sole', note: null }],
    });
    const rules = await fits('admin', 'GET', '/api/admin/routing-rules', '/api/admin/routing-rules');
    expect(rules.length).toBe(1);
    await fits('admin', 'POST', '/api/admin/intake-clients', '/api/admin/intake-clients', {
      code: 'gov12345',
      name: '12345 平台',
      source: 'group_hotline',
      initiator: 'dispatcher1',
    });
    const clients = await fits('admin', 'GET', '/api/admin/intake-clients', '/api/admin/intake-clients');
    expect(clients.length).toBe(1);
    await fits('dispatcher1', 'GET', '/api/intake/callers-to-answer', '/api/intake/callers-to-answer');
  });
});
