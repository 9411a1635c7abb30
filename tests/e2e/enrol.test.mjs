// SPDX-License-Identifier: GPL-2.0-or-later
// Booth registration and revocation from the administration page (issue 10,
// firmware/switchboard/ENROL.md, admin.h): adding a booth on the page shows
// its one-time enrolment token once, with a copy button and the `relaisctl
// provision` line; the list never shows it again and the store holds only
// its SHA-256; a new token replaces the pending one; the list says per booth
// none / pending / enrolled / revoked; revoking from the page closes the
// booth's open WebSocket at once (4003 "revoked": a scripted socket reads the
// code, a real relais-booth logs it) and deletes its token.
// Advisers and staff get 403, a cross-origin POST 403, unknown ids 404.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { missingBinaries, outFile, tmpDir } from './lib/env.mjs';
import { startSwitchboard, startBooth, httpRequest, ADVISER } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { run } from './lib/procs.mjs';
import { scriptedBooth, suiteSteps } from './lib/scripted.mjs';
import { until } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const ADMIN = { login: 'enrol-boss', password: 'enrol-boss-pw-1', role: 'admin', name: 'Boss' };
const STAFF = { login: 'enrol-desk', password: 'enrol-desk-pw-1', role: 'staff', name: 'Desk', site: 'Annexe' };
const SITE = 'Médiathèque Est';
const NEW = ['token', 'revoke'];

