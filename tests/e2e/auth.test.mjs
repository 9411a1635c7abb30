// SPDX-License-Identifier: GPL-2.0-or-later
// Accounts and sign-in: the console's form in Chromium (sign in, wrong
// password, rate limit, sign out), and the HTTP/WebSocket contract from Node
// (no session, wrong role, cross-origin, booths that send an Origin, methods,
// oversized bodies, cookie flags, sign-out ends the session and its sockets,
// the adviser's name comes from the account).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BUILD, missingBinaries, tmpDir } from './lib/env.mjs';
import { startSwitchboard, signInPage, httpRequest, ADVISER } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { scriptedAdviser, suiteSteps } from './lib/scripted.mjs';
import { WsClient } from './lib/ws.mjs';
import { until } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

// Failed sign-ins allowed per account (Kconfig), from the build's .config.
function kconfig(name, fallback) {
  try {
    const m = fs.readFileSync(path.join(BUILD, '.config'), 'utf8').match(new RegExp(`^CONFIG_${name}=(\\d+)$`, 'm'));
    return m ? Number(m[1]) : fallback;
  } catch {
    return fallback;
  }
}
const MAX_PER_LOGIN = kconfig('RELAIS_SB_SIGNIN_MAX_PER_LOGIN', 5);

const STAFF = { login: 'staff-1', password: 'staff-password-1', role: 'staff', name: 'Site Staff', site: 'Bibliothèque Nord' };
const LIMITED = { login: 'limited', password: 'limited-password-1', role: 'adviser', name: 'Limited Adviser' };
const LEAVER = { login: 'leaver', password: 'leaver-password-1', role: 'adviser', name: 'Leaving Adviser' };

