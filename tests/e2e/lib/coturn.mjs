// SPDX-License-Identifier: GPL-2.0-or-later
// A real coturn (Debian's turnserver) with a shared secret (use-auth-secret:
// the switchboard hands out coturn's REST API credentials), for the TURN
// call test, the technician's TURN check and the network lab.

import path from 'node:path';
import { Proc } from './procs.mjs';
import { freePort } from './util.mjs';

export const TURNSERVER = '/usr/bin/turnserver';

// Default: on loopback, UDP and TCP, no TLS. Options (tests/network):
// netns: run it in that namespace; ip: its listening and relay address;
// port: its plain port (UDP and TCP); tls: { cert, key, port } adds TURN over
// TLS (turns:) on tls.port.
export async function startCoturn(dir, secret, { netns = null, ip = '127.0.0.1', port = null, tls = null } = {}) {
  port ??= await freePort();
  const relayMin = 40000 + Math.floor(Math.random() * 20000);
  const loopback = ip.startsWith('127.');
  const p = new Proc('coturn', TURNSERVER, [
    '-n', // no configuration file
    `--listening-ip=${ip}`,
    `--listening-port=${port}`,
    `--relay-ip=${ip}`,
    `--min-port=${relayMin}`,
    `--max-port=${relayMin + 200}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    '--realm=relais.test',
    ...(loopback ? ['--allow-loopback-peers'] : []), // both ends are on this machine
    '--no-cli',
    ...(tls ? [`--tls-listening-port=${tls.port}`, `--cert=${tls.cert}`, `--pkey=${tls.key}`] : ['--no-tls']),
    '--no-dtls',
    `--userdb=${path.join(dir, 'turndb')}`,
    `--pidfile=${path.join(dir, 'turnserver.pid')}`,
    '--log-file=stdout',
    '--simple-log',
    '--verbose',
  ], { dir, netns });
  await p.waitForLine(/listener opened on|Total General servers|IPv4\. UDP listener opened/i, 10000);
  return { proc: p, port, ip };
}
