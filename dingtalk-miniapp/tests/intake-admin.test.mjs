// The intake desk's back-office screens (issue 9) in a real browser against the running product:
// 办事指南 written, rewritten, found and withdrawn (X-7); transit master data imported all-or-none
// with the per-row report, and the routing rules (X-8); an upstream key shown once and the Excel
// batch with its preview; a merged caller told the result (X-6). Screenshots at 375×812 and
// 1280×800 go to docs/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { apiAs, DESKTOP, MOBILE, shot as pageShot, signInAs, startBrowser, withFailureShots } from './helpers.mjs';

let b;
let page;
before(async () => {
  b = await startBrowser();
  page = await b.newPage();
});
after(() => b?.stop());

/** Console errors other than the browser's own line for a 4xx this test provokes on purpose. */
const unexpectedErrors = () =>
  b.errors.filter((e) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(e));

/** A screenshot once the last toast has gone (it would cover the page). */
async function shot(p, name, viewport) {
  await p.locator('.adm-toast-mask').waitFor({ state: 'detached', timeout: 5000 });
  await pageShot(p, name, viewport);
}

const csv = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${text}`, 'utf8') });
const run = Date.now().toString(36);

test('X-7: an article written on the knowledge-base page is found by search, rewritten and withdrawn', async () => {
  await withFailureShots(
    'intake-admin-kb',
    () => [page],
    async () => {
      await signInAs(page, b.base, 'dispatcher1', '#/me');
      await page.locator('.adm-list-item', { hasText: '办事指南' }).click();
      await page.waitForURL(/#\/kb$/);
      await page.getByRole('button', { name: '新建' }).click();
      const editor = page.locator('.kb-editor');
      await editor.getByPlaceholder('如：老年卡办理与免费乘车').fill('携带宠物乘车规定');
      await editor
        .getByPlaceholder('可以直接读给来电人听的答复')
        .fill('乘客可携带装入宠物笼、不超过20公斤的小型宠物乘车，导盲犬不受此限。高峰时段请避开。');
      await editor.getByText('咨询', { exact: true }).click();
      await editor.getByPlaceholder('如：老年卡、免费').fill('宠物、猫狗');
      await editor.getByPlaceholder('如：12、K1').fill('12路、K1');
      await editor.locator('input[aria-label="生效日期"]').fill('2026-12-31');
      await editor.locator('input[aria-label="失效日期"]').fill('2026-01-01');
      await editor.locator('input[aria-label="审核日期"]').fill('2026-11-20');
      await editor.getByRole('button', { name: '发布' }).click();
      // The server refuses the dates and its message appears under the field it names.
      const untilItem = editor.locator('.adm-form-item', { has: page.locator('input[aria-label="失效日期"]') });
      await untilItem.getByText('失效日期早于生效日期。', { exact: true }).waitFor();
      await untilItem.scrollIntoViewIfNeeded();
      await shot(page, 'intake-kb-editor', MOBILE);
      await editor.locator('input[aria-label="生效日期"]').fill('2026-01-01');
      await editor.locator('input[aria-label="失效日期"]').fill('2027-12-31');
      await editor.getByRole('button', { name: '发布' }).click();
      await editor.waitFor({ state: 'detached' });
      const item = page.locator('.kb-item', { hasText: '携带宠物乘车规定' });
      await item.waitFor();
      const meta = await item.innerText();
      assert.match(meta, /2026-01-01 至 2027-12-31/);
      assert.match(meta, /审核：2026-11-20/);
      assert.match(meta, /使用 0 次/);
      assert.match(meta, /12路/);
      assert.match(meta, /宠物/);

      // Rewrite it.
      await item.getByRole('button', { name: '编辑' }).click();
      await editor.getByPlaceholder('如：老年卡办理与免费乘车').fill('携带宠物乘坐公交规定');
      await editor.getByRole('button', { name: '保存' }).click();
      await editor.waitFor({ state: 'detached' });
      await page.locator('.kb-item', { hasText: '携带宠物乘坐公交规定' }).waitFor();
      const stored = (await apiAs('dispatcher1', 'GET', '/api/kb/articles?q=宠物')).items.find(
        (a) => a.title === '携带宠物乘坐公交规定',
      );
      assert.ok(stored, 'the rewrite reached the server');
      assert.deepEqual(stored.routes, ['12', 'K1']);

      // Found by search, the way a caller asks.
      await page.goto(`${b.base}/#/kb`);
      await page.getByPlaceholder('搜索办事指南，如：老年卡、末班车').fill('我家小狗能不能带上公交车');
      await page.getByRole('button', { name: '搜索', exact: true }).click();
      await page.getByText(/找到 \d+ 篇/).waitFor();
      const found = page.locator('.kb-item', { hasText: '携带宠物乘坐公交规定' });
      await found.waitFor();
      await shot(page, 'intake-kb', MOBILE);
      await shot(page, 'intake-kb', DESKTOP);
      await page.setViewportSize(MOBILE);

      // Withdrawn with a confirm: it leaves the list (the API keeps it, with its use count).
      await found.getByRole('button', { name: '删除' }).click();
      await page.locator('.adm-dialog').getByRole('button', { name: '撤下' }).click();
      await found.waitFor({ state: 'detached' });
      const withdrawn = await apiAs('dispatcher1', 'GET', `/api/kb/articles/${stored.id}`);
      assert.equal(withdrawn.active, false);

      // A unit's receiver reads but cannot edit.
      const reader = await b.newPage();
      await signInAs(reader, b.base, 'b1_receiver', '#/kb');
      await reader.locator('.kb-toolbar').waitFor();
      await reader.getByText(/共 \d+ 篇|已显示 \d+ 篇|还没有文章/).waitFor();
      assert.equal(await reader.getByRole('button', { name: '新建' }).count(), 0);
      assert.equal(await reader.getByRole('button', { name: '编辑' }).count(), 0);
      await reader.context().close();
      assert.deepEqual(unexpectedErrors(), []);
    },
  );
});

