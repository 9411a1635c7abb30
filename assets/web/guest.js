// SPDX-License-Identifier: GPL-2.0-or-later
// The guest's page (PROTOCOL.md "A guest in the call"): the link's token
// from location.hash (then taken out of the address bar), a display name,
// the camera and microphone check, then /ws/guest with hello{role:"guest"}.
// Each state of the guest in words (asking the visitor, declined, joining,
// joined, removed, left, the call ended) and each refusal (close codes
// 4020..4025) as a sentence. The guest answers the offers it gets (booth,
// adviser) with its own camera and microphone, receive only when refused,
// and draws both: the visitor large, the adviser beside, itself small.

import * as P from './protocol.js';
import { $ } from './page.js';
import { setSwitchGuard, t, updateSwitcher } from './i18n.js';
import { answerer } from './answerer.js';

const ui = {
  body: document.body,
  join: $('guest-join'),
  form: $('guest-form'),
  name: $('guest-name'),
  nameError: $('guest-name-error'),
  video: $('guest-video'),
  level: $('guest-level'),
  media: $('guest-media'),
  joinBtn: $('guest-join-btn'),
  call: $('guest-call'),
  state: $('guest-state'),
  leave: $('guest-leave'),
  chat: $('guest-chat'),
  chatLog: $('guest-chat-log'),
  chatForm: $('guest-chat-form'),
  chatInput: $('guest-chat-input'),
  videos: $('guest-videos'),
  selfVideo: $('guest-self-video'),
};

// The token: the link's fragment (never sent to a server by the browser),
// kept for this tab so that a change of language (a reload) keeps it.
const TOKEN_KEY = 'relais.guest.token';
function takeToken() {
  const fromHash = location.hash.slice(1);
  if (fromHash) {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromHash);
    } catch {
      // not kept: this page only
    }
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}
const token = takeToken();

// Close codes of /ws/guest and the sentence for each.
const CLOSES = {
  4020: 'guest.refused.unknown',
  4021: 'guest.refused.expired',
  4022: 'guest.refused.used',
  4023: 'guest.refused.ended',
  4024: 'guest.refused.declined',
  4025: 'guest.refused.removed',
};
// guest_state in words (guest.state.*)
const STATES = new Set(['asking', 'joining', 'joined', 'declined', 'removed', 'left']);

let ws = null;
let call = null;
let stream = null;
let iceServers = [];

function show(state, text) {
  // the form goes: the focus moves to the words that replace it
  const refocus = !ui.join.hidden && (ui.join.contains(document.activeElement) || document.activeElement === document.body);
  ui.body.dataset.state = state;
  ui.join.hidden = true;
  ui.call.hidden = false;
  ui.state.dataset.state = state;
  ui.state.textContent = text;
  ui.leave.hidden = !['connecting', 'asking', 'joining', 'joined'].includes(state);
  updateSwitcher();
  // the others read the guest once the visitor let it in
  ui.chat.hidden = !['joining', 'joined'].includes(state);
  // the pictures: the visitor large, the adviser beside, its own small
  const inCall = ['joining', 'joined'].includes(state);
  ui.videos.hidden = !inCall;
  if (inCall && stream && ui.selfVideo.srcObject !== stream) ui.selfVideo.srcObject = stream;
  if (refocus) ui.state.focus();
}

// A chat line: the guest's own ('me') or the others' (`from`: "visitor",
// the adviser's name).
function addChat(who, text) {
  const li = document.createElement('li');
  li.className = `chat-msg chat-${who === 'me' ? 'me' : 'other'}`;
  li.setAttribute('data-testid', 'guest-chat-message');
  const w = document.createElement('span');
  w.className = 'chat-who';
  w.textContent = who === 'me' ? t('chat.me') : who === 'visitor' ? t('chat.visitor') : who;
  const x = document.createElement('span');
  x.className = 'chat-text';
  x.textContent = text;
  li.append(w, x);
  ui.chatLog.append(li);
  ui.chatLog.scrollTop = ui.chatLog.scrollHeight;
}

// --- the camera and microphone check ---------------------------------------

async function openMedia() {
  try {
    if (!navigator.mediaDevices?.getUserMedia) throw new DOMException(t('media.no-https'), 'NotSupportedError');
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } } });
  } catch (err) {
    stream = null;
    const why = err?.name === 'NotAllowedError' ? t('media.refused') : err?.name === 'NotFoundError' ? t('media.none') : t('media.failed', { name: err?.name ?? 'error' });
    ui.media.textContent = t('guest.media.recvonly', { why });
    ui.media.hidden = false;
    ui.body.dataset.media = 'recvonly';
    return;
  }
  ui.body.dataset.media = 'sendrecv';
  ui.video.srcObject = stream;
  if (!stream.getAudioTracks().length) return;
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  const tick = () => {
    analyser.getFloatTimeDomainData(buf);
    let sum = 0;
    for (const v of buf) sum += v * v;
    ui.level.value = Math.min(1, Math.sqrt(sum / buf.length) * 4);
    if (!ws || ws.readyState <= WebSocket.OPEN) requestAnimationFrame(tick);
  };
  ctx.resume().catch(() => {});
  tick();
}

