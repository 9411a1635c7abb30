// SPDX-License-Identifier: GPL-2.0-or-later
// One guest connection to the switchboard: QEMU's user network runs this
// for each connection the emulated booth opens to its guestfwd address
// (guestfwd=...-cmd:node tcp-pipe.mjs 127.0.0.1 PORT), with the connection
// on standard input and output. A chardev guestfwd would carry one
// connection only; the booth opens several (enrolment, the link, renewals).
import net from 'node:net';

const [host, port] = process.argv.slice(2);
const sock = net.connect(Number(port), host);
process.stdin.pipe(sock);
sock.pipe(process.stdout);
sock.on('error', () => process.exit(1));
sock.on('close', () => process.exit(0));
process.stdin.on('end', () => sock.end());
