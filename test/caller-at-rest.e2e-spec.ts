// R-19 at rest: caller data encrypted in the database, confidential tickets, key rotation.
import { Client } from 'pg';
import { SecurityRepository } from '@hotline/db';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';

const PHONE = '13812345678';

async function everyRowAsText(url: string): Promise<string> {
  // A logical dump of the whole database: every row of every table, as text.
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows: tables } = await c.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`,
    );
    const parts: string[] = [];
    for (const { tablename } of tables) {
      const { rows } = await c.query(`SELECT row_to_json(t)::text AS j FROM "${tablename}" t`);
      parts.push(...rows.map((r) => `${tablename}: ${r.j}`));
    }
    return parts.join('\n');
  } finally {
    await c.end();
  }
}

describe('caller data at rest (R-19)', () => {
  let t: TestApp;
  let api: ApiClient;
  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'atrest' });
    api = new ApiClient(t.app);
  });
  afterAll(() => t.close());

  it('R-19: after a full chain walk the database holds no clear caller phone, name or address anywhere', async () => {
    const c = await api.createTicket('dispatcher1', {
      subject: `张三丰来电投诉12路（${PHONE}）`,
      content: `来电人张三丰，电话 ${PHONE}，住人民路100号3单元，反映12路未停靠。`,
    });
    const id = c.id;
    await api.ok('dispatcher1', id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    await api.ok('b1_receiver', id, 'accept');
    await api.post('b1_receiver', `/api/tickets/${id}/caller/reveal`, { reason: '联系来电人' });
    await api.ok('b1_receiver', id, 'submit_reply', replyBody(t.clock.now()));
    await api.ok('b1_leader', id, 'approve_reply');
    await api.ok('dispatcher1', id, 'pass_review');
    await api.ok('ops_head', id, 'pass_review');

    const dump = await everyRowAsText(t.databaseUrl);
    expect(dump).toContain(c.number);
    expect(dump).not.toContain(PHONE);
    expect(dump).not.toContain('张三丰');
    expect(dump).not.toContain('人民路100号');
    const stored = dump.split('\n').find((l) => l.startsWith('tickets:') && l.includes(c.number))!;
    expect(stored).toMatch(/"caller_phone":"enc:v1:t2:/);
    // …and the API still knows the caller, masked; the clear value only on record.
    expect((await api.get('dispatcher1', `/api/tickets/${id}`)).body.caller.phone).toBe('138****5678');
    expect((await api.post('dispatcher1', `/api/tickets/${id}/caller/reveal`, { reason: '回访' })).body.phone).toBe(
      PHONE,
    );
  });

  it('X-6: the same phone written differently gets the same keyed hash', async () => {
    const a = await api.createTicket('dispatcher1', { caller: { name: '李四', phone: '139 0000 1111' } });
    const b = await api.createTicket('dispatcher1', { caller: { name: '李四', phone: '+86 139-0000-1111' } });
    const pg = new Client({ connectionString: t.databaseUrl });
    await pg.connect();
    try {
      const { rows } = await pg.query(`SELECT caller_phone_hash FROM tickets WHERE id = ANY($1)`, [[a.id, b.id]]);
      expect(rows).toHaveLength(2);
      expect(rows[0].caller_phone_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0].caller_phone_hash).toBe(rows[1].caller_phone_hash);
    } finally {
      await pg.end();
    }
  });

  it('R-19: a confidential ticket (保密件) hides the caller from the handling units entirely', async () => {
    const c = await api.createTicket('dispatcher1', { confidential: true });
    expect(c).toMatchObject({ confidential: true, caller: { phone: '138****5678', hidden: false } });
    await api.ok('dispatcher1', c.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    const unitView = await api.get('b1_receiver', `/api/tickets/${c.id}`);
    expect(unitView.body.caller).toEqual({ name: null, phone: null, address: null, masked: true, hidden: true });
    expect((await api.post('b1_receiver', `/api/tickets/${c.id}/caller/reveal`, { reason: '联系来电人' })).status).toBe(
      403,
    );
    expect((await api.post('dispatcher1', `/api/tickets/${c.id}/caller/reveal`, { reason: '核实' })).status).toBe(200);
  });

  it('R-19: keys rotate: values under an old key, or stored before encryption, are re-encrypted under the current one', async () => {
    const c = await api.createTicket('dispatcher1');
    const pg = new Client({ connectionString: t.databaseUrl });
    await pg.connect();
    try {
      // A row from before encryption (clear values), as an old database would hold.
      await pg.query(`UPDATE tickets SET caller_name = '王五', caller_phone = '13700001111' WHERE id = $1`, [c.id]);
      const rewritten = await t.app.get(SecurityRepository).reencryptCallerData(2);
      expect(rewritten).toBeGreaterThanOrEqual(1);
      const { rows } = await pg.query(`SELECT caller_name, caller_phone FROM tickets WHERE id = $1`, [c.id]);
      expect(rows[0].caller_name).toMatch(/^enc:v1:t2:/);
      expect(rows[0].caller_phone).toMatch(/^enc:v1:t2:/);
      expect(await t.app.get(SecurityRepository).reencryptCallerData()).toBe(0);
    } finally {
      await pg.end();
    }
    expect((await api.get('dispatcher1', `/api/tickets/${c.id}`)).body.caller).toMatchObject({
      name: '王*',
      phone: '137****1111',
    });
  });
});

describe('retention (issue 8, item 7)', () => {
  it('R-19: after a dry run, caller data of tickets closed more than N years ago is erased; tickets and figures stay', async () => {
    const t = await createTestApp({
      dbSuffix: 'retention',
      env: { RETENTION_CALLER_YEARS: '3' },
      start: new Date('2026-03-02T02:00:00Z'),
    });
    let api = new ApiClient(t.app);
    try {
      const walk = async () => {
        api = new ApiClient(t.app); // years pass between walks: fresh sessions
        const c = await api.createTicket('dispatcher1', { category: 'consultation' });
        await api.ok('dispatcher1', c.id, 'answer_directly', { answer: '已答复' });
        return c;
      };
      const old = await walk();
      t.clock.advance(2 * 365 * 24 * 3600_000);
      const recent = await walk();
      t.clock.advance(1.5 * 365 * 24 * 3600_000); // old: closed 3.5 years ago; recent: 1.5
      api = new ApiClient(t.app);

      expect((await api.get('dispatcher1', '/api/admin/retention')).status).toBe(403);
      const dry = await api.get('admin', '/api/admin/retention');
      expect(dry.body).toMatchObject({ dryRun: true, years: 3, count: 1, sample: [old.number] });
      // The dry run changed nothing.
      expect((await api.get('dispatcher1', `/api/tickets/${old.id}`)).body.caller.phone).toBe('138****5678');

      const run = await api.post('admin', '/api/admin/retention/run');
      expect(run.body).toMatchObject({ dryRun: false, count: 1 });
      const after = await api.get('dispatcher1', `/api/tickets/${old.id}`);
      expect(after.body).toMatchObject({
        status: 'closed',
        number: old.number,
        caller: { name: null, phone: null, address: null },
      });
      expect(after.body.timeline.at(-1)).toMatchObject({ action: 'anonymise_caller', actor: { userid: 'system' } });
      expect((await api.get('dispatcher1', `/api/tickets/${recent.id}`)).body.caller.phone).toBe('138****5678');
      expect((await api.post('admin', '/api/admin/retention/run')).body.count).toBe(0);
      const pg = new Client({ connectionString: t.databaseUrl });
      await pg.connect();
      const { rows } = await pg.query(`SELECT caller_phone, caller_phone_hash FROM tickets WHERE id = $1`, [old.id]);
      await pg.end();
      expect(rows[0]).toEqual({ caller_phone: null, caller_phone_hash: null });
    } finally {
      await t.close();
    }
  });
});
