// SPDX-License-Identifier: GPL-2.0-or-later
// Soak (issue 14, item 5): SOAK_CALLS consecutive calls on one relais-booth
// process (sim board, fake camera) and one relais-switchboard, the adviser
// a real Chromium console. Each call must carry media both ways (frames and
// audio decoded at both ends, counted) or the soak stops and is reported
// failed. At the start and at the end of every call: RSS and open file
// descriptors of the booth and the switchboard, and the size of the
// switchboard's data folder (SQLite store, WAL included).
//
//   make bench-soak                    (500 calls)
//   BENCH_QUICK=1 make bench-soak      (25 calls: make bench-quick has 3 minutes)
//
// Env: SOAK_CALLS, SOAK_HOLD_MS (media time per call once media flows both
// ways, default 1000), BENCH_OUT (folder of soak.json; default
// $RELAIS_BUILD/bench).

import fs from 'node:fs';
import path from 'node:path';
import { Stack, waitMedia, sleep, until, BOOTH_ID } from '../e2e/lib/scenario.mjs';
import { BUILD } from '../e2e/lib/env.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
let CALLS = Number(process.env.SOAK_CALLS ?? (QUICK ? 25 : 500));
const HOLD_MS = Number(process.env.SOAK_HOLD_MS ?? 1000);
const OUT = process.env.BENCH_OUT ?? path.join(BUILD, 'bench');
// calls before the baseline: the first call loads the codecs, the GStreamer
// plugins and the page's code once; growth is counted from its end
const WARMUP = 1;

function rssKB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)[1]);
}

const fds = (pid) => fs.readdirSync(`/proc/${pid}/fd`).length;

// What each descriptor is (a file, socket:[inode], pipe:[inode], ...), kept
// at the end of the first and of the last call: a growth names its fd.
function fdTargets(pid) {
  const out = {};
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      out[fd] = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

function dirBytes(dir) {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += dirBytes(p);
    else if (e.isFile()) n += fs.statSync(p).size;
  }
  return n;
}

function sample(stack) {
  const b = stack.booth.proc.child.pid;
  const s = stack.sb.proc.child.pid;
  return { boothRssKB: rssKB(b), boothFds: fds(b), sbRssKB: rssKB(s), sbFds: fds(s), storeBytes: dirBytes(stack.sb.dataDir), t: Date.now() };
}

// One call: the visitor's request (boothctl), Accept on the console, media
// both ways, SOAK_HOLD_MS more, End on the console, both ends idle again.
async function oneCall(stack) {
  const { page, booth } = stack;
  await booth.ctl.request({});
  const item = page.locator(`[data-testid="queue-item"][data-booth-id="${BOOTH_ID}"]`);
  await item.waitFor({ timeout: 20000 });
  await item.locator('[data-testid="accept-btn"]').click();
  await page.waitForSelector('body[data-state="in-call"]', { timeout: 20000 });
  const m0 = await waitMedia(stack, { minFrames: 15, timeout: 20000 });
  await sleep(HOLD_MS);
  const [st, ps] = await Promise.all([booth.ctl.status(), stack.pageStats()]);
  const media = {
    boothVideo: st.media?.video_frames_received ?? 0,
    boothAudio: st.media?.audio_buffers_received ?? 0,
    pageVideo: ps?.inboundVideo?.framesDecoded ?? 0,
    pageAudio: ps?.inboundAudio?.packetsReceived ?? 0,
  };
  // waitMedia saw video and audio decoded at both ends; the hold's
  // progress is kept as a figure (a busy machine may stall a decoder for a
  // moment: that is not a lost call)
  const flowing = m0.booth.videoReceived >= 15 && (m0.page.inboundVideo?.framesDecoded ?? 0) >= 15;
  media.holdVideo = { booth: media.boothVideo - m0.booth.videoReceived, adviser: media.pageVideo - (m0.page.inboundVideo?.framesDecoded ?? 0) };
  // End on the console; both ends idle again. The timeouts are generous:
  // the soak measures leaks on a shared machine, not speed
  await page.locator('[data-testid="end-btn"]').click();
  await page.waitForSelector('body[data-state="idle"]', { timeout: 20000 });
  await until(async () => (await booth.ctl.status()).state === 'idle', { timeout: 20000, what: 'booth back to idle' });
  await page.waitForSelector(`[data-testid="booth-row"][data-booth-id="${BOOTH_ID}"][data-booth-state="idle"]`, { timeout: 20000 });
  return { ...media, flowing };
}

