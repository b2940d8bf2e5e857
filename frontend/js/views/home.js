// Home (/home, signed in only: the router redirects visitors to log in):
// the user's own tweets and those of the people they follow.
import { h } from '../dom.js';
import { composer } from '../components/composer.js';
import { tweetList } from '../components/tweet-list.js';

export function homeView(page) {
  const list = page.use(tweetList('/timeline', {
    emptyText: 'Your home timeline is empty: post something, or follow people from Explore.',
    pollNew: true,
  }));
  return [h('h1', {}, 'Home'), composer({ onPosted: (t) => list.prepend(t) }).el, list.el];
}
