// SPDX-License-Identifier: GPL-2.0-or-later
// Relais administrator's page: sites, booths, accounts, opening hours and
// closures, and the day's bookings, over /api/admin (firmware/switchboard/
// admin.h). Every change is confirmed by the switchboard's answer; an error
// is shown next to the form that caused it, with the field it names marked.

import { $, cell, currentUser, getJson, localTime, showError, showSignedIn, showSignedOut } from './page.js';
import { BookingsPanel } from './bookings.js';
import { diagnose } from './diag.js';
import { formatNumber, locale, t } from './i18n.js';

const ui = {
  body: document.body,
  who: $('who'),
  hint: $('signin-hint'),
  hintText: $('signin-hint-text'),
  error: $('admin-error'),
  admin: $('admin'),
};

// the days' names in the page's language (admin.day.*)
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, t(`admin.day.${d}`)]);
const HALVES = { am: { start: '09:00', end: '12:30' }, pm: { start: '13:30', end: '17:00' } };
const ROLES = new Set(['adviser', 'staff', 'admin']); // admin.role.*
const STATUSES = new Set(['online', 'in_use', 'out_of_order', 'offline']); // staff.status.*

const st = { me: null, sites: [], users: [], editingSite: null, editingUser: null };

// ---- requests ---------------------------------------------------------------------------

// A change: {status, ok, body}. Never throws: a network failure is status 0.
async function send(method, url, body) {
  try {
    const r = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'Content-Type': body instanceof Blob ? 'application/octet-stream' : 'application/json' },
      body: body === undefined ? undefined : body instanceof Blob ? body : JSON.stringify(body),
    });
    const json = await r.json().catch(() => ({}));
    if (r.status === 401) signedOut(false);
    return { status: r.status, ok: r.ok, body: json };
  } catch (err) {
    return { status: 0, ok: false, body: { error: t('error.unreachable', { why: err.message }) } };
  }
}

async function load(url) {
  try {
    const r = await getJson(url);
    if (r.status === 401 || r.status === 403) signedOut(r.status === 403);
    return r;
  } catch (err) {
    return { status: 0, ok: false, body: { error: t('error.unreachable', { why: err.message }) } };
  }
}

// Shows `r`'s error in `errorEl` and marks the input of its field in `form`.
function formError(errorEl, r, fields = {}) {
  for (const el of errorEl.closest('form, section')?.querySelectorAll('[aria-invalid]') ?? []) el.removeAttribute('aria-invalid');
  if (!r || r.ok) {
    errorEl.hidden = true;
    errorEl.textContent = '';
    return;
  }
  errorEl.textContent = r.body?.error ?? failed(r.status);
  errorEl.hidden = false;
  const input = fields[r.body?.field];
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }
}

const failed = (status) => t('admin.failed', { status: String(status) });

function button(text, testid, onClick, cls = 'btn') {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = cls;
  b.textContent = text;
  b.setAttribute('data-testid', testid);
  b.addEventListener('click', onClick);
  return b;
}

function row(testid, key) {
  const tr = document.createElement('tr');
  tr.setAttribute('data-testid', testid);
  tr.dataset.key = key;
  return tr;
}

const listText = (items) => (items?.length ? items.join(', ') : t('admin.any'));

// ---- sites --------------------------------------------------------------------------------

const siteUi = {
  body: $('sites-body'),
  empty: $('sites-empty'),
  error: $('sites-error'),
  form: $('site-form'),
  title: $('site-form-title'),
  name: $('site-name'),
  timezone: $('site-timezone'),
  address: $('site-address'),
  formError: $('site-form-error'),
  submit: $('site-submit'),
  cancel: $('site-cancel'),
};

function fillTimezones() {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  $('timezones').replaceChildren(...zones.map((z) => Object.assign(document.createElement('option'), { value: z })));
}

function usageText(u) {
  const parts = [];
  if (u?.booths) parts.push(t('admin.usage.booths', { n: u.booths }));
  if (u?.staff) parts.push(t('admin.usage.staff', { n: u.staff }));
  if (u?.bookings) parts.push(t('admin.usage.bookings', { n: u.bookings }));
  if (u?.call_records) parts.push(t('admin.usage.calls', { n: u.call_records }));
  return parts.join(', ') || t('admin.usage.nothing');
}

