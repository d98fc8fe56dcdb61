// Issue 19 goal 3: a small streaming .xlsx writer for the ledger export. An .xlsx is a zip of
// XML parts; this writes the few parts a workbook needs (content types, relationships, workbook,
// a minimal style sheet, one part per sheet), the sheets' cells as inline strings and numbers (no
// shared-strings table to hold in memory), each part deflated by Node's zlib as it is written
// (the deflate runs on libuv's thread pool, beside the JavaScript that builds the next rows) and
// framed with data descriptors, so nothing is held but the batch being written.
//
// Why not exceljs' streaming writer: it builds a cell model per value and renders it through its
// XML stream, which costs the export more than the row query (docs/benchmarks.md, the ledger
// export). exceljs stays the reference: the unit test reads what this writes back with it.
import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';

/** A cell: text, a number, or nothing (an empty cell: null, undefined or ''). */
export type XlsxCell = string | number | null | undefined;

export interface XlsxSheet {
  name: string;
  /** Column widths in characters, first column first (optional). */
  widths?: number[];
}

const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
/**
 * zlib's level for the parts. 3, not zlib's default 6: at 1 M ledger rows the export process's CPU
 * 30.1 → 22.9 s and the export 31.7 k → 39.2 k rows/s, the file 93 → 105 MiB (bench:ledger,
 * docs/benchmarks.md); level 1 was no faster and larger still (123 MiB).
 */
export const DEFLATE_LEVEL = 3;
/** Excel's limit of rows per sheet. */
export const XLSX_MAX_ROWS = 1_048_576;

/** Characters XML 1.0 does not allow (C0 controls but tab and newlines, lone surrogates, U+FFFE/F). */
const INVALID_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// eslint-disable-next-line no-control-regex
const NEEDS_WORK = /[&<>\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/;

/** A text whose whitespace Excel keeps only with xml:space="preserve": at its ends, a tab or line break, or a run. */
const KEEPS_SPACE = /^\s|\s$|[\t\n\r]|\s\s/;

/** Escapes text for an XML text node, dropping characters XML cannot carry. */
export function xmlText(s: string): string {
  if (!NEEDS_WORK.test(s)) return s;
  return s.replace(INVALID_XML, '').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const attr = (s: string) => xmlText(s).replaceAll('"', '&quot;');

/** 'A', 'B', … 'Z', 'AA', … for a 0-based column. */
export function columnName(i: number): string {
  let n = i + 1;
  let name = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    name = String.fromCharCode(65 + r) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
}

/** Resolves at the first of two events (rejects on `a`'s error), leaving no listener behind. */
function either(a: EventEmitter, aEvent: string, b: EventEmitter, bEvent: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      off();
      resolve();
    };
    const fail = (e: Error) => {
      off();
      reject(e);
    };
    const off = () => {
      a.off(aEvent, done);
      b.off(bEvent, done);
      a.off('error', fail);
    };
    a.on(aEvent, done);
    b.on(bEvent, done);
    a.on('error', fail);
  });
}

const crc32: (data: Buffer, value?: number) => number =
  (zlib as unknown as { crc32?: (data: Buffer, value?: number) => number }).crc32 ?? crc32Js;

let crcTable: Int32Array | undefined;
function crc32Js(data: Buffer, value = 0): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = ~value;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

interface Entry {
  name: Buffer;
  offset: number;
  crc: number;
  compressed: number;
  size: number;
}

/**
 * Writes one workbook into `out`, part after part. Use: `start()`, then for each sheet (in the
 * order given) `startSheet()`, `writeRows()` (await it: it resolves when `out` has taken the
 * rows, which is the backpressure), `endSheet()`; then `finish()`. If `out` is destroyed (the
 * client hung up) the awaits resolve and the caller stops; nothing more is written.
 */
export class XlsxStreamWriter {
  private readonly entries: Entry[] = [];
  private offset = 0;
  private readonly dosTime: number;
  private readonly dosDate: number;
  private deflate?: zlib.DeflateRaw;
  private current?: Entry;
  private sheetIndex = 0;
  private rowNumber = 0;
  private columns: string[] = [];

