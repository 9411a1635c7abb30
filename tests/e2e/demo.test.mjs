// SPDX-License-Identifier: GPL-2.0-or-later
// The README's first command, minus the install and build steps: the demo
// script starts a switchboard, a simulated booth and a simulated visitor; an
// adviser in Chromium opens the printed URL, sees the waiting visitor,
// accepts, gets video and sound, ends, and the visitor comes back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { TOP, BUILD, missingBinaries, tmpDir } from './lib/env.mjs';
import { Proc, killAll } from './lib/procs.mjs';
import { launchAdviser } from './lib/browser.mjs';
import { freePort, until } from './lib/util.mjs';
import { signInPage } from './lib/relais.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

test('demo: the printed URL leads to a two-way call with the simulated visitor', { skip, timeout: 90000 }, async (t) => {
  const dir = tmpDir('demo');
  const port = await freePort();
  const demo = new Proc('demo', path.join(TOP, 'board', 'host', 'demo.sh'), [BUILD], {
    dir,
    env: { RELAIS_PORT: String(port), RELAIS_BOOTH_PORT: String(await freePort()), RELAIS_DEMO_SECONDS: '80' },
  });
  // listen before anything slow happens: the lines come once
  const printedUrl = demo.waitForLine(/Adviser console:\s+(http:\S+)\s+\(sign in as (\S+) \/ (\S+)\)/, 30000);
  const printedAdmin = demo.waitForLine(/Administration:\s+(http:\S+)\s+\((\S+) \/ (\S+)\)/, 30000);
  const visitorWaits = demo.waitForLine(/simulated visitor is waiting/, 30000);
  const adviser = await launchAdviser({ dir, media: 'fake' });
  t.after(async () => {
    await adviser.close();
    await killAll();
  });

  const [, url, login, password] = await printedUrl;
  assert.equal(url, `http://127.0.0.1:${port}/`);
  assert.equal(login, 'adviser');
  assert.match(password, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/, 'a generated trial password');
  const [, adminUrl, adminLogin, adminPassword] = await printedAdmin;
  assert.equal(adminUrl, `http://127.0.0.1:${port}/admin.html`);
  assert.notEqual(adminPassword, password, 'each account its own one-time password');
  const me = await fetch(`http://127.0.0.1:${port}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: adminLogin, password: adminPassword }),
  });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).role, 'admin');
  await visitorWaits;

  const { page } = adviser;
  await page.goto(url);
  await signInPage(page, { login, password });
  await page.waitForSelector('body[data-link="online"]', { timeout: 10000 });
  assert.equal(await page.locator('[data-testid="adviser-name"]').innerText(), 'Demo Adviser');
  const item = page.locator('[data-testid="queue-item"][data-booth-id="sim-1"]');
  await item.waitFor({ timeout: 10000 });
  assert.equal(await item.locator('[data-testid="queue-topic"]').getAttribute('data-topic'), 'job-search');
  await item.locator('[data-testid="accept-btn"]').click();
  await page.waitForSelector('body[data-state="in-call"]', { timeout: 5000 });
  await until(
    async () => {
      const s = await page.evaluate(() => window.relais.stats());
      return (s?.inboundVideo?.framesDecoded ?? 0) >= 60 && (s?.inboundAudio?.packetsReceived ?? 0) > 0;
    },
    { timeout: 20000, what: 'video and sound from the demo booth' },
  );
  await page.locator('[data-testid="end-btn"]').click();
  await page.waitForSelector('body[data-state="idle"]', { timeout: 5000 });
  // the simulated visitor asks again, as the demo promises
  await item.waitFor({ timeout: 15000 });
  await demo.stop();
});
