// SPDX-License-Identifier: GPL-2.0-or-later
// The kiosk page's way to the switchboard. /ws/booth refuses an upgrade that
// carries an Origin (a web page must not pose as a booth) and wants the
// booth's enrolled certificate, which a page cannot present. So the page
// opens a plain WebSocket to this bridge on loopback (/link), and the bridge
// holds the real booth link (TLS, client certificate) and copies each text
// message across as it comes: no page.evaluate per message, the page's
// WebSocket is a real one. The same HTTP server serves the page itself
// (http://127.0.0.1 is a secure context: getUserMedia works).
//
// What it costs the kiosk is measured, not assumed: each forwarded message's
// time inside the bridge (bytes in -> bytes out) is kept, and /echo answers
// each text message at once, so the page can time a round trip over its own
// WebSocket (kiosk.js echoRtt()).

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const FILES = { '/kiosk.html': 'text/html', '/kiosk.js': 'text/javascript', '/stamp.js': 'text/javascript' };
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

// A server-side WebSocket (RFC 6455): masked frames in, unmasked out. Text
// and close only (the signaling is JSON text); fragments are reassembled.
class ServerWs {
  constructor(socket, rest) {
    this.socket = socket;
    this.buf = rest;
    this.parts = [];
    this.onText = null;
    this.onClose = null;
    this.open = true;
    socket.setNoDelay(true);
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.#parse();
    });
    socket.on('close', () => this.#closed(1006));
    socket.on('error', () => this.#closed(1006));
    if (this.buf.length) this.#parse();
  }

  #closed(code) {
    if (!this.open) return;
    this.open = false;
    this.onClose?.(code);
  }

  #parse() {
    for (;;) {
      if (this.buf.length < 2) return;
      const fin = (this.buf[0] & 0x80) !== 0;
      const op = this.buf[0] & 0x0f;
      let len = this.buf[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        at = 10;
      }
      const masked = (this.buf[1] & 0x80) !== 0;
      const need = at + (masked ? 4 : 0) + len;
      if (this.buf.length < need) return;
      const payload = Buffer.from(this.buf.subarray(at + (masked ? 4 : 0), need));
      if (masked) {
        const mask = this.buf.subarray(at, at + 4);
        for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      }
      this.buf = this.buf.subarray(need);
      if (op === 0x8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.close(code);
        this.#closed(code);
        return;
      }
      if (op === 0x9) {
        this.#send(0xa, payload);
        continue;
      }
      if (op === 0x1 || op === 0x0) {
        this.parts.push(payload);
        if (fin) {
          const text = Buffer.concat(this.parts).toString('utf8');
          this.parts = [];
          this.onText?.(text);
        }
      }
    }
  }

  #send(op, payload) {
    if (!this.open) return;
    const n = payload.length;
    const head = n < 126 ? Buffer.from([0x80 | op, n]) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    if (n >= 126 && n < 65536) {
      head[0] = 0x80 | op;
      head[1] = 126;
      head.writeUInt16BE(n, 2);
    } else if (n >= 65536) {
      head[0] = 0x80 | op;
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(n), 2);
    }
    this.socket.write(Buffer.concat([head, payload]));
  }

  sendText(text) {
    this.#send(0x1, Buffer.from(text, 'utf8'));
  }

  close(code = 1000) {
    if (!this.open) return;
    const p = Buffer.alloc(2);
    p.writeUInt16BE(code, 0);
    this.#send(0x8, p);
    this.socket.end();
  }
}

// sb: the switchboard (startSwitchboard); boothId: the kiosk's enrolled id.
// Resolves { url (the page's address), port, forwardMs (one entry per
// message forwarded), messages, close() }.
export async function startBridge({ sb, boothId, site }) {
  const stats = { forwardMs: [], messages: 0 };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const type = FILES[u.pathname];
    if (!type) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(fs.readFileSync(path.join(here, u.pathname.slice(1))));
  });
  const links = new Set();
  server.on('upgrade', async (req, socket, head) => {
    const key = req.headers['sec-websocket-key'];
    const u = new URL(req.url, 'http://x');
    if (!key || (u.pathname !== '/link' && u.pathname !== '/echo')) {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const accept = crypto.createHash('sha1').update(key + GUID).digest('base64');
    let upstream = null;
    if (u.pathname === '/link') {
      try {
        upstream = await sb.boothWs(boothId, { site });
      } catch (err) {
        socket.end(`HTTP/1.1 502 Bad Gateway\r\n\r\n${err.message}`);
        return;
      }
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    const page = new ServerWs(socket, head);
    if (!upstream) {
      page.onText = (t) => page.sendText(t);
      return;
    }
    links.add(upstream);
    const timed = (fn) => (text) => {
      const t0 = process.hrtime.bigint();
      fn(text);
      stats.forwardMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      stats.messages++;
    };
    page.onText = timed((t) => upstream.sendText(t));
    upstream.onText = timed((t) => page.sendText(t));
    page.onClose = () => upstream.close();
    upstream.closed.then(({ code }) => {
      links.delete(upstream);
      page.close(code === 1006 || code === 1005 ? 1000 : code);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  return {
    port,
    url: `http://127.0.0.1:${port}/kiosk.html`,
    stats,
    close: () => {
      for (const l of links) l.close();
      server.closeAllConnections?.();
      server.close();
    },
  };
}
