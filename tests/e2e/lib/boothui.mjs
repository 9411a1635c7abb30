// SPDX-License-Identifier: GPL-2.0-or-later
// relais-booth with its touch UI (--ui), drawn off screen, driven through the
// control socket as a finger would (BoothCtl.tap / key / screenshot).

import path from 'node:path';
import { TOP, BUILD } from './env.mjs';
import { until } from './util.mjs';

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

// Chromium's fake display capture picked without a picker (headless has
// none): getDisplayMedia gives a 1280x720 "screen" source.
export const SCREEN_ARGS = ['--auto-select-desktop-capture-source=Entire screen'];
