// Issue 9 through HTTP: routing suggestions and master-data import, the repeat panel and
// merge, and intake from upstream systems (signed, replay-safe, idempotent; Excel batches).
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import { CallerCipher, SecurityRepository } from '@hotline/db';
import { intakeSignature } from '@hotline/tickets';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';

function multipart(fileName: string, content: Buffer) {
  const boundary = `----intake${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function xlsx(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sheet1');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('intake desk (issue 9)', () => {
  let t: TestApp;
  let api: ApiClient;
  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'intake' });
    api = new ApiClient(t.app);
  });
  afterAll(() => t.close());

  async function upload(userid: string, url: string, fileName: string, content: Buffer) {
    const { payload, headers } = multipart(fileName, content);
    const res = await t.app.inject({
      method: 'POST',
      url,
      payload,
      headers: { ...headers, authorization: `Bearer ${await api.token(userid)}` },
    });
    return { status: res.statusCode, body: res.json() };
  }

  describe('routing (X-8)', () => {
    it('X-8: a route or a plate fills in the branch company; keyword rules suggest 票务科 and 安全技术科', async () => {
      const byRoute = await api.get('dispatcher1', '/api/intake/suggest?route=35路&category=complaint');
      expect(byRoute.body).toMatchObject({
        branch: { code: 'branch2', name: '第二分公司', from: 'route' },
        units: [{ code: 'branch2', role: 'sole' }],
      });
      const byPlate = await api.get(
        'dispatcher1',
        `/api/intake/suggest?vehiclePlate=${encodeURIComponent('京a 12345')}`,
      );
      expect(byPlate.body).toMatchObject({
        vehicle: { plate: '京A12345', fleetNumber: '1201' },
        route: { code: '12' },
        branch: { code: 'branch1', from: 'vehicle' },
      });
      const fare = await api.get(
        'dispatcher1',
        `/api/intake/suggest?route=12&category=complaint&text=${encodeURIComponent('刷卡扣费两次')}`,
      );
      expect(fare.body.units).toEqual([
        expect.objectContaining({ code: 'fare', name: '票务科', role: 'lead' }),
        expect.objectContaining({ code: 'branch1', role: 'co' }),
      ]);
      const safety = await api.get(
        'dispatcher1',
        `/api/intake/suggest?category=complaint&text=${encodeURIComponent('司机急刹车乘客摔倒受伤')}`,
      );
      expect(safety.body.units).toEqual([
        expect.objectContaining({ code: 'safety', name: '安全技术科', role: 'sole' }),
      ]);
      expect((await api.get('dispatcher1', '/api/intake/suggest?route=999')).body).toMatchObject({
        branch: null,
        units: [],
      });
    });

    it('X-8: the admin edits the category → unit rules; the dispatcher still picks the units', async () => {
      const r = await api.call('admin', 'PUT', '/api/admin/routing-rules', {
        rules: [
          { keywords: ['刷卡', '票价'], unit: 'fare' },
          { category: 'lost_item', unit: 'branch2', note: '失物由分公司办理' },
        ],
      });
      expect(r.status).toBe(200);
      const lost = await api.get('dispatcher1', '/api/intake/suggest?category=lost_item');
      expect(lost.body.units).toEqual([expect.objectContaining({ code: 'branch2', reason: '失物由分公司办理' })]);
      expect((await api.call('dispatcher1', 'PUT', '/api/admin/routing-rules', { rules: [] })).status).toBe(403);
      const bad = await api.call('admin', 'PUT', '/api/admin/routing-rules', { rules: [{ unit: 'nowhere' }] });
      expect(bad.status).toBe(400);
      // A suggestion is not a dispatch: the dispatcher sends the ticket wherever they decide.
      const ticket = await api.createTicket('dispatcher1', { route: '12' });
      const d = await api.ok('dispatcher1', ticket.id, 'dispatch', {
        assignments: [{ unit: 'branch2', role: 'sole' }],
      });
      expect(d.assignments[0].unit.code).toBe('branch2');
    });

    it('X-8: routes import from Excel and vehicles from CSV; one bad row and nothing is imported', async () => {
      const bad = await xlsx([
        ['线路编号', '线路名称', '所属分公司', '上行终点', '下行终点'],
        ['88', '88路', '第一分公司', '东站', '西站'],
        ['89', '89路', '第九分公司', '东站', '西站'],
        ['', '90路', 'branch2', '', ''],
      ]);
      const r1 = await upload('admin', '/api/transit/import/routes', 'routes.xlsx', bad);
      expect(r1.status).toBe(200);
      expect(r1.body).toMatchObject({ rows: 3, imported: 0 });
      expect(r1.body.errors).toEqual([
        { line: 3, field: 'branch', message: '未知单位“第九分公司”' },
        { line: 4, field: 'code', message: '缺少线路编号' },
      ]);
      expect((await api.get('dispatcher1', '/api/transit/routes?q=88')).body).toEqual([]);

      const good = await xlsx([
        ['线路编号', '线路名称', '所属分公司'],
        ['88路', '88路', '第一分公司'],
        ['89', '89路', 'branch2'],
      ]);
      const dry = await upload('admin', '/api/transit/import/routes?dryRun=true', 'routes.xlsx', good);
      expect(dry.body).toMatchObject({ rows: 2, imported: 0, dryRun: true, errors: [] });
      const r2 = await upload('admin', '/api/transit/import/routes', 'routes.xlsx', good);
      expect(r2.body).toMatchObject({ rows: 2, imported: 2, errors: [] });
      expect((await api.get('dispatcher1', '/api/transit/routes?q=88')).body).toEqual([
        expect.objectContaining({ code: '88', branchCode: 'branch1' }),
      ]);

      const csv = Buffer.from('\uFEFF车牌号,自编号,线路编号\r\n"京C 88888",8801,88\r\n京C89999,8901,77\r\n', 'utf8');
      const r3 = await upload('admin', '/api/transit/import/vehicles', 'vehicles.csv', csv);
      expect(r3.body).toMatchObject({ imported: 0 });
      expect(r3.body.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
        [3, 'route'],
        [3, 'branch'],
      ]);
      const r4 = await upload(
        'admin',
        '/api/transit/import/vehicles',
        'vehicles.csv',
        Buffer.from('车牌号,自编号,线路编号\n京C 88888,8801,88\n'),
      );
      expect(r4.body).toMatchObject({ imported: 1, errors: [] });
      const s = await api.get('dispatcher1', '/api/intake/suggest?vehiclePlate=京C88888');
      expect(s.body.branch).toEqual({ code: 'branch1', name: '第一分公司', from: 'vehicle' });
      expect((await upload('dispatcher1', '/api/transit/import/routes', 'r.csv', Buffer.from('a\n1'))).status).toBe(
        403,
      );
    });
  });

  describe('repeats and merge (X-6)', () => {
    it('X-6: the repeat panel matches the caller by the keyed phone hash and never shows the number', async () => {
      const first = await api.createTicket('dispatcher1', {
        caller: { name: '李四光', phone: '13900001111' },
        route: '35',
        vehiclePlate: '京B35035',
        stop: '高新区',
      });
      const other = await api.createTicket('dispatcher1', {
        caller: { name: '王五', phone: '13900002222' },
        route: '99',
        vehiclePlate: '京Z00000',
        stop: '无名站',
      });
      const r = await api.get('dispatcher2', '/api/intake/repeats?phone=%2B86%20139-0000-1111');
      expect(r.status).toBe(200);
      expect(r.body.matches.map((m: { id: string }) => m.id)).toEqual([first.id]);
      expect(r.body.matches[0]).toMatchObject({
        number: first.number,
        status: 'registered',
        matchedOn: ['phone'],
        caller: { name: '李**', phone: '139****1111', hidden: false },
        open: true,
      });
      const text = JSON.stringify(r.body);
      expect(text).not.toContain('13900001111');
      expect(text).not.toContain('李四光');
      expect(text).not.toContain(other.id);

      const byBus = await api.get('dispatcher1', `/api/intake/repeats?route=${encodeURIComponent('35路')}&days=7`);
      expect(byBus.body.matches[0]).toMatchObject({ id: first.id, matchedOn: ['route'] });
      const byPlate = await api.get(
        'dispatcher1',
        `/api/intake/repeats?vehiclePlate=${encodeURIComponent('京b35035')}`,
      );
      expect(byPlate.body.matches[0].matchedOn).toEqual(['vehicle']);

      // Outside the window: nothing.
      t.clock.advance(10 * 86_400_000);
      expect((await api.get('dispatcher1', '/api/intake/repeats?route=35&days=7')).body.matches).toEqual([]);
      // Receivers may not use the panel.
      expect((await api.get('b1_receiver', '/api/intake/repeats?phone=13900001111')).status).toBe(403);
      // The phone never reaches the database in clear (only ciphertext and the keyed hash).
      const c = new Client({ connectionString: t.databaseUrl });
      await c.connect();
      const { rows } = await c.query(`SELECT caller_phone, caller_phone_hash FROM tickets WHERE id = $1`, [first.id]);
      await c.end();
      expect(rows[0].caller_phone).not.toContain('13900001111');
    });

    it('X-6: merge keeps both callers; the open ticket answers its own caller and the merged one is answered too', async () => {
      const open = await api.createTicket('dispatcher1', { caller: { name: '赵六', phone: '13700000001' } });
      await api.ok('dispatcher1', open.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
      const repeat = await api.createTicket('dispatcher2', {
        caller: { name: '钱七', phone: '13700000002', address: '解放路8号' },
      });
      const panel = await api.get('dispatcher2', '/api/intake/repeats?vehiclePlate=京A12345&days=1');
      expect(panel.body.matches.map((m: { id: string }) => m.id)).toContain(open.id);

      expect((await api.act('dispatcher2', repeat.id, 'merge', { into: repeat.id })).status).toBe(400);
      expect((await api.act('ops_head', repeat.id, 'merge', { into: open.id })).status).toBe(403);
      const merged = await api.ok('dispatcher2', repeat.id, 'merge', { into: open.id, comment: '同一车辆同一事' });
      expect(merged.status).toBe('closed');
      expect(merged.actions).not.toEqual(expect.arrayContaining(['dispatch', 'merge', 'answer_directly']));
      expect(merged.timeline.at(-1)).toMatchObject({ action: 'merge', data: { into: open.id } });
      // Its call back and any at-fault decision belong to the open ticket, not to the merged one.
      const forOps = (await api.get('ops_head', `/api/tickets/${repeat.id}`)).body;
      expect(forOps.actions).not.toContain('record_visit');
      expect(forOps.actions).not.toContain('mark_responsible');
      const judged = await api.act('ops_head', repeat.id, 'mark_responsible', { atFault: false, basis: '并单' });
      expect(judged).toMatchObject({ status: 409, body: { message: expect.stringContaining('并单') } });
      const visits = await api.get('ops_head', '/api/follow-ups?all=true');
      expect(visits.body.items.map((x: { id: string }) => x.id)).not.toContain(repeat.id);
      // A closed (merged) ticket cannot be merged into.
      const third = await api.createTicket('dispatcher1');
      expect((await api.act('dispatcher1', third.id, 'merge', { into: repeat.id })).status).toBe(409);

      let target = (await api.get('dispatcher1', `/api/tickets/${open.id}`)).body;
      expect(target.timeline.at(-1)).toMatchObject({ action: 'merge', data: { mergedFromNumber: repeat.number } });
      expect(target.caller).toMatchObject({ name: '赵*', phone: '137****0001' });
      expect(target.callers).toEqual([
        expect.objectContaining({
          fromTicket: { id: repeat.id, number: repeat.number },
          name: '钱*',
          phone: '137****0002',
          answered: null,
        }),
      ]);
      expect(JSON.stringify(target)).not.toContain('13700000002');
      // The unit sees the merged caller masked too.
      const unitView = (await api.get('b1_receiver', `/api/tickets/${open.id}`)).body;
      expect(unitView.callers[0].phone).toBe('137****0002');

      // The unit replies (answering the ticket's own caller, R-13) and the ticket closes.
      await api.ok('b1_receiver', open.id, 'accept');
      await api.ok('b1_receiver', open.id, 'submit_reply', replyBody(t.clock.now()));
      await api.ok('b1_leader', open.id, 'approve_reply');
      await api.ok('dispatcher1', open.id, 'pass_review');
      const closed = await api.ok('ops_head', open.id, 'pass_review');
      expect(closed.status).toBe('closed');
      expect(closed.assignments[0].reply.callerContact.contacted).toBe(true);

      // The merged caller is on the follow-up list until told the result.
      const todo = await api.get('dispatcher1', '/api/intake/callers-to-answer');
      expect(todo.body).toEqual([
        expect.objectContaining({
          callerId: target.callers[0].id,
          ticket: expect.objectContaining({ id: open.id }),
          fromTicket: { id: repeat.id, number: repeat.number },
          caller: { name: '钱*', phone: '137****0002' },
        }),
      ]);
      expect(JSON.stringify(todo.body)).not.toContain('13700000002');
      const answered = await api.post(
        'dispatcher1',
        `/api/tickets/${open.id}/callers/${target.callers[0].id}/answered`,
        { method: 'phone', summary: '已电话告知处理结果' },
      );
      expect(answered.status).toBe(200);
      target = answered.body;
      expect(target.callers[0].answered).toMatchObject({ by: 'dispatcher1', method: 'phone' });
      expect((await api.get('dispatcher1', '/api/intake/callers-to-answer')).body).toEqual([]);
      const again = await api.post('dispatcher1', `/api/tickets/${open.id}/callers/${target.callers[0].id}/answered`, {
        method: 'phone',
        summary: 'x',
      });
      expect(again.status).toBe(404);
    });
  });

  describe('upstream intake', () => {
    let keyId: string;
    let secret: string;
    const matter = (ref: string) => ({
      ref,
      category: 'complaint',
      subject: '12345转办：35路车辆甩站',
      content: '市民反映35路在汽车南站未停车。',
      caller: { name: '孙八', phone: '13600000008' },
      upstreamDeadline: '2026-12-20T09:00:00Z',
      route: '35',
    });
    /** Issue 17.2: the key id travels, the secret only signs. */
    function signed(body: string, at = t.clock.now(), k = secret, path?: string, id = keyId) {
      const ts = String(Math.floor(at.getTime() / 1000));
      return {
        'x-intake-key-id': id,
        'x-intake-timestamp': ts,
        'x-intake-signature': intakeSignature(k, ts, path ?? body),
      };
    }
    async function send(body: string, headers: Record<string, string>) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/intake',
        payload: body,
        headers: { ...headers, 'content-type': 'application/json' },
      });
      return { status: res.statusCode, body: res.json() };
    }

    beforeAll(async () => {
      const r = await api.post('admin', '/api/admin/intake-clients', {
        code: 'hotline12345',
        name: '12345政务服务热线',
        source: 'mayor_hotline',
        initiator: 'dispatcher1',
      });
      expect(r.status).toBe(201);
      ({ keyId, secret } = r.body);
      expect(keyId).toMatch(/^ik_/);
      expect(secret).toMatch(/^hks_/);
      const listed = JSON.stringify((await api.get('admin', '/api/admin/intake-clients')).body);
      expect(listed).not.toContain(secret);
      expect(listed).toContain(keyId);
    });

    it('R-2: intake rejects a bad signature, an old timestamp and a replay; a retry with the same reference gets the first ticket', async () => {
      const body = JSON.stringify(matter('GD2026-0001'));
      expect((await send(body, {})).status).toBe(401);
      expect((await send(body, signed(body, t.clock.now(), 'hk_wrong'))).status).toBe(401);
      const tampered = signed(body);
      expect((await send(body.replace('35路', '36路'), tampered)).status).toBe(401);
      const old = signed(body, new Date(t.clock.now().getTime() - 6 * 60_000));
      expect((await send(body, old)).body).toMatchObject({ statusCode: 401, message: expect.stringMatching(/300 s/) });

      const h = signed(body);
      const first = await send(body, h);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        source: 'mayor_hotline',
        ref: 'GD2026-0001',
        ticket: { status: 'registered', number: expect.stringMatching(/^RX/) },
        result: null,
      });
      // The same signed request again is a replay.
      expect((await send(body, h)).status).toBe(409);
      // A retry (new timestamp and signature), same reference: the first ticket, not a second one.
      t.clock.advance(1000);
      const retry = await send(body, signed(body));
      expect(retry.status).toBe(200);
      expect(retry.body.ticket.number).toBe(first.body.ticket.number);
      const list = await api.get('dispatcher1', `/api/tickets?q=${encodeURIComponent('12345转办')}`);
      expect(list.body.items).toHaveLength(1);
      const ticket = (await api.get('dispatcher1', `/api/tickets/${list.body.items[0].id}`)).body;
      expect(ticket).toMatchObject({ chain: 'B', upstreamRef: 'GD2026-0001', source: { code: 'mayor_hotline' } });
      expect(ticket.caller.phone).toBe('136****0008');
    });

    /** The upstream read-back, signed like the system signs it. */
    async function readBack(ref: string) {
      const path = `/api/intake/mayor_hotline/${ref}`;
      t.clock.advance(1000);
      const res = await t.app.inject({ method: 'GET', url: path, headers: signed('', t.clock.now(), secret, path) });
      return { status: res.statusCode, body: res.json() };
    }

    it('R-2, R-14, issue 15.1: Art. 4, Art. 8: a direct answer is read back only once the ops and office review passed and it was reported upstream', async () => {
      const body = JSON.stringify({ ...matter('GD2026-0002'), category: 'consultation' });
      const created = await send(body, signed(body));
      expect(created.status).toBe(201);
      expect((await readBack('GD2026-0002')).body).toMatchObject({ ticket: { status: 'registered' }, result: null });
      const tid = (await api.get('dispatcher1', `/api/tickets?q=${created.body.ticket.number}`)).body.items[0]
        .id as string;
      const answered = await api.ok('dispatcher1', tid, 'answer_directly', { answer: '35路末班车22:00。' });
      expect(answered).toMatchObject({ status: 'in_review', step: 'initiator_review' });
      // Under review the upstream system gets no answer yet.
      expect((await readBack('GD2026-0002')).body).toMatchObject({ ticket: { status: 'in_review' }, result: null });
      await api.ok('dispatcher1', tid, 'pass_review', {});
      await api.ok('ops_head', tid, 'pass_review', {});
      await api.ok('office_reviewer', tid, 'pass_review', {});
      expect((await readBack('GD2026-0002')).body.result).toBeNull();
      await api.ok('dispatcher2', tid, 'report_upstream', {});
      expect((await readBack('GD2026-0002')).body).toMatchObject({
        ticket: { status: 'closed' },
        result: { answer: '35路末班车22:00。' },
      });
      expect((await readBack('NOPE')).status).toBe(404);
    });

    it('issue 15.2: R-9b: revoking releases the upstream reference, so the same reference registers a new ticket', async () => {
      const body = JSON.stringify(matter('GD2026-1502'));
      const first = await send(body, signed(body));
      expect(first.status).toBe(201);
      const firstId = (await api.get('dispatcher1', `/api/tickets?q=${first.body.ticket.number}`)).body.items[0]
        .id as string;
      const revoked = await api.ok('dispatcher1', firstId, 'revoke', { reason: '上级系统误派，已撤回' });
      expect(revoked.status).toBe('revoked');
      // Released: the read-back still shows the revoked ticket until the matter comes again.
      expect((await readBack('GD2026-1502')).body).toMatchObject({
        ticket: { number: first.body.ticket.number, status: 'revoked' },
        result: null,
      });
      t.clock.advance(1000);
      const again = await send(body, signed(body));
      expect(again.status).toBe(201);
      expect(again.body.ticket).toMatchObject({ status: 'registered' });
      expect(again.body.ticket.number).not.toBe(first.body.ticket.number);
      // A retry of the new submission gets the new ticket; the read-back follows it.
      t.clock.advance(1000);
      const retry = await send(body, signed(body));
      expect(retry.status).toBe(200);
      expect(retry.body.ticket.number).toBe(again.body.ticket.number);
      expect((await readBack('GD2026-1502')).body.ticket).toMatchObject({
        number: again.body.ticket.number,
        status: 'registered',
      });
      const db = new Client({ connectionString: t.databaseUrl });
      await db.connect();
      try {
        const { rows } = await db.query(
          `SELECT ticket_id, released_at IS NOT NULL AS released FROM intake_refs WHERE ref = 'GD2026-1502' ORDER BY created_at`,
        );
        expect(rows).toEqual([
          { ticket_id: firstId, released: true },
          { ticket_id: expect.any(String), released: false },
        ]);
      } finally {
        await db.end();
      }
    });

    it('R-2: an upstream Excel batch is previewed, and a file with a bad row imports nothing', async () => {
      const head = ['上级工单号', '事项类型', '主题', '内容', '来电人', '联系电话'];
      const bad = await xlsx([
        head,
        ['XL-1', '投诉', '车内空调不开', '35路车内空调不开', '周九', '13500000009'],
        ['XL-2', '表扬信', '好司机', '感谢', '吴十', '13500000010'],
        ['XL-3', '咨询', '', '末班车', '郑一', ''],
      ]);
      const r = await upload('dispatcher1', '/api/intake/import?source=transport_bureau&dryRun=true', 'b.xlsx', bad);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ rows: 3, imported: 0 });
      expect(r.body.preview[0]).toMatchObject({
        ref: 'XL-1',
        category: 'complaint',
        caller: { name: '周*', phone: '135****0009' },
      });
      expect(r.body.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
        [3, 'category'],
        [4, 'subject'],
        [4, 'callerPhone'],
      ]);
      const committed = await upload('dispatcher1', '/api/intake/import?source=transport_bureau', 'b.xlsx', bad);
      expect(committed.body.imported).toBe(0);
      expect((await api.get('dispatcher1', '/api/tickets?source=transport_bureau')).body.items).toEqual([]);

      const good = await xlsx([head, ['XL-1', '投诉', '车内空调不开', '35路车内空调不开', '周九', '13500000009']]);
      const ok = await upload('dispatcher1', '/api/intake/import?source=transport_bureau', 'b.xlsx', good);
      expect(ok.body).toMatchObject({ imported: 1, errors: [], tickets: [{ ref: 'XL-1' }] });
      const twice = await upload('dispatcher1', '/api/intake/import?source=transport_bureau', 'b.xlsx', good);
      expect(twice.body.errors).toEqual([{ line: 2, field: 'ref', message: '工单号 XL-1 已导入过' }]);
      expect((await upload('b1_receiver', '/api/intake/import?source=transport_bureau', 'b.xlsx', good)).status).toBe(
        403,
      );
    });

    it('issue 15.2: R-9b: a revoked ticket imported from a sheet releases its reference; the row imports again', async () => {
      const sheet = await xlsx([
        ['上级工单号', '事项类型', '主题', '内容', '来电人', '联系电话'],
        ['XL-1502', '投诉', '站台广告牌松动', '人民广场站广告牌松动', '冯二', '13500001502'],
      ]);
      const url = '/api/intake/import?source=transport_bureau';
      const first = await upload('dispatcher1', url, 'r.xlsx', sheet);
      expect(first.body).toMatchObject({ imported: 1, errors: [] });
      expect((await upload('dispatcher1', url, 'r.xlsx', sheet)).body.errors).toEqual([
        { line: 2, field: 'ref', message: '工单号 XL-1502 已导入过' },
      ]);
      await api.ok('dispatcher1', first.body.tickets[0].id, 'revoke', { reason: '转办单位有误' });
      const again = await upload('dispatcher1', url, 'r.xlsx', sheet);
      expect(again.body).toMatchObject({ imported: 1, errors: [] });
      expect(again.body.tickets[0].id).not.toBe(first.body.tickets[0].id);
    });

    it('issue 17.2: a key-id request is accepted; the secret is stored only encrypted (rotated with the caller-data keys) and never travels', async () => {
      const body = JSON.stringify(matter('GD2026-1701'));
      const h = signed(body);
      expect(Object.values(h).join(' ')).not.toContain(secret);
      const res = await send(body, h);
      expect(res.status).toBe(201);
      const db = new Client({ connectionString: t.databaseUrl });
      await db.connect();
      try {
        const { rows } = await db.query(`SELECT key_id, secret_enc, key_hash FROM intake_clients WHERE code = $1`, [
          'hotline12345',
        ]);
        expect(rows[0]).toMatchObject({ key_id: keyId, key_hash: null, secret_enc: expect.stringMatching(/^enc:v1:/) });
        expect(rows[0].secret_enc).not.toContain(secret.slice(4));
        // Key rotation covers the secret: stored under the old key t1, re-encrypted under t2, still signing.
        const oldKey = new CallerCipher({
          keys: new Map([['t1', Buffer.alloc(32, 1)]]),
          current: 't1',
          hashKey: Buffer.alloc(32, 9),
        });
        await db.query(`UPDATE intake_clients SET secret_enc = $2 WHERE code = $1`, [
          'hotline12345',
          oldKey.encrypt(secret),
        ]);
        expect(await t.app.get(SecurityRepository).reencryptCallerData()).toBe(1);
        const after = await db.query(`SELECT secret_enc FROM intake_clients WHERE code = $1`, ['hotline12345']);
        expect(after.rows[0].secret_enc).toMatch(/^enc:v1:t2:/);
      } finally {
        await db.end();
      }
      t.clock.advance(1000);
      const again = JSON.stringify(matter('GD2026-1701b'));
      expect((await send(again, signed(again))).status).toBe(201);
      const clients = (await api.get('admin', '/api/admin/intake-clients')).body;
      expect(clients.find((c: { code: string }) => c.code === 'hotline12345')).toMatchObject({ keyId, warning: null });
    });

    it('issue 17.2: a wrong signature, an unknown key id or a missing header is refused 401 naming the header', async () => {
      const body = JSON.stringify(matter('GD2026-1702'));
      expect((await send(body, signed(body, t.clock.now(), 'hks_not-the-secret'))).body).toMatchObject({
        statusCode: 401,
        field: 'X-Intake-Signature',
        message: expect.stringContaining('X-Intake-Signature'),
      });
      expect((await send(body, signed(body, t.clock.now(), secret, undefined, 'ik_unknown-id'))).body).toMatchObject({
        statusCode: 401,
        field: 'X-Intake-Key-Id',
      });
      const { 'x-intake-key-id': _id, ...noId } = signed(body);
      expect((await send(body, noId)).body).toMatchObject({ statusCode: 401, field: 'X-Intake-Key-Id' });
      // Sending the secret as a legacy key does not work for a key with an id: it never travels.
      const ts = String(Math.floor(t.clock.now().getTime() / 1000));
      const asLegacy = {
        'x-intake-key': secret,
        'x-intake-timestamp': ts,
        'x-intake-signature': intakeSignature(secret, ts, body),
      };
      expect((await send(body, asLegacy)).body).toMatchObject({ statusCode: 401, field: 'X-Intake-Key' });
    });

    it('issue 17.2: a legacy key (secret in X-Intake-Key) works inside its window with a warning, and is refused after it', async () => {
      // A system keyed before 17.2, as the migration leaves it: only the key's SHA-256, 90 days left.
      const legacyKey = 'hk_legacy-key-issued-before-17-2-000000';
      const db = new Client({ connectionString: t.databaseUrl });
      await db.connect();
      const until = new Date(t.clock.now().getTime() + 90 * 24 * 3600_000);
      try {
        await db.query(
          `INSERT INTO intake_clients (code, name, source_code, initiator, key_hash, key_hint, active, created_at, legacy_until)
           VALUES ('old_bureau', '交通局旧接口', 'transport_bureau', 'dispatcher1', encode(sha256($1::bytea), 'hex'), '0000', true, $2, $3)`,
          [legacyKey, t.clock.now(), until],
        );
      } finally {
        await db.end();
      }
      // A fresh sign-in each time: the clock moves past the sessions' lifetime below.
      const warningOf = async () =>
        (await new ApiClient(t.app).get('admin', '/api/admin/intake-clients')).body.find(
          (c: { code: string }) => c.code === 'old_bureau',
        );
      expect(await warningOf()).toMatchObject({ keyId: null, legacyUses: 0 });
      const legacy = (body: string) => {
        const ts = String(Math.floor(t.clock.now().getTime() / 1000));
        return {
          'x-intake-key': legacyKey,
          'x-intake-timestamp': ts,
          'x-intake-signature': intakeSignature(legacyKey, ts, body),
        };
      };
      const body = JSON.stringify(matter('OLD-0001'));
      const ok = await send(body, legacy(body));
      expect(ok.status).toBe(201);
      expect(ok.body.source).toBe('transport_bureau');
      expect(await warningOf()).toMatchObject({
        legacyUses: 1,
        legacyLastUsedAt: t.clock.now().toISOString(),
        warning: 'this key still sends its secret; switch to key id',
      });
      // After the transition window: refused, naming the header and what to do.
      t.clock.set(new Date(until.getTime() + 1000));
      const late = JSON.stringify(matter('OLD-0002'));
      expect((await send(late, legacy(late))).body).toMatchObject({
        statusCode: 401,
        field: 'X-Intake-Key',
        message: expect.stringContaining('X-Intake-Key-Id'),
      });
      expect((await warningOf()).legacyUses).toBe(1);
      expect((await warningOf()).warning).toMatch(/no longer accepted/);
      // Re-keying gives the system a key id and ends the legacy form.
      const rekeyed = await new ApiClient(t.app).post('admin', '/api/admin/intake-clients', {
        code: 'old_bureau',
        name: '交通局旧接口',
        source: 'transport_bureau',
        initiator: 'dispatcher1',
      });
      expect(rekeyed.body.client).toMatchObject({ keyId: rekeyed.body.keyId, legacyUntil: null, warning: null });
      const fresh = JSON.stringify(matter('OLD-0003'));
      expect(
        (await send(fresh, signed(fresh, t.clock.now(), rekeyed.body.secret, undefined, rekeyed.body.keyId))).status,
      ).toBe(201);
    });
  });
});
