// Issue 15 items 11 and 13 in the browser: the dashboard shows X-10's on-time close, first-time
// close and repeat rates per unit and the R-17 same-day dispatch table; the ledger shows a direct
// answer with its handler, every unit's reply of a lead + co ticket, and the ticket a merged one
// joined. Screenshots at 375×812 and 1280×800 in docs/screenshots/.
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

const as = (userid) => (method, path, body) => apiAs(userid, method, path, body);
const RECEIVER = { branch1: 'b1_receiver', branch2: 'b2_receiver', safety: 'safety_receiver' };
const LEADER = { branch1: 'b1_leader', branch2: 'b2_leader', safety: 'safety_leader' };

async function register(subject, phone, extra = {}) {
  return (await as('dispatcher1'))('POST', '/api/tickets', {
    source: 'group_hotline',
    channel: 'phone',
    category: 'complaint',
    subject,
    content: `${subject}，请核实处理。`,
    caller: { name: '钱女士', phone },
    route: '27',
    ...extra,
  });
}

async function reply(id, unit, content) {
  const r = await as(RECEIVER[unit]);
  await r('POST', `/api/tickets/${id}/actions/accept`, {});
  const now = new Date().toISOString();
  await r('POST', `/api/tickets/${id}/actions/submit_reply`, {
    content,
    handledAt: now,
    handler: unit === 'safety' ? '郑工' : '李队长',
    callerContact: { contacted: true, method: 'phone', at: now, summary: '已电话告知处理结果' },
    satisfaction: 'satisfied',
  });
  await (
    await as(LEADER[unit])
  )('POST', `/api/tickets/${id}/actions/approve_reply`, {});
}

async function close(id) {
  await (
    await as('dispatcher1')
  )('POST', `/api/tickets/${id}/actions/pass_review`, {});
  await (
    await as('ops_head')
  )('POST', `/api/tickets/${id}/actions/pass_review`, {});
}

test('X-10, R-17, R-15: the dashboard shows the close, repeat and dispatch figures; the ledger is complete', async () => {
  await withFailureShots('figures', () => [page], walk);
  assert.deepEqual(b.errors, [], 'no console errors');
});

async function walk() {
  const tag = Date.now().toString(36);
  const d = await as('dispatcher1');
  // The same caller twice about the same matter (complaint, route 27) → a repeat call at branch2.
  for (const n of [1, 2]) {
    const t = await register(`27路到站不停 ${tag}-${n}`, '13600003333');
    await d('POST', `/api/tickets/${t.id}/actions/dispatch`, { assignments: [{ unit: 'branch2', role: 'sole' }] });
    await reply(t.id, 'branch2', '已约谈驾驶员，加强到站停靠管理。');
    await close(t.id);
  }
  // A lead + co ticket: both units' replies belong in the ledger.
  const joint = await register(`27路站台积水 ${tag}`, '13600004444', { category: 'help' });
  await d('POST', `/api/tickets/${joint.id}/actions/dispatch`, {
    assignments: [
      { unit: 'branch1', role: 'lead' },
      { unit: 'safety', role: 'co' },
    ],
  });
  await reply(joint.id, 'safety', '安全技术科已检查排水设施。');
  await reply(joint.id, 'branch1', '第一分公司已清理站台积水。');
  // A second caller about the same puddle, merged into the open joint ticket (并单).
  const merged = await register(`站台积水又有人反映 ${tag}`, '13600005555', { category: 'help' });
  await d('POST', `/api/tickets/${merged.id}/actions/merge`, { into: joint.id });
  await close(joint.id);
  // A consultation answered on the phone.
  const direct = await register(`27路首班车时间 ${tag}`, '13600006666', { category: 'consultation' });
  await d('POST', `/api/tickets/${direct.id}/actions/answer_directly`, { answer: '27路首班车 6:10 发车。' });

  // The dashboard: the new columns per unit, and the same-day dispatch table.
  await signInAs(page, b.base, 'ops_head', '#/dashboard');
  const table = page.locator('[data-testid=unit-table]');
  await table.waitFor();
  for (const h of ['按时办结率', '一次办结率', '重复来电率']) await table.locator('th', { hasText: h }).waitFor();
  const header = await table.locator('th').allTextContents();
  const branch2 = await table.locator('tr', { hasText: '第二分公司' }).locator('td').allTextContents();
  const cell = (h) => branch2[header.indexOf(h)];
  assert.match(cell('按时办结率'), /^\d+\.\d%$/);
  assert.match(cell('一次办结率'), /^\d+\.\d%$/);
  assert.match(cell('重复来电率'), /^\d+\.\d%（\d+）$/, 'branch2 has at least the repeat call made here');
  const dispatch = page.locator('[data-testid=dispatch-table]');
  await dispatch.locator('tr', { hasText: '王敏' }).waitFor();
  const total = await dispatch.locator('tr', { hasText: '全部' }).locator('td').allTextContents();
  assert.ok(Number(total[1]) >= 3, 'the office-wide row counts the three tickets dispatched here');
  await shot(page, 'dashboard-figures', DESKTOP);
  await shot(page, 'dashboard-figures', MOBILE);

  // The ledger: direct answer, every unit's reply, the merged ticket's target.
  await page.setViewportSize(MOBILE);
  await page.goto(`${b.base}/#/ledger?q=${encodeURIComponent(tag)}`);
  const rows = page.locator('[data-testid=ledger-rows] .adm-list-item');
  const directRow = rows.filter({ hasText: direct.subject });
  await directRow.locator('[data-testid=ledger-direct-answer]', { hasText: '27路首班车 6:10 发车。' }).waitFor();
  assert.match(await directRow.textContent(), /直接答复 · 经办人 王敏（运营服务部）/);
  const jointRow = rows.filter({ hasText: joint.subject });
  const unitReplies = jointRow.locator('[data-testid=ledger-unit-replies] .ledger-unit-reply');
  await unitReplies.first().waitFor();
  assert.deepEqual(
    (await unitReplies.allTextContents()).map((s) => s.replace(/ \d{4}-\d{2}-\d{2} \d{2}:\d{2}/, '')),
    ['第一分公司（主办）李队长：第一分公司已清理站台积水。', '安全技术科（会办）郑工：安全技术科已检查排水设施。'],
  );
  await rows
    .filter({ hasText: merged.subject })
    .locator('[data-testid=ledger-merged]', { hasText: `已并入 ${joint.number}` })
    .waitFor();
  await shot(page, 'ledger-complete', MOBILE);
  await shot(page, 'ledger-complete', DESKTOP);
}
