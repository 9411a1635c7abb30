// SPDX-License-Identifier: GPL-2.0-or-later
// A real call: relais-switchboard + relais-booth (board sim) + Debian's
// Chromium running the adviser console. Media must flow both ways, then End
// brings both ends back to idle.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { missingBinaries } from './lib/env.mjs';
import { run } from './lib/procs.mjs';
import { Stack, requestAndAccept, waitMedia, endFromPage, until } from './lib/scenario.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const IPV4 = /\s(\d{1,3}(?:\.\d{1,3}){3})\s\d+\styp\shost/;
const MDNS = /\s[0-9a-f-]{36}\.local\s/;

const variants = [
  { name: 'camera granted, mDNS default', media: 'fake', mdns: true, shot: 'call-in-progress.png', extras: true },
  { name: 'camera granted, --disable-features=WebRtcHideLocalIpsWithMdns', media: 'fake', mdns: false },
  { name: 'camera refused: receive-only, host candidates as mDNS .local names', media: 'denied', mdns: true, shot: 'call-receive-only.png' },
  { name: 'camera refused, --disable-features=WebRtcHideLocalIpsWithMdns: receive-only, raw IPs', media: 'denied', mdns: false },
];

for (const v of variants) {
  test(`call: ${v.name}`, { skip, timeout: 60000 }, async (t) => {
    const stack = new Stack(`call-${v.media}-${v.mdns ? 'mdns' : 'nomdns'}`);
    t.after(() => stack.stop());
    await stack.run(async () => {
      await stack.start({ media: v.media, mdns: v.mdns });
      const { page } = stack;

      if (v.media === 'fake') {
        // Capture is acquired as soon as the console is online, for a fast Accept.
        await page.waitForSelector('body[data-media="sendrecv"]', { timeout: 10000 });
        assert.equal(await page.locator('[data-testid="media-warning"]').isVisible(), false);
      } else {
        await page.waitForSelector('body[data-media="recvonly"]', { timeout: 10000 });
        const warning = page.locator('[data-testid="media-warning"]');
        assert.ok(await warning.isVisible(), 'receive-only warning shown');
        assert.match(await warning.innerText(), /receive only/i);
      }

      const { acceptedAt } = await requestAndAccept(stack);
      const stats = await waitMedia(stack, { boothReceives: v.media === 'fake' });
      const flowing = Date.now() - acceptedAt;

      const timing = await page.evaluate(() => ({ t: window.relais.timing, c: window.relais.callTiming() }));
      const status = await stack.booth.ctl.status();
      t.diagnostic(
        `accept→page first frame ${timing.t.firstFrame ? Math.round(timing.t.firstFrame - timing.t.accept) : '?'} ms; ` +
          `booth call→first video ${status.media?.call_to_first_video_ms ?? '?'} ms; 60 frames both ways after ${flowing} ms; ` +
          `page video ${stats.page.inboundVideo.frameWidth}x${stats.page.inboundVideo.frameHeight} ${stats.page.inboundVideo.codec}; ` +
          `pair ${JSON.stringify(stats.page.candidatePair)}`,
      );
      assert.equal(stats.page.connectionState, 'connected');
      assert.equal(status.state, 'in_call');
      // the set-up's steps at the booth, each after the one before it (the
      // last two only when the adviser sends video)
      const m = status.media;
      const names = ['call_to_answer_ms', 'call_to_dtls_ms'];
      if (v.media === 'fake') names.push('call_to_first_rtp_ms', 'call_to_first_video_ms');
      const steps = names.map((k) => m[k]);
      for (const v of steps) assert.ok(Number.isFinite(v) && v >= 0, `set-up steps ${JSON.stringify(steps)}`);
      for (let i = 1; i < steps.length; i++) assert.ok(steps[i] >= steps[i - 1], `set-up steps in order: ${JSON.stringify(steps)}`);
      assert.equal(await page.locator('[data-testid="call-state"]').getAttribute('data-state'), 'connected');

      // Which host candidates Chromium handed out.
      const local = await page.evaluate(() => window.relais.counters.localCandidates);
      const hosts = local.filter((c) => / typ host/.test(c));
      t.diagnostic(`page host candidates: ${hosts.map((c) => c.split(' ').slice(4, 6).join(' ')).join(', ') || 'none'}`);
      assert.ok(hosts.length > 0, 'the page gathered host candidates');
      if (v.media === 'denied' && v.mdns) {
        assert.ok(hosts.every((c) => MDNS.test(c)), `without capture permission Chromium hides local IPs behind .local names: ${hosts.join(' | ')}`);
      }
      if (!v.mdns) {
        assert.ok(hosts.some((c) => IPV4.test(c)), `mDNS disabled: raw IPv4 host candidates: ${hosts.join(' | ')}`);
        assert.ok(!hosts.some((c) => MDNS.test(c)), 'mDNS disabled: no .local names');
      }

      if (v.media === 'denied') {
        // Receive only: nothing goes out from the adviser.
        assert.equal(stats.page.outboundVideo, null);
        assert.equal(stats.booth.videoReceived, 0);
        assert.equal(await page.locator('[data-testid="mute-btn"]').isDisabled(), true);
      }

      // The call timer runs.
      await until(async () => (await page.locator('[data-testid="call-timer"]').innerText()) !== '00:00', { timeout: 3000, what: 'call timer' });

      if (v.extras) {
        // The connection's quality as the adviser sees it: real figures
        // from getStats (two looks, 2 s apart), graded by the documented
        // rule (stage.js tickCallQuality; a loaded machine may make it fair)
        const q = page.locator('[data-testid="call-quality"]');
        await q.waitFor({ state: 'visible', timeout: 8000 });
        const f = await q.evaluate((el) => ({ ...el.dataset, text: el.textContent }));
        t.diagnostic(`console quality: ${f.text}`);
        const [kbps, loss, rtt, fps] = [Number(f.kbps), Number(f.lossPct), Number(f.rttMs), Number(f.fps)];
        assert.ok(kbps > 16, `bitrate from the booth: ${kbps} kbit/s`);
        assert.ok(loss >= 0 && rtt >= 0 && fps >= 0, f.text);
        const level = loss >= 10 || rtt > 400 || fps === 0 ? 'poor' : loss >= 2 || rtt > 200 || fps < 10 ? 'fair' : 'good';
        assert.equal(f.level, level, f.text);
        assert.match(f.text, new RegExp(`^${level[0].toUpperCase()}${level.slice(1)} connection · ${kbps} kbit/s · ${fps} fps`));

        // What the booth sends, as its status tells a technician
        // (relais-boothctl status): the encoder's size and the rates over
        // the last second
        const sent = (await stack.booth.ctl.status()).media;
        t.diagnostic(`booth sends ${sent.video_sent_width}x${sent.video_sent_height} at ${sent.video_sent_fps.toFixed(1)} fps, ${sent.video_sent_kbps} kbit/s (target ${sent.video_target_kbps})`);
        assert.equal(sent.video_sent_width, 640);
        assert.equal(sent.video_sent_height, 480);
        assert.equal(sent.video_target_kbps, 1200);
        assert.ok(sent.video_sent_fps > 0 && sent.video_sent_kbps > 0, JSON.stringify(sent));

        // Chat both ways.
        await page.locator('[data-testid="chat-input"]').fill('Bonjour, je vous entends bien ?');
        await page.locator('[data-testid="chat-input"]').press('Enter');
        await until(
          async () => (await stack.booth.ctl.status()).chat?.some((c) => c.from === 'adviser' && c.text === 'Bonjour, je vous entends bien ?'),
          { timeout: 5000, what: 'chat at the booth' },
        );
        await stack.booth.ctl.run('chat', 'Oui, très bien. Merci !');
        await page.locator('[data-testid="chat-message"][data-from="visitor"]', { hasText: 'Oui, très bien. Merci !' }).waitFor({ timeout: 5000 });

        // Mute and camera toggles act on the local tracks; media keeps flowing.
        await page.locator('[data-testid="mute-btn"]').click();
        assert.equal(await page.locator('[data-testid="mute-btn"]').getAttribute('aria-pressed'), 'true');
        assert.equal(await page.evaluate(() => window.relais.localStream.getAudioTracks()[0].enabled), false);
        await page.locator('[data-testid="mute-btn"]').click();
        assert.equal(await page.evaluate(() => window.relais.localStream.getAudioTracks()[0].enabled), true);
        await page.locator('[data-testid="camera-btn"]').click();
        assert.equal(await page.evaluate(() => window.relais.localStream.getVideoTracks()[0].enabled), false);
        await page.locator('[data-testid="camera-btn"]').click();
        assert.equal(await page.evaluate(() => window.relais.localStream.getVideoTracks()[0].enabled), true);
      }

      if (v.shot) {
        await page.waitForTimeout(300);
        const path = await stack.screenshot(v.shot);
        t.diagnostic(`screenshot: ${path}`);
      }

      await endFromPage(stack);
      assert.deepEqual(await stack.page.evaluate(() => window.relais.counters.invalid), 0, 'no invalid message reached the page');
      assert.deepEqual(stack.adviser.pageErrors(), []);
    });
  });
}

