// The worker process on its own (production: one or more beside the api replicas).
import 'reflect-metadata';
import { loadConfigOrExit } from '@hotline/config';
import { createWorker } from './create-worker';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.database.url) {
    process.stderr.write(
      'DATABASE_URL must be set for the worker process (npm start runs everything locally without it).\n',
    );
    process.exit(1);
  }
  await createWorker(config, config.database.url);
}

void main();
