// SPDX-License-Identifier: GPL-2.0-or-later
// A camera or microphone lost mid-call (issue 13, scenario 7): the real
// booth (sim board, touch UI drawn off screen) in a call with Chromium's
// console. The sim board's unplug (relais-boothctl sim-device) makes the
// source element itself fail as a USB camera's does on unplug; the booth
// keeps the call with the other medium, its screen says what happened, the
// console shows it, and the device is taken back when it returns. Then a
// camera lost before the call: the call starts on black frames and takes
// the camera when it is back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries, outFile } from './lib/env.mjs';
import { Stack, requestAndAccept, waitMedia, endFromPage, until } from './lib/scenario.mjs';
import { UI_ARGS, UI_ENV, callFromBooth } from './lib/boothui.mjs';
import { readPng } from './lib/png.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const green = (px) => px[1] > 120 && px[1] > px[0] + 50 && px[1] > px[2] + 50; // Chromium's fake frames

// The share of Chromium's green in each row of a booth screenshot.
async function greenRows(ctl, name) {
  const file = outFile(`booth-devlost-${name}.png`);
  await ctl.screenshot(file);
  const img = readPng(file);
  const rows = [];
  for (let y = 0; y < img.height; y++) {
    let n = 0;
    for (let x = 0; x < img.width; x++) if (green(img.pixel(x, y))) n++;
    rows.push(n / img.width);
  }
  return rows;
}

// Rows that showed the adviser's picture (green) before and are covered now.
const covered = (before, now) => before.filter((g, y) => g > 0.3 && now[y] < 0.02).length;

// The adviser's picture of the booth: mean of its pixels (0..255), drawn
// from the <video> the console shows.
function pictureMean(page) {
  return page.evaluate(() => {
    const v = document.querySelector('[data-testid="remote-video"]') ?? document.querySelector('video');
    if (!v || !v.videoWidth) return -1;
    const c = document.createElement('canvas');
    c.width = 64;
    c.height = 48;
    const g = c.getContext('2d');
    g.drawImage(v, 0, 0, 64, 48);
    const d = g.getImageData(0, 0, 64, 48).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
    return sum / (d.length / 4) / 3;
  });
}

async function devices(ctl) {
  return (await ctl.status()).devices;
}

// The page's counter `key` of inbound `kind` rises by `more`.
async function rising(stack, kind, key, more, what) {
  const first = (await stack.pageStats())?.[kind]?.[key] ?? 0;
  let last = first;
  await until(
    async () => {
      last = (await stack.pageStats())?.[kind]?.[key] ?? 0;
      return last >= first + more;
    },
    { timeout: 15000, interval: 200, what },
  ).catch((err) => {
    err.message += ` (from ${first} to ${last})`;
    throw err;
  });
  return last - first;
}

async function deviceState(stack, device, state, { band } = {}) {
  const ctl = stack.booth.ctl;
  let last;
  await until(
    async () => {
      const s = await ctl.status();
      last = { devices: s.devices, state: s.state, visitor: s.visitor && { camera_lost: s.visitor.camera_lost, mic_lost: s.visitor.mic_lost } };
      if (s.devices?.[device]?.state !== state || s.state !== 'in_call') return false;
      if (band !== undefined && s.visitor?.[device === 'camera' ? 'camera_lost' : 'mic_lost'] !== band) return false;
      return true;
    },
    { timeout: 20000, interval: 150, what: `booth's ${device} ${state}` },
  ).catch((err) => {
    err.message += ` (last: ${JSON.stringify(last)})`;
    throw err;
  });
}

const pill = (page) => page.locator('[data-testid="call-devices"]');

