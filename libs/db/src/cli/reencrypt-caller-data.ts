// `npm run caller-data:reencrypt`: after a new key is put first in CALLER_DATA_KEYS, rewrite the
// caller data of every table in CALLER_DATA_TABLES (tickets and merged callers) under it, in
// bounded batches, so the old key can be dropped afterwards.
import { loadConfigOrExit } from '@hotline/config';
import { createDataSource } from '../data-source';
import { callerCipherFromConfig } from '../crypto/caller-keys';
import { SecurityRepository } from '../repositories/security.repository';
import { CALLER_DATA_TABLES } from '../crypto/caller-data-tables';

async function main(): Promise<void> {
  const config = loadConfigOrExit({ role: 'tool' });
  if (!config.database.url) {
    process.stderr.write('DATABASE_URL must be set.\n');
    process.exit(1);
  }
  const cipher = callerCipherFromConfig(config);
  const ds = createDataSource(config.database.url, 2);
  await ds.initialize();
  try {
    const n = await new SecurityRepository(ds, cipher).reencryptCallerData();
    process.stdout.write(
      `re-encrypted ${n} rows of caller data (${CALLER_DATA_TABLES.map((t) => t.table).join(', ')}) under key "${cipher.currentKeyId}"\n`,
    );
  } finally {
    await ds.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
