// Issue 19 in the browser: a receiver with more waiting than one page (200) sees the true count on
// the tab and gets the rest as they scroll, each item once. The tickets are revoked at the end, so
// the other tests' inboxes are as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { API, MOBILE, shot, signInAs, startBrowser, withFailureShots } from './helpers.mjs';

let b;
let page;
before(async () => {
  b = await startBrowser();
  page = await b.newPage();
});
after(() => b?.stop());

const COUNT = 205;
const created = [];

/** The API as one person, signed in once (hundreds of set-up calls). */
async function client(userid) {
  const signIn = await fetch(`${API}/api/auth/dev`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userid }),
  });
  const { token } = await signIn.json();
  return async (method, path, body) => {
    const res = await fetch(`${API}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${userid} ${method} ${path} → ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

test('issue 19: a receiver with 205 tickets to accept sees the true count and scrolls through all of them', async () => {
  const d = await client('dispatcher1');
  try {
    for (let i = 0; i < COUNT; i++) {
      const t = await d('POST', '/api/tickets', {
        source: 'group_hotline',
        channel: 'phone',
        category: 'consultation',
        subject: `分页测试 ${String(i).padStart(3, '0')}`,
        content: '询问线路首末班时间。',
        caller: { name: '钱先生', phone: '13900002222' },
      });
      created.push(t.id);
      await d('POST', `/api/tickets/${t.id}/actions/dispatch`, { assignments: [{ unit: 'fare', role: 'sole' }] });
    }
    const r = await client('fare_receiver');
    const truth = await r('GET', '/api/inbox/page?limit=1');
    assert.ok(truth.total >= COUNT, `the API counts ${truth.total}`);

    await withFailureShots(
      'inbox-paging',
      () => [page],
      async () => {
        await page.setViewportSize(MOBILE);
        await signInAs(page, b.base, 'fare_receiver');
        const allTab = page.locator('.inbox-tabs .adm-tabs-tab', { hasText: '全部' });
        await allTab.locator('.count').getByText(String(truth.total), { exact: true }).waitFor();
        await page.locator('.inbox-item').nth(199).waitFor();
        assert.equal(await page.locator('.inbox-item').count(), 200, 'the first page holds 200 items');
        await page.getByText(`已显示 200 / ${truth.total} 项`).waitFor();
        await shot(page, 'inbox-paging', MOBILE);
        // Scrolling to the end loads the rest.
        await page.locator('.inbox-item').last().scrollIntoViewIfNeeded();
        await page
          .locator('.inbox-item')
          .nth(truth.total - 1)
          .waitFor();
        const subjects = await page.locator('.inbox-item .item-title').allInnerTexts();
        assert.equal(subjects.length, truth.total, 'every item once');
        const ours = subjects.filter((s) => s.includes('分页测试'));
        assert.equal(new Set(ours).size, COUNT, `all ${COUNT} tickets, none twice`);
        assert.equal(await page.getByText('继续下滑加载').count(), 0, 'nothing more to load');
      },
    );
  } finally {
    for (const id of created) {
      await d('POST', `/api/tickets/${id}/actions/revoke`, { reason: '测试数据，撤销' });
    }
  }
});
