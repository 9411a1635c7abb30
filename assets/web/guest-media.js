// SPDX-License-Identifier: GPL-2.0-or-later
// The console's media connection with the guest (THREEWAY.md "Media": a
// full mesh of three; PROTOCOL.md "A guest in the call"). The console is
// the offerer: when the guest becomes `joining` it offers the adviser's
// camera and microphone (receive only without them) in `sdp{peer:"guest"}`,
// trickles `ice{peer:"guest"}`, and applies the guest's answer. The guest's
// picture is drawn beside the booth's, with its name and role; its sound
// plays. The connection is its own RTCPeerConnection: whatever happens to
// it (a failure, the guest removed) never touches the booth's.

import * as P from './protocol.js';
import { $ } from './page.js';
import { st } from './console-state.js';
import { send } from './link.js';
import { announce } from './notice.js';
import { t } from './i18n.js';

const ui = {
  tile: $('guest-tile'),
  video: $('guest-remote-video'),
  audio: $('guest-remote-audio'),
  caption: $('guest-caption'),
  status: $('guest-media-state'),
  chatInput: $('chat-input'),
  chatLabel: document.querySelector('label[for="chat-input"]'),
};

// The chat reaches the guest too while it is in the call: the field says so.
function chatTo(name) {
  ui.chatInput.placeholder = name ? t('chat.placeholder.guest', { name }) : t('chat.placeholder');
  ui.chatLabel.textContent = name ? t('chat.label.guest', { name }) : t('chat.label');
}

// The one guest connection of the call, or null.
let link = null;

class GuestLink {
  // {call, guest, name, role}: the guest as guest_state told it
  constructor(guest) {
    this.call = guest.call;
    this.guest = guest.guest;
    this.name = guest.name;
    this.role = guest.role;
    this.closed = false;
    this.pendingIce = []; // the guest's candidates before its answer
    this.chain = Promise.resolve();
    this.timing = { offer: 0, answer: 0, connected: 0, firstFrame: 0 };
    const certificate = st.certificate && st.certificate.expires > Date.now() + 60000 ? st.certificate : null;
    this.pc = new RTCPeerConnection({
      iceServers: P.iceServers(st.call?.iceServers ?? st.iceServers),
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
      ...(certificate ? { certificates: [certificate] } : {}),
    });
    this.pc.onicecandidate = (e) => {
      if (this.closed) return;
      const c = e.candidate;
      if (c && !c.candidate) return;
      send(P.toPeer(P.ice(this.call, c ? c.candidate : '', c ? (c.sdpMLineIndex ?? 0) : 0), 'guest'));
    };
    this.pc.ontrack = (e) => show(this, e.track, e.streams[0] ?? new MediaStream([e.track]));
    this.pc.onconnectionstatechange = () => {
      if (this.closed) return;
      const s = this.pc.connectionState;
      if (s === 'connected' && !this.timing.connected) this.timing.connected = performance.now();
      ui.tile.dataset.pc = s;
      ui.status.hidden = s === 'connected' || s === 'new' || s === 'connecting';
      ui.status.textContent = ui.status.hidden ? '' : t('guestmedia.lost');
      if (s === 'failed') console.warn(`relais guest media: the connection with guest ${this.guest} failed (the booth's goes on)`);
    };
  }

  #enqueue(step) {
    this.chain = this.chain
      .then(() => (this.closed ? undefined : step()))
      .catch((err) => {
        // the guest's connection only: the call with the booth goes on
        console.warn(`relais guest media: ${err?.message ?? err}`);
        if (!this.closed) {
          ui.status.hidden = false;
          ui.status.textContent = t('guestmedia.failed');
        }
      });
    return this.chain;
  }

  offer() {
    return this.#enqueue(async () => {
      // The adviser's own tracks, the very ones the booth gets: mute and
      // camera off (track.enabled) reach both connections at once. The
      // camera still opening is waited for a little (never for ever);
      // refused or missing, that kind is received only.
      const live = (s) => s?.getTracks().some((tr) => tr.readyState === 'live');
      let stream = st.localStream;
      if (!live(stream) && st.media) {
        const timeout = new Promise((r) => setTimeout(() => r(null), 3000));
        stream = (await Promise.race([st.media.catch(() => null), timeout])) ?? null;
      }
      const tracks = live(stream) ? stream.getTracks().filter((tr) => tr.readyState === 'live') : [];
      for (const kind of ['audio', 'video']) {
        const track = tracks.find((tr) => tr.kind === kind);
        if (track) this.pc.addTrack(track, stream);
        else this.pc.addTransceiver(kind, { direction: 'recvonly' });
      }
      const offer = await this.pc.createOffer();
      await this.pc.setLocalDescription(offer);
      if (this.closed) return;
      send(P.toPeer(P.sdp(this.call, 'offer', this.pc.localDescription.sdp), 'guest'));
      this.timing.offer = performance.now();
    });
  }

  handleSdp(msg) {
    if (msg.sdp_type !== 'answer') {
      console.warn('relais guest media: ignoring an offer from the guest, the console is the offerer');
      return this.chain;
    }
    return this.#enqueue(async () => {
      await this.pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
      this.timing.answer = performance.now();
      for (const c of this.pendingIce.splice(0)) await this.#addIce(c);
    });
  }

  handleIce(msg) {
    return this.#enqueue(async () => {
      if (!this.pc.remoteDescription) this.pendingIce.push(msg);
      else await this.#addIce(msg);
    });
  }

  async #addIce(msg) {
    try {
      await this.pc.addIceCandidate(msg.candidate ? { candidate: msg.candidate, sdpMLineIndex: msg.mline } : { candidate: '', sdpMLineIndex: msg.mline });
    } catch (err) {
      console.warn('relais guest media: candidate rejected', msg.candidate, err?.message);
    }
  }

  close() {
    this.closed = true;
    this.pc.onicecandidate = this.pc.ontrack = this.pc.onconnectionstatechange = null;
    this.pc.close();
  }
}

