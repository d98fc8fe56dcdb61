// The dispatcher's desk (issue 6 item 4): the computed deadline shown on the new-ticket form before
// saving (with the co units' earlier one, issue 15.4), following source, urgency and the upstream deadline; and the light filter and order of the list.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiAs, shanghaiInput, signInAs, startBrowser, withFailureShots } from './helpers.mjs';

let b;
let page;
before(async () => {
  b = await startBrowser();
  page = await b.newPage();
});
after(() => b?.stop());

/** "2026-12-07 17:30" in Asia/Shanghai (the browser context's zone), as the form shows it. */
const shown = (iso) => shanghaiInput(new Date(iso)).replace('T', ' ');

const preview = (query) => apiAs('dispatcher1', 'GET', `/api/deadlines/preview?${new URLSearchParams(query)}`);

test('issue 6 item 4, R-6, issue 15.4: the new-ticket form shows the deadline a dispatch would give (co units: earlier), and follows the form', async () => {
  await withFailureShots(
    'deadline-preview',
    () => [page],
    async () => {
      await signInAs(page, b.base, 'dispatcher1', '#/new');
      const note = page.locator('.deadline-preview');
      await note.getByText('选择来源和事项类型后显示办理期限').waitFor();

      // 集团客服热线 (the default source) · 投诉 · 一般: the policy's 5 working days
      await page.getByText('投诉', { exact: true }).click();
      const normal = await preview({ source: 'group_hotline', category: 'complaint', urgency: 'normal' });
      await note.locator('.preview-reply', { hasText: shown(normal.replyDeadline) }).waitFor();
      assert.match(await note.innerText(), /按时限规则：5 个工作日/);
      // R-6, issue 15.4: the co units' earlier deadline is shown too
      await note.locator('.preview-co-reply', { hasText: shown(normal.coReplyDeadline) }).waitFor();
      assert.match(await note.innerText(), /会办单位须先于主办单位答复.*提前 1 个工作日/);

      // 紧急: 2 working hours
      await page.getByText('紧急', { exact: true }).click();
      const urgent = await preview({ source: 'group_hotline', category: 'complaint', urgency: 'urgent' });
      await note.locator('.preview-reply', { hasText: shown(urgent.replyDeadline) }).waitFor();
      assert.match(await note.innerText(), /2 个工作小时/);

      // 市长公开电话 with an upstream deadline 3 days out: capped before it, leaving the review
      // steps their time (X-3, issue 15.5)
      await page.getByText('一般', { exact: true }).click();
      await page.getByText('市长公开电话', { exact: true }).click();
      const upstream = new Date(Date.now() + 3 * 24 * 3600_000);
      upstream.setSeconds(0, 0);
      await page.locator('input[type="datetime-local"]').last().fill(shanghaiInput(upstream));
      const capped = await preview({
        source: 'mayor_hotline',
        category: 'complaint',
        urgency: 'normal',
        upstreamDeadline: upstream.toISOString(),
      });
      assert.equal(capped.policy.source, 'upstream_margin');
      await note.locator('.preview-reply', { hasText: shown(capped.replyDeadline) }).waitFor();
      assert.match(await note.innerText(), /前为四个审核环节预留 4 个工作日/);
    },
  );
  assert.deepEqual(b.errors, [], 'no console errors');
});

test('X-9: the ticket list filters and sorts by light', async () => {
  await withFailureShots(
    'light-filter',
    () => [page],
    async () => {
      // A ticket whose dispatcher-set deadline passes in two seconds: red, while a fresh one is green.
      const tag = Date.now().toString(36);
      const make = async (subject, replyDeadline) => {
        const t = await apiAs('dispatcher1', 'POST', '/api/tickets', {
          source: 'group_hotline',
          channel: 'phone',
          category: 'consultation',
          subject,
          content: '红黄绿灯筛选测试。',
          caller: { name: '赵先生', phone: '13900002222' },
        });
        await apiAs('dispatcher1', 'POST', `/api/tickets/${t.id}/actions/dispatch`, {
          assignments: [{ unit: 'safety', role: 'sole' }],
          ...(replyDeadline ? { replyDeadline } : {}),
        });
        return t;
      };
      await make(`亮灯超期 ${tag}`, new Date(Date.now() + 2000).toISOString());
      await make(`亮灯正常 ${tag}`);
      await new Promise((r) => setTimeout(r, 2500));

      await signInAs(page, b.base, 'dispatcher1', '#/tickets');
      await page.locator('.tickets').waitFor();
      await page.getByRole('button', { name: /^筛选/ }).click();
      const filter = page.locator('.light-filter');

      await filter.getByText('超期', { exact: true }).click();
      await page.locator('.tickets').getByText(`亮灯正常 ${tag}`).waitFor({ state: 'detached' });
      await page.locator('.tickets').getByText(`亮灯超期 ${tag}`).waitFor();
      assert.equal(await page.locator('.tickets .deadline:not(.deadline-red)').count(), 0, 'only red lights listed');

      await filter.getByText('正常', { exact: true }).click();
      await page.locator('.tickets').getByText(`亮灯超期 ${tag}`).waitFor({ state: 'detached' });
      await page.locator('.tickets').getByText(`亮灯正常 ${tag}`).waitFor();
      assert.equal(await page.locator('.tickets .deadline-red').count(), 0, 'no red light among the green');

      // sorted by light, every red comes before any other light, our red before our green.
      await filter.getByText('正常', { exact: true }).click();
      await page.getByRole('button', { name: '完成' }).click();
      await page.getByRole('button', { name: '期限最紧' }).click();
      await page.locator('.tickets .adm-list-item').first().locator('.deadline-red').waitFor();
      const rows = await page
        .locator('.tickets .adm-list-item')
        .evaluateAll((items) =>
          items.map((i) => ({ text: i.textContent ?? '', red: i.querySelector('.deadline-red') !== null })),
        );
      const firstNotRed = rows.findIndex((r) => !r.red);
      assert.ok(firstNotRed > 0, 'the list starts with red lights');
      assert.ok(
        rows.slice(firstNotRed).every((r) => !r.red),
        'no red light after the first other light',
      );
      const redAt = rows.findIndex((r) => r.text.includes(`亮灯超期 ${tag}`));
      const greenAt = rows.findIndex((r) => r.text.includes(`亮灯正常 ${tag}`));
      assert.ok(redAt >= 0 && greenAt > redAt, `our red (${redAt}) before our green (${greenAt})`);
    },
  );
  assert.deepEqual(b.errors, [], 'no console errors');
});
