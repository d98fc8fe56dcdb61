// the access matrix. Every endpoint of the OpenAPI route table × every kind of person:
// anonymous, each office role, a receiver and a leader of the unit the ticket went to ("own")
// and of another unit ("other"), and a signed-in person with no role. A new endpoint without an
// entry here fails the first test, so nobody adds a route without saying who may call it.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { InjectOptions } from 'fastify';
import { startDingTalkSimulator } from '../apps/dingtalk-sim/src/simulator';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';

const PERSONAS = {
  dispatcher: 'dispatcher1',
  ops_head: 'ops_head',
  office_reviewer: 'office_reviewer',
  own_receiver: 'b1_receiver',
  own_leader: 'b1_leader',
  other_receiver: 'b2_receiver',
  other_leader: 'b2_leader',
  admin: 'admin',
  nobody: 'nobody_matrix',
} as const;
type Persona = keyof typeof PERSONAS;
const ALL = Object.keys(PERSONAS) as Persona[];

/** What a call must answer: 'ok' = it got past authentication and authorisation (2xx, 400, 409…). */
type Outcome = 'ok' | 401 | 403 | 404;

interface Fixture {
  ticketId: string; // chain A, dispatched to branch1 (sole), pending accept
  attachmentId: string;
  assignmentId: string; // branch1's
  exportId: string; // a ledger export branch1's leader started
  importKey: string; // an import run the admin started (issue 19)
}

interface Entry {
  /** Public endpoints: anonymous calls get the same answer as the others. */
  public?: boolean;
  expect: (p: Persona) => Outcome;
  /** A fresh fixture per call when the call changes state. */
  fresh?: boolean;
  request: (f: Fixture) => Omit<InjectOptions, 'headers'> & { headers?: Record<string, string> };
}

const only =
  (allowed: Persona[], hidden: Persona[] = []) =>
  (p: Persona): Outcome =>
    allowed.includes(p) ? 'ok' : hidden.includes(p) ? 404 : 403;
const everyone = (): Outcome => 'ok';
/** The people who see a chain-A ticket dispatched to branch1; the rest get 404, "nobody" 403. */
const SEES_TICKET: Persona[] = ['dispatcher', 'ops_head', 'admin', 'own_receiver', 'own_leader'];
const HIDDEN: Persona[] = ['office_reviewer', 'other_receiver', 'other_leader'];
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

