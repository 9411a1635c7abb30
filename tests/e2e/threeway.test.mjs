// SPDX-License-Identifier: GPL-2.0-or-later
// Three-way media on a real booth (THREEWAY.md "Booth media", "Booth
// layouts"): a real relais-booth with its touch UI (off screen), a real
// Chromium console as the adviser and a second real Chromium as the guest.
// The guest uses the project's guest page (assets/web/guest.html: the
// invitation link, a name, the camera check, Join) and the visitor lets
// them in with a tap on the booth's screen. The booth builds the guest's
// connection on the ask and sends its offer once the visitor said yes; then
// every end decodes frames from every other end and gets audio packets (the
// booth's media.guest_media, the guest page's and the console's getStats()),
// and the adviser's call keeps its frames flowing all along. Chat (the
// booth's on-screen keyboard, the guest page, the console) reaches all
// three. The guest is removed, a second one (an interpreter) joins in the
// same call, then leaves; the layouts are checked by the screenshot's
// pixels, the visitor's own picture clear of the pictures and their names.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries, outFile } from './lib/env.mjs';
import { UI_ARGS, UI_ENV, callFromBooth } from './lib/boothui.mjs';
import { Stack, until, waitMedia } from './lib/scenario.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { readPng } from './lib/png.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const green = ([r, g, b]) => g > 120 && g > r + 50 && g > b + 50; // Chromium's fake camera
const grey = ([r, g, b]) => Math.abs(r - g) < 40 && Math.abs(g - b) < 40; // the booth's test pattern
const overlap = (a, b) => a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
const mid = (r) => [Math.floor(r[0] + r[2] / 2), Math.floor(r[1] + r[3] / 2)];
const NAME_BAND = [0x10, 0x18, 0x1e]; // the band under each picture with its name
const near = (p, q, tol = 12) => p.every((v, i) => Math.abs(v - q[i]) <= tol);

// The booth draws the three-way layout `kind`; returns the layout and a
// screenshot of it (its pixels).
async function threeShown(ctl, kind) {
  let v;
  await until(async () => {
    v = (await ctl.status()).visitor;
    return v.guest_picture && v.three_layout?.kind === kind;
  }, { timeout: 10000, what: `the ${kind} layout on the booth` }).catch((err) => {
    err.message += ` (last: ${JSON.stringify(v?.three_layout)})`;
    throw err;
  });
  const file = outFile(`booth-threeway-${kind}.png`);
  await ctl.screenshot(file);
  return { layout: (await ctl.status()).visitor.three_layout, shot: readPng(file) };
}

// Both remote pictures show a camera (Chromium's green), the visitor's own
// picture the booth's test pattern, names on their bands under the pictures,
// nothing over anything.
function checkPictures({ layout, shot }) {
  const { guest, face, own } = layout;
  assert.ok(greenShare(shot, guest) > 0.5, `the guest's camera in its box ${guest}`);
  assert.ok(greenShare(shot, face) > 0.5, `the adviser's camera in its box ${face}`);
  assert.ok(grey(shot.pixel(...mid(own))), `the visitor's own picture in its box ${own}: ${shot.pixel(...mid(own))}`);
  assert.ok(!overlap(guest, face) && !overlap(own, guest) && !overlap(own, face), `no picture over another: ${JSON.stringify(layout)}`);
  for (const r of [guest, face]) {
    const band = shot.pixel(r[0] + 4, r[1] + r[3] + 4);
    assert.ok(near(band, NAME_BAND), `a name band under ${r}: ${band}`);
    // the band's height as drawn (its colour down from the picture's foot,
    // clear of its rounded corner and of the centred name): the own picture
    // clear of it
    const bx = r[0] + Math.floor(r[2] / 8);
    let h = 0;
    while (r[1] + r[3] + h < shot.height && near(shot.pixel(bx, r[1] + r[3] + h), NAME_BAND, 40)) h++;
    const nameBand = [r[0], r[1], r[2], r[3] + h];
    assert.ok(!overlap(own, nameBand), `the own picture ${own} clear of the picture and its name ${nameBand}`);
  }
  assert.ok(own[0] + own[2] > shot.width * 0.8 && own[1] > shot.height * 0.5, `the own picture in the bottom right corner: ${own}`);
}

