// SPDX-License-Identifier: GPL-2.0-or-later
// make check-image: the qemu-arm64 booth image booted under
// qemu-system-aarch64 (TCG, U-Boot from Debian), against a switchboard on
// this host's loopback (README.md here). One emulated booth goes through:
//   1. first boot: provisioned with relaisctl, it enrols and reaches idle;
//   2. an update from a technician's stick: installed into slot B, tried,
//      healthy, kept;
//   3. an update whose booth cannot start: tried, not healthy, the next boot
//      is the old slot, and the switchboard hears of the rollback;
//   4. a power cut in the middle of an install: the old slot still boots;
//   5. an update sent from afar (relaisctl update): downloaded, installed,
//      rebooted into through relais-reboot.path, tried, healthy, kept.
// The booth reaches the switchboard only through QEMU's user network with
// restrict=on and one guestfwd rule, each connection piped to 127.0.0.1 by
// tcp-pipe.mjs (nothing else is reachable).

import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { TOP, BUILD, bin, tmpDir } from '../e2e/lib/env.mjs';
import { killAll } from '../e2e/lib/procs.mjs';
import { startSwitchboard, boothToken, addUser, httpRequest } from '../e2e/lib/relais.mjs';
import { until } from '../e2e/lib/util.mjs';

const BOARD = 'qemu-arm64';
const OUT = path.join(BUILD, BOARD);
const IMAGE = path.join(OUT, `relais-${BOARD}.img`);
const BOOTH = 'emulated-1';
const SITE = 'Emulated Library';
const GUEST_SB = '10.0.2.100'; // the switchboard as the guest sees it (guestfwd)
const ADMIN = { login: 'image-admin', password: 'image-admin-password', role: 'admin', name: 'Image Admin' };
// TCG on two shared cores: generous bounds, each an upper limit, never a wait
const BOOT_S = Number(process.env.RELAIS_IMAGE_BOOT_S ?? 420);
const INSTALL_S = Number(process.env.RELAIS_IMAGE_INSTALL_S ?? 900);

const dir = tmpDir('image');
after(async () => {
  await qemu?.stop();
  await killAll();
});

