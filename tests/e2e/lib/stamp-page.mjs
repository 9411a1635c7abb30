// SPDX-License-Identifier: GPL-2.0-or-later
// The adviser's page in the latency benchmarks: a canvas stamped with the
// wall-clock time (firmware/lib/stamp.h's pattern) stands in for the
// camera, and the remote <video>'s stamps are read where the page draws
// them. Used by bench-latency.mjs and bench-ui.mjs (BENCH_STAMP=1).

// Runs in the page, once: the stamp reader on the remote <video> and the
// stamped canvas that stands in for the camera. State in window.__latency.
// Page times (performance.now()) become wall-clock ms as
// performance.timeOrigin + t + clockOffset, the offset measured against
// Date.now() (CLOCK_REALTIME, the booth's clock).
export function installProbes({ width, height, fps }) {
  const CELLS = 40;
  const DATA_BITS = 32;
  const STRIP_DIVISOR = 15;
  const TICKS_PER_MS = 10;
  const WRAP = 2 ** 32;

  // Date.now() floors to the ms: the largest difference over a few ms of
  // samples is the offset to a fraction of a ms.
  let clockOffset = -Infinity;
  const until = performance.now() + 30;
  while (performance.now() < until) {
    const t = performance.now();
    clockOffset = Math.max(clockOffset, Date.now() - (performance.timeOrigin + t));
  }
  const wall = (t) => performance.timeOrigin + t + clockOffset;
  const ticks = (wallMs) => Math.floor(wallMs * TICKS_PER_MS) % WRAP;
  const ageMs = (stamp, wallMs) => {
    let d = ticks(wallMs) - stamp;
    if (d >= WRAP / 2) d -= WRAP;
    if (d < -WRAP / 2) d += WRAP;
    return d / TICKS_PER_MS;
  };
  const check = (stamp) => {
    let crc = 0;
    for (let byte = 3; byte >= 0; byte--) {
      crc ^= Math.floor(stamp / 2 ** (8 * byte)) & 0xff;
      for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
    }
    return crc ^ 0x55;
  };
  const cellX = (w, i) => Math.floor((i * w) / CELLS);

  const L = {
    clockOffset,
    rx: [], // booth -> adviser: per displayed frame, the stamp's age at each point
    unreadable: 0,
    missed: 0,
    painted: 0,
    rxSize: '',
    track: null,
    reset() {
      this.rx = [];
      this.unreadable = 0;
      this.missed = 0;
      this.painted = 0;
    },
  };
  window.__latency = L;

  // --- booth -> adviser ---
  const video = document.querySelector('#remote-video');
  const rc = document.createElement('canvas');
  const rctx = rc.getContext('2d', { willReadFrequently: true });
  const read = (image, w, h) => {
    const strip = Math.floor(h / STRIP_DIVISOR);
    if (w < 4 * CELLS || strip < 2) return null;
    if (rc.width !== w || rc.height !== strip) {
      rc.width = w;
      rc.height = strip;
    }
    rctx.drawImage(image, 0, 0, w, strip, 0, 0, w, strip);
    const px = rctx.getImageData(0, 0, w, strip).data;
    const y0 = Math.floor(strip / 4);
    const y1 = strip - Math.floor(strip / 4);
    let stamp = 0;
    let crc = 0;
    for (let i = 0; i < CELLS; i++) {
      const a = cellX(w, i);
      const b = cellX(w, i + 1);
      const x0 = a + Math.floor((b - a) / 4);
      const x1 = b - Math.floor((b - a) / 4);
      let sum = 0;
      let n = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const o = (y * w + x) * 4;
          sum += 0.299 * px[o] + 0.587 * px[o + 1] + 0.114 * px[o + 2];
          n++;
        }
      }
      const mean = sum / n;
      let bit;
      if (mean >= 168) bit = 1;
      else if (mean <= 88) bit = 0;
      else return null;
      if (i < DATA_BITS) stamp = stamp * 2 + bit;
      else crc = crc * 2 + bit;
    }
    return crc === check(stamp) ? stamp : null;
  };
  // The callback describes the frame presented last (meta), but the element
  // may hold a newer one by the time it runs (drawing the element then reads
  // a stamp one frame younger). So each frame is read while it is the
  // element's current frame, filed under its RTP timestamp, and the frame
  // the callback describes is looked up by meta.rtpTimestamp.
  const stamps = new Map();
  const onFrame = (now, meta) => {
    video.requestVideoFrameCallback(onFrame);
    const vf = new VideoFrame(video);
    try {
      const key = vf.metadata?.().rtpTimestamp ?? vf.timestamp;
      if (!stamps.has(key)) {
        stamps.set(key, read(vf, vf.displayWidth, vf.displayHeight));
        while (stamps.size > 8) stamps.delete(stamps.keys().next().value);
      }
    } finally {
      vf.close();
    }
    const stamp = stamps.get(meta.rtpTimestamp ?? Math.round(meta.mediaTime * 1e6));
    if (stamp === undefined) {
      L.missed++; // already replaced when the callback ran
      return;
    }
    if (stamp === null) {
      L.unreadable++;
      return;
    }
    L.rxSize = `${meta.width}x${meta.height}`;
    L.rx.push({
      display: ageMs(stamp, wall(meta.expectedDisplayTime)), // glass: expected on screen
      presented: ageMs(stamp, wall(meta.presentationTime)), // decoded, handed to the compositor
      received: meta.receiveTime !== undefined ? ageMs(stamp, wall(meta.receiveTime)) : NaN, // last packet in
    });
  };
  video.requestVideoFrameCallback(onFrame);

  // --- adviser -> booth: a canvas camera that shows the time ---
  const tc = document.createElement('canvas');
  tc.width = width;
  tc.height = height;
  const tctx = tc.getContext('2d');
  // A frame is taken on each requestFrame(), at the end of the task that
  // painted it, so that it carries the time it was painted at.
  const stream = tc.captureStream(0);
  L.track = stream.getVideoTracks()[0];
  const strip = Math.floor(height / STRIP_DIVISOR);
  let last = -Infinity;
  let n = 0;
  const paint = (t) => {
    requestAnimationFrame(paint);
    if (t - last < 1000 / fps - 4) return; // rAF runs at the display rate
    last = t;
    n++;
    // something that moves, like a camera picture
    tctx.fillStyle = '#6a7b8c';
    tctx.fillRect(0, strip, width, height - strip);
    tctx.fillStyle = '#e0a040';
    tctx.fillRect((n * 7) % (width - 120), strip + 40 + ((n * 3) % (height - strip - 160)), 120, 120);
    const stamp = ticks(wall(performance.now()));
    const c = check(stamp);
    for (let i = 0; i < CELLS; i++) {
      const bit = i < DATA_BITS ? Math.floor(stamp / 2 ** (DATA_BITS - 1 - i)) & 1 : (c >> (CELLS - 1 - i)) & 1;
      tctx.fillStyle = bit ? '#ffffff' : '#000000';
      tctx.fillRect(cellX(width, i), 0, cellX(width, i + 1) - cellX(width, i), strip);
    }
    L.track.requestFrame();
    L.painted++;
  };
  requestAnimationFrame(paint);
  return { clockOffset };
}

// In the page, for each call: the canvas instead of the fake camera.
export async function sendCanvas() {
  const pc = window.relais.pc;
  const sender = pc.getTransceivers().find((t) => t.receiver.track.kind === 'video' && !t.stopped)?.sender;
  if (!sender) throw new Error('no video sender on the call');
  await sender.replaceTrack(window.__latency.track);
}
