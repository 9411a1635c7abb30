// SPDX-License-Identifier: GPL-2.0-or-later
// Three-way media in the browsers (THREEWAY.md "Media": a full mesh of
// three; assets/web/guest-media.js and guest.js): a real Chromium console
// (the adviser) in a call with a booth made by a Chromium tab (its fake
// camera and microphone, lib/browserbooth.mjs: it offers the guest a second
// connection once the guest is `joining`, as the booth does), and a second
// Chromium as the guest. Every end decodes video frames and receives audio
// packets from every other end (getStats() on each connection, and the
// pictures' first frame through requestVideoFrameCallback). Chat reaches
// all three with `from`. The guest removed: its connections are closed at
// every end and the call goes on; a second guest joins the same call and
// leaves; a receive-only guest (camera refused) still sees and hears both;
// the call's end closes the guest's connections. The guest's side of its
// connection with the console dying under it leaves the booth's call alone.
// An adviser whose camera is refused offers the guest receive-only.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { missingBinaries, tmpDir } from './lib/env.mjs';
import { startSwitchboard, signInPage } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { startBrowserBooth } from './lib/browserbooth.mjs';
import { suiteSteps } from './lib/scripted.mjs';
import { slow, until } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

// frames decoded before a picture counts as flowing (a second at 30 fps
// would be 30: a few are enough to tell a stream from nothing)
const FRAMES = 5;

