// SPDX-License-Identifier: GPL-2.0-or-later
// Issue 13, scenario 6: the switchboard restarts mid-call (SIGTERM, started
// again on the same store and ports, as systemd does), the booth in its own
// namespace behind mid, Chromium beside the switchboard. Measured: how long
// each end takes to be linked again after the new switchboard listens
// (target 3 s), whether media go on peer to peer meanwhile, what becomes of
// the call, and how many records of it the store holds (sqlite3).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { missingBinaries } from '../e2e/lib/env.mjs';
import { killAll, run } from '../e2e/lib/procs.mjs';
import { startSwitchboard } from '../e2e/lib/relais.mjs';
import { requestAndAccept, waitMedia, until, sleep } from '../e2e/lib/scenario.mjs';
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

describe('scenario 6, the switchboard restarts mid-call', { skip, timeout: 180000 }, () => {
  let lab;
  let stack;
  const seen = {};

  before(async () => {
    lab = await NetLab.create();
    stack = await startLabStack(lab, 'sb-restart');
    await stack.run(async () => {
      const { callId } = await requestAndAccept(stack);
      seen.callId = callId;
      await waitMedia(stack, { minFrames: 30, timeout: 30000 });
      const sb = stack.sb;
      const framesBefore = await pageFrames(stack);
      await sb.proc.stop();
      // both ends have seen the link go (else "linked again" below could
      // read a stale "up")
      await until(async () => (await stack.booth.ctl.status()).link !== 'up', { timeout: 5000, interval: 25, what: "the booth's link down" });
      await stack.page.waitForSelector('body:not([data-link="online"])', { timeout: 5000 });
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
      const [booth, page] = await Promise.all([
        until(async () => (await stack.booth.ctl.status()).link === 'up' && Date.now(), { timeout: 20000, interval: 25, what: 'the booth linked again' }),
        stack.page.waitForSelector('body[data-link="online"]', { timeout: 20000 }).then(() => Date.now()),
      ]);
      const listening = t0 + seen.listenMs;
      seen.boothMs = booth - listening;
      seen.pageMs = page - listening;
      // what became of the call, a moment after both ends are back
      await sleep(1500);
      const st = await stack.booth.ctl.status();
      seen.boothState = st.state;
      seen.pageState = await stack.pageState();
      seen.framesAfter = await pageFrames(stack);
      seen.framesBefore = framesBefore;
    });
  });

  after(async () => {
    await stack?.stop();
    await killAll();
    await lab?.destroy();
  });

  it(`both ends are linked again within ${TARGET_MS / 1000} s of the switchboard's return`, (t) => {
    t.diagnostic(`switchboard listening again ${seen.listenMs} ms after it stopped`);
    t.diagnostic(`booth linked again in ${(seen.boothMs / 1000).toFixed(2)} s, console in ${(seen.pageMs / 1000).toFixed(2)} s (target ${TARGET_MS / 1000} s)`);
    assert.ok(seen.boothMs <= TARGET_MS, `booth: ${seen.boothMs} ms`);
    assert.ok(seen.pageMs <= TARGET_MS, `console: ${seen.pageMs} ms`);
  });

  it('the call goes on across the restart: media peer to peer, the same call at both ends, its record written once', {
    todo: 'the switchboard keeps calls in memory only and the console ends its call when its link drops (tests/network/README.md, scenario 6)',
  }, async (t) => {
    t.diagnostic(`after the restart: booth ${seen.boothState}, console ${seen.pageState}; frames decoded at the adviser ${seen.framesBefore} before, ${seen.framesAfter} after`);
    assert.equal(seen.pageState, 'in-call', 'the console is still in the call');
    assert.equal(seen.boothState, 'in_call', 'the booth is still in the call');
    assert.ok(seen.framesAfter > seen.framesBefore + 30, 'media went on');
    await stack.page.locator('[data-testid="end-btn"]').click();
    await until(async () => (await records(stack.sb, seen.callId)) >= 1, { timeout: 10000, what: 'the call record' });
    assert.equal(await records(stack.sb, seen.callId), 1);
  });

  it('whatever becomes of the call, the store holds at most one record of it', async (t) => {
    const n = await records(stack.sb, seen.callId);
    const how = await sql(stack.sb, `SELECT end_reason, ended_at - answered_at FROM call_records WHERE call_id = '${seen.callId}'`);
    t.diagnostic(`records of call ${seen.callId}: ${n} (end reason, seconds answered: ${how || 'none'})`);
    assert.ok(n <= 1);
  });
});
