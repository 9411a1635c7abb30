// SPDX-License-Identifier: GPL-2.0-or-later
// The console's booth list: each connected booth, its site and its state.
// The switchboard sends it whole after welcome, as a snapshot in one or more
// parts, then only its changes (PROTOCOL.md "The booth list: a snapshot in
// parts, then changes"): the rows are made once and changed one by one.

import { el } from './page.js';
import { st, ui } from './console-state.js';
import { humanize } from './words.js';
import { t } from './i18n.js';

// state -> [its words (booth.state.*), its tone]
const BOOTH_STATE = {
  idle: ['idle', 'ok'],
  queued: ['waiting', 'wait'],
  waiting: ['waiting', 'wait'],
  in_call: ['in-call', 'busy'],
  'in-call': ['in-call', 'busy'],
  out_of_order: ['out-of-order', 'bad'],
  'out-of-order': ['out-of-order', 'bad'],
};

function row(b) {
  const [words, tone] = BOOTH_STATE[b.state] ?? [null, 'other'];
  const label = words ? t(`booth.state.${words}`) : humanize(b.state);
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
}

// The list as the switchboard sorts it: by booth id (ids are ASCII).
const before = (a, b) => a < b;

// Where `id` goes in the sorted st.boothIds.
function place(id) {
  let lo = 0;
  let hi = st.boothIds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(st.boothIds[mid], id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function showCount() {
  ui.boothCount.textContent = String(st.booths.size);
  ui.boothsEmpty.hidden = st.booths.size > 0;
}

function replaceAll(entries) {
  st.booths = new Map();
  for (const b of entries) st.booths.set(b.booth_id, { entry: b, el: row(b) });
  st.boothIds = [...st.booths.keys()].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  ui.boothList.replaceChildren(...st.boothIds.map((id) => st.booths.get(id).el));
  st.boothsReady = true;
  showCount();
}

function applyChanges(msg) {
  for (const b of msg.booths) {
    const have = st.booths.get(b.booth_id);
    const el = row(b);
    if (have) {
      have.el.replaceWith(el);
      have.entry = b;
      have.el = el;
      continue;
    }
    const at = place(b.booth_id);
    const next = st.boothIds[at];
    st.boothIds.splice(at, 0, b.booth_id);
    st.booths.set(b.booth_id, { entry: b, el });
    ui.boothList.insertBefore(el, next === undefined ? null : st.booths.get(next).el);
  }
  for (const id of msg.gone) {
    const have = st.booths.get(id);
    if (!have) continue;
    have.el.remove();
    st.booths.delete(id);
    const at = place(id);
    if (st.boothIds[at] === id) st.boothIds.splice(at, 1);
  }
  showCount();
}

// A new link: its first snapshot replaces the list.
export function resetBooths() {
  st.boothSnapshot = null;
  st.boothsReady = false;
}

// `booths`: one part of a snapshot. The list is replaced once all the parts
// of one snapshot are here, in order; a part of another snapshot, or out of
// order, drops what was gathered (the next snapshot starts at its part 1).
export function onBooths(msg) {
  const s = st.boothSnapshot;
  if (msg.part === 1) {
    st.boothSnapshot = { id: msg.snapshot, parts: msg.parts, next: 2, entries: [...msg.booths], changes: [] };
  } else if (s && s.id === msg.snapshot && s.parts === msg.parts && s.next === msg.part) {
    s.entries.push(...msg.booths);
    s.next++;
  } else {
    console.warn(`relais: booth list part ${msg.part}/${msg.parts} of snapshot ${msg.snapshot} out of order: ignored`);
    st.boothSnapshot = null;
    return;
  }
  if (msg.part < msg.parts) return;
  const done = st.boothSnapshot;
  st.boothSnapshot = null;
  replaceAll(done.entries);
  for (const c of done.changes) applyChanges(c);
}

// `booths_changed`: what changed since the last list, applied in order.
export function onBoothsChanged(msg) {
  if (st.boothSnapshot) st.boothSnapshot.changes.push(msg);
  else if (st.boothsReady) applyChanges(msg);
  else console.warn('relais: a booth list change before any snapshot: ignored');
}
