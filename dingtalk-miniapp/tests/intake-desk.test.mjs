// The intake desk on the new-ticket form (issue 9): article suggestions while typing and a
// one-tap direct answer citing one, the branch a route suggests, and the repeat panel
// with one-click merge (并单, X-6) that never shows the caller's number.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiAs, DESKTOP, MOBILE, shot, signInAs, startBrowser, withFailureShots } from './helpers.mjs';

let b;
let page;
before(async () => {
  b = await startBrowser();
  page = await b.newPage();
});
after(() => b?.stop());

const PHONE = '13912340077';

async function fillCaller(name, phone) {
  await page.getByPlaceholder('如：张先生', { exact: true }).fill(name);
  await page.getByPlaceholder('手机或固话', { exact: true }).fill(phone);
}

test('X-6, X-7, X-8: suggestions, repeat matches and merge on the new-ticket form', async () => {
  await withFailureShots(
    'intake-desk',
    () => [page],
    async () => {
      const article = await apiAs('dispatcher1', 'POST', '/api/kb/articles', {
        title: '35路首末班时间',
        body: '35路首班车6:10，末班车22:00（汽车南站发车）。',
        category: 'consultation',
        routes: ['35'],
      });
      const open = await apiAs('dispatcher2', 'POST', '/api/tickets', {
        source: 'group_hotline',
        channel: 'phone',
        category: 'complaint',
        subject: '35路末班车提前发车',
        content: '来电人反映35路末班车比公布时间提前十分钟发车。',
        caller: { name: '陈先生', phone: PHONE },
        route: '35',
      });
      await apiAs('dispatcher2', 'POST', `/api/tickets/${open.id}/actions/dispatch`, {
        assignments: [{ unit: 'branch2', role: 'sole' }],
      });

      await signInAs(page, b.base, 'dispatcher1', '#/new');
      await page.getByText('咨询', { exact: true }).click();
      await fillCaller('陈先生', PHONE);
      await page
        .getByPlaceholder('一句话概括，如：12路公交未停靠人民广场站', { exact: true })
        .fill('35路最晚一班车几点');
      await page.getByPlaceholder('来电人反映的情况和诉求', { exact: true }).fill('问35路末班车几点从汽车南站开');
      await page.getByPlaceholder('如：12路', { exact: true }).fill('35路');

      const kb = page.locator('.kb-suggestions');
      await kb.getByText('35路首末班时间').waitFor();
      const hint = page.locator('.routing-hint');
      await hint.getByText('第二分公司').first().waitFor();
      const repeats = page.locator('.repeat-panel');
      await repeats.getByText(open.number, { exact: false }).waitFor();
      const panelText = await repeats.innerText();
      assert.match(panelText, /同一来电/);
      assert.match(panelText, /陈\*\* 139\*\*\*\*0077/);
      assert.ok(!panelText.includes(PHONE), 'the repeat panel never shows the number');
      await page.getByText('保密件', { exact: true }).waitFor();

      await shot(page, 'intake-new-ticket', MOBILE);
      await shot(page, 'intake-new-ticket', DESKTOP);
      await page.setViewportSize(MOBILE);

      // One click: register this call and merge it into the open matter (并单).
      const item = repeats.locator('.intake-item', { hasText: open.number });
      await item.getByRole('button', { name: '并单' }).click();
      await page.locator('.adm-dialog').getByText('登记并并单').click();
      await page.locator('.ticket-number').waitFor();
      await page.getByText('已办结').first().waitFor();
      await page.getByText('并单').first().waitFor();
      const target = await apiAs('dispatcher1', 'GET', `/api/tickets/${open.id}`);
      assert.equal(target.callers.length, 1);
      assert.equal(target.callers[0].phone, '139****0077');
      assert.equal(target.timeline.at(-1).action, 'merge');
      await shot(page, 'intake-merged', MOBILE);

      // One tap answers a consultation directly, citing the article (its use is counted).
      await page.goto(`${b.base}/#/new`);
      await page.getByText('咨询', { exact: true }).click();
      await fillCaller('林女士', '13800990011');
      await page.getByPlaceholder('一句话概括，如：12路公交未停靠人民广场站', { exact: true }).fill('35路首班车');
      await page.getByPlaceholder('来电人反映的情况和诉求', { exact: true }).fill('35路早上第一班车几点发车');
      await kb.getByText('35路首末班时间').waitFor();
      await kb.locator('.intake-item', { hasText: '35路首末班时间' }).getByRole('button', { name: '用此答复' }).click();
      await page.locator('.adm-dialog').getByText('登记并答复').click();
      await page.locator('.ticket-number').waitFor();
      await page.getByText('已办结').first().waitFor();
      const used = await apiAs('dispatcher1', 'GET', `/api/kb/articles/${article.id}`);
      assert.equal(used.uses, 1);
      assert.deepEqual(b.errors, []);
    },
  );
});
