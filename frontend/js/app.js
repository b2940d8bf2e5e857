// Tweets single-page app: routing, session, and every view.
import { api, ApiError, session, whenSessionExpires } from './api.js';
import { h, replace } from './dom.js';
import { Pager, fetchNewer } from './paging.js';
import { countChars, formatTime, linkify, MAX_TWEET, tweetBudget, trimLikeServer } from './text.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav-links');
const flashBox = document.getElementById('flash');
const POLL_MS = 15000;
let cleanup = [];

// ---------------------------------------------------------------- helpers

function flash(message, kind = 'info') {
  flashBox.textContent = message;
  flashBox.className = `flash flash-${kind}`;
  flashBox.hidden = false;
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => { flashBox.hidden = true; }, 6000);
}

function go(path, { replace: swap = false } = {}) {
  if (swap) history.replaceState({}, '', path);
  else history.pushState({}, '', path);
  route();
}

function link(href, ...children) {
  return h('a', { href, 'data-link': true }, ...children);
}

function me() {
  return session.get()?.user || null;
}

function avatar(user, size = 'md') {
  if (user.avatar_url) {
    return h('img', { class: `avatar avatar-${size}`, src: user.avatar_url, alt: '', loading: 'lazy' });
  }
  const initial = [...(user.display_name || user.username)][0]?.toUpperCase() || '?';
  return h('span', { class: `avatar avatar-${size} avatar-initial`, 'aria-hidden': 'true' }, initial);
}

function textWithLinks(text) {
  return linkify(text).map((seg) => {
    switch (seg.type) {
      case 'url':
        return h('a', { href: seg.href, rel: 'noopener noreferrer nofollow ugc', target: '_blank' }, seg.text);
      case 'mention':
        return link(`/u/${seg.username}`, seg.text);
      case 'tag':
        return link(`/tag/${encodeURIComponent(seg.tag)}`, seg.text);
      default:
        return seg.text;
    }
  });
}

