// SPDX-License-Identifier: GPL-2.0-or-later
// The administration page's diagnostics panel: a booth's report, fetched by
// the switchboard from the booth through its link (GET
// /api/admin/booths/ID/diag, PROTOCOL.md "Diagnostics"), shown in sections
// (the booth, its switchboard link and certificate, its devices, its last
// errors) rather than as raw JSON. The report is the booth's word: every
// member is optional and every value is shown as text, never as markup.

import { $, el, localTime } from './page.js';

const ui = {
  panel: $('booth-diag'),
  booth: $('booth-diag-booth'),
  status: $('booth-diag-status'),
  error: $('booth-diag-error'),
  report: $('booth-diag-report'),
  close: $('booth-diag-close'),
};

// The switchboard's refusals in words for an administrator.
const ERRORS = {
  401: 'Your sign-in has ended: sign in again.',
  403: 'Only administrators can diagnose a booth.',
  404: 'The switchboard does not know this booth.',
  409: 'The booth is not connected: it cannot be asked. Check its power and its network, then try again.',
  429: 'The booth is already being asked for its report: try again in a few seconds.',
  502: 'The booth disconnected before it answered. Try again once it is back online.',
  504: 'The booth did not answer in time. Its link may be failing or it may be stuck: try again, then check it on site.',
};

let asking = 0; // the latest request; older answers are ignored

// A scalar member as text; null when absent or not a scalar.
function text(o, name) {
  const v = o && typeof o === 'object' ? o[name] : undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return null;
}

const obj = (o, name) => (o && typeof o[name] === 'object' && o[name] !== null && !Array.isArray(o[name]) ? o[name] : null);

function uptime(s) {
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) return null;
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min ${Math.floor(s % 60)} s`;
}

// "valid until …, in 12 days" / "expired 3 days ago"
function expiry(iso) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const days = Math.round((t - Date.now()) / 86400000);
  const when = days > 1 ? `in ${days} days` : days === 1 ? 'tomorrow' : days === 0 ? (t > Date.now() ? 'today' : 'expired today') : `expired ${-days} day${days === -1 ? '' : 's'} ago`;
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
  if (level !== null) parts.push(` level ${level} dB`);
  if (detail) parts.push(` — ${detail}`);
  if (selfTest && selfTest !== 'ok') parts.push(` (start-up check: ${selfTest})`);
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
    section('booth', 'Booth', [
      ['Software', version ? `${version}${build ? ` (build ${build})` : ''}${slot ? `, slot ${slot}` : ''}` : null, 'diag-software'],
      ['Board', text(r, 'board')],
      ['Booth id', text(r, 'booth_id')],
      ['Site', text(r, 'site')],
      ['Up for', uptime(r.uptime_s), 'diag-uptime'],
      ['Addresses', addresses.join(', ') || null, 'diag-addresses'],
    ]),
    section('link', 'Switchboard link', [
      ['State', state(text(link, 'state'))],
      ['Switchboard', text(link, 'switchboard')],
      ['Certificate', state(text(link, 'certificate_state'))],
      ['Certificate expires', certExpires ? expiry(certExpires) : null, 'diag-cert-expires'],
    ]),
    section('devices', 'Devices', [
      ['Camera', device(r, 'camera'), 'diag-camera'],
      ['Microphone', device(r, 'microphone'), 'diag-microphone'],
      ['Speaker', device(r, 'speaker'), 'diag-speaker'],
      ['TURN relay', device(r, 'turn'), 'diag-turn'],
    ]),
    el('section', { class: 'diag-section', 'data-testid': 'diag-section', 'data-section': 'errors' },
      el('h4', { text: `Last errors (${errors.length})` }),
      errors.length ? list : el('p', { class: 'hint', 'data-testid': 'diag-no-errors', text: 'No errors recorded.' })),
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
  ui.status.textContent = 'Asking the booth…';
  ui.panel.scrollIntoView({ block: 'nearest' });
  let status = 0;
  let body = {};
  try {
    const r = await fetch(`/api/admin/booths/${encodeURIComponent(id)}/diag`, { credentials: 'same-origin', cache: 'no-store' });
    status = r.status;
    body = await r.json().catch(() => ({}));
  } catch (err) {
    body = { error: `Cannot reach the switchboard: ${err.message}` };
  }
  if (mine !== asking) return;
  if (status === 200) {
    ui.panel.dataset.state = 'shown';
    ui.status.textContent = `Report fetched ${localTime(body.fetched_at)}.`;
    render(body);
    return;
  }
  ui.panel.dataset.state = 'error';
  ui.panel.dataset.status = String(status);
  ui.status.textContent = '';
  ui.error.textContent = ERRORS[status] ?? body.error ?? `Failed (${status})`;
  ui.error.hidden = false;
}

ui.close.addEventListener('click', () => {
  asking++;
  ui.panel.hidden = true;
  ui.report.replaceChildren();
});
