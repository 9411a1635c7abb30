// SPDX-License-Identifier: GPL-2.0-or-later
// The host-site staff page: scripted booths at two sites (idle, queued, out
// of order, gone), a staff account per site, an admin and an adviser. Each
// staff member sees only their site's booths with the right status, the
// admin sees every booth, the adviser gets 403, and the API says nothing
// about visitors. "Last seen" survives a switchboard restart.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries, tmpDir } from './lib/env.mjs';
import { startSwitchboard, httpRequest } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { scriptedBooth, suiteSteps } from './lib/scripted.mjs';
import { until } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const SITE_A = 'Médiathèque A';
const SITE_B = 'Mairie B';
const STAFF_A = { login: 'staff-a', password: 'staff-a-password', role: 'staff', name: 'Staff A', site: SITE_A };
const STAFF_B = { login: 'staff-b', password: 'staff-b-password', role: 'staff', name: 'Staff B', site: SITE_B };
const ADMIN = { login: 'site-admin', password: 'site-admin-password', role: 'admin', name: 'Admin' };
const ADVISER = { login: 'site-adviser', password: 'site-adviser-password', role: 'adviser', name: 'Adviser' };
const REASON = 'écran débranché (screen unplugged)';
// what a visitor leaves at a booth: none of it may reach the staff page
const VISITOR_WORDS = ['ticket', 'topic', 'language', 'answers', 'call'];

