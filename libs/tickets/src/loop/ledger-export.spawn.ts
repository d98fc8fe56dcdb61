// R-15, issue 19 goal 3: the API's side of the ledger export process (ledger-export.process.ts).
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import {
  EXPORT_OUTPUT_FD,
  type FromExportProcess,
  type LedgerExportJob,
  type ToExportProcess,
} from './ledger-export.process';

/**
 * The export process's V8 limits: a small young generation and old space, so the garbage of each
 * batch (row objects, XML strings) is collected at once instead of growing the heap (its RSS
 * stays below 150 MB; bench:ledger, docs/benchmarks.md). The rows it holds are at most two batches.
 */
export const EXPORT_PROCESS_NODE_OPTIONS = ['--max-old-space-size=64', '--max-semi-space-size=8'];

/** How long a cancelled export process may take to stop before it is killed. */
const STOP_GRACE_MS = 10_000;

export interface LedgerExportProcess {
  /** The .xlsx, as the process writes it. */
  output: Readable;
  /** The second sheet's rows (an export with a period). */
  giveFigures(rows: unknown[][]): void;
  /** Stops the export: the process cancels its statement and ends (killed if it does not). */
  cancel(): void;
  /** The process's last word; `failed` when it ends without one (it crashed or was killed). */
  result: Promise<Exclude<FromExportProcess, { type: 'progress' }>>;
}

/** Where the export process's entry is: beside this file, built (.js) or, in the tests, the TypeScript source. */
export function exportProcessEntry(): { file: string; execArgv: string[] } {
  const built = join(__dirname, 'ledger-export.process.js');
  if (existsSync(built)) return { file: built, execArgv: [] };
  const register = resolve(__dirname, '../../../../scripts/ts-register.cjs');
  return { file: join(__dirname, 'ledger-export.process.ts'), execArgv: ['-r', register] };
}

/** Forks the export process for `job`; `onProgress` hears the rows written after each batch. */
export function forkLedgerExport(job: LedgerExportJob, onProgress: (rows: number) => void): LedgerExportProcess {
  const { file, execArgv } = exportProcessEntry();
  const child = fork(file, [], {
    execArgv: [...EXPORT_PROCESS_NODE_OPTIONS, ...execArgv],
    // stdin unused; its logs and errors go where the API's go; 3 is the IPC channel; 4 the file.
    stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'],
    // Dates and nested values go across as they are (structured clone), not through JSON.
    serialization: 'advanced',
  });
  const output = child.stdio[EXPORT_OUTPUT_FD] as Readable;
  let last: Exclude<FromExportProcess, { type: 'progress' }> | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const result = new Promise<Exclude<FromExportProcess, { type: 'progress' }>>((done) => {
    child.on('message', (m: FromExportProcess) => {
      if (m.type === 'progress') onProgress(m.rows);
      else last = m;
    });
    child.on('error', (e) => {
      last ??= { type: 'failed', rows: 0, message: e.message };
      // It never started (no process, so no 'exit' to wait for).
      if (child.pid === undefined) done(last);
    });
    // Its end is known once it has exited and its IPC channel has closed: the channel closes after
    // every message sent on it has been read, which 'exit' alone does not promise.
    let ended: string | undefined;
    let disconnected = false;
    const settle = () => {
      if (ended && disconnected)
        done(last ?? { type: 'failed', rows: 0, message: `the export process ended (${ended})` });
    };
    child.on('exit', (code, signal) => {
      clearTimeout(killTimer);
      ended = signal ?? `code ${code}`;
      settle();
    });
    child.on('disconnect', () => {
      disconnected = true;
      settle();
    });
  });
  const send = (m: ToExportProcess) => {
    if (child.connected) child.send(m, (e) => e && undefined);
  };
  send({ type: 'job', job });
  return {
    output,
    result,
    giveFigures: (rows) => send({ type: 'figures', rows: rows as never }),
    cancel: () => {
      send({ type: 'cancel' });
      output.destroy();
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS).unref();
    },
  };
}
