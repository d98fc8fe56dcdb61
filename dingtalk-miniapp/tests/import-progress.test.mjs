// Issue 19 goal 3 in the browser: a long upstream import (5,000 rows) shows its progress under
// the buttons (upload, then rows checked and imported of the total) and a 取消 button; cancelling
// it stops the server's run and the request, and the page says nothing was imported. That the
// server writes nothing (its transaction rolled back) is test/import-progress.e2e-spec.ts's; here
// the ticket list is asked too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiAs, DESKTOP, MOBILE, shot, signInAs, startBrowser, withFailureShots } from './helpers.mjs';

const ROWS = 5_000;
const run = Date.now().toString(36);
let b;
let page;
before(async () => {
  b = await startBrowser();
  page = await b.newPage();
});
after(() => b?.stop());

function sheet() {
  const lines = ['上级工单号,事项类型,主题,内容,来电人,联系电话'];
  for (let i = 1; i <= ROWS; i++) {
    lines.push(`IP-${run}-${i},投诉,进度${run}第${i}件,车辆未按站停靠,市民${i},135${String(i).padStart(8, '0')}`);
  }
  return { name: 'long-batch.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${lines.join('\n')}`, 'utf8') };
}

test('issue 19: a long upstream import shows rows so far and can be cancelled; the page says nothing was imported', async () => {
  await withFailureShots(
    'import-progress',
    () => [page],
    async () => {
      await page.setViewportSize(MOBILE);
      await signInAs(page, b.base, 'dispatcher1', '#/upstream');
      const batch = page.locator('#intake-batch');
      await batch.getByLabel('事项来源').selectOption('mayor_hotline');
      await batch.getByLabel('事项文件').setInputFiles(sheet());
      await batch.getByRole('button', { name: '预览' }).click();
      const preview = batch.locator('[data-testid=batch-preview]');
      await preview.getByText(`${ROWS} 行均可导入`, { exact: false }).waitFor({ timeout: 120_000 });

      await preview.getByRole('button', { name: `确认导入 ${ROWS} 件` }).click();
      const status = batch.locator('[data-testid=import-progress]');
      await status.waitFor();
      // Rows so far of the total: checked first, then imported (the server writes every row in one transaction).
      await status.getByText(/已(检查|导入) [\d,]+ \/ 5,000 (行|件)/).waitFor({ timeout: 60_000 });
      const shown = await status.innerText();
      const [, done] = shown.match(/已(?:检查|导入) ([\d,]+) \//);
      assert.ok(Number(done.replaceAll(',', '')) < ROWS, `still running when cancelled (${shown})`);
      await shot(page, 'intake-import-progress', MOBILE);
      await shot(page, 'intake-import-progress', DESKTOP);
      await status.getByRole('button', { name: '取消' }).click();
      await batch.getByText('已取消，未导入任何数据。').waitFor({ timeout: 60_000 });
      await status.waitFor({ state: 'detached' });
      assert.equal(await batch.locator('[data-testid=batch-done]').count(), 0);

      // Nothing of the file was registered.
      const found = await apiAs('dispatcher1', 'GET', `/api/tickets?q=${encodeURIComponent(`进度${run}`)}`);
      assert.deepEqual(found.items, []);
      // The page asks for the run before the server has recorded it (a 404) and the browser logs it.
      assert.deepEqual(
        b.errors.filter((e) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(e)),
        [],
      );
    },
  );
});
