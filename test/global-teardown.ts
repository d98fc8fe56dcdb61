import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.HOTLINE_TEST_ADMIN_URL;
  const runId = process.env.HOTLINE_TEST_RUN_ID;
  if (adminUrl && runId && !globalThis.__HOTLINE_PG__) {
    // An external server: drop what this run created.
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE $1`,
        [`%${runId}%`],
      );
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }
  await globalThis.__HOTLINE_PG__?.stop();
}
