// "Who to follow" (GET /suggestions): accounts followed by those the reader
// follows, else the most followed lately; shown on an empty home timeline.
import { h, replace } from '../dom.js';
import { searchApi } from '../search-api.js';
import { userCard } from './user-card.js';
import { errorState, loading } from './ui.js';

export function whoToFollow() {
  const body = h('div', { class: 'user-list' });
  const el = h('section', { class: 'who-to-follow', 'aria-labelledby': 'who-to-follow-title' },
    h('h2', { id: 'who-to-follow-title' }, 'Who to follow'), body);
  const load = async () => {
    replace(body, loading('Loading suggestions…'));
    try {
      const { items } = await searchApi.suggestions(5);
      replace(body, items.length ? items.map((u) => userCard(u).el)
        : h('p', { class: 'state state-empty' }, 'No suggestions yet.'));
    } catch (err) {
      replace(body, errorState(`Could not load suggestions: ${err.message}`, load));
    }
  };
  load();
  return { el };
}
