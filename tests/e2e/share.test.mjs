// SPDX-License-Identifier: GPL-2.0-or-later
// Screen sharing: a real booth with its touch UI (off screen) and a real
// Chromium adviser whose getDisplayMedia is Chromium's fake display capture
// (--use-fake-device-for-media-stream gives a 1280x720 "screen:" source,
// --use-fake-ui-for-media-stream picks it without a picker). The adviser
// shares: the booth decodes the screen m-line, shows it large with the
// adviser's face small and the visitor's own picture smaller; the button and
// the browser ending the track (its "Stop sharing" bar) both give the normal
// layout back. A booth may not send `share`; nobody may outside the call.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries, outFile } from './lib/env.mjs';
import { UI_ARGS, UI_ENV, SCREEN_ARGS, screen, callFromBooth } from './lib/boothui.mjs';
import { Stack, until, sleep } from './lib/scenario.mjs';
import { scriptedAdviser, scriptedBooth } from './lib/scripted.mjs';
import { readPng } from './lib/png.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;


const CAPTION = [0x10, 0x18, 0x1e]; // the caption band over the shared screen
const near = (p, q, tol = 12) => p.every((v, i) => Math.abs(v - q[i]) <= tol);
const green = ([r, g, b]) => g > 120 && g > r + 50 && g > b + 50; // Chromium's fake frames
const grey = ([r, g, b]) => Math.abs(r - g) < 40 && Math.abs(g - b) < 40; // the booth's test pattern
const overlap = (a, b) => a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];

async function boothShot(ctl, name) {
  const file = outFile(`booth-share-${name}.png`);
  await ctl.screenshot(file);
  return readPng(file);
}

// The booth says "sharing", screen frames keep arriving and the UI drew the
// shared layout. Returns the status.
async function waitShown(ctl) {
  let s;
  await until(
    async () => {
      s = await ctl.status();
      return s.screen_sharing && s.media.screen_frames_received > 5 && s.visitor.screen_shown;
    },
    { timeout: 20000, interval: 250, what: 'the shared screen on the booth' },
  ).catch((err) => {
    err.message += ` (last: ${JSON.stringify({ sharing: s?.screen_sharing, media: s?.media, visitor: s?.visitor })})`;
    throw err;
  });
  const n = s.media.screen_frames_received;
  await until(async () => (s = await ctl.status()).media.screen_frames_received > n + 5, {
    timeout: 10000,
    what: 'screen frames increasing',
  });
  return s;
}

// Back to the adviser's face: no sharing, no screen picture, no shared layout.
async function waitNormal(ctl) {
  let v;
  await until(
    async () => {
      const s = await ctl.status();
      v = s.visitor;
      return !s.screen_sharing && !v.screen_shown && !v.screen_picture && v.remote_picture;
    },
    { timeout: 10000, interval: 200, what: 'the normal call layout back' },
  ).catch((err) => {
    err.message += ` (last: ${JSON.stringify(v)})`;
    throw err;
  });
}

// The screen m-line's sender in the adviser's page: its negotiated
// direction and its track's label (null: none); the m-line is the offer's
// third (Chromium re-serialises remoteDescription without a=content).
async function screenSenderTrack(page) {
  const s = await page.evaluate(() => {
    const sdp = window.relais.pc?.remoteDescription?.sdp ?? '';
    const third = sdp.split(/\r?\n(?=m=)/)[3] ?? '';
    return { ...window.relais.screenSender, offerMid: third.match(/^a=mid:(\S+)/m)?.[1] };
  });
  assert.equal(s.mid, s.offerMid, 'the screen is the m-line the booth offered for it');
  return { direction: s.direction, track: s.track };
}

