/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Input: the touch targets of the last frame, the focus ring, and what a
 * touch, a click or a key does (a journey event, a key of the chat
 * keyboard, a document button, a toggle). Draws nothing. */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/input.h"

/* --- targets and focus --------------------------------------------------- */

void ui_add_target(BoothUi *ui, SDL_Rect r, UiTargetKind kind, RelaisJourneyEvent ev, gboolean focusable)
{
	UiTarget t = {r, kind, ev, focusable, 0, NULL};
	g_array_append_val(ui->targets, t);
}

gboolean ui_is_focused(BoothUi *ui, guint index)
{
	return ui->focus >= 0 && (guint)ui->focus == index;
}

/* After opening or closing the keyboard from a keyboard, the ring goes to
 * the first key, or back to "Write". */
gboolean ui_resolve_focus_want(BoothUi *ui)
{
	if (ui->focus_want < 0)
		return FALSE;
	int want = ui->focus_want;
	ui->focus_want = -1;
	for (guint i = 0; i < ui->targets->len; i++) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		if (t->kind == TARGET_KEY && (int)t->key == want) {
			ui->focus = (int)i;
			return TRUE;
		}
	}
	return FALSE;
}

/* --- touches and keys ---------------------------------------------------- */

static gboolean typing(BoothUi *ui)
{
	return ui->kb_open && ui->view.state == RELAIS_JOURNEY_IN_CALL;
}

static void emit(BoothUi *ui, const UiTarget *target, gboolean by_keys)
{
	/* a copy: the owner's callback may redraw, which rebuilds targets */
	UiTarget t = *target;
	ui->dirty = TRUE;
	switch (t.kind) {
	case TARGET_LARGE_TEXT:
		ui_set_toggles(ui, ui->high_contrast, !ui->large_text);
		return;
	case TARGET_CONTRAST:
		ui_set_toggles(ui, !ui->high_contrast, ui->large_text);
		return;
	case TARGET_KEY:
		ui_kb_press(ui, &t, by_keys);
		return;
	case TARGET_CODE_PAGE:
		ui->code_page++; /* the screen wraps it around */
		return;
	case TARGET_JOURNEY:
		if (ui->func)
			ui->func(&t.ev, ui->func_data);
		return;
	case TARGET_DOC:
		if (ui->doc_func)
			ui->doc_func(t.doc_action, ui->doc_func_data);
		return;
	case TARGET_TECH:
		if (ui->tech_func)
			ui->tech_func(&t.tech, ui->tech_func_data);
		return;
	case TARGET_GUEST:
		if (ui->guest_func)
			ui->guest_func(t.accept, ui->guest_func_data);
		return;
	}
}

/* The last-registered target wins: overlays (dialogs) are drawn, and
 * registered, after what they cover. */
static const UiTarget *hit(BoothUi *ui, int x, int y)
{
	SDL_Point p = {x, y};
	for (guint i = ui->targets->len; i-- > 0;) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		if (SDL_PointInRect(&p, &t->rect))
			return t;
	}
	return NULL;
}

static void move_focus(BoothUi *ui, int dir)
{
	int n = (int)ui->targets->len;
	if (n == 0)
		return;
	int f = ui->focus;
	for (int k = 0; k < n; k++) {
		f = f < 0 ? (dir > 0 ? 0 : n - 1) : (f + dir + n) % n;
		if (g_array_index(ui->targets, UiTarget, f).focusable) {
			ui->focus = f;
			ui->dirty = TRUE;
			return;
		}
	}
}

/* On the keyboard, Up and Down go to the key above or below (the nearest
 * row, then the nearest column), as on any keyboard grid. */
static void move_focus_vertical(BoothUi *ui, int dir)
{
	if (ui->focus < 0 || ui->focus >= (int)ui->targets->len) {
		move_focus(ui, dir);
		return;
	}
	const UiTarget *cur = &g_array_index(ui->targets, UiTarget, ui->focus);
	int cx = cur->rect.x + cur->rect.w / 2, cy = cur->rect.y + cur->rect.h / 2;
	int best = -1;
	gint64 best_score = G_MAXINT64;
	for (guint i = 0; i < ui->targets->len; i++) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		int dy = (t->rect.y + t->rect.h / 2 - cy) * dir, dx = ABS(t->rect.x + t->rect.w / 2 - cx);
		if (!t->focusable || dy <= cur->rect.h / 2)
			continue;
		gint64 score = (gint64)dy * 100000 + dx;
		if (score < best_score)
			best_score = score, best = (int)i;
	}
	if (best >= 0) {
		ui->focus = best;
		ui->dirty = TRUE;
	}
}

