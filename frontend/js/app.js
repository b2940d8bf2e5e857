// Tweets single-page app, the entry point (index.html loads it): wires the
// session, the flash banner, the nav bar and the router, then shows the page.
// The pages are in views/, their parts in components/, the routes in router.js.
import { api, session, whenSessionExpires } from './api.js';
import { startClock } from './clock.js';
import { mountFlash } from './components/flash.js';
import { navBar } from './components/nav-bar.js';
import { go } from './navigation.js';
import { startRouter } from './router.js';

mountFlash(document.getElementById('flash'));
startClock(document);
const nav = navBar(document.getElementById('nav-links'));
const router = startRouter({ outlet: document.getElementById('main'), beforeEach: nav.render });

// A session the server ended (or that can no longer be refreshed) sends the
// user to log in, with the reason, and back here afterwards.
whenSessionExpires((err) => {
  const reason = err.code === 'token_expired' || err.code === 'session_ended'
    ? 'Your session has expired' : 'Your session is no longer valid';
  sessionStorage.setItem('tweets.loginReason', `${reason}: please log in again.`);
  if (location.pathname !== '/login') go(`/login?next=${encodeURIComponent(location.pathname)}`);
  else router.route();
});

// A session found on load is checked once: an expired token goes back to login.
if (session.get()) {
  api.me().then((user) => { session.setUser(user); nav.render(); }).catch(() => {});
}
router.route();
