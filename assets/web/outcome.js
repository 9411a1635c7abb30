// SPDX-License-Identifier: GPL-2.0-or-later
// After a call: the adviser's outcome note (POST /api/outcome) and the
// visitor's rating of one of this console's recent calls.

import { postJson, setMessage } from './page.js';
import { st, ui } from './console-state.js';
import { announce } from './notice.js';
import { formatNumber, t } from './i18n.js';

const outcomeError = (text) => setMessage(ui.outcomeError, text);

export function showOutcome(callId) {
  const c = st.recentCalls.get(callId);
  st.outcomeCall = callId;
  ui.outcomeForm.reset();
  ui.outcomeTopic.value = c?.topic || c?.topicId || '';
  ui.outcomeForm.dataset.call = callId;
  showCount();
  outcomeError(null);
  ui.outcomeDone.hidden = true;
  ui.outcomeForm.hidden = false;
}

export function hideOutcome() {
  st.outcomeCall = null;
  ui.outcomeForm.hidden = true;
  ui.outcomeDone.hidden = true;
  outcomeError(null);
}

// The visitor tapped a face on the booth after the call: a quiet line in the
// stage header (it may arrive during the next call), no interruption.
export function onFeedback(msg) {
  const c = st.recentCalls.get(msg.call);
  if (!c) return; // not one of this console's calls: the switchboard sends none such
  st.recentCalls.delete(msg.call); // rated once
  const about = [c.topic, c.where].filter(Boolean).join(', ');
  ui.lastFeedback.textContent = t('feedback.last', { score: msg.score });
  ui.lastFeedback.title = about ? t('feedback.about', { about }) : t('feedback.yours');
  ui.lastFeedback.dataset.score = String(msg.score);
  ui.lastFeedback.dataset.call = msg.call;
  ui.lastFeedback.hidden = false;
  announce(about ? t('feedback.announce.about', { about, score: msg.score }) : t('feedback.announce', { score: msg.score }));
}

// characters used of the note's cap
function showCount() {
  ui.outcomeCount.textContent = `${formatNumber([...ui.outcomeNote.value].length)} / ${formatNumber(ui.outcomeNote.maxLength)}`;
}
ui.outcomeNote.addEventListener('input', showCount);
ui.outcomeSkip.addEventListener('click', () => hideOutcome());
ui.outcomeForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const call = st.outcomeCall;
  if (!call) return;
  const c = st.recentCalls.get(call);
  // one line: the store keeps no control characters
  const note = ui.outcomeNote.value.replace(/\s+/g, ' ').trim();
  ui.outcomeSubmit.disabled = true;
  outcomeError(null);
  try {
    const r = await postJson('/api/outcome', { call, topic: c?.topicId ?? '', outcome: ui.outcomeCode.value, follow_up: ui.outcomeFollowup.checked, note });
    const body = await r.json().catch(() => ({}));
    if (r.ok) {
      st.outcomeCall = null;
      ui.outcomeForm.hidden = true;
      ui.outcomeDone.hidden = false;
      announce(t('outcome.saved'));
    } else {
      outcomeError(t('outcome.not-saved', { why: body.error ?? r.status }));
    }
  } catch (err) {
    outcomeError(t('outcome.not-saved.unreachable', { why: err.message }));
  } finally {
    ui.outcomeSubmit.disabled = false;
  }
});
