import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createTestApp, signIn, type TestApp } from './support/app';

describe('foundation: the whole HTTP app on real PostgreSQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'foundation' });
  });
  afterAll(() => t.close());
  const http = () => request(t.app.getHttpServer());

  it('FOUNDATION: GET /health answers 200 with the database up', async () => {
    const res = await http().get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info.database.status).toBe('up');
  });

  it('FOUNDATION: the OpenAPI document is served at /api/docs and /api/docs-json', async () => {
    await http().get('/api/docs').expect(200);
    const json = await http().get('/api/docs-json').expect(200);
    expect(Object.keys(json.body.paths)).toEqual(
      expect.arrayContaining(['/api/tickets', '/api/tickets/{id}', '/api/tickets/{id}/actions/{action}', '/api/inbox']),
    );
  });

  it("issue 14.5: the document the running API serves equals the micro-app's checked-in openapi.json", async () => {
    const served = (await http().get('/api/docs-json').expect(200)).body;
    const checkedIn = JSON.parse(readFileSync(join(__dirname, '../dingtalk-miniapp/src/api/openapi.json'), 'utf8'));
    // Key order aside (the file is sorted), equal: run `npm run gen:api-types` when this fails.
    expect(served).toEqual(checkedIn);
  });

  it('FOUNDATION: a request id is echoed for tracing', async () => {
    const res = await http().get('/health').set('x-request-id', 'trace-123').expect(200);
    expect(res.headers['x-request-id']).toBe('trace-123');
  });

  describe('error filter mapping', () => {
    it('R-19/FOUNDATION: no token → 401 with a JSON error', async () => {
      const res = await http().get('/api/me').expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'UNAUTHENTICATED' });
    });

    it('FOUNDATION: a forged token → 401', async () => {
      await http().get('/api/me').set('authorization', 'Bearer abc.def.ghi').expect(401);
    });

    it('FOUNDATION: an unknown route → 404 JSON', async () => {
      const token = await signIn(t.app, 'dispatcher1');
      const res = await http().get('/api/nowhere').set('authorization', `Bearer ${token}`).expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'NOT_FOUND' });
    });

    it('FOUNDATION: a bad body → 400 naming the field', async () => {
      const token = await signIn(t.app, 'dispatcher1');
      const res = await http()
        .post('/api/tickets')
        .set('authorization', `Bearer ${token}`)
        .send({
          source: 'group_hotline',
          channel: 'pigeon',
          category: 'complaint',
          subject: 's',
          content: 'c',
          caller: { name: '张三', phone: '13800138000' },
        })
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'VALIDATION', field: 'channel' });
    });

    it('FOUNDATION: malformed JSON → 400, not 500', async () => {
      const token = await signIn(t.app, 'dispatcher1');
      const res = await http()
        .post('/api/tickets')
        .set('authorization', `Bearer ${token}`)
        .set('content-type', 'application/json')
        .send('{"source": ')
        .expect(400);
      expect(res.body.statusCode).toBe(400);
    });

    it('FOUNDATION: an unknown field is refused (whitelist, forbid unknown)', async () => {
      const res = await http().post('/api/auth/dev').send({ userid: 'dispatcher1', admin: true }).expect(400);
      expect(res.body.message).toMatch(/admin/);
    });

    it('FOUNDATION: a body over the limit → 413', async () => {
      const token = await signIn(t.app, 'dispatcher1');
      const res = await http()
        .post('/api/tickets')
        .set('authorization', `Bearer ${token}`)
        .send({ content: 'x'.repeat(1024 * 1024 + 10) });
      expect(res.status).toBe(413);
    });
  });
});
