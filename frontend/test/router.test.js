import assert from 'node:assert/strict';
import { test } from 'node:test';

import { flashBanner } from '../js/components/flash.js';
import { isRedirect, redirect } from '../js/navigation.js';
import { pageScope, resolve } from '../js/router.js';

const alice = { id: 1, username: 'alice' };

test('every path resolves to its view and arguments', () => {
  const cases = [
    ['/', 'public', []],
    ['/login', 'login', ['login']],
    ['/signup', 'signup', ['signup']],
    ['/u/alice_1', 'profile', ['alice_1']],
    ['/t/42', 'thread', [42]],
    ['/tag/caf%C3%A9', 'tag', ['café']],
  ];
  for (const [path, name, args] of cases) {
    const target = resolve(path, null);
    assert.equal(target.name, name, path);
    assert.deepEqual(target.args, args, path);
    assert.equal(typeof target.view, 'function', path);
  }
  for (const path of ['/nope', '/t/0', '/t/abc', '/u/ab', '/home/', '/tag/a/b', '/settings/x', '/notifications/1', '/admin/x']) {
    assert.equal(resolve(path, alice).name, 'not-found', path);
  }
});

test('pages that need a login redirect visitors to it, and come back after', () => {
  for (const path of ['/home', '/settings', '/notifications', '/admin']) {
    const target = resolve(path, null);
    assert.ok(isRedirect(target), path);
    // Encoded, as the session-expiry handler (app.js) writes it: a visitor
    // lands on one URL whichever of the two sends them.
    assert.equal(target.to, `/login?next=${encodeURIComponent(path)}`);
    assert.equal(resolve(path, alice).name, path.slice(1));
  }
  assert.ok(!isRedirect(resolve('/', null)));
  assert.ok(isRedirect(redirect('/x')));
  assert.ok(!isRedirect({ to: '/x' }));
});

test('a page destroys what it used when left, and asks it for news when visible', () => {
  const calls = [];
  const part = (name) => ({ checkForNew: () => calls.push(`${name}.check`), destroy: () => calls.push(`${name}.destroy`) });
  const page = pageScope();
  const a = page.use(part('a'));
  page.use({});
  assert.equal(typeof a.destroy, 'function');
  page.visible();
  page.leave();
  page.leave();
  page.use(part('late'));
  assert.deepEqual(calls, ['a.check', 'a.destroy', 'late.destroy']);
});

test('the flash banner shows one message, then hides it', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const el = { hidden: true, textContent: '', className: 'flash' };
  const banner = flashBanner(el);
  assert.equal(banner.el, el);
  banner.show('Saved.');
  assert.deepEqual(el, { hidden: false, textContent: 'Saved.', className: 'flash flash-info' });
  t.mock.timers.tick(5000);
  banner.show('No.', 'error');
  t.mock.timers.tick(5000);
  assert.equal(el.hidden, false, 'a new message restarts the clock');
  assert.equal(el.className, 'flash flash-error');
  t.mock.timers.tick(1000);
  assert.equal(el.hidden, true);
});
