// SPDX-License-Identifier: GPL-2.0-or-later
// /healthz means healthy (issue 12, item 8): a real switchboard answers 200
// "ok" only while its store answers a read and could take a write, its data
// folder has room and its main loop has not stalled lately; otherwise 503
// with the reasons, in words that name no path and quote no store error.
// Each unhealthy state is made for real: another process holding SQLite's
// write lock, a free-space need the disk cannot meet, a real small file
// system (an 8 MiB tmpfs the test mounts) filled below the need, the process stopped
// (SIGSTOP) for longer than the allowed stall. /metrics carries the process
// figures a Prometheus user expects.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ASSETS, bin, missingBinaries, tmpDir } from './lib/env.mjs';
import { startSwitchboard } from './lib/relais.mjs';
import { Proc } from './lib/procs.mjs';
import { until, sleep, httpGet } from './lib/util.mjs';
import { mountTmpfs, tmpfsUnavailable } from './lib/tmpfs.mjs';
import fs from 'node:fs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const MAX_LAG_MS = 1000; // Kconfig RELAIS_SB_HEALTH_MAX_LAG_MS

describe('/healthz', { skip, timeout: 120000 }, () => {
  const dir = tmpDir('healthz');
  let sb;
  const procs = [];

  before(async () => {
    sb = await startSwitchboard({ dir });
  });

  after(async () => {
    for (const p of procs) await p.stop();
    await sb?.proc.stop();
  });

  it('healthy: 200 "ok", and /metrics has the process figures', async () => {
    const h = await sb.healthz();
    assert.equal(h.status, 200);
    assert.equal(h.body, 'ok\n');
    const m = (await sb.metrics()).body;
    const value = (name) => Number(m.match(new RegExp(`^${name} ([0-9.e+]+)$`, 'm'))?.[1]);
    assert.ok(value('process_resident_memory_bytes') > 1024 * 1024, 'resident memory');
    assert.ok(value('process_virtual_memory_bytes') >= value('process_resident_memory_bytes'));
    assert.ok(value('process_open_fds') >= 3, 'open fds');
    assert.ok(value('process_max_fds') >= value('process_open_fds'));
    assert.ok(value('process_cpu_seconds_total') >= 0);
    const start = value('process_start_time_seconds');
    assert.ok(Math.abs(start - Date.now() / 1000) < 300, `start time ${start}`);
    assert.ok(value('relais_main_loop_lag_seconds') < MAX_LAG_MS / 1000);
    assert.match(m, /^relais_build_info\{version="[^"]+"\} 1$/m);
  });

  it('the store locked by another process: 503 "store: cannot write", then ok when it lets go', async () => {
    const db = path.join(sb.dataDir, 'relais.db');
    const script =
      'import signal, sqlite3, sys\n' +
      'c = sqlite3.connect(sys.argv[1], isolation_level=None)\n' +
      'c.execute("BEGIN IMMEDIATE")\n' +
      'print("locked", flush=True)\n' +
      'signal.pause()\n'; // until the test stops it
    const holder = new Proc('lock-holder', 'python3', ['-c', script, db], { dir });
    procs.push(holder);
    await holder.waitForLine(/^locked$/, 10000);
    const h = await sb.healthz();
    assert.equal(h.status, 503);
    assert.match(h.body, /^unhealthy\nstore: cannot write \(locked by another process, or read-only\)\n$/);
    assert.doesNotMatch(h.body, /relais\.db|sqlite|database is locked/i, 'no store words, no paths');
    await holder.stop();
    await until(async () => (await sb.healthz()).status === 200, { timeout: 5000, what: 'healthy again' });
  });

  it('the main loop stalled (SIGSTOP longer than the allowed lag): 503 "main loop", then ok', async () => {
    const pid = sb.proc.child.pid;
    process.kill(pid, 'SIGSTOP');
    try {
      await sleep(MAX_LAG_MS + 600); // the stall itself
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const h = await sb.healthz();
    assert.equal(h.status, 503);
    assert.match(h.body, /^main loop: \d+ ms late in the last 10 s \(at most 1000\)$/m);
    // the stall leaves the window: healthy again, by itself
    await until(async () => (await sb.healthz()).status === 200, { timeout: 15000, interval: 500, what: 'healthy again' });
  });

  it('the data folder short of room: 503 "disk" with the figures', async () => {
    // a need no disk here meets (1 TB): the real statvfs of the data folder says no
    const d = tmpDir('healthz-disk');
    const p = new Proc('switchboard-disk', bin('relais-switchboard'),
      ['--data', path.join(d, 'sb-data'), '--port', '0', '--booth-port', '0', '--assets', ASSETS, '--health-min-free-mb', '1000000'], { dir: d });
    procs.push(p);
    const m = await p.waitForLine(/listening on http:\/\/([\d.]+):(\d+)\//, 10000);
    const h = await httpGet(`http://127.0.0.1:${m[2]}/healthz`);
    assert.equal(h.status, 503);
    assert.match(h.body, /^unhealthy\ndisk: \d+ MiB free in the data folder \(at least 1000000 needed\)\n$/);
    // the log, not the answer, names the folder
    await until(() => /unhealthy: disk: .*sb-data has \d+ MiB free/.test(p.tailText()), { timeout: 5000, what: 'the log line' });
  });

  it('the data folder filled on a real small file system (tmpfs): 503 "disk" below the need, ok once freed', { skip: tmpfsUnavailable() ?? false }, async () => {
    // a real 8 MiB file system as the data folder, needing 2 MiB free:
    // healthy while empty, short of room once a file leaves 1.5 MiB
    const d = tmpDir('healthz-tmpfs');
    const data = path.join(d, 'sb-data');
    const disk = mountTmpfs(data, 8);
    try {
      const p = new Proc('switchboard-tmpfs', bin('relais-switchboard'),
        ['--data', data, '--port', '0', '--booth-port', '0', '--assets', ASSETS, '--health-min-free-mb', '2'], { dir: d });
      procs.push(p);
      const m = await p.waitForLine(/listening on http:\/\/([\d.]+):(\d+)\//, 10000);
      const url = `http://127.0.0.1:${m[2]}/healthz`;
      await until(async () => (await httpGet(url)).status === 200, { timeout: 5000, what: 'healthy on the empty file system' });
      const filler = path.join(data, 'filler');
      fs.writeFileSync(filler, Buffer.alloc(Math.max(0, disk.freeBytes() - 1.5 * 1024 * 1024)));
      const h = await httpGet(url);
      assert.equal(h.status, 503);
      assert.match(h.body, /^unhealthy\ndisk: 1 MiB free in the data folder \(at least 2 needed\)\n$/);
      fs.rmSync(filler);
      await until(async () => (await httpGet(url)).status === 200, { timeout: 5000, what: 'healthy once freed' });
      await p.stop();
    } finally {
      disk.unmount();
    }
  });
});
