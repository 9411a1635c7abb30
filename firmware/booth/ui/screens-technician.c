/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The technician screen, over the journey's: the PIN pad (with the lock's
 * time left), "not set up", and the diagnostics report with the camera
 * picture, the microphone level and the speaker and TURN tests. It draws
 * what the owner gives (technician.c); its buttons go to the technician
 * func, never to the journey. */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/screens.h"

/* --- the view ------------------------------------------------------------- */

static void items_clear(BoothUi *ui)
{
	for (guint i = 0; i < ui->tech_items->len; i++) {
		UiTechItem *it = &g_array_index(ui->tech_items, UiTechItem, i);
		g_free(it->label);
		g_free(it->value);
	}
	g_array_set_size(ui->tech_items, 0);
}

void ui_tech_clear(BoothUi *ui)
{
	if (ui->tech_items == NULL)
		return;
	items_clear(ui);
	g_clear_pointer(&ui->tech_items, g_array_unref);
}

void booth_ui_set_technician(BoothUi *ui, const BoothUiTechView *view)
{
	BoothUiTechView closed = {BOOTH_UI_TECH_CLOSED};
	if (view == NULL)
		view = &closed;
	if (view->mode != ui->tech.mode)
		ui->focus = -1;
	items_clear(ui);
	for (guint i = 0; i < view->n_items; i++) {
		UiTechItem it = {g_strdup(view->items[i].label), g_strdup(view->items[i].value), view->items[i].bad};
		g_array_append_val(ui->tech_items, it);
	}
	ui->tech = *view;
	ui->tech.items = NULL;
	ui->tech.n_items = ui->tech_items->len;
	ui->dirty = TRUE;
}

BoothUiTechMode booth_ui_get_technician_mode(BoothUi *ui)
{
	return ui->tech.mode;
}

void booth_ui_set_technician_func(BoothUi *ui, BoothUiTechFunc func, gpointer user_data)
{
	ui->tech_func = func;
	ui->tech_func_data = user_data;
}

/* --- buttons --------------------------------------------------------------- */

static void tech_button(BoothUi *ui, SDL_Rect r, const char *label, UiButtonStyle style, BoothUiTechAction action,
			int digit)
{
	guint index = ui->targets->len;
	UiTarget t = {.rect = r, .kind = TARGET_TECH, .ev = {RELAIS_JOURNEY_N_EVENTS}, .focusable = TRUE};
	t.tech = (BoothUiTechInput){action, digit, -1, 0};
	g_array_append_val(ui->targets, t);
	ui_button_face(ui, r, label, style, index);
}

static const char *const button_names[] = {
	[BOOTH_UI_TECH_BACKSPACE] = "back",  [BOOTH_UI_TECH_OK] = "ok",	    [BOOTH_UI_TECH_CLOSE] = "close",
	[BOOTH_UI_TECH_SPEAKER] = "speaker", [BOOTH_UI_TECH_TURN] = "turn",
};

gboolean booth_ui_find_technician_target(BoothUi *ui, const char *button, SDL_Rect *rect)
{
	if (button == NULL)
		return FALSE;
	for (guint i = 0; i < ui->targets->len; i++) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		if (t->kind != TARGET_TECH)
			continue;
		gboolean match;
		if (t->tech.action == BOOTH_UI_TECH_DIGIT)
			match = button[0] == '0' + t->tech.digit && button[1] == '\0';
		else
			match = (guint)t->tech.action < G_N_ELEMENTS(button_names) &&
				g_strcmp0(button_names[t->tech.action], button) == 0;
		if (match) {
			*rect = t->rect;
			return TRUE;
		}
	}
	return FALSE;
}

/* --- the screens ------------------------------------------------------------ */

static void close_button(BoothUi *ui, const UiFrame *f, SDL_Rect area)
{
	const char *label = ui_tr(ui, "ui.tech.close");
	int w = ui_button_w(ui, f, label);
	tech_button(ui, (SDL_Rect){area.x + area.w - w, area.y, w, area.h}, label, BTN_SECONDARY, BOOTH_UI_TECH_CLOSE,
		    0);
}