async function loadSites() {
  const r = await load('/api/admin/sites');
  if (!r.ok) {
    formError(siteUi.error, r);
    return;
  }
  st.sites = r.body.sites ?? [];
  siteUi.body.replaceChildren(
    ...st.sites.map((s) => {
      const tr = row('site-row', String(s.id));
      tr.dataset.name = s.name;
      const actions = cell('', { class: 'actions' });
      actions.append(
        button(t('admin.edit'), 'site-edit', () => editSite(s), 'btn btn-quiet'),
        button(t('admin.delete'), 'site-delete', () => deleteSite(s), 'btn btn-quiet'),
      );
      tr.append(cell(s.name, { 'data-testid': 'site-name-cell' }), cell(s.timezone), cell(s.address ?? '', { 'data-testid': 'site-address-cell' }), cell(usageText(s.usage)), actions);
      return tr;
    }),
  );
  siteUi.empty.hidden = st.sites.length > 0;
  fillSiteSelects();
}

function fillSiteSelects() {
  for (const sel of document.querySelectorAll('select.site-select')) {
    const keep = sel.value;
    const opts = sel.dataset.none ? [Object.assign(document.createElement('option'), { value: '', textContent: sel.dataset.none })] : [];
    for (const s of st.sites) opts.push(Object.assign(document.createElement('option'), { value: String(s.id), textContent: s.name }));
    sel.replaceChildren(...opts);
    if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
  }
  for (const sel of document.querySelectorAll('select.booth-row-site')) {
    const keep = sel.dataset.siteId ?? '';
    sel.replaceChildren(
      Object.assign(document.createElement('option'), { value: '', textContent: t('admin.no-site') }),
      ...st.sites.map((s) => Object.assign(document.createElement('option'), { value: String(s.id), textContent: s.name })),
    );
    sel.value = keep;
  }
  if (!$('hours-site').value && st.sites.length) $('hours-site').value = String(st.sites[0].id);
}

function editSite(s) {
  st.editingSite = s;
  siteUi.title.textContent = t('admin.site.change', { name: s.name });
  siteUi.name.value = s.name;
  siteUi.timezone.value = s.timezone;
  siteUi.address.value = s.address ?? '';
  siteUi.submit.textContent = t('admin.save-changes');
  siteUi.cancel.hidden = false;
  formError(siteUi.formError, null);
  siteUi.name.focus();
}

function resetSiteForm() {
  st.editingSite = null;
  siteUi.form.reset();
  siteUi.title.textContent = t('admin.site.add');
  siteUi.submit.textContent = t('admin.site.submit');
  siteUi.cancel.hidden = true;
  formError(siteUi.formError, null);
}

siteUi.cancel.addEventListener('click', resetSiteForm);
siteUi.form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const body = { name: siteUi.name.value.trim(), timezone: siteUi.timezone.value.trim(), address: siteUi.address.value.trim() };
  const r = st.editingSite
    ? await send('PUT', `/api/admin/sites/${st.editingSite.id}`, body)
    : await send('POST', '/api/admin/sites', body);
  formError(siteUi.formError, r, { name: siteUi.name, timezone: siteUi.timezone, address: siteUi.address });
  if (!r.ok) return;
  resetSiteForm();
  await loadSites();
  await loadHours();
});

async function deleteSite(s) {
  if (!confirm(t('admin.site.delete.confirm', { name: s.name }))) return;
  const r = await send('DELETE', `/api/admin/sites/${s.id}`);
  formError(siteUi.error, r);
  if (r.ok) {
    await loadSites();
    await loadHours();
  }
}

// ---- booths -------------------------------------------------------------------------------

const boothUi = {
  body: $('booths-body'),
  empty: $('booths-empty'),
  error: $('booths-error'),
  form: $('booth-form'),
  id: $('booth-id'),
  name: $('booth-name'),
  site: $('booth-site'),
  formError: $('booth-form-error'),
};

const ENROL_STATES = new Set(['none', 'pending', 'enrolled', 'expired', 'revoked']); // admin.enrol.*

const tokenUi = {
  panel: $('booth-token'),
  booth: $('booth-token-booth'),
  expires: $('booth-token-expires'),
  value: $('booth-token-value'),
  command: $('booth-token-command'),
  copied: $('booth-token-copied'),
};

// Single quotes for a POSIX shell.
const shq = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

