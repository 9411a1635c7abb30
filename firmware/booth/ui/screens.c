/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One function per journey screen. They only draw the view and register
 * touch targets; what a target does is a journey event. */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/ui-private.h"
#include "booking.h"
#include "qr.h"

#include <math.h>
#include <string.h>

#define EV(t)	     ((RelaisJourneyEvent){.type = (t)})
#define EV_STR(t, s) ((RelaisJourneyEvent){.type = (t), .str = (s)})
#define EV_NUM(t, n) ((RelaisJourneyEvent){.type = (t), .num = (n)})

typedef struct {
	int m; /* outer margin */
	int gap;
	int target;	 /* smallest touch target */
	SDL_Rect footer; /* bottom row */
	int top;	 /* first free y under the title */
} Frame;

static int margin(BoothUi *ui)
{
	return MAX(12, ui_px(ui, 36));
}

static Frame frame(BoothUi *ui)
{
	Frame f;
	f.m = margin(ui);
	f.gap = MAX(8, ui_px(ui, 18));
	f.target = MAX(ui_target_px(ui), ui_px(ui, 84));
	f.footer = (SDL_Rect){f.m, ui->h - f.m - f.target, ui->w - 2 * f.m, f.target};
	f.top = f.m;
	return f;
}

/* Step label (nullable) and title, left-aligned at the top. */
static void title(BoothUi *ui, Frame *f, const char *step, const char *text)
{
	const UiTheme *t = ui_theme(ui);
	SDL_Rect r = {f->m, f->top, ui->w - 2 * f->m, ui->h};
	if (step) {
		int h = ui_text(ui, FONT_SMALL, TRUE, step, r, -1, FALSE, t->primary);
		r.y += h + ui_px(ui, 6);
	}
	r.y += ui_text(ui, FONT_TITLE, TRUE, text, r, -1, FALSE, t->ink);
	f->top = r.y + f->gap;
}

/* The accessibility toggles, bottom right on every visitor screen: square
 * buttons at the minimum target size, drawn last so that they come last in
 * the keyboard order. */
static int toggles_x(BoothUi *ui, const Frame *f)
{
	return f->footer.x + f->footer.w - 2 * f->footer.h - f->gap;
}

static void a11y_toggles(BoothUi *ui, const Frame *f)
{
	int s = f->footer.h;
	SDL_Rect larger = {toggles_x(ui, f), f->footer.y, s, s};
	SDL_Rect contrast = {larger.x + s + f->gap, f->footer.y, s, s};
	ui_button(ui, larger, "A+", BTN_QUIET, ui->large_text, TARGET_LARGE_TEXT, EV(RELAIS_JOURNEY_N_EVENTS));
	ui_button(ui, contrast, "\u25d0", BTN_QUIET, ui->high_contrast, TARGET_CONTRAST, EV(RELAIS_JOURNEY_N_EVENTS));
}

static int button_w(BoothUi *ui, const Frame *f, const char *label)
{
	int w = ui_text_width(ui, FONT_BUTTON, TRUE, label);
	return CLAMP(w + 2 * ui_px(ui, 40), f->target, ui->w / 2);
}

static void footer(BoothUi *ui, const Frame *f, gboolean back, const char *right_label, RelaisJourneyEvent right_ev,
		   UiButtonStyle right_style)
{
	int right_edge = toggles_x(ui, f) - f->gap;
	if (back) {
		const char *label = ui_tr(ui, "ui.back");
		SDL_Rect r = {f->footer.x, f->footer.y, button_w(ui, f, label), f->footer.h};
		ui_button(ui, r, label, BTN_SECONDARY, FALSE, TARGET_JOURNEY, EV(RELAIS_JOURNEY_EV_BACK));
	}
	if (right_label) {
		int w = button_w(ui, f, right_label);
		SDL_Rect r = {right_edge - w, f->footer.y, w, f->footer.h};
		ui_button(ui, r, right_label, right_style, FALSE, TARGET_JOURNEY, right_ev);
	}
	a11y_toggles(ui, f);
}

/* --- pictures (drawn, so that they follow the theme and need no files) ---- */

static SDL_Color rgb(guint32 hex)
{
	return (SDL_Color){(hex >> 16) & 0xff, (hex >> 8) & 0xff, hex & 0xff, 0xff};
}

static void person(BoothUi *ui, SDL_Rect tile, SDL_Color bg, SDL_Color fg)
{
	ui_round_rect(ui, tile, ui_px(ui, 16), bg);
	SDL_RenderSetClipRect(ui->renderer, &tile);
	float cx = tile.x + tile.w / 2.0f, u = MIN(tile.w, tile.h) / 10.0f;
	ui_circle(ui, cx, tile.y + tile.h * 0.40f, u * 1.9f, fg);
	ui_circle(ui, cx, tile.y + tile.h + u * 1.2f, u * 4.2f, fg);
	SDL_RenderSetClipRect(ui->renderer, NULL);
}

/* A video call in a picture: what the booth does, without words. */
static void call_picture(BoothUi *ui, SDL_Rect r)
{
	const UiTheme *t = ui_theme(ui);
	ui_round_rect(ui, r, ui_px(ui, 28), ui->high_contrast ? t->ink : rgb(0x1f3b3f));
	int p = ui_px(ui, 18);
	SDL_Rect big = {r.x + p, r.y + p, r.w - 2 * p, r.h - 2 * p};
	person(ui, big, ui->high_contrast ? t->bg : rgb(0xcfe6e2), ui->high_contrast ? t->ink : rgb(0x0b5f63));
	SDL_Rect small = {big.x + big.w - big.w / 3 - p, big.y + big.h - big.h / 3 - p, big.w / 3, big.h / 3};
	ui_round_rect(ui, (SDL_Rect){small.x - 4, small.y - 4, small.w + 8, small.h + 8}, ui_px(ui, 18),
		      ui->high_contrast ? t->ink : rgb(0x1f3b3f));
	person(ui, small, ui->high_contrast ? t->selected : rgb(0xf3dfc3), ui->high_contrast ? t->ink : rgb(0xb8702f));
}

