// After the root install: the micro-app's own dependencies (it has its own package.json).
import { spawnSync } from 'node:child_process';

const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: 'dingtalk-miniapp', stdio: 'inherit' });
process.exit(r.status ?? 1);
