// SPDX-License-Identifier: GPL-2.0-or-later
// The technician screen on a real booth (relais-booth --ui, SDL offscreen):
// opened only by the gesture (top-left corner held 2 s, then top-right held
// 2 s) through the real touch path, never by one corner or a short press,
// never during a visitor's session; the PIN against the settings' hash;
// three wrong PINs lock it (a right PIN refused while locked); the right
// PIN shows the diagnostics report with every item, the camera picture and
// the speaker and TURN tests, and nothing about visitors; left alone it
// closes by itself and closes the camera. The golden images of its screens
// (fr, en) are test-ui-golden's.

import { describe, before, after, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { missingBinaries, tmpDir, outFile } from './lib/env.mjs';
import { UI_ARGS, UI_ENV, screen } from './lib/boothui.mjs';
import { startSwitchboard, startBooth } from './lib/relais.mjs';
import { until, freePort } from './lib/util.mjs';
import { TURNSERVER, startCoturn } from './lib/coturn.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const PIN = '2468';
// pinhash.h's format, made here as a provisioning tool would (the minimum
// iterations it accepts: tests need no slow hash)
function pinHash(pin) {
  const salt = crypto.randomBytes(16);
  const hash = crypto.pbkdf2Sync(pin, salt, 1000, 32, 'sha256');
  return `pbkdf2-sha256$1000$${salt.toString('base64')}$${hash.toString('base64')}`;
}

// UI_ARGS' screen is 1280x800: the two top corners
const TOP_LEFT = [10, 10];
const TOP_RIGHT = [1270, 10];
const HOLD = 2200;

async function press(ctl, [x, y], ms) {
  await ctl.run('press', String(x), String(y), String(ms));
}

async function gesture(ctl) {
  await press(ctl, TOP_LEFT, HOLD);
  await press(ctl, TOP_RIGHT, HOLD);
}

async function tech(ctl) {
  return (await ctl.status()).technician;
}

async function button(ctl, name) {
  const r = JSON.parse(await ctl.run('technician', name));
  return r.technician;
}

// The digits, OK, then the outcome: the hash is checked off the UI thread
async function enterPin(ctl, pin) {
  for (const d of pin) await button(ctl, d);
  await button(ctl, 'ok');
  let t;
  await until(async () => !(t = await tech(ctl)).checking, { timeout: 10000, interval: 50, what: 'the PIN checked' });
  return t;
}

// One raw command line on the control socket (what boothctl cannot send)
function raw(sock, line) {
  return new Promise((resolve, reject) => {
    const c = net.createConnection(sock);
    let buf = '';
    c.on('error', reject);
    c.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        c.end();
        resolve(JSON.parse(buf.slice(0, nl)));
      }
    });
    c.write(`${line}\n`);
  });
}

const ITEMS = [
  'software', 'board', 'booth', 'site', 'uptime', 'addresses', 'switchboard', 'link',
  'certificate', 'camera', 'microphone', 'speaker', 'turn', 'errors',
].map((i) => `ui.tech.item.${i}`);

