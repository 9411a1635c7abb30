// SPDX-License-Identifier: GPL-2.0-or-later
// The advisers' booth list at fleet scale (issue 14, tests/bench/README-load.md
// item 7; PROTOCOL.md "The booth list: a snapshot in parts, then changes"):
// 1,500 enrolled booths held by relais-sbload (tests/bench/sbload.c), more
// than one 64 KiB message of list. A raw adviser that watches every frame
// and the real console in Chromium:
//  - no frame to an adviser exceeds the message cap, and the console's own
//    protocol.js takes every one (it refused the whole list as `size`);
//  - a console that signs in gets the list as a snapshot in several parts
//    and shows every booth;
//  - a booth's change reaches it as a change of that booth only, and the
//    console shows the new state; a booth that leaves is gone from it;
//  - the fleet leaving at once: the list empties.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ASSETS, BUILD, missingBinaries, tmpDir } from './lib/env.mjs';
import { Proc, run } from './lib/procs.mjs';
import { addUser, signInPage, startSwitchboard } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { scriptedAdviser, scriptedBooth, suiteSteps } from './lib/scripted.mjs';
import { until } from './lib/util.mjs';

const P = await import(pathToFileURL(path.join(ASSETS, 'protocol.js')).href);

const missing = missingBinaries('relais-switchboard');
const sbload = path.join(BUILD, 'tests', 'bench', 'relais-sbload');
if (!fs.existsSync(sbload)) missing.push('relais-sbload');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;
const FLEET = 1500; // about 120 KB of list: two messages at least
const ADMIN = { login: 'fleet-admin', password: 'fleet-admin-password', name: 'Fleet Admin', role: 'admin' };

// The booth list as an adviser has it, from the messages it was sent.
class BoothList {
  constructor() {
    this.list = new Map();
    this.pending = null;
    this.snapshots = []; // { snapshot, parts } of each whole snapshot
  }

  apply(m) {
    if (m.type === 'booths') {
      if (m.part === 1) this.pending = { snapshot: m.snapshot, entries: [] };
      assert.equal(m.snapshot, this.pending?.snapshot, 'the parts of one snapshot, in order');
      this.pending.entries.push(...m.booths);
      if (m.part === m.parts) {
        this.list = new Map(this.pending.entries.map((b) => [b.booth_id, b]));
        this.snapshots.push({ snapshot: m.snapshot, parts: m.parts });
        this.pending = null;
      }
    } else if (m.type === 'booths_changed') {
      assert.ok(m.booths.length + m.gone.length > 0, 'never an empty change');
      for (const b of m.booths) this.list.set(b.booth_id, b);
      for (const id of m.gone) this.list.delete(id);
    }
  }
}

