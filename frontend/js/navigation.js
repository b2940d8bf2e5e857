// Client-side navigation, shared by the router, the views and the components
// (which must not import the router: it imports every view). The router
// registers itself with onNavigate(); go() changes the URL and asks it to
// show the page; a view answers redirect(to) when it is the wrong page.
import { h } from './dom.js';

let navigate = () => {};

/** The router's entry point, called after every change of URL made here. */
export function onNavigate(fn) {
  navigate = fn;
}

/** Goes to `path` (a new history entry, or the current one replaced). */
export function go(path, { replace: swap = false } = {}) {
  if (swap) history.replaceState({}, '', path);
  else history.pushState({}, '', path);
  navigate();
}

class Redirect {
  constructor(to) {
    this.to = to;
  }
}

/** What a view or a route returns instead of content: "show `to` instead" (history entry replaced). */
export function redirect(to) {
  return new Redirect(to);
}

export function isRedirect(value) {
  return value instanceof Redirect;
}

/** A link inside the app: the router follows it without reloading the page. */
export function link(href, ...children) {
  return h('a', { href, 'data-link': true }, ...children);
}
