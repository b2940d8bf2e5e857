import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fetchNewer, Pager } from '../js/paging.js';

/** A fake newest-first list served in pages of `size`, keyset by id. */
function server(ids, size) {
  const calls = [];
  const fetchPage = async (cursor) => {
    calls.push(cursor);
    const after = cursor === null ? Infinity : Number(cursor);
    const items = ids.filter((id) => id < after).sort((a, b) => b - a).slice(0, size).map((id) => ({ id }));
    const more = items.length === size && ids.some((id) => id < items[items.length - 1].id);
    return { items, next_cursor: more ? String(items[items.length - 1].id) : null };
  };
  return { fetchPage, calls, ids };
}

test('walks every page once, then stops', async () => {
  const s = server([1, 2, 3, 4, 5, 6, 7], 3);
  const pager = new Pager(s.fetchPage);
  const seen = [];
  while (!pager.done) seen.push(...(await pager.next()).map((t) => t.id));
  assert.deepEqual(seen, [7, 6, 5, 4, 3, 2, 1]);
  assert.deepEqual(await pager.next(), []);
  assert.equal(s.calls.length, 3);
});

test('never repeats an item, even if a page overlaps what was shown', async () => {
  let first = true;
  const pager = new Pager(async () => {
    if (first) {
      first = false;
      return { items: [{ id: 5 }, { id: 4 }], next_cursor: 'x' };
    }
    return { items: [{ id: 4 }, { id: 3 }], next_cursor: null };
  });
  assert.deepEqual((await pager.next()).map((t) => t.id), [5, 4]);
  assert.deepEqual((await pager.next()).map((t) => t.id), [3]);
  assert.deepEqual(pager.take([{ id: 3 }, { id: 9 }]).map((t) => t.id), [9]);
});

test('a failed page can be retried from the same cursor', async () => {
  let fail = true;
  const s = server([1, 2, 3, 4], 2);
  const pager = new Pager(async (cursor) => {
    if (cursor && fail) {
      fail = false;
      throw new Error('network');
    }
    return s.fetchPage(cursor);
  });
  await pager.next();
  await assert.rejects(pager.next());
  assert.deepEqual((await pager.next()).map((t) => t.id), [2, 1]);
});

test('fetchNewer collects what arrived since the newest shown, across pages', async () => {
  const s = server([1, 2, 3, 10, 11, 12, 13, 14], 2);
  assert.deepEqual((await fetchNewer(s.fetchPage, 3)).map((t) => t.id), [14, 13, 12, 11, 10]);
  assert.deepEqual(await fetchNewer(s.fetchPage, 14), []);
  assert.equal((await fetchNewer(s.fetchPage, 0, 2)).length, 4, 'bounded by maxPages');
});
