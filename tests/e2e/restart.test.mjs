// SPDX-License-Identifier: GPL-2.0-or-later
// A booth killed in the middle of a call and started again, as systemd
// restarts a hung one (its watchdog: board/common/README.md): the visitor's
// screen is the attract screen with nothing of the session, the adviser's
// console ends the call as soon as the booth is back (not after the
// switchboard's 15 s resume grace), the booth takes the next visitor, and
// nothing the visitor or the adviser said is on disk.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { missingBinaries } from './lib/env.mjs';
import { UI_ARGS, UI_ENV, screen, walkToWaiting, acceptWaitingVisitor } from './lib/boothui.mjs';
import { Stack, BOOTH_ID, SITE, until } from './lib/scenario.mjs';
import { startBooth } from './lib/relais.mjs';
import { filesContaining } from './lib/inspect.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

// The switchboard's RELAIS_SB_RESUME_GRACE_S: the call would end by itself
// after this; ending it when the booth is back must be quicker.
const GRACE_MS = 15000;

test('restart: a booth killed in a call comes back to the attract screen, the call ends, nothing on disk', { skip, timeout: 120000 }, async (t) => {
  const stack = new Stack('restart');
  t.after(() => stack.stop());
  await stack.run(async () => {
    await stack.start({ boothArgs: UI_ARGS, boothEnv: UI_ENV });
    const { page } = stack;
    let ctl = stack.booth.ctl;

    const walk = await walkToWaiting(ctl, { language: 'en' });
    await walk.ready();
    await screen(ctl, 'waiting');
    await acceptWaitingVisitor(stack);
    const adviserCanary = `adviser-canary-${process.pid}-restart`;
    await page.locator('[data-testid="chat-input"]').fill(adviserCanary);
    await page.locator('[data-testid="chat-input"]').press('Enter');
    await until(async () => (await ctl.visitor()).chat_lines >= 1, { timeout: 5000, what: 'chat line on the booth' });
    const before = await ctl.status();
    assert.equal(before.state, 'in_call');

    // hung and killed (systemd: SIGABRT after WatchdogSec=; SIGKILL here,
    // so that the booth has no chance to tidy anything up)
    const killedAt = Date.now();
    stack.booth.proc.child.kill('SIGKILL');
    const gone = await stack.booth.proc.exited;
    assert.equal(gone.signal, 'SIGKILL');
    // the switchboard holds the call for the booth meanwhile
    assert.equal(await stack.pageState(), 'in-call');
    // nothing of the session on disk, the killed booth's log included
    assert.deepEqual(filesContaining(stack.dir, [adviserCanary]), []);

    // started again with the same places (a dead process leaves its
    // control socket file behind)
    fs.rmSync(stack.booth.sock, { force: true });
    stack.booth = await startBooth({ dir: stack.dir, switchboard: stack.sb, boothId: BOOTH_ID, site: SITE, env: UI_ENV, extraArgs: UI_ARGS });
    ctl = stack.booth.ctl;
    const v = await screen(ctl, 'attract');
    assert.equal(v.chat_lines ?? 0, 0);
    const st = await ctl.status();
    assert.equal(st.state, 'idle');
    assert.equal(st.call, undefined);
    assert.equal(st.media, undefined);
    assert.equal(st.last_call, undefined);

    // the adviser is told the call is over as soon as the booth is back
    await page.waitForSelector('body[data-state="idle"]', { timeout: GRACE_MS - 3000 });
    const endedAfter = Date.now() - killedAt;
    assert.ok(endedAfter < GRACE_MS - 2000, `the call ended ${endedAfter} ms after the kill, before the resume grace`);
    assert.match(await page.locator('[data-testid="toast"]').innerText(), /booth lost its connection/i);
    assert.equal(await page.evaluate(() => window.relais.pc), null);
    await page.waitForSelector(`[data-testid="booth-row"][data-booth-id="${BOOTH_ID}"][data-booth-state="idle"]`, { timeout: 5000 });

    // and the restarted booth serves the next visitor
    const next = await walkToWaiting(ctl, { language: 'fr' });
    await next.ready();
    await screen(ctl, 'waiting');
    await acceptWaitingVisitor(stack);
    await until(async () => (await ctl.visitor()).remote_picture, { timeout: 15000, what: "the adviser's picture on the booth" });
    assert.deepEqual(filesContaining(stack.dir, [adviserCanary]), []);
  });
});