static guint count_focusable(BoothUi *ui)
{
	guint n = 0;
	for (guint i = 0; i < ui->targets->len; i++)
		n += g_array_index(ui->targets, UiTarget, i).focusable;
	return n;
}

/* The code screen: letters and digits of the booking alphabet as typed
 * (either case), Backspace deletes. Other keys keep their meaning. */
static gboolean code_key(BoothUi *ui, SDL_Keycode k)
{
	RelaisJourneyEvent ev = {.type = RELAIS_JOURNEY_EV_CODE_DELETE};
	char c[2] = {0, 0};
	if (k != SDLK_BACKSPACE) {
		if (!((k >= SDLK_a && k <= SDLK_z) || (k >= SDLK_0 && k <= SDLK_9)))
			return FALSE;
		c[0] = g_ascii_toupper((char)k);
		ev = (RelaisJourneyEvent){.type = RELAIS_JOURNEY_EV_CODE_CHAR, .str = c};
	}
	/* the journey refuses what is not of the alphabet (0, O, 1, I) */
	if (ui->func)
		ui->func(&ev, ui->func_data);
	ui->dirty = TRUE;
	return TRUE;
}

static gboolean handle_key(BoothUi *ui, const SDL_KeyboardEvent *e)
{
	SDL_Keycode k = e->keysym.sym;
	gboolean kb = typing(ui);
	if (k == SDLK_TAB) {
		move_focus(ui, (e->keysym.mod & KMOD_SHIFT) ? -1 : 1);
	} else if (k == SDLK_RIGHT || k == SDLK_LEFT) {
		move_focus(ui, k == SDLK_RIGHT ? 1 : -1);
	} else if (k == SDLK_DOWN || k == SDLK_UP) {
		if (kb)
			move_focus_vertical(ui, k == SDLK_DOWN ? 1 : -1);
		else
			move_focus(ui, k == SDLK_DOWN ? 1 : -1);
	} else if (k == SDLK_RETURN || k == SDLK_KP_ENTER || (k == SDLK_SPACE && !kb)) {
		/* (while typing, Space is a space: it comes as text input) */
		if (kb && ui->focus < 0) {
			ui_kb_send(ui); /* typed on a physical keyboard */
			return TRUE;
		}
		/* Enter with nothing focused: act when the screen has a
		 * single button (attract, still there), else show the
		 * focus ring first rather than guess. */
		if (ui->focus < 0 && count_focusable(ui) == 1)
			move_focus(ui, 1);
		if (ui->focus >= 0 && (guint)ui->focus < ui->targets->len)
			emit(ui, &g_array_index(ui->targets, UiTarget, ui->focus), TRUE);
		else
			move_focus(ui, 1);
	} else if (k == SDLK_BACKSPACE && kb) {
		ui_kb_backspace(ui);
	} else if (ui->view.state == RELAIS_JOURNEY_CHECK_IN && code_key(ui, k)) {
		/* typed on a physical keyboard: handled */
	} else if (k == SDLK_ESCAPE) {
		if (kb) {
			ui_kb_reset(ui); /* back to the call's controls */
			ui->focus = -1;
			ui->focus_want = BOOTH_UI_KEY_OPEN;
			ui->dirty = TRUE;
		} else if (ui->escape.type != RELAIS_JOURNEY_N_EVENTS && ui->func) {
			RelaisJourneyEvent ev = ui->escape;
			ui->func(&ev, ui->func_data);
		}
	} else {
		return FALSE;
	}
	return TRUE;
}

/* The technician's gesture (techgate.h) is two presses held in the top
 * corners: each press is reported when it ends, with its corner and how
 * long it was held. A press held a second or more in a corner is not a
 * tap: on the attract screen the whole screen is "start". */
#define CORNER_NOT_A_TAP_MS 1000

static void press_down(BoothUi *ui, int x, int y)
{
	ui->press_down = TRUE;
	ui->press_x = x;
	ui->press_y = y;
	ui->press_us = g_get_monotonic_time();
	ui->last_input_us = ui->press_us;
	g_debug("press at %d,%d", x, y);
}

