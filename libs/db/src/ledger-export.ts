// The second public surface of libs/db: what the ledger export process needs (issue 19 goal 3),
// without Nest, TypeORM or the entities, so that process starts with pg and the ledger's query
// alone (about 55 MiB instead of the 99 MiB index.ts loads; docs/benchmarks.md).
import { Client, type ClientConfig } from 'pg';
import type { ExportConnection } from './repositories/ledger-sql';

export { readLedgerBatches, EXPORT_CHUNK } from './repositories/ledger-sql';
export type { ExportConnection, LedgerFilter, LedgerRow, LedgerUnitReply } from './repositories/ledger-sql';
export type { TicketScope } from './repositories/ticket.repository';

/** How the export process reaches the database: the API pool's settings as plain data (connectionSettings). */
export type ExportDatabaseSettings = ClientConfig;

/**
 * A connection of its own for an export, with JIT off (compiling the ledger's statement cost more
 * than running it), from the settings the API's pool uses (LedgerRepository.exportConnectionConfig).
 * Its `cancel` opens a second, short connection, as PostgreSQL's cancel needs.
 */
export async function openExportConnection(
  config: ExportDatabaseSettings,
): Promise<ExportConnection & { end(): Promise<void> }> {
  const settings = { ...config, options: [config.options, '-c jit=off'].filter(Boolean).join(' ') };
  const client = new Client(settings);
  await client.connect();
  const pid = (client as unknown as { processID: number }).processID;
  return {
    client,
    cancel: async () => {
      const other = new Client(config);
      await other.connect();
      try {
        await other.query('SELECT pg_cancel_backend($1)', [pid]);
      } finally {
        await other.end();
      }
    },
    end: () => client.end(),
  };
}
