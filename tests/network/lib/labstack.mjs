// SPDX-License-Identifier: GPL-2.0-or-later
// The call of the end-to-end tests (tests/e2e/lib/scenario.mjs) laid out in
// the network lab: the switchboard (HTTPS/WSS on the core address, its
// certificate made by make-cert for that address) and Chromium in the core
// namespace, the simulated booth in the booth namespace; a probe server in
// core for the lab's own checks.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Proc } from '../../e2e/lib/procs.mjs';
import { makeCert } from '../../e2e/lib/relais.mjs';
import { Stack } from '../../e2e/lib/scenario.mjs';
import { until } from '../../e2e/lib/util.mjs';

export const PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'probe.mjs');
export const PROBE_PORT = 7777;

// A probe run in namespace `role`; resolves { ok, out } (never rejects).
export async function probe(lab, role, mode, ...args) {
  try {
    const out = await lab.exec(role, process.execPath, [PROBE, mode, ...args.map(String)], { timeout: 30000 });
    return { ok: true, out: out.trim() };
  } catch (err) {
    return { ok: false, out: err.message };
  }
}

// The probe server (UDP echo, TCP) on the core address.
export async function startProbeServer(lab, dir) {
  const p = new Proc('probe-server', process.execPath, [PROBE, 'serve', lab.addr.core, PROBE_PORT], { dir, netns: lab.ns.core });
  await p.waitForLine(/^ready$/, 10000);
  return p;
}

// A Stack (tests/e2e/lib/scenario.mjs) started across the lab. opts go to
// Stack.start (sbArgs, boothArgs, pageInit, ...); trustSpki: more keys
// Chromium trusts (base64 SHA-256 of the SPKI), e.g. coturn's for turns:.
export async function startLabStack(lab, tag, opts = {}) {
  const stack = new Stack(tag);
  const cert = await makeCert(path.join(stack.dir, 'sb-cert'), ['--name', lab.addr.core]);
  if (cert.code !== 0) throw new Error(`make-cert: ${cert.stderr}`);
  stack.cert = cert;
  await stack.start({
    ...opts,
    tls: { cert: cert.cert, key: cert.key },
    // Chromium keeps the last of this switch only: one list for all
    browserArgs: [`--ignore-certificate-errors-spki-list=${[cert.spki, ...(opts.trustSpki ?? [])].join(',')}`, ...(opts.browserArgs ?? [])],
    netns: { switchboard: lab.ns.core, booth: lab.ns.booth, browser: lab.ns.core, bind: lab.addr.core, host: lab.addr.core },
  });
  return stack;
}

// Frames decoded by the adviser's page so far.
export async function pageFrames(stack) {
  return (await stack.pageStats())?.inboundVideo?.framesDecoded ?? 0;
}

// Waits until the page has decoded `more` frames beyond now; resolves the ms it took.
export async function framesFlow(stack, { more = 10, timeout = 15000 } = {}) {
  const t0 = Date.now();
  const f0 = await pageFrames(stack);
  await until(async () => (await pageFrames(stack)) >= f0 + more, { timeout, interval: 50, what: `${more} more frames at the adviser` });
  return Date.now() - t0;
}
