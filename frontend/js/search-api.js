// Search and suggestions (docs/api.md, "Search"). Same client as api.js.
import { request } from './api.js';

const query = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== ''));

export const searchApi = {
  /** A page of tweets or accounts matching `q` ('tweets' | 'accounts'). */
  page: (kind, q, cursor, limit = 20) => request('GET', `/search/${kind}?${query({ q, cursor, limit })}`),
  tags: (q, limit = 20) => request('GET', `/search/tags?${query({ q, limit })}`),
  suggestions: (limit = 5) => request('GET', `/suggestions?${query({ limit })}`),
};
