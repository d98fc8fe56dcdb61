// Confidentiality and sign-in hardening (issue 8, R-19) over HTTP against real PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '@hotline/config';
import { signToken } from '@hotline/tickets';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';

describe('sessions and sign-in hardening', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'security', env: { PUBLIC_URL: 'https://hotline.example.com' } });
  });
  afterAll(() => t.close());

  const post = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, payload: payload as never });

  it('R-19: a refresh token is used once; a reuse ends every session of that person', async () => {
    const first = (await post('/api/auth/dev', { userid: 'b1_receiver' })).json();
    expect(first.refreshToken).toEqual(expect.any(String));
    const second = await post('/api/auth/refresh', { refreshToken: first.refreshToken });
    expect(second.statusCode).toBe(200);
    const pair = second.json();
    expect(pair.token).not.toBe(first.token);
    // The old one again: refused, and the new pair dies with it (the token was copied).
    expect((await post('/api/auth/refresh', { refreshToken: first.refreshToken })).statusCode).toBe(401);
    expect((await post('/api/auth/refresh', { refreshToken: pair.refreshToken })).statusCode).toBe(401);
    expect((await post('/api/auth/refresh', { refreshToken: 'made-up' })).json()).toMatchObject({
      statusCode: 401,
      field: 'refreshToken',
    });
    expect((await post('/api/auth/refresh', {})).json()).toMatchObject({ statusCode: 400, field: 'refreshToken' });
  });

  it('R-19: logout ends the session; an expired refresh token is refused', async () => {
    const s = (await post('/api/auth/dev', { userid: 'b2_receiver' })).json();
    expect((await post('/api/auth/logout', { refreshToken: s.refreshToken })).statusCode).toBe(204);
    expect((await post('/api/auth/refresh', { refreshToken: s.refreshToken })).statusCode).toBe(401);
    const s2 = (await post('/api/auth/dev', { userid: 'b2_receiver' })).json();
    t.clock.advance(15 * 24 * 3600_000);
    expect((await post('/api/auth/refresh', { refreshToken: s2.refreshToken })).statusCode).toBe(401);
  });

  const me = (token: string) =>
    t.app
      .inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } })
      .then((r) => r.statusCode);

  it('R-19: signing out revokes the refresh token on the server and ends every access token of that sign-in', async () => {
    const first = (await post('/api/auth/dev', { userid: 'fare_receiver' })).json();
    const otherDevice = (await post('/api/auth/dev', { userid: 'fare_receiver' })).json();
    const renewed = (await post('/api/auth/refresh', { refreshToken: first.refreshToken })).json();
    expect([await me(first.token), await me(renewed.token)]).toEqual([200, 200]);
    expect((await post('/api/auth/logout', { refreshToken: renewed.refreshToken })).statusCode).toBe(204);
    // Both access tokens of that sign-in die with it (the one before the refresh too), long before they expire…
    expect([await me(first.token), await me(renewed.token)]).toEqual([401, 401]);
    expect((await post('/api/auth/refresh', { refreshToken: renewed.refreshToken })).statusCode).toBe(401);
    // …while the same person's other sign-in goes on.
    expect(await me(otherDevice.token)).toBe(200);
  });

  it('R-19: a reused refresh token also ends the access tokens of every session of that person', async () => {
    const s = (await post('/api/auth/dev', { userid: 'fare_leader' })).json();
    const renewed = (await post('/api/auth/refresh', { refreshToken: s.refreshToken })).json();
    expect(await me(renewed.token)).toBe(200);
    expect((await post('/api/auth/refresh', { refreshToken: s.refreshToken })).statusCode).toBe(401);
    expect(await me(renewed.token)).toBe(401);
  });

  it('R-19: an access token without a session (signed with the right key) is refused', async () => {
    const bare = signToken(t.config.auth.tokenSecret!, 'dispatcher1', t.clock.now().getTime(), 600);
    expect(await me(bare)).toBe(401);
    const madeUp = signToken(t.config.auth.tokenSecret!, 'dispatcher1', t.clock.now().getTime(), 600, 'not-a-uuid');
    expect(await me(madeUp)).toBe(401);
  });

  it('R-19: the content security policy allows inline scripts only on the API docs page', async () => {
    const scriptSrc = (csp: string | undefined) =>
      String(csp)
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith('script-src'));
    for (const url of ['/health', '/api/me', '/', '/index.html']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect([url, scriptSrc(res.headers['content-security-policy'] as string)]).toEqual([url, "script-src 'self'"]);
    }
    const docs = await t.app.inject({ method: 'GET', url: '/api/docs' });
    expect(docs.statusCode).toBe(200);
    expect(scriptSrc(docs.headers['content-security-policy'] as string)).toBe("script-src 'self' 'unsafe-inline'");
  });

  it("R-19: responses carry security headers; CORS answers only the app's origin", async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    const evil = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/me',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const ours = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/me',
      headers: { origin: 'https://hotline.example.com', 'access-control-request-method': 'GET' },
    });
    expect(ours.headers['access-control-allow-origin']).toBe('https://hotline.example.com');
  });
});

