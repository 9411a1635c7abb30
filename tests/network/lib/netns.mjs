// SPDX-License-Identifier: GPL-2.0-or-later
// The network fault lab (tests/network/README.md): three network namespaces
// of this run's own, the booth in one, the switchboard, coturn and the
// adviser's Chromium in another, routed through a middle one that holds the
// faults. Nothing outside these namespaces is ever a target: the only link
// to the root namespace is a veth to the core namespace, so that this test
// runner reaches the switchboard's HTTP.
//
//   root ──rl<pid>r── core (switchboard, coturn, Chromium) ──── mid ──── booth
//        10.77.K+2.0/24     10.77.K+1.0/24                   10.77.K.0/24
//
// K (a multiple of 4) is picked free in the root namespace, so that two labs
// of two runs can stand side by side. Root only learns the core subnet, via
// its veth (the booth's subnet is not routed from root: the test runner never
// talks to the booth but through its control socket, a file).
//
// Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN for `ip netns`), iproute2 and
// iptables (the nft backend; the legacy one works here too).

import { execFile, execFileSync } from 'node:child_process';

// a command, rejected with its stderr when it fails
export function sh(cmd, args, { netns = null, timeout = 15000, input } = {}) {
  const [c, a] = netns ? ['ip', ['netns', 'exec', netns, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const child = execFile(c, a, { timeout, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      if (err) {
        err.message = `${c} ${a.join(' ')}: ${stderr || err.message}`;
        reject(err);
      } else resolve(stdout);
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

const NS_RE = /^rl(\d+)-(booth|mid|core)$/;
const ROLES = ['booth', 'mid', 'core'];
const IPTABLES = 'iptables';
// the chain of FORWARD in mid that holds this lab's iptables faults
const CHAIN = 'RLFAULT';

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

async function listNetns() {
  const out = await sh('ip', ['netns', 'list']).catch(() => '');
  return out
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter(Boolean);
}

// Kills what runs in `ns` and deletes it (its veths go with it).
async function deleteNetns(ns) {
  const pids = (await sh('ip', ['netns', 'pids', ns]).catch(() => ''))
    .split('\n')
    .map(Number)
    .filter((p) => p > 0);
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone
    }
  }
  // a killed process holds the namespace until it is reaped: wait a little
  for (let i = 0; i < 50; i++) {
    const left = (await sh('ip', ['netns', 'pids', ns]).catch(() => '')).trim();
    if (!left) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await sh('ip', ['netns', 'del', ns]).catch(() => {});
}

// Removes the namespaces of labs whose test process is dead (a run that was
// SIGKILLed, a crash): its processes, its namespaces and so its veths.
export async function removeStale() {
  const removed = [];
  for (const ns of await listNetns()) {
    const m = NS_RE.exec(ns);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) {
      await deleteNetns(ns);
      removed.push(ns);
    }
  }
  return removed;
}

// Why the lab cannot run here, or null.
export async function labUnavailable() {
  if (process.getuid?.() !== 0) return 'the network lab needs root (ip netns, iptables, tc): make check-network as root';
  for (const [cmd, args] of [
    ['ip', ['-V']],
    [IPTABLES, ['--version']],
    ['tc', ['-V']],
  ]) {
    try {
      await sh(cmd, args);
    } catch {
      return `${cmd} is not installed (board/host/packages.txt)`;
    }
  }
  return null;
}

async function pickSubnet() {
  const used = new Set();
  const out = await sh('ip', ['-4', '-o', 'addr', 'show']).catch(() => '');
  for (const m of out.matchAll(/inet 10\.77\.(\d+)\./g)) used.add(Number(m[1]) & ~3);
  const routes = await sh('ip', ['-4', 'route', 'show']).catch(() => '');
  for (const m of routes.matchAll(/10\.77\.(\d+)\./g)) used.add(Number(m[1]) & ~3);
  const start = (process.pid % 63) * 4;
  for (let i = 0; i < 63; i++) {
    const k = (start + i * 4) % 252;
    if (!used.has(k)) return k;
  }
  throw new Error('no free 10.77.K.0/22 for the network lab');
}

let current = null;
const onSignal = (sig) => {
  // interrupted (Ctrl-C, the runner's timeout): the namespaces go first
  const lab = current;
  const done = () => process.exit(sig === 'SIGINT' ? 130 : 143);
  if (lab) lab.destroy().finally(done);
  else done();
};

export class NetLab {
  // Use NetLab.create().
  constructor(k) {
    const pfx = `rl${process.pid}`;
    this.ns = { booth: `${pfx}-booth`, mid: `${pfx}-mid`, core: `${pfx}-core` };
    this.k = k;
    this.dev = {
      booth: `${pfx}b`, // in booth, towards mid
      midBooth: `${pfx}mb`, // in mid, towards booth
      midCore: `${pfx}mc`, // in mid, towards core
      core: `${pfx}c`, // in core, towards mid
      root: `${pfx}r`, // in root, towards core
      coreRoot: `${pfx}cr`, // in core, towards root
    };
    this.net = { booth: `10.77.${k}`, core: `10.77.${k + 1}`, root: `10.77.${k + 2}` };
    this.addr = {
      booth: `${this.net.booth}.2`,
      midBooth: `${this.net.booth}.1`,
      midCore: `${this.net.core}.1`,
      core: `${this.net.core}.2`,
      root: `${this.net.root}.1`,
      coreRoot: `${this.net.root}.2`,
    };
    this.faults = [];
    this.destroyed = false;
  }

  // Makes the three namespaces and their links; removes stale labs first.
  static async create() {
    await removeStale();
    if (current) throw new Error('one lab per test process');
    const lab = new NetLab(await pickSubnet());
    current = lab;
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await lab.#build();
    } catch (err) {
      await lab.destroy();
      throw err;
    }
    return lab;
  }

  async #build() {
    const { ns, dev, addr, net } = this;
    for (const r of ROLES) await sh('ip', ['netns', 'add', ns[r]]);
    // IPv4 only: no IPv6 link-local address appears a second after a link
    // comes up (duplicate address detection), which Chromium, started in
    // core just then, took for a network change and failed its requests
    // with (ERR_NETWORK_CHANGED: the console never got online)
    for (const r of ROLES) {
      await sh('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1'], { netns: ns[r] });
      await sh('sysctl', ['-qw', 'net.ipv6.conf.default.disable_ipv6=1'], { netns: ns[r] });
    }
    const veth = async (a, nsA, b, nsB) => {
      await sh('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
      await sh('ip', ['link', 'set', a, 'netns', nsA]);
      if (nsB) await sh('ip', ['link', 'set', b, 'netns', nsB]);
    };
    await veth(dev.booth, ns.booth, dev.midBooth, ns.mid);
    await veth(dev.core, ns.core, dev.midCore, ns.mid);
    await veth(dev.coreRoot, ns.core, dev.root, null);
    const ipIn = (n, ...args) => sh('ip', args, { netns: n });
    for (const r of ROLES) await ipIn(ns[r], 'link', 'set', 'lo', 'up');
    // a new address on the booth's veth keeps the old one's routes when the
    // old is removed (the address-change fault)
    await sh('sysctl', ['-qw', `net.ipv4.conf.${dev.booth}.promote_secondaries=1`], { netns: ns.booth });
    const up = async (n, d, a) => {
      await ipIn(n, 'addr', 'add', `${a}/24`, 'dev', d);
      await ipIn(n, 'link', 'set', d, 'up');
    };
    await up(ns.booth, dev.booth, addr.booth);
    await up(ns.mid, dev.midBooth, addr.midBooth);
    await up(ns.mid, dev.midCore, addr.midCore);
    await up(ns.core, dev.core, addr.core);
    await up(ns.core, dev.coreRoot, addr.coreRoot);
    await sh('ip', ['addr', 'add', `${addr.root}/24`, 'dev', dev.root]);
    await sh('ip', ['link', 'set', dev.root, 'up']);
    await ipIn(ns.booth, 'route', 'add', 'default', 'via', addr.midBooth);
    await ipIn(ns.core, 'route', 'add', `${net.booth}.0/24`, 'via', addr.midCore);
    await ipIn(ns.mid, 'route', 'add', `${net.root}.0/24`, 'via', addr.core);
    // root reaches the core subnet through its veth; nothing else
    await sh('ip', ['route', 'add', `${net.core}.0/24`, 'via', addr.coreRoot, 'dev', dev.root]);
    // forwarding in mid only (a new namespace starts with it off)
    await sh('sysctl', ['-qw', 'net.ipv4.ip_forward=1'], { netns: ns.mid });
    await sh(IPTABLES, ['-N', CHAIN], { netns: ns.mid });
    await sh(IPTABLES, ['-A', 'FORWARD', '-j', CHAIN], { netns: ns.mid });
  }

  // A command in namespace `role` ('booth', 'mid', 'core'); resolves stdout.
  exec(role, cmd, args, opts = {}) {
    return sh(cmd, args, { ...opts, netns: this.ns[role] });
  }

  async #iptables(spec) {
    await this.exec('mid', IPTABLES, ['-A', CHAIN, ...spec]);
    return () => this.exec('mid', IPTABLES, ['-D', CHAIN, ...spec]);
  }

  // Applies fault `name`, returns an async function that lifts it (also
  // lifted by clearFaults() and destroy()).
  async #fault(name, removers) {
    const f = { name, lift: null };
    f.lift = async () => {
      const i = this.faults.indexOf(f);
      if (i < 0) return;
      this.faults.splice(i, 1);
      for (const r of removers.reverse()) await r();
    };
    this.faults.push(f);
    return f.lift;
  }

  // Outage: everything between booth and core dropped, both directions.
  async outage() {
    const { dev } = this;
    return this.#fault('outage', [
      await this.#iptables(['-i', dev.midBooth, '-o', dev.midCore, '-j', 'DROP']),
      await this.#iptables(['-i', dev.midCore, '-o', dev.midBooth, '-j', 'DROP']),
    ]);
  }

  // Random loss: each packet dropped with probability p, in each direction
  // (direction: 'both' | 'up' (booth to core) | 'down').
  async loss(p, { direction = 'both' } = {}) {
    if (!(p > 0 && p < 1)) throw new Error(`loss probability ${p} is not in (0, 1)`);
    const { dev } = this;
    const rule = (i, o) => ['-i', i, '-o', o, '-m', 'statistic', '--mode', 'random', '--probability', String(p), '-j', 'DROP'];
    const removers = [];
    if (direction !== 'down') removers.push(await this.#iptables(rule(dev.midBooth, dev.midCore)));
    if (direction !== 'up') removers.push(await this.#iptables(rule(dev.midCore, dev.midBooth)));
    return this.#fault(`loss ${p}`, removers);
  }

  // Bandwidth cap on the booth's egress (mid's interface towards core):
  // tc tbf, rate in kbit/s; burst and queue sized for that rate.
  async bandwidth(kbit, { burstBytes = Math.max(4096, Math.round((kbit * 1000) / 8 / 50)), latencyMs = 200 } = {}) {
    const d = this.dev.midCore;
    await this.exec('mid', 'tc', ['qdisc', 'replace', 'dev', d, 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', String(burstBytes), 'latency', `${latencyMs}ms`]);
    return this.#fault(`bandwidth ${kbit} kbit/s`, [() => this.exec('mid', 'tc', ['qdisc', 'del', 'dev', d, 'root']).catch(() => {})]);
  }

  // UDP blocked: only TCP leaves the booth's network (and comes back: the
  // conntrack of mid lets the answers of allowed connections through).
  async udpBlocked() {
    const { dev } = this;
    return this.#fault('udp blocked', [
      await this.#iptables(['-i', dev.midBooth, '!', '-p', 'tcp', '-j', 'DROP']),
      await this.#iptables(['-o', dev.midBooth, '!', '-p', 'tcp', '-j', 'DROP']),
    ]);
  }

  // Address change: a new address on the booth's veth, the old one removed,
  // the default route put back. Lifting it goes back to the first address.
  async addressChange(host = 3) {
    const { dev, addr, net } = this;
    const from = this.boothAddress ?? addr.booth;
    const to = `${net.booth}.${host}`;
    const move = async (a, b) => {
      await this.exec('booth', 'ip', ['addr', 'add', `${b}/24`, 'dev', dev.booth]);
      await this.exec('booth', 'ip', ['addr', 'del', `${a}/24`, 'dev', dev.booth]);
      await this.exec('booth', 'ip', ['route', 'replace', 'default', 'via', addr.midBooth, 'dev', dev.booth, 'src', b]);
      this.boothAddress = b;
    };
    await move(from, to);
    return this.#fault(`address ${from} -> ${to}`, [() => move(to, from)]);
  }

  // Lifts every fault still applied, last first.
  async clearFaults() {
    while (this.faults.length) await this.faults[this.faults.length - 1].lift();
  }

  // The iptables rules of the fault chain, with their packet counters.
  faultRules() {
    return this.exec('mid', IPTABLES, ['-L', CHAIN, '-v', '-n', '-x']);
  }

  // Removes everything: the processes left in the namespaces, the
  // namespaces (their veths with them). Idempotent.
  async destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const r of ROLES) await deleteNetns(this.ns[r]);
    // the root end of the root<->core veth went with its peer; in case not:
    await sh('ip', ['link', 'del', this.dev.root]).catch(() => {});
    if (current === this) current = null;
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

// Leftovers of this very process at exit (a test that threw before its
// after() hook): synchronous, best effort (procs.mjs's own exit hook kills
// the programs; `ip netns del` only unmounts the name, the kernel frees the
// namespace when its last process is gone).
process.on('exit', () => {
  if (!current || current.destroyed) return;
  for (const r of ROLES) {
    try {
      execFileSync('ip', ['netns', 'del', current.ns[r]], { stdio: 'ignore' });
    } catch {
      // best effort
    }
  }
});
