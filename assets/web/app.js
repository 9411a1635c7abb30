// SPDX-License-Identifier: GPL-2.0-or-later
// Relais adviser console: link to the switchboard (with reconnect), booths,
// waiting visitors, and one call at a time. Plain ES modules, nothing loaded
// from outside the switchboard. This module wires them: what each message
// from the switchboard does, the one-second clock, window.relais, the start.
//
//   console-state.js  the state (st), the page's elements (ui), page and link states
//   link.js           the WebSocket: hello, backoff, keep-alive
//   booths.js, queue.js (+ chime.js)   the lists
//   stage.js          the call (call.js, share.js, document.js), chat.js, local-media.js
//   outcome.js        after a call; signin.js: signing in and out

import * as P from './protocol.js';
import { counters, onPageChange, st, timing, ui } from './console-state.js';
import { send, setLinkHooks, welcomed } from './link.js';
import { toast } from './notice.js';
import { onBooths, onBoothsChanged, resetBooths } from './booths.js';
import { abandonAccept, onQueue, onTaken, tickWaits } from './queue.js';
import { docs, dropPrepared, endCall, endReasonText, keepPrepared, onDevice, prepareCertificate, share, startCall, teardownCall, tickCallQuality, tickCallTimer, updateControls } from './stage.js';
import { addChat } from './chat.js';
import { acquireMedia } from './local-media.js';
import { onGuestState, onInviteError, onInvited } from './invite.js';
import { guestMediaStats, guestPc, onGuestIce, onGuestMedia, onGuestSdp } from './guest-media.js';
import { colleagueStats, onCallOwner, onColleagueMedia, onColleagueState, onTransferError, onTransferOffer, onTransferOptions, onTransferState } from './transfer.js';
import { hideOutcome, onFeedback } from './outcome.js';
import { showSignIn, signIn } from './signin.js';
import { whoAmI } from './page.js';
import { errorText, setSwitchGuard, t, updateSwitcher } from './i18n.js';

function handle(msg) {
  switch (msg.type) {
    case 'welcome':
      if (!welcomed(msg)) return;
      resetBooths();
      if (st.call) callLinkBack();
      if (st.pendingEnd) {
        // ended while the link was away: the hello named it, now it ends
        // for the booth too (or it was over already: `end gone`, ignored)
        send(P.end(st.pendingEnd.call, st.pendingEnd.reason));
        st.pendingEnd = null;
      }
      if (!st.media) acquireMedia();
      prepareCertificate();
      break;
    case 'booths':
      onBooths(msg);
      break;
    case 'booths_changed':
      onBoothsChanged(msg);
      break;
    case 'queue':
      onQueue(msg);
      break;
    case 'taken':
      onTaken(msg.ticket, t('queue.taken'));
      break;
    case 'call':
      startCall(msg);
      break;
    // `peer` "guest": the guest's connection with the console (guest-media.js)
    case 'sdp':
      if (msg.peer === 'guest') onGuestSdp(msg);
      else if (onColleagueMedia(msg)) break;
      else if (st.call?.id === msg.call) st.call.handleSdp(msg).then(() => updateControls()); // the offer says whether the booth shows a screen
      break;
    case 'ice':
      if (msg.peer === 'guest') onGuestIce(msg);
      else if (onColleagueMedia(msg)) break;
      else if (st.call?.id === msg.call) st.call.handleIce(msg);
      break;
    case 'chat':
      if (st.call?.id === msg.call) addChat('visitor', msg.text, msg.from);
      break;
    case 'invited':
      onInvited(msg);
      break;
    case 'guest_state':
      if (!onColleagueState(msg)) {
        onGuestState(msg);
        onGuestMedia(msg);
      }
      break;
    case 'transfer_options':
      onTransferOptions(msg);
      break;
    case 'transfer_offer':
      onTransferOffer(msg);
      break;
    case 'transfer_state':
      onTransferState(msg);
      break;
    case 'call_owner':
      onCallOwner(msg);
      break;
    case 'end':
      if (st.call?.id === msg.call) {
        teardownCall(endReasonText(msg.reason));
        // handed over: the colleague who finishes it writes its outcome
        if (msg.reason === 'transferred') hideOutcome();
      }
      break;
    case 'feedback':
      onFeedback(msg);
      break;
    case 'device':
      onDevice(msg);
      break;
    case 'doc_show':
    case 'doc_page':
    case 'doc_stop':
    case 'doc_error':
      docs.handle(msg);
      break;
    case 'error':
      onError(msg);
      break;
    case 'ping':
      send(P.pong());
      break;
    case 'pong':
      break;
  }
}

