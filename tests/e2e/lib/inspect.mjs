// SPDX-License-Identifier: GPL-2.0-or-later
// Looks inside a running process from the outside (we run as its owner or
// root): its UDP sockets, its threads, and its memory, for the privacy tests.

import fs from 'node:fs';

function socketInodes(pid) {
  const inodes = new Set();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let target;
    try {
      target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m) inodes.add(m[1]);
  }
  return inodes;
}

// UDP sockets the process holds (ICE/RTP: nothing of the kind may exist
// before the visitor's "I'm ready").
export function udpSockets(pid) {
  const mine = socketInodes(pid);
  const found = [];
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && mine.has(cols[9])) found.push(`${table.slice(10)} ${cols[1]}`);
    }
  }
  return found;
}

// Names of the process's threads (GStreamer names its streaming threads
// after their elements: "videotestsrc0:src", "webrtcbin0:..."). Kernel
// comm names are cut at 15 bytes.
export function threadNames(pid) {
  const names = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      names.push(fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim());
    } catch {
      // thread gone
    }
  }
  return names;
}

const SHADOW_MIN = 1n << 40n; // 1 TiB

// Searches every writable mapping (heap, anonymous, stacks) of the process
// for each needle (UTF-8 and, for the UI's strings, UTF-16/32 would not
// apply: SDL_ttf takes UTF-8). Returns [{ needle, where }] for each hit.

export function scanMemory(pid, needles) {
  const buffers = needles.map((n) => Buffer.from(n, 'utf8'));
  const maxLen = Math.max(...buffers.map((b) => b.length));
  const maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').filter(Boolean);
  const fd = fs.openSync(`/proc/${pid}/mem`, 'r');
  const hits = [];
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (const line of maps) {
      const [range, perms, , , , name = ''] = line.split(/\s+/);
      if (!perms.startsWith('rw')) continue;
      if (name.startsWith('/dev/') || name === '[vvar]') continue;
      const [startHex, endHex] = range.split('-');
      let pos = BigInt(`0x${startHex}`);
      const end = BigInt(`0x${endHex}`);
      // AddressSanitizer's shadow (the sanitizer pass): terabytes reserved,
      // never touched but where it describes the heap; it holds no program
      // data, only the state of the bytes it shadows. No other mapping of
      // a booth comes near this size.
      if (!name && end - pos > SHADOW_MIN) continue;
      let carry = Buffer.alloc(0);
      while (pos < end) {
        const want = Number(end - pos < BigInt(chunk.length) ? end - pos : BigInt(chunk.length));
        let n = 0;
        try {
          n = fs.readSync(fd, chunk, 0, want, pos);
        } catch {
          break; // unreadable mapping (guard pages)
        }
        if (n <= 0) break;
        const hay = Buffer.concat([carry, chunk.subarray(0, n)]);
        buffers.forEach((b, i) => {
          if (hay.indexOf(b) >= 0 && !hits.some((h) => h.needle === needles[i] && h.where === (name || range)))
            hits.push({ needle: needles[i], where: name || range });
        });
        carry = Buffer.from(hay.subarray(Math.max(0, hay.length - maxLen + 1)));
        pos += BigInt(n);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return hits;
}

// The bytes around each place `needle` sits in pid's writable memory
// (`span` before it, the needle and `span` after, as latin1 text): to tell
// which copy a scanMemory() hit is.
export function memoryContexts(pid, needle, span = 200) {
  const b = Buffer.from(needle, 'utf8');
  const maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').filter(Boolean);
  const fd = fs.openSync(`/proc/${pid}/mem`, 'r');
  const out = [];
  try {
    for (const line of maps) {
      const [range, perms, , , , name = ''] = line.split(/\s+/);
      if (!perms.startsWith('rw') || name.startsWith('/dev/') || name === '[vvar]') continue;
      const [start, end] = range.split('-').map((h) => BigInt(`0x${h}`));
      if (!name && end - start > SHADOW_MIN) continue;
      const buf = Buffer.alloc(Number(end - start));
      try {
        fs.readSync(fd, buf, 0, buf.length, start);
      } catch {
        continue;
      }
      for (let i = buf.indexOf(b); i >= 0; i = buf.indexOf(b, i + 1))
        out.push(buf.subarray(Math.max(0, i - span), i + b.length + span).toString('latin1'));
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

// Files under `dir` (recursively) whose bytes contain any needle.
export function filesContaining(dir, needles) {
  const found = [];
  const walk = (d) => {
    let entries = [];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const data = fs.readFileSync(p);
        for (const n of needles) if (data.indexOf(Buffer.from(n, 'utf8')) >= 0) found.push(`${p}: ${n}`);
      }
    }
  };
  walk(dir);
  return found;
}
