// A return within 24 h, and two dispatchers acting on one ticket at once (409).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { act, signInAs, startBrowser, withFailureShots } from './helpers.mjs';

let b;
before(async () => {
  b = await startBrowser();
});
after(() => b?.stop());

/** Registers a group-hotline ticket as dispatcher1 on `page`; resolves to its id. */
async function register(page, subject) {
  await signInAs(page, b.base, 'dispatcher1', '#/new');
  // the source defaults to the group hotline (chain A)
  await page.getByText('投诉', { exact: true }).click();
  await page.getByPlaceholder('如：张先生', { exact: true }).fill('王先生');
  await page.getByPlaceholder('手机或固话', { exact: true }).fill('13700002222');
  await page.getByPlaceholder('一句话概括，如：12路公交未停靠人民广场站', { exact: true }).fill(subject);
  await page.getByPlaceholder('来电人反映的情况和诉求', { exact: true }).fill('站台广告牌破损，有安全隐患。');
  await page.getByRole('button', { name: '登记工单' }).click();
  await page.waitForURL(/#\/ticket\/[\w-]+$/);
  return page.url().split('/').pop();
}

test('R-11, R-12: branch 2 asks to return within 24 h; the dispatcher approves from the return queue and dispatches again', async () => {
  const page = await b.newPage();
  await withFailureShots(
    'return',
    () => [page],
    async () => {
      const subject = `站台广告牌破损 ${Date.now().toString(36)}`;
      const id = await register(page, subject);
      await act(page, '派单', (popup) => popup.getByText('第二分公司', { exact: true }).click());

      // b2_receiver sees how long the 24 h window still runs, and asks to return
      await signInAs(page, b.base, 'b2_receiver', `#/ticket/${id}`);
      await page
        .locator('.assignment')
        .getByText(/可申请退回：剩余 2[34] 小时/)
        .waitFor();
      await act(page, '申请退回', async (popup) => {
        await popup.getByText(/退回须在派单后 24 小时内提出：剩余/).waitFor();
        await popup.getByPlaceholder('为什么不属于本单位职责', { exact: true }).fill('该站台属第一分公司线路');
        await popup.getByPlaceholder('职责分工文件、制度条款等', { exact: true }).fill('《站台管理职责分工》第 3 条');
      });
      await page.locator('.assignment .adm-tag').getByText('退回申请中', { exact: true }).waitFor();

      // dispatcher1 finds it in the return queue (from the ticket list) and approves
      await signInAs(page, b.base, 'dispatcher1', '#/tickets');
      await page.getByRole('button', { name: '退回申请队列' }).click();
      await page.locator('.inbox-tabs').getByText('退回申请').waitFor();
      const item = page.locator('.inbox-item', { hasText: subject });
      assert.match(await item.innerText(), /同意退回/);
      await item.click();
      await page.getByText('理由：该站台属第一分公司线路').waitFor();
      await act(page, '同意退回', async (popup) => {
        await popup
          .getByPlaceholder('意见（选填）。同意后请重新派单给正确的单位', { exact: true })
          .fill('同意，改派第一分公司');
      });
      await page.locator('.assignment', { hasText: '第二分公司' }).getByText('已退回', { exact: true }).waitFor();

      // … and dispatches it again, to branch 1
      await act(page, '派单', (popup) => popup.getByText('第一分公司', { exact: true }).click());
      await page.locator('.assignment', { hasText: '第一分公司' }).getByText('待签收', { exact: true }).waitFor();
      const timeline = await page.locator('.timeline').innerText();
      assert.ok(timeline.includes('申请退回') && timeline.includes('同意退回'), 'the return is on the record');
    },
  );
  assert.deepEqual(b.errors, [], 'no console errors');
});

test('R-13: two dispatchers act on one ticket at once; the second sees "该工单已被他人处理，已刷新"', async () => {
  const first = await b.newPage();
  const second = await b.newPage({ viewport: { width: 1280, height: 800 } });
  await withFailureShots(
    'conflict',
    () => [first, second],
    async () => {
      const subject = `重复登记的工单 ${Date.now().toString(36)}`;
      const id = await register(first, subject);
      await signInAs(second, b.base, 'dispatcher2', `#/ticket/${id}`);
      await second.getByText(subject).waitFor();
      await second.locator('.action-bar').getByRole('button', { name: '派单', exact: true }).waitFor();

      // dispatcher1 revokes it …
      await act(first, '撤销工单', (popup) =>
        popup.getByPlaceholder('如：错派、重复登记', { exact: true }).fill('重复登记'),
      );
      await first.locator('.ticket-head').getByText('已撤销').waitFor();

      // … while dispatcher2, on a page loaded before, dispatches it
      await second.locator('.action-bar').getByRole('button', { name: '派单', exact: true }).click();
      const popup = second.locator('.action-popup .adm-popup-body');
      await popup.getByText('第一分公司', { exact: true }).click();
      await popup.locator('button[type=submit]').click();
      await second.locator('.adm-dialog-body').getByRole('button', { name: '确定' }).click();
      await second.getByText('该工单已被他人处理，已刷新').waitFor();
      // The refusal (409 INVALID_STATE) reaches the person in the server's Chinese words.
      assert.equal(
        (await second.locator('.adm-toast-main').innerText()).trim(),
        '该工单已被他人处理，已刷新：工单当前为“已撤销”，不能派单。',
      );
      await popup.waitFor({ state: 'detached' });
      await second.locator('.ticket-head').getByText('已撤销').waitFor();
      assert.equal(await second.locator('.action-bar').count(), 0, 'the refreshed page offers nothing more');
    },
  );
  // The 409 itself is logged by Chromium as a failed resource load; nothing else may be.
  const unexpected = b.errors.filter((e) => !/status of 409/.test(e));
  assert.deepEqual(unexpected, [], 'no console errors besides the expected 409');
});

test("R-6c, R-8: dispatching again to a unit already handling the ticket shows the server's Chinese refusal and refreshes", async () => {
  const page = await b.newPage();
  await withFailureShots(
    'refusal',
    () => [page],
    async () => {
      const subject = `站台座椅损坏 ${Date.now().toString(36)}`;
      await register(page, subject);
      await act(page, '派单', (popup) => popup.getByText('第一分公司', { exact: true }).click());
      await page.locator('.assignment', { hasText: '第一分公司' }).getByText('待签收', { exact: true }).waitFor();

      // The page is current (nobody else acted): the toast is the rule alone, not "已被他人处理".
      await page.locator('.action-bar').getByRole('button', { name: '派单', exact: true }).click();
      const popup = page.locator('.action-popup .adm-popup-body');
      await popup.getByText('第一分公司', { exact: true }).click();
      await popup.locator('button[type=submit]').click();
      await page.locator('.adm-dialog-body').getByRole('button', { name: '确定' }).click();
      const toast = page.locator('.adm-toast-main');
      await toast.getByText('第一分公司已在办理本工单，不能重复派单。').waitFor();
      assert.equal((await toast.innerText()).trim(), '第一分公司已在办理本工单，不能重复派单。');
      await popup.waitFor({ state: 'detached' });
      assert.equal(await page.locator('.assignment').count(), 1, 'still one assignment');
    },
  );
  const unexpected = b.errors.filter((e) => !/status of 409/.test(e));
  assert.deepEqual(unexpected, [], 'no console errors besides the expected 409');
});
