// The whole story, as two people would use Tweets, in real Chromium through
// the project's nginx config in front of the real API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { BASE, launch, newPage, pngBytes, post, shot, signUp, submitAuth, token } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const stamp = Date.now().toString(36).slice(-5);
const alice = `alice_${stamp}`;
const bob = `bob_${stamp}`;

test('two people sign up, post, follow, like, reply, delete and edit their profiles', async () => {
  const a = await newPage(browser);
  const b = await newPage(browser);

  // Alice signs up from the landing page.
  await a.goto('/');
  await a.getByRole('link', { name: 'Sign up' }).first().click();
  await a.waitForURL('**/signup');
  await a.getByLabel('Username').fill(alice);
  await a.getByLabel('Display name').fill('Alice A.');
  await a.getByLabel('Password').fill('short');
  await a.getByRole('button', { name: 'Create account' }).click();
  // The server's validation shows next to the field it concerns.
  await a.locator('.field-error', { hasText: 'password' }).waitFor();
  await a.getByLabel('Password').fill('e2e-password-1');
  await a.getByRole('button', { name: 'Create account' }).click();
  await a.waitForURL('**/home');
  await a.getByText('Your home timeline is empty').waitFor();

  // The counter counts as the server does: emoji are one each, spaces around don't count.
  const box = a.getByLabel('New tweet');
  await box.fill('  😀😀 hi  ');
  assert.equal(await a.locator('.counter').textContent(), String(280 - 5));
  await box.fill('x'.repeat(281));
  assert.equal(await a.locator('.counter').textContent(), '-1');
  assert.equal(await a.getByRole('button', { name: 'Tweet' }).isDisabled(), true);

  // A tweet with an image: preview first, then the stored image.
  await box.fill(`Hello from ${alice}! #e2e https://example.com`);
  await a.locator('input[type=file][name=image]').setInputFiles({ name: 'pic.png', mimeType: 'image/png', buffer: pngBytes() });
  await a.getByAltText('Preview of the attached image').waitFor();
  await a.getByRole('button', { name: 'Tweet' }).click();
  const first = a.locator('.tweet').first();
  await first.getByText(`Hello from ${alice}!`).waitFor();
  const img = first.locator('img.tweet-image');
  await img.waitFor();
  await a.waitForFunction((el) => el.complete, await img.elementHandle(), { timeout: 10000 });
  assert.equal(await img.evaluate((el) => el.naturalWidth), 24, 'the stored image loads');
  assert.match(await img.getAttribute('src'), /^\/media\/[0-9a-f]{2}\/[0-9a-f]{32}\.png$/);
  // Links are real links, hashtags and mentions go inside the app.
  assert.equal(await first.getByRole('link', { name: 'https://example.com' }).getAttribute('rel'), 'noopener noreferrer nofollow ugc');
  assert.equal(await first.getByRole('link', { name: '#e2e' }).getAttribute('href'), '/tag/e2e');

  // Markup in a tweet is text, and runs nothing.
  const xss = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> @${bob}`;
  await post(a, xss);
  await a.locator('.tweet-text', { hasText: '<script>window.__xss=1</script>' }).waitFor();
  assert.equal(await a.evaluate(() => window.__xss), undefined);
  assert.equal(await a.locator('.tweet-text img').count(), 0);
  await shot(a, '01-alice-home');

  // Bob signs up, finds Alice on Explore, and follows her.
  await signUp(b, bob);
  await b.goto('/');
  await b.locator('.tweet').first().getByRole('link', { name: 'Alice A.' }).click();
  await b.waitForURL(`**/u/${alice}`);
  await b.getByRole('heading', { name: 'Alice A.' }).waitFor();
  await b.getByRole('button', { name: 'Follow' }).click();
  await b.getByRole('button', { name: 'Unfollow' }).waitFor();
  assert.equal(await b.locator('.followers strong').textContent(), '1');
  await shot(b, '02-bob-on-alice-profile');

  // Bob's home timeline has Alice's tweets; he likes one at once (optimistic).
  await b.getByRole('link', { name: 'Home' }).click();
  const liked = b.locator('.tweet', { hasText: `Hello from ${alice}!` });
  await liked.waitFor();
  await liked.getByRole('button', { name: 'Like' }).click();
  await liked.locator('.like[aria-pressed="true"]', { hasText: '1' }).waitFor();
  // It stuck on the server: a reload shows it liked.
  await b.reload();
  await b.locator('.tweet', { hasText: `Hello from ${alice}!` }).locator('.like[aria-pressed="true"]').waitFor();

  // A failed like is rolled back with a message.
  await b.route('**/api/v1/tweets/*/like', (route) => route.fulfill({
    status: 503, contentType: 'application/problem+json',
    body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'the database is unavailable' }),
  }));
  const other = b.locator('.tweet', { hasText: '<script>' });
  await other.getByRole('button', { name: 'Like' }).click();
  await b.locator('.flash-error', { hasText: 'the database is unavailable' }).waitFor();
  await other.locator('.like[aria-pressed="false"]', { hasText: '0' }).waitFor();
  await b.unroute('**/api/v1/tweets/*/like');

  // Bob replies in the thread.
  const target = b.locator('.tweet', { hasText: `Hello from ${alice}!` });
  await target.locator('time').click();
  await b.waitForURL(/\/t\/\d+$/);
  const threadUrl = b.url();
  await b.getByText('No replies yet.').waitFor();
  await post(b, `Welcome, @${alice}!`);
  await b.locator('.tweet-list .tweet', { hasText: 'Welcome,' }).waitFor();
  // The thread's own count follows.
  await b.locator('.tweet.focal').getByRole('link', { name: '1 reply' }).waitFor();
  await shot(b, '03-thread');

  // Alice, on Explore, is told about Bob's new tweet without a reload.
  await a.getByRole('link', { name: 'Explore' }).click();
  await a.locator('.tweet').first().waitFor();
  await post(b, 'Bob was here');
  // Coming back to the tab checks for new tweets at once (else every 15 s).
  await a.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  const notice = a.getByRole('button', { name: /Show 1 new tweet/ });
  await notice.waitFor();
  await notice.click();
  await a.locator('.tweet').first().getByText('Bob was here').waitFor();

  // Alice deletes her markup tweet (after confirming).
  const doomed = a.locator('.tweet', { hasText: '<script>' });
  await doomed.getByRole('button', { name: 'Delete' }).click();
  await doomed.waitFor({ state: 'detached' });
  await a.reload();
  await a.locator('.tweet').first().waitFor();
  assert.equal(await a.locator('.tweet', { hasText: '<script>' }).count(), 0);

  // Alice edits her profile and avatar.
  await a.getByRole('link', { name: 'Settings' }).click();
  await a.getByLabel('Display name').fill('Alice Liddell');
  await a.getByLabel('Bio').fill('Down the rabbit hole #e2e');
  await a.getByRole('button', { name: 'Save profile' }).click();
  await a.getByText('Saved.').waitFor();
  await a.getByLabel('Image').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: pngBytes() });
  await a.getByRole('button', { name: 'Upload avatar' }).click();
  await a.getByText('Avatar updated.').waitFor();
  // A non-image is refused with the server's message.
  await a.getByLabel('Image').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image') });
  await a.getByRole('button', { name: 'Upload avatar' }).click();
  await a.locator('.form-status.error', { hasText: 'PNG, JPEG, GIF or WebP' }).waitFor();
  await a.getByRole('link', { name: 'Profile' }).click();
  await a.getByRole('heading', { name: 'Alice Liddell' }).waitFor();
  await a.getByText('Down the rabbit hole').waitFor();
  assert.match(await a.locator('.profile img.avatar').getAttribute('src'), /^\/media\//);
  await shot(a, '04-alice-profile');

  // Deep links survive a reload through nginx.
  for (const url of [threadUrl, `${BASE}/u/${bob}`, `${BASE}/tag/e2e`]) {
    const res = await b.goto(url);
    assert.equal(res.status(), 200, url);
    await b.locator('main h1').waitFor();
  }
  await b.getByText(`Hello from ${alice}!`).waitFor(); // the hashtag page found it

  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
  await a.context().close();
  await b.context().close();
});

test('an expired access token is renewed from the refresh cookie, an ended session returns to login', async () => {
  const page = await newPage(browser);
  await signUp(page, `carol_${stamp}`);
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('tweets.session')));
  // The refresh token never reaches script: it is an HttpOnly cookie for /api/v1/auth only.
  assert.equal(JSON.stringify(stored).includes('refresh'), false);
  const [cookie] = await page.context().cookies();
  assert.equal(cookie.name, 'tweets_refresh');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.secure, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.equal(cookie.path, '/api/v1/auth');
  assert.equal(await page.evaluate(() => document.cookie), '');

  const { sid } = JSON.parse(Buffer.from(stored.token.split('.')[1], 'base64url').toString());
  const now = Math.floor(Date.now() / 1000);
  const expired = token({ sub: String(stored.user.id), sid, iat: now - 7200, exp: now - 3600 });
  const setToken = (t) => page.evaluate((value) => {
    const s = JSON.parse(localStorage.getItem('tweets.session'));
    localStorage.setItem('tweets.session', JSON.stringify({ ...s, token: value }));
  }, t);
  await setToken(expired);
  const [refresh] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh')),
    page.goto('/home'),
  ]);
  assert.equal(refresh.status(), 200);
  await page.getByRole('heading', { name: 'Home' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/home');
  const renewed = await page.evaluate(() => JSON.parse(localStorage.getItem('tweets.session')).token);
  assert.notEqual(renewed, expired);

  // Without the cookie (another browser, or signed out elsewhere) the session is over.
  await page.context().clearCookies();
  await setToken(expired);
  await page.goto('/home');
  await page.waitForURL('**/login?next=%2Fhome');
  await page.getByRole('alert').filter({ hasText: 'Your session has expired' }).waitFor();
  await shot(page, '05-expired-session');
  // Logging in again goes back where they were.
  await page.getByLabel('Username').fill(`carol_${stamp}`);
  await page.getByLabel('Password').fill('e2e-password-1');
  // nginx allows 10 sign-ins a minute from one address: the whole suite
  // shares it, so a 429 is waited out (as every other sign-in here does).
  const login = await submitAuth(page, 'Log in', '/api/v1/auth/login');
  assert.equal(login.status(), 200);
  await page.waitForURL('**/home');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('navigation').getByRole('link', { name: 'Log in' }).waitFor();
  await page.context().close();
});

test('on a 360 px phone screen everything fits and works', async () => {
  const page = await newPage(browser, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await signUp(page, `dana_${stamp}`);
  await post(page, `A phone tweet with a long word: ${'supercalifragilistic'.repeat(4)}`);
  await page.goto('/');
  await page.locator('.tweet').first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await shot(page, '06-narrow');
  await page.context().close();
});

test('pages are accessible: labelled fields, landmarks, keyboard focus', async () => {
  const page = await newPage(browser);
  await page.goto('/signup');
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, textarea, select')]
    .filter((el) => !el.labels?.length && !el.getAttribute('aria-label')).map((el) => el.name));
  assert.deepEqual(unlabelled, []);
  assert.equal(await page.locator('header nav').count(), 1);
  assert.equal(await page.locator('main').count(), 1);
  // The skip link is the first stop and shows itself when focused.
  assert.equal(await page.evaluate(() => document.querySelector('a, button, input, textarea').className), 'skip-link');
  await page.locator('.skip-link').focus();
  assert.ok((await page.locator('.skip-link').boundingBox()).x >= 0, 'the skip link comes into view');
  // Fields follow each other with Tab, in reading order.
  await page.getByLabel('Username').click();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'display_name');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'password');
  // The security headers from nginx are on the page.
  const res = await page.goto('/');
  const headers = res.headers();
  assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
  assert.match(headers['content-security-policy'], /script-src 'self'/);
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.ok(headers['referrer-policy']);
  assert.ok(headers['permissions-policy']);
  assert.equal(headers.server, 'nginx');
  // Over HTTPS only: HSTS for two years, and plain HTTP sends people there.
  assert.equal(new URL(page.url()).protocol, 'https:');
  assert.equal(headers['strict-transport-security'], 'max-age=63072000; includeSubDomains');
  const plain = await fetch(`${process.env.E2E_HTTP_URL}/u/somebody?x=1`, { redirect: 'manual' });
  assert.equal(plain.status, 308);
  assert.equal(plain.headers.get('location'), `${BASE}/u/somebody?x=1`);
  assert.equal(plain.headers.get('strict-transport-security'), null);
  const health = await fetch(`${process.env.E2E_HTTP_URL}/nginx-health`);
  assert.equal(health.status, 200);
  await page.context().close();
});
