// The social features as four people would use them, in real Chromium
// through nginx against the real API: an image with its description and
// the lightbox, reposts, "Replying to @…", a thread with what it answers,
// notifications and their badge, mute and block; then every page at 1280
// and 360 px, screenshotted and checked with axe-core.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { audit, launch, newPage, pngBytes, post, settled, shot, signUp } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const stamp = Date.now().toString(36).slice(-5);
const ana = `ana_${stamp}`;
const ben = `ben_${stamp}`;
const cy = `cy_${stamp}`;
const dee = `dee_${stamp}`;
const ALT = 'A gradient of blue and purple squares';
const pressed = (locator) => locator.getAttribute('aria-pressed');
let threadId = 0;
let anaSession = null;

test('images with alt text, reposts, replies, threads, notifications, mute and block', async () => {
  const [a, b, c, d] = await Promise.all([0, 1, 2, 3].map(() => newPage(browser)));
  await signUp(a, ana, undefined, 'Ana');
  await signUp(b, ben, undefined, 'Ben');
  await signUp(c, cy, undefined, 'Cy');
  await signUp(d, dee, undefined, 'Dee');

  // The image button: a real label for a hidden, focusable input; name, preview, alt field, remove.
  await a.getByLabel('New tweet').fill('Sunset over the bay #social');
  const alt = a.getByLabel('Image description (alt text)');
  assert.equal(await alt.isVisible(), false, 'no description field before an image');
  const file = a.getByLabel('Add image');
  await a.getByLabel('New tweet').press('Tab');
  assert.equal(await file.evaluate((el) => el === document.activeElement), true, 'Tab reaches the image button');
  assert.equal(await a.locator('label.attach').evaluate((el) => getComputedStyle(el).outlineStyle), 'solid', 'the label shows keyboard focus');
  await a.evaluate(() => {
    window.revoked = [];
    const revoke = URL.revokeObjectURL.bind(URL);
    URL.revokeObjectURL = (url) => { window.revoked.push(url); revoke(url); };
  });
  await file.setInputFiles({ name: 'first.png', mimeType: 'image/png', buffer: pngBytes() });
  await a.locator('.file-name', { hasText: 'first.png' }).waitFor();
  const firstUrl = await a.getByAltText('Preview of the attached image').getAttribute('src');
  assert.match(firstUrl, /^blob:/);
  await a.getByLabel('Change image').setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: pngBytes() });
  await a.locator('.file-name', { hasText: 'sunset.png' }).waitFor();
  assert.deepEqual(await a.evaluate(() => window.revoked), [firstUrl], 'a replaced preview is revoked');
  await a.getByRole('button', { name: 'Remove image' }).click();
  await alt.waitFor({ state: 'hidden' });
  assert.equal(await a.evaluate(() => window.revoked.length), 2, 'a removed preview is revoked');
  await a.getByLabel('Add image').setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: pngBytes() });
  await alt.fill(ALT);
  await shot(a, 'social-composer-image');
  const [res] = await Promise.all([
    a.waitForResponse((r) => r.url().endsWith('/api/v1/tweets') && r.request().method() === 'POST'),
    a.getByRole('button', { name: 'Tweet', exact: true }).click(),
  ]);
  assert.equal(res.status(), 201, await res.text());
  const sunset = await res.json();
  assert.equal(sunset.image_alt, ALT);
  const card = a.locator(`.tweet[data-id="${sunset.id}"]`);
  assert.equal(await card.locator('img.tweet-image').getAttribute('alt'), ALT);

  // The lightbox: a modal dialog with the image and its description; Esc or Close, focus back.
  const thumb = card.locator('.image-button');
  await thumb.click();
  const dialog = a.getByRole('dialog');
  await dialog.waitFor();
  assert.equal(await dialog.locator('img').getAttribute('alt'), ALT);
  await dialog.getByText(ALT).waitFor();
  await a.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await thumb.evaluate((el) => el === document.activeElement), true, 'Esc gives focus back');
  await thumb.press('Enter');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await thumb.evaluate((el) => el === document.activeElement), true, 'Close gives focus back');

  // Ben follows Ana, Cy follows Ben; Ben reposts Ana's tweet into Cy's home timeline.
  for (const [page, whom] of [[b, ana], [c, ben]]) {
    await page.goto(`/u/${whom}`);
    await page.getByRole('button', { name: 'Follow', exact: true }).click();
    await page.getByRole('button', { name: 'Unfollow' }).waitFor();
  }
  await b.goto(`/u/${ana}`);
  const onProfile = b.locator(`.tweet[data-id="${sunset.id}"]`);
  const repost = onProfile.getByRole('button', { name: /^Repost/ });
  assert.equal(await pressed(repost), 'false');
  await repost.click();
  await onProfile.locator('.repost[aria-pressed="true"]', { hasText: '1' }).waitFor();
  assert.equal(await repost.getAttribute('aria-label'), null, 'the name is its visible text');
  await c.goto('/home');
  const reposted = c.locator(`.tweet[data-id="${sunset.id}"]`);
  await reposted.locator('.repost-note', { hasText: 'Ben reposted' }).waitFor();
  await shot(c, 'social-home-repost');
  assert.equal(await reposted.locator('.repost-note a').getAttribute('href'), `/u/${ben}`);
  assert.match(await reposted.locator('.action.repost').textContent(), /1$/);
  // Undone, it leaves Cy's timeline; the count goes back.
  await repost.click();
  await onProfile.locator('.repost[aria-pressed="false"]', { hasText: '0' }).waitFor();
  await c.reload();
  await c.getByText('Your home timeline is empty').waitFor();
  assert.equal(await c.locator(`.tweet[data-id="${sunset.id}"]`).count(), 0);

  // Three likes make one group.
  for (const page of [b, c, d]) {
    await page.goto(`/t/${sunset.id}`);
    await page.locator('.tweet.focal').getByRole('button', { name: /^Like/ }).click();
    await page.locator('.tweet.focal .like[aria-pressed="true"]').waitFor();
  }
  // Ben replies; his reply says whom it answers. Cy answers Ben.
  await b.goto(`/t/${sunset.id}`);
  const benReply = await post(b, 'Lovely colours!');
  await b.locator('.thread-replies .tweet', { hasText: 'Lovely colours!' }).waitFor();
  assert.equal(await b.locator('.thread .reply-note, .thread-replies .reply-note').count(), 0, 'no "Replying to" inside a thread');
  await b.goto('/home');
  const replyCard = b.locator(`.tweet[data-id="${benReply.id}"]`);
  await replyCard.getByText('Replying to').waitFor();
  assert.equal(await replyCard.locator('.reply-note a').textContent(), `@${ana}`);
  assert.equal(await replyCard.locator('.reply-note a').getAttribute('href'), `/u/${ana}`);
  await c.goto(`/t/${benReply.id}`);
  const cyReply = await post(c, 'Agreed!');
  threadId = cyReply.id;

  // Cy's reply in its thread: Ana's tweet, then Ben's, above it; it is the highlighted one.
  await c.goto(`/t/${cyReply.id}`);
  await settled(c);
  assert.deepEqual(await c.locator('.thread-ancestors .tweet-text').allTextContents(), ['Sunset over the bay #social', 'Lovely colours!']);
  assert.equal(await c.locator('.tweet.focal .tweet-text').textContent(), 'Agreed!');
  assert.equal(await c.locator('.thread .reply-note').count(), 0);

  // Ana sees the unread badge, opens her notifications; they are read, the badge goes.
  await a.goto('/home');
  const badge = a.getByRole('navigation').locator('.badge');
  await badge.waitFor();
  assert.match(await badge.textContent(), /^[1-9]\d* unread$/);
  await a.getByRole('link', { name: /Notifications/ }).click();
  await a.waitForURL('**/notifications');
  const likes = a.locator('.notification', { hasText: 'Dee and 2 others liked your tweet' });
  await likes.waitFor();
  assert.equal(await likes.evaluate((el) => el.classList.contains('unread')), true);
  await likes.getByRole('link', { name: 'Sunset over the bay' }).waitFor();
  await a.locator('.notification', { hasText: 'Ben replied' }).getByText('Lovely colours!').waitFor();
  await a.locator('.notification', { hasText: 'Ben followed you' }).waitFor();
  await shot(a, 'social-notifications-grouped');
  await badge.waitFor({ state: 'hidden' });
  await a.getByRole('link', { name: 'Home' }).click();
  await a.reload();
  await settled(a);
  assert.equal(await badge.isVisible(), false, 'nothing unread after a reload');

  // Ana mutes Cy, then follows and blocks Ben (after confirming): the follows end both ways.
  await a.goto(`/u/${cy}`);
  await a.getByRole('button', { name: 'Mute', exact: true }).click();
  await a.getByRole('button', { name: 'Unmute' }).waitFor();
  await a.reload();
  assert.equal(await pressed(a.getByRole('button', { name: 'Unmute' })), 'true', 'the mute stuck');
  await a.goto(`/u/${ben}`);
  await a.getByRole('button', { name: 'Follow', exact: true }).click();
  await a.getByRole('button', { name: 'Unfollow' }).waitFor();
  assert.equal(await a.locator('.followers strong').textContent(), '2'); // Ana and Cy
  await a.getByRole('button', { name: 'Block', exact: true }).click();
  const unblock = a.getByRole('button', { name: 'Unblock' });
  await unblock.waitFor();
  assert.equal(await pressed(unblock), 'true');
  const follow = a.getByRole('button', { name: 'Follow', exact: true });
  assert.equal(await follow.isDisabled(), true, 'no following while blocked');
  assert.equal(await a.locator('.followers strong').textContent(), '1'); // Cy
  await a.locator('.profile-tweets', { hasText: `You blocked @${ben}` }).waitFor();
  await a.reload();
  await unblock.waitFor();
  await b.goto(`/u/${ana}`);
  await b.getByRole('button', { name: 'Follow', exact: true }).waitFor(); // Ben no longer follows Ana
  await unblock.click();
  await a.getByRole('button', { name: 'Block', exact: true }).waitFor();
  assert.equal(await follow.isDisabled(), false);

  // Every list has the same error state, with one Retry that works.
  let failed = false;
  await d.route((url) => url.pathname === '/api/v1/timeline', (route) => {
    if (failed) return route.continue();
    failed = true;
    return route.fulfill({
      status: 503, contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'the database is unavailable' }),
    });
  });
  await d.goto('/home');
  const problem = d.locator('.state-error[role="alert"]', { hasText: 'the database is unavailable' });
  await problem.waitFor();
  await problem.getByRole('button', { name: 'Retry' }).click();
  await d.getByText('Your home timeline is empty').waitFor();
  assert.equal(await problem.count(), 0);

  anaSession = await a.context().storageState();
  for (const page of [a, b, c, d]) {
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('every page at 1280 and 360 px: screenshots, and no serious axe violations', async () => {
  assert.ok(threadId && anaSession, 'the story above ran');
  const visitor = await newPage(browser, { bypassCSP: true });
  for (const path of ['login', 'signup']) {
    await visitor.goto(`/${path}`);
    await audit(visitor, `social-${path}`);
  }
  // Ana's session from the story above (logging in again would spend nginx's auth allowance).
  const page = await newPage(browser, { bypassCSP: true, storageState: anaSession });
  await page.goto('/home');
  await page.getByRole('heading', { name: 'Home' }).waitFor();
  for (const [name, path] of [['home', '/home'], ['public', '/'], ['profile', `/u/${ana}`], ['thread', `/t/${threadId}`],
    ['notifications', '/notifications'], ['settings', '/settings']]) {
    await page.goto(path);
    await page.locator('main h1').waitFor();
    await audit(page, `social-${name}`);
  }
  // The lightbox too.
  await page.goto(`/u/${ana}`);
  await page.locator('.image-button').first().click();
  await page.getByRole('dialog').waitFor();
  await audit(page, 'social-lightbox');
  assert.deepEqual(visitor.errors, []);
  assert.deepEqual(page.errors, []);
  await visitor.context().close();
  await page.context().close();
});
