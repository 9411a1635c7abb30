// SPDX-License-Identifier: GPL-2.0-or-later
// A real coturn (Debian's turnserver) on loopback with a shared secret
// (use-auth-secret: the switchboard hands out coturn's REST API
// credentials), for the TURN call test and the technician's TURN check.

import path from 'node:path';
import { Proc } from './procs.mjs';
import { freePort } from './util.mjs';

export const TURNSERVER = '/usr/bin/turnserver';

export async function startCoturn(dir, secret) {
  const port = await freePort();
  const relayMin = 40000 + Math.floor(Math.random() * 20000);
  const p = new Proc('coturn', TURNSERVER, [
    '-n', // no configuration file
    '--listening-ip=127.0.0.1',
    `--listening-port=${port}`,
    '--relay-ip=127.0.0.1',
    `--min-port=${relayMin}`,
    `--max-port=${relayMin + 200}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    '--realm=relais.test',
    '--allow-loopback-peers', // both ends are on this machine
    '--no-cli',
    '--no-tls',
    '--no-dtls',
    `--userdb=${path.join(dir, 'turndb')}`,
    `--pidfile=${path.join(dir, 'turnserver.pid')}`,
    '--log-file=stdout',
    '--simple-log',
    '--verbose',
  ], { dir });
  await p.waitForLine(/listener opened on|Total General servers|IPv4\. UDP listener opened/i, 10000);
  return { proc: p, port };
}
