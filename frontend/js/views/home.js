// Home (/home, signed in only: the router redirects visitors to log in):
// the user's own tweets and those of the people they follow, new ones pushed
// live; when it is empty, accounts to follow.
import { h, replace } from '../dom.js';
import { whoToFollow } from '../components/who-to-follow.js';
import { composer } from '../components/composer.js';
import { tweetList } from '../components/tweet-list.js';

export function homeView(page) {
  const suggestions = h('div', { class: 'suggestions-slot' });
  const list = page.use(tweetList('/timeline', {
    emptyText: 'Your home timeline is empty: post something, or follow people from Explore.',
    live: '/streaming/home',
    onEmpty: () => replace(suggestions, whoToFollow().el),
  }));
  return [h('h1', {}, 'Home'), composer({ onPosted: (t) => list.prepend(t) }).el, suggestions, list.el];
}
