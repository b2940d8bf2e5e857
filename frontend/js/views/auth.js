// Log in (/login) and sign up (/signup): one form, two modes. Afterwards the
// user goes to ?next= (a path on this site) or to Home.
import { api, session } from '../api.js';
import { h } from '../dom.js';
import { go, link } from '../navigation.js';
import { flash } from '../components/flash.js';
import { field, showErrors } from '../components/form.js';
import { busy } from '../components/ui.js';

/** Where to go once signed in: only a path on this site, never `//elsewhere`. */
function nextPath() {
  const next = new URLSearchParams(location.search).get('next');
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/home';
}

export function authView(page, mode) {
  const signup = mode === 'signup';
  const next = nextPath();
  const reason = sessionStorage.getItem('tweets.loginReason');
  sessionStorage.removeItem('tweets.loginReason');
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, minlength: 3, maxlength: 30, pattern: '[A-Za-z0-9_]{3,30}' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: signup ? 'new-password' : 'current-password', required: true, minlength: 8, maxlength: 128 });
  const displayName = h('input', { name: 'display_name', autocomplete: 'name', maxlength: 50 });
  const submit = h('button', { type: 'submit', class: 'button' }, signup ? 'Create account' : 'Log in');
  const form = h('form', { class: 'card auth', novalidate: true },
    h('h1', {}, signup ? 'Create your account' : 'Log in to Tweets'),
    reason ? h('p', { class: 'notice', role: 'alert' }, reason) : null,
    field('Username', username, signup ? '3–30 letters, digits or underscores.' : null),
    signup ? field('Display name', displayName, 'Optional, up to 50 characters.') : null,
    field('Password', password, signup ? 'At least 8 characters.' : null),
    h('p', { class: 'form-status', role: 'status' }),
    submit,
    h('p', { class: 'switch' }, signup ? ['Have an account? ', link('/login', 'Log in')] : ['New here? ', link('/signup', 'Sign up')]));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    busy(submit, true);
    try {
      const answer = signup
        ? await api.register(username.value.trim(), password.value, displayName.value || undefined)
        : await api.login(username.value.trim(), password.value);
      session.save(answer);
      flash(signup ? `Welcome, ${answer.user.display_name || answer.user.username}!` : 'You are logged in.');
      go(next, { replace: true });
    } catch (err) {
      if (!signup && err.code === 'invalid_credentials') err.message = 'The username or password is wrong.';
      if (err.code === 'account_deactivated') err.message = 'This account has been deactivated by an administrator.';
      if (err.code === 'username_taken') err.errors = { username: ['is already taken'] };
      showErrors(form, err);
    } finally {
      busy(submit, false);
    }
  });
  return form;
}
