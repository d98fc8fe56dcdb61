// Preloaded into the product by bench/write-path.ts (`node -r dist/bench/pg-recorder.js …`), never
// by the product itself: records the SQL the process sends while recording is on, one entry per
// client.query call, which with node-postgres is one round trip (an extended-protocol query goes
// out as Parse/Bind/Execute/Sync in one write). SIGWINCH (Nest's shutdown hooks take SIGUSR2) starts recording; the next SIGWINCH stops
// it and writes the entries (text, values as sent, rows returned) to $BENCH_SQL_RECORD. Only SQL
// sent while serving an HTTP request is replayed: the worker shares the process under `npm start`,
// and its outbox rounds are not the request's round trips; they are recorded as `background`
// (text only) so the bench can count them per pair.
import { AsyncLocalStorage } from 'node:async_hooks';
import { writeFileSync } from 'node:fs';
import { Server } from 'node:http';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = require('pg') as typeof import('pg');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (v: unknown) => unknown };

export interface RecordedQuery {
  text: string;
  values: unknown[];
  rows: unknown[];
  /** Sent outside an HTTP request (the worker's rounds under `npm start`): never replayed. */
  background?: true;
}

const file = process.env.BENCH_SQL_RECORD;
let recording: RecordedQuery[] | null = null;

/** Buffers survive JSON as {$b64}; everything else is already a string, an array or null. */
const encode = (v: unknown): unknown =>
  Buffer.isBuffer(v) ? { $b64: v.toString('base64') } : Array.isArray(v) ? v.map(encode) : v;

const inRequest = new AsyncLocalStorage<true>();

if (file) {
  const emit = Server.prototype.emit as (this: Server, event: string, ...args: unknown[]) => boolean;
  // The AsyncLocalStorage is used only while recording: once run, it keeps async hooks on for
  // every promise of the process, which would tax the timed phases with the recorder's cost.
  Server.prototype.emit = function (this: Server, event: string, ...args: unknown[]): boolean {
    return event === 'request' && recording !== null
      ? inRequest.run(true, () => emit.call(this, event, ...args))
      : emit.call(this, event, ...args);
  } as typeof Server.prototype.emit;
  process.on('SIGWINCH', () => {
    if (recording === null) {
      recording = [];
      return;
    }
    writeFileSync(file, JSON.stringify(recording));
    recording = null;
    inRequest.disable();
  });
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function query(
    this: unknown,
    ...args: unknown[]
  ) {
    if (recording === null) return original.apply(this, args);
    const [first, second] = args;
    const text = typeof first === 'string' ? first : ((first as { text?: string }).text ?? '');
    if (!inRequest.getStore()) {
      recording.push({ text, values: [], rows: [], background: true });
      return original.apply(this, args);
    }
    const raw = (Array.isArray(second) ? second : ((first as { values?: unknown[] }).values ?? [])) as unknown[];
    const entry: RecordedQuery = { text, values: raw.map((v) => encode(prepareValue(v))), rows: [] };
    recording.push(entry);
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<{ rows?: unknown[] }>).then(
        (r) => {
          entry.rows = r?.rows ?? [];
        },
        () => undefined,
      );
    }
    return result;
  };
}
