// A tweet's image, full size, in a modal <dialog>: the image, its
// description, a Close button; Esc closes it too, and focus goes back to
// the thumbnail that opened it.
import { h } from '../dom.js';

/** Opens `src` (described by `alt`, which may be empty) over the page; `trigger` gets focus back. */
export function openLightbox({ src, alt, trigger }) {
  const close = h('button', { type: 'button', class: 'button secondary lightbox-close' }, 'Close');
  const caption = alt ? h('p', { class: 'lightbox-alt', id: `lightbox-alt-${Date.now()}` }, alt) : null;
  const dialog = h('dialog', { class: 'lightbox', 'aria-label': 'Image', 'aria-describedby': caption?.id },
    h('figure', { class: 'lightbox-figure' },
      h('img', { src, alt: alt || '' }),
      caption ? h('figcaption', {}, caption) : null),
    close);
  close.addEventListener('click', () => dialog.close());
  // A click on the backdrop (the dialog itself, outside its content) closes it.
  dialog.addEventListener('click', (event) => { if (event.target === dialog) dialog.close(); });
  dialog.addEventListener('close', () => {
    dialog.remove();
    trigger?.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
  return dialog;
}
