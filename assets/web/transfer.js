// SPDX-License-Identifier: GPL-2.0-or-later
// Warm transfer (PROTOCOL.md "Warm transfer"). In a call: "Transfer" opens
// a list of the colleagues free now and the topics' queues (asked again
// every few seconds while open: transfer_list), a note, "Offer the call";
// then the transfer's state as a pill (offered, accepted, joining, joined,
// declined, gone, queued, unanswered) and "Hand over" (transfer_done) once
// the colleague has joined. Out of a call: a colleague's offer with the
// visitor's answers and the note, Accept / Decline and its countdown; the
// colleague's own place while joining, where it answers the booth's and
// the first adviser's offers as a guest does (answerer.js) and shows both;
// call_owner makes the call this console's (startCall, as an accepted
// ticket does: the booth offers it a new main connection) and closes those.

import * as P from './protocol.js';
import { $, el } from './page.js';
import { st } from './console-state.js';
import { send } from './link.js';
import { announce, toast } from './notice.js';
import { errorText, t } from './i18n.js';
import { answerTitle, duration, languageName, questionTitle, topicTitle } from './words.js';
import { startCall } from './stage.js';
import { abandonAccept } from './queue.js';
import { answerer } from './answerer.js';

const ui = {
  box: $('transfer'),
  open: $('transfer-open'),
  panel: $('transfer-panel'),
  to: $('transfer-to'),
  note: $('transfer-note'),
  send: $('transfer-send'),
  close: $('transfer-close'),
  pill: $('transfer-state'),
  done: $('transfer-done'),
  offer: $('transfer-offer'),
  offerTitle: $('transfer-offer-title'),
  offerAnswers: $('transfer-offer-answers'),
  offerNote: $('transfer-offer-note'),
  offerCountdown: $('transfer-offer-countdown'),
  accept: $('transfer-accept'),
  decline: $('transfer-decline'),
  offerStatus: $('transfer-offer-status'),
  offerVideos: $('transfer-offer-videos'),
};

const LIST_EVERY_MS = 3000;
// A's side: the transfer's state as last told, or null.
let mine = null;
let listTimer = null;
// B's side: the offer {call, from, language, topic, answers, expiresAt, queued}, or null.
let offer = null;
let offerTimer = null;

// --- the first adviser ---------------------------------------------------

function renderMine() {
  ui.pill.hidden = !mine;
  if (mine) {
    ui.pill.dataset.state = mine.state;
    ui.pill.textContent = t(`transfer.state.${mine.state}`, { name: mine.adviser ?? '—', topic: mine.topic ? topicTitle(mine.topic) : '—' });
  }
  const busy = mine && ['offered', 'accepted', 'joining', 'joined', 'queued'].includes(mine.state);
  ui.open.disabled = !!busy;
  ui.done.hidden = !(mine && mine.state === 'joined');
  ui.box.dataset.state = mine ? mine.state : 'none';
}

function closePanel() {
  ui.panel.hidden = true;
  clearInterval(listTimer);
  listTimer = null;
}

function askList() {
  if (st.call) send(P.transferList(st.call.id));
}

// A call began: the control is offered; ended: all is forgotten.
export function openTransfer() {
  mine = null;
  ui.note.value = '';
  ui.box.hidden = false;
  closePanel();
  renderMine();
}

export function resetTransfer() {
  mine = null;
  closePanel();
  ui.box.hidden = true;
  ui.pill.hidden = true;
  ui.done.hidden = true;
}

export function onTransferOptions(msg) {
  if (st.call?.id !== msg.call || ui.panel.hidden) return;
  const chosen = ui.to.value;
  const people = el('optgroup', { label: t('transfer.colleagues') });
  for (const a of msg.advisers) people.append(el('option', { value: `adviser:${a.adviser}`, 'data-testid': 'transfer-colleague', text: a.name }));
  const queues = el('optgroup', { label: t('transfer.queues') });
  for (const q of msg.topics) {
    if (!q.advisers) continue; // nobody signed in takes it: not offered
    queues.append(el('option', { value: `topic:${q.topic}`, 'data-testid': 'transfer-queue', text: t('transfer.queue', { topic: topicTitle(q.topic), n: q.waiting }) }));
  }
  ui.to.replaceChildren(...(people.children.length ? [people] : []), ...(queues.children.length ? [queues] : []));
  if ([...ui.to.options].some((o) => o.value === chosen)) ui.to.value = chosen;
  ui.send.disabled = ui.to.options.length === 0;
  ui.box.dataset.colleagues = String(msg.advisers.length);
}

