// SPDX-License-Identifier: GPL-2.0-or-later
// The administration page's diagnostics panel: a booth's report, fetched by
// the switchboard from the booth through its link (GET
// /api/admin/booths/ID/diag, PROTOCOL.md "Diagnostics"), shown in sections
// (the booth, its switchboard link and certificate, its devices, its last
// errors) rather than as raw JSON. The report is the booth's word: every
// member is optional and every value is shown as text, never as markup.

import { $, el, localTime } from './page.js';
import { t } from './i18n.js';

const ui = {
  panel: $('booth-diag'),
  booth: $('booth-diag-booth'),
  status: $('booth-diag-status'),
  error: $('booth-diag-error'),
  report: $('booth-diag-report'),
  close: $('booth-diag-close'),
};

// The switchboard's refusals in words for an administrator (diag.error.<status>).
const ERRORS = new Set([401, 403, 404, 409, 429, 502, 504]);

let asking = 0; // the latest request; older answers are ignored

// A scalar member as text; null when absent or not a scalar.
function text(o, name) {
  const v = o && typeof o === 'object' ? o[name] : undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return t(v ? 'diag.yes' : 'diag.no');
  return null;
}

const obj = (o, name) => (o && typeof o[name] === 'object' && o[name] !== null && !Array.isArray(o[name]) ? o[name] : null);

function uptime(s) {
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) return null;
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? t('diag.uptime.d', { d, h }) : h ? t('diag.uptime.h', { h, m }) : t('diag.uptime.m', { m, s: Math.floor(s % 60) });
}

// "valid until …, in 12 days" / "expired 3 days ago"
function expiry(iso) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const days = Math.round((at - Date.now()) / 86400000);
  const when = days > 1 ? t('diag.in-days', { n: days }) : days === 1 ? t('diag.tomorrow') : days === 0 ? t(at > Date.now() ? 'diag.today' : 'diag.expired-today') : t('diag.expired-ago', { n: -days });
  return `${localTime(iso)} (${when})`;
}

// A state word as a badge: ok-like states green, the rest amber.
function state(value) {
  if (value === null) return '—';
  const good = /^(ok|up|valid|online|connected|reachable)$/i.test(value);
  return el('span', { class: `diag-state ${good ? 'diag-good' : 'diag-bad'}`, 'data-testid': 'diag-state', text: value });
}

function section(key, title, rows) {
  const dl = el('dl', { class: 'diag-list' });
  for (const [label, value, testid] of rows) {
    dl.append(el('dt', { text: label }), el('dd', { 'data-testid': testid ?? null }, value === null || value === '' ? '—' : value));
  }
  return el('section', { class: 'diag-section', 'data-testid': 'diag-section', 'data-section': key }, el('h4', { text: title }), dl);
}

function device(report, name) {
  const o = obj(report, name);
  const s = text(o, 'state');
  const detail = text(o, 'detail');
  const level = name === 'microphone' ? text(o, 'level_db') : null;
  const selfTest = text(o, 'self_test');
  const parts = [state(s)];
  if (level !== null) parts.push(` ${t('diag.level', { db: Number.isFinite(Number(level)) ? Number(level) : level })}`);
  if (detail) parts.push(` — ${detail}`);
  if (selfTest && selfTest !== 'ok') parts.push(` ${t('diag.self-test', { result: selfTest })}`);
  return el('span', {}, ...parts);
}

// Renders `reply` ({booth_id, fetched_at, report}) into the panel.
function render(reply) {
  const r = obj(reply, 'report') ?? {};
  const sw = obj(r, 'software');
  const link = obj(r, 'link');
  const version = text(sw, 'version');
  const build = text(sw, 'build');
  const slot = text(sw, 'slot');
  const addresses = Array.isArray(r.addresses) ? r.addresses.filter((a) => typeof a === 'string') : [];
  const certExpires = text(link, 'certificate_expires');
  const errors = Array.isArray(r.errors) ? r.errors : [];
  const list = el('ol', { class: 'diag-errors', 'data-testid': 'diag-errors' });
  for (const e of errors) {
    const time = text(e, 'time');
    const message = typeof e === 'string' ? e : text(e, 'message');
    list.append(el('li', { 'data-testid': 'diag-error' }, el('time', { class: 'hint', text: time ? localTime(time) : '—' }), ' ', el('span', { text: message ?? '—' })));
  }
  ui.report.replaceChildren(
    section('booth', t('diag.booth'), [
      [t('diag.software'), version ? `${version}${build ? ` (${t('diag.build', { build })})` : ''}${slot ? `, ${t('admin.slot', { slot })}` : ''}` : null, 'diag-software'],
      [t('diag.board'), text(r, 'board')],
      [t('admin.booth.id'), text(r, 'booth_id')],
      [t('staff.col.site'), text(r, 'site')],
      [t('diag.up-for'), uptime(r.uptime_s), 'diag-uptime'],
      [t('diag.addresses'), addresses.join(', ') || null, 'diag-addresses'],
    ]),
    section('link', t('diag.link'), [
      [t('diag.state'), state(text(link, 'state'))],
      [t('diag.switchboard'), text(link, 'switchboard')],
      [t('diag.certificate'), state(text(link, 'certificate_state'))],
      [t('diag.cert-expires'), certExpires ? expiry(certExpires) : null, 'diag-cert-expires'],
    ]),
    section('devices', t('diag.devices'), [
      [t('diag.camera'), device(r, 'camera'), 'diag-camera'],
      [t('diag.microphone'), device(r, 'microphone'), 'diag-microphone'],
      [t('diag.speaker'), device(r, 'speaker'), 'diag-speaker'],
      [t('diag.turn'), device(r, 'turn'), 'diag-turn'],
    ]),
    el('section', { class: 'diag-section', 'data-testid': 'diag-section', 'data-section': 'errors' },
      el('h4', { text: t('diag.errors', { n: errors.length }) }),
      errors.length ? list : el('p', { class: 'hint', 'data-testid': 'diag-no-errors', text: t('diag.no-errors') })),
  );
}

// Asks the switchboard for booth `id`'s report and shows it (or why not).
export async function diagnose(id) {
  const mine = ++asking;
  ui.panel.hidden = false;
  ui.panel.dataset.state = 'asking';
  delete ui.panel.dataset.status;
  ui.booth.textContent = id;
  ui.error.hidden = true;
  ui.error.textContent = '';
  ui.report.replaceChildren();
  ui.status.textContent = t('diag.asking');
  ui.panel.scrollIntoView({ block: 'nearest' });
  let status = 0;
  let body = {};
  try {
    const r = await fetch(`/api/admin/booths/${encodeURIComponent(id)}/diag`, { credentials: 'same-origin', cache: 'no-store' });
    status = r.status;
    body = await r.json().catch(() => ({}));
  } catch (err) {
    body = { error: t('error.unreachable', { why: err.message }) };
  }
  if (mine !== asking) return;
  if (status === 200) {
    ui.panel.dataset.state = 'shown';
    ui.status.textContent = t('diag.fetched', { time: localTime(body.fetched_at) });
    render(body);
    return;
  }
  ui.panel.dataset.state = 'error';
  ui.panel.dataset.status = String(status);
  ui.status.textContent = '';
  ui.error.textContent = ERRORS.has(status) ? t(`diag.error.${status}`) : body.error ?? t('admin.failed', { status: String(status) });
  ui.error.hidden = false;
}

ui.close.addEventListener('click', () => {
  asking++;
  ui.panel.hidden = true;
  ui.report.replaceChildren();
});
