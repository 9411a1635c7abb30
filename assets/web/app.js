// SPDX-License-Identifier: GPL-2.0-or-later
// Relais adviser console: link to the switchboard (with reconnect), booths,
// waiting visitors, and one call at a time. Plain ES modules, nothing loaded
// from outside the switchboard.

import * as P from './protocol.js';
import { Call } from './call.js';
import { BookingsPanel } from './bookings.js';
import { ScreenShare } from './share.js';
import { DocShare } from './document.js';

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10000;
const PING_INTERVAL_MS = 15000;
const SILENCE_LIMIT_MS = 40000; // no frame at all for this long: the link is dead
const TAKEN_LINGER_MS = 2500;
const ACCEPT_TIMEOUT_MS = 10000;
const RECENT_CALLS = 5; // calls remembered for the visitor's rating that follows them

const $ = (id) => document.getElementById(id);
const ui = {
  body: document.body,
  signin: $('signin'),
  signinForm: $('signin-form'),
  signinLogin: $('signin-login'),
  signinPassword: $('signin-password'),
  signinSubmit: $('signin-submit'),
  signinError: $('signin-error'),
  console: $('console'),
  linkState: $('link-state'),
  adviserName: $('adviser-name'),
  signoutBtn: $('signout-btn'),
  queueList: $('queue-list'),
  queueEmpty: $('queue-empty'),
  queueCount: $('queue-count'),
  chimeToggle: $('chime-toggle'),
  boothList: $('booth-list'),
  boothsEmpty: $('booths-empty'),
  boothCount: $('booth-count'),
  stageTitle: $('stage-title'),
  callState: $('call-state'),
  callTimer: $('call-timer'),
  lastFeedback: $('last-feedback'),
  mediaWarning: $('media-warning'),
  remoteVideo: $('remote-video'),
  remoteAudio: $('remote-audio'),
  placeholder: $('stage-placeholder'),
  localVideo: $('local-video'),
  selfCaption: $('self-caption'),
  muteBtn: $('mute-btn'),
  cameraBtn: $('camera-btn'),
  retryMediaBtn: $('retry-media-btn'),
  endBtn: $('end-btn'),
  shareBtn: $('share-btn'),
  shareState: $('share-state'),
  chat: $('chat'),
  chatLog: $('chat-log'),
  chatForm: $('chat-form'),
  chatInput: $('chat-input'),
  announcer: $('announcer'),
  toast: $('toast'),
  statsLink: $('stats-link'),
  outcomeForm: $('outcome-form'),
  outcomeTopic: $('outcome-topic'),
  outcomeCode: $('outcome-code'),
  outcomeFollowup: $('outcome-followup'),
  outcomeNote: $('outcome-note'),
  outcomeCount: $('outcome-count'),
  outcomeError: $('outcome-error'),
  outcomeSubmit: $('outcome-submit'),
  outcomeSkip: $('outcome-skip'),
  outcomeDone: $('outcome-done'),
};

const st = {
  name: '',
  user: null, // { login, name, role } from the sign-in session
  ws: null,
  link: 'offline', // offline | connecting | online | reconnecting | stopped
  wantOnline: false,
  backoff: RECONNECT_MIN_MS,
  reconnectTimer: 0,
  pingTimer: 0,
  lastRx: 0,
  session: null,
  iceServers: [],
  booths: [],
  queue: new Map(), // ticket -> { item, receivedAt, el, taken }
  accepting: null, // ticket we sent accept for
  prepared: null, // Call made on Accept, waiting for the switchboard's `call`
  call: null,
  callStartedAt: 0,
  recentCalls: new Map(), // call id -> { topic, topicId, where }: this console's last calls, for their rating
  outcomeCall: null, // the ended call whose outcome form is shown
  media: null, // Promise<MediaStream|null>, started once online
  localStream: null,
  mediaError: null,
  certificate: null, // DTLS certificate made ahead of time, reused by every call
  micMuted: false,
  cameraOff: false,
};

// The call controls' "Share screen" (share.js).
const share = new ScreenShare({
  button: ui.shareBtn,
  status: ui.shareState,
  getCall: () => st.call,
  toast,
  announce,
});


// A document shown on the booth during the call (document.js).
const docs = new DocShare(
  {
    panel: $('doc'),
    file: $('doc-file'),
    showBtn: $('doc-show-btn'),
    status: $('doc-status'),
    prev: $('doc-prev'),
    next: $('doc-next'),
    page: $('doc-page'),
    stop: $('doc-stop'),
  },
  { send: (text) => send(text), announce: (text) => announce(text), toast: (text, kind) => toast(text, kind) },
);

