// `npm run backup [-- --out=<folder>] [--format=auto|pg_dump|portable]` (issue 18.8): one folder
// with everything a restore needs, and a manifest.json naming it with checksums:
//   database.pgdump      pg_dump's custom format (an external PostgreSQL whose major version the
//                        local pg_dump, or PG_DUMP, can dump), restored by pg_restore;
//   database/<t>.ndjson.gz  the portable format otherwise (the embedded PostgreSQL 17 of
//                        `npm start`, which no Debian 12 pg_dump can dump, and ships none):
//                        every table's rows as JSON, read in one snapshot, plus sequence values;
//                        the schema comes from the product's migrations, listed in the manifest;
//   attachments/         ATTACHMENTS_DIR (default DATA_DIR/attachments);
//   keys/                the generated key files of DATA_DIR/keys (caller data, token signing).
//                        Keys given as CALLER_DATA_KEYS / AUTH_TOKEN_SECRET stay in the secret
//                        store: the manifest names the caller-data key ids the data needs.
// Reads the same settings as the product (DATABASE_URL, DATA_DIR, EMBEDDED_PG_PORT, …, and .env).
// Works while the product runs (one consistent snapshot); the folder is made readable by its
// owner only, since it holds caller data and keys.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import {
  MIGRATIONS_TABLE,
  callerKeyIdsInData,
  clientMajor,
  filesUnder,
  openDatabase,
  repoRoot,
  serverMajor,
  settings,
  sha256File,
  tablesInOrder,
} from './backup-lib.mjs';

const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

export async function backup({ out, format = 'auto', env = process.env } = {}) {
  const s = settings(env);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const folder = resolve(out ?? join('backups', `hotline-${stamp}`));
  if (existsSync(folder) && filesUnder(folder).length > 0) throw new Error(`${folder} exists and is not empty`);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  try {
    return await writeBackup(s, folder, format, env);
  } catch (err) {
    rmSync(folder, { recursive: true, force: true }); // no half-written backup left to be mistaken for one
    throw err;
  }
}

async function writeBackup(s, folder, format, env) {
  chmodSync(folder, 0o700);
  const db = await openDatabase(s);
  const manifest = {
    product: 'hotline-desk',
    productVersion: JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version,
    commit: spawnSync('git', ['-C', repoRoot, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout?.trim() || null,
    createdAt: new Date().toISOString(),
    source: db.kind === 'external' ? 'external PostgreSQL (DATABASE_URL)' : `embedded PostgreSQL (${s.dataDir}/pg)`,
    files: {},
  };
  try {
    manifest.serverMajor = await serverMajor(db.url);
    const pgDump = env.PG_DUMP ?? 'pg_dump';
    const dumpMajor = clientMajor(pgDump);
    const canPgDump = dumpMajor !== undefined && dumpMajor >= manifest.serverMajor;
    if (format === 'pg_dump' && !canPgDump) {
      throw new Error(
        `${pgDump} ${dumpMajor ?? '(not found)'} cannot dump a PostgreSQL ${manifest.serverMajor} server: set PG_DUMP to a pg_dump of version ${manifest.serverMajor} or newer, or use --format=portable`,
      );
    }
    manifest.format = format === 'portable' || (format === 'auto' && !canPgDump) ? 'portable' : 'pg_dump';

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows: migrations } = await client.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`);
      manifest.migrations = migrations.map((m) => m.name);
      manifest.callerKeyIds = await callerKeyIdsInData(client);
    } finally {
      await client.end();
    }

    if (manifest.format === 'pg_dump') {
      const file = join(folder, 'database.pgdump');
      const r = spawnSync(pgDump, ['--format=custom', '--no-owner', '--no-privileges', '--file', file, db.url], {
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`pg_dump failed: ${r.stderr.trim()}`);
      manifest.pgDumpVersion = spawnSync(pgDump, ['--version'], { encoding: 'utf8' }).stdout.trim();
    } else {
      manifest.tables = await dumpPortable(db.url, join(folder, 'database'));
    }
  } finally {
    await db.close();
  }

  for (const [what, from] of [
    ['attachments', s.attachmentsDir],
    ['keys', s.keysDir],
  ]) {
    for (const rel of filesUnder(from)) {
      const to = join(folder, what, rel);
      mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
      copyFileSync(join(from, rel), to);
      if (what === 'keys') chmodSync(to, 0o600);
    }
  }
  manifest.keys = {
    files: filesUnder(join(folder, 'keys')),
    fromEnvironment: [
      ...(s.callerKeyIdsFromEnv
        ? [`CALLER_DATA_KEYS (key ids ${s.callerKeyIdsFromEnv.join(', ')}), CALLER_HASH_KEY`]
        : []),
      ...(s.authSecretFromEnv ? ['AUTH_TOKEN_SECRET'] : []),
    ],
  };
  for (const rel of filesUnder(folder)) manifest.files[rel] = await sha256File(join(folder, rel));
  writeFileSync(join(folder, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return { folder, manifest };
}

/** Every table's rows as JSON lines, all read in one snapshot; sequence values beside them. */
async function dumpPortable(url, dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const tables = {};
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { order } = await tablesInOrder(client);
    for (const table of order) {
      const gz = createGzip();
      const done = once(gz.pipe(createWriteStream(join(dir, `${table}.ndjson.gz`), { mode: 0o600 })), 'finish');
      await client.query(`DECLARE dump NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM "${table}" t`);
      let rows = 0;
      for (;;) {
        const { rows: batch } = await client.query('FETCH 1000 FROM dump');
        if (batch.length === 0) break;
        rows += batch.length;
        if (!gz.write(batch.map((r) => r.j).join('\n') + '\n')) await once(gz, 'drain');
      }
      await client.query('CLOSE dump');
      gz.end();
      await done;
      tables[table] = rows;
    }
    const { rows: seqs } = await client.query(
      `SELECT sequencename AS name, last_value::text AS value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`,
    );
    writeFileSync(join(dir, 'sequences.json'), `${JSON.stringify(seqs, null, 2)}\n`, { mode: 0o600 });
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
  return tables;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const { folder, manifest } = await backup({ out: arg('out'), format: arg('format') ?? 'auto' });
    const count = Object.keys(manifest.files).length;
    console.log(
      `backup: ${folder} (${manifest.format} database dump of PostgreSQL ${manifest.serverMajor}, ${count} files)`,
    );
    if (manifest.keys.fromEnvironment.length) {
      console.log(
        `backup: not in the folder, keep them in your secret store: ${manifest.keys.fromEnvironment.join('; ')}`,
      );
    }
  } catch (err) {
    console.error(`backup failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
