// SPDX-License-Identifier: GPL-2.0-or-later
// The camera content both booths send: one Y4M clip made once with
// GStreamer (cached in the build folder), given to Chromium as its fake
// camera (--use-file-for-fake-video-capture) and to relais-booth as the
// same frames, one raw I420 file each, read in a loop at the frame rate by
// a media.conf made from the sim board's (multifilesrc ! rawvideoparse !
// clocksync: one frame in memory at a time, where a single looping file
// would be read whole into one buffer).

import fs from 'node:fs';
import path from 'node:path';
import { run } from '../e2e/lib/procs.mjs';

// The SMPTE bars scrolling 4 px a frame at 640 wide (8 at 1280): the clip
// loops without a jump after width/speed frames.
export async function makeClip(outDir, { width, height, fps }) {
  const speed = Math.max(1, Math.round(width / 160));
  const frames = Math.round(width / speed);
  const dir = path.join(outDir, `clip-${width}x${height}@${fps}`);
  const y4m = path.join(dir, 'clip.y4m');
  const framesDir = path.join(dir, 'frames');
  const done = path.join(dir, 'done');
  if (fs.existsSync(done)) return { y4m, framesDir, frames };
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(framesDir, { recursive: true });
  const r = await run('gst-launch-1.0', [
    '-q', 'videotestsrc', 'pattern=smpte', `horizontal-speed=${speed}`, `num-buffers=${frames}`,
    '!', `video/x-raw,format=I420,width=${width},height=${height},framerate=${fps}/1`,
    '!', 'y4menc', '!', 'filesink', `location=${y4m}`,
  ], { timeout: 120000 });
  if (r.code !== 0) throw new Error(`making the clip failed: ${r.stderr}`);
  // the same frames without the Y4M framing
  const data = fs.readFileSync(y4m);
  const size = (width * height * 3) / 2;
  let at = data.indexOf(0x0a) + 1;
  let n = 0;
  while (at < data.length) {
    if (data.toString('latin1', at, at + 6) !== 'FRAME\n') throw new Error(`${y4m}: no FRAME at ${at}`);
    at += 6;
    fs.writeFileSync(path.join(framesDir, `f${String(n).padStart(5, '0')}.i420`), data.subarray(at, at + size));
    at += size;
    n++;
  }
  if (n !== frames) throw new Error(`${y4m}: ${n} frames, expected ${frames}`);
  fs.writeFileSync(done, `${frames}\n`);
  return { y4m, framesDir, frames };
}

// Encoders for relais-booth per codec, tuned as the sim board's VP8 is
// (real time, CBR, no look-ahead, key frames on request).
const ENCODERS = {
  VP8: null, // the sim board's own line
  H264:
    'x264enc tune=zerolatency speed-preset=ultrafast bitrate=${bitrate} vbv-buf-capacity=400 key-int-max=150 threads=1 ! ' +
    'video/x-h264,profile=constrained-baseline ! rtph264pay pt=102 mtu=1200 config-interval=-1 aggregate-mode=zero-latency',
};
const DECODERS = { VP8: null, H264: 'rtph264depay request-keyframe=true wait-for-keyframe=true ! avdec_h264' };

// A pipelines folder for the booth (pass as --pipelines, board sim): the sim
// board's media.conf with the clip as camera and the case's size, rate,
// codec and bitrate. Everything else (audio, echo canceller, RTP latency)
// stays the sim board's.
export function writeBoardConf(pipelinesTop, outDir, clip, { width, height, fps, codec, kbps }) {
  let conf = fs.readFileSync(path.join(pipelinesTop, 'sim', 'media.conf'), 'utf8');
  const [video, ...rest] = conf.split(/^\[audio\]$/m);
  let v = video;
  const set = (key, value) => {
    const re = new RegExp(`^${key}=.*$`, 'm');
    v = re.test(v) ? v.replace(re, `${key}=${value}`) : v.replace(/^\[video\]$/m, `[video]\n${key}=${value}`);
  };
  const drop = (key) => (v = v.replace(new RegExp(`^${key}=.*\\n`, 'm'), ''));
  set('codec', codec);
  set('width', width);
  set('height', height);
  set('framerate', fps);
  set('bitrate', kbps);
  drop('device');
  drop('fallback');
  set('source',
    `multifilesrc location=${clip.framesDir}/f%05d.i420 index=0 stop-index=${clip.frames - 1} loop=true ! ` +
      `rawvideoparse format=i420 width=${width} height=${height} framerate=${fps}/1 ! clocksync ! ` +
      'video/x-raw,format=I420,width=${width},height=${height},framerate=${framerate}/1');
  if (ENCODERS[codec]) set('encoder', ENCODERS[codec]);
  if (DECODERS[codec]) set('decoder', DECODERS[codec]);
  conf = [v, ...rest].join('[audio]');
  const dir = path.join(outDir, 'pipelines', `${width}x${height}-${codec}-${kbps}`);
  fs.mkdirSync(path.join(dir, 'sim'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'sim', 'media.conf'), conf);
  return dir;
}
