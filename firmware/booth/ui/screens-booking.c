/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bookings: the free slots, the chosen one, the booking's code (large, with
 * a QR code, and a second one holding the appointment as a calendar event)
 * and checking in with a code. */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/screens.h"
#include "booking.h"
#include "ical.h"
#include "qr.h"

#include <string.h>

/* The refusal's reason in plain words ("ui.booking.error.<reason>", with
 * ".at" and the retry text when there is one); NULL if none. */
static char *booking_error_text(BoothUi *ui)
{
	const char *reason = ui->view.booking_error;
	if (reason == NULL)
		return NULL;
	g_autofree char *id = g_strdup_printf("ui.booking.error.%s", reason);
	if (ui->view.booking_retry) {
		g_autofree char *at = g_strconcat(id, ".at", NULL);
		const char *pattern = ui_tr(ui, at);
		if (g_strcmp0(pattern, at) != 0 && strstr(pattern, "%s"))
			return g_strdup_printf(pattern, ui->view.booking_retry);
	}
	const char *text = ui_tr(ui, id);
	return g_strdup(g_strcmp0(text, id) == 0 ? ui_tr(ui, "ui.booking.error.failed") : text);
}

/* A line in the danger colour with a mark; returns its height. */
static int error_line(BoothUi *ui, SDL_Rect r, const char *text, int align)
{
	const UiTheme *t = ui_theme(ui);
	g_autofree char *s = g_strconcat("\u26a0 ", text, NULL);
	return ui_text(ui, FONT_BODY, TRUE, s, r, align, FALSE, t->danger);
}

void ui_screen_book_slots(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	UiFrame f = ui_frame(ui);
	ui_title(ui, &f, NULL, ui_tr(ui, "ui.book.title"));
	SDL_Rect col = {f.m, f.top - f.gap / 2, ui->w - 2 * f.m, ui->h};
	col.y += ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, "ui.book.subtitle"), col, -1, FALSE, t->muted_ink) + f.gap;
	g_autofree char *err = booking_error_text(ui);
	if (err)
		col.y += error_line(ui, col, err, -1) + f.gap;
	int n = ui->view.n_slots;
	if (n < 0) {
		ui_text(ui, FONT_TITLE, FALSE, ui_tr(ui, "ui.book.loading"), col, -1, FALSE, t->primary);
	} else if (n == 0) {
		if (err == NULL)
			ui_text(ui, FONT_TITLE, FALSE, ui_tr(ui, "ui.book.none"), col, -1, FALSE, t->ink);
	} else {
		/* two columns, soonest first, read down then across */
		int cols = n > 3 ? 2 : 1, rows = (n + cols - 1) / cols;
		int w = (ui->w - 2 * f.m - (cols - 1) * f.gap) / cols;
		int avail = f.footer.y - f.gap - col.y;
		int h = MAX(f.target, MIN((avail - (rows - 1) * f.gap) / MAX(rows, 1), ui_px(ui, 110)));
		for (int i = 0; i < n; i++) {
			SDL_Rect r = {f.m + (i / rows) * (w + f.gap), col.y + (i % rows) * (h + f.gap), w, h};
			ui_button(ui, r, ui->view.slots[i], BTN_CHOICE, FALSE, TARGET_JOURNEY,
				  EV_NUM(RELAIS_JOURNEY_EV_SLOT, i));
		}
	}
	ui_footer(ui, &f, TRUE, NULL, EV(RELAIS_JOURNEY_N_EVENTS), BTN_SECONDARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_BACK);
}

