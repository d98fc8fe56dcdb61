// Small helpers shared by the scripts that boot the built product (smoke, browser tests).
import { createServer } from 'node:net';

/** A TCP port nobody listens on right now (127.0.0.1). */
export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Waits until GET <base>/health answers 200; fails if the child process exits first. */
export async function waitHealthy(base, child, ms = 90_000) {
  const until = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the product exited with code ${child.exitCode}`);
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > until) throw new Error('the product did not become healthy in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}
