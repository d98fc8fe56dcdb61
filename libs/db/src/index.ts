export { createDataSource, dataSourceOptions, runMigrations } from './data-source';
export { startEmbeddedPostgres, resolveClusterDir } from './embedded/embedded-postgres';
export type { RunningPostgres, EmbeddedPostgresOptions } from './embedded/embedded-postgres';
