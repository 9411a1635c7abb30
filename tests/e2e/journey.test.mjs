// SPDX-License-Identifier: GPL-2.0-or-later
// The visitor's whole journey on the booth's touch UI (relais-booth --ui,
// SDL offscreen), with a real Chromium adviser: touches from the attract
// screen to the call, chat both ways (the visitor types on the on-screen
// keyboard), end with confirmation, satisfaction, wipe. And the privacy
// test: nothing leaves the booth before "I'm ready", nothing of the visitor
// stays after the session.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { missingBinaries, outFile } from './lib/env.mjs';
import { UI_ARGS, UI_ENV, screen, walkToWaiting } from './lib/boothui.mjs';
import { Stack, BOOTH_ID, until, sleep } from './lib/scenario.mjs';
import { udpSockets, scanMemory, filesContaining } from './lib/inspect.mjs';
import { httpGet, SANITIZER } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

async function shot(ctl, name) {
  await ctl.screenshot(outFile(`booth-${name}.png`));
}

// Types on the on-screen keyboard, one tap per key, as a visitor would.
async function typeOnScreen(ctl, text) {
  for (const ch of text) {
    if (ch === ' ') await ctl.tap('keyboard', 'space');
    else await ctl.tap('keyboard', ch);
  }
}

test('journey: touches from attract to a call, chat both ways, end, satisfaction, wipe', { skip, timeout: 120000 }, async (t) => {
  const stack = new Stack('journey');
  t.after(() => stack.stop());
  await stack.run(async () => {
    await stack.start({ boothArgs: UI_ARGS, boothEnv: UI_ENV });
    const { page } = stack;
    const ctl = stack.booth.ctl;

    await screen(ctl, 'attract');
    await shot(ctl, 'attract');
    const walk = await walkToWaiting(ctl, { language: 'en' });
    // the own picture and the microphone meter work before anything is sent
    await until(async () => (await ctl.visitor()).local_picture, { timeout: 10000, what: 'own picture on self-check' });
    await until(async () => (await ctl.visitor()).mic_level > 0.05, { timeout: 5000, what: 'the microphone meter moving' });
    await shot(ctl, 'self-check');
    const taps = await walk.ready();
    assert.ok(taps <= 5, `first touch + at most four taps to wait for an adviser (took ${taps})`);
    let v = await screen(ctl, 'waiting');

    // the adviser sees the visitor with their answers and language
    const item = page.locator(`[data-testid="queue-item"][data-booth-id="${BOOTH_ID}"]`);
    await item.waitFor({ timeout: 10000 });
    assert.equal(await item.locator('[data-testid="queue-topic"]').getAttribute('data-topic'), 'job-search');
    assert.equal(await item.locator('[data-testid="queue-language"]').getAttribute('data-language'), 'en');
    assert.match(await item.locator('[data-testid="queue-answers"]').innerText(), /job.seeker/i);
    await until(async () => (v = await ctl.visitor()).position === 1, { timeout: 5000, what: 'queue position 1 on the booth' });
    await shot(ctl, 'waiting');

    await until(async () => (await ctl.status()).offer === 'ready', { timeout: 10000, what: 'booth offer ready' });
    await item.locator('[data-testid="accept-btn"]').click();
    await page.waitForSelector('body[data-state="in-call"]', { timeout: 5000 });
    await screen(ctl, 'in_call', { timeout: 15000 });
    await until(async () => (await ctl.visitor()).remote_picture, { timeout: 15000, what: "the adviser's picture on the booth" });

    // the visitor's controls reach the media engine (that the adviser then
    // hears silence and sees black is test-media-loopback's)
    await ctl.tap('mute');
    await ctl.tap('camera');
    let m = (await ctl.status()).media;
    assert.equal(m.muted, true);
    assert.equal(m.camera_off, true);
    await shot(ctl, 'in-call-muted');
    await ctl.tap('mute');
    await ctl.tap('camera');
    m = (await ctl.status()).media;
    assert.equal(m.muted, false);
    assert.equal(m.camera_off, false);
    const vol = (await ctl.visitor()).volume;
    assert.equal(m.volume, vol);
    await ctl.tap('volume', vol - 10); // the "-" button
    assert.equal((await ctl.status()).media.volume, vol - 10);

    // chat: adviser -> booth screen, booth keyboard -> adviser
    await page.locator('[data-testid="chat-input"]').fill('Hello, can you hear me?');
    await page.locator('[data-testid="chat-input"]').press('Enter');
    await until(async () => (await ctl.visitor()).chat_lines >= 1, { timeout: 5000, what: 'chat line on the booth' });
    await ctl.tap('keyboard', 'open');
    await typeOnScreen(ctl, 'yes thanks');
    await shot(ctl, 'in-call-keyboard');
    await ctl.tap('keyboard', 'send');
    await page.locator('[data-testid="chat-message"][data-from="visitor"]', { hasText: 'yes thanks' }).waitFor({ timeout: 5000 });
    await ctl.tap('keyboard', 'close');
    assert.equal((await ctl.visitor()).keyboard_open, false);
    await shot(ctl, 'in-call');

    // the booth's switchboard link drops: the call goes on (media is
    // peer to peer), the booth reconnects and gets its call back
    const before = await ctl.status();
    await ctl.run('drop-link');
    await until(async () => (await ctl.status()).reconnects === before.reconnects + 1 && (await ctl.status()).link === 'up', {
      timeout: 10000,
      what: 'the link back',
    });
    const after = await ctl.status();
    assert.equal(after.state, 'in_call');
    assert.equal(after.call, before.call);
    assert.equal(await stack.pageState(), 'in-call');
    await until(async () => (await ctl.status()).media.video_frames_received > after.media.video_frames_received + 30, {
      timeout: 5000,
      what: "the adviser's video still arriving",
    });
    await page.locator('[data-testid="chat-input"]').fill('Back again');
    await page.locator('[data-testid="chat-input"]').press('Enter');
    await until(async () => (await ctl.visitor()).chat_lines >= 3, { timeout: 5000, what: 'chat after the link came back' });
    assert.equal((await ctl.visitor()).reconnecting, false);

    // end: asks first, then satisfaction
    await ctl.tap('end');
    await screen(ctl, 'confirm_end');
    await ctl.tap('confirm-end');
    await screen(ctl, 'satisfaction');
    await page.waitForSelector('body[data-state="idle"]', { timeout: 5000 });
    await shot(ctl, 'satisfaction');
    await ctl.tap('score', 4);
    await screen(ctl, 'thanks');
    await until(async () => /relais_satisfaction_total\{score="4"\} 1/.test((await httpGet(`${stack.sb.base}/metrics`)).body), {
      timeout: 5000,
      what: 'the score counted by the switchboard',
    });
    await ctl.tap('done');
    await screen(ctl, 'wiped');
    await shot(ctl, 'wiped');
    v = await screen(ctl, 'attract', { timeout: 10000 });

    // wiped: nothing of the visitor in the booth's structures
    const st = await ctl.status();
    assert.equal(st.state, 'idle');
    assert.deepEqual(st.chat, []);
    assert.equal(st.media, undefined);
    assert.equal(st.feedback_pending, false);
    assert.equal(v.answers, 0);
    assert.equal(v.chat_lines, 0);
    assert.equal(v.score, 0);
    assert.equal(v.position, 0);
    assert.equal(v.local_picture, false);
    assert.equal(v.remote_picture, false);
    assert.equal(v.language, 'fr', 'back to the default language');
  });
});