/* TRUE if the press was a technician's corner press, not a tap. */
static gboolean press_up(BoothUi *ui)
{
	if (!ui->press_down)
		return FALSE; /* an up without its down (synthetic): a tap */
	ui->press_down = FALSE;
	guint held_ms = (guint)MIN((g_get_monotonic_time() - ui->press_us) / 1000, G_MAXUINT);
	int zone = MAX(ui_target_px(ui), ui->w / 10);
	int corner = -1;
	if (ui->press_y < zone && ui->press_x < zone)
		corner = 0;
	else if (ui->press_y < zone && ui->press_x >= ui->w - zone)
		corner = 1;
	g_debug("press ended after %u ms (corner %d)", held_ms, corner);
	if (ui->tech_func) {
		BoothUiTechInput in = {BOOTH_UI_TECH_PRESS, 0, corner, held_ms};
		ui->tech_func(&in, ui->tech_func_data);
	}
	return corner >= 0 && held_ms >= CORNER_NOT_A_TAP_MS;
}

gboolean booth_ui_handle_event(BoothUi *ui, const SDL_Event *e)
{
	const UiTarget *t = NULL;
	switch (e->type) {
	case SDL_MOUSEBUTTONDOWN:
		if (e->button.button != SDL_BUTTON_LEFT)
			return FALSE;
		press_down(ui, e->button.x, e->button.y);
		return FALSE;
	case SDL_FINGERDOWN:
		press_down(ui, (int)(e->tfinger.x * ui->w), (int)(e->tfinger.y * ui->h));
		return FALSE;
	case SDL_MOUSEBUTTONUP:
		if (e->button.button != SDL_BUTTON_LEFT)
			return FALSE;
		if (press_up(ui))
			return TRUE;
		t = hit(ui, e->button.x, e->button.y);
		break;
	case SDL_FINGERUP:
		if (press_up(ui))
			return TRUE;
		t = hit(ui, (int)(e->tfinger.x * ui->w), (int)(e->tfinger.y * ui->h));
		break;
	case SDL_KEYDOWN:
		ui->last_input_us = g_get_monotonic_time();
		return handle_key(ui, &e->key);
	case SDL_TEXTINPUT:
		if (!typing(ui))
			return FALSE;
		ui->last_input_us = g_get_monotonic_time();
		ui_kb_insert(ui, e->text.text);
		return TRUE;
	case SDL_WINDOWEVENT:
		ui->dirty = TRUE; /* exposed, resized, restored: draw again */
		return FALSE;
	default:
		return FALSE;
	}
	ui->last_input_us = g_get_monotonic_time();
	if (t == NULL)
		return FALSE;
	emit(ui, t, FALSE);
	return TRUE;
}

void booth_ui_pump(BoothUi *ui)
{
	SDL_Event e;
	while (SDL_PollEvent(&e))
		booth_ui_handle_event(ui, &e);
}

gboolean booth_ui_find_key(BoothUi *ui, BoothUiKey key, const char *text, SDL_Rect *rect)
{
	for (guint i = 0; i < ui->targets->len; i++) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		if (t->kind != TARGET_KEY || t->key != key)
			continue;
		if (key == BOOTH_UI_KEY_CHAR && g_strcmp0(text, t->text) != 0)
			continue;
		*rect = t->rect;
		return TRUE;
	}
	return FALSE;
}

gboolean booth_ui_find_target(BoothUi *ui, RelaisJourneyEventType type, const char *str, int num, SDL_Rect *rect)
{
	for (guint i = 0; i < ui->targets->len; i++) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		if (t->kind != TARGET_JOURNEY || t->ev.type != type)
			continue;
		if (str && g_strcmp0(str, t->ev.str) != 0)
			continue;
		if ((type == RELAIS_JOURNEY_EV_SCORE || type == RELAIS_JOURNEY_EV_SLOT) && num != t->ev.num)
			continue;
		*rect = t->rect;
		return TRUE;
	}
	return FALSE;
}

int booth_ui_min_target_px(BoothUi *ui)
{
	int m = G_MAXINT;
	for (guint i = 0; i < ui->targets->len; i++) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		m = MIN(m, MIN(t->rect.w, t->rect.h));
	}
	return m == G_MAXINT ? 0 : m;
}
