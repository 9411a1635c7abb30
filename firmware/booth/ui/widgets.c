/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Widgets: buttons and keys (drawn, and registered as touch targets), and
 * the pieces every screen is made of: the frame, title and footer, the
 * accessibility toggles, the camera badge, the large-content layout of the
 * call. */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/widgets.h"

/* The button's look; its target is ui->targets[index]. */
static void draw_button(BoothUi *ui, SDL_Rect r, const char *label, UiFontRole font, UiButtonStyle style,
			gboolean selected, guint index)
{
	const UiTheme *t = ui_theme(ui);
	int radius = ui_px(ui, 18);
	SDL_Color fill = t->surface, ink = t->ink, edge = t->border;
	switch (style) {
	case BTN_PRIMARY:
		fill = t->primary, ink = t->on_primary, edge = t->primary;
		break;
	case BTN_DANGER:
		fill = t->danger, ink = t->on_danger, edge = t->danger;
		break;
	case BTN_QUIET:
		fill = t->bg, edge = t->border;
		break;
	default:
		break;
	}
	if (selected)
		fill = t->selected, ink = t->ink, edge = t->primary;
	if (ui_is_focused(ui, index)) {
		int f = MAX(3, ui_px(ui, 5));
		SDL_Rect ring = {r.x - 2 * f, r.y - 2 * f, r.w + 4 * f, r.h + 4 * f};
		ui_round_rect(ui, ring, radius + 2 * f, t->focus);
		SDL_Rect gap = {r.x - f, r.y - f, r.w + 2 * f, r.h + 2 * f};
		ui_round_rect(ui, gap, radius + f, t->bg);
	}
	ui_round_rect(ui, r, radius, fill);
	ui_round_frame(ui, r, radius, selected ? t->border_px * 2 : t->border_px, edge);
	SDL_Rect inner = {r.x + ui_px(ui, 14), r.y, r.w - 2 * ui_px(ui, 14), r.h};
	gboolean bold = font == FONT_BUTTON && (style == BTN_PRIMARY || style == BTN_DANGER || selected);
	ui_text(ui, font, bold, label, inner, 0, TRUE, ink);
}

void ui_button(BoothUi *ui, SDL_Rect r, const char *label, UiButtonStyle style, gboolean selected, UiTargetKind kind,
	       RelaisJourneyEvent ev)
{
	guint index = ui->targets->len;
	ui_add_target(ui, r, kind, ev, TRUE);
	draw_button(ui, r, label, FONT_BUTTON, style, selected, index);
}

void ui_button_face(BoothUi *ui, SDL_Rect r, const char *label, UiButtonStyle style, guint index)
{
	draw_button(ui, r, label, FONT_BUTTON, style, FALSE, index);
}

void ui_key(BoothUi *ui, SDL_Rect r, const char *label, UiFontRole font, UiButtonStyle style, gboolean selected,
	    BoothUiKey key, const char *text)
{
	guint index = ui->targets->len;
	UiTarget t = {r, TARGET_KEY, {RELAIS_JOURNEY_N_EVENTS}, TRUE, key, text};
	g_array_append_val(ui->targets, t);
	draw_button(ui, r, label, font, style, selected, index);
}

/* --- what every screen is made of ---------------------------------------- */

int ui_margin(BoothUi *ui)
{
	return MAX(12, ui_px(ui, 36));
}

UiFrame ui_frame(BoothUi *ui)
{
	UiFrame f;
	f.m = ui_margin(ui);
	f.gap = MAX(8, ui_px(ui, 18));
	f.target = MAX(ui_target_px(ui), ui_px(ui, 84));
	f.footer = (SDL_Rect){f.m, ui->h - f.m - f.target, ui->w - 2 * f.m, f.target};
	f.top = f.m;
	return f;
}

