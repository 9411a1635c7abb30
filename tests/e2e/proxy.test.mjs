// SPDX-License-Identifier: GPL-2.0-or-later
// Behind a reverse proxy (issue 12, item 6): Debian's HAProxy on loopback
// terminates TLS (a certificate from a test CA made here with openssl) in
// front of a plain-HTTP switchboard that believes the forwarding headers of
// the proxy's address (127.0.0.10) and of a second, inner hop (127.0.0.11)
// only (--trusted-proxy). Clients come from distinct loopback addresses.
// Each case is named for the hostile input:
//  - through the proxy: the cookie keeps Secure, the Origin must be https,
//    a WebSocket works, and one client address at its sign-in limit
//    (127.0.0.2) does not slow another (127.0.0.3);
//  - the spoofed headers from an untrusted address: a direct client's
//    X-Forwarded-For / Forwarded / X-Forwarded-Proto have no effect (its own
//    address is counted), nor do those a client sends through the proxy;
//  - the metrics rule sees the real client, not the proxy: a client the
//    inner hop names off this machine must sign in as an admin.
// HAProxy runs in the foreground (-db) with a config in the test's temp
// folder, never as a service; it is killed and the folder removed in after()
// whatever the cases did.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { bin, missingBinaries, tmpDir } from './lib/env.mjs';
import { Proc, run } from './lib/procs.mjs';
import { startSwitchboard, ADVISER, httpRequest } from './lib/relais.mjs';
import { WsClient } from './lib/ws.mjs';
import { freePort, until } from './lib/util.mjs';

const HAPROXY = process.env.RELAIS_HAPROXY ?? '/usr/sbin/haproxy';
const missing = missingBinaries('relais-switchboard');
if (!fs.existsSync(HAPROXY)) missing.push(`${HAPROXY} (apt-get install haproxy: board/host/packages.txt)`);
const skip = missing.length ? `missing: ${missing.join(', ')}` : false;

// the proxy's address towards the switchboard, and an inner hop in front of it
const PROXY_ADDR = '127.0.0.10';
const INNER_HOP = '127.0.0.11';
// Kconfig defaults (firmware/switchboard/Kconfig)
const MAX_PER_ADDRESS = 20; // failed sign-ins per address and window
const PREHELLO_MAX_PER_ADDRESS = 8; // WebSockets waiting for their hello

