// Issue 19 goal 3: `COPY (SELECT …) TO STDOUT` in PostgreSQL's text format, read through pg's own
// protocol parser. COPY sends each row as one CopyData message of tab-separated text: no row
// description, no per-column type parsers, no row objects; the caller splits the fields it needs.
//
// Why not pg-copy-streams: pg's Client already hands a submitted query every CopyData message
// (handleCopyData), so reading them is the few lines below; the package would add a raw-socket
// parser we do not need at these row counts.
import type { Client } from 'pg';

/**
 * A query object for `client.query()`: sends `text` (a COPY … TO STDOUT statement; the simple
 * protocol, so no bind parameters: the caller inlines literals with `literal()`), hands each row's
 * bytes to `onRow`, and resolves with the number of rows.
 */
class CopyOutQuery {
  private rows = 0;
  private error?: Error;
  callback?: (err: Error | undefined, rows: number) => void;

  constructor(
    readonly text: string,
    private readonly onRow: (line: Buffer) => void,
  ) {}

  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    if (this.error) return;
    this.rows += 1;
    try {
      this.onRow(msg.chunk);
    } catch (e) {
      this.error = e as Error;
    }
  }

  // An error answers at once: pg calls only this when the connection ends mid-statement; after an
  // ErrorResponse, ReadyForQuery still follows, and pg holds the next query until it comes.
  handleError(err: Error): void {
    this.error ??= err;
    this.done();
  }

  handleReadyForQuery(): void {
    this.done();
  }

  private answered = false;

  private done(): void {
    if (this.answered) return;
    this.answered = true;
    this.callback?.(this.error, this.rows);
  }

  // Messages a COPY does not send; pg's Client calls them on any query object.
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(connection: { sendCopyFail(msg: string): void }): void {
    connection.sendCopyFail('not a COPY FROM');
  }
}

/** Runs `COPY (select) TO STDOUT` on `client`; `onRow` gets each row's fields (null for \N). */
export function copyOut(
  client: Client,
  select: string,
  onRow: (fields: Array<string | null>) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const q = new CopyOutQuery(`COPY (${select}) TO STDOUT`, (line) => onRow(copyTextFields(line)));
    q.callback = (err, rows) => (err ? reject(err) : resolve(rows));
    void (client as unknown as { query(q: CopyOutQuery): unknown }).query(q);
  });
}

const BACKSLASH = 0x5c;
const TAB = 0x09;
const NEWLINE = 0x0a;

/**
 * One row of COPY's text format as fields: tab-separated, `\N` for null, and backslash escapes
 * (\\, \t, \n, \r, \b, \f, \v, octal \ooo and hex \xhh bytes) for the characters that would be
 * read as structure. Fields without a backslash (almost all) are decoded as they are.
 */
export function copyTextFields(line: Buffer): Array<string | null> {
  let end = line.length;
  if (end > 0 && line[end - 1] === NEWLINE) end -= 1;
  const fields: Array<string | null> = [];
  let start = 0;
  for (;;) {
    let i = start;
    let escaped = false;
    while (i < end && line[i] !== TAB) {
      if (line[i] === BACKSLASH) {
        escaped = true;
        i += 2;
      } else i += 1;
    }
    if (i > end) i = end;
    if (!escaped) fields.push(line.toString('utf8', start, i));
    else if (i - start === 2 && line[start + 1] === 0x4e /* N */) fields.push(null);
    else fields.push(unescapeCopyText(line, start, i));
    if (i >= end) return fields;
    start = i + 1;
  }
}

const SIMPLE_ESCAPES: Record<string, number> = { b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

function unescapeCopyText(line: Buffer, start: number, end: number): string {
  const out = Buffer.allocUnsafe(end - start);
  let o = 0;
  for (let i = start; i < end; i++) {
    const b = line[i];
    if (b !== BACKSLASH || i + 1 >= end) {
      out[o++] = b;
      continue;
    }
    const c = String.fromCharCode(line[++i]);
    if (c >= '0' && c <= '7') {
      let v = 0;
      let k = 0;
      for (; k < 3 && i < end && line[i] >= 0x30 && line[i] <= 0x37; k++, i++) v = v * 8 + (line[i] - 0x30);
      i -= 1;
      out[o++] = v & 0xff;
    } else if (c === 'x' && i + 1 < end && isHex(line[i + 1])) {
      let v = 0;
      let k = 0;
      for (i += 1; k < 2 && i < end && isHex(line[i]); k++, i++)
        v = v * 16 + parseInt(String.fromCharCode(line[i]), 16);
      i -= 1;
      out[o++] = v;
    } else out[o++] = SIMPLE_ESCAPES[c] ?? line[i];
  }
  return out.toString('utf8', 0, o);
}

const isHex = (b: number) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);

/** A SQL literal for COPY's text (which takes no bind parameters): quoted and escaped, typed. */
export function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new Error('literal: an invalid date');
    return `'${v.toISOString()}'::timestamptz`;
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error('literal: not a finite number');
    // In parentheses: `x-$1` with -5 must not become the comment `x--5`.
    return `(${String(v)})`;
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `ARRAY[${v.map((x) => quote(String(x))).join(', ')}]::text[]`;
  return quote(String(v));
}

/** A string literal: quotes doubled; with backslashes, the E'' form with them doubled too. */
function quote(s: string): string {
  if (s.includes('\u0000')) throw new Error('literal: a NUL character');
  const body = s.replaceAll("'", "''");
  return s.includes('\\') ? `E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}

/** Replaces `$1`, `$2`, … in `sql` by the literals of `params` (one pass: literals are not rescanned). */
export function inlineParams(sql: string, params: unknown[]): string {
  return sql.replace(/\$(\d+)\b/g, (m, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) throw new Error(`inlineParams: no value for ${m}`);
    return literal(params[i]);
  });
}
