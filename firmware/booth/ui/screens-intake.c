/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The screens before an adviser: attract, language, questions, consent,
 * self-check, waiting and nobody on duty. */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/screens.h"

#include <math.h>

static void person(BoothUi *ui, SDL_Rect tile, SDL_Color bg, SDL_Color fg)
{
	ui_round_rect(ui, tile, ui_px(ui, 16), bg);
	ui_clip(ui, &tile);
	float cx = tile.x + tile.w / 2.0f, u = MIN(tile.w, tile.h) / 10.0f;
	ui_circle(ui, cx, tile.y + tile.h * 0.40f, u * 1.9f, fg);
	ui_circle(ui, cx, tile.y + tile.h + u * 1.2f, u * 4.2f, fg);
	ui_clip(ui, NULL);
}

/* A video call in a picture: what the booth does, without words. */
static void call_picture(BoothUi *ui, SDL_Rect r)
{
	const UiTheme *t = ui_theme(ui);
	ui_round_rect(ui, r, ui_px(ui, 28), ui->high_contrast ? t->ink : ui_rgb(0x1f3b3f));
	int p = ui_px(ui, 18);
	SDL_Rect big = {r.x + p, r.y + p, r.w - 2 * p, r.h - 2 * p};
	person(ui, big, ui->high_contrast ? t->bg : ui_rgb(0xcfe6e2), ui->high_contrast ? t->ink : ui_rgb(0x0b5f63));
	SDL_Rect small = {big.x + big.w - big.w / 3 - p, big.y + big.h - big.h / 3 - p, big.w / 3, big.h / 3};
	ui_round_rect(ui, (SDL_Rect){small.x - 4, small.y - 4, small.w + 8, small.h + 8}, ui_px(ui, 18),
		      ui->high_contrast ? t->ink : ui_rgb(0x1f3b3f));
	person(ui, small, ui->high_contrast ? t->selected : ui_rgb(0xf3dfc3),
	       ui->high_contrast ? t->ink : ui_rgb(0xb8702f));
}

