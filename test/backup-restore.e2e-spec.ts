// Issue 18.8, the restore drill: a ticket walks chain B partway (registered with a caller,
// dispatched, accepted, a photo attached, replied), `npm run backup` runs, the database and the
// data folder (attachments, generated keys) are wiped, `npm run restore` puts them back, and the
// walk goes on to the close; the caller's phone is still decryptable and the photo downloads.
// Once with the format chosen for this server (pg_dump when the local pg_dump can dump it), once
// with the portable format (the one the embedded PostgreSQL 17 of `npm start` gets).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';
import { childEnv, compileProduct, repoRoot } from './support/compiled';
import { createTestDatabase } from './support/database';

const PHOTO = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('现场照片 bytes '.repeat(30))]);
const PHONE = '13912345678';

function multipart(fileName: string, content: Buffer) {
  const boundary = `----drill${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: image/jpeg\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function onAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: process.env.HOTLINE_TEST_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('backups that restore (issue 18.8)', () => {
  let dist: string;
  beforeAll(() => {
    dist = compileProduct();
  }, 120_000);
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  describe.each(['auto', 'portable'])('format %s', (format) => {
    let work: string;
    let dataDir: string;
    let databaseUrl: string;
    let t: TestApp | undefined;
    const env = () => ({ DATA_DIR: dataDir, CALLER_DATA_KEYS: '', CALLER_HASH_KEY: '' });
    const run = (script: string, args: string[]) =>
      spawnSync(process.execPath, [join(repoRoot, 'scripts', script), ...args], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: childEnv({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir, HOTLINE_DIST: dist }),
        timeout: 90_000,
      });

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'hotline-drill-'));
      dataDir = join(work, 'data');
      databaseUrl = await createTestDatabase(`drill_${format}`);
    });
    afterAll(async () => {
      await t?.close();
      rmSync(work, { recursive: true, force: true });
    });

    it(`issue 18.8: back up, wipe, restore (${format}); the chain B walk goes on where it stopped, caller data still decryptable`, async () => {
      // ---- the walk, up to the reply; keys generated into DATA_DIR/keys, photo in DATA_DIR/attachments
      t = await createTestApp({ databaseUrl, seedDemo: true, env: env() });
      let api = new ApiClient(t.app);
      const now = () => t!.clock.now();
      const created = await api.createTicket('dispatcher1', {
        source: 'mayor_hotline',
        upstreamRef: `SZ-DRILL-${format}`,
        upstreamDeadline: new Date(now().getTime() + 10 * 24 * 3600_000).toISOString(),
        caller: { name: '钱多多', phone: PHONE, address: '解放路8号' },
      });
      expect(created.chain).toBe('B');
      const id = created.id as string;
      await api.ok('dispatcher1', id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
      await api.ok('b1_receiver', id, 'accept');
      const { payload, headers } = multipart('站台照片.jpg', PHOTO);
      const up = await t.app.inject({
        method: 'POST',
        url: `/api/tickets/${id}/attachments`,
        payload,
        headers: { ...headers, authorization: `Bearer ${await api.token('dispatcher1')}` },
      });
      expect(up.statusCode).toBe(201);
      const attachmentId = up.json().id as string;
      const replied = await api.ok('b1_receiver', id, 'submit_reply', replyBody(now()));
      expect(replied.assignments[0].status).toBe('awaiting_leader');
      await t.close();
      t = undefined;
      const keyFile = readFileSync(join(dataDir, 'keys', 'caller-data.json'), 'utf8');

      // ---- back up
      const b = run('backup.mjs', [`--out=${join(work, 'backup')}`, `--format=${format}`]);
      expect(b.stderr).toBe('');
      expect(b.status).toBe(0);
      const manifest = JSON.parse(readFileSync(join(work, 'backup', 'manifest.json'), 'utf8'));
      // auto: pg_dump when the local pg_dump is at least the server's major version (PostgreSQL 15
      // here), the portable format otherwise (the embedded 17 of a run without DATABASE_URL).
      const dumpMajor = Number(
        /(\d+)/.exec(spawnSync('pg_dump', ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1],
      );
      const serverMajor = await onAdmin(async (c) =>
        Math.floor(Number((await c.query('SHOW server_version_num')).rows[0].server_version_num) / 10000),
      );
      expect(manifest.format).toBe(format === 'auto' && dumpMajor >= serverMajor ? 'pg_dump' : 'portable');
      expect(manifest.keys.files).toEqual(
        ['auth-token.key', 'caller-data.json'].filter((f) => existsSync(join(dataDir, 'keys', f))),
      );
      expect(manifest.callerKeyIds).toEqual([JSON.parse(keyFile).current]);
      expect(Object.keys(manifest.files).filter((f) => f.startsWith('attachments/'))).toHaveLength(1);
      for (const sum of Object.values(manifest.files)) expect(sum).toMatch(/^[0-9a-f]{64}$/);

      // ---- wipe: the database and the whole data folder (attachments and keys)
      const name = new URL(databaseUrl).pathname.slice(1);
      await onAdmin(async (c) => {
        await c.query(`DROP DATABASE ${name} WITH (FORCE)`);
        await c.query(`CREATE DATABASE ${name}`);
      });
      rmSync(dataDir, { recursive: true, force: true });

      // ---- restore, and a second restore is refused (the database is no longer empty)
      const r = run('restore.mjs', [join(work, 'backup')]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(readFileSync(join(dataDir, 'keys', 'caller-data.json'), 'utf8')).toBe(keyFile);
      const again = run('restore.mjs', [join(work, 'backup')]);
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/attachments folder .* is not empty|database is not empty/);

      // ---- the walk goes on where it stopped
      t = await createTestApp({ databaseUrl, seedDemo: false, env: env() });
      api = new ApiClient(t.app);
      const back = await api.get('dispatcher1', `/api/tickets/${id}`);
      expect(back.body).toMatchObject({ number: created.number, status: 'in_progress' });
      expect(back.body.assignments[0].status).toBe('awaiting_leader');
      // issue 19: the kept tab counts are the restored tables' (the portable restore's inserts fire
      // the counting triggers on top of the counts the backup holds)
      const inbox = await api.get('b1_leader', '/api/inbox/page?limit=50');
      expect(inbox.body.counts.approve_reply).toBe(
        inbox.body.items.filter((i: { action: string }) => i.action === 'approve_reply').length,
      );
      expect(inbox.body.counts.approve_reply).toBeGreaterThan(0);
      await api.ok('b1_leader', id, 'approve_reply', {});
      await api.ok('dispatcher1', id, 'pass_review', {});
      await api.ok('ops_head', id, 'pass_review', {});
      expect((await api.ok('office_reviewer', id, 'pass_review', {})).step).toBe('upstream_report');
      const closed = await api.ok('dispatcher1', id, 'report_upstream', { comment: '已报市长热线' });
      expect(closed.status).toBe('closed');

      // caller data decrypts with the restored key; the photo comes back byte for byte
      const revealed = await api.post('dispatcher1', `/api/tickets/${id}/caller/reveal`, { reason: '回访' });
      expect(revealed.status).toBe(200);
      expect(revealed.body.phone).toBe(PHONE);
      const photo = await t.app.inject({
        method: 'GET',
        url: `/api/attachments/${attachmentId}`,
        headers: { authorization: `Bearer ${await api.token('b1_receiver')}` },
      });
      expect(photo.statusCode).toBe(200);
      expect(photo.rawPayload.equals(PHOTO)).toBe(true);
      // identities and sequences continue: a new ticket gets a new number, its timeline appends
      const next = await api.createTicket('dispatcher1');
      expect(next.number).not.toBe(created.number);
      expect(readdirSync(join(dataDir, 'attachments'), { recursive: true }).length).toBeGreaterThan(0);
    }, 120_000);
  });
});