test('call: the booth ends the call, the page returns to idle', { skip, timeout: 60000 }, async (t) => {
  const stack = new Stack('call-booth-ends');
  t.after(() => stack.stop());
  await stack.run(async () => {
    await stack.start();
    await requestAndAccept(stack);
    await waitMedia(stack, { minFrames: 10 });
    await stack.booth.ctl.end();
    await stack.page.waitForSelector('body[data-state="idle"]', { timeout: 5000 });
    assert.match(await stack.page.locator('[data-testid="toast"]').innerText(), /ended the call/i);
    await until(async () => (await stack.booth.ctl.status()).state === 'idle', { timeout: 10000, what: 'booth idle' });
    // And the booth can be called again at once.
    await requestAndAccept(stack);
    await waitMedia(stack, { minFrames: 10 });
    await endFromPage(stack);
  });
});

// The adviser's Wi-Fi drops mid-call (the console's WebSocket closed as a
// failing network closes it): the media go on peer to peer, the switchboard
// holds the call for its resume grace, the console keeps its
// RTCPeerConnection, says "reconnecting", names the call in its next hello
// and has it back; the call then ends normally, with one record.
test('call: the adviser loses the switchboard mid-call: the call goes on, the console links again and keeps it', { skip, timeout: 60000 }, async (t) => {
  const stack = new Stack('call-link-drop');
  t.after(() => stack.stop());
  await stack.run(async () => {
    await stack.start();
    const { callId } = await requestAndAccept(stack);
    await waitMedia(stack, { minFrames: 10 });
    const before = await stack.page.evaluate(() => window.relais.connectionId);
    await stack.page.evaluate(() => {
      window.__pc = window.relais.pc;
    });
    const droppedAt = Date.now();
    await stack.page.evaluate(() => window.relais.dropLink());
    await stack.page.waitForSelector('body[data-call-link="away"]', { timeout: 5000 });
    assert.equal(await stack.pageState(), 'in-call', 'the console keeps the call while its link is away');
    assert.match(await stack.page.locator('[data-testid="link-state"]').innerText(), /reconnecting/i);
    // Back on a new connection, the call named in its hello and kept.
    await until(async () => (await stack.page.evaluate(() => window.relais.connectionId)) !== before, { timeout: 10000, what: 'a new connection' });
    await stack.page.waitForSelector('body[data-link="online"]:not([data-call-link])', { timeout: 10000 });
    const backMs = Date.now() - droppedAt;
    assert.equal(await stack.page.evaluate(() => window.relais.callId), callId);
    assert.equal(await stack.page.evaluate(() => window.relais.pc === window.__pc), true, 'the same RTCPeerConnection');
    assert.equal((await stack.booth.ctl.status()).state, 'in_call');
    // Media kept flowing both ways through it all.
    const s0 = await waitMedia(stack, { minFrames: 1 });
    const s1 = await waitMedia(stack, { minFrames: s0.page.inboundVideo.framesDecoded + 15 });
    assert.ok(s1.booth.videoReceived > s0.booth.videoReceived, `the booth still receives (${s0.booth.videoReceived} -> ${s1.booth.videoReceived} frames)`);
    t.diagnostic(`console linked again and back in its call ${backMs} ms after its link dropped`);
    // The switchboard relays for this call again: End reaches the booth.
    await endFromPage(stack);
    const rows = await storeRows(stack, `SELECT count(*) || '|' || (SELECT count(*) FROM live_calls) FROM call_records WHERE call_id = '${callId}'`);
    assert.equal(rows, '1|0', 'one call record, nothing left in progress');
  });
});

