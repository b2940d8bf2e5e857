// A hashtag (/tag/rust): recent public tweets that carry it.
import { h } from '../dom.js';
import { tweetList } from '../components/tweet-list.js';

export function tagView(page, tag) {
  const list = page.use(tweetList(`/tags/${encodeURIComponent(tag)}/tweets`, { emptyText: `No tweets with #${tag} yet.` }));
  return [
    h('h1', {}, `#${tag}`),
    h('p', { class: 'hint' }, 'Recent public tweets with this hashtag.'),
    list.el,
  ];
}
