// SPDX-License-Identifier: GPL-2.0-or-later
// Debian's Chromium as the adviser's browser, driven by playwright-core.
// Never downloads a browser: executablePath is the system one.

import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, tmpDir } from './env.mjs';

// the flags this machine needs as root, headless (also the bench's kiosk)
export const BASE_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Fake camera (30 fps, the default is 20) and microphone, permission granted.
export const FAKE_MEDIA_ARGS = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream=fps=30'];

// A camera and a microphone exist, but the permission prompt is refused.
export const DENIED_MEDIA_ARGS = ['--use-fake-device-for-media-stream=fps=30', '--deny-permission-prompts'];

// media: 'fake' (camera+mic granted) | 'denied' (no fake devices, permission
//   refused: the console must join receive-only, and Chromium hides local IPs
//   behind mDNS .local names because no capture permission was granted).
// mdns: true (Chromium default) | false (--disable-features=WebRtcHideLocalIpsWithMdns).
// locale: the browser's language (navigator.languages, Accept-Language):
//   the console's language follows it (assets/web/i18n.js); English unless asked.
// netns: run Chromium in that network namespace (tests/network): playwright
//   starts a wrapper that execs `ip netns exec NS chromium`; its DevTools
//   pipe (inherited file descriptors) crosses namespaces.
export async function launchAdviser({ dir, media = 'fake', mdns = true, extraArgs = [], name = 'chromium', netns = null, locale = 'en-US' } = {}) {
  const userDataDir = tmpDir('chromium-profile');
  let executablePath = CHROMIUM;
  if (netns) {
    executablePath = `${userDataDir}.netns.sh`;
    fs.writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec '${netns}' '${CHROMIUM}' "$@"\n`, { mode: 0o755 });
  }
  const args = [...BASE_ARGS, ...(media === 'fake' ? FAKE_MEDIA_ARGS : DENIED_MEDIA_ARGS), ...extraArgs];
  // Playwright passes its own --disable-features list; Chromium keeps only the
  // last such switch, which is ours (its list only quiets background features
  // that --disable-background-networking already covers).
  if (!mdns) args.push('--disable-features=WebRtcHideLocalIpsWithMdns');
  const logPath = dir ? path.join(dir, `${name}-console.log`) : null;
  const log = logPath ? fs.createWriteStream(logPath) : null;
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args,
    viewport: { width: 1360, height: 860 },
    locale,
    permissions: media === 'fake' ? ['camera', 'microphone'] : [],
    timeout: 20000,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLines = [];
  page.on('console', (m) => {
    const line = `[${m.type()}] ${m.text()}`;
    consoleLines.push(line);
    if (consoleLines.length > 200) consoleLines.shift();
    log?.write(`${line}\n`);
  });
  page.on('pageerror', (err) => {
    const line = `[pageerror] ${err.message}`;
    consoleLines.push(line);
    log?.write(`${line}\n`);
  });
  return {
    context,
    page,
    consoleLines,
    pageErrors: () => consoleLines.filter((l) => l.startsWith('[pageerror]')),
    async close() {
      await context.close().catch(() => {});
      log?.end();
      fs.rmSync(userDataDir, { recursive: true, force: true });
      if (netns) fs.rmSync(executablePath, { force: true });
    },
  };
}
