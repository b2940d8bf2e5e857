// Notifications (/notifications, signed in only): grouped likes, reposts,
// follows, replies and mentions, newest first, a page at a time. Opening
// the page marks everything shown read (the nav badge hears of it).
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { Pager } from '../paging.js';
import { socialApi } from '../social-api.js';
import { setUnread } from '../components/nav-bar.js';
import { notificationItem } from '../components/notification-item.js';
import { announce, busy, errorState, loading, state } from '../components/ui.js';

export function notificationsView(page) {
  document.title = 'Notifications · Tweets';
  const pager = new Pager((cursor) => api.page('/notifications', cursor));
  const list = h('ol', { class: 'notifications', 'aria-busy': 'true', 'aria-label': 'Notifications' });
  const status = h('div', { class: 'list-status' });
  const more = h('button', { type: 'button', class: 'button secondary load-more', hidden: true }, 'Load more');
  let shown = 0;
  let marked = 0;
  let left = false;
  page.use({ destroy: () => { left = true; } });

  const markRead = async (items) => {
    const newest = Math.max(0, ...items.map((n) => n.id));
    if (newest <= marked || !items.some((n) => n.unread)) return;
    marked = newest;
    try {
      const answer = await socialApi.markRead(newest);
      if (!left) setUnread(answer.unread_count);
    } catch {
      // Still unread: the badge says so on the next page.
    }
  };

  const loadMore = async () => {
    busy(more, true);
    list.setAttribute('aria-busy', 'true');
    replace(status, loading('Loading notifications…', { skeleton: shown === 0 }));
    try {
      const items = await pager.next();
      list.append(...items.map((n) => notificationItem(n).el));
      shown += items.length;
      const empty = 'No notifications yet. Likes, reposts, follows, replies and mentions show up here.';
      replace(status, shown ? null : state('empty', empty));
      announce(shown ? `${items.length} notifications loaded.` : empty);
      markRead(items);
    } catch (err) {
      replace(status, errorState(`Could not load notifications: ${err.message}`, loadMore));
    } finally {
      list.setAttribute('aria-busy', 'false');
      busy(more, false);
      more.hidden = pager.done;
    }
  };
  more.addEventListener('click', loadMore);
  loadMore();
  return [h('h1', {}, 'Notifications'), h('section', { class: 'timeline' }, list, status, more)];
}