function multipart(content: Buffer) {
  const boundary = 'matrixboundary';
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const MATRIX: Record<string, Entry> = {
  'GET /health': { public: true, expect: everyone, request: () => ({ method: 'GET', url: '/health' }) },
  'POST /api/auth/dev': {
    public: true,
    expect: everyone,
    request: () => ({ method: 'POST', url: '/api/auth/dev', payload: { userid: 'dispatcher2' } }),
  },
  'POST /api/auth/refresh': {
    public: true,
    expect: () => 401,
    request: () => ({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: 'not-a-session' } }),
  },
  'POST /api/auth/logout': {
    public: true,
    expect: everyone,
    request: () => ({ method: 'POST', url: '/api/auth/logout', payload: { refreshToken: 'not-a-session' } }),
  },
  'POST /api/auth/dingtalk': {
    public: true,
    expect: () => 401,
    request: () => ({ method: 'POST', url: '/api/auth/dingtalk', payload: { code: 'not-a-code' } }),
  },
  'GET /api/dingtalk/jsapi-config': {
    expect: everyone,
    request: () => ({
      method: 'GET',
      url: `/api/dingtalk/jsapi-config?url=${encodeURIComponent('http://localhost:3000/')}`,
    }),
  },
  'GET /api/auth/dingtalk/corp': {
    public: true,
    expect: everyone,
    request: () => ({ method: 'GET', url: '/api/auth/dingtalk/corp' }),
  },
  'GET /api/admin/dingtalk/config-problems': {
    expect: only(['admin']),
    request: () => ({ method: 'GET', url: '/api/admin/dingtalk/config-problems' }),
  },
  'DELETE /api/admin/dingtalk/config-problems/{code}': {
    expect: only(['admin']),
    request: () => ({ method: 'DELETE', url: '/api/admin/dingtalk/config-problems/60020' }),
  },
  'GET /api/tickets/{id}/not-reached': {
    expect: only(SEES_TICKET, [...HIDDEN, 'nobody']),
    request: (f) => ({ method: 'GET', url: `/api/tickets/${f.ticketId}/not-reached` }),
  },
  'GET /api/admin/dingtalk/not-reached': {
    expect: only(['admin']),
    request: () => ({ method: 'GET', url: '/api/admin/dingtalk/not-reached' }),
  },
  'GET /api/me': { expect: everyone, request: () => ({ method: 'GET', url: '/api/me' }) },
  'GET /api/units': { expect: everyone, request: () => ({ method: 'GET', url: '/api/units' }) },
  'GET /api/sources': { expect: everyone, request: () => ({ method: 'GET', url: '/api/sources' }) },
  'GET /api/categories': { expect: everyone, request: () => ({ method: 'GET', url: '/api/categories' }) },
  'GET /api/inbox': { expect: everyone, request: () => ({ method: 'GET', url: '/api/inbox' }) },
  'GET /api/inbox/page': { expect: everyone, request: () => ({ method: 'GET', url: '/api/inbox/page' }) },
  'POST /api/tickets': {
    expect: only(['dispatcher']),
    request: () => ({
      method: 'POST',
      url: '/api/tickets',
      payload: {
        source: 'group_hotline',
        channel: 'phone',
        category: 'complaint',
        subject: '矩阵',
        content: '矩阵',
        caller: { name: '甲', phone: '13900000000' },
      },
    }),
  },
  'GET /api/tickets': {
    expect: (p) => (p === 'nobody' ? 403 : 'ok'),
    request: () => ({ method: 'GET', url: '/api/tickets' }),
  },
  'GET /api/tickets/{id}': {
    expect: only(SEES_TICKET, HIDDEN),
    request: (f) => ({ method: 'GET', url: `/api/tickets/${f.ticketId}` }),
  },
  'POST /api/tickets/{id}/actions/{action}': {
    fresh: true,
    // accept: the receiving unit's receiver only (object-level: other units never see the ticket).
    // Every other action × person × state: test/action-matrix.e2e-spec.ts (issue 17.8).
    expect: only(['own_receiver'], HIDDEN),
    request: (f) => ({ method: 'POST', url: `/api/tickets/${f.ticketId}/actions/accept`, payload: {} }),
  },
  'POST /api/tickets/{id}/caller/reveal': {
    expect: (p) => (p === 'nobody' ? 404 : only(['dispatcher', 'own_receiver', 'own_leader'], HIDDEN)(p)),
    request: (f) => ({
      method: 'POST',
      url: `/api/tickets/${f.ticketId}/caller/reveal`,
      payload: { reason: '矩阵测试' },
    }),
  },
  'POST /api/tickets/{id}/attachments': {
    // People who may act on the ticket now (the receiver, the ops department), and dispatchers.
    expect: only(['dispatcher', 'ops_head', 'own_receiver'], HIDDEN),
    request: (f) => ({ method: 'POST', url: `/api/tickets/${f.ticketId}/attachments`, ...multipart(PNG) }),
  },
  'GET /api/tickets/{id}/attachments': {
    expect: only(SEES_TICKET, HIDDEN),
    request: (f) => ({ method: 'GET', url: `/api/tickets/${f.ticketId}/attachments` }),
  },
  'GET /api/attachments/{id}': {
    expect: only(SEES_TICKET, [...HIDDEN, 'nobody']),
    request: (f) => ({ method: 'GET', url: `/api/attachments/${f.attachmentId}` }),
  },
  'GET /api/admin/dingtalk/usage': {
    expect: only(['admin']),
    request: () => ({ method: 'GET', url: '/api/admin/dingtalk/usage' }),
  },
  'GET /api/admin/outbox': { expect: only(['admin']), request: () => ({ method: 'GET', url: '/api/admin/outbox' }) },
  'POST /api/admin/outbox/{id}/retry': {
    expect: only(['admin']),
    request: () => ({ method: 'POST', url: '/api/admin/outbox/1/retry' }),
  },
  'POST /api/admin/org-sync': {
    expect: only(['admin']),
    request: () => ({ method: 'POST', url: '/api/admin/org-sync' }),
  },
  'GET /api/admin/org-sync': {
    expect: only(['admin']),
    request: () => ({ method: 'GET', url: '/api/admin/org-sync' }),
  },
  'GET /api/admin/audit/caller-reveals': {
    expect: only(['admin']),
    request: () => ({ method: 'GET', url: '/api/admin/audit/caller-reveals' }),
  },
  'GET /api/admin/retention': {
    expect: only(['admin']),
    request: () => ({ method: 'GET', url: '/api/admin/retention' }),
  },
  'POST /api/admin/retention/run': {
    expect: only(['admin']),
    request: () => ({ method: 'POST', url: '/api/admin/retention/run' }),
  },
  'GET /api/admin/time-limits': {
    expect: only(['admin', 'dispatcher', 'ops_head']),
    request: () => ({ method: 'GET', url: '/api/admin/time-limits' }),
  },
  'GET /api/deadlines/preview': {
    expect: only(['dispatcher', 'ops_head']),
    request: () => ({ method: 'GET', url: '/api/deadlines/preview?source=group_hotline&category=complaint' }),
  },
  'PUT /api/admin/time-limits': {
    expect: only(['admin']),
    request: () => ({
      method: 'PUT',
      url: '/api/admin/time-limits',
      payload: { policies: [{ reply: { amount: 5, unit: 'working_days' } }] },
    }),
  },
  // Issue 13.3: people, roles, units, sources and categories (admin only). Harmless requests:
  // a role set equal to the current one, a patch to the current value, a duplicate code (409).
  'GET /api/admin/roles': { expect: only(['admin']), request: () => ({ method: 'GET', url: '/api/admin/roles' }) },
  'GET /api/admin/people': { expect: only(['admin']), request: () => ({ method: 'GET', url: '/api/admin/people' }) },
  'PUT /api/admin/people/{userid}/roles': {
    expect: only(['admin']),
    request: () => ({ method: 'PUT', url: '/api/admin/people/dispatcher2/roles', payload: { roles: ['dispatcher'] } }),
  },
  'GET /api/admin/role-changes': {
    expect: only(['admin']),
    request: () => ({ method: 'GET', url: '/api/admin/role-changes' }),
  },
  'GET /api/admin/units': { expect: only(['admin']), request: () => ({ method: 'GET', url: '/api/admin/units' }) },
  'PATCH /api/admin/units/{code}': {
    expect: only(['admin']),
    request: () => ({ method: 'PATCH', url: '/api/admin/units/fare', payload: { name: '票务科' } }),
  },
  'GET /api/admin/sources': { expect: only(['admin']), request: () => ({ method: 'GET', url: '/api/admin/sources' }) },
  'POST /api/admin/sources': {
    expect: only(['admin']),
    request: () => ({
      method: 'POST',
      url: '/api/admin/sources',
      payload: { code: 'group_hotline', name: '集团客服热线', chain: 'A' },
    }),
  },
  'PATCH /api/admin/sources/{code}': {
    expect: only(['admin']),
    request: () => ({ method: 'PATCH', url: '/api/admin/sources/group_hotline', payload: { active: true } }),
  },
  'GET /api/admin/categories': {
    expect: only(['admin']),
    request: () => ({ method: 'GET', url: '/api/admin/categories' }),
  },
  'POST /api/admin/categories': {
    expect: only(['admin']),
    request: () => ({ method: 'POST', url: '/api/admin/categories', payload: { code: 'complaint', name: '投诉' } }),
  },
  'PATCH /api/admin/categories/{code}': {
    expect: only(['admin']),
    request: () => ({ method: 'PATCH', url: '/api/admin/categories/complaint', payload: { active: true } }),
  },
  'GET /api/admin/config-changes': {
    expect: only(['admin']),
    request: () => ({ method: 'GET', url: '/api/admin/config-changes' }),
  },
  'GET /api/admin/calendar': {
    expect: only(['admin']),
    request: () => ({ method: 'GET', url: '/api/admin/calendar' }),
  },
  'PUT /api/admin/calendar/overrides/{date}': {
    expect: only(['admin']),
    request: () => ({
      method: 'PUT',
      url: '/api/admin/calendar/overrides/2031-01-06',
      payload: { kind: 'closed', note: '矩阵' },
    }),
  },
  'DELETE /api/admin/calendar/overrides/{date}': {
    expect: only(['admin']),
    request: () => ({ method: 'DELETE', url: '/api/admin/calendar/overrides/2031-01-06' }),
  },
  'PUT /api/admin/calendar/years/{year}': {
    expect: only(['admin']),
    request: () => ({ method: 'PUT', url: '/api/admin/calendar/years/2031', payload: { text: '2031-01-01 休' } }),
  },
  'DELETE /api/admin/calendar/years/{year}': {
    expect: only(['admin']),
    request: () => ({ method: 'DELETE', url: '/api/admin/calendar/years/2031' }),
  },
};

