// Shared pieces of the micro-app's browser tests: one Chromium per test file, a context per
// persona, sign-in through the demo picker, and "open an action's form and submit it".
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, crc32 } from 'node:zlib';
import { chromium } from 'playwright-core';
import { DIST, startStaticServer } from './static-server.mjs';

export const API = process.env.HOTLINE_API_URL;
export const SIM = process.env.DINGTALK_SIM_URL;
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
export const MOBILE = { width: 375, height: 812 };
export const DESKTOP = { width: 1280, height: 800 };
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts the static server (dist/ + /api proxy) and Chromium; `stop()` ends both. */
export async function startBrowser() {
  assert.ok(API, 'set HOTLINE_API_URL to a running API (npm test does: scripts/browser-test.mjs)');
  assert.ok(existsSync(path.join(DIST, 'index.html')), 'dist/ is missing: run `npm run build` first');
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk`);
  mkdirSync(SHOTS, { recursive: true });
  const { server, url: base } = await startStaticServer(API, Number(process.env.MINIAPP_PORT ?? 0));
  // In Chinese, as on the phones DingTalk runs on: built-in widgets (a date input reads 2026/01/31,
  // not 01/31/2026) follow the browser's own language, which needs chromium-l10n installed.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...ARGS, '--lang=zh-CN'],
    env: { ...process.env, LANG: 'zh_CN.UTF-8', LANGUAGE: 'zh_CN:zh' },
  });
  const errors = [];
  /** A fresh context (its own localStorage: one persona) with console errors collected. */
  const newPage = async (options = {}) => {
    const context = await browser.newContext({
      viewport: MOBILE,
      deviceScaleFactor: 2,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      ...options,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${m.text()} @ ${m.location().url}`);
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    return page;
  };
  const stop = async () => {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  };
  return { base, browser, newPage, errors, stop };
}

/** Runs a walk; on failure saves a screenshot of every open page to the temp folder. */
/**
 * The API as a demo person, for set-up steps a test is not about (signs in with the dev sign-in
 * each call). Fails the test on a non-2xx answer; returns the parsed body (null when empty).
 */
export async function apiAs(userid, method, path, body) {
  const signIn = await fetch(`${API}/api/auth/dev`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userid }),
  });
  const { token } = await signIn.json();
  const res = await fetch(`${API}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `${userid} ${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function withFailureShots(name, pages, walk) {
  try {
    await walk();
  } catch (e) {
    for (const [i, p] of pages().entries()) {
      const file = path.join(os.tmpdir(), `miniapp-failure-${name}-${i}.png`);
      await p.screenshot({ path: file }).catch(() => {});
      console.error(`screenshot of the failure: ${file}`);
    }
    throw e;
  }
}

export async function signInAs(page, base, userid, hash = '#/inbox') {
  await page.goto(`${base}/${hash}`);
  await page.evaluate(() => localStorage.removeItem('hotline.session'));
  await page.reload();
  await page.getByText(userid, { exact: true }).click();
  await page.locator('.adm-tab-bar, .adm-nav-bar').first().waitFor();
}

export async function shot(page, name, viewport) {
  await page.setViewportSize(viewport);
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(SHOTS, `${name}-${viewport.width}x${viewport.height}.png`) });
}

/** Opens an action's form from the ticket page's action bar and submits it (confirming if asked). */
export async function act(page, buttonText, fill) {
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

/** Opens the ticket from the signed-in person's inbox. */
export async function openFromInbox(page, subject) {
  await page.locator('.inbox-item', { hasText: subject }).click();
  await page.waitForURL(/#\/ticket\/[\w-]+$/);
  await page.locator('.ticket-subject', { hasText: subject }).waitFor();
}

export async function fillReply(popup, content) {
  await popup.getByPlaceholder('调查核实情况、处理结果、依据', { exact: true }).fill(content);
  await popup
    .getByPlaceholder('告知的结果、过程和依据；来电人的意见', { exact: true })
    .fill('已电话告知来电人处理结果。');
}

/** `YYYY-MM-DDTHH:mm` in Asia/Shanghai, for datetime-local inputs. */
export function shanghaiInput(date) {
  return date.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).replace(' ', 'T').slice(0, 16);
}

/** A small real PNG (w × h, one colour), so thumbnails decode. */
export function pngBytes(w = 8, h = 8, rgb = [220, 40, 40]) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Visible buttons and choices smaller than 44 px in either direction that matters (issue 6). */
export async function smallTouchTargets(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('button, [role=option], .adm-list-item, .adm-tabs-tab')]
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && r.height > 0 && (r.height < 44 || r.width < 44))
      .map(
        ({ el, r }) =>
          `${el.className || el.tagName} "${el.textContent.trim().slice(0, 20)}" ${Math.round(r.width)}×${Math.round(r.height)}`,
      ),
  );
}
