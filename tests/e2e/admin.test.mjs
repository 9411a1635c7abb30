// SPDX-License-Identifier: GPL-2.0-or-later
// The administrator's page and API, and the day's bookings. An admin made
// with the command line signs in, creates a site, sets its hours through the
// grid (the command line then lists them), adds and deletes a closure,
// creates an adviser (who then signs in to the console) and a staff member,
// assigns a connected booth to the site (the staff page of that site shows
// it), is told why a site in use cannot go, and cannot delete themselves.
// The API refuses every endpoint without a session (401) and to advisers and
// staff (403), cross-origin changes, malformed and oversized bodies, bad time
// zones and grids (400, with a message), unknown ids (404). A booking taken
// by phone (`booking add`) shows in an adviser's console without its code,
// not to the staff of another site, and as cancelled after `booking cancel`.
// Resetting a password and deleting an account end the account's sessions.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bin, missingBinaries, tmpDir } from './lib/env.mjs';
import { startSwitchboard, httpRequest, signInPage, ADVISER } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { run } from './lib/procs.mjs';
import { scriptedAdviser, scriptedBooth, suiteSteps } from './lib/scripted.mjs';
import { until } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const ADMIN = { login: 'boss', password: 'boss-password-1', role: 'admin', name: 'The Boss' };
const OTHER_STAFF = { login: 'desk-other', password: 'desk-other-pw1', role: 'staff', name: 'Other desk', site: 'Annexe Sud' };
const SITE = 'Bibliothèque Nord';
const STAFF = { login: 'desk-nord', password: 'desk-nord-pw-1' };
const NEW_ADVISER = { login: 'nadia', name: 'Nadia', languages: 'fr, ar', topics: 'job-search' };
const BOOKING_SITE = 'Booking Site';

// Every /api/admin endpoint, with an id where it takes one.
const ENDPOINTS = [
  ['GET', 'sites'], ['POST', 'sites'], ['GET', 'sites/1'], ['PUT', 'sites/1'], ['DELETE', 'sites/1'],
  ['GET', 'sites/1/hours'], ['PUT', 'sites/1/hours'], ['GET', 'sites/1/closures'], ['POST', 'sites/1/closures'],
  ['DELETE', 'closures/1'], ['GET', 'booths'], ['POST', 'booths'], ['PUT', 'booths/b1'], ['DELETE', 'booths/b1'],
  ['GET', 'users'], ['POST', 'users'], ['GET', 'users/x'], ['PUT', 'users/x'], ['DELETE', 'users/x'],
  ['POST', 'users/x/password'], ['POST', 'booths/b1/token'], ['POST', 'booths/b1/revoke'],
];

// An IANA zone (Etc/GMT±N) where it is now between 06:00 and 11:59, so that
// a booking later today fits in the day, and that zone's date and hour.
function morningZone() {
  for (let k = -12; k <= 14; k++) {
    const zone = k === 0 ? 'Etc/UTC' : k > 0 ? `Etc/GMT-${k}` : `Etc/GMT+${-k}`;
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' })
        .formatToParts(new Date())
        .map((p) => [p.type, p.value]),
    );
    const hour = Number(parts.hour);
    if (hour >= 6 && hour < 12) return { zone, date: `${parts.year}-${parts.month}-${parts.day}`, hour };
  }
  throw new Error('no zone in the morning');
}