describe('technician screen', { skip, timeout: 180000 }, () => {
  let dir, sb;
  const booths = [];
  const others = [];
  const boot = async (id, extra, { switchboard = sb, first = 'attract' } = {}) => {
    // a folder each: the control socket is <dir>/booth.sock
    const d = path.join(dir, id);
    fs.mkdirSync(d);
    const b = await startBooth({ dir: d, switchboard, boothId: id, extraArgs: [...UI_ARGS, ...extra], env: UI_ENV });
    booths.push(b);
    await screen(b.ctl, first);
    return b;
  };
  const openReport = async (ctl) => {
    await gesture(ctl);
    const t = await enterPin(ctl, PIN);
    assert.equal(t.mode, 'report');
    return t;
  };

  before(async () => {
    dir = tmpDir('technician');
    sb = await startSwitchboard({ dir });
  });
  after(async () => {
    for (const b of booths) await b.proc.stop();
    for (const p of others) await p.stop();
    await sb?.proc.stop();
  });

  it('one corner, a short press or the wrong order never open it', async () => {
    const { ctl } = await boot('tech-1', ['--technician-pin-hash', pinHash(PIN)]);
    // one corner held: no screen, and a held corner is no tap (attract's
    // whole screen is "start")
    await press(ctl, TOP_RIGHT, HOLD);
    assert.equal((await tech(ctl)).open, false, 'the right corner alone');
    assert.equal((await ctl.visitor()).screen, 'attract');
    await press(ctl, TOP_LEFT, HOLD);
    assert.equal((await tech(ctl)).open, false, 'the left corner alone');
    assert.equal((await ctl.visitor()).screen, 'attract');
    // a short press in a corner is a visitor's tap like any other (it
    // starts the journey) and breaks the gesture
    await press(ctl, TOP_LEFT, HOLD);
    await press(ctl, TOP_RIGHT, 300);
    assert.equal((await tech(ctl)).open, false, 'a short second press');
    await screen(ctl, 'language');
    await ctl.key('Escape');
    await screen(ctl, 'attract');
    await press(ctl, TOP_RIGHT, HOLD);
    // the wrong order: right then left
    await press(ctl, TOP_LEFT, HOLD);
    assert.equal((await tech(ctl)).open, false, 'right then left');
  });

  it('three wrong PINs lock it; a right PIN is refused while locked', async () => {
    const { ctl } = booths[0];
    await gesture(ctl);
    let t = await tech(ctl);
    assert.equal(t.open, true);
    assert.equal(t.mode, 'pin');
    assert.equal(t.attempts_left, 3);
    await ctl.screenshot(outFile('technician-pin.png'));
    t = await enterPin(ctl, '1111');
    assert.equal(t.mode, 'pin');
    assert.equal(t.pin_wrong, true);
    assert.equal(t.attempts_left, 2);
    assert.equal(t.pin_len, 0, 'the typed PIN is cleared');
    t = await enterPin(ctl, '9999');
    assert.equal(t.attempts_left, 1);
    t = await enterPin(ctl, '24680');
    assert.equal(t.mode, 'pin');
    assert.equal(t.attempts_left, 0);
    assert.ok(t.locked_s > 4 * 60 && t.locked_s <= 5 * 60, `locked for Kconfig's 5 minutes (${t.locked_s} s)`);
    // the right PIN now: refused, no report
    t = await enterPin(ctl, PIN);
    assert.equal(t.mode, 'pin');
    assert.ok(t.locked_s > 0);
    assert.equal(t.report, undefined);
    await ctl.screenshot(outFile('technician-locked.png'));
    // closing and opening again does not lift the lock
    await button(ctl, 'close');
    assert.equal((await tech(ctl)).open, false);
    await gesture(ctl);
    t = await enterPin(ctl, PIN);
    assert.equal(t.mode, 'pin');
    assert.ok(t.locked_s > 0, 'still locked');
    await button(ctl, 'close');
  });

  it('the right PIN shows every item of the report, the camera and the tests, nothing about visitors; left alone it closes', async () => {
    const { ctl } = await boot('tech-2', ['--technician-pin-hash', pinHash(PIN), '--ui-timeouts', 'technician=8']);
    await gesture(ctl);
    assert.equal((await tech(ctl)).mode, 'pin');
    let t = await enterPin(ctl, PIN);
    assert.equal(t.mode, 'report');
    assert.deepEqual(t.items, ITEMS);
    const r = t.report;
    assert.equal(typeof r.software.version, 'string');
    assert.equal(typeof r.software.build, 'string');
    assert.equal(r.board, 'sim');
    assert.equal(r.booth_id, 'tech-2');
    assert.equal(r.site, 'E2E Library');
    assert.ok(Number.isInteger(r.uptime_s) && r.uptime_s >= 0);
    assert.ok(Array.isArray(r.addresses));
    for (const a of r.addresses) assert.match(a, /^\S+ \S+\/\d+$/);
    assert.ok(['connected', 'connecting', 'offline'].includes(r.link.state));
    // the URL the booth was given (startBooth's choice of listener)
    assert.match(r.link.switchboard, /^wss?:\/\/127\.0\.0\.1:\d+\/ws\/booth$/);
    assert.ok(['valid', 'renew', 'expired', 'none', 'clock_unset'].includes(r.link.certificate_state));
    assert.ok('certificate_expires' in r.link);
    assert.ok(['ok', 'missing', 'error'].includes(r.camera.state));
    assert.ok(['ok', 'error'].includes(r.microphone.state));
    assert.ok('level_db' in r.microphone);
    assert.equal(r.speaker.state, 'untested');
    assert.equal(r.turn.state, 'not_configured', 'this switchboard gives no TURN server');
    assert.ok(Array.isArray(r.errors));
    // the camera for the technician, and the microphone's level
    await until(async () => (await ctl.visitor()).local_picture, { timeout: 10000, what: 'the camera picture' });
    assert.equal((await tech(ctl)).preview, true);
    assert.equal(typeof (await tech(ctl)).report.microphone.level_db, 'number', 'the level while the microphone is open');
    // the speaker: a real tone through the board's playback pipeline
    await button(ctl, 'speaker');
    await until(async () => (await tech(ctl)).report.speaker.state === 'ok', { timeout: 10000, what: 'the speaker test passing' });
    await button(ctl, 'turn');
    await until(async () => (await tech(ctl)).report.turn.state === 'not_configured', { timeout: 5000, what: 'the TURN test' });
    await ctl.screenshot(outFile('technician-report.png'));
    // the same report through the control socket (what the switchboard gets)
    const d = JSON.parse(await ctl.run('diag')).report;
    assert.deepEqual(Object.keys(d).sort(), Object.keys(r).sort());
    // nothing about visitors in it, ever
    const text = JSON.stringify(d);
    for (const word of ['topic', 'language', 'chat', 'booking', 'answers', 'call', 'ticket'])
      assert.ok(!text.includes(`"${word}`), `no '${word}' in the report`);
    // left alone: it closes, with the camera
    t = await tech(ctl);
    assert.equal(t.open, true);
    await until(async () => !(await tech(ctl)).open, { timeout: 20000, what: 'the screen closing by itself' });
    t = await tech(ctl);
    assert.equal(t.mode, 'closed');
    assert.equal(t.preview, false);
    const v = await ctl.visitor();
    assert.equal(v.preview_running, false);
    assert.equal(v.local_picture, false, 'no picture left on the screen');
    assert.equal(v.screen, 'attract');
    // a visitor's journey under way: the gesture does nothing
    await ctl.tap('language', 'en');
    await screen(ctl, 'question');
    await gesture(ctl);
    assert.equal((await tech(ctl)).open, false, "not during a visitor's journey");
    assert.equal((await ctl.visitor()).screen, 'question');
  });

  it('without a technician PIN the screen says it is not set up and opens nothing', async () => {
    const { ctl } = await boot('tech-3', []);
    await gesture(ctl);
    let t = await tech(ctl);
    assert.equal(t.mode, 'not_set_up');
    assert.equal(t.set_up, false);
    await assert.rejects(ctl.run('technician', '1'), /no technician button/);
    await ctl.screenshot(outFile('technician-not-set-up.png'));
    t = await button(ctl, 'close');
    assert.equal(t.open, false);
    assert.equal((await ctl.visitor()).screen, 'attract');
  });

  it('opens from the out-of-order screen, with the fault among the last errors', async () => {
    const { ctl } = await boot('tech-5', ['--technician-pin-hash', pinHash(PIN), '--board', 'nosuch'], { first: 'out_of_order' });
    const t = await openReport(ctl);
    const r = t.report;
    assert.equal(r.board, 'nosuch');
    assert.equal(r.camera.state, 'error');
    assert.ok(r.errors.length >= 1, 'the fault was a warning');
    const last = r.errors.at(-1);
    assert.match(last.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(last.message, /out of order/);
    assert.equal(t.preview, false, 'an out-of-order booth opens no camera');
    await button(ctl, 'close');
    await screen(ctl, 'out_of_order');
  });

  it('Test TURN: a real coturn is reachable, a dead address is not', { skip: !fs.existsSync(TURNSERVER) && 'coturn is not installed' }, async () => {
    const secret = crypto.randomBytes(24).toString('hex');
    const secretFile = path.join(dir, 'turn-secret');
    fs.writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
    const coturn = await startCoturn(dir, secret);
    others.push(coturn.proc);
    const dead = await freePort();
    const cases = [
      ['tech-6', `turn:127.0.0.1:${coturn.port}?transport=udp`, 'reachable', /^relayed candidate 127\.0\.0\.1:\d+ in \d+ ms$/],
      ['tech-7', `turn:127.0.0.1:${dead}?transport=udp`, 'unreachable', /no relayed candidate|without a relayed candidate/],
    ];
    for (const [id, url, want, detail] of cases) {
      const d = path.join(dir, `sb-${id}`);
      fs.mkdirSync(d);
      const tsb = await startSwitchboard({ dir: d, extraArgs: ['--turn-url', url, '--turn-secret-file', secretFile] });
      others.push(tsb.proc);
      // coturn listens on loopback: the booth's media addresses too
      const { ctl } = await boot(id, ['--technician-pin-hash', pinHash(PIN), '--ice-address', '127.0.0.1'], { switchboard: tsb });
      await until(async () => (await ctl.status()).link === 'up', { timeout: 10000, what: 'the link up (TURN credentials given)' });
      const t = await openReport(ctl);
      assert.equal(t.report.turn.state, 'untested');
      await button(ctl, 'turn');
      let r;
      await until(async () => !['untested', 'testing'].includes((r = (await tech(ctl)).report.turn).state), { timeout: 10000, what: `the TURN test (${id})` });
      assert.equal(r.state, want, JSON.stringify(r));
      assert.match(r.detail, detail);
      assert.ok(!JSON.stringify(r).includes(secret), 'no credentials in the report');
      await button(ctl, 'close');
    }
  });

  it('refuses bad control input clearly', async () => {
    const { ctl, sock } = booths[2];
    const bad = [
      ['{"cmd":"touch"}', /needs 'down'/],
      ['{"cmd":"touch","down":"yes","x":1,"y":1}', /needs 'down'/],
      ['{"cmd":"touch","down":true,"x":1.5,"y":1}', /integers 'x' and 'y'/],
      ['{"cmd":"touch","down":true,"x":1,"y":99999999999}', /integers 'x' and 'y'/],
      ['{"cmd":"touch","down":true,"x":-1,"y":0}', /off the 1280x800 screen/],
      ['{"cmd":"technician"}', /no technician button ''/],
      ['{"cmd":"technician","button":42}', /no technician button ''/],
    ];
    for (const [line, want] of bad) {
      const r = await raw(sock, line);
      assert.equal(r.ok, false, line);
      assert.match(r.error, want, line);
    }
    assert.equal((await tech(ctl)).open, false, 'nothing opened by any of it');
    await assert.rejects(ctl.run('press', '99999', '1', '100'), /off the 1280x800 screen/);
    await assert.rejects(ctl.run('press', 'x', '1', '100'), /needs X Y MS/);
    await assert.rejects(ctl.run('technician', 'nope'), /no technician button 'nope'/);
  });
});
