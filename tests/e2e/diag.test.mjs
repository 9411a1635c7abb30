// SPDX-License-Identifier: GPL-2.0-or-later
// Remote diagnostics (issue 10, PROTOCOL.md "Diagnostics", admin.h): an
// administrator gets a booth's report, fetched through its link, from
// GET /api/admin/booths/ID/diag, on the administration page ("Diagnose":
// sections, the errors, the certificate's expiry) and with `relaisctl diag`
// (text and --json). Scripted booths (raw WebSockets) answer diag_request,
// stay silent (504), leave (502), or forge answers (another booth's request
// id, an oversize report: dropped, the switchboard keeps serving). Advisers
// and staff get 403 (page and API), no sign-in 401, an unknown booth 404, a
// known booth not connected 409; a client that goes away before the answer
// frees its place.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { missingBinaries, tmpDir, bin, outFile } from './lib/env.mjs';
import { startSwitchboard, startBooth, httpRequest, makeCert, ADVISER } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { scriptedBooth, suiteSteps } from './lib/scripted.mjs';
import { until, freePort } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard', 'relaisctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const ADMIN = { login: 'diag-boss', password: 'diag-boss-pw-1', role: 'admin', name: 'Boss' };
const STAFF = { login: 'diag-desk', password: 'diag-desk-pw-1', role: 'staff', name: 'Desk', site: 'Annexe' };
const SITE = 'Médiathèque Diag';
const TIMEOUT_MS = 1500;
const MAX_PENDING = 4; // Kconfig RELAIS_SB_DIAG_MAX_PENDING

// A report shaped as firmware/booth/diag.c makes it.
function reportOf(id) {
  return {
    software: { version: '0.10.0', build: 'e2e-build' },
    board: 'sim',
    booth_id: id,
    site: SITE,
    uptime_s: 3 * 3600 + 25 * 60,
    addresses: ['127.0.0.1', '::1'],
    link: { state: 'up', switchboard: 'ws://127.0.0.1/ws/booth', certificate_state: 'valid', certificate_expires: '2027-01-05T10:00:00Z' },
    camera: { state: 'ok', detail: 'videotestsrc 1280x720' },
    microphone: { state: 'ok', level_db: -42.5 },
    speaker: { state: 'ok' },
    turn: { state: 'unreachable', detail: 'no answer from turn:127.0.0.1:3478' },
    errors: [
      { time: '2026-12-06T18:00:00Z', message: 'camera restarted <b>twice</b>' },
      { time: '2026-12-06T18:05:00Z', message: 'link lost for 3 s' },
    ],
  };
}

// A scripted booth that answers every diag_request with its report
// (`answer` may change it, or return null to stay silent).
async function answeringBooth(sb, id, sockets, answer = (m) => ({ type: 'diag_report', request: m.request, report: reportOf(id) })) {
  const ws = await scriptedBooth(sb, id, SITE, sockets);
  ws.onText = (text) => {
    const m = JSON.parse(text);
    if (m.type !== 'diag_request') return;
    const reply = answer(m);
    if (reply) ws.send(reply);
  };
  return ws;
}

