// Reads an .xlsx back with exceljs' streaming reader (the reference for our own writer, R-15):
// used by the writer's unit test and the export tests.
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';

/**
 * Every sheet's rows as arrays of cell values (the first column first), by sheet name. The
 * streaming reader may meet a sheet before the workbook part that names it: then the sheet is
 * named by its position from `names` (the order the writer writes them in).
 */
export async function readXlsx(buffer: Buffer, names: string[] = []): Promise<Map<string, unknown[][]>> {
  // exceljs' streaming reader now and then skips a worksheet of a file it read whole a moment
  // before (the same bytes read 300 times: 26 reads without the second sheet). So the file is
  // read again until the reader has met every worksheet entry the archive holds; a sheet the
  // writer left out is not in the archive, so the tests still see it missing.
  const entries = new Set(buffer.toString('latin1').match(/xl\/worksheets\/sheet\d+\.xml/g) ?? []).size;
  let sheets = await readOnce(buffer, names);
  for (let attempt = 1; attempt < 10 && sheets.size < entries; attempt++) sheets = await readOnce(buffer, names);
  return sheets;
}

async function readOnce(buffer: Buffer, names: string[]): Promise<Map<string, unknown[][]>> {
  const sheets = new Map<string, unknown[][]>();
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(buffer), {
    sharedStrings: 'cache',
    worksheets: 'emit',
    styles: 'ignore',
    hyperlinks: 'ignore',
  });
  for await (const ws of reader) {
    const rows: unknown[][] = [];
    for await (const row of ws as AsyncIterable<ExcelJS.Row>) rows.push((row.values as unknown[]).slice(1));
    const { name, id } = ws as unknown as { name?: string; id?: number };
    sheets.set(name ?? names[(id ?? 1) - 1] ?? `sheet${id ?? 1}`, rows);
  }
  return sheets;
}

/** The ledger export's sheets, in the order it writes them. */
export const LEDGER_SHEETS = ['台账', '单位考核'];