const fmtMB = (kb) => (kb / 1024).toFixed(1);
const rows = [];
const calls = [];
const fdsAt = {};
let failure = null;
const stack = new Stack('soak');
let t0 = Date.now();
// SOAK_FROM=calls.json: the figures of a run already made, read again
const FROM = process.env.SOAK_FROM;
if (FROM) {
  calls.push(...JSON.parse(fs.readFileSync(FROM, 'utf8')));
  t0 = Date.now() - (calls.at(-1).end.t - calls[0].start.t);
}
if (!FROM) try {
  await stack.start({ media: 'fake', mdns: false });
  console.log(`soak: ${CALLS} calls, ${HOLD_MS} ms of media each once it flows both ways; booth pid ${stack.booth.proc.child.pid}, switchboard pid ${stack.sb.proc.child.pid}`);
  console.log('call   booth RSS MB  fds   switchboard RSS MB  fds   store KB   media frames booth/adviser');
  for (let i = 1; i <= CALLS; i++) {
    const start = sample(stack);
    let media;
    try {
      media = await oneCall(stack);
    } catch (err) {
      failure = `call ${i}: ${err.message.split('\n').slice(0, 3).join(' ')}`;
      break;
    }
    const end = sample(stack);
    calls.push({ call: i, start, end, media });
    if (i === 1 || i === CALLS) fdsAt[i] = { booth: fdTargets(stack.booth.proc.child.pid), switchboard: fdTargets(stack.sb.proc.child.pid) };
    if (!media.flowing || media.boothAudio === 0 || media.pageAudio === 0) {
      failure = `call ${i}: media did not flow both ways (${JSON.stringify(media)})`;
      break;
    }
    if (i === 1 || i % 25 === 0 || i === CALLS) {
      console.log(
        `${String(i).padStart(4)}   ${fmtMB(end.boothRssKB).padStart(11)} ${String(end.boothFds).padStart(4)}   ${fmtMB(end.sbRssKB).padStart(18)} ${String(end.sbFds).padStart(4)}   ${(end.storeBytes / 1024).toFixed(0).padStart(8)}   ${media.boothVideo}/${media.pageVideo}`,
      );
    }
  }
} catch (err) {
  failure = `set-up: ${err.message.split('\n')[0]}`;
} finally {
  await stack.stop();
}

if (FROM) CALLS = calls.length;
const secs = (Date.now() - t0) / 1000;
const done = calls.filter((c) => c.media.flowing).length;
const ok = failure === null && done === CALLS;
const base = calls[WARMUP - 1]?.end;
const last = calls.at(-1)?.end;
const first = calls[0]?.start;
const row = (figure, kase, relais, unit, target, met, note) => ({ figure, case: kase, relais, reference: null, unit, ratio: null, target, met, note });
// RSS swings by 10-15 MB from one call's end to the next (buffer pools
// and malloc arenas given back or not), so growth is read on the floor:
// the least of the first K ends after the warm-up against the least of the
// last K. Descriptors and the store are read end to end.
const K = Math.max(1, Math.min(20, Math.floor(calls.length / 4)));
const floor = (k, from, to) => Math.min(...calls.slice(from, to).map((c) => c.end[k]));
const grow = (k, div = 1) => {
  if (!ok || !base || !last) return null;
  if (!/Rss/.test(k)) return (last[k] - base[k]) / div;
  return (floor(k, calls.length - K, calls.length) - floor(k, WARMUP, WARMUP + K)) / div;
};
const note = ok ? `least RSS of the ends of calls ${WARMUP + 1}-${WARMUP + K} against calls ${CALLS - K + 1}-${CALLS} (fds: end of call ${WARMUP} to end of call ${CALLS}); at the start of call 1: ` : (failure ?? 'no call');
const range = (k) => (ok ? `; call ends ranged ${fmtMB(Math.min(...calls.map((c) => c.end[k])))}-${fmtMB(Math.max(...calls.map((c) => c.end[k])))} MB, floor ${fmtMB(floor(k, WARMUP, WARMUP + K))} then ${fmtMB(floor(k, calls.length - K, calls.length))} MB` : '');

