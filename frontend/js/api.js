// The JSON API client: one place that knows about tokens, problem documents
// and sessions. The access token (15 minutes) lives in localStorage; the
// refresh token never reaches script: the server keeps it in an HttpOnly
// cookie scoped to /api/v1/auth, and an expired access token is exchanged
// for a new one once, transparently.

const BASE = '/api/v1';
const SESSION_KEY = 'tweets.session';

/** An API error: the problem document's fields, and which form fields failed. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `Request failed (${status})`);
    this.status = status;
    /** The problem document's stable `code` (docs/api.md): what to switch on. */
    this.code = problem?.code || (status === 0 ? 'network_error' : '');
    this.title = problem?.title || '';
    this.errors = problem?.errors || {};
  }
}

export const session = {
  get() {
    try {
      const s = JSON.parse(localStorage.getItem(SESSION_KEY) || 'null');
      return s && s.token ? s : null;
    } catch {
      return null;
    }
  },
  save(answer) {
    const s = {
      token: answer.access_token,
      user: answer.user,
      expiresAt: Date.now() + answer.expires_in * 1000,
    };
    localStorage.setItem(SESSION_KEY, JSON.stringify(s));
    return s;
  },
  setUser(user) {
    const s = this.get();
    if (s) localStorage.setItem(SESSION_KEY, JSON.stringify({ ...s, user }));
  },
  clear() {
    localStorage.removeItem(SESSION_KEY);
  },
};

/** The signed-in user (as last seen), or null. */
export function currentUser() {
  return session.get()?.user || null;
}

/** Called when a request with a token comes back 401 and no refresh helps: the session is over. */
let onExpired = () => {};
export function whenSessionExpires(fn) {
  onExpired = fn;
}

/**
 * Exchanges the refresh cookie for a new access token. One exchange at a time
 * across tabs (a refresh token works once: two tabs spending the same one
 * would end the session), and a tab that waited uses what another one got.
 */
async function refreshSession(staleToken) {
  const exchange = async () => {
    const current = session.get();
    if (current && current.token !== staleToken) return current;
    const res = await fetch(`${BASE}/auth/refresh`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: '{}',
      credentials: 'same-origin',
    }).catch(() => null);
    if (!res || !res.ok) return null;
    return session.save(await res.json());
  };
  return navigator.locks ? navigator.locks.request('tweets.refresh', exchange) : exchange();
}

let refreshing = null;

export async function request(method, path, options = {}) {
  const sent = session.get()?.token;
  try {
    return await send(method, path, options);
  } catch (err) {
    const tokenRefused = ['token_expired', 'invalid_token', 'session_ended'].includes(err?.code);
    if (!(err instanceof ApiError) || !tokenRefused || !sent || options.auth === false) throw err;
    refreshing ||= refreshSession(sent).finally(() => { refreshing = null; });
    if (await refreshing) return send(method, path, options);
    session.clear();
    onExpired(err);
    throw err;
  }
}

async function send(method, path, { json, form, headers = {}, auth = true } = {}) {
  const s = session.get();
  const init = { method, headers: { Accept: 'application/json', ...headers } };
  if (auth && s) init.headers.Authorization = `Bearer ${s.token}`;
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (form) {
    init.body = form; // the browser sets the multipart boundary
  }
  let res;
  try {
    res = await fetch(path.startsWith('/') && !path.startsWith('/api') ? BASE + path : path, init);
  } catch {
    throw new ApiError(0, { detail: 'The server could not be reached. Check your connection and try again.' });
  }
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

export const api = {
  register: (username, password, display_name) =>
    request('POST', '/auth/register', {
      json: { username, password, display_name, refresh_cookie: true }, auth: false,
    }),
  login: (username, password) =>
    request('POST', '/auth/login', { json: { username, password, refresh_cookie: true }, auth: false }),
  // The refresh cookie names the session: no access token needed.
  logout: () => request('POST', '/auth/logout', { json: {}, auth: false }),
  me: () => request('GET', '/me'),
  updateMe: (changes) => request('PATCH', '/me', { json: changes }),
  setAvatar: (file) => {
    const form = new FormData();
    form.append('image', file);
    return request('PUT', '/me/avatar', { form });
  },
  user: (name) => request('GET', `/users/${encodeURIComponent(name)}`),
  page: (path, cursor, limit = 20) => {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set('cursor', cursor);
    return request('GET', `${path}${path.includes('?') ? '&' : '?'}${q}`);
  },
  tweet: (id) => request('GET', `/tweets/${id}`),
  post: ({ text, replyTo, image, imageAlt, key }) => {
    const headers = { 'Idempotency-Key': key };
    if (image) {
      const form = new FormData();
      form.append('text', text);
      if (replyTo) form.append('reply_to_id', String(replyTo));
      form.append('image', image);
      if (imageAlt) form.append('image_alt', imageAlt);
      return request('POST', '/tweets', { form, headers });
    }
    return request('POST', '/tweets', { json: { text, reply_to_id: replyTo || null }, headers });
  },
  remove: (id) => request('DELETE', `/tweets/${id}`),
  like: (id, on) => request(on ? 'PUT' : 'DELETE', `/tweets/${id}/like`),
  follow: (name, on) => request(on ? 'PUT' : 'DELETE', `/users/${encodeURIComponent(name)}/follow`),
};
