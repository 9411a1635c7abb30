// SPDX-License-Identifier: GPL-2.0-or-later
// The call's text chat: the log (the adviser's lines and the visitor's) and
// the form that sends a line.

import * as P from './protocol.js';
import { el } from './page.js';
import { st, ui } from './console-state.js';
import { send } from './link.js';
import { toast } from './notice.js';
import { t } from './i18n.js';

// A new call: an empty log, shown.
export function openChat() {
  ui.chatLog.replaceChildren();
  ui.chat.hidden = false;
}

export function closeChat() {
  ui.chat.hidden = true;
}

// A line from `who` ('me' or 'visitor'); `from`: the switchboard's name of
// the sender ("visitor", or a guest's name and role: "Claire (interpreter)").
export function addChat(who, text, from) {
  const guest = who !== 'me' && from && from !== 'visitor';
  const li = el(
    'li',
    { class: `chat-msg chat-${guest ? 'guest' : who}`, 'data-testid': 'chat-message', 'data-from': guest ? 'guest' : who },
    el('span', { class: 'chat-who', text: guest ? from : t(who === 'me' ? 'chat.me' : 'chat.visitor') }),
    el('span', { class: 'chat-text', text }),
  );
  ui.chatLog.append(li);
  ui.chatLog.scrollTop = ui.chatLog.scrollHeight;
}

ui.chatForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = ui.chatInput.value.trim();
  if (!text || !st.call) return;
  let frame;
  try {
    frame = P.chat(st.call.id, text);
  } catch (err) {
    toast(t('chat.not-sent', { why: err.message }), 'error');
    return;
  }
  if (send(frame)) {
    addChat('me', text);
    ui.chatInput.value = '';
  } else toast(t('chat.not-sent', { why: t('chat.offline') }), 'error');
});