// ---- small helpers -----------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'type' || k === 'id') e.setAttribute(k, v === true ? '' : v);
    else e[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

const humanize = (id) => {
  const s = String(id).replace(/[-_.]+/g, ' ').trim();
  return s ? s[0].toUpperCase() + s.slice(1) : s;
};

let langNames = null;
try {
  langNames = new Intl.DisplayNames(['en'], { type: 'language' });
} catch {
  langNames = null;
}
const languageName = (code) => {
  try {
    const n = langNames?.of(code);
    return n && n !== code ? n : code;
  } catch {
    return code;
  }
};

const pad = (n) => String(n).padStart(2, '0');
function duration(s) {
  s = Math.max(0, Math.floor(s));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

function announce(text) {
  // Re-adding a node makes screen readers read it even if the text repeats.
  const p = el('p', { text });
  ui.announcer.append(p);
  while (ui.announcer.childElementCount > 5) ui.announcer.firstElementChild.remove();
}

let toastTimer = 0;
function toast(text, kind = 'info') {
  ui.toast.textContent = text;
  ui.toast.dataset.kind = kind;
  ui.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (ui.toast.hidden = true), 6000);
}

const stats = { received: Object.create(null), invalid: 0, localCandidates: [], remoteCandidates: [], lastError: null, chimes: 0 };

// ---- chime: a visitor starts waiting -----------------------------------------------------
// Two soft sine tones made with Web Audio (no audio file to fetch). The
// browser keeps an AudioContext suspended until the page had a user gesture:
// the sign-in click, or any click or key later on.

const CHIME_KEY = 'relais.chime'; // sessionStorage: 'off' when muted
const CHIME_NOTES = [
  [660, 0],
  [880, 0.16],
]; // Hz, start (s)
let audioCtx = null;
const seenTickets = new Set(); // tickets this console already chimed for (or saw)

function chimeMuted() {
  try {
    return sessionStorage.getItem(CHIME_KEY) === 'off';
  } catch {
    return false;
  }
}

function audio() {
  if (!audioCtx) {
    const Ctx = window.AudioContext ?? window.webkitAudioContext;
    if (!Ctx) return null;
    audioCtx = new Ctx();
  }
  if (audioCtx.state === 'suspended') audioCtx.resume().catch(() => {});
  return audioCtx;
}

function chime() {
  if (chimeMuted()) return;
  stats.chimes++;
  const ctx = audio();
  if (!ctx) return;
  const t0 = ctx.currentTime + 0.02;
  for (const [freq, at] of CHIME_NOTES) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    // soft attack, gentle exponential decay: a chime, not a beep
    gain.gain.setValueAtTime(0.0001, t0 + at);
    gain.gain.exponentialRampToValueAtTime(0.12, t0 + at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 0.45);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0 + at);
    osc.stop(t0 + at + 0.5);
  }
}

function showChimeToggle() {
  const muted = chimeMuted();
  ui.chimeToggle.setAttribute('aria-pressed', String(muted));
  ui.chimeToggle.textContent = muted ? 'Sound off' : 'Sound on';
  ui.chimeToggle.title = muted ? 'No sound when a visitor starts waiting' : 'A chime when a visitor starts waiting';
}

// ---- page state ------------------------------------------------------------------

function setState(s) {
  ui.body.dataset.state = s; // signed-out | idle | accepting | in-call
  updateAcceptButtons();
}

const LINK_TEXT = {
  offline: 'Offline',
  connecting: 'Connecting…',
  online: 'Connected',
  reconnecting: 'Connection lost — reconnecting…',
  stopped: 'Disconnected',
};
function setLink(link, detail) {
  st.link = link;
  ui.body.dataset.link = link;
  ui.linkState.dataset.link = link;
  ui.linkState.textContent = detail ? `${LINK_TEXT[link]} ${detail}` : LINK_TEXT[link];
  updateAcceptButtons();
}

// ---- link to the switchboard ----------------------------------------------------

