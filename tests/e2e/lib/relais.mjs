// SPDX-License-Identifier: GPL-2.0-or-later
// The real Relais programs: switchboard, simulated booth, and boothctl.

import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ASSETS, PIPELINES, bin } from './env.mjs';
import { Proc, run } from './procs.mjs';
import { httpGet, until, fatal } from './util.mjs';
import { WsClient } from './ws.mjs';

// The adviser account every switchboard of the tests gets (made with the
// command line, as an administrator would; there is no default account).
export const ADVISER = { login: 'e2e-adviser', password: 'e2e-adviser-password', name: 'E2E Adviser' };

// A switchboard whose store is on PostgreSQL (startSwitchboard's `store`):
// its data folder -> the postgresql:// URI, so that every command line given
// that folder names the same store.
const stores = new Map();
const storeArgs = (dataDir) => ['--data', dataDir, ...(stores.has(dataDir) ? ['--store', stores.get(dataDir)] : [])];

// `relais-switchboard --data DIR user ...` with `input` on stdin.
// Resolves {code, stdout, stderr}.
export function switchboardCli(dataDir, args, input = '') {
  return new Promise((resolve, reject) => {
    const child = spawn(bin('relais-switchboard'), [...storeArgs(dataDir), 'user', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    // 'close': its output read to the end ('exit' can come before)
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // one that exits without reading its input closes the pipe first
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

// `relais-switchboard make-cert --out DIR ...`: resolves {code, stdout,
// stderr, cert, key, fingerprint, spki} (spki: base64 SHA-256 of the public
// key, for Chromium's --ignore-certificate-errors-spki-list).
export async function makeCert(outDir, args = []) {
  const r = await run(bin('relais-switchboard'), ['make-cert', '--out', outDir, ...args]);
  return {
    ...r,
    cert: path.join(outDir, 'switchboard.crt'),
    key: path.join(outDir, 'switchboard.key'),
    fingerprint: /^SHA-256 fingerprint: (\S+)$/m.exec(r.stdout)?.[1] ?? null,
    spki: /^SPKI SHA-256: (\S+)$/m.exec(r.stdout)?.[1] ?? null,
  };
}

// Adds an account; password null: --generate (the trial password is returned).
// languages, topics: comma-separated ("fr,en"); absent: any.
export async function addUser(dataDir, { login, password, role = 'adviser', name, site, languages, topics }) {
  const args = [
    'add', login, '--role', role,
    ...(name ? ['--name', name] : []),
    ...(site ? ['--site', site] : []),
    ...(languages ? ['--languages', languages] : []),
    ...(topics ? ['--topics', topics] : []),
  ];
  const r = await switchboardCli(dataDir, password === null ? [...args, '--generate'] : args, password === null ? '' : `${password}\n`);
  if (r.code !== 0) throw new Error(`relais-switchboard user add ${login} exited ${r.code}: ${r.stderr}`);
  return password === null ? r.stdout.trim() : password;
}

// A time zone where it is now between 09:00 and 10:00 (Etc/GMT-N is UTC+N):
// a site made in it is open now, with the morning's slots still ahead.
export function morningZone(now = new Date()) {
  let o = 9 - now.getUTCHours();
  if (o < -12) o += 24;
  if (o > 14) o -= 24;
  return o === 0 ? 'Etc/GMT' : `Etc/GMT${o > 0 ? '-' : '+'}${Math.abs(o)}`;
}

export const EVERY_HALF_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].flatMap((d) => [`${d}-am`, `${d}-pm`]).join(',');

// `relais-switchboard --data DIR hours set SITE SLOTS`; a new site is made in
// zone `tz` (the program's TZ). Resolves {code, stdout, stderr}; throws on failure.
export function hoursSet(dataDir, site, slots, { tz } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin('relais-switchboard'), [...storeArgs(dataDir), 'hours', 'set', site, slots], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...(tz ? { TZ: tz } : {}) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve({ code, stdout, stderr }) : reject(new Error(`hours set ${site} exited ${code}: ${stderr}`)),
    );
  });
}

// Site `site` (new) open every half-day, in a zone where it is morning now:
// bookable slots from now on. Resolves the zone.
export async function openNow(dataDir, site) {
  const tz = morningZone();
  await hoursSet(dataDir, site, EVERY_HALF_DAY, { tz });
  return tz;
}

// One HTTP(S) request; resolves {status, headers, body, json, ms}. ca: the
// PEM certificate(s) to trust for https:// (a TLS switchboard's); timeout:
// ms without a byte before it fails; localAddress: the source address
// (127.0.0.2...); fresh: on a connection of its own (no keep-alive agent).
export function httpRequest(url, { method = 'GET', headers = {}, body, ca, timeout = 5000, localAddress, fresh = false } = {}) {
  const mod = String(url).startsWith('https:') ? https : http;
  const t0 = Date.now();
  const extra = { ...(ca ? { ca } : {}), ...(localAddress ? { localAddress } : {}), ...(fresh ? { agent: false } : {}) };
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method, headers, timeout, ...extra }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json, ms: Date.now() - t0 });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