test('share: the adviser shows their screen on the booth, large, and stops (button, then the browser)', { skip, timeout: 240000 }, async (t) => {
  const stack = new Stack('share');
  t.after(() => stack.stop());
  await stack.run(async () => {
    await stack.start({ boothArgs: UI_ARGS, boothEnv: UI_ENV, browserArgs: SCREEN_ARGS });
    const { page } = stack;
    const ctl = stack.booth.ctl;
    const btn = page.locator('[data-testid="share-btn"]');
    assert.equal(await btn.isDisabled(), true, 'no call: nothing to share');

    await callFromBooth(stack);
    await until(async () => {
      const v = await ctl.visitor();
      return v.remote_picture && v.local_picture;
    }, { timeout: 15000, what: "the adviser's and the visitor's pictures" });

    // the booth's offer: the screen m-line answered sendonly, nothing on it yet
    assert.deepEqual(await screenSenderTrack(page), { direction: 'sendonly', track: null });
    let s = await ctl.status();
    assert.equal(s.screen_sharing, false);
    assert.equal(s.media.screen_frames_received, 0, 'nothing arrives on the screen m-line before sharing');
    assert.equal(s.visitor.screen_shown, false);
    const before = await boothShot(ctl, 'before');

    // a refused or cancelled picker: a clear message, nothing shared
    await page.evaluate(() => {
      const real = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getDisplayMedia = () => {
        navigator.mediaDevices.getDisplayMedia = real; // once
        return Promise.reject(new DOMException('Permission denied by user', 'NotAllowedError'));
      };
    });
    await until(async () => !(await btn.isDisabled()), { timeout: 10000, what: 'the share button enabled in the call' });
    await btn.click();
    await until(async () => /cancelled or refused/i.test(await page.locator('[data-testid="toast"]').innerText()), {
      timeout: 5000,
      what: 'the refusal explained',
    });
    assert.equal(await page.evaluate(() => document.body.dataset.share), 'off');
    assert.equal((await ctl.status()).screen_sharing, false);

    // share: the page, then the booth
    await btn.click();
    await page.waitForSelector('body[data-share="on"]', { timeout: 10000 });
    assert.equal(await btn.innerText(), 'Stop sharing');
    assert.equal(await btn.getAttribute('aria-pressed'), 'true');
    assert.ok(await page.locator('[data-testid="share-state"]').isVisible(), 'the page says it shares');
    const sender = await screenSenderTrack(page);
    assert.equal(sender.direction, 'sendonly');
    assert.match(sender.track, /^screen:/, 'the display track is on the screen m-line');
    s = await waitShown(ctl);
    const sent = (await stack.pageStats()).outboundScreen;
    assert.ok(sent?.framesEncoded > 0, `the page encodes the screen on its m-line: ${JSON.stringify(sent)}`);
    // the screen is decoded at its own size, the camera stays the camera
    assert.equal(s.media.screen_width, 1280);
    assert.equal(s.media.screen_height, 720);
    assert.equal(s.media.video_width, 640, "the adviser's camera is still the camera stream");
    const cam = s.media.video_frames_received;
    await until(async () => (await ctl.status()).media.video_frames_received > cam + 15, { timeout: 10000, what: "the adviser's camera still arriving" });

    // the layout (the same as a document's): the screen large on the left
    // under its caption, the adviser's face smaller in a column on the right,
    // the visitor's own picture smaller still under it, nothing over the screen
    const { screen: scr, face, own } = s.visitor.screen_layout;
    const shot = await boothShot(ctl, 'sharing');
    const area = (r) => r[2] * r[3];
    assert.ok(area(scr) > 0.4 * shot.width * shot.height, `the screen is large: ${scr}`);
    assert.ok(area(face) < area(scr) / 3 && area(own) < area(face), `face ${face} and own ${own} smaller, own smallest`);
    assert.ok(!overlap(face, scr) && !overlap(own, scr), 'nothing of the screen hidden by the pictures');
    assert.ok(face[0] >= scr[0] + scr[2] && face[1] < scr[1], 'the face on the right, at the top');
    const mid = (r) => [r[0] + r[2] / 2, r[1] + r[3] / 2];
    assert.ok(green(shot.at(...mid(scr))), `the large area shows the shared screen, not the camera pattern: ${shot.at(...mid(scr))}`);
    assert.ok(grey(shot.at(...mid(own))), `the visitor's own picture (test pattern) is in its box: ${shot.at(...mid(own))}`);
    assert.ok(near(shot.at(own[0] - 2, own[1] + own[3] / 2), [255, 255, 255], 16), "the own picture's white frame");
    const cap = [scr[0] + 14, scr[1] - 20];
    assert.ok(near(shot.at(...cap), CAPTION), `the caption band over the screen: ${shot.at(...cap)}`);
    assert.ok(!near(before.at(...cap), CAPTION), 'no caption before sharing');
    // the camera badge stays on (privacy), top-left on the adviser's face
    const badge = shot.at(face[0] + 8 + 20, face[1] + 8 + 20);
    assert.ok(badge[0] > 200 && badge[1] < 110, `the red dot of the camera badge: ${badge}`);

    // the booth's switchboard link drops while sharing: the call is resumed
    // and the screen stays (media is peer to peer, the state is the booth's)
    const linked = await ctl.status();
    await ctl.run('drop-link');
    await until(async () => {
      const x = await ctl.status();
      return x.reconnects === linked.reconnects + 1 && x.link === 'up';
    }, { timeout: 10000, what: 'the link back' });
    assert.equal((await ctl.status()).call, linked.call);
    await waitShown(ctl);
    await stack.screenshot('share-console.png');

    // frames stop without a word (the sender emptied behind the page's back):
    // the booth gives the adviser's face back, and the screen with new frames
    const setScreenTrack = (on) =>
      page.evaluate((on) => {
        const { mid } = window.relais.screenSender;
        const sender = window.relais.pc.getTransceivers().find((t) => t.mid === mid).sender;
        return sender.replaceTrack(on ? window.relais.screenStream.getVideoTracks()[0] : null);
      }, on);
    await setScreenTrack(false);
    await until(async () => {
      const x = await ctl.status();
      return x.screen_sharing && !x.visitor.screen_shown && x.visitor.remote_picture;
    }, { timeout: 25000, interval: 500, what: "the adviser's face back when the screen's frames stop" });
    await setScreenTrack(true);
    await waitShown(ctl);

    // stop with the button: off on the booth, nothing on the sender
    await btn.click();
    await page.waitForSelector('body[data-share="off"]', { timeout: 5000 });
    assert.equal(await btn.innerText(), 'Share screen');
    assert.equal((await screenSenderTrack(page)).track, null);
    await waitNormal(ctl);
    const n = (await ctl.status()).media.screen_frames_received;
    await sleep(1500);
    assert.ok((await ctl.status()).media.screen_frames_received <= n + 2, 'no screen frames after stopping');
    const after = await boothShot(ctl, 'after');
    assert.ok(!near(after.at(...cap), CAPTION), 'no caption after sharing');
    assert.ok(green(after.at(...mid(scr))), "the adviser's camera fills the large area again");

    // again, then the browser ends the track (Chromium's "Stop sharing" bar):
    // the page says stop by itself
    await btn.click();
    await page.waitForSelector('body[data-share="on"]', { timeout: 10000 });
    await waitShown(ctl);
    await page.evaluate(() => {
      const track = window.relais.screenStream.getVideoTracks()[0];
      track.stop();
      track.dispatchEvent(new Event('ended')); // what the browser does when its bar is clicked
    });
    await page.waitForSelector('body[data-share="off"]', { timeout: 5000 });
    await waitNormal(ctl);

    // sharing at the end of a call stops with it
    await btn.click();
    await page.waitForSelector('body[data-share="on"]', { timeout: 10000 });
    await waitShown(ctl);
    await page.locator('[data-testid="end-btn"]').click();
    await page.waitForSelector('body[data-state="idle"]', { timeout: 5000 });
    assert.equal(await page.evaluate(() => document.body.dataset.share), 'off');
    assert.equal(await page.evaluate(() => window.relais.screenStream), null);
    assert.equal(await btn.isDisabled(), true);
    await until(async () => (await ctl.status()).state !== 'in_call', { timeout: 10000, what: 'the booth out of the call' });
    s = await ctl.status();
    assert.equal(s.screen_sharing, false);
    assert.equal(s.visitor.screen_picture, false);
  });
});

