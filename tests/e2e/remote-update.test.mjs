// SPDX-License-Identifier: GPL-2.0-or-later
// Updates sent from afar (issue 11; firmware/switchboard/README.md "Updates
// sent from afar"). Real RAUC bundles made by board/common/rauc/mkbundle.sh
// (small ext4 and FAT images, the development key; another key for a
// stranger). The switchboard (--bundle-keyring: the development
// certificate) refuses uploads on their headers alone (no session, not an
// admin, no length, over the cap, another type) and by their content (not a
// bundle, signed by a stranger: RAUC's words), keeps a good one under its
// SHA-256 with its version. A real relais-booth is asked to install it:
// while a visitor waits it says busy and a second request is refused (one
// update at a time); once idle it downloads it over its mutual-TLS link,
// checks it and runs the real `rauc install`, which refuses it here (no
// RAUC service on this machine): the job ends failed with RAUC's words, the
// booth's report is install-failed, the file is gone, no reboot. A booth
// whose data partition is full (a 1 MiB tmpfs, as root) refuses before
// downloading anything. relaisctl update does the upload and the request in
// one go. The administration page uploads a bundle and starts an update.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { bin, missingBinaries, tmpDir, TOP } from './lib/env.mjs';
import { startSwitchboard, startBooth, httpRequest } from './lib/relais.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { run } from './lib/procs.mjs';
import { suiteSteps } from './lib/scripted.mjs';
import { until } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl', 'relaisctl');
const tools = ['rauc', 'mke2fs', 'mkfs.vfat', 'openssl', 'mksquashfs'].filter((t) => !['/usr/bin', '/usr/sbin', '/sbin', '/bin'].some((d) => fs.existsSync(path.join(d, t))));
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : tools.length ? `missing tools: ${tools.join(', ')} (board/host/packages.txt)` : false;

const ADMIN = { login: 'upd-admin', password: 'upd-admin-pw-1', role: 'admin', name: 'Admin' };
const ADVISER2 = { login: 'upd-adviser', password: 'upd-adviser-pw-1', role: 'adviser', name: 'Adviser' };
const SITE = 'Médiathèque Mises à jour';
const BOOTH = 'rupd-1';

