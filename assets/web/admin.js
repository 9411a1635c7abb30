// SPDX-License-Identifier: GPL-2.0-or-later
// Relais administrator's page: sites, booths, accounts, opening hours and
// closures, and the day's bookings, over /api/admin (firmware/switchboard/
// admin.h). Every change is confirmed by the switchboard's answer; an error
// is shown next to the form that caused it, with the field it names marked.

import { $, cell, currentUser, getJson, localTime, showError, showSignedIn, showSignedOut } from './page.js';
import { BookingsPanel } from './bookings.js';
import { diagnose } from './diag.js';

const ui = {
  body: document.body,
  who: $('who'),
  hint: $('signin-hint'),
  hintText: $('signin-hint-text'),
  error: $('admin-error'),
  admin: $('admin'),
};

const DAYS = [
  ['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'],
  ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday'],
];
const HALVES = { am: { start: '09:00', end: '12:30' }, pm: { start: '13:30', end: '17:00' } };
const ROLES = { adviser: 'Adviser', staff: 'Site staff', admin: 'Administrator' };
const STATUS_WORDS = { online: 'Online', in_use: 'In use', out_of_order: 'Out of order', offline: 'Offline' };

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
    return { status: 0, ok: false, body: { error: `Cannot reach the switchboard: ${err.message}` } };
  }
}

async function load(url) {
  try {
    const r = await getJson(url);
    if (r.status === 401 || r.status === 403) signedOut(r.status === 403);
    return r;
  } catch (err) {
    return { status: 0, ok: false, body: { error: `Cannot reach the switchboard: ${err.message}` } };
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
  errorEl.textContent = r.body?.error ?? `Failed (${r.status})`;
  errorEl.hidden = false;
  const input = fields[r.body?.field];
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }
}

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

const listText = (items) => (items?.length ? items.join(', ') : 'any');

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
  if (u?.booths) parts.push(`${u.booths} booth${u.booths > 1 ? 's' : ''}`);
  if (u?.staff) parts.push(`${u.staff} staff`);
  if (u?.bookings) parts.push(`${u.bookings} booking${u.bookings > 1 ? 's' : ''}`);
  if (u?.call_records) parts.push(`${u.call_records} call${u.call_records > 1 ? 's' : ''}`);
  return parts.join(', ') || 'nothing';
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
        button('Edit', 'site-edit', () => editSite(s), 'btn btn-quiet'),
        button('Delete', 'site-delete', () => deleteSite(s), 'btn btn-quiet'),
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
      Object.assign(document.createElement('option'), { value: '', textContent: 'No site' }),
      ...st.sites.map((s) => Object.assign(document.createElement('option'), { value: String(s.id), textContent: s.name })),
    );
    sel.value = keep;
  }
  if (!$('hours-site').value && st.sites.length) $('hours-site').value = String(st.sites[0].id);
}

function editSite(s) {
  st.editingSite = s;
  siteUi.title.textContent = `Change “${s.name}”`;
  siteUi.name.value = s.name;
  siteUi.timezone.value = s.timezone;
  siteUi.address.value = s.address ?? '';
  siteUi.submit.textContent = 'Save changes';
  siteUi.cancel.hidden = false;
  formError(siteUi.formError, null);
  siteUi.name.focus();
}

function resetSiteForm() {
  st.editingSite = null;
  siteUi.form.reset();
  siteUi.title.textContent = 'Add a site';
  siteUi.submit.textContent = 'Add site';
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
  if (!confirm(`Delete the site “${s.name}”? Its opening hours and closures go with it.`)) return;
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

const ENROL_WORDS = {
  none: 'Not enrolled',
  pending: 'Token pending',
  enrolled: 'Enrolled',
  expired: 'Certificate expired',
  revoked: 'Revoked',
};

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
    tokenUi.copied.textContent = `${what} copied.`;
  } catch {
    // no clipboard (plain HTTP, refused): select it for Ctrl+C
    const range = document.createRange();
    range.selectNodeContents(el);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    tokenUi.copied.textContent = `${what} selected: press Ctrl+C to copy it.`;
  }
}
$('booth-token-copy').addEventListener('click', () => copyText(tokenUi.value, 'Token'));
$('booth-token-copy-command').addEventListener('click', () => copyText(tokenUi.command, 'Command'));
$('booth-token-close').addEventListener('click', hideToken);

