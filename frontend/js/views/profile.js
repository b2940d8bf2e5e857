// A user's profile (/u/alice): who they are, their counts, follow, mute and
// block, for an administrator the account's moderation, their tweets.
import { api, currentUser } from '../api.js';
import { h, replace } from '../dom.js';
import { link } from '../navigation.js';
import { moderationPanel } from '../components/moderation.js';
import { profileActions } from '../components/profile-actions.js';
import { tweetList } from '../components/tweet-list.js';
import { avatar, errorState, loading, state, textWithLinks } from '../components/ui.js';

function profile(page, user) {
  const self = currentUser()?.id === user.id;
  const counts = h('p', { class: 'counts' });
  const paintCounts = () => replace(counts,
    h('span', {}, h('strong', {}, String(user.tweets_count)), ' tweets'),
    h('span', {}, h('strong', {}, String(user.following_count)), ' following'),
    h('span', { class: 'followers' }, h('strong', {}, String(user.followers_count)), ' followers'));
  paintCounts();
  const tweets = h('div', { class: 'profile-tweets' });
  // A block hides their tweets both ways: the list is built again when it changes.
  let blocked = null;
  const paintTweets = () => {
    if (blocked === Boolean(user.blocked_by_me)) return;
    blocked = Boolean(user.blocked_by_me);
    replace(tweets, blocked
      ? state('empty', `You blocked @${user.username}: you don't see each other's tweets.`)
      : page.use(tweetList(`/users/${encodeURIComponent(user.username)}/tweets`, { emptyText: 'No tweets yet.' })).el);
  };
  paintTweets();
  let action = null;
  if (self) {
    action = link('/settings', 'Edit profile');
    action.className = 'button secondary';
  } else if (currentUser()) {
    action = profileActions(user, { onChange: () => { paintCounts(); paintTweets(); } }).el;
  }
  return [
    h('section', { class: 'profile' },
      avatar(user, 'lg'),
      h('div', { class: 'profile-info' },
        h('h1', {}, user.display_name || user.username),
        h('p', { class: 'handle' }, `@${user.username}`),
        user.bio ? h('p', { class: 'bio' }, textWithLinks(user.bio)) : null,
        counts,
        h('p', { class: 'hint' }, `Joined ${new Date(user.created_at).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' })}`)),
      action),
    currentUser()?.is_admin && !self ? moderationPanel(user.username).el : null,
    h('h2', {}, 'Tweets'),
    tweets,
  ];
}

export function profileView(page, username) {
  const box = h('div', {}, loading('Loading the profile…'));
  const load = async () => {
    replace(box, loading('Loading the profile…'));
    try {
      const user = await api.user(username);
      const content = profile(page, user);
      document.title = `${user.display_name || user.username} (@${user.username}) · Tweets`;
      replace(box, content);
    } catch (err) {
      const missing = err.code === 'not_found' || err.status === 404;
      replace(box, errorState(missing ? `There is no user named @${username}.` : `Could not load the profile: ${err.message}`, missing ? null : load));
    }
  };
  load();
  return box;
}
