// SPDX-License-Identifier: GPL-2.0-or-later
// Warm transfer in the consoles (PROTOCOL.md "Warm transfer";
// assets/web/transfer.js): two real Chromium consoles, adviser A in a call
// with a scripted booth, colleague B signed in. A opens "Transfer", sees B
// in the live list and the topics' queues, writes a note and offers the
// call; B's console shows the offer with the visitor's answers, the note
// and its countdown; B declines once (A reads "declined"), then accepts; the
// visitor says yes; B joins; A's "Hand over" makes B the call's owner: A's
// console is out of the call (no outcome form: B finishes it), B's in it.
// Then B offers it to a queue and the queue item is marked as a transfer
// for Hugo, whose console speaks French, and who takes it.
// B's console answers the (scripted) booth's offer with its own connection
// (assets/web/answerer.js); the media themselves are in handover.test.mjs.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries, tmpDir } from './lib/env.mjs';
import { startSwitchboard, signInPage } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { scriptedBooth, suiteSteps } from './lib/scripted.mjs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const MARIE = { login: 'e2e-marie', password: 'e2e-marie-password', name: 'Marie', topics: 'training' };
const HUGO = { login: 'e2e-hugo', password: 'e2e-hugo-password', name: 'Hugo', topics: 'housing' };

