// SPDX-License-Identifier: GPL-2.0-or-later
// Benchmark: the booth with its touch UI at 1280x800 (SDL offscreen driver,
// software renderer: the worst case, no GPU) in a 640x480@30 call with
// Debian's Chromium as the adviser. The visitor's touches go through the
// control socket as SDL touch events. Prints the UI's frame rate and the
// booth's CPU and memory on the attract screen (idle), during the call, and
// while the adviser shares their screen (Chromium's fake 1280x720 capture),
// and the same call's figures of bench-call.mjs for the booth without a screen.
//
//   make bench        (BENCH_SECONDS=60 by default)

import { UI_ARGS, UI_ENV, SCREEN_ARGS } from './lib/boothui.mjs';
import { Stack, BOOTH_ID, waitMedia, endFromPage, sleep, until } from './lib/scenario.mjs';
import { cpuSeconds, cpuByThread, memory, fmt } from './lib/bench.mjs';
import fs from 'node:fs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const SIZE = process.env.BENCH_UI_SIZE ?? '1280x800';

// Where the booth's CPU went, by thread (the main thread runs the UI's
// drawing and the main loop; the others are GStreamer's), and how many UI
// frames were redrawn only where a new video frame was.
function printThreads(w) {
  console.log(`  UI frames partial     ${w.partial} of ${w.frames} (redrawn only where a picture changed)`);
  console.log(`  CPU by thread         ${w.threads.slice(0, 8).map(([n, c]) => `${n} ${c.toFixed(2)}`).join(', ')} CPU-s/min`);
}

