// SPDX-License-Identifier: GPL-2.0-or-later
// The queue per adviser: accounts with languages, each console lists only the
// visitors its adviser can take, chimes when one starts waiting (and not when
// muted), and shows booked visitors first with a badge. The English adviser
// is Chromium; the French one a scripted console (raw WebSocket, signed in).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries, tmpDir } from './lib/env.mjs';
import { startSwitchboard, signInPage, openNow } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { scriptedAdviser, scriptedBooth, scriptedBooking, suiteSteps } from './lib/scripted.mjs';
import { until, sleep } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const EN = { login: 'adv-en', password: 'adv-en-password', name: 'English Adviser', languages: 'en' };
const FR = { login: 'adv-fr', password: 'adv-fr-password', name: 'Conseillère FR', languages: 'fr', topics: 'job-search,training' };

describe('queue matched to advisers', { skip, timeout: 90000 }, () => {
  const dir = tmpDir('queue');
  let sb;
  let adviser;
  let page;
  let fr;
  const sockets = [];

  const rawBooth = (id) => scriptedBooth(sb, id, 'Médiathèque', sockets);
  const chimes = () => page.evaluate(() => window.relais.counters.chimes);
  const item = (boothId) => page.locator(`[data-testid="queue-item"][data-booth-id="${boothId}"]`);
  // The French console's next queue (after `from`) listing `ids` exactly.
  const frQueue = (from, ids) =>
    fr.next((m) => m.type === 'queue' && m.queue.map((q) => q.booth_id).join(' ') === ids, { from, what: `queue "${ids}" for the French adviser` });

  const suite = suiteSteps(dir, () => ({ sb, browser: adviser }));
  const step = suite.step;

  before(async () => {
    // the first free slot starts up to 35 minutes ahead (5 minutes' lead,
    // then the next half hour): the booking below is checked in at once
    sb = await startSwitchboard({ dir, extraArgs: ['--checkin-early-minutes', '45'] });
    // made in a zone where it is morning (bookable now) before the booths'
    // enrolment would make it in the test's own zone
    await openNow(sb.dataDir, 'Médiathèque');
    await sb.addUser(EN);
    await sb.addUser(FR);
    adviser = await launchAdviser({ dir });
    page = adviser.page;
  });

  after(async () => {
    fr?.destroy();
    await suite.end(sockets);
  });

  step('both advisers sign in; the queue is empty and silent', async () => {
    await page.goto(sb.pageUrl());
    await page.locator('[data-testid="signin-form"]').waitFor();
    await signInPage(page, EN);
    await page.waitForSelector('body[data-link="online"]');
    fr = (await scriptedAdviser(sb, { login: FR.login, password: FR.password, name: 'ignored' })).ws;
    await fr.next((m) => m.type === 'queue', { what: 'first queue' });
    const toggle = page.locator('[data-testid="chime-toggle"]');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    assert.equal(await chimes(), 0);
  });

  step('an English visitor: listed and chimed on the English console only', async () => {
    const from = fr.messages.length;
    const b = await rawBooth('en-1');
    b.send({ type: 'request', language: 'en', topic: 'job-search', answers: { situation: 'job-seeker' } });
    await item('en-1').waitFor();
    assert.match(await item('en-1').innerText(), /English \(en\)/);
    await until(async () => (await chimes()) === 1, { timeout: 3000, what: 'one chime' });
    // the French adviser, who cannot take it, is sent no queue naming it:
    // its booth list's change shows the visitor queued, and the lists of one
    // change go out together, the queue first (PROTOCOL.md "Lists are gathered")
    const seen = await fr.next(
      (m) => m.type === 'booths_changed' && m.booths.some((x) => x.booth_id === 'en-1' && x.state === 'queued'),
      { from, what: 'booth list change with en-1 queued' },
    );
    const queues = fr.messages.slice(from, fr.messages.indexOf(seen)).filter((m) => m.type === 'queue');
    assert.deepEqual(queues.filter((m) => m.queue.length > 0), [], 'no queue list naming the English visitor');
    // and accepting it anyway is refused
    const ticket = await item('en-1').getAttribute('data-ticket');
    const err = await fr.request({ type: 'accept', ticket }, 'error');
    assert.equal(err.code, 'state');
    assert.match(err.message, /language 'en'/);
  });

  step('a French visitor: the French adviser gets it, the English console neither lists nor chimes', async () => {
    const from = fr.messages.length;
    const b = await rawBooth('fr-1');
    b.send({ type: 'request', language: 'fr', topic: 'training' });
    await frQueue(from, 'fr-1');
    await sleep(300);
    assert.equal(await item('fr-1').count(), 0);
    assert.equal(await page.locator('[data-testid="queue-item"]').count(), 1);
    assert.equal(await chimes(), 1);
  });

  step('muted: a booked visitor is listed first with a badge, without a chime; the choice survives a reload', async () => {
    const toggle = page.locator('[data-testid="chime-toggle"]');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    // a real booking, checked in at this booth's site (bookings.test.mjs covers the rest)
    const b = await rawBooth('en-2');
    const { code } = await scriptedBooking(b, { checkIn: true });
    b.send({ type: 'request', language: 'en', topic: 'training', booking: code });
    const booked = page.locator('[data-testid="queue-item"][data-booth-id="en-2"][data-booked="true"]');
    await booked.waitFor();
    assert.equal(await booked.locator('[data-testid="queue-booked"]').innerText(), 'Booked');
    const items = page.locator('[data-testid="queue-item"]');
    assert.equal(await items.nth(0).getAttribute('data-booth-id'), 'en-2', 'booked first');
    assert.equal(await items.nth(1).getAttribute('data-booth-id'), 'en-1');
    assert.equal(await items.nth(1).getAttribute('data-booked'), null);
    await sleep(300);
    assert.equal(await chimes(), 1);

    await page.reload();
    await page.waitForSelector('body[data-link="online"]');
    await item('en-2').waitFor();
    assert.equal(await page.locator('[data-testid="chime-toggle"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await chimes(), 0, 'muted: the snapshot after the reload does not chime either');

    // sound back on: the next new visitor chimes again
    await page.locator('[data-testid="chime-toggle"]').click();
    assert.equal(await page.locator('[data-testid="chime-toggle"]').getAttribute('aria-pressed'), 'false');
    const b3 = await rawBooth('en-3');
    b3.send({ type: 'request', language: 'en', topic: 'job-search' });
    await item('en-3').waitFor();
    await until(async () => (await chimes()) === 1, { timeout: 3000, what: 'a chime once unmuted' });
    assert.deepEqual(adviser.pageErrors(), []);
  });
});
