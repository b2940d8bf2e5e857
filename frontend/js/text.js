// Pure text helpers, shared by the page and the node tests.

export const MAX_TWEET = 280;

/** Trims Unicode White_Space exactly as the server's `str::trim` does
 * (String.prototype.trim also strips U+FEFF, which the server keeps). */
export function trimLikeServer(text) {
  return text.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, '');
}

/**
 * Counts a tweet the way the server does: surrounding whitespace trimmed,
 * then Unicode scalar values (code points), not UTF-16 units or graphemes.
 */
export function countChars(text) {
  return [...trimLikeServer(text)].length;
}

/** Characters left, and whether the text can be posted. */
export function tweetBudget(text) {
  const used = countChars(text);
  return { used, left: MAX_TWEET - used, ok: used >= 1 && used <= MAX_TWEET };
}

const TOKEN = /(https?:\/\/[^\s<>"']+)|(^|[^\w@])@([A-Za-z0-9_]{3,30})(?![A-Za-z0-9_])|(^|[^\w#&])#([\p{L}\p{N}_]{1,50})/gu;
const TRAILING = /[.,;:!?)\]}'"]+$/u;

/**
 * Splits text into segments: {type:'text', text}, {type:'url', text, href},
 * {type:'mention', text, username}, {type:'tag', text, tag}. Only http(s)
 * URLs become links; the renderer builds elements from these, never HTML.
 */
export function linkify(text) {
  const out = [];
  let last = 0;
  const push = (seg) => {
    if (seg.type === 'text' && out.length && out[out.length - 1].type === 'text') {
      out[out.length - 1].text += seg.text;
    } else if (seg.type !== 'text' || seg.text) {
      out.push(seg);
    }
  };
  for (const m of text.matchAll(TOKEN)) {
    let start = m.index;
    let token;
    if (m[1]) {
      let url = m[1];
      const trail = url.match(TRAILING);
      if (trail) url = url.slice(0, -trail[0].length);
      token = { type: 'url', text: url, href: url };
    } else if (m[3]) {
      start += m[2].length;
      token = { type: 'mention', text: `@${m[3]}`, username: m[3] };
    } else {
      start += m[4].length;
      token = { type: 'tag', text: `#${m[5]}`, tag: m[5] };
    }
    push({ type: 'text', text: text.slice(last, start) });
    push(token);
    last = start + token.text.length;
  }
  push({ type: 'text', text: text.slice(last) });
  return out;
}

/** "now", "42s", "5m", "3h", "2d", then a date ("Mar 4" or "Mar 4, 2025"). */
export function formatTime(iso, now = new Date()) {
  const then = new Date(iso);
  const seconds = Math.floor((now - then) / 1000);
  if (Number.isNaN(seconds)) return '';
  if (seconds < 5) return 'now';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  if (seconds < 7 * 86400) return `${Math.floor(seconds / 86400)}d`;
  const opts = { month: 'short', day: 'numeric', timeZone: 'UTC' };
  if (then.getUTCFullYear() !== now.getUTCFullYear()) opts.year = 'numeric';
  return then.toLocaleDateString('en-US', opts);
}