// The share of the box's pixels (a grid of samples) that are Chromium's
// green: its fake camera's picture, from the adviser or the guest.
function greenShare(png, [x, y, w, h]) {
  let n = 0;
  let hit = 0;
  for (let j = 0; j < 12; j++)
    for (let i = 0; i < 12; i++) {
      n++;
      if (green(png.pixel(Math.floor(x + ((i + 0.5) * w) / 12), Math.floor(y + ((j + 0.5) * h) / 12)))) hit++;
    }
  return hit / n;
}

test('threeway: a guest joins the call on the booth, is removed, a second joins', { skip, timeout: 300000 }, async (t) => {
  const stack = new Stack('threeway');
  let guestBrowser = null;
  t.after(async () => {
    await guestBrowser?.close();
    await stack.stop();
  });
  await stack.run(async () => {
    await stack.start({ boothArgs: UI_ARGS, boothEnv: UI_ENV });
    const { page, sb } = stack;
    const ctl = stack.booth.ctl;
    await callFromBooth(stack);
    await waitMedia(stack, { minFrames: 30 });

    guestBrowser = await launchAdviser({ dir: stack.dir, name: 'guest-chromium' });
    const g = guestBrowser.page;

    const media = async () => (await ctl.status()).media;
    // the adviser's frames, at both ends, keep moving
    const adviserFlows = async () => {
      const [b0, p0] = [(await media()).video_frames_received, (await stack.pageStats()).inboundVideo.framesDecoded];
      await until(
        async () => (await media()).video_frames_received > b0 + 10 && (await stack.pageStats()).inboundVideo.framesDecoded > p0 + 10,
        { timeout: 10000, what: "the adviser's call still carrying frames both ways" },
      );
    };

    // The adviser invites `role` from the console; the guest opens the
    // link in the real guest page, gives a name, passes the camera check
    // and joins; the booth shows the ask, its guest connection ready but
    // no offer sent. The visitor taps "Let them in"; then every end
    // decodes frames from every other end and gets audio packets: the
    // booth from the guest (media.guest_media), the guest page from the
    // booth and from the adviser, the console from the guest.
    async function guestJoins(role, name) {
      await page.locator('[data-testid="invite-role"]').selectOption(role);
      await page.locator('[data-testid="invite-create"]').click();
      await page.locator('[data-testid="invite-url"]').waitFor({ state: 'visible' });
      const url = await page.locator('[data-testid="invite-url"]').inputValue();
      await g.goto('about:blank');
      await g.goto(url);
      await g.waitForSelector('body[data-media="sendrecv"]'); // the camera check passed
      await g.locator('[data-testid="guest-name"]').fill(name);
      await g.locator('[data-testid="guest-join-btn"]').click();
      await g.waitForSelector('[data-testid="guest-state"][data-state="asking"]');
      const ask = await until(async () => (await ctl.status()).guest_ask, { timeout: 10000, what: 'the ask on the booth' });
      assert.equal(ask.name, name);
      assert.equal(ask.role, role);
      // built and its offer made while the visitor is asked, not sent yet
      const gm = await until(async () => {
        const m = (await media()).guest_media;
        return m.state !== 'none' ? m : null;
      }, { timeout: 5000, what: "the guest's connection built on the ask" });
      assert.equal(gm.offer_sent, false, 'no offer to a guest not let in');
      assert.deepEqual(await g.evaluate(() => window.relaisGuest.peers), [], 'no connection on the guest page before the yes');
      await ctl.tap('guest', 'yes');
      await g.waitForSelector('[data-testid="guest-state"][data-state="joined"]', { timeout: 10000 });
      let last;
      const flows = (s) => (s?.inboundVideo?.framesDecoded ?? 0) >= 30 && (s?.inboundAudio?.packetsReceived ?? 0) > 0;
      await until(
        async () => {
          const m = (await media()).guest_media;
          const s = await g.evaluate(() => window.relaisGuest.stats());
          const c = await page.evaluate(() => window.relais.guestStats());
          last = { booth: m, guest: s, console: c };
          return m.state === 'connected' && m.video_frames_received >= 30 && m.audio_buffers_received > 0 && m.rtp_packets_sent > 0 &&
            flows(s.booth) && flows(s.adviser) && c?.connectionState === 'connected' && flows(c);
        },
        { timeout: 30000, interval: 250, what: 'media between every two of the booth, the adviser and the guest' },
      ).catch((err) => {
        err.message += `\nlast: ${JSON.stringify(last)}`;
        throw err;
      });
      await g.waitForSelector('[data-testid="guest-peer-booth"][data-live="true"]');
      await g.waitForSelector('[data-testid="guest-peer-adviser"][data-live="true"]');
      await page.waitForSelector('[data-testid="guest-tile"][data-live="true"]');
      assert.equal(last.guest.booth.inboundVideo.frameWidth, (await media()).video_sent_width, 'the guest gets the same encoded picture as the adviser');
      return last;
    }

    // chat: each line reaches the two others
    async function chatToAll(name) {
      const line = (text) => g.locator('[data-testid="guest-chat-message"]', { hasText: text });
      await ctl.tap('keyboard', 'open');
      for (const ch of 'hello both') await ctl.tap('keyboard', ch === ' ' ? 'space' : ch);
      await ctl.tap('keyboard', 'send');
      await ctl.tap('keyboard', 'close');
      await page.locator('[data-testid="chat-message"][data-from="visitor"]', { hasText: 'hello both' }).waitFor({ timeout: 5000 });
      await line('hello both').waitFor({ timeout: 5000 });
      await g.locator('[data-testid="guest-chat-input"]').fill(`${name} here`);
      await g.locator('[data-testid="guest-chat-send"]').click();
      await page.locator('[data-testid="chat-message"][data-from="guest"]', { hasText: `${name} here` }).waitFor({ timeout: 5000 });
      await until(async () => (await ctl.status()).chat.some((c) => c.text === `${name} here`), { timeout: 5000, what: "the guest's line at the booth" });
      await page.locator('[data-testid="chat-input"]').fill(`Welcome ${name}`);
      await page.locator('[data-testid="chat-send"]').click();
      await line(`Welcome ${name}`).waitFor({ timeout: 5000 });
      await until(async () => (await ctl.status()).chat.some((c) => c.text === `Welcome ${name}`), { timeout: 5000, what: "the adviser's line at the booth" });
    }

    const s1 = await guestJoins('relative', 'Paul');
    assert.equal(s1.booth.video_width, 640);
    await adviserFlows();
    await chatToAll('Paul');

    // a relative: side by side, two equal pictures
    const side = await threeShown(ctl, 'side');
    checkPictures(side);
    assert.deepEqual(side.layout.guest.slice(2), side.layout.face.slice(2), 'two equal pictures');
    assert.equal(side.layout.guest[1], side.layout.face[1], 'side by side');

    // removed by the adviser: the guest's connection is gone at the booth
    await page.locator('[data-testid="guest-remove"]').click();
    await g.waitForSelector('[data-testid="guest-state"][data-state="removed"]');
    await page.waitForSelector('[data-testid="guest-tile"]', { state: 'hidden' });
    await until(async () => (await media()).guest_media.state === 'none', { timeout: 10000, what: "the guest's connection closed" });
    await until(async () => (await ctl.status()).guest?.state === 'removed', { timeout: 5000, what: 'the guest removed on the booth' });
    await adviserFlows();

    // today's layout back
    await until(async () => {
      const v = (await ctl.status()).visitor;
      return v.three_layout === undefined && !v.guest_picture && v.remote_picture;
    }, { timeout: 10000, what: 'the two-party layout back' });

    // a second guest in the same call, an interpreter: large, the adviser beside
    await guestJoins('interpreter', 'Claire');
    await adviserFlows();
    const interp = await threeShown(ctl, 'interpreter');
    checkPictures(interp);
    const [, , gw, gh] = interp.layout.guest;
    assert.ok(gw >= 352 && gh >= 288, `the interpreter at least CIF: ${gw}x${gh}`);
    assert.ok(gw * gh >= 2 * interp.layout.face[2] * interp.layout.face[3], `the interpreter large beside the adviser: ${JSON.stringify(interp.layout)}`);
    assert.ok(interp.layout.face[0] >= interp.layout.guest[0] + gw, 'the adviser beside, on the right');
    t.diagnostic(`side by side: ${JSON.stringify(side.layout)}; interpreter: ${JSON.stringify(interp.layout)}`);

    // the guest leaves: closed again, the call goes on
    await g.locator('[data-testid="guest-leave"]').click();
    await page.waitForSelector('[data-testid="guest-tile"]', { state: 'hidden' });
    await until(async () => (await media()).guest_media.state === 'none', { timeout: 10000, what: "the second guest's connection closed" });
    await adviserFlows();
    await until(async () => (await ctl.status()).visitor.three_layout === undefined, { timeout: 10000, what: 'the two-party layout back' });
    assert.equal((await ctl.status()).state, 'in_call');
  });
});
