// The site navigation (#nav-links): what a visitor or a signed-in user can
// reach, with the count of unread notifications on "Notifications" (kept
// current by the notifications stream), and "Admin" for administrators. On
// phones the CSS turns it into a bar fixed at the bottom of the screen.
import { api, currentUser, session } from '../api.js';
import { h, replace } from '../dom.js';
import { go, link } from '../navigation.js';
import { socialApi } from '../social-api.js';
import { openStream } from '../stream.js';
import { flash } from './flash.js';

let badgeEl = null; // made on first use: this module also loads where there is no document
const badge = () => (badgeEl ||= h('span', { class: 'badge', hidden: true }));
let asked = 0; // which unread_count answer is the latest one worth showing

/** Shows `count` unread notifications on the nav item (0 hides the badge). */
export function setUnread(count) {
  asked += 1; // an answer already on its way is older than this
  const n = Math.max(0, Number(count) || 0);
  badge().hidden = n === 0;
  replace(badge(), n > 99 ? '99+' : String(n), h('span', { class: 'sr-only' }, ' unread'));
}

async function refreshUnread() {
  const mine = (asked += 1);
  try {
    const { count } = await socialApi.unreadCount();
    if (mine === asked) setUnread(count);
  } catch {
    // The badge keeps what it showed; the next page asks again.
  }
}

// New notifications are pushed (GET /streaming/notifications): each says
// how many groups are unread now. One stream per tab while signed in.
let stream = null;
function listen(user) {
  if (user && !stream) {
    stream = openStream('/streaming/notifications', ({ event, data }) => {
      if (event === 'notification') setUnread(data.unread_count);
    });
  } else if (!user && stream) {
    stream.close();
    stream = null;
  }
}

async function logout() {
  // Ends the session on the server (its tokens stop working everywhere) and
  // clears the refresh cookie; signed out here even if the server is away.
  await api.logout().catch(() => {});
  session.clear();
  setUnread(0);
  flash('You are logged out.');
  go('/');
}

const ICONS = { '/': '⌕', '/home': '⌂', '/notifications': '♢', profile: '☺', '/admin': '⚑', '/settings': '⚙' };

/** The nav bar over the existing list element: {el, render}. */
export function navBar(el) {
  const render = () => {
    const user = currentUser();
    const item = (href, text, { icon = ICONS[href], extra = null, cls = '' } = {}) => h('li', { class: cls || null },
      link(href, icon ? h('span', { class: 'nav-icon', 'aria-hidden': 'true' }, icon) : null, h('span', { class: 'nav-label' }, text), extra));
    replace(el,
      item('/', 'Explore'),
      user ? item('/home', 'Home') : null,
      user ? item('/notifications', 'Notifications', { extra: badge() }) : null,
      user ? item(`/u/${user.username}`, 'Profile', { icon: ICONS.profile }) : null,
      user?.is_admin ? item('/admin', 'Admin') : null,
      user ? item('/settings', 'Settings', { cls: 'nav-secondary' }) : null,
      user
        ? h('li', { class: 'nav-secondary' }, h('button', { class: 'nav-button', type: 'button', onclick: logout }, 'Log out'))
        : [item('/login', 'Log in', { icon: '→' }), item('/signup', 'Sign up', { icon: '✚' })]);
    for (const a of el.querySelectorAll('a')) {
      if (a.getAttribute('href') === location.pathname) a.setAttribute('aria-current', 'page');
    }
    if (user) refreshUnread();
    else setUnread(0);
    listen(user);
  };
  return { el, render };
}
