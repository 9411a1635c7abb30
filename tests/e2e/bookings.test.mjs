// SPDX-License-Identifier: GPL-2.0-or-later
// Bookings (issue 4), with real booths (relais-booth --ui, SDL offscreen,
// touched through the control socket), the real store and Chromium as the
// adviser: a site with opening hours and nobody signed in; a visitor books a
// time on one booth and gets a code; on another booth of the site the code
// checks in and goes ahead of a walk-in waiting on a third; an adviser signs
// in and takes the booked visitor first. Then the bad codes: used, another
// site's, unknown, too many (the booth must wait), too early, and a no-show
// swept by the switchboard and refused as expired; after that restart, the
// code made into a call is still refused for a second call (the store says so).
// The booking screen's second QR code, read by zbar from the booth's
// screenshot, is a calendar event of the slot at the site's address.
//
// Time: the site's opening hours are set in a zone where it is morning now
// (lib/relais.mjs openNow), so every booking is real and in the future. Only
// the no-show needs time to pass: the switchboard is restarted with the
// test-only RELAIS_SB_TEST_CLOCK_OFFSET_S, its store's clock moved past the
// booking's start + the no-show delay.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { missingBinaries, tmpDir, outFile, bin } from './lib/env.mjs';
import { run } from './lib/procs.mjs';
import { startSwitchboard, startBooth, signInPage, openNow } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { scriptedBooth, scriptedBooking, suiteSteps } from './lib/scripted.mjs';
import { UI_ARGS, UI_ENV, screen } from './lib/boothui.mjs';
import { until } from './lib/util.mjs';
import { readQrCodes, parseICalendar, icalText, icalUtc } from './lib/qrcal.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

// ASCII: relais-booth's --site goes through GOption without setlocale()
const SITE = 'Mediatheque Bookings';
const OTHER = 'Gare Bookings';
const CODE_RE = /^[2-9A-HJ-NP-Z]{6}$/;
const EARLY_MIN = 45; // --checkin-early-minutes: the first free slot is always within it
const NO_SHOW_MIN = 15; // the Kconfig default
const SB_ARGS = ['--checkin-early-minutes', String(EARLY_MIN), '--no-show-minutes', String(NO_SHOW_MIN)];
// what an administrator types in the site form: a comma, a semicolon, accents
const ADDRESS = 'Médiathèque, 2e étage; 4 rue Jean-Macé, 69007 Lyon';

