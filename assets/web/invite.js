// SPDX-License-Identifier: GPL-2.0-or-later
// Inviting a third party into the call (PROTOCOL.md "A guest in the call"):
// the role, the link from `invited` (a bare path completed with this page's
// origin), a copy button, the link's expiry counted down, "Withdraw"
// (invite_cancel); the guest's state as a pill beside the call state with
// its name and role, and "Remove" (guest_remove).

import * as P from './protocol.js';
import { $ } from './page.js';
import { st } from './console-state.js';
import { send } from './link.js';
import { announce, toast } from './notice.js';
import { errorText, t } from './i18n.js';
import { duration } from './words.js';

const ui = {
  box: $('invite'),
  role: $('invite-role'),
  create: $('invite-create'),
  url: $('invite-url'),
  copy: $('invite-copy'),
  expiry: $('invite-expiry'),
  withdraw: $('invite-withdraw'),
  pill: $('guest-state'),
  remove: $('guest-remove'),
};

// The invitation out (or its guest): {call, invite, url, expiresAt}, and the
// guest as last told: {guest, name, role, state}.
let out = null;
let guest = null;
let timer = null;
const PRESENT = new Set(['asking', 'joining', 'joined']);

function render() {
  const state = guest ? guest.state : out ? 'out' : 'none';
  ui.box.dataset.state = state;
  const linkShown = !!out && !guest;
  ui.url.hidden = ui.copy.hidden = ui.expiry.hidden = ui.withdraw.hidden = !linkShown;
  const busy = !!out || (guest && PRESENT.has(guest.state));
  ui.create.disabled = ui.role.disabled = busy;
  ui.pill.hidden = !guest;
  if (guest) {
    ui.pill.dataset.state = guest.state;
    ui.pill.textContent = t(`gueststate.${guest.state}`, { name: guest.name ?? '—', role: guest.role ? t(`guestrole.${guest.role}`) : '—' });
  }
  ui.remove.hidden = !(guest && PRESENT.has(guest.state));
  tick();
}

// The countdown, every second while a link is out.
function tick() {
  if (!out || guest) {
    clearInterval(timer);
    timer = null;
    return;
  }
  const left = (out.expiresAt - Date.now()) / 1000;
  if (left <= 0) {
    ui.expiry.textContent = t('invite.expired');
    ui.expiry.dataset.expired = 'true';
    ui.copy.hidden = true;
    ui.create.disabled = ui.role.disabled = false;
    clearInterval(timer);
    timer = null;
    out = null;
    ui.box.dataset.state = 'expired';
    return;
  }
  delete ui.expiry.dataset.expired;
  ui.expiry.textContent = t('invite.expires', { time: duration(left) });
  timer ??= setInterval(tick, 1000);
}

// A call began: the control is offered; ended: all is forgotten.
export function openInvite() {
  out = guest = null;
  ui.url.value = '';
  ui.box.hidden = false;
  render();
}

export function resetInvite() {
  out = guest = null;
  clearInterval(timer);
  timer = null;
  ui.box.hidden = true;
  ui.pill.hidden = true;
  ui.remove.hidden = true;
}

export function onInvited(msg) {
  if (st.call?.id !== msg.call) return;
  const url = msg.url.startsWith('/') ? location.origin + msg.url : msg.url;
  out = { call: msg.call, invite: msg.invite, url, expiresAt: Date.parse(msg.expires_at) };
  guest = null;
  ui.url.value = url;
  render();
  ui.copy.focus();
}

export function onGuestState(msg) {
  if (st.call?.id !== msg.call) return;
  guest = { guest: msg.guest, name: msg.name ?? guest?.name, role: msg.role ?? guest?.role, state: msg.state };
  if (out?.invite === msg.guest) out = null; // the link was used
  render();
  announce(ui.pill.textContent);
}

// A refused invite (full, state...): said, and the control free again.
export function onInviteError(msg) {
  toast(t('invite.failed', { why: errorText(msg) }), 'error');
  render();
}

ui.create.addEventListener('click', () => {
  if (!st.call) return;
  ui.create.disabled = true;
  send(P.invite(st.call.id, ui.role.value));
});

ui.copy.addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(ui.url.value);
    toast(t('invite.copied'));
  } catch {
    ui.url.hidden = false;
    ui.url.select();
    toast(t('invite.copy-failed'), 'error');
  }
});

ui.withdraw.addEventListener('click', () => {
  if (!out) return;
  send(P.inviteCancel(out.call, out.invite));
  out = null;
  render();
  ui.expiry.hidden = true;
  announce(t('invite.withdrawn'));
  ui.create.focus();
});

ui.remove.addEventListener('click', () => {
  if (!guest || !st.call) return;
  send(P.guestRemove(st.call.id, guest.guest));
});
