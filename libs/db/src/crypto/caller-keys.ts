import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '@hotline/config';
import { CallerCipher, parseCallerKeys } from './caller-cipher';

interface KeyFile {
  current: string;
  keys: Record<string, string>;
  hashKey: string;
}

/**
 * The caller-data cipher from CALLER_DATA_KEYS / CALLER_HASH_KEY, or, for the zero-setup start,
 * from a key file generated once into DATA_DIR/keys (mode 600). Losing that file loses the
 * callers' data: production sets the variables from a secret store (docs/security.md).
 */
export function callerCipherFromConfig(config: AppConfig, log: (line: string) => void = () => undefined): CallerCipher {
  if (config.callerData.keys && config.callerData.hashKey) {
    return new CallerCipher(parseCallerKeys(config.callerData.keys, config.callerData.hashKey));
  }
  const file = join(config.dataDir, 'keys', 'caller-data.json');
  if (!existsSync(file)) {
    mkdirSync(join(config.dataDir, 'keys'), { recursive: true, mode: 0o700 });
    const kid = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
    const fresh: KeyFile = {
      current: kid,
      keys: { [kid]: randomBytes(32).toString('base64') },
      hashKey: randomBytes(32).toString('base64'),
    };
    try {
      writeFileSync(file, JSON.stringify(fresh, null, 2), { mode: 0o600, flag: 'wx' });
      log(`generated the caller-data encryption key into ${file} (back it up; production: CALLER_DATA_KEYS)`);
    } catch {
      // Another process of this start wrote it first.
    }
  }
  const k = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  const keys = new Map(Object.entries(k.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')]));
  return new CallerCipher({ keys, current: k.current, hashKey: Buffer.from(k.hashKey, 'base64') });
}
