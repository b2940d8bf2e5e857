// One notification group: who did what ("Ana and 3 others liked your
// tweet"), their pictures, when, and the tweet it is about.
import { h } from '../dom.js';
import { link } from '../navigation.js';
import { nameOf, notificationParts, snippet } from '../notification-text.js';
import { avatar, relativeTime } from './ui.js';

const ICONS = { like: '♥', repost: '⟲', follow: '+', reply: '↩', mention: '@' };

/** The notification `n` as a list item: {el}. */
export function notificationItem(n) {
  const words = notificationParts(n).map((p) => (p.type === 'actor'
    ? link(`/u/${p.actor.username}`, h('strong', {}, nameOf(p.actor)))
    : p.text));
  const tweet = n.tweet;
  const el = h('li', { class: `notification notification-${n.kind}${n.unread ? ' unread' : ''}`, dataset: { id: n.id } },
    h('span', { class: 'notification-icon', 'aria-hidden': 'true' }, ICONS[n.kind] || '•'),
    h('div', { class: 'notification-body' },
      h('div', { class: 'notification-actors', 'aria-hidden': 'true' }, (n.actors || []).map((a) => avatar(a, 'sm'))),
      h('p', { class: 'notification-text' },
        n.unread ? h('span', { class: 'unread-dot' }, h('span', { class: 'sr-only' }, 'New: ')) : null,
        words, ' · ', relativeTime(n.created_at)),
      tweet ? h('blockquote', { class: 'notification-tweet' }, link(`/t/${tweet.id}`, snippet(tweet.text))) : null));
  return { el };
}
