import assert from 'node:assert/strict';
import { test } from 'node:test';

import { countChars, formatTime, linkify, trimLikeServer, tweetBudget } from '../js/text.js';

test('counts Unicode scalar values after trimming, like the server', () => {
  assert.equal(countChars('hello'), 5);
  assert.equal(countChars('  hello \n'), 5);
  assert.equal(countChars('😀'.repeat(280)), 280); // 560 UTF-16 units
  assert.equal(countChars('👨‍👩‍👧'), 5); // one grapheme, five scalar values
  assert.equal(countChars('é'), 1);
  assert.equal(countChars('e\u0301'), 2); // combining accent counts on its own
  assert.equal(countChars('\u3000 x \u3000'), 1); // ideographic space is whitespace
  assert.equal(countChars('\uFEFFx'), 2); // the server does not trim U+FEFF
  assert.equal(trimLikeServer('\u00a0a\u2003'), 'a');
});

test('the budget allows 1 to 280', () => {
  assert.deepEqual(tweetBudget(''), { used: 0, left: 280, ok: false });
  assert.equal(tweetBudget('   ').ok, false);
  assert.equal(tweetBudget('x'.repeat(280)).ok, true);
  assert.deepEqual(tweetBudget('😀'.repeat(281)), { used: 281, left: -1, ok: false });
});

test('linkify finds urls, mentions and hashtags and nothing else', () => {
  assert.deepEqual(linkify('see https://example.com/a?b=1. @alice_1 says #rust_lang!'), [
    { type: 'text', text: 'see ' },
    { type: 'url', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
    { type: 'text', text: '. ' },
    { type: 'mention', text: '@alice_1', username: 'alice_1' },
    { type: 'text', text: ' says ' },
    { type: 'tag', text: '#rust_lang', tag: 'rust_lang' },
    { type: 'text', text: '!' },
  ]);
  // Emails, too-short handles, anchors and non-http schemes stay text.
  for (const plain of ['mail me@example.com', 'hi @ab', 'page&#35;x', 'javascript:alert(1)', 'ftp://x.y']) {
    assert.deepEqual(linkify(plain), [{ type: 'text', text: plain }], plain);
  }
  assert.deepEqual(linkify('#café'), [{ type: 'tag', text: '#café', tag: 'café' }]);
  assert.deepEqual(linkify('(https://a.example/x)'), [
    { type: 'text', text: '(' },
    { type: 'url', text: 'https://a.example/x', href: 'https://a.example/x' },
    { type: 'text', text: ')' },
  ]);
  // Markup is just text.
  assert.deepEqual(linkify('<img src=x onerror=alert(1)>'), [{ type: 'text', text: '<img src=x onerror=alert(1)>' }]);
  assert.deepEqual(linkify(''), []);
});

test('time is relative when recent, a date when older', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  assert.equal(formatTime('2026-11-25T11:59:58Z', now), 'now');
  assert.equal(formatTime('2026-11-25T11:59:30Z', now), '30s');
  assert.equal(formatTime('2026-11-25T11:15:00Z', now), '45m');
  assert.equal(formatTime('2026-11-25T02:00:00Z', now), '10h');
  assert.equal(formatTime('2026-11-22T12:00:00Z', now), '3d');
  assert.equal(formatTime('2026-10-01T12:00:00Z', now), 'Oct 1');
  assert.equal(formatTime('2025-03-04T12:00:00Z', now), 'Mar 4, 2025');
  assert.equal(formatTime('not a date', now), '');
});
