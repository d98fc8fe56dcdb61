// Builds the micro-app (dingtalk-miniapp/dist) when it is missing or older than its sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = 'dingtalk-miniapp';
const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = join(dir, e.name);
    return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);
const built = join(root, 'dist', 'index.html');
const sources = Math.max(
  newest(join(root, 'src')),
  statSync(join(root, 'index.html')).mtimeMs,
  statSync(join(root, 'package.json')).mtimeMs,
);
if (existsSync(built) && statSync(built).mtimeMs >= sources && process.argv[2] !== '--force') process.exit(0);

if (!existsSync(join(root, 'node_modules'))) {
  const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
}
const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
process.exit(build.status ?? 1);
