// One tweet: who reposted it, author, whom it replies to, text with links,
// image (opens in a lightbox), replies link, like, repost and delete (or,
// for an administrator, remove).
import { currentUser } from '../api.js';
import { h, replace } from '../dom.js';
import { link } from '../navigation.js';
import { nameOf } from '../notification-text.js';
import { openLightbox } from './lightbox.js';
import { removeButton } from './moderation.js';
import { deleteButton, likeButton, repostButton } from './tweet-actions.js';
import { avatar, relativeTime, textWithLinks } from './ui.js';

/** The tweet's image as a button that opens it full size; alt is the author's description or empty. */
function image(tweet) {
  const alt = tweet.image_alt || '';
  const button = h('button', {
    type: 'button',
    class: 'image-button',
    'aria-label': alt ? `Open image: ${alt}` : 'Open image (no description)',
  }, h('img', { class: 'tweet-image', src: tweet.image_url, alt, loading: 'lazy' }));
  button.addEventListener('click', () => openLightbox({ src: tweet.image_url, alt, trigger: button }));
  return button;
}

/** The picture links where the name does: one link for the keyboard and screen readers, not two. */
function avatarLink(href, author) {
  const a = link(href, avatar(author));
  a.setAttribute('tabindex', '-1');
  a.setAttribute('aria-hidden', 'true');
  return a;
}

function repostNote(by) {
  return h('p', { class: 'repost-note' },
    h('span', { class: 'repost-icon', 'aria-hidden': 'true' }, '⟲ '),
    link(`/u/${by.username}`, nameOf(by)), ' reposted');
}

function replyNote(tweet) {
  if (tweet.reply_to_username) {
    return h('p', { class: 'reply-note' }, 'Replying to ', link(`/u/${tweet.reply_to_username}`, `@${tweet.reply_to_username}`));
  }
  return tweet.reply_to_id ? h('p', { class: 'reply-note' }, link(`/t/${tweet.reply_to_id}`, 'Replying to a tweet')) : null;
}

/**
 * A tweet card: {el}. `onDeleted(tweet)` runs after its author deleted it
 * (or an administrator removed it).
 * In a thread (`inThread`) the line between cards says what replies to
 * what, so "Replying to" is left out; `focal` marks the thread's own tweet.
 */
export function tweetCard(tweet, { onDeleted, inThread = false, focal = false } = {}) {
  const user = currentUser();
  const mine = user && user.id === tweet.author.id;
  const el = h('article', { class: `tweet${focal ? ' focal' : ''}`, dataset: { id: tweet.id }, 'aria-current': focal ? 'page' : null });
  // An administrator removes other people's tweets (their own keep Delete).
  const admin = user?.is_admin && !mine;
  const del = mine ? deleteButton(tweet, el, onDeleted) : (admin ? removeButton(tweet, el, onDeleted) : null);
  const profile = `/u/${tweet.author.username}`;
  replace(el,
    tweet.reposted_by ? repostNote(tweet.reposted_by) : null,
    h('div', { class: 'tweet-main' },
      h('div', { class: 'tweet-avatar' }, avatarLink(profile, tweet.author)),
      h('div', { class: 'tweet-body' },
        h('header', { class: 'tweet-head' },
          link(profile, h('strong', { class: 'name' }, nameOf(tweet.author))),
          h('span', { class: 'handle' }, ` @${tweet.author.username}`),
          ' · ',
          link(`/t/${tweet.id}`, relativeTime(tweet.created_at))),
        inThread ? null : replyNote(tweet),
        h('p', { class: 'tweet-text' }, textWithLinks(tweet.text)),
        tweet.image_url ? image(tweet) : null,
        h('footer', { class: 'tweet-actions' },
          link(`/t/${tweet.id}`, `${tweet.reply_count} ${tweet.reply_count === 1 ? 'reply' : 'replies'}`),
          likeButton(tweet),
          repostButton(tweet),
          del))));
  return { el };
}
