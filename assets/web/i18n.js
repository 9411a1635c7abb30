// SPDX-License-Identifier: GPL-2.0-or-later
// The pages' words in the adviser's language: one catalog per language
// (i18n/<lang>.json, symbolic keys), the language chosen from the browser
// (navigator.languages) or the switcher (kept in localStorage), the static
// HTML translated from its data-i18n* attributes, and dates, times, numbers
// and plurals in that locale (Intl).
//
// Every module that shows words imports this one; its top-level await loads
// the catalog first, so `t()` is synchronous everywhere after.

export const LANGS = ['en', 'fr'];
const STORE_KEY = 'relais.lang';

function stored() {
  try {
    return localStorage.getItem(STORE_KEY);
  } catch {
    return null; // storage refused: the browser's language, every time
  }
}

// The stored choice, else the first of the browser's languages we have, else English.
function choose() {
  const s = stored();
  if (LANGS.includes(s)) return s;
  for (const l of navigator.languages ?? [navigator.language]) {
    const base = String(l ?? '').slice(0, 2).toLowerCase();
    if (LANGS.includes(base)) return base;
  }
  return 'en';
}

export const lang = choose();
// The locale of dates and numbers: the browser's own when it is of this
// language (fr-BE, en-GB keep their ways), else the language itself.
export const locale = (navigator.languages ?? []).find((l) => String(l).slice(0, 2).toLowerCase() === lang) ?? lang;

async function load(l) {
  const r = await fetch(new URL(`i18n/${l}.json`, import.meta.url), { cache: 'no-cache' });
  if (!r.ok) throw new Error(`catalog ${l}: HTTP ${r.status}`);
  return r.json();
}

// English stands in for a key missing from another catalog (the tests make
// sure none is); a key missing everywhere shows as itself.
const [catalog, fallback] = await Promise.all([
  load(lang).catch((err) => (console.warn(`relais i18n: ${err.message}`), {})),
  lang === 'en' ? Promise.resolve({}) : load('en').catch(() => ({})),
]);

const plurals = new Intl.PluralRules(locale);
const numbers = new Intl.NumberFormat(locale);

export const has = (key) => key in catalog || key in fallback;

// The text of `key` with its {placeholders} filled from `vars` (numbers in
// this locale). A plural entry ({one, other, ...}) is chosen by vars.n.
export function t(key, vars = {}) {
  let s = catalog[key] ?? fallback[key];
  if (s === undefined) {
    console.warn(`relais i18n: no text for ${key}`);
    return key;
  }
  if (typeof s === 'object') s = s[plurals.select(Number(vars.n ?? 0))] ?? s.other;
  return s.replace(/\{(\w+)\}/g, (m, name) => {
    const v = vars[name];
    if (v === undefined || v === null) return m;
    return typeof v === 'number' ? numbers.format(v) : String(v);
  });
}

export const formatNumber = (n, options) => new Intl.NumberFormat(locale, options).format(n);

// A date-time, a time or a date in this locale (24-hour clock in French).
// A 24-hour clock writes its hours with two digits (00:04:38, as the
// locale's own time styles do): `hour: 'numeric'` alone gives 0:04:38.
const H24 = ['h23', 'h24'].includes(new Intl.DateTimeFormat(locale, { hour: 'numeric' }).resolvedOptions().hourCycle);
export const formatDateTime = (d, options = { dateStyle: 'short', timeStyle: 'short' }) =>
  new Intl.DateTimeFormat(locale, H24 && options.hour === 'numeric' ? { ...options, hour: '2-digit' } : options).format(d);
export const formatTime = (d) => new Intl.DateTimeFormat(locale, { timeStyle: 'medium' }).format(d);

// "in 3 days", "il y a 2 heures": `value` in `unit` from now.
export const relativeTime = (value, unit) => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(value, unit);

// A language code as its name in this language ("anglais", "French").
let names = null;
try {
  names = new Intl.DisplayNames([locale], { type: 'language' });
} catch {
  names = null;
}
export function languageName(code) {
  try {
    const n = names?.of(code);
    return n && n !== code ? n : code;
  } catch {
    return code;
  }
}

const ATTRS = ['aria-label', 'title', 'placeholder', 'data-none'];

// Translates `root` and what it holds: data-i18n (the text), and
// data-i18n-aria-label, -title, -placeholder, -data-none (those attributes;
// data-none: the empty choice of a <select> that a script fills).
export function translate(root = document) {
  const all = root.querySelectorAll ? [...root.querySelectorAll(['[data-i18n]', ...ATTRS.map((a) => `[data-i18n-${a}]`)].join(', '))] : [];
  if (root.dataset) all.unshift(root);
  for (const e of all) {
    if (e.dataset.i18n) e.textContent = t(e.dataset.i18n);
    for (const a of ATTRS) {
      const k = e.getAttribute(`data-i18n-${a}`);
      if (k) e.setAttribute(a, t(k));
    }
  }
}

// The switcher's guard: a page may forbid switching for a while (a call
// in progress would not survive the reload); returns a reason or null.
let guard = () => null;
export function setSwitchGuard(fn) {
  guard = fn;
  updateSwitcher();
}

let switcher = null;
export function updateSwitcher() {
  if (!switcher) return;
  const why = guard();
  switcher.disabled = !!why;
  switcher.title = why ?? t('lang.switch.title');
}

// The visible control: one <select> at the end of the top bar. A choice is
// kept and the page loaded again in it (everything is drawn anew; the
// sign-in is a cookie, so the adviser stays signed in).
function addSwitcher() {
  const bar = document.querySelector('.topbar-right');
  if (!bar) return;
  const label = document.createElement('label');
  label.className = 'lang-switch';
  const sel = document.createElement('select');
  sel.id = 'lang-switch';
  sel.setAttribute('data-testid', 'lang-switch');
  sel.setAttribute('aria-label', t('lang.switch.label'));
  for (const l of LANGS) {
    const o = document.createElement('option');
    o.value = l;
    o.lang = l;
    o.textContent = t(`lang.name.${l}`);
    o.selected = l === lang;
    sel.append(o);
  }
  sel.addEventListener('change', () => {
    if (guard()) {
      sel.value = lang;
      return;
    }
    try {
      localStorage.setItem(STORE_KEY, sel.value);
    } catch {
      // not kept: this page only
    }
    const u = new URL(location.href);
    location.replace(u.href);
  });
  label.append(sel);
  bar.append(label);
  switcher = sel;
  updateSwitcher();
}

document.documentElement.lang = lang;
translate(document);
addSwitcher();

// A switchboard `error` in words: its code's meaning from the catalog (the
// switchboard's own `message` is English and for logs), else the message.
export function errorText(msg) {
  const key = `error.code.${msg?.code}`;
  return has(key) ? t(key) : String(msg?.message ?? msg?.code ?? '');
}
