// SPDX-License-Identifier: GPL-2.0-or-later
// The switchboard under load (issue 14, item 4): a real relais-switchboard
// on loopback, tests/bench/sbload.c (relais-sbload) as N enrolled booths
// and M advisers, N raised step by step until a step does not hold all its
// booths or misses the relay target, and the limit named.
//
//   make bench-load                  N = 1000, 2000, 5000, 10000, 15000, 20000
//   BENCH_QUICK=1 make bench-load    N = 500, 1000
//
// Env: LOAD_STEPS (comma-separated N), LOAD_EXCHANGES (M, default 20),
// LOAD_SECONDS (exchange time per step, default 20), LOAD_PERIOD_MS (per
// lane, default 500), LOAD_CONNECT_S (most seconds to connect a step's
// booths, default 600), LOAD_MAX_BOOTHS (the switchboard's --max-booths,
// default: the largest step), BENCH_OUT (folder of load.json).
// The enrolled booths (keys, certificates) and the switchboard's store that
// knows them are kept in $RELAIS_BUILD/bench/sbload/: enrolled once.

import fs from 'node:fs';
import path from 'node:path';
import { BUILD } from '../e2e/lib/env.mjs';
import { killAll, run } from '../e2e/lib/procs.mjs';
import { startSwitchboard, addUser, hoursSet, EVERY_HALF_DAY } from '../e2e/lib/relais.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const STEPS = (process.env.LOAD_STEPS ?? (QUICK ? '500,1000' : '1000,2000,5000,10000,15000,20000')).split(',').map(Number);
const M = Number(process.env.LOAD_EXCHANGES ?? 20);
const SECONDS = Number(process.env.LOAD_SECONDS ?? (QUICK ? 10 : 20));
const PERIOD_MS = Number(process.env.LOAD_PERIOD_MS ?? 500);
const CONNECT_S = Number(process.env.LOAD_CONNECT_S ?? 600);
const MAX_BOOTHS = Number(process.env.LOAD_MAX_BOOTHS ?? Math.max(...STEPS));
const OUT = process.env.BENCH_OUT ?? path.join(BUILD, 'bench');
const TARGET_N = 10000;
const TARGET_P99 = 10;
const sbload = path.join(BUILD, 'tests', 'bench', 'relais-sbload');
const ADMIN = { login: 'load-admin', password: 'load-admin-password', name: 'Load Admin', role: 'admin' };

const dir = path.join(OUT, 'sbload');
const pool = path.join(dir, 'pool');
fs.mkdirSync(pool, { recursive: true });
// the pool's certificates live 30 days (RELAIS_SB_BOOTH_CERT_DAYS): older
// than 25, the pool and its store are made again
const stamp = path.join(dir, 'made-at');
if (fs.existsSync(stamp) && Date.now() - Number(fs.readFileSync(stamp, 'utf8')) > 25 * 86400e3) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(pool, { recursive: true });
}
if (!fs.existsSync(stamp)) fs.writeFileSync(stamp, String(Date.now()));

