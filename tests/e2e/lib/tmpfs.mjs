// SPDX-License-Identifier: GPL-2.0-or-later
// A small real file system for tests of a full disk: a tmpfs of a few MiB
// mounted on a folder of the test's temp dir (root only), a filler file
// that takes every free block until the kernel says ENOSPC, and an unmount
// that always runs: from the test's after(), and, should the test runner
// die first, from the process's exit.

import fs from 'node:fs';
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

// Why a tmpfs cannot be mounted here (not root, no mount), or null.
export function tmpfsUnavailable() {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  try {
    execFileSync('mount', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'no mount command';
  }
  return null;
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