static void not_set_up(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	UiFrame f = ui_frame(ui);
	ui_title(ui, &f, ui_tr(ui, "ui.tech.step"), ui_tr(ui, "ui.tech.title"));
	SDL_Rect col = {f.m, f.top, ui->w - 2 * f.m, ui->h};
	col.y += ui_text(ui, FONT_BODY, TRUE, ui_tr(ui, "ui.tech.notsetup.title"), col, -1, FALSE, t->danger) + f.gap;
	ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, "ui.tech.notsetup.body"), col, -1, FALSE, t->muted_ink);
	close_button(ui, &f, f.footer);
	ui->escape.type = RELAIS_JOURNEY_N_EVENTS;
}

static void pin_pad(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	UiFrame f = ui_frame(ui);
	/* the pad on the right, rows of at least the target size */
	int rows_h = ui->h - 2 * f.m;
	int key_h = MAX(f.target, (rows_h - 3 * f.gap) / 4);
	int key_w = MAX(f.target, MIN(key_h * 3 / 2, (ui->w / 2 - f.m - 2 * f.gap) / 3));
	int pad_w = 3 * key_w + 2 * f.gap;
	int pad_x = ui->w - f.m - pad_w;
	static const char *const labels[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "\u232b", "0", NULL};
	for (int k = 0; k < 12; k++) {
		SDL_Rect r = {pad_x + (k % 3) * (key_w + f.gap), f.m + (k / 3) * (key_h + f.gap), key_w, key_h};
		if (k == 9)
			tech_button(ui, r, labels[k], BTN_QUIET, BOOTH_UI_TECH_BACKSPACE, 0);
		else if (k == 11)
			tech_button(ui, r, ui_tr(ui, "ui.tech.pin.ok"), BTN_PRIMARY, BOOTH_UI_TECH_OK, 0);
		else
			tech_button(ui, r, labels[k], BTN_SECONDARY, BOOTH_UI_TECH_DIGIT, labels[k][0] - '0');
	}
	/* the left: title, what to do, the dots, what happened */
	int col_w = pad_x - 2 * f.gap - f.m;
	SDL_Rect col = {f.m, f.m, col_w, ui->h};
	col.y += ui_text(ui, FONT_SMALL, TRUE, ui_tr(ui, "ui.tech.step"), col, -1, FALSE, t->primary) + ui_px(ui, 6);
	col.y += ui_text(ui, FONT_TITLE, TRUE, ui_tr(ui, "ui.tech.title"), col, -1, FALSE, t->ink) + f.gap;
	col.y += ui_text(ui, FONT_BODY, FALSE, ui_tr(ui, "ui.tech.pin.prompt"), col, -1, FALSE, t->muted_ink) + f.gap;
	SDL_Rect field = {f.m, col.y, col_w, ui_px(ui, 70)};
	ui_round_rect(ui, field, ui_px(ui, 12), t->surface);
	ui_round_frame(ui, field, ui_px(ui, 12), t->border_px, t->border);
	int dot = ui_px(ui, 12);
	for (guint i = 0; i < MIN(ui->tech.pin_len, 16u); i++)
		ui_circle(ui, field.x + ui_px(ui, 30) + i * (3 * dot), field.y + field.h / 2.0f, dot, t->ink);
	col.y += field.h + f.gap;
	g_autofree char *line = NULL;
	if (ui->tech.locked_s > 0)
		line = g_strdup_printf(ui_tr(ui, "ui.tech.pin.locked"), ui->tech.locked_s / 60, ui->tech.locked_s % 60);
	else if (ui->tech.pin_wrong)
		line = g_strdup_printf(ui_tr(ui, "ui.tech.pin.wrong"), ui->tech.attempts_left);
	if (line)
		ui_text(ui, FONT_BODY, TRUE, line, col, -1, FALSE, t->danger);
	SDL_Rect bottom = {f.m, ui->h - f.m - f.target, col_w, f.target};
	close_button(ui, &f, bottom);
}

