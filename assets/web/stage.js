// SPDX-License-Identifier: GPL-2.0-or-later
// The console's stage: the one call at a time. A Call made ahead while a
// visitor waits, started on the switchboard's `call`, its state, remote
// tracks, timer and controls (mute, camera, end), its screen share and
// document, and its end (then the outcome form).

import * as P from './protocol.js';
import { $ } from './page.js';
import { Call } from './call.js';
import { ScreenShare } from './share.js';
import { DocShare } from './document.js';
import { counters, setState, st, timing, ui } from './console-state.js';
import { send } from './link.js';
import { announce, toast } from './notice.js';
import { duration, topicTitle } from './words.js';
import { formatNumber, t } from './i18n.js';
import { closeChat, openChat } from './chat.js';
import { hideOutcome, showOutcome } from './outcome.js';
import { openTransfer, resetTransfer } from './transfer.js';
import { openInvite, resetInvite } from './invite.js';
import { closeGuestMedia } from './guest-media.js';

const RECENT_CALLS = 5; // calls remembered for the visitor's rating that follows them

// The call controls' "Share screen" (share.js).
export const share = new ScreenShare({
  button: ui.shareBtn,
  status: ui.shareState,
  getCall: () => st.call,
  toast,
  announce,
});

// A document shown on the booth during the call (document.js).
export const docs = new DocShare(
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

// The DTLS certificate every call reuses, made once online.
export function prepareCertificate() {
  if (st.certificate) return;
  RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' }).then(
    (c) => (st.certificate = c),
    () => {},
  );
}

// Made ahead of the Accept (see keepPrepared) or, failing that, on it: see Call.
export function prepareCall() {
  const live = st.localStream?.getTracks().some((t) => t.readyState === 'live');
  return new Call({
    iceServers: st.iceServers,
    localStream: live ? st.localStream : null,
    localMedia: st.media ?? Promise.resolve(null),
    certificate: st.certificate && st.certificate.expires > Date.now() + 60000 ? st.certificate : null,
    send,
    onState: onCallState,
    onLost: () => {
      // neither end can reach the other: ended here, the booth does the same
      st.call?.close({ sendEnd: true, reason: 'media-lost' });
      finishCall(t('end.media-lost'));
      toast(t('end.media-lost'));
    },
    onTrack,
    onLocalCandidate: (c) => counters.localCandidates.push(c),
    onRemoteCandidate: (c) => counters.remoteCandidates.push(c),
    onError: (err) => toast(t('call.setup-error', { why: err.message }), 'error'),
  });
}

