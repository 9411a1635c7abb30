// SPDX-License-Identifier: GPL-2.0-or-later
// Call records, outcome notes and statistics: a real call between the
// simulated booth and Chromium, the adviser's outcome form, a visitor's
// rating (a scripted booth), then as admin the statistics page and its CSV;
// the API's roles and limits; and no chat text in the database file.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { missingBinaries } from './lib/env.mjs';
import { Stack, SITE, requestAndAccept, waitMedia, endFromPage } from './lib/scenario.mjs';
import { httpRequest, signInPage } from './lib/relais.mjs';
import { until } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const ADMIN = { login: 'e2e-admin', password: 'e2e-admin-password', role: 'admin', name: 'E2E Admin' };
const OTHER = { login: 'e2e-other', password: 'e2e-other-password', role: 'adviser', name: 'Other Adviser' };
// staff of the booth's site: also makes the site known to the store
const STAFF = { login: 'e2e-staff', password: 'e2e-staff-password', role: 'staff', name: 'Site Staff', site: SITE };
const TOPIC = 'job-search';
const CANARY_VISITOR = 'canary-visitor-7f3q';
const CANARY_ADVISER = 'canary-adviser-k2x9';
const NOTE = 'referred to the CV workshop';

const isoDay = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const today = isoDay(new Date());