export function onTransferState(msg) {
  if (offer?.call === msg.call || (!st.call && (msg.state === 'expired' || msg.state === 'withdrawn'))) {
    onOfferState(msg);
    return;
  }
  if (st.call?.id !== msg.call) return;
  mine = { state: msg.state, adviser: msg.adviser ?? mine?.adviser, topic: msg.topic ?? mine?.topic };
  renderMine();
  announce(ui.pill.textContent);
  if (msg.state === 'joined') ui.done.focus();
}

// A refused transfer (loop, chain, full, unavailable, state): said, the control free again.
export function onTransferError(msg) {
  if (msg.ref === 'transfer_accept' || msg.ref === 'transfer_decline') {
    offerGone(t('transfer.offer.gone'));
    return;
  }
  toast(t('transfer.failed', { why: errorText(msg) }), 'error');
  renderMine();
}

ui.open.addEventListener('click', () => {
  if (!st.call) return;
  ui.panel.hidden = false;
  ui.send.disabled = true;
  askList();
  clearInterval(listTimer);
  listTimer = setInterval(askList, LIST_EVERY_MS);
  ui.to.focus();
});

ui.close.addEventListener('click', closePanel);

ui.send.addEventListener('click', () => {
  if (!st.call || !ui.to.value) return;
  const [kind, id] = ui.to.value.split(/:(.*)/s);
  const note = ui.note.value.trim();
  try {
    send(P.transfer(st.call.id, kind === 'topic' ? { topic: id } : { adviser: id }, note || undefined));
  } catch (err) {
    toast(t('transfer.failed', { why: err.message }), 'error');
    return;
  }
  closePanel();
  ui.open.disabled = true;
});

ui.done.addEventListener('click', () => {
  if (!st.call) return;
  ui.done.disabled = true;
  send(P.transferDone(st.call.id));
  setTimeout(() => (ui.done.disabled = false), 2000);
});

// --- the colleague offered the call ---------------------------------------

function renderCountdown() {
  if (!offer || offer.answered) {
    clearInterval(offerTimer);
    offerTimer = null;
    ui.offerCountdown.hidden = true;
    return;
  }
  const left = Math.max(0, (offer.expiresAt - Date.now()) / 1000);
  ui.offerCountdown.hidden = false;
  ui.offerCountdown.textContent = t('transfer.offer.countdown', { time: duration(left) });
  offerTimer ??= setInterval(renderCountdown, 1000);
}

function offerGone(text) {
  if (offer) offer.answered = true;
  closeJoiningMedia();
  ui.accept.hidden = ui.decline.hidden = true;
  ui.offerStatus.textContent = text;
  ui.offer.dataset.state = 'over';
  renderCountdown();
  announce(text);
  setTimeout(() => {
    if (ui.offer.dataset.state === 'over') ui.offer.hidden = true;
  }, 8000);
}

export function onTransferOffer(msg) {
  // taken from the queue: the accept is answered by this, not by a call
  if (msg.queued && st.accepting) abandonAccept();
  offer = { call: msg.call, topic: msg.topic, expiresAt: Date.now() + msg.expires_s * 1000, queued: !!msg.queued, answered: !!msg.queued };
  ui.offer.hidden = false;
  ui.offer.dataset.state = msg.queued ? 'accepted' : 'offered';
  ui.offerTitle.textContent = t(msg.queued ? 'transfer.offer.title-queued' : 'transfer.offer.title', {
    name: msg.from,
    topic: topicTitle(msg.topic),
    language: languageName(msg.language),
  });
  const rows = Object.entries(msg.answers ?? {}).flatMap(([k, v]) => [el('dt', { text: questionTitle(k) }), el('dd', { 'data-question': k, text: answerTitle(k, v) })]);
  ui.offerAnswers.replaceChildren(...rows);
  ui.offerAnswers.hidden = rows.length === 0;
  ui.offerNote.hidden = !msg.note;
  ui.offerNote.textContent = msg.note ? t('transfer.offer.note', { note: msg.note }) : '';
  ui.accept.hidden = ui.decline.hidden = !!msg.queued;
  ui.accept.disabled = ui.decline.disabled = false;
  ui.offerStatus.textContent = msg.queued ? t('transfer.offer.joining') : '';
  renderCountdown();
  announce(ui.offerTitle.textContent);
  if (!msg.queued) ui.accept.focus();
}