static void icon_disc(BoothUi *ui, int cx, int cy, int radius, SDL_Color bg, const char *glyph, SDL_Color fg)
{
	ui_circle(ui, cx, cy, radius, bg);
	SDL_Rect r = {cx - radius, cy - radius, 2 * radius, 2 * radius};
	ui_text(ui, FONT_TITLE, TRUE, glyph, r, 0, TRUE, fg);
}

/* Faces for the one-tap rating: a mouth curving from sad to happy. */
static void face(BoothUi *ui, float cx, float cy, float r, int score)
{
	static const guint32 tint[5] = {0xf2b8a2, 0xf5cfa0, 0xf3e2a0, 0xc9e4b4, 0xa9dcc0};
	const UiTheme *t = ui_theme(ui);
	SDL_Color ink = t->ink;
	ui_circle(ui, cx, cy, r, ui->high_contrast ? t->bg : rgb(tint[score - 1]));
	if (ui->high_contrast) {
		/* ring: a circle of ink minus a slightly smaller one */
		ui_circle(ui, cx, cy, r, ink);
		ui_circle(ui, cx, cy, r - MAX(3, r / 12), t->bg);
	}
	ui_circle(ui, cx - r * 0.35f, cy - r * 0.22f, r * 0.10f, ink);
	ui_circle(ui, cx + r * 0.35f, cy - r * 0.22f, r * 0.10f, ink);
	float curve = (score - 3) * 0.16f; /* + smile, - frown */
	float thick = MAX(2.0f, r * 0.07f);
	for (int i = 0; i <= 24; i++) {
		float x = -0.42f + 0.84f * i / 24.0f;
		float y = curve * (1.0f - (x / 0.42f) * (x / 0.42f));
		ui_circle(ui, cx + x * r, cy + r * 0.38f + y * r, thick, ink);
	}
}

static int camera_badge(BoothUi *ui, int x, int y);
static int camera_badge_height(BoothUi *ui);

/* --- screens ------------------------------------------------------------- */

static void draw_attract(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	Frame f = frame(ui);
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
	int bw = MIN(button_w(ui, &f, label), pic.w);
	ui_button(ui, (SDL_Rect){ui->w - f.m - bw, f.m, bw, f.target}, label, BTN_SECONDARY, FALSE, TARGET_JOURNEY,
		  EV(RELAIS_JOURNEY_EV_HAVE_BOOKING));
}

static void draw_language(BoothUi *ui)
{
	Frame f = frame(ui);
	GString *s = g_string_new(NULL);
	for (char **l = ui->languages; *l; l++) {
		if (l != ui->languages)
			g_string_append(s, " \u00b7 ");
		g_string_append(s, ui_tr_lang(ui, *l, "ui.language.title"));
	}
	title(ui, &f, NULL, s->str);
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
	footer(ui, &f, TRUE, NULL, EV(RELAIS_JOURNEY_N_EVENTS), BTN_SECONDARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_BACK);
}

static void draw_question(BoothUi *ui)
{
	Frame f = frame(ui);
	const RelaisQuestion *q = relais_questions_get(ui->questions, ui->view.question);
	guint nq = relais_questions_count(ui->questions);
	g_autofree char *step = g_strdup_printf(ui_tr(ui, "ui.step"), ui->view.question + 1, nq);
	title(ui, &f, step, ui_tr(ui, q->title));

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
	footer(ui, &f, TRUE, ui_tr(ui, "ui.skip"), EV(RELAIS_JOURNEY_EV_SKIP), BTN_SECONDARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_BACK);
}

static void draw_consent(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	Frame f = frame(ui);
	title(ui, &f, NULL, ui_tr(ui, "ui.consent.title"));
	static const char *const lines[] = {"ui.consent.body1", "ui.consent.body2", "ui.consent.body3"};
	int icon = ui_px(ui, 26);
	int y = f.top;
	for (guint i = 0; i < G_N_ELEMENTS(lines); i++) {
		SDL_Rect r = {f.m + 2 * icon + f.gap, y, ui->w - 2 * f.m - 2 * icon - f.gap, ui->h};
		int h = ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, lines[i]), r, -1, FALSE, t->ink);
		icon_disc(ui, f.m + icon, y + MIN(h, ui_px(ui, 36)) / 2, icon, t->selected, "\u2713", t->primary);
		y += MAX(h, 2 * icon) + f.gap;
	}
	/* checked in with a booking: the code cannot be typed again */
	footer(ui, &f, !ui->view.booked, ui_tr(ui, "ui.consent.accept"), EV(RELAIS_JOURNEY_EV_ACCEPT), BTN_PRIMARY);
	if (!ui->view.booked)
		ui->escape = EV(RELAIS_JOURNEY_EV_BACK);
}

static void mic_meter(BoothUi *ui, SDL_Rect r, double level)
{
	const UiTheme *t = ui_theme(ui);
	ui_round_rect(ui, r, r.h / 2, ui->high_contrast ? t->bg : rgb(0xe4e0d6));
	ui_round_frame(ui, r, r.h / 2, t->border_px, t->border);
	int w = (int)(CLAMP(level, 0.0, 1.0) * r.w);
	if (w > r.h)
		ui_round_rect(ui, (SDL_Rect){r.x, r.y, w, r.h}, r.h / 2, t->primary);
}

