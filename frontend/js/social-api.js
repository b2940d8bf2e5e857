// The social endpoints (docs/api.md, "Social features"): reposts, blocks,
// mutes, notifications and the thread above a tweet. Same client as api.js.
import { request } from './api.js';

const user = (name) => `/users/${encodeURIComponent(name)}`;

export const socialApi = {
  repost: (id, on) => request(on ? 'PUT' : 'DELETE', `/tweets/${id}/repost`),
  block: (name, on) => request(on ? 'PUT' : 'DELETE', `${user(name)}/block`),
  mute: (name, on) => request(on ? 'PUT' : 'DELETE', `${user(name)}/mute`),
  ancestors: (id) => request('GET', `/tweets/${id}/ancestors`),
  unreadCount: () => request('GET', '/notifications/unread_count'),
  /** Marks notifications read up to `upToId` (everything so far without it). */
  markRead: (upToId) => request('POST', `/notifications/read${upToId ? `?up_to_id=${upToId}` : ''}`),
};