void ui_screen_book_confirm(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	UiFrame f = ui_frame(ui);
	ui_title(ui, &f, NULL, ui_tr(ui, "ui.book.confirm.title"));
	int i = ui->view.slot;
	const char *when = i >= 0 && i < ui->view.n_slots ? ui->view.slots[i] : "";
	SDL_Rect col = {f.m, f.top + f.gap, ui->w - 2 * f.m, ui->h};
	SDL_Rect box = {f.m, col.y, ui->w - 2 * f.m, ui_px(ui, 130)};
	ui_round_rect(ui, box, ui_px(ui, 20), t->selected);
	ui_text(ui, FONT_TITLE, TRUE, when, box, 0, TRUE, t->ink);
	col.y += box.h + 2 * f.gap;
	col.y += ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, "ui.book.confirm.body"), col, -1, FALSE, t->muted_ink) + f.gap;
	if (ui->view.booking_pending) {
		ui_text(ui, FONT_BODY, TRUE, ui_tr(ui, "ui.book.confirm.pending"), col, -1, FALSE, t->primary);
		ui_footer(ui, &f, FALSE, NULL, EV(RELAIS_JOURNEY_N_EVENTS), BTN_SECONDARY);
		return;
	}
	ui_footer(ui, &f, TRUE, ui_tr(ui, "ui.book.confirm.yes"), EV(RELAIS_JOURNEY_EV_BOOK_CONFIRM), BTN_PRIMARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_BACK);
}

/* "7KQ2MZ" -> "7KQ 2MZ": two groups of three are read and copied best. */
static char *grouped_code(const char *code)
{
	gsize n = code ? strlen(code) : 0;
	if (n <= 3)
		return g_strdup(code ? code : "");
	return g_strdup_printf("%.3s\u2009%s", code, code + 3);
}

/* The QR code as crisp squares: whole pixels per module, dark on white
 * whatever the theme, with its quiet zone, at the top of `area` and centred
 * across it; returns the pixels per module (0: not drawn). */
static int draw_qr(BoothUi *ui, SDL_Rect area, const char *text)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisQr) qr = relais_qr_encode(text, &error);
	if (qr == NULL) {
		g_warning("QR code: %s", error->message);
		return 0;
	}
	int side = qr->width + 2 * RELAIS_QR_QUIET_ZONE;
	int px = MIN(area.w, area.h) / side;
	if (px < 1)
		return 0;
	SDL_Rect bg = {area.x + (area.w - side * px) / 2, area.y, side * px, side * px};
	SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_NONE);
	SDL_SetRenderDrawColor(ui->renderer, 0xff, 0xff, 0xff, 0xff);
	SDL_RenderFillRect(ui->renderer, &bg);
	SDL_SetRenderDrawColor(ui->renderer, 0, 0, 0, 0xff);
	int x0 = bg.x + RELAIS_QR_QUIET_ZONE * px, y0 = bg.y + RELAIS_QR_QUIET_ZONE * px;
	for (int y = 0; y < qr->width; y++) {
		/* runs of dark modules as one rectangle each */
		for (int x = 0; x < qr->width;) {
			if (!relais_qr_dark(qr, x, y)) {
				x++;
				continue;
			}
			int run = 1;
			while (x + run < qr->width && relais_qr_dark(qr, x + run, y))
				run++;
			SDL_Rect m = {x0 + x * px, y0 + y * px, run * px, px};
			SDL_RenderFillRect(ui->renderer, &m);
			x += run;
		}
	}
	return px;
}

/* The booking as an iCalendar event in the visitor's language (ical.h),
 * made here from what the screen shows and dropped with the frame: nothing
 * of it is kept or sent. NULL when the booking lacks a time. */
static char *calendar_text(BoothUi *ui)
{
	const BoothUiView *v = &ui->view;
	if (v->code == NULL || v->booking_start == NULL || v->booking_end == NULL)
		return NULL;
	g_autoptr(GDateTime) stamp = v->booking_made ? g_date_time_new_from_iso8601(v->booking_made, NULL) : NULL;
	g_autofree char *grouped = strlen(v->code) > 3 ? g_strdup_printf("%.3s %s", v->code, v->code + 3) : NULL;
	const char *pattern = ui_tr(ui, "ui.book.ical.description");
	g_autofree char *description =
		strstr(pattern, "%s") ? g_strdup_printf(pattern, grouped ? grouped : v->code) : g_strdup(pattern);
	RelaisIcalEvent ev = {.code = v->code,
			      .start = v->booking_start,
			      .end = v->booking_end,
			      .site = v->booking_site,
			      .address = v->booking_address,
			      .summary = ui_tr(ui, "ui.book.ical.summary"),
			      .description = description,
			      .stamp = stamp};
	g_autoptr(GError) error = NULL;
	char *text = relais_ical_event(&ev, &error);
	if (text == NULL)
		g_warning("calendar QR code: %s", error->message);
	return text;
}

