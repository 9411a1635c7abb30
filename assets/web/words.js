// SPDX-License-Identifier: GPL-2.0-or-later
// The console's words for ids: a topic or answer id as a title, a language
// code as its English name, seconds as a clock.

export const humanize = (id) => {
  const s = String(id).replace(/[-_.]+/g, ' ').trim();
  return s ? s[0].toUpperCase() + s.slice(1) : s;
};

let langNames = null;
try {
  langNames = new Intl.DisplayNames(['en'], { type: 'language' });
} catch {
  langNames = null;
}
export const languageName = (code) => {
  try {
    const n = langNames?.of(code);
    return n && n !== code ? n : code;
  } catch {
    return code;
  }
};

const pad = (n) => String(n).padStart(2, '0');
export function duration(s) {
  s = Math.max(0, Math.floor(s));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}