// The intake desk (issue 9): the knowledge base and transit look-ups for everyone with a role,
// editing for the ops department, master data and keys for the admin, the repeat panel for
// dispatchers; upstream intake is signed by a system's key, never by a person's token.
const WITH_ROLE = (p: Persona): Outcome => (p === 'nobody' ? 403 : 'ok');
const OPS_FIND_NOTHING = (p: Persona): Outcome => (p === 'dispatcher' || p === 'ops_head' ? 404 : 403);
const NO_ID = '00000000-0000-4000-8000-000000000000';
Object.assign(MATRIX, {
  'GET /api/kb/suggest': {
    expect: WITH_ROLE,
    request: () => ({ method: 'GET', url: `/api/kb/suggest?q=${encodeURIComponent('末班车')}` }),
  },
  'GET /api/kb/articles': { expect: WITH_ROLE, request: () => ({ method: 'GET', url: '/api/kb/articles' }) },
  'GET /api/kb/articles/{id}': {
    expect: (p: Persona) => (p === 'nobody' ? 403 : 404),
    request: () => ({ method: 'GET', url: `/api/kb/articles/${NO_ID}` }),
  },
  'POST /api/kb/articles': {
    expect: only(['dispatcher', 'ops_head']),
    request: () => ({ method: 'POST', url: '/api/kb/articles', payload: { title: '矩阵', body: '矩阵' } }),
  },
  'PUT /api/kb/articles/{id}': {
    expect: OPS_FIND_NOTHING,
    request: () => ({ method: 'PUT', url: `/api/kb/articles/${NO_ID}`, payload: { title: '矩阵', body: '矩阵' } }),
  },
  'DELETE /api/kb/articles/{id}': {
    expect: OPS_FIND_NOTHING,
    request: () => ({ method: 'DELETE', url: `/api/kb/articles/${NO_ID}` }),
  },
  'GET /api/transit/routes': { expect: WITH_ROLE, request: () => ({ method: 'GET', url: '/api/transit/routes' }) },
  'GET /api/transit/stops': { expect: WITH_ROLE, request: () => ({ method: 'GET', url: '/api/transit/stops' }) },
  'GET /api/transit/vehicles': { expect: WITH_ROLE, request: () => ({ method: 'GET', url: '/api/transit/vehicles' }) },
  // Issue 19: an import's run, only for whoever started it (here the admin; its run has ended, so cancel is a 409).
  'GET /api/imports/{key}': {
    expect: (p: Persona) => (p === 'admin' ? 'ok' : 404),
    request: (f: Fixture) => ({ method: 'GET', url: `/api/imports/${f.importKey}` }),
  },
  'POST /api/imports/{key}/cancel': {
    expect: (p: Persona) => (p === 'admin' ? 'ok' : 404),
    request: (f: Fixture) => ({ method: 'POST', url: `/api/imports/${f.importKey}/cancel` }),
  },
  'POST /api/transit/import/{kind}': {
    expect: only(['admin']),
    request: () => ({ method: 'POST', url: '/api/transit/import/routes?dryRun=true', ...multipart(PNG) }),
  },
  'GET /api/intake/suggest': {
    expect: WITH_ROLE,
    request: () => ({ method: 'GET', url: '/api/intake/suggest?route=12' }),
  },
  'GET /api/admin/routing-rules': {
    expect: only(['admin', 'dispatcher', 'ops_head']),
    request: () => ({ method: 'GET', url: '/api/admin/routing-rules' }),
  },
  'PUT /api/admin/routing-rules': {
    expect: only(['admin']),
    request: () => ({
      method: 'PUT',
      url: '/api/admin/routing-rules',
      payload: { rules: [{ unit: 'fare', keywords: ['票价'] }] },
    }),
  },
  'GET /api/intake/repeats': {
    expect: only(['dispatcher']),
    request: () => ({ method: 'GET', url: '/api/intake/repeats?phone=13900000000' }),
  },
  'GET /api/intake/callers-to-answer': {
    expect: only(['dispatcher', 'ops_head']),
    request: () => ({ method: 'GET', url: '/api/intake/callers-to-answer' }),
  },
  'POST /api/tickets/{id}/callers/{callerId}/answered': {
    // The ops department only; the fixture has no merged caller, so they get 404.
    expect: OPS_FIND_NOTHING,
    request: (f: Fixture) => ({
      method: 'POST',
      url: `/api/tickets/${f.ticketId}/callers/${NO_ID}/answered`,
      payload: { method: 'phone', summary: '矩阵' },
    }),
  },
  'POST /api/intake': {
    public: true,
    expect: () => 401,
    request: () => ({ method: 'POST', url: '/api/intake', payload: { ref: 'M-1' } }),
  },
  'GET /api/intake/{source}/{ref}': {
    public: true,
    expect: () => 401,
    request: () => ({ method: 'GET', url: '/api/intake/mayor_hotline/M-1' }),
  },
  'POST /api/intake/import': {
    expect: only(['dispatcher']),
    request: () => ({
      method: 'POST',
      url: '/api/intake/import?source=transport_bureau&dryRun=true',
      ...multipart(PNG),
    }),
  },
  'GET /api/admin/intake-clients': {
    expect: only(['admin']),
    request: () => ({ method: 'GET', url: '/api/admin/intake-clients' }),
  },
  'POST /api/admin/intake-clients': {
    expect: only(['admin']),
    request: () => ({
      method: 'POST',
      url: '/api/admin/intake-clients',
      payload: { code: 'matrix_client', name: '矩阵', source: 'mayor_hotline', initiator: 'dispatcher1' },
    }),
  },
  'DELETE /api/admin/intake-clients/{code}': {
    expect: (p: Persona) => (p === 'admin' ? 404 : 403),
    request: () => ({ method: 'DELETE', url: '/api/admin/intake-clients/no_such_client' }),
  },
} satisfies Record<string, Entry>);

