// Issue 13.1: `npm run migration:run` alone leaves a database a real company can use: the R-2
// sources with their chains, the categories, the X-1 time limits; no demo data; and what an
// admin changed afterwards is never put back.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestApp } from './support/app';
import { createEmptyDatabase } from './support/database';
import { childEnv, compileProduct } from './support/compiled';

let dist: string;
beforeAll(() => {
  dist = compileProduct();
}, 60_000);
afterAll(() => rmSync(dist, { recursive: true, force: true }));

/** `npm run migration:run` as the compose `migrate` service runs it (NODE_ENV=production, only DATABASE_URL). */
function migrationRun(url: string): string {
  const res = spawnSync(process.execPath, [join(dist, 'libs/db/src/cli/migrate.js'), 'run'], {
    cwd: mkdtempSync(join(tmpdir(), 'hotline-migrate-')),
    env: childEnv({ NODE_ENV: 'production', DATABASE_URL: url, LOG_LEVEL: 'silent' }),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (res.status !== 0) throw new Error(`migration:run exited ${res.status}: ${res.stderr}`);
  return res.stdout;
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const rows = (url: string, sql: string) => withClient(url, async (c) => (await c.query(sql)).rows);

describe('install: migration:run seeds the reference data (issue 13.1)', () => {
  it('R-2, R-8, X-1: a fresh database after migration:run has the sources with their chains, the categories and the time limits, and no demo data', async () => {
    const url = await createEmptyDatabase('install_fresh');
    expect(migrationRun(url)).toMatch(/applied: .*ReferenceData1765500000000/);

    expect(await rows(url, `SELECT code, name, chain, active FROM sources ORDER BY sort`)).toEqual([
      { code: 'group_hotline', name: '集团客服热线', chain: 'A', active: true },
      { code: 'mayor_hotline', name: '市长公开电话', chain: 'B', active: true },
      { code: 'mayor_mailbox', name: '市长信箱', chain: 'B', active: true },
      { code: 'npc_cppcc', name: '人大政协提案', chain: 'B', active: true },
      { code: 'people_daily', name: '人民网留言', chain: 'B', active: true },
      { code: 'transport_bureau', name: '交通局转办', chain: 'B', active: true },
      { code: 'xingfeng_online', name: '行风在线', chain: 'B', active: true },
      { code: 'digital_city', name: '数字化城管', chain: 'B', active: true },
      { code: 'chairman_mailbox', name: '董事长信箱', chain: 'A', active: true },
      { code: 'direct', name: '直接来电', chain: 'direct', active: true },
    ]);
    expect((await rows(url, `SELECT code FROM categories ORDER BY sort`)).map((r) => r.code)).toEqual([
      'consultation',
      'complaint',
      'report',
      'help',
      'suggestion',
      'lost_item',
      'praise',
    ]);
    expect(
      await rows(
        url,
        `SELECT source_code, category_code, urgency, accept_amount, accept_unit, reply_amount, reply_unit
           FROM time_limit_policies ORDER BY id`,
      ),
    ).toEqual([
      expect.objectContaining({
        source_code: null,
        category_code: null,
        urgency: null,
        reply_amount: 5,
        reply_unit: 'working_days',
      }),
      expect.objectContaining({ category_code: 'consultation', reply_amount: 3, reply_unit: 'working_days' }),
      expect.objectContaining({ source_code: 'npc_cppcc', reply_amount: 3, reply_unit: 'calendar_months' }),
      expect.objectContaining({
        urgency: 'urgent',
        accept_amount: 30,
        accept_unit: 'minutes',
        reply_amount: 2,
        reply_unit: 'working_hours',
      }),
    ]);
    // The demo organisation and the intake demo stay demo-only.
    expect(await rows(url, `SELECT count(*)::int AS n FROM people`)).toEqual([{ n: 0 }]);
    expect(await rows(url, `SELECT count(*)::int AS n FROM units`)).toEqual([{ n: 0 }]);
    expect(await rows(url, `SELECT count(*)::int AS n FROM kb_articles`)).toEqual([{ n: 0 }]);

    // A second run applies nothing.
    expect(migrationRun(url)).toBe('nothing to apply\n');
  }, 240_000);

  it('R-2: a registration with source group_hotline works on a migrated database without the demo seed', async () => {
    const url = await createEmptyDatabase('install_register');
    migrationRun(url);
    // One department and one dispatcher, as the organisation sync would bring them; nothing else.
    await withClient(url, async (c) => {
      await c.query(`INSERT INTO units (code, name, kind) VALUES ('ops', '运营服务部', 'department')`);
      await c.query(`INSERT INTO people (userid, name, roles) VALUES ('d1', '派单员', '{dispatcher}')`);
      await c.query(`INSERT INTO unit_memberships (userid, unit_code, is_leader) VALUES ('d1', 'ops', false)`);
    });
    const t = await createTestApp({ databaseUrl: url, start: new Date('2026-12-01T02:00:00Z') });
    try {
      const signIn = await t.app.inject({ method: 'POST', url: '/api/auth/dev', payload: { userid: 'd1' } });
      expect(signIn.statusCode).toBe(200);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/tickets',
        headers: { authorization: `Bearer ${signIn.json().token}` },
        payload: {
          source: 'group_hotline',
          channel: 'phone',
          category: 'complaint',
          subject: '车辆未进站',
          content: '乘客反映车辆未进站停靠。',
          caller: { name: '张三', phone: '13800138000' },
        },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        source: { code: 'group_hotline', name: '集团客服热线' },
        category: { code: 'complaint' },
        status: 'registered',
      });
    } finally {
      await t.close();
    }
  }, 240_000);

  it('R-2, X-1: what an admin changed survives a second migration:run, and the seed never re-creates what was removed', async () => {
    const url = await createEmptyDatabase('install_rerun');
    migrationRun(url);
    const change = async () =>
      withClient(url, async (c) => {
        await c.query(`UPDATE sources SET name = '集团热线（96xxx）' WHERE code = 'group_hotline'`);
        await c.query(`UPDATE sources SET active = false WHERE code = 'xingfeng_online'`);
        await c.query(`UPDATE sources SET chain = 'B' WHERE code = 'chairman_mailbox'`);
        await c.query(`UPDATE categories SET name = '失物查找', active = false WHERE code = 'lost_item'`);
        await c.query(`DELETE FROM time_limit_policies`);
        await c.query(
          `INSERT INTO time_limit_policies (reply_amount, reply_unit, note, updated_by) VALUES (4, 'working_days', '本公司：4个工作日', 'admin')`,
        );
      });
    await change();
    const before = await rows(
      url,
      `SELECT (SELECT json_agg(s ORDER BY code) FROM sources s) AS s, (SELECT json_agg(c ORDER BY code) FROM categories c) AS c,
              (SELECT json_agg(json_build_object('reply', reply_amount, 'note', note)) FROM time_limit_policies) AS p`,
    );

    // A second run: nothing to apply, nothing changed.
    expect(migrationRun(url)).toBe('nothing to apply\n');
    // Even if the reference-data migration runs again (reverted and re-applied, or a database
    // that an earlier start had already seeded and an admin had edited), the admin's rows win.
    // (Its record is removed rather than the last migration reverted: later migrations follow it.)
    await withClient(url, (c) => c.query(`DELETE FROM schema_migrations WHERE name = 'ReferenceData1765500000000'`));
    expect(migrationRun(url)).toMatch(/applied: ReferenceData1765500000000/);

    const after = await rows(
      url,
      `SELECT (SELECT json_agg(s ORDER BY code) FROM sources s) AS s, (SELECT json_agg(c ORDER BY code) FROM categories c) AS c,
              (SELECT json_agg(json_build_object('reply', reply_amount, 'note', note)) FROM time_limit_policies) AS p`,
    );
    expect(after).toEqual(before);
    expect(after[0].p).toEqual([{ reply: 4, note: '本公司：4个工作日' }]);
    expect(after[0].s.find((s: { code: string }) => s.code === 'group_hotline').name).toBe('集团热线（96xxx）');
    expect(after[0].s.find((s: { code: string }) => s.code === 'xingfeng_online').active).toBe(false);
  }, 240_000);
});
