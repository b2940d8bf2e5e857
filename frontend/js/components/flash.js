// The flash banner (#flash in index.html): one short message at a time,
// hidden again after a few seconds. app.js mounts it; anything may flash().
const SHOW_MS = 6000;
let banner = null;

/** The banner component over an existing element: {el, show}. */
export function flashBanner(el) {
  let timer = null;
  const show = (message, kind = 'info') => {
    el.textContent = message;
    el.className = `flash flash-${kind}`;
    el.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { el.hidden = true; }, SHOW_MS);
  };
  return { el, show };
}

/** Makes `el` the page's banner, the one flash() writes to. */
export function mountFlash(el) {
  banner = flashBanner(el);
  return banner;
}

/** Shows a message in the page's banner ('info' or 'error'). */
export function flash(message, kind = 'info') {
  banner?.show(message, kind);
}
