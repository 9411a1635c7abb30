// SPDX-License-Identifier: GPL-2.0-or-later
// The booth's cost with two and with three parties (issue 15): one call
// between a relais-booth (sim board, no screen) and the real console in
// Chromium; windows of BENCH_WINDOW_S seconds alternate two parties and
// three (a guest in a second Chromium, tests/e2e/lib/guestpage.mjs, let
// in with `guest-answer yes`, then leaving), BENCH_ROUNDS times, so that
// the machine's drift hits both. Per window: the booth's CPU (its process,
// CPU-s/min), its PSS at the window's end, and its uplink as the receivers
// count it (inbound-rtp bytes at the console, and at the guest: what the
// booth sent them). A window without media both ways with every party is
// reported failed, not measured. The booth sends the benchmark's camera
// content (clip.mjs: the scrolling SMPTE bars, BENCH_SIZE 640x480 at 30
// fps, VP8 at BENCH_KBPS 1200 kbit/s, as `make bench`'s first case), so
// that the uplink is a real call's and not a still test pattern's.
//
//   cd tests/e2e && RELAIS_TOP=$PWD/../.. RELAIS_BUILD=$PWD/../../build \
//     RELAIS_PIPELINES_DIR=$PWD/../../pipelines node ../bench/threeway.mjs

import { Stack, requestAndAccept, waitMedia, until, sleep } from '../e2e/lib/scenario.mjs';
import { launchAdviser } from '../e2e/lib/browser.mjs';
import { inviteAndJoin } from '../e2e/lib/guestpage.mjs';
import { cpuSeconds, memory, median, fmt } from '../e2e/lib/bench.mjs';
import { BUILD, PIPELINES } from '../e2e/lib/env.mjs';
import { makeClip, writeBoardConf } from './clip.mjs';
import path from 'node:path';

const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const [WIDTH, HEIGHT] = (process.env.BENCH_SIZE ?? '640x480').split('x').map(Number);
const CASE = { width: WIDTH, height: HEIGHT, fps: 30, codec: 'VP8', kbps: Number(process.env.BENCH_KBPS ?? 1200) };

const stack = new Stack('bench-threeway');
let guestBrowser = null;
const results = { 2: [], 3: [] };
const failures = [];

async function consoleBytes() {
  const s = await stack.pageStats();
  return {
    bytes: (s?.inboundVideo?.bytesReceived ?? 0) + (s?.inboundAudio?.bytesReceived ?? 0),
    frames: s?.inboundVideo?.framesDecoded ?? 0,
  };
}

// One window with `parties` in the call; g: the guest's page (3 parties).
async function measure(parties, g) {
  const pid = stack.booth.proc.child.pid;
  const ctl = stack.booth.ctl;
  const m0 = (await ctl.status()).media;
  const c0 = await consoleBytes();
  const g0 = g ? await g.evaluate(() => window.stats()) : null;
  const cpu0 = cpuSeconds(pid);
  const t0 = Date.now();
  await sleep(WINDOW_S * 1000);
  const secs = (Date.now() - t0) / 1000;
  const cpu1 = cpuSeconds(pid);
  const m1 = (await ctl.status()).media;
  const c1 = await consoleBytes();
  const g1 = g ? await g.evaluate(() => window.stats()) : null;
  const pssMB = memory(pid).pssMB;
  // media both ways with every party, or the window is not a measure
  const ok =
    m1.video_frames_received > m0.video_frames_received + 5 && m1.audio_buffers_received > m0.audio_buffers_received &&
    c1.frames > c0.frames + 5 &&
    (!g || (m1.guest_media.video_frames_received > m0.guest_media.video_frames_received + 5 &&
      m1.guest_media.audio_buffers_received > m0.guest_media.audio_buffers_received && g1.video > g0.video + 5 &&
      g1.audioPackets > g0.audioPackets));
  if (!ok) {
    failures.push(`${parties} parties: no media both ways (${JSON.stringify({ m0, m1, c0, c1, g0, g1 })})`);
    return;
  }
  const toAdviser = ((c1.bytes - c0.bytes) * 8) / secs / 1000;
  const toGuest = g ? ((g1.bytes - g0.bytes) * 8) / secs / 1000 : 0;
  results[parties].push({ cpu: ((cpu1 - cpu0) / secs) * 60, pssMB, toAdviser, toGuest, uplink: toAdviser + toGuest });
  console.log(`${parties} parties: ${fmt(((cpu1 - cpu0) / secs) * 60)} CPU-s/min, PSS ${fmt(pssMB)} MB, uplink ${fmt(toAdviser + toGuest)} kbit/s (adviser ${fmt(toAdviser)}, guest ${fmt(toGuest)})`);
}