test('share: refused from a booth, and outside the call', { skip, timeout: 120000 }, async (t) => {
  const stack = new Stack('share-refused');
  const sockets = [];
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await stack.stop();
  });
  await stack.run(async () => {
    await stack.start({ boothArgs: UI_ARGS, boothEnv: UI_ENV });
    const { sb } = stack;
    // a booth may never send it, in a call or not
    const booth = await scriptedBooth(sb, 'share-b', 'Scripted', sockets);
    const e1 = await booth.request({ type: 'share', call: 'c-1', state: 'on' }, 'error');
    assert.equal(e1.code, 'direction');
    assert.equal(e1.ref, 'share');
    // an adviser outside any call
    const { ws } = await scriptedAdviser(sb, { name: 'Other', sockets });
    const e2 = await ws.request({ type: 'share', call: 'c-1', state: 'on' }, 'error');
    assert.equal(e2.code, 'state');
    // malformed
    const e3 = await ws.request({ type: 'share', call: 'c-1', state: 'yes' }, 'error');
    assert.equal(e3.code, 'field');

    // a call between the real booth and the page: another adviser naming it
    // is refused and the booth does not show anything
    const ctl = stack.booth.ctl;
    await callFromBooth(stack, { language: 'fr' });
    const call = (await ctl.status()).call;
    const e4 = await ws.request({ type: 'share', call, state: 'on' }, 'error');
    assert.equal(e4.code, 'state');
    await sleep(500);
    assert.equal((await ctl.status()).screen_sharing, false);
  });
});

