// Moderation as an administrator (made on the command line, as the only way
// there is) and an ordinary user see it, in real Chromium through nginx
// against the real API: "Remove" on someone else's tweet (with a reason,
// gone for everyone), a profile's Moderation section (deactivate: the next
// sign-in is refused with a clear message; reactivate; an administrator
// cannot be deactivated), the audit log at /admin with "Load more"; none of
// it for the ordinary user, whose /admin says they are not allowed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import { audit, launch, logIn, newPage, post, settled, shot, signUp, submitAuth } from './helpers.js';

const BIN = process.env.E2E_TWEETS_BIN;
const DATABASE_URL = process.env.E2E_DATABASE_URL;
const PASSWORD = 'e2e-password-1';

/** `tweets ARGS…` on the run's database (what an operator types), with `input` on stdin. */
function cli(args, input = '') {
  assert.ok(BIN && DATABASE_URL, 'E2E_TWEETS_BIN and E2E_DATABASE_URL are not set: run through scripts/e2e.sh (make e2e)');
  return execFileSync(BIN, args, { input, encoding: 'utf8', env: { ...process.env, DATABASE_URL, RUST_LOG: 'error' } });
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const stamp = Date.now().toString(36).slice(-5);
const mod = `mod_${stamp}`; // the administrator
const boss = `boss_${stamp}`; // another one
const eve = `eve_${stamp}`; // an ordinary user
const spare = `spare_${stamp}`; // toggled to fill the audit log past one page
const SPAM = `Buy now, cheap watches ${stamp}`;

test('an administrator removes a tweet, deactivates and reactivates its author, and reads the audit log', async () => {
  assert.match(cli(['create-user', mod, '--admin'], `${PASSWORD}\n`), /an administrator/);
  cli(['create-user', boss, '--admin'], `${PASSWORD}\n`);
  cli(['create-user', spare], `${PASSWORD}\n`);
  const [m, e, visitor] = await Promise.all([0, 1, 2].map(() => newPage(browser, { bypassCSP: true })));

  await signUp(e, eve, PASSWORD, 'Eve');
  const spam = await post(e, SPAM);
  const kept = await post(e, `Something worth keeping ${stamp}`);
  await logIn(m, mod);
  const notice = await post(m, `House rules ${stamp}: be kind`);
  const nav = m.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Admin' }).waitFor();

  // An ordinary user sees none of it: no Remove, no Moderation, no Admin link, and /admin refuses.
  await e.goto('/');
  await e.locator(`.tweet[data-id="${notice.id}"]`).waitFor();
  assert.equal(await e.getByRole('button', { name: /^Remove/ }).count(), 0);
  assert.equal(await e.locator(`.tweet[data-id="${spam.id}"]`).getByRole('button', { name: 'Delete' }).count(), 1, 'her own tweet keeps Delete');
  assert.equal(await e.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count(), 0);
  await e.goto(`/u/${mod}`);
  await e.locator(`.tweet[data-id="${notice.id}"]`).waitFor();
  assert.equal(await e.getByRole('heading', { name: 'Moderation' }).count(), 0);
  assert.equal(await e.getByRole('button', { name: /^Remove/ }).count(), 0);
  await e.goto('/admin');
  await e.getByRole('alert').filter({ hasText: 'You are not allowed to see this page' }).waitFor();
  assert.equal(await e.locator('.audit-entry').count(), 0);
  assert.equal(await e.getByRole('button', { name: 'Load more' }).isVisible(), false);
  await audit(e, 'admin-not-allowed');

  // The administrator: Delete on their own tweet, Remove on Eve's.
  await m.goto('/');
  const own = m.locator(`.tweet[data-id="${notice.id}"]`);
  const card = m.locator(`.tweet[data-id="${spam.id}"]`);
  await card.waitFor();
  assert.equal(await own.getByRole('button', { name: 'Delete' }).count(), 1);
  assert.equal(await own.getByRole('button', { name: /^Remove/ }).count(), 0);
  const remove = card.getByRole('button', { name: `Remove tweet by @${eve}` });
  // Asked first; Cancel keeps the tweet, and focus goes back to the button.
  await remove.click();
  const dialog = m.getByRole('dialog', { name: 'Remove this tweet?' });
  await dialog.waitFor();
  assert.equal(await dialog.getByLabel('Reason (optional)').evaluate((el) => el === document.activeElement), true);
  await audit(m, 'admin-remove-dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await remove.evaluate((el) => el === document.activeElement), true, 'focus back on Remove');
  assert.equal(await card.count(), 1);
  await remove.click();
  await dialog.getByLabel('Reason (optional)').fill('spam');
  const [removed] = await Promise.all([
    m.waitForResponse((r) => r.url().includes(`/api/v1/admin/tweets/${spam.id}`) && r.request().method() === 'DELETE'),
    dialog.getByRole('button', { name: 'Remove tweet' }).click(),
  ]);
  assert.equal(removed.status(), 204);
  assert.equal(new URL(removed.url()).searchParams.get('reason'), 'spam');
  await card.waitFor({ state: 'detached' });
  await m.locator('#flash', { hasText: `The tweet by @${eve} was removed.` }).waitFor();
  // Gone for everyone: the public timeline, and the tweet's own page.
  await visitor.goto('/');
  await visitor.locator(`.tweet[data-id="${kept.id}"]`).waitFor();
  assert.equal(await visitor.locator(`.tweet[data-id="${spam.id}"]`).count(), 0);
  await visitor.goto(`/t/${spam.id}`);
  await visitor.getByText('This tweet does not exist').waitFor();

  // Eve's profile: active; deactivated (asked first), in place.
  await m.goto(`/u/${eve}`);
  const moderation = m.locator('section.moderation');
  const status = moderation.locator('.moderation-status');
  await status.filter({ hasText: 'Status: Active' }).waitFor();
  await audit(m, 'admin-profile');
  await moderation.getByRole('button', { name: 'Deactivate account' }).click();
  const deactivate = m.getByRole('dialog', { name: `Deactivate @${eve}?` });
  await deactivate.getByLabel('Reason (optional)').fill('spam bot');
  await deactivate.getByRole('button', { name: 'Deactivate account' }).click();
  await status.filter({ hasText: /^Status: Deactivated since \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M UTC$/ }).waitFor();
  await moderation.getByText(`@${eve} is deactivated: they can no longer sign in.`).waitFor();
  await moderation.getByRole('button', { name: 'Reactivate account' }).waitFor();
  await audit(m, 'admin-profile-deactivated');

  // Her next sign-in is refused, and says why.
  const again = await newPage(browser, { bypassCSP: true });
  await again.goto('/login');
  await again.getByLabel('Username').fill(eve);
  await again.getByLabel('Password').fill(PASSWORD);
  const refused = await submitAuth(again, 'Log in', '/api/v1/auth/login');
  assert.equal(refused.status(), 403);
  assert.equal((await refused.json()).code, 'account_deactivated');
  await again.locator('.form-status.error', { hasText: 'This account has been deactivated by an administrator.' }).waitFor();
  assert.equal(new URL(again.url()).pathname, '/login');
  await audit(again, 'admin-login-deactivated');

  // An administrator cannot be deactivated: the 409 is a message in place.
  await m.goto(`/u/${boss}`);
  await status.filter({ hasText: 'Status: Active (an administrator)' }).waitFor();
  await moderation.getByRole('button', { name: 'Deactivate account' }).click();
  await m.getByRole('dialog', { name: `Deactivate @${boss}?` }).getByRole('button', { name: 'Deactivate account' }).click();
  await moderation.getByText(`@${boss} is an administrator and cannot be deactivated`).waitFor();
  assert.match(await status.textContent(), /Active/);

  // More than a page of the log (20): the newest first, the rest behind "Load more".
  const { token } = await m.evaluate(() => JSON.parse(localStorage.getItem('tweets.session')));
  for (let i = 1; i <= 11; i++) {
    for (const step of ['deactivate', 'reactivate']) {
      const res = await m.request.post(`/api/v1/admin/users/${spare}/${step}?reason=round+${i}`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(res.status(), 200, await res.text());
    }
  }
  await nav.getByRole('link', { name: 'Admin' }).click();
  await m.waitForURL('**/admin');
  await m.getByRole('heading', { name: 'Audit log' }).waitFor();
  const entries = m.locator('.audit-entry');
  await entries.first().waitFor();
  await settled(m);
  assert.equal(await entries.count(), 20);
  assert.match(await entries.first().locator('.audit-text').textContent(), new RegExp(`^${mod} reactivated ${spare} — reason: round 11 · (now|\\d+s)$`));
  assert.equal(await entries.first().getByRole('link', { name: mod }).getAttribute('href'), `/u/${mod}`);
  assert.match(await entries.first().locator('time').getAttribute('datetime'), /^\d{4}-\d\d-\d\dT/);
  const removal = entries.filter({ hasText: `${mod} removed a tweet by ${eve}: “${SPAM}” — reason: spam` });
  assert.equal(await removal.count(), 0, 'older entries wait behind Load more');
  await m.getByRole('button', { name: 'Load more' }).click();
  await removal.waitFor();
  await entries.filter({ hasText: `${mod} deactivated ${eve} — reason: spam bot` }).waitFor();
  await entries.filter({ hasText: `(command line) made ${mod} an administrator` }).waitFor();
  await entries.filter({ hasText: `(command line) created the account ${spare}` }).waitFor();
  assert.equal(await entries.filter({ hasText: `deactivated ${boss}` }).count(), 0, 'the refused deactivation is not recorded');
  await audit(m, 'admin-audit-log');

  // Reactivated, Eve signs in again; the log says so first.
  await m.goto(`/u/${eve}`);
  await moderation.getByRole('button', { name: 'Reactivate account' }).click();
  await m.getByRole('dialog', { name: `Reactivate @${eve}?` }).getByRole('button', { name: 'Reactivate account' }).click();
  await status.filter({ hasText: 'Status: Active' }).waitFor();
  await moderation.getByText(`@${eve} can sign in again.`).waitFor();
  await logIn(again, eve);
  await m.goto('/admin');
  await entries.first().filter({ hasText: `${mod} reactivated ${eve}` }).waitFor();
  assert.doesNotMatch(await entries.first().textContent(), /reason/, 'no reason given, none shown');
  await shot(m, 'admin-audit-reactivated');

  for (const page of [m, e, visitor, again]) {
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});
