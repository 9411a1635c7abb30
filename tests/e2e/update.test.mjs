// SPDX-License-Identifier: GPL-2.0-or-later
// A booth's software, health and last update (issue 11; PROTOCOL.md
// "Software and updates"). A real relais-booth started on slot A (its
// --cmdline file says rauc.slot=A) with an update status file saying the
// update to another version was rolled back: its hello's software and slot
// and its update_report reach the switchboard (a warning naming the booth
// and both versions), the API and the administration page (Chromium):
// "Software" and "Last update" columns, the rollback in the warning style
// with its detail. The file rewritten as kept and `relais-boothctl
// update-report`: the page follows (waiting for the switchboard's log line,
// never a sleep). The same report after a reconnection is one record.
// Hostile status files send nothing and say why. `relais-boothctl health`:
// healthy with the link up (exit 0), link down once the switchboard is
// stopped (exit 1), no booth (exit 2).

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { bin, missingBinaries, outFile, tmpDir } from './lib/env.mjs';
import { startSwitchboard, startBooth, httpRequest } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { run } from './lib/procs.mjs';
import { suiteSteps } from './lib/scripted.mjs';
import { until } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const ADMIN = { login: 'upd-boss', password: 'upd-boss-pw-1', role: 'admin', name: 'Boss' };
const SITE = 'Médiathèque Mises à jour';
const BOOTH = 'upd-1';

const ROLLED_BACK = [
  '# written by relais-booth-health',
  'result=rolled-back',
  'version=0.10-abc1234',
  'from=0.10-0ff1ce5',
  'slot=B',
  'at=2026-12-06T22:10:00Z',
  'detail=not healthy within 300 s: link down',
  '',
].join('\n');
const KEPT = ['result=kept', 'version=0.10-abc1235', 'from=0.10-0ff1ce5', 'slot=B', 'at=2026-12-07T08:00:00Z', ''].join('\n');

