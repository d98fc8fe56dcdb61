import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '@hotline/config';

export const AUTH_SECRET = Symbol('AUTH_SECRET');

/**
 * The token signing key: AUTH_TOKEN_SECRET when set; otherwise one generated on first start
 * into the data folder (mode 600) so that sessions survive restarts of the local default.
 */
export function resolveAuthSecret(config: AppConfig): string {
  if (config.auth.tokenSecret) return config.auth.tokenSecret;
  const file = join(config.dataDir, 'keys', 'auth-token.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(join(config.dataDir, 'keys'), { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    // Another process (api and worker starting together) wrote it first.
    return readFileSync(file, 'utf8').trim();
  }
}