const stack = new Stack('bench-ui');
try {
  await stack.start({
    boothArgs: [...UI_ARGS, '--ui-size', SIZE], // the last --ui-size wins
    // BENCH_NO_SCRUB=1: without freed-memory scrubbing, to see what it costs
    // BENCH_STAMP=1: the booth stamps its frames and reads the stamps of the
    // adviser's where it decodes and where it draws (RELAIS_MEDIA_STAMP=1);
    // the adviser's page then sends a stamped canvas instead of its camera
    // (tests/bench/stamp.js, the benchmark's page probes)
    boothEnv: {
      ...UI_ENV,
      ...(process.env.BENCH_NO_SCRUB ? { GLIBC_TUNABLES: 'glibc.malloc.perturb=0' } : {}),
      ...(process.env.BENCH_STAMP ? { RELAIS_MEDIA_STAMP: '1' } : {}),
    },
    browserArgs: SCREEN_ARGS,
  });
  const ctl = stack.booth.ctl;
  const pid = stack.booth.proc.child.pid;
  const visitor = () => ctl.visitor();
  const window = async (secs) => {
    const v0 = await visitor();
    const c0 = cpuSeconds(pid);
    const th0 = cpuByThread(pid);
    const t0 = Date.now();
    const mem = [];
    while (Date.now() - t0 < secs * 1000) {
      await sleep(Math.min(5000, secs * 1000));
      mem.push(memory(pid));
    }
    const elapsed = (Date.now() - t0) / 1000;
    const v1 = await visitor();
    const th1 = cpuByThread(pid);
    const threads = Object.entries(th1)
      .map(([name, s]) => [name, (s - (th0[name] ?? 0)) * (60 / elapsed)])
      .filter(([, perMin]) => perMin >= 0.05)
      .sort((a, b) => b[1] - a[1]);
    return {
      threads,
      partial: (v1.frames_partial ?? 0) - (v0.frames_partial ?? 0),
      frames: v1.frames_rendered - v0.frames_rendered,
      textEntries: v1.text_cache_entries,
      textPixels: v1.text_cache_pixels ?? 0,
      secs: elapsed,
      fps: (v1.frames_rendered - v0.frames_rendered) / elapsed,
      cpuPerMin: (cpuSeconds(pid) - c0) * (60 / elapsed),
      rss: Math.max(...mem.map((m) => m.rssMB)),
      pss: Math.max(...mem.map((m) => m.pssMB)),
    };
  };

  await until(async () => (await visitor()).screen === 'attract', { timeout: 10000, what: 'attract screen' });
  await sleep(1000);
  const idle = await window(Math.min(20, SECONDS));
  console.log(`UI ${SIZE}, attract screen (nobody there), ${idle.secs.toFixed(0)} s:`);
  console.log(`  UI frames drawn       ${fmt(idle.fps)} fps`);
  console.log(`  relais-booth CPU      ${idle.cpuPerMin.toFixed(2)} CPU-s/min, RSS ${fmt(idle.rss)} MB, PSS ${fmt(idle.pss)} MB`);

  // the journey, by touches
  for (const [target, arg] of [['language', 'fr'], ['answer', 'job-search'], ['answer', 'job-seeker'], ['accept'], ['ready']]) {
    await ctl.tap(target, arg);
    await sleep(150);
  }
  const item = stack.page.locator(`[data-testid="queue-item"][data-booth-id="${BOOTH_ID}"]`);
  await item.waitFor({ timeout: 10000 });
  await until(async () => (await ctl.status()).offer === 'ready', { timeout: 10000, what: 'offer ready' });
  await item.locator('[data-testid="accept-btn"]').click();
  if (process.env.BENCH_STAMP) await stack.page.evaluate(fs.readFileSync(new URL('../bench/stamp.js', import.meta.url), 'utf8'));
  await waitMedia(stack, { minFrames: 60 });
  if (process.env.BENCH_STAMP) {
    await stack.page.evaluate(async (o) => {
      const sender = window.relais.pc.getTransceivers().find((t) => t.receiver.track.kind === 'video' && !t.stopped)?.sender;
      if (!sender) throw new Error('no video sender on the call');
      await sender.replaceTrack(window.benchStamp.track(o).track);
    }, { width: 640, height: 480, fps: 30 });
  }
  await sleep(2000);
  const s0 = await ctl.status();
  const call = await window(SECONDS);
  const s1 = await ctl.status();
  const decoded = (s1.media.video_frames_received - s0.media.video_frames_received) / call.secs;
  console.log(`\nUI ${SIZE}, in a call (640x480@30 both ways), ${call.secs.toFixed(0)} s:`);
  console.log(`  UI frames drawn       ${fmt(call.fps)} fps (adviser's video ${s1.media.video_width}x${s1.media.video_height} decoded at ${fmt(decoded)} fps, own ${s1.media.video_sent_width}x${s1.media.video_sent_height})`);
  console.log(`  relais-booth CPU      ${call.cpuPerMin.toFixed(2)} CPU-s/min   (Chromium kiosk: 21.6; bar: half of it)`);
  console.log(`  relais-booth memory   RSS ${fmt(call.rss)} MB, PSS ${fmt(call.pss)} MB   (Chromium kiosk: 342 MB PSS)`);
  console.log(`  UI text cache         ${call.textEntries} textures, ${fmt((call.textPixels * 4) / 1048576)} MB (at the end)`);
  printThreads(call);
  if (s1.media.stamp_drawn_samples !== undefined || s1.media.stamp_samples !== undefined) {
    const m = s1.media;
    console.log(`  adviser -> booth       decoded p50 ${fmt(m.stamp_p50_ms)} ms (${m.stamp_samples ?? 0} stamps read, ${m.stamp_unreadable ?? 0} unreadable), drawn p50 ${fmt(m.stamp_drawn_p50_ms)} ms (${m.stamp_drawn_samples ?? 0} read, ${m.stamp_drawn_unreadable ?? 0} unreadable)`);
  }

  // the adviser shares their screen: a third stream decoded, the layout changes
  await stack.page.locator('[data-testid="share-btn"]').click();
  await stack.page.waitForSelector('body[data-share="on"]', { timeout: 10000 });
  await until(async () => (await visitor()).screen_shown, { timeout: 15000, what: 'the shared screen on the booth' });
  await sleep(2000);
  const h0 = await ctl.status();
  const shared = await window(SECONDS);
  const h1 = await ctl.status();
  const screenFps = (h1.media.screen_frames_received - h0.media.screen_frames_received) / shared.secs;
  console.log(`\nUI ${SIZE}, in the same call while the adviser shares a 1280x720 screen, ${shared.secs.toFixed(0)} s:`);
  console.log(`  UI frames drawn       ${fmt(shared.fps)} fps (screen ${h1.media.screen_width}x${h1.media.screen_height} received at ${fmt(screenFps)} fps)`);
  console.log(`  relais-booth CPU      ${shared.cpuPerMin.toFixed(2)} CPU-s/min`);
  console.log(`  relais-booth memory   RSS ${fmt(shared.rss)} MB, PSS ${fmt(shared.pss)} MB`);
  printThreads(shared);
  await endFromPage(stack);
} finally {
  await stack.stop();
}
