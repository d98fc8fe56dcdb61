// scripts/check-compose.mjs stands in for `docker compose config` and a look at the image (no
// Docker engine in CI): it must pass on the checked-in files and catch each unsafe change.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const files = ['docker-compose.yml', 'Dockerfile', '.dockerignore', '.env.example', 'deploy/postgres-init/10-roles.sh'];

/** Runs the check in a copy of the deployment files, after `edit` changed one of them. */
function check(edit?: { file: string; from: string | RegExp; to: string }): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-compose-'));
  try {
    for (const f of files) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      copyFileSync(join(root, f), join(dir, f));
    }
    // The commands' entry points, as `npm run build` produces them.
    for (const f of ['dist/libs/db/src/cli/migrate.js', 'dist/apps/api/src/main.js', 'dist/apps/worker/src/main.js']) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), '');
    }
    if (edit) {
      const text = readFileSync(join(dir, edit.file), 'utf8');
      const changed = text.replace(edit.from, edit.to);
      if (changed === text) throw new Error(`the edit of ${edit.file} changed nothing`);
      writeFileSync(join(dir, edit.file), changed);
    }
    const res = spawnSync(process.execPath, [join(root, 'scripts/check-compose.mjs')], {
      cwd: dir,
      env: { PATH: process.env.PATH, NODE_PATH: join(root, 'node_modules') },
      encoding: 'utf8',
    });
    return { status: res.status, out: res.stdout + res.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('scripts/check-compose.mjs (issue 13.8)', () => {
  it('FOUNDATION: the checked-in docker-compose.yml, Dockerfile and .dockerignore pass', () => {
    const res = check();
    expect(res.out).toMatch(/compose check: 4 services look right/);
    expect(res.status).toBe(0);
  });

  it.each([
    [
      'a default database password',
      { file: 'docker-compose.yml', from: /\$\{POSTGRES_PASSWORD:\?[^}]*\}/, to: '${POSTGRES_PASSWORD:-change-me}' },
      /POSTGRES_PASSWORD must be required/,
    ],
    [
      'a default token secret',
      { file: 'docker-compose.yml', from: /\$\{AUTH_TOKEN_SECRET:\?[^}]*\}/, to: '${AUTH_TOKEN_SECRET:-x}' },
      /AUTH_TOKEN_SECRET must be required/,
    ],
    [
      'DEV_LOGIN on in production',
      {
        file: 'docker-compose.yml',
        from: "DB_MIGRATE_ON_START: 'false'",
        to: "DB_MIGRATE_ON_START: 'false'\n      DEV_LOGIN: 'true'",
      },
      /api: DEV_LOGIN must not be on/,
    ],
    [
      'attachments not on a volume',
      { file: 'docker-compose.yml', from: /\n {4}volumes:\n {6}- attachments:\/data\/attachments/, to: '' },
      /api: no volume mounted at ATTACHMENTS_DIR/,
    ],
    [
      'attachments on a host folder instead of a named volume',
      { file: 'docker-compose.yml', from: '- attachments:/data/attachments', to: '- ./uploads:/data/attachments' },
      /must be a named volume/,
    ],
    [
      'broken interpolation',
      { file: 'docker-compose.yml', from: 'postgres:5432/hotline', to: 'postgres:5432/${DB' },
      /is not valid interpolation/,
    ],
    [
      "issue 17.4: the api logging in as the tables' owner",
      { file: 'docker-compose.yml', from: 'postgres://hotline_app:', to: 'postgres://hotline_owner:' },
      /api: DATABASE_URL must log in as DATABASE_APP_ROLE \(hotline_app\)/,
    ],
    [
      'issue 17.4: migrations as the superuser',
      { file: 'docker-compose.yml', from: 'postgres://hotline_owner:', to: 'postgres://hotline:' },
      /migrate: DATABASE_URL must log in as the tables' owner role/,
    ],
    [
      'issue 17.4: no init script creating the roles',
      { file: 'docker-compose.yml', from: /\n {6}- \.\/deploy\/postgres-init:[^\n]*/, to: '' },
      /mount the roles script/,
    ],
    ['the image running as root', { file: 'Dockerfile', from: 'USER node', to: 'USER root' }, /non-root USER/],
    [
      'an attachments folder the user cannot write',
      { file: 'Dockerfile', from: 'chown -R node:node /data', to: 'chmod 755 /data' },
      /\/data\/attachments must be created and owned by node/,
    ],
    ['.env in the image', { file: '.dockerignore', from: /^\.env$/m, to: '' }, /lets \.env into the image/],
    [
      'local data in the image',
      { file: '.dockerignore', from: /^\.data\/\n\*\*\/\.data\/\n/m, to: '' },
      /lets \.data\/pg\/PG_VERSION/,
    ],
    [
      "the micro-app's node_modules in the image",
      {
        file: '.dockerignore',
        from: /^node_modules\/\n\*\*\/node_modules\/\ndist\/\ndingtalk-miniapp\/node_modules\/\n/m,
        to: 'dist/\n',
      },
      /lets dingtalk-miniapp\/node_modules\/react\/index\.js into the image/,
    ],
    [
      'sources left out of the build',
      { file: '.dockerignore', from: /^coverage\/$/m, to: 'coverage/\nlibs/' },
      /leaves out libs\/db\/src\/index\.ts/,
    ],
  ])('FOUNDATION: %s is refused', (_label, edit, message) => {
    const res = check(edit);
    expect(res.status).toBe(1);
    expect(res.out).toMatch(message);
  });
});