// `relaisctl ARGS` with `env`; resolves {code, stdout, stderr}.
function relaisctl(args, { env = {}, input, timeout = 15000 } = {}) {
  return new Promise((resolve) => {
    const child = execFile(bin('relaisctl'), args, { timeout, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
    // a relaisctl that exits before reading its input (a bad option, a
    // missing file) closes the pipe first: EPIPE there is no error of its
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

describe('remote diagnostics through the switchboard', { skip, timeout: 180000 }, () => {
  const dir = tmpDir('diag');
  let sb;
  let browser;
  let page;
  const cookies = {};
  const sockets = [];
  const state = {};

  const suite = suiteSteps(dir, () => ({ sb, browser }));
  const step = suite.step;

  const diag = (id, { cookie = cookies[ADMIN.login], method = 'GET' } = {}) =>
    httpRequest(`${sb.base}/api/admin/booths/${id}/diag`, { method, headers: cookie ? { Cookie: cookie } : {} });
  const t = (id) => page.locator(`[data-testid="${id}"]`);
  const boothRow = (id) => page.locator(`[data-testid="booth-row"][data-key="${id}"]`);

  before(async () => {
    sb = await startSwitchboard({ dir, env: { RELAIS_SB_DIAG_TIMEOUT_MS: String(TIMEOUT_MS) } });
    for (const u of [ADMIN, STAFF]) await sb.addUser(u);
    for (const u of [ADMIN, ADVISER, STAFF]) {
      const r = await sb.login(u.login, u.password);
      assert.equal(r.status, 200, `sign-in of ${u.login}: ${r.body}`);
      cookies[u.login] = r.cookie;
    }
  });

  after(async () => {
    await suite.end(sockets);
  });

  step('API: an administrator gets the report, fetched from the booth through its link', async () => {
    const booth = await answeringBooth(sb, 'diag-1', sockets);
    const t0 = Date.now();
    const r = await diag('diag-1');
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.booth_id, 'diag-1');
    assert.ok(Math.abs(Date.parse(r.json.fetched_at) - t0) < 5000, r.json.fetched_at);
    assert.deepEqual(r.json.report, reportOf('diag-1'));
    // the booth was asked once, with a fresh 256-bit id
    const asked = booth.messages.filter((m) => m.type === 'diag_request');
    assert.equal(asked.length, 1);
    assert.match(asked[0].request, /^[A-Za-z0-9_-]{43}$/);
    const again = await diag('diag-1');
    assert.equal(again.status, 200);
    const ids = booth.messages.filter((m) => m.type === 'diag_request').map((m) => m.request);
    assert.equal(new Set(ids).size, 2, 'each request has its own id');
  });

  step('API: advisers and staff 403, no session 401, unknown 404, not connected 409, wrong method 405', async () => {
    assert.equal((await diag('diag-1', { cookie: null })).status, 401);
    for (const who of [ADVISER.login, STAFF.login]) {
      const r = await diag('diag-1', { cookie: cookies[who] });
      assert.equal(r.status, 403, `${who}: ${r.body}`);
      assert.ok(!r.body.includes('software'), 'no report');
    }
    for (const id of ['nobody', 'bad%20id', 'x'.repeat(300)]) {
      const r = await diag(id);
      assert.equal(r.status, 404, `${id}: ${r.body}`);
      assert.ok(r.json.error, r.body);
    }
    const add = await httpRequest(`${sb.base}/api/admin/booths`, {
      method: 'POST',
      headers: { Cookie: cookies[ADMIN.login], 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 'diag-off' }),
    });
    assert.equal(add.status, 201, add.body);
    const off = await diag('diag-off');
    assert.equal(off.status, 409, off.body);
    assert.equal(off.json.error, 'the booth is not connected');
    const post = await diag('diag-1', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET');
  });

  step('API: a booth that never answers: 504 after the timeout, its late answer dropped', async () => {
    const mute = await answeringBooth(sb, 'diag-mute', sockets, () => null);
    state.mute = mute;
    const t0 = Date.now();
    const r = await diag('diag-mute');
    const took = Date.now() - t0;
    assert.equal(r.status, 504, r.body);
    assert.equal(r.json.error, 'the booth did not answer in time');
    assert.ok(took >= TIMEOUT_MS - 50 && took < TIMEOUT_MS + 5000, `answered after ${took} ms`);
    assert.equal(mute.messages.filter((m) => m.type === 'diag_request').length, 1);
    // a late answer is dropped, the connection stays
    const late = mute.messages.find((m) => m.type === 'diag_request').request;
    const seen = sb.proc.waitForLine(/diag-mute: dropping a diag_report/, 5000);
    mute.send({ type: 'diag_report', request: late, report: reportOf('diag-mute') });
    await seen;
    assert.equal(mute.ended, false);
    const metrics = (await sb.metrics()).body;
    assert.match(metrics, /^relais_diag_requests_total\{result="timeout"\} 1$/m);
    assert.match(metrics, /^relais_diag_requests_total\{result="ok"\} 2$/m);
  });

  step('forged reports (another booth\'s request id, oversize) are dropped and the switchboard keeps serving', async () => {
    const mute = state.mute;
    const forger = await answeringBooth(sb, 'diag-forger', sockets, () => null);
    const before = mute.messages.length;
    const pending = diag('diag-mute');
    const asked = await mute.next((m) => m.type === 'diag_request', { from: before, what: 'the second diag_request' });
    // the forger quotes the silent booth's request id: dropped
    const dropped = sb.proc.waitForLine(/diag-forger: dropping a diag_report/, 5000);
    forger.send({ type: 'diag_report', request: asked.request, report: { board: 'forged' } });
    await dropped;
    // the silent booth itself, oversize: refused by the protocol ("size")
    const big = { ...reportOf('diag-mute'), padding: 'x'.repeat(33 * 1024) };
    const err = await mute.request({ type: 'diag_report', request: asked.request, report: big }, 'error');
    assert.equal(err.code, 'size');
    assert.equal(err.ref, 'diag_report');
    // neither reached the administrator: the request times out
    const r = await pending;
    assert.equal(r.status, 504, r.body);
    assert.ok(!r.body.includes('forged'));
    // the switchboard keeps serving: health, and a good booth's report
    assert.equal((await sb.healthz()).status, 200);
    const ok = await diag('diag-1');
    assert.equal(ok.status, 200, ok.body);
    assert.equal(forger.ended, false);
  });

  step('at most 4 open asks per booth (429); an asker that goes away frees its place', async () => {
    // askers that hang up once the booth was asked: the hub forgets them
    const mute = state.mute;
    const gone = () => (sb.proc.tail.join('\n').match(/diag-mute: the administrator went away before the report/g) ?? []).length;
    const gone0 = gone();
    for (let i = 0; i < MAX_PENDING + 2; i++) {
      const from = mute.messages.length;
      const req = http.get(`${sb.base}/api/admin/booths/diag-mute/diag`, { headers: { Cookie: cookies[ADMIN.login] } });
      req.on('error', () => {});
      await mute.next((m) => m.type === 'diag_request', { from, what: `diag_request ${i + 1}` });
      req.destroy();
      await until(async () => gone() === gone0 + i + 1, { what: `asker ${i + 1} forgotten` });
    }
    // all places free again: of five asks at once, four wait (504) and one is refused at once (429)
    const from = mute.messages.length;
    const answers = await Promise.all(Array.from({ length: MAX_PENDING + 1 }, () => diag('diag-mute')));
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [429, 504, 504, 504, 504], answers.map((r) => r.body).join('\n'));
    assert.match(answers.find((r) => r.status === 429).json.error, /already being asked/);
    assert.equal(mute.messages.slice(from).filter((m) => m.type === 'diag_request').length, MAX_PENDING, 'the booth was asked four times');
    assert.equal((await sb.healthz()).status, 200);
  });

  step('a booth that leaves before answering: 502 at once', async () => {
    const leaver = await answeringBooth(sb, 'diag-leaver', sockets, () => {
      setTimeout(() => leaver.destroy(), 50);
      return null;
    });
    // listed on the page while connected (the list records it in the store)
    const list = await httpRequest(`${sb.base}/api/admin/booths`, { headers: { Cookie: cookies[ADMIN.login] } });
    assert.ok(list.json.booths.some((b) => b.id === 'diag-leaver' && b.status !== 'offline'), list.body);
    const t0 = Date.now();
    const r = await diag('diag-leaver');
    assert.equal(r.status, 502, r.body);
    assert.equal(r.json.error, 'the booth disconnected before it answered');
    assert.ok(Date.now() - t0 < TIMEOUT_MS, 'not the timeout');
    const off = await diag('diag-leaver');
    assert.equal(off.status, 409, 'listed, not connected');
  });
  step('page: Diagnose shows the report in sections, the errors and the certificate expiry', async () => {
    browser = await launchAdviser({ dir, media: 'denied', name: 'diag' });
    page = browser.page;
    const [name, value] = cookies[ADMIN.login].split('=');
    await browser.context.addCookies([{ name, value, url: sb.base }]);
    await page.goto(`${sb.base}/admin.html`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 15000 });
    await boothRow('diag-1').waitFor({ timeout: 10000 });
    await boothRow('diag-1').locator('[data-testid="booth-diagnose"]').click();
    await page.waitForSelector('[data-testid="booth-diag"][data-state="shown"]', { timeout: 10000 });
    assert.equal(await t('booth-diag-booth').textContent(), 'diag-1');
    assert.match(await t('booth-diag-status').textContent(), /^Report fetched /);
    const sections = await page.locator('[data-testid="diag-section"]').evaluateAll((els) => els.map((e) => e.dataset.section));
    assert.deepEqual(sections, ['booth', 'link', 'devices', 'errors']);
    assert.equal(await t('diag-software').textContent(), '0.10.0 (build e2e-build)');
    assert.equal(await t('diag-uptime').textContent(), '3 h 25 min');
    assert.equal(await t('diag-addresses').textContent(), '127.0.0.1, ::1');
    assert.match(await t('diag-cert-expires').textContent(), /\((in \d+ days|tomorrow|today|expired .*)\)$/);
    assert.equal(await t('diag-microphone').textContent(), 'ok level -42.5 dB');
    assert.match(await t('diag-turn').textContent(), /unreachable — no answer from turn:127\.0\.0\.1:3478/);
    assert.equal(await t('diag-turn').locator('.diag-bad').count(), 1, 'a state that is not ok stands out');
    const errors = page.locator('[data-testid="diag-error"]');
    assert.equal(await errors.count(), 2);
    assert.match(await errors.nth(0).textContent(), /camera restarted <b>twice<\/b>/);
    assert.equal(await t('booth-diag-report').locator('b').count(), 0, 'the booth\'s text is text, never markup');
    assert.equal(await page.locator('[data-testid="booth-diag-report"] pre').count(), 0, 'no raw JSON');
    await t('booth-diag').screenshot({ path: outFile('diag-panel.png') });
  });

  step('page: a booth not connected and a booth that does not answer say so', async () => {
    await t('booths-refresh').click();
    await boothRow('diag-mute').waitFor({ timeout: 10000 });
    await boothRow('diag-off').locator('[data-testid="booth-diagnose"]').click();
    await page.waitForSelector('[data-testid="booth-diag"][data-state="error"][data-status="409"]', { timeout: 10000 });
    assert.match(await t('booth-diag-error').textContent(), /The booth is not connected/);
    assert.equal(await page.locator('[data-testid="diag-section"]').count(), 0);
    await boothRow('diag-mute').locator('[data-testid="booth-diagnose"]').click();
    await page.waitForSelector('[data-testid="booth-diag"][data-state="asking"]', { timeout: 5000 });
    assert.equal(await t('booth-diag-status').textContent(), 'Asking the booth…');
    await page.waitForSelector('[data-testid="booth-diag"][data-state="error"][data-status="504"]', { timeout: 10000 });
    assert.match(await t('booth-diag-error').textContent(), /did not answer in time/);
    await t('booth-diag-close').click();
    assert.equal(await t('booth-diag').isHidden(), true);
    assert.deepEqual(browser.pageErrors(), []);
  });

  step('page: advisers and staff cannot see it, and the page\'s own request gets 403', async () => {
    for (const who of [ADVISER.login, STAFF.login]) {
      await browser.context.clearCookies();
      const [name, value] = cookies[who].split('=');
      await browser.context.addCookies([{ name, value, url: sb.base }]);
      await page.goto(`${sb.base}/admin.html`);
      await page.waitForSelector('body[data-state="signed-out"]', { timeout: 15000 });
      assert.equal(await page.locator('[data-testid="booth-diagnose"]').count(), 0, `${who}: no Diagnose button`);
      const status = await page.evaluate(async () => (await fetch('/api/admin/booths/diag-1/diag', { credentials: 'same-origin' })).status);
      assert.equal(status, 403, who);
    }
  });

  step('relaisctl diag: the report as text and as JSON, for an administrator', async () => {
    const args = ['diag', 'diag-1', '--switchboard', sb.base, '--login', ADMIN.login];
    const r = await relaisctl(args, { env: { RELAIS_PASSWORD: ADMIN.password } });
    assert.equal(r.code, 0, r.stderr);
    for (const want of [
      /^Booth diag-1 — report fetched \d{4}-\d\d-\d\dT/m,
      /Software +0\.10\.0 \(build e2e-build\)/,
      /Board +sim/,
      /Site +Médiathèque Diag/,
      /Uptime +3 h 25 min/,
      /Addresses +127\.0\.0\.1, ::1/,
      /Certificate +valid/,
      /Certificate expires +2027-01-05T10:00:00Z/,
      /Camera +ok — videotestsrc 1280x720/,
      /Microphone +ok, level_db -42\.5 dB/,
      /TURN +unreachable — no answer from turn:127\.0\.0\.1:3478/,
      /Last errors \(2\)/,
      /2026-12-06T18:00:00Z +camera restarted <b>twice<\/b>/,
    ]) assert.match(r.stdout, want);
    // the password typed on standard input instead
    const typed = await relaisctl(args, { env: { RELAIS_PASSWORD: '' }, input: `${ADMIN.password}\n` });
    assert.equal(typed.code, 0, typed.stderr);
    const json = await relaisctl([...args, '--json'], { env: { RELAIS_PASSWORD: ADMIN.password } });
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.booth_id, 'diag-1');
    assert.deepEqual(parsed.report, reportOf('diag-1'));
  });

  step('a real relais-booth answers with its own report (API and relaisctl)', async () => {
    const d = path.join(dir, 'real');
    fs.mkdirSync(d, { recursive: true });
    const booth = await startBooth({ dir: d, switchboard: sb, boothId: 'diag-real', site: SITE });
    const status = await booth.ctl.status();
    // its log line, waited for from before the request: the HTTP answer can
    // reach this process ahead of the booth's stderr that came first
    const asked = booth.proc.waitForLine(/diagnostics asked by the switchboard/);
    const r = await diag('diag-real');
    assert.equal(r.status, 200, r.body);
    const rep = r.json.report;
    assert.equal(rep.booth_id, 'diag-real');
    assert.equal(rep.board, 'sim');
    assert.equal(rep.site, SITE);
    assert.ok(rep.software?.version, 'a software version');
    assert.ok(rep.memory.pss_kib > 0 && rep.memory.pss_kib <= rep.memory.rss_kib, JSON.stringify(rep.memory));
    assert.equal(rep.link.state, 'connected');
    assert.equal(rep.link.switchboard, sb.wsUrl('booth'));
    assert.equal(rep.link.certificate_state, 'valid');
    assert.equal(Date.parse(rep.link.certificate_expires), Date.parse(status.certificate_expires));
    for (const k of ['camera', 'microphone', 'speaker', 'turn']) assert.ok(rep[k]?.state, `${k} has a state`);
    assert.ok(Array.isArray(rep.addresses) && Array.isArray(rep.errors));
    await asked;
    const cli = await relaisctl(['diag', 'diag-real', '--switchboard', sb.base, '--login', ADMIN.login], { env: { RELAIS_PASSWORD: ADMIN.password } });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /^Booth diag-real — report fetched/m);
    assert.match(cli.stdout, /Certificate +valid/);
    await booth.proc.stop();
  });

  step('relaisctl diag: a hostile report cannot drive the terminal', async () => {
    await answeringBooth(sb, 'diag-evil', sockets, (m) => ({
      type: 'diag_report',
      request: m.request,
      report: { board: ['not', 'text'], site: '\u001b[2Jwiped', link: 'up', errors: [{ time: 7, message: '\u001b]0;pwned\u0007bell' }, 'loose'] },
    }));
    const r = await relaisctl(['diag', 'diag-evil', '--switchboard', sb.base, '--login', ADMIN.login], { env: { RELAIS_PASSWORD: ADMIN.password } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f]/.test(r.stdout), JSON.stringify(r.stdout));
    assert.match(r.stdout, /Site +\?\[2Jwiped/);
    assert.match(r.stdout, /Board +—/);
    assert.match(r.stdout, /7 +\?\]0;pwned\?bell/);
    assert.match(r.stdout, /Last errors \(2\)/);
  });

  step('relaisctl diag: clear errors and exit statuses', async () => {
    const port = await freePort();
    const cases = [
      { who: ADMIN, booth: 'diag-1', pw: 'wrong-password-1', code: 3, err: /sign-in as 'diag-boss' refused/ },
      { who: ADVISER, booth: 'diag-1', code: 4, err: /booth diag-1: / },
      { who: STAFF, booth: 'diag-1', code: 4, err: /booth diag-1: / },
      { who: ADMIN, booth: 'nobody', code: 5, err: /booth nobody: no booth 'nobody'/ },
      { who: ADMIN, booth: 'diag-off', code: 6, err: /booth diag-off: the booth is not connected/ },
      { who: ADMIN, booth: 'diag-mute', code: 7, err: /booth diag-mute: the booth did not answer in time/ },
      { who: ADMIN, booth: 'diag-1', url: `http://127.0.0.1:${port}`, code: 9, err: /cannot reach the switchboard/ },
      { who: ADMIN, booth: 'diag-1', url: 'ftp://127.0.0.1', code: 2, err: /--switchboard must be http\(s\)/ },
      { who: ADMIN, booth: '../etc', code: 2, err: /is not a booth id/ },
    ];
    for (const c of cases) {
      const r = await relaisctl(['diag', c.booth, '--switchboard', c.url ?? sb.base, '--login', c.who.login], { env: { RELAIS_PASSWORD: c.pw ?? c.who.password } });
      assert.equal(r.code, c.code, `${c.who.login} ${c.booth}: ${r.stderr}`);
      assert.match(r.stderr, c.err);
      assert.equal(r.stdout, '', 'nothing on standard output');
    }
    const usage = await relaisctl(['diag', 'diag-1', '--switchboard', sb.base]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--login is needed/);
    const nopw = await relaisctl(['diag', 'diag-1', '--switchboard', sb.base, '--login', ADMIN.login], { env: { RELAIS_PASSWORD: '' } });
    assert.equal(nopw.code, 2);
    assert.match(nopw.stderr, /no password/);
  });
  step('relaisctl diag over HTTPS: trusts --ca-file, refuses a certificate it was not given', async () => {
    const tlsDir = path.join(dir, 'tls');
    fs.mkdirSync(tlsDir, { recursive: true });
    const cert = await makeCert(path.join(tlsDir, 'cert'));
    const other = await makeCert(path.join(tlsDir, 'other'));
    assert.equal(cert.code, 0, cert.stderr);
    const secure = await startSwitchboard({ dir: tlsDir, tls: { cert: cert.cert, key: cert.key } });
    await secure.addUser(ADMIN);
    const env = { RELAIS_PASSWORD: ADMIN.password };
    const base = ['diag', 'nobody', '--switchboard', secure.base, '--login', ADMIN.login];
    // trusted: signed in, and the switchboard's own answer (no such booth)
    const ok = await relaisctl([...base, '--ca-file', cert.cert], { env });
    assert.equal(ok.code, 5, ok.stderr);
    assert.match(ok.stderr, /booth nobody: no booth 'nobody'/);
    // a wss:// URL is read as https:// of the same host and port
    const wss = await relaisctl(['diag', 'nobody', '--switchboard', `wss://127.0.0.1:${secure.port}/ws/adviser`, '--login', ADMIN.login, '--ca-file', cert.cert], { env });
    assert.equal(wss.code, 5, wss.stderr);
    for (const args of [base, [...base, '--ca-file', other.cert]]) {
      const r = await relaisctl(args, { env });
      assert.equal(r.code, 9, r.stderr);
      assert.match(r.stderr, /cannot reach the switchboard: .*certificate/i);
    }
    const missingCa = await relaisctl([...base, '--ca-file', path.join(tlsDir, 'none.pem')], { env });
    assert.equal(missingCa.code, 2, missingCa.stderr);
    assert.match(missingCa.stderr, /--ca-file: /);
  });
});
