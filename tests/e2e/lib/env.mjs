// SPDX-License-Identifier: GPL-2.0-or-later
// Where things are: RELAIS_TOP (repository root) and RELAIS_BUILD (build folder).

import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const TOP = path.resolve(process.env.RELAIS_TOP ?? path.join(here, '..', '..', '..'));

function resolveBuild() {
  const v = process.env.RELAIS_BUILD;
  if (!v) return path.join(TOP, 'build');
  if (path.isAbsolute(v)) return v;
  // Relative to where the runner was started, else to the repository root.
  const fromCwd = path.resolve(v);
  return fs.existsSync(fromCwd) ? fromCwd : path.resolve(TOP, v);
}
export const BUILD = resolveBuild();
export const BIN = path.join(BUILD, 'bin');
export const ASSETS = path.join(TOP, 'assets', 'web');
export const PIPELINES = path.join(TOP, 'pipelines');
export const OUT = path.join(here, '..', 'out'); // screenshots, gitignored
export const CHROMIUM = process.env.RELAIS_CHROMIUM ?? '/usr/bin/chromium';

export const bin = (name) => path.join(BIN, name);

export function tmpDir(tag) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `relais-e2e-${tag}-`));
}

// Names the binaries that are missing, so a test can skip with a clear reason.
export function missingBinaries(...names) {
  return names.filter((n) => !fs.existsSync(bin(n)));
}

export function outFile(name) {
  fs.mkdirSync(OUT, { recursive: true });
  return path.join(OUT, name);
}
