// SPDX-License-Identifier: GPL-2.0-or-later
// The console's booth list: each connected booth, its site and its state.

import { el } from './page.js';
import { st, ui } from './console-state.js';
import { humanize } from './words.js';

const BOOTH_STATE = {
  idle: ['Idle', 'ok'],
  queued: ['Visitor waiting', 'wait'],
  waiting: ['Visitor waiting', 'wait'],
  in_call: ['In call', 'busy'],
  'in-call': ['In call', 'busy'],
  out_of_order: ['Out of order', 'bad'],
  'out-of-order': ['Out of order', 'bad'],
};

export function renderBooths(booths) {
  st.booths = booths;
  const items = booths.map((b) => {
    const [label, tone] = BOOTH_STATE[b.state] ?? [humanize(b.state), 'other'];
    return el(
      'li',
      { class: 'booth', 'data-testid': 'booth-row', 'data-booth-id': b.booth_id, 'data-booth-state': b.state },
      el('span', { class: `dot dot-${tone}`, 'aria-hidden': 'true' }),
      el(
        'div',
        { class: 'booth-main' },
        el('div', { class: 'booth-site', text: b.site || b.booth_id }),
        el('div', { class: 'booth-id', text: b.board ? `${b.booth_id} · ${b.board}` : b.booth_id }),
      ),
      el(
        'div',
        { class: 'booth-state' },
        el('span', { class: `tag tag-${tone}`, 'data-testid': 'booth-state', text: label }),
        b.reason ? el('div', { class: 'booth-reason', 'data-testid': 'booth-reason', text: b.reason }) : null,
      ),
    );
  });
  ui.boothList.replaceChildren(...items);
  ui.boothCount.textContent = String(booths.length);
  ui.boothsEmpty.hidden = booths.length > 0;
}