static void draw_self_check(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	Frame f = frame(ui);
	int vid_w = (ui->w - 2 * f.m) * 11 / 20;
	int vid_h = MIN(vid_w * 3 / 4, f.footer.y - 2 * f.gap - f.m - ui_px(ui, 60));
	vid_w = vid_h * 4 / 3;
	SDL_Rect vid = {f.m, f.m, vid_w, vid_h};
	ui_draw_video(ui, BOOTH_UI_VIDEO_LOCAL, vid, ui->view.camera_off ? ui_tr(ui, "ui.call.camera-off") : NULL);
	int bm = MAX(8, ui_px(ui, 16));
	camera_badge(ui, vid.x + bm, vid.y + bm);
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
	footer(ui, &f, TRUE, ui_tr(ui, "ui.selfcheck.notnow"), EV(RELAIS_JOURNEY_EV_NOT_NOW), BTN_SECONDARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_BACK);
}

static void ring(BoothUi *ui, int cx, int cy, int r, SDL_Color c, SDL_Color inside)
{
	ui_circle(ui, cx, cy, r, c);
	ui_circle(ui, cx, cy, r - MAX(4, r / 10), inside);
}

static void draw_waiting(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	Frame f = frame(ui);
	title(ui, &f, NULL, ui_tr(ui, "ui.waiting.title"));
	int avail = f.footer.y - f.gap - f.top;
	int r = MIN(avail / 2, ui_px(ui, 150));
	int cx = f.m + r + ui_px(ui, 20), cy = f.top + avail / 2;
	ring(ui, cx, cy, r, t->primary, t->surface);
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
	camera_badge(ui, f.footer.x, f.footer.y + (f.footer.h - camera_badge_height(ui)) / 2);
	footer(ui, &f, FALSE, ui_tr(ui, "ui.waiting.cancel"), EV(RELAIS_JOURNEY_EV_CANCEL), BTN_SECONDARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_CANCEL);
}

static void draw_no_adviser(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	Frame f = frame(ui);
	int r = ui_px(ui, 60);
	f.top += ui_px(ui, 20);
	/* a clock */
	ring(ui, ui->w / 2, f.top + r, r, t->primary, t->bg);
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
		SDL_Rect r = {f.footer.x, f.footer.y, MAX(button_w(ui, &f, label), ui_px(ui, 360)), f.footer.h};
		ui_button(ui, r, label, BTN_PRIMARY, FALSE, TARGET_JOURNEY, EV(RELAIS_JOURNEY_EV_BOOK));
	}
	footer(ui, &f, FALSE, ui_tr(ui, "ui.ok"), EV(RELAIS_JOURNEY_EV_DONE),
	       ui->view.can_book ? BTN_SECONDARY : BTN_PRIMARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_DONE);
}

/* Returns the width of the bars' backing. */
static int quality_bars(BoothUi *ui, int x, int y, int q)
{
	int bw = MAX(4, ui_px(ui, 8)), step = bw + MAX(2, ui_px(ui, 4)), hmax = ui_px(ui, 26);
	ui_round_rect(ui, (SDL_Rect){x - bw, y - bw, 3 * step + bw, hmax + 2 * bw}, bw, (SDL_Color){0, 0, 0, 0x80});
	for (int i = 0; i < 3; i++) {
		int h = hmax * (i + 1) / 3;
		SDL_Color c = i < q ? (SDL_Color){0xff, 0xff, 0xff, 0xff} : (SDL_Color){0xff, 0xff, 0xff, 0x50};
		ui_round_rect(ui, (SDL_Rect){x + i * step, y + hmax - h, bw, h}, 2, c);
	}
	return 3 * step + bw;
}

static int quality_bars_height(BoothUi *ui)
{
	return ui_px(ui, 26) + 2 * MAX(4, ui_px(ui, 8));
}

static int camera_badge_height(BoothUi *ui)
{
	return MAX(26, ui_px(ui, 42));
}

/* The camera's state, on screen for as long as it may run (self-check,
 * waiting, the call): a red dot and "Camera on", or a hollow one and
 * "Camera off". Drawn at (x, y), its top-left corner. Returns its width. */
static int camera_badge(BoothUi *ui, int x, int y)
{
	gboolean on = !ui->view.camera_off;
	const char *label = ui_tr(ui, on ? "ui.call.camera-on" : "ui.call.camera-off");
	int h = camera_badge_height(ui), pad = MAX(6, ui_px(ui, 14));
	float dot = MAX(5, ui_px(ui, 9));
	int tw = ui_text_width(ui, FONT_SMALL, TRUE, label) + 2;
	SDL_Rect r = {x, y, pad + (int)(2 * dot) + pad * 2 / 3 + tw + pad, h};
	SDL_Color pill = {0x10, 0x18, 0x1e, 0xd8}, white = {0xff, 0xff, 0xff, 0xff};
	ui_round_rect(ui, r, h / 2, pill);
	float cx = r.x + pad + dot, cy = r.y + h / 2.0f;
	if (on) {
		ui_circle(ui, cx, cy, dot, (SDL_Color){0xff, 0x4d, 0x40, 0xff});
	} else {
		ui_circle(ui, cx, cy, dot, (SDL_Color){0xb8, 0xc0, 0xc4, 0xff});
		ui_circle(ui, cx, cy, dot - MAX(2.0f, dot / 3), (SDL_Color){0x10, 0x18, 0x1e, 0xff});
	}
	ui_text(ui, FONT_SMALL, TRUE, label, (SDL_Rect){r.x + pad + (int)(2 * dot) + pad * 2 / 3, r.y, tw, h}, -1, TRUE,
		white);
	return r.w;
}

