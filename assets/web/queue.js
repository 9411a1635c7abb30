// SPDX-License-Identifier: GPL-2.0-or-later
// The console's queue: the visitors waiting (topic, language, site, answers,
// booked, time waited), a chime for each new one, Accept, and the notice
// when another adviser took one or the visitor left.

import * as P from './protocol.js';
import { el } from './page.js';
import { onPageChange, setState, st, timing, ui } from './console-state.js';
import { send } from './link.js';
import { announce, toast } from './notice.js';
import { answerTitle, capitalised, duration, languageName, questionTitle, topicTitle } from './words.js';
import { t } from './i18n.js';
import { chime } from './chime.js';
import { dropPrepared, keepPrepared, prepareCall } from './stage.js';

const TAKEN_LINGER_MS = 2500;
const ACCEPT_TIMEOUT_MS = 10000;

const seenTickets = new Set(); // tickets this console already chimed for (or saw)

// `queue`: one part of the queue as this adviser sees it (PROTOCOL.md "The
// queue list"); shown once every part of one snapshot is here, in order.
let parts = null;
export function onQueue(msg) {
  if (msg.part === 1) {
    parts = { id: msg.snapshot, parts: msg.parts, next: 2, items: [...msg.queue] };
  } else if (parts && parts.id === msg.snapshot && parts.parts === msg.parts && parts.next === msg.part) {
    parts.items.push(...msg.queue);
    parts.next++;
  } else {
    console.warn(`relais: queue part ${msg.part}/${msg.parts} of snapshot ${msg.snapshot} out of order: ignored`);
    parts = null;
    return;
  }
  if (msg.part < msg.parts) return;
  const { items } = parts;
  parts = null;
  renderQueue(items);
}

export function renderQueue(list) {
  const now = performance.now();
  const seen = new Set();
  const order = [];
  let fresh = false;
  for (const item of list) {
    seen.add(item.ticket);
    if (!seenTickets.has(item.ticket)) {
      seenTickets.add(item.ticket);
      fresh = true;
    }
    let q = st.queue.get(item.ticket);
    if (!q) {
      q = { item, receivedAt: now, el: buildQueueItem(item), taken: false };
      st.queue.set(item.ticket, q);
      const what = { topic: topicTitle(item.topic), language: languageName(item.language), site: item.site };
      announce(t(item.site ? 'queue.new.at' : 'queue.new', what));
    } else {
      q.item = item;
      q.receivedAt = now;
    }
    order.push(q.el);
  }
  for (const [ticket, q] of st.queue) {
    if (seen.has(ticket)) continue;
    if (q.taken) {
      order.push(q.el); // keeps its "taken" notice until it fades
      continue;
    }
    st.queue.delete(ticket);
    if (st.accepting !== ticket && st.call?.ticket !== ticket) announce(t('queue.left', { topic: topicTitle(q.item.topic) }));
  }
  // Move only what is out of place: focus stays on a button that did not move.
  order.forEach((node, i) => {
    if (ui.queueList.children[i] !== node) ui.queueList.insertBefore(node, ui.queueList.children[i] ?? null);
  });
  while (ui.queueList.children.length > order.length) ui.queueList.lastElementChild.remove();
  // Forget tickets long gone (ids are random: one seen again is the same visitor).
  for (const t of seenTickets) if (seenTickets.size > 200 && !seen.has(t)) seenTickets.delete(t);
  if (fresh) chime();
  updateQueueMeta();
  tickWaits();
  updateAcceptButtons();
  keepPrepared();
}

// Signing out: the list goes, and the next adviser here hears who is waiting.
export function clearQueue() {
  st.queue.clear();
  seenTickets.clear();
  ui.queueList.replaceChildren();
  updateQueueMeta();
}

function updateQueueMeta() {
  const waiting = [...st.queue.values()].filter((q) => !q.taken).length;
  ui.queueCount.textContent = String(waiting);
  ui.queueCount.title = t('queue.count', { n: waiting });
  ui.queueEmpty.hidden = st.queue.size > 0;
}

