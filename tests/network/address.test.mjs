// SPDX-License-Identifier: GPL-2.0-or-later
// Issue 13, scenario 5: the booth's address changes mid-call (a new address
// on its veth, the old one removed: DHCP gave it another), Chromium beside
// the switchboard. The old candidate pair and the booth's signaling
// connection are dead with the old address: the booth notices the silence,
// finds its link dead (probes unanswered), dials again from the new
// address, gets its call back and offers a new media connection
// (PROTOCOL.md "Reconnecting a call's media"). Measured: from the change to
// media both ways again, and the connection number.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries } from '../e2e/lib/env.mjs';
import { killAll } from '../e2e/lib/procs.mjs';
import { boothMedia } from '../e2e/lib/relais.mjs';
import { requestAndAccept, waitMedia, until } from '../e2e/lib/scenario.mjs';
import { NetLab, labUnavailable } from './lib/netns.mjs';
import { startLabStack, pageFrames } from './lib/labstack.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : ((await labUnavailable()) ?? false);

// Bound the test holds to: well within the call's 20 s grace (the figure
// itself is printed).
const BOUND_MS = 19000;

describe("scenario 5, the booth's address changes mid-call", { skip, timeout: 180000 }, () => {
  let lab;
  let stack;

  before(async () => {
    lab = await NetLab.create();
    stack = await startLabStack(lab, 'address');
  });

  after(async () => {
    await stack?.stop();
    await killAll();
    await lab?.destroy();
  });

  it('the call goes on over a new media connection from the new address, nobody touching anything', async (t) => {
    await stack.run(async () => {
      const { callId } = await requestAndAccept(stack);
      await waitMedia(stack, { minFrames: 30, timeout: 30000 });
      const before = await stack.booth.ctl.status();
      const conn0 = before.media.media_connection;
      const framesBefore = { booth: boothMedia(before).videoReceived, page: await pageFrames(stack) };
      await lab.addressChange();
      const t0 = Date.now();
      let last = {};
      await until(
        async () => {
          const st = await stack.booth.ctl.status();
          const page = await pageFrames(stack);
          last = { state: st.state, link: st.link, conn: st.media?.media_connection, reconnecting: st.media?.reconnecting, booth: boothMedia(st).videoReceived, page };
          // a new connection's counters start again: frames over it, both ends
          return st.state === 'in_call' && st.media?.media_connection > conn0 && st.media?.reconnecting === false && boothMedia(st).videoReceived >= 15 && page >= 15;
        },
        { timeout: 45000, interval: 100, what: 'media both ways over a new connection' },
      ).catch((err) => {
        err.message += `\nlast: ${JSON.stringify(last)}`;
        throw err;
      });
      const healed = Date.now() - t0;
      const st = await stack.booth.ctl.status();
      t.diagnostic(
        `address changed to ${lab.boothAddress}: media both ways again after ${(healed / 1000).toFixed(1)} s over media connection ${st.media.media_connection} ` +
          `(was ${conn0}; frames before the change: booth ${framesBefore.booth}, adviser ${framesBefore.page})`,
      );
      assert.ok(healed <= BOUND_MS, `healed after ${healed} ms`);
      assert.equal(await stack.page.evaluate(() => window.relais.callId), callId, 'the same call at the console');
      assert.equal(await stack.page.evaluate(() => window.relais.mediaConnection), st.media.media_connection);
    });
  });
});
