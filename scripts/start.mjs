// `npm start`: build the server (a second or two) and the micro-app (when its sources changed),
// then run the zero-setup product.
import { spawn, spawnSync } from 'node:child_process';

for (const script of ['scripts/build.mjs', 'scripts/build-miniapp.mjs']) {
  const build = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const child = spawn(process.execPath, ['--enable-source-maps', 'dist/apps/standalone/src/main.js'], {
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