// The emulated booth: run-qemu.sh with its serial console (kernel, systemd,
// the journal: customize.sh forwards it there) kept whole, so that a test
// can wait for a line printed since a given point.
class Emulator {
  constructor(disk, { stick = null, boothPort, tag }) {
    this.lines = [];
    this.waiters = [];
    this.log = fs.createWriteStream(path.join(dir, `serial-${tag}.log`));
    this.monitor = path.join(dir, `monitor-${tag}.sock`);
    const extra = ['-monitor', `unix:${this.monitor},server=on,wait=off`];
    if (stick) extra.push('-device', 'qemu-xhci', '-drive', `if=none,id=stick,format=raw,readonly=on,file=${stick}`, '-device', 'usb-storage,drive=stick');
    this.started = Date.now();
    this.child = spawn('bash', [path.join(TOP, 'board', BOARD, 'run-qemu.sh'), disk, ...extra], {
      env: { ...process.env, RELAIS_QEMU_NET: `user,id=net,restrict=on,guestfwd=tcp:${GUEST_SB}:8443-cmd:${process.execPath} ${path.join(TOP, 'tests', 'image', 'tcp-pipe.mjs')} 127.0.0.1 ${boothPort}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => {
      this.gone = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error(`QEMU exited (${code ?? signal}) before ${w.re}\n${this.tail()}`));
      resolve({ code, signal });
    }));
    let partial = '';
    for (const s of [this.child.stdout, this.child.stderr]) {
      s.setEncoding('utf8');
      s.on('data', (d) => {
        partial += d;
        const parts = partial.split('\n');
        partial = parts.pop();
        for (const raw of parts) this.#line(raw.replace(/\r/g, '').replace(/\x1b\[[0-9;]*[A-Za-z]/g, ''));
      });
    }
  }

  #line(l) {
    const at = Date.now() - this.started;
    this.lines.push({ l, at });
    this.log.write(`[${(at / 1000).toFixed(1)}] ${l}\n`);
    for (const w of [...this.waiters]) {
      const m = w.re.exec(l);
      if (m) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve({ m, at });
      }
    }
  }

  tail(n = 40) {
    return `--- serial console (${this.log.path}) ---\n${this.lines.slice(-n).map((x) => x.l).join('\n')}`;
  }

  mark() {
    return this.lines.length;
  }

  // The first line matching re printed at or after mark `from`: { m, at }
  // (at: ms since QEMU started).
  waitFor(re, { from = 0, timeout = BOOT_S * 1000 } = {}) {
    for (let i = from; i < this.lines.length; i++) {
      const m = re.exec(this.lines[i].l);
      if (m) return Promise.resolve({ m, at: this.lines[i].at });
    }
    if (this.gone) return Promise.reject(new Error(`QEMU is not running: no line matching ${re}\n${this.tail()}`));
    return new Promise((resolve, reject) => {
      const w = { re, resolve, reject };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`no serial line matching ${re} within ${timeout / 1000} s\n${this.tail()}`));
      }, timeout);
      this.waiters.push(w);
    });
  }

  // What the booth's screen shows (the virtio GPU's scan-out), as a PNG:
  // QEMU's monitor command screendump.
  async screenshot(file) {
    const sock = net.createConnection(this.monitor);
    await new Promise((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    let seen = '';
    const prompt = () => new Promise((resolve, reject) => {
      const on = (d) => {
        seen += d;
        if (seen.endsWith('(qemu) ')) {
          sock.off('data', on);
          seen = '';
          resolve();
        }
      };
      sock.on('data', on);
      setTimeout(() => reject(new Error(`QEMU monitor: no prompt (${seen})`)), 10000);
    });
    sock.setEncoding('utf8');
    await prompt();
    sock.write(`screendump ${file} -f png\n`);
    await prompt();
    sock.end();
    assert.ok(fs.statSync(file).size > 1000, `screendump wrote ${file}`);
  }

  // The power cord: SIGKILL, nothing flushed.
  async pull() {
    this.child.kill('SIGKILL');
    await this.exited;
    this.log.end();
  }

  // A clean power-off: the guest has no shell to ask, so QEMU's monitor is
  // not used either; systemd's poweroff comes from the booth itself only.
  async stop() {
    if (!this.gone) await this.pull();
  }
}

let qemu = null;
let sb = null;
let disk = null;
let failedEarly = null;

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...opts });
}

// A program's { code, stdout, stderr }, never throwing.
function tool(cmd, args, { env = {}, input = '' } = {}) {
  try {
    return { code: 0, stdout: execFileSync(cmd, args, { encoding: 'utf8', input, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'], timeout: 60000 }), stderr: '' };
  } catch (e) {
    return { code: e.status ?? 1, stdout: e.stdout ?? '', stderr: `${e.stderr ?? ''}${e.message}` };
  }
}

// A test CA and a listener certificate valid for the guest's name of the
// switchboard (10.0.2.100) and for this host's loopback: real X.509, openssl.
function testCa() {
  const d = path.join(dir, 'ca');
  fs.mkdirSync(d);
  const f = (n) => path.join(d, n);
  sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=Relais check-image test CA']);
  sh('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('sb.key'), '-out', f('sb.csr'), '-subj', '/CN=switchboard']);
  fs.writeFileSync(f('ext'), `subjectAltName=IP:${GUEST_SB},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
  sh('openssl', ['x509', '-req', '-in', f('sb.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext'), '-out', f('sb.crt')]);
  // the chain the listener sends; Node trusts it through the CA inside
  fs.writeFileSync(f('chain.crt'), fs.readFileSync(f('sb.crt'), 'utf8') + fs.readFileSync(f('ca.crt'), 'utf8'));
  return { ca: f('ca.crt'), cert: f('chain.crt'), key: f('sb.key') };
}

// A bundle of slot A's images with one file changed in the root (debugfs:
// no mount, no root needed). changes: [[path in the root, local file]].
function bundle(name, version, changes) {
  const rootfs = path.join(dir, `${name}-rootfs.ext4`);
  sh('cp', ['--sparse=always', path.join(OUT, 'rootfs.ext4'), rootfs]);
  for (const [inRoot, local] of changes) {
    const parent = path.dirname(inRoot);
    // debugfs -w: remove, then write the new file; mkdir may fail (exists)
    sh('debugfs', ['-w', '-R', `mkdir ${parent}`, rootfs]);
    sh('debugfs', ['-w', '-R', `rm ${inRoot}`, rootfs]);
    sh('debugfs', ['-w', '-R', `write ${local} ${inRoot}`, rootfs]);
    sh('debugfs', ['-w', '-R', `sif ${inRoot} mode 0100755`, rootfs]);
  }
  // debugfs leaves the free-block and inode counts to fsck: fixed here,
  // and anything worse (exit status above 1) fails the test
  const fsck = tool('e2fsck', ['-fy', rootfs]);
  assert.ok(fsck.code <= 1, `e2fsck ${rootfs}: ${fsck.code}\n${fsck.stdout}${fsck.stderr}`);
  const out = sh('bash', [path.join(TOP, 'board/common/rauc/mkbundle.sh'), BOARD, version], {
    env: { ...process.env, O: BUILD, RELAIS_BUNDLE_ROOTFS: rootfs, RELAIS_BUNDLE_BOOT: path.join(OUT, 'boot.vfat') },
  });
  const file = path.join(OUT, `relais-${BOARD}-${version}.raucb`);
  assert.ok(fs.existsSync(file), out);
  fs.rmSync(rootfs);
  return file;
}

// A technician's stick: an ext4 file system labelled RELAISUPD holding one
// bundle (mke2fs -d: made from a folder, no mount).
function stick(name, bundleFile) {
  const d = path.join(dir, `${name}-stick`);
  fs.mkdirSync(d);
  fs.copyFileSync(bundleFile, path.join(d, path.basename(bundleFile)));
  const img = path.join(dir, `${name}-stick.img`);
  const mib = Math.ceil(fs.statSync(bundleFile).size / 1048576) + 64;
  sh('mke2fs', ['-q', '-t', 'ext4', '-L', 'RELAISUPD', '-d', d, img, `${mib}M`]);
  fs.rmSync(d, { recursive: true });
  return img;
}

function release(text) {
  const f = path.join(dir, `release-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(f, text);
  return f;
}

// Powers the booth on (the last one off first: the cord pulled).
async function powerOn(tag, { stickImg = null } = {}) {
  if (qemu) await qemu.pull();
  qemu = new Emulator(disk, { stick: stickImg, boothPort: sb.boothPort, tag });
}

// The slot U-Boot starts (boot.cmd: "relais: booting slot X"), from `from`.
async function bootedSlot(from = 0) {
  const { m } = await qemu.waitFor(/relais: booting slot ([AB])/, { from });
  return m[1];
}

// The booth's diagnostic report through the switchboard, as an
// administrator asks for it: relaisctl diag --json.
function diagReport() {
  const r = tool(bin('relaisctl'), ['diag', BOOTH, '--switchboard', sb.base, '--ca-file', caFile, '--login', ADMIN.login, '--json'], { env: { RELAIS_PASSWORD: ADMIN.password } });
  assert.equal(r.code, 0, `relaisctl diag: ${r.stderr}`);
  return JSON.parse(r.stdout).report;
}

// Waits for the switchboard to see the booth linked again after `mark`
// (its log: "booth ID online"): resolves ms since QEMU started.
async function linked(sbMark) {
  await sbMark;
  return Date.now() - qemu.started;
}

let caFile = null;
let baseVersion = null;
let runningVersion = null;
let adminCookie = null;

// The booth as the administration page lists it (GET /api/admin/booths):
// software, slot, last_update.
async function boothRecord() {
  if (!adminCookie) {
    const r = await sb.login(ADMIN.login, ADMIN.password);
    assert.equal(r.status, 200, r.body);
    adminCookie = r.cookie;
  }
  const r = await httpRequest(`${sb.base}/api/admin/booths`, { headers: { Cookie: adminCookie }, ca: sb.ca });
  assert.equal(r.status, 200, r.body);
  return r.json.booths.find((b) => b.id === BOOTH);
}

// Waits until the switchboard's record of the booth satisfies `pred`.
async function recordWhere(pred, what) {
  let last = null;
  await until(async () => pred((last = await boothRecord())), { timeout: 60000, what }).catch((e) => {
    throw new Error(`${e.message}: ${JSON.stringify(last)}`);
  });
  return last;
}

function need(what) {
  if (failedEarly) throw new Error(`skipped: ${failedEarly} failed before`);
  assert.ok(what);
}

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    failedEarly ??= name;
    throw e;
  }
}

test('the image and its slot images exist (make image BOARD=qemu-arm64)', () => {
  assert.ok(fs.existsSync(IMAGE), `${IMAGE}: make check-image builds it first`);
  assert.ok(fs.existsSync(path.join(OUT, 'rootfs.ext4')), 'rootfs.ext4 (slot A, for bundles)');
  assert.ok(fs.existsSync(path.join(OUT, 'boot.vfat')), 'boot.vfat (slot A, for bundles)');
});

test('first boot: provisioned with relaisctl, the booth enrols and reaches idle', () =>
  step('first boot', async () => {
    const tls = testCa();
    caFile = tls.ca;
    sb = await startSwitchboard({ dir, tls });
    await addUser(sb.dataDir, ADMIN);
    fs.writeFileSync(path.join(dir, 'token'), await boothToken(sb.dataDir, BOOTH, SITE));
    disk = path.join(dir, 'disk.img');
    sh('cp', ['--sparse=always', IMAGE, disk]);
    // a card larger than the image: the data partition grows into the rest
    sh('truncate', ['-s', '6G', disk]);
    const prov = tool(bin('relaisctl'), ['provision', '--switchboard', `wss://${GUEST_SB}:8443/ws/booth`, '--ca', tls.ca, '--name', BOOTH, '--site', SITE, '--token-file', path.join(dir, 'token'), disk], { input: '4711\n' });
    assert.equal(prov.code, 0, prov.stderr);

    const online = sb.proc.waitForLine(new RegExp(`booth ${BOOTH} online`), BOOT_S * 1000);
    await powerOn('1-first-boot');
    assert.equal(await bootedSlot(), 'A');
    const enrolled = await qemu.waitFor(/enrolled as 'emulated-1'/);
    const idleAt = await linked(online);
    console.log(`# power-on to idle and linked (U-Boot, kernel, systemd, enrolment): ${(idleAt / 1000).toFixed(1)} s; enrolled at ${(enrolled.at / 1000).toFixed(1)} s`);
    await qemu.waitFor(/relais-booth-health.*boot: normal/);
    const certs = tool(bin('relais-switchboard'), ['--data', sb.dataDir, 'booth', 'certs', BOOTH]);
    assert.match(certs.stdout, /^[0-9A-F]{32} /m, 'the switchboard issued the booth a certificate');

    const rep = diagReport();
    assert.equal(rep.booth_id, BOOTH);
    assert.equal(rep.link.state, 'connected');
    // what runs is the image's own version (its /etc/relais-release)
    baseVersion = rep.software.running;
    assert.equal(rep.software.slot, 'A');
    const rec = await recordWhere((b) => b.software === baseVersion && b.slot === 'A', 'the booth listed with its software and slot');
    assert.equal(rec.last_update ?? null, null, 'no update yet');
    console.log(`# the booth at idle inside the image: ${(rep.memory.pss_kib / 1024).toFixed(1)} MiB PSS, ${(rep.memory.rss_kib / 1024).toFixed(1)} MiB resident (software ${baseVersion})`);
    assert.ok(rep.memory.pss_kib > 0);
    // the screen: the booth's own UI on kmsdrm, no login prompt
    const shot = path.join(OUT, 'check-image-first-boot.png');
    await qemu.screenshot(shot);
    console.log(`# the booth's screen at idle: ${shot}`);
    // the data partition grew to the card's end (systemd-repart, growfs)
    const grown = await qemu.waitFor(/systemd-growfs.*data|Growing .*\/data|Grew .*data/i, { timeout: 1000 }).catch(() => null);
    console.log(`# data partition growth seen on the console: ${grown ? grown.m[0] : 'no line'}`);
  }));



// The root's /etc/relais-release with another build id: what an update
// changes that the health check and the report name.
function releaseOf(suffix) {
  const text = fs.readFileSync(path.join(OUT, 'root', 'etc', 'relais-release'), 'utf8');
  return release(text.replace(/^RELAIS_BUILD_ID=(.*)$/m, (_, id) => `RELAIS_BUILD_ID=${id}.${suffix}`));
}

function versionOf(suffix) {
  return `${baseVersion}.${suffix}`.replace(/-dirty/g, '.dirty');
}

// Boots with a stick holding `bundleFile`; resolves the serial mark at
// power-on.
async function bootWithStick(tag, bundleFile) {
  await powerOn(tag, { stickImg: stick(tag, bundleFile) });
  await qemu.waitFor(new RegExp(`relais-update-stick: installing ${path.basename(bundleFile).replace(/[.+]/g, '\\$&')}`));
}

test('a bundle for another board is refused by the booth, which stays as it was and reports why', () =>
  step('another board', async () => {
    need(baseVersion);
    // slot A's own images, signed with the same key, for the Pi 4's
    // compatible (mkbundle.sh BOARD sets it)
    fs.mkdirSync(path.join(BUILD, 'rpi4'), { recursive: true });
    const out = sh('bash', [path.join(TOP, 'board/common/rauc/mkbundle.sh'), 'rpi4', versionOf('rpi4')], {
      env: { ...process.env, O: BUILD, RELAIS_BUNDLE_ROOTFS: path.join(OUT, 'rootfs.ext4'), RELAIS_BUNDLE_BOOT: path.join(OUT, 'boot.vfat') },
    });
    const other = path.join(BUILD, 'rpi4', `relais-rpi4-${versionOf('rpi4')}.raucb`);
    assert.ok(fs.existsSync(other), out);
    const online = sb.proc.waitForLine(new RegExp(`booth ${BOOTH} online`), BOOT_S * 1000);
    await bootWithStick('2-other-board', other);
    const slot = await bootedSlot();
    const { m } = await qemu.waitFor(/relais-update-stick: install failed: (.*)/, { timeout: INSTALL_S * 1000 });
    assert.match(m[1], /Compatible mismatch: Expected 'relais-booth-qemu-arm64' but bundle manifest has 'relais-booth-rpi4'/);
    await online;
    const mark = qemu.mark();
    // nothing else happened: no reboot, the same slot still runs
    const rep = diagReport();
    assert.equal(rep.link.state, 'connected');
    assert.equal(qemu.lines.slice(mark).filter((x) => /relais: booting slot/.test(x.l)).length, 0);
    assert.equal(slot, 'A');
    // the switchboard heard why
    const rec = await recordWhere((b) => b.last_update?.result === 'install-failed', 'the install-failed report');
    assert.equal(rec.last_update.version, versionOf('rpi4'));
    assert.match(rec.last_update.detail, /Compatible mismatch/);
    assert.equal(rec.software, baseVersion);
    fs.rmSync(other);
  }));

test('an update from a stick: installed into the other slot, tried once, healthy, kept', () =>
  step('good update', async () => {
    need(baseVersion);
    const version = versionOf('u2');
    const file = bundle('good', version, [['/etc/relais-release', releaseOf('u2')]]);
    const t0 = Date.now();
    await bootWithStick('3-update', file);
    const installed = await qemu.waitFor(/relais-update-stick: installed (\S+); rebooting/, { timeout: INSTALL_S * 1000 });
    assert.equal(installed.m[1], version);
    const mark = qemu.mark();
    const online = sb.proc.waitForLine(new RegExp(`booth ${BOOTH} online`), BOOT_S * 1000);
    await qemu.waitFor(/relais: trying slot B once/, { from: mark });
    assert.equal(await bootedSlot(mark), 'B');
    await qemu.waitFor(/relais-booth-health.*boot: trying B/, { from: mark });
    const kept = await qemu.waitFor(/relais-booth-health: update report: kept (\S+) \(slot B/, { from: mark });
    assert.equal(kept.m[1], version);
    await online;
    const rec = await recordWhere((b) => b.last_update?.result === 'kept' && b.software === version, 'the kept report and the new software');
    assert.equal(rec.slot, 'B');
    assert.equal(rec.last_update.version, version);
    assert.equal(rec.last_update.from, baseVersion);
    assert.equal(rec.last_update.slot, 'B');
    runningVersion = version;
    console.log(`# update: stick in to the new slot kept: ${((Date.now() - t0) / 1000).toFixed(0)} s (install ${(installed.at / 1000).toFixed(0)} s after power-on)`);
    // the stick is still in: the same bundle is not installed again
    await qemu.waitFor(/was installed from a stick before: nothing to do/, { from: mark });
    fs.rmSync(file);
  }));

test('an update whose booth fails its health check: the next boot is the old slot, and the switchboard hears of it', () =>
  step('rollback', async () => {
    need(baseVersion);
    const version = versionOf('broken');
    // a build whose booth program cannot start, and a shorter deadline
    // for this test's patience (the tried slot's own unit reads it)
    const broken = release('#!/bin/sh\necho "relais-booth: this build is broken on purpose (check-image)" >&2\nexit 1\n');
    const dropin = release('[Service]\nEnvironment=RELAIS_HEALTH_DEADLINE_S=150\n');
    const file = bundle('broken', version, [
      ['/usr/bin/relais-booth', broken],
      ['/etc/relais-release', releaseOf('broken')],
      ['/etc/systemd/system/relais-booth-health.service.d/check-image.conf', dropin],
    ]);
    await bootWithStick('4-rollback', file);
    const old = await bootedSlot();
    const tried = old === 'A' ? 'B' : 'A';
    await qemu.waitFor(/relais-update-stick: installed (\S+); rebooting/, { timeout: INSTALL_S * 1000 });
    const mark = qemu.mark();
    await qemu.waitFor(new RegExp(`relais: trying slot ${tried} once`), { from: mark });
    await qemu.waitFor(new RegExp(`relais-booth-health.*boot: trying ${tried}`), { from: mark });
    await qemu.waitFor(new RegExp(`not healthy within 150 s`), { from: mark, timeout: (BOOT_S + 150) * 1000 });
    const back = qemu.mark();
    const online = sb.proc.waitForLine(new RegExp(`booth ${BOOTH} online`), BOOT_S * 1000);
    assert.equal(await bootedSlot(back), old, 'the old slot boots after the failed try');
    const rolled = await qemu.waitFor(/relais-booth-health: update report: rolled-back (\S+) \(slot ([AB])/, { from: back });
    assert.equal(rolled.m[1], version);
    assert.equal(rolled.m[2], tried);
    await online;
    const rec = await recordWhere((b) => b.last_update?.result === 'rolled-back', 'the rolled-back report');
    assert.equal(rec.last_update.version, version);
    assert.equal(rec.last_update.slot, tried);
    assert.match(rec.last_update.detail, /not healthy within 150 s/);
    assert.equal(rec.software, runningVersion, 'back on the version that ran before');
    assert.equal(rec.slot, old);
    fs.rmSync(file);
  }));

test('a power cut in the middle of an install: the old slot still boots', () =>
  step('power cut', async () => {
    need(baseVersion);
    const file = bundle('cut', versionOf('cut'), [['/etc/relais-release', releaseOf('cut')]]);
    await bootWithStick('5-power-cut', file);
    const running = await bootedSlot();
    // RAUC is writing the other slot's root: pull the cord
    const { m } = await qemu.waitFor(/rauc: +(\d+)% .*(Copying image|Updating slot|rootfs)/i, { timeout: INSTALL_S * 1000 });
    await qemu.pull();
    console.log(`# power cut at RAUC's "${m[0].replace(/^.*rauc: +/, '')}"`);
    const online = sb.proc.waitForLine(new RegExp(`booth ${BOOTH} online`), BOOT_S * 1000);
    await powerOn('6-after-cut');
    assert.equal(await bootedSlot(), running, 'the slot that ran before the cut');
    await qemu.waitFor(/relais-booth-health.*boot: normal/);
    await online;
    assert.equal(qemu.lines.filter((x) => /relais: trying slot/.test(x.l)).length, 0, 'no try of the half-written slot');
    const rec = await recordWhere((b) => b.slot === running, 'the booth back, on its slot');
    assert.equal(rec.software, runningVersion);
    assert.equal(rec.last_update.result, 'rolled-back', 'no new report: nothing was installed');
    fs.rmSync(file);
  }));

// A program run without blocking the serial console's reader: { code,
// stdout, stderr }.
function toolAsync(cmd, args, { env = {}, timeout = 60000 } = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

test('an update sent from afar: relaisctl update uploads it, the booth downloads and installs it, reboots into it, keeps it', () =>
  step('remote update', async () => {
    need(runningVersion);
    const version = versionOf('u3');
    const file = bundle('remote', version, [['/etc/relais-release', releaseOf('u3')]]);
    const online = sb.proc.waitForLine(new RegExp(`booth ${BOOTH} online`), BOOT_S * 1000);
    await powerOn('7-remote-update');
    const old = await bootedSlot();
    const target = old === 'A' ? 'B' : 'A';
    await qemu.waitFor(/relais-booth-health.*boot: normal/);
    await online;
    const t0 = Date.now();
    const mark = qemu.mark();
    // the administrator's side: upload, ask, and follow it to its end
    const asked = toolAsync(bin('relaisctl'), ['update', BOOTH, file, '--switchboard', sb.base, '--ca-file', caFile, '--login', ADMIN.login, '--wait', String(Math.ceil((INSTALL_S + 2 * BOOT_S) / 60))], {
      env: { RELAIS_PASSWORD: ADMIN.password },
      timeout: (INSTALL_S + 2 * BOOT_S + 120) * 1000,
    });
    // the booth's side: download, RAUC through D-Bus, the reboot through
    // relais-reboot.path, the one try, the health check
    await qemu.waitFor(/downloading the bundle/, { from: mark, timeout: INSTALL_S * 1000 });
    const reboot = qemu.mark();
    await qemu.waitFor(new RegExp(`relais: trying slot ${target} once`), { from: mark, timeout: INSTALL_S * 1000 });
    assert.equal(await bootedSlot(reboot), target);
    await qemu.waitFor(new RegExp(`relais-booth-health.*boot: trying ${target}`), { from: reboot });
    const kept = await qemu.waitFor(new RegExp(`relais-booth-health: update report: kept (\\S+) \\(slot ${target}`), { from: reboot });
    assert.equal(kept.m[1], version);
    const r = await asked;
    console.log(`# relaisctl update, the administrator's transcript (exit ${r.code}):\n${r.stdout.replace(/^/gm, '#   ')}`);
    assert.equal(r.code, 0, `relaisctl update: ${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^kept /m, 'the job followed to its end: kept');
    const rec = await recordWhere((b) => b.last_update?.result === 'kept' && b.software === version, 'the kept report and the new software');
    assert.equal(rec.slot, target);
    assert.equal(rec.last_update.from, runningVersion);
    console.log(`# update from afar: asked to kept: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    runningVersion = version;
    fs.rmSync(file);
  }));