function wsUrl() {
  const override = new URLSearchParams(location.search).get('ws');
  if (override) return override;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/adviser`;
}

function send(text) {
  if (st.ws && st.ws.readyState === WebSocket.OPEN) {
    st.ws.send(text);
    return true;
  }
  return false;
}

function connect() {
  clearTimeout(st.reconnectTimer);
  st.wantOnline = true;
  setLink(st.link === 'reconnecting' ? 'reconnecting' : 'connecting');
  let ws;
  try {
    ws = new WebSocket(wsUrl());
  } catch (err) {
    toast(`Cannot reach the switchboard: ${err.message}`, 'error');
    scheduleReconnect();
    return;
  }
  st.ws = ws;
  ws.onopen = () => {
    st.lastRx = Date.now();
    ws.send(P.hello(st.name));
  };
  ws.onmessage = (ev) => {
    if (ws !== st.ws) return;
    st.lastRx = Date.now();
    let msg;
    try {
      msg = P.parse(ev.data);
    } catch (err) {
      stats.invalid++;
      console.warn(`relais: ignoring a bad message from the switchboard (${err.code}: ${err.message})`);
      return;
    }
    stats.received[msg.type] = (stats.received[msg.type] ?? 0) + 1;
    handle(msg);
  };
  ws.onclose = (ev) => {
    if (ws !== st.ws) return;
    st.ws = null;
    clearInterval(st.pingTimer);
    onLinkLost(ev);
  };
}

function onLinkLost(ev) {
  st.session = null;
  if (st.call) {
    // The switchboard ends a call whose end lost its link; media alone cannot continue it.
    teardownCall('The connection to the switchboard was lost, so the call ended.');
  }
  if (st.accepting) {
    st.accepting = null;
    dropPrepared();
    setState('idle');
  }
  if (!st.wantOnline) {
    setLink('stopped');
    return;
  }
  console.info(`relais: link closed (${ev?.code ?? '?'} ${ev?.reason ?? ''})`);
  scheduleReconnect();
  // A refused upgrade looks like any lost link: ask whether the session is
  // still there (expired, signed out elsewhere, password changed).
  whoAmI().then((user) => {
    if (user === null && st.wantOnline) showSignIn('Your session has ended. Please sign in again.');
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

function disconnect() {
  st.wantOnline = false;
  clearTimeout(st.reconnectTimer);
  clearInterval(st.pingTimer);
  if (st.call) endCall('adviser-signed-out');
  st.accepting = null;
  dropPrepared();
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

// ---- incoming messages -------------------------------------------------------------

function handle(msg) {
  switch (msg.type) {
    case 'welcome':
      if (msg.version !== P.VERSION) {
        st.wantOnline = false;
        toast(`The switchboard speaks protocol version ${msg.version}; this console needs ${P.VERSION}. Reload the page.`, 'error');
        st.ws?.close(1000);
        return;
      }
      st.session = msg.session;
      st.iceServers = msg.ice_servers ?? [];
      st.backoff = RECONNECT_MIN_MS;
      setLink('online');
      startKeepAlive();
      if (!st.media) acquireMedia();
      if (!st.certificate) {
        RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' }).then(
          (c) => (st.certificate = c),
          () => {},
        );
      }
      break;
    case 'booths':
      renderBooths(msg.booths);
      break;
    case 'queue':
      renderQueue(msg.queue);
      break;
    case 'taken':
      onTaken(msg.ticket, 'Taken by another adviser, or the visitor left');
      break;
    case 'call':
      startCall(msg);
      break;
    case 'sdp':
      if (st.call?.id === msg.call) st.call.handleSdp(msg).then(() => updateControls()); // the offer says whether the booth shows a screen
      break;
    case 'ice':
      if (st.call?.id === msg.call) st.call.handleIce(msg);
      break;
    case 'chat':
      if (st.call?.id === msg.call) addChat('visitor', msg.text);
      break;
    case 'end':
      if (st.call?.id === msg.call) {
        teardownCall(endReasonText(msg.reason));
      }
      break;
    case 'feedback':
      onFeedback(msg);
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

function endReasonText(reason) {
  if (!reason || reason === 'visitor') return 'The visitor ended the call.';
  if (reason === 'peer-lost') return 'The booth lost its connection, so the call ended.';
  return `The call ended: the booth reported a problem (${reason}).`;
}

// The visitor tapped a face on the booth after the call: a quiet line in the
// stage header (it may arrive during the next call), no interruption.
function onFeedback(msg) {
  const c = st.recentCalls.get(msg.call);
  if (!c) return; // not one of this console's calls: the switchboard sends none such
  st.recentCalls.delete(msg.call); // rated once
  const text = `Last call — visitor's rating: ${msg.score}/5`;
  const about = [c.topic, c.where].filter(Boolean).join(', ');
  ui.lastFeedback.textContent = text;
  ui.lastFeedback.title = about ? `Call about ${about}` : 'Your last call';
  ui.lastFeedback.dataset.score = String(msg.score);
  ui.lastFeedback.dataset.call = msg.call;
  ui.lastFeedback.hidden = false;
  announce(`The visitor rated ${about ? `the call about ${about}` : 'your last call'} ${msg.score} out of 5.`);
}

function onError(msg) {
  stats.lastError = msg;
  console.warn(`relais: switchboard error ${msg.code} (${msg.ref ?? ''}): ${msg.message ?? ''}`);
  if (msg.code === 'version') {
    st.wantOnline = false;
    toast('This console is out of date for the switchboard. Reload the page.', 'error');
    return;
  }
  if (msg.ref === 'accept' && st.accepting) {
    const ticket = st.accepting;
    st.accepting = null;
    dropPrepared();
    setState(st.call ? 'in-call' : 'idle');
    if (msg.code === 'gone') onTaken(ticket, 'No longer waiting');
    else toast(`Could not accept: ${msg.message ?? msg.code}`, 'error');
    return;
  }
  if (msg.ref === 'hello') {
    st.wantOnline = msg.code !== 'field' && msg.code !== 'size';
    toast(`The switchboard refused the connection: ${msg.message ?? msg.code}`, 'error');
    return;
  }
  if (msg.ref === 'chat') toast(`Message not sent: ${msg.message ?? msg.code}`, 'error');
  if (msg.ref === 'doc_page' || msg.ref === 'doc_stop') docs.onError(msg);
}

// ---- booths ----------------------------------------------------------------------------

const BOOTH_STATE = {
  idle: ['Idle', 'ok'],
  queued: ['Visitor waiting', 'wait'],
  waiting: ['Visitor waiting', 'wait'],
  in_call: ['In call', 'busy'],
  'in-call': ['In call', 'busy'],
  out_of_order: ['Out of order', 'bad'],
  'out-of-order': ['Out of order', 'bad'],
};

