// The router: which view a path shows, explicit redirects, links followed
// without a reload, and the lifetime of what a page starts (timers, polls).
import { currentUser } from './api.js';
import { replace } from './dom.js';
import { go, isRedirect, onNavigate, redirect } from './navigation.js';
import { adminView } from './views/admin.js';
import { authView } from './views/auth.js';
import { homeView } from './views/home.js';
import { notFoundView } from './views/not-found.js';
import { notificationsView } from './views/notifications.js';
import { profileView } from './views/profile.js';
import { publicView } from './views/public.js';
import { searchView } from './views/search.js';
import { settingsView } from './views/settings.js';
import { tagView } from './views/tag.js';
import { threadView } from './views/thread.js';

/**
 * Every page. A view is called as view(page, ...args(match)) and returns its
 * content (nodes) or redirect(to). `login`: visitors are sent to log in first.
 */
const routes = [
  { name: 'public', path: /^\/$/, view: publicView },
  { name: 'home', path: /^\/home$/, view: homeView, login: true },
  { name: 'login', path: /^\/login$/, view: authView, args: () => ['login'] },
  { name: 'signup', path: /^\/signup$/, view: authView, args: () => ['signup'] },
  { name: 'notifications', path: /^\/notifications$/, view: notificationsView, login: true },
  { name: 'settings', path: /^\/settings$/, view: settingsView, login: true },
  { name: 'admin', path: /^\/admin$/, view: adminView, login: true },
  { name: 'search', path: /^\/search$/, view: searchView },
  { name: 'profile', path: /^\/u\/([A-Za-z0-9_]{3,30})$/, view: profileView, args: (m) => [m[1]] },
  { name: 'thread', path: /^\/t\/([1-9][0-9]{0,15})$/, view: threadView, args: (m) => [Number(m[1])] },
  { name: 'tag', path: /^\/tag\/([^/]+)$/, view: tagView, args: (m) => [decodeURIComponent(m[1])] },
];
const notFound = { name: 'not-found', view: notFoundView, args: [] };

/** What `path` shows for `user` (null: a visitor): {name, view, args}, or a redirect. */
export function resolve(path, user) {
  for (const r of routes) {
    const match = path.match(r.path);
    if (!match) continue;
    if (r.login && !user) return redirect(`/login?next=${encodeURIComponent(path)}`);
    return { name: r.name, view: r.view, args: r.args ? r.args(match) : [] };
  }
  return notFound;
}

/**
 * What a page owns: components given to use() are destroyed when the page is
 * left, and asked to checkForNew() when the browser tab is visible again.
 */
export function pageScope() {
  const parts = [];
  let left = false;
  return {
    use(part) {
      if (left) part.destroy?.();
      else parts.push(part);
      return part;
    },
    visible() {
      for (const part of parts) part.checkForNew?.();
    },
    leave() {
      left = true;
      for (const part of parts.splice(0)) part.destroy?.();
    },
  };
}

/**
 * Starts routing into `outlet` (the <main> element): {route}. `beforeEach`
 * runs as each page starts (the nav bar repaints there). The first page is
 * shown by calling route().
 */
export function startRouter({ outlet, beforeEach = () => {} }) {
  let page = pageScope();

  async function route() {
    page.leave();
    page = pageScope();
    document.title = 'Tweets';
    beforeEach();
    const target = resolve(location.pathname, currentUser());
    const content = isRedirect(target) ? target : await target.view(page, ...target.args);
    if (isRedirect(content)) {
      go(content.to, { replace: true });
      return;
    }
    replace(outlet, content);
    outlet.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }

  onNavigate(route);
  document.addEventListener('click', (event) => {
    const a = event.target.closest('a[data-link]');
    if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || a.target) return;
    const url = new URL(a.href);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    if (url.pathname + url.search !== location.pathname + location.search) go(url.pathname + url.search);
  });
  window.addEventListener('popstate', route);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) page.visible();
  });
  return { route };
}
