// Issue 17.8: fuzzing reaches further than bad-input.e2e-spec.ts: uploads of the wrong type, cut
// off, or a zip bomb inside an .xlsx; JSON bodies over the 1 MiB limit; malformed headers
// (Authorization, If-Match, Idempotency-Key, Content-Type); and every route called without a
// valid sign-in. Every answer is a 4xx naming the field or rule, never a 5xx.
import { crc32, deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import type { InjectOptions } from 'fastify';
import { startDingTalkSimulator } from '../apps/dingtalk-sim/src/simulator';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';

/** Routes that answer without a person's sign-in (sign-in itself, upstream intake signed by a key). */
const PUBLIC = new Set([
  'POST /api/auth/dev',
  'POST /api/auth/refresh',
  'POST /api/auth/logout',
  'POST /api/auth/dingtalk',
  'GET /api/auth/dingtalk/corp',
  'POST /api/intake',
  'GET /api/intake/{source}/{ref}',
  'GET /api/docs-json',
  'GET /health',
]);

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
const ZIP_SIG = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

function multipart(content: Buffer, fileName = 'a.png', contentType = 'image/png', close = true) {
  const boundary = 'fuzzboundary';
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${contentType}\r\n\r\n`,
    ),
    content,
    Buffer.from(close ? `\r\n--${boundary}--\r\n` : ''),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

interface ZipPart {
  name: string;
  data: Buffer;
  /** Deflated bytes to store instead of deflating `data`. */
  deflated?: Buffer;
  /** The uncompressed size written into the headers (a lying bomb declares less than it holds). */
  declaredSize?: number;
  crc?: number;
}

/** A minimal zip writer (deflate, no data descriptors): enough for an .xlsx. */
function zip(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name);
    const body = p.deflated ?? deflateRawSync(p.data);
    const size = p.declaredSize ?? p.data.length;
    const crc = p.crc ?? crc32(p.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const SKELETON: ZipPart[] = [
  {
    name: '[Content_Types].xml',
    data: Buffer.from(
      `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
    ),
  },
  {
    name: '_rels/.rels',
    data: Buffer.from(
      `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
  },
  {
    name: 'xl/workbook.xml',
    data: Buffer.from(
      `${XML}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
  },
  {
    name: 'xl/_rels/workbook.xml.rels',
    data: Buffer.from(
      `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    ),
  },
];

/**
 * An .xlsx whose sheet XML inflates to `mib` MiB: a real header row, then whitespace (about
 * 1,000 : 1). `lying` declares 4 KiB in the zip headers, so only a capped inflate catches it.
 */
function bombXlsx(mib: number, declare: 'honest' | 'lying'): Buffer {
  const head = Buffer.from(
    `${XML}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row>`,
  );
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const whole = Buffer.concat([head, ...Array.from({ length: mib }, () => chunk)]);
  const deflated = deflateRawSync(whole, { level: 9 });
  const size = whole.length;
  return zip([
    ...SKELETON,
    {
      name: 'xl/worksheets/sheet1.xml',
      data: head,
      deflated,
      declaredSize: declare === 'honest' ? size : 4096,
      crc: crc32(whole),
    },
  ]);
}

async function routesXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('线路');
  ws.addRow(['code', 'name', 'branch']);
  ws.addRow(['F1', '模糊测试线', 'branch1']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('issue 17.8: fuzzing reaches further', () => {
  let sim: Awaited<ReturnType<typeof startDingTalkSimulator>>;
  let t: TestApp;
  let api: ApiClient;
  let routes: Array<{ method: string; path: string }>;
  let ticketId: string;

  beforeAll(async () => {
    sim = await startDingTalkSimulator({ port: 0, host: '127.0.0.1' });
    t = await createTestApp({ dbSuffix: 'fuzz17', env: { DINGTALK_SIM_PORT: String(sim.port) } });
    api = new ApiClient(t.app);
    const c = await api.createTicket('dispatcher1', { subject: '模糊测试' });
    await api.ok('dispatcher1', c.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    ticketId = c.id;
    const doc = (await t.app.inject({ method: 'GET', url: '/api/docs-json' })).json();
    routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })),
    );
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });

  async function send(userid: string | null, req: InjectOptions) {
    const auth = userid ? { authorization: `Bearer ${await api.token(userid)}` } : {};
    const res = await t.app.inject({ ...req, headers: { ...(req.headers ?? {}), ...auth } } as InjectOptions);
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : {} };
  }

  const attach = (content: Buffer, fileName?: string, type?: string, close?: boolean) =>
    send('dispatcher1', {
      method: 'POST',
      url: `/api/tickets/${ticketId}/attachments`,
      ...multipart(content, fileName, type, close),
    });

  it('issue 17.8: attachments of the wrong type, with a mismatched magic number or cut off are refused with a 4xx naming the file', async () => {
    const cases: Array<[string, Buffer, string, string]> = [
      [
        'an executable declared as a PNG',
        Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 0x90)]),
        'a.png',
        'image/png',
      ],
      ['HTML declared as a PDF', Buffer.from('<html><script>alert(1)</script></html>'), 'a.pdf', 'application/pdf'],
      ['a zip declared as a JPEG', Buffer.concat([ZIP_SIG, Buffer.alloc(64)]), 'a.jpg', 'image/jpeg'],
      [
        'an SVG (script-capable) declared as an image',
        Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
        'a.svg',
        'image/svg+xml',
      ],
      ['a PNG cut off inside its signature', PNG.subarray(0, 5), 'a.png', 'image/png'],
      ['a PDF cut off inside its signature', PDF.subarray(0, 3), 'a.pdf', 'application/pdf'],
      ['an empty file', Buffer.alloc(0), 'a.png', 'image/png'],
    ];
    const problems: string[] = [];
    for (const [what, content, name, type] of cases) {
      const r = await attach(content, name, type);
      if (r.status !== 400 || r.body.field !== 'file' || !/[\u4e00-\u9fff]/.test(String(r.body.message))) {
        problems.push(`${what} → ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
      }
    }
    expect(problems).toEqual([]);
    // A multipart body cut off before its closing boundary: a 4xx, nothing stored.
    const before = (await api.get('dispatcher1', `/api/tickets/${ticketId}/attachments`)).body.length;
    const cut = await attach(Buffer.concat([PNG, Buffer.alloc(100, 1)]), 'a.png', 'image/png', false);
    expect(cut.status).toBeGreaterThanOrEqual(400);
    expect(cut.status).toBeLessThan(500);
    expect((await api.get('dispatcher1', `/api/tickets/${ticketId}/attachments`)).body.length).toBe(before);
    // The type is the content's, not the declared one: a real PNG declared as a PDF is a PNG.
    const png = await attach(PNG, 'scan.pdf', 'application/pdf');
    expect(png.status).toBe(201);
    expect(png.body.contentType).toBe('image/png');
  });

  it('issue 17.8: spreadsheet imports refuse a zip bomb inside an .xlsx (honest or lying sizes) before unpacking it, and truncated or mistyped sheets, with a 400 naming the file', async () => {
    const good = await routesXlsx();
    const honest = bombXlsx(120, 'honest');
    const lying = bombXlsx(120, 'lying');
    // The bombs are small on the wire and unpack to over 100 MB.
    expect(honest.length).toBeLessThan(1024 * 1024);
    expect(lying.length).toBeLessThan(1024 * 1024);
    const imports: Array<[string, string]> = [
      ['admin', '/api/transit/import/routes?dryRun=true'],
      ['dispatcher1', '/api/intake/import?source=transport_bureau&dryRun=true'],
    ];
    // A real workbook passes the guard (the transit import reads its row).
    const ok = await send('admin', {
      method: 'POST',
      url: imports[0][1],
      ...multipart(good, 'r.xlsx', 'application/octet-stream'),
    });
    expect(ok.status).toBe(200);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['a zip bomb declaring its size', honest, /解压后超过/],
      ['a zip bomb declaring a small size', lying, /解压后超过/],
      ['a truncated .xlsx', good.subarray(0, Math.floor(good.length / 2)), /xlsx/],
      ['an .xlsx cut to its first local header', good.subarray(0, 40), /xlsx/],
      ['a PNG named .xlsx', PNG, /xlsx|CSV/],
      ['binary garbage behind a zip signature', Buffer.concat([ZIP_SIG, Buffer.alloc(2000, 0xab)]), /xlsx/],
    ];
    const problems: string[] = [];
    for (const [who, url] of imports) {
      for (const [what, content, message] of cases) {
        const r = await send(who, {
          method: 'POST',
          url,
          ...multipart(content, 'batch.xlsx', 'application/vnd.ms-excel'),
        });
        if (r.status !== 400 || r.body.field !== 'file' || !message.test(String(r.body.message))) {
          problems.push(`${url} ${what} → ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('issue 17.8: a JSON body over 1 MiB is refused with 413 and a clear message, on every kind of JSON endpoint', async () => {
    const big = JSON.stringify({ comment: 'x'.repeat(1024 * 1024 + 10) });
    const targets: Array<[string | null, InjectOptions['method'], string]> = [
      ['dispatcher1', 'POST', '/api/tickets'],
      ['b1_receiver', 'POST', `/api/tickets/${ticketId}/actions/accept`],
      ['admin', 'PUT', '/api/admin/time-limits'],
      [null, 'POST', '/api/auth/dev'],
      [null, 'POST', '/api/intake'],
    ];
    const problems: string[] = [];
    for (const [who, method, url] of targets) {
      const r = await send(who, { method, url, payload: big, headers: { 'content-type': 'application/json' } });
      if (r.status !== 413 || !/超过 1 MiB/.test(String(r.body.message))) {
        problems.push(`${method} ${url} → ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
      }
    }
    expect(problems).toEqual([]);
    // Just under the limit is not a 413 (the DTO judges it instead).
    const under = await send('b1_receiver', {
      method: 'POST',
      url: `/api/tickets/${ticketId}/actions/accept`,
      payload: JSON.stringify({ comment: 'x'.repeat(1000) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(under.status).not.toBe(413);
  });

  it('issue 17.8: malformed headers (If-Match, Idempotency-Key, Content-Type, a broken JSON body) get a 4xx naming the header, and change nothing', async () => {
    const url = `/api/tickets/${ticketId}/actions/accept`;
    const version = async () => (await api.get('dispatcher1', `/api/tickets/${ticketId}`)).body.version as number;
    const v0 = await version();
    const cases: Array<[string, Record<string, string>, string | undefined, number, string | null]> = [
      ['If-Match not a number', { 'if-match': 'abc' }, '{}', 400, 'If-Match'],
      ['If-Match a bare number', { 'if-match': '3' }, '{}', 400, 'If-Match'],
      ['If-Match negative', { 'if-match': '"-1"' }, '{}', 400, 'If-Match'],
      ['If-Match huge', { 'if-match': `"${'9'.repeat(40)}"` }, '{}', 400, 'If-Match'],
      ['Idempotency-Key too long', { 'idempotency-key': 'k'.repeat(129) }, '{}', 400, 'Idempotency-Key'],
      ['Idempotency-Key with spaces', { 'idempotency-key': 'a b' }, '{}', 400, 'Idempotency-Key'],
      ['Idempotency-Key with unicode', { 'idempotency-key': '工单' }, '{}', 400, 'Idempotency-Key'],
      // text/plain is read as text, then refused as not a JSON object (naming the body).
      ['Content-Type text/plain', { 'content-type': 'text/plain' }, '{}', 400, 'body'],
      ['Content-Type made up', { 'content-type': 'application/x-nonsense' }, '{}', 415, null],
      ['broken JSON', { 'content-type': 'application/json' }, '{"comment": ', 400, null],
      ['JSON that is a string', { 'content-type': 'application/json' }, '"accept"', 400, null],
    ];
    const problems: string[] = [];
    for (const [what, headers, payload, want, field] of cases) {
      const r = await send('b1_receiver', {
        method: 'POST',
        url,
        payload,
        headers: { 'content-type': 'application/json', ...headers },
      });
      const fieldOk = field === null || r.body.field === field;
      if (r.status !== want || !fieldOk || typeof r.body.message !== 'string') {
        problems.push(`${what} → ${r.status} ${JSON.stringify(r.body).slice(0, 160)} (want ${want} ${field ?? ''})`);
      }
    }
    expect(problems).toEqual([]);
    expect(await version()).toBe(v0);
  });

  it('issue 17.8: every route of the router refuses unauthenticated callers and malformed Authorization headers with 401', async () => {
    const valid = await api.token('dispatcher1');
    const [h, p, s] = valid.split('.');
    const forged = [h, p, `${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`].join('.');
    const authHeaders: Array<[string, Record<string, string>]> = [
      ['no Authorization', {}],
      ['Basic scheme', { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }],
      ['Bearer without token', { authorization: 'Bearer' }],
      ['Bearer with spaces only', { authorization: 'Bearer    ' }],
      ['garbage Bearer token', { authorization: 'Bearer garbage' }],
      ['three dots of garbage', { authorization: 'Bearer a.b.c' }],
      ['a forged signature', { authorization: `Bearer ${forged}` }],
      ['a token as the scheme', { authorization: valid }],
      ['a very long token', { authorization: `Bearer ${'x'.repeat(8000)}` }],
    ];
    const checked = routes.filter((r) => !PUBLIC.has(`${r.method} ${r.path}`));
    expect(checked.length).toBeGreaterThan(50);
    const problems: string[] = [];
    for (const r of checked) {
      const url = r.path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'id' ? ticketId : 'x'));
      for (const [what, headers] of authHeaders) {
        const res = await t.app.inject({
          method: r.method as InjectOptions['method'],
          url,
          headers: {
            ...headers,
            ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
          },
          ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: '{}' }),
        });
        const body = res.body ? (JSON.parse(res.body) as { message?: unknown }) : {};
        if (res.statusCode !== 401 || typeof body.message !== 'string') {
          problems.push(`${r.method} ${r.path} with ${what} → ${res.statusCode} ${res.body.slice(0, 100)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    // The public routes answer anonymous callers without a 5xx.
    for (const key of PUBLIC) {
      const [method, path] = key.split(' ');
      const res = await t.app.inject({
        method: method as InjectOptions['method'],
        url: path.replace(/\{(\w+)\}/g, 'x'),
        ...(method === 'POST' ? { payload: '{}', headers: { 'content-type': 'application/json' } } : {}),
      });
      expect([key, res.statusCode < 500]).toEqual([key, true]);
    }
  }, 120_000);
});
