// Shared by the benchmarks: a throwaway database on the DATABASE_URL server, migrated and seeded
// like the product's, and a line logger. Each benchmark names its own database so that two can run
// at once without dropping each other's.
import { loadConfig, type AppConfig } from '@hotline/config';
import { createDataSource, runMigrations, seedDemoOrganisation } from '@hotline/db';
import type { DataSource } from 'typeorm';

export function log(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Drops and re-creates `name`, applies the migrations, seeds the reference data and demo organisation. */
export async function freshBenchDatabase(
  name: string,
  poolSize: number,
): Promise<{ config: AppConfig; ds: DataSource; url: string; version: string }> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  if (!config.database.url) throw new Error('set DATABASE_URL to a PostgreSQL server (any database on it)');
  const admin = createDataSource(config.database.url, 1);
  await admin.initialize();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const version = (await admin.query(`SELECT version()`))[0].version as string;
  await admin.destroy();
  const u = new URL(config.database.url);
  u.pathname = `/${name}`;
  const url = u.toString();
  await runMigrations(url);
  const ds = createDataSource(url, poolSize);
  await ds.initialize();
  await seedDemoOrganisation(ds);
  log(`PostgreSQL: ${version}`);
  return { config, ds, url, version };
}
