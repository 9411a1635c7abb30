// SPDX-License-Identifier: GPL-2.0-or-later
// Probes of the network lab, run inside a namespace with
// `ip netns exec NS node probe.mjs MODE ...` (see netns.mjs, lab.test.mjs):
//   serve ADDR PORT         UDP echo and a TCP server on ADDR:PORT; prints "ready"
//   udp ADDR PORT N         N datagrams, one every 5 ms; prints "echoed K/N"
//   tcp ADDR PORT           one exchange; prints "pong FROM" (the source
//                           address the server saw); exit 1 when none in 2 s
//   bulk ADDR PORT SECONDS  sends as fast as TCP lets it; prints "rate BITS"
//                           (bits/s that reached the server's interface,
//                           measured there from 1 s on: SECONDS > 1)
//
// The bulk rate is read from the kernel's byte counter of the interface the
// connection arrived on (/sys/class/net/DEV/statistics/rx_bytes, which `ip
// netns exec` shows for the namespace), each reading taken with the
// monotonic clock in the same tick. Counting what JavaScript had read by
// the time a timer fired measured the event loop, not the link: on a busy
// machine a late timer counted the bytes waiting in the socket as if they
// had come within the window, and a 500 kbit/s cap read as more than 15 %
// above itself. The counter sees whole frames, as tbf counts them.

import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';

const [mode, addr, portText, arg] = process.argv.slice(2);
const port = Number(portText);

// The interface holding ADDRESS, and a reading of its receive counter.
function rxCounter(address) {
  const local = address.replace(/^::ffff:/, '');
  const dev = Object.entries(os.networkInterfaces()).find(([, as]) => as.some((a) => a.address === local))?.[0];
  if (!dev) throw new Error(`no interface holds ${local}`);
  const file = `/sys/class/net/${dev}/statistics/rx_bytes`;
  return () => ({ bytes: Number(readFileSync(file, 'latin1')), t: process.hrtime.bigint() });
}

function serve() {
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
  const tcp = net.createServer((sock) => {
    let first = true;
    let timer = null;
    sock.on('data', (d) => {
      if (!first) return;
      first = false;
      const nl = d.indexOf(0x0a);
      const line = d.subarray(0, nl < 0 ? d.length : nl).toString('latin1');
      if (!line.startsWith('bulk ')) {
        sock.end(`pong ${sock.remoteAddress.replace(/^::ffff:/, '')}\n`);
        return;
      }
      const secs = Number(line.slice(5));
      let read;
      try {
        read = rxCounter(sock.localAddress);
      } catch (err) {
        sock.end(`no rate: ${err.message}\n`);
        return;
      }
      // the rate once TCP has left slow start: from 1 s on
      let mark = null;
      setTimeout(() => (mark = read()), 1000);
      timer = setTimeout(() => {
        const end = read();
        const s = Number(end.t - mark.t) / 1e9;
        sock.end(`rate ${Math.round(((end.bytes - mark.bytes) * 8) / s)}\n`);
      }, secs * 1000);
    });
    sock.on('error', () => clearTimeout(timer));
  });
  let n = 0;
  const ready = () => ++n === 2 && console.log('ready');
  udp.bind(port, addr, ready);
  tcp.listen(port, addr, ready);
}

function udpProbe() {
  const n = Number(arg ?? 1);
  const sock = dgram.createSocket('udp4');
  const seen = new Set();
  sock.on('message', (m) => seen.add(m.toString()));
  let i = 0;
  const tick = setInterval(() => {
    if (i >= n) {
      clearInterval(tick);
      setTimeout(() => {
        console.log(`echoed ${seen.size}/${n}`);
        sock.close();
        process.exit(seen.size > 0 ? 0 : 1);
      }, 1000);
      return;
    }
    sock.send(String(i++), port, addr);
  }, 5);
}

function tcpProbe() {
  const sock = net.connect(port, addr);
  const fail = (why) => {
    console.log(`no pong: ${why}`);
    process.exit(1);
  };
  const timer = setTimeout(() => fail('timeout'), 2000);
  let text = '';
  sock.on('connect', () => sock.write('ping\n'));
  sock.on('data', (d) => {
    text += d;
    if (text.includes('\n')) {
      clearTimeout(timer);
      console.log(text.trim());
      process.exit(0);
    }
  });
  sock.on('error', (err) => fail(err.message));
}

function bulk() {
  const secs = Number(arg ?? 3);
  const sock = net.connect(port, addr);
  const chunk = Buffer.alloc(16384, 0x55);
  let text = '';
  const timer = setTimeout(() => {
    console.log('no rate: timeout');
    process.exit(1);
  }, (secs + 10) * 1000);
  const pump = () => {
    while (sock.writable && sock.write(chunk));
  };
  sock.on('connect', () => {
    sock.write(`bulk ${secs}\n`);
    pump();
  });
  sock.on('drain', pump);
  sock.on('data', (d) => {
    text += d;
    if (text.includes('\n')) {
      clearTimeout(timer);
      console.log(text.trim());
      process.exit(0);
    }
  });
  sock.on('error', (err) => {
    if (!text) {
      console.log(`no rate: ${err.message}`);
      process.exit(1);
    }
  });
}

const modes = { serve, udp: udpProbe, tcp: tcpProbe, bulk };
if (!Object.hasOwn(modes, mode)) {
  console.error(`probe: unknown mode ${mode}`);
  process.exit(2);
}
modes[mode]();