// The adviser ends the call just as the link drops: the end is said on the
// next link (its hello names the call), so the booth is told at once
// rather than after the resume grace, and the record says who hung up.
test('call: the adviser ends the call while the link is away: the booth is told on the next link', { skip, timeout: 60000 }, async (t) => {
  const stack = new Stack('call-end-away');
  t.after(() => stack.stop());
  await stack.run(async () => {
    await stack.start();
    const { callId } = await requestAndAccept(stack);
    await waitMedia(stack, { minFrames: 10 });
    await stack.page.evaluate(() => {
      window.relais.dropLink();
      document.querySelector('[data-testid="end-btn"]').click();
    });
    await stack.page.waitForSelector('body[data-state="idle"]', { timeout: 5000 });
    const t0 = Date.now();
    await until(async () => (await stack.booth.ctl.status()).state === 'idle', { timeout: 10000, what: 'booth idle' });
    t.diagnostic(`booth told ${Date.now() - t0} ms after the page ended (the resume grace is 15 s)`);
    const rows = await storeRows(stack, `SELECT count(*) || '|' || (SELECT group_concat(end_reason) FROM call_records WHERE call_id = '${callId}') FROM call_records WHERE call_id = '${callId}'`);
    assert.equal(rows, '1|adviser-hangup');
  });
});

