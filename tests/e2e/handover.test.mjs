// SPDX-License-Identifier: GPL-2.0-or-later
// The warm transfer's media on a real booth (THREEWAY.md "The hand-over's
// media"): a real relais-booth with its touch UI (off screen), two real
// Chromium consoles, adviser A in the call and colleague B (Marie). A
// offers the call to B, B accepts, the visitor lets B in on the booth; B's
// console answers the booth's and A's offers (assets/web/answerer.js):
// frames decoded at B from the booth and from A, and at the booth from B,
// while A is still there. A hands over: the booth makes the call's main
// connection anew toward B (a higher `media` number) and drops B's guest
// connection; frames are decoded both ways booth <-> B on it. The booth's
// screen stays in the call all along (polled: never attract or waiting),
// two parties again, with Marie as the adviser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries } from './lib/env.mjs';
import { UI_ARGS, UI_ENV, callFromBooth } from './lib/boothui.mjs';
import { Stack, boothMedia, until, waitMedia } from './lib/scenario.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { signInPage } from './lib/relais.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const MARIE = { login: 'e2e-marie', password: 'e2e-marie-password', name: 'Marie', topics: 'job-search' };

test('handover: the colleague joins with media, then the call is theirs on a new main connection', { skip, timeout: 240000 }, async (t) => {
  const stack = new Stack('handover');
  let browserB = null;
  let watching = false;
  let watcher = null;
  t.after(async () => {
    watching = false;
    await watcher;
    await browserB?.close();
    await stack.stop();
  });
  await stack.run(async () => {
    await stack.start({ boothArgs: UI_ARGS, boothEnv: UI_ENV });
    const { page: a, sb } = stack;
    const ctl = stack.booth.ctl;
    await sb.addUser(MARIE);
    browserB = await launchAdviser({ dir: stack.dir, name: 'adviser-b' });
    const b = browserB.page;
    await b.goto(sb.pageUrl());
    await signInPage(b, { login: MARIE.login, password: MARIE.password });
    await b.waitForSelector('body[data-link="online"]');

    await callFromBooth(stack);
    const call = await a.evaluate(() => window.relais.callId);
    await waitMedia(stack, { minFrames: 30 });

    // every screen the booth shows from now on, polled
    const screens = new Set();
    watching = true;
    watcher = (async () => {
      while (watching) {
        screens.add((await ctl.visitor()).screen);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    // A offers the call to Marie, who accepts; the visitor lets her in
    await a.locator('[data-testid="transfer-open"]').click();
    await a.locator(`[data-testid="transfer-to"] option[value="adviser:${MARIE.login}"]`).waitFor({ state: 'attached' });
    await a.locator('[data-testid="transfer-to"]').selectOption(`adviser:${MARIE.login}`);
    await a.locator('[data-testid="transfer-send"]').click();
    await b.locator('[data-testid="transfer-accept"]').click();
    await until(async () => (await ctl.status()).guest_ask, { timeout: 10000, what: 'the ask on the booth' });
    await ctl.run('guest-answer', 'yes');

    // B sees and hears the visitor and A, the booth B, while A is there
    const media = async () => (await ctl.status()).media;
    let last;
    await until(
      async () => {
        const [m, s] = [(await media()).guest_media, await b.evaluate(() => window.relais.colleagueStats())];
        last = { booth: m, colleague: s };
        const from = (p) => (s[p]?.inboundVideo?.framesDecoded ?? 0) >= 30 && (s[p]?.inboundAudio?.packetsReceived ?? 0) > 0;
        return m.state === 'connected' && m.video_frames_received >= 30 && m.audio_buffers_received > 0 && from('booth') && from('adviser');
      },
      { timeout: 30000, interval: 250, what: "media between the booth and B, and from A to B, while A is there" },
    ).catch(async (err) => {
      err.message += `\nlast: ${JSON.stringify(last)}\nA's guest connection: ${JSON.stringify(await a.evaluate(() => window.relais.guestStats()))}\n--- B's console ---\n${browserB.consoleLines.slice(-30).join('\n')}`;
      throw err;
    });
    const joining = last;
    assert.equal(await b.locator('[data-testid="transfer-offer-videos"]').isVisible(), true, "the visitor's and A's pictures in B's console");
    await a.waitForSelector('[data-testid="transfer-state"][data-state="joined"]');
    const gen0 = (await media()).media_restarts;

    // A hands over: A is out, the call is B's on a new main connection
    const handedAt = Date.now();
    await a.locator('[data-testid="transfer-done"]').click();
    await a.waitForSelector('body[data-state="idle"]');
    await b.waitForSelector('body[data-state="in-call"]');
    assert.equal(await b.evaluate(() => window.relais.callId), call);
    let after;
    await until(
      async () => {
        const [st, s, conn] = [await ctl.status(), await b.evaluate(() => window.relais.stats()), await b.evaluate(() => window.relais.mediaConnection)];
        const bm = boothMedia(st);
        after = { conn, boothConn: st.media.media_connection, booth: bm, guest: st.media.guest_media.state, page: s };
        return conn === 1 && st.media.media_connection === 1 && (s?.inboundVideo?.framesDecoded ?? 0) >= 30 && (s?.inboundAudio?.packetsReceived ?? 0) > 0 && bm.videoReceived >= 30 && bm.audioReceived > 0;
      },
      { timeout: 30000, interval: 250, what: "media both ways booth <-> B on the call's new main connection" },
    ).catch((err) => {
      err.message += `\nlast: ${JSON.stringify(after)}`;
      throw err;
    });
    const handoverMs = Date.now() - handedAt;
    const st = await ctl.status();
    assert.equal(st.state, 'in_call');
    assert.equal(st.peer, 'Marie', 'B is the adviser on the booth');
    assert.equal(st.media.media_restarts, gen0 + 1, 'one new connection for the hand-over');
    assert.equal(st.media.guest_media.state, 'none', "B's guest connection dropped");
    assert.equal(await b.evaluate(() => window.relais.colleagueStats()).then((s) => Object.keys(s).length), 0, "B's guest-side connections closed");
    assert.equal(await b.locator('[data-testid="transfer-offer-videos"]').isVisible(), false);
    await until(async () => {
      const v = (await ctl.status()).visitor;
      return v.three_layout === undefined && !v.guest_picture && v.remote_picture;
    }, { timeout: 10000, what: 'two parties again on the booth, B\'s picture' });

    watching = false;
    await watcher;
    assert.deepEqual([...screens], ['in_call'], `the booth's screens during the transfer: ${[...screens].join(', ')}`);
    t.diagnostic(`joining: booth got ${joining.booth.video_frames_received} frames from B, B ${joining.colleague.booth.inboundVideo.framesDecoded} from the booth and ${joining.colleague.adviser.inboundVideo.framesDecoded} from A; hand-over click to 30 frames both ways on connection 1: ${handoverMs} ms`);
  });
});
