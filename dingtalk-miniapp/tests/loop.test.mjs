// Closing the loop (issue 7) in the browser: the follow-up call queue and a call recorded from
// the ticket page; the dashboard (charts, lights, unit ranking) with a click through to the
// ledger rows behind a number. Screenshots at 375×812 and 1280×800 in docs/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { act, apiAs, DESKTOP, MOBILE, shot, signInAs, startBrowser, withFailureShots } from './helpers.mjs';

let b;
let page;
before(async () => {
  b = await startBrowser();
  page = await b.newPage();
});
after(() => b?.stop());

/** Calls the API directly as a demo person (the data the screens show). */
const as = (userid) => (method, path, body) => apiAs(userid, method, path, body);

const RECEIVER = { branch1: 'b1_receiver', branch2: 'b2_receiver', fare: 'fare_receiver' };
const LEADER = { branch1: 'b1_leader', branch2: 'b2_leader', fare: 'fare_leader' };

/** A complaint handled by `unit` and closed through chain A. */
async function closedComplaint(subject, unit, route) {
  const d = await as('dispatcher1');
  const t = await d('POST', '/api/tickets', {
    source: 'group_hotline',
    channel: 'phone',
    category: 'complaint',
    subject,
    content: `${subject}，请核实处理。`,
    caller: { name: '王女士', phone: '13900001111' },
    route,
    stop: '火车站',
  });
  await d('POST', `/api/tickets/${t.id}/actions/dispatch`, { assignments: [{ unit, role: 'sole' }] });
  const r = await as(RECEIVER[unit]);
  await r('POST', `/api/tickets/${t.id}/actions/accept`, {});
  const now = new Date().toISOString();
  await r('POST', `/api/tickets/${t.id}/actions/submit_reply`, {
    content: '经核实已处理，并向来电人致歉。',
    handledAt: now,
    handler: '李队长',
    callerContact: { contacted: true, method: 'phone', at: now, summary: '已电话告知处理结果' },
    satisfaction: 'satisfied',
  });
  await (
    await as(LEADER[unit])
  )('POST', `/api/tickets/${t.id}/actions/approve_reply`, {});
  await d('POST', `/api/tickets/${t.id}/actions/pass_review`, {});
  await (
    await as('ops_head')
  )('POST', `/api/tickets/${t.id}/actions/pass_review`, {});
  return t;
}

test('X-5, R-15, R-18: the follow-up queue records a call; the dashboard clicks through to the ledger', async () => {
  await withFailureShots('loop', () => [page], walk);
  assert.deepEqual(b.errors, [], 'no console errors');
});

async function walk() {
  const tag = Date.now().toString(36);
  const t1 = await closedComplaint(`5路驾驶员服务态度差 ${tag}`, 'branch1', '5');
  await closedComplaint(`5路车辆脏乱 ${tag}`, 'branch2', '5');
  await closedComplaint(`票务多扣费 ${tag}`, 'fare', '18');
  // One still open at branch1, so the lights show something.
  const d = await as('dispatcher1');
  const open = await d('POST', '/api/tickets', {
    source: 'group_hotline',
    channel: 'phone',
    category: 'help',
    subject: `站台座椅损坏 ${tag}`,
    content: '站台座椅损坏，请维修。',
    caller: { name: '赵先生', phone: '13700002222' },
    route: '5',
  });
  await d('POST', `/api/tickets/${open.id}/actions/dispatch`, { assignments: [{ unit: 'branch1', role: 'sole' }] });

  // The call queue: due from the next working day, so the calls are under "全部待回访".
  await signInAs(page, b.base, 'dispatcher2', '#/follow-ups');
  await page.getByText('全部待回访', { exact: true }).click();
  const item = page.locator('[data-testid=follow-up-list] .adm-list-item', { hasText: t1.subject });
  await item.waitFor();
  await shot(page, 'follow-ups', MOBILE);
  await shot(page, 'follow-ups', DESKTOP);
  await page.setViewportSize(MOBILE);
  await item.click();
  await page.waitForURL(/#\/ticket\/[\w-]+$/);
  await act(page, '回访', async (popup) => {
    await popup.getByText('已接通', { exact: true }).waitFor();
    await popup.getByText('基本满意', { exact: true }).click();
    await popup.getByPlaceholder('回访记录（选填）', { exact: true }).fill('来电人认可处理结果');
  });
  await page.locator('.timeline, .adm-steps, body', { hasText: '回访' }).first().waitFor();
  await page.goto(`${b.base}/#/follow-ups`);
  await page.getByText('全部待回访', { exact: true }).click();
  await page.locator('[data-testid=follow-up-list]').waitFor();
  assert.equal(await page.locator('.adm-list-item', { hasText: t1.subject }).count(), 0, 'the called ticket left');

  // The dashboard: lights, volume, the units with their ranking, hot routes.
  await signInAs(page, b.base, 'ops_head', '#/dashboard');
  await page.locator('[data-testid=unit-table]').waitFor();
  await page.locator('[data-testid=unit-table] tr', { hasText: '第一分公司' }).waitFor();
  assert.ok(Number(await page.locator('[data-testid=light-green] .light-count').textContent()) >= 1);
  await page.locator('[data-testid=hot-routes]').getByRole('button', { name: /^5路 / }).waitFor();
  await shot(page, 'dashboard', DESKTOP);
  await shot(page, 'dashboard', MOBILE);
  await page.setViewportSize(DESKTOP);
  // Click through: branch 1's row → the ledger rows of branch 1 in this month.
  await page.locator('[data-testid=unit-table] tr', { hasText: '第一分公司' }).click();
  await page.waitForURL(/#\/ledger\?/);
  await page.locator('[data-testid=ledger-filters]', { hasText: '单位：第一分公司' }).waitFor();
  const rows = page.locator('[data-testid=ledger-rows] .adm-list-item');
  await rows.filter({ hasText: t1.subject }).waitFor();
  await rows.filter({ hasText: open.subject }).waitFor();
  assert.equal(await rows.filter({ hasText: `票务多扣费 ${tag}` }).count(), 0, 'only branch 1');
  await shot(page, 'ledger', DESKTOP);
  await shot(page, 'ledger', MOBILE);
  // And a hot route → the ledger rows of that route.
  await page.goto(`${b.base}/#/dashboard`);
  await page
    .locator('[data-testid=hot-routes]')
    .getByRole('button', { name: /^18路 / })
    .click();
  await page.waitForURL(/route=18/);
  await page.locator('[data-testid=ledger-rows] .adm-list-item', { hasText: `票务多扣费 ${tag}` }).waitFor();
}
