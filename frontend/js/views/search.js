// Search (/search?q=…&type=tweets|accounts|tags): tweets by their words
// (best match first), people by name, hashtags with how often they are used.
import { searchApi } from '../search-api.js';
import { h, replace } from '../dom.js';
import { link } from '../navigation.js';
import { Pager } from '../paging.js';
import { searchForm } from '../components/search-form.js';
import { tweetList } from '../components/tweet-list.js';
import { announce, busy, errorState, loading, state } from '../components/ui.js';
import { userCard } from '../components/user-card.js';

const TABS = [['tweets', 'Tweets'], ['accounts', 'People'], ['tags', 'Hashtags']];

function people(q) {
  const list = h('div', { class: 'user-list', 'aria-live': 'polite' });
  const status = h('div', { class: 'list-status' });
  const more = h('button', { type: 'button', class: 'button secondary load-more', hidden: true }, 'Load more');
  const pager = new Pager((cursor) => searchApi.page('accounts', q, cursor));
  const next = async () => {
    busy(more, true);
    replace(status, loading('Looking for people…'));
    try {
      const found = await pager.next();
      list.append(...found.map((u) => userCard(u).el));
      const none = !list.children.length;
      replace(status, none ? state('empty', `No one matches “${q}”.`) : null);
      announce(none ? `No one matches ${q}.` : `${found.length} people found.`);
    } catch (err) {
      replace(status, errorState(`Could not search: ${err.message}`, next));
    } finally {
      busy(more, false);
      more.hidden = pager.done;
    }
  };
  more.addEventListener('click', next);
  next();
  return h('section', {}, list, status, more);
}

function hashtags(q) {
  const box = h('div', { class: 'tag-list' });
  const load = async () => {
    replace(box, loading('Looking for hashtags…'));
    try {
      const { items } = await searchApi.tags(q.replace(/^#/, ''));
      replace(box, items.length
        ? h('ul', {}, items.map((t) => h('li', {}, link(`/tag/${encodeURIComponent(t.tag)}`, `#${t.tag}`),
          h('span', { class: 'tag-count' }, ` ${t.count} ${t.count === 1 ? 'tweet' : 'tweets'}`))))
        : state('empty', `No hashtag starts with “${q}”.`));
    } catch (err) {
      replace(box, errorState(`Could not search: ${err.message}`, load));
    }
  };
  load();
  return box;
}

export function searchView(page) {
  const params = new URLSearchParams(location.search);
  const q = (params.get('q') || '').trim();
  const type = TABS.some(([t]) => t === params.get('type')) ? params.get('type') : 'tweets';
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Search results' },
    TABS.map(([t, label]) => {
      const a = link(`/search?${new URLSearchParams({ q, type: t })}`, label);
      if (t === type) a.setAttribute('aria-current', 'page');
      return a;
    }));
  let results;
  if (!q) results = state('empty', 'Type something to search for.');
  else if (type === 'accounts') results = people(q.replace(/^@/, ''));
  else if (type === 'tags') results = hashtags(q);
  else {
    results = page.use(tweetList(`/search/tweets?${new URLSearchParams({ q })}`, {
      emptyText: `No tweets match “${q}”.`, label: 'results',
    })).el;
  }
  return [h('h1', {}, q ? `Search: ${q}` : 'Search'), searchForm({ q, type }).el, q ? tabs : null, results];
}