/** Shows a problem document: field messages next to their fields, the rest on top. */
function showErrors(form, err) {
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

function labelOf(input) {
  return input.closest('.field')?.querySelector('label')?.dataset.name || input.name;
}

function field(label, input, hint) {
  input.id ||= `f-${input.name}-${Math.random().toString(36).slice(2, 7)}`;
  return h('div', { class: 'field' },
    h('label', { for: input.id, dataset: { name: label.toLowerCase() } }, label),
    input,
    hint ? h('p', { class: 'hint' }, hint) : null);
}

function busy(button, on) {
  button.disabled = on;
  button.setAttribute('aria-busy', on ? 'true' : 'false');
}

function state(kind, text) {
  return h('p', { class: `state state-${kind}`, role: kind === 'error' ? 'alert' : null }, text);
}

// ---------------------------------------------------------------- layout

function renderNav() {
  const user = me();
  const item = (href, text) => h('li', {}, link(href, text));
  replace(nav,
    item('/', 'Explore'),
    user ? item('/home', 'Home') : null,
    user ? item(`/u/${user.username}`, 'Profile') : null,
    user ? item('/settings', 'Settings') : null,
    user
      ? h('li', {}, h('button', { class: 'link-button', type: 'button', onclick: logout }, 'Log out'))
      : [item('/login', 'Log in'), item('/signup', 'Sign up')]);
  for (const a of nav.querySelectorAll('a')) {
    if (a.getAttribute('href') === location.pathname) a.setAttribute('aria-current', 'page');
  }
}

async function logout() {
  // Ends the session on the server (its tokens stop working everywhere) and
  // clears the refresh cookie; signed out here even if the server is away.
  await api.logout().catch(() => {});
  session.clear();
  flash('You are logged out.');
  go('/');
}

whenSessionExpires((err) => {
  const reason = err.code === 'token_expired' || err.code === 'session_ended'
    ? 'Your session has expired' : 'Your session is no longer valid';
  if (location.pathname !== '/login') {
    history.pushState({}, '', `/login?next=${encodeURIComponent(location.pathname)}`);
  }
  sessionStorage.setItem('tweets.loginReason', `${reason}: please log in again.`);
  route();
});

// ---------------------------------------------------------------- tweets

function tweetCard(tweet, { onDeleted } = {}) {
  const user = me();
  const mine = user && user.id === tweet.author.id;
  const likeButton = h('button', {
    type: 'button',
    class: 'action like',
    'aria-pressed': String(tweet.liked_by_me),
    'aria-label': tweet.liked_by_me ? 'Unlike' : 'Like',
  });
  const paintLike = () => {
    likeButton.setAttribute('aria-pressed', String(tweet.liked_by_me));
    likeButton.setAttribute('aria-label', tweet.liked_by_me ? 'Unlike' : 'Like');
    replace(likeButton, h('span', { 'aria-hidden': 'true' }, tweet.liked_by_me ? '♥' : '♡'), ` ${tweet.like_count}`);
  };
  paintLike();
  likeButton.addEventListener('click', async () => {
    if (!me()) {
      go(`/login?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    // Optimistic: show the change at once, roll back if the server says no.
    const before = { liked: tweet.liked_by_me, count: tweet.like_count };
    tweet.liked_by_me = !before.liked;
    tweet.like_count = before.count + (tweet.liked_by_me ? 1 : -1);
    paintLike();
    try {
      const fresh = await api.like(tweet.id, tweet.liked_by_me);
      tweet.liked_by_me = fresh.liked_by_me;
      tweet.like_count = fresh.like_count;
    } catch (err) {
      tweet.liked_by_me = before.liked;
      tweet.like_count = before.count;
      flash(`Could not ${before.liked ? 'unlike' : 'like'} the tweet: ${err.message}`, 'error');
    }
    paintLike();
  });

  const card = h('article', { class: 'tweet', dataset: { id: tweet.id } });
  const del = mine
    ? h('button', {
      type: 'button',
      class: 'action delete',
      onclick: async () => {
        if (!confirm('Delete this tweet? This cannot be undone.')) return;
        try {
          await api.remove(tweet.id);
          card.remove();
          flash('Tweet deleted.');
          onDeleted?.(tweet);
        } catch (err) {
          flash(`Could not delete the tweet: ${err.message}`, 'error');
        }
      },
    }, 'Delete')
    : null;
  const when = new Date(tweet.created_at);
  replace(card,
    h('div', { class: 'tweet-avatar' }, link(`/u/${tweet.author.username}`, avatar(tweet.author))),
    h('div', { class: 'tweet-body' },
      h('header', { class: 'tweet-head' },
        link(`/u/${tweet.author.username}`, h('strong', { class: 'name' }, tweet.author.display_name || tweet.author.username)),
        h('span', { class: 'handle' }, ` @${tweet.author.username}`),
        ' · ',
        link(`/t/${tweet.id}`, h('time', { datetime: tweet.created_at, title: when.toUTCString() }, formatTime(tweet.created_at)))),
      tweet.reply_to_id ? h('p', { class: 'reply-note' }, link(`/t/${tweet.reply_to_id}`, 'Replying to a tweet')) : null,
      h('p', { class: 'tweet-text' }, textWithLinks(tweet.text)),
      tweet.image_url ? h('a', { href: tweet.image_url, target: '_blank', rel: 'noopener' },
        h('img', { class: 'tweet-image', src: tweet.image_url, alt: 'Image attached to the tweet', loading: 'lazy' })) : null,
      h('footer', { class: 'tweet-actions' },
        link(`/t/${tweet.id}`, `${tweet.reply_count} ${tweet.reply_count === 1 ? 'reply' : 'replies'}`),
        likeButton,
        del)));
  return card;
}

/** A list of tweets with "Load more" and, for newest-first lists, a "new tweets" notice. */
function tweetList(path, { emptyText, pollNew = false, onEmpty } = {}) {
  const list = h('div', { class: 'tweet-list', 'aria-live': 'polite', 'aria-busy': 'true' });
  const status = h('div', { class: 'list-status' });
  const more = h('button', { type: 'button', class: 'button secondary load-more', hidden: true }, 'Load more');
  const notice = h('button', { type: 'button', class: 'new-tweets', hidden: true });
  const fetchPage = (cursor) => api.page(path, cursor);
  const pager = new Pager(fetchPage);
  let newest = 0;
  let pending = [];
  let shown = 0;

  const add = (tweets, where = 'end') => {
    const cards = tweets.map((t) => tweetCard(t, {
      onDeleted: () => { shown -= 1; if (!shown) replace(status, state('empty', emptyText)); },
    }));
    if (where === 'start') list.prepend(...cards);
    else list.append(...cards);
    shown += tweets.length;
    for (const t of tweets) newest = Math.max(newest, t.id);
  };

  const loadMore = async () => {
    busy(more, true);
    replace(status, state('loading', 'Loading…'));
    try {
      add(await pager.next());
      replace(status, shown === 0 ? state('empty', emptyText) : null);
      if (shown === 0) onEmpty?.();
    } catch (err) {
      replace(status, state('error', `Could not load tweets: ${err.message}`),
        h('button', { type: 'button', class: 'button secondary', onclick: loadMore }, 'Try again'));
    } finally {
      list.setAttribute('aria-busy', 'false');
      busy(more, false);
      more.hidden = pager.done;
    }
  };
  more.addEventListener('click', loadMore);

  const showNew = () => {
    const fresh = pager.take(pending);
    pending = [];
    notice.hidden = true;
    add([...fresh].reverse().sort((a, b) => b.id - a.id), 'start');
    if (shown) replace(status);
    list.querySelector('.tweet')?.focus?.();
  };
  notice.addEventListener('click', showNew);

  if (pollNew) {
    const check = async () => {
      if (document.hidden || !newest) return;
      try {
        const found = await fetchNewer(fetchPage, Math.max(newest, ...pending.map((t) => t.id)));
        pending = [...found, ...pending];
        if (pending.length) {
          notice.textContent = pending.length === 1 ? 'Show 1 new tweet' : `Show ${pending.length} new tweets`;
          notice.hidden = false;
        }
      } catch {
        // A failed poll is retried on the next tick.
      }
    };
    const timer = setInterval(check, POLL_MS);
    cleanup.push(() => clearInterval(timer));
    list.checkForNew = check;
  }

  loadMore();
  const wrap = h('section', { class: 'timeline' }, notice, list, status, more);
  wrap.prependTweet = (t) => {
    pager.take([t]);
    add([t], 'start');
    replace(status);
  };
  wrap.appendTweet = (t) => {
    pager.take([t]);
    add([t], 'end');
    replace(status);
  };
  wrap.checkForNew = () => list.checkForNew?.();
  return wrap;
}

/** The compose box: live counter, optional image with preview, Idempotency-Key per attempt. */
function composer({ replyTo = null, placeholder = "What's happening?", onPosted }) {
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
    if (file.size > 5 * 1024 * 1024) {
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

  const form = h('form', { class: 'composer', novalidate: true },
    field(replyTo ? 'Your reply' : 'New tweet', textarea),
    preview,
    h('div', { class: 'composer-bar' },
      h('label', { class: 'attach' }, h('span', {}, 'Add image'), fileInput),
      counter,
      submit),
    status);
  form.addEventListener('submit', async (event) => {
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
      for (const el of form.querySelectorAll('.field-error')) el.remove();
      onPosted?.(tweet);
    } catch (err) {
      showErrors(form, err);
    } finally {
      busy(submit, false);
      update();
    }
  });
  update();
  return form;
}

// ---------------------------------------------------------------- views

function publicTimeline() {
  const user = me();
  const list = tweetList('/tweets', { emptyText: 'No tweets yet. Be the first!', pollNew: true });
  return [
    h('h1', {}, 'Explore'),
    user ? composer({ onPosted: (t) => list.prependTweet(t) }) : h('p', { class: 'lead' },
      link('/signup', 'Sign up'), ' or ', link('/login', 'log in'), ' to post, reply, like and follow.'),
    list,
  ];
}

function homeTimeline() {
  if (!me()) return go('/login?next=/home', { replace: true });
  const list = tweetList('/timeline', {
    emptyText: 'Your home timeline is empty: post something, or follow people from Explore.',
    pollNew: true,
  });
  return [h('h1', {}, 'Home'), composer({ onPosted: (t) => list.prependTweet(t) }), list];
}

function tagView(tag) {
  return [
    h('h1', {}, `#${tag}`),
    h('p', { class: 'hint' }, 'Recent public tweets with this hashtag.'),
    tweetList(`/tags/${encodeURIComponent(tag)}/tweets`, { emptyText: `No tweets with #${tag} yet.` }),
  ];
}

async function threadView(id) {
  const box = h('div', {}, state('loading', 'Loading…'));
  (async () => {
    try {
      const tweet = await api.tweet(id);
      const replies = tweetList(`/tweets/${id}/replies`, { emptyText: 'No replies yet.' });
      let card = tweetCard(tweet, { onDeleted: () => go('/') });
      const countReply = () => {
        tweet.reply_count += 1;
        const fresh = tweetCard(tweet, { onDeleted: () => go('/') });
        card.replaceWith(fresh);
        card = fresh;
      };
      replace(box,
        h('h1', {}, 'Tweet'),
        card,
        h('h2', {}, 'Replies'),
        me() ? composer({
          replyTo: tweet.id,
          placeholder: `Reply to @${tweet.author.username}`,
          onPosted: (t) => { replies.appendTweet(t); countReply(); },
        }) : h('p', {}, link(`/login?next=/t/${id}`, 'Log in'), ' to reply.'),
        replies);
    } catch (err) {
      replace(box, h('h1', {}, 'Tweet'), state('error', err.code === 'not_found' ? 'This tweet does not exist (or was deleted).' : err.message));
    }
  })();
  return box;
}

async function profileView(username) {
  const box = h('div', {}, state('loading', 'Loading…'));
  (async () => {
    try {
      const user = await api.user(username);
      const self = me()?.id === user.id;
      const counts = h('p', { class: 'counts' });
      const paintCounts = () => replace(counts,
        h('span', {}, h('strong', {}, String(user.tweets_count)), ' tweets'),
        h('span', {}, h('strong', {}, String(user.following_count)), ' following'),
        h('span', { class: 'followers' }, h('strong', {}, String(user.followers_count)), ' followers'));
      paintCounts();
      let action = null;
      if (self) {
        action = link('/settings', 'Edit profile');
        action.className = 'button secondary';
      } else if (me()) {
        action = h('button', { type: 'button', class: 'button follow' });
        const paint = () => {
          action.textContent = user.followed_by_me ? 'Unfollow' : 'Follow';
          action.setAttribute('aria-pressed', String(Boolean(user.followed_by_me)));
        };
        paint();
        action.addEventListener('click', async () => {
          busy(action, true);
          try {
            Object.assign(user, await api.follow(user.username, !user.followed_by_me));
            paint();
            paintCounts();
          } catch (err) {
            flash(`Could not update: ${err.message}`, 'error');
          } finally {
            busy(action, false);
          }
        });
      }
      document.title = `${user.display_name || user.username} (@${user.username}) · Tweets`;
      replace(box,
        h('section', { class: 'profile' },
          avatar(user, 'lg'),
          h('div', { class: 'profile-info' },
            h('h1', {}, user.display_name || user.username),
            h('p', { class: 'handle' }, `@${user.username}`),
            user.bio ? h('p', { class: 'bio' }, textWithLinks(user.bio)) : null,
            counts,
            h('p', { class: 'hint' }, `Joined ${new Date(user.created_at).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' })}`)),
          action),
        h('h2', {}, 'Tweets'),
        tweetList(`/users/${encodeURIComponent(user.username)}/tweets`, { emptyText: 'No tweets yet.' }));
    } catch (err) {
      replace(box, state('error', err.code === 'not_found' ? `There is no user named @${username}.` : err.message));
    }
  })();
  return box;
}

function authView(mode) {
  const signup = mode === 'signup';
  const params = new URLSearchParams(location.search);
  const next = params.get('next')?.startsWith('/') && !params.get('next').startsWith('//') ? params.get('next') : '/home';
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
      if (err.code === 'username_taken') err.errors = { username: ['is already taken'] };
      showErrors(form, err);
    } finally {
      busy(submit, false);
    }
  });
  return form;
}

function settingsView() {
  const user = me();
  if (!user) return go('/login?next=/settings', { replace: true });
  const displayName = h('input', { name: 'display_name', maxlength: 50, value: user.display_name });
  const bio = h('textarea', { name: 'bio', rows: 3, maxlength: 160 });
  bio.value = user.bio;
  const save = h('button', { type: 'submit', class: 'button' }, 'Save profile');
  const profileForm = h('form', { class: 'card', novalidate: true },
    h('h2', {}, 'Profile'),
    field('Display name', displayName, 'Up to 50 characters.'),
    field('Bio', bio, 'Up to 160 characters.'),
    h('p', { class: 'form-status', role: 'status' }),
    save);
  profileForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    busy(save, true);
    try {
      const fresh = await api.updateMe({ display_name: displayName.value, bio: bio.value });
      session.setUser(fresh);
      showErrors(profileForm, { message: '', errors: {} });
      profileForm.querySelector('.form-status').textContent = 'Saved.';
      profileForm.querySelector('.form-status').className = 'form-status ok';
    } catch (err) {
      showErrors(profileForm, err);
    } finally {
      busy(save, false);
    }
  });

  const current = h('div', { class: 'avatar-current' }, avatar(user, 'lg'));
  const file = h('input', { type: 'file', name: 'image', accept: 'image/png,image/jpeg,image/gif,image/webp' });
  const upload = h('button', { type: 'submit', class: 'button' }, 'Upload avatar');
  const avatarForm = h('form', { class: 'card', novalidate: true },
    h('h2', {}, 'Avatar'),
    current,
    field('Image', file, 'PNG, JPEG, GIF or WebP, up to 5 MiB.'),
    h('p', { class: 'form-status', role: 'status' }),
    upload);
  avatarForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!file.files[0]) {
      showErrors(avatarForm, new ApiError(422, { detail: 'Choose an image first.', errors: { image: ['is required'] } }));
      return;
    }
    busy(upload, true);
    try {
      const fresh = await api.setAvatar(file.files[0]);
      session.setUser(fresh);
      replace(current, avatar(fresh, 'lg'));
      file.value = '';
      showErrors(avatarForm, { message: '', errors: {} });
      avatarForm.querySelector('.form-status').textContent = 'Avatar updated.';
      avatarForm.querySelector('.form-status').className = 'form-status ok';
    } catch (err) {
      showErrors(avatarForm, err);
    } finally {
      busy(upload, false);
    }
  });
  return [h('h1', {}, 'Settings'), profileForm, avatarForm];
}

