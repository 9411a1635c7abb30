// SPDX-License-Identifier: GPL-2.0-or-later
// A scripted guest for three-way calls (threeway.test.mjs, tests/bench/
// threeway.mjs): not the project's guest page (assets/web/guest.js, tested
// in guestweb.test.mjs) but a raw RTCPeerConnection in a real Chromium,
// joining /ws/guest with an invitation's token and answering the booth's
// offer. window.join(url, token, name), window.leave(), window.stats().

// The guest's page: this test's own script, run in a page of the
// switchboard's origin (its style sheet, a real local response) so that its
// WebSocket passes the Origin check and Chromium's local network checks.
export function guestScript() {
  window.guest = { states: [], offers: 0, ended: false, closed: null };
  let ws, call, pc, stream;
  let iceServers = [];
  function send(o) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(o)); }
  async function onSdp(msg) {
    // only the booth's offer: the adviser's (the console's) is not this test's
    if (msg.peer !== 'booth' || msg.sdp_type !== 'offer') return;
    window.guest.offers++;
    pc = new RTCPeerConnection({ iceServers });
    for (const t of stream.getTracks()) pc.addTrack(t, stream);
    pc.onicecandidate = (ev) => send({ type: 'ice', call, peer: 'booth',
      candidate: ev.candidate ? ev.candidate.candidate : '', mline: ev.candidate ? (ev.candidate.sdpMLineIndex ?? 0) : 0 });
    await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    send({ type: 'sdp', call, peer: 'booth', sdp_type: 'answer', sdp: pc.localDescription.sdp });
  }
  async function onIce(msg) {
    if (msg.peer !== 'booth' || !pc) return;
    await pc.addIceCandidate(msg.candidate ? { candidate: msg.candidate, sdpMLineIndex: msg.mline } : null);
  }
  window.join = async (url, token, name) => {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    ws = new WebSocket(url);
    ws.onopen = () => send({ type: 'hello', version: 1, role: 'guest', token, name });
    ws.onclose = (ev) => { window.guest.closed = ev.code; };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      if (msg.type === 'welcome') iceServers = (msg.ice_servers || []).filter((u) => /^stun:/.test(u)).map((u) => ({ urls: u }));
      else if (msg.type === 'guest_state') { call = msg.call; window.guest.states.push(msg.state); }
      else if (msg.type === 'sdp') onSdp(msg).catch((e) => console.warn('sdp: ' + e.message));
      else if (msg.type === 'ice') onIce(msg).catch((e) => console.warn('ice: ' + e.message));
      else if (msg.type === 'ping') send({ type: 'pong' });
      else if (msg.type === 'end') window.guest.ended = true;
    };
  };
  window.leave = () => { send({ type: 'end', call }); if (pc) pc.close(); pc = null; };
  window.stats = async () => {
    const out = { connection: pc ? pc.connectionState : 'none', video: 0, audioPackets: 0, width: 0, bytes: 0 };
    if (!pc) return out;
    for (const s of (await pc.getStats()).values()) {
      if (s.type !== 'inbound-rtp') continue;
      out.bytes += s.bytesReceived || 0;
      if (s.kind === 'video') { out.video = s.framesDecoded || 0; out.width = s.frameWidth || 0; }
      else out.audioPackets = s.packetsReceived || 0;
    }
    return out;
  };
}

// The console (`page`, in a call) invites `role`; the guest's page `g`
// joins with the link's token as `name`. Resolves once its hello is sent.
export async function inviteAndJoin(page, g, sb, role, name) {
  await page.locator('[data-testid="invite-role"]').selectOption(role);
  await page.locator('[data-testid="invite-create"]').click();
  await page.locator('[data-testid="invite-url"]').waitFor({ state: 'visible' });
  const url = await page.locator('[data-testid="invite-url"]').inputValue();
  const origin = new URL(sb.pageUrl()).origin;
  await g.goto(`${origin}/style.css`);
  await g.evaluate(guestScript);
  await g.evaluate(([u, token, n]) => window.join(u, token, n), [sb.wsUrl('guest'), url.split('#')[1], name]);
}
