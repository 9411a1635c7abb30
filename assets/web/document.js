// SPDX-License-Identifier: GPL-2.0-or-later
// "Show a document" in a call: the adviser picks a PDF, PNG or JPEG, the
// console uploads it to the switchboard (POST /api/call/document, the file as
// the body), which checks it and tells the booth; both ends then turn pages
// through doc_page messages (the switchboard tells both, so they agree) and
// either may stop showing it (doc_stop). PROTOCOL.md "Showing a document".

import * as P from './protocol.js';
import { errorText, formatNumber, t } from './i18n.js';

const TYPES = { pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg' };
const KINDS = { pdf: 'pdf', png: 'image', jpeg: 'image' }; // doc.kind.*

// "10 MB", "200 KB": as the switchboard words its cap
const megabytes = (n) => (n >= 1e6 ? t('unit.mb', { n: Math.ceil(n / 1e6) }) : t('unit.kb', { n: Math.ceil(n / 1e3) }));

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
    ui.showBtn.textContent = t(d ? 'doc.show-another' : 'doc.show');
    const paged = d && d.pages > 1;
    ui.prev.hidden = ui.next.hidden = ui.page.hidden = !paged;
    ui.stop.hidden = !d;
    if (d) {
      ui.page.textContent = t('doc.page', { page: d.page, pages: d.pages });
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
    if (!type) return { error: t('doc.bad-type') };
    if (file.size === 0) return { error: t('doc.empty') };
    const max = this.limits?.max_bytes;
    if (max && file.size > max) return { error: t('doc.too-large', { max: megabytes(max) }) };
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
      if (ev.lengthComputable && !this.pendingShown) this.setStatus(t('doc.sending.pct', { name: file.name, pct: formatNumber(ev.loaded / ev.total, { style: 'percent' }) }), 'uploading');
    };
    xhr.onload = () => {
      this.xhr = null;
      if (this.call !== call) return;
      if (xhr.status === 200) {
        // doc_show (on the link) says when the booth has it; the reply may
        // come first, or after doc_show and even a doc_error: then the link
        // has said more than the reply
        if (this.announcedDoc !== xhr.response?.doc)
          this.setStatus(t('doc.sent', { name: file.name }), 'sent');
      } else {
        const why = xhr.response?.error ?? t('error.http', { status: String(xhr.status) });
        this.setStatus(t('doc.failed', { name: file.name, why }), 'error', 'error');
        this.announce(t('doc.not-shown', { why }));
      }
      this.render();
    };
    xhr.onerror = () => {
      this.xhr = null;
      if (this.call !== call) return;
      this.setStatus(t('doc.unreachable', { name: file.name }), 'error', 'error');
      this.render();
    };
    this.setStatus(t('doc.sending', { name: file.name }), 'uploading');
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
      this.toast(t('doc.not-turned', { why: err.message }), 'error');
      return;
    }
    if (!this.send(frame)) this.toast(t('doc.not-turned', { why: t('chat.offline') }), 'error');
    // the switchboard's doc_page moves both ends, this console included
  }

  stop() {
    const d = this.doc;
    if (!d || !this.call) return;
    this.send(P.docStop(this.call, d.id));
    this.doc = null;
    this.setStatus(t('doc.stopped'), 'none');
    this.announce(t('doc.stopped.announce'));
    this.render();
  }

  // The switchboard refused one of our doc_page / doc_stop.
  onError(msg) {
    if (msg.code === 'gone' || msg.code === 'state') {
      this.doc = null;
      this.setStatus(t('doc.gone'), 'none');
    } else {
      this.setStatus(t('doc.not-turned', { why: errorText(msg) }), null, 'error');
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
        this.setStatus(t('doc.showing', { name: this.doc.name || t(`doc.kind.${KINDS[msg.kind] ?? 'image'}`) }), 'shown');
        this.announce(msg.pages > 1 ? t('doc.shown.pages', { page: msg.page, pages: msg.pages }) : t('doc.shown'));
        break;
      case 'doc_page':
        if (this.doc?.id !== msg.doc) return;
        this.doc.page = msg.page;
        this.announce(t('doc.page.announce', { page: msg.page, pages: this.doc.pages }));
        break;
      case 'doc_stop':
        if (this.doc?.id !== msg.doc) return;
        this.doc = null;
        this.setStatus(t(msg.by === 'booth' ? 'doc.closed' : 'doc.gone.short'), 'none');
        this.announce(t('doc.closed'));
        break;
      case 'doc_error':
        if (this.doc?.id !== msg.doc) return;
        this.doc = null;
        this.setStatus(t('doc.booth-failed', { why: msg.message }), 'error', 'error');
        this.announce(t('doc.booth-failed.announce'));
        break;
    }
    this.render();
  }
}