/* A QR code under its label, in column `r`. */
static void labelled_qr(BoothUi *ui, SDL_Rect r, int label_h, const char *label, const char *text)
{
	const UiTheme *t = ui_theme(ui);
	ui_text(ui, FONT_BODY, TRUE, label, (SDL_Rect){r.x, r.y, r.w, label_h}, 0, FALSE, t->ink);
	int side = MIN(r.w, r.h - label_h);
	int px = draw_qr(ui, (SDL_Rect){r.x + (r.w - side) / 2, r.y + label_h, side, side}, text);
	static gboolean told; /* once: the screen is drawn again and again */
	if (px == 1 && !told) {
		told = TRUE;
		g_warning("the QR code '%s' has one pixel a module: phones may not read it", label);
	}
}

void ui_screen_book_code(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	UiFrame f = ui_frame(ui);
	g_autofree char *ical = calendar_text(ui);
	/* the right part holds the QR codes: the booking code's (a few
	 * modules) and the calendar event's (some hundred octets: about a
	 * hundred modules a side, so the larger square) */
	int right_w = ical ? ui->w * 11 / 20 - f.m : ui->w * 2 / 5;
	int right_h = f.footer.y - f.gap - f.m;
	SDL_Rect right = {ui->w - f.m - right_w, f.m, right_w, right_h};
	int col_w = right.x - 2 * f.m;
	UiFrame left = f;
	ui_title(ui, &left, NULL, ui_tr(ui, "ui.book.code.title"));
	SDL_Rect col = {f.m, left.top, col_w, ui->h};
	col.y += ui_text(ui, FONT_BODY, TRUE, ui_tr(ui, "ui.book.code.label"), col, -1, FALSE, t->muted_ink) +
		 ui_px(ui, 6);
	g_autofree char *grouped = grouped_code(ui->view.code);
	int code_h = ui_text_height(ui, FONT_HUGE, TRUE, grouped, col_w) + ui_px(ui, 24);
	SDL_Rect box = {f.m, col.y, col_w, code_h};
	ui_round_rect(ui, box, ui_px(ui, 20), t->surface);
	ui_round_frame(ui, box, ui_px(ui, 20), MAX(2, t->border_px), t->primary);
	ui_text(ui, FONT_HUGE, TRUE, grouped, box, 0, TRUE, t->ink);
	col.y += code_h + f.gap;
	if (ui->view.booking_when)
		col.y +=
			ui_text(ui, FONT_TITLE, TRUE, ui->view.booking_when, col, -1, FALSE, t->primary) + ui_px(ui, 6);
	if (ui->view.booking_site)
		col.y += ui_text(ui, FONT_BODY, FALSE, ui->view.booking_site, col, -1, FALSE, t->ink) +
			 (ui->view.booking_address ? ui_px(ui, 2) : f.gap);
	if (ui->view.booking_address)
		col.y += ui_text(ui, FONT_BODY, FALSE, ui->view.booking_address, col, -1, FALSE, t->muted_ink) + f.gap;
	ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, "ui.book.code.hint"), col, -1, FALSE, t->muted_ink);

	g_autofree char *text = relais_qr_booking_text(ui->view.code, ui->view.booking_start);
	if (ical == NULL) {
		int side = MIN(right.w, right.h);
		draw_qr(ui, (SDL_Rect){right.x + right.w - side, right.y, side, side}, text);
	} else {
		const char *code_label = ui_tr(ui, "ui.book.code.qr_code");
		const char *cal_label = ui_tr(ui, "ui.book.code.qr_calendar");
		/* a quarter for the code's, or its label's width (on one line) */
		int code_w = MAX((right.w - f.gap) / 4, ui_text_width(ui, FONT_BODY, TRUE, code_label) + ui_px(ui, 8));
		code_w = MIN(code_w, (right.w - f.gap) / 2);
		int cal_w = right.w - f.gap - code_w;
		int label_h = MAX(ui_text_height(ui, FONT_BODY, TRUE, code_label, code_w),
				  ui_text_height(ui, FONT_BODY, TRUE, cal_label, cal_w)) +
			      ui_px(ui, 4);
		labelled_qr(ui, (SDL_Rect){right.x, right.y, code_w, right.h}, label_h, code_label, text);
		labelled_qr(ui, (SDL_Rect){right.x + code_w + f.gap, right.y, cal_w, right.h}, label_h, cal_label,
			    ical);
	}
	ui_footer(ui, &f, FALSE, ui_tr(ui, "ui.book.code.done"), EV(RELAIS_JOURNEY_EV_DONE), BTN_PRIMARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_DONE);
}