function renderBooths(booths) {
  st.booths = booths;
  const items = booths.map((b) => {
    const [label, tone] = BOOTH_STATE[b.state] ?? [humanize(b.state), 'other'];
    return el(
      'li',
      { class: 'booth', 'data-testid': 'booth-row', 'data-booth-id': b.booth_id, 'data-booth-state': b.state },
      el('span', { class: `dot dot-${tone}`, 'aria-hidden': 'true' }),
      el(
        'div',
        { class: 'booth-main' },
        el('div', { class: 'booth-site', text: b.site || b.booth_id }),
        el('div', { class: 'booth-id', text: b.board ? `${b.booth_id} · ${b.board}` : b.booth_id }),
      ),
      el(
        'div',
        { class: 'booth-state' },
        el('span', { class: `tag tag-${tone}`, 'data-testid': 'booth-state', text: label }),
        b.reason ? el('div', { class: 'booth-reason', 'data-testid': 'booth-reason', text: b.reason }) : null,
      ),
    );
  });
  ui.boothList.replaceChildren(...items);
  ui.boothCount.textContent = String(booths.length);
  ui.boothsEmpty.hidden = booths.length > 0;
}

// ---- queue -------------------------------------------------------------------------------

function renderQueue(list) {
  const now = performance.now();
  const seen = new Set();
  const order = [];
  let fresh = false;
  for (const item of list) {
    seen.add(item.ticket);
    if (!seenTickets.has(item.ticket)) {
      seenTickets.add(item.ticket);
      fresh = true;
    }
    let q = st.queue.get(item.ticket);
    if (!q) {
      q = { item, receivedAt: now, el: buildQueueItem(item), taken: false };
      st.queue.set(item.ticket, q);
      announce(`New visitor waiting: ${humanize(item.topic)}, ${languageName(item.language)}${item.site ? `, at ${item.site}` : ''}.`);
    } else {
      q.item = item;
      q.receivedAt = now;
    }
    order.push(q.el);
  }
  for (const [ticket, q] of st.queue) {
    if (seen.has(ticket)) continue;
    if (q.taken) {
      order.push(q.el); // keeps its "taken" notice until it fades
      continue;
    }
    st.queue.delete(ticket);
    if (st.accepting !== ticket && st.call?.ticket !== ticket) announce(`A visitor (${humanize(q.item.topic)}) left the queue.`);
  }
  // Move only what is out of place: focus stays on a button that did not move.
  order.forEach((node, i) => {
    if (ui.queueList.children[i] !== node) ui.queueList.insertBefore(node, ui.queueList.children[i] ?? null);
  });
  while (ui.queueList.children.length > order.length) ui.queueList.lastElementChild.remove();
  // Forget tickets long gone (ids are random: one seen again is the same visitor).
  for (const t of seenTickets) if (seenTickets.size > 200 && !seen.has(t)) seenTickets.delete(t);
  if (fresh) chime();
  updateQueueMeta();
  tickWaits();
  updateAcceptButtons();
  keepPrepared();
}

function updateQueueMeta() {
  const waiting = [...st.queue.values()].filter((q) => !q.taken).length;
  ui.queueCount.textContent = String(waiting);
  ui.queueEmpty.hidden = st.queue.size > 0;
}