function onOfferState(msg) {
  if (msg.state === 'expired') offerGone(t('transfer.offer.expired'));
  else if (msg.state === 'withdrawn') offerGone(t('transfer.offer.withdrawn'));
}

// The colleague's own guest_state (role colleague) while it joins.
export function onColleagueState(msg) {
  if (!offer || offer.call !== msg.call || msg.role !== 'colleague') return false;
  ui.offer.dataset.state = msg.state;
  if (msg.state === 'declined') offerGone(t('transfer.offer.declined'));
  else if (msg.state === 'removed' || msg.state === 'left') offerGone(t('transfer.offer.withdrawn'));
  else ui.offerStatus.textContent = t(`transfer.offer.state.${msg.state}`);
  return true;
}

// B's connections with the booth and with A while joining (`peer` "booth",
// "adviser"), with B's own camera and microphone when it has them.
const PEERS = {
  booth: { video: $('colleague-booth-video'), audio: $('colleague-booth-audio') },
  adviser: { video: $('colleague-adviser-video'), audio: $('colleague-adviser-audio') },
};
const media = answerer({
  name: 'colleague',
  send: (text) => send(text),
  call: () => offer?.call,
  stream: () => st.localStream ?? null,
  iceServers: () => st.iceServers,
  live: () => !!offer?.answered && ['joining', 'joined'].includes(ui.offer.dataset.state),
  draw: (peer, track, stream) => {
    const el = track.kind === 'video' ? PEERS[peer].video : PEERS[peer].audio;
    el.srcObject = stream;
    el.play().catch(() => {});
    ui.offerVideos.hidden = false;
  },
  undraw: (peer) => {
    PEERS[peer].video.srcObject = PEERS[peer].audio.srcObject = null;
  },
  state: (peer, s) => {
    PEERS[peer].video.closest('figure').dataset.pc = s;
  },
});

function closeJoiningMedia() {
  media.closeAll();
  ui.offerVideos.hidden = true;
}

// `sdp` / `ice` of the colleague's connections; false: not one of them.
export function onColleagueMedia(msg) {
  if (!offer || offer.call !== msg.call || !PEERS[msg.peer]) return false;
  if (msg.type === 'sdp') media.onSdp(msg);
  else media.onIce(msg);
  return true;
}

// For the tests: the colleague's connections' media (answerer.js stats).
export const colleagueStats = () => media.stats();

// call_owner: to the booth and to the new adviser. This console is the
// colleague: the call is its own now.
export function onCallOwner(msg) {
  if (!offer || offer.call !== msg.call || st.call) return;
  const o = offer;
  offer = null;
  // the booth makes the call's main connection anew toward this console:
  // the guest's connections are done (A has left)
  closeJoiningMedia();
  ui.offer.hidden = true;
  ui.offer.dataset.state = 'owner';
  renderCountdown();
  startCall({ call: msg.call, ticket: msg.call, topic: o.topic });
  window.dispatchEvent(new CustomEvent('relais:call-owner', { detail: { call: msg.call } }));
  toast(t('transfer.owner'));
}

ui.accept.addEventListener('click', () => {
  if (!offer) return;
  ui.accept.disabled = ui.decline.disabled = true;
  offer.answered = true;
  send(P.transferAccept(offer.call));
  ui.offerStatus.textContent = t('transfer.offer.joining');
  ui.accept.hidden = ui.decline.hidden = true;
  renderCountdown();
});

ui.decline.addEventListener('click', () => {
  if (!offer) return;
  send(P.transferDecline(offer.call));
  offerGone(t('transfer.offer.you-declined'));
  offer = null;
});
