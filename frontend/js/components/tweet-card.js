// One tweet: author, text with links, image, replies link, like and delete.
import { api, currentUser } from '../api.js';
import { h, replace } from '../dom.js';
import { go, link } from '../navigation.js';
import { formatTime } from '../text.js';
import { flash } from './flash.js';
import { avatar, textWithLinks } from './ui.js';

function likeButton(tweet) {
  const el = h('button', {
    type: 'button',
    class: 'action like',
    'aria-pressed': String(tweet.liked_by_me),
    'aria-label': tweet.liked_by_me ? 'Unlike' : 'Like',
  });
  const paint = () => {
    el.setAttribute('aria-pressed', String(tweet.liked_by_me));
    el.setAttribute('aria-label', tweet.liked_by_me ? 'Unlike' : 'Like');
    replace(el, h('span', { 'aria-hidden': 'true' }, tweet.liked_by_me ? '♥' : '♡'), ` ${tweet.like_count}`);
  };
  paint();
  el.addEventListener('click', async () => {
    if (!currentUser()) {
      go(`/login?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    // Optimistic: show the change at once, roll back if the server says no.
    const before = { liked: tweet.liked_by_me, count: tweet.like_count };
    tweet.liked_by_me = !before.liked;
    tweet.like_count = before.count + (tweet.liked_by_me ? 1 : -1);
    paint();
    try {
      const fresh = await api.like(tweet.id, tweet.liked_by_me);
      tweet.liked_by_me = fresh.liked_by_me;
      tweet.like_count = fresh.like_count;
    } catch (err) {
      tweet.liked_by_me = before.liked;
      tweet.like_count = before.count;
      flash(`Could not ${before.liked ? 'unlike' : 'like'} the tweet: ${err.message}`, 'error');
    }
    paint();
  });
  return el;
}

function deleteButton(tweet, card, onDeleted) {
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

/** A tweet card: {el}. `onDeleted(tweet)` runs after its author deleted it. */
export function tweetCard(tweet, { onDeleted } = {}) {
  const user = currentUser();
  const mine = user && user.id === tweet.author.id;
  const like = likeButton(tweet);
  const el = h('article', { class: 'tweet', dataset: { id: tweet.id } });
  const del = mine ? deleteButton(tweet, el, onDeleted) : null;
  const when = new Date(tweet.created_at);
  replace(el,
    h('div', { class: 'tweet-avatar' }, link(`/u/${tweet.author.username}`, avatar(tweet.author))),
    h('div', { class: 'tweet-body' },
      h('header', { class: 'tweet-head' },
        link(`/u/${tweet.author.username}`, h('strong', { class: 'name' }, tweet.author.display_name || tweet.author.username)),
        h('span', { class: 'handle' }, ` @${tweet.author.username}`),
        ' · ',
        link(`/t/${tweet.id}`, h('time', { datetime: tweet.created_at, title: when.toUTCString() }, formatTime(tweet.created_at)))),
      tweet.reply_to_id ? h('p', { class: 'reply-note' }, link(`/t/${tweet.reply_to_id}`, 'Replying to a tweet')) : null,
      h('p', { class: 'tweet-text' }, textWithLinks(tweet.text)),
      tweet.image_url ? h('a', { href: tweet.image_url, target: '_blank', rel: 'noopener' },
        h('img', { class: 'tweet-image', src: tweet.image_url, alt: 'Image attached to the tweet', loading: 'lazy' })) : null,
      h('footer', { class: 'tweet-actions' },
        link(`/t/${tweet.id}`, `${tweet.reply_count} ${tweet.reply_count === 1 ? 'reply' : 'replies'}`),
        like,
        del)));
  return { el };
}
