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
const pcs = new Map(); // peer ("booth", "adviser") -> {pc, media, chain, pending}

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
// One connection per offerer (`peer` "booth" or "adviser"), each with the
// guest's own camera and microphone (none: receive only). Each connection's
// steps run in arrival order (a candidate never comes before its offer is
// applied). A new offer with a higher `media` (the booth replacing a dead
// connection) replaces that connection; one with the same renegotiates it.

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

function connection(peer, media) {
  const had = pcs.get(peer);
  if (had && had.media === media) return had;
  if (had) dropConnection(peer);
  const pc = new RTCPeerConnection({ iceServers });
  for (const track of stream?.getTracks() ?? []) pc.addTrack(track, stream);
  const conn = { pc, media, chain: Promise.resolve(), pending: [] };
  pc.addEventListener('icecandidate', (ev) => {
    if (pcs.get(peer) !== conn) return;
    const c = ev.candidate;
    if (c && !c.candidate) return;
    send(P.toPeer(P.ice(call, c ? c.candidate : '', c ? (c.sdpMLineIndex ?? 0) : 0, media), peer));
  });
  pc.addEventListener('track', (ev) => draw(peer, ev.track, ev.streams[0] ?? new MediaStream([ev.track])));
  pc.addEventListener('connectionstatechange', () => {
    const tile = PEERS[peer]?.video.closest('figure');
    if (tile && pcs.get(peer) === conn) tile.dataset.pc = pc.connectionState;
  });
  pcs.set(peer, conn);
  return conn;
}

function dropConnection(peer) {
  const conn = pcs.get(peer);
  if (!conn) return;
  pcs.delete(peer);
  conn.pc.close();
  undraw(peer);
}

// a step of `conn`, after those before it; a failure is that connection's only
function step(conn, what, fn) {
  conn.chain = conn.chain.then(fn).catch((err) => console.warn(`relais guest: ${what}: ${err?.message ?? err}`));
}

// Dropped: a message of an older connection (a lower `media`), or one
// that comes when the guest is not (or no longer) in the call.
const stale = (msg) => !['joining', 'joined'].includes(ui.body.dataset.state) || (pcs.get(msg.peer)?.media ?? 0) > (msg.media ?? 0);

function onSdp(msg) {
  if (msg.sdp_type !== 'offer' || !PEERS[msg.peer] || stale(msg)) return;
  const conn = connection(msg.peer, msg.media ?? 0);
  step(conn, `${msg.peer} sdp`, async () => {
    const { pc } = conn;
    await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
    for (const c of conn.pending.splice(0)) await addIce(pc, c);
    await pc.setLocalDescription(await pc.createAnswer());
    if (pcs.get(msg.peer) === conn) send(P.toPeer(P.sdp(call, 'answer', pc.localDescription.sdp, conn.media), msg.peer));
  });
}

async function addIce(pc, msg) {
  try {
    await pc.addIceCandidate(msg.candidate ? { candidate: msg.candidate, sdpMLineIndex: msg.mline } : { candidate: '', sdpMLineIndex: msg.mline });
  } catch (err) {
    console.warn(`relais guest: candidate rejected: ${err?.message ?? err}`);
  }
}

function onIce(msg) {
  if (!PEERS[msg.peer] || stale(msg)) return;
  // a candidate ahead of its offer waits for it on the connection made now
  const conn = connection(msg.peer, msg.media ?? 0);
  step(conn, `${msg.peer} ice`, async () => {
    if (!conn.pc.remoteDescription) conn.pending.push(msg);
    else await addIce(conn.pc, msg);
  });
}

function closeMedia() {
  for (const peer of [...pcs.keys()]) dropConnection(peer);
  ui.videos.hidden = true;
  ui.selfVideo.srcObject = null;
}

// For the tests and diagnostics: each connection's inbound media, from getStats().
window.relaisGuest = {
  get peers() {
    return [...pcs.keys()];
  },
  get pcs() {
    return [...pcs.values()].map((c) => c.pc);
  },
  pc: (peer) => pcs.get(peer)?.pc ?? null,
  async stats() {
    const out = {};
    for (const [peer, { pc }] of pcs) {
      const s = { connectionState: pc.connectionState, inboundVideo: null, inboundAudio: null, outboundVideo: null, outboundAudio: null };
      (await pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') s.inboundVideo = { packetsReceived: r.packetsReceived ?? 0, framesDecoded: r.framesDecoded ?? 0, frameWidth: r.frameWidth ?? 0 };
        else if (r.type === 'inbound-rtp' && r.kind === 'audio') s.inboundAudio = { packetsReceived: r.packetsReceived ?? 0 };
        else if (r.type === 'outbound-rtp' && r.kind === 'video') s.outboundVideo = { packetsSent: r.packetsSent ?? 0, framesEncoded: r.framesEncoded ?? 0 };
        else if (r.type === 'outbound-rtp' && r.kind === 'audio') s.outboundAudio = { packetsSent: r.packetsSent ?? 0 };
      });
      out[peer] = s;
    }
    return out;
  },
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
      if (msg.call === call) onSdp(msg);
      break;
    case 'ice':
      if (msg.call === call) onIce(msg);
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
