// Spreadsheet uploads (X-8 master data, upstream batches): an .xlsx workbook (its first sheet) or
// a UTF-8 CSV, judged by content, turned into rows of trimmed strings keyed by header.
import { inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { DomainError } from '@hotline/workflow';

export interface TableRow {
  /** 1-based row number in the file, counting the header as row 1 (what a person sees in Excel). */
  line: number;
  values: Record<string, string>;
}

/** One row's problems, for the per-row error report. */
export interface RowError {
  line: number;
  field: string | null;
  message: string;
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('text' in v) return String(v.text);
    if ('result' in v) return v.result === undefined ? '' : cellText(v.result as ExcelJS.CellValue);
    return '';
  }
  return String(v);
}

/** Issue 17.8: the most a workbook may unpack to (all its parts together). */
export const XLSX_MAX_UNPACKED_BYTES = 50 * 1024 * 1024;

const UNREADABLE = '文件不是可读取的 .xlsx 工作簿。';

/**
 * Issue 17.8: refuses a zip bomb before ExcelJS unpacks anything. Reads the zip's central
 * directory, refuses when the declared sizes add up to more than `maxBytes`, then inflates each
 * part with that part's declared size as a hard output cap (a part that lies about its size
 * stops at the cap and is refused), so the work done is bounded by `maxBytes` whatever the file
 * claims. A truncated or malformed zip is refused as unreadable.
 */
export function checkZipBounds(file: Buffer, maxBytes = XLSX_MAX_UNPACKED_BYTES): void {
  const bad = (message = UNREADABLE) => new DomainError('VALIDATION', message, 'file');
  const tooBig = () => bad(`工作簿解压后超过 ${Math.floor(maxBytes / 1024 / 1024)} MB，请拆分后再上传。`);
  // End of central directory: 22 bytes, after it at most a 65,535-byte comment.
  let eocd = -1;
  for (let i = file.length - 22; i >= Math.max(0, file.length - 22 - 0xffff); i--) {
    if (file.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad();
  const count = file.readUInt16LE(eocd + 10);
  const cdOffset = file.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw bad(); // ZIP64: never needed at our sizes
  const entries: Array<{ method: number; compressed: number; size: number; local: number }> = [];
  let total = 0;
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > file.length || file.readUInt32LE(p) !== 0x02014b50) throw bad();
    const e = {
      method: file.readUInt16LE(p + 10),
      compressed: file.readUInt32LE(p + 20),
      size: file.readUInt32LE(p + 24),
      local: file.readUInt32LE(p + 42),
    };
    total += e.size;
    if (e.size === 0xffffffff || total > maxBytes) throw tooBig();
    entries.push(e);
    p += 46 + file.readUInt16LE(p + 28) + file.readUInt16LE(p + 30) + file.readUInt16LE(p + 32);
  }
  for (const e of entries) {
    if (e.local + 30 > file.length || file.readUInt32LE(e.local) !== 0x04034b50) throw bad();
    const start = e.local + 30 + file.readUInt16LE(e.local + 26) + file.readUInt16LE(e.local + 28);
    if (start + e.compressed > file.length) throw bad();
    const data = file.subarray(start, start + e.compressed);
    if (e.method === 0) {
      if (e.compressed !== e.size) throw bad();
    } else if (e.method === 8) {
      let out: Buffer;
      try {
        // One byte over the declared size: a part that inflates further is caught, not unpacked.
        out = inflateRawSync(data, { maxOutputLength: e.size + 1 });
      } catch (err) {
        // (By code: the error comes from Node's own realm, so instanceof RangeError can miss.)
        if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooBig();
        throw bad();
      }
      if (out.length !== e.size) throw out.length > e.size ? tooBig() : bad();
    } else throw bad();
  }
}

/**
 * Reads the file into rows keyed by canonical field names. `headers` maps each accepted heading
 * (English or Chinese) to its field; unknown columns are ignored; blank lines skipped.
 */
export async function readTable(file: Buffer, headers: Record<string, string>): Promise<TableRow[]> {
  let grid: string[][];
  if (file.length >= 4 && file.readUInt32LE(0) === 0x04034b50) {
    checkZipBounds(file);
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(file as never);
    } catch {
      throw new DomainError('VALIDATION', '文件不是可读取的 .xlsx 工作簿。', 'file');
    }
    const sheet = wb.worksheets[0];
    if (!sheet) throw new DomainError('VALIDATION', '工作簿中没有工作表。', 'file');
    grid = [];
    sheet.eachRow({ includeEmpty: true }, (row, n) => {
      const cells: string[] = [];
      for (let c = 1; c <= sheet.columnCount; c++) cells.push(cellText(row.getCell(c).value));
      grid[n - 1] = cells;
    });
    for (let i = 0; i < grid.length; i++) grid[i] ??= [];
  } else {
    const text = file.toString('utf8');
    if (text.includes('\uFFFD') || text.includes('\u0000')) {
      throw new DomainError('VALIDATION', '请上传 .xlsx 工作簿或 UTF-8 编码的 CSV 文件。', 'file');
    }
    grid = parseCsv(text);
  }
  const head = (grid[0] ?? []).map((h) => headers[h.trim()] ?? headers[h.trim().toLowerCase()] ?? null);
  if (head.every((h) => h === null)) {
    throw new DomainError('VALIDATION', `第一行须为列名（${[...new Set(Object.keys(headers))].join('、')}）。`, 'file');
  }
  const out: TableRow[] = [];
  for (let i = 1; i < grid.length; i++) {
    const values: Record<string, string> = {};
    head.forEach((field, c) => {
      if (field) values[field] = (grid[i][c] ?? '').trim();
    });
    if (Object.values(values).every((v) => v === '')) continue;
    out.push({ line: i + 1, values });
  }
  return out;
}
