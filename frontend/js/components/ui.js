// Small building blocks shared by the components and the views.
import { h } from '../dom.js';
import { link } from '../navigation.js';
import { linkify } from '../text.js';

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