/* One-character strings for the keys' events (they must outlive the frame). */
static const char *const code_keys[] = {"2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F", "G", "H",
					"J", "K", "L", "M", "N", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z"};

G_STATIC_ASSERT(G_N_ELEMENTS(code_keys) == sizeof(RELAIS_BOOKING_ALPHABET) - 1);

/* The code typed so far: six boxes in two groups of three. */
static int code_boxes(BoothUi *ui, int y)
{
	const UiTheme *t = ui_theme(ui);
	int bw = ui_px(ui, 108), bh = ui_px(ui, 124), gap = ui_px(ui, 12), group = ui_px(ui, 44);
	int total = RELAIS_BOOKING_CODE_LEN * bw + (RELAIS_BOOKING_CODE_LEN - 2) * gap + group;
	int x = (ui->w - total) / 2;
	const char *code = ui->view.code ? ui->view.code : "";
	gsize n = strlen(code);
	for (int i = 0; i < RELAIS_BOOKING_CODE_LEN; i++) {
		SDL_Rect r = {x, y, bw, bh};
		gboolean next = (gsize)i == n && !ui->view.booking_pending;
		ui_round_rect(ui, r, ui_px(ui, 12), t->surface);
		ui_round_frame(ui, r, ui_px(ui, 12), next ? MAX(3, t->border_px * 2) : MAX(1, t->border_px),
			       next ? t->primary : t->border);
		if ((gsize)i < n) {
			char c[2] = {code[i], 0};
			ui_text(ui, FONT_HUGE, TRUE, c, r, 0, TRUE, t->ink);
		}
		x += bw + (i == 2 ? group : gap);
	}
	return bh;
}

void ui_screen_check_in(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	UiFrame f = ui_frame(ui);
	/* the other languages, top right, each in its own words: the visitor
	 * came from attract in the default one */
	int lx = ui->w - f.m;
	if (!ui->view.booking_pending)
		for (guint i = g_strv_length(ui->languages); i-- > 0;) {
			const char *l = ui->languages[i];
			if (g_strcmp0(l, ui->language) == 0)
				continue;
			g_autofree char *key = g_strdup_printf("lang.%s", l);
			const char *label = ui_tr_lang(ui, l, key);
			int w = ui_button_w(ui, &f, label);
			lx -= w;
			ui_button(ui, (SDL_Rect){lx, f.m, w, f.target}, label, BTN_QUIET, FALSE, TARGET_JOURNEY,
				  EV_STR(RELAIS_JOURNEY_EV_LANGUAGE, l));
			lx -= f.gap;
		}
	ui_title(ui, &f, NULL, ui_tr(ui, "ui.checkin.title"));
	int y = f.top - f.gap / 2;
	y += code_boxes(ui, y) + f.gap / 2;
	SDL_Rect msg = {f.m, y, ui->w - 2 * f.m, ui_px(ui, 40)};
	g_autofree char *err = booking_error_text(ui);
	if (err)
		error_line(ui, msg, err, 0);
	else
		ui_text(ui, FONT_BODY, FALSE,
			ui_tr(ui, ui->view.booking_pending ? "ui.checkin.pending" : "ui.checkin.hint"), msg, 0, FALSE,
			ui->view.booking_pending ? t->primary : t->muted_ink);
	y += msg.h + f.gap / 2;

	/* the keypad: the booking alphabet only, Delete last; 11 keys a row
	 * where they fit at full size, else as many as fit, in pages (a key
	 * shows the next page) */
	int gap = MAX(4, ui_px(ui, 10));
	int min = ui_target_px(ui);
	int avail_w = ui->w - 2 * f.m, avail_h = f.footer.y - f.gap - y;
	int cols = MIN(11, (avail_w + gap) / (min + gap));
	int rows = MAX(1, MIN(3, (avail_h + gap) / (min + gap)));
	int n_keys = G_N_ELEMENTS(code_keys);
	/* cells: keys, Delete (two wide) and, when paged, the page key */
	gboolean paged = rows < 3 || (avail_w - 11 * gap) / 12 < min;
	int per_page = paged ? rows * cols - 3 : n_keys;
	int pages = (n_keys + per_page - 1) / per_page;
	int page = ui->code_page % pages;
	ui->code_page = page;
	int unit = MAX(min, MIN((avail_w - (cols - 1) * gap) / cols, ui_px(ui, 100)));
	int key_h = MAX(min, MIN((avail_h - (rows - 1) * gap) / rows, ui_px(ui, 96)));
	if (!paged) {
		/* 11 a row, the last row 10 and a double Delete: one unit more */
		unit = MAX(min, MIN((avail_w - 11 * gap) / 12, ui_px(ui, 100)));
		cols = 11;
	}
	gboolean live = !ui->view.booking_pending;
	int first = page * per_page, last = MIN(n_keys, first + per_page);
	int cell = 0;
	int row_w = cols * unit + (cols - 1) * gap;
	int x0 = (ui->w - row_w) / 2;
	for (int k = first; k < last; k++, cell++) {
		int row = cell / cols, c = cell % cols;
		if (!paged && row == 2)
			x0 = (ui->w - (12 * unit + 11 * gap)) / 2;
		SDL_Rect r = {x0 + c * (unit + gap), y + row * (key_h + gap), unit, key_h};
		if (live)
			ui_button(ui, r, code_keys[k], BTN_SECONDARY, FALSE, TARGET_JOURNEY,
				  EV_STR(RELAIS_JOURNEY_EV_CODE_CHAR, code_keys[k]));
	}
	int row = cell / cols, c = cell % cols;
	if (!paged) {
		row = 2; /* after Z, on the row of twelve units */
		c = 10;
	} else if (c + 2 > cols) {
		row++;
		c = 0;
	}
	if (live)
		ui_button(ui, (SDL_Rect){x0 + c * (unit + gap), y + row * (key_h + gap), 2 * unit + gap, key_h},
			  ui_tr(ui, "ui.checkin.delete"), BTN_QUIET, FALSE, TARGET_JOURNEY,
			  EV(RELAIS_JOURNEY_EV_CODE_DELETE));
	if (paged && live) {
		c += 2;
		if (c >= cols) {
			row++;
			c = 0;
		}
		SDL_Rect r = {x0 + c * (unit + gap), y + row * (key_h + gap), unit, key_h};
		g_autofree char *label = g_strdup_printf("%s\u2026", code_keys[(last % n_keys)]);
		ui_button(ui, r, label, BTN_QUIET, FALSE, TARGET_CODE_PAGE, EV(RELAIS_JOURNEY_N_EVENTS));
	}
	gboolean complete = ui->view.code && strlen(ui->view.code) == RELAIS_BOOKING_CODE_LEN;
	ui_footer(ui, &f, live, complete && live ? ui_tr(ui, "ui.checkin.go") : NULL, EV(RELAIS_JOURNEY_EV_CHECK_IN),
		  BTN_PRIMARY);
	if (live)
		ui->escape = EV(RELAIS_JOURNEY_EV_BACK);
}
