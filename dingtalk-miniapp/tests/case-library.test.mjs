// Issue 15.12 (Art. 16 建档、案例分析) in the browser: the unit at fault finds the case analysis in
// its inbox and writes it; the case library searches text and filters by party kind and unit,
// newest first, opens a case; a unit's people see only their own units' cases (R-19).
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
const RECEIVER = { branch1: 'b1_receiver', branch2: 'b2_receiver' };
const LEADER = { branch1: 'b1_leader', branch2: 'b2_leader' };

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

test('issue 15.12 (Art. 16, R-16, R-19): the unit writes its case analysis; the case library searches and filters', async () => {
  await withFailureShots('case-library', () => [page], walk);
  assert.deepEqual(b.errors, [], 'no console errors');
});

async function walk() {
  const tag = Date.now().toString(36);
  const driverSubject = `7路驾驶员辱骂乘客 ${tag}`;
  const vehicleSubject = `9路车厢空调不制冷 ${tag}`;
  const t1 = await closedComplaint(driverSubject, 'branch1', '7');
  const t2 = await closedComplaint(vehicleSubject, 'branch2', '9');
  const ops = await as('ops_head');
  // The ops head decides at fault on the ticket page and leaves the case file to the unit.
  await signInAs(page, b.base, 'ops_head', `#/ticket/${t1.id}`);
  await page.locator('.ticket-subject', { hasText: driverSubject }).waitFor();
  await act(page, '责任认定', async (popup) => {
    await popup.locator('.adm-form-item', { hasText: '责任认定' }).getByText('有责', { exact: true }).click();
    await popup.getByPlaceholder('监控、调查记录等', { exact: true }).fill('车载视频显示驾驶员言语辱骂');
    await popup.locator('.adm-form-item', { hasText: '责任单位' }).getByText('第一分公司', { exact: true }).click();
    await popup.getByText('责任单位将收到待办，由其领导或接单员填写案例分析（第十六条）。').waitFor();
  });
  await page.locator('.case-file-card').getByText('待责任单位填写').waitFor();
  // The ops department writes the second one itself (it may complete any).
  await ops('POST', `/api/tickets/${t2.id}/actions/mark_responsible`, {
    atFault: true,
    basis: '维修记录显示空调故障报修延误',
    responsibleUnit: 'branch2',
    caseFile: {
      cause: `空调故障未及时报修 ${tag}`,
      partyKind: 'vehicle',
      party: '京A·90909',
      measures: '出车前检查空调，故障当日报修',
      lesson: '夏季出车前必须检查空调',
    },
  });

  // The leader of branch1 finds the analysis in the inbox and writes it on the ticket.
  await signInAs(page, b.base, 'b1_leader');
  await page.locator('.inbox-item', { hasText: driverSubject }).getByText('填写案例分析').waitFor();
  await openFromInbox(page, driverSubject);
  await page.locator('.case-file-card').getByText('待责任单位填写').waitFor();
  const cause = `驾驶员情绪失控，言语辱骂乘客 ${tag}`;
  await act(page, '填写案例分析', async (popup) => {
    await popup.getByText('运营服务部认定第一分公司有责').waitFor();
    await popup.locator('.adm-form-item', { hasText: '责任对象' }).getByText('驾驶员', { exact: true }).click();
    await popup.getByPlaceholder('如：1路驾驶员 1024 号', { exact: true }).fill('7路驾驶员 3021 号');
    await popup.locator('textarea#cause').fill(cause);
    await popup.locator('textarea#measures').fill('停岗培训五天，全队通报');
    await popup.locator('textarea#lesson').fill('遇到冲突先冷静，文明服务用语');
  });
  await page.locator('.case-file-card').getByText('7路驾驶员 3021 号', { exact: false }).waitFor();
  await signInAs(page, b.base, 'b1_leader');
  assert.equal(await page.locator('.inbox-item', { hasText: driverSubject }).count(), 0, 'the inbox item is gone');

  // The ops department's case library: both, newest first; search; party and unit filters; a case opens.
  await signInAs(page, b.base, 'dispatcher1', '#/me');
  await page.locator('.adm-list-item', { hasText: '案例库' }).click();
  await page.waitForURL(/#\/cases$/);
  const list = page.locator('[data-testid=case-list]');
  await list.getByText(cause).waitFor();
  const items = list.locator('.case-item');
  const texts = await items.allInnerTexts();
  const i1 = texts.findIndex((t) => t.includes(cause));
  const i2 = texts.findIndex((t) => t.includes(`空调故障未及时报修 ${tag}`));
  assert.ok(i1 >= 0 && i2 >= 0 && i2 < i1, 'newest decision first (the second was decided later)');
  await page.getByPlaceholder('搜索原因、责任对象、整改措施、教训、线路').fill(`辱骂乘客 ${tag}`);
  await page.getByRole('button', { name: '搜索', exact: true }).click();
  await list.getByText(cause).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=case-list] .case-item').length === 1);
  await page.getByPlaceholder('搜索原因、责任对象、整改措施、教训、线路').fill(tag);
  await page.getByRole('button', { name: '搜索', exact: true }).click();
  await page.locator('.case-party-filter').getByText('车辆', { exact: true }).click();
  await list.getByText(`空调故障未及时报修 ${tag}`).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=case-list] .case-item').length === 1);
  await page.locator('.case-party-filter').getByText('车辆', { exact: true }).click(); // off again
  await page.locator('.case-unit-filter').getByText('第一分公司', { exact: true }).click();
  await list.getByText(cause).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=case-list] .case-item').length === 1);
  await list.getByText(cause).click();
  const read = page.locator('[data-testid=case-read]');
  await read.getByText('停岗培训五天，全队通报').waitFor();
  await read.getByText('车载视频显示驾驶员言语辱骂').waitFor();
  await shot(page, 'case-library', MOBILE);
  await shot(page, 'case-library', DESKTOP);
  await read.getByRole('button', { name: '查看工单' }).click();
  await page.waitForURL(new RegExp(`#/ticket/${t1.id}$`));

  // branch2's receiver sees only branch2's case.
  await page.setViewportSize(MOBILE);
  await signInAs(page, b.base, 'b2_receiver', '#/cases');
  await list.getByText(`空调故障未及时报修 ${tag}`).waitFor();
  assert.equal(await list.getByText(cause).count(), 0, 'another unit’s case is not shown');
}
