// SPDX-License-Identifier: GPL-2.0-or-later
// The common path of the end-to-end tests: switchboard + simulated booth +
// Chromium adviser, a visitor request, Accept, media both ways, End.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { tmpDir, outFile } from './env.mjs';
import { killAll } from './procs.mjs';
import { startSwitchboard, startBooth, boothMedia, signInPage } from './relais.mjs';
import { launchAdviser } from './browser.mjs';
import { until, sleep, slow } from './util.mjs';

export const BOOTH_ID = 'e2e-1';
// ASCII on purpose: relais-booth does not call setlocale(), so GOption cannot
// convert a non-ASCII --site (see the report); console.test.mjs covers UTF-8 sites.
export const SITE = 'Mediatheque E2E';

export class Stack {
  constructor(tag) {
    this.tag = tag;
    this.dir = tmpDir(tag);
    this.sb = null;
    this.booth = null;
    this.adviser = null;
    this.failed = false;
  }

  get page() {
    return this.adviser.page;
  }

  // boothEnv: extra environment for relais-booth (see startBooth).
  // boothArgs: extra relais-booth arguments (e.g. UI_ARGS for the touch UI).
  // sbArgs: extra relais-switchboard arguments; pageInit: a function run in
  // the console page before its own scripts (page.addInitScript).
  // tls: { cert, key } for an HTTPS/WSS switchboard (the booth trusts the
  // certificate with --ca-file); browserArgs: extra Chromium switches (e.g.
  // --ignore-certificate-errors-spki-list for that certificate).
  // netns (tests/network): { switchboard, booth, browser } namespace names,
  // bind and host: the switchboard's --bind and the address all reach it at
  // (tls needed off loopback). locale: the browser's language ('fr-FR': the
  // console in French).
  async start({ media = 'fake', mdns = true, boothEnv = {}, boothArgs = [], sbArgs = [], pageInit = null, tls = null, browserArgs = [], netns = {}, locale = 'en-US' } = {}) {
    this.sb = await startSwitchboard({ dir: this.dir, extraArgs: sbArgs, tls, netns: netns.switchboard, bind: netns.bind, host: netns.host });
    this.booth = await startBooth({ dir: this.dir, switchboard: this.sb, boothId: BOOTH_ID, site: SITE, env: boothEnv, extraArgs: boothArgs, netns: netns.booth });
    this.adviser = await launchAdviser({ dir: this.dir, media, mdns, extraArgs: browserArgs, netns: netns.browser, locale });
    if (pageInit) await this.adviser.context.addInitScript(pageInit);
    await this.page.goto(this.sb.pageUrl());
    await signInPage(this.page);
    // under the sanitizers every program runs several times slower: a
    // sanitizer run once took more than 10 s here (slow(): util.mjs)
    await this.page.waitForSelector('body[data-link="online"]', { timeout: slow(10000) });
    return this;
  }

  // Logs of every part, for a failure message.
  diagnostics() {
    const parts = [`temp dir: ${this.dir}`];
    if (this.sb) parts.push(this.sb.proc.tailText(20));
    if (this.booth?.proc) parts.push(this.booth.proc.tailText(30));
    if (this.adviser) parts.push(`--- browser console ---\n${this.adviser.consoleLines.slice(-30).join('\n')}`);
    return parts.join('\n');
  }

  // Wraps a test body: on failure, adds the logs and keeps the temp dir.
  async run(fn) {
    try {
      return await fn(this);
    } catch (err) {
      this.failed = true;
      err.message = `${err.message}\n${this.diagnostics()}`;
      throw err;
    }
  }

