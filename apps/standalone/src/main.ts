// `npm start`: the zero-setup product in one process. Real PostgreSQL (embedded unless
// DATABASE_URL is set), migrations, reference data and the demo organisation, the local DingTalk
// simulator (unless DingTalk credentials are set), the API and the worker. Production runs
// apps/api and apps/worker as separate processes instead (README, "Production").
import 'reflect-metadata';
import { join } from 'node:path';
import { loadConfigOrExit, type AppConfig } from '@hotline/config';
import {
  callerCipherFromConfig,
  createDataSource,
  ensureDatabase,
  runMigrations,
  seedDemoOrganisation,
  startEmbeddedPostgres,
  type RunningPostgres,
} from '@hotline/db';
import { createApiApp } from '../../api/src/create-api-app';
import { createWorker } from '../../worker/src/create-worker';
import { startDingTalkSimulator } from '../../dingtalk-sim/src/simulator';

const say = (line: string) => process.stdout.write(`[hotline] ${line}\n`);

const embeddedOptions = (config: AppConfig) => ({
  dataDir: join(config.dataDir, 'pg'),
  port: config.database.embeddedPort,
  persistent: true,
});

/** How often the all-in-one start looks whether its embedded PostgreSQL still runs. */
const WATCH_EMBEDDED_MS = 1000;

async function prepareDatabase(config: AppConfig): Promise<{ url: string; pg?: RunningPostgres }> {
  if (config.database.url) return { url: config.database.url };
  const pg = await startEmbeddedPostgres(embeddedOptions(config));
  say(`embedded PostgreSQL running on 127.0.0.1:${config.database.embeddedPort} (data in ${pg.dataDir})`);
  await ensureDatabase(pg.url('postgres'), 'hotline');
  return { url: pg.url('hotline'), pg };
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const prepared = await prepareDatabase(config);
  const { url } = prepared;
  let pg = prepared.pg;
  if (config.database.migrateOnStart) {
    const applied = await runMigrations(url);
    if (applied.length) say(`applied migrations: ${applied.join(', ')}`);
  }
  const ds = createDataSource(url, 2);
  await ds.initialize();
  const demo = config.dingtalk.credentials ? false : await seedDemoOrganisation(ds);
  await ds.destroy();
  if (demo) say('seeded the demo organisation (units ops, office, branch1, branch2, safety, fare)');
  // without CALLER_DATA_KEYS the caller-data key is generated on the first start; say so.
  callerCipherFromConfig(config, say);

  // No DingTalk credentials: the local DingTalk simulator stands in (its demo company is the
  // seeded demo organisation); the client is pointed at it by base URL only.
  const sim = config.dingtalk.credentials
    ? undefined
    : await startDingTalkSimulator({ port: config.dingtalk.simulatorPort, host: '127.0.0.1' });
  if (sim) say(`DingTalk simulator ${sim.url}  (notices and to-dos per person: ${sim.url}/)`);

  const worker = await createWorker(config, url);
  const api = await createApiApp(config, url);
  await api.listen({ port: config.port, host: config.host });

  const base = `http://localhost:${config.port}`;
  say(`API        ${base}/api   (health: ${base}/health)`);
  say(`API docs   ${base}/api/docs`);
  if (!config.dingtalk.credentials) {
    say(
      `sign in    POST ${base}/api/auth/dev {"userid":"dispatcher1"}  (demo people: dispatcher1, b1_receiver, b1_leader, ops_head, office_reviewer, …)`,
    );
  }

  let stopping = false;
  // Issue 18.6: the embedded PostgreSQL died (killed, crashed): start it again on the same folder.
  // Meanwhile requests get 503 with Retry-After; the pools reconnect on their own afterwards.
  let restarting = false;
  const watchdog = pg
    ? setInterval(() => {
        if (stopping || restarting || !pg || pg.alive()) return;
        restarting = true;
        const dead = pg;
        say('embedded PostgreSQL stopped unexpectedly: restarting it');
        void dead
          .stop()
          .then(() => startEmbeddedPostgres(embeddedOptions(config)))
          .then((fresh) => {
            pg = fresh;
            say(`embedded PostgreSQL running again on 127.0.0.1:${config.database.embeddedPort}`);
          })
          .catch((err: unknown) => say(`restarting embedded PostgreSQL failed (will try again): ${String(err)}`))
          .finally(() => {
            restarting = false;
          });
      }, WATCH_EMBEDDED_MS)
    : undefined;
  watchdog?.unref();

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (watchdog) clearInterval(watchdog);
    say(`${signal}: stopping`);
    // Close the pools before PostgreSQL goes away.
    await api.close().catch(() => undefined);
    await worker.close().catch(() => undefined);
    await sim?.close().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`[hotline] failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
