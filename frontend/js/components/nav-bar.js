// The site navigation (#nav-links): what a visitor or a signed-in user can reach.
import { api, currentUser, session } from '../api.js';
import { h, replace } from '../dom.js';
import { go, link } from '../navigation.js';
import { flash } from './flash.js';

async function logout() {
  // Ends the session on the server (its tokens stop working everywhere) and
  // clears the refresh cookie; signed out here even if the server is away.
  await api.logout().catch(() => {});
  session.clear();
  flash('You are logged out.');
  go('/');
}

/** The nav bar over the existing list element: {el, render}. */
export function navBar(el) {
  const render = () => {
    const user = currentUser();
    const item = (href, text) => h('li', {}, link(href, text));
    replace(el,
      item('/', 'Explore'),
      user ? item('/home', 'Home') : null,
      user ? item(`/u/${user.username}`, 'Profile') : null,
      user ? item('/settings', 'Settings') : null,
      user
        ? h('li', {}, h('button', { class: 'link-button', type: 'button', onclick: logout }, 'Log out'))
        : [item('/login', 'Log in'), item('/signup', 'Sign up')]);
    for (const a of el.querySelectorAll('a')) {
      if (a.getAttribute('href') === location.pathname) a.setAttribute('aria-current', 'page');
    }
  };
  return { el, render };
}