describe('booth enrolment on the administration page', { skip, timeout: 180000 }, () => {
  const dir = tmpDir('enrol');
  let sb;
  let browser;
  let page;
  const cookies = {};
  const sockets = [];
  const state = {};

  const suite = suiteSteps(dir, () => ({ sb, browser }));
  const step = suite.step;

  const api = (method, p, { cookie = cookies[ADMIN.login], body, headers = {} } = {}) =>
    httpRequest(`${sb.base}/api/admin/${p}`, {
      method,
      headers: {
        ...(cookie ? { Cookie: cookie } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const sql = async (query) => {
    const r = await run('sqlite3', ['-cmd', '.timeout 5000', path.join(sb.dataDir, 'relais.db'), query]);
    assert.equal(r.code, 0, `sqlite3: ${r.stderr}`);
    return r.stdout;
  };
  const listed = async (id) => (await api('GET', 'booths')).json.booths.find((b) => b.id === id);
  const t = (id) => page.locator(`[data-testid="${id}"]`);
  const boothRow = (id) => page.locator(`[data-testid="booth-row"][data-key="${id}"]`);

  before(async () => {
    sb = await startSwitchboard({ dir });
    for (const u of [ADMIN, STAFF]) await sb.addUser(u);
    for (const u of [ADMIN, ADVISER, STAFF]) {
      const r = await sb.login(u.login, u.password);
      assert.equal(r.status, 200, `sign-in of ${u.login}: ${r.body}`);
      cookies[u.login] = r.cookie;
    }
    const site = await api('POST', 'sites', { body: { name: SITE, timezone: 'Europe/Paris' } });
    assert.equal(site.status, 201, site.body);
    state.siteId = site.json.id ?? site.json.site?.id;
    browser = await launchAdviser({ dir, media: 'denied', name: 'enrol' });
    page = browser.page;
    page.on('dialog', (d) => d.accept());
    const [name, value] = cookies[ADMIN.login].split('=');
    await browser.context.addCookies([{ name, value, url: sb.base }]);
    await page.goto(`${sb.base}/admin.html`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 15000 });
  });

  after(async () => {
    await suite.end(sockets);
  });

  step('adding a booth on the page shows its token once, with the provision line', async () => {
    await t('booth-id').fill('hall-1');
    await t('booth-name').fill('Hall');
    await until(async () => (await t('booth-site').locator('option').count()) > 1, { what: 'site options' });
    await t('booth-site').selectOption({ label: SITE });
    await t('booth-submit').click();
    await t('booth-token').waitFor({ state: 'visible', timeout: 10000 });
    const token = (await t('booth-token-value').textContent()).trim();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/, 'a 256-bit base64url token');
    assert.equal(await t('booth-token-booth').textContent(), 'hall-1');
    assert.match(await t('booth-token').textContent(), /shown only now/);
    const command = await t('booth-token-command').textContent();
    assert.match(command, /^relaisctl provision --switchboard 'ws:\/\/127\.0\.0\.1:\d+\/ws\/booth' --ca /);
    assert.ok(command.includes(`--name 'hall-1' --site '${SITE}' --token '${token}'`), command);
    await t('booth-token-copy').click();
    await until(async () => /Token (copied|selected)/.test(await t('booth-token-copied').textContent()), { what: 'copy feedback' });
    await page.locator('#booths').screenshot({ path: outFile('enrol-token-panel.png') });
    state.token = token;

    // the row says pending; the token is nowhere but in that one reply
    const row = boothRow('hall-1');
    await row.waitFor({ timeout: 10000 });
    assert.equal(await row.getAttribute('data-enrol'), 'pending');
    const b = await listed('hall-1');
    assert.equal(b.enrolment.state, 'pending');
    assert.ok(Date.parse(b.enrolment.token_expires) > Date.now() + 23 * 3600 * 1000, b.enrolment.token_expires);
    assert.equal(b.enrolment.cert_expires, null);
    const list = await api('GET', 'booths');
    assert.ok(!list.body.includes(token), 'the list does not show the token');
    const stored = await sql('SELECT token_hash FROM enrol_tokens; SELECT * FROM booths;');
    assert.ok(!stored.includes(token), 'the store keeps no token text');
    assert.match(stored, /^[0-9a-f]{64}$/m, 'only its hash');
    assert.ok(!sb.proc.tailText(200).includes(token), 'the log never says the token');

    // closed: gone from the page too
    await t('booth-token-close').click();
    assert.equal(await t('booth-token').isHidden(), true);
    assert.equal(await t('booth-token-value').textContent(), '');
    await page.reload();
    await page.waitForSelector('body[data-state="ready"]', { timeout: 15000 });
    assert.equal(await t('booth-token').isHidden(), true);
    assert.ok(!(await page.content()).includes(token));
  });

  step('API: adding returns the token once; a new token replaces the pending one', async () => {
    const add = await api('POST', 'booths', { body: { id: 'hall-2', site_id: state.siteId } });
    assert.equal(add.status, 201, add.body);
    assert.match(add.json.token, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(Date.parse(add.json.token_expires) > Date.now());
    // a change is not an addition: no token
    const put = await api('PUT', 'booths/hall-2', { body: { name: 'Two' } });
    assert.equal(put.status, 200, put.body);
    assert.equal(put.json.token, undefined);

    const hashes = async (id) => (await sql(`SELECT token_hash FROM enrol_tokens WHERE booth_id = '${id}' AND used_at IS NULL;`)).trim().split('\n').filter(Boolean);
    const before = await hashes('hall-1');
    assert.equal(before.length, 1);
    await boothRow('hall-1').locator('[data-testid="booth-token-new"]').click();
    await until(async () => (await t('booth-token-value').textContent()).trim() !== '', { what: 'the new token shown' });
    const fresh = (await t('booth-token-value').textContent()).trim();
    assert.notEqual(fresh, state.token);
    const after = await hashes('hall-1');
    assert.equal(after.length, 1, 'one pending token per booth');
    assert.notEqual(after[0], before[0], 'the previous token stopped working');
    assert.ok(!sb.proc.tailText(200).includes(fresh));
    await t('booth-token-close').click();

    const again = await api('POST', 'booths/hall-2/token');
    assert.equal(again.status, 201, again.body);
    assert.notEqual(again.json.token, add.json.token);
  });

  step('the list says none, pending, enrolled, revoked', async () => {
    // a booth the hub listed itself (no token), an enrolled one (through the
    // real path: a token, its own key, the EST endpoint of the booth listener)
    await api('POST', 'booths', { body: { id: 'hall-3' } });
    await sql('DELETE FROM enrol_tokens WHERE booth_id = \'hall-3\';');
    const { cert } = await sb.boothIdentity('hall-2', SITE);
    const notAfter = Date.parse(new crypto.X509Certificate(cert).validTo);
    // a replaced card: a new token pending beside the certificate
    assert.equal((await api('POST', 'booths/hall-2/token')).status, 201);
    assert.equal((await listed('hall-3')).enrolment.state, 'none');
    const enrolled = (await listed('hall-2')).enrolment;
    assert.equal(enrolled.state, 'enrolled');
    assert.equal(Date.parse(enrolled.cert_expires), notAfter);
    assert.ok(notAfter - Date.now() > 29 * 86400 * 1000, 'valid for the Kconfig 30 days');
    assert.ok(enrolled.token_expires, 'a token pending beside (a replaced card)');
    await t('booths-refresh').click();
    await until(async () => (await boothRow('hall-2').getAttribute('data-enrol')) === 'enrolled', { what: 'enrolled row' });
    assert.equal(await boothRow('hall-3').getAttribute('data-enrol'), 'none');
    assert.match(await boothRow('hall-2').locator('[data-testid="booth-row-enrol"]').textContent(), /Enrolled.*certificate valid until/s);
  });

  step('revoking from the page closes the booth\'s open WebSocket at once', async () => {
    const ws = await scriptedBooth(sb, 'hall-2', SITE, sockets);
    await t('booths-refresh').click();
    await until(async () => (await boothRow('hall-2').getAttribute('data-status')) === 'online', { what: 'booth online' });
    const t0 = Date.now();
    await boothRow('hall-2').locator('[data-testid="booth-revoke"]').click();
    await Promise.race([ws.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('not closed within 3 s')), 3000))]);
    assert.equal(ws.closeCode, 4003);
    assert.equal(ws.closeReason, 'revoked');
    assert.ok(Date.now() - t0 < 3000);
    await until(async () => /booth 'hall-2' revoked \(1 certificate\), its connection closed/.test(sb.proc.tailText(50)), { what: 'the revocation logged' });
    await until(async () => (await boothRow('hall-2').getAttribute('data-enrol')) === 'revoked', { what: 'revoked row' });
    const e = (await listed('hall-2')).enrolment;
    assert.equal(e.state, 'revoked');
    assert.ok(e.revoked_at);
    assert.equal(e.token_expires, null, 'its pending token deleted');
    assert.equal((await sql('SELECT count(*) FROM enrol_tokens WHERE booth_id = \'hall-2\' AND used_at IS NULL;')).trim(), '0');
    // not connected: revoking again closes nothing
    const r = await api('POST', 'booths/hall-2/revoke');
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.closed, false);
    assert.equal(r.json.revoked, 0);
    // a new token makes it pending again, the revocation still said
    await api('POST', 'booths/hall-2/token');
    const back = (await listed('hall-2')).enrolment;
    assert.equal(back.state, 'pending');
    assert.ok(back.revoked_at);
    assert.deepEqual(browser.pageErrors(), []);
  });

  step('revoking a real booth from the page takes its link down at once', async () => {
    await api('POST', 'booths', { body: { id: 'hall-4', site_id: state.siteId } });
    const booth = await startBooth({ dir, switchboard: sb, boothId: 'hall-4', site: SITE });
    await until(async () => (await listed('hall-4'))?.status === 'online', { timeout: 15000, what: 'real booth online' });
    await t('booths-refresh').click();
    await until(async () => (await boothRow('hall-4').getAttribute('data-status')) === 'online', { what: 'row online' });
    const t0 = Date.now();
    await boothRow('hall-4').locator('[data-testid="booth-revoke"]').click();
    await until(async () => /switchboard closed the link \(code 4003 revoked\)/.test(booth.proc.tailText(40)), { timeout: 3000, interval: 50, what: 'the booth told 4003 revoked' });
    assert.ok(Date.now() - t0 < 3000);
    assert.match(sb.proc.tailText(60), /booth hall-4 offline/);
    // the booth says so on its screen and redials slowly (its certificate
    // is refused at the handshake from now on: boothtls.test.mjs), and no
    // token is left to enrol again with
    await until(async () => /certificate was refused/.test((await booth.ctl.status()).reason ?? ''), { timeout: 5000, what: 'the booth out of order, saying why' });
    assert.equal((await booth.ctl.status()).state, 'out_of_order');
    assert.equal((await listed('hall-4')).status, 'offline');
    assert.equal((await listed('hall-4')).enrolment.token_expires, null);
    await booth.proc.stop();
  });

  step('API: advisers and staff 403, no session 401, cross-origin 403, unknown ids 404, wrong method 405', async () => {
    for (const sub of NEW) {
      const p = `booths/hall-1/${sub}`;
      assert.equal((await api('POST', p, { cookie: null })).status, 401, `${p} without a session`);
      for (const who of [ADVISER.login, STAFF.login]) assert.equal((await api('POST', p, { cookie: cookies[who] })).status, 403, `${p} as ${who}`);
      const evil = await api('POST', p, { headers: { Origin: 'http://evil.example' } });
      assert.equal(evil.status, 403, `${p} cross-origin`);
      assert.match(evil.json.error, /cross-origin/);
      for (const id of ['nobody', 'bad%20id', '..', 'x'.repeat(300)]) {
        const r = await api('POST', `booths/${id}/${sub}`);
        assert.equal(r.status, 404, `${sub} of ${id}: ${r.body}`);
        assert.ok(r.json.error, r.body);
      }
      const get = await api('GET', p);
      assert.equal(get.status, 405);
      assert.equal(get.headers.allow, 'POST');
    }
    for (const who of [ADVISER.login, STAFF.login]) assert.equal((await api('GET', 'booths', { cookie: cookies[who] })).status, 403);
    // a cross-origin refusal changed nothing: hall-1 still has its one token
    assert.equal((await listed('hall-1')).enrolment.state, 'pending');
    const evilAdd = await api('POST', 'booths', { body: { id: 'evil-1' }, headers: { Origin: 'http://evil.example' } });
    assert.equal(evilAdd.status, 403);
    assert.equal(await listed('evil-1'), undefined);
  });
});
