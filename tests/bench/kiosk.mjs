// SPDX-License-Identifier: GPL-2.0-or-later
// relais-booth against a Chromium kiosk doing the same call, side by side
// in one run (README.md in this folder). One switchboard, one adviser
// console in a Chromium of its own, and per case two booths linked at once:
// relais-booth and the kiosk page (kiosk.html) in a second Chromium. Calls
// alternate kiosk, Relais, kiosk, Relais... so that drift on the machine
// hits both. Writes $RELAIS_BUILD/bench/kiosk.json (rows as table.mjs reads
// them) and prints the table.
//
// Every call times its set-up; the last BENCH_LONG calls of each booth also
// go on for BENCH_WINDOW_S seconds, measured: CPU, PSS, what was sent.
//
//   BENCH_CASES=640x480-VP8,640x480-VP8-ui,...  BENCH_CALLS=20  BENCH_LONG=3
//   BENCH_WINDOW_S=10  BENCH_KBPS=1200

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { BUILD, CHROMIUM, PIPELINES, tmpDir } from '../e2e/lib/env.mjs';
import { killAll } from '../e2e/lib/procs.mjs';
import { startSwitchboard, startBooth, signInPage } from '../e2e/lib/relais.mjs';
import { launchAdviser, BASE_ARGS } from '../e2e/lib/browser.mjs';
import { UI_ARGS, UI_ENV, walkToWaiting, screen } from '../e2e/lib/boothui.mjs';
import { until, sleep } from '../e2e/lib/util.mjs';
import { makeClip, writeBoardConf } from './clip.mjs';
import { startBridge } from './bridge.mjs';
import { cpuSnapshot, cpuBetween, pss, findChild } from './proctree.mjs';

// playwright-core is installed for tests/e2e (its node_modules)
const { chromium } = createRequire(new URL('../e2e/package.json', import.meta.url))('playwright-core');

const OUT = path.join(BUILD, 'bench');
const CASES = (process.env.BENCH_CASES ?? '640x480-VP8,640x480-VP8-ui,1280x720-VP8-ui,640x480-H264-ui').split(',').filter(Boolean);
const CALLS = Number(process.env.BENCH_CALLS ?? 20);
const LONG = Math.min(CALLS, Number(process.env.BENCH_LONG ?? 3));
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 10); // steady call measured, per long call
const MEASURED = WINDOW_S > 0 && LONG > 0;
// glass-to-glass: calls of their own after the others (stamped pictures)
const G2G_CALLS = Number(process.env.BENCH_G2G_CALLS ?? 2);
const G2G_S = Number(process.env.BENCH_G2G_S ?? 4);
const G2G_WARMUP_MS = 1500; // rate control and Chromium's jitter estimate settle
const KBPS = Number(process.env.BENCH_KBPS ?? 1200);
const FPS = 30;
const SITE = 'Bench Library';
const MIN_FRAMES = 15; // decoded at each end before a call counts as carrying media
const KIOSK_VIEW = { width: 1280, height: 800 };

const pct = (xs, p) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.max(1, Math.ceil((p / 100) * s.length)) - 1] : null;
};
const log = (...a) => console.error(...a);

// WxH-CODEC[-ui][-NNNNk]: the target bitrate is BENCH_KBPS at 640x480 and
// below, 2500 kbit/s at 1280x720 (at 1200 neither libvpx reaches 720p: the
// booth's encoder line caps the quantizer and overshoots to ~2.8 Mbit/s,
// Chromium's keeps the rate and drops to 12 fps), unless the name says.
function parseCase(name) {
  const m = /^(\d+)x(\d+)-(VP8|H264)(-ui)?(?:-(\d+)k)?$/.exec(name);
  if (!m) throw new Error(`bad case ${name} (WxH-VP8|H264[-ui][-NNNNk])`);
  const [width, height] = [Number(m[1]), Number(m[2])];
  const kbps = m[5] ? Number(m[5]) : width * height > 640 * 480 ? 2500 : KBPS;
  return { name, width, height, codec: m[3], ui: !!m[4], fps: FPS, kbps };
}

// --- the adviser console: the same page and browser for both booths ------

