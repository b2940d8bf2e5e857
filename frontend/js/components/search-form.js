// The search box (Explore and /search): submits to /search?q=…&type=….
import { h } from '../dom.js';
import { go } from '../navigation.js';

export function searchForm({ q = '', type = 'tweets' } = {}) {
  const input = h('input', {
    type: 'search', name: 'q', id: 'search-q', value: q, maxlength: 200, required: true,
    placeholder: 'Tweets, @people or #hashtags', autocomplete: 'off',
  });
  const form = h('form', { class: 'search-form', role: 'search' },
    h('label', { for: 'search-q', class: 'sr-only' }, 'Search'),
    input,
    h('button', { type: 'submit', class: 'button' }, 'Search'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    // "@ana" looks for people, "#rust" for hashtags; anything else keeps the tab.
    const kind = text.startsWith('@') ? 'accounts' : text.startsWith('#') ? 'tags' : type;
    go(`/search?${new URLSearchParams({ q: text, type: kind })}`);
  });
  return { el: form };
}