function buildQueueItem(item) {
  const answers = Object.entries(item.answers ?? {});
  const dl = el('dl', { class: 'answers', 'data-testid': 'queue-answers' });
  for (const [k, v] of answers) dl.append(el('dt', { text: humanize(k) }), el('dd', { text: v }));
  const titleId = `q-${item.ticket.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const btn = el('button', {
    type: 'button',
    class: 'btn btn-primary accept',
    'data-testid': 'accept-btn',
    'data-ticket': item.ticket,
    'aria-describedby': titleId,
    text: 'Accept',
  });
  btn.addEventListener('click', () => acceptTicket(item.ticket));
  return el(
    'li',
    { class: 'visitor', 'data-testid': 'queue-item', 'data-ticket': item.ticket, 'data-booth-id': item.booth_id, 'data-booked': item.booked ? 'true' : null },
    el(
      'div',
      { class: 'visitor-head' },
      el('h3', { class: 'visitor-topic', id: titleId, 'data-testid': 'queue-topic', 'data-topic': item.topic, text: humanize(item.topic) }),
      el('span', { class: 'wait', 'data-testid': 'queue-wait', 'aria-label': 'Waiting time', text: '00:00' }),
    ),
    el(
      'div',
      { class: 'visitor-meta' },
      el('span', { class: 'tag', 'data-testid': 'queue-language', 'data-language': item.language, lang: item.language, text: `${languageName(item.language)} (${item.language})` }),
      el('span', { class: 'visitor-site', 'data-testid': 'queue-site', text: item.site || item.booth_id }),
      item.booked ? el('span', { class: 'tag tag-booked', 'data-testid': 'queue-booked', text: 'Booked' }) : null,
    ),
    answers.length ? dl : null,
    el('div', { class: 'visitor-actions' }, btn, el('span', { class: 'visitor-note', 'data-testid': 'queue-note' })),
  );
}

function tickWaits() {
  const now = performance.now();
  for (const q of st.queue.values()) {
    if (q.taken) continue;
    const s = q.item.waited_s + (now - q.receivedAt) / 1000;
    const w = q.el.querySelector('.wait');
    const text = duration(s);
    if (w.textContent !== text) w.textContent = text;
    w.dataset.seconds = String(Math.floor(s));
    w.classList.toggle('wait-long', s >= 120);
  }
}

function updateAcceptButtons() {
  const busy = !!st.call || !!st.accepting || st.link !== 'online';
  for (const q of st.queue.values()) {
    const b = q.el.querySelector('[data-testid="accept-btn"]');
    b.disabled = busy || q.taken;
    b.textContent = st.accepting === q.item.ticket ? 'Accepting…' : 'Accept';
  }
}

function onTaken(ticket, note) {
  const q = st.queue.get(ticket);
  if (st.accepting === ticket) {
    st.accepting = null;
    dropPrepared();
    setState(st.call ? 'in-call' : 'idle');
    toast('This visitor is no longer waiting: another adviser accepted first, or they left.', 'info');
  }
  if (!q || q.taken) return;
  q.taken = true;
  q.el.classList.add('taken');
  q.el.dataset.taken = 'true';
  q.el.querySelector('[data-testid="queue-note"]').textContent = note;
  announce(`${humanize(q.item.topic)}: ${note.toLowerCase()}.`);
  updateAcceptButtons();
  updateQueueMeta();
  setTimeout(() => {
    if (st.queue.get(ticket) === q) {
      st.queue.delete(ticket);
      q.el.remove();
      updateQueueMeta();
    }
  }, TAKEN_LINGER_MS);
}

function acceptTicket(ticket) {
  if (st.call || st.accepting || st.link !== 'online') return;
  const q = st.queue.get(ticket);
  if (!q || q.taken) return;
  st.accepting = ticket;
  relais.timing.accept = performance.now();
  send(P.accept(ticket));
  if (!st.prepared) st.prepared = prepareCall();
  setState('accepting');
  // The switchboard answers with call, taken or error at once; never hang on it.
  setTimeout(() => {
    if (st.accepting !== ticket) return;
    st.accepting = null;
    dropPrepared();
    setState(st.call ? 'in-call' : 'idle');
    toast('The switchboard did not answer the Accept. Try again.', 'error');
  }, ACCEPT_TIMEOUT_MS);
}

// ---- local media -------------------------------------------------------------------------

function acquireMedia() {
  st.mediaError = null;
  ui.retryMediaBtn.hidden = true;
  st.media = (async () => {
    if (!navigator.mediaDevices?.getUserMedia) throw new DOMException('This page has no access to cameras (it must be served over HTTPS).', 'NotSupportedError');
    return navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } },
    });
  })().then(
    (stream) => {
      st.localStream = stream;
      for (const t of stream.getTracks()) {
        t.addEventListener('ended', () => {
          showMediaWarning(`Your ${t.kind === 'video' ? 'camera' : 'microphone'} stopped (unplugged or taken by another program).`);
          ui.retryMediaBtn.hidden = false;
        });
      }
      applyTrackToggles();
      ui.localVideo.srcObject = stream;
      ui.body.dataset.media = 'sendrecv';
      showMediaWarning(null);
      // A call in progress was answered without it; the booth, as offerer, would
      // have to renegotiate to take it now.
      if (st.call && !st.call.localStream) toast('Camera and microphone ready: they will be used from the next call.');
      updateControls();
      keepPrepared();
      return stream;
    },
    (err) => {
      st.mediaError = err;
      st.localStream = null;
      ui.body.dataset.media = 'recvonly';
      const why = err?.name === 'NotAllowedError'
        ? 'access to the camera and microphone was refused'
        : err?.name === 'NotFoundError'
          ? 'no camera or microphone was found'
          : `the camera or microphone could not be opened (${err?.name ?? 'error'})`;
      showMediaWarning(`Receive only: ${why}. You will see and hear visitors, but they will not see or hear you (use the text chat). Fix it, then choose “Retry camera”.`);
      ui.retryMediaBtn.hidden = false;
      updateControls();
      return null;
    },
  );
  return st.media;
}

function showMediaWarning(text) {
  ui.mediaWarning.hidden = !text;
  ui.mediaWarning.textContent = text ?? '';
}

function applyTrackToggles() {
  for (const t of st.localStream?.getAudioTracks() ?? []) t.enabled = !st.micMuted;
  for (const t of st.localStream?.getVideoTracks() ?? []) t.enabled = !st.cameraOff;
}

// ---- the call ------------------------------------------------------------------------------

// Made ahead of the Accept (see keepPrepared) or, failing that, on it: see Call.
function prepareCall() {
  const live = st.localStream?.getTracks().some((t) => t.readyState === 'live');
  return new Call({
    iceServers: st.iceServers,
    localStream: live ? st.localStream : null,
    localMedia: st.media ?? Promise.resolve(null),
    certificate: st.certificate && st.certificate.expires > Date.now() + 60000 ? st.certificate : null,
    send,
    onState: onCallState,
    onTrack,
    onLocalCandidate: (c) => stats.localCandidates.push(c),
    onRemoteCandidate: (c) => stats.remoteCandidates.push(c),
    onError: (err) => toast(`Call set-up problem: ${err.message}`, 'error'),
  });
}

function dropPrepared() {
  st.prepared?.close({ sendEnd: false });
  st.prepared = null;
}

// While a visitor waits, a Call stands ready: making one (connection, tracks,
// candidate pool) takes the page 5-8 ms, and made on Accept those were spent
// just as the switchboard's `call` and the booth's offer came in (measured on
// the 2-core benchmark machine: both ends' first frame ~8 ms later). Renewed
// now and then so that its pooled candidates stay fresh, made again once the
// camera is there, dropped when nobody waits.
const PREPARED_MAX_AGE_MS = 120000;
function keepPrepared() {
  if (st.call || st.accepting) return;
  const waiting = [...st.queue.values()].some((q) => !q.taken);
  const live = st.localStream?.getTracks().some((t) => t.readyState === 'live');
  const p = st.prepared;
  const stale = p && (performance.now() - p.timing.prepared > PREPARED_MAX_AGE_MS || (live && !p.localStream));
  if (p && (stale || !waiting || st.link !== 'online')) dropPrepared();
  if (!st.prepared && waiting && st.link === 'online') st.prepared = prepareCall();
}

function startCall(msg) {
  if (st.call) {
    // Cannot happen with a correct switchboard: refuse rather than drop the call we have.
    send(P.end(msg.call, 'adviser-busy'));
    return;
  }
  st.accepting = null;
  const q = st.queue.get(msg.ticket);
  const topic = q ? humanize(q.item.topic) : msg.topic ? humanize(msg.topic) : '';
  const where = q?.item.site || msg.peer || '';
  const call = st.prepared ?? prepareCall();
  st.prepared = null;
  call.bind({ id: msg.call, ticket: msg.ticket, peer: msg.peer, iceServers: msg.ice_servers ?? st.iceServers });
  st.call = call;
  st.recentCalls.set(msg.call, { topic, topicId: q?.item.topic ?? msg.topic ?? '', where });
  hideOutcome();
  while (st.recentCalls.size > RECENT_CALLS) st.recentCalls.delete(st.recentCalls.keys().next().value);
  relais.timing.call = performance.now();
  relais.timing.firstFrame = 0;
  st.callStartedAt = 0;
  ui.stageTitle.textContent = `In call${topic ? ` · ${topic}` : ''}${where ? ` — ${where}` : ''}`;
  ui.body.dataset.call = msg.call;
  ui.chatLog.replaceChildren();
  ui.chat.hidden = false;
  docs.start(msg.call);
  ui.placeholder.hidden = false;
  ui.placeholder.querySelector('.placeholder-title').textContent = 'Connecting to the booth…';
  onCallState('new');
  setState('in-call');
  updateControls();
  announce('Call starting.');
  ui.endBtn.focus();
}

const CALL_STATE_TEXT = {
  new: 'Connecting…',
  connecting: 'Connecting…',
  connected: 'Connected',
  disconnected: 'Network trouble — trying to recover…',
  failed: 'Connection failed',
  closed: 'Ended',
};
function onCallState(s) {
  ui.callState.hidden = false;
  ui.callState.dataset.state = s;
  ui.callState.textContent = CALL_STATE_TEXT[s] ?? s;
  ui.body.dataset.pc = s;
  if (s === 'connected' && !st.callStartedAt) {
    st.callStartedAt = performance.now();
    ui.callTimer.hidden = false;
    announce('Connected to the visitor.');
  }
}

function onTrack(track, stream) {
  if (track.kind === 'video') {
    ui.remoteVideo.srcObject = stream;
    ui.remoteVideo.dataset.tracks = String(stream.getTracks().length);
    const markFirst = () => {
      if (!relais.timing.firstFrame) relais.timing.firstFrame = performance.now();
      ui.placeholder.hidden = true;
      ui.remoteVideo.classList.add('live');
    };
    if (ui.remoteVideo.requestVideoFrameCallback) ui.remoteVideo.requestVideoFrameCallback(markFirst);
    else ui.remoteVideo.addEventListener('loadeddata', markFirst, { once: true });
    playMedia(ui.remoteVideo);
  } else if (track.kind === 'audio') {
    // The <video> is muted so that a shared audio+video stream does not play twice.
    ui.remoteAudio.srcObject = stream;
    playMedia(ui.remoteAudio);
  }
}

function playMedia(m) {
  m.play().catch((err) => {
    if (err?.name !== 'NotAllowedError') return;
    toast('Your browser blocked the sound. Click anywhere on the page to hear the visitor.', 'error');
    document.addEventListener('pointerdown', () => m.play().catch(() => {}), { once: true });
    document.addEventListener('keydown', () => m.play().catch(() => {}), { once: true });
  });
}

function endCall(reason) {
  if (!st.call) return;
  st.call.close({ sendEnd: true, reason });
  finishCall('Call ended.');
}

function teardownCall(message) {
  if (!st.call) return;
  st.call.close({ sendEnd: false });
  finishCall(message);
  toast(message);
}

function finishCall(message) {
  const ended = st.call?.id;
  share.stop({ notify: false }); // the call is over: the booth drops the screen with it
  st.call = null;
  st.callStartedAt = 0;
  ui.remoteVideo.srcObject = null;
  ui.remoteAudio.srcObject = null;
  ui.remoteVideo.classList.remove('live');
  ui.placeholder.hidden = false;
  ui.placeholder.querySelector('.placeholder-title').textContent = 'No call in progress';
  ui.stageTitle.textContent = 'Ready';
  ui.callState.hidden = true;
  ui.callTimer.hidden = true;
  ui.callTimer.textContent = '00:00';
  ui.chat.hidden = true;
  docs.reset();
  delete ui.body.dataset.call;
  delete ui.body.dataset.pc;
  setState('idle');
  updateControls();
  announce(message);
  keepPrepared();
  if (ended) showOutcome(ended);
}

// ---- outcome note (after a call) ------------------------------------------------------

function outcomeError(text) {
  ui.outcomeError.textContent = text ?? '';
  ui.outcomeError.hidden = !text;
}

function showOutcome(callId) {
  const c = st.recentCalls.get(callId);
  st.outcomeCall = callId;
  ui.outcomeForm.reset();
  ui.outcomeTopic.value = c?.topic || c?.topicId || '';
  ui.outcomeForm.dataset.call = callId;
  ui.outcomeCount.textContent = `0 / ${ui.outcomeNote.maxLength}`;
  outcomeError(null);
  ui.outcomeDone.hidden = true;
  ui.outcomeForm.hidden = false;
}

function hideOutcome() {
  st.outcomeCall = null;
  ui.outcomeForm.hidden = true;
  ui.outcomeDone.hidden = true;
  outcomeError(null);
}

ui.outcomeNote.addEventListener('input', () => {
  ui.outcomeCount.textContent = `${[...ui.outcomeNote.value].length} / ${ui.outcomeNote.maxLength}`;
});
ui.outcomeSkip.addEventListener('click', () => hideOutcome());
ui.chimeToggle.addEventListener('click', () => {
  try {
    if (chimeMuted()) sessionStorage.removeItem(CHIME_KEY);
    else sessionStorage.setItem(CHIME_KEY, 'off');
  } catch {
    // storage refused: the toggle simply does not stick
  }
  showChimeToggle();
  if (!chimeMuted()) audio(); // a click is a user gesture: wake the audio up
});
// Any gesture lets the chime play later (the browser's autoplay policy).
for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, () => chimeMuted() || audio());
showChimeToggle();
ui.outcomeForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const call = st.outcomeCall;
  if (!call) return;
  const c = st.recentCalls.get(call);
  // one line: the store keeps no control characters
  const note = ui.outcomeNote.value.replace(/\s+/g, ' ').trim();
  ui.outcomeSubmit.disabled = true;
  outcomeError(null);
  try {
    const r = await fetch('/api/outcome', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ call, topic: c?.topicId ?? '', outcome: ui.outcomeCode.value, follow_up: ui.outcomeFollowup.checked, note }),
    });
    const body = await r.json().catch(() => ({}));
    if (r.ok) {
      st.outcomeCall = null;
      ui.outcomeForm.hidden = true;
      ui.outcomeDone.hidden = false;
      announce('Outcome saved.');
    } else {
      outcomeError(`Not saved: ${body.error ?? r.status}`);
    }
  } catch (err) {
    outcomeError(`Not saved: cannot reach the switchboard (${err.message})`);
  } finally {
    ui.outcomeSubmit.disabled = false;
  }
});

function updateControls() {
  const inCall = !!st.call;
  const hasAudio = (st.localStream?.getAudioTracks().length ?? 0) > 0;
  const hasVideo = (st.localStream?.getVideoTracks().length ?? 0) > 0;
  ui.muteBtn.disabled = !hasAudio;
  ui.cameraBtn.disabled = !hasVideo;
  ui.endBtn.disabled = !inCall;
  ui.muteBtn.setAttribute('aria-pressed', String(st.micMuted));
  ui.cameraBtn.setAttribute('aria-pressed', String(st.cameraOff));
  ui.localVideo.classList.toggle('off', st.cameraOff || !hasVideo);
  ui.selfCaption.textContent = !hasVideo ? 'You — no camera' : st.cameraOff ? 'You — camera off' : st.micMuted ? 'You — muted' : 'You';
  ui.body.dataset.mic = hasAudio ? (st.micMuted ? 'muted' : 'on') : 'none';
  ui.body.dataset.camera = hasVideo ? (st.cameraOff ? 'off' : 'on') : 'none';
  share.update();
}

function addChat(who, text) {
  const li = el(
    'li',
    { class: `chat-msg chat-${who}`, 'data-testid': 'chat-message', 'data-from': who },
    el('span', { class: 'chat-who', text: who === 'me' ? 'You' : 'Visitor' }),
    el('span', { class: 'chat-text', text }),
  );
  ui.chatLog.append(li);
  ui.chatLog.scrollTop = ui.chatLog.scrollHeight;
}

// ---- wiring ---------------------------------------------------------------------------------

ui.muteBtn.addEventListener('click', () => {
  st.micMuted = !st.micMuted;
  applyTrackToggles();
  updateControls();
  announce(st.micMuted ? 'Microphone muted.' : 'Microphone on.');
});
ui.cameraBtn.addEventListener('click', () => {
  st.cameraOff = !st.cameraOff;
  applyTrackToggles();
  updateControls();
  announce(st.cameraOff ? 'Camera off.' : 'Camera on.');
});
ui.retryMediaBtn.addEventListener('click', () => {
  for (const t of st.localStream?.getTracks() ?? []) t.stop();
  acquireMedia();
});
ui.endBtn.addEventListener('click', () => endCall());
ui.chatForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = ui.chatInput.value.trim();
  if (!text || !st.call) return;
  let frame;
  try {
    frame = P.chat(st.call.id, text);
  } catch (err) {
    toast(`Message not sent: ${err.message}`, 'error');
    return;
  }
  if (send(frame)) {
    addChat('me', text);
    ui.chatInput.value = '';
  } else toast('Message not sent: not connected.', 'error');
});

// ---- sign-in -------------------------------------------------------------------------

// The account of this browser's session: { login, name, role }, null when
// signed out, undefined when the switchboard cannot be asked.
async function whoAmI() {
  try {
    const r = await fetch('/api/me', { credentials: 'same-origin', cache: 'no-store' });
    if (r.status === 401) return null;
    return r.ok ? await r.json() : undefined;
  } catch {
    return undefined;
  }
}

function signinError(text) {
  ui.signinError.textContent = text ?? '';
  ui.signinError.hidden = !text;
}

ui.signinForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const login = ui.signinLogin.value.trim();
  const password = ui.signinPassword.value;
  if (!login || !password) return;
  ui.signinSubmit.disabled = true;
  signinError(null);
  try {
    const r = await fetch('/api/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login, password }),
    });
    const body = await r.json().catch(() => ({}));
    if (r.ok) {
      ui.signinPassword.value = '';
      signIn(body);
    } else if (r.status === 401) {
      signinError('Wrong login or password');
      ui.signinPassword.select();
    } else if (r.status === 429) {
      const s = Number(r.headers.get('Retry-After') ?? body.retry_after ?? 0);
      signinError(`Too many attempts, try again in ${s} s`);
    } else {
      signinError(`Sign-in failed: ${body.error ?? r.status}`);
    }
  } catch (err) {
    signinError(`Cannot reach the switchboard: ${err.message}`);
  } finally {
    ui.signinSubmit.disabled = false;
  }
});

ui.signoutBtn.addEventListener('click', async () => {
  if (st.call && !confirm('End the current call and sign out?')) return;
  showSignIn(null);
  try {
    await fetch('/api/logout', { method: 'POST', credentials: 'same-origin' });
  } catch {
    // the session expires on its own
  }
});

// Back to the form: the link closes, the camera stops, the lists go.
function showSignIn(message) {
  disconnect();
  for (const t of st.localStream?.getTracks() ?? []) t.stop();
  st.localStream = null;
  st.media = null;
  st.user = null;
  ui.localVideo.srcObject = null;
  st.queue.clear();
  seenTickets.clear(); // the next adviser here hears who is waiting
  st.recentCalls.clear();
  hideOutcome();
  ui.statsLink.hidden = true;
  stopBookings();
  ui.lastFeedback.hidden = true;
  ui.queueList.replaceChildren();
  updateQueueMeta();
  ui.console.hidden = true;
  ui.signin.hidden = false;
  ui.signoutBtn.hidden = true;
  ui.adviserName.hidden = true;
  setState('signed-out');
  signinError(message);
  ui.signinLogin.focus();
}

function signIn(user) {
  st.user = user;
  // The switchboard names the adviser from the session; the hello's name is
  // only what older switchboards used.
  st.name = String(user.name ?? user.login ?? '').slice(0, 100);
  ui.adviserName.textContent = st.name;
  ui.adviserName.hidden = false;
  ui.statsLink.hidden = user.role !== 'admin';
  startBookings(user);
  ui.signoutBtn.hidden = false;
  ui.signin.hidden = true;
  ui.console.hidden = false;
  signinError(null);
  setState('idle');
  updateControls();
  st.backoff = RECONNECT_MIN_MS;
  connect();
}

// ---- today's bookings (a panel of its own, refreshed every minute) --------------------------

const bookings = BookingsPanel.onPage();
const adminLink = $('admin-link');

function startBookings(user) {
  adminLink.hidden = user.role !== 'admin';
  bookings.start();
}

function stopBookings() {
  adminLink.hidden = true;
  bookings.stop();
}

setInterval(() => {
  tickWaits();
  keepPrepared();
  if (st.callStartedAt) ui.callTimer.textContent = duration((performance.now() - st.callStartedAt) / 1000);
}, 1000);

// For tests and diagnostics (no secrets in here).
const relais = {
  get pc() {
    return st.call?.pc ?? null;
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
  get session() {
    return st.session;
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
  counters: stats,
  timing: { accept: 0, call: 0, firstFrame: 0 },
  callTiming: () => (st.call ? { ...st.call.timing } : null),
  protocol: P,
  // Drops the socket as a network failure would (tests of the reconnect path).
  dropLink: () => st.ws?.close(4001, 'test'),
};
window.relais = relais;

// ---- start -----------------------------------------------------------------------------------

whoAmI().then((user) => {
  if (user) signIn(user);
  else ui.signinLogin.focus();
});
