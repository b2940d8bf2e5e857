// A tweet's buttons: like and repost (pressed or not, with their counts,
// optimistic), and delete for its author.
import { api, currentUser } from '../api.js';
import { h, replace } from '../dom.js';
import { go } from '../navigation.js';
import { socialApi } from '../social-api.js';
import { flash } from './flash.js';

/**
 * A pressed/not-pressed action on `tweet`: its `flag` (liked_by_me) and
 * `count` (like_count) change at once and are rolled back if `call(id, on)`
 * fails; `onChange` runs after each change.
 */
function toggle(tweet, { cls, flag, count, label, icons, verbs, call, onChange }) {
  // The name stays ("Like 3"); aria-pressed says whether it is on.
  const el = h('button', { type: 'button', class: `action ${cls}` });
  const paint = () => {
    const on = Boolean(tweet[flag]);
    el.setAttribute('aria-pressed', String(on));
    replace(el, h('span', { 'aria-hidden': 'true' }, icons[on ? 1 : 0]), h('span', { class: 'sr-only' }, label), ` ${tweet[count]}`);
  };
  paint();
  el.addEventListener('click', async () => {
    if (!currentUser()) {
      go(`/login?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    const before = { on: Boolean(tweet[flag]), n: tweet[count] };
    tweet[flag] = !before.on;
    tweet[count] = before.n + (before.on ? -1 : 1);
    paint();
    try {
      const fresh = await call(tweet.id, !before.on);
      tweet[flag] = fresh[flag];
      tweet[count] = fresh[count];
    } catch (err) {
      tweet[flag] = before.on;
      tweet[count] = before.n;
      const why = err.status === 429 ? 'you are posting too fast, try again in a minute' : err.message;
      flash(`Could not ${verbs[before.on ? 1 : 0]} the tweet: ${why}`, 'error');
    }
    paint();
    onChange?.(tweet);
  });
  return el;
}

export function likeButton(tweet) {
  return toggle(tweet, {
    cls: 'like', flag: 'liked_by_me', count: 'like_count', label: 'Like',
    icons: ['♡', '♥'], verbs: ['like', 'unlike'], call: api.like,
  });
}

/** Repost / Undo repost; one's own tweets only show the count (the server refuses them). */
export function repostButton(tweet, { onChange } = {}) {
  if (currentUser()?.id === tweet.author.id) {
    return h('span', { class: 'action repost own' },
      h('span', { 'aria-hidden': 'true' }, '⟲'), ` ${tweet.repost_count ?? 0}`,
      h('span', { class: 'sr-only' }, tweet.repost_count === 1 ? ' repost' : ' reposts'));
  }
  tweet.repost_count ??= 0;
  return toggle(tweet, {
    cls: 'repost', flag: 'reposted_by_me', count: 'repost_count', label: 'Repost',
    icons: ['⟲', '⟲'], verbs: ['repost', 'undo the repost of'], call: socialApi.repost, onChange,
  });
}

export function deleteButton(tweet, card, onDeleted) {
  return h('button', {
    type: 'button',
    class: 'action delete',
    onclick: async () => {
      if (!confirm('Delete this tweet? This cannot be undone.')) return;
      try {
        await api.remove(tweet.id);
        card.remove();
        flash('Tweet deleted.');
        onDeleted?.(tweet);
      } catch (err) {
        flash(`Could not delete the tweet: ${err.message}`, 'error');
      }
    },
  }, 'Delete');
}
