// No Docker engine runs in CI, so check docker-compose.yml and the Dockerfile by reading them:
// valid YAML, the expected services, commands that point at files the build produces, and
// environment variables that the product knows (.env.example lists every one).
import { existsSync, readFileSync } from 'node:fs';
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
const dockerfile = readFileSync('Dockerfile', 'utf8');
if (!/^FROM node:20/m.test(dockerfile)) problems.push('Dockerfile: expected a node:20 base image');
if (!/npm run build/.test(dockerfile)) problems.push('Dockerfile: does not build the app');

if (problems.length) {
  console.error(problems.map((p) => `compose check: ${p}`).join('\n'));
  process.exit(1);
}
console.log(`compose check: ${Object.keys(compose.services).length} services look right`);