// A CA and a server certificate for 127.0.0.1 signed by it (EC P-256), as an
// operator's own CA would issue; HAProxy takes the certificate and its key
// in one file. Resolves { ca, pem } (ca: the CA's PEM, pem: HAProxy's file).
async function makeTestCa(dir) {
  const f = (name) => path.join(dir, name);
  const openssl = async (...args) => {
    const r = await run('openssl', args);
    if (r.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('ca.key'),
    '-out', f('ca.crt'), '-days', '1', '-subj', '/CN=Relais proxy test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  await openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('proxy.key'),
    '-out', f('proxy.csr'), '-subj', '/CN=localhost');
  fs.writeFileSync(f('proxy.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  await openssl('x509', '-req', '-in', f('proxy.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-days', '1', '-extfile', f('proxy.ext'), '-out', f('proxy.crt'));
  fs.writeFileSync(f('proxy.pem'), Buffer.concat([fs.readFileSync(f('proxy.crt')), fs.readFileSync(f('proxy.key'))]), { mode: 0o600 });
  return { ca: fs.readFileSync(f('ca.crt')), pem: f('proxy.pem') };
}

// The configuration of firmware/switchboard/README.md "Behind a reverse
// proxy", on loopback ports. `source` pins the address HAProxy connects to
// the switchboard from (the one it trusts). `http-reuse always` is the
// hardest case for the switchboard: requests of different clients follow
// one another on one kept-alive connection, so who the client is must be
// decided per request, never per connection.
function haproxyConfig({ port, pem, sbPort }) {
  return `global
    maxconn 256

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    # an adviser's WebSocket stays open for hours: the tunnel's idle timeout
    timeout tunnel 1h

frontend relais_https
    bind 127.0.0.1:${port} ssl crt ${pem}
    # the proxy writes X-Forwarded-For and X-Forwarded-Proto; whatever a
    # client sent as Forwarded would be read first: it goes
    http-request del-header Forwarded
    http-request set-header X-Forwarded-Proto https
    option forwardfor
    default_backend relais_switchboard

backend relais_switchboard
    http-reuse always
    server sb 127.0.0.1:${sbPort} source ${PROXY_ADDR}
`;
}

// One request through the proxy (https) or straight to the switchboard
// (http), from `localAddress`, on a connection of its own. Resolves
// { status, headers, body, json, ms }.
const request = (url, opts = {}) => httpRequest(url, { ...opts, timeout: 30000, fresh: true });

describe('behind a reverse proxy (HAProxy terminating TLS)', { skip, timeout: 240000 }, () => {
  const dir = tmpDir('proxy');
  let sb;
  let haproxy;
  let ca;
  let proxyBase;
  let origin; // the page's origin as the browser sees it: https://127.0.0.1:PORT

  // through the proxy, from `localAddress`
  const viaProxy = (p, opts = {}) => request(`${proxyBase}${p}`, { ca, ...opts });
  // straight to the switchboard, bypassing the proxy
  const direct = (p, opts = {}) => request(`${sb.base}${p}`, opts);
  const signIn = (send, login, password, { localAddress, headers = {} } = {}) =>
    send('/api/login', {
      method: 'POST',
      localAddress,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ login, password }),
    });
  // the switchboard's log so far (its file: the in-memory tail is short)
  const logLines = () => fs.readFileSync(sb.proc.logPath, 'utf8').split('\n');
  const logged = (re) => logLines().some((l) => re.test(l));
  const loggedCount = (re) => logLines().filter((l) => re.test(l)).length;

  before(async () => {
    const tls = await makeTestCa(dir);
    ca = tls.ca;
    sb = await startSwitchboard({ dir, extraArgs: ['--trusted-proxy', `${PROXY_ADDR}/32`, '--trusted-proxy', INNER_HOP] });
    assert.match(sb.proc.tail.join('\n'), new RegExp(`believing Forwarded / X-Forwarded-For / X-Forwarded-Proto from ${PROXY_ADDR}, ${INNER_HOP} only`));
    const port = await freePort();
    const cfg = path.join(dir, 'haproxy.cfg');
    fs.writeFileSync(cfg, haproxyConfig({ port, pem: tls.pem, sbPort: sb.port }));
    const check = await run(HAPROXY, ['-c', '-f', cfg]);
    assert.equal(check.code, 0, `haproxy -c: ${check.stdout}${check.stderr}`);
    haproxy = new Proc('haproxy', HAPROXY, ['-db', '-f', cfg], { dir });
    proxyBase = `https://127.0.0.1:${port}`;
    origin = proxyBase;
    await until(async () => (await viaProxy('/healthz')).status === 200, { timeout: 10000, what: 'the switchboard through HAProxy' });
  });

  after(async () => {
    await haproxy?.stop();
    await sb?.proc.stop();
    if (!process.env.RELAIS_E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('through the proxy: the cookie keeps Secure, the Origin must be https (http:// refused)', async () => {
    const ok = await signIn(viaProxy, ADVISER.login, ADVISER.password, { localAddress: '127.0.0.3', headers: { Origin: origin } });
    assert.equal(ok.status, 200, ok.body);
    assert.match(ok.headers['set-cookie'][0], /; HttpOnly; SameSite=Strict; Secure$/);
    await until(() => logged(/signed in from 127\.0\.0\.3$/), { what: 'the sign-in logged with the real client' });
    const cross = await signIn(viaProxy, ADVISER.login, ADVISER.password, { localAddress: '127.0.0.3', headers: { Origin: origin.replace('https:', 'http:') } });
    assert.equal(cross.status, 403);
    assert.equal(cross.json.error, 'cross-origin request refused');
    // the same switchboard straight over plain HTTP: as without a proxy
    const plain = await signIn(direct, ADVISER.login, ADVISER.password, { headers: { Origin: sb.base } });
    assert.equal(plain.status, 200, plain.body);
    assert.doesNotMatch(plain.headers['set-cookie'][0], /Secure/);
  });

  it('through the proxy: an adviser WebSocket (wss://) is upgraded and talks; an http:// Origin is refused', async () => {
    const login = await signIn(viaProxy, ADVISER.login, ADVISER.password, { localAddress: '127.0.0.3' });
    assert.equal(login.status, 200, login.body);
    const cookie = login.headers['set-cookie'][0].split(';')[0];
    const url = `${proxyBase.replace('https:', 'wss:')}/ws/adviser`;
    const ws = await WsClient.connect(url, { cookie, ca, localAddress: '127.0.0.2' });
    try {
      const w = await ws.request({ type: 'hello', version: 1, role: 'adviser', name: 'via proxy' }, 'welcome');
      assert.equal(w.type, 'welcome');
      ws.send({ type: 'ping' });
      await ws.next((m) => m.type === 'pong', { what: 'pong through the proxy' });
    } finally {
      ws.destroy();
    }
    await assert.rejects(WsClient.connect(url, { cookie, ca, localAddress: '127.0.0.2', origin: origin.replace('https:', 'http:') }), (err) => err.status === 403);
  });

  it('the lock-out through the proxy: 127.0.0.2 at its sign-in limit does not slow 127.0.0.3', async () => {
    // wrong guesses from 127.0.0.2, each on another (unknown) login, so
    // that only the address's own count grows
    const statuses = [];
    for (let i = 0; i <= MAX_PER_ADDRESS; i++)
      statuses.push((await signIn(viaProxy, `nobody-${i}`, 'wrong', { localAddress: '127.0.0.2' })).status);
    assert.deepEqual(statuses, [...Array(MAX_PER_ADDRESS).fill(401), 429]);
    await until(() => loggedCount(/sign-in refused from 127\.0\.0\.2$/) === MAX_PER_ADDRESS, { what: 'the refusals logged for 127.0.0.2' });
    // the same proxy, another client: neither refused nor slowed down
    // (before the fix every client was the proxy: 429 here)
    const other = await signIn(viaProxy, ADVISER.login, ADVISER.password, { localAddress: '127.0.0.3' });
    assert.equal(other.status, 200, other.body);
    const again = await signIn(viaProxy, ADVISER.login, ADVISER.password, { localAddress: '127.0.0.2' });
    assert.equal(again.status, 429);
  });

  it('the spoofed headers from an untrusted address: a direct client is counted as itself', async () => {
    // a direct client claiming to come through a proxy over https: its
    // scheme is not believed either
    const claimed = await signIn(direct, ADVISER.login, ADVISER.password, {
      localAddress: '127.0.0.4',
      headers: { Origin: `https://127.0.0.1:${sb.port}`, 'X-Forwarded-Proto': 'https', Forwarded: 'for=192.0.2.1;proto=https' },
    });
    assert.equal(claimed.status, 403);
    const plain = await signIn(direct, ADVISER.login, ADVISER.password, {
      localAddress: '127.0.0.4',
      headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '192.0.2.1', Forwarded: 'for=192.0.2.1;proto=https' },
    });
    assert.equal(plain.status, 200, plain.body);
    assert.doesNotMatch(plain.headers['set-cookie'][0], /Secure/);
    // a new address in every request: all counted against 127.0.0.4
    const statuses = [];
    for (let i = 0; i <= MAX_PER_ADDRESS; i++) {
      const spoof = `198.51.100.${i + 1}`;
      const r = await signIn(direct, `nobody-${i}`, 'wrong', {
        localAddress: '127.0.0.4',
        headers: { 'X-Forwarded-For': spoof, Forwarded: `for=${spoof}`, 'X-Real-IP': spoof },
      });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, [...Array(MAX_PER_ADDRESS).fill(401), 429]);
    await until(() => loggedCount(/sign-in refused from 127\.0\.0\.4$/) === MAX_PER_ADDRESS, { what: 'the refusals logged for 127.0.0.4' });
    assert.ok(!logged(/198\.51\.100\./), 'a spoofed address reached the log');
    // and a client of the proxy claiming to be someone else is itself:
    // its X-Forwarded-For is not past a trusted hop, its Forwarded is
    // removed by the proxy
    const r = await signIn(viaProxy, 'nobody-spoof', 'wrong', {
      localAddress: '127.0.0.5',
      headers: { 'X-Forwarded-For': '192.0.2.77', Forwarded: 'for=192.0.2.77' },
    });
    assert.equal(r.status, 401);
    await until(() => logged(/sign-in refused from 127\.0\.0\.5$/), { what: 'the refusal logged for 127.0.0.5' });
    assert.ok(!logged(/192\.0\.2\.77/), 'a spoofed address reached the log');
  });

  it('the silent connections through the proxy: capped per real client, another client not shut out', async () => {
    const login = await signIn(viaProxy, ADVISER.login, ADVISER.password, { localAddress: '127.0.0.3' });
    assert.equal(login.status, 200, login.body);
    const cookie = login.headers['set-cookie'][0].split(';')[0];
    const url = `${proxyBase.replace('https:', 'wss:')}/ws/adviser`;
    const silent = [];
    try {
      for (let i = 0; i < PREHELLO_MAX_PER_ADDRESS; i++) silent.push(await WsClient.connect(url, { cookie, ca, localAddress: '127.0.0.6' }));
      const refused = await WsClient.connect(url, { cookie, ca, localAddress: '127.0.0.6' }).then(
        (c) => {
          silent.push(c);
          return 101;
        },
        (err) => err.status,
      );
      assert.equal(refused, 503, 'one more silent socket from the same client');
      // another client of the same proxy (before the fix: the proxy's
      // address was everybody's, 503 here)
      const other = await WsClient.connect(url, { cookie, ca, localAddress: '127.0.0.7' });
      const w = await other.request({ type: 'hello', version: 1, role: 'adviser', name: 'other' }, 'welcome');
      assert.equal(w.type, 'welcome');
      other.destroy();
    } finally {
      for (const c of silent) c.destroy();
      await until(async () => /\nrelais_connections_waiting_hello 0\n/.test((await direct('/metrics')).body), {
        timeout: 15000,
        interval: 50,
        what: 'the silent connections released (relais_connections_waiting_hello 0)',
      });
    }
  });

  it('a bad --trusted-proxy is refused at the command line, naming it', async () => {
    const data = path.join(dir, 'cli-data');
    for (const bad of ['localhost', '10.0.0.1/8', '10.0.0.0/33', '::1/129', '127.0.0.1;::1', '1.2.3.4/']) {
      const r = await run(bin('relais-switchboard'), ['--data', data, '--port', '0', '--trusted-proxy', `::1,${bad}`]);
      assert.equal(r.code, 2, `--trusted-proxy ${bad}: ${r.stderr}`);
      assert.ok(r.stderr.includes(`--trusted-proxy: trusted proxy '${bad}' is not an address or a CIDR range`), r.stderr);
    }
    assert.ok(!fs.existsSync(path.join(data, 'relais.db')), 'refused before the store is opened');
  });

  it('the metrics rule sees the real client, not the proxy', async () => {
    // a client on this machine, through the proxy: a local scraper
    assert.equal((await viaProxy('/metrics', { localAddress: '127.0.0.2' })).status, 200);
    // a client off this machine that the inner hop names (its
    // X-Forwarded-For, then HAProxy's): not local, an admin must sign in
    const far = { localAddress: INNER_HOP, headers: { 'X-Forwarded-For': '203.0.113.7' } };
    const refused = await viaProxy('/metrics', far);
    assert.equal(refused.status, 401, 'the proxy on loopback made a remote client local');
    const admin = { login: 'e2e-proxy-admin', password: 'e2e-proxy-admin-password', role: 'admin', name: 'Admin' };
    await sb.addUser(admin);
    const login = await signIn(viaProxy, admin.login, admin.password, { localAddress: '127.0.0.3' });
    assert.equal(login.status, 200, login.body);
    const cookie = login.headers['set-cookie'][0].split(';')[0];
    const signed = await viaProxy('/metrics', { ...far, headers: { ...far.headers, Cookie: cookie } });
    assert.equal(signed.status, 200);
    assert.match(signed.body, /relais_build_info/);
    // the same claim from an untrusted client of the proxy, or straight:
    // not believed, the client is on loopback
    assert.equal((await viaProxy('/metrics', { ...far, localAddress: '127.0.0.2' })).status, 200);
    assert.equal((await direct('/metrics', { ...far, localAddress: '127.0.0.4' })).status, 200);
  });
});
