// Each Jest worker gets its own database, cloned from the migrated template (fast: a file copy).
import { Client } from 'pg';

const created = new Map<string, string>();

export async function createTestDatabase(suffix = ''): Promise<string> {
  const adminUrl = process.env.HOTLINE_TEST_ADMIN_URL;
  const template = process.env.HOTLINE_TEST_TEMPLATE_DB;
  const runId = process.env.HOTLINE_TEST_RUN_ID;
  if (!adminUrl || !template || !runId) throw new Error('integration tests need test/global-setup.ts');
  const name = `hotline_t_${runId}_w${process.env.JEST_WORKER_ID ?? '0'}${suffix ? `_${suffix}` : ''}`;
  const cached = created.get(name);
  if (cached) return cached;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await client.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  created.set(name, u.toString());
  return u.toString();
}

/** An empty database (no migrations), for the migration test. */
export async function createEmptyDatabase(suffix: string): Promise<string> {
  const adminUrl = process.env.HOTLINE_TEST_ADMIN_URL!;
  const name = `hotline_e_${process.env.HOTLINE_TEST_RUN_ID}_${suffix}`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