describe('call records, outcome notes and statistics', { skip, timeout: 240000 }, () => {
  const stack = new Stack('stats');
  let sb;
  let callId;
  let ratedCall;
  const cookies = {};

  const step = (name, fn) => it(name, () => stack.run(fn));
  const get = (p, cookie) => httpRequest(`${sb.base}${p}`, { headers: cookie ? { Cookie: cookie } : {} });
  const postOutcome = (cookie, body, headers = {}) =>
    httpRequest(`${sb.base}/api/outcome`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: sb.base, ...(cookie ? { Cookie: cookie } : {}), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const signIn = async (u) => {
    const r = await sb.login(u.login, u.password);
    assert.equal(r.status, 200, `sign-in of ${u.login}: ${r.body}`);
    return r.cookie;
  };

  before(async () => {
    await stack.start();
    sb = stack.sb;
    for (const u of [ADMIN, OTHER, STAFF]) await sb.addUser(u);
    cookies.admin = await signIn(ADMIN);
    cookies.other = await signIn(OTHER);
    cookies.staff = await signIn(STAFF);
  });

  after(() => stack.stop());

  step('a call with chat both ways, ended from the console, shows the outcome form', async () => {
    const { page } = stack;
    ({ callId } = await requestAndAccept(stack, { topic: TOPIC }));
    await waitMedia(stack, { minFrames: 30 });
    await page.locator('[data-testid="chat-input"]').fill(CANARY_ADVISER);
    await page.locator('[data-testid="chat-input"]').press('Enter');
    await stack.booth.ctl.run('chat', CANARY_VISITOR);
    await page.locator('[data-testid="chat-message"][data-from="visitor"]', { hasText: CANARY_VISITOR }).waitFor({ timeout: 5000 });
    await endFromPage(stack);

    const form = page.locator('[data-testid="outcome-form"]');
    await form.waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await form.getAttribute('data-call'), callId);
    assert.match(await page.locator('[data-testid="outcome-topic"]').inputValue(), /job search/i);
    assert.match(await page.locator('[data-testid="outcome-warning"]').innerText(), /no names, no personal data/i);
    assert.equal(await page.locator('[data-testid="outcome-note"]').getAttribute('maxlength'), '140');
  });

  step('outcome: refused for a note too long, saved from the form', async () => {
    const { page } = stack;
    // the console's own session, bypassing the field's maxlength
    const tooLong = await page.evaluate(
      async ([call]) => {
        const r = await fetch('/api/outcome', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ call, outcome: 'informed', follow_up: false, note: 'x'.repeat(141) }),
        });
        return r.status;
      },
      [callId],
    );
    assert.equal(tooLong, 400);
    const unknownCode = await page.evaluate(
      async ([call]) =>
        (await fetch('/api/outcome', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ call, outcome: 'nonsense' }) })).status,
      [callId],
    );
    assert.equal(unknownCode, 400);

    await page.locator('[data-testid="outcome-code"]').selectOption('referred');
    await page.locator('[data-testid="outcome-followup"]').check();
    await page.locator('[data-testid="outcome-note"]').fill(NOTE);
    await page.locator('[data-testid="outcome-submit"]').click();
    await page.locator('[data-testid="outcome-done"]').waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await page.locator('[data-testid="outcome-form"]').isHidden(), true);
    assert.equal(await page.locator('[data-testid="outcome-error"]').isHidden(), true);
  });

  step("outcome API: no session 401, someone else's call 404, cross-origin 403, GET 405", async () => {
    const body = { call: callId, outcome: 'informed', follow_up: false, note: '' };
    assert.equal((await postOutcome(null, body)).status, 401);
    assert.equal((await postOutcome(cookies.staff, body)).status, 403, 'staff do not answer calls');
    const other = await postOutcome(cookies.other, body);
    assert.equal(other.status, 404, `another adviser: ${other.body}`);
    // an admin did not have this call either
    assert.equal((await postOutcome(cookies.admin, body)).status, 404);
    assert.equal((await postOutcome(cookies.other, body, { Origin: 'http://evil.example' })).status, 403);
    assert.equal((await postOutcome(cookies.other, 'not json')).status, 400);
    assert.equal((await postOutcome(cookies.other, { call: callId, outcome: 'informed', note: 'y'.repeat(5000) })).status, 413);
    assert.equal((await get('/api/outcome', cookies.other)).status, 405);
  });

  step('a scripted booth rates its call', async () => {
    const booth = await sb.boothWs('e2e-script', { site: SITE });
    const adviser = await sb.adviserWs(OTHER.login, OTHER.password);
    try {
      await booth.request({ type: 'hello', version: 1, role: 'booth', booth_id: 'e2e-script', site: SITE }, 'welcome');
      await adviser.request({ type: 'hello', version: 1, role: 'adviser', name: 'x' }, 'welcome');
      const queued = await booth.request({ type: 'request', language: 'en', topic: TOPIC }, 'queued');
      const before = booth.messages.length;
      adviser.send({ type: 'accept', ticket: queued.ticket });
      const call = await booth.next((m) => m.type === 'call', { from: before, what: 'call at the scripted booth' });
      ratedCall = call.call;
      const from = adviser.messages.length;
      booth.send({ type: 'end', call: ratedCall });
      await adviser.next((m) => m.type === 'end' && m.call === ratedCall, { from });
      const fb = adviser.messages.length;
      booth.send({ type: 'feedback', call: ratedCall, score: 4 });
      const got = await adviser.next((m) => m.type === 'feedback', { from: fb });
      assert.equal(got.score, 4);
    } finally {
      booth.close();
      adviser.close();
    }
  });

  step('statistics API: 401 without a session, 403 for advisers and staff, JSON and CSV for admins', async () => {
    const q = `?from=${today}&to=${today}`;
    assert.equal((await get(`/api/stats${q}`)).status, 401);
    assert.equal((await get(`/api/stats.csv${q}`)).status, 401);
    assert.equal((await get(`/api/stats${q}`, cookies.other)).status, 403);
    assert.equal((await get(`/api/stats${q}`, cookies.staff)).status, 403);
    assert.equal((await get(`/api/stats.csv${q}`, cookies.other)).status, 403);
    assert.equal((await get('/api/stats?from=2024-13-01&to=2024-01-01', cookies.admin)).status, 400);
    assert.equal((await get('/api/stats?from=2024-02-01&to=2024-01-01', cookies.admin)).status, 400);

    // the records are written when the calls end: poll briefly
    let row;
    await until(
      async () => {
        const r = await get(`/api/stats${q}`, cookies.admin);
        assert.equal(r.status, 200, r.body);
        row = r.json.rows.find((x) => x.day === today && x.site === SITE && x.topic === TOPIC);
        return row && row.sessions >= 2 && row.satisfaction[3] >= 1;
      },
      { timeout: 5000, what: 'both calls in the statistics' },
    );
    assert.ok(row.requests >= 2);
    assert.ok(row.follow_ups >= 1, 'the follow-up of the outcome form counts');
    assert.ok(row.duration_mean_s > 0);
    assert.ok(row.wait_mean_s >= 0);

    const csv = await get(`/api/stats.csv${q}`, cookies.admin);
    assert.equal(csv.status, 200);
    assert.match(csv.headers['content-type'], /^text\/csv/);
    assert.match(csv.headers['content-disposition'], /^attachment; filename="relais-stats-.*\.csv"$/);
    const lines = csv.body.split('\r\n');
    assert.match(lines[0], /^day,site,topic,requests,sessions,wait_mean_s,/);
    const data = lines.find((l) => l.startsWith(`${today},${SITE},${TOPIC},`));
    assert.ok(data, `a row for today in:\n${csv.body}`);
    const cells = data.split(',');
    assert.equal(Number(cells[3]), row.requests);
    assert.equal(Number(cells[4]), row.sessions);
    assert.equal(Number(cells[12]), row.satisfaction[3]);
  });

  step('the statistics page: a hint for advisers, the table and the CSV for admins', async () => {
    const { page } = stack;
    await page.goto(`${sb.base}/stats.html`);
    await page.locator('[data-testid="stats-signin"]').waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await page.locator('[data-testid="stats-table"]').isVisible(), false);

    await page.goto(sb.pageUrl());
    await page.waitForSelector('body[data-link="online"]', { timeout: 10000 });
    await page.locator('[data-testid="signout"]').click();
    await page.waitForSelector('body[data-state="signed-out"]', { timeout: 5000 });
    await signInPage(page, ADMIN);
    await page.locator('[data-testid="stats-link"]').waitFor({ state: 'visible', timeout: 10000 });
    await page.locator('[data-testid="stats-link"]').click();
    await page.waitForSelector('body[data-state="ready"]', { timeout: 10000 });

    await page.locator('[data-testid="stats-from"]').fill(today);
    await page.locator('[data-testid="stats-to"]').fill(today);
    await page.locator('[data-testid="stats-refresh"]').click();
    await page.waitForSelector('body[data-state="ready"]', { timeout: 10000 });
    const row = page.locator(`[data-testid="stats-row"][data-day="${today}"][data-topic="${TOPIC}"]`).filter({ hasText: SITE });
    await row.waitFor({ timeout: 5000 });
    const sessions = Number(await row.getAttribute('data-sessions'));
    assert.ok(sessions >= 2, `sessions ${sessions}`);
    assert.match(await row.locator('[data-col="satisfaction"]').innerText(), /0 · 0 · 0 · [1-9]/);

    const href = await page.locator('[data-testid="stats-csv"]').getAttribute('href');
    assert.equal(href, `/api/stats.csv?from=${today}&to=${today}`);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), page.locator('[data-testid="stats-csv"]').click()]);
    const file = path.join(stack.dir, 'stats.csv');
    await download.saveAs(file);
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /^day,site,topic,requests,sessions,/);
    const data = text.split('\r\n').find((l) => l.startsWith(`${today},${SITE},${TOPIC},`));
    assert.ok(data, text);
    assert.equal(Number(data.split(',')[4]), sessions);
  });

  step('the database keeps the outcome note but no chat text', async () => {
    const files = fs.readdirSync(sb.dataDir).filter((f) => f.startsWith('relais.db'));
    const all = Buffer.concat(files.map((f) => fs.readFileSync(path.join(sb.dataDir, f))));
    for (const canary of [CANARY_VISITOR, CANARY_ADVISER]) assert.equal(all.includes(canary), false, `${canary} found in the store`);
    assert.equal(all.includes(NOTE), true, 'the outcome note is stored');
    assert.equal(all.includes(callId), true, 'the call record is stored');
  });
});
