// Moderation in words, shared by the page and the node tests: an audit-log
// entry as a sentence ("alice removed a tweet by bob: “buy now” — reason:
// spam") and an account's status ("Deactivated since Dec 1, 2026, 5:00 PM UTC").
import { snippet } from './notification-text.js';

/** Who acted: an administrator's username, or `cli:<os user>` for the command line. */
function actorPart(actor) {
  if (actor?.startsWith('cli:')) return { type: 'text', text: `${actor.slice(4) || 'someone'} (command line)` };
  return actor ? { type: 'user', username: actor } : { type: 'text', text: 'Someone' };
}

const text = (t) => ({ type: 'text', text: t });
const target = (entry, otherwise = 'an account') => (entry.target_username
  ? { type: 'user', username: entry.target_username } : text(otherwise));
const quoted = (entry) => (entry.tweet_text != null ? [text(`: “${snippet(entry.tweet_text, 100)}”`)] : []);

/** What each action says after the actor's name. */
const SENTENCES = {
  create_user: (e) => [text(' created the account '), target(e)],
  deactivate_user: (e) => [text(' deactivated '), target(e)],
  reactivate_user: (e) => [text(' reactivated '), target(e)],
  grant_admin: (e) => [text(' made '), target(e), text(' an administrator')],
  revoke_admin: (e) => [text(' revoked the administrator role of '), target(e)],
  create_tweet: (e) => [text(' posted a tweet as '), target(e), ...quoted(e)],
  remove_tweet: (e) => [text(e.target_username ? ' removed a tweet by ' : ' removed a tweet'),
    ...(e.target_username ? [target(e)] : []), ...quoted(e)],
};

/**
 * An entry as parts to render: {type:'user', username} (a link to the
 * profile) and {type:'text', text}. An action this app does not know is
 * named as the API spells it.
 */
export function auditParts(entry) {
  const sentence = SENTENCES[entry.action]
    || ((e) => [text(` did ${e.action}`), ...(e.target_username ? [text(' to '), target(e)] : []), ...quoted(e)]);
  const parts = [actorPart(entry.actor), ...sentence(entry)];
  if (entry.reason) parts.push(text(` — reason: ${entry.reason}`));
  // Neighbouring text parts read as one.
  return parts.reduce((out, p) => {
    const last = out[out.length - 1];
    if (p.type === 'text' && last?.type === 'text') last.text += p.text;
    else out.push({ ...p });
    return out;
  }, []);
}

/** The same as plain text. */
export function auditText(entry) {
  return auditParts(entry).map((p) => (p.type === 'user' ? p.username : p.text)).join('');
}

/** A moment in full, in UTC: "Dec 1, 2026, 5:00 PM UTC" ('' when not a date). */
export function formatDateTime(iso) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return '';
  return `${when.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })} UTC`;
}

/** An account's status (GET /admin/users/{name}): {deactivated, since, text}. */
export function accountStatus(account) {
  const since = account?.deactivated_at || null;
  const role = account?.is_admin ? ' (an administrator)' : '';
  return {
    deactivated: Boolean(since),
    since,
    text: since ? `Deactivated since ${formatDateTime(since)}${role}` : `Active${role}`,
  };
}
