// Finding people and tweets, in real Chromium through nginx: whom to follow
// on an empty home timeline, search (tweets, people, hashtags), and a new
// tweet pushed live into an open home timeline (Server-Sent Events, no
// reload, no polling); the search, hashtag and not-found pages screenshotted
// and checked with axe-core.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { audit, launch, newPage, post, signUp } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const stamp = Date.now().toString(36).slice(-5);
const eva = `eva_${stamp}`;
const finn = `finn_${stamp}`;
const gil = `gil_${stamp}`;

test('whom to follow, search, and new tweets pushed live', async () => {
  const e = await newPage(browser);
  const f = await newPage(browser, { bypassCSP: true });
  const g = await newPage(browser);
  await signUp(e, eva, undefined, 'Eva');
  await post(e, `Kayaking across the fjord #paddle${stamp}`);
  // Gil follows Eva: she is among the accounts followed lately.
  await signUp(g, gil, undefined, 'Gil');
  await g.goto(`/u/${eva}`);
  await g.getByRole('button', { name: 'Follow', exact: true }).click();
  await g.getByRole('button', { name: 'Unfollow', exact: true }).waitFor();
  await signUp(f, finn, undefined, 'Finn');

  // Finn's home is empty: suggestions, with a follow button that works.
  const suggested = f.locator('.who-to-follow');
  await suggested.getByRole('heading', { name: 'Who to follow' }).waitFor();
  const follow = suggested.getByRole('button', { name: `Follow @${eva}` });
  await follow.waitFor();
  await follow.click();
  await suggested.getByRole('button', { name: `Unfollow @${eva}` }).waitFor();

  // Search from Explore: words (stemmed), then people, then hashtags.
  await f.goto('/');
  await f.getByRole('searchbox', { name: 'Search' }).fill('kayak');
  await f.getByRole('button', { name: 'Search', exact: true }).click();
  await f.waitForURL('**/search?q=kayak&type=tweets');
  await f.locator('.tweet', { hasText: 'Kayaking across the fjord' }).waitFor();
  await f.getByRole('link', { name: 'People' }).click();
  await f.getByText('No one matches “kayak”.').waitFor();
  await f.getByRole('searchbox', { name: 'Search' }).fill(`@${eva.slice(0, 6)}`);
  await f.getByRole('button', { name: 'Search', exact: true }).click();
  await f.waitForURL('**type=accounts');
  await f.locator('.user-card', { hasText: `@${eva}` }).waitFor();
  await f.getByRole('searchbox', { name: 'Search' }).fill(`#paddle${stamp}`);
  await f.getByRole('button', { name: 'Search', exact: true }).click();
  await f.waitForURL('**type=tags');
  const tag = f.getByRole('link', { name: `#paddle${stamp}` });
  await tag.waitFor();
  assert.match(await f.locator('.tag-list li').first().textContent(), /1 tweet/);
  await audit(f, 'discovery-search');
  // The hashtag page and a page that does not exist, audited the same way.
  await tag.click();
  await f.locator('.tweet', { hasText: 'Kayaking across the fjord' }).waitFor();
  await audit(f, 'discovery-tag');
  await f.goto('/no/such/page');
  await f.getByRole('heading').first().waitFor();
  await audit(f, 'discovery-not-found');

  // Finn's home is open; Eva posts: it is offered at once, without a reload.
  await f.goto('/home');
  await f.locator('.tweet', { hasText: 'Kayaking across the fjord' }).waitFor();
  const before = await f.evaluate(() => performance.getEntriesByType('resource')
    .filter((r) => r.name.includes('/api/v1/timeline')).length);
  await post(e, 'Fresh from the water');
  const offer = f.getByRole('button', { name: 'Show 1 new tweet' });
  await offer.waitFor({ timeout: 15000 });
  await offer.click();
  await f.locator('.tweet', { hasText: 'Fresh from the water' }).waitFor();
  const afterwards = await f.evaluate(() => performance.getEntriesByType('resource')
    .filter((r) => r.name.includes('/api/v1/timeline')).length);
  assert.equal(afterwards, before, 'pushed over the stream: the timeline was not fetched again');

  // A like from Eva raises Finn's badge live.
  const mine = await post(f, 'Finn says hi');
  await e.goto(`/t/${mine.id}`);
  await e.getByRole('button', { name: /^Like/ }).first().click();
  await f.locator('.badge:not([hidden])', { hasText: '1' }).waitFor({ timeout: 15000 });
  assert.deepEqual([...e.errors, ...f.errors, ...g.errors], []);
});
