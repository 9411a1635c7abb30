// SPDX-License-Identifier: GPL-2.0-or-later
// Issue 13, scenario 3: a narrow uplink. The booth's egress (mid's link
// towards core) is capped with tc tbf at 500 kbit/s, then 300, then lifted,
// about 20 s each, in one call. Sampled every second: the booth's video
// target and what its encoder sends (relais-boothctl status), the
// adviser's decoded frames and audio (getStats: framesDecoded,
// concealedSamples of totalSamplesReceived). Printed: the bitrate curve
// (low and recovered values), frames per second and audio concealment per
// phase. Held: the target goes under the cap within a bounded time, the
// adviser decodes >= 15 fps at 500 kbit/s, audio concealment stays bounded,
// the target climbs well above 500 once the cap is lifted.
//
// RELAIS_MEDIA_RATE=0 in the environment runs the booth without its
// controller (fixed bitrate): the test then fails, which is how it was
// shown able to fail (tests/network/README.md).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { missingBinaries, PIPELINES } from '../e2e/lib/env.mjs';
import { killAll } from '../e2e/lib/procs.mjs';
import { requestAndAccept, waitMedia } from '../e2e/lib/scenario.mjs';
import { NetLab, labUnavailable } from './lib/netns.mjs';
import { startLabStack } from './lib/labstack.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : ((await labUnavailable()) ?? false);

const PHASE_S = 20;
// The climb after the lift is careful for ~12 s (the cap may still be
// there: RATE.md), then 16 % a second: 14-18 s to 800 kbit/s measured.
const LIFTED_S = 30;
const WARM_S = 4;
// The controller sees a report every 2 s (RELAIS_QUALITY_PERIOD_S) and the
// far end's receiver reports come about every second: under the cap within
// a few reports. Generous for a busy machine, still far below a phase.
const UNDER_CAP_S = 12;
const SETTLE_S = 10; // frames per second: the last 10 s of a phase, once the controller has settled
const MIN_FPS_500 = 15; // the issue's figure
const MAX_CONCEALED = 0.15; // share of the audio samples concealed over both capped phases (3.7-13 % seen with the controller)
const RECOVERED_KBPS = 800; // "well above 500"
const AUDIO_WIRE_KBPS = 56; // opus 32 kbit/s + 50 packets of ~58 bytes overhead

async function sample(stack, t0, cap) {
  const [st, page] = await Promise.all([stack.booth.ctl.status(), stack.pageStats()]);
  const m = st.media ?? {};
  return {
    t: (Date.now() - t0) / 1000,
    cap,
    target: m.video_target_kbps ?? 0,
    sent: m.video_sent_kbps ?? 0,
    size: `${m.video_sent_width ?? 0}x${m.video_sent_height ?? 0}`,
    fpsSent: m.video_sent_fps ?? 0,
    state: m.rate_state ?? '',
    reason: m.rate_reason ?? '',
    frames: page?.inboundVideo?.framesDecoded ?? 0,
    samples: page?.inboundAudio?.totalSamplesReceived ?? 0,
    concealed: page?.inboundAudio?.concealedSamples ?? 0,
  };
}

// Samples every second for `secs` (a sampling interval, not a wait for an
// event: the phase itself is a duration).
async function phase(stack, t0, cap, secs, out) {
  const start = Date.now();
  const rows = [];
  while (Date.now() - start < secs * 1000) {
    const next = Date.now() + 1000;
    const row = await sample(stack, t0, cap);
    rows.push(row);
    out.push(row);
    const rest = next - Date.now();
    if (rest > 0) await sleep(rest);
  }
  return rows;
}

// Decoded fps and concealed share over rows (first to last).
function over(rows) {
  const a = rows[0];
  const b = rows[rows.length - 1];
  const secs = Math.max(b.t - a.t, 0.001);
  const samples = b.samples - a.samples;
  return {
    fps: (b.frames - a.frames) / secs,
    concealed: samples > 0 ? (b.concealed - a.concealed) / samples : 1,
  };
}

function curve(rows) {
  return rows.map((r) => `${r.t.toFixed(0)}s:${r.target}/${r.sent}${r.size === '640x480' ? '' : `@${r.size}`}`).join(' ');
}

// The sim board's test pattern (a scrolling bar) costs VP8 ~45 kbit/s at a
// 1200 target: nothing would ever fill an uplink. A camera's picture fills
// what it is given; so does a moving zone plate (measured: 1185 kbit/s at
// 1200, 309 at 300, ~5 ms a frame with the encoder). The board is the sim
// one with that pattern as its fallback source, in a pipelines folder of
// the test's own.
function busyBoard() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-uplink-'));
  const conf = fs.readFileSync(path.join(PIPELINES, 'sim', 'media.conf'), 'utf8');
  const busy = conf.replace(/^fallback=videotestsrc is-live=true pattern=bar horizontal-speed=4/m, 'fallback=videotestsrc is-live=true pattern=zone-plate kx2=4 ky2=4 kt=2');
  assert.notEqual(busy, conf, 'the sim board\'s fallback source has changed: update busyBoard()');
  fs.mkdirSync(path.join(dir, 'sim'));
  fs.writeFileSync(path.join(dir, 'sim', 'media.conf'), busy);
  return dir;
}

