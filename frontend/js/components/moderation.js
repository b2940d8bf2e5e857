// What an administrator can do from the app's pages: remove someone else's
// tweet (its card's "Remove") and, on a profile, see the account's status
// and deactivate or reactivate it. Both ask first, with an optional reason.
import { adminApi } from '../admin-api.js';
import { h, replace } from '../dom.js';
import { accountStatus, formatDateTime } from '../moderation-text.js';
import { flash } from './flash.js';
import { askReason } from './reason-dialog.js';
import { busy, errorState, loading } from './ui.js';

/** Takes every card of tweet `id` off the page (a timeline may show it twice: itself and a repost). */
function dropCards(id, card) {
  card.remove();
  for (const other of document.querySelectorAll(`.tweet[data-id="${id}"]`)) other.remove();
}

/** "Remove" on `card` (someone else's tweet); `onRemoved(tweet)` runs once it is gone. */
export function removeButton(tweet, card, onRemoved) {
  const by = `@${tweet.author.username}`;
  const button = h('button', { type: 'button', class: 'action delete remove' },
    'Remove', h('span', { class: 'sr-only' }, ` tweet by ${by}`));
  button.addEventListener('click', async () => {
    const reason = await askReason({
      title: 'Remove this tweet?',
      text: `The tweet by ${by} and its reposts will be removed for everyone. This cannot be undone.`,
      action: 'Remove tweet',
      trigger: button,
    });
    if (reason === null) return;
    busy(button, true);
    try {
      await adminApi.removeTweet(tweet.id, reason);
      flash(`The tweet by ${by} was removed.`);
    } catch (err) {
      busy(button, false);
      if (err.status !== 404) {
        flash(`Could not remove the tweet: ${err.message}`, 'error');
        return;
      }
      flash('That tweet was already gone.');
    }
    dropCards(tweet.id, card);
    onRemoved?.(tweet);
  });
  return button;
}

/** The "Moderation" section of `username`'s profile (not one's own): {el}. */
export function moderationPanel(username) {
  const who = `@${username}`;
  const status = h('p', { class: 'moderation-status' });
  const toggle = h('button', { type: 'button', class: 'button secondary' });
  const message = h('p', { class: 'form-status', role: 'status' });
  const body = h('div', { class: 'moderation-body' });
  const el = h('section', { class: 'moderation card', 'aria-labelledby': 'moderation-title' },
    h('h2', { id: 'moderation-title' }, 'Moderation'), body);
  let account = null;

  const paint = () => {
    const { deactivated, since, text } = accountStatus(account);
    replace(status, h('strong', {}, 'Status: '), deactivated
      ? ['Deactivated since ', h('time', { datetime: since }, formatDateTime(since)), account.is_admin ? ' (an administrator)' : '']
      : text);
    status.classList.toggle('deactivated', deactivated);
    toggle.textContent = deactivated ? 'Reactivate account' : 'Deactivate account';
    toggle.classList.toggle('danger', !deactivated);
  };

  const say = (text, kind) => {
    message.textContent = text;
    message.className = `form-status ${kind}`;
  };

  toggle.addEventListener('click', async () => {
    const reactivate = Boolean(account.deactivated_at);
    const reason = await askReason(reactivate ? {
      title: `Reactivate ${who}?`,
      text: `${who} will be able to sign in again.`,
      action: 'Reactivate account',
      trigger: toggle,
    } : {
      title: `Deactivate ${who}?`,
      text: `${who} will no longer be able to sign in, and every session they have ends now. Their tweets stay until removed.`,
      action: 'Deactivate account',
      trigger: toggle,
    });
    if (reason === null) return;
    busy(toggle, true);
    try {
      account = await adminApi.setActive(username, reactivate, reason);
      paint();
      say(reactivate ? `${who} can sign in again.` : `${who} is deactivated: they can no longer sign in.`, 'ok');
    } catch (err) {
      say(err.code === 'conflict'
        ? `${who} is an administrator and cannot be deactivated: their admin flag must be revoked on the command line first.`
        : `Could not ${reactivate ? 'reactivate' : 'deactivate'} ${who}: ${err.message}`, 'error');
    } finally {
      busy(toggle, false);
    }
  });

  const load = async () => {
    replace(body, loading('Loading the account status…'));
    try {
      account = await adminApi.account(username);
      paint();
      replace(body, status, toggle, message);
    } catch (err) {
      replace(body, errorState(`Could not load the account status: ${err.message}`, err.code === 'not_admin' ? null : load));
    }
  };
  load();
  return { el };
}
