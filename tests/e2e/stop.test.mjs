// SPDX-License-Identifier: GPL-2.0-or-later
// Stopping a switchboard that holds many booth links (issue 14,
// tests/bench/README-load.md "Stopping with thousands of links"): SIGTERM
// with 500 enrolled booths connected and 20 advisers exchanging with them
// (relais-sbload, TLS with a certificate each, as in make bench-load) ends
// the process within a few seconds, and the write queue's writer is
// stopped with nothing lost.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { missingBinaries, tmpDir, BUILD } from './lib/env.mjs';
import { Proc, killAll, run } from './lib/procs.mjs';
import { startSwitchboard, addUser } from './lib/relais.mjs';
import { until } from './lib/util.mjs';

const sbload = path.join(BUILD, 'tests', 'bench', 'relais-sbload');
const missing = [...missingBinaries('relais-switchboard'), ...(fs.existsSync(sbload) ? [] : ['relais-sbload'])];
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;
const BOOTHS = 500;
// advisers connected, each running exchanges (offer, answer, candidates) with the booths in turn: the
// booth list each of them is sent is part of the stop's work
const ADVISERS = 20;
// "a few seconds": the stop's work is per link (a close frame, TLS close,
// the hub's bookkeeping). Each adviser's link closed used to tell every
// booth still linked that an adviser went: booths x advisers messages,
// 2,000 booths and 20 advisers took 4-6 s on a loaded 2-core machine,
// 0.5 s since (hub.c advisers_changed while stopping)
const STOP_LIMIT_MS = 5000;
const ADMIN = { login: 'stop-admin', password: 'stop-admin-password', name: 'Stop Admin', role: 'admin' };

describe('stopping with many booth links', { skip }, () => {
  const dir = tmpDir('stop');
  let sb;

  before(async () => {
    sb = await startSwitchboard({ dir, extraArgs: ['--max-booths', String(BOOTHS)] });
    await addUser(sb.dataDir, ADMIN);
    const r = await sb.login(ADMIN.login, ADMIN.password);
    assert.equal(r.status, 200, r.body);
    process.env.SBLOAD_COOKIE = r.cookie;
  });

  after(async () => {
    await killAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`SIGTERM with ${BOOTHS} booths connected: gone within ${STOP_LIMIT_MS / 1000} s, nothing lost`, async () => {
    const pool = path.join(dir, 'pool');
    fs.mkdirSync(pool, { recursive: true });
    const common = ['--pool', pool, '--port', String(sb.port), '--booth-port', String(sb.boothPort), '--ca', sb.boothCaFile];
    const e = await run(sbload, ['enrol', ...common, '--count', String(BOOTHS)], { timeout: 300e3 });
    assert.equal(e.code, 0, e.stderr);
    // held (and exchanging) until the switchboard goes
    const gen = new Proc('sbload', sbload, ['run', ...common, '--booths', String(BOOTHS), '--exchanges', String(ADVISERS), '--seconds', '600', '--connect-timeout', '120'], { dir });
    const connected = async () => Number((await sb.metrics()).body.match(/^relais_booths_connected (\d+)$/m)?.[1] ?? 0);
    await until(async () => (await connected()) === BOOTHS, { timeout: 150e3, interval: 500, what: `${BOOTHS} booths connected` });

    const t0 = Date.now();
    sb.proc.child.kill('SIGTERM');
    await sb.proc.exited;
    const ms = Date.now() - t0;
    console.log(`  stopped in ${ms} ms with ${BOOTHS} booth links`);
    assert.equal(sb.proc.exitCode, 0, sb.proc.tailText(20));
    assert.ok(ms < STOP_LIMIT_MS, `the switchboard took ${ms} ms to stop with ${BOOTHS} links`);
    const log = sb.proc.logPath ? fs.readFileSync(sb.proc.logPath, 'utf8') : sb.proc.tailText(100000);
    assert.match(log, /stopping/);
    assert.doesNotMatch(log, /not saved|LOST/);
    await gen.stop();
  });
});