try {
  const out = path.join(BUILD, 'bench');
  const clip = await makeClip(out, CASE);
  await stack.start({ boothArgs: ['--pipelines', writeBoardConf(PIPELINES, out, clip, CASE)] });
  console.log(`the booth sends ${CASE.width}x${CASE.height}@${CASE.fps} ${CASE.codec} at ${CASE.kbps} kbit/s from the benchmark's clip`);
  await requestAndAccept(stack, { language: 'en' });
  await waitMedia(stack, { minFrames: 30 });
  guestBrowser = await launchAdviser({ dir: stack.dir, name: 'guest-chromium' });
  const g = guestBrowser.page;
  const ctl = stack.booth.ctl;
  await sleep(2000); // the rate controller's first climb
  for (let r = 0; r < ROUNDS; r++) {
    await measure(2, null);
    await inviteAndJoin(stack.page, g, stack.sb, 'relative', `Guest ${r + 1}`);
    await until(async () => (await ctl.status()).guest_ask, { timeout: 10000, what: 'the ask' });
    await ctl.run('guest-answer', 'yes');
    await until(async () => {
      const m = (await ctl.status()).media.guest_media;
      const s = await g.evaluate(() => window.stats());
      return m.state === 'connected' && m.video_frames_received > 15 && s.video > 15;
    }, { timeout: 20000, what: 'media with the guest' });
    await sleep(2000);
    await measure(3, g);
    await g.evaluate(() => window.leave());
    await until(async () => (await ctl.status()).media.guest_media.state === 'none', { timeout: 10000, what: 'the guest gone' });
    await sleep(2000);
  }
  const row = (k) => {
    const xs = results[k];
    return `| ${k} | ${xs.length} | ${fmt(median(xs.map((x) => x.cpu)))} | ${fmt(median(xs.map((x) => x.pssMB)))} | ${fmt(median(xs.map((x) => x.toAdviser)))} | ${fmt(median(xs.map((x) => x.toGuest)))} | ${fmt(median(xs.map((x) => x.uplink)))} |`;
  };
  console.log(`\nmedians over ${ROUNDS} rounds of ${WINDOW_S} s windows, load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('| parties | windows | booth CPU-s/min | booth PSS MB | to adviser kbit/s | to guest kbit/s | uplink kbit/s |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(row(2));
  console.log(row(3));
  if (results[2].length && results[3].length) {
    const ratio = (f) => median(results[3].map(f)) / median(results[2].map(f));
    console.log(`\nthree / two: CPU x${ratio((x) => x.cpu).toFixed(2)}, PSS x${ratio((x) => x.pssMB).toFixed(2)}, uplink x${ratio((x) => x.uplink).toFixed(2)}`);
  }
  for (const f of failures) console.log(`FAILED: ${f}`);
  if (failures.length) process.exitCode = 1;
} catch (err) {
  stack.failed = true;
  console.error(`${err.message}\n${stack.diagnostics()}`);
  process.exitCode = 1;
} finally {
  await guestBrowser?.close();
  await stack.stop();
}