// The adviser's link stays away past the resume grace (the browser offline):
// both sides give the call up on their own, the booth is told, and the
// call has one record (peer-lost); the console back online is idle.
test("call: the adviser's link stays away past the grace: the call ends at both ends, one record", { skip, timeout: 90000 }, async (t) => {
  const stack = new Stack('call-link-gone');
  t.after(() => stack.stop());
  await stack.run(async () => {
    await stack.start();
    const { callId } = await requestAndAccept(stack);
    await waitMedia(stack, { minFrames: 10 });
    const resumeS = await stack.page.evaluate(() => window.relais.resumeS);
    await stack.adviser.context.setOffline(true);
    const t0 = Date.now();
    await stack.page.evaluate(() => window.relais.dropLink());
    await stack.page.waitForSelector('body[data-call-link="away"]', { timeout: 5000 });
    // held meanwhile: still in the call at both ends
    assert.equal(await stack.pageState(), 'in-call');
    assert.equal((await stack.booth.ctl.status()).state, 'in_call');
    await stack.page.waitForSelector('body[data-state="idle"]', { timeout: (resumeS + 10) * 1000 });
    const pageMs = Date.now() - t0;
    await until(async () => (await stack.booth.ctl.status()).state === 'idle', { timeout: 15000, what: 'the booth told the call ended' });
    const boothMs = Date.now() - t0;
    t.diagnostic(`resume grace ${resumeS} s: the console gave the call up after ${pageMs} ms, the booth was told after ${boothMs} ms`);
    assert.ok(pageMs >= resumeS * 1000, `the console held the call ${pageMs} ms`);
    await stack.adviser.context.setOffline(false);
    await stack.page.waitForSelector('body[data-link="online"]', { timeout: 20000 });
    const rows = await storeRows(stack, `SELECT count(*) || '|' || (SELECT group_concat(end_reason) FROM call_records WHERE call_id = '${callId}') FROM call_records WHERE call_id = '${callId}'`);
    assert.equal(rows, '1|peer-lost');
    assert.equal(await stack.pageState(), 'idle');
  });
});

// What the switchboard's store says (sqlite3 beside it), once the write is in.
async function storeRows(stack, query) {
  let out = '';
  await until(
    async () => {
      const r = await run('sqlite3', ['-cmd', '.timeout 5000', path.join(stack.sb.dataDir, 'relais.db'), query]);
      out = r.stdout.trim();
      return r.code === 0 && out.startsWith('1|');
    },
    { timeout: 5000, what: `the store: ${query}` },
  ).catch(() => {});
  return out;
}
