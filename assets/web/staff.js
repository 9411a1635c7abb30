// SPDX-License-Identifier: GPL-2.0-or-later
// Relais host-site staff page: the booths of the signed-in staff member's
// site (administrators: every booth) from GET /api/site/booths, refreshed
// every 5 s. Online, in use, out of order (with the booth's reason) or
// offline, and when each was last seen. Nothing about visitors.

import { $, cell, currentUser, getJson, localTime, showError, showSignedIn, showSignedOut } from './page.js';
import { formatTime, t } from './i18n.js';

const ui = {
  body: document.body,
  who: $('who'),
  hint: $('signin-hint'),
  hintText: $('signin-hint-text'),
  booths: $('booths'),
  siteName: $('site-name'),
  count: $('booth-count'),
  updated: $('updated'),
  error: $('staff-error'),
  tbody: $('staff-body'),
  empty: $('staff-empty'),
};

const REFRESH_MS = 5000;
const STATUSES = new Set(['online', 'in_use', 'out_of_order', 'offline']); // staff.status.*
const CONNECTED = new Set(['online', 'in_use', 'out_of_order']);

let timer = null;

function timeEl(iso, text) {
  const t = document.createElement('time');
  t.dateTime = iso;
  t.textContent = text;
  t.title = localTime(iso);
  return t;
}

function render(data) {
  const booths = data.booths ?? [];
  ui.siteName.textContent = data.site?.name ?? t('staff.all-sites');
  ui.count.textContent = String(booths.length);
  ui.tbody.replaceChildren();
  for (const b of booths) {
    const tr = document.createElement('tr');
    tr.setAttribute('data-testid', 'staff-row');
    tr.dataset.boothId = b.id;
    tr.dataset.status = b.status;

    const name = document.createElement('span');
    name.className = 'booth-site';
    name.textContent = b.name || b.id;
    const booth = document.createElement('td');
    booth.append(name);
    if (b.name) {
      const id = document.createElement('span');
      id.className = 'booth-id';
      id.textContent = b.id;
      booth.append(id);
    }

    const status = document.createElement('span');
    status.className = 'staff-status';
    status.dataset.status = b.status;
    status.setAttribute('data-testid', 'staff-status');
    status.textContent = STATUSES.has(b.status) ? t(`staff.status.${b.status}`) : b.status;

    let seen = '—';
    if (b.last_seen) seen = timeEl(b.last_seen, CONNECTED.has(b.status) ? t('staff.now') : localTime(b.last_seen));

    tr.append(
      booth,
      cell(b.site || '—', { 'data-testid': 'staff-site' }),
      cell(status),
      cell(b.status === 'out_of_order' ? b.reason || t('staff.no-reason') : '', { 'data-testid': 'staff-reason', class: 'staff-reason' }),
      cell(seen, { 'data-testid': 'staff-last-seen', class: 'staff-last-seen' }),
    );
    ui.tbody.append(tr);
  }
  ui.empty.hidden = booths.length > 0;
  const now = new Date();
  ui.updated.dateTime = data.updated ?? now.toISOString();
  ui.updated.textContent = formatTime(now);
}

function signedOut(wrongRole) {
  clearTimeout(timer);
  timer = null;
  showSignedOut(ui, ui.booths, wrongRole ? t('staff.wrong-role') : null);
}

async function refresh() {
  clearTimeout(timer);
  timer = null;
  try {
    const r = await getJson('/api/site/booths');
    const body = r.body;
    if (r.status === 401 || r.status === 403) {
      signedOut(r.status === 403);
      return;
    }
    if (!r.ok) {
      showError(ui, t('staff.unavailable', { why: body.error ?? r.status }));
      ui.body.dataset.state = 'error';
    } else {
      showError(ui, null);
      render(body);
      ui.body.dataset.state = 'ready';
    }
  } catch (err) {
    // keep the last table: a switchboard restart should not blank the page
    showError(ui, t('error.unreachable', { why: err.message }));
    ui.body.dataset.state = 'error';
  }
  timer = setTimeout(refresh, REFRESH_MS);
}

async function start() {
  const user = await currentUser();
  if (!user || (user.role !== 'staff' && user.role !== 'admin')) {
    signedOut(!!user);
    return;
  }
  showSignedIn(ui, ui.booths, user);
  $('admin-link').hidden = user.role !== 'admin';
  await refresh();
}

start();
