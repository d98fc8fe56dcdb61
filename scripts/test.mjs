// `npm test`: every tier. Jest (unit, integration against real PostgreSQL, HTTP e2e), then the
// micro-app in a real browser against the running product. Arguments go to Jest only, and then
// the browser tier is skipped (e.g. `npm test -- test/foundation`).
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const jest = spawnSync(process.execPath, ['node_modules/jest/bin/jest.js', ...args], { stdio: 'inherit' });
if (jest.status !== 0) process.exit(jest.status ?? 1);
if (args.length > 0) process.exit(0);
const browser = spawnSync(process.execPath, ['scripts/browser-test.mjs'], { stdio: 'inherit' });
process.exit(browser.status ?? 1);
