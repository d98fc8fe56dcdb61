// DingTalk as a real company meets it (issue 13 items 5 and 7, issue 16 items 5 and 6): a receiver
// with no session taps the link of a work notice the simulator delivered and lands signed in on
// the ticket; the receiver reveals the caller's number with a reason and gets a tel: link; a
// 保密件 shows 保密; a mis-configured app says so at sign-in and on the admin page; a refused JSAPI
// signature says so. DingTalk's client is played as in sign-in.test.mjs: the Android user agent
// and the JS bridge (window.nuva) answering requestAuthCode with a simulator-minted code.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SIM, apiAs, signInAs, startBrowser, withFailureShots } from './helpers.mjs';

const ANDROID_DINGTALK_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 ' +
  'AliApp(DingTalk/7.6.10) com.alibaba.android.rimet/7.6.10 Channel/700159 language/zh-CN';

let b;
before(async () => {
  b = await startBrowser();
});
after(() => b?.stop());

async function sim(path, body, method) {
  assert.ok(SIM, 'set DINGTALK_SIM_URL (scripts/browser-test.mjs does)');
  const res = await fetch(`${SIM}${path}`, {
    method: method ?? (body ? 'POST' : 'GET'),
    headers: { 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.equal(res.ok, true, `${path} → ${res.status}`);
  return res.json();
}

async function until(what, check, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * A page inside "DingTalk on Android": requestAuthCode answers a code the simulator minted for
 * `userid`; requestJsApis (what dd.config calls) succeeds unless `refuseSignature`.
 */
async function dingTalkPage(userid, { refuseSignature = false } = {}) {
  const page = await b.newPage({ userAgent: ANDROID_DINGTALK_UA });
  await page.exposeFunction('__mintCode', async () => (await sim('/_sim/auth-code', { userid })).code);
  await page.addInitScript(
    ({ refuseSignature }) => {
      window.__bridgeCalls = [];
      window.nuva = {
        isReady: true,
        require: () => (ok, fail, ns, method, params) => {
          const api = `${ns}.${method}`;
          window.__bridgeCalls.push({ api, corpId: params?.corpId, signature: params?.signature });
          if (api === 'runtime.permission.requestAuthCode') void window.__mintCode().then((code) => ok({ code }));
          else if (api === 'runtime.permission.requestJsApis') {
            if (refuseSignature) fail({ errorCode: '3', errorMessage: '签名校验失败' });
            else ok({});
          } else fail({ errorCode: '1', errorMessage: `not in this stub: ${api}` });
        },
      };
    },
    { refuseSignature },
  );
  return page;
}

async function dispatchedTicket(subject, extra = {}) {
  const ticket = await apiAs('dispatcher1', 'POST', '/api/tickets', {
    source: 'group_hotline',
    channel: 'phone',
    category: 'complaint',
    subject,
    content: '乘客反映司机未到站即关门。',
    caller: { name: '钱女士', phone: '13912345678', address: '人民路 8 号' },
    ...extra,
  });
  await apiAs('dispatcher1', 'POST', `/api/tickets/${ticket.id}/actions/dispatch`, {
    assignments: [{ unit: 'branch1', role: 'sole' }],
  });
  return ticket;
}

test('issue 13 item 5: a receiver with no session taps the notice link as DingTalk delivered it and lands signed in on the ticket', async () => {
  const subject = `通知链接免登 ${Date.now().toString(36)}`;
  const ticket = await dispatchedTicket(subject);
  const { corpId } = await sim('/_sim/app');
  // the worker sends the notice; the simulator holds what b1_receiver's phone shows
  const notice = await until('the work notice', async () => {
    const inbox = await sim('/_sim/messages?userid=b1_receiver');
    return inbox.find((m) => m.links.some((l) => l.href?.includes(ticket.id)));
  });
  const link = notice.links.find((l) => l.href?.includes(ticket.id));
  assert.match(link.original, /^dingtalk:\/\/dingtalkclient\/page\/link\?url=/);
  assert.equal(new URL(link.href).searchParams.get('corpId'), corpId);

  const page = await dingTalkPage('b1_receiver');
  await withFailureShots(
    'notice-link',
    () => [page],
    async () => {
      await page.goto(link.href);
      await page.locator('.ticket-subject', { hasText: subject }).waitFor();
      assert.equal(await page.getByText('链接缺少 corpId').count(), 0);
      const calls = await page.evaluate(() => window.__bridgeCalls);
      assert.deepEqual(
        calls.filter((c) => c.api === 'runtime.permission.requestAuthCode').map((c) => c.corpId),
        [corpId],
      );
      const session = await page.evaluate(() => JSON.parse(localStorage.getItem('hotline.session')));
      assert.equal(session.user.userid, 'b1_receiver');
      await page.locator('.action-bar').getByRole('button', { name: '签收', exact: true }).waitFor();
    },
  );
  assert.deepEqual(b.errors, [], 'no console errors');
});

test('issue 13 item 7: the receiver reveals the caller with a reason and can call back; a 保密件 shows 保密, never null', async () => {
  const subject = `回拨来电人 ${Date.now().toString(36)}`;
  const ticket = await dispatchedTicket(subject);
  const secret = await dispatchedTicket(`保密件 ${Date.now().toString(36)}`, { confidential: true });
  const page = await b.newPage();
  await withFailureShots(
    'caller-reveal',
    () => [page],
    async () => {
      await signInAs(page, b.base, 'b1_receiver', `#/ticket/${ticket.id}`);
      await page.locator('.ticket-subject', { hasText: subject }).waitFor();
      const fact = page.locator('.caller-fact');
      assert.doesNotMatch(await fact.innerText(), /13912345678/, 'masked before the reveal');
      await fact.getByRole('button', { name: '查看来电人号码' }).click();
      const popup = page.locator('.action-popup .adm-popup-body');
      await popup.getByRole('button', { name: '查看号码' }).click();
      await popup.getByText('请填写查看原因').waitFor();
      await popup.getByPlaceholder('如：回电核实情况').fill('回电核实到站时间');
      await popup.getByRole('button', { name: '查看号码' }).click();
      const call = fact.locator('a.call-caller');
      await call.waitFor();
      assert.equal(await call.getAttribute('href'), 'tel:13912345678');
      assert.match(await fact.innerText(), /钱女士\s*13912345678/);
      await page.getByText('人民路 8 号').waitFor();
      // on the record
      const audit = await apiAs('admin', 'GET', `/api/admin/audit/caller-reveals?ticket=${ticket.id}`);
      assert.equal(audit[0].reason, '回电核实到站时间');

      await page.goto(`${b.base}/#/ticket/${secret.id}`);
      await page.locator('.ticket-subject', { hasText: '保密件' }).waitFor();
      const hidden = await page.locator('.caller-fact').innerText();
      assert.match(hidden, /保密/);
      assert.doesNotMatch(hidden, /null/);
      assert.equal(await page.getByRole('button', { name: '查看来电人号码' }).count(), 0);
    },
  );
  assert.deepEqual(b.errors, [], 'no console errors');
});

test('issue 16 item 5: DingTalk refusing the server IP (60020) at sign-in says the system is mis-configured, and the admin page shows it', async () => {
  await sim('/_sim/faults', { kind: 'ip_not_allowed', count: 1, path: '/topapi/v2/user/getuserinfo' });
  const { corpId } = await sim('/_sim/app');
  const page = await dingTalkPage('b2_receiver');
  const admin = await b.newPage();
  await withFailureShots(
    'misconfigured',
    () => [page, admin],
    async () => {
      await page.goto(`${b.base}/?corpId=${corpId}#/inbox`);
      await page.getByText('系统配置有误，暂时无法登录').waitFor();
      const text = await page.locator('.center-block').innerText();
      assert.match(text, /白名单/);
      assert.match(text, /60020/);
      assert.doesNotMatch(text, /登录码/);

      await signInAs(admin, b.base, 'admin', '#/admin');
      const card = admin.locator('#admin-dingtalk-config');
      await card.getByText('IP 不在白名单').waitFor();
      assert.match(await card.innerText(), /错误码 60020/);
      await card.getByRole('button', { name: '已处理' }).click();
      await admin.locator('.adm-dialog-body').getByRole('button', { name: '已处理' }).click();
      await card.getByText('未发现配置问题').waitFor();

      // the fault is gone: 重新登录 signs in
      await page.getByRole('button', { name: '重新登录' }).click();
      await page.locator('.adm-tab-bar').first().waitFor();
    },
  );
  const unexpected = b.errors.filter((e) => !/status of 503/.test(e));
  assert.deepEqual(unexpected, [], 'no console errors besides the expected 503');
});

test('issue 16 item 6: a JSAPI signature DingTalk refuses (dd.error) says so instead of a generic upload error', async () => {
  const subject = `签名被拒 ${Date.now().toString(36)}`;
  const ticket = await dispatchedTicket(subject);
  const { corpId } = await sim('/_sim/app');
  const page = await dingTalkPage('b1_receiver', { refuseSignature: true });
  const seen = b.errors.length;
  await withFailureShots(
    'jsapi-signature',
    () => [page],
    async () => {
      await page.goto(`${b.base}/?corpId=${corpId}#/ticket/${ticket.id}`);
      await page.locator('.ticket-subject', { hasText: subject }).waitFor();
      await page.locator('.attachment-picker').getByRole('button').first().click();
      await page.getByText('钉钉 JSAPI 鉴权失败').waitFor();
      assert.match(await page.locator('.adm-toast-main').innerText(), /签名/);
      const calls = await page.evaluate(() => window.__bridgeCalls);
      const auth = calls.find((c) => c.api === 'runtime.permission.requestJsApis');
      assert.match(auth?.signature ?? '', /^[0-9a-f]{40}$/, 'dd.config sent the server-made signature');
    },
  );
  // dingtalk-jsapi itself logs the refused dd.config (an object, printed as "Object")
  const unexpected = b.errors.slice(seen).filter((e) => e !== 'Object');
  assert.deepEqual(unexpected, [], 'no other console errors');
});

test('issue 16 item 3: a notice DingTalk accepted but did not deliver shows on the ticket page and the admin page', async () => {
  await sim('/_sim/notice-drops', { userid: 'b2_receiver', code: '143105' });
  const subject = `未送达 ${Date.now().toString(36)}`;
  const ticket = await apiAs('dispatcher1', 'POST', '/api/tickets', {
    source: 'group_hotline',
    channel: 'phone',
    category: 'complaint',
    subject,
    content: '用于送达检查：钉钉静默拦截了派单通知。',
    caller: { name: '孙先生', phone: '13700001111' },
  });
  await apiAs('dispatcher1', 'POST', `/api/tickets/${ticket.id}/actions/dispatch`, {
    assignments: [{ unit: 'branch2', role: 'sole' }],
  });
  // the worker checks each notice's send result about 10–40 s after sending it
  await until(
    'the delivery check',
    async () => (await apiAs('dispatcher1', 'GET', `/api/tickets/${ticket.id}/not-reached`)).length > 0,
    90_000,
  );
  const page = await b.newPage();
  await withFailureShots(
    'not-reached',
    () => [page],
    async () => {
      await signInAs(page, b.base, 'dispatcher1', `#/ticket/${ticket.id}`);
      const notice = page.locator('.not-reached');
      await notice.waitFor();
      assert.match(await notice.innerText(), /钉钉通知未送达[\s\S]*周洁：该员工今日接收的工作通知已达上限（143105）/);

      await signInAs(page, b.base, 'admin', '#/admin');
      const card = page.locator('#admin-not-reached');
      await card.getByText(ticket.number).waitFor();
      assert.match(await card.innerText(), /周洁/);
    },
  );
  assert.deepEqual(
    b.errors.filter((e) => !/status of 503/.test(e) && e !== 'Object'),
    [],
    'no console errors',
  );
});