test('privacy: nothing leaves before "I\'m ready"; nothing of the visitor stays after', { skip, timeout: 120000 }, async (t) => {
  const stack = new Stack('privacy');
  t.after(() => stack.stop());
  await stack.run(async () => {
    await stack.start({ boothArgs: UI_ARGS, boothEnv: UI_ENV });
    const { page } = stack;
    const ctl = stack.booth.ctl;
    const pid = stack.booth.proc.child.pid;
    // the booth overwrites freed memory (Kconfig RELAIS_BOOTH_SCRUB_FREED_MEMORY):
    // glibc's malloc, or AddressSanitizer's in the sanitizer pass
    const scrub = SANITIZER ? /ASAN_OPTIONS=[^\0]*max_free_fill_size=[1-9]/ : /GLIBC_TUNABLES=[^\0]*glibc\.malloc\.perturb=[1-9]/;
    assert.match(fs.readFileSync(`/proc/${pid}/environ`, 'utf8'), scrub);
    const queueItem = page.locator(`[data-testid="queue-item"][data-booth-id="${BOOTH_ID}"]`);

    const noMediaYet = async (where) => {
      const st = await ctl.status();
      assert.equal(st.media, undefined, `${where}: no media engine`);
      assert.deepEqual(udpSockets(pid), [], `${where}: no UDP socket (no ICE, no RTP)`);
      assert.equal(await queueItem.count(), 0, `${where}: the switchboard has no request`);
      return st;
    };

    await screen(ctl, 'attract');
    assert.equal((await noMediaYet('attract')).visitor.preview_running, false, 'attract: camera and microphone off');
    await ctl.tap('language', 'fr');
    await screen(ctl, 'question');
    assert.equal((await noMediaYet('questions')).visitor.preview_running, false, 'questions: camera and microphone off');
    await ctl.tap('answer', 'training');
    await ctl.tap('skip');
    await screen(ctl, 'consent');
    assert.equal((await noMediaYet('consent')).visitor.preview_running, false, 'consent: camera and microphone off');
    await ctl.tap('accept');
    await screen(ctl, 'self_check');
    // the self-check shows the camera to the visitor alone
    await until(async () => (await ctl.visitor()).local_picture, { timeout: 10000, what: 'own picture' });
    assert.equal((await noMediaYet('self-check')).visitor.preview_running, true);
    await sleep(1000); // time enough for anything to leak
    await noMediaYet('self-check after 1 s');
    // "Not now" goes back without a trace
    await ctl.tap('not-now');
    await screen(ctl, 'attract', { timeout: 10000 });
    assert.equal((await noMediaYet('after not now')).visitor.preview_running, false, 'camera off again');

    // A session with chat both ways, canaries in both directions.
    const advCanary = `adv${crypto.randomBytes(6).toString('hex')}`;
    const visCanary = `vis${crypto.randomBytes(4).toString('hex').replace(/[0-9]/g, (d) => 'ghijklmnop'[d])}`;
    await ctl.tap('language', 'fr');
    await screen(ctl, 'question');
    await ctl.tap('answer', 'admin-help');
    await ctl.tap('answer', 'employed');
    await ctl.tap('accept');
    await screen(ctl, 'self_check');
    await ctl.tap('ready');
    await screen(ctl, 'waiting');
    await until(() => udpSockets(pid).length > 0, { timeout: 5000, what: 'the media engine gathering candidates after "I\'m ready"' });
    await queueItem.waitFor({ timeout: 10000 });
    await until(async () => (await ctl.status()).offer === 'ready', { timeout: 10000, what: 'booth offer ready' });
    await queueItem.locator('[data-testid="accept-btn"]').click();
    await screen(ctl, 'in_call', { timeout: 15000 });
    await page.locator('[data-testid="chat-input"]').fill(advCanary);
    await page.locator('[data-testid="chat-input"]').press('Enter');
    await until(async () => (await ctl.visitor()).chat_lines >= 1, { timeout: 5000, what: 'chat on the booth' });
    await ctl.tap('keyboard', 'open');
    await typeOnScreen(ctl, visCanary);
    await ctl.tap('keyboard', 'send');
    await page.locator('[data-testid="chat-message"][data-from="visitor"]', { hasText: visCanary }).waitFor({ timeout: 5000 });
    // the adviser ends; the visitor walks away from the satisfaction screen
    await page.locator('[data-testid="end-btn"]').click();
    await screen(ctl, 'satisfaction');
    await ctl.tap('score', 5);
    await ctl.tap('done');
    await screen(ctl, 'attract', { timeout: 10000 });

    const st = await noMediaYet('after the session');
    assert.equal(st.visitor.preview_running, false);
    assert.deepEqual(st.chat, []);
    assert.equal(st.visitor.chat_lines, 0);
    assert.equal(st.visitor.answers, 0);
    assert.equal(st.ticket, undefined);
    assert.equal(st.call, undefined);
    assert.equal(st.link_renewals, 1, 'the link that carried the session was renewed');
    // in memory: the chat text either way, anywhere in the process
    const hits = scanMemory(pid, [advCanary, visCanary]);
    assert.deepEqual(hits, [], `chat text still in the booth's memory: ${JSON.stringify(hits)}`);
    // on disk: nothing under the booth's folder or /tmp
    assert.deepEqual(filesContaining(stack.dir, [advCanary, visCanary]), []);
  });
});