describe('sign-in rate limit', () => {
  it('R-19: more sign-ins than AUTH_RATE_LIMIT_PER_MINUTE from one address get 429', async () => {
    const t = await createTestApp({ dbSuffix: 'ratelimit', env: { AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        codes.push(
          (await t.app.inject({ method: 'POST', url: '/api/auth/dev', payload: { userid: 'dispatcher1' } })).statusCode,
        );
      }
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const body = (
        await t.app.inject({ method: 'POST', url: '/api/auth/dev', payload: { userid: 'dispatcher1' } })
      ).json();
      expect(body).toMatchObject({ statusCode: 429, error: 'RATE_LIMITED' });
      // Other endpoints are not limited by it.
      expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('rate limits that hold (issue 17, item 3)', () => {
  const signIn = (t: TestApp, forwardedFor?: string) =>
    t.app
      .inject({
        method: 'POST',
        url: '/api/auth/dev',
        payload: { userid: 'dispatcher1' },
        headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
      })
      .then((r) => r.statusCode);

  it('R-19: a client cannot pick its address with X-Forwarded-For (no TRUSTED_PROXIES): the limit holds', async () => {
    const t = await createTestApp({ dbSuffix: 'xff', env: { AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push(await signIn(t, `203.0.113.${i + 1}`));
      expect(codes).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await t.close();
    }
  });

  it('R-19: behind a proxy named in TRUSTED_PROXIES each forwarded client is counted on its own', async () => {
    const t = await createTestApp({
      dbSuffix: 'trusted',
      env: { AUTH_RATE_LIMIT_PER_MINUTE: '2', TRUSTED_PROXIES: '127.0.0.1' },
    });
    try {
      const a = [await signIn(t, '198.51.100.7'), await signIn(t, '198.51.100.7'), await signIn(t, '198.51.100.7')];
      expect(a).toEqual([200, 200, 429]);
      expect(await signIn(t, '198.51.100.8')).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('R-19: two api replicas on one database share one sign-in limit (counters in PostgreSQL)', async () => {
    const env = { AUTH_RATE_LIMIT_PER_MINUTE: '3' };
    const one = await createTestApp({ dbSuffix: 'replicas', env });
    const two = await createTestApp({ dbSuffix: 'replicas', env });
    try {
      expect(one.databaseUrl).toBe(two.databaseUrl);
      const codes = [await signIn(one), await signIn(two), await signIn(one), await signIn(two), await signIn(one)];
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      // A minute later (application clock) the window has slid past them.
      one.clock.advance(2 * 60_000);
      expect(await signIn(one)).toBe(200);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('R-19: TRUSTED_PROXIES accepts only addresses and ranges', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.1, 10.1.0.0/16,loopback' }).trustedProxies).toEqual([
      '10.0.0.1',
      '10.1.0.0/16',
      'loopback',
    ]);
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(() => loadConfig({ TRUSTED_PROXIES: '*' })).toThrow(/TRUSTED_PROXIES/);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/40' })).toThrow(/TRUSTED_PROXIES/);
  });
});

describe('revealing the caller on record (R-19)', () => {
  let t: TestApp;
  let api: ApiClient;
  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'reveal' });
    api = new ApiClient(t.app);
  });
  afterAll(() => t.close());

  const reveal = (userid: string, id: string, reason = '需要回访来电人') =>
    api.post(userid, `/api/tickets/${id}/caller/reveal`, { reason });

  it('R-19: dispatchers and the receiving unit (while its assignment is open) see the caller; each view is recorded', async () => {
    const c = await api.createTicket('dispatcher1');
    await api.ok('dispatcher1', c.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    const byDispatcher = await reveal('dispatcher2', c.id, '核对来电号码');
    expect(byDispatcher).toMatchObject({
      status: 200,
      body: { name: '张三丰', phone: '13812345678', address: '人民路100号3单元' },
    });
    expect((await reveal('b1_receiver', c.id)).status).toBe(200);
    expect((await reveal('b1_leader', c.id)).status).toBe(200);
    expect((await reveal('b2_receiver', c.id)).status).toBe(404); // not their ticket at all
    expect((await reveal('office_reviewer', c.id)).status).toBe(404); // chain A is not theirs
    expect((await reveal('ops_head', c.id)).status).toBe(403); // not during handling
    expect((await api.post('b1_receiver', `/api/tickets/${c.id}/caller/reveal`, { reason: ' ' })).body).toMatchObject({
      statusCode: 400,
      field: 'reason',
    });

    const audit = await api.get('admin', `/api/admin/audit/caller-reveals?ticket=${c.id}`);
    expect(audit.body.map((r: any) => [r.userid, r.basis])).toEqual([
      ['b1_leader', 'unit:branch1'],
      ['b1_receiver', 'unit:branch1'],
      ['dispatcher2', 'dispatcher'],
    ]);
    expect(audit.body[2]).toMatchObject({ reason: '核对来电号码', ticketNumber: c.number });
    expect((await api.get('dispatcher1', '/api/admin/audit/caller-reveals')).status).toBe(403);
  });

  it('R-19: once the unit has replied it no longer needs the caller; the ops head does during follow-up', async () => {
    const c = await api.createTicket('dispatcher1', { category: 'report' });
    await api.ok('dispatcher1', c.id, 'dispatch', { assignments: [{ unit: 'safety', role: 'sole' }] });
    await api.ok('safety_receiver', c.id, 'accept');
    await api.ok('safety_receiver', c.id, 'submit_reply', replyBody(t.clock.now()));
    await api.ok('safety_leader', c.id, 'approve_reply');
    expect((await reveal('safety_receiver', c.id)).status).toBe(403);
    await api.ok('dispatcher1', c.id, 'pass_review');
    await api.ok('ops_head', c.id, 'pass_review', { followUp: true });
    expect((await reveal('ops_head', c.id, '跟踪回访')).status).toBe(200);
  });

  it('R-19: the audit log cannot be changed or deleted, even by the database owner', async () => {
    const c = await api.createTicket('dispatcher1');
    await reveal('dispatcher1', c.id);
    const pg = new Client({ connectionString: t.databaseUrl });
    await pg.connect();
    try {
      await expect(pg.query(`UPDATE caller_reveals SET reason = 'x' WHERE ticket_id = $1`, [c.id])).rejects.toThrow(
        /append-only/,
      );
      await expect(pg.query(`DELETE FROM caller_reveals WHERE ticket_id = $1`, [c.id])).rejects.toThrow(/append-only/);
      await expect(pg.query(`TRUNCATE caller_reveals`)).rejects.toThrow(/append-only/);
    } finally {
      await pg.end();
    }
  });
});

describe('least exposure (issue 17, item 7)', () => {
  let t: TestApp;
  let api: ApiClient;
  let attachmentsDir: string;
  beforeAll(async () => {
    attachmentsDir = mkdtempSync(join(tmpdir(), 'hotline-sec-att-'));
    t = await createTestApp({
      dbSuffix: 'exposure',
      env: { PUBLIC_URL: 'https://hotline.example.com', ATTACHMENTS_DIR: attachmentsDir },
    });
    api = new ApiClient(t.app);
  });
  afterAll(async () => {
    await t.close();
    rmSync(attachmentsDir, { recursive: true, force: true });
  });

  it('R-19: /health answers liveness to anyone; DingTalk and calendar details only to an admin', async () => {
    for (const who of [null, 'dispatcher1']) {
      const res = await api.get(who, '/health');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
      expect(Object.keys(res.body.info)).toEqual(['database']);
      expect(Object.keys(res.body.details)).toEqual(['database']);
    }
    const bad = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { authorization: 'Bearer made.up.token' },
    });
    expect(bad.statusCode).toBe(200);
    expect(Object.keys(bad.json().info)).toEqual(['database']);
    const admin = await api.get('admin', '/health');
    expect(admin.body.info).toMatchObject({
      database: { status: 'up' },
      dingtalk: { status: 'up', quota: expect.any(Number), failedNotices: expect.any(Number) },
      calendar: { status: 'up' },
    });
  });

  it("R-19: the ops head sees a closed ticket's caller only while its follow-up call (回访) is open", async () => {
    const c = await api.createTicket('dispatcher1');
    await api.ok('dispatcher1', c.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    await api.ok('b1_receiver', c.id, 'accept');
    await api.ok('b1_receiver', c.id, 'submit_reply', replyBody(t.clock.now()));
    await api.ok('b1_leader', c.id, 'approve_reply');
    await api.ok('dispatcher1', c.id, 'pass_review');
    expect((await api.ok('ops_head', c.id, 'pass_review')).status).toBe('closed');
    const reveal = () => api.post('ops_head', `/api/tickets/${c.id}/caller/reveal`, { reason: '回访来电人' });
    expect((await reveal()).status).toBe(200);
    await api.ok('ops_head', c.id, 'record_visit', { outcome: 'reached', solved: true, satisfaction: 'satisfied' });
    // The call is over: the closed ticket's caller is no longer the ops head's business.
    expect((await reveal()).status).toBe(403);
    // A dispatcher (who answers the caller) still may, on record.
    expect((await api.post('dispatcher1', `/api/tickets/${c.id}/caller/reveal`, { reason: '核实' })).status).toBe(200);
  });

  it('R-19: jsapi-config signs only pages under PUBLIC_URL', async () => {
    for (const url of [
      'https://evil.example/#/inbox',
      'https://hotline.example.com.evil.example/',
      'https://hotline.example.com@evil.example/',
      'http://hotline.example.com/',
      'https://hotline.example.com:8443/',
    ]) {
      const r = await api.get('b1_receiver', `/api/dingtalk/jsapi-config?url=${encodeURIComponent(url)}`);
      expect([url, r.status, r.body.field]).toEqual([url, 400, 'url']);
    }
  });

  it('R-19: attachments and API answers are not kept by shared caches', async () => {
    const c = await api.createTicket('dispatcher1');
    const boundary = 'securityboundary';
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
      ),
      Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n'),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const auth = { authorization: `Bearer ${await api.token('dispatcher1')}` };
    const up = await t.app.inject({
      method: 'POST',
      url: `/api/tickets/${c.id}/attachments`,
      payload,
      headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(up.statusCode).toBe(201);
    const file = await t.app.inject({ method: 'GET', url: `/api/attachments/${up.json().id}`, headers: auth });
    expect(file.statusCode).toBe(200);
    expect(file.headers['cache-control']).toBe('private, no-store');
    const ticket = await t.app.inject({ method: 'GET', url: `/api/tickets/${c.id}`, headers: auth });
    expect(ticket.headers['cache-control']).toBe('no-store');
  });
});
