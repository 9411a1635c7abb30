// SPDX-License-Identifier: GPL-2.0-or-later
// The console's notices: a line for screen readers (announce) and a
// passing message on screen (toast).

import { el } from './page.js';
import { ui } from './console-state.js';

export function announce(text) {
  // Re-adding a node makes screen readers read it even if the text repeats.
  const p = el('p', { text });
  ui.announcer.append(p);
  while (ui.announcer.childElementCount > 5) ui.announcer.firstElementChild.remove();
}

let toastTimer = 0;
export function toast(text, kind = 'info') {
  ui.toast.textContent = text;
  ui.toast.dataset.kind = kind;
  ui.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (ui.toast.hidden = true), 6000);
}