const results = [];
const rows = [];
let sb = null;
let failure = null;
try {
  sb = await startSwitchboard({ dir, extraArgs: ['--max-booths', String(MAX_BOOTHS)] });
  const pid = sb.proc.child.pid;
  if (!fs.existsSync(path.join(dir, 'admin-made'))) {
    await addUser(sb.dataDir, ADMIN);
    fs.writeFileSync(path.join(dir, 'admin-made'), '');
  }
  // the site the booths' hello names, as a region's booths are at sites
  // the store knows
  if (!fs.existsSync(path.join(dir, 'site-made'))) {
    await hoursSet(sb.dataDir, 'Load', EVERY_HALF_DAY);
    fs.writeFileSync(path.join(dir, 'site-made'), '');
  }
  const r = await sb.login(ADMIN.login, ADMIN.password);
  if (r.status !== 200) throw new Error(`sign-in of ${ADMIN.login}: ${r.status} ${r.body}`);
  process.env.SBLOAD_COOKIE = r.cookie;
  const common = ['--pool', pool, '--port', String(sb.port), '--booth-port', String(sb.boothPort), '--ca', sb.boothCaFile];
  console.log(`relais-switchboard pid ${pid}, --max-booths ${MAX_BOOTHS}; ${M} concurrent exchanges, ${SECONDS} s per step, a lane every ${PERIOD_MS} ms at most`);
  console.log('     N    held  connect s   exch/s   msgs/s in/out   relay p50/p99 ms   sb CPU   sb RSS/PSS KB per booth');
  for (const n of STEPS) {
    const e = await run(sbload, ['enrol', ...common, '--count', String(n)], { timeout: 3600e3 });
    if (e.code !== 0) throw new Error(`relais-sbload enrol: ${e.stderr}`);
    const enrolled = JSON.parse(e.stdout);
    if (enrolled.enrolled) console.log(`  (enrolled ${enrolled.enrolled} booths in ${enrolled.seconds} s)`);
    const g = await run(sbload, ['run', ...common, '--booths', String(n), '--exchanges', String(M), '--seconds', String(SECONDS), '--period-ms', String(PERIOD_MS), '--connect-timeout', String(CONNECT_S), '--sb-pid', String(pid)], { timeout: 1800e3 });
    if (g.code !== 0) throw new Error(`relais-sbload run: ${g.stderr}`);
    const x = JSON.parse(g.stdout);
    x.stderr = g.stderr.trim().split('\n').slice(0, 5).join(' | ');
    x.sb_alive = sb.proc.exitCode === undefined;
    const held = x.booths_held_at_end;
    x.rss_per_booth_kb = x.booths_held_after_connect ? (x.sb_rss_kb_held - x.sb_rss_kb_before) / x.booths_held_after_connect : null;
    x.pss_per_booth_kb = x.booths_held_after_connect ? (x.sb_pss_kb_held - x.sb_pss_kb_before) / x.booths_held_after_connect : null;
    results.push(x);
    console.log(
      `${String(n).padStart(6)} ${String(held).padStart(7)} ${x.connect_s.toFixed(1).padStart(10)} ${(x.exchanges_done / x.exchange_s).toFixed(1).padStart(8)} ${x.msgs_received_per_s.toFixed(0).padStart(8)}/${x.msgs_sent_per_s.toFixed(0).padEnd(6)} ${x.relay_p50_ms.toFixed(2).padStart(10)}/${x.relay_p99_ms.toFixed(2).padEnd(7)} ${(100 * x.sb_cpu_share).toFixed(0).padStart(6)} % ${x.rss_per_booth_kb?.toFixed(1).padStart(8)}/${x.pss_per_booth_kb?.toFixed(1)}`,
    );
    const problems = limitOf(x);
    if (problems.length) {
      x.limit = problems.join('; ');
      console.log(`        limit: ${x.limit}`);
      // a relay over its target is a limit of the figure, not of the
      // capacity: N goes on rising until booths are not held
      if (x.booths_held_at_end < x.booths_asked || x.exchanges_failed > 0 || !x.sb_alive) break;
    }
  }
} catch (err) {
  failure = err.message.split('\n').slice(0, 3).join(' ');
  console.log(`failed: ${failure}`);
} finally {
  if (sb) console.log(`switchboard's last lines:\n${sb.proc.tailText(5)}`);
  await killAll();
}

// What stopped a step: the first cause found, in the order a reader checks.
function limitOf(x) {
  const out = [];
  const errs = Object.entries(x.errors ?? {});
  const full = errs.find(([k]) => / full: /.test(k));
  if (!x.sb_alive) out.push('the switchboard exited');
  if (full) out.push(`the switchboard's cap: "${full[0]}" (${full[1]} times)`);
  if (x.fd_limit_hit) out.push(`the generator's file descriptors (RLIMIT_NOFILE ${x.generator_nofile})`);
  if (x.booths_held_after_connect < x.booths_asked && !full && !x.fd_limit_hit) {
    const fdsNeeded = x.booths_asked + x.advisers + 50;
    const why = fdsNeeded > x.sb_nofile_soft ? `the switchboard's file descriptors (RLIMIT_NOFILE soft ${x.sb_nofile_soft}, hard ${x.sb_nofile_hard})` : `connections not held (failures ${x.connect_failures}, 503 ${x.refused_503}, refused ${x.upgrade_refused}; ${x.stderr})`;
    out.push(`${x.booths_asked - x.booths_held_after_connect} of ${x.booths_asked} booths not connected: ${why}`);
  }
  if (x.booths_held_at_end < x.booths_held_after_connect) out.push(`${x.booths_held_after_connect - x.booths_held_at_end} booths lost during the exchanges (${JSON.stringify(x.closes)})`);
  if (x.exchanges_failed > 0) out.push(`${x.exchanges_failed} exchanges failed (${JSON.stringify(x.errors)})`);
  if (!(x.relay_p99_ms <= TARGET_P99)) out.push(`relay p99 ${x.relay_p99_ms.toFixed(1)} ms > ${TARGET_P99} ms (switchboard CPU ${(100 * x.sb_cpu_share).toFixed(0)} % of one core)`);
  return out;
}