// A small bundle made by mkbundle.sh in `dir` (its O= `out`, where the
// development key is made once): {file, sha256, size}.
async function makeBundle(dir, version, { key, cert, out = path.join(dir, 'out') } = {}) {
  const work = path.join(dir, `bundle-${version}`);
  fs.mkdirSync(path.join(work, 'root', 'etc'), { recursive: true });
  fs.writeFileSync(path.join(work, 'root', 'etc', 'os-release'), `NAME=Relais\nVERSION_ID=${version}\n`);
  // data that does not compress away, so that the download takes a few reads
  fs.writeFileSync(path.join(work, 'root', 'etc', 'noise'), Buffer.from(Array.from({ length: 300000 }, () => Math.floor(Math.random() * 256))));
  const rootfs = path.join(work, 'rootfs.ext4');
  const boot = path.join(work, 'boot.vfat');
  for (const [cmd, args] of [
    ['mke2fs', ['-q', '-F', '-t', 'ext4', '-d', path.join(work, 'root'), rootfs, '4M']],
    ['mkfs.vfat', ['-n', 'BOOT_A', '-C', boot, '2048']],
  ]) {
    const r = await run(cmd, args, { timeout: 30000 });
    assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
  }
  const env = { ...process.env, O: out, RELAIS_BUNDLE_ROOTFS: rootfs, RELAIS_BUNDLE_BOOT: boot };
  if (key) Object.assign(env, { RELAIS_BUNDLE_KEY: key, RELAIS_BUNDLE_CERT: cert });
  const r = await new Promise((resolve) => {
    import('node:child_process').then(({ execFile }) =>
      execFile(path.join(TOP, 'board', 'common', 'rauc', 'mkbundle.sh'), ['qemu-arm64', version], { env, timeout: 60000 }, (err, stdout, stderr) => resolve({ code: err ? err.code ?? -1 : 0, stdout, stderr })),
    );
  });
  assert.equal(r.code, 0, `mkbundle: ${r.stderr}`);
  const file = path.join(out, 'qemu-arm64', `relais-qemu-arm64-${version}.raucb`);
  const bytes = fs.readFileSync(file);
  const { createHash } = await import('node:crypto');
  return { file, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

describe('updates sent from afar', { skip, timeout: 300000 }, () => {
  const dir = tmpDir('remote-update');
  let sb;
  let booth;
  let browser;
  let page;
  const cookies = {};
  const bundles = {};
  const mounts = [];
  const suite = suiteSteps(dir, () => ({ sb, browser }));
  const step = suite.step;

  const api = (method, p, { cookie = cookies[ADMIN.login], body, headers = {} } = {}) =>
    httpRequest(`${sb.base}/api/admin/${p}`, {
      method,
      headers: { ...(cookie ? { Cookie: cookie } : {}), ...(body !== undefined && !Buffer.isBuffer(body) ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
  const upload = (bytes, { cookie = cookies[ADMIN.login], type = 'application/octet-stream', headers = {} } = {}) =>
    api('POST', 'bundles', { cookie, body: bytes, headers: { 'Content-Type': type, ...headers } });
  const boothRow = async (id) => (await api('GET', 'booths')).json.booths.find((b) => b.id === id);

  before(async () => {
    const keys = path.join(dir, 'keys');
    fs.mkdirSync(keys, { recursive: true });
    bundles.good = await makeBundle(dir, '0.11-e2e');
    // a stranger's key and certificate: a bundle the fleet never signed
    const sk = path.join(keys, 'stranger.key');
    const sc = path.join(keys, 'stranger.crt');
    const r = await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', sk, '-out', sc, '-days', '30', '-subj', '/CN=stranger'], { timeout: 30000 });
    assert.equal(r.code, 0, r.stderr);
    bundles.stranger = await makeBundle(path.join(dir, 'stranger'), '0.11-evil', { key: sk, cert: sc });
    const devCert = path.join(dir, 'out', 'keys', 'dev', 'relais-dev.crt');
    sb = await startSwitchboard({ dir, extraArgs: ['--bundle-keyring', devCert, '--bundle-max-bytes', String(4 << 20)] });
    for (const u of [ADMIN, ADVISER2]) {
      await sb.addUser(u);
      const res = await sb.login(u.login, u.password);
      assert.equal(res.status, 200, res.body);
      cookies[u.login] = res.cookie;
    }
  });

  after(async () => {
    // the booth using it is stopped first; then the folder can go
    await booth?.proc.stop();
    for (const m of mounts) await run('umount', [m]);
    await suite.end();
  });

  step('upload: refused on the headers alone (401, 403, 415, 411, 413), and by its content (not a bundle, a stranger\'s signature)', async () => {
    const good = fs.readFileSync(bundles.good.file);
    assert.equal((await upload(good, { cookie: null })).status, 401);
    assert.equal((await upload(good, { cookie: cookies[ADVISER2.login] })).status, 403);
    assert.equal((await upload(good, { type: 'text/plain' })).status, 415);
    // over the cap, said by its Content-Length: answered before any body
    const t0 = Date.now();
    const big = await new Promise((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request(`${sb.base}/api/admin/bundles`, {
          method: 'POST',
          headers: { Cookie: cookies[ADMIN.login], 'Content-Type': 'application/octet-stream', 'Content-Length': String(5 << 20) },
        }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        });
        req.on('error', reject);
        req.write(Buffer.alloc(1024)); // a first kilobyte, and nothing more
      });
    });
    assert.equal(big.status, 413, big.body);
    assert.match(JSON.parse(big.body).error, /larger than the cap \(4 MiB\)/);
    assert.ok(Date.now() - t0 < 5000, 'answered at once');
    // chunked: no length to check first
    const chunked = await new Promise((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request(`${sb.base}/api/admin/bundles`, {
          method: 'POST',
          headers: { Cookie: cookies[ADMIN.login], 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' },
        }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        });
        req.on('error', reject);
        req.end(good.subarray(0, 100));
      });
    });
    assert.equal(chunked.status, 411, chunked.body);
    const garbage = await upload(Buffer.from('not a bundle at all, just text'.repeat(100)));
    assert.equal(garbage.status, 400, garbage.body);
    assert.equal(garbage.json.error, 'this is not a RAUC bundle');
    const stranger = await upload(fs.readFileSync(bundles.stranger.file));
    assert.equal(stranger.status, 400, stranger.body);
    assert.match(stranger.json.error, /^RAUC refuses it: .*(signature|certificate|verif)/i);
    // nothing kept of the refused ones
    assert.deepEqual((await api('GET', 'bundles')).json.bundles, []);
    assert.deepEqual(fs.readdirSync(path.join(sb.dataDir, 'bundles')), []);
  });

  step('upload: a good bundle is kept under its SHA-256 with its version and compatible; the same again is one', async () => {
    const good = fs.readFileSync(bundles.good.file);
    const r = await upload(good);
    assert.equal(r.status, 201, r.body);
    assert.deepEqual(r.json, { id: bundles.good.sha256, size: bundles.good.size, version: '0.11-e2e', compatible: 'relais-booth-qemu-arm64' });
    const again = await upload(good);
    assert.equal(again.status, 200, again.body);
    const list = (await api('GET', 'bundles')).json;
    assert.equal(list.bundles.length, 1);
    assert.equal(list.bundles[0].uploaded_by, ADMIN.login);
    assert.equal(list.max_bytes, 4 << 20);
    assert.deepEqual(fs.readdirSync(path.join(sb.dataDir, 'bundles')), [`${bundles.good.sha256}.raucb`]);
  });

  step('a booth with a visitor says busy, a second update is refused (one at a time); idle, it downloads, RAUC refuses, the job fails with its words', async () => {
    const updateDir = path.join(dir, 'updates');
    const rebootMark = path.join(dir, 'rebooted');
    booth = await startBooth({
      dir, switchboard: sb, boothId: BOOTH, site: SITE,
      extraArgs: ['--update-dir', updateDir, '--rauc', '/usr/bin/rauc', '--reboot-cmd', `touch ${rebootMark}`],
    });
    await booth.ctl.request();
    const busy = sb.proc.waitForLine(new RegExp(`booth ${BOOTH}: update u-[-0-9a-f]+ pending: a visitor is at the booth`), 15000);
    const r = await api('POST', `booths/${BOOTH}/update`, { body: { bundle: bundles.good.sha256 } });
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json.state, 'pending');
    assert.equal(r.json.offered, true);
    assert.equal(r.json.version, '0.11-e2e');
    await busy;
    const second = await api('POST', `booths/${BOOTH}/update`, { body: { bundle: bundles.good.sha256 } });
    assert.equal(second.status, 409, second.body);
    assert.match(second.json.error, /one update at a time/);
    assert.equal(fs.existsSync(updateDir) ? fs.readdirSync(updateDir).length : 0, 0, 'nothing downloaded while the visitor is there');
    // the visitor leaves: the booth takes the offer
    const failed = sb.proc.waitForLine(new RegExp(`booth ${BOOTH}: update ${r.json.id} failed: rauc install failed: (.*)`), 60000);
    const downloaded = booth.proc.waitForLine(/bundle downloaded and checked/, 60000);
    await booth.ctl.end();
    await downloaded;
    const [, why] = await failed;
    assert.ok(why.length > 0, 'RAUC said why');
    const row = await boothRow(BOOTH);
    assert.equal(row.update.id, r.json.id);
    assert.equal(row.update.state, 'failed');
    assert.equal(row.update.active, false);
    assert.match(row.update.message, /^rauc install failed: /);
    await until(async () => (await boothRow(BOOTH)).last_update?.result === 'install-failed', { what: 'the install-failed report' });
    const last = (await boothRow(BOOTH)).last_update;
    assert.equal(last.version, '0.11-e2e');
    assert.match(last.detail, /^rauc install failed: /);
    assert.deepEqual(fs.readdirSync(updateDir), [], 'the bundle is deleted');
    assert.equal(fs.existsSync(rebootMark), false, 'no reboot after a failure');
    const logs = fs.readFileSync(booth.proc.logPath, 'utf8');
    assert.match(logs, /update u-[-0-9a-f]+: downloading the bundle/);
  });

  step('a booth whose data partition is full refuses before downloading: "data partition full", nothing touched', async (t) => {
    if (process.getuid() !== 0) {
      t.skip('mounting a small tmpfs needs root');
      return;
    }
    const full = path.join(dir, 'full-updates');
    fs.mkdirSync(full, { recursive: true });
    const m = await run('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', full]);
    assert.equal(m.code, 0, m.stderr);
    mounts.push(full);
    const d = path.join(dir, 'full');
    fs.mkdirSync(d, { recursive: true });
    const other = await startBooth({ dir: d, switchboard: sb, boothId: 'rupd-full', site: SITE, extraArgs: ['--update-dir', full, '--rauc', '/usr/bin/rauc', '--reboot-cmd', 'false'] });
    const failed = sb.proc.waitForLine(/booth rupd-full: update u-[-0-9a-f]+ failed: (data partition full: .*)/, 20000);
    const r = await api('POST', 'booths/rupd-full/update', { body: { bundle: bundles.good.sha256 } });
    assert.equal(r.status, 201, r.body);
    const [, why] = await failed;
    assert.match(why, /^data partition full: the bundle needs 1 MiB, 0 MiB free$/);
    await until(async () => (await boothRow('rupd-full')).last_update?.result === 'install-failed', { what: 'the install-failed report' });
    const row = await boothRow('rupd-full');
    assert.equal(row.update.state, 'failed');
    assert.equal(row.last_update.detail, why);
    assert.equal(row.last_update.version, '0.11-e2e');
    assert.deepEqual(fs.readdirSync(full), [], 'nothing written');
    assert.doesNotMatch(fs.readFileSync(path.join(sb.proc.logPath), 'utf8'), /booth rupd-full downloads/);
    await other.proc.stop();
  });

  step('relaisctl update: upload and ask in one go, --wait follows it to its end (here RAUC refuses: 11); its refusals', async () => {
    const rc = (args, env = { RELAIS_PASSWORD: ADMIN.password }) =>
      new Promise((resolve) => {
        import('node:child_process').then(({ execFile }) =>
          execFile(bin('relaisctl'), args, { timeout: 120000, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
          ),
        );
      });
    const base = ['--switchboard', sb.base, '--login', ADMIN.login];
    const r = await rc(['update', BOOTH, bundles.good.file, ...base, '--wait', '2']);
    assert.equal(r.code, 11, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^uploading .*relais-qemu-arm64-0\.11-e2e\.raucb \(\d+ bytes\)$/m);
    assert.match(r.stdout, /^bundle [0-9a-f]{12} kept by the switchboard \(version 0\.11-e2e\)$/m);
    assert.match(r.stdout, /^update u-[-0-9a-f]+ asked of booth rupd-1 \(offered now\)$/m);
    assert.match(r.stderr, /relaisctl: update: update u-[-0-9a-f]+ of booth rupd-1: failed: rauc install failed: /);
    // refusals, each with its exit status
    const adviser = await rc(['update', BOOTH, bundles.good.file, '--switchboard', sb.base, '--login', ADVISER2.login], { RELAIS_PASSWORD: ADVISER2.password });
    assert.equal(adviser.code, 4, adviser.stderr);
    const nobooth = await rc(['update', 'nobody', bundles.good.file, ...base]);
    assert.equal(nobooth.code, 5, nobooth.stderr);
    const nofile = await rc(['update', BOOTH, path.join(dir, 'no-such.raucb'), ...base]);
    assert.equal(nofile.code, 10, nofile.stderr);
    const garbage = path.join(dir, 'garbage.raucb');
    fs.writeFileSync(garbage, 'not a bundle');
    const bad = await rc(['update', BOOTH, garbage, ...base]);
    assert.equal(bad.code, 10, bad.stderr);
    assert.match(bad.stderr, /the bundle was refused: this is not a RAUC bundle/);
    const usage = await rc(['update', BOOTH, bundles.good.file]);
    assert.equal(usage.code, 2, usage.stderr);
  });

  step('the administration page uploads a bundle and installs it on the booth; the booths table follows', async () => {
    bundles.next = await makeBundle(path.join(dir, 'next'), '0.12-e2e', { out: path.join(dir, 'out') });
    browser = await launchAdviser({ dir, media: 'denied', name: 'remote-update' });
    page = browser.page;
    const [name, value] = cookies[ADMIN.login].split('=');
    await browser.context.addCookies([{ name, value, url: sb.base }]);
    await page.goto(`${sb.base}/admin.html`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 15000 });
    await page.locator('[data-testid="bundle-file"]').setInputFiles(bundles.next.file);
    await page.locator('[data-testid="bundle-submit"]').click();
    const bundleRow = page.locator(`[data-testid="bundle-row"][data-key="${bundles.next.sha256}"]`);
    await bundleRow.waitFor({ timeout: 15000 });
    assert.equal(await page.locator('[data-testid="bundle-status"]').textContent(), 'Bundle 0.12-e2e uploaded.');
    assert.equal(await bundleRow.locator('[data-testid="bundle-row-version"]').textContent(), '0.12-e2e');
    await bundleRow.locator('[data-testid="bundle-target"]').selectOption(`booth:${BOOTH}`);
    page.once('dialog', (d) => d.accept());
    const failed = sb.proc.waitForLine(/booth rupd-1: update u-[-0-9a-f]+ failed: rauc install failed/, 60000);
    await bundleRow.locator('[data-testid="bundle-install"]').click();
    await failed;
    await page.locator('[data-testid="booths-refresh"]').click();
    await page.waitForSelector(`[data-testid="booth-row"][data-key="${BOOTH}"][data-job="failed"][data-update="install-failed"]`, { timeout: 10000 });
    const cellText = await page.locator(`[data-testid="booth-row"][data-key="${BOOTH}"] [data-testid="booth-row-update"] .warning`).textContent();
    assert.match(cellText, /Update failed to install 0\.12-e2e on /);
    assert.match(cellText, /rauc install failed/);
    assert.deepEqual(browser.pageErrors(), []);
  });
});