static void mic_bar(BoothUi *ui, SDL_Rect r, double level)
{
	const UiTheme *t = ui_theme(ui);
	ui_round_rect(ui, r, r.h / 2, t->surface);
	ui_round_frame(ui, r, r.h / 2, t->border_px, t->border);
	int w = (int)(CLAMP(level, 0.0, 1.0) * r.w);
	if (w > r.h)
		ui_round_rect(ui, (SDL_Rect){r.x, r.y, w, r.h}, r.h / 2, t->primary);
}

static void report(BoothUi *ui)
{
	const UiTheme *t = ui_theme(ui);
	UiFrame f = ui_frame(ui);
	SDL_Rect head = {f.m, f.m, ui->w - 2 * f.m, ui->h};
	int top = f.m + ui_text(ui, FONT_BODY, TRUE, ui_tr(ui, "ui.tech.title"), head, -1, FALSE, t->ink) + f.gap / 2;
	/* the picture and the level on the right, a third of the width */
	int vid_w = (ui->w - 2 * f.m) / 3, vid_h = vid_w * 3 / 4;
	SDL_Rect vid = {ui->w - f.m - vid_w, top, vid_w, vid_h};
	ui_draw_video(ui, BOOTH_UI_VIDEO_LOCAL, vid, ui_tr(ui, "ui.tech.camera.none"));
	/* anyone passing by sees that the camera runs, as on a visitor's screen */
	if (ui->tech.camera)
		ui_camera_badge(ui, vid.x + MAX(6, ui_px(ui, 12)), vid.y + MAX(6, ui_px(ui, 12)));
	SDL_Rect mic_label = {vid.x, vid.y + vid.h + f.gap / 2, vid.w, ui->h};
	int lh = ui_text(ui, FONT_SMALL, FALSE, ui_tr(ui, "ui.tech.mic.level"), mic_label, -1, FALSE, t->muted_ink);
	mic_bar(ui, (SDL_Rect){vid.x, mic_label.y + lh + ui_px(ui, 6), vid.w, ui_px(ui, 22)}, ui->tech.mic_level);
	/* the items: label, then value, one line each, in two columns of text */
	int x = f.m, w = vid.x - f.gap - f.m;
	int label_w = w * 2 / 5;
	int y = top, bottom = f.footer.y - f.gap / 2;
	for (guint i = 0; i < ui->tech_items->len && y < bottom; i++) {
		const UiTechItem *it = &g_array_index(ui->tech_items, UiTechItem, i);
		SDL_Rect lr = {x, y, label_w - f.gap / 2, bottom - y};
		SDL_Rect vr = {x + label_w, y, w - label_w, bottom - y};
		int h1 = ui_text(ui, FONT_SMALL, TRUE, ui_tr(ui, it->label), lr, -1, FALSE, t->muted_ink);
		int h2 = ui_text(ui, FONT_SMALL, FALSE, it->value, vr, -1, FALSE, it->bad ? t->danger : t->ink);
		y += MAX(h1, h2) + ui_px(ui, 4);
	}
	/* the tests and Close along the bottom */
	const char *speaker = ui_tr(ui, "ui.tech.test.speaker"), *turn = ui_tr(ui, "ui.tech.test.turn");
	int sw = ui_button_w(ui, &f, speaker), tw = ui_button_w(ui, &f, turn);
	tech_button(ui, (SDL_Rect){f.footer.x, f.footer.y, sw, f.footer.h}, speaker, BTN_SECONDARY,
		    BOOTH_UI_TECH_SPEAKER, 0);
	tech_button(ui, (SDL_Rect){f.footer.x + sw + f.gap, f.footer.y, tw, f.footer.h}, turn, BTN_SECONDARY,
		    BOOTH_UI_TECH_TURN, 0);
	close_button(ui, &f, f.footer);
}

void ui_screen_technician(BoothUi *ui)
{
	ui_fill(ui, ui_theme(ui)->bg);
	ui->escape.type = RELAIS_JOURNEY_N_EVENTS;
	switch (ui->tech.mode) {
	case BOOTH_UI_TECH_NOT_SET_UP:
		not_set_up(ui);
		break;
	case BOOTH_UI_TECH_PIN:
		pin_pad(ui);
		break;
	case BOOTH_UI_TECH_REPORT:
	default:
		report(ui);
		break;
	}
}
