// SPDX-License-Identifier: GPL-2.0-or-later
// Three-way media on a real booth (THREEWAY.md "Booth media", "Booth
// layouts"): a real relais-booth with its touch UI (off screen), a real
// Chromium console as the adviser and a second real Chromium as the guest.
// The guest's page is this test's own: a raw RTCPeerConnection joining
// /ws/guest with the token from `invited` and answering the booth's offer
// (the real guest page is tested in guestweb.test.mjs). The booth builds the
// guest's connection on the ask, sends its offer once the visitor said yes;
// frames are decoded at the booth from the guest and at the guest from the
// booth, audio packets arrive both ways, and the adviser's call keeps its
// frames flowing all along. The guest is removed, a second one (an
// interpreter) joins in the same call, then leaves; the layouts are checked
// by the screenshot's pixels.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries, outFile } from './lib/env.mjs';
import { UI_ARGS, UI_ENV, callFromBooth } from './lib/boothui.mjs';
import { Stack, until, waitMedia } from './lib/scenario.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { readPng } from './lib/png.mjs';
import { inviteAndJoin } from './lib/guestpage.mjs';

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

    // The adviser invites `role` from the console; the guest page joins with
    // the link's token; the booth shows the ask, its guest connection ready.
    async function guestJoins(role, name) {
      await inviteAndJoin(page, g, sb, role, name);
      await until(async () => (await ctl.status()).guest_ask, { timeout: 10000, what: 'the ask on the booth' });
      // built and its offer made while the visitor is asked, not sent yet
      const gm = await until(async () => {
        const m = (await media()).guest_media;
        return m.state !== 'none' ? m : null;
      }, { timeout: 5000, what: "the guest's connection built on the ask" });
      assert.equal(gm.offer_sent, false, 'no offer to a guest not let in');
      assert.equal(await g.evaluate(() => window.guest.offers), 0);
      await ctl.run('guest-answer', 'yes');
      let last;
      await until(
        async () => {
          const [m, s] = [(await media()).guest_media, await g.evaluate(() => window.stats())];
          last = { booth: m, guest: s };
          return m.state === 'connected' && m.video_frames_received >= 30 && m.audio_buffers_received > 0 && m.rtp_packets_sent > 0 &&
            s.video >= 30 && s.audioPackets > 0;
        },
        { timeout: 20000, interval: 250, what: 'media both ways between the booth and the guest' },
      ).catch((err) => {
        err.message += `\nlast: ${JSON.stringify(last)}`;
        throw err;
      });
      assert.equal(await g.evaluate(() => window.guest.offers), 1);
      assert.equal(last.guest.width, (await media()).video_sent_width, 'the guest gets the same encoded picture as the adviser');
      return last;
    }

    const s1 = await guestJoins('relative', 'Paul');
    assert.equal(s1.booth.video_width, 640);
    await adviserFlows();

    // a relative: side by side, two equal pictures
    const side = await threeShown(ctl, 'side');
    checkPictures(side);
    assert.deepEqual(side.layout.guest.slice(2), side.layout.face.slice(2), 'two equal pictures');
    assert.equal(side.layout.guest[1], side.layout.face[1], 'side by side');

    // removed by the adviser: the guest's connection is gone at the booth
    await page.locator('[data-testid="guest-remove"]').click();
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
    await g.evaluate(() => window.leave());
    await until(async () => (await media()).guest_media.state === 'none', { timeout: 10000, what: "the second guest's connection closed" });
    await adviserFlows();
    await until(async () => (await ctl.status()).visitor.three_layout === undefined, { timeout: 10000, what: 'the two-party layout back' });
    assert.equal((await ctl.status()).state, 'in_call');
  });
});
