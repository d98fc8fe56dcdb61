// Jest global setup for the integration tier: a real PostgreSQL for the whole run. With
// TEST_DATABASE_URL (or DATABASE_URL) that server is used; otherwise a throwaway embedded
// server starts here. A template database gets the real migrations once; each Jest worker
// then clones it into its own database (see test/support/database.ts).
import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Client } from 'pg';
import { runMigrations, startEmbeddedPostgres, type RunningPostgres } from '@hotline/db';

declare global {
  var __HOTLINE_PG__: RunningPostgres | undefined;
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

export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'hotline-test-pg-'));
    chmodSync(dir, 0o755);
    const pg = await startEmbeddedPostgres({
      dataDir: join(dir, 'cluster'),
      port: await freePort(),
      persistent: false,
    });
    globalThis.__HOTLINE_PG__ = pg;
    adminUrl = pg.url('postgres');
  }
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  const template = `hotline_tpl_${runId}`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${template}`);
  } finally {
    await client.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${template}`;
  await runMigrations(u.toString());
  process.env.HOTLINE_TEST_ADMIN_URL = adminUrl;
  process.env.HOTLINE_TEST_TEMPLATE_DB = template;
  process.env.HOTLINE_TEST_RUN_ID = runId;
}