test('X-7: the article list comes 20 at a time; 加载更多 brings the next page without repeats', async () => {
  await withFailureShots(
    'intake-kb-paging',
    () => [page],
    async () => {
      // At least 25 live articles (the demo seeds some; the rest are written here).
      const first = await apiAs('dispatcher1', 'GET', '/api/kb/articles?limit=100');
      for (let i = first.items.length; i < 25; i++) {
        await apiAs('dispatcher1', 'POST', '/api/kb/articles', {
          title: `分页测试条目 ${run}-${i}`,
          body: '分页测试。',
        });
      }
      await signInAs(page, b.base, 'dispatcher1', '#/kb');
      const items = page.locator('.kb-list .kb-item');
      await page.getByText(/已显示 20 篇/).waitFor();
      assert.equal(await items.count(), 20);
      await page.getByRole('button', { name: '加载更多' }).click();
      await page.waitForFunction(() => document.querySelectorAll('.kb-list .kb-item').length > 20);
      const titles = await items.locator('.kb-title').allInnerTexts();
      assert.equal(new Set(titles).size, titles.length, 'no article twice');
      assert.ok(titles.length >= 25);
      assert.deepEqual(unexpectedErrors(), []);
    },
  );
});

test('X-8: a routes file with one bad row imports nothing and names the row; a good file is listed', async () => {
  await withFailureShots(
    'intake-admin-transit',
    () => [page],
    async () => {
      await signInAs(page, b.base, 'admin', '#/me');
      await page.locator('.adm-list-item', { hasText: '线路与车辆' }).click();
      await page.waitForURL(/#\/transit$/);
      await page.locator('.adm-tabs-tab', { hasText: '线路' }).first().click();
      const importer = page.locator('#transit-import-routes');
      await importer
        .getByLabel('线路文件')
        .setInputFiles(
          csv(
            'routes-bad.csv',
            '线路编号,线路名称,所属分公司,上行终点,下行终点\nT901,T901路,第一分公司,北站,南站\nT902,T902路,不存在的公司,东站,西站\n',
          ),
        );
      await importer.getByRole('button', { name: '导入', exact: true }).click();
      const report = importer.locator('[data-testid=import-report]');
      await report.getByText('未导入任何数据', { exact: false }).waitFor();
      const reportText = await report.innerText();
      assert.match(reportText, /第 3 行/);
      assert.match(reportText, /所属分公司/);
      assert.match(reportText, /未知单位“不存在的公司”/);
      assert.doesNotMatch(reportText, /第 2 行/);
      assert.deepEqual(await apiAs('admin', 'GET', '/api/transit/routes?q=T90'), []);
      await shot(page, 'intake-transit-import-refused', MOBILE);

      await importer
        .getByLabel('线路文件')
        .setInputFiles(
          csv(
            'routes-good.csv',
            '线路编号,线路名称,所属分公司,上行终点,下行终点\nT901,T901路,第一分公司,北站,南站\nT902,T902路,第二分公司,东站,西站\n',
          ),
        );
      await importer.getByRole('button', { name: '导入', exact: true }).click();
      await report.getByText('已导入 2 行线路').waitFor();
      const lookup = page.locator('#transit-routes');
      await lookup.getByPlaceholder('线路编号，如 12、K1').fill('T90');
      await lookup.getByRole('button', { name: '查找' }).click();
      const table = lookup.locator('[data-testid=transit-routes-table]');
      await table.getByText('T902路').waitFor();
      // The list reloaded after the import (every route) may still be showing: wait for the search's answer.
      await table.locator('tbody tr').nth(2).waitFor({ state: 'detached' });
      const rows = await table.locator('tbody tr').allInnerTexts();
      assert.equal(rows.length, 2);
      assert.match(rows.join('\n'), /T901[\s\S]*第一分公司[\s\S]*北站 — 南站/);
      assert.match(rows.join('\n'), /T902[\s\S]*第二分公司/);
      await shot(page, 'intake-transit', MOBILE);
      await shot(page, 'intake-transit', DESKTOP);
      await page.setViewportSize(MOBILE);

      // The routing rules as an editable table: a rule without a unit is refused on its row.
      await page.locator('.adm-tabs-tab', { hasText: '分派规则' }).click();
      const rules = page.locator('#routing-rules');
      await rules.locator('[data-testid=rules-table]').waitFor();
      const before = await apiAs('admin', 'GET', '/api/admin/routing-rules');
      assert.equal(await rules.locator('tbody tr').count(), before.length);
      assert.equal(await rules.getByLabel('第 1 条 单位').inputValue(), before[0].unitCode);
      await rules.getByRole('button', { name: '添加规则' }).click();
      const n = before.length + 1;
      await rules.getByLabel(`第 ${n} 条 关键词`).fill('失物、丢了');
      await rules.getByRole('button', { name: '保存规则' }).click();
      await rules.getByText(`第 ${n} 条：`, { exact: false }).waitFor();
      assert.equal(await rules.locator('td.cell-bad').count(), 1);
      await rules.getByLabel(`第 ${n} 条 事项类型`).selectOption('lost_item');
      await rules.getByLabel(`第 ${n} 条 单位`).selectOption({ label: '第一分公司' });
      await rules.getByRole('button', { name: '保存规则' }).click();
      await page.getByText('分派规则已保存').waitFor();
      const after = await apiAs('admin', 'GET', '/api/admin/routing-rules');
      assert.equal(after.length, n);
      const added = after.at(-1);
      assert.equal(added.categoryCode, 'lost_item');
      assert.deepEqual(added.keywords, ['失物', '丢了']);
      assert.equal(added.unitCode, 'branch1');
      assert.equal(added.role, 'sole');
      await shot(page, 'intake-routing-rules', DESKTOP);
      await page.setViewportSize(MOBILE);
      assert.deepEqual(unexpectedErrors(), []);
    },
  );
});

test('X-8: stops import from CSV and vehicles from an Excel sheet; a vehicle fills in its route’s branch', async () => {
  await withFailureShots(
    'intake-admin-transit-xlsx',
    () => [page],
    async () => {
      await signInAs(page, b.base, 'admin', '#/transit');
      // Stops of T901 (imported by the previous test), from CSV.
      await page.locator('.adm-tabs-tab', { hasText: '站点' }).click();
      const stops = page.locator('#transit-import-stops');
      await stops
        .getByLabel('站点文件')
        .setInputFiles(
          csv('stops.csv', '线路编号,方向,序号,站名\nT901,上行,1,北站\nT901,上行,2,中山路口\nT901,上行,3,南站\n'),
        );
      await stops.getByRole('button', { name: '导入', exact: true }).click();
      await stops.getByText('已导入 3 行站点').waitFor();
      const found = await apiAs('admin', 'GET', `/api/transit/stops?q=${encodeURIComponent('中山路口')}`);
      assert.ok(
        found.some((x) => x.routeCode === 'T901' || x.route === 'T901'),
        JSON.stringify(found),
      );

      // Vehicles from a real .xlsx; the second row leaves the branch to be taken from the route.
      await page.locator('.adm-tabs-tab', { hasText: '车辆' }).click();
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('车辆');
      sheet.addRow(['车牌号', '自编号', '线路编号', '所属分公司']);
      sheet.addRow([`京B${run.slice(-5).toUpperCase()}`, 'F-1001', 'T901', '第一分公司']);
      sheet.addRow([`京C${run.slice(-5).toUpperCase()}`, 'F-1002', 'T902', '']);
      const buffer = Buffer.from(await book.xlsx.writeBuffer());
      const vehicles = page.locator('#transit-import-vehicles');
      await vehicles.getByLabel('车辆文件').setInputFiles({
        name: 'vehicles.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer,
      });
      await vehicles.getByRole('button', { name: '导入', exact: true }).click();
      await vehicles.getByText('已导入 2 行车辆').waitFor();
      const second = await apiAs(
        'admin',
        'GET',
        `/api/transit/vehicles?q=${encodeURIComponent(`京C${run.slice(-5).toUpperCase()}`)}`,
      );
      assert.equal(second.length, 1, JSON.stringify(second));
      assert.match(JSON.stringify(second[0]), /branch2|第二分公司/);
      assert.deepEqual(unexpectedErrors(), []);
    },
  );
});

test('R-2, issue 17.2: upstream intake keys (a key id and a secret shown once) come with a warning; a revoked key is marked; a batch is previewed, then imported', async () => {
  await withFailureShots(
    'intake-admin-upstream',
    () => [page],
    async () => {
      await signInAs(page, b.base, 'admin', '#/me');
      await page.locator('.adm-list-item', { hasText: '上级系统接入' }).click();
      await page.waitForURL(/#\/upstream$/);
      const panel = page.locator('#intake-clients');
      const code = `city_${run}`.replace(/[^a-z0-9_]/g, '').slice(0, 40);
      await panel.locator('input[aria-label="系统代码"]').fill('City 12345');
      await panel.locator('input[aria-label="名称"]').fill('市12345热线平台');
      await panel.getByLabel('来源').selectOption('mayor_hotline');
      await panel.locator('input[aria-label="发起人"]').fill('dispatcher1');
      await panel.getByRole('button', { name: '生成密钥' }).click();
      // The server's reason appears under the code box.
      await panel.getByText('代码须以小写字母开头', { exact: false }).waitFor();
      await panel.locator('input[aria-label="系统代码"]').fill(code);
      await panel.getByRole('button', { name: '生成密钥' }).click();
      const issued = panel.locator('[data-testid=issued-key]');
      await issued.waitFor();
      const key = (await issued.locator('.key-text').innerText()).trim();
      assert.match(key, /^hks_[\w-]{40,}$/);
      const keyId = (await issued.locator('.key-id-text').innerText()).trim();
      assert.match(keyId, /^ik_[\w-]{8,}$/);
      const issuedText = await issued.innerText();
      assert.match(issuedText, /只显示这一次/);
      assert.match(issuedText, /不会再显示/);
      assert.match(issuedText, /X-Intake-Key-Id/);
      await shot(page, 'intake-upstream-key', MOBILE);
      await shot(page, 'intake-upstream-key', DESKTOP);
      await page.setViewportSize(MOBILE);
      await issued.getByRole('button', { name: '我已保存，关闭' }).click();
      await issued.waitFor({ state: 'detached' });
      await page.reload();
      const row = panel.locator('.client-row', { hasText: code });
      await row.waitFor();
      const rowText = await row.innerText();
      assert.match(rowText, new RegExp(`…${key.slice(-4)}`));
      assert.ok(rowText.includes(keyId), 'the key id stays visible (it is no secret)');
      assert.ok(!(await page.content()).includes(key), 'the secret is never shown again');
      assert.equal(await row.locator('[data-testid=legacy-key-warning]').count(), 0);

      await row.getByRole('button', { name: '停用' }).click();
      await page.locator('.adm-dialog').getByRole('button', { name: '停用' }).click();
      await row.getByText('已停用').waitFor();
      const clients = await apiAs('admin', 'GET', '/api/admin/intake-clients');
      assert.equal(clients.find((c) => c.code === code).active, false);

      // A dispatcher previews a batch (one bad row: nothing can be imported), then a good one.
      await signInAs(page, b.base, 'dispatcher1', '#/upstream');
      const batch = page.locator('#intake-batch');
      await batch.getByLabel('事项来源').selectOption('mayor_hotline');
      const head = '上级工单号,事项类型,主题,内容,来电人,联系电话,线路\n';
      const good1 = `SZ-${run}-1,投诉,12路到站不停,来电人反映12路在人民广场站未停靠,周先生,13811112222,12\n`;
      await batch
        .getByLabel('事项文件')
        .setInputFiles(csv('batch-bad.csv', `${head}${good1}SZ-${run}-2,不存在的类型,主题,内容,吴女士,,35\n`));
      await batch.getByRole('button', { name: '预览' }).click();
      const preview = batch.locator('[data-testid=batch-preview]');
      await preview.getByText('不能导入', { exact: false }).waitFor();
      const previewText = await preview.innerText();
      assert.match(previewText, /未知事项类型“不存在的类型”/);
      assert.match(previewText, /联系电话：缺少联系电话/);
      assert.match(previewText, /周\*\* 138\*\*\*\*2222|周\* 138\*\*\*\*2222/);
      assert.ok(!previewText.includes('13811112222'), 'the preview masks the caller');
      assert.ok(await preview.getByRole('button', { name: /确认导入/ }).isDisabled());
      await shot(page, 'intake-batch-preview', MOBILE);

      await batch
        .getByLabel('事项文件')
        .setInputFiles(
          csv('batch-good.csv', `${head}${good1}SZ-${run}-2,咨询,35路末班车,问35路末班车时间,吴女士,13933334444,35\n`),
        );
      await batch.getByRole('button', { name: '预览' }).click();
      await preview.getByText('2 行均可导入', { exact: false }).waitFor();
      await preview.getByRole('button', { name: '确认导入 2 件' }).click();
      const done = batch.locator('[data-testid=batch-done]');
      await done.getByText('已导入 2 件', { exact: false }).waitFor();
      assert.equal(await done.locator('li a').count(), 2);
      assert.deepEqual(unexpectedErrors(), []);
    },
  );
});

test('X-6: a merged caller is told the result from the callers-to-answer list, then shows as answered on the ticket', async () => {
  await withFailureShots(
    'intake-admin-callers',
    () => [page],
    async () => {
      const phone = '13977770' + String(Date.now() % 1000).padStart(3, '0');
      // Two calls from the same phone; the second is merged (并单) into the first, which is then answered.
      const open = await apiAs('dispatcher1', 'POST', '/api/tickets', {
        source: 'group_hotline',
        channel: 'phone',
        category: 'consultation',
        subject: `月票办理地点 ${run}`,
        content: '来电人询问学生月票在哪里办理。',
        caller: { name: '郑先生', phone },
      });
      const repeat = await apiAs('dispatcher2', 'POST', '/api/tickets', {
        source: 'group_hotline',
        channel: 'phone',
        category: 'consultation',
        subject: '学生月票在哪办',
        content: '同一来电人再次询问学生月票办理地点。',
        caller: { name: '郑太太', phone },
      });
      await apiAs('dispatcher2', 'POST', `/api/tickets/${repeat.id}/actions/merge`, { into: open.id });
      await apiAs('dispatcher1', 'POST', `/api/tickets/${open.id}/actions/answer_directly`, {
        answer: '学生月票在各分公司营业厅办理，需携带学生证。',
      });

      await signInAs(page, b.base, 'ops_head', '#/me');
      await page.locator('.adm-list-item', { hasText: '待告知来电人' }).click();
      await page.waitForURL(/#\/callers$/);
      const row = page.locator('.caller-row', { hasText: open.number });
      await row.waitFor();
      const rowText = await row.innerText();
      assert.match(rowText, new RegExp(`月票办理地点 ${run}`));
      assert.match(rowText, new RegExp(`139\\*\\*\\*\\*${phone.slice(-4)}`));
      assert.match(rowText, /郑\*/);
      assert.match(rowText, new RegExp(repeat.number));
      assert.ok(!rowText.includes(phone), 'the list never shows the number');
      await shot(page, 'intake-callers', MOBILE);
      await shot(page, 'intake-callers', DESKTOP);
      await page.setViewportSize(MOBILE);

      await row.getByRole('button', { name: '已告知' }).click();
      const popup = page.locator('.answer-caller-popup .adm-popup-body');
      await popup.getByText('短信', { exact: true }).click();
      await popup.getByPlaceholder('告知的处理结果；来电人的意见').fill('已短信告知学生月票办理地点和所需证件。');
      await popup.getByRole('button', { name: '登记已告知' }).click();
      await row.waitFor({ state: 'detached' });
      const todo = await apiAs('ops_head', 'GET', '/api/intake/callers-to-answer');
      assert.ok(!todo.some((c) => c.ticket.id === open.id));

      // The ticket lists its other caller, answered.
      await page.goto(`${b.base}/#/ticket/${open.id}`);
      const callers = page.locator('.ticket-callers');
      await callers.getByText('已告知', { exact: true }).waitFor();
      const callersText = await callers.innerText();
      assert.match(callersText, new RegExp(repeat.number));
      assert.match(callersText, /短信告知/);
      assert.ok(!callersText.includes(phone));
      await page.setViewportSize(MOBILE);
      await callers.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await shot(page, 'intake-ticket-callers', MOBILE);
      assert.deepEqual(unexpectedErrors(), []);
    },
  );
});
