// R-15, issue 19 goal 3: the ledger export's own process. The API forks it for each export
// (ledger-export.spawn.ts); it reads the ledger from PostgreSQL on a connection of its own and
// writes the .xlsx into a pipe (file descriptor 4) that the API hands on to the client. The
// parsing, the row objects, the XML and the deflating (and their garbage) stay out of the API
// process: its memory stays flat while an export runs, and this process holds only pg, the
// ledger's query and the writer (no Nest, no TypeORM). Messages on the IPC channel:
//   from the API: `job` (once, first), `figures` (the second sheet's rows, when the export has a
//   period), `cancel` (the client hung up);
//   to the API:   `progress` after each batch, then `done`, `cancelled` or `failed`.
// When the API goes away (the IPC channel closes) the export stops as on `cancel`.
import { Socket } from 'node:net';
import {
  openExportConnection,
  readLedgerBatches,
  type ExportDatabaseSettings,
  type LedgerFilter,
  type TicketScope,
} from '@hotline/db/ledger-export';
import { LEDGER_COLUMNS } from './ledger-columns';
import { XlsxStreamWriter, type XlsxCell, type XlsxSheet } from './xlsx-stream';

/** The file descriptor of the pipe the .xlsx goes into (the API forks with stdio[4] = 'pipe'). */
export const EXPORT_OUTPUT_FD = 4;

export interface LedgerExportJob {
  database: ExportDatabaseSettings;
  scope: TicketScope;
  filter: LedgerFilter;
  clock: { now: Date; yellowShare: number };
  /** The workbook's date (the export's start). */
  startedAt: Date;
  /** Rows per batch: progress is reported after each. */
  batch: number;
  sheets: XlsxSheet[];
}

export type ToExportProcess =
  { type: 'job'; job: LedgerExportJob } | { type: 'figures'; rows: XlsxCell[][] } | { type: 'cancel' };

export type FromExportProcess =
  | { type: 'progress'; rows: number }
  | { type: 'done'; rows: number }
  | { type: 'cancelled'; rows: number }
  | { type: 'failed'; rows: number; message: string };

function send(message: FromExportProcess): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) resolve();
    else process.send!(message, undefined, undefined, () => resolve());
  });
}

async function run(job: LedgerExportJob, out: Socket, figures: Promise<XlsxCell[][]>, stopped: () => boolean) {
  let rows = 0;
  const xlsx = new XlsxStreamWriter(out, job.sheets, job.startedAt);
  let conn: Awaited<ReturnType<typeof openExportConnection>> | undefined;
  try {
    conn = await openExportConnection(job.database);
    await xlsx.start();
    await xlsx.startSheet();
    await xlsx.writeRows([LEDGER_COLUMNS.map((c) => c.header)]);
    for await (const batch of readLedgerBatches(conn, job.scope, job.filter, job.clock, job.batch)) {
      await xlsx.writeRows(batch.map((r) => LEDGER_COLUMNS.map((c) => c.value(r))));
      rows += batch.length;
      if (stopped() || out.destroyed) {
        // Leaving the loop cancels the statement running and waits for its end.
        xlsx.abort();
        await send({ type: 'cancelled', rows });
        return;
      }
      void send({ type: 'progress', rows });
    }
    await xlsx.endSheet();
    if (job.sheets.length > 1) {
      const cells = await figures;
      await xlsx.startSheet();
      await xlsx.writeRows(cells);
      await xlsx.endSheet();
    }
    // Ends the pipe once everything written has gone into it.
    await xlsx.finish();
    // Done only when the whole file went into the pipe (a closed pipe resolves the writer early).
    await send({ type: !stopped() && out.writableFinished ? 'done' : 'cancelled', rows });
  } catch (e) {
    xlsx.abort();
    out.destroy();
    await send(
      stopped() ? { type: 'cancelled', rows } : { type: 'failed', rows, message: (e as Error).message ?? String(e) },
    );
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

function main(): void {
  const out = new Socket({ fd: EXPORT_OUTPUT_FD, readable: false, writable: true });
  // A broken pipe (the API dropped the download) ends the export like a cancel.
  out.on('error', () => undefined);
  let stop = false;
  let giveFigures!: (rows: XlsxCell[][]) => void;
  const figures = new Promise<XlsxCell[][]>((resolve) => (giveFigures = resolve));
  // Stops wherever the export is: writing (the pipe is gone) or waiting for the figures.
  const cancel = () => {
    stop = true;
    out.destroy();
    giveFigures([]);
  };
  let started = false;
  process.on('message', (m: ToExportProcess) => {
    if (m.type === 'job' && !started) {
      started = true;
      void run(m.job, out, figures, () => stop).finally(() => {
        if (process.connected) process.disconnect();
      });
    } else if (m.type === 'figures') giveFigures(m.rows);
    else if (m.type === 'cancel') cancel();
  });
  // The API is gone (or has let this export go): stop, and let the process end.
  process.on('disconnect', cancel);
}

if (require.main === module) main();
