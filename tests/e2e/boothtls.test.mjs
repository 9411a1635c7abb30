// SPDX-License-Identifier: GPL-2.0-or-later
// The booth listener (issue 10, firmware/switchboard/ENROL.md) against a
// real relais-switchboard, a real test CA (the switchboard's booth CA) and
// clients that lie: /ws/booth accepts only enrolled booths, and a booth may
// only speak for itself.
//   - enrolment: a good token enrols; a reused, forged or expired token is
//     refused (401); a request naming another booth is refused (403);
//   - no certificate: the upgrade is refused (403) and nothing is said;
//   - a certificate from another CA: the TLS handshake fails;
//   - a valid certificate and a hello naming another booth: an error and
//     close 1008, no welcome, no TURN credentials, no queue, no call, and
//     the real booth is not knocked off; a hello naming another site: the
//     booth stays at the site it is registered at;
//   - revoked from the command line (another process) while connected: the
//     link closes (4003) within RELAIS_SB_BOOTH_RECHECK_S, the next handshake
//     fails, a renewal is refused;
//   - renewal over mutual TLS gives a new certificate; an expired one is
//     refused at the handshake (a switchboard issuing 3 s certificates);
//   - the advisers' port has no /ws/booth.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { bin, missingBinaries, tmpDir } from './lib/env.mjs';
import { startSwitchboard, httpRequest, boothToken } from './lib/relais.mjs';
import { run } from './lib/procs.mjs';
import { suiteSteps } from './lib/scripted.mjs';
import { WsClient } from './lib/ws.mjs';
import { until } from './lib/util.mjs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;
const SITE = 'Bibliothèque TLS';
const RECHECK_S = 5; // Kconfig RELAIS_SB_BOOTH_RECHECK_S

