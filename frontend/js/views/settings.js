// Settings (/settings, signed in only: the router redirects visitors to log
// in): display name and bio, and the avatar.
import { api, ApiError, currentUser, session } from '../api.js';
import { h, replace } from '../dom.js';
import { field, showErrors } from '../components/form.js';
import { avatar, busy } from '../components/ui.js';

/** Marks a form as done: no errors left, `message` in its status line. */
function done(form, message) {
  showErrors(form, { message: '', errors: {} });
  form.querySelector('.form-status').textContent = message;
  form.querySelector('.form-status').className = 'form-status ok';
}

function profileForm(user) {
  const displayName = h('input', { name: 'display_name', maxlength: 50, value: user.display_name });
  const bio = h('textarea', { name: 'bio', rows: 3, maxlength: 160 });
  bio.value = user.bio;
  const save = h('button', { type: 'submit', class: 'button' }, 'Save profile');
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', {}, 'Profile'),
    field('Display name', displayName, 'Up to 50 characters.'),
    field('Bio', bio, 'Up to 160 characters.'),
    h('p', { class: 'form-status', role: 'status' }),
    save);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    busy(save, true);
    try {
      const fresh = await api.updateMe({ display_name: displayName.value, bio: bio.value });
      session.setUser(fresh);
      done(form, 'Saved.');
    } catch (err) {
      showErrors(form, err);
    } finally {
      busy(save, false);
    }
  });
  return form;
}

function avatarForm(user) {
  const current = h('div', { class: 'avatar-current' }, avatar(user, 'lg'));
  const file = h('input', { type: 'file', name: 'image', accept: 'image/png,image/jpeg,image/gif,image/webp' });
  const upload = h('button', { type: 'submit', class: 'button' }, 'Upload avatar');
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', {}, 'Avatar'),
    current,
    field('Image', file, 'PNG, JPEG, GIF or WebP, up to 5 MiB.'),
    h('p', { class: 'form-status', role: 'status' }),
    upload);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!file.files[0]) {
      showErrors(form, new ApiError(422, { detail: 'Choose an image first.', errors: { image: ['is required'] } }));
      return;
    }
    busy(upload, true);
    try {
      const fresh = await api.setAvatar(file.files[0]);
      session.setUser(fresh);
      replace(current, avatar(fresh, 'lg'));
      file.value = '';
      done(form, 'Avatar updated.');
    } catch (err) {
      showErrors(form, err);
    } finally {
      busy(upload, false);
    }
  });
  return form;
}

export function settingsView() {
  const user = currentUser();
  return [h('h1', {}, 'Settings'), profileForm(user), avatarForm(user)];
}
