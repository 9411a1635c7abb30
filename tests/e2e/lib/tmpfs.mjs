// SPDX-License-Identifier: GPL-2.0-or-later
// A small real file system for tests of a full disk: a tmpfs of a few MiB
// mounted on a folder of the test's temp dir (root only), a filler file
// that takes every free block until the kernel says ENOSPC, and an unmount
// that always runs: from the test's after(), and, should the test runner
// die first, from the process's exit.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const mounted = new Set();

function umount(dir) {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    // busy (a process still has a file open): detach it now, freed when closed
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    } catch {
      // not mounted any more
    }
  }
  mounted.delete(dir);
}

process.on('exit', () => {
  for (const dir of [...mounted]) umount(dir);
});

let probed;

// Why a tmpfs cannot be mounted here (not root, no mount, a container
// without the right), or null: tried once for real on a scratch folder.
export function tmpfsUnavailable() {
  if (probed !== undefined) return probed;
  if (process.getuid?.() !== 0) return (probed = 'mounting a tmpfs needs root');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', scratch], { stdio: 'pipe' });
    execFileSync('umount', [scratch], { stdio: 'ignore' });
    probed = null;
  } catch (e) {
    probed = `cannot mount a tmpfs here: ${String(e.stderr ?? e.message).trim()}`;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return probed;
}

// Mounts a tmpfs of `sizeMiB` on `dir` (made if missing). Resolves
// { dir, fill(), unfill(), freeBytes(), unmount() }.
export function mountTmpfs(dir, sizeMiB) {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', dir]);
  mounted.add(dir);
  const filler = `${dir}/filler`;
  return {
    dir,
    // Writes `filler` until the file system refuses (ENOSPC): no block is
    // left for anyone. Resolves the bytes written.
    fill() {
      const fd = fs.openSync(filler, 'a');
      let written = 0;
      try {
        for (const size of [1 << 20, 4096, 512, 1]) {
          const buf = Buffer.alloc(size, 0x5a);
          for (;;) {
            try {
              written += fs.writeSync(fd, buf);
            } catch (e) {
              if (e.code !== 'ENOSPC') throw e;
              break;
            }
          }
        }
      } finally {
        fs.closeSync(fd);
      }
      return written;
    },
    unfill() {
      fs.rmSync(filler, { force: true });
    },
    freeBytes() {
      const s = fs.statfsSync(dir);
      return s.bavail * s.bsize;
    },
    unmount() {
      umount(dir);
    },
  };
}
