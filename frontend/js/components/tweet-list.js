// A list of tweets with "Load more" and, for newest-first lists, a "new tweets" notice.
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { fetchNewer, Pager } from '../paging.js';
import { openStream } from '../stream.js';
import { tweetCard } from './tweet-card.js';
import { announce, busy, errorState, loading, state } from './ui.js';

const POLL_MS = 15000;

/**
 * The tweets at API `path`, a page at a time: {el, prepend, append,
 * checkForNew, destroy}. With `pollNew`, newer tweets are looked for every
 * 15 s (and on checkForNew()) until destroy(); with `live` (a streaming
 * path, e.g. '/streaming/home'), they are pushed by the server instead.
 * Either way they wait behind a "Show N new tweets" notice.
 */
export function tweetList(path, { emptyText, pollNew = false, live = null, onEmpty, card = {}, label = 'tweets' } = {}) {
  const list = h('div', { class: 'tweet-list', 'aria-busy': 'true' });
  const status = h('div', { class: 'list-status' });
  const more = h('button', { type: 'button', class: 'button secondary load-more', hidden: true }, 'Load more');
  const notice = h('button', { type: 'button', class: 'new-tweets', hidden: true });
  const fetchPage = (cursor) => api.page(path, cursor);
  const pager = new Pager(fetchPage);
  let newest = 0;
  let pending = [];
  let shown = 0;
  let timer = null;

  const add = (tweets, where = 'end') => {
    const cards = tweets.map((t) => tweetCard(t, {
      ...card,
      onDeleted: () => { shown -= 1; if (!shown) replace(status, state('empty', emptyText)); },
    }).el);
    if (where === 'start') list.prepend(...cards);
    else list.append(...cards);
    shown += tweets.length;
    for (const t of tweets) newest = Math.max(newest, t.id);
  };

  const loadMore = async () => {
    busy(more, true);
    list.setAttribute('aria-busy', 'true');
    replace(status, loading(`Loading ${label}…`, { skeleton: shown === 0 }));
    try {
      const fresh = await pager.next();
      add(fresh);
      replace(status, shown === 0 ? state('empty', emptyText) : null);
      announce(shown === 0 ? emptyText : `${fresh.length} ${label} loaded.`);
      if (shown === 0) onEmpty?.();
    } catch (err) {
      replace(status, errorState(`Could not load ${label}: ${err.message}`, loadMore));
    } finally {
      list.setAttribute('aria-busy', 'false');
      busy(more, false);
      more.hidden = pager.done;
    }
  };
  more.addEventListener('click', loadMore);

  const showNew = () => {
    const fresh = pager.take(pending);
    pending = [];
    notice.hidden = true;
    add([...fresh].reverse().sort((a, b) => b.id - a.id), 'start');
    if (shown) replace(status);
    // The notice hides itself: focus moves to the newest tweet, not the page.
    const first = list.querySelector('.tweet');
    if (first) {
      first.setAttribute('tabindex', '-1');
      first.focus();
    }
  };
  notice.addEventListener('click', showNew);

  const offer = () => {
    if (!pending.length) return;
    notice.textContent = pending.length === 1 ? 'Show 1 new tweet' : `Show ${pending.length} new tweets`;
    notice.hidden = false;
    announce(notice.textContent);
  };
  const pushed = ({ event, data }) => {
    if (event !== 'tweet' || pager.seen.has(data.id) || pending.some((t) => t.id === data.id)) return;
    pending = [data, ...pending];
    offer();
  };
  const stream = live ? openStream(live, pushed) : null;

  const check = async () => {
    if (document.hidden || !newest) return;
    try {
      const found = await fetchNewer(fetchPage, Math.max(newest, ...pending.map((t) => t.id)));
      pending = [...found, ...pending];
      offer();
    } catch {
      // A failed poll is retried on the next tick.
    }
  };
  if (pollNew) timer = setInterval(check, POLL_MS);

  loadMore();
  const el = h('section', { class: 'timeline' }, notice, list, status, more);
  /** Shows a tweet just posted here, at the top or the bottom. */
  const insert = (where) => (t) => {
    pager.take([t]);
    add([t], where);
    replace(status);
  };
  return {
    el,
    prepend: insert('start'),
    append: insert('end'),
    checkForNew: () => (pollNew ? check() : undefined),
    destroy: () => {
      clearInterval(timer);
      stream?.close();
    },
  };
}
