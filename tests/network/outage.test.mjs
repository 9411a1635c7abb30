// SPDX-License-Identifier: GPL-2.0-or-later
// Issue 13, scenario 1: an outage mid-call, everything between the booth and
// the switchboard + Chromium dropped in mid (both directions). Measured:
// when each end says "reconnecting", and how long after the network's
// return media flows again both ways (target 3 s), with or without a new
// media connection (PROTOCOL.md "Reconnecting a call's media"). Then an
// outage longer than the hold: the call ends on both ends, the visitor is
// told in plain words, the session is wiped.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries } from '../e2e/lib/env.mjs';
import { killAll } from '../e2e/lib/procs.mjs';
import { boothMedia } from '../e2e/lib/relais.mjs';
import { requestAndAccept, waitMedia, until, sleep } from '../e2e/lib/scenario.mjs';
import { NetLab, labUnavailable } from './lib/netns.mjs';
import { startLabStack, pageFrames } from './lib/labstack.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : ((await labUnavailable()) ?? false);

const RESUME_TARGET_MS = 3000; // the figure: printed beside the measure
// what the test holds to: back by itself, well before any grace or timer of
// the product's would end or remake the call (tests check behaviour; a busy
// machine may take longer than the figure)
const RESUME_BOUND_MS = 10000;
const OUTAGE_MS = 10000;
const LONG_OUTAGE_MS = 30000;
const BOOTH_GRACE_MS = 20000; // Kconfig RELAIS_BOOTH_RESUME_GRACE_S

// Both ends decode again: `more` frames past their counts at `from`.
async function bothFlowing(stack, from, more = 15) {
  const [st, page] = await Promise.all([stack.booth.ctl.status(), pageFrames(stack)]);
  const bm = boothMedia(st);
  return bm.videoReceived >= from.booth + more && page >= from.page + more && st.media?.reconnecting === false;
}

async function counts(stack) {
  const [st, page] = await Promise.all([stack.booth.ctl.status(), pageFrames(stack)]);
  return { booth: boothMedia(st).videoReceived, page, conn: st.media?.media_connection ?? 0 };
}

describe('scenario 1, an outage mid-call', { skip, timeout: 300000 }, () => {
  let lab;
  let stack;

  before(async () => {
    lab = await NetLab.create();
    stack = await startLabStack(lab, 'outage');
  });

  after(async () => {
    await stack?.stop();
    await killAll();
    await lab?.destroy();
  });

  it(`a ${OUTAGE_MS / 1000} s outage: both ends say "reconnecting", media back by itself when the network returns (figure vs ${RESUME_TARGET_MS / 1000} s)`, async (t) => {
    await stack.run(async () => {
      await requestAndAccept(stack);
      await waitMedia(stack, { minFrames: 30, timeout: 30000 });
      const lift = await lab.outage();
      const t0 = Date.now();
      const [boothSaid, pageSaid] = await Promise.all([
        until(async () => (await stack.booth.ctl.status()).media?.reconnecting === true && Date.now(), { timeout: OUTAGE_MS - 500, interval: 100, what: 'the booth reconnecting' }),
        stack.page
          .waitForSelector('[data-testid="call-state"][data-state="reconnecting"]', { timeout: OUTAGE_MS - 500 })
          .then(() => Date.now()),
      ]);
      const rest = OUTAGE_MS - (Date.now() - t0);
      if (rest > 0) await sleep(rest); // the outage itself, not a wait for an event
      const before = await counts(stack);
      await lift();
      const t1 = Date.now();
      await until(() => bothFlowing(stack, before), { timeout: 20000, interval: 50, what: 'media both ways again' });
      const resumed = Date.now() - t1;
      const after = await counts(stack);
      await stack.page.waitForSelector('[data-testid="call-state"][data-state="connected"]', { timeout: 5000 });
      t.diagnostic(
        `"reconnecting" at the booth ${((boothSaid - t0) / 1000).toFixed(1)} s and at the console ${((pageSaid - t0) / 1000).toFixed(1)} s into the outage; ` +
          `media both ways ${(resumed / 1000).toFixed(2)} s after the network returned (target ${RESUME_TARGET_MS / 1000} s), ` +
          `media connection ${before.conn} -> ${after.conn}`,
      );
      assert.ok(resumed <= RESUME_BOUND_MS, `resumed after ${resumed} ms`);
      assert.equal((await stack.booth.ctl.status()).state, 'in_call');
    });
  });

  it(`an outage longer than the hold (${LONG_OUTAGE_MS / 1000} s): the call ends on both ends, the visitor told, the session wiped`, async (t) => {
    await stack.run(async () => {
      const lift = await lab.outage();
      const t0 = Date.now();
      let boothEnded = 0;
      let pageEnded = 0;
      let toldAdviser = '';
      try {
        // both ends give the call up on their own, the network still down
        await Promise.all([
          until(async () => (await stack.booth.ctl.status()).state !== 'in_call' && (boothEnded = Date.now() - t0), { timeout: BOOTH_GRACE_MS + 10000, interval: 200, what: 'the booth ending the call' }),
          stack.page.waitForSelector('body[data-state="idle"]', { timeout: LONG_OUTAGE_MS - 1000 }).then(async () => {
            pageEnded = Date.now() - t0;
            toldAdviser = await stack.page.locator('[data-testid="toast"]').innerText();
          }),
        ]);
      } finally {
        const rest = LONG_OUTAGE_MS - (Date.now() - t0);
        if (rest > 0) await sleep(rest); // the outage itself, not a wait for an event
        await lift();
      }
      const st = await stack.booth.ctl.status();
      t.diagnostic(`the booth ended the call ${(boothEnded / 1000).toFixed(1)} s into the outage (its grace: ${BOOTH_GRACE_MS / 1000} s), the console ${(pageEnded / 1000).toFixed(1)} s; booth state ${st.state}`);
      assert.notEqual(st.state, 'in_call');
      assert.match(toldAdviser, /connection to the booth was lost/i);
      await until(async () => (await stack.booth.ctl.status()).state === 'idle', { timeout: 60000, what: 'the booth idle (wiped)' });
      // a new visitor gets an adviser again once the network is back
      await requestAndAccept(stack);
      await waitMedia(stack, { minFrames: 15, timeout: 30000 });
    });
  });
});
