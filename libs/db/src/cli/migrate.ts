// `npm run migration:run` / `migration:revert`: the explicit production step.
import { loadConfigOrExit } from '@hotline/config';
import { createDataSource } from '../data-source';
import { grantAppRole } from '../app-role';

async function main(): Promise<void> {
  const command = process.argv[2];
  const config = loadConfigOrExit({ role: 'tool' });
  if (!config.database.url) {
    process.stderr.write('DATABASE_URL must be set to run migrations against a server.\n');
    process.exit(1);
  }
  const ds = createDataSource(config.database.url, 2);
  await ds.initialize();
  try {
    if (command === 'run') {
      const applied = await ds.runMigrations({ transaction: 'each' });
      process.stdout.write(
        applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}\n` : 'nothing to apply\n',
      );
      // Issue 17.4: the api and worker's role reads and appends to the audit trail, nothing more.
      if (config.database.appRole) {
        await grantAppRole(ds, config.database.appRole);
        process.stdout.write(`granted ${config.database.appRole} its privileges (audit tables: read and append)\n`);
      }
    } else if (command === 'revert') {
      await ds.undoLastMigration({ transaction: 'each' });
      process.stdout.write('reverted the last migration\n');
    } else if (command === 'show') {
      const pending = await ds.showMigrations();
      process.stdout.write(pending ? 'there are pending migrations\n' : 'up to date\n');
    } else {
      process.stderr.write('usage: migrate run | revert | show\n');
      process.exitCode = 2;
    }
  } finally {
    await ds.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