/* Camera badge, then the link quality, in the top-left corner of the
 * adviser's picture; the bars go to the bottom corner when the picture is
 * too narrow for both. */
static void call_status(BoothUi *ui, SDL_Rect remote, int m, gboolean connecting)
{
	int w = camera_badge(ui, remote.x + m, remote.y + m);
	if (connecting)
		return;
	int bw = MAX(4, ui_px(ui, 8)), bars_w = 3 * (bw + MAX(2, ui_px(ui, 4))) + bw;
	int x = remote.x + m + w + m / 2 + bw;
	int y = remote.y + m + (camera_badge_height(ui) - quality_bars_height(ui)) / 2 + bw;
	if (x + bars_w > remote.x + remote.w - m) {
		x = remote.x + m + bw;
		y = remote.y + remote.h - m - quality_bars_height(ui) + bw;
	}
	quality_bars(ui, x, y, ui->view.quality);
}

/* The messages, newest at the bottom; the adviser's on the left. */
static void chat_panel(BoothUi *ui, SDL_Rect panel, int m, gboolean solid)
{
	const UiTheme *t = ui_theme(ui);
	ui_round_rect(ui, panel, ui_px(ui, 14), solid ? t->surface : (SDL_Color){0xff, 0xff, 0xff, 0xe0});
	if (solid)
		ui_round_frame(ui, panel, ui_px(ui, 14), t->border_px, t->border);
	SDL_RenderSetClipRect(ui->renderer, &panel);
	int y = panel.y + panel.h - m;
	for (guint i = ui->n_chat; i-- > 0 && y > panel.y;) {
		int bw = panel.w - 3 * m;
		int h = ui_text_height(ui, FONT_SMALL, FALSE, ui->chat[i].text, bw - 2 * m);
		if (y - h - m < panel.y && i + 1 < ui->n_chat)
			break; /* whole messages only, but always the newest */
		y -= h + m;
		SDL_Rect b = {ui->chat[i].from_adviser ? panel.x + m : panel.x + 2 * m, y, bw, h + m};
		ui_round_rect(ui, b, ui_px(ui, 10), ui->chat[i].from_adviser ? t->selected : t->bg);
		ui_text(ui, FONT_SMALL, FALSE, ui->chat[i].text, (SDL_Rect){b.x + m, b.y + m / 2, b.w - 2 * m, h}, -1,
			FALSE, t->ink);
		y -= m / 2;
	}
	SDL_RenderSetClipRect(ui->renderer, NULL);
}

static void own_picture(BoothUi *ui, SDL_Rect pip)
{
	ui_round_rect(ui, (SDL_Rect){pip.x - 3, pip.y - 3, pip.w + 6, pip.h + 6}, ui_px(ui, 16),
		      (SDL_Color){0xff, 0xff, 0xff, 0xff});
	ui_draw_video(ui, BOOTH_UI_VIDEO_LOCAL, pip, ui->view.camera_off ? ui_tr(ui, "ui.call.camera-off") : NULL);
	SDL_Rect tag = {pip.x, pip.y + pip.h - ui_px(ui, 34), pip.w, ui_px(ui, 34)};
	if (pip.h < 3 * tag.h)
		return; /* too small to label: the visitor knows their face */
	ui_round_rect(ui, tag, ui_px(ui, 8), (SDL_Color){0, 0, 0, 0x90});
	ui_text(ui, FONT_SMALL, TRUE, ui_tr(ui, "ui.call.you"), tag, 0, TRUE, (SDL_Color){0xff, 0xff, 0xff, 0xff});
}

static void reconnecting_band(BoothUi *ui, SDL_Rect remote, UiFontRole font)
{
	const UiTheme *t = ui_theme(ui);
	int h = MIN(remote.h, ui_px(ui, 100));
	SDL_Rect band = {remote.x, remote.y + remote.h / 2 - h / 2, remote.w, h};
	ui_round_rect(ui, band, 0, t->overlay);
	ui_text(ui, font, TRUE, ui_tr(ui, "ui.call.reconnecting"), band, 0, TRUE, (SDL_Color){0xff, 0xff, 0xff, 0xff});
}

/* The adviser shares their screen: shown only while they say so and a
 * frame of it is there. */
static gboolean showing_shared_screen(BoothUi *ui)
{
	return ui->view.sharing && ui->video[BOOTH_UI_VIDEO_SCREEN] != NULL;
}

/* The call while the visitor writes: the keys take the lower part, the
 * adviser (smaller) and the messages stay above, beside the draft. A shared
 * screen takes the adviser's place: it is what the visitor writes about. */
static void draw_call_typing(BoothUi *ui)
{
	int m = MAX(8, ui_px(ui, 16));
	int gap = MAX(4, ui_px(ui, 10));
	SDL_Rect keys = {m, 0, ui->w - 2 * m, ui_kb_keys_height(ui, ui->w - 2 * m)};
	keys.y = ui->h - m - keys.h;
	int top_h = keys.y - gap - m;
	SDL_Rect remote = {m, m, MIN(top_h * 4 / 3, (ui->w - 2 * m) * 2 / 5), top_h};
	ui_draw_video(ui, showing_shared_screen(ui) ? BOOTH_UI_VIDEO_SCREEN : BOOTH_UI_VIDEO_REMOTE, remote, NULL);
	int pw = remote.w / 3, ph = pw * 3 / 4, pm = MAX(4, m / 2);
	own_picture(ui, (SDL_Rect){remote.x + remote.w - pw - pm, remote.y + remote.h - ph - pm, pw, ph});
	call_status(ui, remote, pm, FALSE);
	if (ui->view.reconnecting)
		reconnecting_band(ui, remote, FONT_SMALL);

	SDL_Rect col = {remote.x + remote.w + m, m, 0, top_h};
	col.w = ui->w - m - col.x;
	SDL_Rect row = {col.x, col.y + col.h - ui_kb_field_height(ui), col.w, ui_kb_field_height(ui)};
	SDL_Rect msgs = {col.x, col.y, col.w, row.y - gap - col.y};
	if (ui->n_chat && msgs.h > 0)
		chat_panel(ui, msgs, MAX(4, ui_px(ui, 10)), TRUE);
	ui_kb_draw_keys(ui, keys);
	ui_kb_draw_field(ui, row);
	/* Escape closes the keyboard (ui.c): no journey event */
}