// "6 Dec 22:10" in this machine's zone (Chromium runs in the same one).
function shortTime(iso) {
  const d = new Date(iso);
  const m = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()];
  return `${d.getDate()} ${m} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

// Written as the health service does: a temporary file, then a rename.
function writeStatus(file, text) {
  fs.writeFileSync(`${file}.tmp`, text, { mode: 0o644 });
  fs.renameSync(`${file}.tmp`, file);
}

describe('software, health and update reports', { skip, timeout: 240000 }, () => {
  const dir = tmpDir('update');
  const statusFile = path.join(dir, 'update-status');
  const cmdline = path.join(dir, 'cmdline');
  let sb;
  let booth;
  let browser;
  let page;
  let cookie;
  const suite = suiteSteps(dir, () => ({ sb, browser }));
  const step = suite.step;

  const booths = async () => {
    const r = await httpRequest(`${sb.base}/api/admin/booths`, { headers: { Cookie: cookie } });
    assert.equal(r.status, 200, r.body);
    return r.json.booths;
  };
  const row = () => page.locator(`[data-testid="booth-row"][data-key="${BOOTH}"]`);
  const boothctl = (...args) => run(bin('relais-boothctl'), ['--control', booth.sock, ...args]);
  const metric = async (result) => {
    const m = new RegExp(`^relais_update_reports_total\\{result="${result}"\\} (\\d+)$`, 'm').exec((await sb.metrics()).body);
    return m ? Number(m[1]) : -1;
  };

  before(async () => {
    sb = await startSwitchboard({ dir });
    await sb.addUser(ADMIN);
    const r = await sb.login(ADMIN.login, ADMIN.password);
    assert.equal(r.status, 200, r.body);
    cookie = r.cookie;
  });

  after(async () => {
    await suite.end();
  });

  step('a booth on slot A whose update rolled back: its software, slot and report reach the switchboard', async () => {
    writeStatus(statusFile, ROLLED_BACK);
    fs.writeFileSync(cmdline, 'console=ttyAMA0 root=/dev/vda4 rauc.slot=A rootwait\n');
    const warned = sb.proc.waitForLine(
      /booth upd-1: update from 0\.10-0ff1ce5 to 0\.10-abc1234 rolled back \(slot B tried, 2026-12-06T22:10:00Z\): not healthy within 300 s: link down/,
      30000,
    );
    booth = await startBooth({ dir, switchboard: sb, boothId: BOOTH, site: SITE, extraArgs: ['--update-status', statusFile, '--cmdline', cmdline] });
    await warned;
    const health = JSON.parse((await boothctl('health')).stdout);
    assert.match(health.software, /^0\.10-[A-Za-z0-9._:-]+$/);
    assert.equal(health.slot, 'A');
    // the hello's software reaches the store with the booth's state (the
    // list syncs before it answers)
    const b = (await booths()).find((x) => x.id === BOOTH);
    assert.ok(b, 'listed');
    assert.equal(b.software, health.software);
    assert.equal(b.slot, 'A');
    assert.deepEqual({ ...b.last_update, received_at: undefined }, {
      result: 'rolled-back',
      version: '0.10-abc1234',
      from: '0.10-0ff1ce5',
      slot: 'B',
      at: '2026-12-06T22:10:00Z',
      detail: 'not healthy within 300 s: link down',
      received_at: undefined,
    });
    assert.ok(Math.abs(Date.parse(b.last_update.received_at) - Date.now()) < 60000, b.last_update.received_at);
    // the diagnostics report says the same
    const diag = JSON.parse((await boothctl('diag')).stdout).report;
    assert.equal(diag.software.running, health.software);
    assert.equal(diag.software.slot, 'A');
  });

  step('the administration page shows the software, the slot and the rollback in its warning style', async () => {
    browser = await launchAdviser({ dir, media: 'denied', name: 'update' });
    page = browser.page;
    const [name, value] = cookie.split('=');
    await browser.context.addCookies([{ name, value, url: sb.base }]);
    await page.goto(`${sb.base}/admin.html`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 15000 });
    await row().waitFor({ timeout: 10000 });
    const headers = await page.locator('[data-testid="booths-table"] thead th').allTextContents();
    assert.ok(headers.includes('Software') && headers.includes('Last update'), headers.join('|'));
    const software = (await booths()).find((x) => x.id === BOOTH).software;
    assert.equal(await row().locator('[data-testid="booth-row-software"]').textContent(), `${software} (slot A)`);
    const update = row().locator('[data-testid="booth-row-update"]');
    assert.equal(await update.getAttribute('data-result'), 'rolled-back');
    const warning = update.locator('.warning');
    assert.equal(await warning.count(), 1, 'the warning style');
    assert.equal(await warning.locator('strong').textContent(), `Update rolled back 0.10-abc1234 on ${shortTime('2026-12-06T22:10:00Z')}`);
    const text = await warning.textContent();
    assert.match(text, /running 0\.10-0ff1ce5 again/);
    assert.match(text, /not healthy within 300 s: link down/);
    // a table a screen reader can walk: each column has its header
    const cells = await row().locator('td').count();
    assert.equal(cells, headers.length);
    await page.locator('[data-testid="booths-table"]').screenshot({ path: outFile('update-booths.png') });
    assert.deepEqual(browser.pageErrors(), []);
  });

  step('rewritten as kept, `relais-boothctl update-report`: the switchboard hears it and the page follows', async () => {
    writeStatus(statusFile, KEPT);
    const kept = sb.proc.waitForLine(/booth upd-1: update from 0\.10-0ff1ce5 to 0\.10-abc1235 kept \(slot B, 2026-12-07T08:00:00Z\)/, 15000);
    const r = await boothctl('update-report');
    assert.equal(r.code, 0, r.stderr || r.stdout);
    const reply = JSON.parse(r.stdout);
    assert.equal(reply.sent, true);
    assert.equal(reply.report.result, 'kept');
    await kept;
    await page.locator('[data-testid="booths-refresh"]').click();
    await page.waitForSelector(`[data-testid="booth-row"][data-key="${BOOTH}"][data-update="kept"]`, { timeout: 10000 });
    const update = row().locator('[data-testid="booth-row-update"]');
    assert.equal(await update.textContent(), `kept 0.10-abc1235 on ${shortTime('2026-12-07T08:00:00Z')}`);
    assert.equal(await update.locator('.warning').count(), 0, 'a kept update is no warning');
  });

  step('the same report after a reconnection is one record, logged once', async () => {
    const before = (await booths()).find((x) => x.id === BOOTH).last_update;
    const n = await metric('kept');
    const linked = booth.proc.waitForLine(/reporting the last update: kept 0\.10-abc1235/, 20000);
    await booth.ctl.run('drop-link');
    await linked;
    // the switchboard counted the repeat: it has handled it
    await until(async () => (await metric('kept')) === n + 1, { timeout: 10000, what: 'the repeated report counted' });
    const again = (await booths()).find((x) => x.id === BOOTH).last_update;
    assert.deepEqual(again, before, 'the first reception stays');
    const lines = fs.readFileSync(sb.proc.logPath, 'utf8').match(/update from 0\.10-0ff1ce5 to 0\.10-abc1235 kept/g);
    assert.equal(lines.length, 1, 'logged once');
  });

  step('hostile status files: nothing is sent, the booth says why and keeps serving', async () => {
    const n = (await Promise.all(['kept', 'rolled-back', 'install-failed'].map(metric))).reduce((a, b) => a + b, 0);
    const cases = [
      { write: () => writeStatus(statusFile, 'result=maybe\nversion=v\nslot=B\nat=2026-12-07T08:00:00Z\n'), err: /result 'maybe' is not kept, rolled-back or install-failed/ },
      { write: () => writeStatus(statusFile, KEPT.replace('slot=B', 'slot=C')), err: /slot 'C' is not A or B/ },
      { write: () => writeStatus(statusFile, KEPT.replace('version=0.10-abc1235', 'version=<script>')), err: /version must be a version/ },
      { write: () => writeStatus(statusFile, `${KEPT}${'#'.repeat(5000)}\n`), err: /more than 4096 bytes/ },
      { write: () => writeStatus(statusFile, '\u0000\u00ff garbage'), err: /result is missing/ },
      {
        write: () => {
          fs.rmSync(statusFile);
          execFileSync('mkfifo', [statusFile]);
        },
        err: /not a regular file/,
      },
      { write: () => fs.rmSync(statusFile), err: /no update status/ },
    ];
    for (const c of cases) {
      c.write();
      const r = await boothctl('update-report');
      assert.equal(r.code, 1, r.stdout);
      const reply = JSON.parse(r.stdout);
      assert.equal(reply.ok, false);
      assert.match(reply.error, c.err);
    }
    const st = await booth.ctl.status();
    assert.equal(st.link, 'up');
    assert.equal(st.state, 'idle');
    const after = (await Promise.all(['kept', 'rolled-back', 'install-failed'].map(metric))).reduce((a, b) => a + b, 0);
    assert.equal(after, n, 'nothing reached the switchboard');
    assert.equal((await booths()).find((x) => x.id === BOOTH).last_update.result, 'kept', 'the last good report stays');
  });

  step('relais-boothctl health: healthy with the link up (0), link down once the switchboard stops (1), no booth (2)', async () => {
    // the start-up check has opened the camera and the microphone
    let health;
    await until(
      async () => {
        const r = await boothctl('health');
        health = JSON.parse(r.stdout);
        return r.code === 0;
      },
      { timeout: 20000, what: 'healthy' },
    );
    assert.equal(health.ok, true);
    assert.equal(health.healthy, true);
    assert.equal(health.service, 'up');
    assert.equal(health.link, 'up');
    assert.equal(health.camera, 'ok');
    assert.equal(health.microphone, 'ok');
    assert.deepEqual(health.reasons, []);
    assert.match(fs.readFileSync(booth.proc.logPath, "utf8"), /start-up check: camera and microphone open/);

    await sb.proc.stop();
    await until(async () => (await boothctl('health')).code === 1, { timeout: 20000, what: 'unhealthy once the link is down' });
    const down = JSON.parse((await boothctl('health')).stdout);
    assert.equal(down.healthy, false);
    assert.equal(down.link, 'down');
    assert.equal(down.camera, 'ok', 'the devices stay as checked');
    assert.deepEqual(down.reasons, ['link down']);

    const none = await run(bin('relais-boothctl'), ['--control', path.join(dir, 'no-such.sock'), 'health']);
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /no-such\.sock/);
  });
});
