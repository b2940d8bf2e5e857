// The compose box: live counter, optional image (a real button, its name,
// a preview and its description), Idempotency-Key per attempt.
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { trimLikeServer, tweetBudget } from '../text.js';
import { field, showErrors } from './form.js';
import { busy } from './ui.js';

const MAX_IMAGE = 5 * 1024 * 1024;
const MAX_ALT = 1500;
let serial = 0;

/** A new tweet or a reply to `replyTo`: {el}. `onPosted(tweet)` runs once the server has it. */
export function composer({ replyTo = null, placeholder = "What's happening?", onPosted }) {
  let image = null;
  let previewUrl = null;
  let key = crypto.randomUUID();
  const id = `compose-${(serial += 1)}`;
  const textarea = h('textarea', { name: 'text', rows: 3, placeholder, maxlength: 4000, required: true });
  const counter = h('span', { class: 'counter', 'aria-live': 'polite' });
  // The native file input stays in the page (focusable, hidden from sight);
  // its label is what people see and press, styled as a button.
  const fileInput = h('input', { type: 'file', name: 'image', id: `${id}-image`, class: 'visually-hidden', accept: 'image/png,image/jpeg,image/gif,image/webp' });
  const attachText = h('span', {}, 'Add image');
  const attach = h('label', { for: fileInput.id, class: 'button secondary attach' }, h('span', { class: 'attach-icon', 'aria-hidden': 'true' }, '+'), attachText);
  const fileName = h('span', { class: 'file-name' });
  const previewImg = h('img', { alt: 'Preview of the attached image' });
  const alt = h('textarea', { name: 'image_alt', rows: 2, maxlength: MAX_ALT });
  const remove = h('button', { type: 'button', class: 'link-button' }, 'Remove image');
  const preview = h('div', { class: 'preview', hidden: true },
    h('div', { class: 'preview-head' }, previewImg, h('div', { class: 'preview-meta' }, fileName, remove)),
    field('Image description (alt text)', alt, `Describe the image for people who cannot see it. Up to ${MAX_ALT} characters.`));
  const submit = h('button', { type: 'submit', class: 'button' }, replyTo ? 'Reply' : 'Tweet');
  const status = h('p', { class: 'form-status', role: 'status' });

  const update = () => {
    const { left, ok } = tweetBudget(textarea.value);
    counter.textContent = String(left);
    counter.classList.toggle('over', left < 0);
    counter.setAttribute('aria-label', left < 0 ? `${-left} characters over the limit` : `${left} characters left`);
    submit.disabled = !ok;
  };
  textarea.addEventListener('input', () => { update(); key = crypto.randomUUID(); });
  alt.addEventListener('input', () => { key = crypto.randomUUID(); });
  const clearImage = () => {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    image = null;
    previewUrl = null;
    fileInput.value = '';
    alt.value = '';
    previewImg.removeAttribute('src');
    fileName.textContent = '';
    attachText.textContent = 'Add image';
    preview.hidden = true;
  };
  remove.addEventListener('click', () => { clearImage(); key = crypto.randomUUID(); fileInput.focus(); });
  fileInput.addEventListener('change', () => {
    const file = fileInput.files[0];
    if (!file) return clearImage();
    if (file.size > MAX_IMAGE) {
      clearImage();
      status.textContent = 'Images can be at most 5 MiB.';
      status.className = 'form-status error';
      return undefined;
    }
    status.textContent = '';
    image = file;
    key = crypto.randomUUID();
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = URL.createObjectURL(file);
    previewImg.src = previewUrl;
    fileName.textContent = file.name;
    attachText.textContent = 'Change image';
    preview.hidden = false;
    return undefined;
  });

  const el = h('form', { class: 'composer', novalidate: true },
    field(replyTo ? 'Your reply' : 'New tweet', textarea),
    preview,
    h('div', { class: 'composer-bar' }, fileInput, attach, counter, submit),
    status);
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!tweetBudget(textarea.value).ok) return;
    busy(submit, true);
    status.textContent = 'Posting…';
    status.className = 'form-status';
    try {
      const imageAlt = image ? trimLikeServer(alt.value) : '';
      const tweet = await api.post({ text: trimLikeServer(textarea.value), replyTo, image, imageAlt, key });
      textarea.value = '';
      clearImage();
      key = crypto.randomUUID();
      status.textContent = '';
      for (const e of el.querySelectorAll('.field-error')) e.remove();
      onPosted?.(tweet);
    } catch (err) {
      showErrors(el, err);
    } finally {
      busy(submit, false);
      update();
    }
  });
  update();
  return { el };
}