describe('accounts and sign-in', { skip, timeout: 120000 }, () => {
  const dir = tmpDir('auth');
  let sb;
  let adviser;
  let page;
  const sockets = [];
  let boothSocket;

  const suite = suiteSteps(dir, () => ({ sb, browser: adviser }));
  const step = suite.step;

  // role 'booth': an enrolled booth (auth-1's certificate) on the booth listener
  const upgrade = async (role, opts) => {
    try {
      const c = role === 'booth' ? await sb.boothWs('auth-1', { site: 'Auth', ...opts }) : await WsClient.connect(sb.wsUrl(role), opts);
      sockets.push(c);
      return { status: 101, c };
    } catch (err) {
      if (!err.status) throw err;
      return { status: err.status };
    }
  };
  const metric = async (name) => Number((await sb.metrics()).body.match(new RegExp(`^${name} (\\d+)$`, 'm'))?.[1]);

  before(async () => {
    sb = await startSwitchboard({ dir });
    for (const u of [STAFF, LIMITED, LEAVER]) await sb.addUser(u);
    adviser = await launchAdviser({ dir });
    page = adviser.page;
  });

  after(async () => {
    await suite.end(sockets);
  });

  step('console: a wrong password is refused with a message, the right one signs in', async () => {
    await page.goto(sb.pageUrl());
    await page.locator('[data-testid="signin-form"]').waitFor();
    assert.equal(await page.locator('[data-testid="signin-error"]').isVisible(), false);
    await signInPage(page, { login: ADVISER.login, password: 'not-the-password' });
    const error = page.locator('[data-testid="signin-error"]');
    await error.waitFor();
    assert.equal(await error.innerText(), 'Wrong login or password');
    // an unknown login gets the very same message
    await signInPage(page, { login: 'nobody-here', password: 'not-the-password' });
    await until(async () => (await page.locator('[data-testid="signin-submit"]').isEnabled()), { what: 'second attempt answered' });
    assert.equal(await error.innerText(), 'Wrong login or password');
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'signed-out');

    await signInPage(page);
    await page.waitForSelector('body[data-link="online"]');
    assert.equal(await page.locator('[data-testid="signin"]').isVisible(), false);
    assert.equal(await page.locator('[data-testid="adviser-name"]').innerText(), ADVISER.name);
    assert.equal(await page.locator('[data-testid="signout"]').isVisible(), true);
    assert.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is HttpOnly');
  });

  step('console: sign out returns to the form, closes the WebSocket and ends the session', async () => {
    assert.equal(await metric('relais_advisers_connected'), 1);
    await page.locator('[data-testid="signout"]').click();
    await page.locator('[data-testid="signin-form"]').waitFor();
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'signed-out');
    assert.equal(await page.evaluate(() => window.relais.link), 'stopped');
    assert.equal(await page.locator('#console').isVisible(), false);
    await until(async () => (await metric('relais_advisers_connected')) === 0, { timeout: 5000, what: 'the switchboard to see the console go' });
    assert.equal(await page.evaluate(async () => (await fetch('/api/me')).status), 401);
    // a reload shows the form again: the session is gone
    await page.reload();
    await page.locator('[data-testid="signin-form"]').waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'signed-out');
  });

  step(`console: after ${MAX_PER_LOGIN} wrong passwords the account waits, even with the right one`, async () => {
    const error = page.locator('[data-testid="signin-error"]');
    for (let i = 0; i < MAX_PER_LOGIN; i++) {
      await page.evaluate(() => (document.querySelector('[data-testid="signin-error"]').hidden = true));
      await signInPage(page, { login: LIMITED.login, password: `wrong-password-${i}` });
      await error.waitFor();
      assert.equal(await error.innerText(), 'Wrong login or password', `attempt ${i + 1}`);
    }
    await page.evaluate(() => (document.querySelector('[data-testid="signin-error"]').hidden = true));
    await signInPage(page, { login: LIMITED.login, password: LIMITED.password });
    await error.waitFor();
    const m = (await error.innerText()).match(/^Too many attempts, try again in (\d+) s$/);
    assert.ok(m, `rate-limit message: ${await error.innerText()}`);
    assert.ok(Number(m[1]) > 0 && Number(m[1]) <= kconfig('RELAIS_SB_SIGNIN_WINDOW_S', 900));
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'signed-out');
    // the API says the same, with Retry-After
    const r = await sb.login(LIMITED.login, LIMITED.password);
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers['retry-after']) > 0);
    assert.equal(r.cookie, null);
    // another account from the same address is not locked out
    const ok = await sb.login(ADVISER.login, ADVISER.password);
    assert.equal(ok.status, 200);
  });

  step('API: the session cookie is HttpOnly, SameSite=Strict, Path=/ (no Secure without TLS)', async () => {
    const r = await sb.login();
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { login: ADVISER.login, name: ADVISER.name, role: 'adviser' });
    const cookie = r.headers['set-cookie'][0];
    assert.match(cookie, /^relais_session=[A-Za-z0-9_-]{43};/);
    const attrs = cookie.split(';').slice(1).map((a) => a.trim());
    assert.ok(attrs.includes('HttpOnly'), cookie);
    assert.ok(attrs.includes('SameSite=Strict'), cookie);
    assert.ok(attrs.includes('Path=/'), cookie);
    assert.ok(!attrs.includes('Secure'), cookie);
    assert.equal(r.headers['cache-control'], 'no-store');
    const me = await httpRequest(`${sb.base}/api/me`, { headers: { Cookie: r.cookie } });
    assert.equal(me.status, 200);
    assert.equal(me.json.login, ADVISER.login);
    // form posts work too (the page's form without scripts)
    const form = await httpRequest(`${sb.base}/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `login=${ADVISER.login}&password=${encodeURIComponent(ADVISER.password)}`,
    });
    assert.equal(form.status, 200);
  });

  step('API: wrong method 405, malformed body 400, oversized 413, cross-origin POST 403, no session 401', async () => {
    const get = await httpRequest(`${sb.base}/api/login`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    assert.equal((await httpRequest(`${sb.base}/api/logout`)).status, 405);
    const post = (body, headers = {}) =>
      httpRequest(`${sb.base}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    assert.equal((await post(JSON.stringify({ login: ADVISER.login, password: 'x'.repeat(5000) }))).status, 413);
    assert.equal((await post('{"login": "a", "pass')).status, 400);
    assert.equal((await post('[1,2]')).status, 400);
    assert.equal((await post(JSON.stringify({ login: ADVISER.login }))).status, 400);
    assert.equal((await post(JSON.stringify({ login: ADVISER.login, password: 12 }))).status, 400);
    assert.equal((await post('login=a&password=b', { 'Content-Type': 'text/plain' })).status, 400);
    // a form on another site cannot sign in (nor out)
    const cross = await post(JSON.stringify({ login: ADVISER.login, password: ADVISER.password }), { Origin: 'http://evil.example' });
    assert.equal(cross.status, 403);
    assert.equal(cross.headers['set-cookie'], undefined);
    const same = await post(JSON.stringify({ login: ADVISER.login, password: ADVISER.password }), { Origin: sb.base });
    assert.equal(same.status, 200);
    const me = await httpRequest(`${sb.base}/api/me`);
    assert.equal(me.status, 401);
    assert.equal((await httpRequest(`${sb.base}/api/me`, { headers: { Cookie: 'relais_session=forged-token' } })).status, 401);
  });

  step('WebSocket: /ws/adviser needs a session of an adviser or admin and the page\'s own Origin', async () => {
    assert.equal((await upgrade('adviser')).status, 401, 'no session');
    assert.equal((await upgrade('adviser', { cookie: 'relais_session=forged-token' })).status, 401, 'forged cookie');
    const staff = await sb.login(STAFF.login, STAFF.password);
    assert.equal(staff.status, 200);
    assert.equal(staff.json.role, 'staff');
    assert.equal((await upgrade('adviser', { cookie: staff.cookie })).status, 403, 'staff do not answer calls');
    const { cookie } = await sb.login();
    assert.equal((await upgrade('adviser', { cookie, origin: 'http://evil.example' })).status, 403, 'cross-origin');
    assert.equal((await upgrade('adviser', { cookie, origin: `http://localhost:${sb.port}` })).status, 403, 'another host name');
    assert.equal((await upgrade('adviser', { cookie, origin: null })).status, 403, 'no Origin');
    const ok = await upgrade('adviser', { cookie });
    assert.equal(ok.status, 101);
    const w = await ok.c.request({ type: 'hello', version: 1, role: 'adviser', name: 'Mallory' }, 'welcome');
    assert.ok(w.session);
    ok.c.close();
  });

  step('WebSocket: /ws/booth refuses any upgrade with an Origin (a web page posing as a booth)', async () => {
    assert.equal((await upgrade('booth', { origin: sb.base })).status, 403);
    assert.equal((await upgrade('booth', { origin: 'http://evil.example' })).status, 403);
    const ok = await upgrade('booth');
    assert.equal(ok.status, 101);
    await ok.c.request({ type: 'hello', version: 1, role: 'booth', booth_id: 'auth-1', site: 'Auth', board: 'sim' }, 'welcome');
    boothSocket = ok.c;
  });

  step('the booth is told the account\'s name, not the name in the hello', async () => {
    const booth = boothSocket;
    const { ws: a } = await scriptedAdviser(sb, { name: 'Mallory', sockets });
    booth.send({ type: 'request', language: 'fr', topic: 'job-search' });
    const q = await a.next((m) => m.type === 'queue' && m.queue.some((t) => t.booth_id === 'auth-1'));
    a.send({ type: 'accept', ticket: q.queue.find((t) => t.booth_id === 'auth-1').ticket });
    const call = await booth.next((m) => m.type === 'call');
    assert.equal(call.peer, ADVISER.name);
    booth.send({ type: 'end', call: call.call, reason: 'done' });
  });

  step('sign-out ends the session: its WebSockets close, the cookie expires, /api/me says 401', async () => {
    const r = await sb.login(LEAVER.login, LEAVER.password);
    assert.equal(r.status, 200);
    const c = (await upgrade('adviser', { cookie: r.cookie })).c;
    await c.request({ type: 'hello', version: 1, role: 'adviser', name: 'x' }, 'welcome');
    const out = await httpRequest(`${sb.base}/api/logout`, { method: 'POST', headers: { Cookie: r.cookie } });
    assert.equal(out.status, 200);
    assert.match(out.headers['set-cookie'][0], /^relais_session=; .*Max-Age=0/);
    const closed = await c.waitClosed(5000);
    assert.equal(closed.code, 1008);
    assert.equal((await httpRequest(`${sb.base}/api/me`, { headers: { Cookie: r.cookie } })).status, 401);
    assert.equal((await upgrade('adviser', { cookie: r.cookie })).status, 401);
  });

  step('an open console closes when its session ends elsewhere (password reset, account deleted)', async () => {
    const { switchboardCli } = await import('./lib/relais.mjs');
    const r = await sb.login(LEAVER.login, LEAVER.password);
    assert.equal(r.status, 200);
    const c = (await upgrade('adviser', { cookie: r.cookie })).c;
    await c.request({ type: 'hello', version: 1, role: 'adviser', name: 'x' }, 'welcome');
    const reset = await switchboardCli(sb.dataDir, ['passwd', LEAVER.login], 'a-new-password-for-leaver\n');
    assert.equal(reset.code, 0, reset.stderr);
    // the switchboard checks open consoles against their session every 5 s
    const closed = await c.waitClosed(15000);
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /session ended/);
    assert.equal((await upgrade('adviser', { cookie: r.cookie })).status, 401);
  });

  step('the command line lists accounts without their hashes', async () => {
    const { switchboardCli } = await import('./lib/relais.mjs');
    const r = await switchboardCli(sb.dataDir, ['list']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'LOGIN\tROLE\tNAME\tSITE\tDISABLED');
    assert.ok(lines.includes(`${STAFF.login}\tstaff\t${STAFF.name}\t${STAFF.site}\tno`), r.stdout);
    assert.ok(lines.includes(`${ADVISER.login}\tadviser\t${ADVISER.name}\t\tno`), r.stdout);
    assert.doesNotMatch(r.stdout, /scrypt/);
    const weak = await switchboardCli(sb.dataDir, ['add', 'weak', '--role', 'adviser'], 'short\n');
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /password refused: .*at least \d+ are needed/);
    const gen = await switchboardCli(sb.dataDir, ['add', 'trial', '--role', 'admin', '--generate']);
    assert.equal(gen.code, 0, gen.stderr);
    const pw = gen.stdout.trim();
    assert.match(pw, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    const admin = await sb.login('trial', pw);
    assert.equal(admin.status, 200);
    assert.equal(admin.json.role, 'admin');
    assert.equal((await upgrade('adviser', { cookie: admin.cookie })).status, 101, 'admins may answer calls');
    assert.equal((await switchboardCli(sb.dataDir, ['del', 'trial'])).code, 0);
    assert.equal((await httpRequest(`${sb.base}/api/me`, { headers: { Cookie: admin.cookie } })).status, 401, 'deleting ends the sessions');
  });
});