describe('scenario 3, a narrow uplink', { skip, timeout: 240000 }, () => {
  let lab;
  let stack;
  let pipelines;

  before(async () => {
    lab = await NetLab.create();
    const boothEnv = process.env.RELAIS_MEDIA_RATE ? { RELAIS_MEDIA_RATE: process.env.RELAIS_MEDIA_RATE } : {};
    pipelines = busyBoard();
    stack = await startLabStack(lab, 'uplink', { boothEnv, boothArgs: ['--pipelines', pipelines] });
  });

  after(async () => {
    await stack?.stop();
    await killAll();
    await lab?.destroy();
    if (pipelines) fs.rmSync(pipelines, { recursive: true, force: true });
  });

  it(`the booth follows a 500 then 300 kbit/s uplink and climbs back when it is lifted; the adviser keeps >= ${MIN_FPS_500} fps at 500 and its sound`, async (t) => {
    await stack.run(async () => {
      await requestAndAccept(stack);
      await waitMedia(stack, { minFrames: 30, timeout: 30000 });
      const all = [];
      const t0 = Date.now();
      const warm = await phase(stack, t0, 0, WARM_S, all);
      let lift = await lab.bandwidth(500);
      const at500 = await phase(stack, t0, 500, PHASE_S, all);
      await lift();
      lift = await lab.bandwidth(300);
      const at300 = await phase(stack, t0, 300, PHASE_S, all);
      await lift();
      const lifted = await phase(stack, t0, 0, LIFTED_S, all);

      const under = (rows, cap) => rows.find((r) => r.target + AUDIO_WIRE_KBPS <= cap);
      const u500 = under(at500, 500);
      const u300 = under(at300, 300);
      const settled500 = at500.filter((r) => r.t - at500[0].t >= SETTLE_S);
      const settled300 = at300.filter((r) => r.t - at300[0].t >= SETTLE_S);
      const f500 = over(settled500);
      const f300 = over(settled300);
      const capped = over([at500[0], at300[at300.length - 1]]);
      const low = Math.min(...[...at500, ...at300].map((r) => r.target));
      const recovered = Math.max(...lifted.map((r) => r.target));
      const sizes300 = [...new Set(at300.map((r) => r.size))].join(', ');

      t.diagnostic(`bitrate curve, target/sent kbit/s each second (warm-up, then cap 500 from ${at500[0].t.toFixed(0)} s, 300 from ${at300[0].t.toFixed(0)} s, lifted from ${lifted[0].t.toFixed(0)} s):`);
      t.diagnostic(`  warm: ${curve(warm)}`);
      t.diagnostic(`  500:  ${curve(at500)}`);
      t.diagnostic(`  300:  ${curve(at300)}`);
      t.diagnostic(`  lift: ${curve(lifted)}`);
      t.diagnostic(
        `target under the cap ${u500 ? (u500.t - at500[0].t).toFixed(1) : 'never'} s after 500, ${u300 ? (u300.t - at300[0].t).toFixed(1) : 'never'} s after 300; ` +
          `low ${low} kbit/s, recovered ${recovered} kbit/s (${((lifted.find((r) => r.target === recovered).t - lifted[0].t)).toFixed(0)} s after the lift)`,
      );
      t.diagnostic(
        `adviser: ${f500.fps.toFixed(1)} fps decoded at 500 (target ${MIN_FPS_500}), ${f300.fps.toFixed(1)} at 300 (sizes sent: ${sizes300}); ` +
          `audio concealed ${(capped.concealed * 100).toFixed(1)} % while capped (at 500: ${(f500.concealed * 100).toFixed(1)} %, at 300: ${(f300.concealed * 100).toFixed(1)} %)`,
      );
      const reasons = [...new Set(all.map((r) => r.reason).filter(Boolean))].slice(0, 8).join('; ');
      t.diagnostic(`booth's reasons: ${reasons}`);

      assert.ok(u500 && u500.t - at500[0].t <= UNDER_CAP_S, `target under 500 within ${UNDER_CAP_S} s`);
      assert.ok(u300 && u300.t - at300[0].t <= UNDER_CAP_S, `target under 300 within ${UNDER_CAP_S} s`);
      assert.ok(f500.fps >= MIN_FPS_500, `adviser decodes ${f500.fps.toFixed(1)} fps at 500 kbit/s`);
      assert.ok(capped.concealed <= MAX_CONCEALED, `audio concealed ${(capped.concealed * 100).toFixed(1)} %`);
      assert.ok(recovered >= RECOVERED_KBPS, `target back to ${recovered} kbit/s after the lift`);
      assert.equal((await stack.booth.ctl.status()).state, 'in_call');
    });
  });
});