describe('three-way media (console, guest page, booth tab)', { skip, timeout: 300000 }, () => {
  const dir = tmpDir('threeweb');
  let sb, adviser, page, guestBrowser, booth;
  const suite = suiteSteps(dir, () => ({ sb, browser: adviser }));
  const step = suite.step;
  const figures = [];
  // whether the console sends its camera and microphone (false: refused)
  let adviserSends = true;

  async function invite(role) {
    await page.locator('[data-testid="invite-role"]').selectOption(role);
    await page.locator('[data-testid="invite-create"]').click();
    const url = page.locator('[data-testid="invite-url"]');
    await url.waitFor({ state: 'visible' });
    return url.inputValue();
  }

  async function join(g, url, name, media = 'sendrecv') {
    await g.goto('about:blank');
    await g.goto(url);
    await g.waitForSelector(`body[data-media="${media}"]`);
    await g.locator('[data-testid="guest-name"]').fill(name);
    await g.locator('[data-testid="guest-join-btn"]').click();
    await g.waitForSelector('[data-testid="guest-state"][data-state="asking"]');
  }

  // The visitor says yes; resolves once every end has media from every
  // other end it should (sends: whether the guest sends its camera and
  // microphone); returns the milliseconds from the yes to all of it.
  async function letInAndCheck(g, { name, role, sends = true }) {
    await until(async () => (await booth.asks()) > 0 && (await booth.received('guest_ask')).at(-1).name === name, { what: 'the ask at the booth' });
    const t0 = performance.now();
    await booth.answerGuest(true);
    await g.waitForSelector('[data-testid="guest-state"][data-state="joined"]', { timeout: slow(10000) });
    // the guest page: the visitor's and the adviser's pictures and sounds
    await until(
      async () => {
        const s = await g.evaluate(() => window.relaisGuest.stats());
        const flows = (p) => (s[p]?.inboundVideo?.framesDecoded ?? 0) >= FRAMES && (s[p]?.inboundAudio?.packetsReceived ?? 0) > 0;
        return flows('booth') && (adviserSends ? flows('adviser') : s.adviser?.connectionState === 'connected');
      },
      { timeout: slow(30000), what: `${name}'s page decoding the booth and the adviser` },
    );
    await g.waitForSelector('[data-testid="guest-peer-booth"][data-live="true"]');
    if (adviserSends) await g.waitForSelector('[data-testid="guest-peer-adviser"][data-live="true"]');
    // the console: the guest's picture beside the booth's, with name and role
    await until(
      async () => {
        const s = await page.evaluate(() => window.relais.guestStats());
        if (!s || s.connectionState !== 'connected') return false;
        if (!sends) return !adviserSends || (s.outboundVideo?.framesEncoded ?? 0) > 0;
        return (s.inboundVideo?.framesDecoded ?? 0) >= FRAMES && (s.inboundAudio?.packetsReceived ?? 0) > 0;
      },
      { timeout: slow(30000), what: `the console's connection with ${name}` },
    );
    if (sends) await page.waitForSelector('[data-testid="guest-tile"][data-live="true"]');
    assert.equal(await page.locator('[data-testid="guest-caption"]').innerText(), `${name} (${role})`);
    assert.equal(await page.locator('[data-testid="guest-tile"]').isVisible(), true);
    // the booth: the guest's connection (it sends to the guest in any case)
    await until(
      async () => {
        const s = await booth.stats('guest');
        return s.connection === 'connected' && (!sends || (s.video_frames_received >= FRAMES && s.audio_packets_received > 0));
      },
      { timeout: slow(30000), what: `the booth's connection with ${name}` },
    );
    const ms = Math.round(performance.now() - t0);
    figures.push(`${name}: the visitor's yes to media at every end ${ms} ms`);
    return ms;
  }

  // the booth-adviser connection goes on: more frames at both ends than `before`
  async function boothCallFlows(before = { console: 0, booth: 0 }) {
    let now = {};
    await until(
      async () => {
        const c = await page.evaluate(() => window.relais.stats());
        const b = await booth.stats();
        now = { console: c?.inboundVideo?.framesDecoded ?? 0, booth: b.video_frames_received };
        return c?.connectionState === 'connected' && now.console > before.console + FRAMES && (!adviserSends || now.booth > before.booth + FRAMES) && (c?.inboundAudio?.packetsReceived ?? 0) > 0;
      },
      { timeout: slow(15000), what: 'the call between the booth and the adviser' },
    );
    return now;
  }

  // every end's connection with the guest closed
  async function guestClosedEverywhere(g) {
    await page.waitForSelector('[data-testid="guest-tile"]', { state: 'hidden' });
    assert.equal(await page.evaluate(() => window.relais.guestPc), null);
    assert.equal(await page.evaluate(() => window.__guestPc?.signalingState), 'closed');
    await until(async () => (await booth.stats('guest')).connection === 'none', { what: "the booth's connection with the guest closed" });
    if (g) {
      assert.deepEqual(await g.evaluate(() => window.__pcs.map((pc) => pc.signalingState)), ['closed', 'closed']);
      assert.deepEqual(await g.evaluate(() => window.relaisGuest.peers), []);
    }
  }

  before(async () => {
    sb = await startSwitchboard({ dir });
    adviser = await launchAdviser({ dir });
    page = adviser.page;
    guestBrowser = await launchAdviser({ dir, name: 'guest' });
  });

  after(async () => {
    if (figures.length) console.log(`# threeweb figures (this run):\n#   ${figures.join('\n#   ')}`);
    await booth?.close().catch(() => {});
    await guestBrowser?.close();
    await suite.end([]);
  });

  step('a call between the booth tab and the console carries media both ways', async () => {
    await page.goto(sb.pageUrl());
    await signInPage(page);
    await page.waitForSelector('body[data-link="online"]');
    booth = await startBrowserBooth(adviser.context, { sb, boothId: 'tw-1', site: 'E2E Library' });
    await page.bringToFront();
    await booth.request('training', 'en', { situation: 'job-seeker' });
    await page.locator('[data-testid="queue-item"][data-booth-id="tw-1"] [data-testid="accept-btn"]').click();
    await page.waitForSelector('body[data-state="in-call"]');
    await boothCallFlows();
    assert.equal(await page.locator('[data-testid="guest-tile"]').isVisible(), false);
  });

  step('an interpreter joins: every end decodes every other end, and chat reaches all three', async () => {
    const g = guestBrowser.page;
    await join(g, await invite('interpreter'), 'Claire');
    await letInAndCheck(g, { name: 'Claire', role: 'interpreter' });
    // the console's pictures side by side: the guest's right of the booth's
    const boxes = await page.evaluate(() => ['remote-video', 'guest-remote-video'].map((id) => document.getElementById(id).getBoundingClientRect().toJSON()));
    assert.ok(boxes[1].left >= boxes[0].right, `the guest's picture beside the booth's: ${JSON.stringify(boxes)}`);
    assert.ok(boxes[1].width > 100 && boxes[1].height > 100, `the guest's picture has room: ${JSON.stringify(boxes[1])}`);
    // the guest page: the visitor large, the adviser beside, itself small
    const gb = await g.evaluate(() => ['guest-booth-video', 'guest-adviser-video', 'guest-self-video'].map((id) => document.getElementById(id).getBoundingClientRect().toJSON()));
    assert.ok(gb[0].width > gb[1].width && gb[1].width > gb[2].width, `large, beside, small: ${JSON.stringify(gb)}`);
    assert.ok(gb[1].left >= gb[0].right, 'the adviser beside the visitor');
    // kept with the run's files (RELAIS_E2E_KEEP=1, or a failure) for a look
    await page.screenshot({ path: path.join(dir, 'console-three-way.png') });
    await g.screenshot({ path: path.join(dir, 'guest-three-way.png') });
    // the sounds play (the <video>s are muted: one <audio> per end)
    assert.deepEqual(
      await g.evaluate(() => ['guest-booth-audio', 'guest-adviser-audio'].map((id) => ({ paused: document.getElementById(id).paused, tracks: document.getElementById(id).srcObject?.getAudioTracks().length ?? 0 }))),
      [{ paused: false, tracks: 1 }, { paused: false, tracks: 1 }],
    );
    assert.deepEqual(await page.evaluate(() => ({ paused: document.getElementById('guest-remote-audio').paused, tracks: document.getElementById('guest-remote-audio').srcObject?.getAudioTracks().length ?? 0 })), { paused: false, tracks: 1 });
    // chat: each line reaches the two others, with `from`; the console's field says so
    assert.equal(await page.locator('[data-testid="chat-input"]').getAttribute('placeholder'), 'Write to the visitor and Claire…');
    await booth.chat('Hello both');
    const guestLine = (text) => g.locator('[data-testid="guest-chat-message"]', { hasText: text });
    await guestLine('Hello both').waitFor();
    assert.equal(await guestLine('Hello both').locator('.chat-who').innerText(), 'Visitor');
    await page.locator('[data-testid="chat-message"]', { hasText: 'Hello both' }).waitFor();
    await g.locator('[data-testid="guest-chat-input"]').fill('I sign for you');
    await g.locator('[data-testid="guest-chat-send"]').click();
    await until(async () => (await booth.received('chat')).some((m) => m.text === 'I sign for you' && m.from === 'Claire (interpreter)'), { what: "the guest's line at the booth" });
    await page.locator('[data-testid="chat-message"][data-from="guest"]', { hasText: 'I sign for you' }).waitFor();
    await page.locator('[data-testid="chat-input"]').fill('Welcome Claire');
    await page.locator('[data-testid="chat-send"]').click();
    await guestLine('Welcome Claire').waitFor();
    assert.equal(await guestLine('Welcome Claire').locator('.chat-who').innerText(), 'E2E Adviser');
    await until(async () => (await booth.received('chat')).some((m) => m.text === 'Welcome Claire'), { what: "the adviser's line at the booth" });
  });

  step("a failure on the guest's connection with the console never touches the booth's", async () => {
    const g = guestBrowser.page;
    const before = await boothCallFlows();
    const t0 = performance.now();
    // the guest page's connection with the adviser dies under it
    await g.evaluate(() => window.relaisGuest.pc('adviser').close());
    // no word from the guest's side: ICE consent checks stop being answered
    await page.waitForSelector('[data-testid="guest-tile"]:is([data-pc="disconnected"], [data-pc="failed"])', { timeout: slow(40000) });
    figures.push(`the guest's side of its connection with the console closed: seen dead by the console after ${Math.round(performance.now() - t0)} ms`);
    assert.equal(await page.locator('[data-testid="guest-media-state"]').isVisible(), true);
    await boothCallFlows(before);
    assert.equal(await page.locator('body').getAttribute('data-pc'), 'connected');
  });

  step('the adviser removes the guest: its connections close at every end, the call goes on', async () => {
    const g = guestBrowser.page;
    await page.evaluate(() => (window.__guestPc = window.relais.guestPc));
    await g.evaluate(() => (window.__pcs = window.relaisGuest.pcs));
    const before = await boothCallFlows();
    await page.locator('[data-testid="guest-remove"]').click();
    await g.waitForSelector('[data-testid="guest-state"][data-state="removed"]');
    await guestClosedEverywhere(g);
    assert.equal(await g.locator('[data-testid="guest-videos"]').isVisible(), false);
    assert.equal(await page.locator('[data-testid="chat-input"]').getAttribute('placeholder'), 'Write to the visitor…');
    await boothCallFlows(before);
  });

  step('a second guest joins the same call, then leaves', async () => {
    const g = guestBrowser.page;
    await join(g, await invite('relative'), 'Paul');
    await letInAndCheck(g, { name: 'Paul', role: 'relative' });
    await page.evaluate(() => (window.__guestPc = window.relais.guestPc));
    await g.evaluate(() => (window.__pcs = window.relaisGuest.pcs));
    await g.locator('[data-testid="guest-leave"]').click();
    await page.waitForSelector('[data-testid="guest-pill"][data-state="left"]');
    await guestClosedEverywhere(g);
    await boothCallFlows();
  });

  step('a receive-only guest (camera refused) sees and hears both; the call ends: its connections close', async () => {
    const ro = await launchAdviser({ dir, name: 'guest-recvonly', media: 'denied' });
    try {
      const g = ro.page;
      await join(g, await invite('adviser'), 'Marc', 'recvonly');
      await letInAndCheck(g, { name: 'Marc', role: 'adviser', sends: false });
      // it sends nothing: no picture from it on the console, none at the booth
      const s = await page.evaluate(() => window.relais.guestStats());
      assert.equal(s.inboundVideo?.framesDecoded ?? 0, 0);
      assert.equal((await booth.stats('guest')).video_frames_received, 0);
      assert.equal(await g.locator('[data-testid="guest-self"]').isVisible(), false);
      // the booth ends the call: every guest connection goes
      await page.evaluate(() => (window.__guestPc = window.relais.guestPc));
      await booth.end();
      await page.waitForSelector('body[data-state="idle"]');
      await g.waitForSelector('[data-testid="guest-state"][data-state="ended"]');
      await page.waitForSelector('[data-testid="guest-tile"]', { state: 'hidden' });
      assert.equal(await page.evaluate(() => window.__guestPc?.signalingState), 'closed');
      await until(async () => (await g.evaluate(() => window.relaisGuest.peers)).length === 0, { what: "the guest page's connections closed" });
    } finally {
      await ro.close();
    }
  });

  step("an adviser whose camera is refused: the guest sees and hears the visitor, the adviser sees and hears the guest", async () => {
    const login = { login: 'tw-recvonly', password: 'tw-recvonly-password-1', name: 'Receive Only' };
    await sb.addUser(login);
    const ro = await launchAdviser({ dir, name: 'adviser-recvonly', media: 'denied' });
    const first = page;
    try {
      page = ro.page;
      adviserSends = false;
      await page.goto(sb.pageUrl());
      await signInPage(page, login);
      await page.waitForSelector('body[data-link="online"]');
      await page.waitForSelector('body[data-media="recvonly"]');
      await booth.request('training', 'en', { situation: 'job-seeker' });
      await page.locator('[data-testid="queue-item"][data-booth-id="tw-1"] [data-testid="accept-btn"]').click();
      await page.waitForSelector('body[data-state="in-call"]');
      await boothCallFlows();
      const g = guestBrowser.page;
      await join(g, await invite('relative'), 'Lina');
      await letInAndCheck(g, { name: 'Lina', role: 'relative' });
      // nothing from the adviser: its connection with the guest receives only
      const s = await g.evaluate(() => window.relaisGuest.stats());
      assert.equal(s.adviser.inboundVideo?.framesDecoded ?? 0, 0);
      assert.equal(s.adviser.outboundVideo?.framesEncoded > 0, true, 'the guest sends to the adviser');
      assert.deepEqual(
        await page.evaluate(() => window.relais.guestPc.getTransceivers().map((t) => `${t.receiver.track.kind}:${t.currentDirection}`)),
        ['audio:recvonly', 'video:recvonly'],
      );
      await page.locator('[data-testid="end-btn"]').click();
      await page.waitForSelector('body[data-state="idle"]');
      await g.waitForSelector('[data-testid="guest-state"][data-state="ended"]');
    } finally {
      page = first;
      adviserSends = true;
      await ro.close();
    }
  });
});
