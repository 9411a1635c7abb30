// SPDX-License-Identifier: GPL-2.0-or-later
// A stand-in booth that runs in a Chromium tab: it speaks the booth side of
// PROTOCOL.md (hello, request, offer, ICE, end) with Chromium's fake camera.
// It tests the adviser console on its own, independent of the C booth; the
// real booth is exercised by call.test.mjs and badinput.test.mjs. With a
// guest in the call (PROTOCOL.md "A guest in the call") it does what the
// booth does: once the guest is `joining` it offers it the same camera and
// microphone on a second connection (`sdp`/`ice` with peer "guest"), and
// closes that one when the guest leaves or is removed.

// sb: the switchboard (startSwitchboard): the tab's link presents booth
// `boothId`'s certificate, enrolled through the real path.
export async function startBrowserBooth(context, { sb, boothId = 'tab-1', site = 'Test Library', separateStreams = true }) {
  const base = sb.base;
  const wsUrl = sb.wsUrl('booth');
  const page = await context.newPage();
  await page.goto(`${base}/healthz`); // a secure (127.0.0.1) origin for getUserMedia
  // /ws/booth refuses upgrades that carry an Origin (a web page must not pose
  // as a booth), and a browser always sends one: the tab's signaling goes
  // through a Node WebSocket, as a real booth's would.
  const link = await sb.boothWs(boothId, { site });
  await page.exposeFunction('fbLinkSend', (text) => link.sendText(text));
  link.onText = (text) => page.evaluate((t) => window.fbLinkReceive(t), text).catch(() => {});
  link.closed.then(({ code }) => page.evaluate((c) => window.fbLinkClosed(c), code).catch(() => {}));
  page.once('close', () => link.close());
  await page.evaluate(
    async ({ wsUrl, boothId, site, separateStreams }) => {
      const fb = {
        state: 'connecting',
        ticket: null,
        call: null,
        pc: null,
        guestPc: null, // the connection with the guest, if one is let in
        guest: null,
        asks: [],
        received: [],
        errors: [],
        stream: await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } }),
      };
      window.fb = fb;
      // the bridged link (see above), shaped like a WebSocket
      const ws = { send: (text) => window.fbLinkSend(text), onclose: null, onmessage: null };
      window.fbLinkReceive = (data) => ws.onmessage?.({ data });
      window.fbLinkClosed = (code) => ws.onclose?.({ code });
      fb.ws = ws;
      const send = (m) => ws.send(JSON.stringify(m));
      fb.send = send;
      queueMicrotask(() => send({ type: 'hello', version: 1, role: 'booth', booth_id: boothId, site, board: 'tab' }));
      ws.onclose = (e) => {
        fb.state = 'closed';
        fb.closeCode = e.code;
      };
      const closeGuest = () => {
        fb.guestPc?.close();
        fb.guestPc = null;
        fb.guest = null;
      };
      fb.closeGuest = closeGuest;
      // the guest's connection's steps in arrival order (an answer before its candidates)
      let guestChain = Promise.resolve();
      const guestStep = (fn) => (guestChain = guestChain.then(fn).catch((err) => fb.errors.push({ code: 'guest-media', message: String(err?.message ?? err) })));
      ws.onmessage = async (ev) => {
        const m = JSON.parse(ev.data);
        fb.received.push(m);
        if (m.peer === 'guest' && m.call === fb.call && (m.type === 'sdp' || m.type === 'ice')) {
          const pc = fb.guestPc;
          if (!pc) return;
          if (m.type === 'sdp' && m.sdp_type === 'answer') guestStep(() => pc.setRemoteDescription({ type: 'answer', sdp: m.sdp }));
          else if (m.type === 'ice') guestStep(() => pc.addIceCandidate(m.candidate ? { candidate: m.candidate, sdpMLineIndex: m.mline } : null).catch(() => {}));
          return;
        }
        if (m.type === 'guest_ask') fb.asks.push(m);
        else if (m.type === 'guest_state' && m.call === fb.call) {
          if (m.state === 'joining' && fb.guest !== m.guest) {
            closeGuest();
            fb.guest = m.guest;
            const pc = new RTCPeerConnection();
            fb.guestPc = pc;
            for (const t of fb.stream.getTracks()) pc.addTrack(t, separateStreams ? new MediaStream([t]) : fb.stream);
            pc.onicecandidate = (e) => {
              if (fb.guestPc === pc) send({ type: 'ice', call: m.call, candidate: e.candidate?.candidate ?? '', mline: e.candidate?.sdpMLineIndex ?? 0, peer: 'guest' });
            };
            guestStep(async () => {
              await pc.setLocalDescription(await pc.createOffer());
              send({ type: 'sdp', call: m.call, sdp_type: 'offer', sdp: pc.localDescription.sdp, peer: 'guest' });
            });
          } else if (['left', 'removed', 'declined'].includes(m.state) && fb.guest === m.guest) closeGuest();
          return;
        }
        if (m.type === 'welcome') fb.state = 'idle';
        else if (m.type === 'queued') {
          fb.state = 'queued';
          fb.ticket = m.ticket;
        } else if (m.type === 'error') fb.errors.push(m);
        else if (m.type === 'call') {
          fb.state = 'in_call';
          fb.call = m.call;
          const pc = new RTCPeerConnection();
          fb.pc = pc;
          // Separate msids for audio and video, as a GStreamer booth may send.
          for (const t of fb.stream.getTracks()) pc.addTrack(t, separateStreams ? new MediaStream([t]) : fb.stream);
          pc.onicecandidate = (e) => send({ type: 'ice', call: m.call, candidate: e.candidate?.candidate ?? '', mline: e.candidate?.sdpMLineIndex ?? 0 });
          const offer = await pc.createOffer();
          await pc.setLocalDescription(offer);
          send({ type: 'sdp', call: m.call, sdp_type: 'offer', sdp: pc.localDescription.sdp });
        } else if (m.type === 'sdp' && m.call === fb.call) {
          await fb.pc.setRemoteDescription({ type: m.sdp_type, sdp: m.sdp });
        } else if (m.type === 'ice' && m.call === fb.call) {
          await fb.pc.addIceCandidate(m.candidate ? { candidate: m.candidate, sdpMLineIndex: m.mline } : null).catch(() => {});
        } else if (m.type === 'end' && m.call === fb.call) {
          closeGuest();
          fb.pc?.close();
          fb.pc = null;
          fb.call = null;
          fb.state = 'idle';
        }
      };
      // peer: 'adviser' (the call's connection) or 'guest'
      fb.stats = async (peer = 'adviser') => {
        const pc = peer === 'guest' ? fb.guestPc : fb.pc;
        const out = { state: fb.state, video_frames_received: 0, audio_packets_received: 0, connection: pc?.connectionState ?? 'none' };
        if (!pc) return out;
        (await pc.getStats()).forEach((s) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video') out.video_frames_received = s.framesDecoded ?? 0;
          if (s.type === 'inbound-rtp' && s.kind === 'audio') out.audio_packets_received = s.packetsReceived ?? 0;
        });
        return out;
      };
    },
    { wsUrl, boothId, site, separateStreams },
  );
  await page.waitForFunction(() => window.fb.state === 'idle', null, { timeout: 5000 });
  return {
    page,
    request: (topic = 'job-search', language = 'fr', answers = { situation: 'job-seeker' }) =>
      page.evaluate((r) => window.fb.send({ type: 'request', ...r }), { topic, language, answers }),
    // the visitor's answer to the last guest_ask
    answerGuest: (accept) =>
      page.evaluate((accept) => {
        const ask = window.fb.asks.at(-1);
        window.fb.send({ type: 'guest_answer', call: ask.call, guest: ask.guest, accept });
        return ask;
      }, accept),
    asks: () => page.evaluate(() => window.fb.asks.length),
    chat: (text) => page.evaluate((text) => window.fb.send({ type: 'chat', call: window.fb.call, text }), text),
    // messages of `type` the booth got (copies)
    received: (type) => page.evaluate((type) => window.fb.received.filter((m) => m.type === type), type),
    end: () => page.evaluate(() => {
      window.fb.closeGuest();
      window.fb.send({ type: 'end', call: window.fb.call });
      window.fb.pc?.close();
      window.fb.pc = null;
      window.fb.call = null;
      window.fb.state = 'idle';
    }),
    // peer: 'adviser' (default) or 'guest'
    stats: (peer = 'adviser') => page.evaluate((p) => window.fb.stats(p), peer),
    close: () => page.close(),
  };
}