  async stop() {
    await this.adviser?.close();
    await killAll();
    if (!this.failed && !process.env.RELAIS_E2E_KEEP) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async pageStats() {
    return this.page.evaluate(() => window.relais.stats());
  }

  async pageState() {
    return this.page.evaluate(() => document.body.dataset.state);
  }

  async screenshot(name) {
    const path = outFile(name);
    await this.page.screenshot({ path });
    return path;
  }
}

// Booth listed → visitor request → listed in the queue with topic, language,
// answers and a ticking wait → Accept. Returns { callId, acceptedAt }.
export async function requestAndAccept(stack, { topic = 'job-search', language = 'fr', answers = { situation: 'job-seeker' } } = {}) {
  const { page, booth } = stack;
  const row = page.locator(`[data-testid="booth-row"][data-booth-id="${BOOTH_ID}"]`);
  await row.waitFor({ timeout: 10000 });
  assert.equal(await row.getAttribute('data-booth-state'), 'idle');
  assert.match(await row.innerText(), new RegExp(SITE));

  await booth.ctl.request({ topic, language, answers });
  const item = page.locator(`[data-testid="queue-item"][data-booth-id="${BOOTH_ID}"]`);
  await item.waitFor({ timeout: 10000 });
  assert.equal(await item.locator('[data-testid="queue-topic"]').getAttribute('data-topic'), topic);
  assert.equal(await item.locator('[data-testid="queue-language"]').getAttribute('data-language'), language);
  // each answer shown in words (in the page's language), its ids kept on the <dd>
  for (const [k, v] of Object.entries(answers)) {
    const dd = item.locator(`[data-testid="queue-answers"] dd[data-question="${k}"][data-answer="${v}"]`);
    assert.ok((await dd.innerText()).trim() !== '', `answer ${k}: ${v} shown`);
  }
  await page.waitForSelector(`[data-testid="booth-row"][data-booth-id="${BOOTH_ID}"][data-booth-state="queued"]`, { timeout: 5000 });

  // The wait time ticks every second on its own (no server message needed).
  const wait = item.locator('[data-testid="queue-wait"]');
  const w0 = Number(await wait.getAttribute('data-seconds'));
  await until(async () => Number(await wait.getAttribute('data-seconds')) > w0, { timeout: 3000, interval: 100, what: 'the wait time to tick' });
  assert.match(await wait.innerText(), /^\d\d:\d\d$/);

  // The booth prepares its offer while the visitor waits.
  await until(async () => (await booth.ctl.status()).offer === 'ready', { timeout: 10000, what: 'booth offer ready' }).catch(() => {});

  const acceptedAt = Date.now();
  await item.locator('[data-testid="accept-btn"]').click();
  await page.waitForSelector('body[data-state="in-call"]', { timeout: 5000 });
  const callId = await page.evaluate(() => window.relais.callId);
  assert.ok(callId, 'page has a call id');
  return { callId, acceptedAt };
}

// Polls both ends until media flows as asked. Returns the last stats.
export async function waitMedia(stack, { boothReceives = true, minFrames = 60, timeout = 20000 } = {}) {
  let last = {};
  await until(
    async () => {
      const [status, page] = await Promise.all([stack.booth.ctl.status(), stack.pageStats()]);
      const bm = boothMedia(status);
      last = { booth: { state: status.state, ...bm }, page };
      const pageOk = (page?.inboundVideo?.framesDecoded ?? 0) >= minFrames && (page?.inboundAudio?.packetsReceived ?? 0) > 0;
      const boothOk = boothReceives ? bm.videoReceived >= minFrames && bm.audioReceived > 0 : bm.videoSent >= minFrames;
      return pageOk && boothOk;
    },
    { timeout, interval: 250, what: `media both ways (${boothReceives ? 'booth receives' : 'booth sends only'})` },
  ).catch((err) => {
    err.message += `\nlast: ${JSON.stringify(last)}`;
    throw err;
  });
  return last;
}

// End from the page; both ends must return to idle.
export async function endFromPage(stack) {
  await stack.page.locator('[data-testid="end-btn"]').click();
  await stack.page.waitForSelector('body[data-state="idle"]', { timeout: 5000 });
  await until(async () => (await stack.booth.ctl.status()).state === 'idle', { timeout: 10000, what: 'booth back to idle' });
  await stack.page.waitForSelector(`[data-testid="booth-row"][data-booth-id="${BOOTH_ID}"][data-booth-state="idle"]`, { timeout: 5000 });
  assert.equal(await stack.page.evaluate(() => window.relais.pc), null);
}

export { sleep, until, boothMedia };
