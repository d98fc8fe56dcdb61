// Shared by `npm run backup` and `npm run restore` (issue 18.8): where the database, the
// attachments and the generated key files are, with the same settings the product reads
// (DATABASE_URL, or the embedded PostgreSQL of `npm start` in DATA_DIR/pg on EMBEDDED_PG_PORT;
// ATTACHMENTS_DIR or DATA_DIR/attachments; DATA_DIR/keys).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, resolve } from 'node:path';
import pg from 'pg';

const require = createRequire(import.meta.url);
export const repoRoot = resolve(new URL('..', import.meta.url).pathname);

export function settings(env = process.env) {
  if (env === process.env && existsSync('.env')) process.loadEnvFile('.env');
  const str = (n) => (env[n] && env[n].trim() !== '' ? env[n].trim() : undefined);
  const abs = (p) => (isAbsolute(p) ? p : resolve(process.cwd(), p));
  const dataDir = abs(str('DATA_DIR') ?? '.data');
  return {
    databaseUrl: str('DATABASE_URL'),
    embeddedPort: Number(str('EMBEDDED_PG_PORT') ?? 54329),
    dataDir,
    attachmentsDir: str('ATTACHMENTS_DIR') ? abs(str('ATTACHMENTS_DIR')) : join(dataDir, 'attachments'),
    keysDir: join(dataDir, 'keys'),
    callerKeyIdsFromEnv: str('CALLER_DATA_KEYS')
      ?.split(',')
      .map((p) => p.trim().split(':')[0])
      .filter(Boolean),
    authSecretFromEnv: !!str('AUTH_TOKEN_SECRET'),
    dist: resolve(str('HOTLINE_DIST') ?? join(repoRoot, 'dist')),
  };
}

/** The built product's database library (migrations, the embedded server). */
export function productDb(s) {
  const index = join(s.dist, 'libs/db/src/index.js');
  if (!existsSync(index)) throw new Error(`the built product is missing (${index}): run npm run build first`);
  return require(index);
}

async function answers(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * The database to back up or restore into: DATABASE_URL, or the embedded cluster, used as it runs
 * (`npm start` running) or started here for the time of the work (`npm start` stopped).
 */
export async function openDatabase(s, { create = false } = {}) {
  if (s.databaseUrl) return { url: s.databaseUrl, kind: 'external', close: async () => undefined };
  const admin = `postgres://postgres:postgres@127.0.0.1:${s.embeddedPort}/postgres`;
  let running;
  if (!(await answers(admin))) {
    const db = productDb(s);
    if (!create && !existsSync(join(s.dataDir, 'pg'))) throw new Error(`no embedded database in ${s.dataDir}/pg`);
    running = await db.startEmbeddedPostgres({
      dataDir: join(s.dataDir, 'pg'),
      port: s.embeddedPort,
      persistent: true,
    });
  }
  if (create) await productDb(s).ensureDatabase(admin, 'hotline');
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${s.embeddedPort}/hotline`,
    kind: 'embedded',
    close: async () => running?.stop(),
  };
}

/** Major version of a pg_dump / pg_restore binary, or undefined when it cannot be run. */
export function clientMajor(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  const m = /(\d+)(?:\.\d+)?/.exec(r.stdout ?? '');
  return r.status === 0 && m ? Number(m[1]) : undefined;
}

export async function serverMajor(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query('SHOW server_version_num');
    return Math.floor(Number(rows[0].server_version_num) / 10000);
  } finally {
    await c.end();
  }
}

export function sha256File(file) {
  return new Promise((res, rej) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('end', () => res(h.digest('hex')))
      .on('error', rej);
  });
}

/** Every file under a folder, as paths relative to it (sorted). */
export function filesUnder(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(dir, p));
    }
  };
  if (existsSync(dir) && statSync(dir).isDirectory()) walk(dir);
  return out.sort();
}

/**
 * The product's tables in an order where every table comes after the tables it references
 * (self-references aside), and each table's self-referencing columns.
 */
export async function tablesInOrder(client) {
  const { rows: tables } = await client.query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`,
  );
  const { rows: fks } = await client.query(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent,
            array_agg(a.attname::text ORDER BY a.attnum) AS cols
       FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
       JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE c.contype = 'f' AND n.nspname = 'public' GROUP BY 1, 2, c.oid`,
  );
  const names = tables.map((t) => t.name);
  const selfRefs = new Map(names.map((n) => [n, []]));
  const deps = new Map(names.map((n) => [n, new Set()]));
  for (const f of fks) {
    if (f.child === f.parent) selfRefs.get(f.child)?.push(...f.cols);
    else deps.get(f.child)?.add(f.parent);
  }
  const order = [];
  const seen = new Set();
  const visit = (n, path = new Set()) => {
    if (seen.has(n)) return;
    if (path.has(n)) throw new Error(`foreign keys form a cycle through ${n}`);
    path.add(n);
    for (const p of deps.get(n) ?? []) visit(p, path);
    path.delete(n);
    seen.add(n);
    order.push(n);
  };
  for (const n of names) visit(n);
  return { order, selfRefs };
}

export const MIGRATIONS_TABLE = 'schema_migrations';

/** Key ids the stored caller data was encrypted with (R-19: `enc:v1:<key id>:…`). */
export async function callerKeyIdsInData(client) {
  const { rows } = await client.query(
    `SELECT DISTINCT split_part(v, ':', 3) AS kid FROM (
       SELECT unnest(ARRAY[caller_name, caller_phone, caller_address]) AS v FROM tickets
       UNION ALL SELECT unnest(ARRAY[caller_name, caller_phone, caller_address]) FROM ticket_callers) x
      WHERE v LIKE 'enc:v1:%' ORDER BY 1`,
  );
  return rows.map((r) => r.kid);
}