// An adviser without camera or microphone (refused): the console answers
// receive-only, and still shares a screen on the screen m-line.
const NO_CAMERA = () => {
  navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
};

test('share: a receive-only adviser (no camera) shares their screen', { skip, timeout: 180000 }, async (t) => {
  const stack = new Stack('share-recvonly');
  t.after(() => stack.stop());
  await stack.run(async () => {
    await stack.start({ boothArgs: UI_ARGS, boothEnv: UI_ENV, browserArgs: SCREEN_ARGS, pageInit: NO_CAMERA });
    const { page } = stack;
    const ctl = stack.booth.ctl;
    await page.waitForSelector('body[data-media="recvonly"]', { timeout: 10000 });
    await callFromBooth(stack);
    await until(async () => (await ctl.visitor()).local_picture, { timeout: 10000, what: "the visitor's own picture" });
    const btn = page.locator('[data-testid="share-btn"]');
    await until(async () => !(await btn.isDisabled()), { timeout: 10000, what: 'the share button enabled' });
    await btn.click();
    await page.waitForSelector('body[data-share="on"]', { timeout: 10000 });
    const s = await waitShown(ctl);
    assert.equal(s.media.video_frames_received, 0, 'no camera from the adviser: only the screen arrives');
    assert.equal((await stack.pageStats()).outboundVideo, null, 'nothing on the camera m-line');
    // the face box shows the placeholder background: there is no face; the
    // screen's frames are what arrives, so the call is not "reconnecting"
    assert.equal(s.visitor.remote_picture, false);
    // (without camera and microphone it was "reconnecting" for the whole call)
    await sleep(3000);
    let st;
    await until(async () => (st = await ctl.status()).visitor.reconnecting === false, {
      timeout: 10000,
      what: 'screen frames counted as media from the adviser',
    }).catch((err) => {
      err.message += ` (media: ${JSON.stringify(st?.media)})`;
      throw err;
    });
    await boothShot(ctl, 'recvonly');
    await btn.click();
    await page.waitForSelector('body[data-share="off"]', { timeout: 5000 });
    await until(async () => {
      const x = await ctl.status();
      return !x.screen_sharing && !x.visitor.screen_shown;
    }, { timeout: 10000, what: 'the call layout back' });
  });
});
