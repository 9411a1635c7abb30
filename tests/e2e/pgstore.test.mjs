// SPDX-License-Identifier: GPL-2.0-or-later
// The switchboard on PostgreSQL (--store postgresql://…, CLUSTER.md's first
// slice): a real PostgreSQL 15 on a socket in the test's folder; the
// accounts and the booth's enrolment made with the command line on it; a
// booth's visitor queued, accepted by an adviser, chat relayed, ended by
// the booth; the call in progress and then its one record read from
// PostgreSQL itself; a booking kept there and checked in.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TOP, missingBinaries, tmpDir } from './lib/env.mjs';
import { startSwitchboard, openNow } from './lib/relais.mjs';
import { scriptedAdviser, scriptedBooth, scriptedBooking, suiteSteps } from './lib/scripted.mjs';
import { postgresMissing, startPostgres } from './lib/postgres.mjs';
import { until } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : postgresMissing();

describe('the switchboard on PostgreSQL', { skip, timeout: 90000 }, () => {
  const dir = tmpDir('pgstore');
  let pg;
  let sb;
  let adviser;
  let booth;
  let call;
  const sockets = [];
  const suite = suiteSteps(dir, () => ({ sb }));
  const step = suite.step;
  const sql = (q) => pg.psql('relais', q);

  before(async () => {
    pg = await startPostgres('pgstore');
    const uri = await pg.createDb('relais');
    sb = await startSwitchboard({ dir, store: uri, extraArgs: ['--checkin-early-minutes', '45'] });
    await openNow(sb.dataDir, 'Médiathèque');
  });

  after(async () => {
    await suite.end(sockets);
    await pg?.stop();
  });

  step('the store is PostgreSQL: migrated, the accounts and site made by the command line are there', async () => {
    // the version this build's store migrates to (store.h), on PostgreSQL too
    const schema = /#define SB_STORE_SCHEMA_VERSION (\d+)/.exec(fs.readFileSync(path.join(TOP, 'firmware/switchboard/store.h'), 'utf8'))[1];
    assert.equal(await sql('SELECT version FROM relais_schema'), schema);
    assert.equal(await sql("SELECT count(*) FROM users WHERE login = 'e2e-adviser'"), '1');
    assert.equal(await sql("SELECT count(*) FROM sites WHERE name = 'Médiathèque'"), '1');
    assert.equal(await sql('SELECT count(*) FROM opening_slots'), '14');
    // the data folder keeps the booth CA, and no SQLite store
    assert.equal(fs.existsSync(path.join(sb.dataDir, 'relais.db')), false);
  });

  step('a booth enrolled on it; a visitor queued, accepted, chat relayed; the call in progress is in live_calls', async () => {
    booth = await scriptedBooth(sb, 'pg-1', 'Médiathèque', sockets);
    assert.equal(await sql("SELECT count(*) FROM booth_certs WHERE booth_id = 'pg-1'"), '1');
    adviser = (await scriptedAdviser(sb, { sockets })).ws;
    await adviser.next((m) => m.type === 'queue', { what: 'first queue' });
    booth.send({ type: 'request', language: 'fr', topic: 'job-search', answers: { situation: 'job-seeker' } });
    const q = await adviser.next((m) => m.type === 'queue' && m.queue.length === 1, { what: 'the visitor queued' });
    ({ call } = await adviser.request({ type: 'accept', ticket: q.queue[0].ticket }, 'call'));
    await booth.next((m) => m.type === 'call' || m.type === 'accepted', { what: 'the booth told' });
    await until(async () => (await sql(`SELECT count(*) FROM live_calls WHERE call_id = '${call}'`)) === '1', {
      timeout: 5000,
      what: 'the call in progress written to PostgreSQL',
    });
    assert.equal(await sql(`SELECT adviser FROM live_calls WHERE call_id = '${call}'`), 'e2e-adviser');
    const from = booth.messages.length;
    adviser.send({ type: 'chat', call, text: 'bonjour' });
    await booth.next((m) => m.type === 'chat' && m.text === 'bonjour', { from, what: 'the chat relayed' });
  });

  step('the booth ends the call: one record in PostgreSQL, the live row gone', async () => {
    const from = adviser.messages.length;
    booth.send({ type: 'end', call });
    await adviser.next((m) => m.type === 'end' && m.call === call, { from, what: 'the adviser told' });
    await until(async () => (await sql(`SELECT count(*) FROM call_records WHERE call_id = '${call}'`)) === '1', {
      timeout: 5000,
      what: 'the call record in PostgreSQL',
    });
    assert.equal(await sql(`SELECT count(*) FROM live_calls WHERE call_id = '${call}'`), '0');
    const row = await sql(`SELECT topic || ' ' || language || ' ' || (answered_at IS NOT NULL) || ' ' || end_reason FROM call_records WHERE call_id = '${call}'`);
    assert.equal(row, 'job-search fr true booth-hangup');
  });

  step('a booking made by the booth is kept in PostgreSQL and checked in', async () => {
    const b = await scriptedBooking(booth, { checkIn: true });
    assert.equal(await sql(`SELECT state FROM bookings WHERE code = '${b.code}'`), 'checked_in');
  });
});
