// Issue 19 goal 3 in the browser: a ledger export that takes a while shows rows so far of its
// total and a cancel button; cancelling stops the download and says so. The network is slowed
// (DevTools' throttling) so the demo ledger's small file takes long enough to watch. That the
// server stops reading the database on a hang-up is test/ledger-export.e2e-spec.ts's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiAs, MOBILE, shot, signInAs, startBrowser, withFailureShots } from './helpers.mjs';

let b;
let page;
before(async () => {
  b = await startBrowser();
  page = await b.newPage();
});
after(() => b?.stop());

test('issue 19: a slow ledger export shows its progress (rows of the total) and can be cancelled', async () => {
  for (let i = 0; i < 20; i++) {
    await apiAs('dispatcher1', 'POST', '/api/tickets', {
      source: 'group_hotline',
      channel: 'phone',
      category: 'consultation',
      subject: `导出进度 ${i}`,
      content: '询问线路首末班时间。',
      caller: { name: '孙先生', phone: '13900003333' },
    });
  }
  const total = (await apiAs('dispatcher1', 'GET', '/api/ledger?limit=200')).items.length;
  assert.ok(total >= 20, 'the ledger has rows');
  await withFailureShots(
    'ledger-export-progress',
    () => [page],
    async () => {
      await page.setViewportSize(MOBILE);
      await signInAs(page, b.base, 'dispatcher1', '#/ledger');
      await page.locator('[data-testid=ledger-rows] .adm-list-item').first().waitFor();
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: 1024, // bytes a second: the file takes many seconds
        uploadThroughput: -1,
      });
      await page.getByRole('button', { name: '导出 Excel' }).click();
      const status = page.locator('.export-progress');
      await status.waitFor();
      assert.match(await status.innerText(), /正在导出 [\d,]+ \/ [\d,]+ 行/);
      const [, shownTotal] = (await status.innerText()).match(/\/ ([\d,]+) 行/);
      assert.ok(Number(shownTotal.replaceAll(',', '')) >= total, `the total (${shownTotal}) counts the whole ledger`);
      await shot(page, 'ledger-export-progress', MOBILE);
      await status.getByRole('button', { name: '取消导出' }).click();
      await page.getByText('已取消导出').waitFor();
      await status.waitFor({ state: 'detached' });
      assert.equal(
        await page.getByRole('button', { name: '导出 Excel' }).isEnabled(),
        true,
        'the export can start again',
      );
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
    },
  );
});
