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
