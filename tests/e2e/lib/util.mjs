// SPDX-License-Identifier: GPL-2.0-or-later

import net from 'node:net';
import http from 'node:http';
import https from 'node:https';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The sanitizer pass (tests/sanitizer/env.sh sets ASAN_OPTIONS' log_path):
// every program runs several times slower, its start and exit included.
export const SANITIZER = /(^|:)log_path=/.test(process.env.ASAN_OPTIONS ?? '');

// A wait's limit, longer in the sanitizer pass. Tests check what happens,
// not how fast: the waits of this folder's helpers (until, a WebSocket's
// next message or handshake, a program's output line) go through it.
export const slow = (ms) => (SANITIZER ? ms * 3 : ms);

// Polls fn() until it returns a truthy value; rejects after timeout with the
// last value or error, so a failure says how far things got. An error with
// .fatal set stops the wait at once.
export async function until(fn, { timeout: limit = 10000, interval = 200, what = 'condition' } = {}) {
  const timeout = slow(limit);
  const deadline = Date.now() + timeout;
  let last;
  let lastErr;
  for (;;) {
    try {
      last = await fn();
      lastErr = undefined;
      if (last) return last;
    } catch (err) {
      if (err.fatal) throw err; // no point in waiting (a process died...)
      lastErr = err;
    }
    if (Date.now() > deadline) {
      const detail = lastErr ? `last error: ${lastErr.message}` : `last value: ${JSON.stringify(last)}`;
      throw new Error(`timed out after ${timeout} ms waiting for ${what} (${detail})`);
    }
    await sleep(interval);
  }
}

// A port the OS says is free right now (listen on 0, read it, close).
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// https:// URLs too; ca: the PEM certificate(s) to trust (a TLS switchboard's).
export function httpGet(url, { timeout = 3000, ca } = {}) {
  const mod = String(url).startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { timeout, ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

export function fatal(message) {
  const err = new Error(message);
  err.fatal = true;
  return err;
}
