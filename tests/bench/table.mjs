// SPDX-License-Identifier: GPL-2.0-or-later
// The one table of make bench: every $(O)/bench/*.json part (kiosk.json
// from kiosk.mjs, load.json from the switchboard load generator, soak.json
// from the soak), each {part, rows: [{figure, case, relais, reference, unit,
// ratio, target, met, note}]}, printed in one table.
//
//   node table.mjs BUILD/bench [--markdown]

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const num = (x) => {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
};
const met = (m) => (m === true ? 'yes' : m === false ? 'NO' : '-');

export function readParts(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => {
      try {
        const doc = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
        // a part run on its own (make bench-load, bench-soak) joins the
        // table with the time it was written: it may be older than the rest
        const when = doc.when ?? fs.statSync(path.join(dir, f)).mtime.toISOString();
        return Array.isArray(doc.rows) ? [{ file: f, ...doc, when }] : [];
      } catch (err) {
        return [{ file: f, part: f, rows: [{ figure: 'unreadable', note: err.message }] }];
      }
    });
}

export function formatTable(parts, { markdown = false } = {}) {
  const head = ['part', 'case', 'figure', 'relais', 'reference', 'unit', 'ratio', 'target', 'met', 'note'];
  const body = parts.flatMap((p) =>
    p.rows.map((r) => [p.part ?? p.file, r.case ?? '', r.figure ?? '', num(r.relais), num(r.reference), r.unit ?? '', r.ratio === null || r.ratio === undefined ? '-' : `${num(r.ratio)}x`, r.target ?? '', met(r.met), r.note ?? '']),
  );
  if (markdown) {
    const esc = (s) => String(s).replace(/\|/g, '\\|');
    return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
  }
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === r.length - 1 ? String(c) : String(c).padEnd(w[i]))).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? path.join(process.cwd(), 'build', 'bench');
  const parts = readParts(dir);
  if (!parts.length) {
    console.log(`no results in ${dir}`);
    process.exit(1);
  }
  for (const p of parts) if (p.when) console.log(`${p.part}: ${p.when}${p.seconds ? `, ${p.seconds} s` : ''}${p.title ? ` — ${p.title}` : ''}`);
  console.log('');
  console.log(formatTable(parts, { markdown: process.argv.includes('--markdown') }));
}
