// The compose box: live counter, optional image with preview, Idempotency-Key per attempt.
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { trimLikeServer, tweetBudget } from '../text.js';
import { field, showErrors } from './form.js';
import { busy } from './ui.js';

const MAX_IMAGE = 5 * 1024 * 1024;

/** A new tweet or a reply to `replyTo`: {el}. `onPosted(tweet)` runs once the server has it. */
export function composer({ replyTo = null, placeholder = "What's happening?", onPosted }) {
  let image = null;
  let previewUrl = null;
  let key = crypto.randomUUID();
  const textarea = h('textarea', { name: 'text', rows: 3, placeholder, maxlength: 4000, required: true });
  const counter = h('span', { class: 'counter', 'aria-live': 'polite' });
  const fileInput = h('input', { type: 'file', name: 'image', accept: 'image/png,image/jpeg,image/gif,image/webp', class: 'file-input' });
  const preview = h('div', { class: 'preview', hidden: true });
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
  const clearImage = () => {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    image = null;
    previewUrl = null;
    fileInput.value = '';
    preview.hidden = true;
    replace(preview);
  };
  fileInput.addEventListener('change', () => {
    const file = fileInput.files[0];
    if (!file) return clearImage();
    if (file.size > MAX_IMAGE) {
      clearImage();
      status.textContent = 'Images can be at most 5 MiB.';
      status.className = 'form-status error';
      return undefined;
    }
    image = file;
    key = crypto.randomUUID();
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = URL.createObjectURL(file);
    replace(preview,
      h('img', { src: previewUrl, alt: 'Preview of the attached image' }),
      h('button', { type: 'button', class: 'link-button', onclick: clearImage }, 'Remove image'));
    preview.hidden = false;
    return undefined;
  });

  const el = h('form', { class: 'composer', novalidate: true },
    field(replyTo ? 'Your reply' : 'New tweet', textarea),
    preview,
    h('div', { class: 'composer-bar' },
      h('label', { class: 'attach' }, h('span', {}, 'Add image'), fileInput),
      counter,
      submit),
    status);
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!tweetBudget(textarea.value).ok) return;
    busy(submit, true);
    status.textContent = 'Posting…';
    status.className = 'form-status';
    try {
      const tweet = await api.post({ text: trimLikeServer(textarea.value), replyTo, image, key });
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
