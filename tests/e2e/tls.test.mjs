// SPDX-License-Identifier: GPL-2.0-or-later
// TLS: `make-cert` makes a usable self-signed certificate; the switchboard
// serves HTTPS and WSS with it on 127.0.0.1 (Secure cookies, https Origin);
// a booth that trusts it (--ca-file) and Chromium (its SPKI pinned) make a
// call; a booth trusting another CA never connects and says why, retrying;
// plain HTTP on a non-loopback address is refused at the command line.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bin, missingBinaries, tmpDir } from './lib/env.mjs';
import { run } from './lib/procs.mjs';
import { makeCert, startBooth, ADVISER } from './lib/relais.mjs';
import { Stack, requestAndAccept, waitMedia, endFromPage, until } from './lib/scenario.mjs';
import { WsClient } from './lib/ws.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

describe('TLS', { skip, timeout: 180000 }, () => {
  const dir = tmpDir('tls');
  let cert;
  let other;

  before(async () => {
    cert = await makeCert(path.join(dir, 'cert'));
    other = await makeCert(path.join(dir, 'other'));
  });

  after(() => {
    if (!process.env.RELAIS_E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('make-cert writes a certificate for localhost and 127.0.0.1, a 0600 key, its fingerprints', async () => {
    assert.equal(cert.code, 0, cert.stderr);
    assert.match(cert.stderr, /wrote .*switchboard\.crt and .*switchboard\.key/);
    assert.match(cert.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(Buffer.from(cert.spki, 'base64').length, 32);
    assert.equal(fs.statSync(cert.key).mode & 0o777, 0o600);

    const x509 = new crypto.X509Certificate(fs.readFileSync(cert.cert));
    assert.equal(x509.fingerprint256, cert.fingerprint);
    assert.match(x509.subjectAltName, /DNS:localhost/);
    assert.match(x509.subjectAltName, /IP Address:127\.0\.0\.1/);
    assert.ok(x509.checkPrivateKey(crypto.createPrivateKey(fs.readFileSync(cert.key))));
    assert.equal(x509.publicKey.asymmetricKeyDetails.namedCurve, 'prime256v1');
    const days = (Date.parse(x509.validTo) - Date.now()) / 86400e3;
    assert.ok(days > 89 && days <= 90, `valid for ${days} days`);
    const spki = crypto.createHash('sha256').update(x509.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    assert.equal(spki, cert.spki);

    // an existing pair is kept unless --force
    const again = await makeCert(path.join(dir, 'cert'));
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists \(--force replaces it\)/);
    assert.equal(new crypto.X509Certificate(fs.readFileSync(cert.cert)).fingerprint256, cert.fingerprint);
    const bad = await makeCert(path.join(dir, 'bad'), ['--days', '0']);
    assert.equal(bad.code, 2);
  });

  it('plain HTTP only on loopback; --tls-cert and --tls-key together, a matching pair', async () => {
    const data = path.join(dir, 'cli-data');
    const sb = (...args) => run(bin('relais-switchboard'), ['--data', data, '--port', '0', ...args]);
    for (const addr of ['0.0.0.0', '192.0.2.1', '::']) {
      const r = await sb('--bind', addr);
      assert.equal(r.code, 2, `--bind ${addr}: ${r.stderr}`);
      assert.match(r.stderr, /plain HTTP is only allowed on loopback; give --tls-cert and --tls-key/);
    }
    let r = await sb('--tls-cert', cert.cert);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--tls-cert and --tls-key go together/);
    r = await sb('--tls-cert', cert.cert, '--tls-key', other.key);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`key '${other.key}' does not belong to certificate '${cert.cert}'`), r.stderr);
    r = await sb('--tls-cert', path.join(dir, 'missing.crt'), '--tls-key', cert.key);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(path.join(dir, 'missing.crt')), r.stderr);
    assert.ok(!fs.existsSync(path.join(data, 'relais.db')), 'refused before the store is opened');
  });

  it('HTTPS + WSS: Secure cookie, https Origin, a call with a booth on --ca-file; a booth with another CA stays out', async (t) => {
    const stack = new Stack('tls-call');
    t.after(() => stack.stop());
    await stack.run(async () => {
      await stack.start({ tls: { cert: cert.cert, key: cert.key }, browserArgs: [`--ignore-certificate-errors-spki-list=${cert.spki}`] });
      const { sb, page } = stack;
      assert.match(stack.sb.proc.tail.join('\n'), /listening on https:\/\/127\.0\.0\.1:\d+\//);
      assert.match(page.url(), /^https:\/\/127\.0\.0\.1:\d+\//);

      // the browser's session cookie
      const cookie = (await stack.adviser.context.cookies()).find((c) => c.name === 'relais_session');
      assert.ok(cookie, 'session cookie set');
      assert.equal(cookie.secure, true);
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Strict');

      // from Node: Set-Cookie has Secure; the Origin must be https://
      const login = await sb.login();
      assert.equal(login.status, 200);
      assert.match(login.headers['set-cookie'][0], /; HttpOnly; SameSite=Strict; Secure$/);
      const http = `http://127.0.0.1:${sb.port}`;
      const cross = await sb.login(ADVISER.login, ADVISER.password, { Origin: http });
      assert.equal(cross.status, 403);
      await assert.rejects(WsClient.connect(sb.wsUrl('adviser'), { cookie: login.cookie, ca: sb.ca, origin: http }), (err) => err.status === 403);
      const ws = await WsClient.connect(sb.wsUrl('adviser'), { cookie: login.cookie, ca: sb.ca });
      ws.close();

      // the booth came in over wss:// and a call flows
      assert.equal((await stack.booth.ctl.status()).link, 'up');
      await requestAndAccept(stack);
      await waitMedia(stack);
      await endFromPage(stack);

      // a booth that trusts another certificate never gets in, says why, retries
      const wrongDir = path.join(stack.dir, 'wrong-ca');
      fs.mkdirSync(wrongDir);
      const wrong = await startBooth({ dir: wrongDir, switchboard: sb, boothId: 'e2e-wrong-ca', caFile: other.cert, linked: false });
      // its first contact is the enrolment: refused there, said, retried
      await wrong.proc.waitForLine(/switchboard certificate error at https:\/\/127\.0\.0\.1:\d+\/\.well-known\/est\/simpleenroll: not signed by a trusted CA/, 10000);
      await wrong.proc.waitForLine(/switchboard certificate error/, 10000);
      assert.ok(wrong.proc.running, 'the booth keeps running');
      const status = await wrong.ctl.status();
      assert.notEqual(status.link, 'up');
      assert.equal(status.state, 'out_of_order');
      assert.match(status.reason, /certificate|enrol/i);
      await until(async () => /relais_booths_connected 1\b/.test((await sb.metrics()).body), { timeout: 3000, what: 'only the good booth connected' });
      await page.waitForSelector('[data-testid="booth-row"][data-booth-id="e2e-1"]');
      assert.equal(await page.locator('[data-testid="booth-row"][data-booth-id="e2e-wrong-ca"]').count(), 0);
    });
  });
});
