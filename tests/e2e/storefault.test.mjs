// SPDX-License-Identifier: GPL-2.0-or-later
// Store faults (issue 12, item 9): the switchboard's data folder is a real
// tmpfs of 8 MiB mounted by the test, and the hostile conditions are made
// for real: a filler file that takes every block until the kernel says
// ENOSPC (a full disk), and another process holding SQLite's write lock
// (BEGIN IMMEDIATE from python3: a locked database).
//
// - A call ends and its rating arrives on a full disk: the calls still
//   work, /metrics shows the failures and the waiting writes, /healthz is
//   503 with the disk's reason, the adviser's outcome and an admin change
//   get 503 + Retry-After without the store's words; once the filler is
//   deleted the records reach the file by themselves, no restart.
// - A booking on a full disk gets booking_error{failed, retry_s} and no
//   code, nothing in the file; once there is room, the same slot is booked.
// - A locked database while a call ends: the same retry path.
// - Stopping while the disk is full: the writes still waiting are logged
//   with what they hold.
// One warning per fault episode, however many writes fail.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { missingBinaries, tmpDir } from './lib/env.mjs';
import { ADVISER, addUser, httpRequest, openNow, startSwitchboard } from './lib/relais.mjs';
import { Proc, run } from './lib/procs.mjs';
import { mountTmpfs, tmpfsUnavailable } from './lib/tmpfs.mjs';
import { until } from './lib/util.mjs';
import { WsClient } from './lib/ws.mjs';

const missing = missingBinaries('relais-switchboard');
const why = missing.length ? `not built: ${missing.join(', ')} (run make)` : tmpfsUnavailable();
const skip = why ?? false;

const SITE = 'Full Disk Library';
const BOOTH = 'sf-booth-1';
const TOPIC = 'job-search';
const ADMIN = { login: 'sf-admin', password: 'sf-admin-password', role: 'admin', name: 'SF Admin' };
// what a client must never read: SQLite's words, the file, the folder
const STORE_WORDS = /database|sqlite|disk is full|disk I\/O|relais\.db|sb-data|locked/i;

// The value of one series of a Prometheus text, or undefined.
function metric(text, series) {
  const esc = series.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = text.match(new RegExp(`^${esc} ([0-9.e+-]+)$`, 'm'));
  return m ? Number(m[1]) : undefined;
}

