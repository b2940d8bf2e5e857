// A confirmation that asks why: a modal <dialog> saying what will happen,
// an optional reason (kept in the audit log), Cancel and the action. Esc or
// Cancel answers no; focus goes back to what had it before.
import { h } from '../dom.js';
import { trimLikeServer } from '../text.js';
import { field } from './form.js';

let serial = 0;

/**
 * Asks `title` (a question), explaining `text`; `action` names the button
 * that confirms. Resolves to the reason ('' when none was given) once
 * confirmed, or null when cancelled.
 */
export function askReason({ title, text, action, trigger = document.activeElement }) {
  return new Promise((resolve) => {
    const id = `reason-dialog-${(serial += 1)}`;
    // One line: the server refuses control characters, line breaks included.
    const reason = h('input', { name: 'reason', type: 'text', maxlength: 500, autocomplete: 'off' });
    const cancel = h('button', { type: 'button', class: 'button secondary' }, 'Cancel');
    const confirm = h('button', { type: 'submit', class: 'button secondary danger' }, action);
    const form = h('form', { method: 'dialog', novalidate: true },
      h('h2', { id: `${id}-title` }, title),
      h('p', { id: `${id}-text` }, text),
      field('Reason (optional)', reason, 'Recorded in the audit log, up to 500 characters.'),
      h('div', { class: 'dialog-buttons' }, cancel, confirm));
    const dialog = h('dialog', { class: 'confirm-dialog', 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-text` }, form);
    let answer = null;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      answer = trimLikeServer(reason.value);
      dialog.close();
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (trigger?.isConnected) trigger.focus();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    reason.focus();
  });
}
