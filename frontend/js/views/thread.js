// A tweet in its thread (/t/123): what it replies to, up to the root, above
// it; the tweet itself highlighted; its replies below, all joined by a
// thread line. A reply box when signed in.
import { api, currentUser } from '../api.js';
import { h, replace } from '../dom.js';
import { go, link } from '../navigation.js';
import { socialApi } from '../social-api.js';
import { composer } from '../components/composer.js';
import { tweetCard } from '../components/tweet-card.js';
import { tweetList } from '../components/tweet-list.js';
import { errorState, loading } from '../components/ui.js';

function thread(page, tweet, ancestors) {
  const id = tweet.id;
  const replies = page.use(tweetList(`/tweets/${id}/replies`, { emptyText: 'No replies yet.', card: { inThread: true }, label: 'replies' }));
  replies.el.classList.add('thread-replies');
  const focal = () => tweetCard(tweet, { onDeleted: () => go('/'), inThread: true, focal: true });
  let card = focal();
  const countReply = () => {
    tweet.reply_count += 1;
    const fresh = focal();
    card.el.replaceWith(fresh.el);
    card = fresh;
  };
  const above = ancestors.map((t) => tweetCard(t, { inThread: true }).el);
  document.title = `@${tweet.author.username}: “${tweet.text.slice(0, 40)}” · Tweets`;
  return [
    h('h1', {}, 'Tweet'),
    h('div', { class: 'thread' },
      above.length ? h('section', { class: 'thread-ancestors', 'aria-label': 'Earlier in the thread' }, above) : null,
      card.el),
    h('h2', {}, 'Replies'),
    currentUser() ? composer({
      replyTo: id,
      placeholder: `Reply to @${tweet.author.username}`,
      onPosted: (t) => { replies.append(t); countReply(); },
    }).el : h('p', {}, link(`/login?next=${encodeURIComponent(`/t/${id}`)}`, 'Log in'), ' to reply.'),
    replies.el,
  ];
}

export function threadView(page, id) {
  const box = h('div', {}, loading('Loading the thread…'));
  const load = async () => {
    replace(box, loading('Loading the thread…'));
    try {
      const [tweet, above] = await Promise.all([api.tweet(id), socialApi.ancestors(id)]);
      replace(box, thread(page, tweet, above.items || []));
    } catch (err) {
      const missing = err.code === 'not_found' || err.status === 404;
      replace(box, h('h1', {}, 'Tweet'),
        errorState(missing ? 'This tweet does not exist (or was deleted).' : `Could not load the thread: ${err.message}`, missing ? null : load));
    }
  };
  load();
  return box;
}
