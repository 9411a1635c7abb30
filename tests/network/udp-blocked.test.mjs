// SPDX-License-Identifier: GPL-2.0-or-later
// Issue 13, scenario 4: UDP blocked (only TCP gets out of the booth's
// namespace). The call connects through a real coturn in the core namespace
// over TCP (turn:...?transport=tcp) and over TLS (turns: on port 443, its
// certificate from a test CA made here), both ends relay only, and the
// selected pair is checked: Chromium's getStats() (local candidate relay,
// relayProtocol tcp / tls), the booth's offer (relay candidates only) and
// coturn's own log (the booth's allocation came over TCP, from the booth's
// address, to the port of the case). The booth's side of turns: is plain
// TCP to the TLS port: libnice has no TLS client (tests/network/README.md).
// Figures printed: Accept to 30 frames both ways, per case.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { missingBinaries, tmpDir } from '../e2e/lib/env.mjs';
import { killAll } from '../e2e/lib/procs.mjs';
import { TURNSERVER, startCoturn } from '../e2e/lib/coturn.mjs';
import { requestAndAccept, waitMedia, endFromPage, until } from '../e2e/lib/scenario.mjs';
import { NetLab, labUnavailable } from './lib/netns.mjs';
import { startLabStack, probe, PROBE_PORT, startProbeServer } from './lib/labstack.mjs';
import { makeTestCa, issueServerCert } from './lib/testca.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length
  ? `not built: ${missing.join(', ')} (run make)`
  : !fs.existsSync(TURNSERVER)
    ? 'coturn is not installed (make deps installs it)'
    : ((await labUnavailable()) ?? false);

// The selected pair as Chromium's getStats() has it, with the local
// candidate's relayProtocol (the console's own summary leaves it out).
async function selectedPair(page) {
  return page.evaluate(async () => {
    const report = await window.relais.pc.getStats();
    const byId = new Map();
    report.forEach((s) => byId.set(s.id, s));
    let pair = null;
    report.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = byId.get(s.selectedCandidatePairId);
    });
    if (!pair) return null;
    const c = (id) => {
      const x = byId.get(id);
      return x && { candidateType: x.candidateType, protocol: x.protocol, relayProtocol: x.relayProtocol, address: x.address, port: x.port, url: x.url };
    };
    return { state: pair.state, local: c(pair.localCandidateId), remote: c(pair.remoteCandidateId) };
  });
}

// the console's RTCPeerConnection, relay only
function relayOnlyPage() {
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(config = {}) {
      super({ ...config, iceTransportPolicy: 'relay' });
    }
  };
}

const TURN_PORT = 3478;
const TURNS_PORT = 443;

