// SPDX-License-Identifier: GPL-2.0-or-later
// A deliberately small WebSocket client (RFC 6455) over node:net. Node 20 has no
// global WebSocket, and a test of bad input needs what no polite client allows:
// oversized and binary frames, arbitrary bytes, and the server's close code.

import net from 'node:net';
import tls from 'node:tls';
import crypto from 'node:crypto';
import { slow } from './util.mjs';

const OP = { cont: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa };

export class WsClient {
  // Use WsClient.connect(url).
  constructor(socket, rest) {
    this.socket = socket;
    this.buf = rest ?? Buffer.alloc(0);
    this.messages = []; // every text message received, parsed when JSON
    this.waiters = [];
    this.fragments = null;
    this.closeCode = null;
    this.closeReason = '';
    this.ended = false;
    this.closed = new Promise((resolve) => (this._resolveClosed = resolve));
    socket.on('data', (d) => this.#onData(d));
    socket.on('close', () => this.#finish(this.closeCode ?? 1006, this.closeReason));
    socket.on('error', () => this.#finish(this.closeCode ?? 1006, this.closeReason));
    if (this.buf.length) this.#parse();
  }

  // origin: the Origin header; default the page's own origin (http://host,
  // https://host for wss://) except on /ws/booth (booths are not browsers
  // and send none); null: none.
  // cookie: a Cookie header (a signed-in adviser's session).
  // ca: PEM certificate(s) to trust for wss:// (a TLS switchboard's).
  // cert, key: a client certificate and its key (PEM), as a booth presents.
  // localAddress: the address to connect from (127.0.0.2: another client).
  // A refused upgrade rejects with err.status set (e.g. 401, 403).
  static connect(url, { timeout: limit = 5000, origin, cookie, ca, cert, key: clientKey, localAddress } = {}) {
    const u = new URL(url);
    const secure = u.protocol === 'wss:';
    if (origin === undefined) origin = u.pathname.endsWith('/ws/booth') ? null : `${secure ? 'https' : 'http'}://${u.host}`;
    const key = crypto.randomBytes(16).toString('base64');
    const timeout = slow(limit);
    return new Promise((resolve, reject) => {
      const socket = secure
        ? tls.connect({ host: u.hostname, port: Number(u.port || 443), ...(ca ? { ca } : {}), ...(cert ? { cert, key: clientKey } : {}), ...(localAddress ? { localAddress } : {}) })
        : net.connect({ host: u.hostname, port: Number(u.port || 80), ...(localAddress ? { localAddress } : {}) });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`ws: handshake with ${url} timed out`));
      }, timeout);
      let head = Buffer.alloc(0);
      const onData = (d) => {
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        clearTimeout(timer);
        const lines = head.subarray(0, end).toString('latin1').split('\r\n');
        const status = lines[0];
        if (!/^HTTP\/1\.1 101/.test(status)) {
          socket.destroy();
          const err = new Error(`ws: upgrade refused: ${status}`);
          err.status = Number(status.split(' ')[1]);
          reject(err);
          return;
        }
        const accept = lines.find((l) => /^sec-websocket-accept:/i.test(l))?.split(':')[1]?.trim();
        const want = crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
        if (accept !== want) {
          socket.destroy();
          reject(new Error('ws: bad Sec-WebSocket-Accept'));
          return;
        }
        resolve(new WsClient(socket, head.subarray(end + 4)));
      };
      socket.on('data', onData);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        socket.write(
          `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
            (origin ? `Origin: ${origin}\r\n` : '') +
            (cookie ? `Cookie: ${cookie}\r\n` : '') +
            '\r\n',
        );
      });
    });
  }

  #finish(code, reason) {
    if (this.ended) return;
    this.ended = true;
    this.closeCode = code;
    this.closeReason = reason;
    this._resolveClosed({ code, reason });
    for (const w of this.waiters.splice(0)) w.reject(new Error(`ws: closed (${code} ${reason}) while waiting for ${w.what}`));
  }

  #onData(d) {
    this.buf = Buffer.concat([this.buf, d]);
    this.#parse();
  }

  #parse() {
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0];
      const b1 = this.buf[1];
      const fin = (b0 & 0x80) !== 0;
      const op = b0 & 0x0f;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      const maskOff = off;
      if (masked) off += 4;
      if (this.buf.length < off + len) return;
      let payload = Buffer.from(this.buf.subarray(off, off + len));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= this.buf[maskOff + (i % 4)];
      this.buf = this.buf.subarray(off + len);
      this.#frame(fin, op, payload);
    }
  }

  #frame(fin, op, payload) {
    if (op === OP.ping) {
      this.sendFrame(OP.pong, payload);
      return;
    }
    if (op === OP.pong) return;
    if (op === OP.close) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      const reason = payload.length > 2 ? payload.subarray(2).toString('utf8') : '';
      this.closeCode = code;
      this.closeReason = reason;
      try {
        this.sendFrame(OP.close, payload.subarray(0, 2));
      } catch {
        // already gone
      }
      this.socket.end();
      this.#finish(code, reason);
      return;
    }
    if (op === OP.text || op === OP.binary) this.fragments = { op, parts: [payload] };
    else if (op === OP.cont && this.fragments) this.fragments.parts.push(payload);
    if (!fin || !this.fragments) return;
    const data = Buffer.concat(this.fragments.parts);
    const wasText = this.fragments.op === OP.text;
    this.fragments = null;
    if (!wasText) return;
    const text = data.toString('utf8');
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      msg = { type: '<not json>', raw: text };
    }
    this.messages.push(msg);
    this.onText?.(text);
    for (const w of [...this.waiters]) {
      if (w.pred(msg)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(msg);
      }
    }
  }

  // Sends one frame (masked, as a client must). payload: Buffer or string.
  sendFrame(op, payload = Buffer.alloc(0), { fin = true } = {}) {
    if (this.ended) throw new Error('ws: connection closed');
    const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
    let header;
    if (data.length < 126) {
      header = Buffer.alloc(2);
      header[1] = 0x80 | data.length;
    } else if (data.length < 65536) {
      header = Buffer.alloc(4);
      header[1] = 0x80 | 126;
      header.writeUInt16BE(data.length, 2);
    } else {
      header = Buffer.alloc(10);
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(data.length), 2);
    }
    header[0] = (fin ? 0x80 : 0) | op;
    const mask = crypto.randomBytes(4);
    const masked = Buffer.alloc(data.length);
    for (let i = 0; i < data.length; i++) masked[i] = data[i] ^ mask[i % 4];
    this.socket.write(Buffer.concat([header, mask, masked]));
  }

  sendText(text) {
    this.sendFrame(OP.text, text);
  }

  send(obj) {
    this.sendText(JSON.stringify(obj));
  }

  sendBinary(buf) {
    this.sendFrame(OP.binary, buf);
  }

  // Resolves with the first message (already received or to come) matching pred,
  // counting from index `from` of this.messages.
  next(pred, { timeout: limit = 5000, what = 'a message', from = 0 } = {}) {
    const timeout = slow(limit);
    const found = this.messages.slice(from).find(pred);
    if (found) return Promise.resolve(found);
    if (this.ended) return Promise.reject(new Error(`ws: closed (${this.closeCode}) before ${what}`));
    return new Promise((resolve, reject) => {
      const w = { pred, resolve, reject, what };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        const seen = this.messages.slice(from).map((m) => m.type).join(',');
        reject(new Error(`ws: timed out after ${timeout} ms waiting for ${what} (received: ${seen || 'nothing'})`));
      }, timeout);
      this.waiters.push(w);
    });
  }

  // Sends obj (or raw text) and waits for the next message of `type` after it.
  async request(objOrText, type, opts = {}) {
    const from = this.messages.length;
    if (typeof objOrText === 'string') this.sendText(objOrText);
    else this.send(objOrText);
    return this.next((m) => m.type === type, { ...opts, from, what: opts.what ?? `"${type}" reply` });
  }

  // Waits for the server to close; resolves {code, reason}.
  async waitClosed(timeout = 5000) {
    let timer;
    const t = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`ws: not closed within ${timeout} ms`)), timeout)));
    try {
      return await Promise.race([this.closed, t]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(code = 1000) {
    if (this.ended) return;
    const p = Buffer.alloc(2);
    p.writeUInt16BE(code, 0);
    try {
      this.sendFrame(OP.close, p);
    } catch {
      // ignore
    }
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 500).unref();
  }

  destroy() {
    this.socket.destroy();
  }
}
