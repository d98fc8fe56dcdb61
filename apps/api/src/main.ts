// The API process on its own (production: N replicas behind a load balancer). Needs DATABASE_URL.
import 'reflect-metadata';
import { loadConfigOrExit } from '@hotline/config';
import { createApiApp } from './create-api-app';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.database.url) {
    process.stderr.write(
      'DATABASE_URL must be set for the api process (npm start runs everything locally without it).\n',
    );
    process.exit(1);
  }
  const app = await createApiApp(config, config.database.url);
  await app.listen({ port: config.port, host: config.host });
}

void main();
