// SPDX-License-Identifier: GPL-2.0-or-later
// The branches of the visitor's journey on a real relais-booth --ui (SDL
// offscreen), touched through its control socket: nobody on duty, a visitor
// who walks away (timeout, countdown, "I'm still here"), leaving the queue,
// and the switchboard lost and back while waiting (the visitor does nothing).
// A scripted adviser connection (tests/e2e/lib/ws.mjs) stands for the console
// where only "someone is on duty" matters.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries, tmpDir, outFile } from './lib/env.mjs';
import { killAll } from './lib/procs.mjs';
import { startSwitchboard, startBooth } from './lib/relais.mjs';
import { WsClient } from './lib/ws.mjs';
import { until, sleep } from './lib/util.mjs';
import { UI_ARGS, UI_ENV, screen } from './lib/boothui.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

async function onDuty(sb) {
  const a = await sb.adviserWs();
  await a.request({ type: 'hello', version: 1, role: 'adviser', name: 'Scripted' }, 'welcome');
  return a;
}

async function setup(t, tag, extra = []) {
  const dir = tmpDir(tag);
  const ctx = { dir, sockets: [] };
  t.after(async () => {
    for (const s of ctx.sockets) s.close?.();
    await killAll();
  });
  ctx.sb = await startSwitchboard({ dir });
  ctx.booth = await startBooth({ dir, switchboard: ctx.sb, extraArgs: [...UI_ARGS, ...extra], env: UI_ENV });
  ctx.ctl = ctx.booth.ctl;
  return ctx;
}

test('branches: nobody on duty, then leaving the queue', { skip, timeout: 60000 }, async (t) => {
  const { ctl, sb, sockets } = await setup(t, 'branch-duty');
  await screen(ctl, 'attract');
  // the switchboard's availability comes right after the booth's welcome
  await until(async () => (await ctl.visitor()).advisers_on_duty === 0, { what: 'the availability told' });
  await ctl.tap('language', 'fr');
  await ctl.tap('skip');
  await ctl.tap('skip');
  await ctl.tap('accept');
  await screen(ctl, 'self_check');
  await ctl.tap('ready');
  // told at once, not after a wait for nothing; nothing was requested
  await screen(ctl, 'no_adviser');
  await ctl.screenshot(outFile('booth-no-adviser.png'));
  assert.equal((await ctl.status()).state, 'idle');
  assert.equal((await ctl.visitor()).preview_running, false);
  await ctl.tap('done');
  await screen(ctl, 'wiped');
  await screen(ctl, 'attract', { timeout: 10000 });

  // an adviser signs in: the booth knows, and the visitor can queue
  sockets.push(await onDuty(sb));
  await until(async () => (await ctl.visitor()).advisers_on_duty === 1, { timeout: 5000, what: 'one adviser on duty' });
  await ctl.tap('language', 'en');
  await ctl.tap('answer', 'training');
  await ctl.tap('back'); // back to the first question, the answer kept
  await screen(ctl, 'question');
  await ctl.tap('answer', 'training');
  await ctl.tap('skip');
  await ctl.tap('accept');
  await ctl.tap('ready');
  await screen(ctl, 'waiting');
  await until(async () => (await ctl.visitor()).position === 1, { timeout: 5000, what: 'position 1' });
  const v = await ctl.visitor();
  assert.ok(v.wait_s > 0, `an estimated wait (${v.wait_s} s)`);
  assert.equal((await ctl.status()).state, 'queued');
  await ctl.tap('cancel');
  await screen(ctl, 'thanks');
  await until(async () => (await ctl.status()).state === 'idle', { timeout: 5000, what: 'the booth leaves the queue' });
  await ctl.tap('done');
  await screen(ctl, 'attract', { timeout: 10000 });
});

test('branches: a visitor who walks away is asked, counted down, then wiped', { skip, timeout: 60000 }, async (t) => {
  const { ctl } = await setup(t, 'branch-timeout', ['--ui-timeouts', 'idle=2,countdown=3,thanks=2']);
  await screen(ctl, 'attract');
  await ctl.tap('language', 'en');
  await ctl.tap('answer', 'guidance');
  await screen(ctl, 'question');
  // nobody touches: "are you still there?" with a visible countdown
  let v = await screen(ctl, 'still_there', { timeout: 6000 });
  await until(async () => (v = await ctl.visitor()).countdown_s > 0 && v.countdown_s <= 3, { timeout: 2000, what: 'a countdown' });
  await ctl.screenshot(outFile('booth-still-there.png'));
  await ctl.tap('stay');
  v = await screen(ctl, 'question');
  assert.equal(v.answers, 1, 'nothing lost by "I\'m still here"');
  assert.equal(v.language, 'en');
  // and again, this time nobody answers
  await screen(ctl, 'still_there', { timeout: 6000 });
  const c0 = (await ctl.visitor()).countdown_s;
  await sleep(1100);
  assert.ok((await ctl.visitor()).countdown_s < c0, 'the countdown counts down');
  await screen(ctl, 'wiped', { timeout: 6000 });
  v = await screen(ctl, 'attract', { timeout: 10000 });
  assert.equal(v.answers, 0);
  assert.equal(v.language, 'fr');
});

test('branches: the switchboard goes away while the visitor waits, and comes back', { skip, timeout: 90000 }, async (t) => {
  const ctx = await setup(t, 'branch-link');
  const { ctl, sockets } = ctx;
  sockets.push(await onDuty(ctx.sb));
  await until(async () => (await ctl.visitor()).advisers_on_duty === 1, { timeout: 5000, what: 'one adviser on duty' });
  await ctl.tap('language', 'fr');
  await ctl.tap('skip');
  await ctl.tap('skip');
  await ctl.tap('accept');
  await ctl.tap('ready');
  await screen(ctl, 'waiting');
  await until(async () => (await ctl.visitor()).position === 1, { timeout: 5000, what: 'queued' });

  const port = ctx.sb.port;
  await ctx.sb.proc.stop();
  await until(async () => (await ctl.visitor()).reconnecting, { timeout: 5000, what: 'the reconnecting notice' });
  await ctl.screenshot(outFile('booth-waiting-reconnecting.png'));
  assert.equal((await ctl.visitor()).screen, 'waiting', 'the visitor keeps their place on screen');
  await sleep(1000);
  ctx.sb = await startSwitchboard({ dir: ctx.dir, extraArgs: ['--port', String(port)] });
  sockets.push(await onDuty(ctx.sb));
  // back by itself, queued again on the new switchboard
  await until(async () => !(await ctl.visitor()).reconnecting, { timeout: 15000, what: 'the link back' });
  await until(async () => (await ctl.status()).state === 'queued' && (await ctl.visitor()).position === 1, {
    timeout: 10000,
    what: 'queued again',
  });
  const m = await ctx.sb.metrics();
  assert.match(m.body, /relais_queue_length 1/);
  assert.equal((await ctl.visitor()).screen, 'waiting');
  await ctl.tap('cancel');
  await screen(ctl, 'thanks');
});
