// Browser test of the micro-app against a running API (HOTLINE_API_URL), driving Debian's chromium.
// Walks chain A's happy path across personas and writes screenshots to docs/screenshots/.
//   npm run build && HOTLINE_API_URL=http://127.0.0.1:3300 npm run test:browser
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { DIST, startStaticServer } from './static-server.mjs';

const API = process.env.HOTLINE_API_URL;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const MOBILE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 800 };

let server;
let base;
let context;
let page;
let profileDir;
const consoleErrors = [];

before(async () => {
  assert.ok(API, 'set HOTLINE_API_URL to a running API (npm test does: scripts/browser-test.mjs)');
  assert.ok(existsSync(path.join(DIST, 'index.html')), 'dist/ is missing: run `npm run build` first');
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk`);
  mkdirSync(SHOTS, { recursive: true });
  ({ server, url: base } = await startStaticServer(API));
  profileDir = mkdtempSync(path.join(os.tmpdir(), 'miniapp-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: MOBILE,
    deviceScaleFactor: 2,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
});

after(async () => {
  await context?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

async function signInAs(userid, hash = '#/inbox') {
  await page.goto(`${base}/${hash}`);
  await page.evaluate(() => localStorage.removeItem('hotline.session'));
  await page.reload();
  await page.getByText(userid, { exact: true }).click();
  await page.locator('.adm-tab-bar, .adm-nav-bar').first().waitFor();
}

async function shot(name, viewport) {
  await page.setViewportSize(viewport);
  await page.waitForTimeout(400);
  await page.screenshot({
    path: path.join(SHOTS, `${name}-${viewport.width}x${viewport.height}.png`),
    fullPage: false,
  });
}

/** Opens an action's form from the ticket page's action bar and submits it (confirming if asked). */
async function act(buttonText, fill) {
  await page.locator('.action-bar').getByRole('button', { name: buttonText, exact: true }).click();
  const popup = page.locator('.action-popup .adm-popup-body');
  await popup.waitFor();
  if (fill) await fill(popup);
  await popup.locator('button[type=submit]').click();
  const dialog = page.locator('.adm-dialog-body');
  const outcome = await Promise.race([
    dialog.waitFor({ state: 'visible' }).then(
      () => 'confirm',
      () => null,
    ),
    popup.waitFor({ state: 'detached' }).then(
      () => 'done',
      () => null,
    ),
  ]);
  if (outcome === 'confirm') await dialog.getByRole('button', { name: '确定' }).click();
  await popup.waitFor({ state: 'detached' });
}

test(
  'R-8, R-9, R-10: the dispatcher registers and dispatches; branch 1 accepts and replies; its leader approves',
  async () => {
    try {
      await walkChainA();
    } catch (e) {
      const file = path.join(os.tmpdir(), 'miniapp-failure.png');
      await page.screenshot({ path: file }).catch(() => {});
      console.error(`screenshot of the failure: ${file}`);
      throw e;
    }
    assert.deepEqual(consoleErrors, [], 'no console errors');
  },
);

async function walkChainA() {
  const subject = `12路公交未停靠人民广场站 ${Date.now().toString(36)}`;

  // dispatcher1 registers a ticket
  await signInAs('dispatcher1', '#/new');
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
  await shot('new-ticket', MOBILE);
  await shot('new-ticket', DESKTOP);
  await page.setViewportSize(MOBILE);
  await page.getByRole('button', { name: '登记工单' }).click();
  await page.waitForURL(/#\/ticket\/[\w-]+$/);
  const ticketId = page.url().split('/').pop();
  await page.getByText(subject).waitFor();
  await page.getByText('待派单').first().waitFor();

  // … and dispatches it to branch 1 (sole)
  await act('派单', async (popup) => {
    await popup.getByText('第一分公司', { exact: true }).click();
  });
  await page.getByText('办理中', { exact: true }).first().waitFor();
  await page.locator('.assignment-head').getByText('第一分公司', { exact: true }).waitFor();

  // b1_receiver sees it in the inbox, accepts and replies
  await signInAs('b1_receiver');
  const item = page.locator('.inbox-item', { hasText: subject });
  await item.waitFor();
  assert.match(await item.innerText(), /签收/);
  assert.match(await item.innerText(), /剩余|已超期/);
  await page.waitForTimeout(600); // the light's start time arrives from the ticket
  await shot('inbox', MOBILE);
  await shot('inbox', DESKTOP);
  await page.setViewportSize(MOBILE);
  await item.click();
  await page.waitForURL(new RegExp(`#/ticket/${ticketId}$`));
  await act('签收');
  await page.locator('.assignment .adm-tag').getByText('办理中', { exact: true }).waitFor();
  await act('提交回复', async (popup) => {
    await popup
      .getByPlaceholder('调查核实情况、处理结果、依据', { exact: true })
      .fill('经调查核实，该车驾驶员因进站车辆较多未按规定进站停靠。已对驾驶员进行批评教育并按规定考核。');
    await popup
      .getByPlaceholder('告知的结果、过程和依据；来电人的意见', { exact: true })
      .fill('已电话告知来电人处理结果，来电人表示认可。');
  });
  await page.locator('.assignment .adm-tag').getByText('待领导审批', { exact: true }).waitFor();

  // b1_leader approves the reply
  await signInAs('b1_leader');
  await page.locator('.inbox-item', { hasText: subject }).click();
  await page.waitForURL(new RegExp(`#/ticket/${ticketId}$`));
  await act('审批通过');
  await page.locator('.assignment .adm-tag').getByText('已回复', { exact: true }).waitFor();

  // the initiator opens it from a deep link (as from a DingTalk notice) at the review step
  await signInAs('dispatcher1', `#/ticket/${ticketId}`);
  await page.getByText('审核中 · 发起人审核').first().waitFor();
  await page.locator('.action-bar').getByRole('button', { name: '审核通过' }).waitFor();
  await shot('ticket', MOBILE);
  await shot('ticket', DESKTOP);
  await page.setViewportSize(MOBILE);
}