describe('the booth list of a fleet', { skip, timeout: 300000 }, () => {
  const dir = tmpDir('fleet');
  const pool = path.join(dir, 'pool');
  let sb;
  let adviser;
  let page;
  let load;
  let watcher;
  const watched = new BoothList();
  const frames = { count: 0, largest: 0, refused: [], sizes: new Map() }; // sizes: parsed message -> its bytes
  const sockets = [];

  const suite = suiteSteps(dir, () => ({ sb, browser: adviser }));
  const step = suite.step;

  before(async () => {
    sb = await startSwitchboard({ dir, extraArgs: ['--max-booths', String(FLEET + 10)] });
    adviser = await launchAdviser({ dir });
    page = adviser.page;
  });

  after(async () => {
    await load?.stop();
    await suite.end(sockets);
  });

  const loadArgs = () => ['--pool', pool, '--port', String(sb.port), '--booth-port', String(sb.boothPort), '--ca', sb.boothCaFile];

  step(`${FLEET} booths enrolled (relais-sbload enrol)`, async () => {
    await addUser(sb.dataDir, ADMIN);
    const r = await sb.login(ADMIN.login, ADMIN.password);
    assert.equal(r.status, 200);
    process.env.SBLOAD_COOKIE = r.cookie;
    const e = await run(sbload, ['enrol', ...loadArgs(), '--count', String(FLEET)], { timeout: 180000 });
    assert.equal(e.code, 0, e.stderr);
    assert.equal(JSON.parse(e.stdout).pool, FLEET);
  });

  step('an adviser watching every frame sees the fleet arrive, every frame within the cap', async () => {
    ({ ws: watcher } = await scriptedAdviser(sb, { sockets }));
    for (const m of watcher.messages) watched.apply(m);
    watcher.onText = (text) => {
      frames.count++;
      frames.largest = Math.max(frames.largest, Buffer.byteLength(text));
      try {
        const m = P.parse(text);
        frames.sizes.set(m, Buffer.byteLength(text));
        watched.apply(m);
      } catch (err) {
        frames.refused.push(`${err.code}: ${err.message}`);
      }
    };
    // held until the test stops it
    load = new Proc('sbload', sbload, ['run', ...loadArgs(), '--booths', String(FLEET), '--exchanges', '0', '--seconds', '600', '--connect-timeout', '120'], { dir });
    await until(async () => watched.list.size === FLEET, { timeout: 150000, interval: 200, what: `${FLEET} booths listed (have ${watched.list.size})` });
    assert.deepEqual(frames.refused, []);
    assert.ok(frames.largest <= P.MAX_MESSAGE, `largest frame ${frames.largest} bytes`);
    // they came as changes: the watcher had its snapshot before them
    assert.equal(watched.snapshots.length, 1);
  });

  step('the console signs in: the list comes in parts, every booth shown', async () => {
    await page.goto(sb.pageUrl());
    await signInPage(page);
    await page.waitForSelector('body[data-link="online"]');
    await until(async () => (await page.locator('[data-testid="booth-count"]').innerText()) === String(FLEET), { timeout: 20000, what: `the console's count at ${FLEET}` });
    assert.equal(await page.locator('[data-testid="booth-row"]').count(), FLEET);
    // the order is the switchboard's: by booth id
    assert.equal(await page.locator('[data-testid="booth-row"]').first().getAttribute('data-booth-id'), 'load-00000');
    assert.equal(await page.locator('[data-testid="booth-row"]').last().getAttribute('data-booth-id'), `load-0${FLEET - 1}`);
    assert.equal(await page.evaluate(() => window.relais.counters.invalid), 0);
    // a second raw adviser: its snapshot is more than one message
    const late = new BoothList();
    const sizes = [];
    const ws = await sb.adviserWs();
    sockets.push(ws);
    ws.onText = (text) => {
      sizes.push(Buffer.byteLength(text));
      late.apply(P.parse(text));
    };
    ws.send({ type: 'hello', version: 1, role: 'adviser', name: 'Late' });
    await until(async () => late.snapshots.length === 1, { timeout: 10000, what: 'a whole snapshot' });
    assert.ok(late.snapshots[0].parts >= 2, `${late.snapshots[0].parts} parts`);
    assert.ok(Math.max(...sizes) <= P.MAX_MESSAGE, `largest frame ${Math.max(...sizes)} bytes`);
    // full parts: together well over one message
    assert.ok(sizes.reduce((a, b) => a + b, 0) > P.MAX_MESSAGE);
    const total = sizes.reduce((a, b) => a + b, 0);
    console.log(`fleet: a snapshot of ${FLEET} booths in ${late.snapshots[0].parts} parts, ${total} bytes (${(total / FLEET).toFixed(1)} a booth), the largest frame ${Math.max(...sizes)} bytes`);
    assert.equal(late.list.size, FLEET);
    ws.close();
  });

  step("one booth's change: a change of that booth only, shown by the console", async () => {
    const from = watcher.messages.length;
    const odd = await scriptedBooth(sb, 'fleet-odd', 'Fleet', sockets);
    await page.locator('[data-testid="booth-row"][data-booth-id="fleet-odd"][data-booth-state="idle"]').waitFor({ timeout: 10000 });
    odd.send({ type: 'status', state: 'out_of_order', reason: 'printer jammed' });
    const row = page.locator('[data-testid="booth-row"][data-booth-id="fleet-odd"][data-booth-state="out_of_order"]');
    await row.waitFor({ timeout: 10000 });
    assert.equal(await row.locator('[data-testid="booth-reason"]').innerText(), 'printer jammed');
    assert.equal(await page.locator('[data-testid="booth-count"]').innerText(), String(FLEET + 1));
    const changes = watcher.messages.slice(from).filter((m) => m.type === 'booths_changed');
    assert.ok(changes.length >= 2);
    await until(async () => [...frames.sizes.keys()].some((m) => m.type === 'booths_changed' && m.booths[0]?.state === 'out_of_order'), { what: 'the change seen by onText' });
    const sent = [...frames.sizes].filter(([m]) => m.type === 'booths_changed' && m.booths[0]?.booth_id === 'fleet-odd').map(([, n]) => n);
    console.log(`fleet: one booth's change to each adviser: ${sent.join(', ')} bytes (the list: ${FLEET + 1} booths)`);
    for (const c of changes) {
      assert.deepEqual(c.booths.map((b) => b.booth_id), ['fleet-odd']);
      assert.deepEqual(c.gone, []);
    }
    assert.equal(watched.list.get('fleet-odd').state, 'out_of_order');
    // it leaves: gone from the list
    odd.close();
    await page.locator('[data-testid="booth-row"][data-booth-id="fleet-odd"]').waitFor({ state: 'detached', timeout: 10000 });
    assert.equal(await page.locator('[data-testid="booth-count"]').innerText(), String(FLEET));
    const left = await watcher.next((m) => m.type === 'booths_changed' && m.gone.includes('fleet-odd'), { from, what: 'fleet-odd gone' });
    assert.deepEqual(left.booths, []);
  });

  step('the fleet leaves: the list empties, every frame still within the cap', async () => {
    await load.stop();
    load = null;
    await until(async () => (await page.locator('[data-testid="booth-count"]').innerText()) === '0', { timeout: 30000, what: "the console's count at 0" });
    assert.equal(await page.locator('[data-testid="booths-empty"]').isVisible(), true);
    await until(async () => watched.list.size === 0, { timeout: 10000, what: 'the watcher at 0' });
    assert.deepEqual(frames.refused, []);
    assert.ok(frames.largest <= P.MAX_MESSAGE, `largest frame ${frames.largest} bytes`);
    assert.equal(await page.evaluate(() => window.relais.counters.invalid), 0);
    const metrics = (await sb.metrics()).body;
    const counter = (kind) => Number(new RegExp(`relais_adviser_booth_messages_total\\{kind="${kind}"\\} (\\d+)`).exec(metrics)?.[1]);
    assert.ok(counter('snapshot') >= 3, metrics);
    assert.ok(counter('changes') > 0, metrics);
    console.log(`fleet: ${frames.count} frames to the watching adviser, the largest ${frames.largest} bytes; booth list messages: ${counter('snapshot')} snapshot parts, ${counter('changes')} changes`);
  });
});