void ui_screen_attract(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	UiFrame f = ui_frame(ui);
	int pic_w = ui->w * 2 / 5;
	SDL_Rect pic = {ui->w - f.m - pic_w, f.m + ui_px(ui, 40), pic_w, 0};
	pic.h = MIN(pic_w * 3 / 4, ui->h - 2 * f.m - f.target - f.gap - ui_px(ui, 40));
	pic.y = (ui->h - f.target - f.gap - pic.h) / 2;

	/* the whole screen starts, the button is there for keyboards and for
	 * people who look for something to press */
	ui_add_target(ui, (SDL_Rect){0, 0, ui->w, ui->h}, TARGET_JOURNEY, EV(RELAIS_JOURNEY_EV_START), FALSE);
	call_picture(ui, pic);

	SDL_Rect col = {f.m, f.m + ui_px(ui, 30), pic.x - 2 * f.m, ui->h};
	col.y += ui_text(ui, FONT_BODY, TRUE, ui_tr(ui, "ui.brand"), col, -1, FALSE, t->primary) + f.gap;
	col.y += ui_text(ui, FONT_TITLE, TRUE, ui_tr(ui, "ui.attract.title"), col, -1, FALSE, t->ink) + f.gap;
	col.y += ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, "ui.attract.subtitle"), col, -1, FALSE, t->muted_ink);

	/* every offered language at once: the visitor may not read the default */
	GString *langs = g_string_new(NULL);
	for (char **l = ui->languages; *l; l++) {
		if (l != ui->languages)
			g_string_append(langs, "  \u00b7  ");
		g_string_append(langs, ui_tr_lang(ui, *l, "ui.attract.touch"));
	}
	SDL_Rect start = {f.m, f.footer.y - ui_px(ui, 30), pic.x - 2 * f.m, f.target + ui_px(ui, 30)};
	start.y = MIN(start.y, ui->h - f.m - start.h);
	if (ui->languages[1] == NULL) {
		ui_button(ui, start, ui_tr(ui, "ui.attract.touch"), BTN_PRIMARY, FALSE, TARGET_JOURNEY,
			  EV(RELAIS_JOURNEY_EV_START));
	} else {
		/* One button per language, each in its own words: the first touch
		 * also picks the language, and the visitor is one tap nearer to
		 * an adviser (the rest of the screen leads to the language list). */
		guint n = g_strv_length(ui->languages);
		start.w = ui->w - 2 * f.m;
		start.y = ui->h - f.m - start.h;
		int bw = (start.w - (int)(n - 1) * f.gap) / (int)n;
		for (guint i = 0; i < n; i++) {
			SDL_Rect b = {start.x + (int)i * (bw + f.gap), start.y, bw, start.h};
			ui_button(ui, b, ui_tr_lang(ui, ui->languages[i], "ui.attract.start"),
				  i == 0 ? BTN_PRIMARY : BTN_SECONDARY, FALSE, TARGET_JOURNEY,
				  EV_STR(RELAIS_JOURNEY_EV_LANGUAGE, ui->languages[i]));
		}
		SDL_Rect l = {f.m, start.y - ui_px(ui, 50), start.w, ui_px(ui, 40)};
		ui_text(ui, FONT_SMALL, FALSE, langs->str, l, -1, FALSE, t->muted_ink);
	}
	g_string_free(langs, TRUE);
	/* a visitor who booked comes back with a code: top right, above the
	 * picture, in the default language */
	const char *label = ui_tr(ui, "ui.attract.booking");
	int bw = MIN(ui_button_w(ui, &f, label), pic.w);
	ui_button(ui, (SDL_Rect){ui->w - f.m - bw, f.m, bw, f.target}, label, BTN_SECONDARY, FALSE, TARGET_JOURNEY,
		  EV(RELAIS_JOURNEY_EV_HAVE_BOOKING));
}

void ui_screen_language(BoothUi *ui)
{
	UiFrame f = ui_frame(ui);
	GString *s = g_string_new(NULL);
	for (char **l = ui->languages; *l; l++) {
		if (l != ui->languages)
			g_string_append(s, " \u00b7 ");
		g_string_append(s, ui_tr_lang(ui, *l, "ui.language.title"));
	}
	ui_title(ui, &f, NULL, s->str);
	g_string_free(s, TRUE);

	guint n = g_strv_length(ui->languages);
	int cols = MIN(n, 3u), rows = (n + cols - 1) / cols;
	int w = (ui->w - 2 * f.m - (cols - 1) * f.gap) / cols;
	w = MIN(w, ui_px(ui, 360));
	int h = MAX(f.target, ui_px(ui, 120));
	int total_w = cols * w + (cols - 1) * f.gap;
	int y0 = f.top + (f.footer.y - f.top - rows * h - (rows - 1) * f.gap) / 2;
	for (guint i = 0; i < n; i++) {
		SDL_Rect r = {(ui->w - total_w) / 2 + (int)(i % cols) * (w + f.gap), y0 + (int)(i / cols) * (h + f.gap),
			      w, h};
		g_autofree char *key = g_strdup_printf("lang.%s", ui->languages[i]);
		ui_button(ui, r, ui_tr_lang(ui, ui->languages[i], key), BTN_CHOICE, FALSE, TARGET_JOURNEY,
			  EV_STR(RELAIS_JOURNEY_EV_LANGUAGE, ui->languages[i]));
	}
	ui_footer(ui, &f, TRUE, NULL, EV(RELAIS_JOURNEY_N_EVENTS), BTN_SECONDARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_BACK);
}

