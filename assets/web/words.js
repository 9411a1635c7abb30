// SPDX-License-Identifier: GPL-2.0-or-later
// The console's words for ids: a topic, a question or an answer id as a
// title (the catalog's when it knows the id, else the id made readable), a
// language code as its name in the page's language, seconds as a clock.

import { has, t } from './i18n.js';

export { languageName } from './i18n.js';

export const humanize = (id) => {
  const s = String(id).replace(/[-_.]+/g, ' ').trim();
  return s ? s[0].toUpperCase() + s.slice(1) : s;
};

// The question set's ids (assets/questions) have titles in the catalogs;
// any other id a switchboard sends is shown readable as it is.
const titled = (key, id) => (has(key) ? t(key) : humanize(id));
export const topicTitle = (id) => titled(`topic.${id}`, id);
export const questionTitle = (id) => titled(`question.${id}`, id);
export const answerTitle = (question, id) => (has(`answer.${question}.${id}`) ? t(`answer.${question}.${id}`) : String(id));

// Capitalised for a label of its own ("Anglais (en)"), as names in a
// sentence are not in French.
export const capitalised = (s) => (s ? s[0].toLocaleUpperCase() + s.slice(1) : s);

const pad = (n) => String(n).padStart(2, '0');
export function duration(s) {
  s = Math.max(0, Math.floor(s));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}