describe('host-site staff page', { skip, timeout: 120000 }, () => {
  const dir = tmpDir('staff');
  let sb;
  let browser;
  let page;
  const cookies = {};
  const sockets = [];

  const suite = suiteSteps(dir, () => ({ sb, browser: browser }));
  const step = suite.step;

  const api = (cookie, query = '') => httpRequest(`${sb.base}/api/site/booths${query}`, { headers: cookie ? { Cookie: cookie } : {} });

  const rawBooth = (id, site) => scriptedBooth(sb, id, site, sockets);

  async function signIn(u) {
    const r = await sb.login(u.login, u.password);
    assert.equal(r.status, 200, `sign-in of ${u.login}: ${r.body}`);
    return r.cookie;
  }

  // The page in Chromium with `cookie` as its session (null: signed out).
  async function openAs(cookie) {
    await browser.context.clearCookies();
    if (cookie) {
      const [name, value] = cookie.split('=');
      await browser.context.addCookies([{ name, value, url: sb.base }]);
    }
    await page.goto(`${sb.base}/staff.html`);
  }

  const row = (id) => page.locator(`[data-testid="staff-row"][data-booth-id="${id}"]`);
  const rowIds = async () => page.locator('[data-testid="staff-row"]').evaluateAll((rows) => rows.map((r) => r.dataset.boothId));

  before(async () => {
    sb = await startSwitchboard({ dir });
    for (const u of [STAFF_A, STAFF_B, ADMIN, ADVISER]) await sb.addUser(u);
    for (const u of [STAFF_A, STAFF_B, ADMIN, ADVISER]) cookies[u.login] = await signIn(u);
    browser = await launchAdviser({ dir, media: 'denied', name: 'staff' });
    page = browser.page;
  });

  after(async () => {
    await suite.end(sockets);
  });

  step('booths at both sites: idle, queued, out of order, gone, and one of an unknown site', async () => {
    await rawBooth('a-idle', SITE_A);
    const queued = await rawBooth('a-queued', SITE_A);
    await queued.request({ type: 'request', language: 'fr', topic: 'job-search', answers: { situation: 'job-seeker' } }, 'queued');
    const broken = await rawBooth('a-broken', SITE_A);
    broken.send({ type: 'status', state: 'out_of_order', reason: REASON });
    const gone = await rawBooth('a-gone', SITE_A);
    await rawBooth('b-idle', SITE_B);
    // registered on the administration page without a site (booth add
    // needs one), then enrolled with the page's token; its hello names a
    // site the store does not know
    const added = await httpRequest(`${sb.base}/api/admin/booths`, {
      method: 'POST',
      headers: { Cookie: cookies[ADMIN.login], 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 'x-nowhere' }),
    });
    assert.equal(added.status, 201, added.body);
    await scriptedBooth(sb, 'x-nowhere', 'Not a site of this store', sockets, { token: added.json.token });
    // written to the store while connected, then gone
    await until(async () => (await api(cookies[STAFF_A.login])).json?.booths?.some((b) => b.id === 'a-gone'), { what: 'a-gone listed' });
    gone.close();
    await gone.closed;
  });

  step('API: 401 without a session, 403 for an adviser and for staff asking for another site', async () => {
    assert.equal((await api(null)).status, 401);
    assert.equal((await api(cookies[ADVISER.login])).status, 403);
    const b = await api(cookies[STAFF_B.login]);
    const siteA = (await api(cookies[STAFF_A.login])).json.site.id;
    assert.equal((await api(cookies[STAFF_B.login], `?site=${siteA}`)).status, 403);
    assert.equal((await api(cookies[STAFF_B.login], `?site=${b.json.site.id}`)).status, 200);
    assert.equal((await api(cookies[ADMIN.login], '?site=nonsense')).status, 400);
    assert.equal((await api(cookies[ADMIN.login], '?site=999999')).status, 404);
    const post = await httpRequest(`${sb.base}/api/site/booths`, { method: 'POST', headers: { Cookie: cookies[STAFF_A.login] } });
    assert.equal(post.status, 405);
  });

  step("API: staff A gets site A's booths with their status, and nothing about visitors", async () => {
    const r = await until(
      async () => {
        const x = await api(cookies[STAFF_A.login]);
        return x.json?.booths?.find((b) => b.id === 'a-gone')?.status === 'offline' && x;
      },
      { what: 'a-gone offline' },
    );
    assert.equal(r.status, 200);
    assert.equal(r.json.site.name, SITE_A);
    const byId = Object.fromEntries(r.json.booths.map((b) => [b.id, b]));
    assert.deepEqual(Object.keys(byId).sort(), ['a-broken', 'a-gone', 'a-idle', 'a-queued']);
    assert.equal(byId['a-idle'].status, 'online');
    assert.equal(byId['a-queued'].status, 'in_use');
    assert.equal(byId['a-broken'].status, 'out_of_order');
    assert.equal(byId['a-broken'].reason, REASON);
    assert.equal(byId['a-gone'].status, 'offline');
    assert.match(byId['a-gone'].last_seen, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Math.abs(Date.parse(byId['a-gone'].last_seen) - Date.now()) < 60000);
    assert.equal('reason' in byId['a-idle'], false);
    for (const word of VISITOR_WORDS) assert.equal(r.body.toLowerCase().includes(word), false, `"${word}" in ${r.body}`);

    const admin = await api(cookies[ADMIN.login]);
    assert.equal(admin.json.site, null);
    const ids = admin.json.booths.map((b) => b.id);
    for (const id of ['a-idle', 'a-queued', 'a-broken', 'a-gone', 'b-idle', 'x-nowhere']) assert.ok(ids.includes(id), `${id} in ${ids}`);
    assert.equal(admin.json.booths.find((b) => b.id === 'x-nowhere').site, '');
    for (const word of VISITOR_WORDS) assert.equal(admin.body.toLowerCase().includes(word), false, `"${word}" in ${admin.body}`);
  });

  step('the page: a hint when signed out or signed in as an adviser', async () => {
    await openAs(null);
    await page.locator('[data-testid="staff-signin"]').waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await page.locator('[data-testid="staff-table"]').isVisible(), false);
    await openAs(cookies[ADVISER.login]);
    await page.waitForSelector('body[data-state="signed-out"]', { timeout: 5000 });
    assert.match(await page.locator('[data-testid="staff-signin"]').innerText(), /cannot see it/);
  });

  step("the page: staff A sees site A's booths in words, with the reason and last seen", async () => {
    await openAs(cookies[STAFF_A.login]);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 10000 });
    assert.deepEqual((await rowIds()).sort(), ['a-broken', 'a-gone', 'a-idle', 'a-queued']);
    assert.equal(await row('a-idle').getAttribute('data-status'), 'online');
    assert.match(await row('a-idle').innerText(), /Online/);
    assert.equal(await row('a-queued').getAttribute('data-status'), 'in_use');
    assert.match(await row('a-queued').innerText(), /In use/);
    assert.equal(await row('a-broken').getAttribute('data-status'), 'out_of_order');
    assert.match(await row('a-broken').innerText(), /Out of order/);
    assert.equal(await row('a-broken').locator('[data-testid="staff-reason"]').innerText(), REASON);
    assert.equal(await row('a-idle').locator('[data-testid="staff-reason"]').innerText(), '');
    assert.equal(await row('a-gone').getAttribute('data-status'), 'offline');
    const seen = row('a-gone').locator('[data-testid="staff-last-seen"] time');
    assert.match(await seen.getAttribute('datetime'), /Z$/);
    assert.notEqual(await seen.innerText(), 'now');
    assert.equal(await row('a-idle').locator('[data-testid="staff-site"]').innerText(), SITE_A);
    assert.equal(await page.locator('[data-testid="staff-site-name"]').innerText(), SITE_A);
    assert.notEqual(await page.locator('[data-testid="staff-updated"]').innerText(), '—');
    // colours come from the stylesheet (no inline styles under the CSP)
    const colours = await page.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll('[data-testid="staff-status"]')].map((s) => [s.dataset.status, getComputedStyle(s).color]),
      ),
    );
    assert.equal(new Set(Object.values(colours)).size, 4, JSON.stringify(colours));
    assert.deepEqual(browser.pageErrors(), []);
  });

  step('the page refreshes by itself: a booth back in order, then one going away', async () => {
    const broken = sockets[2];
    broken.send({ type: 'status', state: 'idle' });
    await page.locator('[data-testid="staff-row"][data-booth-id="a-broken"][data-status="online"]').waitFor({ timeout: 12000 });
    const idle = sockets[0];
    idle.close();
    await page.locator('[data-testid="staff-row"][data-booth-id="a-idle"][data-status="offline"]').waitFor({ timeout: 12000 });
  });

  step("staff B sees only site B's booths; the admin sees every site", async () => {
    await openAs(cookies[STAFF_B.login]);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 10000 });
    assert.deepEqual(await rowIds(), ['b-idle']);
    assert.equal(await row('b-idle').getAttribute('data-status'), 'online');
    assert.equal(await page.locator('[data-testid="staff-site-name"]').innerText(), SITE_B);

    await openAs(cookies[ADMIN.login]);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 10000 });
    const ids = await rowIds();
    for (const id of ['a-idle', 'a-queued', 'a-broken', 'a-gone', 'b-idle', 'x-nowhere']) assert.ok(ids.includes(id), `${id} in ${ids}`);
    assert.equal(await row('b-idle').locator('[data-testid="staff-site"]').innerText(), SITE_B);
    assert.deepEqual(browser.pageErrors(), []);
  });

  step('last seen survives a switchboard restart', async () => {
    const before = (await api(cookies[STAFF_A.login])).json.booths.find((b) => b.id === 'a-gone');
    assert.equal(before.status, 'offline');
    await sb.proc.stop();
    for (const s of sockets) s.destroy();
    sb = await startSwitchboard({ dir });
    const r = await api(cookies[STAFF_A.login]);
    assert.equal(r.status, 200, r.body);
    const byId = Object.fromEntries(r.json.booths.map((b) => [b.id, b]));
    assert.deepEqual(Object.keys(byId).sort(), ['a-broken', 'a-gone', 'a-idle', 'a-queued']);
    for (const b of r.json.booths) {
      assert.equal(b.status, 'offline', `${b.id} after the restart`);
      assert.ok(b.last_seen, `${b.id} has a last_seen`);
    }
    assert.equal(byId['a-gone'].last_seen, before.last_seen);
  });
});
