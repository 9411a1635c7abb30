// SPDX-License-Identifier: GPL-2.0-or-later
// A guest in the call, in the browsers (PROTOCOL.md "A guest in the call";
// assets/web/invite.js and guest.js): a real Chromium console (the adviser)
// in a call with a scripted booth invites an interpreter and copies the
// link; a second Chromium (fake camera and microphone) opens it as the
// guest, gives a name and joins; the booth says yes and offers media (a real
// offer made by Chromium), the guest page answers: both pages say "joined".
// The adviser removes the guest and the guest page says so. Then the booth
// declines a second guest, a forged and a withdrawn link show their
// sentences, and one flow runs in French with the camera refused.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries, tmpDir } from './lib/env.mjs';
import { startSwitchboard, signInPage } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { scriptedBooth, suiteSteps } from './lib/scripted.mjs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

describe('a guest in the call (console and guest page)', { skip, timeout: 120000 }, () => {
  const dir = tmpDir('guestweb');
  let sb, adviser, page, guestBrowser, booth, call;
  const sockets = [];
  const suite = suiteSteps(dir, () => ({ sb, browser: adviser }));
  const step = suite.step;

  const pill = () => page.locator('[data-testid="guest-pill"]');
  const guestState = (g) => g.locator('[data-testid="guest-state"]');

  // The adviser asks for a link with `role`; resolves the link, read back
  // from the clipboard after "Copy link".
  async function invite(role) {
    await page.locator('[data-testid="invite-role"]').selectOption(role);
    await page.locator('[data-testid="invite-create"]').click();
    await page.locator('[data-testid="invite-url"]').waitFor({ state: 'visible' });
    await page.locator('[data-testid="invite-copy"]').click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, await page.locator('[data-testid="invite-url"]').inputValue());
    return copied;
  }

  // A guest page on `url`: the name given, "Join" pressed.
  async function openAsGuest(g, url, name, media = 'sendrecv') {
    await g.goto('about:blank'); // a link opened afresh (not a fragment change)
    await g.goto(url);
    await g.locator('[data-testid="guest-name"]').waitFor();
    // the page's script has run (the field is in the HTML before it)...
    await g.waitForSelector(`body[data-media="${media}"]`);
    // ...and the token is out of the address bar once read
    assert.equal(new URL(g.url()).hash, '');
    // the level meter moves with Chromium's fake microphone (its beeps)
    if (media === 'sendrecv') await g.waitForFunction(() => document.getElementById('guest-level').value > 0.01, null, { timeout: 10000 });
    await g.locator('[data-testid="guest-name"]').fill(name);
    await g.locator('[data-testid="guest-join-btn"]').click();
  }

  before(async () => {
    sb = await startSwitchboard({ dir });
    adviser = await launchAdviser({ dir });
    page = adviser.page;
    guestBrowser = await launchAdviser({ dir, name: 'guest' });
    booth = await scriptedBooth(sb, 'gw-1', 'E2E Library', sockets);
  });

  after(async () => {
    await guestBrowser?.close();
    await suite.end(sockets);
  });

  step('the adviser in a call invites an interpreter and copies the link', async () => {
    await page.goto(sb.pageUrl());
    await signInPage(page);
    await page.waitForSelector('body[data-link="online"]');
    await adviser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(sb.pageUrl()).origin });
    await booth.request({ type: 'request', language: 'en', topic: 'training' }, 'queued');
    await page.locator('[data-testid="queue-item"] [data-testid="accept-btn"]').click();
    call = (await booth.next((m) => m.type === 'call')).call;
    await page.waitForSelector('body[data-state="in-call"]');
    assert.equal(await page.locator('[data-testid="invite"]').isVisible(), true);
    const url = await invite('interpreter');
    assert.match(url, new RegExp(`^${new URL(sb.pageUrl()).origin}/guest#[A-Za-z0-9_-]{22}$`));
    assert.match(await page.locator('[data-testid="invite-expiry"]').innerText(), /^Expires in 1[45]:\d\d$/);
    suite.url = url;
  });

  step('the guest opens it, gives a name and joins; the visitor says yes: both pages say joined', async () => {
    const g = guestBrowser.page;
    await openAsGuest(g, suite.url, 'Claire');
    await g.waitForSelector('[data-testid="guest-state"][data-state="asking"]');
    assert.match(await guestState(g).innerText(), /Waiting for the visitor/);
    // the form gone, the focus is on the words that replaced it
    assert.equal(await g.evaluate(() => document.activeElement?.id), 'guest-state');
    await page.waitForSelector('[data-testid="guest-pill"][data-state="asking"]');
    assert.equal(await pill().innerText(), 'Claire (interpreter): asking the visitor');
    assert.equal(await page.locator('[data-testid="invite-url"]').isVisible(), false);
    const ask = await booth.next((m) => m.type === 'guest_ask');
    booth.send({ type: 'guest_answer', call, guest: ask.guest, accept: true });
    await g.waitForSelector('[data-testid="guest-state"][data-state="joining"]');
    // the booth offers (a real offer, made by Chromium), the guest page answers
    const offer = await page.evaluate(async () => {
      const pc = new RTCPeerConnection();
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
      const o = await pc.createOffer();
      pc.close();
      return o.sdp;
    });
    booth.send({ type: 'sdp', call, sdp_type: 'offer', sdp: offer, peer: 'guest' });
    const answer = await booth.next((m) => m.type === 'sdp' && m.peer === 'guest');
    assert.equal(answer.sdp_type, 'answer');
    assert.match(answer.sdp, /^v=0/);
    await g.waitForSelector('[data-testid="guest-state"][data-state="joined"]');
    assert.equal(await guestState(g).innerText(), 'You are in the call.');
    await page.waitForSelector('[data-testid="guest-pill"][data-state="joined"]');
    assert.equal(await pill().innerText(), 'Claire (interpreter): joined');
    // chat: the guest's line reaches the booth and the console with its name
    // and role; the adviser's reaches the guest
    await g.locator('[data-testid="guest-chat-input"]').fill('Bonjour');
    await g.locator('[data-testid="guest-chat-send"]').click();
    assert.equal((await booth.next((m) => m.type === 'chat')).from, 'Claire (interpreter)');
    const line = page.locator('[data-testid="chat-message"][data-from="guest"]');
    await line.waitFor();
    assert.equal(await line.locator('.chat-who').innerText(), 'Claire (interpreter)');
    assert.equal(await line.locator('.chat-text').innerText(), 'Bonjour');
    await page.locator('[data-testid="chat-input"]').fill('Welcome');
    await page.locator('[data-testid="chat-send"]').click();
    const back = g.locator('[data-testid="guest-chat-message"]').nth(1);
    await back.waitFor();
    assert.equal(await back.locator('.chat-text').innerText(), 'Welcome');
    assert.equal(await back.locator('.chat-who').innerText(), 'E2E Adviser');
  });

  step('the adviser removes the guest: the guest page says so', async () => {
    const g = guestBrowser.page;
    await page.locator('[data-testid="guest-remove"]').click();
    await g.waitForSelector('[data-testid="guest-state"][data-state="removed"]');
    assert.equal(await guestState(g).innerText(), 'The adviser removed you from the call.');
    assert.equal(await g.evaluate(() => document.body.dataset.close), '4025');
    await page.waitForSelector('[data-testid="guest-pill"][data-state="removed"]');
    assert.equal(await page.locator('[data-testid="guest-remove"]').isVisible(), false);
  });

  step('a second guest: the visitor declines', async () => {
    const g = guestBrowser.page;
    const url = await invite('relative');
    await openAsGuest(g, url, 'Paul');
    const ask = await booth.next((m) => m.type === 'guest_ask' && m.name === 'Paul');
    assert.equal(ask.role, 'relative');
    booth.send({ type: 'guest_answer', call, guest: ask.guest, accept: false });
    await g.waitForSelector('[data-testid="guest-state"][data-state="declined"]');
    assert.equal(await guestState(g).innerText(), 'The visitor preferred not to. You are not in the call.');
    await page.waitForSelector('[data-testid="guest-pill"][data-state="declined"]');
    assert.equal(await pill().innerText(), 'Paul (relative): declined by the visitor');
  });

  step('a forged link and a withdrawn one show their sentences', async () => {
    const g = guestBrowser.page;
    await openAsGuest(g, `${new URL(sb.pageUrl()).origin}/guest#${'A'.repeat(22)}`, 'Eve');
    await g.waitForSelector('[data-testid="guest-state"][data-state="unknown"]');
    assert.match(await guestState(g).innerText(), /This link is not valid/);
    const url = await invite('adviser');
    await page.locator('[data-testid="invite-withdraw"]').click();
    await page.waitForSelector('[data-testid="invite-url"]', { state: 'hidden' });
    await openAsGuest(g, url, 'Eve');
    await g.waitForSelector('[data-testid="guest-state"][data-state="expired"]');
    assert.match(await guestState(g).innerText(), /This link has expired or was withdrawn/);
  });

  step('a third guest is let in, then leaves: the console says so', async () => {
    const g = guestBrowser.page;
    const url = await invite('adviser');
    await openAsGuest(g, url, 'Marc');
    // connected, the page's language cannot change (a reload would spend the link)
    await g.waitForSelector('[data-testid="guest-state"][data-state="asking"]');
    assert.equal(await g.locator('[data-testid="lang-switch"]').isDisabled(), true);
    const ask = await booth.next((m) => m.type === 'guest_ask' && m.name === 'Marc');
    booth.send({ type: 'guest_answer', call, guest: ask.guest, accept: true });
    await page.waitForSelector('[data-testid="guest-pill"][data-state="joining"]');
    assert.equal(await pill().innerText(), 'Marc (adviser): joining');
    await g.locator('[data-testid="guest-leave"]').click();
    await page.waitForSelector('[data-testid="guest-pill"][data-state="left"]');
    assert.equal(await pill().innerText(), 'Marc (adviser): left');
    assert.equal(await guestState(g).innerText(), 'You left the call.');
    assert.equal(await g.locator('[data-testid="lang-switch"]').isDisabled(), false);
  });

  step('in French: a link, the guest asked, then the call ends', async () => {
    // this guest refused the camera and microphone: receive only, said so
    const fr = await launchAdviser({ dir, name: 'guest-fr', locale: 'fr-FR', media: 'denied' });
    try {
      const g = fr.page;
      const url = await invite('interpreter');
      await openAsGuest(g, url, 'Aïcha', 'recvonly');
      assert.match(await g.locator('[data-testid="guest-media"]').innerText(), /^Réception seule\u00a0: /);
      await g.waitForSelector('[data-testid="guest-state"][data-state="asking"]');
      assert.equal(await guestState(g).innerText(), 'En attente de l’accord du visiteur…');
      assert.equal(await g.locator('[data-testid="guest-join-btn"]').innerText(), 'Rejoindre');
      booth.send({ type: 'end', call, reason: 'visitor' });
      await g.waitForSelector('[data-testid="guest-state"][data-state="ended"]');
      assert.equal(await guestState(g).innerText(), 'L’appel est terminé.');
      await page.waitForSelector('body[data-state="idle"]');
      assert.equal(await page.locator('[data-testid="invite"]').isVisible(), false);
      assert.equal(await pill().isVisible(), false);
    } finally {
      await fr.close();
    }
  });
});
