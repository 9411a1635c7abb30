// SPDX-License-Identifier: GPL-2.0-or-later
// Issue 13, scenario 6: the switchboard restarts mid-call (SIGTERM, and a
// crash: SIGKILL; started again on the same store and ports, as systemd
// does), the booth in its own namespace behind mid, Chromium beside the
// switchboard. Measured: how long each end takes to be linked again after
// the new switchboard listens (target 3 s), and back in its call; checked:
// media go on peer to peer while the switchboard is away (frames keep
// arriving at the adviser and at the booth), the same call at both ends
// afterwards, relayed again (End reaches the booth), and its record written
// once (sqlite3), by the new switchboard, nothing left in progress.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { missingBinaries } from '../e2e/lib/env.mjs';
import { killAll, run } from '../e2e/lib/procs.mjs';
import { startSwitchboard } from '../e2e/lib/relais.mjs';
import { requestAndAccept, waitMedia, until, boothMedia } from '../e2e/lib/scenario.mjs';
import { NetLab, labUnavailable } from './lib/netns.mjs';
import { startLabStack, pageFrames } from './lib/labstack.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : ((await labUnavailable()) ?? false);

const TARGET_MS = 3000;

async function sql(sb, query) {
  const r = await run('sqlite3', ['-cmd', '.timeout 5000', path.join(sb.dataDir, 'relais.db'), query]);
  if (r.code !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}
const records = async (sb, callId) => Number(await sql(sb, `SELECT count(*) FROM call_records WHERE call_id = '${callId}'`));
const inProgress = async (sb, callId) => Number(await sql(sb, `SELECT count(*) FROM live_calls WHERE call_id = '${callId}'`));
const boothFrames = async (stack) => boothMedia(await stack.booth.ctl.status()).videoReceived ?? 0;

// Waits until both ends have received `more` video frames beyond now.
async function bothReceive(stack, more, what) {
  const [p0, b0] = await Promise.all([pageFrames(stack), boothFrames(stack)]);
  await until(async () => (await pageFrames(stack)) >= p0 + more && (await boothFrames(stack)) >= b0 + more, { timeout: 15000, interval: 50, what: `${more} more frames at both ends ${what}` });
  return { page: p0, booth: b0 };
}

for (const how of ['SIGTERM', 'SIGKILL']) {
  describe(`scenario 6, the switchboard restarts mid-call (${how === 'SIGTERM' ? 'a stop' : 'a crash'}: ${how})`, { skip, timeout: 180000 }, () => {
    let lab;
    let stack;
    const seen = {};

    before(async () => {
      lab = await NetLab.create();
      stack = await startLabStack(lab, `sb-restart-${how.toLowerCase()}`);
      await stack.run(async () => {
        const { callId } = await requestAndAccept(stack);
        seen.callId = callId;
        await waitMedia(stack, { minFrames: 30, timeout: 30000 });
        const sb = stack.sb;
        seen.inProgressBefore = await inProgress(sb, callId);
        if (how === 'SIGTERM') await sb.proc.stop();
        else {
          sb.proc.child.kill('SIGKILL');
          await sb.proc.exited;
        }
        // both ends have seen the link go (else "linked again" below could
        // read a stale "up")
        await until(async () => (await stack.booth.ctl.status()).link !== 'up', { timeout: 5000, interval: 25, what: "the booth's link down" });
        await stack.page.waitForSelector('body:not([data-link="online"])', { timeout: 5000 });
        // no switchboard at all: media go on between the two ends
        seen.whileAway = await bothReceive(stack, 15, 'while no switchboard runs');
        seen.recordsWhileAway = await records(sb, callId);
        seen.pageStateAway = await stack.pageState();
        seen.boothStateAway = (await stack.booth.ctl.status()).state;
        // started again as systemd would: same store, same ports
        const t0 = Date.now();
        stack.sb = await startSwitchboard({
          dir: stack.dir,
          extraArgs: ['--port', String(sb.port)],
          tls: { cert: stack.cert.cert, key: stack.cert.key },
          netns: lab.ns.core,
          bind: lab.addr.core,
          host: lab.addr.core,
        });
        seen.listenMs = Date.now() - t0;
        const listening = Date.now();
        const [booth, page] = await Promise.all([
          until(async () => (await stack.booth.ctl.status()).link === 'up' && Date.now(), { timeout: 20000, interval: 25, what: 'the booth linked again' }),
          // welcomed again with its call named in the hello: in the call again
          stack.page.waitForSelector('body[data-link="online"]:not([data-call-link])', { timeout: 20000 }).then(() => Date.now()),
        ]);
        seen.boothMs = booth - listening;
        seen.pageMs = page - listening;
        // the same call at both ends, media still flowing (an `end` from the
        // new switchboard would have ended it by the time these frames come)
        seen.after = await bothReceive(stack, 15, 'after the restart');
        seen.boothState = (await stack.booth.ctl.status()).state;
        seen.pageState = await stack.pageState();
        seen.pageCall = await stack.page.evaluate(() => window.relais.callId);
      });
    });

    after(async () => {
      await stack?.stop();
      await killAll();
      await lab?.destroy();
    });

    it(`media go on while the switchboard is away, and both ends are linked again within ${TARGET_MS / 1000} s of its return`, (t) => {
      t.diagnostic(`switchboard listening again ${seen.listenMs} ms after starting it`);
      t.diagnostic(`while away: adviser ${seen.pageStateAway}, booth ${seen.boothStateAway}; 15 more frames decoded at each end`);
      t.diagnostic(`booth linked again in ${(seen.boothMs / 1000).toFixed(2)} s, console back in its call in ${(seen.pageMs / 1000).toFixed(2)} s (target ${TARGET_MS / 1000} s)`);
      assert.equal(seen.pageStateAway, 'in-call');
      assert.equal(seen.boothStateAway, 'in_call');
      assert.ok(seen.boothMs <= TARGET_MS, `booth: ${seen.boothMs} ms`);
      assert.ok(seen.pageMs <= TARGET_MS, `console: ${seen.pageMs} ms`);
    });

    it('the call goes on across the restart: the same call at both ends, relayed again, its record written once', async (t) => {
      t.diagnostic(`after the restart: booth ${seen.boothState}, console ${seen.pageState}; frames at the adviser ${seen.whileAway.page} (switchboard away) -> ${seen.after.page} (back) -> 15 more`);
      assert.equal(seen.inProgressBefore, 1, 'the call was kept in the store while in progress');
      assert.equal(seen.recordsWhileAway, 0, 'the stopping switchboard wrote no record');
      assert.equal(seen.pageState, 'in-call', 'the console is still in the call');
      assert.equal(seen.boothState, 'in_call', 'the booth is still in the call');
      assert.equal(seen.pageCall, seen.callId);
      await stack.page.locator('[data-testid="end-btn"]').click();
      await until(async () => (await stack.booth.ctl.status()).state === 'idle', { timeout: 10000, what: 'the booth told the call ended' });
      await until(async () => (await records(stack.sb, seen.callId)) >= 1, { timeout: 10000, what: 'the call record' });
      const how = await sql(stack.sb, `SELECT end_reason, ended_at - answered_at FROM call_records WHERE call_id = '${seen.callId}'`);
      t.diagnostic(`record of call ${seen.callId}: ${how} (end reason, seconds answered)`);
      assert.equal(await records(stack.sb, seen.callId), 1);
      assert.match(how, /^adviser-hangup\|/);
      assert.equal(await inProgress(stack.sb, seen.callId), 0, 'no longer in progress');
    });
  });
}