const ok = failure === null && results.length > 0;
const best = results.filter((x) => !x.limit).at(-1);
const at = (n) => results.find((x) => x.booths_asked === n);
const t = at(TARGET_N) ?? best;
const row = (figure, kase, relais, unit, target, met, note) => ({ figure, case: kase, relais, reference: null, unit, ratio: null, target, met, note });
const stopped = results.find((x) => x.limit && x.booths_held_at_end < x.booths_asked) ?? results.find((x) => x.limit);
const most = results.reduce((m, x) => (m && m.booths_held_at_end >= x.booths_held_at_end ? m : x), null);
rows.push(row('booth connections held', most ? `${most.booths_asked} asked, ${most.advisers} exchanges` : 'switchboard load', ok ? (most?.booths_held_at_end ?? 0) : null, 'connections', `>= ${TARGET_N}, p99 <= ${TARGET_P99} ms`, ok ? (best?.booths_held_at_end ?? 0) >= TARGET_N : null,
  failure ?? `the most held in a step (through its exchanges); the largest step held in full with relay p99 <= ${TARGET_P99} ms: ${best ? best.booths_asked : 'none'}; ${stopped ? `step ${stopped.booths_asked} stopped: ${stopped.limit}` : `no limit met up to ${Math.max(...STEPS)} (the steps asked)`}`));
if (t) {
  const kase = `${t.booths_asked} booths, ${t.advisers} exchanges`;
  const valid = t.exchanges_done > 0 && t.relay_samples > 0;
  rows.push(row('relay latency p50', kase, valid ? t.relay_p50_ms : null, 'ms', 'none', null, `booth sends an offer or an ICE candidate -> adviser receives it, ${t.relay_samples} samples`));
  rows.push(row('relay latency p99', kase, valid ? t.relay_p99_ms : null, 'ms', `<= ${TARGET_P99} ms`, valid ? t.relay_p99_ms <= TARGET_P99 : false, valid ? `max ${t.relay_max_ms.toFixed(1)} ms; adviser -> booth p99 ${t.relay_back_p99_ms.toFixed(1)} ms` : 'no exchange completed: not timed'));
  rows.push(row('messages per second', kase, valid ? Math.round(t.msgs_received_per_s + t.msgs_sent_per_s) : null, 'msg/s', 'none', null, `${t.msgs_sent_per_s.toFixed(0)} sent and ${t.msgs_received_per_s.toFixed(0)} received by the generator's clients; ${(t.exchanges_done / t.exchange_s).toFixed(1)} exchanges/s (hello..end), ${t.exchanges_failed} failed; switchboard CPU ${(100 * t.sb_cpu_share).toFixed(0)} % of a core`));
  rows.push(row('switchboard memory per booth connection', kase, t.rss_per_booth_kb, 'KB RSS', 'none', null, `PSS ${t.pss_per_booth_kb?.toFixed(1)} KB per connection: RSS ${t.sb_rss_kb_before} KB before, ${t.sb_rss_kb_held} KB with ${t.booths_held_after_connect} booths held`));
  rows.push(row('booth connect rate', kase, t.booths_held_after_connect / t.connect_s, 'conn/s', 'none', null, `TLS 1.3 with a client certificate, upgrade, hello, welcome; ${t.connect_s.toFixed(1)} s for ${t.booths_held_after_connect}`));
}
fs.mkdirSync(OUT, { recursive: true });
fs.writeFileSync(path.join(OUT, 'load.json'), `${JSON.stringify({ part: 'load', rows }, null, 1)}\n`);
fs.writeFileSync(path.join(dir, 'steps.json'), `${JSON.stringify(results, null, 1)}\n`);
console.log('');
for (const r of rows) {
  const v = r.relais === null ? 'n/a' : Number.isInteger(r.relais) ? String(r.relais) : r.relais.toFixed(2);
  console.log(`${r.figure.padEnd(40)} ${v.padStart(9)} ${r.unit.padEnd(11)} target ${r.target.padEnd(10)} ${r.met === null ? '' : r.met ? 'met' : 'MISSED'}  ${r.note}`);
}
console.log(`\nwrote ${path.join(OUT, 'load.json')} (every step: ${path.join(dir, 'steps.json')})`);
process.exitCode = ok ? 0 : 1;
