// Attachments over HTTP (issue 6 item 5): multipart upload streamed to disk, type judged by
// content, size limit, listing and download with the ticket's visibility, against real PostgreSQL.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';

const MAX = 4096;
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF photo bytes '.repeat(20))]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);

function multipart(fileName: string, content: Buffer, contentType = 'image/jpeg') {
  const boundary = `----hotline${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
        `Content-Type: ${contentType}\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Every file left under the attachments folder (no stray .part files after a refusal). */
function storedFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(e.name);
    }
  };
  walk(dir);
  return out;
}

describe('attachments over HTTP', () => {
  let t: TestApp;
  let api: ApiClient;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hotline-attachments-'));
    t = await createTestApp({
      dbSuffix: 'attachments',
      env: { ATTACHMENTS_DIR: dir, ATTACHMENT_MAX_BYTES: String(MAX) },
    });
    api = new ApiClient(t.app);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function upload(userid: string, ticketId: string, fileName: string, content: Buffer, query = '') {
    const { payload, headers } = multipart(fileName, content);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/tickets/${ticketId}/attachments${query}`,
      payload,
      headers: { ...headers, authorization: `Bearer ${await api.token(userid)}` },
    });
    return { status: res.statusCode, body: res.json() };
  }

  async function download(userid: string, attachmentId: string) {
    return t.app.inject({
      method: 'GET',
      url: `/api/attachments/${attachmentId}`,
      headers: { authorization: `Bearer ${await api.token(userid)}` },
    });
  }

  async function dispatchedToBranch1() {
    const ticket = await api.createTicket('dispatcher1');
    await api.ok('dispatcher1', ticket.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    return ticket.id as string;
  }

  it('uploads a photo, lists it and downloads the same bytes with the type judged from the content', async () => {
    const id = await dispatchedToBranch1();
    const up = await upload('dispatcher1', id, '现场照片.jpg', JPEG);
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({
      ticketId: id,
      kind: 'ticket',
      assignmentId: null,
      fileName: '现场照片.jpg',
      contentType: 'image/jpeg',
      sizeBytes: JPEG.length,
      uploadedBy: { userid: 'dispatcher1', name: '王敏' },
      url: `/api/attachments/${up.body.id}`,
    });

    const list = await api.get('b1_receiver', `/api/tickets/${id}/attachments`);
    expect(list.status).toBe(200);
    expect(list.body.map((a: { id: string }) => a.id)).toEqual([up.body.id]);

    const res = await download('b1_receiver', up.body.id);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('现场照片.jpg')}`);
    expect(res.rawPayload.equals(JPEG)).toBe(true);
  });

  it('R-19: a receiver of another unit gets 404 on list, download and upload', async () => {
    const id = await dispatchedToBranch1();
    const up = await upload('dispatcher1', id, 'a.jpg', JPEG);
    expect(up.status).toBe(201);

    expect((await api.get('b2_receiver', `/api/tickets/${id}/attachments`)).status).toBe(404);
    expect((await download('b2_receiver', up.body.id)).statusCode).toBe(404);
    expect((await upload('b2_receiver', id, 'b.jpg', JPEG)).status).toBe(404);
    expect((await api.get('b1_receiver', `/api/tickets/${id}/attachments`)).body).toHaveLength(1);
  });

  it('a reply photo belongs to the unit’s assignment, only while the unit is handling it', async () => {
    const id = await dispatchedToBranch1();
    const ticket = await api.ok('b1_receiver', id, 'accept');
    const assignmentId = ticket.assignments[0].id as string;

    const mine = await upload('b1_receiver', id, 'reply.jpg', JPEG, `?assignment=${assignmentId}`);
    expect(mine.status).toBe(201);
    expect(mine.body).toMatchObject({ kind: 'reply', assignmentId });
    // the leader of another unit, and the dispatcher, may not add to branch 1's reply
    expect((await upload('dispatcher1', id, 'x.jpg', JPEG, `?assignment=${assignmentId}`)).status).toBe(403);

    await api.ok('b1_receiver', id, 'submit_reply', replyBody(t.clock.now()));
    await api.ok('b1_leader', id, 'approve_reply', {});
    expect((await upload('b1_receiver', id, 'late.jpg', JPEG, `?assignment=${assignmentId}`)).status).toBe(409);
    // a receiver with nothing to do on the ticket uploads nothing to it either
    expect((await upload('b1_receiver', id, 'late.jpg', JPEG)).status).toBe(403);
  });

  it('judges the type by content: a .jpg that is a PDF is kept as a PDF, one that is an EXE is refused', async () => {
    const id = await dispatchedToBranch1();
    const before = storedFiles(dir).length;

    const pdf = await upload('dispatcher1', id, 'scan.jpg', PDF);
    expect(pdf.status).toBe(201);
    expect(pdf.body.contentType).toBe('application/pdf');
    expect((await download('dispatcher1', pdf.body.id)).headers['content-type']).toBe('application/pdf');

    const exe = await upload('dispatcher1', id, 'photo.jpg', EXE);
    expect(exe.status).toBe(400);
    expect(exe.body).toMatchObject({ error: 'VALIDATION', field: 'file' });
    expect(exe.body.message).toMatch(/只能上传 JPEG、PNG、WebP、GIF 图片和 PDF 文件/);
    expect(storedFiles(dir)).toHaveLength(before + 1);
    expect((await api.get('dispatcher1', `/api/tickets/${id}/attachments`)).body).toHaveLength(1);
  });

  it('refuses a file over ATTACHMENT_MAX_BYTES and keeps nothing of it', async () => {
    const id = await dispatchedToBranch1();
    const before = storedFiles(dir).length;
    const big = Buffer.concat([JPEG, Buffer.alloc(MAX, 0x41)]);
    const res = await upload('dispatcher1', id, 'big.jpg', big);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/文件超过 .+ 的上限（ATTACHMENT_MAX_BYTES）/);
    expect(storedFiles(dir)).toHaveLength(before);

    const exact = Buffer.concat([JPEG, Buffer.alloc(MAX - JPEG.length, 0x41)]);
    expect((await upload('dispatcher1', id, 'exact.jpg', exact)).status).toBe(201);
  });

  it('answers 400, never 500, to a body that is not multipart or has no file', async () => {
    const id = await dispatchedToBranch1();
    const json = await api.post('dispatcher1', `/api/tickets/${id}/attachments`, { file: 'not a file' });
    expect(json.status).toBe(400);
    expect(json.body.message).toMatch(/请以 multipart\/form-data 上传文件/);

    const boundary = 'emptyboundary';
    const empty = await t.app.inject({
      method: 'POST',
      url: `/api/tickets/${id}/attachments`,
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--${boundary}--\r\n`,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        authorization: `Bearer ${await api.token('dispatcher1')}`,
      },
    });
    expect(empty.statusCode).toBe(400);

    const zero = await upload('dispatcher1', id, 'zero.jpg', Buffer.alloc(0));
    expect(zero.status).toBe(400);
    expect((await download('dispatcher1', 'not-a-uuid')).statusCode).toBe(404);
    expect((await download('dispatcher1', '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });
});