function show(gl, track, stream) {
  if (gl !== link) return;
  if (track.kind === 'video') {
    ui.video.srcObject = stream;
    const first = () => {
      if (gl !== link) return;
      if (!gl.timing.firstFrame) gl.timing.firstFrame = performance.now();
      ui.tile.dataset.live = 'true';
    };
    if (ui.video.requestVideoFrameCallback) ui.video.requestVideoFrameCallback(first);
    else ui.video.addEventListener('loadeddata', first, { once: true });
    ui.video.play().catch(() => {});
  } else {
    // the <video> is muted: the sound plays here, once
    ui.audio.srcObject = stream;
    ui.audio.play().catch(() => {});
  }
}

function caption(g) {
  return t('guestmedia.caption', { name: g.name ?? '—', role: g.role ? t(`guestrole.${g.role}`) : '—' });
}

// guest_state: `joining` opens the connection (once per guest), leaving
// closes it. Called after invite.js has the state.
export function onGuestMedia(msg) {
  if (!st.call || st.call.id !== msg.call) return;
  if (msg.state === 'joining' || msg.state === 'joined') {
    if (link && link.guest === msg.guest) return;
    closeGuestMedia();
    link = new GuestLink(msg);
    ui.tile.hidden = false;
    ui.tile.dataset.guest = msg.guest;
    ui.tile.dataset.pc = 'new';
    ui.caption.textContent = caption(msg);
    ui.video.setAttribute('aria-label', caption(msg));
    ui.status.hidden = true;
    link.offer();
    chatTo(msg.name ?? '—');
    announce(t('guestmedia.joining', { name: msg.name ?? '—' }));
  } else if (link && link.guest === msg.guest) {
    closeGuestMedia();
  }
}

export function onGuestSdp(msg) {
  if (link && st.call?.id === msg.call && link.call === msg.call) link.handleSdp(msg);
}

export function onGuestIce(msg) {
  if (link && st.call?.id === msg.call && link.call === msg.call) link.handleIce(msg);
}

// The guest gone, or the call over.
export function closeGuestMedia() {
  link?.close();
  link = null;
  ui.tile.hidden = true;
  delete ui.tile.dataset.guest;
  delete ui.tile.dataset.live;
  delete ui.tile.dataset.pc;
  ui.video.srcObject = null;
  ui.audio.srcObject = null;
  ui.caption.textContent = '';
  ui.status.hidden = true;
  chatTo(null);
}

// For window.relais (tests, diagnostics): the guest connection's inbound
// media from getStats(), or null without a guest.
export async function guestMediaStats() {
  const gl = link;
  if (!gl) return null;
  const out = { guest: gl.guest, connectionState: gl.pc.connectionState, inboundVideo: null, inboundAudio: null, outboundVideo: null, outboundAudio: null, timing: { ...gl.timing } };
  (await gl.pc.getStats()).forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') out.inboundVideo = { packetsReceived: s.packetsReceived ?? 0, framesDecoded: s.framesDecoded ?? 0, frameWidth: s.frameWidth ?? 0, frameHeight: s.frameHeight ?? 0 };
    else if (s.type === 'inbound-rtp' && s.kind === 'audio') out.inboundAudio = { packetsReceived: s.packetsReceived ?? 0, totalSamplesReceived: s.totalSamplesReceived ?? 0 };
    else if (s.type === 'outbound-rtp' && s.kind === 'video') out.outboundVideo = { packetsSent: s.packetsSent ?? 0, framesEncoded: s.framesEncoded ?? 0 };
    else if (s.type === 'outbound-rtp' && s.kind === 'audio') out.outboundAudio = { packetsSent: s.packetsSent ?? 0 };
  });
  return out;
}

export function guestPc() {
  return link?.pc ?? null;
}
