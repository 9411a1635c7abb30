// SPDX-License-Identifier: GPL-2.0-or-later
// The console's link to the switchboard (/ws/adviser): connect with hello,
// reconnect with jittered backoff, keep alive with pings, notice silence.
// What the messages mean is app.js's: it gives the hooks (setLinkHooks).

import * as P from './protocol.js';
import { whoAmI } from './page.js';
import { RECONNECT_MIN_MS, counters, setLink, st } from './console-state.js';
import { toast } from './notice.js';
import { t } from './i18n.js';

const RECONNECT_MAX_MS = 10000;
const PING_INTERVAL_MS = 15000;
const SILENCE_LIMIT_MS = 40000; // no frame at all for this long: the link is dead

const hooks = {
  onMessage: (msg) => {}, // a valid message from the switchboard
  onLost: (ev) => {}, // the link closed (ev: its close event): what ran over it ends, or waits for it (a call)
  onStop: () => {}, // the console goes offline: end what runs over the link, while it still can
  onSignInEnded: () => {}, // the link closed because the sign-in is gone
};
export function setLinkHooks(h) {
  Object.assign(hooks, h);
}

function wsUrl() {
  const override = new URLSearchParams(location.search).get('ws');
  if (override) return override;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/adviser`;
}

export function send(text) {
  if (st.ws && st.ws.readyState === WebSocket.OPEN) {
    st.ws.send(text);
    return true;
  }
  return false;
}

export function connect() {
  clearTimeout(st.reconnectTimer);
  st.wantOnline = true;
  setLink(st.link === 'reconnecting' ? 'reconnecting' : 'connecting');
  let ws;
  try {
    ws = new WebSocket(wsUrl());
  } catch (err) {
    toast(t('error.unreachable', { why: err.message }), 'error');
    scheduleReconnect();
    return;
  }
  st.ws = ws;
  ws.onopen = () => {
    st.lastRx = Date.now();
    ws.send(P.hello(st.name, st.call?.id ?? st.pendingEnd?.call ?? null));
  };
  ws.onmessage = (ev) => {
    if (ws !== st.ws) return;
    st.lastRx = Date.now();
    let msg;
    try {
      msg = P.parse(ev.data);
    } catch (err) {
      counters.invalid++;
      console.warn(`relais: ignoring a bad message from the switchboard (${err.code}: ${err.message})`);
      return;
    }
    counters.received[msg.type] = (counters.received[msg.type] ?? 0) + 1;
    hooks.onMessage(msg);
  };
  ws.onclose = (ev) => {
    if (ws !== st.ws) return;
    st.ws = null;
    clearInterval(st.pingTimer);
    onLinkLost(ev);
  };
}

function onLinkLost(ev) {
  st.connectionId = null;
  hooks.onLost(ev);
  if (!st.wantOnline) {
    setLink('stopped');
    return;
  }
  console.info(`relais: link closed (${ev?.code ?? '?'} ${ev?.reason ?? ''})`);
  scheduleReconnect();
  // A refused upgrade looks like any lost link: ask whether the sign-in is
  // still there (expired, signed out elsewhere, password changed).
  whoAmI().then((user) => {
    if (user === null && st.wantOnline) hooks.onSignInEnded();
  });
}

function scheduleReconnect() {
  setLink('reconnecting');
  const jitter = 0.75 + Math.random() * 0.5;
  const delay = Math.min(RECONNECT_MAX_MS, st.backoff) * jitter;
  st.backoff = Math.min(RECONNECT_MAX_MS, st.backoff * 2);
  clearTimeout(st.reconnectTimer);
  st.reconnectTimer = setTimeout(connect, delay);
}

export function disconnect() {
  st.wantOnline = false;
  clearTimeout(st.reconnectTimer);
  clearInterval(st.pingTimer);
  hooks.onStop();
  const ws = st.ws;
  st.ws = null;
  ws?.close(1000, 'bye');
  setLink('stopped');
}

function startKeepAlive() {
  clearInterval(st.pingTimer);
  st.pingTimer = setInterval(() => {
    if (Date.now() - st.lastRx > SILENCE_LIMIT_MS) {
      // Half-open TCP (NAT, Wi-Fi change): close and let the backoff reconnect.
      const ws = st.ws;
      st.ws = null;
      clearInterval(st.pingTimer);
      ws?.close();
      onLinkLost({ code: 'timeout' });
      return;
    }
    send(P.ping());
  }, PING_INTERVAL_MS);
}

// The switchboard's welcome: online, unless it speaks another protocol
// version (then this console stops: FALSE).
export function welcomed(msg) {
  if (msg.version !== P.VERSION) {
    st.wantOnline = false;
    toast(t('error.version', { theirs: String(msg.version), ours: String(P.VERSION) }), 'error');
    st.ws?.close(1000);
    return false;
  }
  st.connectionId = msg.session;
  st.iceServers = msg.ice_servers ?? [];
  st.resumeS = msg.resume_s ?? st.resumeS;
  st.backoff = RECONNECT_MIN_MS;
  setLink('online');
  startKeepAlive();
  return true;
}
