// One clock for the whole page: every 30 s, each relative <time data-relative>
// ("5m", "3h") is written again, so times age while the page stays open.
import { formatTime } from './text.js';

const EVERY_MS = 30000;

/** Rewrites every relative time under `root` as of `now`. */
export function refreshTimes(root = document, now = new Date()) {
  for (const el of root.querySelectorAll('time[data-relative][datetime]')) {
    const text = formatTime(el.getAttribute('datetime'), now);
    if (el.textContent !== text) el.textContent = text;
  }
}

/** Starts the clock (once, from app.js); answers its timer id. */
export function startClock(root = document) {
  return setInterval(() => { if (!document.hidden) refreshTimes(root); }, EVERY_MS);
}
