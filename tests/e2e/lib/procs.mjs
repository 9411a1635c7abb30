// SPDX-License-Identifier: GPL-2.0-or-later
// Child processes with their output kept (file + tail in memory) and a
// guaranteed kill: every child is registered and killed by killAll(), which
// tests call from after(); a process 'exit' hook catches the rest.
//
// Each child leads a process group of its own (spawned detached): a script
// that starts programs (board/host/demo.sh) is stopped with everything it
// started. The stop is SIGTERM to the child alone (its own shutdown, which
// a script passes on to its children), then SIGKILL to the whole group if
// it lingers, and SIGKILL to whatever of its group outlived it: a child
// left behind would keep the test's pipes open and the test file would
// never end.

import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SANITIZER, slow } from './util.mjs';

const live = new Set();


function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // the group is empty
  }
}

process.on('exit', () => {
  for (const p of live) killGroup(p.child.pid, 'SIGKILL');
});

// netns: a network namespace (tests/network) to run the program in, through
// `ip netns exec NS` (which execs the program: the child's pid is its own).
export const inNetns = (netns, cmd, args) => (netns ? ['ip', ['netns', 'exec', netns, cmd, ...args]] : [cmd, args]);

export class Proc {
  constructor(name, cmd0, args0, { dir, env, netns } = {}) {
    const [cmd, args] = inNetns(netns, cmd0, args0);
    this.name = name;
    this.cmd = cmd;
    this.args = args;
    this.netns = netns ?? null;
    this.logPath = dir ? path.join(dir, `${name}.log`) : null;
    this.log = this.logPath ? fs.createWriteStream(this.logPath) : null;
    this.tail = [];
    this.lineWaiters = [];
    this.child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        live.delete(this);
        // what it started and left behind goes with it
        if (this.child.pid) killGroup(this.child.pid, 'SIGKILL');
        this.exitCode = code;
        this.exitSignal = signal;
        for (const w of this.lineWaiters.splice(0)) w.reject(new Error(`${name} exited (${code ?? signal}) before printing ${w.re}\n${this.tailText()}`));
        resolve({ code, signal });
      });
    });
    this.child.on('error', (err) => {
      this.#line('stderr', `spawn error: ${err.message}`);
      for (const w of this.lineWaiters.splice(0)) w.reject(err);
    });
    live.add(this);
    // the log ends when the output does: 'exit' can come before the last
    // of stdout/stderr is read, and a line written to an ended log is an
    // uncaught ERR_STREAM_WRITE_AFTER_END in whichever test runs then
    this.child.on('close', () => this.log?.end());
    for (const stream of ['stdout', 'stderr']) {
      let partial = '';
      this.child[stream].setEncoding('utf8');
      this.child[stream].on('data', (d) => {
        partial += d;
        const lines = partial.split('\n');
        partial = lines.pop();
        for (const l of lines) this.#line(stream, l);
      });
    }
  }

  #line(stream, l) {
    this.log?.write(`${stream === 'stderr' ? '! ' : ''}${l}\n`);
    this.tail.push(l);
    if (this.tail.length > 60) this.tail.shift();
    for (const w of [...this.lineWaiters]) {
      const m = w.re.exec(l);
      if (m) {
        this.lineWaiters.splice(this.lineWaiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(m);
      }
    }
  }

  tailText(n = 25) {
    return `--- last lines of ${this.name}${this.logPath ? ` (${this.logPath})` : ''} ---\n${this.tail.slice(-n).join('\n')}`;
  }

  get running() {
    return live.has(this);
  }

  // Resolves with the match of the first output line matching re (from now on).
  waitForLine(re, limit = 10000) {
    const timeout = slow(limit);
    return new Promise((resolve, reject) => {
      const w = { re, resolve, reject };
      w.timer = setTimeout(() => {
        this.lineWaiters.splice(this.lineWaiters.indexOf(w), 1);
        reject(new Error(`${this.name}: no line matching ${re} within ${timeout} ms\n${this.tailText()}`));
      }, timeout);
      this.lineWaiters.push(w);
    });
  }

  // SIGTERM, then SIGKILL to its whole group if it lingers.
  async stop(graceMs = SANITIZER ? 15000 : 3000) {
    if (!this.running) return this.exited;
    try {
      this.child.kill('SIGTERM');
    } catch {
      // gone
    }
    const t = setTimeout(() => killGroup(this.child.pid, 'SIGKILL'), graceMs);
    const r = await this.exited;
    clearTimeout(t);
    return r;
  }
}

export async function killAll() {
  await Promise.all([...live].map((p) => p.stop()));
}

// Runs a short command; resolves {code, stdout, stderr} (never rejects on exit code).
export function run(cmd0, args0, { timeout = 10000, netns } = {}) {
  const [cmd, args] = inNetns(netns, cmd0, args0);
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, error: err });
    });
  });
}