/* The call's controls along `bar`: the words say the state ("Mic off"),
 * not the action; "Write" only once someone is there to read. */
static void call_controls(BoothUi *ui, SDL_Rect bar, gboolean connecting)
{
	Frame f = frame(ui);
	int bar_h = bar.h;
	int gap = MAX(6, ui_px(ui, 14));
	int end_w = MAX(bar.w / 5, f.target);
	int vol_w = f.target;
	int n_wide = connecting ? 2 : 3;
	int toggle_w = (bar.w - end_w - 2 * vol_w - (n_wide + 2) * gap) / n_wide;
	int x = bar.x;
	ui_button(ui, (SDL_Rect){x, bar.y, toggle_w, bar_h},
		  ui_tr(ui, ui->view.muted ? "ui.call.mic-off" : "ui.call.mic-on"), BTN_SECONDARY, ui->view.muted,
		  TARGET_JOURNEY, EV(RELAIS_JOURNEY_EV_MUTE));
	x += toggle_w + gap;
	ui_button(ui, (SDL_Rect){x, bar.y, toggle_w, bar_h},
		  ui_tr(ui, ui->view.camera_off ? "ui.call.camera-off" : "ui.call.camera-on"), BTN_SECONDARY,
		  ui->view.camera_off, TARGET_JOURNEY, EV(RELAIS_JOURNEY_EV_CAMERA));
	x += toggle_w + gap;
	if (!connecting) {
		ui_key(ui, (SDL_Rect){x, bar.y, toggle_w, bar_h}, ui_tr(ui, "ui.chat.open"), FONT_BUTTON, BTN_SECONDARY,
		       FALSE, BOOTH_UI_KEY_OPEN, NULL);
		x += toggle_w + gap;
	}
	ui_button(ui, (SDL_Rect){x, bar.y, vol_w, bar_h}, "\u2212", BTN_SECONDARY, FALSE, TARGET_JOURNEY,
		  EV_NUM(RELAIS_JOURNEY_EV_VOLUME, MAX(0, ui->view.volume - 10)));
	x += vol_w + gap;
	ui_button(ui, (SDL_Rect){x, bar.y, vol_w, bar_h}, "+", BTN_SECONDARY, FALSE, TARGET_JOURNEY,
		  EV_NUM(RELAIS_JOURNEY_EV_VOLUME, MIN(100, ui->view.volume + 10)));
	x += vol_w + gap;
	ui_button(ui, (SDL_Rect){bar.x + bar.w - end_w, bar.y, end_w, bar_h}, ui_tr(ui, "ui.call.end"), BTN_DANGER,
		  FALSE, TARGET_JOURNEY, EV(RELAIS_JOURNEY_EV_END));
}

void ui_call_large_content_layout(BoothUi *ui, UiLargeContentLayout *l)
{
	Frame f = frame(ui);
	int m = MAX(8, ui_px(ui, 16));
	l->m = m;
	l->bar = (SDL_Rect){m, ui->h - m - f.target, ui->w - 2 * m, f.target};
	int top_h = l->bar.y - 2 * m;
	int col_w = ui->w * 26 / 100;
	l->content = (SDL_Rect){m, m, ui->w - 3 * m - col_w, top_h};
	int col_x = l->content.x + l->content.w + m;
	l->face = (SDL_Rect){col_x, m, col_w, col_w * 3 / 4};
	int ow = col_w * 3 / 5;
	l->own = (SDL_Rect){col_x + col_w - ow, l->face.y + l->face.h + m, ow, ow * 3 / 4};
	int chat_y = l->own.y + l->own.h + m;
	l->chat = (SDL_Rect){col_x, chat_y, col_w, MAX(0, m + top_h - chat_y)};
}

/* The call with something large to look at together (a document, the
 * adviser's shared screen): `draw_content` fills the left part; the
 * adviser's face and, smaller, the visitor's own picture (camera badge and
 * link quality on the face, as always) and the chat stand in a column on the
 * right, over nothing; the controls stay where they always are. */
static UiLargeContentLayout draw_call_large_content(BoothUi *ui, void (*draw_content)(BoothUi *ui, SDL_Rect area))
{
	UiLargeContentLayout l;
	ui_call_large_content_layout(ui, &l);
	draw_content(ui, l.content);
	ui_draw_video(ui, BOOTH_UI_VIDEO_REMOTE, l.face, NULL);
	/* the camera badge stays in sight while the visitor looks */
	call_status(ui, l.face, MAX(4, l.m / 2), FALSE);
	own_picture(ui, l.own);
	if (ui->n_chat && l.chat.h > 3 * l.m)
		chat_panel(ui, l.chat, MAX(4, l.m / 2), TRUE);
	call_controls(ui, l.bar, FALSE);
	ui->escape = EV(RELAIS_JOURNEY_EV_END);
	if (ui->view.reconnecting)
		reconnecting_band(ui, l.face, FONT_SMALL);
	return l;
}

