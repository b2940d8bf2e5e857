// One account in a list (search results, whom to follow): picture, names,
// bio, and a follow button for a signed-in reader (not on their own card).
import { api, currentUser } from '../api.js';
import { h } from '../dom.js';
import { link } from '../navigation.js';
import { flash } from './flash.js';
import { avatar, busy } from './ui.js';

function followButton(user) {
  const button = h('button', { type: 'button', class: 'button follow' });
  const paint = () => {
    button.textContent = user.followed_by_me ? 'Unfollow' : 'Follow';
    button.setAttribute('aria-pressed', String(Boolean(user.followed_by_me)));
    button.setAttribute('aria-label', `${user.followed_by_me ? 'Unfollow' : 'Follow'} @${user.username}`);
  };
  paint();
  button.addEventListener('click', async () => {
    busy(button, true);
    try {
      Object.assign(user, await api.follow(user.username, !user.followed_by_me));
    } catch (err) {
      flash(`Could not update: ${err.message}`, 'error');
    } finally {
      busy(button, false);
      paint();
    }
  });
  return button;
}

/** {el} for `user` (a User object). */
export function userCard(user) {
  const me = currentUser();
  const profile = `/u/${user.username}`;
  return {
    el: h('article', { class: 'user-card' },
      avatar(user),
      h('div', { class: 'user-card-body' },
        h('p', { class: 'user-card-names' },
          link(profile, h('strong', {}, user.display_name || user.username)), ' ',
          h('span', { class: 'handle' }, `@${user.username}`)),
        user.bio ? h('p', { class: 'user-card-bio' }, user.bio) : null),
      me && me.username !== user.username && !user.blocked_by_me ? followButton(user) : null),
  };
}
