// SPDX-License-Identifier: GPL-2.0-or-later
// The day's bookings (GET /api/bookings): time, site, language, topic and
// state; the code only where the switchboard gives it (admins and staff, who
// check visitors in; never advisers). Nothing else about visitors exists.
// Used by the adviser console's "Today's bookings" panel and the
// administrator's page.

import { getJson } from './page.js';
import { languageName, t } from './i18n.js';
import { topicTitle } from './words.js';

const STATES = new Set(['booked', 'checked_in', 'no_show', 'cancelled']); // booking.state.*
const STATE_TAGS = { booked: 'tag-booked', checked_in: 'tag-ok', no_show: 'tag-bad', cancelled: 'tag-wait' };

const topicWords = (id) => (id ? topicTitle(id) : t('booking.any-topic'));
const languageWords = (code) => (code ? languageName(code) : t('booking.any-language'));

function span(cls, text, testid) {
  const s = document.createElement('span');
  s.className = cls;
  s.textContent = text;
  if (testid) s.setAttribute('data-testid', testid);
  return s;
}

// A panel: ui = {list, empty, count, error, refresh?, day?} elements.
// Refreshes every `everyMs` while started.
export class BookingsPanel {
  // The panel of a page that uses the usual ids (bookings-list, -empty,
  // -count, -error, -refresh and, where there is one, -day).
  static onPage(options) {
    const $ = (id) => document.getElementById(id);
    return new BookingsPanel(
      {
        list: $('bookings-list'),
        empty: $('bookings-empty'),
        count: $('bookings-count'),
        error: $('bookings-error'),
        refresh: $('bookings-refresh'),
        day: $('bookings-day'),
      },
      options,
    );
  }

  constructor(ui, { everyMs = 60000 } = {}) {
    this.ui = ui;
    this.everyMs = everyMs;
    this.timer = null;
    this.running = false;
    ui.refresh?.addEventListener('click', () => this.refresh());
    ui.day?.addEventListener('change', () => this.refresh());
  }

  start() {
    this.running = true;
    this.refresh();
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = null;
    this.ui.list.replaceChildren();
    this.ui.count.textContent = '0';
  }

  async refresh() {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.running) return;
    const day = this.ui.day?.value;
    try {
      const r = await getJson(`/api/bookings${day ? `?day=${encodeURIComponent(day)}` : ''}`);
      if (!r.ok) this.showError(t('bookings.unavailable', { why: r.body.error ?? r.status }));
      else {
        this.showError(null);
        this.render(r.body);
      }
    } catch (err) {
      this.showError(t('error.unreachable', { why: err.message }));
    }
    if (this.running) this.timer = setTimeout(() => this.refresh(), this.everyMs);
  }

  showError(text) {
    this.ui.error.textContent = text ?? '';
    this.ui.error.hidden = !text;
  }

  render(data) {
    const list = data.bookings ?? [];
    const items = list.map((b) => {
      const li = document.createElement('li');
      li.className = 'booking';
      li.setAttribute('data-testid', 'booking-row');
      li.dataset.state = b.state;
      li.dataset.used = b.used ? 'true' : 'false';
      li.dataset.site = b.site;
      if (b.code) li.dataset.code = b.code;
      const words = STATES.has(b.state) ? t(`booking.state.${b.state}`) : b.state;
      const state = span(`tag ${STATE_TAGS[b.state] ?? ''}`, b.used ? t('booking.seen', { state: words }) : words, 'booking-state');
      if (b.used) state.title = t('booking.seen.title');
      const head = document.createElement('div');
      head.className = 'booking-head';
      head.append(span('booking-time', `${b.time}–${b.end_time}`, 'booking-time'), state);
      const meta = document.createElement('div');
      meta.className = 'booking-meta';
      meta.append(
        span('booking-site', b.site, 'booking-site'),
        span('', languageWords(b.language), 'booking-language'),
        span('', topicWords(b.topic), 'booking-topic'),
      );
      if (b.code) meta.append(span('booking-code', b.code, 'booking-code'));
      li.append(head, meta);
      return li;
    });
    this.ui.list.replaceChildren(...items);
    this.ui.count.textContent = String(list.length);
    this.ui.count.title = t('bookings.count', { n: list.length });
    this.ui.empty.hidden = list.length > 0;
  }
}
