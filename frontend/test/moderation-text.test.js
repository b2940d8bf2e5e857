import assert from 'node:assert/strict';
import { test } from 'node:test';

import { accountStatus, auditParts, auditText, formatDateTime } from '../js/moderation-text.js';

const entry = (fields) => ({
  id: 1, at: '2026-12-01T17:00:00Z', actor: 'alice', action: 'remove_tweet',
  target_username: null, tweet_id: null, tweet_text: null, reason: '', ...fields,
});

test('a removal names who, whose tweet, its text and the reason', () => {
  const e = entry({ target_username: 'bob', tweet_id: 7, tweet_text: 'buy now', reason: 'spam' });
  assert.equal(auditText(e), 'alice removed a tweet by bob: “buy now” — reason: spam');
  assert.equal(auditText({ ...e, reason: '' }), 'alice removed a tweet by bob: “buy now”');
  assert.equal(auditText({ ...e, target_username: null, tweet_text: null }), 'alice removed a tweet — reason: spam');
});

test('every action reads as a sentence', () => {
  const bob = { target_username: 'bob' };
  assert.equal(auditText(entry({ ...bob, action: 'deactivate_user', reason: 'spam bot' })), 'alice deactivated bob — reason: spam bot');
  assert.equal(auditText(entry({ ...bob, action: 'reactivate_user' })), 'alice reactivated bob');
  assert.equal(auditText(entry({ ...bob, action: 'create_user', actor: 'cli:root' })), 'root (command line) created the account bob');
  assert.equal(auditText(entry({ ...bob, action: 'grant_admin', actor: 'cli:ops' })), 'ops (command line) made bob an administrator');
  assert.equal(auditText(entry({ ...bob, action: 'revoke_admin', actor: 'cli:ops' })), 'ops (command line) revoked the administrator role of bob');
  assert.equal(auditText(entry({ ...bob, action: 'create_tweet', actor: 'cli:root', tweet_id: 3, tweet_text: 'hello' })),
    'root (command line) posted a tweet as bob: “hello”');
  assert.equal(auditText(entry({ action: 'deactivate_user' })), 'alice deactivated an account');
});

test('an unknown action is named as the API spells it', () => {
  assert.equal(auditText(entry({ action: 'merge_users', target_username: 'bob' })), 'alice did merge_users to bob');
  assert.equal(auditText(entry({ action: 'rotate_keys', actor: 'cli:' })), 'someone (command line) did rotate_keys');
});

test('parts keep the accounts apart for links, and long tweets are cut', () => {
  const parts = auditParts(entry({ target_username: 'bob', tweet_text: 'x'.repeat(300), reason: 'spam' }));
  assert.deepEqual(parts.map((p) => p.type), ['user', 'text', 'user', 'text']);
  assert.equal(parts[0].username, 'alice');
  assert.equal(parts[2].username, 'bob');
  assert.match(parts[3].text, /^: “x{99}…” — reason: spam$/);
  // Text from the server stays text: nothing is interpreted.
  assert.equal(auditText(entry({ target_username: 'bob', tweet_text: '<b>hi</b>' })), 'alice removed a tweet by bob: “<b>hi</b>”');
});

test('an account is active, or deactivated since a moment in UTC', () => {
  assert.equal(formatDateTime('2026-12-01T17:05:00Z'), 'Dec 1, 2026, 5:05 PM UTC');
  assert.equal(formatDateTime('nope'), '');
  assert.deepEqual(accountStatus({ is_admin: false, deactivated_at: null }), { deactivated: false, since: null, text: 'Active' });
  assert.deepEqual(accountStatus({ is_admin: false, deactivated_at: '2026-12-01T17:05:00Z' }),
    { deactivated: true, since: '2026-12-01T17:05:00Z', text: 'Deactivated since Dec 1, 2026, 5:05 PM UTC' });
  assert.equal(accountStatus({ is_admin: true, deactivated_at: null }).text, 'Active (an administrator)');
});