/* The adviser's screen under a caption band that says what it is. */
static void draw_shared_screen(BoothUi *ui, SDL_Rect area)
{
	const char *caption = ui_tr(ui, "ui.call.sharing");
	int m = MAX(8, ui_px(ui, 16));
	int cap_h = MAX(ui_text_height(ui, FONT_BODY, TRUE, caption, area.w - 2 * m) + m, ui_px(ui, 52));
	SDL_Rect cap = {area.x, area.y, area.w, cap_h};
	ui_round_rect(ui, cap, ui_px(ui, 12), (SDL_Color){0x10, 0x18, 0x1e, 0xff});
	ui_text(ui, FONT_BODY, TRUE, caption, (SDL_Rect){cap.x + m, cap.y, cap.w - 2 * m, cap.h}, 0, TRUE,
		(SDL_Color){0xff, 0xff, 0xff, 0xff});
	SDL_Rect screen = {area.x, area.y + cap_h + MAX(4, m / 2), area.w, area.h - cap_h - MAX(4, m / 2)};
	ui_draw_video(ui, BOOTH_UI_VIDEO_SCREEN, screen, NULL);
	ui->stats.screen_rect = screen;
}

/* The call while the adviser shows their screen; the status tells tests
 * where things went. */
static void draw_call_shared_screen(BoothUi *ui)
{
	UiLargeContentLayout l = draw_call_large_content(ui, draw_shared_screen);
	ui->stats.screen_shown = TRUE;
	ui->stats.face_rect = l.face;
	ui->stats.own_rect = l.own;
}

static void draw_call(BoothUi *ui, gboolean connecting)
{
	if (ui->kb_open && !connecting) {
		draw_call_typing(ui);
		return;
	}
	if (ui->doc_pages && !connecting) {
		draw_call_large_content(ui, ui_doc_draw);
		return;
	}
	if (!connecting && showing_shared_screen(ui)) {
		draw_call_shared_screen(ui);
		return;
	}
	Frame f = frame(ui);
	int m = MAX(8, ui_px(ui, 16));
	int bar_h = f.target;
	gboolean chat_side = ui->w >= 1100;
	int chat_w = chat_side ? ui->w * 27 / 100 : 0;
	SDL_Rect remote = {m, m, ui->w - 2 * m - (chat_w ? chat_w + m : 0), ui->h - 3 * m - bar_h};
	ui_draw_video(ui, BOOTH_UI_VIDEO_REMOTE, remote, connecting ? ui_tr(ui, "ui.connecting.title") : NULL);
	call_status(ui, remote, m, connecting);

	/* own picture, always visible: the visitor knows what is shown */
	int pw = remote.w / 4, ph = pw * 3 / 4;
	own_picture(ui, (SDL_Rect){remote.x + remote.w - pw - m, remote.y + m, pw, ph});

	/* chat: beside the video when there is room, over its foot otherwise */
	if (ui->n_chat)
		chat_panel(ui,
			   chat_side ? (SDL_Rect){ui->w - m - chat_w, m, chat_w, remote.h}
				     : (SDL_Rect){remote.x + m, remote.y + remote.h * 3 / 5, remote.w - 2 * m,
						  remote.h * 2 / 5 - m},
			   m, chat_side);

	SDL_Rect bar = {m, ui->h - m - bar_h, ui->w - 2 * m, bar_h};
	call_controls(ui, bar, connecting);
	ui->escape = EV(RELAIS_JOURNEY_EV_END);

	if (ui->view.reconnecting)
		reconnecting_band(ui, remote, FONT_TITLE);
}

/* A dialog over a dimmed screen; the screen under it takes no input. */
static SDL_Rect dialog(BoothUi *ui, const char *text, int *content_y)
{
	const UiTheme *t = ui_theme(ui);
	g_array_set_size(ui->targets, 0);
	SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_BLEND);
	SDL_SetRenderDrawColor(ui->renderer, t->overlay.r, t->overlay.g, t->overlay.b, t->overlay.a);
	SDL_RenderFillRect(ui->renderer, NULL);
	int w = MIN(ui->w - 2 * margin(ui), ui_px(ui, 760));
	int h = MIN(ui->h - 2 * margin(ui), ui_px(ui, 420));
	SDL_Rect d = {(ui->w - w) / 2, (ui->h - h) / 2, w, h};
	ui_round_rect(ui, d, ui_px(ui, 24), t->surface);
	ui_round_frame(ui, d, ui_px(ui, 24), t->border_px, t->border);
	SDL_Rect r = {d.x + margin(ui), d.y + margin(ui), d.w - 2 * margin(ui), d.h};
	*content_y = r.y + ui_text(ui, FONT_TITLE, TRUE, text, r, 0, FALSE, t->ink);
	return d;
}

static void draw_confirm_end(BoothUi *ui)
{
	draw_call(ui, FALSE);
	Frame f = frame(ui);
	int y;
	SDL_Rect d = dialog(ui, ui_tr(ui, "ui.confirm.title"), &y);
	/* the camera still runs: its badge stays bright over the dimming */
	int m = MAX(8, ui_px(ui, 16));
	camera_badge(ui, m + (ui->kb_open ? MAX(4, m / 2) : m), m + (ui->kb_open ? MAX(4, m / 2) : m));
	m = margin(ui);
	int bh = f.target + ui_px(ui, 6);
	int bw = (d.w - 2 * m - f.gap) / 2;
	SDL_Rect no = {d.x + m, d.y + d.h - m - bh, bw, bh};
	SDL_Rect yes = {no.x + bw + f.gap, no.y, bw, bh};
	/* "keep talking" first: Enter on a fresh dialog must not hang up */
	ui_button(ui, no, ui_tr(ui, "ui.confirm.no"), BTN_PRIMARY, FALSE, TARGET_JOURNEY,
		  EV(RELAIS_JOURNEY_EV_KEEP_TALKING));
	ui_button(ui, yes, ui_tr(ui, "ui.confirm.yes"), BTN_DANGER, FALSE, TARGET_JOURNEY,
		  EV(RELAIS_JOURNEY_EV_CONFIRM_END));
	ui->escape = EV(RELAIS_JOURNEY_EV_KEEP_TALKING);
}