// --- media: the guest answers ----------------------------------------------
// One connection per offerer (`peer` "booth" or "adviser": answerer.js),
// each drawn in its tile.

const PEERS = {
  booth: { video: $('guest-booth-video'), audio: $('guest-booth-audio') },
  adviser: { video: $('guest-adviser-video'), audio: $('guest-adviser-audio') },
};

function draw(peer, track, stream) {
  const out = PEERS[peer];
  if (!out) return;
  const el = track.kind === 'video' ? out.video : out.audio;
  el.srcObject = stream;
  if (track.kind === 'video') {
    const tile = el.closest('figure');
    const first = () => {
      if (el.srcObject === stream) tile.dataset.live = 'true';
    };
    if (el.requestVideoFrameCallback) el.requestVideoFrameCallback(first);
    else el.addEventListener('loadeddata', first, { once: true });
  }
  el.play().catch(() => {});
}

function undraw(peer) {
  const out = PEERS[peer];
  if (!out) return;
  out.video.srcObject = out.audio.srcObject = null;
  const tile = out.video.closest('figure');
  delete tile.dataset.live;
  delete tile.dataset.pc;
}

const media = answerer({
  name: 'guest',
  send: (text) => send(text),
  call: () => call,
  stream: () => stream,
  iceServers: () => iceServers,
  // offers are taken while the guest is in the call
  live: () => ['joining', 'joined'].includes(ui.body.dataset.state),
  draw,
  undraw,
  state: (peer, s) => {
    const tile = PEERS[peer]?.video.closest('figure');
    if (tile) tile.dataset.pc = s;
  },
});

function closeMedia() {
  media.closeAll();
  ui.videos.hidden = true;
  ui.selfVideo.srcObject = null;
}

// For the tests and diagnostics: each connection's inbound media, from getStats().
window.relaisGuest = {
  get peers() {
    return [...media.pcs.keys()];
  },
  get pcs() {
    return [...media.pcs.values()];
  },
  pc: (peer) => media.pcs.get(peer) ?? null,
  stats: () => media.stats(),
};

// --- the switchboard -------------------------------------------------------

function send(text) {
  if (ws?.readyState === WebSocket.OPEN) ws.send(text);
}

function onMessage(raw) {
  let msg;
  try {
    msg = P.parse(raw);
  } catch (err) {
    console.warn(`relais guest: ${err.message}`);
    return;
  }
  switch (msg.type) {
    case 'welcome':
      iceServers = P.iceServers(msg.ice_servers);
      break;
    case 'guest_state':
      call = msg.call;
      if (STATES.has(msg.state)) show(msg.state, t(`guest.state.${msg.state}`));
      break;
    case 'sdp':
      media.onSdp(msg);
      break;
    case 'ice':
      media.onIce(msg);
      break;
    case 'chat':
      if (msg.call === call) addChat(msg.from ?? 'visitor', msg.text);
      break;
    case 'end':
      show('ended', t('guest.refused.ended'));
      break;
    case 'ping':
      send(P.pong());
      break;
    default:
      break;
  }
}

function join(name) {
  show('connecting', t('guest.state.connecting'));
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  ws = new WebSocket(`${scheme}//${location.host}/ws/guest`);
  ws.addEventListener('open', () => send(P.guestHello(token, name)));
  ws.addEventListener('message', (ev) => onMessage(ev.data));
  ws.addEventListener('close', (ev) => {
    closeMedia();
    ws = null;
    const key = CLOSES[ev.code];
    if (key) show(key.split('.').pop(), t(key));
    else if (!['ended', 'you-left'].includes(ui.body.dataset.state)) show('lost', t('guest.lost'));
    ui.body.dataset.close = String(ev.code);
    ui.state.focus();
  });
}

ui.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const name = ui.name.value.trim();
  try {
    P.checkName(name);
  } catch {
    ui.nameError.textContent = t('guest.name.invalid', { n: P.MAX_GUEST_NAME });
    ui.nameError.hidden = false;
    ui.name.setAttribute('aria-invalid', 'true');
    ui.name.focus();
    return;
  }
  ui.nameError.hidden = true;
  ui.name.removeAttribute('aria-invalid');
  join(name);
});

ui.chatForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = ui.chatInput.value.trim();
  if (!text || !call || ws?.readyState !== WebSocket.OPEN) return;
  send(P.chat(call, text));
  addChat('me', text);
  ui.chatInput.value = '';
});

ui.leave.addEventListener('click', () => {
  if (call) send(P.end(call));
  closeMedia();
  const w = ws;
  ws = null; // gone now, not at its close event
  w?.close(1000);
  show('you-left', t('guest.state.you-left'));
});

// Another link opened in this tab changes only the fragment: the page
// starts again with it.
window.addEventListener('hashchange', () => {
  if (location.hash.length > 1) location.reload();
});

// A change of language reloads the page, which would spend the link: not
// while connected.
setSwitchGuard(() => (ws ? t('lang.switch.busy') : null));

if (!token) {
  show('unknown', t('guest.refused.unknown'));
} else {
  ui.name.focus();
  openMedia();
}
