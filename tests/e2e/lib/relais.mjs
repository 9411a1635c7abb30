// SPDX-License-Identifier: GPL-2.0-or-later
// The real Relais programs: switchboard, simulated booth, and boothctl.

import fs from 'node:fs';
import path from 'node:path';
import { ASSETS, PIPELINES, bin } from './env.mjs';
import { Proc, run } from './procs.mjs';
import { httpGet, until, fatal } from './util.mjs';

// Starts relais-switchboard on a port the OS picks (--port 0; it prints the
// port), serving the adviser console from assets/web.
export async function startSwitchboard({ dir, extraArgs = [] }) {
  const p = new Proc('switchboard', bin('relais-switchboard'), ['--port', '0', '--assets', ASSETS, ...extraArgs], {
    dir,
    env: { G_MESSAGES_DEBUG: process.env.G_MESSAGES_DEBUG ?? '' },
  });
  const m = await p.waitForLine(/listening on http:\/\/([\d.]+):(\d+)\//, 10000);
  const port = Number(m[2]);
  const base = `http://127.0.0.1:${port}`;
  await until(async () => (await httpGet(`${base}/healthz`)).status === 200, { timeout: 5000, what: 'switchboard /healthz' });
  return {
    proc: p,
    port,
    base,
    pageUrl: (name = 'E2E Adviser') => `${base}/?name=${encodeURIComponent(name)}`,
    wsUrl: (role) => `ws://127.0.0.1:${port}/ws/${role}`,
    healthz: () => httpGet(`${base}/healthz`),
    metrics: () => httpGet(`${base}/metrics`),
  };
}

export class BoothCtl {
  constructor(sock) {
    this.sock = sock;
  }

  async run(...args) {
    const r = await run(bin('relais-boothctl'), ['--control', this.sock, ...args], { timeout: 10000 });
    if (r.code !== 0) throw new Error(`relais-boothctl ${args.join(' ')} exited ${r.code}: ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  async status() {
    const out = await this.run('status');
    try {
      return JSON.parse(out);
    } catch {
      throw new Error(`relais-boothctl status printed no JSON: ${out}`);
    }
  }

  request({ topic = 'job-search', language = 'fr', answers = { situation: 'job-seeker' } } = {}) {
    const a = Object.entries(answers).flatMap(([k, v]) => ['--answer', `${k}=${v}`]);
    return this.run('request', '--topic', topic, '--language', language, ...a);
  }

  end() {
    return this.run('end');
  }

  // Touch UI (relais-booth --ui): a finger on the target that sends `target`
  // (a journey event name), with its choice / language / number.
  async tap(target, arg) {
    const out = await this.run('tap', target, ...(arg === undefined ? [] : [String(arg)]));
    return JSON.parse(out).visitor;
  }

  key(name) {
    return this.run('key', name);
  }

  screenshot(file) {
    return this.run('screenshot', file);
  }

  async visitor() {
    return (await this.status()).visitor;
  }
}

// Media counters as the booth reports them: tolerant of them being at the top
// level of the status JSON or under "media"/"stats".
export function boothMedia(status) {
  const m = status?.media ?? status?.stats ?? status ?? {};
  const n = (k) => Number(m[k] ?? status?.[k] ?? 0);
  return {
    videoReceived: n('video_frames_received'),
    audioReceived: n('audio_buffers_received'),
    videoSent: n('video_frames_sent'),
    audioSent: n('audio_buffers_sent'),
  };
}

// Starts the simulated booth (board sim) connected to the switchboard and
// waits until its control socket answers. env: extra environment variables
// for the booth (e.g. { RELAIS_MEDIA_STAMP: '1' } for the latency bench).
export async function startBooth({ dir, switchboard, boothId = 'e2e-1', site = 'E2E Library', extraArgs = [], env = {} }) {
  const sock = path.join(dir, 'booth.sock');
  const args = [
    '--switchboard', switchboard.wsUrl('booth'),
    '--booth-id', boothId,
    '--control', sock,
    '--pipelines', PIPELINES,
    ...(site ? ['--site', site] : []),
    ...extraArgs,
  ];
  const p = new Proc(`booth-${boothId}`, bin('relais-booth'), args, {
    dir,
    env: { GST_DEBUG: process.env.GST_DEBUG ?? '', G_MESSAGES_DEBUG: process.env.G_MESSAGES_DEBUG ?? '', ...env },
  });
  const ctl = new BoothCtl(sock);
  await until(
    async () => {
      if (!p.running) throw fatal(`relais-booth exited early (${p.exitCode ?? p.exitSignal})`);
      return fs.existsSync(sock) && (await ctl.status());
    },
    { timeout: 15000, interval: 150, what: 'booth control socket' },
  ).catch((err) => {
    throw new Error(`${err.message}\n${p.tailText()}`);
  });
  return { proc: p, ctl, sock, boothId };
}