// A P-256 key and a request for CN=`cn` (openssl, as a booth's would be).
async function keyAndCsr(dir, cn) {
  const key = path.join(dir, `${cn}-${crypto.randomUUID()}.key`);
  const csr = `${key}.csr`;
  const r = await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`]);
  assert.equal(r.code, 0, r.stderr);
  return { key: fs.readFileSync(key), csr: fs.readFileSync(csr) };
}

// A CA of our own (not the switchboard's) and a client certificate from it.
async function foreignIdentity(dir, cn) {
  const caKey = path.join(dir, 'foreign-ca.key');
  const caCrt = path.join(dir, 'foreign-ca.crt');
  let r = await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKey, '-out', caCrt, '-subj', '/CN=Not the booth CA', '-days', '2']);
  assert.equal(r.code, 0, r.stderr);
  const { key, csr } = await keyAndCsr(dir, cn);
  const csrFile = path.join(dir, 'foreign.csr');
  fs.writeFileSync(csrFile, csr);
  const crt = path.join(dir, 'foreign.crt');
  r = await run('openssl', ['x509', '-req', '-in', csrFile, '-CA', caCrt, '-CAkey', caKey, '-CAcreateserial', '-out', crt, '-days', '1']);
  assert.equal(r.code, 0, r.stderr);
  return { key, cert: fs.readFileSync(crt) };
}

// A TLS handshake with the booth listener presenting `cert`: resolves
// 'ok' or the error's text. TLS 1.3 sends the server's verdict on the
// client certificate after the handshake: read until the first byte or
// the alert.
function handshake(sb, { key, cert }) {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port: sb.boothPort, ca: sb.boothCa, key, cert });
    s.once('secureConnect', () => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    s.once('data', () => {
      s.destroy();
      resolve('ok');
    });
    s.once('error', (err) => resolve(String(err.code || err.message)));
    s.once('end', () => resolve('closed'));
  });
}

describe('the booth listener: enrolled booths only, each speaking for itself', { skip, timeout: 180000 }, () => {
  const dir = tmpDir('boothtls');
  let sb;
  const sockets = [];
  const suite = suiteSteps(dir, () => ({ sb }));
  const step = suite.step;
  const est = (which, { token, body, key, cert } = {}) =>
    new Promise((resolve, reject) => {
      const u = new URL(`${sb.boothBase}/.well-known/est/${which}`);
      const req = tls.connect({ host: '127.0.0.1', port: sb.boothPort, ca: sb.boothCa, ...(cert ? { key, cert } : {}) }, () => {
        req.write(
          `POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\nContent-Type: application/pkcs10\r\n` +
            (token ? `Authorization: Bearer ${token}\r\n` : '') +
            `Content-Length: ${body.length}\r\n\r\n`,
        );
        req.end(body);
      });
      let text = '';
      req.on('data', (d) => (text += d));
      req.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0), body: text.split('\r\n\r\n').slice(1).join('\r\n\r\n') }));
      req.on('error', reject);
    });

  before(async () => {
    fs.mkdirSync(dir, { recursive: true });
    sb = await startSwitchboard({ dir, extraArgs: ['--ice-server', 'stun://127.0.0.1:3478'] });
  });
  after(() => suite.end(sockets));

  step('enrolment: a good token once; reused, forged, another booth\'s name refused', async () => {
    const token = await boothToken(sb.dataDir, 'tls-1', SITE);
    assert.match(token, /^[A-Za-z0-9_-]{43,}$/, 'at least 256 bits, base64url');
    const mine = await keyAndCsr(dir, 'tls-1');
    // a request naming another booth is refused, and burns nothing
    const other = await keyAndCsr(dir, 'tls-2');
    let r = await est('simpleenroll', { token, body: other.csr });
    assert.equal(r.status, 403, r.body);
    r = await est('simpleenroll', { token: 'A'.repeat(43), body: mine.csr });
    assert.equal(r.status, 401, 'a forged token');
    r = await est('simpleenroll', { body: mine.csr });
    assert.equal(r.status, 401, 'no token');
    r = await est('simpleenroll', { token, body: 'not a request' });
    assert.equal(r.status, 400);
    r = await est('simpleenroll', { token, body: mine.csr });
    assert.equal(r.status, 200, r.body);
    const cert = new crypto.X509Certificate(r.body);
    assert.match(cert.subject, /CN=tls-1/);
    assert.ok(cert.checkPrivateKey(crypto.createPrivateKey(mine.key)), 'for the key made on the booth');
    assert.ok(cert.verify(new crypto.X509Certificate(fs.readFileSync(path.join(sb.dataDir, 'booth-ca.crt'))).publicKey), 'signed by the booth CA');
    r = await est('simpleenroll', { token, body: mine.csr });
    assert.equal(r.status, 401, 'the token is single use');
    // an expired token: made, then aged in the store
    const old = await boothToken(sb.dataDir, 'tls-old', SITE);
    const sql = await run('sqlite3', ['-cmd', '.timeout 5000', path.join(sb.dataDir, 'relais.db'), "UPDATE enrol_tokens SET created = strftime('%s','now') - 7200, expires = strftime('%s','now') - 1 WHERE booth_id = 'tls-old';"]);
    assert.equal(sql.code, 0, sql.stderr);
    r = await est('simpleenroll', { token: old, body: (await keyAndCsr(dir, 'tls-old')).csr });
    assert.equal(r.status, 401, 'an expired token');
  });

  step('no certificate: /ws/booth refuses the upgrade (403), says nothing else', async () => {
    const err = await WsClient.connect(sb.wsUrl('booth'), { ca: sb.boothCa }).then(
      () => null,
      (e) => e,
    );
    assert.equal(err?.status, 403);
    // the advisers' port has no /ws/booth at all
    const plain = await WsClient.connect(`ws://127.0.0.1:${sb.port}/ws/booth`, { origin: null }).then(
      () => null,
      (e) => e,
    );
    assert.equal(plain?.status, 403);
    const page = await httpRequest(`${sb.base}/ws/booth`);
    assert.match(page.body, /booth listener/);
    assert.match((await sb.metrics()).body, /relais_booths_connected 0\b/);
  });

  step('a certificate from another CA fails the TLS handshake', async () => {
    const foreign = await foreignIdentity(dir, 'tls-1');
    assert.notEqual(await handshake(sb, foreign), 'ok');
    await until(async () => /booth certificate refused at the handshake/.test(sb.proc.tailText(30)), { what: 'the refusal logged' });
  });

  step('a valid certificate and a hello naming another booth: nothing; the real booth stays', async () => {
    const real = await sb.boothWs('tls-real', { site: SITE });
    sockets.push(real);
    const w = await real.request({ type: 'hello', version: 1, role: 'booth', booth_id: 'tls-real', site: SITE, board: 'sim' }, 'welcome');
    assert.ok(Array.isArray(w.ice_servers) && w.ice_servers.length > 0, 'the real booth gets its ICE servers');
    const liar = await sb.boothWs('tls-1', { site: SITE });
    sockets.push(liar);
    liar.send({ type: 'hello', version: 1, role: 'booth', booth_id: 'tls-real', site: SITE, board: 'sim' });
    const err = await liar.next((m) => m.type === 'error');
    assert.equal(err.code, 'field');
    const { code } = await liar.waitClosed();
    assert.equal(code, 1008);
    assert.equal(liar.messages.filter((m) => m.type === 'welcome' || m.ice_servers).length, 0, 'no welcome, no TURN credentials');
    assert.ok(!real.ended, 'the real booth is not knocked off');
    assert.match((await sb.metrics()).body, /relais_booths_connected 1\b/);
    // and the real one still works: it queues
    const q = await real.request({ type: 'request', language: 'fr', topic: 'job-search' }, 'queued');
    assert.ok(q.ticket);
    real.send({ type: 'cancel', ticket: q.ticket });
  });

  step('a booth is at the site it is registered at, whatever its hello says', async () => {
    const adviser = await sb.adviserWs();
    sockets.push(adviser);
    await adviser.request({ type: 'hello', version: 1, role: 'adviser', name: 'x' }, 'welcome');
    const ws = await sb.boothWs('tls-moved', { site: SITE });
    sockets.push(ws);
    await ws.request({ type: 'hello', version: 1, role: 'booth', booth_id: 'tls-moved', site: 'Somewhere else', board: 'sim' }, 'welcome');
    const listed = await adviser.next((m) => (m.type === 'booths' || m.type === 'booths_changed') && m.booths.some((b) => b.booth_id === 'tls-moved'));
    assert.equal(listed.booths.find((b) => b.booth_id === 'tls-moved').site, SITE);
    await until(async () => /booth tls-moved says site 'Somewhere else': it is registered at 'Bibliothèque TLS'/.test(sb.proc.tailText(30)), { what: 'the mismatch logged' });
    ws.close();
  });

  step('revoked from the command line while connected: closed within the re-check, then refused at the handshake', async () => {
    const id = await sb.boothIdentity('tls-1', SITE);
    const ws = await sb.boothWs('tls-1', { site: SITE });
    sockets.push(ws);
    await ws.request({ type: 'hello', version: 1, role: 'booth', booth_id: 'tls-1', site: SITE, board: 'sim' }, 'welcome');
    const r = await run(bin('relais-switchboard'), ['--data', sb.dataDir, 'booth', 'revoke', 'tls-1']);
    assert.equal(r.code, 0, r.stderr);
    const t0 = Date.now();
    const { code } = await ws.waitClosed();
    assert.equal(code, 4003);
    assert.ok(Date.now() - t0 <= (RECHECK_S + 2) * 1000, `closed after ${Date.now() - t0} ms`);
    assert.notEqual(await handshake(sb, id), 'ok');
    // a renewal: refused at the handshake (reset) or, at the latest, by the route
    const renew = await est('simplereenroll', { ...id, body: (await keyAndCsr(dir, 'tls-1')).csr }).catch((err) => ({ status: err.code }));
    assert.ok([0, 403, 'ECONNRESET', 'EPIPE'].includes(renew.status), `a revoked booth cannot renew (${renew.status})`);
  });

  step('renewal over mutual TLS; an expired certificate is refused at the handshake', async () => {
    const shortDir = path.join(dir, 'short');
    fs.mkdirSync(shortDir);
    const short = await startSwitchboard({ dir: shortDir, extraArgs: ['--booth-cert-seconds', '3'] });
    const id = await short.boothIdentity('tls-short', SITE);
    const first = new crypto.X509Certificate(id.cert);
    const estShort = (body) =>
      new Promise((resolve, reject) => {
        const req = tls.connect({ host: '127.0.0.1', port: short.boothPort, ca: short.boothCa, key: id.key, cert: id.cert }, () => {
          req.write(`POST /.well-known/est/simplereenroll HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/pkcs10\r\nContent-Length: ${body.length}\r\n\r\n`);
          req.end(body);
        });
        let text = '';
        req.on('data', (d) => (text += d));
        req.on('end', () => resolve(text));
        req.on('error', reject);
      });
    const answer = await estShort(fs.readFileSync(path.join(shortDir, 'tls-short.identity.csr')));
    assert.match(answer, /^HTTP\/1\.1 200/, answer);
    const renewed = new crypto.X509Certificate(answer.slice(answer.indexOf('-----BEGIN')));
    assert.notEqual(renewed.serialNumber, first.serialNumber, 'a new certificate');
    assert.match(renewed.subject, /CN=tls-short/);
    // the first one runs out (3 s); wait for its end, then it is refused
    await until(async () => Date.now() > Date.parse(first.validTo) + 1000, { timeout: 10000, interval: 250, what: 'the certificate to expire' });
    assert.notEqual(await handshake(short, id), 'ok');
    await until(async () => /booth certificate refused at the handshake: .*expire/i.test(short.proc.tailText(30)), { what: 'the expiry logged' });
  });
});
