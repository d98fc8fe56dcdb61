// Spreadsheet uploads (X-8 master data, upstream batches): an .xlsx workbook (its first sheet) or
// a UTF-8 CSV, judged by content, turned into rows of trimmed strings keyed by header.
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

/**
 * Reads the file into rows keyed by canonical field names. `headers` maps each accepted heading
 * (English or Chinese) to its field; unknown columns are ignored; blank lines skipped.
 */
export async function readTable(file: Buffer, headers: Record<string, string>): Promise<TableRow[]> {
  let grid: string[][];
  if (file.length >= 4 && file.readUInt32LE(0) === 0x04034b50) {
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
