// Administration (/admin, signed in only; the API answers 403 to anyone but
// an administrator): the audit log, newest first, a page at a time: who did
// what to whom, when, and why.
import { adminApi } from '../admin-api.js';
import { h, replace } from '../dom.js';
import { link } from '../navigation.js';
import { auditParts } from '../moderation-text.js';
import { Pager } from '../paging.js';
import { announce, busy, errorState, loading, relativeTime, state } from '../components/ui.js';

const ICONS = {
  create_user: '+', deactivate_user: '⊘', reactivate_user: '↺', grant_admin: '★', revoke_admin: '☆', create_tweet: '✎', remove_tweet: '✕',
};

/** One entry of the log as a list item. */
function auditItem(entry) {
  const words = auditParts(entry).map((p) => (p.type === 'user' ? link(`/u/${p.username}`, h('strong', {}, p.username)) : p.text));
  return h('li', { class: `audit-entry audit-${entry.action}`, dataset: { id: entry.id } },
    h('span', { class: 'audit-icon', 'aria-hidden': 'true' }, ICONS[entry.action] || '•'),
    h('p', { class: 'audit-text' }, words, ' · ', relativeTime(entry.at)));
}

export function adminView(page) {
  document.title = 'Audit log · Tweets';
  const pager = new Pager((cursor) => adminApi.audit(cursor));
  const list = h('ol', { class: 'audit-log', 'aria-busy': 'true', 'aria-label': 'Audit log' });
  const status = h('div', { class: 'list-status' });
  const more = h('button', { type: 'button', class: 'button secondary load-more', hidden: true }, 'Load more');
  const intro = h('p', { class: 'hint' }, 'Every administrative action, through the app or on the command line, newest first.');
  let shown = 0;
  let refused = false;

  const loadMore = async () => {
    busy(more, true);
    list.setAttribute('aria-busy', 'true');
    replace(status, loading('Loading the audit log…', { skeleton: shown === 0 }));
    try {
      const items = await pager.next();
      list.append(...items.map(auditItem));
      shown += items.length;
      const empty = 'Nothing has been recorded yet.';
      replace(status, shown ? null : state('empty', empty));
      announce(shown ? `${items.length} entries loaded.` : empty);
    } catch (err) {
      refused = err.code === 'not_admin' || err.status === 403;
      if (refused) {
        intro.remove();
        replace(status, errorState('You are not allowed to see this page: it is for administrators only.'));
      } else {
        replace(status, errorState(`Could not load the audit log: ${err.message}`, loadMore));
      }
    } finally {
      list.setAttribute('aria-busy', 'false');
      busy(more, false);
      more.hidden = pager.done || refused || !shown;
    }
  };
  more.addEventListener('click', loadMore);
  loadMore();
  return [h('h1', {}, 'Audit log'), intro, h('section', { class: 'timeline' }, list, status, more)];
}
