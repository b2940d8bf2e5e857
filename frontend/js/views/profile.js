// A user's profile (/u/alice): who they are, their counts, follow, their tweets.
import { api, currentUser } from '../api.js';
import { h, replace } from '../dom.js';
import { link } from '../navigation.js';
import { flash } from '../components/flash.js';
import { tweetList } from '../components/tweet-list.js';
import { avatar, busy, state, textWithLinks } from '../components/ui.js';

/** Follow / Unfollow, for a signed-in user looking at someone else. */
function followButton(user, onChange) {
  const button = h('button', { type: 'button', class: 'button follow' });
  const paint = () => {
    button.textContent = user.followed_by_me ? 'Unfollow' : 'Follow';
    button.setAttribute('aria-pressed', String(Boolean(user.followed_by_me)));
  };
  paint();
  button.addEventListener('click', async () => {
    busy(button, true);
    try {
      Object.assign(user, await api.follow(user.username, !user.followed_by_me));
      paint();
      onChange();
    } catch (err) {
      flash(`Could not update: ${err.message}`, 'error');
    } finally {
      busy(button, false);
    }
  });
  return button;
}

function profile(page, user) {
  const self = currentUser()?.id === user.id;
  const counts = h('p', { class: 'counts' });
  const paintCounts = () => replace(counts,
    h('span', {}, h('strong', {}, String(user.tweets_count)), ' tweets'),
    h('span', {}, h('strong', {}, String(user.following_count)), ' following'),
    h('span', { class: 'followers' }, h('strong', {}, String(user.followers_count)), ' followers'));
  paintCounts();
  let action = null;
  if (self) {
    action = link('/settings', 'Edit profile');
    action.className = 'button secondary';
  } else if (currentUser()) {
    action = followButton(user, paintCounts);
  }
  const tweets = page.use(tweetList(`/users/${encodeURIComponent(user.username)}/tweets`, { emptyText: 'No tweets yet.' }));
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
    h('h2', {}, 'Tweets'),
    tweets.el,
  ];
}

export function profileView(page, username) {
  const box = h('div', {}, state('loading', 'Loading…'));
  (async () => {
    try {
      const user = await api.user(username);
      const content = profile(page, user);
      document.title = `${user.display_name || user.username} (@${user.username}) · Tweets`;
      replace(box, content);
    } catch (err) {
      replace(box, state('error', err.code === 'not_found' ? `There is no user named @${username}.` : err.message));
    }
  })();
  return box;
}
