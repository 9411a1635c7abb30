// SPDX-License-Identifier: GPL-2.0-or-later
// One WebRTC call, adviser side. The booth is always the offerer: we apply its
// offer, attach whatever local tracks we have (none = receive only), answer,
// and trickle ICE both ways. No DOM here except through the callbacks.

import * as P from './protocol.js';

export class Call {
  // opts: { id, ticket, peer, iceServers: [string], localMedia: Promise<MediaStream|null>,
  //         send(text), onState(state), onTrack(track, stream), onLocalCandidate(c), onRemoteCandidate(c) }
  constructor(opts) {
    this.id = opts.id;
    this.ticket = opts.ticket;
    this.peer = opts.peer ?? '';
    this.opts = opts;
    this.closed = false;
    this.pendingIce = []; // remote candidates that arrived before the offer
    this.chain = Promise.resolve(); // signaling steps run one at a time, in arrival order
    this.timing = { call: performance.now(), offer: 0, answer: 0, connected: 0 };
    this.mlines = 1;
    this.localStream = null;
    this.pc = new RTCPeerConnection({
      iceServers: P.iceServers(opts.iceServers),
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    });
    this.pc.onicecandidate = (e) => this.#localCandidate(e.candidate);
    this.pc.ontrack = (e) => {
      // The booth may give audio and video separate msids: no forced lip-sync, each
      // track is rendered from the stream it came in (or its own stream).
      const stream = e.streams[0] ?? new MediaStream([e.track]);
      opts.onTrack?.(e.track, stream);
    };
    this.pc.onconnectionstatechange = () => {
      const s = this.pc.connectionState;
      if (s === 'connected' && !this.timing.connected) this.timing.connected = performance.now();
      opts.onState?.(s);
    };
  }

