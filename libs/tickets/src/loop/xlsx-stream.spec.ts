import { PassThrough, Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { readXlsx } from '../../../../test/support/xlsx';
import { columnName, XlsxStreamWriter, type XlsxCell } from './xlsx-stream';

/** Writes a workbook with the writer into a buffer. */
async function written(sheets: Array<{ name: string; widths?: number[]; rows: XlsxCell[][] }>, batch = 1000) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const w = new XlsxStreamWriter(out, sheets, new Date('2026-12-05T08:00:00Z'));
  await w.start();
  for (const s of sheets) {
    await w.startSheet();
    for (let i = 0; i < s.rows.length; i += batch) await w.writeRows(s.rows.slice(i, i + batch));
    await w.endSheet();
  }
  await w.finish();
  return Buffer.concat(chunks);
}

describe('issue 19 goal 3: the streaming .xlsx writer', () => {
  const ledger: XlsxCell[][] = [
    ['工单号', '受理时间', '主题', '各单位回复', '退回次数'],
    [
      'GX00000001',
      '2026-01-01 08:01',
      '第1号生成工单',
      '第一分公司（主办）赵强 2026-12-07 13:00：已处理\n安全技术科（会办）',
      0,
    ],
    ['GX00000002', '2026-01-01 08:02', 'A&B <线路> "12" \u0007响铃', '', 3],
    ['GX00000003', null, '  前后空格  ', undefined, 2.5],
  ];

  it('R-15, issue 19 goal 3: exceljs reads back the sheets, names, header, Chinese text, line breaks, escapes, numbers and widths', async () => {
    const buffer = await written([
      { name: '台账', widths: [16, 17, 30, 60, 8], rows: ledger },
      { name: '单位考核', rows: [['排名', '单位', '派单数'], [1, '第一分公司', 100000], [], ['', '全部', 7]] },
    ]);
    // The streaming reader (the export tests' reader) …
    const sheets = await readXlsx(buffer);
    expect([...sheets.keys()]).toEqual(['台账', '单位考核']);
    const rows = sheets.get('台账')!;
    expect(rows[0]).toEqual(['工单号', '受理时间', '主题', '各单位回复', '退回次数']);
    expect(rows[1]).toEqual(ledger[1]);
    // Control characters XML cannot carry are dropped; & < > " survive; an empty value is an empty cell.
    expect(rows[2][2]).toBe('A&B <线路> "12" 响铃');
    expect(rows[2][3]).toBeUndefined();
    expect(rows[2][4]).toBe(3);
    expect(rows[3]).toEqual(['GX00000003', undefined, '  前后空格  ', undefined, 2.5]);
    const units = sheets.get('单位考核')!;
    // The empty row is left out, as exceljs leaves it out; the row after it keeps its number.
    expect(units).toEqual([
      ['排名', '单位', '派单数'],
      [1, '第一分公司', 100000],
      [undefined, '全部', 7],
    ]);
    // … and the whole-file reader, which checks the package (content types, relationships, widths).
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['台账', '单位考核']);
    const ws = wb.getWorksheet('台账')!;
    expect(ws.rowCount).toBe(4);
    expect(ws.getCell('D2').value).toBe(ledger[1][3]);
    expect(ws.getColumn(4).width).toBe(60);
    expect(wb.getWorksheet('单位考核')!.getCell('C2').value).toBe(100000);
    expect(wb.getWorksheet('单位考核')!.getCell('B4').value).toBe('全部');
  });

  it('R-15, issue 19 goal 3: xml:space="preserve" marks exactly the texts whose whitespace Excel would otherwise trim or fold', async () => {
    const texts = ['第1号生成工单', '  前后空格  ', '尾空格 ', '两行\n回复', '制表\t符', '两个  空格', '一个 空格'];
    const buffer = await written([{ name: '台账', rows: [texts] }]);
    // exceljs keeps whitespace either way, so the sheet's XML itself is read (jszip comes with exceljs).
    const zip = await JSZip.loadAsync(buffer);
    const xml = await zip.file('xl/worksheets/sheet1.xml')!.async('string');
    const cells = [...xml.matchAll(/<t( xml:space="preserve")?>([^<]*)<\/t>/g)].map((m) => [m[2], Boolean(m[1])]);
    expect(cells).toEqual([
      ['第1号生成工单', false],
      ['  前后空格  ', true],
      ['尾空格 ', true],
      ['两行\n回复', true],
      ['制表\t符', true],
      ['两个  空格', true],
      ['一个 空格', false],
    ]);
  });

  it('R-15, issue 19 goal 3: 30,000 rows through a slow reader arrive whole, written as the reader takes them', async () => {
    const n = 30_000;
    const rows: XlsxCell[][] = [['工单号', '主题']];
    for (let i = 1; i <= n; i++)
      rows.push([`GX${String(i).padStart(8, '0')}`, `第${i}号生成工单 ${'内容'.repeat(i % 50)}`]);
    const out = new PassThrough({ highWaterMark: 16 * 1024 });
    const w = new XlsxStreamWriter(out, [{ name: '台账' }]);
    const chunks: Buffer[] = [];
    let most = 0;
    // The reader takes a chunk every tick; the writer may not run ahead by more than a batch.
    const sink = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        most = Math.max(most, out.readableLength + out.writableLength);
        setImmediate(done);
      },
    });
    out.pipe(sink);
    await w.start();
    await w.startSheet();
    for (let i = 0; i < rows.length; i += 2000) await w.writeRows(rows.slice(i, i + 2000));
    await w.endSheet();
    await w.finish();
    await new Promise((resolve) => sink.on('finish', resolve));
    expect(most).toBeLessThan(1024 * 1024);
    const back = (await readXlsx(Buffer.concat(chunks))).get('台账')!;
    expect(back).toHaveLength(n + 1);
    expect(back[n]).toEqual(rows[n]);
    expect(back[12_345]).toEqual(rows[12_345]);
  });

  it('R-15, issue 19 goal 3: a reader that hangs up stops the writer without an error', async () => {
    const out = new PassThrough({ highWaterMark: 1024 });
    const w = new XlsxStreamWriter(out, [{ name: '台账' }]);
    await w.start();
    await w.startSheet();
    const many: XlsxCell[][] = Array.from({ length: 5000 }, (_, i) => [`第${i}行`, i]);
    const pending = w.writeRows(many); // nobody reads: it waits for room
    out.destroy();
    await expect(pending).resolves.toBeUndefined();
    await w.endSheet();
    await w.finish();
  });

  it('R-15, issue 19 goal 3: column names run A…Z, AA…', () => {
    expect([0, 25, 26, 27, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });
});