function notFound() {
  return [h('h1', {}, 'Page not found'), h('p', {}, 'There is nothing here. ', link('/', 'Go to Explore'), '.')];
}

// ---------------------------------------------------------------- router

const routes = [
  [/^\/$/, () => publicTimeline()],
  [/^\/home$/, () => homeTimeline()],
  [/^\/login$/, () => authView('login')],
  [/^\/signup$/, () => authView('signup')],
  [/^\/settings$/, () => settingsView()],
  [/^\/u\/([A-Za-z0-9_]{3,30})$/, (m) => profileView(m[1])],
  [/^\/t\/([1-9][0-9]{0,15})$/, (m) => threadView(Number(m[1]))],
  [/^\/tag\/([^/]+)$/, (m) => tagView(decodeURIComponent(m[1]))],
];

async function route() {
  for (const fn of cleanup) fn();
  cleanup = [];
  document.title = 'Tweets';
  renderNav();
  const path = location.pathname;
  let view = notFound;
  let match = null;
  for (const [pattern, handler] of routes) {
    match = path.match(pattern);
    if (match) {
      view = handler;
      break;
    }
  }
  const content = await view(match);
  if (content === undefined) return; // the view redirected
  replace(main, content);
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

document.addEventListener('click', (event) => {
  const a = event.target.closest('a[data-link]');
  if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || a.target) return;
  const url = new URL(a.href);
  if (url.origin !== location.origin) return;
  event.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) go(url.pathname + url.search);
});
window.addEventListener('popstate', route);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) main.querySelector('.timeline')?.checkForNew?.();
});

// A session found on load is checked once: an expired token goes back to login.
if (session.get()) {
  api.me().then((user) => { session.setUser(user); renderNav(); }).catch(() => {});
}
route();

export { countChars, MAX_TWEET };
