// `npm test`: every tier (unit, integration against real PostgreSQL, HTTP e2e).
import { spawnSync } from 'node:child_process';

const res = spawnSync(process.execPath, ['node_modules/jest/bin/jest.js', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(res.status ?? 1);