async function startAdviser(dir, sb) {
  const adviser = await launchAdviser({ dir, media: 'fake', mdns: false, name: 'adviser' });
  await adviser.page.goto(sb.pageUrl());
  await signInPage(adviser.page);
  await adviser.page.waitForSelector('body[data-link="online"]', { timeout: 10000 });
  // the stamp probes (stamp.js) for the latency calls, and the console's
  // clock on the wall clock (as kiosk.js has it); evaluated, not a script
  // tag, so that the console's Content-Security-Policy stays as is
  await adviser.page.evaluate(fs.readFileSync(new URL('./stamp.js', import.meta.url), 'utf8'));
  // the wall time each booth row first appears (a booth's link seen from
  // the console); the offset measured again before each call (resync):
  // NTP slews the wall clock, and over a run the two drift apart by ms
  await adviser.page.evaluate(() => {
    const resync = () => (window.__bench.offset = window.benchStamp.resync());
    // rows are drawn for connected booths only: each appearance is a link up
    window.__bench = { offset: 0, resync, appeared: {}, present: new Set() };
    resync();
    const look = () => {
      const now = new Set([...document.querySelectorAll('[data-testid="booth-row"]')].map((r) => r.dataset.boothId));
      for (const id of now) if (!window.__bench.present.has(id)) (window.__bench.appeared[id] ??= []).push(Date.now());
      window.__bench.present = now;
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
    look();
  });
  return adviser;
}

// The wall time booth `id`'s row appeared in the console at or after `since`.
const rowSeen = (adviser, id, since) => adviser.page.evaluate(([i, t]) => (window.__bench.appeared[i] ?? []).find((x) => x >= t) ?? 0, [id, since]);

async function adviserTiming(page) {
  return page.evaluate(() => {
    const t = window.relais.timing;
    const w = (x) => (x ? performance.timeOrigin + x + window.__bench.offset : 0);
    return { accept: w(t.accept), firstFrame: w(t.firstFrame) };
  });
}

async function accept(adviser, boothId) {
  const item = adviser.page.locator(`[data-testid="queue-item"][data-booth-id="${boothId}"]`);
  await item.waitFor({ timeout: 15000 });
  await item.locator('[data-testid="accept-btn"]').click();
  await adviser.page.waitForSelector('body[data-state="in-call"]', { timeout: 5000 });
}

async function adviserEnd(adviser) {
  await adviser.page.locator('[data-testid="end-btn"]').click();
  await adviser.page.waitForSelector('body[data-state="idle"]', { timeout: 5000 });
}

const adviserCounters = async (page) => {
  const s = await page.evaluate(() => window.relais.stats());
  return {
    rxFrames: s?.inboundVideo?.framesDecoded ?? 0,
    rxBytes: s?.inboundVideo?.bytesReceived ?? 0,
    rxRtxBytes: s?.inboundVideo?.retransmittedBytesReceived ?? 0,
    rxWidth: s?.inboundVideo?.frameWidth ?? 0,
    rxHeight: s?.inboundVideo?.frameHeight ?? 0,
    rxCodec: s?.inboundVideo?.codec ?? '',
    rxAudio: s?.inboundAudio?.packetsReceived ?? 0,
    txFrames: s?.outboundVideo?.framesSent ?? 0,
    txBytes: s?.outboundVideo?.bytesSent ?? 0,
  };
};

// Where the console spends its part of booth -> adviser: Chromium's own
// cumulative counters for the booth's video (inbound-rtp), read at both ends
// of a window: time in its jitter buffer, decoding, and from the first
// packet of a frame to its decoded picture (processing), each summed over
// the frames.
const adviserRecvTimes = (page) =>
  page.evaluate(async () => {
    const out = {};
    for (const r of (await window.relais.pc.getStats()).values()) {
      if (r.type === 'inbound-rtp' && r.kind === 'video' && (r.framesDecoded ?? 0) >= (out.framesDecoded ?? 0)) {
        Object.assign(out, {
          jitterBufferDelay: r.jitterBufferDelay ?? 0,
          jitterBufferEmittedCount: r.jitterBufferEmittedCount ?? 0,
          totalDecodeTime: r.totalDecodeTime ?? 0,
          totalProcessingDelay: r.totalProcessingDelay ?? 0,
          framesDecoded: r.framesDecoded ?? 0,
          keyFramesDecoded: r.keyFramesDecoded ?? 0,
          pliCount: r.pliCount ?? 0,
          firCount: r.firCount ?? 0,
        });
      }
    }
    return out;
  });

// per frame in ms over the window between two readings
const recvBreakdown = (t0, t1) => {
  const frames = (t1.framesDecoded ?? 0) - (t0.framesDecoded ?? 0);
  const emitted = (t1.jitterBufferEmittedCount ?? 0) - (t0.jitterBufferEmittedCount ?? 0);
  if (frames <= 0 || emitted <= 0) return null;
  return {
    jitterMs: ((t1.jitterBufferDelay - t0.jitterBufferDelay) * 1000) / emitted,
    decodeMs: ((t1.totalDecodeTime - t0.totalDecodeTime) * 1000) / frames,
    processingMs: ((t1.totalProcessingDelay - t0.totalProcessingDelay) * 1000) / frames,
  };
};

// --- the two booths, behind one interface ---------------------------------

const KIOSK_ARGS = [...BASE_ARGS, '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'];

async function startKiosk(dir, sb, c, clip) {
  const boothId = 'bench-kiosk';
  await sb.boothIdentity(boothId, SITE); // enrolled once, before the clock starts
  const bridge = await startBridge({ sb, boothId, site: SITE });
  const userDataDir = tmpDir('kiosk-profile');
  const t0 = Date.now();
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...KIOSK_ARGS, `--use-fake-device-for-media-stream=fps=${c.fps}`, `--use-file-for-fake-video-capture=${clip.y4m}`],
    viewport: KIOSK_VIEW,
    permissions: ['camera', 'microphone'],
    timeout: 20000,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const q = new URLSearchParams({ id: boothId, site: SITE, codec: c.codec, width: c.width, height: c.height, fps: c.fps, kbps: c.kbps });
  await page.goto(`${bridge.url}?${q}`);
  const loadWall = await page.evaluate(() => performance.timeOrigin + performance.getEntriesByType('navigation')[0].loadEventEnd);
  await page.waitForFunction(() => window.kiosk.state === 'idle', null, { timeout: 10000 });
  const linkWall = await page.evaluate(() => window.kiosk.linkUpWall);
  const root = findChild(process.pid, userDataDir);
  if (!root) throw new Error('kiosk: no Chromium process found');
  return {
    side: 'kiosk',
    boothId,
    root,
    t0,
    ready: { load: loadWall, link: linkWall },
    bridge,
    page,
    errors,
    async request({ stamp = false } = {}) {
      await page.evaluate((o) => window.kiosk.request(o), { stamp });
      await until(() => page.evaluate(() => window.kiosk.offerReady || window.kiosk.errors.length), { timeout: 10000, interval: 20, what: 'kiosk offer ready' });
      const errs = await page.evaluate(() => window.kiosk.errors);
      if (errs.length) throw new Error(`kiosk: ${errs.join('; ')}`);
    },
    async counters() {
      const s = await page.evaluate(() => window.kiosk.stats());
      return { rxFrames: s.videoFramesDecoded, rxAudio: s.audioPacketsReceived, txFrames: s.videoFramesEncoded, txBytes: s.videoBytesSent, state: s.state };
    },
    firstFrameWall: () => page.evaluate(() => window.kiosk.firstFrameWall),
    steps: () => page.evaluate(() => {
      const K = window.kiosk;
      return { call: K.callWall, answer: K.answerWall, connected: K.connectedWall, firstFrame: K.firstFrameWall };
    }),
    // glass-to-glass, adviser -> booth: the page's reader, where it draws
    stampReset: () => page.evaluate(() => window.kiosk.reader && (window.kiosk.reader.samples = [])),
    stampPoll: async () => {},
    stampSamples: () => page.evaluate(() => (window.kiosk.reader?.samples ?? []).map((x) => x.display)),
    stampWhere: 'drawn (requestVideoFrameCallback expectedDisplayTime)',
    stampSentPart: async () => null, // a page cannot see its encoder's output
    async afterEnd() {
      await until(() => page.evaluate(() => window.kiosk.state === 'idle'), { timeout: 10000, interval: 50, what: 'kiosk idle' });
    },
    async stop() {
      await context.close().catch(() => {});
      bridge.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

// stamp: RELAIS_MEDIA_STAMP=1 (firmware/lib/stamp.h), for the latency calls
async function startRelais(dir, sb, c, clip, { stamp = false } = {}) {
  const boothId = 'bench-relais';
  const pipelines = writeBoardConf(PIPELINES, OUT, clip, c);
  const args = ['--pipelines', pipelines, ...(c.ui ? UI_ARGS : [])]; // the last --pipelines wins
  // enrolled on the first start (a token, then its state dir): the next
  // cases start with the identity in place, as a booth after its first boot
  const t0 = Date.now();
  const booth = await startBooth({ dir, switchboard: sb, boothId, site: SITE, extraArgs: args, env: { ...(c.ui ? UI_ENV : {}), ...(stamp ? { RELAIS_MEDIA_STAMP: '1' } : {}) }, linked: false });
  const ctl = booth.ctl;
  let attract = 0;
  if (c.ui) {
    await until(async () => {
      const v = await ctl.visitor();
      return v.screen === 'attract' && v.frames_rendered > 0;
    }, { timeout: 15000, interval: 25, what: 'attract screen drawn' });
    attract = Date.now();
  }
  return {
    side: 'relais',
    boothId,
    root: booth.proc.child.pid,
    t0,
    ready: { attract },
    proc: booth.proc,
    async request() {
      if (c.ui) {
        const walk = await walkToWaiting(ctl, { language: 'fr' });
        await walk.ready();
      } else await ctl.request();
      await until(async () => (await ctl.status()).offer === 'ready', { timeout: 10000, interval: 20, what: 'booth offer ready' });
    },
    async counters() {
      const s = await ctl.status();
      const m = s.media ?? {};
      return { rxFrames: m.video_frames_received ?? 0, rxAudio: m.audio_buffers_received ?? 0, txFrames: m.video_frames_sent ?? 0, state: s.state, ownKbps: m.video_sent_kbps, targetKbps: m.video_target_kbps };
    },
    firstFrameWall: async () => (await ctl.status()).media?.first_video_unix_ms ?? 0,
    // the booth's steps are times from the switchboard's call on its
    // monotonic clock; first_video_unix_ms puts them on the wall clock
    async steps() {
      const m = (await ctl.status()).media ?? {};
      if (!m.first_video_unix_ms || m.call_to_first_video_ms === undefined) return {};
      const call = m.first_video_unix_ms - m.call_to_first_video_ms;
      const at = (ms) => (ms === undefined ? 0 : call + ms);
      return { call, answer: at(m.call_to_answer_ms), connected: at(m.call_to_dtls_ms), firstRtp: at(m.call_to_first_rtp_ms), firstFrame: m.first_video_unix_ms };
    },
    // glass-to-glass, adviser -> booth: the booth hands out its last 64
    // samples with a total count; polled every second none is missed. With
    // its UI, read where the UI draws (status media.stamp_drawn_*: after the
    // SDL_RenderPresent that showed the frame); without a screen, where it
    // decodes (stamp_*: the appsink), the nearest there is.
    stampKey: c.ui ? 'stamp_drawn_' : 'stamp_',
    stampSeen: 0,
    stampTaken: [],
    async stampReset() {
      this.stampSeen = (await ctl.status()).media?.[`${this.stampKey}samples`] ?? 0;
      this.stampTaken = [];
    },
    async stampPoll() {
      const m = (await ctl.status()).media ?? {};
      const total = m[`${this.stampKey}samples`] ?? 0;
      // the drawn figures start again with each visitor (wipe)
      const fresh = total >= this.stampSeen ? total - this.stampSeen : total;
      const recent = m[`${this.stampKey}recent_ms`] ?? [];
      this.stampTaken.push(...recent.slice(recent.length - Math.min(fresh, recent.length)));
      this.stampSeen = total;
    },
    async stampSamples() {
      return this.stampTaken;
    },
    // its own part of booth -> adviser: capture to the encoded frame
    // (status media.stamp_sent_p50_ms, over the call so far)
    stampSentPart: async () => (await ctl.status()).media?.stamp_sent_p50_ms ?? null,
    stampWhere: c.ui ? 'drawn (after the UI\'s SDL_RenderPresent)' : 'decoded (the booth\'s appsink: no screen in this case)',
    async afterEnd() {
      if (c.ui) {
        await screen(ctl, 'satisfaction', { timeout: 10000 });
        await ctl.tap('score', 5);
        await ctl.tap('done');
        await screen(ctl, 'attract', { timeout: 15000 });
      }
      await until(async () => (await ctl.status()).state === 'idle', { timeout: 10000, interval: 50, what: 'booth idle' });
    },
    stop: () => booth.proc.stop(),
  };
}

// --- one call ---------------------------------------------------------------

// The set-up figures are timestamps taken by each end, not poll times; the
// polls for media both ways start later and come seldom so as not to load
// either booth (a getStats in the kiosk's page, a control request and a
// process spawn for relais-booth) while it sets the call up.
const FIRST_POLL_MS = 500;
const POLL_MS = 250;

const resync = (adviser) => adviser.page.evaluate(() => window.__bench.resync());

async function oneCall(adviser, booth, { windowS }) {
  await resync(adviser);
  await booth.request();
  await accept(adviser, booth.boothId);
  await sleep(FIRST_POLL_MS);
  let a = {};
  let b = {};
  const ok = await until(
    async () => {
      [a, b] = await Promise.all([adviserCounters(adviser.page), booth.counters()]);
      return a.rxFrames >= MIN_FRAMES && a.rxAudio > 0 && b.rxFrames >= MIN_FRAMES && b.rxAudio > 0;
    },
    { timeout: 15000, interval: POLL_MS, what: 'media both ways' },
  ).then(() => true, () => false);
  const r = { ok };
  if (!ok) {
    r.why = `no media both ways: adviser decoded ${a.rxFrames} frames, ${a.rxAudio} audio packets; booth ${b.rxFrames} frames, ${b.rxAudio} audio`;
  } else {
    const at = await adviserTiming(adviser.page);
    const bf = await booth.firstFrameWall();
    r.setupBooth = bf && at.accept ? bf - at.accept : NaN;
    // each step at the booth, from the adviser's accept
    const steps = await booth.steps();
    for (const [k, v] of Object.entries(steps)) if (v && at.accept) r[`step_${k}`] = v - at.accept;
    r.setupAdviser = at.firstFrame && at.accept ? at.firstFrame - at.accept : NaN;
    if (windowS > 0) {
      await sleep(1000); // rates and encoders settle past the first key frame
      const c0 = cpuSnapshot(booth.root);
      const [a0, b0, t0r] = await Promise.all([adviserCounters(adviser.page), booth.counters(), adviserRecvTimes(adviser.page)]);
      const t0 = Date.now();
      let peak = pss(booth.root);
      while (Date.now() - t0 < windowS * 1000) {
        await sleep(1000);
        const p = pss(booth.root);
        if (p.mb > peak.mb) peak = p;
      }
      const c1 = cpuSnapshot(booth.root);
      const [a1, b1, t1r] = await Promise.all([adviserCounters(adviser.page), booth.counters(), adviserRecvTimes(adviser.page)]);
      const secs = (Date.now() - t0) / 1000;
      r.cpuPerMin = cpuBetween(c0, c1) * (60 / secs);
      r.pssMB = peak.mb;
      r.processes = peak.processes;
      // as the adviser received it, each packet once: retransmissions are
      // the receiver's NACKs answered (a loaded machine asks for many, and
      // GStreamer's rtprtxsend answers every one where libwebrtc paces
      // them), not what the encoder made of the target
      const rtx = a1.rxRtxBytes - a0.rxRtxBytes;
      r.sentKbps = ((a1.rxBytes - a0.rxBytes - rtx) * 8) / 1000 / secs;
      r.rtxKbps = (rtx * 8) / 1000 / secs;
      r.sentFps = (a1.rxFrames - a0.rxFrames) / secs;
      // key frames in the window, and the console's requests for them
      // (PLI, FIR): each is a large frame on top of the rate
      r.keyFrames = (t1r.keyFramesDecoded ?? 0) - (t0r.keyFramesDecoded ?? 0);
      r.keyRequests = (t1r.pliCount ?? 0) + (t1r.firCount ?? 0) - (t0r.pliCount ?? 0) - (t0r.firCount ?? 0);
      r.sentSize = `${a1.rxWidth}x${a1.rxHeight}`;
      r.rxFps = (b1.rxFrames - b0.rxFrames) / secs; // the adviser's video decoded at the booth
      r.adviserKbps = ((a1.txBytes - a0.txBytes) * 8) / 1000 / secs;
      r.adviserFps = (a1.txFrames - a0.txFrames) / secs;
      r.codec = a1.rxCodec;
      // relais-booth's own view at the end of the window: what it sent over
      // the last second and its rate controller's target
      if (b1.targetKbps !== undefined) r.own = `booth says ${b1.ownKbps} kbit/s sent, target ${b1.targetKbps}`;
    }
  }
  await adviserEnd(adviser);
  await booth.afterEnd();
  return r;
}

// A latency call: both ends send stamped pictures (the adviser a canvas
// instead of its camera, the kiosk its camera through a canvas, relais-booth
// with RELAIS_MEDIA_STAMP=1); booth -> adviser is read where the console
// draws (requestVideoFrameCallback expectedDisplayTime), the same instrument
// for both booths; adviser -> booth where each booth can (stampWhere).
async function latencyCall(adviser, booth, c) {
  await resync(adviser);
  await booth.request({ stamp: true });
  await accept(adviser, booth.boothId);
  let a = {};
  let b = {};
  const ok = await until(
    async () => {
      [a, b] = await Promise.all([adviserCounters(adviser.page), booth.counters()]);
      return a.rxFrames >= MIN_FRAMES && b.rxFrames >= MIN_FRAMES;
    },
    { timeout: 15000, interval: 100, what: 'media both ways' },
  ).then(() => true, () => false);
  const r = { ok };
  if (ok) {
    await adviser.page.evaluate(async (o) => {
      const pc = window.relais.pc;
      const sender = pc.getTransceivers().find((t) => t.receiver.track.kind === 'video' && !t.stopped)?.sender;
      window.__benchStamped = window.benchStamp.track(o);
      await sender.replaceTrack(window.__benchStamped.track);
      window.__benchReader = window.benchStamp.reader(document.querySelector('#remote-video'));
    }, { width: 640, height: 480, fps: c.fps });
    await sleep(G2G_WARMUP_MS);
    await adviser.page.evaluate(() => (window.__benchReader.samples = []));
    await booth.stampReset();
    const recv0 = await adviserRecvTimes(adviser.page);
    const t0 = Date.now();
    while (Date.now() - t0 < G2G_S * 1000) {
      await sleep(1000);
      await booth.stampPoll();
    }
    r.toAdviser = await adviser.page.evaluate(() => {
      window.__benchReader.on = false;
      window.__benchStamped.stop();
      return window.__benchReader.samples.map((x) => x.display);
    });
    r.toBooth = await booth.stampSamples();
    r.recv = recvBreakdown(recv0, await adviserRecvTimes(adviser.page));
    r.sentPartMs = await booth.stampSentPart();
    if (!r.toAdviser.length || !r.toBooth.length) {
      r.ok = false;
      r.why = `no readable stamps: ${r.toAdviser.length} at the adviser, ${r.toBooth.length} at the booth`;
    }
  } else r.why = `no media both ways: adviser decoded ${a.rxFrames} frames; booth ${b.rxFrames}`;
  await adviserEnd(adviser);
  await booth.afterEnd();
  return r;
}

// --- rows -------------------------------------------------------------------

function caseRows(c, res) {
  res.relaisStampWhere = res.relais.stampWhere;
  res.kioskStampWhere = res.kiosk.stampWhere;
  const rows = [];
  const k = res.kiosk;
  const b = res.relais;
  const col = (xs, f) => xs.filter((x) => x.ok && x[f] !== undefined).map((x) => x[f]);
  const failed = (x) => x.filter((r) => !r.ok).length;
  const add = (figure, relais, reference, unit, target, test, note = '') => {
    const ratio = Number.isFinite(relais) && Number.isFinite(reference) && reference !== 0 ? relais / reference : null;
    rows.push({
      figure,
      case: c.name,
      relais: Number.isFinite(relais) ? relais : null,
      reference: Number.isFinite(reference) ? reference : null,
      unit,
      ratio,
      target,
      met: test && ratio !== null ? test(relais, reference, ratio) : null,
      note,
    });
  };
  const nk = k.calls.length - failed(k.calls);
  const nb = b.calls.length - failed(b.calls);
  if (failed(k.calls) || failed(b.calls) || !nk || !nb) {
    const why = [...k.calls, ...b.calls].find((r) => !r.ok)?.why ?? 'no call';
    rows.push({ figure: 'calls with media both ways', case: c.name, relais: nb, reference: nk, unit: 'calls', ratio: null, target: `all ${CALLS}`, met: false, note: `FAILED: ${why}` });
    if (!nk || !nb) return rows;
  }
  // fairness: what each booth actually sent, as the same adviser received it
  // relative to the kiosk's (the reference), as the ratio column reads
  const within = (x, y) => Number.isFinite(x) && Number.isFinite(y) && y > 0 && Math.abs(x - y) <= 0.2 * y;
  const kk = pct(col(k.calls, 'sentKbps'), 50);
  const bk = pct(col(b.calls, 'sentKbps'), 50);
  const kf = pct(col(k.calls, 'sentFps'), 50);
  const bf = pct(col(b.calls, 'sentFps'), 50);
  const fair = MEASURED && within(kk, bk) && within(kf, bf);
  const unfair = MEASURED && !fair ? `not comparable: sent ${bk?.toFixed(0)} kbit/s ${bf?.toFixed(1)} fps against ${kk?.toFixed(0)} kbit/s ${kf?.toFixed(1)} fps` : '';
  const sizes = (x) => [...new Set(col(x.calls, 'sentSize'))].join(' ');
  if (MEASURED) {
    add('video sent, booth -> adviser (p50)', bk, kk, 'kbit/s', 'within 20 %', (x, y) => within(x, y), `target ${c.kbps}; each packet once (retransmissions apart); sizes: relais ${sizes(b)}, kiosk ${sizes(k)}`);
    add('video resent (RTX), booth -> adviser (p50)', pct(col(b.calls, 'rtxKbps'), 50), pct(col(k.calls, 'rtxKbps'), 50), 'kbit/s', '', null, "the adviser's NACKs answered");
    add('video frame rate sent (p50)', bf, kf, 'fps', 'within 20 %', (x, y) => within(x, y));
    add('key frames sent in a measured call (p50)', pct(col(b.calls, 'keyFrames'), 50), pct(col(k.calls, 'keyFrames'), 50), 'frames', '', null,
      `asked by the console (PLI + FIR, p50): relais ${pct(col(b.calls, 'keyRequests'), 50) ?? '-'}, kiosk ${pct(col(k.calls, 'keyRequests'), 50) ?? '-'}; ${WINDOW_S} s each`);
    add('adviser video decoded at booth (p50)', pct(col(b.calls, 'rxFps'), 50), pct(col(k.calls, 'rxFps'), 50), 'fps', 'within 20 %', (x, y) => within(x, y));
  }
  const setup = (f, label) => {
    for (const p of [50, 95]) {
      add(`set-up: accept -> first frame ${label} (p${p})`, pct(col(b.calls, f), p), pct(col(k.calls, f), p), 'ms',
        p === 50 ? '<= 0.6x and <= 100 ms' : '', p === 50 ? (x, y, r) => r <= 0.6 && x <= 100 : null,
        `${nb} + ${nk} calls${f === 'setupBooth' ? '; booth: decoder output (Relais), frame to compositor (kiosk)' : ''}`);
    }
  };
  setup('setupBooth', 'at booth');
  // where the booth's first frame waits: each step at the booth, p50, from
  // the same accept (tests/bench/README.md, "Set-up, step by step")
  for (const [step, label, note] of [
    ['call', 'the call at the booth', 'the switchboard told the booth'],
    ['answer', "the adviser's answer at the booth", 'the offer sent, answered by the console'],
    ['connected', 'connection up at the booth', 'ICE connected and DTLS done'],
    ['firstRtp', "the adviser's first video packet at the booth", 'out of the jitter buffer; Relais only (a page cannot see it)'],
    ['firstFrame', 'first frame at the booth', 'as above'],
  ]) {
    add(`set-up step: accept -> ${label} (p50)`, pct(col(b.calls, `step_${step}`), 50), pct(col(k.calls, `step_${step}`), 50), 'ms', '', null, note);
  }
  setup('setupAdviser', 'at adviser');
  if (MEASURED) {
    const procs = (x) => [...new Set(col(x.calls, 'processes'))].join('/');
    for (const p of [50, 95]) {
      add(`booth CPU, all processes (p${p})`, pct(col(b.calls, 'cpuPerMin'), p), pct(col(k.calls, 'cpuPerMin'), p), 'CPU-s/min',
        p === 50 ? '<= 0.5x' : '', p === 50 && fair ? (x, y, r) => r <= 0.5 : null, p === 50 ? unfair || `${LONG} calls of ${WINDOW_S} s each` : '');
    }
    add('booth PSS, all processes (peak)', Math.max(...col(b.calls, 'pssMB')), Math.max(...col(k.calls, 'pssMB')), 'MB',
      '<= 0.2x and <= 60 MB', fair ? (x, y, r) => r <= 0.2 && x <= 60 : null, unfair || `processes: relais ${procs(b)}, kiosk ${procs(k)}`);
  }
  add('cold start: process start -> ready and linked', b.coldMs, k.coldMs, 'ms', '', null,
    `relais: ${c.ui ? 'attract screen drawn and ' : ''}link seen by the console; kiosk: page loaded and link seen by the console; one each`);
  const g = (x, f) => x.g2g.filter((r) => r.ok).flatMap((r) => r[f]);
  const gFailed = [...k.g2g, ...b.g2g].find((r) => !r.ok);
  if (G2G_CALLS > 0) {
    const note = (extra) => `${k.g2g.length} + ${b.g2g.length} calls of ${G2G_S} s${extra}${gFailed ? `; FAILED: ${gFailed.why}` : ''}`;
    const small = c.width * c.height <= 640 * 480;
    for (const p of [50, 95]) {
      add(`glass-to-glass booth -> adviser (p${p})`, pct(g(b, 'toAdviser'), p), pct(g(k, 'toAdviser'), p), 'ms',
        p === 50 && small ? '<= 0.5x and <= 25 ms' : '', p === 50 && small && !gFailed ? (x, y, r) => r <= 0.5 && x <= 25 : null,
        p === 50 ? note(`; both drawn by the console (${g(b, 'toAdviser').length} + ${g(k, 'toAdviser').length} frames)`) : '');
    }
    // booth -> adviser, where the time goes: the booth's own part (Relais
    // only), then the console's (Chromium's counters, per frame, mean over
    // the calls' windows)
    const okG = (x) => x.g2g.filter((r) => r.ok);
    const mean = (xs) => (xs.length ? xs.reduce((a, v) => a + v, 0) / xs.length : null);
    add('booth -> adviser, the booth\'s part: capture to encoded (p50)', mean(okG(b).map((r) => r.sentPartMs).filter(Number.isFinite)), null, 'ms', '', null,
      'relais-booth: from its stamp to the encoded frame at the payloader (status stamp_sent_p50_ms); a page cannot see it');
    for (const [f, label] of [['jitterMs', 'in its jitter buffer'], ['decodeMs', 'decoding'], ['processingMs', 'first packet to decoded frame']]) {
      add(`booth -> adviser, at the console: ${label} (mean)`, mean(okG(b).map((r) => r.recv?.[f]).filter(Number.isFinite)),
        mean(okG(k).map((r) => r.recv?.[f]).filter(Number.isFinite)), 'ms', '', null, "Chromium's inbound-rtp counters over the window, per frame");
    }
    for (const p of [50, 95]) {
      add(`glass-to-glass adviser -> booth (p${p})`, pct(g(b, 'toBooth'), p), pct(g(k, 'toBooth'), p), 'ms',
        p === 50 && small ? '<= 0.5x and <= 25 ms' : '', p === 50 && small && c.ui && !gFailed ? (x, y, r) => r <= 0.5 && x <= 25 : null,
        p === 50 ? (c.ui ? note(`; both where drawn (relais ${res.relaisStampWhere}, kiosk ${res.kioskStampWhere})`)
          : `relais ${res.relaisStampWhere}, kiosk ${res.kioskStampWhere}: not the same point, not judged`) : '');
    }
  }
  return rows;
}

// --- the run ------------------------------------------------------------------

async function runCase(dir, sb, adviser, c) {
  const clip = await makeClip(OUT, c);
  log(`\n== ${c.name}: ${CALLS} calls each, alternating kiosk / relais, the last ${LONG} measured for ${WINDOW_S} s`);
  const res = { kiosk: { calls: [], g2g: [] }, relais: { calls: [], g2g: [] } };
  const kiosk = await startKiosk(dir, sb, c, clip);
  try {
    const seenK = await until(() => rowSeen(adviser, kiosk.boothId, kiosk.t0), { timeout: 10000, interval: 50, what: 'kiosk row in the console' });
    res.kiosk.coldMs = Math.max(seenK, kiosk.ready.load) - kiosk.t0;
    const rtt = await kiosk.page.evaluate(() => window.kiosk.echoRtt(50));
    res.kiosk.bridgeRtt = { p50: pct(rtt, 50), p95: pct(rtt, 95) };
    let relais = await startRelais(dir, sb, c, clip);
    try {
      const seenB = await until(() => rowSeen(adviser, relais.boothId, relais.t0), { timeout: 15000, interval: 50, what: 'relais row in the console' });
      res.relais.coldMs = Math.max(seenB, relais.ready.attract) - relais.t0;
      for (let i = 1; i <= CALLS; i++) {
        for (const booth of [kiosk, relais]) {
          const r = await oneCall(adviser, booth, { windowS: i > CALLS - LONG ? WINDOW_S : 0 });
          res[booth.side].calls.push(r);
          log(
            `  ${String(i).padStart(2)} ${booth.side.padEnd(6)} ${r.ok ? `set-up booth ${r.setupBooth?.toFixed(0)} ms, adviser ${r.setupAdviser?.toFixed(0)} ms` : r.why}` +
              (r.cpuPerMin !== undefined ? `; ${r.cpuPerMin.toFixed(2)} CPU-s/min, PSS ${r.pssMB.toFixed(0)} MB (${r.processes} proc.), sent ${r.sentKbps.toFixed(0)} kbit/s (+${r.rtxKbps.toFixed(0)} resent) ${r.sentFps.toFixed(1)} fps ${r.sentSize} ${r.codec}, decoded ${r.rxFps.toFixed(1)} fps, ${r.keyFrames} key frames for ${r.keyRequests} requests (adviser sent ${r.adviserKbps.toFixed(0)} kbit/s ${r.adviserFps.toFixed(1)} fps)${r.own ? `; ${r.own}` : ''}` : ''),
          );
        }
      }
      if (G2G_CALLS > 0) {
        // relais-booth again, stamping: the same booth with RELAIS_MEDIA_STAMP=1
        await relais.stop();
        relais = await startRelais(dir, sb, c, clip, { stamp: true });
        await until(() => rowSeen(adviser, relais.boothId, relais.t0), { timeout: 15000, interval: 50, what: 'relais row in the console' });
        res.kiosk.stampWhere = kiosk.stampWhere;
        res.relais.stampWhere = relais.stampWhere;
        for (let i = 1; i <= G2G_CALLS; i++) {
          for (const booth of [kiosk, relais]) {
            const r = await latencyCall(adviser, booth, c);
            res[booth.side].g2g.push(r);
            log(`  g2g ${i} ${booth.side.padEnd(6)} ${r.ok ? `booth -> adviser p50 ${pct(r.toAdviser, 50)?.toFixed(1)} ms (${r.toAdviser.length}), adviser -> booth p50 ${pct(r.toBooth, 50)?.toFixed(1)} ms (${r.toBooth.length})` +
              `; booth's part ${r.sentPartMs?.toFixed(1) ?? '-'} ms, console: jitter buffer ${r.recv?.jitterMs?.toFixed(1) ?? '-'}, decode ${r.recv?.decodeMs?.toFixed(1) ?? '-'}, processing ${r.recv?.processingMs?.toFixed(1) ?? '-'} ms` : r.why}`);
          }
        }
      }
      const fwd = kiosk.bridge.stats.forwardMs;
      res.kiosk.bridge = { messages: kiosk.bridge.stats.messages, forwardP50: pct(fwd, 50), forwardMax: fwd.length ? Math.max(...fwd) : null };
      log(`  bridge: ${res.kiosk.bridge.messages} messages forwarded, ${res.kiosk.bridge.forwardP50?.toFixed(3)} ms each (p50) inside it; page <-> bridge round trip p50 ${res.kiosk.bridgeRtt.p50?.toFixed(2)} ms, p95 ${res.kiosk.bridgeRtt.p95?.toFixed(2)} ms`);
    } finally {
      await relais.stop();
    }
  } finally {
    await kiosk.stop();
  }
  return res;
}

const dir = tmpDir('bench-kiosk');
fs.mkdirSync(OUT, { recursive: true });
const started = Date.now();
let adviser = null;
const rows = [];
const raw = {};
try {
  const sb = await startSwitchboard({ dir });
  adviser = await startAdviser(dir, sb);
  // relais-booth enrols once (token, key, certificate in its state dir),
  // as the kiosk's identity is made before its clock starts: cold starts
  // are of an enrolled booth
  const first = await startBooth({ dir, switchboard: sb, boothId: 'bench-relais', site: SITE });
  await first.proc.stop();
  for (const name of CASES) {
    const c = parseCase(name);
    try {
      const res = await runCase(dir, sb, adviser, c);
      raw[name] = res;
      rows.push(...caseRows(c, res));
    } catch (err) {
      log(`  ${name} FAILED: ${err.stack}`);
      rows.push({ figure: 'case', case: name, relais: null, reference: null, unit: '', ratio: null, target: '', met: false, note: `FAILED: ${err.message.split('\n')[0]}` });
    }
  }
} finally {
  await adviser?.close();
  await killAll();
}
const doc = {
  part: 'kiosk',
  title: 'relais-booth against a Chromium kiosk, same calls, same run (reference: the kiosk)',
  when: new Date().toISOString(),
  seconds: Math.round((Date.now() - started) / 1000),
  settings: { cases: CASES, calls: CALLS, long: LONG, windowSeconds: WINDOW_S, kbps: KBPS, fps: FPS, g2gCalls: G2G_CALLS, g2gSeconds: G2G_S },
  rows,
  raw,
};
fs.writeFileSync(path.join(OUT, 'kiosk.json'), `${JSON.stringify(doc, null, 1)}\n`);
fs.rmSync(dir, { recursive: true, force: true });
log(`wrote ${path.join(OUT, 'kiosk.json')} (${doc.seconds} s)`);
