// SPDX-License-Identifier: GPL-2.0-or-later
// A slow read never delays signaling (issue 12, item 3, last bullet): the
// statistics and the booths' free-slot searches read the store on a thread
// of their own, through a read-only connection (firmware/switchboard/
// reader.h). Made slow for real: a year of call records (400 000 rows,
// written straight into the switchboard's SQLite file by another process)
// behind a 366-day statistics request. While it is being read, a booth's
// and an adviser's pings are answered and a booth's slot search is
// queued behind it; the statistics then come, whole. Too many reads at
// once are refused at once (503, Retry-After), never queued without end.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { missingBinaries, tmpDir } from './lib/env.mjs';
import { startSwitchboard, openNow, httpRequest } from './lib/relais.mjs';
import { Proc } from './lib/procs.mjs';
import { scriptedAdviser, scriptedBooth } from './lib/scripted.mjs';
import { until } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const SITE = 'Médiathèque';
const ADMIN = { login: 'slow-admin', password: 'slow-admin-password', role: 'admin', name: 'Slow Admin' };
const ADVISER = { login: 'slow-adviser', password: 'slow-adviser-password', name: 'Slow Adviser' };
const ROWS = 400000;
const MAX_WAITING = 16; // Kconfig RELAIS_SB_READER_MAX_WAITING

const isoDay = (d) => d.toISOString().slice(0, 10);

describe('slow reads off the signaling path', { skip, timeout: 180000 }, () => {
  const dir = tmpDir('slowreads');
  let sb;
  let admin;
  let booth;
  let adviser;
  const sockets = [];
  const to = isoDay(new Date());
  const from = isoDay(new Date(Date.now() - 365 * 86400 * 1000));

  // each read takes a while and they are read one at a time: a patient client
  const stats = () => httpRequest(`${sb.base}/api/stats?from=${from}&to=${to}`, { headers: { Cookie: admin }, timeout: 120000 });
  const metric = async (name) => {
    const m = (await sb.metrics()).body;
    return Number(m.match(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} ([0-9.e+-]+)$`, 'm'))?.[1]);
  };

  before(async () => {
    sb = await startSwitchboard({ dir });
    await openNow(sb.dataDir, SITE);
    await sb.addUser(ADMIN);
    await sb.addUser(ADVISER);
    const r = await sb.login(ADMIN.login, ADMIN.password);
    assert.equal(r.status, 200);
    admin = r.cookie;
    booth = await scriptedBooth(sb, 'slow-1', SITE, sockets);
    adviser = (await scriptedAdviser(sb, { login: ADVISER.login, password: ADVISER.password, sockets })).ws;
    // a year of records, one transaction, by another process (WAL: the
    // switchboard goes on meanwhile)
    const script =
      'import sqlite3, sys, time\n' +
      'c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)\n' +
      'n = int(sys.argv[2]); now = int(time.time())\n' +
      'c.execute("BEGIN IMMEDIATE")\n' +
      'c.executemany("INSERT INTO call_records (call_id, topic, language, queued_at, answered_at, ended_at, end_reason, satisfaction)' +
      ' VALUES (?, ?, \'fr\', ?, ?, ?, \'booth-hangup\', ?)",\n' +
      '  ((f"c-seed-{i}", ("job-search", "training", "other")[i % 3], now - 86400 * 360 + i * (86400 * 359 // n),' +
      ' now - 86400 * 360 + i * (86400 * 359 // n) + 60, now - 86400 * 360 + i * (86400 * 359 // n) + 660, 1 + i % 5) for i in range(n)))\n' +
      'c.execute("COMMIT")\n' +
      'print("seeded", n, flush=True)\n';
    const seeder = new Proc('seeder', 'python3', ['-c', script, path.join(sb.dataDir, 'relais.db'), String(ROWS)], { dir });
    await seeder.waitForLine(/^seeded \d+$/, 120000);
    await seeder.stop();
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    await sb?.proc.stop();
  });

  it('a year of statistics being read: pings and a slot search are answered meanwhile, then the statistics come', async () => {
    const before = await metric('relais_store_reads_total{outcome="ok"}');
    let answered = null;
    const pending = stats().then((r) => {
      answered = r;
      return r;
    });
    // the read has started on the reading thread (the /metrics page is
    // answered by the main loop, itself proof that it is not blocked)
    await until(async () => (await metric('relais_store_reads_waiting')) >= 1, { timeout: 10000, interval: 20, what: 'the read under way' });
    const t0 = performance.now();
    await booth.request({ type: 'ping' }, 'pong');
    await adviser.request({ type: 'ping' }, 'pong');
    const pingMs = performance.now() - t0;
    assert.equal(answered, null, `the statistics came before the pings were answered (${pingMs.toFixed(1)} ms): the read was not under way or blocked them`);
    // a slot search waits its turn behind the statistics (one reading
    // thread), still answered
    const slots = booth.request({ type: 'booking_slots' }, 'booking_offer');
    const r = await pending;
    assert.equal(r.status, 200, r.body);
    const body = JSON.parse(r.body);
    const requests = body.rows.reduce((n, row) => n + row.requests, 0);
    assert.equal(requests, ROWS, 'every seeded record counted');
    assert.ok((await slots).slots.length > 0, 'free slots offered');
    assert.ok((await metric('relais_store_reads_total{outcome="ok"}')) >= before + 2);
    const longest = await metric('relais_store_read_longest_seconds');
    console.log(`# statistics of ${ROWS} records read in ${longest.toFixed(3)} s on the reading thread; two pings meanwhile: ${pingMs.toFixed(1)} ms`);
  });

  it(`more than ${MAX_WAITING} reads at once: the rest refused at once with 503 and Retry-After, none lost`, async () => {
    const asks = Array.from({ length: MAX_WAITING + 4 }, () => stats());
    const replies = await Promise.all(asks);
    const ok = replies.filter((r) => r.status === 200).length;
    const busy = replies.filter((r) => r.status === 503);
    assert.equal(ok + busy.length, replies.length, `only 200 or 503: ${replies.map((r) => r.status).join(',')}`);
    assert.ok(busy.length >= 1, 'some refused');
    assert.ok(ok >= 1, 'some answered');
    for (const b of busy) {
      assert.equal(b.headers['retry-after'], '5');
      assert.match(JSON.parse(b.body).error, /too many statistics requests at once/);
    }
    assert.ok((await metric('relais_store_reads_total{outcome="busy"}')) >= busy.length);
    // and the switchboard answers at once again
    await booth.request({ type: 'ping' }, 'pong');
    assert.equal((await stats()).status, 200);
  });
});
