// SPDX-License-Identifier: GPL-2.0-or-later
// One WebRTC call, adviser side. The booth is always the offerer: we apply its
// offer with whatever local tracks we have (none = receive only), answer, and
// trickle ICE both ways. No DOM here except through the callbacks.

import * as P from './protocol.js';
import { t } from './i18n.js';

export class Call {
  static LOST_MS = 20000; // no media connection for this long: the call is lost
  // Made while a visitor waits (or at the latest when the adviser clicks Accept),
  // so that the connection, its tracks and its candidate pool are ready when the
  // offer comes; bind() gives it the call id once `call` arrives.
  // opts: { iceServers: [string], localStream: MediaStream|null (ready now),
  //         localMedia: Promise<MediaStream|null> (still coming), certificate?,
  //         send(text), onState(state), onTrack(track, stream), onLocalCandidate(c),
  //         onRemoteCandidate(c), onError(err), onLost() (no connection for LOST_MS) }
  constructor(opts) {
    this.id = null;
    this.ticket = null;
    this.peer = '';
    this.opts = opts;
    this.closed = false;
    this.pendingIce = []; // remote candidates that arrived before the offer
    this.chain = Promise.resolve(); // signaling steps run one at a time, in arrival order
    this.timing = { prepared: performance.now(), call: 0, offer: 0, answer: 0, connected: 0 };
    this.mlines = 1;
    this.screen = null; // the transceiver of the booth's screen m-line (see #findScreen)
    this.iceServers = opts.iceServers ?? [];
    // The call's media connection (PROTOCOL.md "Reconnecting a call's
    // media"): the booth numbers each new one; 0 is the first.
    this.media = 0;
    this.screenTrack = null; // what startShare put on the screen m-line
    this.reconnectAsked = -1; // the connection we last asked the booth to replace
    this.disconnectTimer = 0;
    // Media lost this long (no connection connected since) ends the call,
    // as the booth does (Kconfig RELAIS_BOOTH_RESUME_GRACE_S): the console
    // does not wait for a word from a booth that cannot reach it.
    this.lostTimer = 0;
    // Tracks added now are matched to the offer's m-lines by kind when it is
    // applied (JSEP): no replaceTrack round trips after the offer arrives.
    this.localStream = opts.localStream ?? null;
    this.tracksAdded = false;
    this.#makePc();
  }