static void draw_satisfaction(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	Frame f = frame(ui);
	title(ui, &f, NULL, ui_tr(ui, "ui.satisfaction.title"));
	SDL_Rect hint = {f.m, f.top - f.gap / 2, ui->w - 2 * f.m, ui->h};
	f.top +=
		ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, "ui.satisfaction.hint"), hint, -1, FALSE, t->muted_ink) + f.gap;
	int w = (ui->w - 2 * f.m - 4 * f.gap) / 5;
	int avail = f.footer.y - f.gap - f.top;
	int h = MAX(MIN(avail, w + ui_px(ui, 40)), f.target);
	int y = f.top + MAX(0, (avail - h) / 3); /* a little above the middle */
	for (int i = 0; i < 5; i++) {
		SDL_Rect r = {f.m + i * (w + f.gap), y, w, h};
		g_autofree char *key = g_strdup_printf("ui.score.%d", i + 1);
		/* the label goes under the face, inside the same target */
		ui_button(ui, r, "", BTN_CHOICE, FALSE, TARGET_JOURNEY, EV_NUM(RELAIS_JOURNEY_EV_SCORE, i + 1));
		int label_h = ui_px(ui, 56);
		float fr = MIN(w, h - label_h) * 0.34f;
		face(ui, r.x + w / 2.0f, r.y + (h - label_h) / 2.0f + ui_px(ui, 6), fr, i + 1);
		ui_text(ui, FONT_SMALL, TRUE, ui_tr(ui, key),
			(SDL_Rect){r.x + 4, r.y + h - label_h - ui_px(ui, 4), r.w - 8, label_h}, 0, TRUE, t->ink);
	}
	footer(ui, &f, FALSE, NULL, EV(RELAIS_JOURNEY_N_EVENTS), BTN_SECONDARY);
}

static void centred_message(BoothUi *ui, const char *glyph, const char *title_id, const char *body_id,
			    const char *extra)
{
	const UiTheme *t = ui_theme(ui);
	Frame f = frame(ui);
	int r = ui_px(ui, 64);
	int y = MAX(f.m, ui->h / 2 - ui_px(ui, 230));
	icon_disc(ui, ui->w / 2, y + r, r, t->selected, glyph, t->primary);
	SDL_Rect col = {f.m * 2, y + 2 * r + f.gap * 2, ui->w - 4 * f.m, ui->h};
	col.y += ui_text(ui, FONT_TITLE, TRUE, ui_tr(ui, title_id), col, 0, FALSE, t->ink) + f.gap;
	col.y += ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, body_id), col, 0, FALSE, t->muted_ink) + f.gap;
	if (extra)
		ui_text(ui, FONT_SMALL, FALSE, extra, col, 0, FALSE, t->muted_ink);
}

static void draw_thanks(BoothUi *ui)
{
	Frame f = frame(ui);
	centred_message(ui, "\u2665", "ui.thanks.title", "ui.thanks.body", NULL);
	footer(ui, &f, FALSE, ui_tr(ui, "ui.thanks.done"), EV(RELAIS_JOURNEY_EV_DONE), BTN_PRIMARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_DONE);
}

static void draw_wiped(BoothUi *ui)
{
	centred_message(ui, "\u2713", "ui.wiped.title", "ui.wiped.body", NULL);
}

static void draw_out_of_order(BoothUi *ui)
{
	centred_message(ui, "!", "ui.outoforder.title", "ui.outoforder.body", ui->view.fault);
}

static void draw_still_there(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	Frame f = frame(ui);
	/* any touch means "yes" */
	ui_add_target(ui, (SDL_Rect){0, 0, ui->w, ui->h}, TARGET_JOURNEY, EV(RELAIS_JOURNEY_EV_STAY), FALSE);
	int r = ui_px(ui, 90);
	int y = MAX(f.m, ui->h / 2 - ui_px(ui, 260));
	ring(ui, ui->w / 2, y + r, r, t->primary, t->bg);
	g_autofree char *n = g_strdup_printf("%d", MAX(0, ui->view.countdown_s));
	ui_text(ui, FONT_HUGE, TRUE, n, (SDL_Rect){ui->w / 2 - r, y, 2 * r, 2 * r}, 0, TRUE, t->primary);
	SDL_Rect col = {f.m, y + 2 * r + f.gap, ui->w - 2 * f.m, ui->h};
	col.y += ui_text(ui, FONT_TITLE, TRUE, ui_tr(ui, "ui.stillthere.title"), col, 0, FALSE, t->ink) + f.gap / 2;
	g_autofree char *c = g_strdup_printf(ui_tr(ui, "ui.stillthere.countdown"), MAX(0, ui->view.countdown_s));
	ui_text(ui, FONT_BODY, FALSE, c, col, 0, FALSE, t->muted_ink);
	const char *label = ui_tr(ui, "ui.stillthere.stay");
	int w = MAX(button_w(ui, &f, label), ui_px(ui, 420));
	ui_button(ui, (SDL_Rect){(ui->w - w) / 2, f.footer.y, w, f.footer.h}, label, BTN_PRIMARY, FALSE, TARGET_JOURNEY,
		  EV(RELAIS_JOURNEY_EV_STAY));
	ui->escape = EV(RELAIS_JOURNEY_EV_STAY);
}

