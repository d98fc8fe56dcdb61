// Chain A's happy path across personas, and the screenshots of the inbox, the ticket page and
// the new-ticket form at 375×812 and 1280×800 (docs/screenshots/, linked from the README).
//   npm run build && HOTLINE_API_URL=http://127.0.0.1:3300 npm run test:browser
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP,
  MOBILE,
  act,
  fillReply,
  pngBytes,
  shot,
  signInAs,
  smallTouchTargets,
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

test('R-8, R-9, R-10, R-13 (issue 15.8): the dispatcher registers and dispatches; branch 1 accepts and replies (caller not reached, with the reason); its leader approves', async () => {
  await withFailureShots('chain-a', () => [page], walkChainA);
  assert.deepEqual(b.errors, [], 'no console errors');
});

async function walkChainA() {
  const subject = `12路公交未停靠人民广场站 ${Date.now().toString(36)}`;

  // dispatcher1 registers a ticket
  await signInAs(page, b.base, 'dispatcher1', '#/new');
  await page.getByText('登记工单', { exact: true }).first().waitFor();
  await page.getByText('投诉', { exact: true }).click();
  await page.getByPlaceholder('如：张先生', { exact: true }).fill('张先生');
  await page.getByPlaceholder('手机或固话', { exact: true }).fill('13812345678');
  await page.getByPlaceholder('来电人地址', { exact: true }).fill('人民路 1 号');
  await page.getByPlaceholder('一句话概括，如：12路公交未停靠人民广场站', { exact: true }).fill(subject);
  await page
    .getByPlaceholder('来电人反映的情况和诉求', { exact: true })
    .fill('今天早上 8 点左右，12 路公交车在人民广场站没有停靠，乘客无法上车，希望核实处理。');
  await page.getByPlaceholder('如：12路', { exact: true }).fill('12路');
  await page.getByPlaceholder('如：人民广场', { exact: true }).fill('人民广场');
  await page.getByPlaceholder('如：苏A12345', { exact: true }).fill('苏A12345');
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'new-ticket', MOBILE);
  await shot(page, 'new-ticket', DESKTOP);
  await page.setViewportSize(MOBILE);
  await page.getByRole('button', { name: '登记工单' }).click();
  await page.waitForURL(/#\/ticket\/[\w-]+$/);
  const ticketId = page.url().split('/').pop();
  await page.getByText(subject).waitFor();
  await page.getByText('待派单').first().waitFor();

  // … and dispatches it to branch 1 (sole)
  await act(page, '派单', async (popup) => {
    await popup.getByText('第一分公司', { exact: true }).click();
  });
  await page.getByText('办理中', { exact: true }).first().waitFor();
  await page.locator('.assignment-head').getByText('第一分公司', { exact: true }).waitFor();

  // b1_receiver sees it in the inbox, accepts and replies
  await signInAs(page, b.base, 'b1_receiver');
  const item = page.locator('.inbox-item', { hasText: subject });
  await item.waitFor();
  assert.match(await item.innerText(), /签收/);
  assert.match(await item.innerText(), /剩余|已超期/);
  // the light comes with the inbox item (the API computes it on the working-day calendar).
  await item.locator('.deadline-green').waitFor();
  assert.deepEqual(await smallTouchTargets(page), [], 'touch targets of at least 44 px in the inbox');
  await shot(page, 'inbox', MOBILE);
  await shot(page, 'inbox', DESKTOP);
  await page.setViewportSize(MOBILE);
  await item.click();
  await page.waitForURL(new RegExp(`#/ticket/${ticketId}$`));
  await act(page, '签收');
  await page.locator('.assignment .adm-tag').getByText('办理中', { exact: true }).waitFor();
  await act(page, '提交回复', async (popup) => {
    await fillReply(
      popup,
      '经调查核实，该车驾驶员因进站车辆较多未按规定进站停靠。已对驾驶员进行批评教育并按规定考核。',
    );
    // R-13, issue 15.8: switched to 未联系, a reason is required before the form submits.
    await popup.locator('.adm-form-item', { hasText: '已联系来电人' }).getByRole('switch').click();
    await popup.locator('button[type=submit]').click();
    await popup.getByText('请选择未联系来电人的原因', { exact: true }).waitFor();
    await popup.getByText('三次联系未接通/拒接', { exact: true }).click();
    await popup
      .getByPlaceholder('每次联系的时间和方式（三次未接通须逐次写明）；选“其他”的写明原因', { exact: true })
      .fill('9:10、14:30、17:05 三次拨打来电号码均未接通。');
    // a photo for the reply, through the file input (outside DingTalk)
    await page.locator('.reply-files input[type=file]').setInputFiles({
      name: '现场照片.png',
      mimeType: 'image/png',
      buffer: pngBytes(64, 48, [30, 120, 220]),
    });
    await page.locator('.reply-files .thumb img').waitFor();
  });
  await page.locator('.assignment .thumb img').waitFor();
  await page.locator('.assignment .adm-tag').getByText('待领导审批', { exact: true }).waitFor();
  await page
    .locator('.assignment')
    .getByText(/来电人：未联系：三次联系未接通\/拒接/)
    .waitFor();

  // b1_leader approves the reply
  await signInAs(page, b.base, 'b1_leader');
  await page.locator('.inbox-item', { hasText: subject }).click();
  await page.waitForURL(new RegExp(`#/ticket/${ticketId}$`));
  await act(page, '审批回复');
  await page.locator('.assignment .adm-tag').getByText('已回复', { exact: true }).waitFor();

  // the initiator opens it from a deep link (as from a DingTalk notice) at the review step
  await signInAs(page, b.base, 'dispatcher1', `#/ticket/${ticketId}`);
  await page.getByText('审核中 · 发起人审核').first().waitFor();
  // the review step shows its own deadline (the policy's review limit, one working day).
  assert.match(await page.locator('.step-deadline').innerText(), /本环节（发起人审核）最晚：/);
  await page.locator('.action-bar').getByRole('button', { name: '审核通过' }).waitFor();
  await shot(page, 'ticket', MOBILE);
  await shot(page, 'ticket', DESKTOP);
  await page.setViewportSize(MOBILE);
  assert.deepEqual(await smallTouchTargets(page), [], 'touch targets of at least 44 px on the ticket page');
  await page.locator('.action-bar').getByRole('button', { name: '审核通过' }).click();
  await page.locator('.action-popup .adm-popup-body').waitFor();
  assert.deepEqual(await smallTouchTargets(page), [], 'touch targets of at least 44 px in an action form');
}
