// SPDX-License-Identifier: GPL-2.0-or-later
// relais-booth with its touch UI (--ui), drawn off screen, driven through the
// control socket as a finger would (BoothCtl.tap / key / screenshot).

import path from 'node:path';
import { TOP, BUILD } from './env.mjs';
import { until } from './util.mjs';
import { BOOTH_ID } from './scenario.mjs';

export const UI_ARGS = [
  '--ui',
  '--ui-size', '1280x800',
  '--questions', path.join(TOP, 'assets', 'questions', 'default.ini'),
  '--locale-dir', path.join(BUILD, 'locale'),
];
export const UI_ENV = { SDL_VIDEODRIVER: 'offscreen', SDL_AUDIODRIVER: 'dummy' };

// Waits until the booth shows `name` (journey state name); returns the
// visitor part of its status.
export async function screen(ctl, name, { timeout = 10000 } = {}) {
  let last;
  await until(
    async () => {
      last = await ctl.visitor();
      return last.screen === name;
    },
    { timeout, interval: 100, what: `booth screen '${name}'` },
  ).catch((err) => {
    err.message += ` (last: ${JSON.stringify(last)})`;
    throw err;
  });
  return last;
}

// From attract to waiting: the first touch, then four taps.
export async function walkToWaiting(ctl, { language = 'fr' } = {}) {
  let taps = 0;
  const tap = async (...a) => {
    taps++;
    return ctl.tap(...a);
  };
  await screen(ctl, 'attract');
  await tap('language', language); // the first touch picks the language
  await screen(ctl, 'question');
  await tap('answer', 'job-search');
  await tap('answer', 'job-seeker');
  await screen(ctl, 'consent');
  await tap('accept');
  await screen(ctl, 'self_check');
  return { taps, ready: async () => { await tap('ready'); return taps; } };
}

// The visitor waiting at the booth's screen: the console accepts (once the
// booth's offer is ready), both ends are in the call.
export async function acceptWaitingVisitor(stack) {
  const { page } = stack;
  const ctl = stack.booth.ctl;
  const item = page.locator(`[data-testid="queue-item"][data-booth-id="${BOOTH_ID}"]`);
  await item.waitFor({ timeout: 10000 });
  await until(async () => (await ctl.status()).offer === 'ready', { timeout: 10000, what: 'booth offer ready' });
  await item.locator('[data-testid="accept-btn"]').click();
  await page.waitForSelector('body[data-state="in-call"]', { timeout: 5000 });
  await screen(ctl, 'in_call', { timeout: 15000 });
}

// The visitor walks to the queue on the booth's screen and the console
// accepts.
export async function callFromBooth(stack, { language = 'en' } = {}) {
  const walk = await walkToWaiting(stack.booth.ctl, { language });
  await walk.ready();
  await screen(stack.booth.ctl, 'waiting');
  await acceptWaitingVisitor(stack);
}

// Chromium's fake display capture picked without a picker (headless has
// none): getDisplayMedia gives a 1280x720 "screen" source.
export const SCREEN_ARGS = ['--auto-select-desktop-capture-source=Entire screen'];
