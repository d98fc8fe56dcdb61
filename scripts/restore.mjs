// `npm run restore -- <backup folder> [--force]` (issue 18.8): puts a `npm run backup` folder back:
// the database (into an EMPTY database: DATABASE_URL, or the embedded one of `npm start`, which is
// created in DATA_DIR/pg when missing), the attachments folder and the generated key files.
// Refuses, before touching anything: a folder whose files do not match the manifest's checksums;
// a non-empty database, attachments folder or differing key file (unless --force, which empties
// them first); caller data whose encryption keys would be missing afterwards (neither in the
// backup's key file nor in CALLER_DATA_KEYS). Stop the product while restoring.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import pg from 'pg';
import {
  MIGRATIONS_TABLE,
  filesUnder,
  openDatabase,
  productDb,
  settings,
  sha256File,
  tablesInOrder,
} from './backup-lib.mjs';

export async function restore(folder, { force = false, env = process.env, log = console.log } = {}) {
  const s = settings(env);
  folder = resolve(folder);
  const manifestFile = join(folder, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`${folder} has no manifest.json: not a backup of npm run backup`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  for (const [rel, sum] of Object.entries(manifest.files)) {
    if (!existsSync(join(folder, rel))) throw new Error(`the backup is incomplete: ${rel} is missing`);
    if ((await sha256File(join(folder, rel))) !== sum)
      throw new Error(`the backup is damaged: ${rel} does not match its checksum`);
  }

  // The caller data must stay readable: every key id it was encrypted with must be available.
  const keyFile = join(folder, 'keys', 'caller-data.json');
  const available = new Set([
    ...(existsSync(keyFile) ? Object.keys(JSON.parse(readFileSync(keyFile, 'utf8')).keys) : []),
    ...(s.callerKeyIdsFromEnv ?? []),
  ]);
  const missing = (manifest.callerKeyIds ?? []).filter((k) => !available.has(k));
  if (missing.length && !force) {
    throw new Error(
      `the caller data was encrypted with key ${missing.join(', ')}, which neither the backup's key file nor CALLER_DATA_KEYS provides: set CALLER_DATA_KEYS from your secret store (or --force to restore unreadable caller data)`,
    );
  }

  // Nothing is overwritten without --force.
  const attachments = filesUnder(s.attachmentsDir);
  if (attachments.length && !force)
    throw new Error(`the attachments folder ${s.attachmentsDir} is not empty (--force empties it)`);
  const differing = filesUnder(join(folder, 'keys')).filter(
    (rel) =>
      existsSync(join(s.keysDir, rel)) &&
      !readFileSync(join(s.keysDir, rel)).equals(readFileSync(join(folder, 'keys', rel))),
  );
  if (differing.length && !force) {
    throw new Error(`${s.keysDir} holds other keys (${differing.join(', ')}): move them away first (or --force)`);
  }

  const db = await openDatabase(s, { create: true });
  try {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'S')`,
      );
      if (rows[0].n > 0) {
        if (!force)
          throw new Error(`the database is not empty (${rows[0].n} relations in schema public; --force drops them)`);
        await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      }
    } finally {
      await client.end();
    }
    if (manifest.format === 'pg_dump') {
      const bin = env.PG_RESTORE ?? 'pg_restore';
      const r = spawnSync(
        bin,
        [
          '--no-owner',
          '--no-privileges',
          '--exit-on-error',
          '--single-transaction',
          '--dbname',
          db.url,
          join(folder, 'database.pgdump'),
        ],
        { encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`pg_restore failed: ${(r.stderr || r.error?.message || '').trim()}`);
    } else {
      await restorePortable(s, db.url, folder, manifest);
    }
  } finally {
    await db.close();
  }

  if (force) rmSync(s.attachmentsDir, { recursive: true, force: true });
  for (const [what, to] of [
    ['attachments', s.attachmentsDir],
    ['keys', s.keysDir],
  ]) {
    for (const rel of filesUnder(join(folder, what))) {
      mkdirSync(dirname(join(to, rel)), { recursive: true, mode: 0o700 });
      copyFileSync(join(folder, what, rel), join(to, rel));
      if (what === 'keys') chmodSync(join(to, rel), 0o600);
    }
  }
  log(
    `restore: ${folder} (made ${manifest.createdAt}) → ${db.kind === 'external' ? 'DATABASE_URL' : `the embedded database in ${s.dataDir}/pg`}, ` +
      `${filesUnder(join(folder, 'attachments')).length} attachments into ${s.attachmentsDir}, ${filesUnder(join(folder, 'keys')).length} key files into ${s.keysDir}`,
  );
  return manifest;
}

/**
 * The portable format: the schema from the product's migrations (the same list as the backup's),
 * then every table's rows in foreign-key order and the sequences, in one transaction.
 */
async function restorePortable(s, url, folder, manifest) {
  await productDb(s).runMigrations(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: applied } = await client.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`);
    const names = applied.map((r) => r.name);
    if (names.join() !== manifest.migrations.join()) {
      throw new Error(
        `this product's migrations (${names.length}, last ${names.at(-1)}) differ from the backup's (${manifest.migrations.length}, last ${manifest.migrations.at(-1)}): restore with the product version that made it (commit ${manifest.commit ?? 'unknown'}), then npm run migration:run`,
      );
    }
    const { order, selfRefs } = await tablesInOrder(client);
    const unknown = Object.keys(manifest.tables).filter((t) => !order.includes(t));
    if (unknown.length) throw new Error(`the backup has tables this schema lacks: ${unknown.join(', ')}`);
    await client.query('BEGIN');
    // The migrations seed reference data: the backup's rows replace it.
    for (const table of [...order].reverse())
      if (table !== MIGRATIONS_TABLE) await client.query(`DELETE FROM "${table}"`);
    for (const table of order) {
      if (table === MIGRATIONS_TABLE || !(table in manifest.tables)) continue;
      const { rows: cols } = await client.query(
        `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
        [`"${table}"`],
      );
      const self = selfRefs.get(table) ?? [];
      const list = cols.map((c) => `"${c.attname}"`).join(', ');
      const values = cols.map((c) => (self.includes(c.attname) ? 'NULL' : `"${c.attname}"`)).join(', ');
      let loaded = 0;
      await eachBatch(join(folder, 'database', `${table}.ndjson.gz`), async (batch) => {
        const r = await client.query(
          `INSERT INTO "${table}" (${list}) OVERRIDING SYSTEM VALUE
           SELECT ${values} FROM json_populate_recordset(NULL::"${table}", $1::json)`,
          [`[${batch.join(',')}]`],
        );
        loaded += r.rowCount;
      });
      if (self.length) {
        // Rows that point at rows of their own table: set once every row is there.
        const { rows: pk } = await client.query(
          `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = $1::regclass AND i.indisprimary`,
          [`"${table}"`],
        );
        const on = pk.map((p) => `t."${p.attname}" = r."${p.attname}"`).join(' AND ');
        const set = self.map((c) => `"${c}" = r."${c}"`).join(', ');
        const any = self.map((c) => `r."${c}" IS NOT NULL`).join(' OR ');
        await eachBatch(join(folder, 'database', `${table}.ndjson.gz`), (batch) =>
          client.query(
            `UPDATE "${table}" t SET ${set} FROM json_populate_recordset(NULL::"${table}", $1::json) r WHERE ${on} AND (${any})`,
            [`[${batch.join(',')}]`],
          ),
        );
      }
      if (loaded !== manifest.tables[table])
        throw new Error(`${table}: loaded ${loaded} rows, the backup has ${manifest.tables[table]}`);
    }
    // The inbox's kept counts (issue 19): the rows inserted above fired the tables' triggers on top
    // of the counts the backup holds, so they are counted again from the restored tables.
    await client.query('SELECT inbox_work_rebuild()');
    for (const seq of JSON.parse(readFileSync(join(folder, 'database', 'sequences.json'), 'utf8'))) {
      if (seq.value === null) await client.query(`SELECT setval($1::regclass, 1, false)`, [`"${seq.name}"`]);
      else await client.query(`SELECT setval($1::regclass, $2::bigint, true)`, [`"${seq.name}"`, seq.value]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

async function eachBatch(file, fn, size = 500) {
  let batch = [];
  for await (const line of createInterface({
    input: createReadStream(file).pipe(createGunzip()),
    crlfDelay: Infinity,
  })) {
    if (!line) continue;
    batch.push(line);
    if (batch.length === size) {
      await fn(batch);
      batch = [];
    }
  }
  if (batch.length) await fn(batch);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const folder = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (!folder) {
    console.error('usage: npm run restore -- <backup folder> [--force]');
    process.exit(2);
  }
  try {
    await restore(folder, { force: process.argv.includes('--force') });
  } catch (err) {
    console.error(`restore refused or failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
