// Server-Sent Events through the project's nginx: a notification and a new
// home-timeline tweet reach an open stream as they happen (nginx must not
// buffer them), and a reconnect with Last-Event-ID gets what it missed.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BASE } from './helpers.js';

async function api(method, path, token, body) {
  const res = await fetch(`${BASE}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * Registers through nginx, which lets 10 sign-ups and logins a minute through
 * per address (one more every 6 s): a 429 is retried after that refill, as
 * the browser helpers do.
 */
async function register(username) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${BASE}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'stream-password-1' }),
    });
    if (res.status === 429 && attempt < 8) {
      await new Promise((resolve) => { setTimeout(resolve, 6500); });
      continue;
    }
    const body = await res.json();
    assert.equal(res.status, 201, JSON.stringify(body));
    return body.access_token;
  }
}

/** Reads `text/event-stream` frames from a fetch response, skipping comments. */
function frames(res) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return async function next(timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (frame.startsWith(':')) continue;
        const field = (name) => frame.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
        return { id: Number(field('id')), event: field('event'), data: JSON.parse(field('data')) };
      }
      const left = deadline - Date.now();
      assert.ok(left > 0, 'no event in time');
      let timer;
      const chunk = await Promise.race([
        reader.read(),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no event in time')), left); }),
      ]).finally(() => clearTimeout(timer));
      assert.ok(!chunk.done, 'the stream ended');
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
}

async function open(path, token, lastEventId) {
  const controller = new AbortController();
  const res = await fetch(`${BASE}/api/v1${path}`, {
    headers: { authorization: `Bearer ${token}`, ...(lastEventId ? { 'last-event-id': String(lastEventId) } : {}) },
    signal: controller.signal,
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  return { next: frames(res), close: () => controller.abort() };
}

test('events arrive live through nginx, and a reconnect catches up', async () => {
  const suffix = Date.now().toString(36).slice(-6);
  const ana = await register(`sse_ana_${suffix}`);
  const ben = await register(`sse_ben_${suffix}`);
  await api('PUT', `/users/sse_ben_${suffix}/follow`, ana);
  const tweet = await api('POST', '/tweets', ana, { text: 'stream me' });

  const notes = await open('/streaming/notifications', ana);
  const home = await open('/streaming/home', ana);
  try {
    await api('PUT', `/tweets/${tweet.id}/like`, ben);
    const liked = await notes.next();
    assert.equal(liked.event, 'notification');
    assert.equal(liked.data.kind, 'like');
    assert.equal(liked.data.tweet_id, tweet.id);

    const posted = await api('POST', '/tweets', ben, { text: 'hello through nginx' });
    const arrived = await home.next();
    assert.equal(arrived.event, 'tweet');
    assert.equal(arrived.data.id, posted.id);
    assert.equal(arrived.id, posted.id);

    await api('PUT', `/users/sse_ana_${suffix}/follow`, ben);
    const followed = await notes.next();
    assert.equal(followed.data.kind, 'follow');

    const again = await open('/streaming/notifications', ana, liked.id);
    try {
      const missed = await again.next();
      assert.equal(missed.id, followed.id);
    } finally {
      again.close();
    }
  } finally {
    notes.close();
    home.close();
  }
});
