// Notification groups in words, shared by the page and the node tests:
// "Ana and 3 others liked your tweet", "Ana and Ben reposted your tweet".

const ACTIONS = {
  like: 'liked your tweet',
  repost: 'reposted your tweet',
  follow: 'followed you',
  reply: 'replied',
  mention: 'mentioned you',
};

/** The name a person is shown by. */
export const nameOf = (author) => author.display_name || author.username;

/**
 * A group as parts to render: {type:'actor', actor}, {type:'text', text}.
 * Up to two people are named when the group has at most two (more than
 * three names do not read well), else the newest one and "N others", where
 * N is the count less the names shown. A kind this app does not know is a
 * plain count ("3 new notifications").
 */
export function notificationParts(n) {
  const action = ACTIONS[n.kind];
  const count = Math.max(n.count || 0, 1);
  if (!action) return [{ type: 'text', text: count === 1 ? '1 new notification' : `${count} new notifications` }];
  const actors = n.actors || [];
  const shown = actors.slice(0, count <= 2 ? 2 : 1);
  const others = count - shown.length;
  const items = shown.map((actor) => ({ type: 'actor', actor }));
  if (!shown.length) items.push({ type: 'text', text: count === 1 ? 'Someone' : `${count} people` });
  else if (others > 0) items.push({ type: 'text', text: others === 1 ? '1 other' : `${others} others` });
  const parts = [];
  items.forEach((item, i) => {
    if (i > 0) parts.push({ type: 'text', text: i === items.length - 1 ? ' and ' : ', ' });
    parts.push(item);
  });
  parts.push({ type: 'text', text: ` ${action}` });
  return parts;
}

/** The same as plain text. */
export function notificationText(n) {
  return notificationParts(n).map((p) => (p.type === 'actor' ? nameOf(p.actor) : p.text)).join('');
}

/** A tweet's text cut to `max` code points, with an ellipsis when cut. */
export function snippet(text, max = 120) {
  const chars = [...(text || '')];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}
