// Runs TypeScript sources in a child process the way jest runs them (swc with .swcrc's settings
// and paths): for the ledger export process when the product runs from its sources, as in the
// tests (libs/tickets/src/loop/ledger-export.spawn.ts). The built product runs dist/ and does not
// load this.
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');
const { transformSync } = require('@swc/core');

const root = resolve(__dirname, '..');
require.extensions['.ts'] = function compile(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    cwd: root,
    swcrc: true,
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
