// SPDX-License-Identifier: GPL-2.0-or-later
// The adviser console's own behaviour against the real switchboard, with
// scripted booths (raw WebSocket, or a Chromium tab for media) so that the
// page is tested even where the C booth cannot run: booth states, the queue,
// "taken", keyboard use, separate audio/video streams, reconnecting.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries, tmpDir } from './lib/env.mjs';
import { startSwitchboard, signInPage, ADVISER } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { startBrowserBooth } from './lib/browserbooth.mjs';
import { scriptedAdviser, scriptedBooth, suiteSteps } from './lib/scripted.mjs';
import { until, sleep } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

describe('adviser console', { skip, timeout: 90000 }, () => {
  const dir = tmpDir('console');
  let sb;
  let adviser;
  let page;
  const sockets = [];

  const rawBooth = (id, site) => scriptedBooth(sb, id, site, sockets);

  const suite = suiteSteps(dir, () => ({ sb, browser: adviser }));
  const step = suite.step;

  before(async () => {
    sb = await startSwitchboard({ dir });
    adviser = await launchAdviser({ dir });
    page = adviser.page;
  });

  after(async () => {
    await suite.end(sockets);
  });

  step('signs in with the form, a reload keeps the session, connects', async () => {
    await page.goto(sb.pageUrl());
    await page.locator('[data-testid="signin-form"]').waitFor();
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'signed-out');
    await signInPage(page);
    await page.waitForSelector('body[data-link="online"]');
    // the name shown (and given to visitors) is the account's, not typed
    assert.equal(await page.locator('[data-testid="adviser-name"]').innerText(), ADVISER.name);
    assert.equal(await page.evaluate(() => window.relais.user.login), ADVISER.login);
    // The session cookie is HttpOnly: the page's scripts cannot read it.
    assert.equal(await page.evaluate(() => document.cookie), '');
    // A reload skips the form: /api/me knows the session.
    await page.reload();
    await page.waitForSelector('body[data-link="online"]');
    assert.equal(await page.locator('[data-testid="signin"]').isVisible(), false);
    assert.equal(await page.locator('[data-testid="adviser-name"]').innerText(), ADVISER.name);
    assert.equal(await page.locator('[data-testid="booths-empty"]').isVisible(), true);
    assert.equal(await page.locator('[data-testid="queue-empty"]').isVisible(), true);
  });

  step('lists booths with their state and an out-of-order reason', async () => {
    const b1 = await rawBooth('lib-1', 'Bibliothèque Nord');
    const b2 = await rawBooth('lib-2', 'Mairie annexe');
    await page.locator('[data-testid="booth-row"][data-booth-id="lib-2"]').waitFor();
    b2.send({ type: 'status', state: 'out_of_order', reason: 'camera unplugged' });
    const row = page.locator('[data-testid="booth-row"][data-booth-id="lib-2"][data-booth-state="out_of_order"]');
    await row.waitFor();
    assert.match(await row.innerText(), /Out of order[\s\S]*camera unplugged/);
    assert.equal(await page.locator('[data-testid="booth-count"]').innerText(), '2');
    b2.send({ type: 'status', state: 'idle' });
    await page.locator('[data-testid="booth-row"][data-booth-id="lib-2"][data-booth-state="idle"]').waitFor();
    void b1;
  });

  step('shows waiting visitors with readable answers, live wait, and announces them', async () => {
    const [b1, b2] = sockets;
    b1.send({ type: 'request', language: 'fr', topic: 'job-search', answers: { situation: 'job-seeker', 'cv_ready': 'no' } });
    await page.locator('[data-testid="queue-item"][data-booth-id="lib-1"]').waitFor();
    b2.send({ type: 'request', language: 'en', topic: 'training' });
    await page.locator('[data-testid="queue-item"][data-booth-id="lib-2"]').waitFor();
    const items = page.locator('[data-testid="queue-item"]');
    assert.equal(await items.count(), 2);
    assert.equal(await items.nth(0).getAttribute('data-booth-id'), 'lib-1', 'first come, first listed');
    const first = await items.nth(0).innerText();
    assert.match(first, /Job search/);
    assert.match(first, /French \(fr\)/);
    assert.match(first, /Situation:?\s*Job seeker/); // the question set's answers in words (assets/web/i18n)
    assert.match(first, /Cv ready:?\s*no/);
    assert.match(first, /Bibliothèque Nord/);
    assert.match(await items.nth(1).innerText(), /Training[\s\S]*English \(en\)/);
    assert.equal(await page.locator('[data-testid="queue-count"]').innerText(), '2');
    assert.match(await page.locator('[data-testid="announcer"]').innerText(), /New visitor waiting: Job search, French/);
    assert.equal(await page.locator('[data-testid="announcer"]').getAttribute('aria-live'), 'polite');
    const w = items.nth(0).locator('[data-testid="queue-wait"]');
    const s0 = Number(await w.getAttribute('data-seconds'));
    await until(async () => Number(await w.getAttribute('data-seconds')) >= s0 + 1, { timeout: 3000, what: 'wait to tick' });
  });

  step('a visitor taken elsewhere (or gone) is marked, then removed', async () => {
    const { ws: other, welcome: w } = await scriptedAdviser(sb, { name: 'Other', sockets });
    assert.ok(w.session);
    const q = await other.next((m) => m.type === 'queue' && m.queue.length === 2);
    const ticket = q.queue.find((e) => e.booth_id === 'lib-2').ticket;
    // lib-2's visitor walks away: every console is told "taken".
    sockets[1].send({ type: 'cancel', ticket });
    const item = page.locator(`[data-testid="queue-item"][data-ticket="${ticket}"]`);
    await page.locator(`[data-testid="queue-item"][data-ticket="${ticket}"][data-taken="true"]`).waitFor({ timeout: 3000 });
    assert.match(await item.innerText(), /taken by another adviser/i);
    assert.equal(await item.locator('[data-testid="accept-btn"]').isDisabled(), true);
    await item.waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await page.locator('[data-testid="queue-count"]').innerText(), '1');
    // The other adviser takes lib-1's visitor: it leaves this console's queue.
    const t1 = q.queue.find((e) => e.booth_id === 'lib-1').ticket;
    const { call } = await other.request({ type: 'accept', ticket: t1 }, 'call');
    await page.locator(`[data-testid="queue-item"][data-ticket="${t1}"]`).waitFor({ state: 'detached', timeout: 5000 });
    await page.locator('[data-testid="booth-row"][data-booth-id="lib-1"][data-booth-state="in_call"]').waitFor();
    assert.equal(await page.locator('[data-testid="queue-empty"]').isVisible(), true);
    // The other adviser's link drops: the call is held for the resume
    // grace (PROTOCOL.md "Resuming a call"), and their sign-in gets it back
    // on a new connection naming it.
    const from = sockets[0].messages.length;
    other.destroy();
    // another account naming the call, whatever name its hello says: refused
    const thief = { login: 'thief-adviser', password: 'thief-password-1', role: 'adviser', name: 'Other' };
    await sb.addUser(thief);
    const wrong = await sb.adviserWs(thief.login, thief.password);
    sockets.push(wrong);
    await wrong.request({ type: 'hello', version: 1, role: 'adviser', name: 'Other', call }, 'welcome');
    const refused = await wrong.next((m) => m.type === 'end', { what: 'end gone for another account' });
    assert.equal(refused.reason, 'gone');
    wrong.send({ type: 'chat', call, text: 'not yours' });
    await wrong.next((m) => m.type === 'error' && m.ref === 'chat', { what: 'chat refused' });
    const gone0 = sockets[0].messages.length;
    wrong.destroy();
    await sockets[0].next((m) => m.type === 'availability' && m.advisers === 1, { from: gone0, what: 'the thief off duty' });
    const back = await sb.adviserWs();
    sockets.push(back);
    await back.request({ type: 'hello', version: 1, role: 'adviser', name: 'Other', call }, 'welcome');
    back.send({ type: 'chat', call, text: 'back' });
    await sockets[0].next((m) => m.type === 'chat' && m.text === 'back', { from, what: 'chat from the adviser back in the call' });
    assert.equal(sockets[0].messages.slice(from).some((m) => m.type === 'end'), false, 'the booth was not told the call ended');
    assert.equal(back.messages.some((m) => m.type === 'end'), false, 'the adviser back was not told the call is gone');
    back.send({ type: 'end', call });
    await sockets[0].next((m) => m.type === 'end' && m.call === call, { from });
    // this console alone on duty again, as the next step expects
    const gone = sockets[0].messages.length;
    back.destroy();
    await sockets[0].next((m) => m.type === 'availability' && m.advisers === 1, { from: gone, what: 'one adviser on duty again' });
  });

  step('a full call with a booth sending audio and video as separate streams, keyboard only', async () => {
    const tab = await startBrowserBooth(adviser.context, { sb, boothId: 'tab-1', site: 'Espace emploi' });
    await page.bringToFront();
    await tab.request('administrative', 'fr', { need: 'caf-form' });
    const btn = page.locator('[data-testid="queue-item"][data-booth-id="tab-1"] [data-testid="accept-btn"]');
    await btn.waitFor();
    await btn.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('body[data-state="in-call"]');
    await until(async () => {
      const s = await page.evaluate(() => window.relais.stats());
      return (s?.inboundVideo?.framesDecoded ?? 0) >= 30 && (s?.inboundAudio?.packetsReceived ?? 0) > 0;
    }, { timeout: 15000, what: 'media at the page' });
    await until(async () => (await tab.stats()).video_frames_received >= 30, { timeout: 10000, what: 'media at the tab booth' });
    const streams = await page.evaluate(() => ({
      video: document.getElementById('remote-video').srcObject?.getTracks().map((t) => t.kind),
      audio: document.getElementById('remote-audio').srcObject?.getTracks().map((t) => t.kind),
      videoMuted: document.getElementById('remote-video').muted,
      audioPaused: document.getElementById('remote-audio').paused,
    }));
    assert.deepEqual(streams.video, ['video']);
    assert.deepEqual(streams.audio, ['audio']);
    assert.equal(streams.videoMuted, true, 'sound comes from the <audio> element only');
    assert.equal(streams.audioPaused, false, 'remote audio plays');
    assert.match(await page.locator('[data-testid="stage"]').innerText(), /Administrative[\s\S]*Espace emploi/);
    // Keyboard: End has the focus after Accept; Enter ends the call.
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'end-btn');
    await page.keyboard.press('Enter');
    await page.waitForSelector('body[data-state="idle"]');
    await until(async () => (await tab.stats()).state === 'idle', { timeout: 5000, what: 'tab booth told the call ended' });
    await tab.close();
  });

  step("a booth is told who is on duty, and the visitor's rating after the call reaches the adviser", async () => {
    // A scripted booth: the C booth's side of this is being built separately.
    const b = await rawBooth('lib-3', 'Maison France services');
    const av = await b.next((m) => m.type === 'availability', { what: 'availability after welcome' });
    assert.equal(av.advisers, 1, 'this console is the one adviser on duty');
    assert.equal(av.next_opening, undefined);
    // The console drops its link and comes back: the booth follows.
    let from = b.messages.length;
    await page.evaluate(() => window.relais.dropLink());
    await b.next((m) => m.type === 'availability' && m.advisers === 0, { from, what: 'availability 0' });
    await b.next((m) => m.type === 'availability' && m.advisers === 1, { from, what: 'availability 1 again' });
    await page.waitForSelector('body[data-link="online"]');

    const q = await b.request({ type: 'request', language: 'fr', topic: 'housing' }, 'queued');
    assert.equal(q.position, 1);
    assert.ok(Number.isInteger(q.wait_s) && q.wait_s > 0, `wait_s ${q.wait_s}`);
    const fb = page.locator('[data-testid="last-feedback"]');
    await page.locator('[data-testid="queue-item"][data-booth-id="lib-3"] [data-testid="accept-btn"]').click();
    const call = await b.next((m) => m.type === 'call', { what: 'call' });
    await page.waitForSelector('body[data-state="in-call"]');
    // No media needed here: the visitor ends at once.
    b.send({ type: 'end', call: call.call, reason: 'visitor' });
    await page.waitForSelector('body[data-state="idle"]');
    assert.equal(await fb.isVisible(), false);

    // The booth is idle again (its session wiped) while the visitor taps a face.
    from = b.messages.length;
    b.send({ type: 'feedback', call: call.call, score: 4 });
    await page.locator(`[data-testid="last-feedback"][data-score="4"][data-call="${call.call}"]`).waitFor({ timeout: 5000 });
    assert.match(await fb.innerText(), /visitor's rating: 4\/5/i);
    assert.match(await fb.getAttribute('title'), /Housing, Maison France services/);
    assert.match(await page.locator('[data-testid="announcer"]').innerText(), /rated the call about Housing.* 4 out of 5/);
    // Once per call.
    const e = await b.request({ type: 'feedback', call: call.call, score: 1 }, 'error');
    assert.equal(e.code, 'gone');
    assert.equal(b.messages.slice(from).filter((m) => m.type === 'error').length, 1, 'the first rating had no error');
    assert.equal(await page.locator('[data-testid="last-feedback"]').getAttribute('data-score'), '4');
    const counters = await page.evaluate(() => ({ ...window.relais.counters.received, invalid: window.relais.counters.invalid }));
    assert.equal(counters.feedback, 1);
    assert.equal(counters.invalid, 0);
    const m = await sb.metrics();
    assert.match(m.body, /^relais_satisfaction_total\{score="4"\} 1$/m);
    assert.match(m.body, /^relais_satisfaction_total\{score="1"\} 0$/m);
  });

  step('reconnects by itself when the switchboard restarts', async () => {
    const port = sb.port;
    await sb.proc.stop();
    await page.waitForSelector('body[data-link="reconnecting"]', { timeout: 5000 });
    assert.match(await page.locator('[data-testid="link-state"]').innerText(), /reconnecting/i);
    await sleep(1500); // a few failed attempts: the backoff grows
    sb = await startSwitchboard({ dir, extraArgs: ['--port', String(port)] });
    await page.waitForSelector('body[data-link="online"]', { timeout: 15000 });
    // A fresh switchboard: the booths that were there are gone until they reconnect.
    const b = await rawBooth('lib-9', 'Back again');
    await page.locator('[data-testid="booth-row"][data-booth-id="lib-9"]').waitFor();
    void b;
    assert.deepEqual(adviser.pageErrors(), []);
  });
});
