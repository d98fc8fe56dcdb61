import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformSync } from '@swc/core';
import { ConfigValidationError, loadConfig } from './config.schema';

describe('configuration', () => {
  it('FOUNDATION: defaults give a zero-setup start (embedded PostgreSQL, simulator, port 3000)', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.port).toBe(3000);
    expect(c.database.url).toBeUndefined();
    expect(c.database.migrateOnStart).toBe(true);
    expect(c.dingtalk.credentials).toBeUndefined();
    expect(c.dataDir).toBe('/srv/app/.data');
  });

  it('FOUNDATION: a bad DATABASE_URL is named in the error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x@y/z' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL must be a valid URL/);
  });

  it('FOUNDATION: every problem is listed at once', () => {
    try {
      loadConfig({ PORT: '70000', DEV_LOGIN: 'maybe', DINGTALK_APP_KEY: 'k' });
      throw new Error('expected a ConfigValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigValidationError);
      const issues = (err as ConfigValidationError).issues.join('\n');
      expect(issues).toMatch(/PORT/);
      expect(issues).toMatch(/DEV_LOGIN/);
      expect(issues).toMatch(/DINGTALK_APP_SECRET, DINGTALK_AGENT_ID, DINGTALK_CORP_ID/);
    }
  });

  it('FOUNDATION: the process exits 1 with a readable message naming DATABASE_URL, no stack trace', () => {
    // Run the real entry-point helper in a child process (compiled on the fly, as Jest does).
    const source = readFileSync(join(__dirname, 'config.schema.ts'), 'utf8');
    const { code } = transformSync(source, {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    const dir = mkdtempSync(join(tmpdir(), 'hotline-config-'));
    writeFileSync(join(dir, 'config.schema.js'), code);
    const res = spawnSync(
      process.execPath,
      ['-e', `require(${JSON.stringify(join(dir, 'config.schema.js'))}).loadConfigOrExit()`],
      {
        env: { PATH: process.env.PATH, DATABASE_URL: 'mysql://nope' },
        encoding: 'utf8',
      },
    );
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/Invalid configuration:\n {2}- DATABASE_URL must be a postgres: or postgresql: URL/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});
