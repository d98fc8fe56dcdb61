// Boots the whole HTTP app against this worker's own PostgreSQL database, with a settable
// clock, for e2e tests through Fastify (app.inject: real routing, pipes, guards and filters).
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, type AppConfig } from '@hotline/config';
import { createDataSource, seedDemoOrganisation } from '@hotline/db';
import { CLOCK, SettableClock } from '@hotline/tickets';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApiApp, createFastifyAdapter } from '../../apps/api/src/create-api-app';
import { createTestDatabase } from './database';

export interface TestApp {
  app: NestFastifyApplication;
  clock: SettableClock;
  config: AppConfig;
  databaseUrl: string;
  close(): Promise<void>;
}

export async function createTestApp(
  opts: {
    env?: Record<string, string>;
    dbSuffix?: string;
    start?: Date;
    /** A migrated database the test prepared (by `migration:run`, or on a server it stops and restarts). */
    databaseUrl?: string;
    /** Seed the demo organisation: by default only into the test's own fresh database. */
    seedDemo?: boolean;
  } = {},
): Promise<TestApp> {
  const databaseUrl = opts.databaseUrl ?? (await createTestDatabase(opts.dbSuffix));
  if (opts.seedDemo ?? !opts.databaseUrl) {
    const ds = createDataSource(databaseUrl, 2);
    await ds.initialize();
    await seedDemoOrganisation(ds);
    await ds.destroy();
  }
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    AUTH_TOKEN_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    // Tests move the clock by days; sessions must outlive that.
    AUTH_TOKEN_TTL_SECONDS: String(30 * 24 * 3600),
    // Many sign-ins from one address in a test run; the limit itself is tested on its own.
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    // Fixed test keys for the caller data at rest (never written to the checkout's data folder).
    CALLER_DATA_KEYS: `t2:${Buffer.alloc(32, 2).toString('base64')},t1:${Buffer.alloc(32, 1).toString('base64')}`,
    CALLER_HASH_KEY: Buffer.alloc(32, 9).toString('base64'),
    ...opts.env,
  });
  const clock = new SettableClock(opts.start ?? new Date('2026-11-30T01:00:00Z'));
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule.forRoot(config, databaseUrl)] })
    .overrideProvider(CLOCK)
    .useValue(clock)
    .compile();
  const app = await configureApiApp(
    moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(config.trustedProxies), {
      logger: false,
    }),
    config,
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, clock, config, databaseUrl, close: () => app.close() };
}

/** Signs in a demo person through the public dev sign-in endpoint. */
export async function signIn(app: NestFastifyApplication, userid: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/dev', payload: { userid } });
  if (res.statusCode !== 200) throw new Error(`sign-in of ${userid} failed: ${res.statusCode} ${res.body}`);
  return res.json().token as string;
}
