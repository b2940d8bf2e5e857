import assert from 'node:assert/strict';
import { test } from 'node:test';

import { refreshTimes, startClock } from '../js/clock.js';

/** A stand-in for the page: just what the clock reads and writes. */
function fakeRoot(datetimes) {
  const els = datetimes.map((d) => ({ textContent: 'old', getAttribute: (name) => (name === 'datetime' ? d : null) }));
  return { els, querySelectorAll: (sel) => (sel.startsWith('time[data-relative]') ? els : []) };
}

test('every relative time is rewritten as of now', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const root = fakeRoot(['2026-12-01T11:59:58Z', '2026-12-01T11:55:00Z', '2026-12-01T09:00:00Z', '2025-03-04T00:00:00Z']);
  refreshTimes(root, now);
  assert.deepEqual(root.els.map((e) => e.textContent), ['now', '5m', '3h', 'Mar 4, 2025']);
});

test('one timer, every 30 seconds, only while the tab is visible', (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: new Date('2026-12-01T12:00:00Z') });
  globalThis.document = { hidden: false };
  const root = fakeRoot(['2026-12-01T12:00:00Z']);
  const timer = startClock(root);
  t.mock.timers.tick(29000);
  assert.equal(root.els[0].textContent, 'old');
  t.mock.timers.tick(1000);
  assert.equal(root.els[0].textContent, '30s');
  document.hidden = true;
  t.mock.timers.tick(30000);
  assert.equal(root.els[0].textContent, '30s', 'a hidden tab is not repainted');
  document.hidden = false;
  t.mock.timers.tick(30000);
  assert.equal(root.els[0].textContent, '1m');
  clearInterval(timer);
  delete globalThis.document;
});
