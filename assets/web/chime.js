// SPDX-License-Identifier: GPL-2.0-or-later
// The chime when a visitor starts waiting, and its Sound on/off toggle.
// Two soft sine tones made with Web Audio (no audio file to fetch). The
// browser keeps an AudioContext suspended until the page had a user gesture:
// the sign-in click, or any click or key later on.

import { counters, ui } from './console-state.js';
import { t } from './i18n.js';

const CHIME_KEY = 'relais.chime'; // sessionStorage: 'off' when muted
const CHIME_NOTES = [
  [660, 0],
  [880, 0.16],
]; // Hz, start (s)
let audioCtx = null;

function chimeMuted() {
  try {
    return sessionStorage.getItem(CHIME_KEY) === 'off';
  } catch {
    return false;
  }
}

function audio() {
  if (!audioCtx) {
    const Ctx = window.AudioContext ?? window.webkitAudioContext;
    if (!Ctx) return null;
    audioCtx = new Ctx();
  }
  if (audioCtx.state === 'suspended') audioCtx.resume().catch(() => {});
  return audioCtx;
}

export function chime() {
  if (chimeMuted()) return;
  counters.chimes++;
  const ctx = audio();
  if (!ctx) return;
  const t0 = ctx.currentTime + 0.02;
  for (const [freq, at] of CHIME_NOTES) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    // soft attack, gentle exponential decay: a chime, not a beep
    gain.gain.setValueAtTime(0.0001, t0 + at);
    gain.gain.exponentialRampToValueAtTime(0.12, t0 + at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 0.45);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0 + at);
    osc.stop(t0 + at + 0.5);
  }
}

function showChimeToggle() {
  const muted = chimeMuted();
  ui.chimeToggle.setAttribute('aria-pressed', String(muted));
  ui.chimeToggle.textContent = t(muted ? 'chime.off' : 'chime.on');
  ui.chimeToggle.title = t(muted ? 'chime.off.title' : 'chime.on.title');
}

ui.chimeToggle.addEventListener('click', () => {
  try {
    if (chimeMuted()) sessionStorage.removeItem(CHIME_KEY);
    else sessionStorage.setItem(CHIME_KEY, 'off');
  } catch {
    // storage refused: the toggle simply does not stick
  }
  showChimeToggle();
  if (!chimeMuted()) audio(); // a click is a user gesture: wake the audio up
});
// Any gesture lets the chime play later (the browser's autoplay policy).
for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, () => chimeMuted() || audio());
showChimeToggle();
