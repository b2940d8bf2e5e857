// A tweet and its replies (/t/123), with a reply box when signed in.
import { api, currentUser } from '../api.js';
import { h, replace } from '../dom.js';
import { go, link } from '../navigation.js';
import { composer } from '../components/composer.js';
import { tweetCard } from '../components/tweet-card.js';
import { tweetList } from '../components/tweet-list.js';
import { state } from '../components/ui.js';

export function threadView(page, id) {
  const box = h('div', {}, state('loading', 'Loading…'));
  (async () => {
    try {
      const tweet = await api.tweet(id);
      const replies = page.use(tweetList(`/tweets/${id}/replies`, { emptyText: 'No replies yet.' }));
      let card = tweetCard(tweet, { onDeleted: () => go('/') });
      const countReply = () => {
        tweet.reply_count += 1;
        const fresh = tweetCard(tweet, { onDeleted: () => go('/') });
        card.el.replaceWith(fresh.el);
        card = fresh;
      };
      replace(box,
        h('h1', {}, 'Tweet'),
        card.el,
        h('h2', {}, 'Replies'),
        currentUser() ? composer({
          replyTo: tweet.id,
          placeholder: `Reply to @${tweet.author.username}`,
          onPosted: (t) => { replies.append(t); countReply(); },
        }).el : h('p', {}, link(`/login?next=/t/${id}`, 'Log in'), ' to reply.'),
        replies.el);
    } catch (err) {
      replace(box, h('h1', {}, 'Tweet'), state('error', err.code === 'not_found' ? 'This tweet does not exist (or was deleted).' : err.message));
    }
  })();
  return box;
}
