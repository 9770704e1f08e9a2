// Sign in: the operator pastes a token; POST /api/v1/session checks it and sets
// the HttpOnly session cookie, so the token is never kept by the page.
import { api, ApiError } from '../api';
import { h } from '../dom';
import type { Who } from '../types';
import type { Page } from '../app';

export function signInPage(onSignedIn: (who: Who) => void): Page {
  const token = h('input', {
    id: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true,
    placeholder: 'Paste an operator token', 'aria-describedby': 'token-help',
  });
  const error = h('div', { class: 'error', id: 'signin-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'sign-in' }, 'Sign in');
  const form = h('form', { class: 'signin card', id: 'signin-form' },
    h('h1', null, 'Sign in to Quarry'),
    h('label', { for: 'token' }, 'Operator token'),
    token,
    h('p', { class: 'muted', id: 'token-help' },
      'The first admin token is in ', h('code', null, '<data-dir>/operator_token'),
      '. Admins create more with ', h('code', null, 'quarry tokens create NAME --role viewer|operator|admin'),
      '. The token is exchanged for a session cookie; this page does not keep it.'),
    error,
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = token.value.trim();
    if (!value) return;
    submit.disabled = true;
    error.hidden = true;
    try {
      const who = await api.signIn(value);
      token.value = '';
      onSignedIn(who);
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof ApiError && err.status === 401
        ? 'That token is unknown or was revoked.'
        : `Cannot sign in: ${err instanceof Error ? err.message : String(err)}`;
      token.select();
    } finally {
      submit.disabled = false;
    }
  });
  requestAnimationFrame(() => token.focus());
  return { el: h('div', { class: 'page signin-page' }, form), destroy() {} };
}
