// SPDX-License-Identifier: GPL-2.0-or-later
// The switchboard's capacity settings (issue 14, tests/bench/README-load.md),
// on a real switchboard:
//  - the listen queue: booths dialling together while the switchboard is
//    busy (here: stopped) wait in the kernel's queue instead of losing
//    their SYN (GLib's default queue of 10 made each of them retry a
//    second or more later);
//  - the open files: a soft RLIMIT_NOFILE below the hard one is raised to
//    it at start-up, and the log says so;
//  - --max-booths: the booth past the cap gets error{code:"full"} and is
//    closed, the others stay.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { missingBinaries, tmpDir, bin, ASSETS } from './lib/env.mjs';
import { Proc, killAll } from './lib/procs.mjs';
import { startSwitchboard } from './lib/relais.mjs';
import { scriptedBooth } from './lib/scripted.mjs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;
const DIALLERS = 200; // well over GLib's 10, under the Kconfig default (1024)

describe('the switchboard under load: its capacity settings', { skip }, () => {
  const dir = tmpDir('capacity');
  const sockets = [];
  let sb;

  before(async () => {
    sb = await startSwitchboard({ dir, extraArgs: ['--max-booths', '2'] });
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    await killAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`${DIALLERS} booths dialling while the switchboard does not accept: all wait in the listen queue`, async () => {
    const pid = sb.proc.child.pid;
    process.kill(pid, 'SIGSTOP');
    try {
      const connected = await Promise.all(
        Array.from({ length: DIALLERS }, () =>
          new Promise((resolve) => {
            const s = net.connect({ host: '127.0.0.1', port: sb.boothPort });
            sockets.push(s);
            const timer = setTimeout(() => resolve(false), 2000);
            s.on('connect', () => {
              clearTimeout(timer);
              resolve(true);
            });
            s.on('error', () => resolve(false));
          }),
        ),
      );
      // a dropped SYN is sent again after 1 s, then 3 s: within 2 s only
      // those the queue held are connected
      assert.equal(connected.filter(Boolean).length, DIALLERS);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    for (const s of sockets.splice(0)) s.destroy();
    assert.equal((await sb.healthz()).status, 200);
  });

  it('a soft limit of open files under the hard one is raised to it', async () => {
    const d = path.join(dir, 'nofile');
    fs.mkdirSync(d);
    const p = new Proc('sb-nofile', 'prlimit', ['--nofile=512:4096', bin('relais-switchboard'), '--data', path.join(d, 'sb-data'), '--port', '0', '--booth-port', '0', '--assets', ASSETS], { dir: d });
    // both lines come at once (stdout and stderr): listen for both first
    await Promise.all([p.waitForLine(/listening on http:/, 10000), p.waitForLine(/open files: soft limit raised from 512 to the hard limit, 4096/, 10000)]);
    const limits = fs.readFileSync(`/proc/${p.child.pid}/limits`, 'utf8');
    assert.match(limits, /^Max open files\s+4096\s+4096/m);
    await p.stop();
  });

  it('--max-booths 2: the third booth is told the switchboard is full, the two others stay', async () => {
    const a = await scriptedBooth(sb, 'cap-1', 'Capacity', sockets);
    await scriptedBooth(sb, 'cap-2', 'Capacity', sockets);
    const c = await sb.boothWs('cap-3', { site: 'Capacity' });
    sockets.push(c);
    const err = await c.request({ type: 'hello', version: 1, role: 'booth', booth_id: 'cap-3', site: 'Capacity', board: 'sim' }, 'error');
    assert.equal(err.code, 'full');
    assert.match(err.message, /at most 2 booths/);
    const { code } = await c.waitClosed();
    // 4013, as PROTOCOL.md says: the code sent is the code received (1013
    // "try again later" would reach the wire as 1002, see PROTOCOL.md)
    assert.equal(code, 4013);
    const pong = await a.request({ type: 'ping' }, 'pong');
    assert.equal(pong.type, 'pong');
  });
});