void ui_screen_question(BoothUi *ui)
{
	UiFrame f = ui_frame(ui);
	const RelaisQuestion *q = relais_questions_get(ui->questions, ui->view.question);
	guint nq = relais_questions_count(ui->questions);
	g_autofree char *step = g_strdup_printf(ui_tr(ui, "ui.step"), ui->view.question + 1, nq);
	ui_title(ui, &f, step, ui_tr(ui, q->title));

	int cols = ui->w >= 1100 ? 3 : 2;
	if (q->n_choices <= 4)
		cols = 2;
	int rows = (q->n_choices + cols - 1) / cols;
	int avail = f.footer.y - f.gap - f.top;
	int h = MAX(f.target, MIN((avail - (rows - 1) * f.gap) / rows, ui_px(ui, 130)));
	int w = (ui->w - 2 * f.m - (cols - 1) * f.gap) / cols;
	for (guint i = 0; i < q->n_choices; i++) {
		SDL_Rect r = {f.m + (int)(i % cols) * (w + f.gap), f.top + (int)(i / cols) * (h + f.gap), w, h};
		ui_button(ui, r, ui_tr(ui, q->choices[i].label), BTN_CHOICE,
			  g_strcmp0(ui->view.answer, q->choices[i].id) == 0, TARGET_JOURNEY,
			  EV_STR(RELAIS_JOURNEY_EV_ANSWER, q->choices[i].id));
	}
	ui_footer(ui, &f, TRUE, ui_tr(ui, "ui.skip"), EV(RELAIS_JOURNEY_EV_SKIP), BTN_SECONDARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_BACK);
}

void ui_screen_consent(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	UiFrame f = ui_frame(ui);
	ui_title(ui, &f, NULL, ui_tr(ui, "ui.consent.title"));
	static const char *const lines[] = {"ui.consent.body1", "ui.consent.body2", "ui.consent.body3"};
	int icon = ui_px(ui, 26);
	int y = f.top;
	for (guint i = 0; i < G_N_ELEMENTS(lines); i++) {
		SDL_Rect r = {f.m + 2 * icon + f.gap, y, ui->w - 2 * f.m - 2 * icon - f.gap, ui->h};
		int h = ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, lines[i]), r, -1, FALSE, t->ink);
		ui_icon_disc(ui, f.m + icon, y + MIN(h, ui_px(ui, 36)) / 2, icon, t->selected, "\u2713", t->primary);
		y += MAX(h, 2 * icon) + f.gap;
	}
	/* checked in with a booking: the code cannot be typed again */
	ui_footer(ui, &f, !ui->view.booked, ui_tr(ui, "ui.consent.accept"), EV(RELAIS_JOURNEY_EV_ACCEPT), BTN_PRIMARY);
	if (!ui->view.booked)
		ui->escape = EV(RELAIS_JOURNEY_EV_BACK);
}

static void mic_meter(BoothUi *ui, SDL_Rect r, double level)
{
	const UiTheme *t = ui_theme(ui);
	ui_round_rect(ui, r, r.h / 2, ui->high_contrast ? t->bg : ui_rgb(0xe4e0d6));
	ui_round_frame(ui, r, r.h / 2, t->border_px, t->border);
	int w = (int)(CLAMP(level, 0.0, 1.0) * r.w);
	if (w > r.h)
		ui_round_rect(ui, (SDL_Rect){r.x, r.y, w, r.h}, r.h / 2, t->primary);
}