// The token of a reply, shown once: nothing keeps it but this panel, which
// forgets it when closed.
function showToken(boothId, token, expires, siteName) {
  const ws = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/booth`;
  tokenUi.booth.textContent = boothId;
  tokenUi.expires.textContent = localTime(expires);
  tokenUi.value.textContent = token;
  tokenUi.command.textContent =
    `relaisctl provision --switchboard ${shq(ws)} --ca switchboard-ca.pem \\\n` +
    `  --name ${shq(boothId)} --site ${shq(siteName || 'SITE')} --token ${shq(token)} CARD-OR-IMAGE`;
  tokenUi.copied.textContent = '';
  tokenUi.panel.hidden = false;
  tokenUi.panel.scrollIntoView({ block: 'nearest' });
}

function hideToken() {
  tokenUi.panel.hidden = true;
  tokenUi.value.textContent = '';
  tokenUi.command.textContent = '';
  tokenUi.copied.textContent = '';
}

async function copyText(el, what) {
  try {
    await navigator.clipboard.writeText(el.textContent);
    tokenUi.copied.textContent = t(`admin.copied.${what}`);
  } catch {
    // no clipboard (plain HTTP, refused): select it for Ctrl+C
    const range = document.createRange();
    range.selectNodeContents(el);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    tokenUi.copied.textContent = t(`admin.selected.${what}`);
  }
}
$('booth-token-copy').addEventListener('click', () => copyText(tokenUi.value, 'token'));
$('booth-token-copy-command').addEventListener('click', () => copyText(tokenUi.command, 'command'));
$('booth-token-close').addEventListener('click', hideToken);

function siteName(siteId) {
  return st.sites.find((s) => s.id === siteId)?.name ?? '';
}

// The booth's enrolment cell: its state, and until when.
function enrolCell(e) {
  const state = e?.state ?? 'none';
  const c = cell(ENROL_STATES.has(state) ? t(`admin.enrol.${state}`) : state, { 'data-testid': 'booth-row-enrol' });
  const until = state === 'enrolled' ? e.cert_expires : state === 'pending' ? e.token_expires : null;
  const notes = [];
  if (until) notes.push(t(state === 'enrolled' ? 'admin.enrol.cert-until' : 'admin.enrol.token-until', { time: localTime(until) }));
  if (state === 'enrolled' && e.token_expires) notes.push(t('admin.enrol.new-token-until', { time: localTime(e.token_expires) }));
  if (e?.revoked_at && state !== 'revoked') notes.push(t('admin.enrol.revoked-at', { time: localTime(e.revoked_at) }));
  else if (state === 'revoked') notes.push(t('admin.enrol.since', { time: localTime(e.revoked_at) }));
  for (const text of notes) {
    const note = document.createElement('div');
    note.className = 'hint';
    note.textContent = text;
    c.append(note);
  }
  return c;
}

// ---- software and updates ----
const UPDATE_RESULTS = new Set(['kept', 'rolled-back', 'install-failed']); // admin.update.*

// "6 Dec 22:10", "6 déc. 22:10" in the browser's time zone (the month's
// short name in the page's language, a 24-hour clock); the text itself if
// it is no time.
const months = new Intl.DateTimeFormat(locale, { month: 'short' });
function shortTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? '');
  const hh = String(d.getHours()).padStart(2, '0');
  const mm = String(d.getMinutes()).padStart(2, '0');
  return `${d.getDate()} ${months.format(d)} ${hh}:${mm}`;
}

// The software a booth runs and its slot: "0.10-abc1234 (slot A)".
function softwareCell(b) {
  const slot = b.slot ? t('admin.slot', { slot: b.slot }) : '';
  const text = b.software ? `${b.software}${slot ? ` (${slot})` : ''}` : slot || '—';
  return cell(text, { 'data-testid': 'booth-row-software' });
}

const JOB_STATES = new Set(['pending', 'downloading', 'installing', 'installed']); // admin.job.*

// Its last update: "kept 0.10-abc on 6 Dec 22:10"; a rollback or a failed
// install in the page's warning style with its detail; an update under way
// below it. Text only: every word of it comes from the booth.
function lastUpdateCell(u, job) {
  const c = cell('', { 'data-testid': 'booth-row-update' });
  if (job?.active) {
    const line = document.createElement('div');
    line.setAttribute('data-testid', 'booth-row-job');
    line.dataset.state = job.state;
    const doing = JOB_STATES.has(job.state) ? t(`admin.job.${job.state}`) : job.state;
    const progress = job.state === 'downloading' || job.state === 'installing' ? ` ${formatNumber(job.progress / 100, { style: 'percent' })}` : '';
    line.textContent = t('admin.job', { version: job.version ?? job.bundle.slice(0, 12), state: doing }) + progress;
    c.append(line);
  }
  if (!u) {
    if (!job?.active) c.textContent = '—';
    return c;
  }
  c.dataset.result = u.result;
  const line = t('admin.update.line', { result: UPDATE_RESULTS.has(u.result) ? t(`admin.update.${u.result}`) : u.result, version: u.version, time: shortTime(u.at) });
  if (u.result === 'kept') {
    const text = document.createElement('div');
    text.textContent = line;
    c.append(text);
  } else {
    const box = document.createElement('div');
    box.className = 'warning update-warning';
    const what = document.createElement('strong');
    what.textContent = t('admin.update.warning', { line });
    box.append(what);
    const notes = [];
    if (u.from) notes.push(t(u.result === 'rolled-back' ? 'admin.update.running-again' : 'admin.update.running', { version: u.from }));
    if (u.detail) notes.push(u.detail);
    for (const text of notes) {
      const note = document.createElement('div');
      note.textContent = text;
      box.append(note);
    }
    c.append(box);
  }
  return c;
}

async function loadBooths() {
  const r = await load('/api/admin/booths');
  if (!r.ok) {
    formError(boothUi.error, r);
    return;
  }
  const booths = r.body.booths ?? [];
  st.booths = booths;
  boothUi.body.replaceChildren(
    ...booths.map((b) => {
      const tr = row('booth-row', b.id);
      tr.dataset.status = b.status;
      tr.dataset.enrol = b.enrolment?.state ?? 'none';
      tr.dataset.update = b.last_update?.result ?? 'none';
      tr.dataset.job = b.update?.state ?? 'none';
      const name = Object.assign(document.createElement('input'), { type: 'text', value: b.name ?? '', maxLength: 100 });
      name.setAttribute('aria-label', t('admin.booth.name-of', { id: b.id }));
      name.setAttribute('data-testid', 'booth-row-name');
      const site = document.createElement('select');
      site.className = 'booth-row-site';
      site.dataset.siteId = b.site_id == null ? '' : String(b.site_id);
      site.setAttribute('aria-label', t('admin.booth.site-of', { id: b.id }));
      site.setAttribute('data-testid', 'booth-row-site');
      const status = cell(STATUSES.has(b.status) ? t(`staff.status.${b.status}`) : b.status, { 'data-testid': 'booth-row-status' });
      if (b.reported_site && b.reported_site !== b.site) {
        const note = document.createElement('div');
        note.className = 'hint';
        note.textContent = t('admin.booth.reported-site', { site: b.reported_site });
        status.append(note);
      }
      const rowError = Object.assign(document.createElement('div'), { className: 'row-error', hidden: true });
      rowError.setAttribute('role', 'alert');
      rowError.setAttribute('data-testid', 'booth-row-error');
      const actions = cell('', { class: 'actions' });
      actions.append(
        button(t('admin.save'), 'booth-save', async () => {
          const res = await send('PUT', `/api/admin/booths/${encodeURIComponent(b.id)}`, {
            name: name.value.trim(),
            site_id: site.value ? Number(site.value) : null,
          });
          rowError.hidden = res.ok;
          rowError.textContent = res.ok ? '' : res.body.error ?? failed(res.status);
          if (res.ok) await Promise.all([loadBooths(), loadSites()]);
        }),
        button(t('admin.delete'), 'booth-delete', async () => {
          if (!confirm(t('admin.booth.delete.confirm', { id: b.id }))) return;
          const res = await send('DELETE', `/api/admin/booths/${encodeURIComponent(b.id)}`);
          rowError.hidden = res.ok;
          rowError.textContent = res.ok ? '' : res.body.error ?? failed(res.status);
          if (res.ok) await Promise.all([loadBooths(), loadSites()]);
        }, 'btn btn-quiet'),
        button(t('admin.diagnose'), 'booth-diagnose', () => diagnose(b.id), 'btn btn-quiet'),
        button(t('admin.token.new'), 'booth-token-new', async () => {
          if (!confirm(t('admin.token.new.confirm', { id: b.id }))) return;
          const res = await send('POST', `/api/admin/booths/${encodeURIComponent(b.id)}/token`);
          rowError.hidden = res.ok;
          rowError.textContent = res.ok ? '' : res.body.error ?? failed(res.status);
          if (!res.ok) return;
          showToken(b.id, res.body.token, res.body.token_expires, b.site ?? siteName(b.site_id));
          await loadBooths();
        }, 'btn btn-quiet'),
        button(t('admin.revoke'), 'booth-revoke', async () => {
          if (!confirm(t('admin.revoke.confirm', { id: b.id }))) return;
          const res = await send('POST', `/api/admin/booths/${encodeURIComponent(b.id)}/revoke`);
          rowError.hidden = res.ok;
          rowError.textContent = res.ok ? '' : res.body.error ?? failed(res.status);
          if (res.ok) await loadBooths();
        }, 'btn btn-danger'),
        rowError,
      );
      tr.append(
        cell(b.id, { class: 'booth-id' }),
        cell(name),
        cell(site),
        status,
        cell(b.last_seen ? (b.status === 'offline' ? localTime(b.last_seen) : t('staff.now')) : '—'),
        softwareCell(b),
        lastUpdateCell(b.last_update, b.update),
        enrolCell(b.enrolment),
        actions,
      );
      return tr;
    }),
  );
  boothUi.empty.hidden = booths.length > 0;
  fillSiteSelects();
}

// ---- updates: bundles and what to install them on --------------------------------------

const bundleUi = {
  form: $('bundle-form'),
  file: $('bundle-file'),
  status: $('bundle-status'),
  error: $('bundle-error'),
  body: $('bundles-body'),
  empty: $('bundles-empty'),
  listError: $('bundles-error'),
};

const mib = (bytes) => t('unit.mib', { n: formatNumber(bytes / (1 << 20), { maximumFractionDigits: bytes < 10 << 20 ? 1 : 0, minimumFractionDigits: bytes < 10 << 20 ? 1 : 0 }) });

// The booths and sites a bundle may go to, as <option>s: "booth:ID", "site:ID".
function targetSelect(version) {
  const select = document.createElement('select');
  select.setAttribute('aria-label', t('admin.bundle.target', { version }));
  select.setAttribute('data-testid', 'bundle-target');
  const none = Object.assign(document.createElement('option'), { value: '', textContent: t('admin.choose') });
  select.append(none);
  for (const b of st.booths ?? []) select.append(Object.assign(document.createElement('option'), { value: `booth:${b.id}`, textContent: t('admin.target.booth', { id: b.id }) }));
  for (const s of st.sites) {
    const o = Object.assign(document.createElement('option'), { value: `site:${s.id}`, textContent: t('admin.target.site', { site: s.name }) });
    o.dataset.name = s.name;
    select.append(o);
  }
  return select;
}

async function loadBundles() {
  const r = await load('/api/admin/bundles');
  if (!r.ok) {
    formError(bundleUi.listError, r);
    return;
  }
  bundleUi.listError.hidden = true;
  const list = r.body.bundles ?? [];
  bundleUi.body.replaceChildren(
    ...list.map((x) => {
      const tr = row('bundle-row', x.id);
      const version = x.version ?? x.id.slice(0, 12);
      const target = targetSelect(version);
      const rowError = Object.assign(document.createElement('div'), { className: 'row-error', hidden: true });
      rowError.setAttribute('role', 'alert');
      rowError.setAttribute('data-testid', 'bundle-row-error');
      const actions = cell('', { class: 'actions' });
      actions.append(
        button(t('admin.install'), 'bundle-install', async () => {
          if (!target.value) {
            rowError.hidden = false;
            rowError.textContent = t('admin.install.choose');
            return;
          }
          const [kind, id] = target.value.split(/:(.*)/s);
          const what = kind === 'booth' ? t('admin.install.booth', { id }) : t('admin.install.site', { site: target.selectedOptions[0].dataset.name ?? id });
          if (!confirm(t('admin.install.confirm', { version, what }))) return;
          const res = await send('POST', `/api/admin/${kind === 'booth' ? 'booths' : 'sites'}/${encodeURIComponent(id)}/update`, { bundle: x.id });
          rowError.hidden = res.ok;
          rowError.textContent = res.ok ? '' : res.body.error ?? failed(res.status);
          if (res.ok && res.body.skipped?.length) {
            rowError.hidden = false;
            rowError.textContent = t('admin.install.skipped', { list: res.body.skipped.map((s) => `${s.booth_id} (${s.reason})`).join('; ') });
          }
          if (res.ok) await loadBooths();
        }),
        button(t('admin.delete'), 'bundle-delete', async () => {
          if (!confirm(t('admin.bundle.delete.confirm', { version }))) return;
          const res = await send('DELETE', `/api/admin/bundles/${encodeURIComponent(x.id)}`);
          rowError.hidden = res.ok;
          rowError.textContent = res.ok ? '' : res.body.error ?? failed(res.status);
          if (res.ok) await loadBundles();
        }, 'btn btn-quiet'),
        rowError,
      );
      tr.append(
        cell(version, { 'data-testid': 'bundle-row-version' }),
        cell(x.compatible ?? '—'),
        cell(mib(x.size)),
        cell(t('admin.bundle.uploaded-by', { time: localTime(x.uploaded_at), who: x.uploaded_by || '—' })),
        cell(x.id.slice(0, 12), { class: 'booth-id', title: x.id }),
        cell(target),
        actions,
      );
      return tr;
    }),
  );
  bundleUi.empty.hidden = list.length > 0;
}

bundleUi.form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const file = bundleUi.file.files?.[0];
  if (!file) return;
  bundleUi.error.hidden = true;
  bundleUi.status.textContent = t('admin.bundle.uploading', { name: file.name, size: mib(file.size) });
  const r = await send('POST', '/api/admin/bundles', file);
  if (!r.ok) {
    bundleUi.status.textContent = '';
    formError(bundleUi.error, r, { file: bundleUi.file });
    return;
  }
  bundleUi.status.textContent = t(r.status === 201 ? 'admin.bundle.uploaded' : 'admin.bundle.there', { version: r.body.version ?? r.body.id.slice(0, 12) });
  bundleUi.form.reset();
  await loadBundles();
});

boothUi.form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const r = await send('POST', '/api/admin/booths', {
    id: boothUi.id.value.trim(),
    name: boothUi.name.value.trim(),
    site_id: boothUi.site.value ? Number(boothUi.site.value) : null,
  });
  formError(boothUi.formError, r, { id: boothUi.id, name: boothUi.name, site_id: boothUi.site });
  if (!r.ok) return;
  if (r.body.token) showToken(r.body.id, r.body.token, r.body.token_expires, siteName(r.body.site_id));
  boothUi.form.reset();
  await Promise.all([loadBooths(), loadSites()]);
});
$('booths-refresh').addEventListener('click', () => loadBooths());

// ---- accounts -----------------------------------------------------------------------------

const accUi = {
  body: $('accounts-body'),
  error: $('accounts-error'),
  once: $('account-password'),
  form: $('account-form'),
  title: $('account-form-title'),
  login: $('account-login'),
  name: $('account-name'),
  role: $('account-role'),
  site: $('account-site'),
  languages: $('account-languages'),
  topics: $('account-topics'),
  pwSet: $('account-password-set'),
  pwInput: $('account-password-input'),
  formError: $('account-form-error'),
  submit: $('account-submit'),
  cancel: $('account-cancel'),
};

const splitList = (text) => text.split(',').map((x) => x.trim()).filter(Boolean);

function showOnce(login, password) {
  if (!password) {
    accUi.once.hidden = true;
    return;
  }
  const code = document.createElement('code');
  code.setAttribute('data-testid', 'account-password-value');
  code.textContent = password;
  accUi.once.replaceChildren(t('admin.password.for', { login }), code, t('admin.password.once'));
  accUi.once.hidden = false;
}

function pwMode() {
  return accUi.form.querySelector('input[name="account-pw"]:checked')?.value ?? 'generate';
}

function syncAccountForm() {
  accUi.site.disabled = accUi.role.value !== 'staff';
  if (accUi.site.disabled) accUi.site.value = '';
  else if (!accUi.site.value && st.sites.length) accUi.site.value = String(st.sites[0].id);
  accUi.pwInput.disabled = pwMode() !== 'type';
}
accUi.role.addEventListener('change', syncAccountForm);
for (const r of accUi.form.querySelectorAll('input[name="account-pw"]')) r.addEventListener('change', syncAccountForm);

async function loadUsers() {
  const r = await load('/api/admin/users');
  if (!r.ok) {
    formError(accUi.error, r);
    return;
  }
  st.users = r.body.users ?? [];
  accUi.body.replaceChildren(
    ...st.users.map((u) => {
      const tr = row('account-row', u.login);
      tr.dataset.role = u.role;
      const actions = cell('', { class: 'actions' });
      actions.append(
        button(t('admin.edit'), 'account-edit', () => editUser(u), 'btn btn-quiet'),
        button(t('admin.password.reset'), 'account-reset', () => resetPassword(u), 'btn btn-quiet'),
        button(t('admin.delete'), 'account-delete', () => deleteUser(u), 'btn btn-quiet'),
      );
      const me = u.login === st.me?.login ? ` ${t('admin.you')}` : '';
      tr.append(
        cell(u.login + me),
        cell(u.name),
        cell(ROLES.has(u.role) ? t(`admin.role.${u.role}`) : u.role, { 'data-testid': 'account-role-cell' }),
        cell(u.site || '—'),
        cell(u.role === 'adviser' || u.role === 'admin' ? listText(u.languages) : '—', { 'data-testid': 'account-languages-cell' }),
        cell(u.role === 'adviser' || u.role === 'admin' ? listText(u.topics) : '—', { 'data-testid': 'account-topics-cell' }),
        actions,
      );
      return tr;
    }),
  );
}

function editUser(u) {
  st.editingUser = u;
  accUi.title.textContent = t('admin.account.change', { login: u.login });
  accUi.login.value = u.login;
  accUi.login.readOnly = true;
  accUi.name.value = u.name;
  accUi.role.value = u.role;
  accUi.site.value = u.site_id == null ? '' : String(u.site_id);
  accUi.languages.value = (u.languages ?? []).join(', ');
  accUi.topics.value = (u.topics ?? []).join(', ');
  accUi.pwSet.hidden = true;
  accUi.submit.textContent = t('admin.save-changes');
  accUi.cancel.hidden = false;
  syncAccountForm();
  formError(accUi.formError, null);
  accUi.name.focus();
}

function resetAccountForm() {
  st.editingUser = null;
  accUi.form.reset();
  accUi.login.readOnly = false;
  accUi.pwSet.hidden = false;
  accUi.title.textContent = t('admin.account.add');
  accUi.submit.textContent = t('admin.account.submit');
  accUi.cancel.hidden = true;
  syncAccountForm();
  formError(accUi.formError, null);
}
accUi.cancel.addEventListener('click', resetAccountForm);

accUi.form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const body = {
    name: accUi.name.value.trim(),
    role: accUi.role.value,
    site_id: accUi.role.value === 'staff' && accUi.site.value ? Number(accUi.site.value) : null,
    languages: splitList(accUi.languages.value),
    topics: splitList(accUi.topics.value),
  };
  let r;
  const editing = st.editingUser;
  if (editing) {
    r = await send('PUT', `/api/admin/users/${encodeURIComponent(editing.login)}`, body);
  } else {
    body.login = accUi.login.value.trim();
    if (pwMode() === 'type') body.password = accUi.pwInput.value;
    else body.generate = true;
    r = await send('POST', '/api/admin/users', body);
  }
  formError(accUi.formError, r, {
    login: accUi.login, name: accUi.name, role: accUi.role, site_id: accUi.site,
    languages: accUi.languages, topics: accUi.topics, password: accUi.pwInput,
  });
  if (!r.ok) return;
  accUi.pwInput.value = '';
  showOnce(r.body.user.login, r.body.password);
  resetAccountForm();
  await Promise.all([loadUsers(), loadSites()]);
});

async function resetPassword(u) {
  if (!confirm(t('admin.password.reset.confirm', { login: u.login }))) return;
  const r = await send('POST', `/api/admin/users/${encodeURIComponent(u.login)}/password`, { generate: true });
  formError(accUi.error, r);
  if (r.ok) showOnce(u.login, r.body.password);
}

async function deleteUser(u) {
  if (!confirm(t('admin.account.delete.confirm', { login: u.login }))) return;
  const r = await send('DELETE', `/api/admin/users/${encodeURIComponent(u.login)}`);
  formError(accUi.error, r);
  if (r.ok) await Promise.all([loadUsers(), loadSites()]);
}

// ---- opening hours and closures ------------------------------------------------------------

const hoursUi = {
  site: $('hours-site'),
  grid: document.querySelector('[data-testid="hours-grid"]'),
  body: $('hours-body'),
  form: $('hours-form'),
  error: $('hours-error'),
  done: $('hours-done'),
  closures: $('closures-body'),
  closuresEmpty: $('closures-empty'),
  closureForm: $('closure-form'),
  from: $('closure-from'),
  to: $('closure-to'),
  reason: $('closure-reason'),
  closureError: $('closure-error'),
};

function timeInput(value, label, testid) {
  const i = Object.assign(document.createElement('input'), { type: 'time', value, required: true });
  i.setAttribute('aria-label', label);
  i.setAttribute('data-testid', testid);
  return i;
}

// One row per day: morning and afternoon, each open or not, start, end, capacity.
function buildGrid() {
  hoursUi.body.replaceChildren(
    ...DAYS.map(([id, name]) => {
      const tr = row('hours-row', id);
      tr.append(Object.assign(document.createElement('th'), { scope: 'row', textContent: name }));
      for (const half of ['am', 'pm']) {
        const what = { day: name, half: t(`admin.half.${half}`) };
        const open = Object.assign(document.createElement('input'), { type: 'checkbox' });
        open.setAttribute('data-testid', `hours-${half}-open`);
        const openLabel = document.createElement('label');
        openLabel.className = 'check';
        openLabel.append(open, ` ${t('admin.hours.open')}`);
        open.setAttribute('aria-label', t('admin.hours.open.label', what));
        const start = timeInput(HALVES[half].start, t('admin.hours.from.label', what), `hours-${half}-start`);
        const end = timeInput(HALVES[half].end, t('admin.hours.until.label', what), `hours-${half}-end`);
        const cap = Object.assign(document.createElement('input'), { type: 'number', min: 1, max: 1000, value: 1, required: true });
        cap.setAttribute('aria-label', t('admin.hours.capacity.label', what));
        cap.setAttribute('data-testid', `hours-${half}-capacity`);
        const sync = () => {
          for (const x of [start, end, cap]) x.disabled = !open.checked;
        };
        open.addEventListener('change', sync);
        sync();
        tr.append(cell(openLabel), cell(start), cell(end), cell(cap));
      }
      return tr;
    }),
  );
}

function gridSlots() {
  const slots = [];
  for (const tr of hoursUi.body.querySelectorAll('tr')) {
    for (const half of ['am', 'pm']) {
      if (!tr.querySelector(`[data-testid="hours-${half}-open"]`).checked) continue;
      slots.push({
        day: tr.dataset.key,
        half,
        start: tr.querySelector(`[data-testid="hours-${half}-start"]`).value,
        end: tr.querySelector(`[data-testid="hours-${half}-end"]`).value,
        capacity: Number(tr.querySelector(`[data-testid="hours-${half}-capacity"]`).value),
      });
    }
  }
  return slots;
}

function showGrid(slots) {
  for (const tr of hoursUi.body.querySelectorAll('tr')) {
    for (const half of ['am', 'pm']) {
      const s = slots.find((x) => x.day === tr.dataset.key && x.half === half);
      const open = tr.querySelector(`[data-testid="hours-${half}-open"]`);
      open.checked = !!s;
      tr.querySelector(`[data-testid="hours-${half}-start"]`).value = s?.start ?? HALVES[half].start;
      tr.querySelector(`[data-testid="hours-${half}-end"]`).value = s?.end ?? HALVES[half].end;
      tr.querySelector(`[data-testid="hours-${half}-capacity"]`).value = String(s?.capacity ?? 1);
      open.dispatchEvent(new Event('change'));
    }
  }
}

// The grid says which site it shows and whether that is loaded yet
// (data-site, data-state="loading"|"ready"): a grid being filled from the
// switchboard is not editable, and a slower answer for a site chosen
// before does not overwrite the one chosen now.
let hoursLoads = 0;
async function loadHours() {
  const id = hoursUi.site.value;
  const mine = ++hoursLoads;
  hoursUi.done.hidden = true;
  formError(hoursUi.error, null);
  hoursUi.grid.dataset.state = 'loading';
  hoursUi.grid.dataset.site = id;
  hoursUi.form.inert = true;
  if (!id) {
    showGrid([]);
    hoursUi.closures.replaceChildren();
    hoursUi.closuresEmpty.hidden = false;
    hoursUi.form.inert = false;
    hoursUi.grid.dataset.state = 'ready';
    return;
  }
  const [h, c] = await Promise.all([load(`/api/admin/sites/${id}/hours`), load(`/api/admin/sites/${id}/closures`)]);
  if (mine !== hoursLoads) return; // another site was chosen meanwhile
  if (h.ok) showGrid(h.body.slots ?? []);
  else formError(hoursUi.error, h);
  hoursUi.form.inert = false;
  hoursUi.grid.dataset.state = 'ready';
  if (!c.ok) {
    formError(hoursUi.closureError, c);
    return;
  }
  const list = c.body.closures ?? [];
  hoursUi.closures.replaceChildren(
    ...list.map((x) => {
      const tr = row('closure-row', String(x.id));
      const actions = cell('', { class: 'actions' });
      actions.append(
        button(t('admin.delete'), 'closure-delete', async () => {
          if (!confirm(t('admin.closure.delete.confirm', { from: x.from, to: x.to }))) return;
          const r = await send('DELETE', `/api/admin/closures/${x.id}`);
          formError(hoursUi.closureError, r);
          if (r.ok) await loadHours();
        }, 'btn btn-quiet'),
      );
      tr.append(cell(x.from), cell(x.to), cell(x.reason || '—'), actions);
      return tr;
    }),
  );
  hoursUi.closuresEmpty.hidden = list.length > 0;
}

hoursUi.site.addEventListener('change', () => loadHours());
hoursUi.form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  hoursUi.done.hidden = true;
  if (!hoursUi.site.value) {
    formError(hoursUi.error, { ok: false, body: { error: t('admin.hours.no-site') } });
    return;
  }
  const r = await send('PUT', `/api/admin/sites/${hoursUi.site.value}/hours`, { slots: gridSlots() });
  formError(hoursUi.error, r);
  if (r.ok) {
    showGrid(r.body.slots ?? []);
    hoursUi.done.hidden = false;
  }
});
hoursUi.closureForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (!hoursUi.site.value) return;
  const r = await send('POST', `/api/admin/sites/${hoursUi.site.value}/closures`, {
    from: hoursUi.from.value,
    to: hoursUi.to.value,
    reason: hoursUi.reason.value.trim(),
  });
  formError(hoursUi.closureError, r, { from: hoursUi.from, to: hoursUi.to, reason: hoursUi.reason });
  if (!r.ok) return;
  hoursUi.closureForm.reset();
  await loadHours();
});

// ---- bookings ------------------------------------------------------------------------------

const bookings = BookingsPanel.onPage();

// ---- start ---------------------------------------------------------------------------------

function signedOut(wrongRole) {
  bookings.stop();
  showSignedOut(ui, ui.admin, wrongRole ? t('admin.wrong-role') : null);
}

async function start() {
  const user = await currentUser();
  if (!user || user.role !== 'admin') {
    signedOut(!!user);
    return;
  }
  st.me = user;
  showSignedIn(ui, ui.admin, user);
  showError(ui, null);
  fillTimezones();
  buildGrid();
  syncAccountForm();
  await loadSites();
  await Promise.all([loadBooths(), loadUsers(), loadHours()]);
  await loadBundles();
  bookings.start();
  ui.body.dataset.state = 'ready';
}

start();
