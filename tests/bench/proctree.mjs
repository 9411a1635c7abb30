// SPDX-License-Identifier: GPL-2.0-or-later
// A booth's cost over ALL of its processes: a root process and every
// descendant (Chromium's renderer, GPU, network, utility and zygote
// processes; relais-booth and any child it starts), read from /proc.

import fs from 'node:fs';

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux

function stat(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15, starttime 22
    return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / CLK_TCK, start: Number(f[19]) };
  } catch {
    return null; // gone
  }
}

// pid and every descendant alive now.
export function tree(root) {
  const children = new Map();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const s = stat(e);
    if (!s) continue;
    if (!children.has(s.ppid)) children.set(s.ppid, []);
    children.get(s.ppid).push(Number(e));
  }
  const out = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop();
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

// { key: cpu seconds } per process of the tree; key = pid:starttime, so a
// pid reused by a new process is a new key.
export function cpuSnapshot(root) {
  const snap = new Map();
  for (const pid of tree(root)) {
    const s = stat(pid);
    if (s) snap.set(`${pid}:${s.start}`, s.cpu);
  }
  return snap;
}

// CPU seconds spent between two snapshots: for a process alive at both, the
// difference; born in between, all of it. One that died in between is lost
// (its time is not in /proc any more), which only under-counts.
export function cpuBetween(a, b) {
  let sum = 0;
  for (const [k, v] of b) sum += v - (a.get(k) ?? 0);
  return sum;
}

// PSS in MB summed over the tree, and the number of processes.
export function pss(root) {
  let kb = 0;
  let n = 0;
  for (const pid of tree(root)) {
    try {
      const roll = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      kb += Number(/^Pss:\s+(\d+)/m.exec(roll)?.[1] ?? 0);
      n++;
    } catch {
      // gone, or a kernel thread
    }
  }
  return { mb: kb / 1024, processes: n };
}

// The direct child of `parent` whose command line contains `needle`.
export function findChild(parent, needle) {
  for (const pid of tree(parent)) {
    if (pid === parent || stat(pid)?.ppid !== parent) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) return pid;
    } catch {
      // gone
    }
  }
  return null;
}