  #makePc() {
    const opts = this.opts;
    const pc = new RTCPeerConnection({
      iceServers: P.iceServers(this.iceServers),
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
      iceCandidatePoolSize: 1, // gather now, while the accept round trip is in flight
      ...(opts.certificate ? { certificates: [opts.certificate] } : {}),
    });
    this.pc = pc;
    if (this.localStream) {
      for (const t of this.localStream.getTracks()) if (t.readyState === 'live') pc.addTrack(t, this.localStream);
      this.tracksAdded = true;
    }
    pc.onicecandidate = (e) => this.#localCandidate(e.candidate);
    pc.ontrack = (e) => {
      // The booth may give audio and video separate msids: no forced lip-sync, each
      // track is rendered from the stream it came in (or its own stream).
      const stream = e.streams[0] ?? new MediaStream([e.track]);
      opts.onTrack?.(e.track, stream);
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) return;
      const s = pc.connectionState;
      if (s === 'connected' && !this.timing.connected) this.timing.connected = performance.now();
      clearTimeout(this.disconnectTimer);
      if (s === 'connected') {
        clearTimeout(this.lostTimer);
        this.lostTimer = 0;
      } else if ((s === 'disconnected' || s === 'failed') && !this.lostTimer) {
        this.lostTimer = setTimeout(() => {
          if (!this.closed && this.pc.connectionState !== 'connected') opts.onLost?.();
        }, Call.LOST_MS);
      }
      // A dead path: the booth is asked for a new connection (it may have
      // made one already: it ignores a request for an older one). A
      // "disconnected" that lasts is as dead as a "failed".
      if (s === 'failed') this.askReconnect('failed');
      else if (s === 'disconnected') this.disconnectTimer = setTimeout(() => this.askReconnect('disconnected for 4 s'), 4000);
      // Until a replacement is connected the adviser sees "reconnecting".
      opts.onState?.(this.media > 0 && (s === 'new' || s === 'connecting') ? 'reconnecting' : s === 'disconnected' || s === 'failed' ? 'reconnecting' : s);
    };
  }

  askReconnect(why) {
    if (this.closed || !this.id || this.reconnectAsked === this.media) return;
    this.reconnectAsked = this.media;
    console.info(`relais call: media connection ${this.media} ${why}: asking the booth for a new one`);
    this.#send(P.reconnect(this.id, this.media));
  }

  // The booth's offer of connection `n` (above ours): the old connection
  // goes, a new RTCPeerConnection takes its place with the same tracks.
  #renew(n) {
    console.info(`relais call: media connection ${n} replaces ${this.media}`);
    const old = this.pc;
    old.onicecandidate = null;
    old.ontrack = null;
    old.onconnectionstatechange = null;
    old.close();
    clearTimeout(this.disconnectTimer);
    this.media = n;
    this.pendingIce = [];
    this.screen = null;
    this.tracksAdded = false;
    this.#makePc();
    this.opts.onState?.('reconnecting');
  }

  // The switchboard's `call`: from now on messages carry this id.
  bind({ id, ticket, peer, iceServers }) {
    this.id = id;
    this.ticket = ticket;
    this.peer = peer ?? '';
    this.timing.call = performance.now();
    if (Array.isArray(iceServers) && iceServers.join('\n') !== this.iceServers.join('\n')) {
      // Still possible: gathering for the session starts at setLocalDescription.
      this.iceServers = iceServers;
      try {
        this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers: P.iceServers(iceServers) });
      } catch (err) {
        console.warn('relais call: cannot apply the call ICE servers', err);
      }
    }
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
      this.#send(P.ice(this.id, c.candidate, c.sdpMLineIndex ?? 0, this.media));
    } else if (!c) {
      // End of gathering: tell the booth for every m-line (bundled or not, it costs nothing).
      for (let i = 0; i < this.mlines; i++) this.#send(P.ice(this.id, '', i, this.media));
    }
  }

  handleSdp(msg) {
    if (msg.sdp_type !== 'offer') {
      console.warn('relais call: ignoring an sdp answer, the booth is the offerer');
      return this.chain;
    }
    return this.#enqueue(async () => {
      const n = msg.media ?? 0;
      if (n < this.media) return; // an older connection's offer, overtaken
      if (n > this.media) this.#renew(n);
      if (!this.timing.offer) this.timing.offer = performance.now();
      const mark = (k) => {
        if (!this.timing[k]) this.timing[k] = performance.now();
      };
      await this.pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
      mark('remoteSet');
      this.mlines = Math.min(P.MAX_MLINE + 1, (msg.sdp.match(/^m=/gm) || []).length || 1);
      this.#findScreen(msg.sdp);
      await this.#attachLocal();
      mark('tracksAttached');
      for (const c of this.pendingIce.splice(0)) await this.#addIce(c);
      const answer = await this.pc.createAnswer();
      mark('answerCreated');
      // The text is final once created: send it before applying it, so that the
      // booth sets it up while we do (candidates trickle after either way).
      if (this.closed) return;
      this.#send(P.sdp(this.id, 'answer', answer.sdp, this.media));
      mark('answer');
      await this.pc.setLocalDescription(answer);
      mark('localSet');
      // a screen being shared goes on with the new connection's screen m-line
      if (this.screen && this.screenTrack?.readyState === 'live' && this.screen.sender.track !== this.screenTrack)
        await this.screen.sender.replaceTrack(this.screenTrack);
    });
  }

  // Called on every offer (ICE restarts too). Tracks added at construction are
  // already in place; otherwise media may still be coming: wait for it a
  // little (never for ever) and put it on the transceivers the offer made.
  async #attachLocal() {
    if (!this.tracksAdded) {
      this.tracksAdded = true;
      const timeout = new Promise((r) => setTimeout(() => r(null), 3000));
      this.localStream = (await Promise.race([this.opts.localMedia ?? null, timeout])) ?? null;
      const stream = this.localStream;
      const used = new Set();
      await Promise.all(
        this.pc.getTransceivers().map((t) => {
          if (t.stopped || t.currentDirection === 'stopped' || t === this.screen) return null;
          const track = stream?.getTracks().find((tr) => tr.kind === t.receiver.track.kind && tr.readyState === 'live' && !used.has(tr));
          if (!track) return null;
          used.add(track);
          t.direction = 'sendrecv';
          t.sender.setStreams?.(stream);
          return t.sender.replaceTrack(track);
        }),
      );
    }
    // Whatever has nothing to send only receives.
    for (const t of this.pc.getTransceivers()) {
      if (t.stopped || t.currentDirection === 'stopped') continue;
      if (!t.sender.track && t.direction === 'sendrecv') t.direction = 'recvonly';
    }
  }

  // The booth's offer receives the adviser's screen on a video m-line of its
  // own (a=content:slides, receive-only on its side; PROTOCOL.md "Screen
  // sharing"): answered sendonly with no track, so that sharing is a
  // replaceTrack() on it and never a renegotiation. Found by its mid, never by
  // position among the transceivers.
  #findScreen(sdp) {
    const sections = sdp.split(/\r?\n(?=m=)/).slice(1);
    const screen = sections.find((s) => s.startsWith('m=video') && /^a=content:slides\s*$/m.test(s) && /^a=recvonly\s*$/m.test(s));
    const mid = screen?.match(/^a=mid:(\S+)/m)?.[1];
    const t = mid ? this.pc.getTransceivers().find((tr) => tr.mid === mid && !tr.stopped) : null;
    this.screen = t ?? null;
    if (this.screen && this.screen.direction !== 'sendonly') this.screen.direction = 'sendonly';
  }

  // TRUE once the booth's offer has a screen m-line.
  get canShare() {
    return !this.closed && this.screen !== null;
  }

  // Puts a display track on the screen m-line and tells the booth.
  async startShare(track) {
    if (!this.canShare) throw new Error(t('share.cannot'));
    this.screenTrack = track;
    await this.screen.sender.replaceTrack(track);
    this.#send(P.share(this.id, true));
  }

  // Takes it off (the booth goes back to the adviser's face) and tells the booth.
  async stopShare() {
    this.screenTrack = null;
    if (!this.screen || this.closed) return;
    this.#send(P.share(this.id, false));
    await this.screen.sender.replaceTrack(null);
  }

  handleIce(msg) {
    return this.#enqueue(async () => {
      if ((msg.media ?? 0) !== this.media) return; // another connection's
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
      outboundScreen: null, // the shared screen's m-line, apart from the camera
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
          // retransmissions (RTX) received: a part of bytesReceived
          retransmittedBytesReceived: s.retransmittedBytesReceived ?? 0,
          jitter: s.jitter ?? 0,
          framesDecoded: s.framesDecoded ?? 0,
          framesPerSecond: s.framesPerSecond ?? 0,
          frameWidth: s.frameWidth ?? 0,
          frameHeight: s.frameHeight ?? 0,
          totalSamplesReceived: s.totalSamplesReceived ?? 0,
          concealedSamples: s.concealedSamples ?? 0,
          codec: byId.get(s.codecId)?.mimeType ?? '',
        };
      } else if (s.type === 'outbound-rtp' && (s.kind === 'video' || s.kind === 'audio')) {
        const screen = s.kind === 'video' && this.screen && s.mid === this.screen.mid;
        const key = screen ? 'outboundScreen' : s.kind === 'video' ? 'outboundVideo' : 'outboundAudio';
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

  // Sends end (unless the other side ended, or the call never started) and
  // releases the connection. Local capture is not stopped: it belongs to the
  // console, which reuses it.
  close({ sendEnd = true, reason } = {}) {
    if (this.closed) return;
    if (sendEnd && this.id) this.opts.send(P.end(this.id, reason));
    this.closed = true;
    clearTimeout(this.disconnectTimer);
    clearTimeout(this.lostTimer);
    this.pc.onicecandidate = null;
    this.pc.ontrack = null;
    this.pc.onconnectionstatechange = null;
    this.pc.close();
  }
}
