// Moderation by administrators (docs/api.md, "Administration"): an
// account's status, deactivating and reactivating it, removing anyone's
// tweet, the audit log. Anyone else gets 403 `not_admin`. Same client as api.js.
import { request } from './api.js';

const account = (name) => `/admin/users/${encodeURIComponent(name)}`;
/** `?reason=…` for the audit log, or nothing when none was given. */
const why = (reason) => (reason ? `?${new URLSearchParams({ reason })}` : '');

export const adminApi = {
  account: (name) => request('GET', account(name)),
  /** Deactivates (`active` false) or reactivates the account; answers its new status. */
  setActive: (name, active, reason) => request('POST', `${account(name)}/${active ? 'reactivate' : 'deactivate'}${why(reason)}`),
  removeTweet: (id, reason) => request('DELETE', `/admin/tweets/${id}${why(reason)}`),
  audit: (cursor, limit = 20) => {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set('cursor', cursor);
    return request('GET', `/admin/audit?${q}`);
  },
};
