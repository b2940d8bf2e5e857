// Shared by the end-to-end tests: the browser, users, and a few waits that
// poll the page (never blind sleeps).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

import { chromium } from 'playwright-core';

export const BASE = process.env.E2E_BASE_URL;
export const JWT_SECRET = process.env.E2E_JWT_SECRET;
export const ARTIFACTS = process.env.E2E_ARTIFACTS || 'test-artifacts/e2e';
assert.ok(BASE, 'E2E_BASE_URL is not set: run through scripts/e2e.sh (make e2e)');
mkdirSync(ARTIFACTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A fresh context (its own storage) and page, failing the test on page errors. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ baseURL: BASE, ...options });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(err));
  page.on('dialog', (dialog) => dialog.accept());
  return page;
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * Presses `button` until the auth request it sends (`path`) is not refused
 * with 429: the project's nginx lets 10 sign-ups and logins a minute through
 * per address (one more every 6 s), and the suites together need more.
 */
export async function submitAuth(page, button, path) {
  for (let attempt = 0; ; attempt++) {
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(path) && r.request().method() === 'POST'),
      page.getByRole('button', { name: button }).click(),
    ]);
    if (res.status() !== 429 || attempt === 8) return res;
    await page.waitForTimeout(6500);
  }
}

export async function signUp(page, username, password = 'e2e-password-1', displayName = '') {
  await page.goto('/signup');
  await page.getByLabel('Username').fill(username);
  if (displayName) await page.getByLabel('Display name').fill(displayName);
  await page.getByLabel('Password').fill(password);
  await submitAuth(page, 'Create account', '/api/v1/auth/register');
  await page.waitForURL('**/home');
}

export async function post(page, text) {
  await page.getByLabel(/New tweet|Your reply/).fill(text);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/tweets') && r.request().method() === 'POST'),
    page.getByRole('button', { name: /^(Tweet|Reply)$/ }).click(),
  ]);
  assert.equal(res.status(), 201, await res.text());
  return res.json();
}

/** An HS256 token signed with the server's key, for the expired-session case. */
export function token(claims) {
  const b64 = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${body}.${createHmac('sha256', JWT_SECRET).update(body).digest('base64url')}`;
}

/** A 24×16 PNG, made here so the test needs no fixture file. */
export function pngBytes() {
  const w = 24;
  const hgt = 16;
  const raw = Buffer.alloc((w * 3 + 1) * hgt);
  for (let y = 0; y < hgt; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) raw.set([x * 10, y * 15, 160], y * (w * 3 + 1) + 1 + x * 3);
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(hgt, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Waits until nothing in <main> is loading any more (and its eager images are in). */
export async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('main [aria-busy="true"]')
    && [...document.querySelectorAll('main img:not([loading="lazy"])')].every((img) => img.complete), null, { timeout: 15000 });
}

/**
 * Screenshots the page at 1280 and 360 px wide (and at 1280 in the dark
 * scheme) and runs axe-core on each: any "serious" or "critical" violation
 * fails. axe is injected as a script tag, which the site's
 * Content-Security-Policy (script-src 'self') would refuse: pages audited
 * this way come from a context made with bypassCSP (the story tests check
 * the policy itself).
 */
export async function audit(page, name) {
  for (const [width, scheme] of [[1280, 'light'], [360, 'light'], [1280, 'dark']]) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width, height: width > 600 ? 900 : 740 });
    await settled(page);
    await shot(page, `${name}-${width}${scheme === 'dark' ? '-dark' : ''}`);
    if (!(await page.evaluate(() => Boolean(window.axe)))) await page.addScriptTag({ path: AXE });
    const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    assert.deepEqual(bad, [], `${name} at ${width}px (${scheme}) has accessibility violations`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Logs in through the form. */
export async function logIn(page, username, password = 'e2e-password-1') {
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await submitAuth(page, 'Log in', '/api/v1/auth/login');
  await page.waitForURL('**/home');
}
