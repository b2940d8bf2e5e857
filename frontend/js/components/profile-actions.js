// What a signed-in user can do about someone else, on their profile:
// follow, mute and block (blocking asks first). Each button shows the
// state the server answered and reports it with onChange(user).
import { api } from '../api.js';
import { h } from '../dom.js';
import { socialApi } from '../social-api.js';
import { flash } from './flash.js';
import { busy } from './ui.js';

function userToggle(user, { cls, flag, labels, call, ask, done, onChange }) {
  const button = h('button', { type: 'button', class: `button ${cls}` });
  const paint = () => {
    const on = Boolean(user[flag]);
    button.textContent = labels[on ? 1 : 0];
    button.setAttribute('aria-pressed', String(on));
  };
  paint();
  button.addEventListener('click', async () => {
    const on = !user[flag];
    if (ask && on && !confirm(ask(user))) return;
    busy(button, true);
    try {
      Object.assign(user, await call(user.username, on));
      if (done) flash(done(user, on));
      onChange?.(user);
    } catch (err) {
      flash(`Could not update: ${err.message}`, 'error');
    } finally {
      busy(button, false);
      paint();
    }
  });
  return { el: button, paint };
}

/** The buttons for `user` (not me): {el, repaint}. */
export function profileActions(user, { onChange } = {}) {
  const parts = [];
  const changed = () => {
    for (const p of parts) p.paint();
    follow.el.disabled = Boolean(user.blocked_by_me);
    follow.el.title = user.blocked_by_me ? 'Unblock to follow' : '';
    onChange?.(user);
  };
  const follow = userToggle(user, { cls: 'follow', flag: 'followed_by_me', labels: ['Follow', 'Unfollow'], call: api.follow, onChange: changed });
  const mute = userToggle(user, {
    cls: 'secondary mute', flag: 'muted_by_me', labels: ['Mute', 'Unmute'], call: socialApi.mute, onChange: changed,
    done: (u, on) => (on ? `You muted @${u.username}: their tweets leave your timelines.` : `You unmuted @${u.username}.`),
  });
  const block = userToggle(user, {
    cls: 'secondary danger block', flag: 'blocked_by_me', labels: ['Block', 'Unblock'], call: socialApi.block, onChange: changed,
    ask: (u) => `Block @${u.username}? You will unfollow each other and no longer see each other's tweets.`,
    done: (u, on) => (on ? `You blocked @${u.username}.` : `You unblocked @${u.username}.`),
  });
  parts.push(follow, mute, block);
  follow.el.disabled = Boolean(user.blocked_by_me);
  const el = h('div', { class: 'profile-actions', role: 'group', 'aria-label': `Actions for @${user.username}` },
    follow.el, mute.el, block.el);
  return { el };
}
