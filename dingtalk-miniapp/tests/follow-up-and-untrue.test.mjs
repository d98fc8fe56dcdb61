// Issues 15.6 and 15.7 in the browser: the 继续跟踪 switch only where the server accepts it (the
// closing review on chain A, the upstream report on chain B), a handling unit recording follow-up
// progress and the follow-ups page showing who recorded what; the ops department marking a reply
// untrue (reason + new deadline), the timeline and the unit's tag showing it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  act,
  apiAs,
  DESKTOP,
  MOBILE,
  openFromInbox,
  shot,
  signInAs,
  startBrowser,
  withFailureShots,
} from './helpers.mjs';

let b;
let page;
before(async () => {
  b = await startBrowser();
  page = await b.newPage();
});
after(() => b?.stop());

const as = (userid) => (method, path, body) => apiAs(userid, method, path, body);
const act$ = async (userid, id, action, body = {}) =>
  (await as(userid))('POST', `/api/tickets/${id}/actions/${action}`, body);

/** Registered by dispatcher1, replied by branch1 and approved by its leader (in initiator review). */
async function replied(subject, over = {}) {
  const d = await as('dispatcher1');
  const t = await d('POST', '/api/tickets', {
    source: 'group_hotline',
    channel: 'phone',
    category: 'report',
    subject,
    content: `${subject}，请核实处理。`,
    caller: { name: '刘先生', phone: '13600003333' },
    route: '9',
    ...over,
  });
  await act$('dispatcher1', t.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
  await act$('b1_receiver', t.id, 'accept');
  const now = new Date().toISOString();
  await act$('b1_receiver', t.id, 'submit_reply', {
    content: '经核实情况属实，已处理涉事驾驶员。',
    handledAt: now,
    handler: '周队长',
    callerContact: { contacted: true, method: 'phone', at: now, summary: '已电话告知举报人处理结果' },
    satisfaction: 'satisfied',
  });
  await act$('b1_leader', t.id, 'approve_reply', {});
  return t;
}

const openTicket = async (id) => {
  await page.goto(`${b.base}/#/ticket/${id}`);
  await page.locator('.ticket-subject').waitFor();
};

/** Opens an action's form, reports whether the follow-up switch is in it, and closes it. */
async function switchShown(buttonText) {
  await page.locator('.action-bar').getByRole('button', { name: buttonText, exact: true }).click();
  const popup = page.locator('.action-popup .adm-popup-body');
  await popup.waitFor();
  const shown = (await popup.locator('.follow-up-switch').count()) > 0;
  await page.locator('.popup-close').click();
  await popup.waitFor({ state: 'detached' });
  return shown;
}

test('issue 15.6 (Art. 14(三)): the follow-up switch where the server accepts it; a unit records progress; the follow-ups page shows who recorded it', async () => {
  await withFailureShots(
    'follow-up-progress',
    () => [page],
    async () => {
      const tag = Date.now().toString(36);
      const t = await replied(`举报9路驾驶员途中吸烟 ${tag}`);

      // The initiator's review does not close the ticket: no switch there.
      await signInAs(page, b.base, 'dispatcher1', '#/inbox');
      await openTicket(t.id);
      assert.equal(await switchShown('审核通过'), false, 'no switch at the initiator review');
      await act(page, '审核通过');
      await page.locator('.ticket-number', { hasText: '运营服务部负责人审核' }).waitFor();

      // The ops head's review closes a chain-A ticket: the switch is there; kept under follow-up.
      await signInAs(page, b.base, 'ops_head', '#/inbox');
      await openTicket(t.id);
      await act(page, '审核通过', async (popup) => {
        await popup.locator('.follow-up-switch').click();
      });
      await page.locator('.ticket-number', { hasText: '跟踪中' }).waitFor();

      // The handling unit's receiver finds it in the inbox and records progress.
      await signInAs(page, b.base, 'b1_receiver', '#/inbox');
      await openFromInbox(page, t.subject);
      await act(page, '记录跟踪进展', async (popup) => {
        await popup
          .getByPlaceholder('已采取的措施、处理到哪一步、下一步安排', { exact: true })
          .fill(`涉事驾驶员已停岗培训 ${tag}`);
      });
      await page.locator('.timeline', { hasText: `涉事驾驶员已停岗培训 ${tag}` }).waitFor();
      await page.locator('.timeline', { hasText: '记录跟踪进展' }).waitFor();
      assert.equal(
        await page.locator('.action-bar').getByRole('button', { name: '结束跟踪', exact: true }).count(),
        0,
        'finishing is the ops department’s',
      );

      // 我的 → 回访与跟踪: the unit sees its tracked ticket with the entry and its unit.
      await page.goto(`${b.base}/#/follow-ups`);
      const mine = page.locator('[data-testid=tracked-ticket]', { hasText: t.subject });
      await mine.locator('.progress-entry', { hasText: `涉事驾驶员已停岗培训 ${tag}` }).waitFor();
      await mine.locator('.progress-entry .adm-tag', { hasText: '第一分公司' }).waitFor();
      await shot(page, 'follow-up-tracking', MOBILE);

      // The ops department sees the same entries, its own note named 运营服务部.
      await act$('dispatcher2', t.id, 'record_follow_up', { comment: `电话回访举报人 ${tag}` });
      await signInAs(page, b.base, 'dispatcher2', '#/follow-ups');
      await page.getByText('跟踪办理', { exact: true }).click();
      const card = page.locator('[data-testid=tracked-ticket]', { hasText: t.subject });
      await card.locator('.progress-entry', { hasText: `电话回访举报人 ${tag}` }).waitFor();
      const entries = await card.locator('.progress-entry .adm-tag').allTextContents();
      assert.deepEqual(entries, ['运营服务部', '第一分公司'], 'newest first, each with who recorded it');
      await shot(page, 'follow-up-tracking', DESKTOP);
      await page.setViewportSize(MOBILE);

      // Chain B: the switch is on the upstream report (the step that closes it), for a help request.
      const h = await replied(`求助：站台无障碍坡道损坏 ${tag}`, {
        source: 'mayor_hotline',
        category: 'help',
        upstreamRef: `SZ-${tag}`,
        upstreamDeadline: new Date(Date.now() + 30 * 24 * 3600_000).toISOString(),
      });
      await act$('dispatcher1', h.id, 'pass_review');
      // The ops head's review on chain B goes on to the office: nothing closes there, no switch.
      await signInAs(page, b.base, 'ops_head', '#/inbox');
      await openTicket(h.id);
      assert.equal(await switchShown('审核通过'), false, 'no switch at the chain-B ops review');
      await act$('ops_head', h.id, 'pass_review');
      await act$('office_reviewer', h.id, 'pass_review');
      await signInAs(page, b.base, 'dispatcher1', '#/inbox');
      await openTicket(h.id);
      assert.equal(await switchShown('上报办结'), true, 'the switch on the chain-B upstream report');
    },
  );
  assert.deepEqual(b.errors, [], 'no console errors');
});

test('issue 15.7 (Art. 10): the ops department marks a closed ticket’s reply untrue with a reason and a new deadline; the unit corrects it', async () => {
  await withFailureShots(
    'untrue-reply',
    () => [page],
    async () => {
      const tag = Date.now().toString(36);
      const t = await replied(`投诉9路车辆未进站 ${tag}`, { category: 'complaint' });
      await act$('dispatcher1', t.id, 'pass_review');
      await act$('ops_head', t.id, 'pass_review');

      // A unit person has no such button.
      await signInAs(page, b.base, 'b1_leader', '#/inbox');
      await openTicket(t.id);
      assert.equal(await page.getByRole('button', { name: '记为回复不实', exact: true }).count(), 0);

      await signInAs(page, b.base, 'dispatcher1', '#/inbox');
      await openTicket(t.id);
      await page.locator('.action-bar').getByRole('button', { name: '记为回复不实', exact: true }).click();
      const popup = page.locator('.action-popup .adm-popup-body');
      await popup.locator('.untrue-reply-quote', { hasText: '经核实情况属实' }).waitFor();
      await shot(page, 'untrue-reply-form', MOBILE);
      // The reason is required.
      await popup.locator('button[type=submit]').click();
      await popup.getByText('请填写不实情况', { exact: true }).waitFor();
      await popup
        .getByPlaceholder('经调查哪些内容与事实不符、依据是什么', { exact: true })
        .fill(`调取监控：车辆未进站，回复称已进站不实 ${tag}`);
      await popup.locator('button[type=submit]').click();
      await page.locator('.adm-dialog-body').getByRole('button', { name: '确定' }).click();
      await popup.waitFor({ state: 'detached' });

      await page.locator('.ticket-number', { hasText: '办理中' }).waitFor();
      await page.locator('.assignment .untrue-tag', { hasText: '回复不实 1 次' }).waitFor();
      await page.locator('.timeline', { hasText: `回复称已进站不实 ${tag}` }).waitFor();
      await page.locator('.timeline .timeline-detail', { hasText: '改正后的最晚回复时间' }).waitFor();
      await shot(page, 'untrue-reply-timeline', DESKTOP);
      await page.setViewportSize(MOBILE);

      // The unit redoes it: its receiver may submit a corrected reply again.
      await signInAs(page, b.base, 'b1_receiver', '#/inbox');
      await openFromInbox(page, t.subject);
      await page.locator('.action-bar').getByRole('button', { name: '提交回复', exact: true }).waitFor();
    },
  );
  assert.deepEqual(b.errors, [], 'no console errors');
});