describe('warm transfer (consoles)', { skip, timeout: 120000 }, () => {
  const dir = tmpDir('transferweb');
  let sb, browserA, browserB, browserH, a, b, h, booth, call;
  const sockets = [];
  const suite = suiteSteps(dir, () => ({ sb, browser: browserA }));
  const step = suite.step;
  const pill = () => a.locator('[data-testid="transfer-state"]');

  before(async () => {
    sb = await startSwitchboard({ dir });
    for (const u of [MARIE, HUGO]) await sb.addUser(u);
    browserA = await launchAdviser({ dir, name: 'adviser-a' });
    browserB = await launchAdviser({ dir, name: 'adviser-b' });
    // Hugo's console speaks French (the browser's language)
    browserH = await launchAdviser({ dir, name: 'adviser-h', locale: 'fr-FR' });
    a = browserA.page;
    b = browserB.page;
    h = browserH.page;
    booth = await scriptedBooth(sb, 'tw-1', 'E2E Library', sockets);
  });

  after(async () => {
    await browserB?.close();
    await browserH?.close();
    await suite.end(sockets);
  });

  step('A in a call opens Transfer: Marie listed live, the housing queue offered', async () => {
    for (const [page, user] of [[a, undefined], [b, MARIE], [h, HUGO]]) {
      await page.goto(sb.pageUrl());
      await signInPage(page, user ? { login: user.login, password: user.password } : undefined);
      await page.waitForSelector('body[data-link="online"]');
    }
    await booth.request({ type: 'request', language: 'en', topic: 'training', answers: { situation: 'job-seeker' } }, 'queued');
    await a.locator('[data-testid="queue-item"] [data-testid="accept-btn"]').click();
    call = (await booth.next((m) => m.type === 'call')).call;
    await a.waitForSelector('body[data-state="in-call"]');
    await a.locator('[data-testid="transfer-open"]').click();
    const colleague = a.locator('[data-testid="transfer-colleague"]');
    await colleague.first().waitFor({ state: 'attached' });
    assert.deepEqual(await colleague.allInnerTexts(), ['Marie']);
    const queues = await a.locator('[data-testid="transfer-queue"]').allInnerTexts();
    assert.ok(queues.some((q) => /housing/i.test(q)), queues.join(' | '));
  });

  step('offered: B sees the answers, the note and the countdown; B declines, A reads it', async () => {
    await a.locator('[data-testid="transfer-to"]').selectOption(`adviser:${MARIE.login}`);
    await a.locator('[data-testid="transfer-note"]').fill('CV done, wants a training');
    await a.locator('[data-testid="transfer-send"]').click();
    await a.waitForSelector('[data-testid="transfer-state"][data-state="offered"]');
    assert.equal(await pill().innerText(), 'Offered to Marie');
    const offer = b.locator('[data-testid="transfer-offer"]');
    await offer.waitFor();
    assert.match(await b.locator('[data-testid="transfer-offer-title"]').innerText(), /^E2E Adviser offers you a call: .+, English$/);
    assert.match(await b.locator('[data-testid="transfer-offer-answers"]').innerText(), /job/i);
    assert.equal(await b.locator('[data-testid="transfer-offer-note"]').innerText(), 'Note: CV done, wants a training');
    assert.match(await b.locator('[data-testid="transfer-offer-countdown"]').innerText(), /^Answer within 0?[01]:\d\d$/);
    await b.locator('[data-testid="transfer-decline"]').click();
    await a.waitForSelector('[data-testid="transfer-state"][data-state="declined"]');
    assert.equal(await pill().innerText(), 'Marie declined: the call stays with you');
    assert.equal(await a.evaluate(() => window.relais.state), 'in-call');
  });

  step('offered again, B accepts, the visitor lets B in, B joins: A hands over', async () => {
    await a.locator('[data-testid="transfer-open"]').click();
    await a.locator('[data-testid="transfer-colleague"]').first().waitFor({ state: 'attached' });
    await a.locator('[data-testid="transfer-to"]').selectOption(`adviser:${MARIE.login}`);
    await a.locator('[data-testid="transfer-send"]').click();
    await b.locator('[data-testid="transfer-accept"]').waitFor();
    const boothAt = booth.messages.length;
    await b.locator('[data-testid="transfer-accept"]').click();
    await a.waitForSelector('[data-testid="transfer-state"][data-state="accepted"]');
    const ask = await booth.next((m) => m.type === 'guest_ask' && m.role === 'colleague', { from: boothAt });
    assert.equal(ask.name, 'Marie');
    booth.send({ type: 'guest_answer', call, guest: ask.guest, accept: true });
    await a.waitForSelector('[data-testid="transfer-state"][data-state="joining"]');
    await b.waitForSelector('[data-testid="transfer-offer"][data-state="joining"]');
    // the booth's offer to the colleague (a real one, made by Chromium in
    // Hugo's page: the scripted booth has no media), and the colleague's
    // console answers it as a guest does
    const offerSdp = await h.evaluate(async () => {
      const pc = new RTCPeerConnection();
      pc.addTransceiver('audio');
      pc.addTransceiver('video');
      const sdp = (await pc.createOffer()).sdp;
      pc.close();
      return sdp;
    });
    booth.send({ type: 'sdp', call, sdp_type: 'offer', sdp: offerSdp, peer: 'guest' });
    const answer = await booth.next((m) => m.type === 'sdp' && m.peer === 'guest');
    assert.equal(answer.sdp_type, 'answer');
    assert.match(answer.sdp, /^v=0/);
    await a.waitForSelector('[data-testid="transfer-state"][data-state="joined"]');
    assert.equal(await pill().innerText(), 'Marie has joined: hand over when ready');
    await b.waitForSelector('[data-testid="transfer-offer"][data-state="joined"]');
    const ownerAt = booth.messages.length;
    await a.locator('[data-testid="transfer-done"]').click();
    assert.equal((await booth.next((m) => m.type === 'call_owner', { from: ownerAt })).adviser, 'Marie');
    await a.waitForSelector('body[data-state="idle"]');
    assert.equal(await a.locator('[data-testid="outcome-form"]').isVisible(), false, 'A writes no outcome: Marie finishes the call');
    await b.waitForSelector('body[data-state="in-call"]');
    assert.equal(await b.evaluate(() => window.relais.callId), call);
    assert.equal(await b.locator('[data-testid="transfer-offer"]').isVisible(), false);
    // the chat goes between the booth and B now
    await b.locator('[data-testid="chat-input"]').fill('Je prends la suite');
    await b.locator('[data-testid="chat-send"]').click();
    assert.equal((await booth.next((m) => m.type === 'chat' && m.text === 'Je prends la suite', { from: ownerAt })).from, 'Marie');
  });

  step('B transfers to the housing queue: Hugo sees it first, marked as a transfer', async () => {
    await b.locator('[data-testid="transfer-open"]').click();
    await b.locator('[data-testid="transfer-queue"]').first().waitFor({ state: 'attached' });
    await b.locator('[data-testid="transfer-to"]').selectOption('topic:housing');
    await b.locator('[data-testid="transfer-send"]').click();
    await b.waitForSelector('[data-testid="transfer-state"][data-state="queued"]');
    const item = h.locator('[data-testid="queue-item"][data-transfer="true"]');
    await item.waitFor();
    assert.equal(await item.locator('[data-testid="queue-transfer"]').innerText(), 'Appel transféré');
    // Hugo takes it: the offer's facts, and he is joining
    await item.locator('[data-testid="accept-btn"]').click();
    await h.waitForSelector('[data-testid="transfer-offer"][data-state="asking"]');
    assert.match(await h.locator('[data-testid="transfer-offer-title"]').innerText(), /^Vous avez pris l’appel de Marie dans la file\u00a0: /);
    assert.equal(await h.locator('[data-testid="transfer-offer-status"]').innerText(), 'On demande au visiteur de vous laisser entrer');
    await b.waitForSelector('[data-testid="transfer-state"][data-state="accepted"]');
  });
});
