// Compiles apps/ and libs/ to dist/ with swc (paths rewritten to relative requires).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
const res = spawnSync(
  process.execPath,
  [
    'node_modules/@swc/cli/bin/swc.js',
    'apps',
    'libs',
    '-d',
    'dist',
    '--ignore',
    '**/*.spec.ts,**/*.int-spec.ts,**/*.e2e-spec.ts',
    '--quiet',
  ],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
