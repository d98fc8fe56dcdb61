// Preloaded into the product by bench/write-path.ts (`node -r dist/bench/pg-recorder.js …`), never
// by the product itself: records the SQL the process sends while recording is on, one entry per
// client.query call, which with node-postgres is one round trip (an extended-protocol query goes
// out as Parse/Bind/Execute/Sync in one write). SIGWINCH (Nest's shutdown hooks take SIGUSR2) starts recording; the next SIGWINCH stops
// it and writes the entries (text, values as sent, rows returned) to $BENCH_SQL_RECORD. Only SQL
// sent while serving an HTTP request counts: the worker shares the process under `npm start`, and
// its outbox rounds are not the request's round trips.
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
}

const file = process.env.BENCH_SQL_RECORD;
let recording: RecordedQuery[] | null = null;

/** Buffers survive JSON as {$b64}; everything else is already a string, an array or null. */
const encode = (v: unknown): unknown =>
  Buffer.isBuffer(v) ? { $b64: v.toString('base64') } : Array.isArray(v) ? v.map(encode) : v;

const inRequest = new AsyncLocalStorage<true>();

if (file) {
  const emit = Server.prototype.emit as (this: Server, event: string, ...args: unknown[]) => boolean;
  Server.prototype.emit = function (this: Server, event: string, ...args: unknown[]): boolean {
    return event === 'request'
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
  });
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function query(
    this: unknown,
    ...args: unknown[]
  ) {
    if (recording === null || !inRequest.getStore()) return original.apply(this, args);
    const [first, second] = args;
    const text = typeof first === 'string' ? first : ((first as { text?: string }).text ?? '');
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