function siteName(siteId) {
  return st.sites.find((s) => s.id === siteId)?.name ?? '';
}

// The booth's enrolment cell: its state, and until when.
function enrolCell(e) {
  const state = e?.state ?? 'none';
  const c = cell(ENROL_WORDS[state] ?? state, { 'data-testid': 'booth-row-enrol' });
  const until = state === 'enrolled' ? e.cert_expires : state === 'pending' ? e.token_expires : null;
  const notes = [];
  if (until) notes.push(`${state === 'enrolled' ? 'certificate' : 'token'} valid until ${localTime(until)}`);
  if (state === 'enrolled' && e.token_expires) notes.push(`a new token valid until ${localTime(e.token_expires)}`);
  if (e?.revoked_at && state !== 'revoked') notes.push(`revoked ${localTime(e.revoked_at)}`);
  else if (state === 'revoked') notes.push(`since ${localTime(e.revoked_at)}`);
  for (const text of notes) {
    const note = document.createElement('div');
    note.className = 'hint';
    note.textContent = text;
    c.append(note);
  }
  return c;
}

// ---- software and updates ----
const UPDATE_WORDS = { kept: 'kept', 'rolled-back': 'rolled back', 'install-failed': 'failed to install' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// "6 Dec 22:10" in the browser's time zone; the text itself if it is no time.
function shortTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? '');
  const hh = String(d.getHours()).padStart(2, '0');
  const mm = String(d.getMinutes()).padStart(2, '0');
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${hh}:${mm}`;
}

// The software a booth runs and its slot: "0.10-abc1234 (slot A)".
function softwareCell(b) {
  const text = b.software ? `${b.software}${b.slot ? ` (slot ${b.slot})` : ''}` : b.slot ? `slot ${b.slot}` : '—';
  return cell(text, { 'data-testid': 'booth-row-software' });
}

const JOB_WORDS = {
  pending: 'waiting for the booth',
  downloading: 'downloading',
  installing: 'installing',
  installed: 'installed, rebooting when nobody is there',
};

// Its last update: "kept 0.10-abc on 6 Dec 22:10"; a rollback or a failed
// install in the page's warning style with its detail; an update under way
// below it. Text only: every word of it comes from the booth.
function lastUpdateCell(u, job) {
  const c = cell('', { 'data-testid': 'booth-row-update' });
  if (job?.active) {
    const line = document.createElement('div');
    line.setAttribute('data-testid', 'booth-row-job');
    line.dataset.state = job.state;
    line.textContent = `Updating to ${job.version ?? job.bundle.slice(0, 12)}: ${JOB_WORDS[job.state] ?? job.state}` +
      (job.state === 'downloading' || job.state === 'installing' ? ` ${job.progress} %` : '');
    c.append(line);
  }
  if (!u) {
    if (!job?.active) c.textContent = '—';
    return c;
  }
  c.dataset.result = u.result;
  const line = `${UPDATE_WORDS[u.result] ?? u.result} ${u.version} on ${shortTime(u.at)}`;
  if (u.result === 'kept') {
    const text = document.createElement('div');
    text.textContent = line;
    c.append(text);
  } else {
    const box = document.createElement('div');
    box.className = 'warning update-warning';
    const what = document.createElement('strong');
    what.textContent = `Update ${line}`;
    box.append(what);
    const notes = [];
    if (u.from) notes.push(`running ${u.from}${u.result === 'rolled-back' ? ' again' : ''}`);
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
      name.setAttribute('aria-label', `Name of booth ${b.id}`);
      name.setAttribute('data-testid', 'booth-row-name');
      const site = document.createElement('select');
      site.className = 'booth-row-site';
      site.dataset.siteId = b.site_id == null ? '' : String(b.site_id);
      site.setAttribute('aria-label', `Site of booth ${b.id}`);
      site.setAttribute('data-testid', 'booth-row-site');
      const status = cell(STATUS_WORDS[b.status] ?? b.status, { 'data-testid': 'booth-row-status' });
      if (b.reported_site && b.reported_site !== b.site) {
        const note = document.createElement('div');
        note.className = 'hint';
        note.textContent = `Its settings say “${b.reported_site}”.`;
        status.append(note);
      }
      const rowError = Object.assign(document.createElement('div'), { className: 'row-error', hidden: true });
      rowError.setAttribute('role', 'alert');
      rowError.setAttribute('data-testid', 'booth-row-error');
      const actions = cell('', { class: 'actions' });
      actions.append(
        button('Save', 'booth-save', async () => {
          const res = await send('PUT', `/api/admin/booths/${encodeURIComponent(b.id)}`, {
            name: name.value.trim(),
            site_id: site.value ? Number(site.value) : null,
          });
          rowError.hidden = res.ok;
          rowError.textContent = res.ok ? '' : res.body.error ?? `Failed (${res.status})`;
          if (res.ok) await Promise.all([loadBooths(), loadSites()]);
        }),
        button('Delete', 'booth-delete', async () => {
          if (!confirm(`Delete booth ${b.id}? It is listed again when it next connects.`)) return;
          const res = await send('DELETE', `/api/admin/booths/${encodeURIComponent(b.id)}`);
          rowError.hidden = res.ok;
          rowError.textContent = res.ok ? '' : res.body.error ?? `Failed (${res.status})`;
          if (res.ok) await Promise.all([loadBooths(), loadSites()]);
        }, 'btn btn-quiet'),
        button('Diagnose', 'booth-diagnose', () => diagnose(b.id), 'btn btn-quiet'),
        button('New enrolment token', 'booth-token-new', async () => {
          if (!confirm(`Give booth ${b.id} a new enrolment token? Its pending token, if any, stops working.`)) return;
          const res = await send('POST', `/api/admin/booths/${encodeURIComponent(b.id)}/token`);
          rowError.hidden = res.ok;
          rowError.textContent = res.ok ? '' : res.body.error ?? `Failed (${res.status})`;
          if (!res.ok) return;
          showToken(b.id, res.body.token, res.body.token_expires, b.site ?? siteName(b.site_id));
          await loadBooths();
        }, 'btn btn-quiet'),
        button('Revoke', 'booth-revoke', async () => {
          if (!confirm(`Revoke booth ${b.id}? It is disconnected at once, its certificate stops working, and it needs a new enrolment token to come back.`)) return;
          const res = await send('POST', `/api/admin/booths/${encodeURIComponent(b.id)}/revoke`);
          rowError.hidden = res.ok;
          rowError.textContent = res.ok ? '' : res.body.error ?? `Failed (${res.status})`;
          if (res.ok) await loadBooths();
        }, 'btn btn-danger'),
        rowError,
      );
      tr.append(
        cell(b.id, { class: 'booth-id' }),
        cell(name),
        cell(site),
        status,
        cell(b.last_seen ? (b.status === 'offline' ? localTime(b.last_seen) : 'now') : '—'),
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

const mib = (bytes) => `${(bytes / (1 << 20)).toFixed(bytes < 10 << 20 ? 1 : 0)} MiB`;

// The booths and sites a bundle may go to, as <option>s: "booth:ID", "site:ID".
function targetSelect(version) {
  const select = document.createElement('select');
  select.setAttribute('aria-label', `Install bundle ${version} on`);
  select.setAttribute('data-testid', 'bundle-target');
  const none = Object.assign(document.createElement('option'), { value: '', textContent: 'Choose…' });
  select.append(none);
  for (const b of st.booths ?? []) select.append(Object.assign(document.createElement('option'), { value: `booth:${b.id}`, textContent: `Booth ${b.id}` }));
  for (const s of st.sites) select.append(Object.assign(document.createElement('option'), { value: `site:${s.id}`, textContent: `Every booth of ${s.name}` }));
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
        button('Install', 'bundle-install', async () => {
          if (!target.value) {
            rowError.hidden = false;
            rowError.textContent = 'Choose a booth or a site first.';
            return;
          }
          const [kind, id] = target.value.split(/:(.*)/s);
          const what = kind === 'booth' ? `booth ${id}` : `every booth of ${target.selectedOptions[0].textContent.replace(/^Every booth of /, '')}`;
          if (!confirm(`Install ${version} on ${what}? It reboots once no visitor is there.`)) return;
          const res = await send('POST', `/api/admin/${kind === 'booth' ? 'booths' : 'sites'}/${encodeURIComponent(id)}/update`, { bundle: x.id });
          rowError.hidden = res.ok;
          rowError.textContent = res.ok ? '' : res.body.error ?? `Failed (${res.status})`;
          if (res.ok && res.body.skipped?.length) {
            rowError.hidden = false;
            rowError.textContent = `Skipped: ${res.body.skipped.map((s) => `${s.booth_id} (${s.reason})`).join('; ')}`;
          }
          if (res.ok) await loadBooths();
        }),
        button('Delete', 'bundle-delete', async () => {
          if (!confirm(`Delete bundle ${version} from the switchboard?`)) return;
          const res = await send('DELETE', `/api/admin/bundles/${encodeURIComponent(x.id)}`);
          rowError.hidden = res.ok;
          rowError.textContent = res.ok ? '' : res.body.error ?? `Failed (${res.status})`;
          if (res.ok) await loadBundles();
        }, 'btn btn-quiet'),
        rowError,
      );
      tr.append(
        cell(version, { 'data-testid': 'bundle-row-version' }),
        cell(x.compatible ?? '—'),
        cell(mib(x.size)),
        cell(`${localTime(x.uploaded_at)} by ${x.uploaded_by || '—'}`),
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
  bundleUi.status.textContent = `Uploading ${file.name} (${mib(file.size)})…`;
  const r = await send('POST', '/api/admin/bundles', file);
  if (!r.ok) {
    bundleUi.status.textContent = '';
    formError(bundleUi.error, r, { file: bundleUi.file });
    return;
  }
  bundleUi.status.textContent = `Bundle ${r.body.version ?? r.body.id.slice(0, 12)} ${r.status === 201 ? 'uploaded' : 'was already there'}.`;
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
  accUi.once.replaceChildren(`One-time password for ${login}: `, code, ' — shown only now: give it to them, they can sign in with it.');
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
        button('Edit', 'account-edit', () => editUser(u), 'btn btn-quiet'),
        button('Reset password', 'account-reset', () => resetPassword(u), 'btn btn-quiet'),
        button('Delete', 'account-delete', () => deleteUser(u), 'btn btn-quiet'),
      );
      const me = u.login === st.me?.login ? ' (you)' : '';
      tr.append(
        cell(u.login + me),
        cell(u.name),
        cell(ROLES[u.role] ?? u.role, { 'data-testid': 'account-role-cell' }),
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
  accUi.title.textContent = `Change ${u.login}`;
  accUi.login.value = u.login;
  accUi.login.readOnly = true;
  accUi.name.value = u.name;
  accUi.role.value = u.role;
  accUi.site.value = u.site_id == null ? '' : String(u.site_id);
  accUi.languages.value = (u.languages ?? []).join(', ');
  accUi.topics.value = (u.topics ?? []).join(', ');
  accUi.pwSet.hidden = true;
  accUi.submit.textContent = 'Save changes';
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
  accUi.title.textContent = 'Add an account';
  accUi.submit.textContent = 'Add account';
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
  if (!confirm(`Give ${u.login} a new one-time password? Their old password stops working and they are signed out at once.`)) return;
  const r = await send('POST', `/api/admin/users/${encodeURIComponent(u.login)}/password`, { generate: true });
  formError(accUi.error, r);
  if (r.ok) showOnce(u.login, r.body.password);
}

async function deleteUser(u) {
  if (!confirm(`Delete the account ${u.login}? They are signed out at once.`)) return;
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
        const word = half === 'am' ? 'morning' : 'afternoon';
        const open = Object.assign(document.createElement('input'), { type: 'checkbox' });
        open.setAttribute('data-testid', `hours-${half}-open`);
        const openLabel = document.createElement('label');
        openLabel.className = 'check';
        openLabel.append(open, ` Open`);
        open.setAttribute('aria-label', `${name} ${word} open`);
        const start = timeInput(HALVES[half].start, `${name} ${word} from`, `hours-${half}-start`);
        const end = timeInput(HALVES[half].end, `${name} ${word} until`, `hours-${half}-end`);
        const cap = Object.assign(document.createElement('input'), { type: 'number', min: 1, max: 1000, value: 1, required: true });
        cap.setAttribute('aria-label', `${name} ${word}: advisers on duty`);
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
        button('Delete', 'closure-delete', async () => {
          if (!confirm(`Delete the closure from ${x.from} to ${x.to}?`)) return;
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
    formError(hoursUi.error, { ok: false, body: { error: 'Add a site first.' } });
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
  showSignedOut(ui, ui.admin, wrongRole ? 'This page is for administrators; your account cannot see it.' : null);
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
