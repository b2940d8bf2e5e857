import assert from 'node:assert/strict';
import { test } from 'node:test';

import { notificationParts, notificationText, snippet } from '../js/notification-text.js';

const ana = { id: 1, username: 'ana', display_name: 'Ana', avatar_url: null };
const ben = { id: 2, username: 'ben', display_name: 'Ben', avatar_url: null };
const cy = { id: 3, username: 'cy_3', display_name: '', avatar_url: null };

test('one or two people are named', () => {
  assert.equal(notificationText({ kind: 'follow', count: 1, actors: [ana] }), 'Ana followed you');
  assert.equal(notificationText({ kind: 'repost', count: 2, actors: [ana, ben] }), 'Ana and Ben reposted your tweet');
  assert.equal(notificationText({ kind: 'reply', count: 1, actors: [ben] }), 'Ben replied');
  assert.equal(notificationText({ kind: 'mention', count: 1, actors: [cy] }), 'cy_3 mentioned you');
});

test('bigger groups name the newest and count the others', () => {
  assert.equal(notificationText({ kind: 'like', count: 4, actors: [ana, ben, cy] }), 'Ana and 3 others liked your tweet');
  assert.equal(notificationText({ kind: 'like', count: 3, actors: [ana, ben, cy] }), 'Ana and 2 others liked your tweet');
  assert.equal(notificationText({ kind: 'follow', count: 250, actors: [ben, ana, cy] }), 'Ben and 249 others followed you');
});

test('fewer actors than the count (some hidden) still add up', () => {
  assert.equal(notificationText({ kind: 'like', count: 2, actors: [ana] }), 'Ana and 1 other liked your tweet');
  assert.equal(notificationText({ kind: 'like', count: 1, actors: [] }), 'Someone liked your tweet');
});

test('unknown kinds are a plain count', () => {
  assert.equal(notificationText({ kind: 'quote', count: 1, actors: [ana] }), '1 new notification');
  assert.equal(notificationText({ kind: 'quote', count: 3, actors: [ana] }), '3 new notifications');
});

test('parts keep the actors as objects for links', () => {
  const parts = notificationParts({ kind: 'like', count: 2, actors: [ana, ben] });
  assert.deepEqual(parts.map((p) => p.type), ['actor', 'text', 'actor', 'text']);
  assert.equal(parts[0].actor, ana);
});

test('snippets cut on code points', () => {
  assert.equal(snippet('short'), 'short');
  assert.equal(snippet('😀'.repeat(10), 5), '😀😀😀😀…');
  assert.equal(snippet(null), '');
});