rows.push(row('calls with media both ways', `${CALLS} calls`, done, 'calls', `${CALLS}`, ok, failure ?? `booth and adviser each decoded video and audio in every call; ${(secs / Math.max(1, calls.length)).toFixed(1)} s per call, ${secs.toFixed(0)} s in all`));
rows.push(row('booth RSS growth', `${CALLS} calls`, grow('boothRssKB', 1024), 'MB', '<= 2 MB', ok ? grow('boothRssKB', 1024) <= 2 : null, ok ? `${note}${fmtMB(first.boothRssKB)} MB, end of call ${WARMUP} ${fmtMB(base.boothRssKB)} MB, end ${fmtMB(last.boothRssKB)} MB${range('boothRssKB')}` : note));
// The booth's RSS climbs over its first tens of calls and then stays
// flat (tests/bench/README-load.md, "Soak"): the same floor read again
// once that settling is over, and the slope of a straight line through
// the call ends from then on (what a leak would show), both recorded.
const SETTLED = 50;
if (ok && calls.length >= SETTLED + 2 * K) {
  const g = (floor('boothRssKB', calls.length - K, calls.length) - floor('boothRssKB', SETTLED, SETTLED + K)) / 1024;
  rows.push(row('booth RSS growth after the first 50 calls', `${CALLS} calls`, g, 'MB', 'recorded', null,
    `least RSS of the ends of calls ${SETTLED + 1}-${SETTLED + K} against calls ${CALLS - K + 1}-${CALLS}: ${fmtMB(floor('boothRssKB', SETTLED, SETTLED + K))} then ${fmtMB(floor('boothRssKB', calls.length - K, calls.length))} MB`));
  const pts = calls.slice(SETTLED).map((c, i) => [SETTLED + i + 1, c.end.boothRssKB]);
  const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length;
  const my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
  const slope = pts.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  rows.push(row('booth RSS per call after the first 50 calls', `${CALLS} calls`, slope, 'KB/call', 'recorded', null,
    `least squares over the ends of calls ${SETTLED + 1}-${CALLS}: ${((slope * 500) / 1024).toFixed(2)} MB over 500 calls at that rate`));
}
rows.push(row('booth open fds growth', `${CALLS} calls`, grow('boothFds'), 'fds', '0', ok ? grow('boothFds') <= 0 : null, ok ? `${note}${first.boothFds}, end of call ${WARMUP} ${base.boothFds}, end ${last.boothFds}` : note));
rows.push(row('switchboard RSS growth', `${CALLS} calls`, grow('sbRssKB', 1024), 'MB', '<= 2 MB', ok ? grow('sbRssKB', 1024) <= 2 : null, ok ? `${note}${fmtMB(first.sbRssKB)} MB, end of call ${WARMUP} ${fmtMB(base.sbRssKB)} MB, end ${fmtMB(last.sbRssKB)} MB${range('sbRssKB')}` : note));
rows.push(row('switchboard open fds growth', `${CALLS} calls`, grow('sbFds'), 'fds', '0', ok ? grow('sbFds') <= 0 : null, ok ? `${note}${first.sbFds}, end of call ${WARMUP} ${base.sbFds}, end ${last.sbFds}` : note));
rows.push(row('store size growth per call', `${CALLS} calls`, grow('storeBytes', 1024 * Math.max(1, CALLS - WARMUP)), 'KB/call', 'none (recorded)', null, ok ? `data folder ${(base.storeBytes / 1024).toFixed(0)} KB after call ${WARMUP}, ${(last.storeBytes / 1024).toFixed(0)} KB after call ${CALLS} (SQLite, WAL included)` : note));

fs.mkdirSync(path.join(OUT, 'soak'), { recursive: true });
fs.writeFileSync(path.join(OUT, 'soak.json'), `${JSON.stringify({ part: 'soak', rows }, null, 1)}\n`);
if (!FROM) fs.writeFileSync(path.join(OUT, 'soak', 'calls.json'), `${JSON.stringify(calls)}\n`);
if (!FROM && fdsAt[1]) fs.writeFileSync(path.join(OUT, 'soak', 'fds.json'), `${JSON.stringify(fdsAt, null, 1)}\n`);
console.log('');
for (const r of rows) {
  const v = r.relais === null ? 'n/a' : Number.isInteger(r.relais) ? String(r.relais) : r.relais.toFixed(2);
  console.log(`${r.figure.padEnd(30)} ${v.padStart(8)} ${r.unit.padEnd(8)} target ${r.target.padEnd(16)} ${r.met === null ? '' : r.met ? 'met' : 'MISSED'}  ${r.note}`);
}
// a descriptor more at the end than after call 1: what it is
for (const who of ['booth', 'switchboard']) {
  const a = fdsAt[1]?.[who];
  const b = fdsAt[CALLS]?.[who];
  if (!a || !b || Object.keys(b).length <= Object.keys(a).length) continue;
  const was = Object.values(a);
  const more = Object.entries(b).filter(([fd, t]) => a[fd] !== t && !was.includes(t));
  for (const [fd, t] of more) console.log(`${who}: fd ${fd} at the end of call ${CALLS} was not there after call 1: ${t}`);
}
console.log(`\nwrote ${path.join(OUT, 'soak.json')} (per-call samples: ${path.join(OUT, 'soak', 'calls.json')})`);
process.exitCode = ok ? 0 : 1;