function buildQueueItem(item) {
  const answers = Object.entries(item.answers ?? {});
  const dl = el('dl', { class: 'answers', 'data-testid': 'queue-answers' });
  for (const [k, v] of answers) dl.append(el('dt', { text: questionTitle(k) }), el('dd', { 'data-question': k, 'data-answer': v, text: answerTitle(k, v) }));
  const titleId = `q-${item.ticket.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const btn = el('button', {
    type: 'button',
    class: 'btn btn-primary accept',
    'data-testid': 'accept-btn',
    'data-ticket': item.ticket,
    'aria-describedby': titleId,
    text: t('queue.accept'),
  });
  btn.addEventListener('click', () => acceptTicket(item.ticket));
  return el(
    'li',
    { class: 'visitor', 'data-testid': 'queue-item', 'data-ticket': item.ticket, 'data-booth-id': item.booth_id, 'data-booked': item.booked ? 'true' : null, 'data-transfer': item.transfer ? 'true' : null },
    el(
      'div',
      { class: 'visitor-head' },
      el('h3', { class: 'visitor-topic', id: titleId, 'data-testid': 'queue-topic', 'data-topic': item.topic, text: topicTitle(item.topic) }),
      el('span', { class: 'wait', 'data-testid': 'queue-wait', 'aria-label': t('queue.wait'), text: '00:00' }),
    ),
    el(
      'div',
      { class: 'visitor-meta' },
      el('span', { class: 'tag', 'data-testid': 'queue-language', 'data-language': item.language, lang: item.language, text: `${capitalised(languageName(item.language))} (${item.language})` }),
      el('span', { class: 'visitor-site', 'data-testid': 'queue-site', text: item.site || item.booth_id }),
      item.booked ? el('span', { class: 'tag tag-booked', 'data-testid': 'queue-booked', text: t('queue.booked') }) : null,
      // a call in progress its adviser transfers to this queue (PROTOCOL.md "Warm transfer")
      item.transfer ? el('span', { class: 'tag tag-booked', 'data-testid': 'queue-transfer', text: t('queue.transfer') }) : null,
    ),
    answers.length ? dl : null,
    el('div', { class: 'visitor-actions' }, btn, el('span', { class: 'visitor-note', 'data-testid': 'queue-note' })),
  );
}

// The waiting times (every second).
export function tickWaits() {
  const now = performance.now();
  for (const q of st.queue.values()) {
    if (q.taken) continue;
    const s = q.item.waited_s + (now - q.receivedAt) / 1000;
    const w = q.el.querySelector('.wait');
    const text = duration(s);
    if (w.textContent !== text) w.textContent = text;
    w.dataset.seconds = String(Math.floor(s));
    w.classList.toggle('wait-long', s >= 120);
  }
}

function updateAcceptButtons() {
  const busy = !!st.call || !!st.accepting || st.link !== 'online';
  for (const q of st.queue.values()) {
    const b = q.el.querySelector('[data-testid="accept-btn"]');
    b.disabled = busy || q.taken;
    b.textContent = t(st.accepting === q.item.ticket ? 'queue.accepting' : 'queue.accept');
  }
}
onPageChange(updateAcceptButtons);

// The Accept came to nothing (taken, refused, unanswered, link lost).
export function abandonAccept() {
  st.accepting = null;
  dropPrepared();
  setState(st.call ? 'in-call' : 'idle');
}

export function onTaken(ticket, note) {
  const q = st.queue.get(ticket);
  if (st.accepting === ticket) {
    abandonAccept();
    toast(t('queue.taken.toast'), 'info');
  }
  if (!q || q.taken) return;
  q.taken = true;
  q.el.classList.add('taken');
  q.el.dataset.taken = 'true';
  q.el.querySelector('[data-testid="queue-note"]').textContent = note;
  announce(t('queue.taken.announce', { topic: topicTitle(q.item.topic), note }));
  updateAcceptButtons();
  updateQueueMeta();
  setTimeout(() => {
    if (st.queue.get(ticket) === q) {
      st.queue.delete(ticket);
      q.el.remove();
      updateQueueMeta();
    }
  }, TAKEN_LINGER_MS);
}

function acceptTicket(ticket) {
  if (st.call || st.accepting || st.link !== 'online') return;
  const q = st.queue.get(ticket);
  if (!q || q.taken) return;
  st.accepting = ticket;
  timing.accept = performance.now();
  send(P.accept(ticket));
  if (!st.prepared) st.prepared = prepareCall();
  setState('accepting');
  // The switchboard answers with call, taken or error at once; never hang on it.
  setTimeout(() => {
    if (st.accepting !== ticket) return;
    abandonAccept();
    toast(t('queue.accept.timeout'), 'error');
  }, ACCEPT_TIMEOUT_MS);
}
