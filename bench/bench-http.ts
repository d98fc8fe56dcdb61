// Shared by the benchmarks that drive the product over HTTP: a free port, a JSON request, waiting
// for a condition, p50/p99 of repeated requests, and apps/api started alone on a bench database.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** One JSON request; anything but 2xx throws with the status and the start of the body. */
export async function http(base: string, method: string, path: string, token?: string, body?: unknown): Promise<any> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path} → ${r.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 180_000): Promise<T> {
  for (const end = Date.now() + ms; ;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

export interface Timing {
  p50: number;
  p99: number;
}

/** p50 and p99 in ms of `runs` calls of `work`, after up to three warm-up calls. */
export async function timed(runs: number, work: (i: number) => Promise<unknown>): Promise<Timing> {
  const ms: number[] = [];
  for (let i = 0; i < Math.min(3, runs); i++) await work(i);
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await work(i);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(runs / 2)]!, p99: ms[Math.min(runs - 1, Math.ceil(runs * 0.99) - 1)]! };
}

/**
 * apps/api alone (no worker: its deadline scans would be writes of their own) on `databaseUrl`,
 * already migrated, with the dev sign-in; resolves once /health answers.
 */
export async function startApi(databaseUrl: string): Promise<{ base: string; api: ChildProcess }> {
  const work = mkdtempSync(join(tmpdir(), 'hotline-bench-api-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const api = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      DEV_LOGIN: 'true',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      DB_MIGRATE_ON_START: 'false',
      DATA_DIR: join(work, 'data'),
      ATTACHMENTS_DIR: join(work, 'attachments'),
      AUTH_TOKEN_SECRET: randomBytes(32).toString('hex'),
      CALLER_DATA_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      CALLER_HASH_KEY: randomBytes(32).toString('base64'),
      DINGTALK_SIM_PORT: String(await freePort()),
      PUBLIC_URL: 'http://hotline.bench',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await until('the API', () => fetch(`${base}/health`).then((r) => r.ok), 120_000);
  } catch (err) {
    api.kill('SIGTERM');
    throw err;
  }
  return { base, api };
}
