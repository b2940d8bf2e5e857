// Form fields and the problem documents the API answers them with.
import { ApiError } from '../api.js';
import { h } from '../dom.js';

/** A labelled field; the label's data-name is how errors name the field. */
export function field(label, input, hint) {
  input.id ||= `f-${input.name}-${Math.random().toString(36).slice(2, 7)}`;
  return h('div', { class: 'field' },
    h('label', { for: input.id, dataset: { name: label.toLowerCase() } }, label),
    input,
    hint ? h('p', { class: 'hint' }, hint) : null);
}

function labelOf(input) {
  return input.closest('.field')?.querySelector('label')?.dataset.name || input.name;
}

/** Shows a problem document: field messages next to their fields, the rest on top. */
export function showErrors(form, err) {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const status = form.querySelector('.form-status');
  const fields = err instanceof ApiError ? err.errors : {};
  let placed = 0;
  for (const [name, messages] of Object.entries(fields)) {
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!input) continue;
    const id = `${input.id || name}-error`;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', id);
    input.closest('.field').append(h('p', { class: 'field-error', id }, `${labelOf(input)} ${messages.join('; ')}`));
    placed += 1;
  }
  if (status) {
    status.textContent = placed === Object.keys(fields).length && placed > 0 ? '' : err.message;
    status.className = 'form-status error';
  }
}
