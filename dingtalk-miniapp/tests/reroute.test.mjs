// Issue 15.9 (改派; Art. 12): on the dispatcher's ticket page each unit's assignment still being
// worked on has a 改派 control: pick a unit not on the ticket, give a reason; the old unit's
// assignment shows 已改派 and its people have nothing left to do, the new unit has it to accept.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP,
  MOBILE,
  apiAs,
  shot,
  signInAs,
  smallTouchTargets,
  startBrowser,
  withFailureShots,
} from './helpers.mjs';

let b;
before(async () => {
  b = await startBrowser();
});
after(() => b?.stop());

/** A group-hotline complaint dispatched to branch 1 (lead) and the fare office (co); branch 1 accepted. */
async function dispatchedTicket(subject) {
  const ticket = await apiAs('dispatcher1', 'POST', '/api/tickets', {
    source: 'group_hotline',
    channel: 'phone',
    category: 'complaint',
    subject,
    content: '市民反映12路公交车在人民广场站未停车。',
    caller: { name: '张三', phone: '13812340000', address: '人民路1号' },
    route: '12',
  });
  await apiAs('dispatcher1', 'POST', `/api/tickets/${ticket.id}/actions/dispatch`, {
    assignments: [
      { unit: 'branch1', role: 'lead' },
      { unit: 'fare', role: 'co' },
    ],
  });
  await apiAs('b1_receiver', 'POST', `/api/tickets/${ticket.id}/actions/accept`, {});
  return ticket.id;
}

test('issue 15.9 (Art. 12): the dispatcher re-routes one unit from its assignment, with a unit picker and a reason', async () => {
  const page = await b.newPage();
  await withFailureShots(
    'reroute',
    () => [page],
    async () => {
      const subject = `12路未进站 改派 ${Date.now().toString(36)}`;
      const id = await dispatchedTicket(subject);

      await signInAs(page, b.base, 'dispatcher1', `#/ticket/${id}`);
      const branch1 = page.locator('.assignment', { hasText: '第一分公司' });
      await branch1.getByRole('button', { name: '改派', exact: true }).waitFor();
      // One control per assignment, none in the action bar.
      assert.equal(await page.locator('.assignment .reroute-button').count(), 2);
      assert.equal(await page.locator('.action-bar').getByRole('button', { name: '改派', exact: true }).count(), 0);
      assert.deepEqual(await smallTouchTargets(page), [], 'touch targets of at least 44 px on the ticket page');

      await branch1.getByRole('button', { name: '改派', exact: true }).click();
      const popup = page.locator('.action-popup .adm-popup-body');
      await popup.waitFor();
      assert.match(await popup.locator('.reroute-from').innerText(), /第一分公司（主办）.*承办方式仍为主办/);
      // The picker offers only units not on the ticket.
      const choices = await popup.locator('.reroute-units').innerText();
      assert.ok(choices.includes('第二分公司'), choices);
      assert.ok(!choices.includes('第一分公司') && !choices.includes('票务'), choices);

      // A reason is required.
      await popup.getByText('第二分公司', { exact: true }).click();
      await popup.locator('button[type=submit]').click();
      await popup.getByText('请填写改派理由').waitFor();
      await popup.getByPlaceholder('为什么改由该单位办理', { exact: true }).fill('12路属第二分公司线路');
      await shot(page, 'reroute', DESKTOP);
      await shot(page, 'reroute', MOBILE);
      assert.deepEqual(await smallTouchTargets(page), [], 'touch targets of at least 44 px in the 改派 form');
      await popup.locator('button[type=submit]').click();
      await page.locator('.adm-dialog-body').getByRole('button', { name: '确定' }).click();
      await popup.waitFor({ state: 'detached' });

      await branch1.locator('.adm-tag').getByText('已改派', { exact: true }).waitFor();
      const branch2 = page.locator('.assignment', { hasText: '第二分公司' });
      await branch2.getByText('待签收', { exact: true }).waitFor();
      await branch2.getByText('主办', { exact: true }).waitFor();
      assert.equal(await branch1.locator('.reroute-button').count(), 0, 'no 改派 of a withdrawn assignment');
      const timeline = await page.locator('.timeline').innerText();
      assert.match(timeline, /改派/);
      assert.match(timeline, /第一分公司 → 第二分公司/);
      assert.match(timeline, /12路属第二分公司线路/);

      // The withdrawn unit has nothing left to do; the new unit accepts.
      await signInAs(page, b.base, 'b1_receiver', `#/ticket/${id}`);
      await page.locator('.ticket-subject', { hasText: subject }).waitFor();
      assert.equal(await page.locator('.action-bar').count(), 0);
      assert.equal(await page.locator('.reroute-button').count(), 0, 'units do not re-route');
      await signInAs(page, b.base, 'b2_receiver', `#/ticket/${id}`);
      await page.locator('.action-bar').getByRole('button', { name: '签收', exact: true }).waitFor();
    },
  );
  assert.deepEqual(b.errors, [], 'no console errors');
});