describe('store faults: a full disk, a locked database', { skip, timeout: 300000 }, () => {
  const dir = tmpDir('storefault');
  const dataDir = path.join(dir, 'sb-data');
  const db = path.join(dataDir, 'relais.db');
  let disk;
  let sb;
  let booth;
  let adviser;
  let adviserCookie;
  let adminCookie;
  const procs = [];

  const sql = async (query) => {
    const r = await run('sqlite3', ['-readonly', db, query]);
    assert.equal(r.code, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
  };
  const metrics = async () => (await sb.metrics()).body;
  const log = () => fs.readFileSync(sb.proc.logPath, 'utf8');
  const episodes = () => log().match(/store: cannot write now \(/g)?.length ?? 0;
  const post = (p, cookie, body) =>
    httpRequest(`${sb.base}${p}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: sb.base, Cookie: cookie },
      body: JSON.stringify(body),
    });

  // A whole call through the hub (request, accept, end), then the rating.
  async function call(score) {
    const queued = await booth.request({ type: 'request', language: 'fr', topic: TOPIC }, 'queued');
    const from = booth.messages.length;
    adviser.send({ type: 'accept', ticket: queued.ticket });
    const c = await booth.next((m) => m.type === 'call', { from, what: 'the call at the booth' });
    const aFrom = adviser.messages.length;
    booth.send({ type: 'end', call: c.call });
    await adviser.next((m) => m.type === 'end' && m.call === c.call, { from: aFrom, what: 'the end at the adviser' });
    const fb = adviser.messages.length;
    booth.send({ type: 'feedback', call: c.call, score });
    const got = await adviser.next((m) => m.type === 'feedback', { from: fb, what: 'the rating at the adviser' });
    assert.equal(got.score, score);
    return c.call;
  }

  async function waitWritten() {
    await until(async () => metric(await metrics(), 'relais_store_writes_waiting') === 0, {
      timeout: 30000,
      interval: 250,
      what: 'the waiting writes written',
    });
  }

  before(async () => {
    disk = mountTmpfs(dataDir, 8);
    await openNow(dataDir, SITE); // bookable slots from now on
    await addUser(dataDir, { ...ADVISER });
    await addUser(dataDir, ADMIN);
    // at least 1 MiB free for /healthz: a real small file system meets it until filled
    sb = await startSwitchboard({ dir, extraArgs: ['--health-min-free-mb', '1'] });
    adminCookie = (await sb.login(ADMIN.login, ADMIN.password)).cookie;
    adviserCookie = (await sb.login()).cookie;
    assert.ok(adminCookie && adviserCookie, 'signed in');
    booth = await sb.boothWs(BOOTH, { site: SITE });
    await booth.request({ type: 'hello', version: 1, role: 'booth', booth_id: BOOTH, site: SITE }, 'welcome');
    adviser = await WsClient.connect(sb.wsUrl('adviser'), { cookie: adviserCookie });
    await adviser.request({ type: 'hello', version: 1, role: 'adviser', name: 'SF Adviser' }, 'welcome');
    const m = await metrics();
    assert.equal(metric(m, 'relais_store_writes_waiting'), 0);
    assert.equal(metric(m, 'relais_store_write_failures_total{op="call_record"}'), 0);
  });

  after(async () => {
    booth?.close();
    adviser?.close();
    for (const p of procs) await p.stop();
    await sb?.proc.stop();
    disk?.unmount();
  });

  it('the disk full while a call ends and is rated: kept, counted, 503 for people, written once there is room', async () => {
    disk.fill();
    assert.ok(disk.freeBytes() < 4096, `the data folder is full (${disk.freeBytes()} bytes free)`);

    const first = await call(5);
    // the hub still relays: a second call on the same full disk
    const second = await call(3);

    const m = await metrics();
    // each call is written three times, in order: in progress (a
    // switchboard started again takes it back: STORE.md "Calls in
    // progress"), its record (which removes that row), its rating; the
    // first in the queue is the one that keeps failing
    assert.ok(metric(m, 'relais_store_write_failures_total{op="live_call"}') >= 1, m);
    assert.equal(metric(m, 'relais_store_writes_waiting'), 6, 'two calls in progress, two records and two ratings wait');
    assert.equal(metric(m, 'relais_store_writes_lost_total{op="live_call"}'), 0);
    assert.equal(metric(m, 'relais_store_writes_lost_total{op="call_record"}'), 0);
    assert.equal(metric(m, 'relais_store_writes_lost_total{op="rating"}'), 0);

    const h = await sb.healthz();
    assert.equal(h.status, 503);
    assert.match(h.body, /^disk: 0 MiB free in the data folder \(at least 1 needed\)$/m);

    // a person waiting on a write: 503 + Retry-After, no store words
    const outcome = await post('/api/outcome', adviserCookie, { call: first, outcome: 'informed', follow_up: false });
    assert.equal(outcome.status, 503, outcome.body);
    assert.equal(outcome.headers['retry-after'], '5');
    assert.doesNotMatch(outcome.body, STORE_WORDS);
    const site = await post('/api/admin/sites', adminCookie, { name: 'Annexe', timezone: 'UTC' });
    assert.equal(site.status, 503, site.body);
    assert.equal(site.headers['retry-after'], '5');
    assert.match(site.json.error, /could not be saved now.*try again/);
    assert.doesNotMatch(site.body, STORE_WORDS);

    assert.equal(await sql(`SELECT count(*) FROM call_records WHERE call_id IN ('${first}', '${second}')`), '0');
    // the log has the store's words, once for the whole episode
    await until(() => episodes() === 1, { timeout: 5000, what: 'the warning of the fault in the log' });
    assert.match(log(), /store: cannot write now \(live_call: [^)]*database or disk is full\)/);

    disk.unfill();
    await waitWritten();
    assert.equal(await sql(`SELECT call_id || '=' || satisfaction FROM call_records WHERE call_id IN ('${first}', '${second}') ORDER BY satisfaction`), `${second}=3\n${first}=5`);
    assert.equal(await sql('SELECT count(*) FROM live_calls'), '0', 'no call left in progress once the records are written');
    await until(() => /store: writing again after [\d.]+ s: 6 kept writes saved/.test(log()), { timeout: 5000, what: 'the end of the episode in the log' });
    assert.equal(episodes(), 1, 'one warning for the whole episode');
    await until(async () => (await sb.healthz()).status === 200, { timeout: 5000, what: 'healthy again' });
    const again = await post('/api/outcome', adviserCookie, { call: first, outcome: 'informed', follow_up: false });
    assert.equal(again.status, 200, again.body);
    assert.equal(await sql(`SELECT outcome FROM call_records WHERE call_id = '${first}'`), 'informed');
  });

  it('a booking on a full disk: booking_error "failed" with retry_s and no code, then booked once there is room', async () => {
    const offer = await booth.request({ type: 'booking_slots', language: 'fr', topic: TOPIC }, 'booking_offer');
    assert.ok(offer.slots.length > 0, 'slots offered');
    const slot = offer.slots[0];
    disk.fill();
    const from = booth.messages.length;
    booth.send({ type: 'book', start: slot.start, end: slot.end, language: 'fr', topic: TOPIC });
    const reply = await booth.next((m) => m.type === 'booked' || m.type === 'booking_error', { from, what: 'the reply to book' });
    assert.equal(reply.type, 'booking_error', JSON.stringify(reply));
    assert.equal(reply.ref, 'book');
    assert.equal(reply.reason, 'failed');
    assert.equal(reply.retry_s, 5);
    assert.equal(reply.code, undefined);
    assert.match(reply.message, /could not be saved now.*try again/);
    assert.doesNotMatch(reply.message, STORE_WORDS);
    assert.equal(await sql('SELECT count(*) FROM bookings'), '0');
    // the store's words went to the log instead
    await until(() => /booking \(book\): .*database or disk is full/.test(log()), { timeout: 5000, what: 'the refusal in the log' });

    disk.unfill();
    const booked = await booth.request({ type: 'book', start: slot.start, end: slot.end, language: 'fr', topic: TOPIC }, 'booked');
    assert.match(booked.code, /^[2-9A-HJ-NP-Z]{6}$/);
    assert.equal(await sql(`SELECT state FROM bookings WHERE code = '${booked.code}'`), 'booked');
  });

  it('a locked database (another process in BEGIN IMMEDIATE) while a call ends: kept and written once it lets go', async () => {
    const before = episodes();
    const script =
      'import signal, sqlite3, sys\n' +
      'c = sqlite3.connect(sys.argv[1], isolation_level=None)\n' +
      'c.execute("BEGIN IMMEDIATE")\n' +
      'print("locked", flush=True)\n' +
      'signal.pause()\n';
    const holder = new Proc('lock-holder', 'python3', ['-c', script, db], { dir });
    procs.push(holder);
    await holder.waitForLine(/^locked$/, 10000);

    const failures = metric(await metrics(), 'relais_store_write_failures_total{op="live_call"}');
    const t0 = Date.now();
    const locked = await call(4);
    // the lock costs the hub a short wait per write, not the store's 5 s busy timeout
    assert.ok(Date.now() - t0 < 4000, `the call took ${Date.now() - t0} ms`);
    // the writer thread tries them after the call: its first failure is counted soon after
    await until(async () => metric(await metrics(), 'relais_store_write_failures_total{op="live_call"}') > failures, {
      timeout: 5000, what: 'the failed attempt counted',
    });
    const m = await metrics();
    assert.equal(metric(m, 'relais_store_writes_waiting'), 3, 'the call in progress, its record and its rating');
    const h = await sb.healthz();
    assert.equal(h.status, 503);
    assert.match(h.body, /^store: cannot write \(locked by another process, or read-only\)$/m);
    await until(() => episodes() === before + 1, { timeout: 5000, what: 'the warning of the lock in the log' });
    assert.match(log(), /store: cannot write now \(live_call: [^)]*database is locked\)/);

    await holder.stop();
    await waitWritten();
    assert.equal(await sql(`SELECT satisfaction FROM call_records WHERE call_id = '${locked}'`), '4');
    assert.equal(episodes(), before + 1, 'one warning for the episode');
  });

  it('stopping on a full disk: a last attempt, then each write not saved is logged with what it holds', async () => {
    disk.fill();
    const lost = await call(2);
    assert.equal(metric(await metrics(), 'relais_store_writes_waiting'), 3);
    const r = await sb.proc.stop();
    assert.equal(r.code, 0, 'a clean stop');
    // the log file is written behind the process: wait for its last lines
    await until(() => log().includes(`store: not saved: rating: rating 2 of call ${lost}`), { timeout: 5000, what: 'the last lines in the log' });
    const text = log();
    assert.match(text, /store: stopping with 3 writes not saved; each follows/);
    assert.match(text, new RegExp(`store: not saved: live_call: call ${lost} in progress at booth ${BOOTH}`));
    assert.match(text, new RegExp(`store: not saved: call_record: call ${lost}: site \\d+, booth ${BOOTH}, topic ${TOPIC}, language fr, queued \\S+Z, answered \\S+Z, ended \\S+Z, end booth-hangup`));
    disk.unfill();
    assert.equal(await sql(`SELECT count(*) FROM call_records WHERE call_id = '${lost}'`), '0');
  });
});
