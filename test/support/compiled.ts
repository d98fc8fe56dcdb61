// The product compiled as `npm run build` compiles it (swc, apps + libs), into a throwaway folder,
// so tests can run the real entry points and CLIs as child processes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '../..');

/** Compiles apps/ and libs/ into a new temporary folder and returns it. */
export function compileProduct(): string {
  const dist = mkdtempSync(join(tmpdir(), 'hotline-dist-'));
  const res = spawnSync(
    process.execPath,
    [
      join(repoRoot, 'node_modules/@swc/cli/bin/swc.js'),
      'apps',
      'libs',
      '-d',
      dist,
      '--ignore',
      '**/*.spec.ts,**/*.int-spec.ts,**/*.e2e-spec.ts',
      '--quiet',
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  if (res.status !== 0) throw new Error(`swc failed: ${res.stderr}`);
  return dist;
}

/** Environment for a compiled entry point: only what is given, plus PATH and the repo's node_modules. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, NODE_PATH: join(repoRoot, 'node_modules'), ...env };
}
