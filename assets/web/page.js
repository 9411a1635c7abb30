// SPDX-License-Identifier: GPL-2.0-or-later
// What the staff and statistics pages share: the signed-in account
// (GET /api/me), the sign-in hint, JSON requests, table cells, errors.
// Each page's `ui` has body, who, hint and hintText (ids who, signin-hint,
// signin-hint-text) and error.

export const $ = (id) => document.getElementById(id);

// The signed-in account ({login, name, role}) or null.
export async function currentUser() {
  try {
    const r = await fetch('/api/me', { credentials: 'same-origin', cache: 'no-store' });
    return r.ok ? await r.json() : null;
  } catch {
    return null;
  }
}

// GET `url` with the session cookie: {status, ok, body} (body {} if not
// JSON). Throws if the switchboard cannot be reached.
export async function getJson(url) {
  const r = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
  const body = await r.json().catch(() => ({}));
  return { status: r.status, ok: r.ok, body };
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

export function showError(ui, text) {
  ui.error.textContent = text ?? '';
  ui.error.hidden = !text;
}

// A table cell holding `child` (a node, or text) with attributes `attrs`.
export function cell(child, attrs = {}) {
  const td = document.createElement('td');
  if (child instanceof Node) td.append(child);
  else td.textContent = String(child ?? '');
  for (const [k, v] of Object.entries(attrs)) td.setAttribute(k, v);
  return td;
}
