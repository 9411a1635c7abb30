// SPDX-License-Identifier: GPL-2.0-or-later
// "Show a document" in a call: the adviser picks a PDF, PNG or JPEG, the
// console uploads it to the switchboard (POST /api/call/document, the file as
// the body), which checks it and tells the booth; both ends then turn pages
// through doc_page messages (the switchboard tells both, so they agree) and
// either may stop showing it (doc_stop). PROTOCOL.md "Showing a document".

import * as P from './protocol.js';

const TYPES = { pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg' };
const KIND_WORDS = { pdf: 'PDF', png: 'image', jpeg: 'image' };

// "10 MB", "200 KB": as the switchboard words its cap
const megabytes = (n) => (n >= 1e6 ? `${Math.ceil(n / 1e6)} MB` : `${Math.ceil(n / 1e3)} KB`);

// The media type to send: the browser's, or the one the extension names.
export function documentType(file) {
  if (Object.values(TYPES).includes(file.type)) return file.type;
  const ext = /\.([a-z0-9]+)$/i.exec(file.name ?? '')?.[1]?.toLowerCase();
  return TYPES[ext] ?? '';
}

export class DocShare {
  // ui: { panel, file, showBtn, status, prev, next, page, stop }
  // send(text) → bool, announce(text), toast(text, kind)
  constructor(ui, { send, announce, toast }) {
    this.ui = ui;
    this.send = send;
    this.announce = announce;
    this.toast = toast;
    this.call = null;
    this.doc = null; // { id, kind, pages, page, name }
    this.limits = null; // from GET /api/call/document
    this.xhr = null;
    this.pendingName = '';
    ui.showBtn.addEventListener('click', () => ui.file.click());
    ui.file.addEventListener('change', () => {
      const f = ui.file.files?.[0];
      ui.file.value = ''; // the same file may be picked again
      if (f) this.upload(f);
    });
    ui.prev.addEventListener('click', () => this.turn(-1));
    ui.next.addEventListener('click', () => this.turn(1));
    ui.stop.addEventListener('click', () => this.stop());
    this.render();
  }

  async fetchLimits() {
    try {
      const r = await fetch('/api/call/document', { credentials: 'same-origin' });
      if (r.ok) this.limits = await r.json();
    } catch {
      // the switchboard checks anyway
    }
  }

  start(callId) {
    this.reset();
    this.call = callId;
    if (!this.limits) this.fetchLimits();
    this.render();
  }

  reset() {
    this.xhr?.abort();
    this.xhr = null;
    this.call = null;
    this.doc = null;
    this.setStatus('', 'none');
    this.render();
  }

  setStatus(text, state, kind = 'info') {
    this.ui.status.textContent = text;
    this.ui.status.dataset.kind = kind;
    if (state) this.ui.panel.dataset.state = state;
  }

  render() {
    const { ui } = this;
    const d = this.doc;
    ui.panel.hidden = !this.call;
    ui.showBtn.disabled = !this.call || !!this.xhr;
    ui.showBtn.textContent = d ? 'Show another document' : 'Show a document';
    const paged = d && d.pages > 1;
    ui.prev.hidden = ui.next.hidden = ui.page.hidden = !paged;
    ui.stop.hidden = !d;
    if (d) {
      ui.page.textContent = `Page ${d.page}/${d.pages}`;
      ui.prev.disabled = d.page <= 1;
      ui.next.disabled = d.page >= d.pages;
      ui.panel.dataset.page = String(d.page);
      ui.panel.dataset.pages = String(d.pages);
      ui.panel.dataset.doc = d.id;
    } else {
      delete ui.panel.dataset.page;
      delete ui.panel.dataset.pages;
      delete ui.panel.dataset.doc;
    }
  }

  // Checks what the console can before sending anything.
  precheck(file) {
    const type = documentType(file);
    if (!type) return { error: 'Only PDF, PNG and JPEG files can be shown.' };
    if (file.size === 0) return { error: 'The file is empty.' };
    const max = this.limits?.max_bytes;
    if (max && file.size > max) return { error: `Too large: max ${megabytes(max)}.` };
    return { type };
  }

  upload(file) {
    if (!this.call) return;
    const { type, error } = this.precheck(file);
    if (error) {
      this.setStatus(`${file.name}: ${error}`, 'error', 'error');
      this.announce(error);
      return;
    }
    const call = this.call;
    const xhr = new XMLHttpRequest();
    this.xhr = xhr;
    this.pendingName = file.name;
    this.pendingShown = false; // doc_show may come before the upload's last events
    xhr.open('POST', '/api/call/document');
    xhr.setRequestHeader('Content-Type', type);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (ev) => {
      if (ev.lengthComputable && !this.pendingShown) this.setStatus(`Sending ${file.name}… ${Math.round((100 * ev.loaded) / ev.total)} %`, 'uploading');
    };
    xhr.onload = () => {
      this.xhr = null;
      if (this.call !== call) return;
      if (xhr.status === 200) {
        // doc_show (on the link) says when the booth has it; the reply may
        // come first, or after doc_show and even a doc_error: then the link
        // has said more than the reply
        if (this.announcedDoc !== xhr.response?.doc)
          this.setStatus(`${file.name}: sent, the booth is opening it…`, 'sent');
      } else {
        const why = xhr.response?.error ?? `the switchboard answered ${xhr.status}`;
        this.setStatus(`${file.name}: ${why}`, 'error', 'error');
        this.announce(`Document not shown: ${why}`);
      }
      this.render();
    };
    xhr.onerror = () => {
      this.xhr = null;
      if (this.call !== call) return;
      this.setStatus(`${file.name}: the switchboard could not be reached.`, 'error', 'error');
      this.render();
    };
    this.setStatus(`Sending ${file.name}…`, 'uploading');
    xhr.send(file);
    this.render();
  }

  turn(delta) {
    const d = this.doc;
    if (!d || !this.call) return;
    const page = Math.min(d.pages, Math.max(1, d.page + delta));
    if (page === d.page) return;
    let frame;
    try {
      frame = P.docPage(this.call, d.id, page);
    } catch (err) {
      this.toast(`Page not turned: ${err.message}`, 'error');
      return;
    }
    if (!this.send(frame)) this.toast('Page not turned: not connected.', 'error');
    // the switchboard's doc_page moves both ends, this console included
  }

  stop() {
    const d = this.doc;
    if (!d || !this.call) return;
    this.send(P.docStop(this.call, d.id));
    this.doc = null;
    this.setStatus('You stopped showing the document.', 'none');
    this.announce('Document no longer shown.');
    this.render();
  }

  // The switchboard refused one of our doc_page / doc_stop.
  onError(msg) {
    if (msg.code === 'gone' || msg.code === 'state') {
      this.doc = null;
      this.setStatus('The document is no longer shown on the booth.', 'none');
    } else {
      this.setStatus(`Page not turned: ${msg.message ?? msg.code}`, null, 'error');
    }
    this.render();
  }

  // doc_show, doc_page, doc_stop, doc_error from the switchboard.
  handle(msg) {
    if (msg.call !== this.call) return;
    switch (msg.type) {
      case 'doc_show':
        this.doc = { id: msg.doc, kind: msg.kind, pages: msg.pages, page: msg.page, name: this.pendingName };
        this.announcedDoc = msg.doc;
        this.pendingShown = true;
        this.setStatus(`Showing ${this.doc.name || `the ${KIND_WORDS[msg.kind]}`} on the booth.`, 'shown');
        this.announce(`Document shown on the booth${msg.pages > 1 ? `, page ${msg.page} of ${msg.pages}` : ''}.`);
        break;
      case 'doc_page':
        if (this.doc?.id !== msg.doc) return;
        this.doc.page = msg.page;
        this.announce(`Page ${msg.page} of ${this.doc.pages}.`);
        break;
      case 'doc_stop':
        if (this.doc?.id !== msg.doc) return;
        this.doc = null;
        this.setStatus(msg.by === 'booth' ? 'The visitor closed the document.' : 'The document is no longer shown.', 'none');
        this.announce('The visitor closed the document.');
        break;
      case 'doc_error':
        if (this.doc?.id !== msg.doc) return;
        this.doc = null;
        this.setStatus(`The booth could not show the document: ${msg.message}`, 'error', 'error');
        this.announce('The booth could not show the document.');
        break;
    }
    this.render();
  }
}