function onError(msg) {
  counters.lastError = msg;
  console.warn(`relais: switchboard error ${msg.code} (${msg.ref ?? ''}): ${msg.message ?? ''}`);
  if (msg.code === 'version') {
    st.wantOnline = false;
    toast(t('error.console-old'), 'error');
    return;
  }
  if (msg.ref === 'accept' && st.accepting) {
    const ticket = st.accepting;
    abandonAccept();
    if (msg.code === 'gone') onTaken(ticket, t('queue.gone'));
    else toast(t('error.accept', { why: errorText(msg) }), 'error');
    return;
  }
  if (msg.ref === 'hello') {
    st.wantOnline = msg.code !== 'field' && msg.code !== 'size';
    toast(t('error.hello', { why: errorText(msg) }), 'error');
    return;
  }
  if (msg.ref === 'invite' || msg.ref === 'invite_cancel' || msg.ref === 'guest_remove') onInviteError(msg);
  if (msg.ref?.startsWith('transfer')) onTransferError(msg);
  if (msg.ref === 'chat') toast(t('chat.not-sent', { why: errorText(msg) }), 'error');
  if (msg.ref === 'doc_page' || msg.ref === 'doc_stop') docs.onError(msg);
}

// The link dropped in a call (Wi-Fi, a switchboard restart): the media go on
// peer to peer, the switchboard holds the call for its resume grace, and
// the next hello names it (PROTOCOL.md "Resuming a call"). Ended here only
// when the link is not back in time; the switchboard's `end` (`gone`: it
// was over meanwhile) ends it as any other.
function holdCall() {
  // each failed attempt to link again is a lost link too: the grace counts
  // from the first
  if (ui.body.dataset.callLink === 'away') return;
  const id = st.call.id;
  ui.body.dataset.callLink = 'away';
  toast(t('link.lost-in-call'));
  clearTimeout(st.callHoldTimer);
  st.callHoldTimer = setTimeout(() => {
    if (st.call?.id !== id || ui.body.dataset.callLink !== 'away') return;
    // given up: said on the next link, should a switchboard (one started
    // again meanwhile) still hold the call for the booth
    st.pendingEnd = { call: id, reason: 'peer-lost' };
    teardownCall(t('end.link-lost'));
  }, st.resumeS * 1000);
}

// Welcomed again with the call named in the hello: it is ours again
// unless an `end` follows.
function callLinkBack() {
  clearTimeout(st.callHoldTimer);
  if (ui.body.dataset.callLink === 'away') toast(t('link.back'));
  delete ui.body.dataset.callLink;
}

setLinkHooks({
  onMessage: handle,
  onLost: (ev) => {
    // 4000 "replaced": another connection of this sign-in named the call
    // and has it now; this one is not part of it any more
    if (st.call && ev?.code === 4000) teardownCall(t('end.replaced'));
    else if (st.call) holdCall();
    if (st.accepting) abandonAccept();
  },
  onStop: () => {
    if (st.call) endCall('adviser-signed-out');
    st.accepting = null;
    dropPrepared();
  },
  onSignInEnded: () => showSignIn(t('signin.ended')),
});

setInterval(() => {
  tickWaits();
  keepPrepared();
  tickCallTimer();
}, 1000);
setInterval(() => tickCallQuality().catch(() => {}), 2000);

// For tests and diagnostics (no secrets in here).
window.relais = {
  get pc() {
    return st.call?.pc ?? null;
  },
  // how long the switchboard holds a call whose link is lost (welcome's resume_s)
  get resumeS() {
    return st.resumeS;
  },
  get callId() {
    return st.call?.id ?? null;
  },
  get state() {
    return ui.body.dataset.state;
  },
  get link() {
    return st.link;
  },
  get connectionId() {
    return st.connectionId;
  },
  get user() {
    return st.user ? { ...st.user } : null;
  },
  get localStream() {
    return st.localStream;
  },
  get screenStream() {
    return share.stream;
  },
  // The booth's screen m-line as this page answered it (null: none).
  get screenSender() {
    const t = st.call?.screen;
    return t ? { mid: t.mid, direction: t.currentDirection, track: t.sender.track?.label ?? null } : null;
  },
  get mediaError() {
    return st.mediaError ? `${st.mediaError.name}: ${st.mediaError.message}` : null;
  },
  stats: async () => (st.call ? st.call.stats() : null),
  // the guest's connection with the console (guest-media.js), null without one
  guestStats: guestMediaStats,
  // a colleague's connections while it joins by a transfer (transfer.js)
  colleagueStats,
  get guestPc() {
    return guestPc();
  },
  counters,
  timing,
  callTiming: () => (st.call ? { ...st.call.timing } : null),
  protocol: P,
  // Drops the socket as a network failure would (tests of the reconnect path).
  dropLink: () => st.ws?.close(4001, 'test'),
  // The call's media connection as this page has it, and asking the booth
  // for a new one as a dead connection would (PROTOCOL.md "Reconnecting a
  // call's media"; tests of that path).
  get mediaConnection() {
    return st.call ? st.call.media : null;
  },
  askReconnect: () => st.call?.askReconnect('asked by a test'),
  // Stops sending anything on the call's current connection, as a dead path
  // looks from the booth (tests of its own detection).
  stopSending: () => Promise.all((st.call?.pc.getSenders() ?? []).map((s) => s.replaceTrack(null))),
};

// The language is switched by loading the page again: not in a call.
setSwitchGuard(() => (ui.body.dataset.state === 'in-call' || ui.body.dataset.state === 'accepting' ? t('lang.switch.busy') : null));
onPageChange(updateSwitcher);

// ---- start -----------------------------------------------------------------------------------

whoAmI().then((user) => {
  if (user) signIn(user);
  else ui.signinLogin.focus();
});
