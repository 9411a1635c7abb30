// SPDX-License-Identifier: GPL-2.0-or-later
// A booth in a Chromium page, as a kiosk vendor would write it: the booth
// side of firmware/lib/PROTOCOL.md over a real WebSocket (to bridge.mjs,
// which holds the enrolled link), Chromium's camera and microphone, the
// adviser's video drawn full screen with the visitor's own small picture,
// the adviser's sound played. Like relais-booth it sends its request at
// once and prepares its connection and offer while the visitor waits, so
// that on `call` the offer leaves at once.
//
// Parameters (query string): id, site, codec (VP8|H264), width, height,
// fps, kbps (the sender's cap and start rate, as the booth's target).
// window.kiosk is what the benchmark reads.
'use strict';

(() => {
  const q = new URLSearchParams(location.search);
  const P = {
    id: q.get('id') ?? 'kiosk-1',
    site: q.get('site') ?? 'Bench',
    codec: (q.get('codec') ?? 'VP8').toUpperCase(),
    width: Number(q.get('width') ?? 640),
    height: Number(q.get('height') ?? 480),
    fps: Number(q.get('fps') ?? 30),
    kbps: Number(q.get('kbps') ?? 1200),
  };

  // Page times (performance.now()) on the wall clock the other processes
  // use (Date.now(), CLOCK_REALTIME): Date.now() floors to the ms, so the
  // largest difference over a few ms of samples is the offset.
  // Measured again at each request: NTP slews the wall clock, the
  // monotonic one does not.
  // stamp.js (loaded first) keeps that offset: benchStamp.wall/resync
  const { wall, resync } = window.benchStamp;

  const $ = (id) => document.getElementById(id);
  const K = {
    params: P,
    state: 'connecting',
    linkUpWall: 0,
    call: null,
    ticket: null,
    pc: null,
    stream: null,
    pendingIce: [],
    errors: [],
    firstFrameWall: 0, // the adviser's first video frame handed to the compositor
    // the set-up's steps at this end, on the wall clock (0 until then): the
    // switchboard's call, the adviser's answer, the connection up
    callWall: 0,
    answerWall: 0,
    connectedWall: 0,
    firstAudioWall: 0,
    offerReady: false,
    offerSent: false,
  };
  window.kiosk = K;
  const setState = (s) => {
    K.state = s;
    document.body.dataset.state = s;
    $('state').textContent = s;
  };

  const ws = new WebSocket(`ws://${location.host}/link`);
  const send = (m) => ws.send(JSON.stringify(m));
  ws.onopen = () => send({ type: 'hello', version: 1, role: 'booth', booth_id: P.id, site: P.site, board: 'kiosk' });
  ws.onclose = (e) => {
    K.closeCode = e.code;
    setState('closed');
  };

  function codecPrefs(kind, name) {
    const all = RTCRtpReceiver.getCapabilities(kind).codecs;
    let mine = all.filter((c) => c.mimeType.toUpperCase() === `${kind}/${name}`.toUpperCase());
    // H.264: constrained baseline, packetization-mode 1 (what the booth offers)
    if (name === 'H264') {
      const cb = mine.filter((c) => /packetization-mode=1/.test(c.sdpFmtpLine ?? '') && /profile-level-id=42e0/.test(c.sdpFmtpLine ?? ''));
      if (cb.length) mine = cb;
    }
    const rtx = all.filter((c) => c.mimeType.toLowerCase() === `${kind}/rtx`);
    return [...mine, ...rtx];
  }

  // The start rate in the answer's fmtp, as the booth puts it in its offer:
  // Chromium otherwise starts its sender at ~300 kbit/s.
  function withStartBitrate(sdp) {
    const pts = [...sdp.matchAll(new RegExp(`^a=rtpmap:(\\d+) ${P.codec}/90000`, 'gmi'))].map((m) => m[1]);
    for (const pt of pts) {
      const re = new RegExp(`^(a=fmtp:${pt} [^\\r\\n]*)`, 'm');
      if (re.test(sdp)) sdp = sdp.replace(re, `$1;x-google-start-bitrate=${P.kbps}`);
      else sdp = sdp.replace(new RegExp(`^(a=rtpmap:${pt} [^\\r\\n]*\\r?\\n)`, 'm'), `$1a=fmtp:${pt} x-google-start-bitrate=${P.kbps}\r\n`);
    }
    return sdp;
  }

  async function prepare() {
    K.stream = await navigator.mediaDevices.getUserMedia({
      audio: true,
      video: { width: { exact: P.width }, height: { exact: P.height }, frameRate: { exact: P.fps } },
    });
    $('self').srcObject = K.stream;
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    K.pc = pc;
    let [vt] = K.stream.getVideoTracks();
    // latency calls only (stamp.js): the camera drawn through a canvas with
    // the time painted over its top; it costs the page a canvas per frame,
    // so no CPU is measured in these calls
    if (K.stampMode) {
      K.stamped = window.benchStamp.track({ width: P.width, height: P.height, fps: P.fps, source: $('self') });
      vt = K.stamped.track;
    }
    const [at] = K.stream.getAudioTracks();
    // m-lines as the booth's offer: camera, microphone, the adviser's screen
    const video = pc.addTransceiver(vt, { direction: 'sendrecv', streams: [new MediaStream([vt])] });
    pc.addTransceiver(at, { direction: 'sendrecv', streams: [new MediaStream([at])] });
    const screen = pc.addTransceiver('video', { direction: 'recvonly' });
    video.setCodecPreferences(codecPrefs('video', P.codec));
    screen.setCodecPreferences(codecPrefs('video', P.codec));
    const sp = video.sender.getParameters();
    sp.encodings[0].maxBitrate = P.kbps * 1000;
    sp.encodings[0].maxFramerate = P.fps;
    // the booth never scales its picture down; nor may this sender
    sp.degradationPreference = 'maintain-resolution';
    await video.sender.setParameters(sp).catch((err) => K.errors.push(`setParameters: ${err.message}`));
    pc.onicecandidate = (e) => {
      const m = { type: 'ice', candidate: e.candidate?.candidate ?? '', mline: e.candidate?.sdpMLineIndex ?? 0 };
      if (K.offerSent) send({ ...m, call: K.call });
      else K.pendingIce.push(m);
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected' && !K.connectedWall) K.connectedWall = wall(performance.now());
    };
    pc.ontrack = (e) => {
      if (e.transceiver === screen) return;
      if (e.track.kind === 'video') {
        const v = $('remote');
        v.srcObject = new MediaStream([e.track]);
        v.requestVideoFrameCallback((now, meta) => {
          K.firstFrameWall = wall(meta.presentationTime ?? now);
        });
        if (K.stampMode) K.reader = window.benchStamp.reader(v);
        v.play().catch(() => {});
      } else {
        const a = $('audio');
        a.srcObject = new MediaStream([e.track]);
        a.play().catch((err) => K.errors.push(`audio play: ${err.message}`));
      }
    };
    await pc.setLocalDescription(await pc.createOffer());
    K.offerReady = true;
  }

  function teardown() {
    K.stamped?.stop();
    K.stamped = null;
    if (K.reader) K.reader.on = false;
    K.pc?.close();
    K.pc = null;
    for (const t of K.stream?.getTracks() ?? []) t.stop();
    K.stream = null;
    $('self').srcObject = null;
    $('remote').srcObject = null;
    $('audio').srcObject = null;
    K.call = null;
    K.ticket = null;
    K.offerReady = false;
    K.offerSent = false;
    K.pendingIce = [];
  }

  let preparing = null;
  ws.onmessage = async (ev) => {
    const m = JSON.parse(ev.data);
    if (m.type === 'welcome') {
      K.linkUpWall = Date.now();
      setState('idle');
    } else if (m.type === 'queued') {
      K.ticket = m.ticket;
      setState('queued');
    } else if (m.type === 'error') {
      K.errors.push(`${m.code}: ${m.message ?? ''}`);
    } else if (m.type === 'call') {
      K.callWall = wall(performance.now());
      K.call = m.call;
      setState('in_call');
      await preparing;
      send({ type: 'sdp', call: m.call, sdp_type: 'offer', sdp: K.pc.localDescription.sdp });
      K.offerSent = true;
      for (const c of K.pendingIce.splice(0)) send({ ...c, call: m.call });
    } else if (m.type === 'sdp' && m.call === K.call) {
      if (!K.answerWall) K.answerWall = wall(performance.now());
      await K.pc.setRemoteDescription({ type: m.sdp_type, sdp: withStartBitrate(m.sdp) });
    } else if (m.type === 'ice' && m.call === K.call) {
      await K.pc.addIceCandidate(m.candidate ? { candidate: m.candidate, sdpMLineIndex: m.mline } : null).catch(() => {});
    } else if (m.type === 'end' && m.call === K.call) {
      teardown();
      setState('idle');
    }
  };

  // The visitor touches "start": the request leaves, the call is prepared.
  // stamp: a latency call (see prepare())
  K.request = ({ stamp = false } = {}) => {
    resync();
    K.firstFrameWall = 0;
    K.callWall = K.answerWall = K.connectedWall = 0;
    K.stampMode = stamp;
    K.reader = null;
    preparing = prepare().catch((err) => K.errors.push(`prepare: ${err.message}`));
    send({ type: 'request', topic: 'job-search', language: 'fr', answers: { situation: 'job-seeker' } });
    setState('requesting');
  };
  K.end = () => {
    if (K.call) send({ type: 'end', call: K.call });
    teardown();
    setState('idle');
  };

  // Counters since the call started (the benchmark takes differences).
  K.stats = async () => {
    const out = { state: K.state, videoFramesDecoded: 0, videoBytesReceived: 0, audioPacketsReceived: 0, videoBytesSent: 0, videoFramesEncoded: 0, sentWidth: 0, sentHeight: 0 };
    if (!K.pc) return out;
    (await K.pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video' && (s.framesDecoded ?? 0) >= out.videoFramesDecoded) {
        out.videoFramesDecoded = s.framesDecoded ?? 0;
        out.videoBytesReceived = s.bytesReceived ?? 0;
      }
      if (s.type === 'inbound-rtp' && s.kind === 'audio') out.audioPacketsReceived = s.packetsReceived ?? 0;
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        out.videoBytesSent = s.bytesSent ?? 0;
        out.videoFramesEncoded = s.framesEncoded ?? 0;
        out.sentWidth = s.frameWidth ?? 0;
        out.sentHeight = s.frameHeight ?? 0;
        out.encoder = s.encoderImplementation ?? '';
      }
    });
    return out;
  };

  // Round trips over a WebSocket of its own to the bridge's echo: what one
  // crossing of the bridge's loopback hop costs this page.
  K.echoRtt = (n = 50) =>
    new Promise((resolve, reject) => {
      const e = new WebSocket(`ws://${location.host}/echo`);
      const rtts = [];
      let t0 = 0;
      const ping = () => {
        t0 = performance.now();
        e.send(JSON.stringify({ type: 'ping', n: rtts.length, pad: 'x'.repeat(200) }));
      };
      e.onopen = ping;
      e.onerror = () => reject(new Error('echo socket failed'));
      e.onmessage = () => {
        rtts.push(performance.now() - t0);
        if (rtts.length < n) ping();
        else {
          e.close();
          resolve(rtts);
        }
      };
    });
})();