void ui_screen_self_check(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	UiFrame f = ui_frame(ui);
	int vid_w = (ui->w - 2 * f.m) * 11 / 20;
	int vid_h = MIN(vid_w * 3 / 4, f.footer.y - 2 * f.gap - f.m - ui_px(ui, 60));
	vid_w = vid_h * 4 / 3;
	SDL_Rect vid = {f.m, f.m, vid_w, vid_h};
	ui_draw_video(ui, BOOTH_UI_VIDEO_LOCAL, vid, ui->view.camera_off ? ui_tr(ui, "ui.call.camera-off") : NULL);
	int bm = MAX(8, ui_px(ui, 16));
	ui_camera_badge(ui, vid.x + bm, vid.y + bm);
	SDL_Rect meter = {f.m, vid.y + vid.h + f.gap, vid_w, ui_px(ui, 22)};
	mic_meter(ui, meter, ui->view.mic_level);

	int x = vid.x + vid.w + 2 * f.gap, w = ui->w - f.m - x;
	SDL_Rect col = {x, f.m, w, ui->h};
	col.y += ui_text(ui, FONT_TITLE, TRUE, ui_tr(ui, "ui.selfcheck.title"), col, -1, FALSE, t->ink) + f.gap;
	col.y += ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, "ui.selfcheck.hint"), col, -1, FALSE, t->muted_ink) + f.gap;
	col.y += ui_text(ui, FONT_SMALL, FALSE, ui_tr(ui, "ui.selfcheck.mic"), col, -1, FALSE, t->muted_ink) + f.gap;
	SDL_Rect ready = {x, MAX(col.y, f.footer.y - 2 * f.gap - 2 * f.target), w, f.target + ui_px(ui, 10)};
	ui_button(ui, ready, ui_tr(ui, "ui.selfcheck.ready"), BTN_PRIMARY, FALSE, TARGET_JOURNEY,
		  EV(RELAIS_JOURNEY_EV_READY));
	ui_footer(ui, &f, TRUE, ui_tr(ui, "ui.selfcheck.notnow"), EV(RELAIS_JOURNEY_EV_NOT_NOW), BTN_SECONDARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_BACK);
}

void ui_screen_waiting(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	UiFrame f = ui_frame(ui);
	ui_title(ui, &f, NULL, ui_tr(ui, "ui.waiting.title"));
	int avail = f.footer.y - f.gap - f.top;
	int r = MIN(avail / 2, ui_px(ui, 150));
	int cx = f.m + r + ui_px(ui, 20), cy = f.top + avail / 2;
	ui_ring(ui, cx, cy, r, t->primary, t->surface);
	/* calm motion: a bead goes round the ring every few seconds, so that
	 * the visitor sees the booth is at work (the only animated screen) */
	double turn = (ui_now_us(ui) % (6 * G_USEC_PER_SEC)) / (6.0 * G_USEC_PER_SEC);
	double a = 2 * G_PI * turn - G_PI / 2;
	float band = MAX(4, r / 10), mid = r - band / 2.0f;
	float bx = cx + mid * (float)cos(a), by = cy + mid * (float)sin(a);
	ui_circle(ui, bx, by, band * 1.25f, t->primary);
	ui_circle(ui, bx, by, band * 0.55f, t->on_primary);
	SDL_Rect c = {cx - r, cy - r, 2 * r, 2 * r};
	if (ui->view.queue_position > 0) {
		g_autofree char *n = g_strdup_printf("%d", ui->view.queue_position);
		ui_text(ui, FONT_HUGE, TRUE, n, c, 0, TRUE, t->primary);
	} else {
		for (int i = -1; i <= 1; i++)
			ui_circle(ui, cx + i * r / 3, cy, MAX(4, r / 10), t->primary);
	}
	/* position and estimate, centred beside the circle */
	int x = cx + r + 2 * f.gap, w = ui->w - f.m - x;
	g_autofree char *line1 = ui->view.queue_position > 0
					 ? g_strdup_printf(ui_tr(ui, "ui.waiting.position"), ui->view.queue_position)
					 : g_strdup(ui_tr(ui, "ui.waiting.searching"));
	g_autofree char *line2 = ui->view.wait_minutes >= 0
					 ? g_strdup_printf(ui_tr(ui, "ui.waiting.wait"), MAX(1, ui->view.wait_minutes))
					 : NULL;
	int h1 = ui_text_height(ui, FONT_TITLE, FALSE, line1, w);
	int h2 = line2 ? ui_text_height(ui, FONT_BODY, TRUE, line2, w) + f.gap / 2 : 0;
	SDL_Rect col = {x, cy - (h1 + h2) / 2, w, ui->h};
	col.y += ui_text(ui, FONT_TITLE, FALSE, line1, col, -1, FALSE, t->ink) + f.gap / 2;
	if (line2)
		col.y += ui_text(ui, FONT_BODY, TRUE, line2, col, -1, FALSE, t->muted_ink);
	/* the switchboard is away: the place is kept, the booth reconnects and
	 * asks again by itself; nothing for the visitor to do */
	if (ui->view.reconnecting) {
		const char *msg = ui_tr(ui, "ui.waiting.reconnecting");
		int pad = ui_px(ui, 14);
		SDL_Rect note = {x, col.y + f.gap, w, ui_text_height(ui, FONT_SMALL, TRUE, msg, w - 2 * pad) + 2 * pad};
		ui_round_rect(ui, note, ui_px(ui, 12), t->overlay);
		SDL_Rect in = {note.x + pad, note.y + pad, note.w - 2 * pad, note.h - 2 * pad};
		ui_text(ui, FONT_SMALL, TRUE, msg, in, -1, FALSE, (SDL_Color){0xff, 0xff, 0xff, 0xff});
	}
	/* the camera is ready for the call: said where the Back button would be */
	ui_camera_badge(ui, f.footer.x, f.footer.y + (f.footer.h - ui_camera_badge_height(ui)) / 2);
	ui_footer(ui, &f, FALSE, ui_tr(ui, "ui.waiting.cancel"), EV(RELAIS_JOURNEY_EV_CANCEL), BTN_SECONDARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_CANCEL);
}