test('a camera or microphone lost mid-call: the call goes on, both ends are told, the device is taken back', { skip, timeout: 180000 }, async (t) => {
  const stack = new Stack('devlost');
  t.after(() => stack.stop());
  await stack.run(async () => {
    await stack.start({ boothArgs: UI_ARGS, boothEnv: UI_ENV });
    const { page } = stack;
    const ctl = stack.booth.ctl;
    await callFromBooth(stack);
    await waitMedia(stack);
    assert.deepEqual(await devices(ctl), { camera: { state: 'ok', tries: 0 }, microphone: { state: 'ok', tries: 0 } });
    await until(async () => (await ctl.visitor()).remote_picture, { timeout: 10000, what: 'the adviser on the booth' });
    const before = await greenRows(ctl, 'before');
    assert.ok(before.filter((g) => g > 0.3).length > 100, 'the adviser\'s picture is on the booth\'s screen');
    let mean = 0;
    await until(async () => (mean = await pictureMean(page)) > 20, { timeout: 10000, what: 'the booth\'s picture at the console' });
    t.diagnostic(`booth's picture at the console: mean ${mean.toFixed(1)}`);

    // The camera lost: the call goes on with sound, black frames keep the
    // adviser's decoder going, both screens say so.
    await ctl.run('sim-device', 'camera', 'lost');
    await deviceState(stack, 'camera', 'lost', { band: true });
    await pill(page).waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await pill(page).innerText(), /visitor's camera stopped working/);
    const audio = await rising(stack, 'inboundAudio', 'packetsReceived', 100, 'audio packets at the console while the camera is lost');
    await until(async () => (mean = await pictureMean(page)) >= 0 && mean < 8, { timeout: 10000, what: 'black frames at the console' });
    const lostRows = await greenRows(ctl, 'camera-lost');
    await stack.screenshot('devlost-console-camera-lost.png');
    const band = covered(before, lostRows);
    t.diagnostic(`camera lost: ${audio} more audio packets at the console, picture mean ${mean.toFixed(1)}, band over ${band} rows of the adviser's picture`);
    assert.ok(band >= 40, `a band over the adviser's picture on the booth (${band} rows)`);
    await until(async () => (await devices(ctl)).camera.tries >= 1, { timeout: 15000, what: 'a failed try while unplugged' });
    assert.equal((await ctl.status()).state, 'in_call');

    // Back: the picture at the console again, the band and the pill gone.
    await ctl.run('sim-device', 'camera', 'back');
    await deviceState(stack, 'camera', 'ok', { band: false });
    await until(async () => (mean = await pictureMean(page)) > 20, { timeout: 15000, what: 'the booth\'s picture back at the console' });
    await pill(page).waitFor({ state: 'hidden', timeout: 10000 });
    await rising(stack, 'inboundVideo', 'framesDecoded', 30, 'video frames at the console after the camera came back');
    const backRows = await greenRows(ctl, 'camera-back');
    assert.ok(covered(before, backRows) < 10, 'no band once the camera is back');

    // The microphone lost: video goes on; silence keeps the audio stream.
    await ctl.run('sim-device', 'microphone', 'lost');
    await deviceState(stack, 'microphone', 'lost', { band: true });
    await pill(page).waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await pill(page).innerText(), /visitor's microphone stopped working/);
    const frames = await rising(stack, 'inboundVideo', 'framesDecoded', 60, 'video frames at the console while the microphone is lost');
    const micRows = await greenRows(ctl, 'mic-lost');
    assert.ok(covered(before, micRows) >= 40, 'a band over the adviser\'s picture for the microphone too');
    assert.ok((await pictureMean(page)) > 20, 'the booth\'s picture goes on');
    await ctl.run('sim-device', 'microphone', 'back');
    await deviceState(stack, 'microphone', 'ok', { band: false });
    await pill(page).waitFor({ state: 'hidden', timeout: 10000 });
    await rising(stack, 'inboundAudio', 'packetsReceived', 50, 'audio packets after the microphone came back');
    t.diagnostic(`microphone lost: ${frames} more video frames at the console; back`);

    // Never a crash, never out of order: the call ends as usual.
    const status = await ctl.status();
    assert.equal(status.state, 'in_call');
    assert.equal(status.media.media_restarts, 0);
    await page.locator('[data-testid="end-btn"]').click();
    await page.waitForSelector('body[data-state="idle"]', { timeout: 5000 });
    await until(async () => (await ctl.status()).state === 'idle', { timeout: 10000, what: 'booth back to idle' });
    assert.equal(stack.booth.proc.exitCode ?? null, null, 'the booth is still running');
  });
});

test('a camera lost before the call: the call starts without it and takes it when it comes back', { skip, timeout: 120000 }, async (t) => {
  const stack = new Stack('devlost-before');
  t.after(() => stack.stop());
  await stack.run(async () => {
    await stack.start();
    const { page } = stack;
    const ctl = stack.booth.ctl;
    await ctl.run('sim-device', 'camera', 'lost');
    await requestAndAccept(stack);
    await waitMedia(stack, { minFrames: 30 });
    await deviceState(stack, 'camera', 'lost');
    // told with the call
    await pill(page).waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await pill(page).innerText(), /camera stopped working/);
    let mean = -1;
    await until(async () => (mean = await pictureMean(page)) >= 0 && mean < 8, { timeout: 10000, what: 'black frames at the console' });
    await rising(stack, 'inboundAudio', 'packetsReceived', 50, 'audio packets at the console');

    await ctl.run('sim-device', 'camera', 'back');
    await deviceState(stack, 'camera', 'ok');
    await until(async () => (mean = await pictureMean(page)) > 20, { timeout: 15000, what: 'the booth\'s picture at the console' });
    await pill(page).waitFor({ state: 'hidden', timeout: 10000 });
    t.diagnostic(`camera back during the call: picture mean ${mean.toFixed(1)} at the console`);
    await endFromPage(stack);

    // the next call is whole again
    await requestAndAccept(stack);
    await waitMedia(stack);
    assert.equal((await ctl.status()).devices.camera.state, 'ok');
    assert.ok((await pictureMean(page)) > 20);
    await endFromPage(stack);
  });
});