// Signs `page` in through the console's form and waits for the link.
export async function signInPage(page, { login = ADVISER.login, password = ADVISER.password } = {}) {
  await page.locator('[data-testid="signin-login"]').fill(login);
  await page.locator('[data-testid="signin-password"]').fill(password);
  await page.locator('[data-testid="signin-submit"]').click();
}

// Starts relais-switchboard on a port the OS picks (--port 0; it prints the
// port), serving the adviser console from assets/web, with its store in
// dir/sb-data (kept across restarts in the same dir) and the ADVISER account.
// tls: { cert, key } (PEM files, e.g. from makeCert): HTTPS and WSS, and the
// helpers below trust that certificate (sb.ca, sb.caFile).
// env: extra environment (e.g. RELAIS_SB_TEST_CLOCK_OFFSET_S).
// store: a postgresql:// URI: the store is there (--store), not in sb-data
// (which keeps the booth CA); the ADVISER account is added at the first start.
// netns: run it in that network namespace (tests/network), bound to `bind`
// (with tls: a non-loopback address), reached by everyone at `host`.
export async function startSwitchboard({ dir, extraArgs = [], tls = null, env = {}, netns = null, bind = null, host = '127.0.0.1', store = null }) {
  const dataDir = path.join(dir, 'sb-data');
  if (store && !stores.has(dataDir)) {
    stores.set(dataDir, store);
    await addUser(dataDir, { ...ADVISER });
  }
  if (!store && !fs.existsSync(path.join(dataDir, 'relais.db'))) await addUser(dataDir, { ...ADVISER });
  const tlsArgs = tls ? ['--tls-cert', tls.cert, '--tls-key', tls.key] : [];
  // the booth listener's port, chosen by the first start in `dir` and kept:
  // a restarted switchboard serves its booths where they redial
  const boothPortFile = path.join(dir, 'booth-port');
  const keptBoothPort = fs.existsSync(boothPortFile) ? fs.readFileSync(boothPortFile, 'utf8').trim() : '0';
  const bindArgs = bind ? ['--bind', bind] : [];
  const p = new Proc('switchboard', bin('relais-switchboard'), [...storeArgs(dataDir), '--port', '0', '--booth-port', keptBoothPort, '--assets', ASSETS, ...bindArgs, ...tlsArgs, ...extraArgs], {
    dir,
    env: { G_MESSAGES_DEBUG: process.env.G_MESSAGES_DEBUG ?? '', ...env },
    netns,
  });
  // both lines come at once: listen for both before either arrives.
  // Booths have their own listener: TLS, client certificates (ENROL.md).
  const [m, bm] = await Promise.all([
    p.waitForLine(/listening on (https?):\/\/([\d.]+):(\d+)\//, 10000),
    p.waitForLine(/booth listener on https:\/\/([\d.]+):(\d+)\/ \(client certificates; booths trust (.*)\)/, 10000),
  ]);
  const scheme = m[1];
  const port = Number(m[3]);
  const boothPort = Number(bm[2]);
  fs.writeFileSync(boothPortFile, String(boothPort));
  const boothCaFile = tls ? tls.cert : bm[3];
  const boothCa = fs.readFileSync(boothCaFile);
  const identities = new Map();
  const base = `${scheme}://${host}:${port}`;
  const ca = tls ? fs.readFileSync(tls.cert) : undefined;
  await until(async () => (await httpGet(`${base}/healthz`, { ca })).status === 200, { timeout: 5000, what: 'switchboard /healthz' });
  const cookies = new Map();
  const sb = {
    proc: p,
    port,
    base,
    scheme,
    ca,
    caFile: tls ? tls.cert : null,
    dataDir,
    boothPort,
    boothCa,
    boothCaFile,
    boothBase: `https://${host}:${boothPort}`,
    host,
    netns,
    pageUrl: () => `${base}/`,
    // /ws/booth is on the booth listener; /ws/adviser on the page's port
    wsUrl: (role) => (role === 'booth' ? `wss://${host}:${boothPort}/ws/booth` : `${scheme === 'https' ? 'wss' : 'ws'}://${host}:${port}/ws/${role}`),
    // A one-time enrolment token for booth `id` at `site` (made if new),
    // as an administrator gets it: `relais-switchboard booth add`.
    enrolToken: (id, site = 'E2E Library') => boothToken(dataDir, id, site),
    // A key and certificate for booth `id`, through the real path: the
    // token, a P-256 key and request made here (openssl), POST simpleenroll.
    // Cached per id. Resolves { key, cert } (PEM).
    // token: one made elsewhere (the administration page) instead of `booth add`.
    async boothIdentity(id, site = 'E2E Library', { token } = {}) {
      if (!identities.has(id)) identities.set(id, enrolIdentity(sb, dir, id, site, token));
      return identities.get(id);
    },
    // A raw booth WebSocket presenting booth `id`'s certificate.
    async boothWs(id, { site = 'E2E Library', token, ...opts } = {}) {
      const { key, cert } = await sb.boothIdentity(id, site, { token });
      return WsClient.connect(sb.wsUrl('booth'), { ca: boothCa, cert, key, ...opts });
    },
    healthz: () => httpGet(`${base}/healthz`, { ca }),
    metrics: () => httpGet(`${base}/metrics`, { ca }),
    addUser: (user) => addUser(dataDir, user),
    // POST /api/login; resolves the response with .cookie ("relais_session=...") on success.
    async login(login = ADVISER.login, password = ADVISER.password, headers = {}) {
      const r = await httpRequest(`${base}/api/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ login, password }),
        ca,
      });
      const set = r.headers['set-cookie']?.[0];
      r.cookie = set ? set.split(';')[0] : null;
      return r;
    },
    // A raw adviser WebSocket signed in as `login` (default: ADVISER).
    // One session per login, reused (a sign-in costs a scrypt hash).
    async adviserWs(login = ADVISER.login, password = ADVISER.password) {
      if (!cookies.has(login)) {
        const r = await sb.login(login, password);
        if (r.status !== 200) throw new Error(`sign-in of ${login} failed: ${r.status} ${r.body}`);
        cookies.set(login, r.cookie);
      }
      return WsClient.connect(sb.wsUrl('adviser'), { cookie: cookies.get(login), ca });
    },
  };
  return sb;
}

// `relais-switchboard --data DIR booth add ID --site SITE --create-site`:
// the token (stdout).
export async function boothToken(dataDir, id, site = 'E2E Library') {
  const r = await run(bin('relais-switchboard'), [...storeArgs(dataDir), 'booth', 'add', id, '--site', site || 'E2E Library', '--create-site']);
  const token = r.stdout.trim();
  if (r.code !== 0 || !token) throw new Error(`booth add ${id} failed (${r.code}): ${r.stderr}`);
  return token;
}

// A booth's key and request made with openssl, enrolled through the
// switchboard's EST endpoint with a fresh token.
async function enrolIdentity(sb, dir, id, site, givenToken) {
  const keyFile = path.join(dir, `${id}.identity.key`);
  const csrFile = path.join(dir, `${id}.identity.csr`);
  const r = await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', csrFile, '-subj', `/CN=${id}`]);
  if (r.code !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  const token = givenToken ?? (await sb.enrolToken(id, site));
  const res = await httpRequest(`${sb.boothBase}/.well-known/est/simpleenroll`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/pkcs10' },
    body: fs.readFileSync(csrFile),
    ca: sb.boothCa,
  });
  if (res.status !== 200) throw new Error(`enrolment of ${id} refused: ${res.status} ${res.body}`);
  return { key: fs.readFileSync(keyFile), cert: res.body };
}

export class BoothCtl {
  constructor(sock) {
    this.sock = sock;
  }

  async run(...args) {
    const r = await run(bin('relais-boothctl'), ['--control', this.sock, ...args], { timeout: 10000 });
    if (r.code !== 0) throw new Error(`relais-boothctl ${args.join(' ')} exited ${r.code}: ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  async status() {
    const out = await this.run('status');
    try {
      return JSON.parse(out);
    } catch {
      throw new Error(`relais-boothctl status printed no JSON: ${out}`);
    }
  }

  request({ topic = 'job-search', language = 'fr', answers = { situation: 'job-seeker' } } = {}) {
    const a = Object.entries(answers).flatMap(([k, v]) => ['--answer', `${k}=${v}`]);
    return this.run('request', '--topic', topic, '--language', language, ...a);
  }

  end() {
    return this.run('end');
  }

  // Touch UI (relais-booth --ui): a finger on the target that sends `target`
  // (a journey event name), with its choice / language / number.
  async tap(target, arg) {
    const out = await this.run('tap', target, ...(arg === undefined ? [] : [String(arg)]));
    return JSON.parse(out).visitor;
  }

  key(name) {
    return this.run('key', name);
  }

  screenshot(file) {
    return this.run('screenshot', file);
  }

  async visitor() {
    return (await this.status()).visitor;
  }
}

// Media counters as the booth reports them: tolerant of them being at the top
// level of the status JSON or under "media"/"stats".
export function boothMedia(status) {
  const m = status?.media ?? status?.stats ?? status ?? {};
  const n = (k) => Number(m[k] ?? status?.[k] ?? 0);
  return {
    videoReceived: n('video_frames_received'),
    audioReceived: n('audio_buffers_received'),
    videoSent: n('video_frames_sent'),
    audioSent: n('audio_buffers_sent'),
  };
}

// Starts the simulated booth (board sim) connected to the switchboard and
// waits until its control socket answers. env: extra environment variables
// for the booth (e.g. { RELAIS_MEDIA_STAMP: '1' } for the latency bench).
// caFile: --ca-file (default: the switchboard's booth listener certificate).
// The booth enrols through the real path: a token from `booth add`, its own
// key and request, the EST endpoint; its key and certificate are kept in
// dir/state-<id> (a restart in the same dir presents them, no new token).
// enrol: false starts it without a token (it stays not enrolled).
// linked: wait until its link is up (enrolled, greeted); false: only until
// its control socket answers (a booth meant to stay out).
// netns: run it in that network namespace (tests/network); its control
// socket is a file, reached from anywhere.
export async function startBooth({ dir, switchboard, boothId = 'e2e-1', site = 'E2E Library', extraArgs = [], env = {}, caFile = switchboard.boothCaFile, enrol = true, linked = enrol, netns = null }) {
  const sock = path.join(dir, 'booth.sock');
  const stateDir = path.join(dir, `state-${boothId}`);
  const token = enrol && !fs.existsSync(path.join(stateDir, 'booth.crt')) ? await switchboard.enrolToken(boothId, site) : null;
  const args = [
    '--switchboard', switchboard.wsUrl('booth'),
    ...(caFile ? ['--ca-file', caFile] : []),
    '--state-dir', stateDir,
    ...(token ? ['--enrol-token', token] : []),
    '--booth-id', boothId,
    '--control', sock,
    '--pipelines', PIPELINES,
    ...(site ? ['--site', site] : []),
    ...extraArgs,
  ];
  const p = new Proc(`booth-${boothId}`, bin('relais-booth'), args, {
    dir,
    env: { GST_DEBUG: process.env.GST_DEBUG ?? '', G_MESSAGES_DEBUG: process.env.G_MESSAGES_DEBUG ?? '', ...env },
    netns,
  });
  const ctl = new BoothCtl(sock);
  await until(
    async () => {
      if (!p.running) throw fatal(`relais-booth exited early (${p.exitCode ?? p.exitSignal})`);
      return fs.existsSync(sock) && (await ctl.status());
    },
    { timeout: 15000, interval: 150, what: 'booth control socket' },
  ).catch((err) => {
    throw new Error(`${err.message}\n${p.tailText()}`);
  });
  if (linked) {
    await until(async () => (await ctl.status()).link === 'up', { timeout: 15000, interval: 100, what: `booth ${boothId} enrolled and linked` }).catch((err) => {
      throw new Error(`${err.message}\n${p.tailText()}`);
    });
  }
  return { proc: p, ctl, sock, boothId };
}