describe('administrator page and bookings', { skip, timeout: 240000 }, () => {
  const dir = tmpDir('admin');
  let sb;
  let browser;
  let page;
  const cookies = {};
  const sockets = [];
  const state = {};

  const suite = suiteSteps(dir, () => ({ sb, browser }));
  const step = suite.step;

  const cli = (...args) => run(bin('relais-switchboard'), ['--data', sb.dataDir, ...args]);
  const api = (method, path, { cookie = cookies[ADMIN.login], body, headers = {} } = {}) =>
    httpRequest(`${sb.base}/api/admin/${path}`, {
      method,
      headers: {
        ...(cookie ? { Cookie: cookie } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const bookingsApi = (cookie, query = '') => httpRequest(`${sb.base}/api/bookings${query}`, { headers: cookie ? { Cookie: cookie } : {} });

  async function signIn(login, password) {
    const r = await sb.login(login, password);
    assert.equal(r.status, 200, `sign-in of ${login}: ${r.body}`);
    return r.cookie;
  }

  // The browser's session: `cookie` (null: none).
  async function useCookie(cookie) {
    await browser.context.clearCookies();
    if (cookie) {
      const [name, value] = cookie.split('=');
      await browser.context.addCookies([{ name, value, url: sb.base }]);
    }
  }

  async function openAdmin() {
    await useCookie(cookies[ADMIN.login]);
    await page.goto(`${sb.base}/admin.html`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 15000 });
  }

  const t = (id) => page.locator(`[data-testid="${id}"]`);
  const siteRow = (name) => page.locator(`[data-testid="site-row"][data-name="${name}"]`);
  const accountRow = (login) => page.locator(`[data-testid="account-row"][data-key="${login}"]`);
  const hoursRow = (day) => page.locator(`[data-testid="hours-row"][data-key="${day}"]`);

  before(async () => {
    sb = await startSwitchboard({ dir });
    for (const u of [ADMIN, OTHER_STAFF]) await sb.addUser(u);
    cookies[ADMIN.login] = await signIn(ADMIN.login, ADMIN.password);
    cookies[ADVISER.login] = await signIn(ADVISER.login, ADVISER.password);
    cookies[OTHER_STAFF.login] = await signIn(OTHER_STAFF.login, OTHER_STAFF.password);
    browser = await launchAdviser({ dir, media: 'denied', name: 'admin' });
    page = browser.page;
    // confirmations: the test says yes (each one is asserted by its effect)
    page.on('dialog', (d) => d.accept());
  });

  after(async () => {
    await suite.end(sockets);
  });

  step('API: every endpoint is 401 without a session and 403 for advisers and staff', async () => {
    for (const [method, path] of ENDPOINTS) {
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      assert.equal((await api(method, path, { cookie: null, body })).status, 401, `${method} ${path} without a session`);
      for (const who of [ADVISER.login, OTHER_STAFF.login]) {
        const r = await api(method, path, { cookie: cookies[who], body });
        assert.equal(r.status, 403, `${method} ${path} as ${who}: ${r.body}`);
      }
    }
    assert.equal((await bookingsApi(null)).status, 401);
    assert.equal((await httpRequest(`${sb.base}/api/bookings`, { method: 'POST', headers: { Cookie: cookies[ADMIN.login] } })).status, 405);
  });

  step('API: cross-origin, malformed, oversized, invalid zone and grid, unknown ids, wrong method', async () => {
    const evil = await api('POST', 'sites', { body: { name: 'X', timezone: 'UTC' }, headers: { Origin: 'http://evil.example' } });
    assert.equal(evil.status, 403);
    assert.match(evil.json.error, /cross-origin/);
    const ours = await api('POST', 'sites', { body: { name: 'Annexe Est', timezone: 'UTC' }, headers: { Origin: sb.base } });
    assert.equal(ours.status, 201, ours.body);
    state.annexeEst = ours.json.id;

    const malformed = await api('POST', 'sites', { body: '{"name": "x", ' });
    assert.equal(malformed.status, 400);
    assert.match(malformed.json.error, /JSON/);
    const notObject = await api('POST', 'sites', { body: '[1, 2]' });
    assert.equal(notObject.status, 400);
    const big = await api('POST', 'sites', { body: { name: 'x'.repeat(20000), timezone: 'UTC' } });
    assert.equal(big.status, 413);
    assert.match(big.json.error, /too large/);
    const zone = await api('POST', 'sites', { body: { name: 'Mars base', timezone: 'Mars/Olympus_Mons' } });
    assert.equal(zone.status, 400);
    assert.equal(zone.json.field, 'timezone');
    assert.match(zone.json.error, /time zone/);
    const noZone = await api('POST', 'sites', { body: { name: 'No zone' } });
    assert.equal(noZone.status, 400);
    assert.equal(noZone.json.field, 'timezone');
    // an address is one line of at most 200 characters, a string
    for (const address of ['1 rue de la Gare\nLyon', 'x'.repeat(201), 42]) {
      const bad = await api('POST', 'sites', { body: { name: 'Bad address', timezone: 'UTC', address } });
      assert.equal(bad.status, 400, JSON.stringify(address));
      assert.equal(bad.json.field, 'address');
    }
    const taken = await api('POST', 'sites', { body: { name: 'Annexe Est', timezone: 'UTC' } });
    assert.equal(taken.status, 409);

    const grids = [
      [{ day: 'mon', half: 'am', start: '09:00', end: '13:00', capacity: 1 }, { day: 'mon', half: 'pm', start: '12:30', end: '17:00', capacity: 1 }],
      [{ day: 'funday', half: 'am', start: '09:00', end: '12:00', capacity: 1 }],
      [{ day: 'tue', half: 'am', start: '9h', end: '12:00', capacity: 1 }],
      [{ day: 'tue', half: 'am', start: '11:00', end: '10:00', capacity: 1 }],
      [{ day: 'tue', half: 'am', start: '09:00', end: '12:00', capacity: 0 }],
      [{ day: 'tue', half: 'pm', start: '09:00', end: '12:00', capacity: 1 }],
    ];
    for (const slots of grids) {
      const r = await api('PUT', `sites/${state.annexeEst}/hours`, { body: { slots } });
      assert.equal(r.status, 400, `${JSON.stringify(slots)}: ${r.body}`);
      assert.ok(r.json.error.length > 5, r.body);
    }
    const overlap = await api('PUT', `sites/${state.annexeEst}/hours`, { body: { slots: grids[0] } });
    assert.match(overlap.json.error, /mon: the morning ends \(13:00\) after the afternoon starts \(12:30\)/);
    assert.equal((await api('PUT', `sites/${state.annexeEst}/hours`, { body: { slots: 'all week' } })).status, 400);
    // nothing was saved by the refused grids
    assert.deepEqual((await api('GET', `sites/${state.annexeEst}/hours`)).json.slots, []);

    for (const [method, path, body] of [
      ['GET', 'sites/999999'], ['PUT', 'sites/999999', { name: 'Y' }], ['DELETE', 'sites/999999'],
      ['GET', 'sites/999999/hours'], ['PUT', 'sites/999999/hours', { slots: [] }], ['POST', 'sites/999999/closures', { from: '2030-01-01', to: '2030-01-01' }],
      ['DELETE', 'closures/999999'], ['PUT', 'booths/no-such-booth', { name: 'x' }], ['DELETE', 'booths/no-such-booth'],
      ['GET', 'users/nobody'], ['PUT', 'users/nobody', { name: 'x' }], ['DELETE', 'users/nobody'],
      ['POST', 'users/nobody/password', { generate: true }], ['GET', 'sites/not-a-number'], ['GET', 'nothing-here'],
    ]) {
      const r = await api(method, path, { body });
      assert.equal(r.status, 404, `${method} ${path}: ${r.body}`);
      assert.ok(r.json.error, r.body);
    }
    const patch = await api('PATCH', `sites/${state.annexeEst}`, { body: {} });
    assert.equal(patch.status, 405);
    assert.equal(patch.headers.allow, 'GET, HEAD, PUT, DELETE');

    // accounts: the CLI's password rules, a taken login, a staff account without a site
    const weak = await api('POST', 'users', { body: { login: 'weakling', role: 'adviser', password: 'short' } });
    assert.equal(weak.status, 400);
    assert.equal(weak.json.field, 'password');
    const same = await api('POST', 'users', { body: { login: 'samesame12', role: 'adviser', password: 'SameSame12' } });
    assert.equal(same.status, 400);
    assert.equal((await api('POST', 'users', { body: { login: ADVISER.login, role: 'adviser', generate: true } })).status, 409);
    const noSite = await api('POST', 'users', { body: { login: 'desk-x', role: 'staff', generate: true } });
    assert.equal(noSite.status, 400);
    assert.equal(noSite.json.field, 'site_id');
    const badRole = await api('POST', 'users', { body: { login: 'root', role: 'root', generate: true } });
    assert.equal(badRole.status, 400);
    assert.equal(badRole.json.field, 'role');
    // the list never carries a password hash
    const users = await api('GET', 'users');
    assert.equal(users.status, 200);
    assert.ok(!/scrypt|hash|password/i.test(users.body), users.body);
    // an admin cannot demote themselves (nor delete: the page's step below)
    const demote = await api('PUT', `users/${ADMIN.login}`, { body: { role: 'adviser' } });
    assert.equal(demote.status, 409);
    assert.match(demote.json.error, /your own account/);
  });

  step('the page: signed out or as an adviser, a hint; an admin reaches it from the console', async () => {
    await useCookie(null);
    await page.goto(`${sb.base}/admin.html`);
    await t('admin-signin').waitFor({ state: 'visible', timeout: 10000 });
    await useCookie(cookies[ADVISER.login]);
    await page.goto(`${sb.base}/admin.html`);
    await page.waitForSelector('body[data-state="signed-out"]', { timeout: 10000 });
    assert.match(await t('admin-signin').innerText(), /cannot see it/);

    await useCookie(null);
    await page.goto(sb.pageUrl());
    await signInPage(page, { login: ADMIN.login, password: ADMIN.password });
    await t('admin-link').waitFor({ state: 'visible', timeout: 10000 });
    await t('admin-link').click();
    await page.waitForSelector('body[data-state="ready"]', { timeout: 15000 });
    assert.equal(await t('admin-who').innerText(), ADMIN.name);
  });

  step('creates a site (a bad time zone is shown next to the form)', async () => {
    await t('site-name').fill(SITE);
    await t('site-timezone').fill('Europe/Atlantis');
    await t('site-submit').click();
    await t('site-form-error').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await t('site-form-error').innerText(), /time zone/);
    assert.equal(await t('site-timezone').getAttribute('aria-invalid'), 'true');
    await t('site-timezone').fill('Europe/Paris');
    await t('site-submit').click();
    await siteRow(SITE).waitFor({ timeout: 10000 });
    assert.equal(await t('site-form-error').isVisible(), false);
    // re-zoned through the same form
    await siteRow(SITE).locator('[data-testid="site-edit"]').click();
    assert.equal(await t('site-name').inputValue(), SITE);
    await t('site-timezone').fill('Europe/Brussels');
    // and given its address (one line: booths put it in the calendar event)
    await t('site-address').fill('4 rue Jean-Macé, 69007 Lyon');
    await t('site-submit').click();
    await until(async () => (await siteRow(SITE).innerText()).includes('Europe/Brussels'), { what: 'site re-zoned' });
    assert.equal(await siteRow(SITE).locator('[data-testid="site-address-cell"]').innerText(), '4 rue Jean-Macé, 69007 Lyon');
    const sites = (await api('GET', 'sites')).json.sites;
    state.site = sites.find((s) => s.name === SITE);
    assert.equal(state.site.timezone, 'Europe/Brussels');
    assert.equal(state.site.address, '4 rue Jean-Macé, 69007 Lyon');
  });

  step('sets its opening hours through the grid; the command line lists them', async () => {
    await t('hours-site').selectOption(String(state.site.id));
    await page.waitForSelector(`[data-testid="hours-grid"][data-site="${state.site.id}"][data-state="ready"]`, { timeout: 10000 });
    await hoursRow('mon').locator('[data-testid="hours-am-open"]').check();
    await hoursRow('mon').locator('[data-testid="hours-pm-open"]').check();
    await hoursRow('mon').locator('[data-testid="hours-pm-end"]').fill('18:00');
    await hoursRow('wed').locator('[data-testid="hours-am-open"]').check();
    await hoursRow('wed').locator('[data-testid="hours-am-capacity"]').fill('2');
    // first an overlap: the morning ends after the afternoon starts
    await hoursRow('mon').locator('[data-testid="hours-am-end"]').fill('13:45');
    await t('hours-save').click();
    await t('hours-error').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await t('hours-error').innerText(), /mon: the morning ends \(13:45\) after the afternoon starts \(13:30\)/);
    await hoursRow('mon').locator('[data-testid="hours-am-end"]').fill('12:30');
    await t('hours-save').click();
    await t('hours-done').waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await t('hours-error').isVisible(), false);

    const r = await cli('hours', 'list', SITE);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'SLOT\tFROM\tTO\tCAPACITY',
      'mon-am\t09:00\t12:30\t1',
      'mon-pm\t13:30\t18:00\t1',
      'wed-am\t09:00\t12:30\t2',
    ]);
    // and the grid shows what was saved after a reload
    await page.reload();
    await page.waitForSelector('body[data-state="ready"]', { timeout: 15000 });
    await t('hours-site').selectOption(String(state.site.id));
    await page.waitForSelector(`[data-testid="hours-grid"][data-site="${state.site.id}"][data-state="ready"]`, { timeout: 10000 });
    await until(async () => hoursRow('mon').locator('[data-testid="hours-pm-open"]').isChecked(), { what: 'grid loaded' });
    assert.equal(await hoursRow('mon').locator('[data-testid="hours-pm-end"]').inputValue(), '18:00');
    assert.equal(await hoursRow('tue').locator('[data-testid="hours-am-open"]').isChecked(), false);
    assert.equal(await hoursRow('wed').locator('[data-testid="hours-am-capacity"]').inputValue(), '2');
  });

  step('adds and deletes a closure', async () => {
    await t('closure-from').fill('2030-12-24');
    await t('closure-to').fill('2030-12-26');
    await t('closure-reason').fill('Inventaire');
    await t('closure-submit').click();
    await page.locator('[data-testid="closure-row"]').first().waitFor({ timeout: 10000 });
    assert.match(await page.locator('[data-testid="closure-row"]').innerText(), /2030-12-24\s+2030-12-26\s+Inventaire/);
    const listed = await cli('closure', 'list', SITE);
    assert.match(listed.stdout, /2030-12-24\t2030-12-26\tInventaire/);
    // backwards dates: refused, shown by the form
    await t('closure-from').fill('2030-12-26');
    await t('closure-to').fill('2030-12-20');
    await t('closure-submit').click();
    await t('closure-error').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await t('closure-error').innerText(), /ends before it starts/);

    await page.locator('[data-testid="closure-row"] [data-testid="closure-delete"]').click();
    await t('closures-empty').waitFor({ state: 'visible', timeout: 10000 });
    assert.equal((await cli('closure', 'list', SITE)).stdout.trim(), 'FROM\tTO\tREASON');
  });

  step('creates an adviser with languages and topics (one-time password), and a staff member of the site', async () => {
    await t('account-login').fill(NEW_ADVISER.login);
    await t('account-name').fill(NEW_ADVISER.name);
    await t('account-role').selectOption('adviser');
    await t('account-languages').fill(NEW_ADVISER.languages);
    await t('account-topics').fill(NEW_ADVISER.topics);
    await t('account-submit').click();
    await accountRow(NEW_ADVISER.login).waitFor({ timeout: 10000 });
    NEW_ADVISER.password = await t('account-password-value').innerText();
    assert.match(NEW_ADVISER.password, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    assert.equal(await accountRow(NEW_ADVISER.login).locator('[data-testid="account-languages-cell"]').innerText(), 'fr, ar');
    assert.equal(await accountRow(NEW_ADVISER.login).locator('[data-testid="account-topics-cell"]').innerText(), 'job-search');
    const u = (await api('GET', `users/${NEW_ADVISER.login}`)).json.user;
    assert.deepEqual([u.role, u.name, u.languages, u.topics], ['adviser', NEW_ADVISER.name, ['fr', 'ar'], ['job-search']]);
    // her skills changed through the same form
    await accountRow(NEW_ADVISER.login).locator('[data-testid="account-edit"]').click();
    assert.equal(await t('account-login').inputValue(), NEW_ADVISER.login);
    assert.equal(await t('account-password-set').isVisible(), false);
    await t('account-topics').fill('job-search, training');
    await t('account-submit').click();
    await until(
      async () => (await accountRow(NEW_ADVISER.login).locator('[data-testid="account-topics-cell"]').innerText()) === 'job-search, training',
      { what: 'topics saved' },
    );
    assert.deepEqual((await api('GET', `users/${NEW_ADVISER.login}`)).json.user.topics, ['job-search', 'training']);

    // staff: a typed password, too short first
    await t('account-login').fill(STAFF.login);
    await t('account-name').fill('');
    await t('account-languages').fill('');
    await t('account-topics').fill('');
    await t('account-role').selectOption('staff');
    await t('account-site').selectOption(String(state.site.id));
    await t('account-pw-type').check();
    await t('account-password-input').fill('short');
    await t('account-submit').click();
    await t('account-form-error').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await t('account-form-error').innerText(), /at least 10/);
    await t('account-password-input').fill(STAFF.password);
    await t('account-submit').click();
    await accountRow(STAFF.login).waitFor({ timeout: 10000 });
    assert.equal((await api('GET', `users/${STAFF.login}`)).json.user.site, SITE);
    cookies[STAFF.login] = await signIn(STAFF.login, STAFF.password);
    assert.deepEqual(browser.pageErrors(), []);
  });

  step("assigns a connected booth to the site; that site's staff page shows it", async () => {
    await scriptedBooth(sb, 'kiosk-7', 'A site this store does not know', sockets);
    await t('booths-refresh').click();
    const booth = page.locator('[data-testid="booth-row"][data-key="kiosk-7"]');
    await booth.waitFor({ timeout: 10000 });
    assert.equal(await booth.getAttribute('data-status'), 'online');
    await booth.locator('[data-testid="booth-row-name"]').fill('Entrée');
    await booth.locator('[data-testid="booth-row-site"]').selectOption(String(state.site.id));
    await booth.locator('[data-testid="booth-save"]').click();
    await until(async () => (await api('GET', 'booths')).json.booths.find((b) => b.id === 'kiosk-7')?.site === SITE, { what: 'booth assigned' });
    // survives the periodic sync (the booth still names an unknown site)
    await new Promise((r) => setTimeout(r, 6000));
    const listed = (await api('GET', 'booths')).json.booths.find((b) => b.id === 'kiosk-7');
    assert.equal(listed.site, SITE);
    assert.equal(listed.name, 'Entrée');
    assert.equal(listed.reported_site, 'A site this store does not know');

    // a connected booth cannot be deleted (it would come back); a spare one added beforehand can
    await booth.locator('[data-testid="booth-delete"]').click();
    await booth.locator('[data-testid="booth-row-error"]').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await booth.locator('[data-testid="booth-row-error"]').innerText(), /connected/);
    await t('booth-id').fill('spare-2');
    await t('booth-name').fill('Réserve');
    await t('booth-site').selectOption(String(state.site.id));
    await t('booth-submit').click();
    const spare = page.locator('[data-testid="booth-row"][data-key="spare-2"]');
    await spare.waitFor({ timeout: 10000 });
    assert.equal(await spare.getAttribute('data-status'), 'offline');
    assert.equal(await spare.locator('[data-testid="booth-row-name"]').inputValue(), 'Réserve');
    await t('booth-id').fill('spare-2');
    await t('booth-submit').click();
    await t('booth-form-error').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await t('booth-form-error').innerText(), /exists already/);
    await spare.locator('[data-testid="booth-delete"]').click();
    await until(async () => (await spare.count()) === 0, { what: 'spare booth deleted' });

    await useCookie(cookies[STAFF.login]);
    await page.goto(`${sb.base}/staff.html`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 10000 });
    const row = page.locator('[data-testid="staff-row"][data-booth-id="kiosk-7"]');
    await row.waitFor({ timeout: 10000 });
    assert.match(await row.innerText(), /Entrée/);
    assert.equal(await row.getAttribute('data-status'), 'online');
    assert.equal(await t('admin-link').isVisible(), false);
    // the staff of another site does not see it
    const other = await httpRequest(`${sb.base}/api/site/booths`, { headers: { Cookie: cookies[OTHER_STAFF.login] } });
    assert.ok(!other.json.booths.some((b) => b.id === 'kiosk-7'), other.body);
  });

  step('a site in use cannot be deleted (the page says why); an admin cannot delete themselves', async () => {
    await openAdmin();
    await siteRow(SITE).locator('[data-testid="site-delete"]').click();
    await t('sites-error').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await t('sites-error').innerText(), /in use: 1 booth, 1 staff account/);
    assert.equal(await siteRow(SITE).count(), 1);
    // an unused site goes
    await siteRow('Annexe Est').locator('[data-testid="site-delete"]').click();
    await until(async () => (await siteRow('Annexe Est').count()) === 0, { what: 'Annexe Est deleted' });

    await accountRow(ADMIN.login).locator('[data-testid="account-delete"]').click();
    await t('accounts-error').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await t('accounts-error').innerText(), /cannot delete your own account/);
    assert.equal(await accountRow(ADMIN.login).count(), 1);
    await signIn(ADMIN.login, ADMIN.password); // still there
    assert.deepEqual(browser.pageErrors(), []);
  });

  step('a booking taken by phone: in the adviser console without its code, not for the staff of another site', async () => {
    const { zone, date, hour } = morningZone();
    const made = await api('POST', 'sites', { body: { name: BOOKING_SITE, timezone: zone } });
    assert.equal(made.status, 201, made.body);
    state.bookingSite = made.json.id;
    const slots = [];
    for (const day of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) {
      slots.push({ day, half: 'am', start: '00:00', end: '12:00', capacity: 3 }, { day, half: 'pm', start: '12:00', end: '24:00', capacity: 3 });
    }
    assert.equal((await api('PUT', `sites/${state.bookingSite}/hours`, { body: { slots } })).status, 200);
    const time = `${String(hour + 2).padStart(2, '0')}:00`;
    const add = await cli('booking', 'add', BOOKING_SITE, `${date}T${time}`, '30', '--language', 'fr', '--topic', 'job-search');
    assert.equal(add.code, 0, add.stderr);
    const code = add.stdout.trim();
    assert.match(code, /^[2-9A-HJ-NP-Z]{6}$/);
    state.code = code;
    const listed = await cli('booking', 'list', BOOKING_SITE);
    assert.match(listed.stdout, new RegExp(`${code}\\t${BOOKING_SITE}\\t${date}\\t${time}\\t\\d\\d:30\\tfr\\tjob-search\\tbooked`));
    // a bad time is a clear error
    const bad = await cli('booking', 'add', BOOKING_SITE, 'tomorrow', '30');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /YYYY-MM-DDTHH:MM/);

    // the API: advisers without codes, admins with, staff of another site nothing
    const asAdviser = await bookingsApi(cookies[ADVISER.login]);
    const mine = asAdviser.json.bookings.find((b) => b.site === BOOKING_SITE);
    assert.deepEqual([mine.time, mine.language, mine.topic, mine.state, mine.date], [time, 'fr', 'job-search', 'booked', date]);
    assert.equal('code' in mine, false);
    assert.ok(!asAdviser.body.includes(code));
    const asAdmin = await bookingsApi(cookies[ADMIN.login]);
    assert.equal(asAdmin.json.bookings.find((b) => b.site === BOOKING_SITE).code, code);
    const asOther = await bookingsApi(cookies[OTHER_STAFF.login]);
    assert.equal(asOther.status, 200);
    assert.equal(asOther.json.bookings.length, 0, asOther.body);
    assert.equal((await bookingsApi(cookies[ADVISER.login], '?day=2030-02-30')).status, 400);
    const dayQuery = await bookingsApi(cookies[ADMIN.login], `?day=${date}`);
    assert.ok(dayQuery.json.bookings.some((b) => b.code === code));

    // the console: the new adviser signs in with the one-time password
    await useCookie(null);
    await page.goto(sb.pageUrl());
    await signInPage(page, { login: NEW_ADVISER.login, password: NEW_ADVISER.password });
    await page.waitForSelector('body[data-link="online"]', { timeout: 15000 });
    assert.equal(await t('adviser-name').innerText(), NEW_ADVISER.name);
    assert.equal(await t('admin-link').isVisible(), false);
    const row = page.locator(`[data-testid="booking-row"][data-site="${BOOKING_SITE}"]`);
    await row.waitFor({ timeout: 10000 });
    assert.equal(await row.getAttribute('data-state'), 'booked');
    assert.match(await row.locator('[data-testid="booking-time"]').innerText(), new RegExp(`^${time}`));
    assert.equal(await row.locator('[data-testid="booking-code"]').count(), 0);
    assert.ok(!(await page.locator('body').innerText()).includes(code));
    assert.equal(await t('bookings-count').innerText(), '1');
  });

  step('`booking cancel` shows it cancelled in the console', async () => {
    const r = await cli('booking', 'cancel', state.code);
    assert.equal(r.code, 0, r.stderr);
    await t('bookings-refresh').click();
    await page.locator(`[data-testid="booking-row"][data-site="${BOOKING_SITE}"][data-state="cancelled"]`).waitFor({ timeout: 10000 });
    assert.match(await page.locator('[data-testid="booking-row"] [data-testid="booking-state"]').innerText(), /Cancelled/);
    assert.equal((await cli('booking', 'cancel', state.code)).code, 1);

    // the admin's view (by the API: the adviser's console stays signed in for the next step)
    const list = await bookingsApi(cookies[ADMIN.login]);
    assert.equal(list.json.bookings.find((x) => x.code === state.code).state, 'cancelled');
  });

  step("resetting a password ends the account's sessions and closes its console; deleting an account too", async () => {
    const nadia = await signIn(NEW_ADVISER.login, NEW_ADVISER.password);
    const reset = await api('POST', `users/${NEW_ADVISER.login}/password`, { body: { generate: true } });
    assert.equal(reset.status, 200, reset.body);
    assert.match(reset.json.password, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    // the console in the browser was closed and goes back to the sign-in form
    await t('signin').waitFor({ state: 'visible', timeout: 15000 });
    assert.match(await t('signin-error').innerText(), /session has ended/);
    const me = await httpRequest(`${sb.base}/api/me`, { headers: { Cookie: nadia } });
    assert.equal(me.status, 401);
    assert.equal((await sb.login(NEW_ADVISER.login, NEW_ADVISER.password)).status, 401);
    const again = await signIn(NEW_ADVISER.login, reset.json.password);

    // an adviser made staff stops answering calls at once (the session stays, for the staff page)
    const turncoat = { login: 'turncoat', password: 'turncoat-pw-1', role: 'adviser' };
    await sb.addUser(turncoat);
    const { ws } = await scriptedAdviser(sb, { login: turncoat.login, password: turncoat.password, sockets });
    const made = await api('PUT', `users/${turncoat.login}`, { body: { role: 'staff', site_id: state.site.id } });
    assert.equal(made.status, 200, made.body);
    assert.equal((await ws.waitClosed(10000)).code, 1008);

    // deleting, from the page
    await openAdmin();
    await accountRow(NEW_ADVISER.login).locator('[data-testid="account-delete"]').click();
    await until(async () => (await accountRow(NEW_ADVISER.login).count()) === 0, { what: 'account deleted' });
    assert.equal((await httpRequest(`${sb.base}/api/me`, { headers: { Cookie: again } })).status, 401);
    assert.equal((await api('GET', `users/${NEW_ADVISER.login}`)).status, 404);
    // the admin page's bookings: the cancelled one, with its code
    const booked = page.locator(`#bookings [data-testid="booking-row"][data-code="${state.code}"]`);
    await booked.waitFor({ timeout: 10000 });
    assert.equal(await booked.getAttribute('data-state'), 'cancelled');
    assert.equal(await booked.locator('[data-testid="booking-code"]').innerText(), state.code);
    assert.deepEqual(browser.pageErrors(), []);
  });
});