  #send(text) {
    if (!this.closed) this.opts.send(text);
  }

  #enqueue(step) {
    this.chain = this.chain.then(() => (this.closed ? undefined : step())).catch((err) => {
      console.error('relais call: signaling step failed', err);
      this.opts.onError?.(err);
    });
    return this.chain;
  }

  #localCandidate(c) {
    if (this.closed) return;
    if (c && c.candidate) {
      this.opts.onLocalCandidate?.(c.candidate);
      this.#send(P.ice(this.id, c.candidate, c.sdpMLineIndex ?? 0));
    } else if (!c) {
      // End of gathering: tell the booth for every m-line (bundled or not, it costs nothing).
      for (let i = 0; i < this.mlines; i++) this.#send(P.ice(this.id, '', i));
    }
  }

  handleSdp(msg) {
    if (msg.sdp_type !== 'offer') {
      console.warn('relais call: ignoring an sdp answer, the booth is the offerer');
      return this.chain;
    }
    return this.#enqueue(async () => {
      if (!this.timing.offer) this.timing.offer = performance.now();
      await this.pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
      this.mlines = Math.min(P.MAX_MLINE + 1, (msg.sdp.match(/^m=/gm) || []).length || 1);
      await this.#attachLocal();
      for (const c of this.pendingIce.splice(0)) await this.#addIce(c);
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      if (this.closed) return;
      this.#send(P.sdp(this.id, 'answer', this.pc.localDescription.sdp));
      if (!this.timing.answer) this.timing.answer = performance.now();
    });
  }

  // Called on every offer (ICE restarts too); replaceTrack is idempotent.
  async #attachLocal() {
    if (this.localStream === null) {
      // Media was requested at sign-in; wait for it a little, never for ever.
      const timeout = new Promise((r) => setTimeout(() => r(null), 3000));
      this.localStream = (await Promise.race([this.opts.localMedia ?? null, timeout])) ?? undefined;
    }
    const stream = this.localStream;
    const used = new Set();
    for (const t of this.pc.getTransceivers()) {
      if (t.stopped || t.currentDirection === 'stopped') continue;
      const kind = t.receiver.track.kind;
      const track = stream?.getTracks().find((tr) => tr.kind === kind && tr.readyState === 'live' && !used.has(tr));
      if (track) {
        used.add(track);
        if (t.sender.track !== track) await t.sender.replaceTrack(track);
        t.sender.setStreams?.(stream);
        t.direction = 'sendrecv';
      } else {
        t.direction = 'recvonly';
      }
    }
  }

  handleIce(msg) {
    return this.#enqueue(async () => {
      this.opts.onRemoteCandidate?.(msg.candidate);
      if (!this.pc.remoteDescription) {
        this.pendingIce.push(msg);
        return;
      }
      await this.#addIce(msg);
    });
  }

  async #addIce(msg) {
    try {
      if (msg.candidate === '') await this.pc.addIceCandidate({ candidate: '', sdpMLineIndex: msg.mline });
      else await this.pc.addIceCandidate({ candidate: msg.candidate, sdpMLineIndex: msg.mline });
    } catch (err) {
      // One bad candidate (e.g. an unresolvable .local name) must not break the call.
      console.warn('relais call: candidate rejected', msg.candidate, err?.message);
    }
  }

  setTrackEnabled(kind, enabled) {
    const stream = this.localStream;
    if (!stream) return false;
    for (const t of stream.getTracks()) if (t.kind === kind) t.enabled = enabled;
    return true;
  }

  // A compact summary of getStats() for the UI and the tests.
  async stats() {
    const out = {
      connectionState: this.pc.connectionState,
      iceConnectionState: this.pc.iceConnectionState,
      inboundVideo: null,
      inboundAudio: null,
      outboundVideo: null,
      outboundAudio: null,
      candidatePair: null,
    };
    const report = await this.pc.getStats();
    const byId = new Map();
    report.forEach((s) => byId.set(s.id, s));
    let pairId = null;
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && (s.kind === 'video' || s.kind === 'audio')) {
        const key = s.kind === 'video' ? 'inboundVideo' : 'inboundAudio';
        out[key] = {
          packetsReceived: s.packetsReceived ?? 0,
          packetsLost: s.packetsLost ?? 0,
          bytesReceived: s.bytesReceived ?? 0,
          jitter: s.jitter ?? 0,
          framesDecoded: s.framesDecoded ?? 0,
          framesPerSecond: s.framesPerSecond ?? 0,
          frameWidth: s.frameWidth ?? 0,
          frameHeight: s.frameHeight ?? 0,
          totalSamplesReceived: s.totalSamplesReceived ?? 0,
          codec: byId.get(s.codecId)?.mimeType ?? '',
        };
      } else if (s.type === 'outbound-rtp' && (s.kind === 'video' || s.kind === 'audio')) {
        const key = s.kind === 'video' ? 'outboundVideo' : 'outboundAudio';
        out[key] = {
          packetsSent: s.packetsSent ?? 0,
          bytesSent: s.bytesSent ?? 0,
          framesEncoded: s.framesEncoded ?? 0,
          framesSent: s.framesSent ?? 0,
          codec: byId.get(s.codecId)?.mimeType ?? '',
        };
      } else if (s.type === 'transport' && s.selectedCandidatePairId) {
        pairId = s.selectedCandidatePairId;
      }
    });
    const pair = pairId ? byId.get(pairId) : null;
    if (pair) {
      const cand = (id) => {
        const c = byId.get(id);
        return c ? { type: c.candidateType, protocol: c.protocol, address: c.address ?? c.ip, port: c.port } : null;
      };
      out.candidatePair = { state: pair.state, rtt: pair.currentRoundTripTime ?? 0, local: cand(pair.localCandidateId), remote: cand(pair.remoteCandidateId) };
    }
    return out;
  }

  // Sends end (unless the other side ended) and releases the connection. Local
  // capture is not stopped: it belongs to the console, which reuses it.
  close({ sendEnd = true, reason } = {}) {
    if (this.closed) return;
    if (sendEnd) this.opts.send(P.end(this.id, reason));
    this.closed = true;
    this.pc.onicecandidate = null;
    this.pc.ontrack = null;
    this.pc.onconnectionstatechange = null;
    this.pc.close();
  }
}
