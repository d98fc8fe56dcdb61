import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformSync } from '@swc/core';
import { ConfigValidationError, loadConfig, productionIssues } from './config.schema';

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

  it('issue 17.4: DATABASE_APP_ROLE is a plain role name, or unset', () => {
    expect(loadConfig({}).database.appRole).toBeUndefined();
    expect(loadConfig({ DATABASE_APP_ROLE: 'hotline_app' }).database.appRole).toBe('hotline_app');
    expect(() => loadConfig({ DATABASE_APP_ROLE: 'app; DROP TABLE x' })).toThrow(/DATABASE_APP_ROLE must be a plain/);
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

  describe('production refuses unsafe settings (issue 13)', () => {
    const dingtalk = {
      DINGTALK_APP_KEY: 'dingkey',
      DINGTALK_APP_SECRET: 'dingsecret',
      DINGTALK_AGENT_ID: '4001',
      DINGTALK_CORP_ID: 'dingcorp',
    };
    const secrets = {
      AUTH_TOKEN_SECRET: 'p'.repeat(40),
      CALLER_DATA_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      CALLER_HASH_KEY: Buffer.alloc(32, 2).toString('base64'),
    };
    const issuesOf = (env: Record<string, string>): string[] => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        if (err instanceof ConfigValidationError) return err.issues;
        throw err;
      }
    };

    it('R-19: a complete production configuration boots', () => {
      const c = loadConfig({ NODE_ENV: 'production', ...dingtalk, ...secrets });
      expect(c.nodeEnv).toBe('production');
      expect(productionIssues(c)).toEqual([]);
    });

    it('R-19: NODE_ENV=production with nothing set lists every missing secret and DingTalk at once', () => {
      const issues = issuesOf({ NODE_ENV: 'production', DEV_LOGIN: 'true' });
      expect(issues).toEqual([
        expect.stringMatching(/^DEV_LOGIN=true is not allowed with NODE_ENV=production/),
        expect.stringMatching(
          /^DINGTALK_APP_KEY, DINGTALK_APP_SECRET, DINGTALK_AGENT_ID and DINGTALK_CORP_ID must be set/,
        ),
        expect.stringMatching(/^AUTH_TOKEN_SECRET must be set with NODE_ENV=production/),
        expect.stringMatching(/^CALLER_DATA_KEYS must be set with NODE_ENV=production/),
        expect.stringMatching(/^CALLER_HASH_KEY must be set with NODE_ENV=production/),
      ]);
    });

    it.each([
      ['DEV_LOGIN=true', { DEV_LOGIN: 'true' }, /^DEV_LOGIN=true is not allowed/],
      ['DEV_LOGIN=1', { DEV_LOGIN: '1' }, /^DEV_LOGIN=true is not allowed/],
      ['no AUTH_TOKEN_SECRET', { AUTH_TOKEN_SECRET: '' }, /^AUTH_TOKEN_SECRET must be set/],
      ['no CALLER_DATA_KEYS', { CALLER_DATA_KEYS: '' }, /^CALLER_DATA_KEYS must be set/],
      ['no CALLER_HASH_KEY', { CALLER_HASH_KEY: '' }, /^CALLER_HASH_KEY must be set/],
      ['no DINGTALK_CORP_ID', { DINGTALK_CORP_ID: '' }, /DingTalk is half configured: also set DINGTALK_CORP_ID/],
    ])('R-19: production with %s is refused and names it', (_label, change, message) => {
      const issues = issuesOf({ NODE_ENV: 'production', ...dingtalk, ...secrets, ...change });
      expect(issues.some((i) => message.test(i))).toBe(true);
    });

    it('R-19: DEV_LOGIN=false is accepted in production', () => {
      expect(issuesOf({ NODE_ENV: 'production', ...dingtalk, ...secrets, DEV_LOGIN: 'false' })).toEqual([]);
    });

    it('R-19: development and test keep the zero-setup defaults (generated keys, simulator, dev sign-in)', () => {
      expect(issuesOf({ NODE_ENV: 'development', DEV_LOGIN: 'true' })).toEqual([]);
      expect(issuesOf({ NODE_ENV: 'test' })).toEqual([]);
      expect(issuesOf({})).toEqual([]);
    });

    it('R-19: tools (migrations, simulator) run with NODE_ENV=production without the server secrets', () => {
      expect(() => loadConfig({ NODE_ENV: 'production' }, '/srv/app', { role: 'tool' })).not.toThrow();
      // Ordinary validation still applies to tools.
      expect(() => loadConfig({ NODE_ENV: 'production', PORT: 'x' }, '/srv/app', { role: 'tool' })).toThrow(/PORT/);
    });
  });
});
