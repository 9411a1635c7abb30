// SPDX-License-Identifier: GPL-2.0-or-later
// Relais statistics page (admins): anonymous aggregates per day, site and
// topic from GET /api/stats, and the same rows as CSV (/api/stats.csv).

import { $, cell, currentUser, getJson, showError, showSignedIn, showSignedOut } from './page.js';
import { formatDateTime, formatNumber, t } from './i18n.js';
import { topicTitle } from './words.js';

const ui = {
  body: document.body,
  who: $('who'),
  hint: $('signin-hint'),
  hintText: $('signin-hint-text'),
  stats: $('stats'),
  form: $('stats-form'),
  from: $('stats-from'),
  to: $('stats-to'),
  csv: $('stats-csv'),
  error: $('stats-error'),
  tbody: $('stats-body'),
  tfoot: $('stats-foot'),
  empty: $('stats-empty'),
};

const DEFAULT_DAYS = 30;

// YYYY-MM-DD of a local date
function isoDay(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function mmss(s) {
  if (s === null || s === undefined) return '—';
  const t = Math.round(s);
  return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}

// A day (YYYY-MM-DD) as a date in the page's language; the row keeps the
// ISO day in data-day.
function dayText(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day ?? '');
  return m ? formatDateTime(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])), { dateStyle: 'medium' }) : (day ?? '');
}

const n = (v) => formatNumber(v ?? 0);

function query() {
  return `from=${encodeURIComponent(ui.from.value)}&to=${encodeURIComponent(ui.to.value)}`;
}

function render(data) {
  const rows = data.rows ?? [];
  ui.tbody.replaceChildren();
  const total = { requests: 0, sessions: 0, satisfaction: [0, 0, 0, 0, 0], follow_ups: 0, bookings: 0, no_shows: 0, transferred: 0 };
  for (const r of rows) {
    const tr = document.createElement('tr');
    tr.setAttribute('data-testid', 'stats-row');
    tr.dataset.day = r.day;
    tr.dataset.site = r.site;
    tr.dataset.topic = r.topic;
    tr.dataset.sessions = String(r.sessions);
    tr.append(
      cell(dayText(r.day)),
      cell(r.site || '—'),
      cell(r.topic ? topicTitle(r.topic) : '—'),
      cell(n(r.requests), { 'data-col': 'requests' }),
      cell(n(r.sessions), { 'data-col': 'sessions' }),
      cell(mmss(r.wait_mean_s), { 'data-col': 'wait' }),
      cell(mmss(r.duration_mean_s), { 'data-col': 'duration' }),
      cell(r.satisfaction.map(n).join(' · '), { 'data-col': 'satisfaction' }),
      cell(n(r.follow_ups), { 'data-col': 'follow_ups' }),
      cell(n(r.bookings), { 'data-col': 'bookings' }),
      cell(n(r.no_shows), { 'data-col': 'no_shows' }),
      // sessions handed from one adviser to another (warm transfer): still one session each
      cell(n(r.transferred), { 'data-col': 'transferred' }),
    );
    ui.tbody.append(tr);
    for (const k of ['requests', 'sessions', 'follow_ups', 'bookings', 'no_shows', 'transferred']) total[k] += r[k] ?? 0;
    r.satisfaction.forEach((n, i) => (total.satisfaction[i] += n));
  }
  ui.tfoot.replaceChildren();
  if (rows.length) {
    const tr = document.createElement('tr');
    tr.setAttribute('data-testid', 'stats-total');
    tr.append(cell(t('stats.total')), cell(''), cell(''), cell(n(total.requests)), cell(n(total.sessions)), cell(''), cell(''),
      cell(total.satisfaction.map(n).join(' · ')), cell(n(total.follow_ups)), cell(n(total.bookings)), cell(n(total.no_shows)),
      cell(n(total.transferred)));
    ui.tfoot.append(tr);
  }
  ui.empty.hidden = rows.length > 0;
}

async function refresh() {
  showError(ui, null);
  ui.csv.href = `/api/stats.csv?${query()}`;
  ui.body.dataset.state = 'loading';
  try {
    const r = await getJson(`/api/stats?${query()}`);
    const body = r.body;
    if (r.status === 401 || r.status === 403) {
      signedOut(r.status === 403);
      return;
    }
    if (!r.ok) {
      showError(ui, t('stats.unavailable', { why: body.error ?? r.status }));
      ui.body.dataset.state = 'error';
      return;
    }
    render(body);
    ui.body.dataset.state = 'ready';
  } catch (err) {
    showError(ui, t('error.unreachable', { why: err.message }));
    ui.body.dataset.state = 'error';
  }
}

function signedOut(wrongRole) {
  showSignedOut(ui, ui.stats, wrongRole ? t('stats.wrong-role') : null);
}

ui.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  refresh();
});
for (const input of [ui.from, ui.to]) input.addEventListener('change', () => (ui.csv.href = `/api/stats.csv?${query()}`));

async function start() {
  const today = new Date();
  const from = new Date(today);
  from.setDate(from.getDate() - (DEFAULT_DAYS - 1));
  ui.to.value = isoDay(today);
  ui.from.value = isoDay(from);
  const user = await currentUser();
  if (!user || user.role !== 'admin') {
    signedOut(!!user);
    return;
  }
  showSignedIn(ui, ui.stats, user);
  await refresh();
}

start();