// Closing the loop (issue 7): the call queue is the ops department's; the ledger is scoped like the
// ticket list; the figures are for the ops department, admin, the office and unit leaders.
const STATS_READERS: Persona[] = ['dispatcher', 'ops_head', 'admin', 'office_reviewer', 'own_leader', 'other_leader'];
const PERIOD = 'from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z';
Object.assign(MATRIX, {
  'GET /api/follow-ups': {
    expect: only(['dispatcher', 'ops_head']),
    request: () => ({ method: 'GET', url: '/api/follow-ups' }),
  },
  'GET /api/ledger': {
    expect: (p: Persona) => (p === 'nobody' ? 403 : 'ok'),
    request: () => ({ method: 'GET', url: '/api/ledger' }),
  },
  'GET /api/ledger/export': {
    // The office reviewer leads the office (a unit leader): its chain-B share of the ledger.
    expect: only(['dispatcher', 'ops_head', 'admin', 'office_reviewer', 'own_leader', 'other_leader']),
    request: (f: Fixture) => ({ method: 'GET', url: `/api/ledger/export?q=${f.ticketId}` }),
  },
  'GET /api/ledger/exports': {
    expect: only(['dispatcher', 'ops_head', 'admin']),
    request: () => ({ method: 'GET', url: '/api/ledger/exports' }),
  },
  // Issue 19: an export's progress, for whoever started it and the readers of the export record.
  'GET /api/ledger/exports/{id}': {
    expect: (p: Persona) => (['dispatcher', 'ops_head', 'admin', 'own_leader'].includes(p) ? 'ok' : 404),
    request: (f: Fixture) => ({ method: 'GET', url: `/api/ledger/exports/${f.exportId}` }),
  },
  'GET /api/stats/units': {
    expect: only(STATS_READERS),
    request: () => ({ method: 'GET', url: `/api/stats/units?${PERIOD}` }),
  },
  'GET /api/stats/dispatch': {
    expect: only(STATS_READERS),
    request: () => ({ method: 'GET', url: `/api/stats/dispatch?${PERIOD}` }),
  },
  'GET /api/stats/hotspots': {
    expect: only(STATS_READERS),
    request: () => ({ method: 'GET', url: `/api/stats/hotspots?${PERIOD}` }),
  },
  'GET /api/stats/overview': {
    expect: only(STATS_READERS),
    request: () => ({ method: 'GET', url: `/api/stats/overview?${PERIOD}` }),
  },
  'GET /api/case-files': {
    expect: (p: Persona) => (p === 'nobody' ? 403 : 'ok'),
    request: () => ({ method: 'GET', url: '/api/case-files' }),
  },
} satisfies Record<string, Entry>);