describe('bookings', { skip, timeout: 300000 }, () => {
  const dir = tmpDir('bookings');
  let sb;
  let adviser;
  let page;
  const booths = {};
  const sockets = [];
  const suite = suiteSteps(dir, () => ({ sb, browser: adviser }));
  const step = suite.step;
  let booked; // {code, start} from the first booth's screen
  let siteZone; // SITE's time zone (openNow)

  // A booth of SITE in its own folder (control socket, log).
  async function booth(id, { ui = true, site = SITE } = {}) {
    const d = path.join(dir, id);
    fs.mkdirSync(d, { recursive: true });
    booths[id] = await startBooth({ dir: d, switchboard: sb, boothId: id, site, extraArgs: ui ? UI_ARGS : [], env: UI_ENV });
    return booths[id].ctl;
  }

  // The store's word on a booking: `column` (its state by default).
  async function stateOf(code, column = 'state') {
    const r = await run('sqlite3', [path.join(sb.dataDir, 'relais.db'), `SELECT ${column} FROM bookings WHERE code = '${code}'`]);
    assert.equal(r.code, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
  }

  // On the check-in screen: the code typed key by key, then "Check in";
  // resolves the visitor's status once the switchboard has answered.
  async function typeCode(ctl, code) {
    let v = await ctl.visitor();
    assert.equal(v.screen, 'check_in');
    for (let i = 0; i < (v.booking_code ?? '').length; i++) await ctl.tap('code-delete');
    for (const c of code) await ctl.tap('code-char', c);
    v = await ctl.visitor();
    assert.equal(v.booking_code, code, 'the code as typed');
    await ctl.tap('check-in');
    await until(async () => !(v = await ctl.visitor()).booking_pending, { timeout: 10000, what: `the answer to ${code}` });
    return v;
  }

  // A refused code: the reason in the status, the screen still there.
  async function refused(ctl, code, reason) {
    const v = await typeCode(ctl, code);
    assert.equal(v.screen, 'check_in', `${code}: stays on the code screen`);
    assert.equal(v.booking_error, reason, `${code}: refused as ${reason}`);
    return v;
  }

  before(async () => {
    sb = await startSwitchboard({ dir, extraArgs: SB_ARGS });
    siteZone = await openNow(sb.dataDir, SITE);
    await openNow(sb.dataDir, OTHER);
    // the address as the admin page sets it (admin.test.mjs goes through the form)
    const r = await run('sqlite3', [path.join(sb.dataDir, 'relais.db'), `UPDATE sites SET address = '${ADDRESS}' WHERE name = '${SITE}'`]);
    assert.equal(r.code, 0, `sqlite3: ${r.stderr}`);
  });

  after(() => suite.end(sockets));

  step('nobody on duty at a site with opening hours: the booth offers the next free slots', async () => {
    const a = await booth('bk-a');
    await screen(a, 'attract');
    await a.tap('language', 'en');
    await a.tap('answer', 'training');
    await a.tap('skip');
    await a.tap('accept');
    await screen(a, 'self_check');
    await a.tap('ready');
    const v = await screen(a, 'no_adviser');
    assert.equal(v.advisers_on_duty, 0);
    await a.tap('book');
    await screen(a, 'book_slots');
    let slots = -1;
    await until(async () => (slots = (await a.visitor()).slots) > 0, { timeout: 10000, what: 'slots offered' });
    // the morning from now on: several 30-minute slots, at most the Kconfig 6
    assert.ok(slots >= 3 && slots <= 6, `${slots} slots offered`);
    await a.screenshot(outFile('bookings-slots.png'));
  });

  step('the visitor books one: the code, large, with its QR code, then nothing kept', async () => {
    const a = booths['bk-a'].ctl;
    await a.tap('slot', 0);
    await screen(a, 'book_confirm');
    await a.tap('book-confirm');
    const v = await screen(a, 'book_code');
    assert.match(v.booking_code, CODE_RE);
    assert.ok(Date.parse(v.booking_start) > Date.now() - 60000, `a slot from now on: ${v.booking_start}`);
    booked = { code: v.booking_code, start: v.booking_start };
    const shot = outFile('bookings-code.png');
    await a.screenshot(shot);
    assert.equal(await stateOf(booked.code), 'booked');
    await checkCalendarQr(shot, v);
    await a.tap('done');
    await screen(a, 'attract', { timeout: 10000 });
    const after = await a.visitor();
    assert.equal(after.booking_code, undefined, 'the code is not kept on the booth');
    assert.equal(after.booking_start, undefined, 'nor its slot (the calendar event is made of it)');
    assert.equal(after.booking_end, undefined);
    assert.equal(after.slots, -1);
  });

  // The screen's two QR codes as a phone reads them: the code's, and a
  // calendar event of the booked slot (RFC 5545) that says nothing about
  // the visitor.
  async function checkCalendarQr(shot, v) {
    const codes = await readQrCodes(shot);
    assert.equal(codes.length, 2, `two QR codes on the screen: ${JSON.stringify(codes)}`);
    const grouped = `${v.booking_code.slice(0, 3)}-${v.booking_code.slice(3)}`;
    assert.ok(codes.some((c) => c.startsWith(`RELAIS ${grouped} `)), 'the code\'s QR code');
    const text = codes.find((c) => c.startsWith('BEGIN:VCALENDAR\r\n'));
    assert.ok(text, 'the calendar QR code');
    const cal = parseICalendar(text);
    assert.deepEqual(cal.components, ['VCALENDAR', 'VCALENDAR/VEVENT', 'VCALENDAR/VEVENT/VALARM', 'VCALENDAR/VEVENT/VALARM']);
    const at = (name) => cal.props.filter((p, i) => p.name === name && !insideAlarm(cal.props, i));
    const one = (name) => {
      const found = at(name);
      assert.equal(found.length, 1, `one ${name}`);
      return found[0].value;
    };
    assert.equal(one('VERSION'), '2.0');
    assert.ok(one('PRODID').length > 0);
    assert.match(one('UID'), /^[0-9a-f]{24}@relais$/);
    assert.ok(!one('UID').includes(v.booking_code), 'the UID does not show the code');
    // DTSTAMP: when the booth was told, a moment ago
    const stamp = one('DTSTAMP');
    assert.match(stamp, /^\d{8}T\d{6}Z$/);
    const stampMs = Date.parse(stamp.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    assert.ok(Math.abs(Date.now() - stampMs) < 5 * 60000, `DTSTAMP ${stamp} is now`);
    // the booked slot, as exact instants; the booth was told it in the
    // site's zone, with that zone's offset for the day
    assert.equal(one('DTSTART'), icalUtc(v.booking_start));
    assert.equal(one('DTEND'), icalUtc(v.booking_end));
    const wall = new Intl.DateTimeFormat('sv-SE', { timeZone: siteZone, dateStyle: 'short', timeStyle: 'medium' })
      .format(new Date(v.booking_start))
      .replace(' ', 'T');
    assert.equal(v.booking_start.slice(0, 19), wall, `the slot in ${siteZone}'s local time`);
    assert.equal(Date.parse(v.booking_end) - Date.parse(v.booking_start), 30 * 60000);
    assert.equal(icalText(one('SUMMARY')), 'Appointment with an adviser \u2014 Relais');
    assert.equal(icalText(one('LOCATION')), `${SITE}, ${ADDRESS}`);
    assert.match(one('LOCATION'), /\\, 2e étage\\; 4 rue/, 'commas and semicolons escaped');
    const description = icalText(one('DESCRIPTION'));
    assert.ok(description.includes(`${v.booking_code.slice(0, 3)} ${v.booking_code.slice(3)}`), `the code in ${description}`);
    assert.match(description, /I have a booking/);
    // two display alarms: the day before, an hour before
    const alarms = [];
    for (let i = 0; i < cal.props.length; i++) {
      if (cal.props[i].name !== 'BEGIN' || cal.props[i].value !== 'VALARM') continue;
      const alarm = {};
      for (let j = i + 1; cal.props[j].name !== 'END'; j++) alarm[cal.props[j].name] = cal.props[j].value;
      alarms.push(alarm);
    }
    assert.deepEqual(alarms.map((x) => [x.ACTION, x.TRIGGER]), [['DISPLAY', '-P1D'], ['DISPLAY', '-PT1H']]);
    assert.ok(alarms.every((x) => x.DESCRIPTION), 'a DISPLAY alarm has a description');
    // nothing about the visitor: no people, no contact, not their answers
    for (const p of ['ATTENDEE', 'ORGANIZER', 'CONTACT', 'URL', 'GEO', 'CATEGORIES', 'COMMENT']) assert.equal(at(p).length, 0, `no ${p}`);
    assert.ok(!/training/i.test(text), "the visitor's topic is not in it");
  }

  function insideAlarm(props, i) {
    let depth = 0;
    for (let j = 0; j < i; j++) {
      if (props[j].name === 'BEGIN' && props[j].value === 'VALARM') depth++;
      if (props[j].name === 'END' && props[j].value === 'VALARM') depth--;
    }
    return depth > 0;
  }

  step('another booth of the site checks the code in; it goes ahead of a walk-in waiting on a third', async () => {
    const c = await booth('bk-c', { ui: false });
    await c.request({ topic: 'job-search', language: 'en', answers: {} });
    await until(async () => (await c.status()).position === 1, { timeout: 10000, what: 'the walk-in waiting, first' });

    const b = await booth('bk-b');
    await screen(b, 'attract');
    await b.tap('have-booking');
    await screen(b, 'check_in');
    const v = await typeCode(b, booked.code);
    assert.equal(v.screen, 'consent');
    assert.equal(v.booked, true);
    assert.equal(v.language, 'en', "the booking's language");
    assert.equal(await stateOf(booked.code), 'checked_in');
    await b.tap('accept');
    await screen(b, 'self_check');
    await b.tap('ready');
    await screen(b, 'waiting');
    await until(async () => (await b.status()).position === 1, { timeout: 10000, what: 'the booked visitor first' });
    await until(async () => (await c.status()).position === 2, { timeout: 10000, what: 'the walk-in second' });
  });

  step('an adviser signs in, sees the booked visitor first and accepts them', async () => {
    adviser = await launchAdviser({ dir });
    page = adviser.page;
    await page.goto(sb.pageUrl());
    await signInPage(page);
    await page.waitForSelector('body[data-link="online"]', { timeout: 15000 });
    const items = page.locator('[data-testid="queue-item"]');
    await until(async () => (await items.count()) === 2, { timeout: 10000, what: 'two visitors listed' });
    assert.equal(await items.nth(0).getAttribute('data-booth-id'), 'bk-b');
    assert.equal(await items.nth(0).getAttribute('data-booked'), 'true');
    assert.equal(await items.nth(1).getAttribute('data-booth-id'), 'bk-c');
    assert.equal(await items.nth(1).getAttribute('data-booked'), null);
    await items.nth(0).locator('[data-testid="accept-btn"]').click();
    await page.waitForSelector('body[data-state="in-call"]', { timeout: 15000 });
    const b = booths['bk-b'].ctl;
    await screen(b, 'in_call', { timeout: 30000 });
    await page.locator('[data-testid="end-btn"]').click();
    await page.waitForSelector('body[data-state="idle"]', { timeout: 10000 });
    await screen(b, 'satisfaction', { timeout: 10000 });
    // the walk-in is next
    await until(async () => (await booths['bk-c'].ctl.status()).position === 1, { timeout: 10000, what: 'the walk-in first now' });
  });

  step('the same code again: already used', async () => {
    const a = booths['bk-a'].ctl;
    await a.tap('have-booking');
    await screen(a, 'check_in');
    await refused(a, booked.code, 'used');
    await a.screenshot(outFile('bookings-used.png'));
    // the store knows it made a call, and which one (no one's name)
    assert.equal(await stateOf(booked.code, 'used_at IS NOT NULL'), '1', 'marked used');
    assert.equal(await stateOf(booked.code, 'used_call_id IN (SELECT call_id FROM call_records)'), '1', 'by the call recorded');
    // and the day's list says it (the command line here; the console's panel reads the same rows)
    const list = await run(bin('relais-switchboard'), ['--data', sb.dataDir, 'booking', 'list', SITE]);
    assert.equal(list.code, 0, list.stderr);
    const row = list.stdout.split('\n').find((l) => l.startsWith(`${booked.code}\t`));
    assert.ok(row, list.stdout);
    assert.deepEqual(row.split('\t').slice(-2), ['checked_in', 'yes'], `checked in and made into a call: ${row}`);
  });

  step("another site's code, an unknown code", async () => {
    const other = await scriptedBooth(sb, 'bk-other', OTHER, sockets);
    const { code } = await scriptedBooking(other);
    assert.match(code, CODE_RE);
    const a = booths['bk-a'].ctl;
    await refused(a, code, 'wrong_site');
    const unknown = booked.code === 'ZZZZZ2' ? 'ZZZZZ3' : 'ZZZZZ2';
    await refused(a, unknown, 'unknown');
  });

  step('repeated wrong codes: the booth is made to wait, other booths are not', async () => {
    const a = booths['bk-a'].ctl;
    // used, wrong site, unknown so far: two more make five
    await refused(a, 'ZZZZZ4', 'unknown');
    await refused(a, 'ZZZZZ5', 'unknown');
    const v = await refused(a, 'ZZZZZ6', 'wait');
    await a.screenshot(outFile('bookings-wait.png'));
    assert.equal(v.booking_code, 'ZZZZZ6', 'the code stays, to be corrected later');
    // a real code waits too
    const fresh = await scriptedBooth(sb, 'bk-fresh', SITE, sockets);
    const { code } = await scriptedBooking(fresh);
    await refused(a, code, 'wait');
    // another booth is not held back: its answer is about the code itself
    const e = await fresh.request({ type: 'check_in', code: 'ZZZZZ7' }, 'booking_error');
    assert.equal(e.reason, 'unknown');
    // counted for the operators
    const m = (await sb.metrics()).body;
    assert.match(m, /^relais_bookings_total\{outcome="rate_limited"\} 2$/m);
    assert.match(m, /^relais_bookings_total\{outcome="checked_in"\} 1$/m);
  });

  step('too early: refused, with when to come back', async () => {
    const raw = await scriptedBooth(sb, 'bk-early', SITE, sockets);
    // the third free slot starts at least an hour ahead: more than EARLY_MIN
    const { code, start } = await scriptedBooking(raw, { slot: 2 });
    assert.ok(Date.parse(start) - Date.now() > EARLY_MIN * 60000, `slot at ${start}`);
    const e = await raw.request({ type: 'check_in', code }, 'booking_error');
    assert.equal(e.reason, 'too_early');
    assert.equal(Date.parse(e.retry_at), Date.parse(start) - EARLY_MIN * 60000, `come back at ${e.retry_at}`);
    assert.equal(await stateOf(code), 'booked');
  });

  step('a no-show: swept by the switchboard past start + N minutes, its code refused as expired', async () => {
    const raw = await scriptedBooth(sb, 'bk-late', SITE, sockets);
    const { code, start } = await scriptedBooking(raw);
    assert.equal(await stateOf(code), 'booked');
    // the same store, its clock moved past the start and the no-show delay
    await sb.proc.stop();
    // meanwhile a booth without its switchboard says so at once
    const a = booths['bk-a'].ctl;
    await until(async () => (await a.status()).link !== 'up', { timeout: 10000, what: 'booth A offline' });
    await refused(a, 'ZZZZZ8', 'offline');
    const offset = Math.ceil((Date.parse(start) + (NO_SHOW_MIN + 2) * 60000 - Date.now()) / 1000);
    sb = await startSwitchboard({ dir, extraArgs: SB_ARGS, env: { RELAIS_SB_TEST_CLOCK_OFFSET_S: String(offset) } });
    const log = sb.proc.tail.join('\n');
    assert.match(log, /TEST ONLY: RELAIS_SB_TEST_CLOCK_OFFSET_S/, 'the offset is logged loudly');
    const swept = /no-show sweep: (\d+) booking\(s\) marked no-show/.exec(log);
    assert.ok(swept && Number(swept[1]) >= 1, 'the start-up sweep marked no-shows');
    // marked by the sweep, before anyone typed the code
    assert.equal(await stateOf(code), 'no_show');
    assert.equal(await stateOf(booked.code), 'checked_in', 'a checked-in booking is not a no-show');

    // a booth of the site, in words
    const d = await booth('bk-d');
    await screen(d, 'attract');
    await d.tap('have-booking');
    await screen(d, 'check_in');
    await refused(d, code, 'expired');
    await d.screenshot(outFile('bookings-expired.png'));
  });

  step('after the restart, the code made into a call is refused for a second call', async () => {
    // still checked in today at this site: only its use stops it
    assert.equal(await stateOf(booked.code), 'checked_in');
    const raw = await scriptedBooth(sb, 'bk-again', SITE, sockets);
    const request = { type: 'request', language: 'en', topic: 'training', answers: {}, booking: booked.code };
    const e = await raw.request(request, 'error', { timeout: 10000 });
    assert.equal(e.code, 'state');
    assert.match(e.message, /already used for a call/);
    assert.ok(!raw.messages.some((m) => m.type === 'queued'), 'nothing queued');
    // the same booth may still queue as a walk-in
    await raw.request({ ...request, booking: undefined }, 'queued', { timeout: 10000 });
  });
});
