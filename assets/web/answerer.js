// SPDX-License-Identifier: GPL-2.0-or-later
// Answering the offers others make in a call (PROTOCOL.md "A guest in the
// call"): one RTCPeerConnection per offerer (`peer` "booth" or "adviser"),
// each with the page's own camera and microphone (none: receive only).
// Used by the guest's page and by a colleague's console while it joins a
// warm transfer. Each connection's steps run in arrival order (a candidate
// never comes before its offer is applied). A new offer with a higher
// `media` (the booth replacing a dead connection) replaces that
// connection; one with the same renegotiates it.

import * as P from './protocol.js';

// `o`: send(text); call(), stream(), iceServers() as they are now; live()
// says whether offers are taken now; draw(peer, track, stream),
// undraw(peer), state(peer, connectionState) show them; name for the log.
export function answerer(o) {
  const peers = ['booth', 'adviser'];
  const pcs = new Map(); // peer -> {pc, media, chain, pending}

  function connection(peer, media) {
    const had = pcs.get(peer);
    if (had && had.media === media) return had;
    if (had) drop(peer);
    const pc = new RTCPeerConnection({ iceServers: o.iceServers() });
    const stream = o.stream();
    for (const track of stream?.getTracks() ?? []) pc.addTrack(track, stream);
    const conn = { pc, media, chain: Promise.resolve(), pending: [] };
    pc.addEventListener('icecandidate', (ev) => {
      if (pcs.get(peer) !== conn) return;
      const c = ev.candidate;
      if (c && !c.candidate) return;
      o.send(P.toPeer(P.ice(o.call(), c ? c.candidate : '', c ? (c.sdpMLineIndex ?? 0) : 0, media), peer));
    });
    pc.addEventListener('track', (ev) => o.draw(peer, ev.track, ev.streams[0] ?? new MediaStream([ev.track])));
    pc.addEventListener('connectionstatechange', () => {
      if (pcs.get(peer) === conn) o.state?.(peer, pc.connectionState);
    });
    pcs.set(peer, conn);
    return conn;
  }

  function drop(peer) {
    const conn = pcs.get(peer);
    if (!conn) return;
    pcs.delete(peer);
    conn.pc.close();
    o.undraw(peer);
  }

  // a step of `conn`, after those before it; a failure is that connection's only
  function step(conn, what, fn) {
    conn.chain = conn.chain.then(fn).catch((err) => console.warn(`relais ${o.name}: ${what}: ${err?.message ?? err}`));
  }

  // Dropped: a message of an older connection (a lower `media`), or one
  // that comes when offers are not taken.
  const stale = (msg) => !peers.includes(msg.peer) || msg.call !== o.call() || !o.live() || (pcs.get(msg.peer)?.media ?? 0) > (msg.media ?? 0);

  async function addIce(pc, msg) {
    try {
      await pc.addIceCandidate(msg.candidate ? { candidate: msg.candidate, sdpMLineIndex: msg.mline } : { candidate: '', sdpMLineIndex: msg.mline });
    } catch (err) {
      console.warn(`relais ${o.name}: candidate rejected: ${err?.message ?? err}`);
    }
  }

  return {
    onSdp(msg) {
      if (msg.sdp_type !== 'offer' || stale(msg)) return;
      const conn = connection(msg.peer, msg.media ?? 0);
      step(conn, `${msg.peer} sdp`, async () => {
        const { pc } = conn;
        await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
        for (const c of conn.pending.splice(0)) await addIce(pc, c);
        await pc.setLocalDescription(await pc.createAnswer());
        if (pcs.get(msg.peer) === conn) o.send(P.toPeer(P.sdp(o.call(), 'answer', pc.localDescription.sdp, conn.media), msg.peer));
      });
    },
    onIce(msg) {
      if (stale(msg)) return;
      // a candidate ahead of its offer waits for it on the connection made now
      const conn = connection(msg.peer, msg.media ?? 0);
      step(conn, `${msg.peer} ice`, async () => {
        if (!conn.pc.remoteDescription) conn.pending.push(msg);
        else await addIce(conn.pc, msg);
      });
    },
    closeAll() {
      for (const peer of [...pcs.keys()]) drop(peer);
    },
    // the connections, peer -> RTCPeerConnection
    get pcs() {
      return new Map([...pcs].map(([peer, c]) => [peer, c.pc]));
    },
    // Each connection's media, from getStats(): peer -> {connectionState, inboundVideo, ...}.
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
}
