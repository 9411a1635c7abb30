// SPDX-License-Identifier: GPL-2.0-or-later
// Glass-to-glass probes for a page (the kiosk and the adviser console), in
// the pattern of firmware/lib/stamp.h, the one relais-booth paints and reads
// (RELAIS_MEDIA_STAMP=1; tests/e2e/bench-ui.mjs uses this file too, with
// BENCH_STAMP=1): a strip height/15 high across the top, 40 equal cells,
// black 0 / white 1: the wall-clock time in 100 us ticks modulo 2^32 (MSB first), then
// CRC-8 (poly 0x07) of its 4 bytes XOR 0x55.
//
// window.benchStamp.reader(video): the age of the stamp in each frame the
// <video> presents, at its requestVideoFrameCallback (expectedDisplayTime:
// where the page draws it).
// window.benchStamp.track({ width, height, fps, source }): a canvas track
// to send instead of the camera: `source` (a <video> of the camera) drawn
// with the time painted over its top, or, without one, a moving picture.
'use strict';

(() => {
  const CELLS = 40;
  const DATA_BITS = 32;
  const STRIP_DIVISOR = 15;
  const TICKS_PER_MS = 10;
  const WRAP = 2 ** 32;

  // The page's clock (performance.now(), monotonic) against the wall clock
  // (Date.now()), which NTP slews: measured again before each call (resync),
  // the two drift apart by milliseconds over a few minutes.
  let clockOffset = 0;
  const resync = () => {
    let off = -Infinity;
    const stop = performance.now() + 30;
    while (performance.now() < stop) {
      const t = performance.now();
      off = Math.max(off, Date.now() - (performance.timeOrigin + t));
    }
    clockOffset = off;
    return off;
  };
  resync();
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

  function reader(video) {
    const R = { samples: [], unreadable: 0, missed: 0, on: true };
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
    // Each frame is read while it is the element's current one and filed
    // under its RTP timestamp; the callback's frame is looked up by it (the
    // element may hold a newer frame by the time the callback runs).
    const stamps = new Map();
    const onFrame = (now, meta) => {
      if (!R.on) return;
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
      if (stamp === undefined) R.missed++;
      else if (stamp === null) R.unreadable++;
      else R.samples.push({ display: ageMs(stamp, wall(meta.expectedDisplayTime)), presented: ageMs(stamp, wall(meta.presentationTime)) });
    };
    video.requestVideoFrameCallback(onFrame);
    return R;
  }

  function track({ width, height, fps, source = null }) {
    const c = document.createElement('canvas');
    c.width = width;
    c.height = height;
    const ctx = c.getContext('2d');
    const stream = c.captureStream(0);
    const [t] = stream.getVideoTracks();
    const strip = Math.floor(height / STRIP_DIVISOR);
    let n = 0;
    let last = -Infinity;
    let running = true;
    const paint = () => {
      n++;
      if (source) ctx.drawImage(source, 0, 0, width, height);
      else {
        ctx.fillStyle = '#6a7b8c';
        ctx.fillRect(0, strip, width, height - strip);
        ctx.fillStyle = '#e0a040';
        ctx.fillRect((n * 7) % (width - 120), strip + 40 + ((n * 3) % (height - strip - 160)), 120, 120);
      }
      const stamp = ticks(wall(performance.now()));
      const k = check(stamp);
      for (let i = 0; i < CELLS; i++) {
        const bit = i < DATA_BITS ? Math.floor(stamp / 2 ** (DATA_BITS - 1 - i)) & 1 : (k >> (CELLS - 1 - i)) & 1;
        ctx.fillStyle = bit ? '#ffffff' : '#000000';
        ctx.fillRect(cellX(width, i), 0, cellX(width, i + 1) - cellX(width, i), strip);
      }
      t.requestFrame();
    };
    if (source) {
      // each camera frame as it comes
      const onFrame = () => {
        if (!running) return;
        source.requestVideoFrameCallback(onFrame);
        paint();
      };
      source.requestVideoFrameCallback(onFrame);
    } else {
      const tick = (now) => {
        if (!running) return;
        requestAnimationFrame(tick);
        if (now - last < 1000 / fps - 4) return; // rAF runs at the display rate
        last = now;
        paint();
      };
      requestAnimationFrame(tick);
    }
    t.addEventListener('ended', () => (running = false));
    return { track: t, stop: () => { running = false; t.stop(); } };
  }

  // wall(t): a page time (performance.now()) on the wall clock; resync()
  // measures the offset again and returns it (kiosk.js, kiosk.mjs use both)
  window.benchStamp = { reader, track, resync, wall };
})();