/* --- bookings ------------------------------------------------------------ */

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

static void draw_book_slots(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	Frame f = frame(ui);
	title(ui, &f, NULL, ui_tr(ui, "ui.book.title"));
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
	footer(ui, &f, TRUE, NULL, EV(RELAIS_JOURNEY_N_EVENTS), BTN_SECONDARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_BACK);
}

static void draw_book_confirm(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	Frame f = frame(ui);
	title(ui, &f, NULL, ui_tr(ui, "ui.book.confirm.title"));
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
		footer(ui, &f, FALSE, NULL, EV(RELAIS_JOURNEY_N_EVENTS), BTN_SECONDARY);
		return;
	}
	footer(ui, &f, TRUE, ui_tr(ui, "ui.book.confirm.yes"), EV(RELAIS_JOURNEY_EV_BOOK_CONFIRM), BTN_PRIMARY);
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
 * whatever the theme, with its quiet zone, centred in `area`. */
static void draw_qr(BoothUi *ui, SDL_Rect area, const char *text)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisQr) qr = relais_qr_encode(text, &error);
	if (qr == NULL) {
		g_warning("QR code: %s", error->message);
		return;
	}
	int side = qr->width + 2 * RELAIS_QR_QUIET_ZONE;
	int px = MIN(area.w, area.h) / side;
	if (px < 1)
		return;
	SDL_Rect bg = {area.x + (area.w - side * px) / 2, area.y + (area.h - side * px) / 2, side * px, side * px};
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
}

static void draw_book_code(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	Frame f = frame(ui);
	int qr_side = MIN(ui->w * 2 / 5, f.footer.y - f.gap - f.m);
	SDL_Rect qr = {ui->w - f.m - qr_side, f.m, qr_side, qr_side};
	int col_w = qr.x - 2 * f.m;
	Frame left = f;
	title(ui, &left, NULL, ui_tr(ui, "ui.book.code.title"));
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
		col.y += ui_text(ui, FONT_BODY, FALSE, ui->view.booking_site, col, -1, FALSE, t->ink) + f.gap;
	ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, "ui.book.code.hint"), col, -1, FALSE, t->muted_ink);

	g_autofree char *text = relais_qr_booking_text(ui->view.code, ui->view.booking_start);
	draw_qr(ui, qr, text);
	footer(ui, &f, FALSE, ui_tr(ui, "ui.book.code.done"), EV(RELAIS_JOURNEY_EV_DONE), BTN_PRIMARY);
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

static void draw_check_in(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	Frame f = frame(ui);
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
			int w = button_w(ui, &f, label);
			lx -= w;
			ui_button(ui, (SDL_Rect){lx, f.m, w, f.target}, label, BTN_QUIET, FALSE, TARGET_JOURNEY,
				  EV_STR(RELAIS_JOURNEY_EV_LANGUAGE, l));
			lx -= f.gap;
		}
	title(ui, &f, NULL, ui_tr(ui, "ui.checkin.title"));
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
	footer(ui, &f, live, complete && live ? ui_tr(ui, "ui.checkin.go") : NULL, EV(RELAIS_JOURNEY_EV_CHECK_IN),
	       BTN_PRIMARY);
	if (live)
		ui->escape = EV(RELAIS_JOURNEY_EV_BACK);
}

void ui_draw_screen(BoothUi *ui)
{
	ui_fill(ui, ui_theme(ui)->bg);
	switch (ui->view.state) {
	case RELAIS_JOURNEY_ATTRACT:
		draw_attract(ui);
		break;
	case RELAIS_JOURNEY_LANGUAGE:
		draw_language(ui);
		break;
	case RELAIS_JOURNEY_QUESTION:
		draw_question(ui);
		break;
	case RELAIS_JOURNEY_CONSENT:
		draw_consent(ui);
		break;
	case RELAIS_JOURNEY_SELF_CHECK:
		draw_self_check(ui);
		break;
	case RELAIS_JOURNEY_WAITING:
		draw_waiting(ui);
		break;
	case RELAIS_JOURNEY_NO_ADVISER:
		draw_no_adviser(ui);
		break;
	case RELAIS_JOURNEY_CONNECTING:
		draw_call(ui, TRUE);
		break;
	case RELAIS_JOURNEY_IN_CALL:
		draw_call(ui, FALSE);
		break;
	case RELAIS_JOURNEY_CONFIRM_END:
		draw_confirm_end(ui);
		break;
	case RELAIS_JOURNEY_SATISFACTION:
		draw_satisfaction(ui);
		break;
	case RELAIS_JOURNEY_THANKS:
		draw_thanks(ui);
		break;
	case RELAIS_JOURNEY_WIPED:
		draw_wiped(ui);
		break;
	case RELAIS_JOURNEY_STILL_THERE:
		draw_still_there(ui);
		break;
	case RELAIS_JOURNEY_BOOK_SLOTS:
		draw_book_slots(ui);
		break;
	case RELAIS_JOURNEY_BOOK_CONFIRM:
		draw_book_confirm(ui);
		break;
	case RELAIS_JOURNEY_BOOK_CODE:
		draw_book_code(ui);
		break;
	case RELAIS_JOURNEY_CHECK_IN:
		draw_check_in(ui);
		break;
	case RELAIS_JOURNEY_OUT_OF_ORDER:
	default:
		draw_out_of_order(ui);
		break;
	}
}
