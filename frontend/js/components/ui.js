// Small building blocks shared by the components and the views.
import { h } from '../dom.js';
import { link } from '../navigation.js';
import { formatTime, linkify } from '../text.js';

/** A user's picture, or their initial when they have none. */
export function avatar(user, size = 'md') {
  if (user.avatar_url) {
    return h('img', { class: `avatar avatar-${size}`, src: user.avatar_url, alt: '', loading: 'lazy' });
  }
  const initial = [...(user.display_name || user.username)][0]?.toUpperCase() || '?';
  return h('span', { class: `avatar avatar-${size} avatar-initial`, 'aria-hidden': 'true' }, initial);
}

/** Text with its URLs, @mentions and #hashtags as links (elements, never HTML). */
export function textWithLinks(text) {
  return linkify(text).map((seg) => {
    switch (seg.type) {
      case 'url':
        return h('a', { href: seg.href, rel: 'noopener noreferrer nofollow ugc', target: '_blank' }, seg.text);
      case 'mention':
        return link(`/u/${seg.username}`, seg.text);
      case 'tag':
        return link(`/tag/${encodeURIComponent(seg.tag)}`, seg.text);
      default:
        return seg.text;
    }
  });
}

/** Disables a button while its action runs. */
export function busy(button, on) {
  button.disabled = on;
  button.setAttribute('aria-busy', on ? 'true' : 'false');
}

/** A loading / empty / error line. */
export function state(kind, text) {
  return h('p', { class: `state state-${kind}`, role: kind === 'error' ? 'alert' : null }, text);
}

/** A time that the page clock (clock.js) keeps relative: "now", "5m", "3h". */
export function relativeTime(iso) {
  return h('time', { datetime: iso, title: new Date(iso).toUTCString(), 'data-relative': true }, formatTime(iso));
}

/** Tells screen-reader users something, politely (#announcer in index.html). */
export function announce(text) {
  const el = document.getElementById('announcer');
  if (!el) return;
  el.textContent = '';
  setTimeout(() => { el.textContent = text; }, 100);
}

/** The one loading state: a spinner (and, for lists, skeleton cards), busy, announced. */
export function loading(text = 'Loading…', { skeleton = false } = {}) {
  announce(text);
  const bones = skeleton ? Array.from({ length: 3 }, () => h('div', { class: 'skeleton', 'aria-hidden': 'true' },
    h('span', { class: 'skeleton-avatar' }), h('span', { class: 'skeleton-lines' }, h('span', {}), h('span', {})))) : [];
  return h('div', { class: 'state state-loading', 'aria-busy': 'true' },
    h('p', { class: 'state-line' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text), bones);
}

/** The one error state: what went wrong and, when trying again can help, one Retry. */
export function errorState(message, onRetry) {
  return h('div', { class: 'state state-error', role: 'alert' },
    h('p', { class: 'state-line' }, message),
    onRetry ? h('button', { type: 'button', class: 'button secondary', onclick: onRetry }, 'Retry') : null);
}
