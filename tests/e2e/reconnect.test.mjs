// SPDX-License-Identifier: GPL-2.0-or-later
// A call's media replaced by a new connection (PROTOCOL.md "Reconnecting a
// call's media"; issue 13): the real booth (sim board) and Chromium's
// console. The booth offers connection 1 (as when it finds the old path
// dead: here asked on its control socket), the console answers it with a new
// RTCPeerConnection, and media flows again both ways with nobody touching
// anything; then the console asks for one (as when its connection fails)
// and the booth makes connection 2. Stale candidates and answers of an
// older connection are dropped; the call stays one call. Last, the console
// stops sending (a dead path as the booth sees it): the booth notices,
// checks the network and makes connection 3 on its own.
// The same under a real outage between network namespaces: tests/network.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries } from './lib/env.mjs';
import { Stack, requestAndAccept, waitMedia, endFromPage, until, boothMedia } from './lib/scenario.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

// Both ends receive frames again over connection `n`: the booth's counters
// are the new engine's, the page's the new RTCPeerConnection's.
async function flowingAgain(stack, n, minFrames = 30) {
  let last = {};
  await until(
    async () => {
      const [status, conn, page] = await Promise.all([
        stack.booth.ctl.status(),
        stack.page.evaluate(() => window.relais.mediaConnection),
        stack.pageStats(),
      ]);
      const bm = boothMedia(status);
      last = { conn, boothConn: status.media?.media_connection, reconnecting: status.media?.reconnecting, bm, page: page?.inboundVideo, state: page?.connectionState };
      return (
        conn === n &&
        status.media?.media_connection === n &&
        status.state === 'in_call' &&
        bm.videoReceived >= minFrames &&
        (page?.inboundVideo?.framesDecoded ?? 0) >= minFrames &&
        page?.connectionState === 'connected'
      );
    },
    { timeout: 20000, interval: 100, what: `media flowing again over connection ${n}` },
  ).catch((err) => {
    err.message += `\nlast: ${JSON.stringify(last)}`;
    throw err;
  });
}

test('a call gets a new media connection from either end and goes on', { skip, timeout: 120000 }, async (t) => {
  const stack = new Stack('reconnect');
  t.after(() => stack.stop());
  await stack.run(async () => {
    await stack.start();
    const { page } = stack;
    const { callId } = await requestAndAccept(stack);
    await waitMedia(stack);
    assert.equal(await page.evaluate(() => window.relais.mediaConnection), 0);

    // the booth makes connection 1
    const t0 = Date.now();
    const after = await stack.booth.ctl.run('media-restart');
    assert.equal(JSON.parse(after).media.media_connection, 1);
    await flowingAgain(stack, 1);
    const booth1 = Date.now() - t0;
    assert.equal(await page.locator('[data-testid="call-state"]').getAttribute('data-state'), 'connected');

    // the console asks (its connection "failed"): the booth makes connection 2
    const t1 = Date.now();
    await page.evaluate(() => window.relais.askReconnect());
    await flowingAgain(stack, 2);
    const console2 = Date.now() - t1;
    const status = await stack.booth.ctl.status();
    assert.equal(status.media.media_connection, 2);
    assert.equal(status.media.media_restarts, 2);
    assert.equal(status.media.reconnecting, false);
    t.diagnostic(`new connection from the booth: media both ways after ${booth1} ms; asked by the console: after ${console2} ms`);

    // nothing arrives at the booth any more (as over a dead path): it says
    // "reconnecting", checks that the network works (a ping answered), and
    // makes connection 3 by itself
    const t2 = Date.now();
    await page.evaluate(() => window.relais.stopSending());
    await until(async () => (await stack.booth.ctl.status()).media?.reconnecting === true, { timeout: 10000, interval: 100, what: 'the booth reconnecting' });
    const noticed = Date.now() - t2;
    await flowingAgain(stack, 3);
    const healed = Date.now() - t2;
    assert.equal((await stack.booth.ctl.status()).media.reconnecting, false);
    t.diagnostic(`nothing sent to the booth: "reconnecting" after ${noticed} ms (quiet threshold 1500 ms), media both ways over a new connection after ${healed} ms`);

    // still one call: the console's call id did not change, and End ends it
    assert.equal(await page.evaluate(() => document.body.dataset.call), callId);
    await endFromPage(stack);
  });
});