export function dropPrepared() {
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
export function keepPrepared() {
  if (st.call || st.accepting) return;
  const waiting = [...st.queue.values()].some((q) => !q.taken);
  const live = st.localStream?.getTracks().some((t) => t.readyState === 'live');
  const p = st.prepared;
  const stale = p && (performance.now() - p.timing.prepared > PREPARED_MAX_AGE_MS || (live && !p.localStream));
  if (p && (stale || !waiting || st.link !== 'online')) dropPrepared();
  if (!st.prepared && waiting && st.link === 'online') st.prepared = prepareCall();
}

export function startCall(msg) {
  if (st.call) {
    // Cannot happen with a correct switchboard: refuse rather than drop the call we have.
    send(P.end(msg.call, 'adviser-busy'));
    return;
  }
  st.accepting = null;
  const q = st.queue.get(msg.ticket);
  const topic = q ? topicTitle(q.item.topic) : msg.topic ? topicTitle(msg.topic) : '';
  const where = q?.item.site || msg.peer || '';
  const call = st.prepared ?? prepareCall();
  st.prepared = null;
  st.devices = {};
  showDevices();
  call.bind({ id: msg.call, ticket: msg.ticket, peer: msg.peer, iceServers: msg.ice_servers ?? st.iceServers });
  st.call = call;
  st.recentCalls.set(msg.call, { topic, topicId: q?.item.topic ?? msg.topic ?? '', where });
  hideOutcome();
  while (st.recentCalls.size > RECENT_CALLS) st.recentCalls.delete(st.recentCalls.keys().next().value);
  timing.call = performance.now();
  timing.firstFrame = 0;
  st.callStartedAt = 0;
  ui.stageTitle.textContent = `${t('stage.in-call')}${topic ? ` · ${topic}` : ''}${where ? ` — ${where}` : ''}`;
  ui.body.dataset.call = msg.call;
  openChat();
  openInvite();
  openTransfer();
  docs.start(msg.call);
  ui.placeholder.hidden = false;
  ui.placeholder.querySelector('.placeholder-title').textContent = t('stage.connecting');
  onCallState('new');
  setState('in-call');
  updateControls();
  announce(t('stage.starting'));
  ui.endBtn.focus();
}

// The call's states in words (callstate.*); `reconnecting`: nothing flows,
// the booth makes a new connection (PROTOCOL.md "Reconnecting a call's
// media"); neither side has to do anything.
const CALL_STATES = new Set(['new', 'connecting', 'connected', 'disconnected', 'reconnecting', 'failed', 'closed']);
function onCallState(s) {
  if (s === 'reconnecting' && ui.body.dataset.pc !== 'reconnecting') announce(t('callstate.reconnecting.announce'));
  else if (s === 'connected' && ui.body.dataset.pc === 'reconnecting') announce(t('callstate.reconnected'));
  ui.callState.hidden = false;
  ui.callState.dataset.state = s;
  ui.callState.textContent = CALL_STATES.has(s) ? t(`callstate.${s}`) : s;
  ui.body.dataset.pc = s;
  if (s === 'connected' && !st.callStartedAt) {
    st.callStartedAt = performance.now();
    ui.callTimer.hidden = false;
    announce(t('callstate.connected.announce'));
  }
}

function onTrack(track, stream) {
  if (track.kind === 'video') {
    ui.remoteVideo.srcObject = stream;
    ui.remoteVideo.dataset.tracks = String(stream.getTracks().length);
    const markFirst = () => {
      if (!timing.firstFrame) timing.firstFrame = performance.now();
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
    toast(t('call.autoplay'), 'error');
    document.addEventListener('pointerdown', () => m.play().catch(() => {}), { once: true });
    document.addEventListener('keydown', () => m.play().catch(() => {}), { once: true });
  });
}

// The booth's camera or microphone stopped or is back (PROTOCOL.md "A
// device lost in a call"): the call goes on with the other medium. A pill
// beside the call's state says what is missing while it is; its return is
// a passing notice.
// device.<camera|microphone>.*: whole sentences, as French agrees them.
export function onDevice(msg) {
  if (!st.call || st.call.id !== msg.call) return;
  const was = st.devices[msg.device] ?? 'ok';
  st.devices[msg.device] = msg.state;
  if (msg.state === 'ok' && was !== 'ok') {
    toast(t(`device.${msg.device}.back`));
    announce(t(`device.${msg.device}.back`));
  } else if (msg.state !== 'ok' && was === 'ok') {
    announce(t(`device.${msg.device}.lost.announce`));
  }
  showDevices();
}

function showDevices() {
  const lost = Object.entries(st.devices).filter(([, s]) => s !== 'ok').map(([d]) => d);
  ui.callDevices.hidden = lost.length === 0;
  ui.callDevices.textContent = lost.length === 0 ? '' : t(lost.length > 1 ? 'device.both.lost' : `device.${lost[0]}.lost`);
  ui.callDevices.title = lost.length === 0 ? '' : t('device.lost.title');
}

// The adviser ends the call (the booth is told).
export function endCall(reason) {
  if (!st.call) return;
  // The link is away (the call held): the end goes on the next link, which
  // names the call in its hello to be allowed to end it.
  if (!st.ws || st.ws.readyState !== WebSocket.OPEN) st.pendingEnd = { call: st.call.id, reason };
  st.call.close({ sendEnd: true, reason });
  finishCall(t('end.by-you'));
}

// The call ended elsewhere (the booth, the switchboard, the link): `message` says how.
export function teardownCall(message) {
  if (!st.call) return;
  st.call.close({ sendEnd: false });
  finishCall(message);
  toast(message);
}

// The switchboard's `end` of this call, in words.
export function endReasonText(reason) {
  if (!reason || reason === 'visitor') return t('end.visitor');
  if (reason === 'peer-lost') return t('end.peer-lost');
  if (reason === 'gone') return t('end.gone');
  if (reason === 'transferred') return t('end.transferred');
  if (reason === 'media-lost' || reason === 'media-failed') return t('end.media-lost');
  return t('end.other', { reason });
}

function finishCall(message) {
  const ended = st.call?.id;
  clearTimeout(st.callHoldTimer);
  delete ui.body.dataset.callLink;
  share.stop({ notify: false }); // the call is over: the booth drops the screen with it
  st.call = null;
  st.callStartedAt = 0;
  ui.remoteVideo.srcObject = null;
  ui.remoteAudio.srcObject = null;
  ui.remoteVideo.classList.remove('live');
  ui.placeholder.hidden = false;
  ui.placeholder.querySelector('.placeholder-title').textContent = t('stage.no-call');
  ui.stageTitle.textContent = t('stage.ready');
  ui.callState.hidden = true;
  resetInvite();
  closeGuestMedia();
  resetTransfer();
  st.devices = {};
  showDevices();
  ui.callTimer.hidden = true;
  ui.callTimer.textContent = '00:00';
  ui.callQuality.hidden = true;
  closeChat();
  docs.reset();
  delete ui.body.dataset.call;
  delete ui.body.dataset.pc;
  setState('idle');
  updateControls();
  announce(message);
  keepPrepared();
  if (ended) showOutcome(ended);
}

// The call's clock, once connected (every second).
export function tickCallTimer() {
  if (st.callStartedAt) ui.callTimer.textContent = duration((performance.now() - st.callStartedAt) / 1000);
}

// The connection as the adviser should know it (every 2 s in a call), from
// getStats(): what arrives from the booth (kbit/s, frames per second), the
// share of its packets lost since the last look, and the round trip. Poor
// when a tenth of the packets are lost, the picture stops, or the round
// trip passes 400 ms; fair from 2 %, 10 fps or 200 ms.
let lastQuality = null;
export async function tickCallQuality() {
  const call = st.call;
  if (!call || !st.callStartedAt) {
    lastQuality = null;
    ui.callQuality.hidden = true;
    return;
  }
  const s = await call.stats();
  if (call !== st.call || !s) return;
  const v = s.inboundVideo ?? {};
  const a = s.inboundAudio ?? {};
  const now = performance.now();
  const cur = {
    at: now,
    media: call.media,
    bytes: (v.bytesReceived ?? 0) + (a.bytesReceived ?? 0),
    sentBytes: (s.outboundVideo?.bytesSent ?? 0) + (s.outboundAudio?.bytesSent ?? 0),
    got: (v.packetsReceived ?? 0) + (a.packetsReceived ?? 0),
    lost: (v.packetsLost ?? 0) + (a.packetsLost ?? 0),
  };
  const prev = lastQuality && lastQuality.media === cur.media ? lastQuality : null;
  lastQuality = cur;
  if (!prev) return; // a first look (or a new connection): nothing to compare yet
  const secs = Math.max((cur.at - prev.at) / 1000, 0.001);
  const kbps = Math.max(0, Math.round(((cur.bytes - prev.bytes) * 8) / secs / 1000));
  // What this browser sends (its own congestion control moves it): logged
  // when it moves by a fifth, as the booth logs its own (issue 13).
  const sentKbps = Math.max(0, Math.round(((cur.sentBytes - prev.sentBytes) * 8) / secs / 1000));
  cur.loggedSent = prev.loggedSent ?? 0;
  if (Math.abs(sentKbps - cur.loggedSent) > Math.max(20, cur.loggedSent / 5)) {
    console.info(`relais call: sending ${sentKbps} kbit/s (was ${cur.loggedSent})`);
    cur.loggedSent = sentKbps;
  }
  const got = Math.max(0, cur.got - prev.got);
  const lost = Math.max(0, cur.lost - prev.lost);
  const lossPct = got + lost > 0 ? (100 * lost) / (got + lost) : 0;
  const rttMs = Math.round((s.candidatePair?.rtt ?? 0) * 1000);
  const fps = Math.round(v.framesPerSecond ?? 0);
  const poor = lossPct >= 10 || rttMs > 400 || (s.inboundVideo && fps === 0);
  const fair = lossPct >= 2 || rttMs > 200 || (s.inboundVideo && fps < 10);
  const q = ui.callQuality;
  q.hidden = false;
  q.dataset.level = poor ? 'poor' : fair ? 'fair' : 'good';
  q.dataset.kbps = String(kbps);
  q.dataset.lossPct = lossPct.toFixed(1);
  q.dataset.rttMs = String(rttMs);
  q.dataset.fps = String(fps);
  q.textContent = t(`quality.${q.dataset.level}`, {
    // as strings: the tests read these figures back from the data-* attributes
    kbps: String(kbps),
    fps: String(fps),
    loss: formatNumber(lossPct, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
    rtt: String(rttMs),
  });
}

export function updateControls() {
  const inCall = !!st.call;
  const hasAudio = (st.localStream?.getAudioTracks().length ?? 0) > 0;
  const hasVideo = (st.localStream?.getVideoTracks().length ?? 0) > 0;
  ui.muteBtn.disabled = !hasAudio;
  ui.cameraBtn.disabled = !hasVideo;
  ui.endBtn.disabled = !inCall;
  ui.muteBtn.setAttribute('aria-pressed', String(st.micMuted));
  ui.cameraBtn.setAttribute('aria-pressed', String(st.cameraOff));
  ui.localVideo.classList.toggle('off', st.cameraOff || !hasVideo);
  ui.selfCaption.textContent = t(!hasVideo ? 'self.no-camera' : st.cameraOff ? 'self.camera-off' : st.micMuted ? 'self.muted' : 'self.you');
  ui.body.dataset.mic = hasAudio ? (st.micMuted ? 'muted' : 'on') : 'none';
  ui.body.dataset.camera = hasVideo ? (st.cameraOff ? 'off' : 'on') : 'none';
  share.update();
}

ui.endBtn.addEventListener('click', () => endCall());
