// SPDX-License-Identifier: GPL-2.0-or-later
// Media across NAT through TURN: a real coturn (Debian's turnserver) on
// loopback with a shared secret (use-auth-secret), the switchboard handing
// each end time-limited credentials (coturn's REST API scheme), and both
// ends forced to relay only: relais-booth --relay-only (webrtcbin
// ice-transport-policy=relay) and Chromium with iceTransportPolicy 'relay'.
// The call must flow both ways over relayed candidates alone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { missingBinaries, tmpDir } from './lib/env.mjs';
import { killAll } from './lib/procs.mjs';
import { Stack, requestAndAccept, waitMedia } from './lib/scenario.mjs';
import { until } from './lib/util.mjs';
import { TURNSERVER, startCoturn } from './lib/coturn.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length
  ? `not built: ${missing.join(', ')} (run make)`
  : !fs.existsSync(TURNSERVER)
    ? 'coturn is not installed (make deps installs it)'
    : false;

test('TURN: relay-only on both ends, credentials from the switchboard', { skip, timeout: 90000 }, async (t) => {
  const dir = tmpDir('turn');
  const secret = crypto.randomBytes(24).toString('hex');
  const secretFile = path.join(dir, 'turn-secret');
  fs.writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
  const coturn = await startCoturn(dir, secret);
  const stack = new Stack('turn');
  t.after(async () => {
    await stack.stop();
    await killAll();
  });
  await stack.run(async () => {
    await stack.start({
      sbArgs: ['--turn-url', `turn:127.0.0.1:${coturn.port}?transport=udp`, '--turn-secret-file', secretFile],
      // the booth's TURN traffic stays on 127.0.0.1 (libnice skips loopback
      // interfaces unless told; coturn listens on loopback only)
      boothArgs: ['--relay-only', '--ice-address', '127.0.0.1'],
      // Chromium: the console's RTCPeerConnection, relay only
      pageInit: () => {
        const Native = window.RTCPeerConnection;
        window.RTCPeerConnection = class extends Native {
          constructor(config = {}) {
            super({ ...config, iceTransportPolicy: 'relay' });
          }
        };
      },
    });
    await requestAndAccept(stack);
    const stats = await waitMedia(stack, { minFrames: 30, timeout: 30000 });
    const pair = stats.page.candidatePair;
    t.diagnostic(`selected pair ${JSON.stringify(pair)}`);
    assert.equal(pair.local.type, 'relay', "the adviser's side relays");
    assert.equal(pair.remote.type, 'relay', "the booth's side relays");
    // the booth's offer carried relayed candidates only
    const sdp = await stack.page.evaluate(() => window.relais.pc?.remoteDescription?.sdp ?? '');
    const cands = sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
    assert.ok(cands.length > 0, 'the booth sent candidates');
    for (const c of cands) assert.match(c, / typ relay /, `booth candidate ${c}`);
    // coturn saw both ends authenticate with the switchboard's credentials
    // ("<expiry>:<session id>" usernames) and allocate
    await until(() => (coturn.proc.tailText(400).match(/ALLOCATE processed, success/g) ?? []).length >= 2, {
      timeout: 5000,
      what: 'two TURN allocations in the coturn log',
    });
    assert.doesNotMatch(coturn.proc.tailText(400), /401.*Unauthorized.*ALLOCATE processed, error/i);
  });
});
