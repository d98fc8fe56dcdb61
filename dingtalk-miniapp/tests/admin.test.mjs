// 系统管理 (issue 4): the admin sees the month's DingTalk calls against the quota, retries a
// notice that DingTalk refused, runs the organisation sync and a retention dry run; screenshots
// of the page at 375×812 and 1280×800 go to docs/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import {
  apiAs,
  DESKTOP,
  MOBILE,
  shot,
  signInAs,
  SIM,
  smallTouchTargets,
  startBrowser,
  withFailureShots,
} from './helpers.mjs';

// The product's own database (scripts/browser-test.mjs): issue 16.4 raises the month's counted calls.
const DB = process.env.HOTLINE_DATABASE_URL;

let b;
let page;
before(async () => {
  b = await startBrowser();
  page = await b.newPage();
});
after(() => b?.stop());

async function until(what, check, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

test("issue 4, 16.4, 15.4, 15.5: the admin page shows usage against the quota (warning above 80 %), retries a refused notice, syncs the organisation, edits the co units' lead time and the upstream margin, and dry-runs retention", async () => {
  assert.ok(SIM, 'set DINGTALK_SIM_URL (scripts/browser-test.mjs does)');
  assert.ok(DB, 'set HOTLINE_DATABASE_URL (scripts/browser-test.mjs does)');
  await withFailureShots(
    'admin',
    () => [page],
    async () => {
      // DingTalk refuses the next work notice for good (a missing permission): the worker marks it failed.
      const fault = await fetch(`${SIM}/_sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'permission_denied', count: 1, path: '/topapi/message' }),
      });
      assert.equal(fault.status, 200);
      const subject = `管理页失败通知 ${Date.now().toString(36)}`;
      const ticket = await apiAs('dispatcher1', 'POST', '/api/tickets', {
        source: 'group_hotline',
        channel: 'phone',
        category: 'help',
        subject,
        content: '用于管理页测试：派单通知被钉钉拒绝。',
        caller: { name: '王女士', phone: '13900001111' },
      });
      await apiAs('dispatcher1', 'POST', `/api/tickets/${ticket.id}/actions/dispatch`, {
        assignments: [{ unit: 'branch2', role: 'sole' }],
      });
      const failed = await until('a failed outbox row', async () => {
        const rows = await apiAs('admin', 'GET', '/api/admin/outbox?status=failed');
        return rows.length > 0 ? rows : null;
      });

      // The admin reaches the page from 我的
      await signInAs(page, b.base, 'admin', '#/me');
      await page.locator('.adm-list-item', { hasText: '系统管理' }).click();
      await page.waitForURL(/#\/admin$/);

      // usage: this month's calls against the quota, per API
      const usage = page.locator('#admin-usage');
      await usage.locator('.usage-calls').waitFor();
      await until('counted calls', async () => (await apiAs('admin', 'GET', '/api/admin/dingtalk/usage')).calls > 0);
      await usage.getByRole('button', { name: '刷新' }).click();
      await usage.locator('.usage-apis tbody td.mono').first().waitFor();
      assert.ok((await usage.locator('.usage-apis tbody td.mono').count()) > 0, 'calls per API are listed');

      // issue 16.4: the month's calls counted against DINGTALK_MONTHLY_QUOTA, warning above 80 %
      const figure = usage.locator('.usage-figure');
      const counted = await apiAs('admin', 'GET', '/api/admin/dingtalk/usage');
      assert.equal(counted.quota, 10_000);
      assert.ok(
        counted.quotaCalls > 0 && counted.quotaCalls <= counted.calls,
        'the counted calls are a part of all calls',
      );
      assert.match(await figure.innerText(), /^本月已用 [\d,]+ \/ 配额 10,000 次$/);
      assert.equal(await figure.getAttribute('class'), 'usage-figure ok');
      const db = new pg.Client({ connectionString: DB });
      await db.connect();
      // Real counts, raised in the product's own table: 8,100 of 10,000 is above 80 %.
      const delta = 8_100 - counted.quotaCalls;
      const raise = (d) =>
        db.query('UPDATE dingtalk_quota_months SET calls = calls + $2 WHERE month = $1', [counted.month, d]);
      try {
        await raise(delta);
        await usage.getByRole('button', { name: '刷新' }).click();
        await until('the warning colour', async () => (await figure.getAttribute('class')) === 'usage-figure warning');
        assert.match(await figure.innerText(), /^本月已用 8,1\d\d \/ 配额 10,000 次$/);
        assert.equal(await figure.evaluate((el) => getComputedStyle(el).color), 'rgb(255, 143, 31)');
        assert.match(await usage.innerText(), /已超过 80%/);
      } finally {
        await raise(-delta);
        await db.end();
      }
      await usage.getByRole('button', { name: '刷新' }).click();
      await until('the usual colour again', async () => (await figure.getAttribute('class')) === 'usage-figure ok');

      // the failed row, with DingTalk's reason, and its retry
      const outbox = page.locator('#admin-outbox');
      const row = outbox.locator('.outbox-row').filter({ hasText: `#${failed[0].id} ` });
      await row.waitFor();
      assert.match(await outbox.innerText(), /工作通知/);
      await shot(page, 'admin', MOBILE);
      await shot(page, 'admin', DESKTOP);
      await page.setViewportSize(MOBILE);
      assert.deepEqual(await smallTouchTargets(page), [], 'touch targets ≥ 44 px on the admin page');
      await row.getByRole('button', { name: '重试' }).click();
      await page.getByText('已重新排队发送').waitFor();
      await row.waitFor({ state: 'detached' });
      await until('the retried row to be sent', async () => {
        const sent = await apiAs('admin', 'GET', '/api/admin/outbox?status=sent&limit=100');
        return sent.some((r) => r.id === failed[0].id);
      });

      // organisation sync on demand
      const org = page.locator('#admin-org-sync');
      await org.getByRole('button', { name: '立即同步' }).click();
      await page.getByText(/同步完成：\d+ 个部门/).waitFor();
      await org.getByText('管理员手动').waitFor();
      await org.locator('.org-sync-status').getByText('成功').waitFor();

      // calendar and time limits are shown
      await page.locator('#admin-calendar').getByText('日历版本').waitFor();
      await page.locator('#admin-time-limits').getByText('2 个工作小时').first().waitFor();

      // R-6, X-3, issues 15.4 and 15.5: the co units' lead time and the upstream margin are edited
      // here; a margin short of the four review limits is refused with the server's reason
      const limits = page.locator('#admin-time-limits');
      await limits.getByRole('spinbutton', { name: '默认 上级期限前预留工作日' }).fill('3');
      await limits.getByRole('button', { name: '保存时限设置' }).click();
      await page.getByText(/不少于四个审核环节的审核时限之和 4 个工作日/).waitFor();
      // That refusal is the one expected 400 in the console.
      const refused = b.errors.findIndex((e) => /status of 400 .*\/api\/admin\/time-limits$/.test(e));
      assert.ok(refused >= 0, 'the refused margin is a 400');
      b.errors.splice(refused, 1);
      await limits.getByRole('spinbutton', { name: '默认 上级期限前预留工作日' }).fill('4');
      await limits.getByRole('spinbutton', { name: '默认 会办提前工作日' }).fill('2');
      await limits.getByRole('button', { name: '保存时限设置' }).click();
      await page.getByText('时限设置已保存').waitFor();
      const saved = await apiAs('admin', 'GET', '/api/admin/time-limits');
      const catchAll = saved.find((p) => !p.sourceCode && !p.categoryCode && !p.urgency);
      assert.deepEqual([catchAll.coLeadWorkingDays, catchAll.upstreamMarginWorkingDays], [2, 4]);
      await limits.getByRole('spinbutton', { name: '默认 会办提前工作日' }).fill('1');
      await limits.getByRole('button', { name: '保存时限设置' }).click();
      await page.getByText('时限设置已保存').last().waitFor();

      // retention: a dry run first (nothing is old enough in a fresh database), no erasure offered
      const retention = page.locator('#admin-retention');
      await retention.getByRole('button', { name: '试算' }).click();
      await retention.locator('.retention-count').waitFor();
      assert.equal(await retention.locator('.retention-count').innerText(), '0');
      assert.ok(await retention.getByRole('button', { name: '执行清除' }).isDisabled());
    },
  );
  assert.deepEqual(b.errors, [], 'no console errors');
});

test('the admin page is for admins only: no entry on 我的 for others, and a refusal at its address', async () => {
  await signInAs(page, b.base, 'dispatcher1', '#/me');
  await page.getByText('退出登录').waitFor();
  assert.equal(await page.locator('.adm-list-item', { hasText: '系统管理' }).count(), 0);
  await page.goto(`${b.base}/#/admin`);
  await page.getByText('仅系统管理员可使用此页面').waitFor();
  assert.deepEqual(b.errors, [], 'no console errors');
});