  constructor(
    private readonly out: Writable,
    private readonly sheets: XlsxSheet[],
    now = new Date(),
    private readonly level = DEFLATE_LEVEL,
  ) {
    this.dosTime = (now.getHours() << 11) | (now.getMinutes() << 5) | (now.getSeconds() >> 1);
    this.dosDate = ((now.getFullYear() - 1980) << 9) | ((now.getMonth() + 1) << 5) | now.getDate();
  }

  /** The package parts before the sheets (the workbook first, so a streaming reader knows the sheet names). */
  async start(): Promise<void> {
    const sheetParts = this.sheets.map(
      (_, i) =>
        `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
    );
    await this.part(
      '[Content_Types].xml',
      `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
        `<Default Extension="xml" ContentType="application/xml"/>` +
        `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
        `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
        `<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
        `${sheetParts.join('')}</Types>`,
    );
    await this.part(
      '_rels/.rels',
      `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/>` +
        `<Relationship Id="rId2" Type="${REL_NS}/extended-properties" Target="docProps/app.xml"/></Relationships>`,
    );
    await this.part(
      'xl/workbook.xml',
      `${XML_HEAD}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheets>${this.sheets
        .map((s, i) => `<sheet name="${attr(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
        .join('')}</sheets></workbook>`,
    );
    await this.part(
      'xl/_rels/workbook.xml.rels',
      `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">${this.sheets
        .map(
          (_, i) => `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
        )
        .join(
          '',
        )}<Relationship Id="rId${this.sheets.length + 1}" Type="${REL_NS}/styles" Target="styles.xml"/></Relationships>`,
    );
    await this.part(
      'xl/styles.xml',
      `${XML_HEAD}<styleSheet xmlns="${MAIN_NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>` +
        `<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
        `<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
        `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
        `<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>` +
        `<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`,
    );
  }

  /** Opens the next sheet's part (its column widths, then the rows to come). */
  async startSheet(): Promise<void> {
    const sheet = this.sheets[this.sheetIndex];
    if (!sheet) throw new Error('xlsx: more sheets than announced');
    this.sheetIndex += 1;
    this.rowNumber = 0;
    this.columns = [];
    this.open(`xl/worksheets/sheet${this.sheetIndex}.xml`);
    const cols = sheet.widths?.length
      ? `<cols>${sheet.widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('')}</cols>`
      : '';
    await this.write(`${XML_HEAD}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">${cols}<sheetData>`);
  }

  /** Rows written to the open sheet so far. */
  get rows(): number {
    return this.rowNumber;
  }

  /** Appends rows to the open sheet; resolves once `out` has room again. */
  async writeRows(rows: XlsxCell[][]): Promise<void> {
    if (this.rowNumber + rows.length > XLSX_MAX_ROWS) {
      throw new Error(`xlsx: a sheet holds at most ${XLSX_MAX_ROWS} rows`);
    }
    let xml = '';
    for (const row of rows) {
      const r = ++this.rowNumber;
      let cells = '';
      for (let i = 0; i < row.length; i++) {
        const v = row[i];
        if (v === null || v === undefined || v === '') continue;
        const ref = (this.columns[i] ??= columnName(i)) + r;
        if (typeof v === 'number') {
          if (Number.isFinite(v)) cells += `<c r="${ref}"><v>${v}</v></c>`;
        } else {
          // Excel trims a text's ends and may fold its inner whitespace unless told to keep it: the
          // 19 bytes of xml:space go on such texts only (a fifth less XML to deflate a row).
          const t = KEEPS_SPACE.test(v) ? '<t xml:space="preserve">' : '<t>';
          cells += `<c r="${ref}" t="inlineStr"><is>${t}${xmlText(v)}</t></is></c>`;
        }
      }
      // A row without values is left out (as exceljs does); the next row keeps its number.
      if (cells) xml += `<row r="${r}">${cells}</row>`;
    }
    await this.write(xml);
  }

  async endSheet(): Promise<void> {
    await this.write('</sheetData></worksheet>');
    await this.close();
  }

  /** The application part and the zip's central directory; then ends `out`. */
  async finish(): Promise<void> {
    if (this.sheetIndex !== this.sheets.length) throw new Error('xlsx: a sheet announced was not written');
    // A part after the last sheet: exceljs' streaming reader (unzipper) under jest can miss a
    // sheet that is the archive's last entry.
    await this.part(
      'docProps/app.xml',
      `${XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Hotline Desk</Application></Properties>`,
    );
    const parts: Buffer[] = [];
    const start = this.offset;
    for (const e of this.entries) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(20, 4); // made by: 2.0
      h.writeUInt16LE(20, 6); // needed: 2.0
      h.writeUInt16LE(0x0808, 8); // data descriptor; UTF-8 names
      h.writeUInt16LE(8, 10); // deflate
      h.writeUInt16LE(this.dosTime, 12);
      h.writeUInt16LE(this.dosDate, 14);
      h.writeUInt32LE(e.crc, 16);
      h.writeUInt32LE(e.compressed, 20);
      h.writeUInt32LE(e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt32LE(e.offset, 42);
      parts.push(h, e.name);
    }
    const directory = Buffer.concat(parts);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(start, 16);
    this.raw(directory);
    this.raw(end);
    if (this.out.destroyed) return;
    this.out.end();
    await either(this.out, 'finish', this.out, 'close');
  }

  /** Stops: the open part's deflate stream is released; nothing more is written. */
  abort(): void {
    this.deflate?.destroy();
    this.deflate = undefined;
    this.current = undefined;
  }

  private async part(name: string, xml: string): Promise<void> {
    this.open(name);
    await this.write(xml);
    await this.close();
  }

  /** A local file header (sizes and CRC follow in the data descriptor), then a fresh deflate stream. */
  private open(name: string): void {
    const entry: Entry = { name: Buffer.from(name, 'utf8'), offset: this.offset, crc: 0, compressed: 0, size: 0 };
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(0x0808, 6);
    h.writeUInt16LE(8, 8);
    h.writeUInt16LE(this.dosTime, 10);
    h.writeUInt16LE(this.dosDate, 12);
    h.writeUInt16LE(entry.name.length, 26);
    this.raw(h);
    this.raw(entry.name);
    // Large chunks and room for a batch or two in the deflate stream: the thread pool deflates one
    // batch while the next batch's XML is built, in a few hops between the threads, not one per 16 KiB.
    const deflate = zlib.createDeflateRaw({
      level: this.level,
      memLevel: 9,
      chunkSize: 256 * 1024,
      writableHighWaterMark: 4 * 1024 * 1024,
    } as zlib.ZlibOptions);
    deflate.on('data', (chunk: Buffer) => {
      entry.compressed += chunk.length;
      // Backpressure from the client: stop deflating until it has taken what is written.
      if (!this.raw(chunk) && !this.out.destroyed) {
        deflate.pause();
        const resume = () => {
          this.out.off('drain', resume);
          this.out.off('close', resume);
          deflate.resume();
        };
        this.out.on('drain', resume);
        this.out.on('close', resume);
      }
    });
    this.deflate = deflate;
    this.current = entry;
    this.entries.push(entry);
  }

  private async write(xml: string): Promise<void> {
    const deflate = this.deflate!;
    const entry = this.current!;
    const data = Buffer.from(xml, 'utf8');
    entry.crc = crc32(data, entry.crc);
    entry.size += data.length;
    if (entry.size > 0xffffffff) throw new Error('xlsx: a part larger than 4 GiB needs zip64');
    if (!deflate.write(data) && !this.out.destroyed) {
      await either(deflate, 'drain', this.out, 'close');
    }
  }

  /** Ends the part: the rest of its deflate stream, then its data descriptor. */
  private async close(): Promise<void> {
    const deflate = this.deflate!;
    const entry = this.current!;
    const ended = either(deflate, 'end', this.out, 'close');
    deflate.end();
    await ended;
    if (entry.offset + entry.compressed > 0xffffffff) throw new Error('xlsx: a file larger than 4 GiB needs zip64');
    const d = Buffer.alloc(16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(entry.crc, 4);
    d.writeUInt32LE(entry.compressed, 8);
    d.writeUInt32LE(entry.size, 12);
    this.raw(d);
    this.deflate = undefined;
    this.current = undefined;
  }

  private raw(b: Buffer): boolean {
    this.offset += b.length;
    if (this.out.destroyed) return true;
    return this.out.write(b);
  }
}