void ui_screen_no_adviser(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	UiFrame f = ui_frame(ui);
	int r = ui_px(ui, 60);
	f.top += ui_px(ui, 20);
	/* a clock */
	ui_ring(ui, ui->w / 2, f.top + r, r, t->primary, t->bg);
	SDL_SetRenderDrawColor(ui->renderer, t->primary.r, t->primary.g, t->primary.b, 255);
	for (int d = -2; d <= 2; d++) {
		SDL_RenderDrawLine(ui->renderer, ui->w / 2 + d, f.top + r, ui->w / 2 + d, f.top + r * 2 / 5);
		SDL_RenderDrawLine(ui->renderer, ui->w / 2, f.top + r + d, ui->w / 2 + r / 2, f.top + r + d);
	}
	f.top += 2 * r + f.gap;
	SDL_Rect col = {f.m, f.top, ui->w - 2 * f.m, ui->h};
	col.y += ui_text(ui, FONT_TITLE, TRUE, ui_tr(ui, "ui.noadviser.title"), col, 0, FALSE, t->ink) + f.gap;
	if (ui->view.next_opening) {
		g_autofree char *s = g_strdup_printf(ui_tr(ui, "ui.noadviser.next"), ui->view.next_opening);
		col.y += ui_text(ui, FONT_TITLE, FALSE, s, col, 0, FALSE, t->primary) + f.gap;
	}
	ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, "ui.noadviser.unknown"), col, 0, FALSE, t->muted_ink);
	if (ui->view.can_book) {
		/* the site has opening hours: a time can be booked now */
		const char *label = ui_tr(ui, "ui.noadviser.book");
		SDL_Rect r = {f.footer.x, f.footer.y, MAX(ui_button_w(ui, &f, label), ui_px(ui, 360)), f.footer.h};
		ui_button(ui, r, label, BTN_PRIMARY, FALSE, TARGET_JOURNEY, EV(RELAIS_JOURNEY_EV_BOOK));
	}
	ui_footer(ui, &f, FALSE, ui_tr(ui, "ui.ok"), EV(RELAIS_JOURNEY_EV_DONE),
		  ui->view.can_book ? BTN_SECONDARY : BTN_PRIMARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_DONE);
}
