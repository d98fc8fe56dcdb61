// Issue 13.2: the real entry points (compiled as `npm run build` compiles them) refuse to boot in
// production with unsafe settings, and a complete production configuration boots with dev
// sign-in closed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp } from './support/app';
import { createTestDatabase } from './support/database';
import { childEnv, compileProduct } from './support/compiled';

let dist: string;

const dingtalk = {
  DINGTALK_APP_KEY: 'dingkey',
  DINGTALK_APP_SECRET: 'dingsecret',
  DINGTALK_AGENT_ID: '4001',
  DINGTALK_CORP_ID: 'dingcorp',
};
const secrets = {
  AUTH_TOKEN_SECRET: 'production-secret-production-secret-0123',
  CALLER_DATA_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  CALLER_HASH_KEY: Buffer.alloc(32, 8).toString('base64'),
};

/** Runs a compiled entry point in an empty folder (no .env) with only the given environment. */
function boot(entry: string, env: Record<string, string>): { status: number | null; stderr: string } {
  const res = spawnSync(process.execPath, [join(dist, entry)], {
    cwd: mkdtempSync(join(tmpdir(), 'hotline-boot-')),
    env: childEnv({ LOG_LEVEL: 'silent', ...env }),
    encoding: 'utf8',
    // Loading the Nest stack can take a while on a busy machine.
    timeout: 90_000,
  });
  return { status: res.status, stderr: res.stderr };
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? done(addr.port) : fail(new Error('no port'))));
    });
  });
}

beforeAll(() => {
  dist = compileProduct();
}, 60_000);

afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe('production boot refusal (issue 13.2)', () => {
  it.each(['apps/api/src/main.js', 'apps/worker/src/main.js', 'apps/standalone/src/main.js'])(
    'R-19: %s with NODE_ENV=production and DEV_LOGIN=true exits 1 listing everything wrong',
    (entry) => {
      const res = boot(entry, {
        NODE_ENV: 'production',
        DEV_LOGIN: 'true',
        DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      });
      expect(res.status).toBe(1);
      expect(res.stderr).toMatch(/^Invalid configuration:\n/);
      expect(res.stderr).toMatch(/ {2}- DEV_LOGIN=true is not allowed with NODE_ENV=production/);
      expect(res.stderr).toMatch(/ {2}- DINGTALK_APP_KEY, DINGTALK_APP_SECRET, DINGTALK_AGENT_ID and DINGTALK_CORP_ID/);
      expect(res.stderr).toMatch(/ {2}- AUTH_TOKEN_SECRET must be set/);
      expect(res.stderr).toMatch(/ {2}- CALLER_DATA_KEYS must be set/);
      expect(res.stderr).toMatch(/ {2}- CALLER_HASH_KEY must be set/);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    },
    120_000,
  );

  it('R-19: the api with real DingTalk credentials but DEV_LOGIN=true is refused in production', () => {
    const res = boot('apps/api/src/main.js', {
      NODE_ENV: 'production',
      DEV_LOGIN: 'true',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      ...dingtalk,
      ...secrets,
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(
      'Invalid configuration:\n' +
        '  - DEV_LOGIN=true is not allowed with NODE_ENV=production (anyone could sign in as anyone)\n' +
        'See .env.example for every setting.\n',
    );
  }, 120_000);

  it('R-19: the api with a complete production configuration boots, and dev sign-in is 404', async () => {
    const url = await createTestDatabase('prodboot');
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, [join(dist, 'apps/api/src/main.js')], {
      cwd: mkdtempSync(join(tmpdir(), 'hotline-boot-')),
      env: childEnv({
        NODE_ENV: 'production',
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: url,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'hotline-boot-data-')),
        ...dingtalk,
        ...secrets,
      }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      let health = 0;
      for (const until = Date.now() + 90_000; Date.now() < until && health !== 200;) {
        await new Promise((r) => setTimeout(r, 200));
        if (child.exitCode !== null) throw new Error(`api exited ${child.exitCode}: ${stderr}`);
        health = await fetch(`http://127.0.0.1:${port}/health`).then(
          (r) => r.status,
          () => 0,
        );
      }
      expect(health).toBe(200);
      const dev = await fetch(`http://127.0.0.1:${port}/api/auth/dev`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userid: 'admin' }),
      });
      expect(dev.status).toBe(404);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    }
  }, 120_000);
});

describe('dev sign-in with DingTalk credentials (issue 13.2)', () => {
  it('R-19: POST /api/auth/dev is 404 with DingTalk credentials even when DEV_LOGIN=true', async () => {
    const t = await createTestApp({
      dbSuffix: 'devforced',
      env: { ...dingtalk, DEV_LOGIN: 'true' },
    });
    try {
      const r = await t.app.inject({ method: 'POST', url: '/api/auth/dev', payload: { userid: 'dispatcher1' } });
      expect(r.statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });

  it('R-19: DEV_LOGIN=false closes dev sign-in with the simulator too', async () => {
    const t = await createTestApp({ dbSuffix: 'devoff', env: { DEV_LOGIN: 'false' } });
    try {
      const r = await t.app.inject({ method: 'POST', url: '/api/auth/dev', payload: { userid: 'dispatcher1' } });
      expect(r.statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });
});
