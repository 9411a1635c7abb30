/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The end of a visit and the screens outside one: satisfaction, thanks,
 * wiped, still there (countdown) and out of order. */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/screens.h"

/* Faces for the one-tap rating: a mouth curving from sad to happy. */
static void face(BoothUi *ui, float cx, float cy, float r, int score)
{
	static const guint32 tint[5] = {0xf2b8a2, 0xf5cfa0, 0xf3e2a0, 0xc9e4b4, 0xa9dcc0};
	const UiTheme *t = ui_theme(ui);
	SDL_Color ink = t->ink;
	ui_circle(ui, cx, cy, r, ui->high_contrast ? t->bg : ui_rgb(tint[score - 1]));
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

void ui_screen_satisfaction(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	UiFrame f = ui_frame(ui);
	/* a call the connection ended: said first, in plain words */
	ui_title(ui, &f, NULL, ui_tr(ui, ui->view.call_lost ? "ui.satisfaction.lost" : "ui.satisfaction.title"));
	SDL_Rect hint = {f.m, f.top - f.gap / 2, ui->w - 2 * f.m, ui->h};
	f.top += ui_text(ui, FONT_BODY, FALSE,
			 ui_tr(ui, ui->view.call_lost ? "ui.satisfaction.lost_hint" : "ui.satisfaction.hint"), hint, -1,
			 FALSE, t->muted_ink) +
		 f.gap;
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
	ui_footer(ui, &f, FALSE, NULL, EV(RELAIS_JOURNEY_N_EVENTS), BTN_SECONDARY);
}

static void centred_message(BoothUi *ui, const char *glyph, const char *title_id, const char *body_id,
			    const char *extra)
{
	const UiTheme *t = ui_theme(ui);
	UiFrame f = ui_frame(ui);
	int r = ui_px(ui, 64);
	int y = MAX(f.m, ui->h / 2 - ui_px(ui, 230));
	ui_icon_disc(ui, ui->w / 2, y + r, r, t->selected, glyph, t->primary);
	SDL_Rect col = {f.m * 2, y + 2 * r + f.gap * 2, ui->w - 4 * f.m, ui->h};
	col.y += ui_text(ui, FONT_TITLE, TRUE, ui_tr(ui, title_id), col, 0, FALSE, t->ink) + f.gap;
	col.y += ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, body_id), col, 0, FALSE, t->muted_ink) + f.gap;
	if (extra)
		ui_text(ui, FONT_SMALL, FALSE, extra, col, 0, FALSE, t->muted_ink);
}

void ui_screen_thanks(BoothUi *ui)
{
	UiFrame f = ui_frame(ui);
	centred_message(ui, "\u2665", "ui.thanks.title", "ui.thanks.body", NULL);
	ui_footer(ui, &f, FALSE, ui_tr(ui, "ui.thanks.done"), EV(RELAIS_JOURNEY_EV_DONE), BTN_PRIMARY);
	ui->escape = EV(RELAIS_JOURNEY_EV_DONE);
}

void ui_screen_wiped(BoothUi *ui)
{
	centred_message(ui, "\u2713", "ui.wiped.title", "ui.wiped.body", NULL);
}

void ui_screen_out_of_order(BoothUi *ui)
{
	centred_message(ui, "!", "ui.outoforder.title", "ui.outoforder.body", ui->view.fault);
}

void ui_screen_still_there(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	UiFrame f = ui_frame(ui);
	/* any touch means "yes" */
	ui_add_target(ui, (SDL_Rect){0, 0, ui->w, ui->h}, TARGET_JOURNEY, EV(RELAIS_JOURNEY_EV_STAY), FALSE);
	int r = ui_px(ui, 90);
	int y = MAX(f.m, ui->h / 2 - ui_px(ui, 260));
	ui_ring(ui, ui->w / 2, y + r, r, t->primary, t->bg);
	g_autofree char *n = g_strdup_printf("%d", MAX(0, ui->view.countdown_s));
	ui_text(ui, FONT_HUGE, TRUE, n, (SDL_Rect){ui->w / 2 - r, y, 2 * r, 2 * r}, 0, TRUE, t->primary);
	SDL_Rect col = {f.m, y + 2 * r + f.gap, ui->w - 2 * f.m, ui->h};
	col.y += ui_text(ui, FONT_TITLE, TRUE, ui_tr(ui, "ui.stillthere.title"), col, 0, FALSE, t->ink) + f.gap / 2;
	g_autofree char *c = g_strdup_printf(ui_tr(ui, "ui.stillthere.countdown"), MAX(0, ui->view.countdown_s));
	ui_text(ui, FONT_BODY, FALSE, c, col, 0, FALSE, t->muted_ink);
	const char *label = ui_tr(ui, "ui.stillthere.stay");
	int w = MAX(ui_button_w(ui, &f, label), ui_px(ui, 420));
	ui_button(ui, (SDL_Rect){(ui->w - w) / 2, f.footer.y, w, f.footer.h}, label, BTN_PRIMARY, FALSE, TARGET_JOURNEY,
		  EV(RELAIS_JOURNEY_EV_STAY));
	ui->escape = EV(RELAIS_JOURNEY_EV_STAY);
}
