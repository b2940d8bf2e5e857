// Explore (/): search, and every public tweet, newest first, with a
// composer when signed in.
import { currentUser } from '../api.js';
import { h } from '../dom.js';
import { link } from '../navigation.js';
import { composer } from '../components/composer.js';
import { searchForm } from '../components/search-form.js';
import { tweetList } from '../components/tweet-list.js';

export function publicView(page) {
  const list = page.use(tweetList('/tweets', { emptyText: 'No tweets yet. Be the first!', pollNew: true }));
  return [
    h('h1', {}, 'Explore'),
    searchForm().el,
    currentUser() ? composer({ onPosted: (t) => list.prepend(t) }).el : h('p', { class: 'lead' },
      link('/signup', 'Sign up'), ' or ', link('/login', 'log in'), ' to post, reply, like and follow.'),
    list.el,
  ];
}
