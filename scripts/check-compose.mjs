// No Docker engine runs in CI, so check docker-compose.yml and the Dockerfile by reading them:
// valid YAML, the expected services, commands that point at files the build produces,
// environment variables that the product knows (.env.example lists every one), and the
// production rules of issue 13: every secret required (no defaults), the production settings the
// api and worker refuse to boot without, attachments on a named volume the image's non-root user
// owns, and a .dockerignore that keeps secrets, local data and host artefacts out of the image.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

const problems = [];
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true });
const known = new Set(
  readFileSync('.env.example', 'utf8')
    .split('\n')
    .map((l) => l.replace(/^#\s*/, '').match(/^([A-Z][A-Z0-9_]+)=/)?.[1])
    .filter(Boolean),
);

for (const name of ['postgres', 'migrate', 'api', 'worker']) {
  if (!compose.services?.[name]) problems.push(`service "${name}" is missing`);
}
for (const [name, svc] of Object.entries(compose.services ?? {})) {
  if (svc.build) {
    const ctx = typeof svc.build === 'string' ? svc.build : svc.build.context;
    if (!existsSync(`${ctx}/Dockerfile`)) problems.push(`${name}: no Dockerfile in build context ${ctx}`);
  }
  const cmd = Array.isArray(svc.command) ? svc.command : [];
  for (const part of cmd) {
    if (typeof part === 'string' && part.startsWith('dist/') && !existsSync(part)) {
      problems.push(`${name}: command runs ${part}, which npm run build does not produce`);
    }
  }
  if (name !== 'postgres') {
    for (const key of Object.keys(svc.environment ?? {})) {
      if (!known.has(key))
        problems.push(`${name}: environment variable ${key} is not a setting of the product (.env.example)`);
    }
  }
}
// Interpolation as compose reads it: $$, $NAME, ${NAME}, ${NAME:-default}, ${NAME:?message}, …
const rawCompose = readFileSync('docker-compose.yml', 'utf8');
for (const [i, line] of rawCompose.split('\n').entries()) {
  if (/^\s*#/.test(line)) continue;
  const rest = line.replace(/\$\$/g, '');
  for (const m of rest.matchAll(/\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)?/g)) {
    if (!m[1] || (m[1].startsWith('{') && !/^\{[A-Za-z_][A-Za-z0-9_]*(:?[-?+][^}]*)?\}$/.test(m[1]))) {
      problems.push(`docker-compose.yml line ${i + 1}: "${m[0]}" is not valid interpolation`);
    }
  }
}

// Secrets never have a default: each use is ${NAME:?message}.
const secrets = [
  'POSTGRES_PASSWORD',
  'HOTLINE_OWNER_PASSWORD',
  'HOTLINE_APP_PASSWORD',
  'AUTH_TOKEN_SECRET',
  'CALLER_DATA_KEYS',
  'CALLER_HASH_KEY',
  'DINGTALK_APP_KEY',
  'DINGTALK_APP_SECRET',
  'DINGTALK_AGENT_ID',
  'DINGTALK_CORP_ID',
];
for (const name of secrets) {
  const uses = [...rawCompose.matchAll(new RegExp(`\\$\\{${name}([^}]*)\\}`, 'g'))];
  if (uses.length === 0) problems.push(`${name} is not taken from the environment`);
  for (const u of uses) {
    if (!u[1].startsWith(':?')) problems.push(`${name} must be required (\${${name}:?message}), not "${u[0]}"`);
  }
}
if (!/\$\{POSTGRES_PASSWORD:\?/.test(compose.services?.postgres?.environment?.POSTGRES_PASSWORD ?? '')) {
  problems.push('postgres: POSTGRES_PASSWORD must be required');
}

// The api and worker run with NODE_ENV=production and refuse to boot without these (issue 13.2).
const productionRequired = secrets.filter((n) => !n.endsWith('_PASSWORD')).concat('DATABASE_URL');
for (const name of ['api', 'worker']) {
  const env = compose.services?.[name]?.environment ?? {};
  if (env.NODE_ENV !== 'production') problems.push(`${name}: NODE_ENV must be production`);
  for (const key of productionRequired) {
    if (!env[key]) problems.push(`${name}: ${key} must be set (production refuses to boot without it)`);
  }
  if (env.DEV_LOGIN !== undefined && !['false', '0', 'no'].includes(String(env.DEV_LOGIN))) {
    problems.push(`${name}: DEV_LOGIN must not be on (production refuses to boot with it)`);
  }
}

// Issue 17.4: migrations run as the tables' owner and grant DATABASE_APP_ROLE; the api and worker
// log in as that role (never the owner, never the superuser), which the postgres init script creates.
const dbUser = (svc) =>
  String(compose.services?.[svc]?.environment?.DATABASE_URL ?? '').match(/^postgres(?:ql)?:\/\/([^:@/]+)/)?.[1] ?? '';
const appRole = compose.services?.migrate?.environment?.DATABASE_APP_ROLE;
const superuser = compose.services?.postgres?.environment?.POSTGRES_USER ?? 'postgres';
if (!appRole) problems.push('migrate: DATABASE_APP_ROLE must name the role the api and worker log in as');
if (!dbUser('migrate') || dbUser('migrate') === superuser) {
  problems.push(`migrate: DATABASE_URL must log in as the tables' owner role, not the superuser ${superuser}`);
}
for (const name of ['api', 'worker']) {
  if (dbUser(name) !== appRole) {
    problems.push(`${name}: DATABASE_URL must log in as DATABASE_APP_ROLE (${appRole}), not "${dbUser(name)}"`);
  }
}
const initMount = (compose.services?.postgres?.volumes ?? [])
  .map((v) => (typeof v === 'string' ? v.split(':') : [v.source, v.target]))
  .find(([, target]) => target === '/docker-entrypoint-initdb.d');
if (!initMount || !existsSync(initMount[0])) {
  problems.push('postgres: mount the roles script (deploy/postgres-init) at /docker-entrypoint-initdb.d');
} else {
  const scripts = readdirSync(initMount[0])
    .map((f) => readFileSync(`${initMount[0]}/${f}`, 'utf8'))
    .join('\n');
  for (const role of [dbUser('migrate'), appRole].filter(Boolean)) {
    if (!new RegExp(`CREATE ROLE ${role}\\b`).test(scripts))
      problems.push(`postgres: the init script does not create ${role}`);
  }
}

// Attachments: a named volume at ATTACHMENTS_DIR of every api replica.
const api = compose.services?.api ?? {};
const attachmentsDir = api.environment?.ATTACHMENTS_DIR;
if (!attachmentsDir || !attachmentsDir.startsWith('/')) {
  problems.push('api: ATTACHMENTS_DIR must be an absolute path on a volume');
} else {
  const mount = (api.volumes ?? [])
    .map((v) => (typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v))
    .find((v) => v.target === attachmentsDir);
  if (!mount) problems.push(`api: no volume mounted at ATTACHMENTS_DIR (${attachmentsDir})`);
  else if (!Object.hasOwn(compose.volumes ?? {}, mount.source)) {
    problems.push(`api: the attachments mount "${mount.source}" must be a named volume (top-level volumes:)`);
  }
}

const dockerfile = readFileSync('Dockerfile', 'utf8');
if (!/^FROM node:20/m.test(dockerfile)) problems.push('Dockerfile: expected a node:20 base image');
if (!/npm run build/.test(dockerfile)) problems.push('Dockerfile: does not build the app');
// The final stage runs as a non-root user that owns the attachments folder (an empty named
// volume starts as a copy of the image's folder, owner included).
const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
const user = finalStage.match(/^USER\s+(\S+)/m)?.[1];
if (!user || user === 'root' || user === '0') problems.push('Dockerfile: the final stage must run as a non-root USER');
if (attachmentsDir) {
  const owned = [...finalStage.matchAll(/chown\s+(?:-R\s+)?(\S+?)(?::\S+)?\s+([^\n&;]+)/g)].some(
    ([, owner, paths]) =>
      owner === user && paths.split(/\s+/).some((p) => attachmentsDir === p || attachmentsDir.startsWith(`${p}/`)),
  );
  if (!owned) problems.push(`Dockerfile: ${attachmentsDir} must be created and owned by ${user ?? 'the USER'}`);
}

// .dockerignore, with Docker's rules: the last matching pattern wins, "!" re-includes, a pattern
// matching a folder excludes everything under it, ** spans folders.
if (!existsSync('.dockerignore')) {
  problems.push('.dockerignore is missing');
} else {
  const rules = readFileSync('.dockerignore', 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const exclude = !l.startsWith('!');
      const pattern = (exclude ? l : l.slice(1)).replace(/^\/+|\/+$/g, '');
      const source = pattern
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((t) =>
          t === '**/'
            ? '(?:.*/)?'
            : t === '**'
              ? '.*'
              : t === '*'
                ? '[^/]*'
                : t === '?'
                  ? '[^/]'
                  : t.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
        )
        .join('');
      return { exclude, re: new RegExp(`^${source}(?:/.*)?$`) };
    });
  const ignored = (path) => rules.reduce((out, r) => (r.re.test(path) ? r.exclude : out), false);
  const mustIgnore = [
    '.env',
    '.env.production',
    '.data/pg/PG_VERSION',
    '.data/keys/caller-data.json',
    '.data/attachments/2026/12/x',
    'keys/auth-token.key',
    'deploy/tls.pem',
    'node_modules/pg/package.json',
    'libs/db/node_modules/x/index.js',
    'dist/apps/api/src/main.js',
    'dingtalk-miniapp/node_modules/react/index.js',
    'dingtalk-miniapp/dist/index.html',
    'coverage/lcov.info',
    'test-results/report.json',
    'npm-debug.log',
  ];
  const mustKeep = [
    'package.json',
    'package-lock.json',
    '.swcrc',
    'tsconfig.json',
    'scripts/build.mjs',
    'apps/api/src/main.ts',
    'libs/db/src/index.ts',
    'dingtalk-miniapp/package.json',
    'dingtalk-miniapp/package-lock.json',
    'dingtalk-miniapp/src/main.tsx',
    '.env.example',
  ];
  for (const p of mustIgnore) if (!ignored(p)) problems.push(`.dockerignore lets ${p} into the image`);
  for (const p of mustKeep) if (ignored(p)) problems.push(`.dockerignore leaves out ${p}, which the build needs`);
}

if (problems.length) {
  console.error(problems.map((p) => `compose check: ${p}`).join('\n'));
  process.exit(1);
}
console.log(`compose check: ${Object.keys(compose.services).length} services look right`);