describe('scenario 4, UDP blocked: the call goes through TURN over TCP and over TLS', { skip, timeout: 300000 }, () => {
  let lab;
  let dir;
  let ca;
  let coturnCert;
  let startTurn;
  let secretFile;
  let stack = null;

  before(async () => {
    lab = await NetLab.create();
    dir = tmpDir('udp-blocked');
    ca = await makeTestCa(path.join(dir, 'ca'));
    coturnCert = await issueServerCert(ca, 'coturn', [lab.addr.core]);
    const secret = crypto.randomBytes(24).toString('hex');
    secretFile = path.join(dir, 'turn-secret');
    fs.writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
    startTurn = () => startCoturn(dir, secret, { netns: lab.ns.core, ip: lab.addr.core, port: TURN_PORT, tls: { port: TURNS_PORT, cert: coturnCert.cert, key: coturnCert.key } });
    await lab.udpBlocked();
  });

  after(async () => {
    await stack?.stop();
    await killAll();
    await lab?.destroy();
    if (dir && !process.env.RELAIS_E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the lab blocks UDP from the booth and lets TCP through', async () => {
    await startProbeServer(lab, null);
    assert.equal((await probe(lab, 'booth', 'udp', lab.addr.core, PROBE_PORT, 10)).ok, false);
    assert.ok((await probe(lab, 'booth', 'tcp', lab.addr.core, PROBE_PORT)).ok);
  });

  for (const v of [
    { name: 'TURN over TCP', url: () => `turn:${lab.addr.core}:${TURN_PORT}?transport=tcp`, port: TURN_PORT, relayProtocol: 'tcp' },
    { name: 'TURN over TCP on 443', url: () => `turn:${lab.addr.core}:${TURNS_PORT}?transport=tcp`, port: TURNS_PORT, relayProtocol: 'tcp' },
    { name: 'TURN over TLS (turns: on 443)', url: () => `turns:${lab.addr.core}:${TURNS_PORT}?transport=tcp`, port: TURNS_PORT, relayProtocol: 'tls' },
  ]) {
    it(`${v.name}: both ends relay, media both ways`, async (t) => {
      // a coturn of its own (a Stack's stop() ends every program of the test)
      const coturn = await startTurn();
      const mark = fs.readFileSync(coturn.proc.logPath, 'utf8').length;
      stack = await startLabStack(lab, `udp-blocked-${v.relayProtocol}`, {
        sbArgs: ['--turn-url', v.url(), '--turn-secret-file', secretFile],
        boothArgs: ['--relay-only'],
        pageInit: relayOnlyPage,
        // Chromium trusts coturn's certificate by its key (it refuses the
        // test CA's certificate otherwise: seen in coturn's log as TLS
        // sockets dropped right after the handshake)
        trustSpki: v.relayProtocol === 'tls' ? [coturnCert.spki] : [],
      });
      await stack.run(async () => {
        const { acceptedAt } = await requestAndAccept(stack);
        await waitMedia(stack, { minFrames: 30, timeout: 40000 });
        t.diagnostic(`${v.name}: 30 frames both ways ${Date.now() - acceptedAt} ms after Accept`);
        const pair = await selectedPair(stack.page);
        t.diagnostic(`Chromium's selected pair: ${JSON.stringify(pair)}`);
        assert.equal(pair.local.candidateType, 'relay', "the adviser's end relays");
        assert.equal(pair.local.relayProtocol, v.relayProtocol, `Chromium reaches coturn over ${v.relayProtocol}`);
        assert.equal(pair.remote.candidateType, 'relay', "the booth's end relays");
        assert.equal(pair.remote.address, lab.addr.core, "the booth's relayed address is coturn's");
        // the booth offered relayed candidates only, all on coturn
        const sdp = await stack.page.evaluate(() => window.relais.pc?.remoteDescription?.sdp ?? '');
        const cands = sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
        assert.ok(cands.length > 0, 'the booth sent candidates');
        for (const c of cands) assert.match(c, new RegExp(` ${lab.addr.core.replace(/\./g, '\\.')} \\d+ typ relay `), `booth candidate ${c}`);
        await endFromPage(stack);
        // coturn: the booth's allocation came from the booth's namespace
        // over TCP to v.port (the session's closing line names both ends)
        const boothSession = new RegExp(`closed \\(2nd stage\\).*local ${lab.addr.core.replace(/\./g, '\\.')}:${v.port}, remote ${lab.addr.booth.replace(/\./g, '\\.')}:\\d+`);
        const line = await until(() => fs.readFileSync(coturn.proc.logPath, 'utf8').slice(mark).split('\n').find((l) => boothSession.test(l)), {
          timeout: 10000,
          what: `coturn's record of the booth's TCP session on port ${v.port}`,
        });
        t.diagnostic(`coturn, the booth's session: ${line.replace(/^\d+: : /, '').trim()}`);
        // libnice (0.1.21) has no TLS client: the switchboard hands the booth
        // a turns: server as TURN over plain TCP to the same port, which
        // coturn takes on its TLS port too (tests/network/README.md)
        assert.doesNotMatch(line, /TLS/, "the booth's TURN session is plain TCP");
      });
      await stack.stop();
      stack = null;
    });
  }
});