/* Step label (nullable) and title, left-aligned at the top. */
void ui_title(BoothUi *ui, UiFrame *f, const char *step, const char *text)
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
static int toggles_x(BoothUi *ui, const UiFrame *f)
{
	return f->footer.x + f->footer.w - 2 * f->footer.h - f->gap;
}

static void a11y_toggles(BoothUi *ui, const UiFrame *f)
{
	int s = f->footer.h;
	SDL_Rect larger = {toggles_x(ui, f), f->footer.y, s, s};
	SDL_Rect contrast = {larger.x + s + f->gap, f->footer.y, s, s};
	ui_button(ui, larger, "A+", BTN_QUIET, ui->large_text, TARGET_LARGE_TEXT, EV(RELAIS_JOURNEY_N_EVENTS));
	ui_button(ui, contrast, "\u25d0", BTN_QUIET, ui->high_contrast, TARGET_CONTRAST, EV(RELAIS_JOURNEY_N_EVENTS));
}

int ui_button_w(BoothUi *ui, const UiFrame *f, const char *label)
{
	int w = ui_text_width(ui, FONT_BUTTON, TRUE, label);
	return CLAMP(w + 2 * ui_px(ui, 40), f->target, ui->w / 2);
}

void ui_footer(BoothUi *ui, const UiFrame *f, gboolean back, const char *right_label, RelaisJourneyEvent right_ev,
	       UiButtonStyle right_style)
{
	int right_edge = toggles_x(ui, f) - f->gap;
	if (back) {
		const char *label = ui_tr(ui, "ui.back");
		SDL_Rect r = {f->footer.x, f->footer.y, ui_button_w(ui, f, label), f->footer.h};
		ui_button(ui, r, label, BTN_SECONDARY, FALSE, TARGET_JOURNEY, EV(RELAIS_JOURNEY_EV_BACK));
	}
	if (right_label) {
		int w = ui_button_w(ui, f, right_label);
		SDL_Rect r = {right_edge - w, f->footer.y, w, f->footer.h};
		ui_button(ui, r, right_label, right_style, FALSE, TARGET_JOURNEY, right_ev);
	}
	a11y_toggles(ui, f);
}

/* --- pictures (drawn, so that they follow the theme and need no files) ---- */

SDL_Color ui_rgb(guint32 hex)
{
	return (SDL_Color){(hex >> 16) & 0xff, (hex >> 8) & 0xff, hex & 0xff, 0xff};
}

void ui_icon_disc(BoothUi *ui, int cx, int cy, int radius, SDL_Color bg, const char *glyph, SDL_Color fg)
{
	ui_circle(ui, cx, cy, radius, bg);
	SDL_Rect r = {cx - radius, cy - radius, 2 * radius, 2 * radius};
	ui_text(ui, FONT_TITLE, TRUE, glyph, r, 0, TRUE, fg);
}

void ui_ring(BoothUi *ui, int cx, int cy, int r, SDL_Color c, SDL_Color inside)
{
	ui_circle(ui, cx, cy, r, c);
	ui_circle(ui, cx, cy, r - MAX(4, r / 10), inside);
}

/* --- the camera badge and the call's large-content layout ------------------ */

int ui_camera_badge_height(BoothUi *ui)
{
	return MAX(26, ui_px(ui, 42));
}

/* The camera's state, on screen for as long as it may run (self-check,
 * waiting, the call): a red dot and "Camera on", or a hollow one and
 * "Camera off". Drawn at (x, y), its top-left corner. Returns its width. */
int ui_camera_badge(BoothUi *ui, int x, int y)
{
	gboolean on = !ui->view.camera_off;
	const char *label = ui_tr(ui, on ? "ui.call.camera-on" : "ui.call.camera-off");
	int h = ui_camera_badge_height(ui), pad = MAX(6, ui_px(ui, 14));
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

void ui_call_large_content_layout(BoothUi *ui, UiLargeContentLayout *l)
{
	UiFrame f = ui_frame(ui);
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