describe('access matrix (R-19)', () => {
  let sim: Awaited<ReturnType<typeof startDingTalkSimulator>>;
  let t: TestApp;
  let api: ApiClient;
  let routes: string[];

  beforeAll(async () => {
    sim = await startDingTalkSimulator({ port: 0, host: '127.0.0.1' });
    t = await createTestApp({ dbSuffix: 'matrix', env: { DINGTALK_SIM_PORT: String(sim.port) } });
    api = new ApiClient(t.app);
    // A signed-in person with no role and no unit.
    const pg = new Client({ connectionString: t.databaseUrl });
    await pg.connect();
    await pg.query(`INSERT INTO people (userid, name, roles) VALUES ($1, '无角色', '{}') ON CONFLICT DO NOTHING`, [
      PERSONAS.nobody,
    ]);
    await pg.end();
    const doc = (await t.app.inject({ method: 'GET', url: '/api/docs-json' })).json();
    routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    routes.push('GET /health');
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });

  async function fixture(): Promise<Fixture> {
    const c = await api.createTicket('dispatcher1', { subject: '访问矩阵' });
    const d = await api.ok('dispatcher1', c.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    const up = await api.call(
      'dispatcher1',
      'POST',
      `/api/tickets/${c.id}/attachments`,
      multipart(PNG).payload,
      multipart(PNG).headers,
    );
    if (up.status !== 201 && up.status !== 200)
      throw new Error(`fixture upload → ${up.status} ${JSON.stringify(up.body)}`);
    const exported = await t.app.inject({
      method: 'GET',
      url: `/api/ledger/export?q=${c.id}`,
      headers: { authorization: `Bearer ${await api.token(PERSONAS.own_leader)}` },
    });
    if (exported.statusCode !== 200) throw new Error(`fixture export → ${exported.statusCode}`);
    const importKey = randomUUID();
    await api.call(
      'admin',
      'POST',
      `/api/transit/import/routes?dryRun=true&progress=${importKey}`,
      multipart(PNG).payload,
      multipart(PNG).headers,
    );
    return {
      importKey,
      ticketId: c.id,
      attachmentId: up.body.id,
      assignmentId: d.assignments[0].id,
      exportId: String(exported.headers['x-export-id']),
    };
  }

  it('R-19: every endpoint of the route table has an entry in the access matrix', () => {
    const missing = [...new Set(routes)].filter((r) => !MATRIX[r]);
    expect({ missing, hint: 'add an entry to test/access-matrix.e2e-spec.ts: who may call it, who gets 404' }).toEqual({
      missing: [],
      hint: expect.any(String),
    });
    const stale = Object.keys(MATRIX).filter((r) => !routes.includes(r));
    expect({ stale }).toEqual({ stale: [] });
  });

  it('R-19: each endpoint answers each kind of person as the matrix says (401 anonymous, 403 not theirs, 404 not visible)', async () => {
    const shared = await fixture();
    const failures: string[] = [];
    for (const [route, entry] of Object.entries(MATRIX)) {
      if (!routes.includes(route)) continue;
      const anon = await t.app.inject(entry.request(entry.fresh ? await fixture() : shared) as InjectOptions);
      const anonOk = anon.statusCode !== 401 && anon.statusCode !== 403 && anon.statusCode !== 404;
      if (entry.public ? anon.statusCode >= 500 : anon.statusCode !== 401) {
        failures.push(`${route} anonymous → ${anon.statusCode}${entry.public ? '' : ' (want 401)'}`);
      }
      void anonOk;
      for (const p of ALL) {
        const f = entry.fresh ? await fixture() : shared;
        const req = entry.request(f);
        const token = await api.token(PERSONAS[p]);
        const res = await t.app.inject({
          ...req,
          headers: { ...(req.headers ?? {}), authorization: `Bearer ${token}` },
        } as InjectOptions);
        const want = entry.expect(p);
        const got = res.statusCode;
        const ok = want === 'ok' ? ![401, 403, 404].includes(got) && got < 500 : got === want;
        if (!ok) failures.push(`${route} as ${p} → ${got} (want ${want}) ${res.body.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000); // hundreds of requests: on a loaded 2-core machine the 30 s default is too tight

  it("R-19: object-level checks: guessed ids of another unit's ticket, attachment and assignment give 404", async () => {
    const f = await fixture();
    const other = 'b2_receiver';
    expect((await api.get(other, `/api/tickets/${f.ticketId}`)).status).toBe(404);
    expect((await api.get(other, `/api/attachments/${f.attachmentId}`)).status).toBe(404);
    expect((await api.get(other, `/api/tickets/${f.ticketId}/attachments`)).status).toBe(404);
    const view = await api.get('dispatcher1', `/api/tickets/${f.ticketId}`);
    const assignmentId = view.body.assignments[0].id;
    const upload = multipart(PNG);
    const up = await api.call(
      other,
      'POST',
      `/api/tickets/${f.ticketId}/attachments?assignment=${assignmentId}`,
      upload.payload,
      upload.headers,
    );
    expect(up.status).toBe(404);
    // A random id is a 404 for everyone, never a 500.
    expect((await api.get('dispatcher1', '/api/attachments/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
