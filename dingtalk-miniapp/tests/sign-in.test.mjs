// Sign-in inside DingTalk, with DingTalk's side played by the test: the page runs under the
// Android client's user agent, and the test provides the client's JS bridge (window.nuva, which
// dingtalk-jsapi calls on Android) answering runtime.permission.requestAuthCode with a code that
// the DingTalk simulator minted. The app's code is the production code, unchanged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SIM, act, fillReply, signInAs, startBrowser, withFailureShots } from './helpers.mjs';

const ANDROID_DINGTALK_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 ' +
  'AliApp(DingTalk/7.6.10) com.alibaba.android.rimet/7.6.10 Channel/700159 language/zh-CN';

let b;
before(async () => {
  b = await startBrowser();
});
after(() => b?.stop());

async function sim(path, body) {
  assert.ok(SIM, 'set DINGTALK_SIM_URL (scripts/browser-test.mjs does)');
  const res = await fetch(`${SIM}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.equal(res.ok, true, `${path} → ${res.status}`);
  return res.json();
}

test('R-19: inside DingTalk, requestAuthCode gives a simulator-minted code and the app signs in with it', async () => {
  const { corpId } = await sim('/_sim/app');
  const { code } = await sim('/_sim/auth-code', { userid: 'b1_receiver' });
  const page = await b.newPage({ userAgent: ANDROID_DINGTALK_UA });
  await page.addInitScript(
    ({ code }) => {
      // The Android client's bridge: nuva.require() gives the function dingtalk-jsapi calls as
      // (onSuccess, onFail, namespace, method, params).
      window.__bridgeCalls = [];
      window.nuva = {
        isReady: true,
        require: () => (ok, fail, ns, method, params) => {
          window.__bridgeCalls.push({ api: `${ns}.${method}`, corpId: params?.corpId });
          if (`${ns}.${method}` === 'runtime.permission.requestAuthCode') ok({ code });
          else fail({ errorCode: '1', errorMessage: `not in this stub: ${ns}.${method}` });
        },
      };
    },
    { code },
  );
  await withFailureShots(
    'sign-in',
    () => [page],
    async () => {
      await page.goto(`${b.base}/?corpId=${encodeURIComponent(corpId)}#/me`);
      await page.locator('.me-name').getByText('赵强').waitFor();
      const calls = await page.evaluate(() => window.__bridgeCalls);
      assert.deepEqual(
        calls.filter((c) => c.api === 'runtime.permission.requestAuthCode'),
        [{ api: 'runtime.permission.requestAuthCode', corpId }],
      );
      assert.equal(await page.getByText('当前不在钉钉内').count(), 0, 'no demo picker inside DingTalk');
      // the session survives a reload without asking DingTalk again
      await page.reload();
      await page.locator('.me-name').getByText('赵强').waitFor();
    },
  );
  assert.deepEqual(b.errors, [], 'no console errors');
});

test('issue 6 item 1: an expired session sends you to sign-in without losing a half-written reply', async () => {
  const page = await b.newPage();
  await withFailureShots(
    'expiry',
    () => [page],
    async () => {
      // a ticket waiting for branch 1's reply
      const subject = `会话过期测试 ${Date.now().toString(36)}`;
      await signInAs(page, b.base, 'dispatcher1', '#/new');
      await page.getByText('咨询', { exact: true }).click();
      await page.getByPlaceholder('如：张先生', { exact: true }).fill('赵先生');
      await page.getByPlaceholder('手机或固话', { exact: true }).fill('13600003333');
      await page.getByPlaceholder('一句话概括，如：12路公交未停靠人民广场站', { exact: true }).fill(subject);
      await page.getByPlaceholder('来电人反映的情况和诉求', { exact: true }).fill('询问老年卡办理地点。');
      await page.getByRole('button', { name: '登记工单' }).click();
      await page.waitForURL(/#\/ticket\/[\w-]+$/);
      const id = page.url().split('/').pop();
      await act(page, '派单', (popup) => popup.getByText('第一分公司', { exact: true }).click());

      await signInAs(page, b.base, 'b1_receiver', `#/ticket/${id}`);
      await act(page, '签收');
      await page.locator('.action-bar').getByRole('button', { name: '提交回复', exact: true }).click();
      const popup = page.locator('.action-popup .adm-popup-body');
      await fillReply(popup, '老年卡可在各营业厅办理，需携带身份证。');

      // the token goes bad on the server's side (as after expiry): the next call answers 401
      await page.evaluate(() => {
        const s = JSON.parse(localStorage.getItem('hotline.session'));
        // …and so does its refresh token: the session is over, not just the access token
        localStorage.setItem('hotline.session', JSON.stringify({ ...s, token: `${s.token}x`, refreshToken: 'ended' }));
      });
      await popup.locator('button[type=submit]').click();
      await page.locator('.adm-dialog-body').getByRole('button', { name: '确定' }).click();
      await page.getByText('当前不在钉钉内').waitFor(); // back at sign-in

      // signing in again lands on the same ticket, and the reply is still there
      await page.getByText('b1_receiver', { exact: true }).click();
      await page.locator('.ticket-subject', { hasText: subject }).waitFor();
      await page.locator('.action-bar').getByRole('button', { name: '提交回复', exact: true }).click();
      await page.getByPlaceholder('调查核实情况、处理结果、依据', { exact: true }).waitFor();
      assert.equal(
        await page.getByPlaceholder('调查核实情况、处理结果、依据', { exact: true }).inputValue(),
        '老年卡可在各营业厅办理，需携带身份证。',
      );
    },
  );
  const unexpected = b.errors.filter((e) => !/status of 401/.test(e));
  assert.deepEqual(unexpected, [], 'no console errors besides the expected 401');
});

test('R-19: an access token that has run out is renewed with the refresh token, without a new sign-in', async () => {
  const page = await b.newPage();
  await withFailureShots(
    'renew',
    () => [page],
    async () => {
      await signInAs(page, b.base, 'b2_receiver', '#/inbox');
      const before = await page.evaluate(() => JSON.parse(localStorage.getItem('hotline.session')));
      assert.ok(before.refreshToken, 'the session holds a refresh token');
      // the access token goes bad (expired on the server's side); the refresh token is still good
      await page.evaluate(() => {
        const s = JSON.parse(localStorage.getItem('hotline.session'));
        localStorage.setItem('hotline.session', JSON.stringify({ ...s, token: `${s.token}x` }));
      });
      await page.reload();
      await page.locator('.adm-tab-bar').first().waitFor();
      await page.waitForFunction(
        (old) => JSON.parse(localStorage.getItem('hotline.session') ?? '{}').refreshToken !== old,
        before.refreshToken,
      );
      assert.equal(await page.getByText('当前不在钉钉内').count(), 0, 'still signed in');
      const after = await page.evaluate(() => JSON.parse(localStorage.getItem('hotline.session')));
      assert.notEqual(after.token, before.token);
      assert.equal(after.user.userid, 'b2_receiver');
    },
  );
  const unexpected = b.errors.filter((e) => !/status of 401/.test(e));
  assert.deepEqual(unexpected, [], 'no console errors besides the expected 401');
});
