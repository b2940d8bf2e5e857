import { test } from 'node:test';
import assert from 'node:assert/strict';

import { nextDelay, parseFrames } from '../js/stream.js';

test('frames split on blank lines; comments and partial frames wait', () => {
  const { events, rest } = parseFrames(
    ': keep-alive\n\nid: 7\nevent: notification\ndata: {"kind":"like","unread_count":2}\n\nid: 8\nevent: tw',
  );
  assert.deepEqual(events, [{ id: '7', event: 'notification', data: { kind: 'like', unread_count: 2 } }]);
  assert.equal(rest, 'id: 8\nevent: tw');
  const more = parseFrames(`${rest}eet\ndata: {"id":8}\n\n`);
  assert.deepEqual(more.events, [{ id: '8', event: 'tweet', data: { id: 8 } }]);
  assert.equal(more.rest, '');
});

test('CRLF line ends, multi-line data, no event name, and frames that are not JSON', () => {
  const { events } = parseFrames('data: {"a":\r\ndata: 1}\r\n\r\ndata: not json\n\nid: 3\n\n');
  assert.deepEqual(events, [{ id: null, event: 'message', data: { a: 1 } }]);
});

test('reconnects back off from 1 s, doubling, to 30 s', () => {
  const delays = [];
  let d = 0;
  for (let i = 0; i < 7; i++) delays.push((d = nextDelay(d)));
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
});
