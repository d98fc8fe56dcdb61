// The micro-app's browser tests (playwright-core driving Debian's chromium) against the real
// product: the built API + worker on a throwaway embedded PostgreSQL with the DingTalk
// simulator, on random ports. Part of `npm test`. `node scripts/browser-test.mjs tests/x.test.mjs`
// runs only the named files (paths relative to dingtalk-miniapp/).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitHealthy } from './lib.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(`browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium chromium-l10n fonts-noto-cjk`);
  process.exit(1);
}

const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(process.execPath, ['scripts/build.mjs']);
run(process.execPath, ['scripts/build-miniapp.mjs']);

const dataDir = mkdtempSync(join(tmpdir(), 'hotline-browser-'));
chmodSync(dataDir, 0o755);
const [port, pgPort, simPort, webPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
const env = {
  ...process.env,
  // The tests sign in many people from one address: lift the sign-in rate limit for this instance.
  AUTH_RATE_LIMIT_PER_MINUTE: '10000',
  PORT: String(port),
  // The tests open the pages from their static server (dist/ + /api forwarded here), as users
  // open them behind a front proxy: links and JSAPI signatures are made for that address (17.7).
  PUBLIC_URL: `http://127.0.0.1:${webPort}`,
  EMBEDDED_PG_PORT: String(pgPort),
  DINGTALK_SIM_PORT: String(simPort),
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
};
delete env.DATABASE_URL;
const api = `http://127.0.0.1:${port}`;
const product = spawn(process.execPath, ['dist/apps/standalone/src/main.js'], {
  env,
  stdio: ['ignore', 'ignore', 'inherit'],
});

let code = 1;
try {
  await waitHealthy(api, product);
  const r = spawnSync(
    process.execPath,
    [
      '--test',
      '--test-concurrency=1',
      '--test-reporter=spec',
      ...(process.argv.length > 2 ? process.argv.slice(2) : ['tests/']),
    ],
    {
      cwd: 'dingtalk-miniapp',
      stdio: 'inherit',
      // DINGTALK_SIM_URL: the sign-in test mints requestAuthCode codes at the simulator.
      env: {
        ...process.env,
        HOTLINE_API_URL: api,
        DINGTALK_SIM_URL: `http://127.0.0.1:${simPort}`,
        // The product's embedded database (the admin test raises the month's counted DingTalk calls).
        HOTLINE_DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${pgPort}/hotline`,
        CHROMIUM_PATH: CHROMIUM,
        MINIAPP_PORT: String(webPort),
      },
    },
  );
  code = r.status ?? 1;
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
} finally {
  product.kill('SIGTERM');
  await new Promise((r) => product.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(code);
