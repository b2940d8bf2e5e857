// Live streams (Server-Sent Events, docs/api.md "Live streams"), read with
// fetch: EventSource cannot send the Authorization header, and tokens never
// go into URLs. A dropped stream reconnects with Last-Event-ID, so nothing
// sent meanwhile is missed.
import { api, session } from './api.js';

/**
 * Splits `buffer` into complete events ({id, event, data}) and the rest
 * (an incomplete frame). Comments (`: keep-alive`) and frames without data
 * are skipped; `data` is parsed as JSON (a frame that is not JSON is skipped).
 */
export function parseFrames(buffer) {
  const events = [];
  let rest = buffer.replace(/\r\n/g, '\n');
  for (let end = rest.indexOf('\n\n'); end >= 0; end = rest.indexOf('\n\n')) {
    const frame = rest.slice(0, end);
    rest = rest.slice(end + 2);
    const fields = {};
    for (const line of frame.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      fields[name] = name === 'data' && fields.data !== undefined ? `${fields.data}\n${value}` : value;
    }
    if (fields.data === undefined) continue;
    try {
      events.push({ id: fields.id ?? null, event: fields.event || 'message', data: JSON.parse(fields.data) });
    } catch {
      // Not JSON: nothing this app sends.
    }
  }
  return { events, rest };
}

/** The next wait before reconnecting: 1 s doubling to 30 s. */
export function nextDelay(previous) {
  return previous ? Math.min(previous * 2, 30000) : 1000;
}

/**
 * Opens `path` (e.g. '/streaming/home') and calls onEvent(event) for every
 * event until close(). Reconnects after errors; a refused token is
 * refreshed once (through api.me(), which renews it) before trying again.
 */
export function openStream(path, onEvent) {
  const controller = new AbortController();
  let lastId = null;
  let delay = 0;
  let closed = false;

  const connect = async () => {
    const token = session.get()?.token;
    if (!token || closed) return;
    const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${token}` };
    if (lastId !== null) headers['Last-Event-ID'] = lastId;
    try {
      const res = await fetch(`/api/v1${path}`, { headers, signal: controller.signal, cache: 'no-store' });
      if (res.status === 401) {
        await api.me(); // renews the access token, or ends the session (and throws)
        delay = 0;
        return;
      }
      if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
      delay = 0;
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const parsed = parseFrames(buffer + decoder.decode(value, { stream: true }));
        buffer = parsed.rest;
        for (const event of parsed.events) {
          if (event.id !== null) lastId = event.id;
          onEvent(event);
        }
      }
    } catch {
      // Closed, offline or refused: try again below (unless closed).
    }
  };

  (async () => {
    while (!closed) {
      await connect();
      if (closed || !session.get()) return;
      delay = nextDelay(delay);
      await new Promise((resolve) => { setTimeout(resolve, delay); });
    }
  })();

  return {
    close() {
      closed = true;
      controller.abort();
    },
  };
}
