// SPDX-License-Identifier: GPL-2.0-or-later
// Signing in and out of the console: the form (POST /api/login), the
// Sign out button, and what each brings up or takes down (the link, the
// camera, the lists, today's bookings panel).

import { postJson, setMessage } from './page.js';
import { t } from './i18n.js';
import { BookingsPanel } from './bookings.js';
import { RECONNECT_MIN_MS, setState, st, ui } from './console-state.js';
import { connect, disconnect } from './link.js';
import { releaseMedia } from './local-media.js';
import { clearQueue } from './queue.js';
import { hideOutcome } from './outcome.js';
import { updateControls } from './stage.js';

// Today's bookings: a panel of its own, refreshed every minute.
const bookings = BookingsPanel.onPage();

const signinError = (text) => setMessage(ui.signinError, text);

ui.signinForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const login = ui.signinLogin.value.trim();
  const password = ui.signinPassword.value;
  if (!login || !password) return;
  ui.signinSubmit.disabled = true;
  signinError(null);
  try {
    const r = await postJson('/api/login', { login, password });
    const body = await r.json().catch(() => ({}));
    if (r.ok) {
      ui.signinPassword.value = '';
      signIn(body);
    } else if (r.status === 401) {
      signinError(t('signin.wrong'));
      ui.signinPassword.select();
    } else if (r.status === 429) {
      const s = Number(r.headers.get('Retry-After') ?? body.retry_after ?? 0);
      signinError(t('signin.rate', { s: String(s) }));
    } else {
      signinError(t('signin.failed', { why: body.error ?? r.status }));
    }
  } catch (err) {
    signinError(t('error.unreachable', { why: err.message }));
  } finally {
    ui.signinSubmit.disabled = false;
  }
});

ui.signoutBtn.addEventListener('click', async () => {
  if (st.call && !confirm(t('signout.confirm'))) return;
  showSignIn(null);
  try {
    await fetch('/api/logout', { method: 'POST', credentials: 'same-origin' });
  } catch {
    // the session expires on its own
  }
});

// Back to the form: the link closes, the camera stops, the lists go.
export function showSignIn(message) {
  disconnect();
  releaseMedia();
  st.user = null;
  clearQueue();
  st.recentCalls.clear();
  hideOutcome();
  ui.statsLink.hidden = true;
  ui.adminLink.hidden = true;
  bookings.stop();
  ui.lastFeedback.hidden = true;
  ui.console.hidden = true;
  ui.signin.hidden = false;
  ui.signoutBtn.hidden = true;
  ui.adviserName.hidden = true;
  setState('signed-out');
  signinError(message);
  ui.signinLogin.focus();
}

export function signIn(user) {
  st.user = user;
  // The switchboard names the adviser from the session; the hello's name is
  // only what older switchboards used.
  st.name = String(user.name ?? user.login ?? '').slice(0, 100);
  ui.adviserName.textContent = st.name;
  ui.adviserName.hidden = false;
  ui.statsLink.hidden = user.role !== 'admin';
  ui.adminLink.hidden = user.role !== 'admin';
  bookings.start();
  ui.signoutBtn.hidden = false;
  ui.signin.hidden = true;
  ui.console.hidden = false;
  signinError(null);
  setState('idle');
  updateControls();
  st.backoff = RECONNECT_MIN_MS;
  connect();
}
