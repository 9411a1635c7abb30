// SPDX-License-Identifier: GPL-2.0-or-later
// What the pages share (console, administration, staff, statistics): the
// signed-in account (GET /api/me), the sign-in hint, JSON requests, elements
// and table cells, messages and errors. Each staff-like page's `ui` has body,
// who, hint and hintText (ids who, signin-hint, signin-hint-text) and error.

import { formatDateTime } from './i18n.js';

export const $ = (id) => document.getElementById(id);

// An element `tag` with attributes `attrs` (class, text, data-*, aria-*,
// role, type, id; anything else as a property; null, undefined and false
// skipped) and `children` (nodes or text; null and undefined skipped).
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'type' || k === 'id') e.setAttribute(k, v === true ? '' : v);
    else e[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// The account of this browser's session: { login, name, role }, null when
// signed out, undefined when the switchboard cannot be asked.
export async function whoAmI() {
  try {
    const r = await fetch('/api/me', { credentials: 'same-origin', cache: 'no-store' });
    if (r.status === 401) return null;
    return r.ok ? await r.json() : undefined;
  } catch {
    return undefined;
  }
}

// The signed-in account ({login, name, role}) or null.
export async function currentUser() {
  return (await whoAmI()) ?? null;
}

// GET `url` with the session cookie: {status, ok, body} (body {} if not
// JSON). Throws if the switchboard cannot be reached.
export async function getJson(url) {
  const r = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
  const body = await r.json().catch(() => ({}));
  return { status: r.status, ok: r.ok, body };
}

// POST `body` as JSON with the session cookie: the fetch Response (throws if
// the switchboard cannot be reached).
export function postJson(url, body) {
  return fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

// Shows `section` and the account's name.
export function showSignedIn(ui, section, user) {
  ui.who.textContent = user.name ?? user.login;
  ui.who.hidden = false;
  ui.hint.hidden = true;
  section.hidden = false;
}

// Hides `section` for the sign-in hint; `wrongRoleText`: why a signed-in
// account cannot see the page (null: not signed in).
export function showSignedOut(ui, section, wrongRoleText) {
  section.hidden = true;
  ui.hint.hidden = false;
  if (wrongRoleText) ui.hintText.textContent = wrongRoleText;
  ui.body.dataset.state = 'signed-out';
}

// Shows `text` in `node`, or hides it (null or '').
export function setMessage(node, text) {
  node.textContent = text ?? '';
  node.hidden = !text;
}

export function showError(ui, text) {
  setMessage(ui.error, text);
}

// An ISO time as a local date and time in the page's language, as
// toLocaleString() words it ("12/7/2026, 7:02:03 PM", "07/12/2026 19:02:03"; the
// text itself if it is not a time).
const DATE_TIME = { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit' };
export function localTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : formatDateTime(d, DATE_TIME);
}

// A table cell holding `child` (a node, or text) with attributes `attrs`.
export function cell(child, attrs = {}) {
  const td = document.createElement('td');
  if (child instanceof Node) td.append(child);
  else td.textContent = String(child ?? '');
  for (const [k, v] of Object.entries(attrs)) td.setAttribute(k, v);
  return td;
}
