// Issue 15.10 (Art. 4, Art. 8 second chain) in the browser: at its wording review the office sees
// the consolidated answer of the lead and the co unit in an editable text area, edits it, and the
// dispatcher's report form shows exactly that text; the ticket page shows what was reported.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { act, apiAs, MOBILE, openFromInbox, shot, signInAs, startBrowser, withFailureShots } from './helpers.mjs';

let b;
let page;
before(async () => {
  b = await startBrowser();
  page = await b.newPage();
});
after(() => b?.stop());

const as = (userid) => (method, path, body) => apiAs(userid, method, path, body);
const LEAD = '第一分公司：已调整3路夜班车发车间隔，自12月1日起20分钟一班。';
const CO = '票务科：夜班优惠已在站牌补充公示。';

test('issue 15.10 (Art. 4): the office edits the consolidated answer; the report form and the ticket show that text', async () => {
  await withFailureShots('upstream-answer', () => [page], walk);
  assert.deepEqual(b.errors, [], 'no console errors');
});

async function reply(unitReceiver, unitLeader, id, content) {
  const now = new Date().toISOString();
  await (
    await as(unitReceiver)
  )('POST', `/api/tickets/${id}/actions/accept`, {});
  await (
    await as(unitReceiver)
  )('POST', `/api/tickets/${id}/actions/submit_reply`, {
    content,
    handledAt: now,
    handler: '李队长',
    callerContact: { contacted: true, method: 'phone', at: now, summary: '已电话告知处理结果' },
    satisfaction: 'satisfied',
  });
  await (
    await as(unitLeader)
  )('POST', `/api/tickets/${id}/actions/approve_reply`, {});
}

async function walk() {
  const subject = `市长热线：夜班公交间隔长 ${Date.now().toString(36)}`;
  const d = await as('dispatcher1');
  const t = await d('POST', '/api/tickets', {
    source: 'mayor_hotline',
    channel: 'wechat',
    category: 'suggestion',
    subject,
    content: '市民反映3路夜班车间隔过长，票价优惠未公示。',
    caller: { name: '李女士', phone: '13900001111' },
    upstreamRef: `SZ-${Date.now()}`,
    upstreamDeadline: new Date(Date.now() + 15 * 24 * 3600_000).toISOString(),
  });
  await d('POST', `/api/tickets/${t.id}/actions/dispatch`, {
    assignments: [
      { unit: 'branch1', role: 'lead' },
      { unit: 'fare', role: 'co' },
    ],
  });
  await reply('fare_receiver', 'fare_leader', t.id, CO);
  await reply('b1_receiver', 'b1_leader', t.id, LEAD);
  await d('POST', `/api/tickets/${t.id}/actions/pass_review`, {});
  await (
    await as('ops_head')
  )('POST', `/api/tickets/${t.id}/actions/pass_review`, {});

  // The office reviewer: the ticket page shows the composed answer, the review form lets it be edited.
  await signInAs(page, b.base, 'office_reviewer');
  await openFromInbox(page, subject);
  const card = page.locator('.upstream-answer-card');
  await card.getByText('公司办公室审核时可修改').waitFor();
  assert.ok((await card.innerText()).includes('【第一分公司（主办）】'), 'the lead comes first');
  await page.locator('.action-bar').getByRole('button', { name: '审核通过', exact: true }).click();
  const popup = page.locator('.action-popup .adm-popup-body');
  const area = popup.locator('textarea#upstreamAnswer');
  await area.waitFor();
  const composed = await area.inputValue();
  assert.equal(composed, `【第一分公司（主办）】\n${LEAD}\n\n【票务科（会办）】\n${CO}`);
  await shot(page, 'upstream-answer', MOBILE);
  const edited = '经核查，3路夜班车自12月1日起恢复20分钟一班，夜班票价优惠已在站牌公示。';
  await area.fill(edited);
  await popup.getByText('恢复为各单位回复汇总').waitFor(); // the way back to the composition
  await popup.locator('button[type=submit]').click();
  await page.locator('.adm-dialog-body').getByRole('button', { name: '确定' }).click();
  await popup.waitFor({ state: 'detached' });
  await card.getByText('公司办公室已修改').waitFor();

  // The dispatcher reports exactly the office's text.
  await signInAs(page, b.base, 'dispatcher2');
  await openFromInbox(page, subject);
  await act(page, '上报办结', async (form) => {
    const toReport = form.locator('.upstream-answer-report');
    await toReport.getByText('（公司办公室审核定稿）').waitFor();
    assert.ok((await toReport.innerText()).includes(edited), 'the report form shows the edited text');
  });
  await page.locator('.ticket-head').getByText('已办结').waitFor();
  await card.getByText('（公司办公室审核定稿）').waitFor();
  assert.ok((await card.innerText()).includes(edited));
}
