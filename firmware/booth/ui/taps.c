/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Synthetic touches and keys for the control socket (tests, technicians):
 * pushed through SDL's event queue like a finger or a keyboard, and handled
 * at once, so that they take the real screen path. */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/ui-state.h"

/* A finger down and up at the centre of `r`, through SDL's event queue. */
static gboolean press(BoothUi *ui, const SDL_Rect *r, GError **error)
{
	int w = 0, h = 0;
	SDL_Window *win = booth_ui_get_window(ui);
	if (win)
		SDL_GetWindowSize(win, &w, &h);
	if (w <= 0 || h <= 0) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "no window");
		return FALSE;
	}
	SDL_Event e = {0};
	e.tfinger.x = (r->x + r->w / 2.0f) / w;
	e.tfinger.y = (r->y + r->h / 2.0f) / h;
	e.tfinger.fingerId = 1;
	e.tfinger.timestamp = SDL_GetTicks();
	e.type = SDL_FINGERDOWN;
	SDL_PushEvent(&e);
	e.type = SDL_FINGERUP;
	SDL_PushEvent(&e);
	/* handled now, as the next UI tick would */
	booth_ui_pump(ui);
	return TRUE;
}

static const struct {
	const char *name;
	BoothUiKey key;
} key_names[] = {
	{"open", BOOTH_UI_KEY_OPEN},	   {"space", BOOTH_UI_KEY_SPACE},     {"backspace", BOOTH_UI_KEY_BACKSPACE},
	{"shift", BOOTH_UI_KEY_SHIFT},	   {"letters", BOOTH_UI_KEY_LETTERS}, {"accents", BOOTH_UI_KEY_ACCENTS},
	{"symbols", BOOTH_UI_KEY_SYMBOLS}, {"send", BOOTH_UI_KEY_SEND},	      {"close", BOOTH_UI_KEY_CLOSE},
};

gboolean booth_ui_tap(BoothUi *ui, RelaisJourneyEventType type, const char *str, int num, GError **error)
{
	/* targets are those of the last frame drawn: draw the current view */
	booth_ui_render(ui);
	SDL_Rect r;
	if (!booth_ui_find_target(ui, type, str, num, &r)) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "no '%s'%s%s target on the %s screen",
			    relais_journey_event_name(type), str ? " " : "", str ? str : "",
			    relais_journey_state_name(ui->view.state));
		return FALSE;
	}
	return press(ui, &r, error);
}

gboolean booth_ui_tap_key(BoothUi *ui, const char *key, GError **error)
{
	booth_ui_render(ui);
	BoothUiKey k = BOOTH_UI_KEY_CHAR;
	for (guint i = 0; i < G_N_ELEMENTS(key_names); i++)
		if (g_strcmp0(key, key_names[i].name) == 0)
			k = key_names[i].key;
	SDL_Rect r;
	if (key == NULL || !booth_ui_find_key(ui, k, key, &r)) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "no keyboard key '%s' on screen",
			    key ? key : "");
		return FALSE;
	}
	return press(ui, &r, error);
}

gboolean booth_ui_tap_document(BoothUi *ui, const char *button, GError **error)
{
	static const char *const names[] = {"prev", "next", "close"};
	booth_ui_render(ui);
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		SDL_Rect r;
		if (g_strcmp0(button, names[i]) != 0)
			continue;
		if (!booth_ui_find_document_target(ui, (BoothUiDocAction)i, &r)) {
			g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "no document button '%s' on screen",
				    button);
			return FALSE;
		}
		return press(ui, &r, error);
	}
	g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "document buttons are prev, next and close");
	return FALSE;
}

gboolean booth_ui_tap_guest(BoothUi *ui, const char *button, GError **error)
{
	gboolean yes = g_strcmp0(button, "yes") == 0;
	if (!yes && g_strcmp0(button, "no") != 0) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "the guest's buttons are yes and no");
		return FALSE;
	}
	booth_ui_render(ui);
	for (guint i = ui->targets->len; i-- > 0;) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		if (t->kind == TARGET_GUEST && !t->accept == !yes) {
			SDL_Rect r = t->rect;
			return press(ui, &r, error);
		}
	}
	g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "no guest is asking on screen");
	return FALSE;
}

gboolean booth_ui_press_key(BoothUi *ui, const char *key_name, GError **error)
{
	SDL_Keycode k = SDL_GetKeyFromName(key_name);
	if (k == SDLK_UNKNOWN) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "unknown key '%s'", key_name);
		return FALSE;
	}
	booth_ui_render(ui);
	SDL_Event e = {0};
	e.key.keysym.sym = k;
	e.key.keysym.scancode = SDL_GetScancodeFromKey(k);
	e.key.state = SDL_PRESSED;
	e.type = SDL_KEYDOWN;
	SDL_PushEvent(&e);
	e.key.state = SDL_RELEASED;
	e.type = SDL_KEYUP;
	SDL_PushEvent(&e);
	booth_ui_pump(ui);
	return TRUE;
}

gboolean booth_ui_tap_technician(BoothUi *ui, const char *button, GError **error)
{
	booth_ui_render(ui);
	SDL_Rect r;
	if (!booth_ui_find_technician_target(ui, button, &r)) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "no technician button '%s' on screen",
			    button ? button : "");
		return FALSE;
	}
	return press(ui, &r, error);
}

gboolean booth_ui_touch(BoothUi *ui, gboolean down, int x, int y, GError **error)
{
	int w = 0, h = 0;
	SDL_Window *win = booth_ui_get_window(ui);
	if (win)
		SDL_GetWindowSize(win, &w, &h);
	if (w <= 0 || h <= 0) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "no window");
		return FALSE;
	}
	if (x < 0 || y < 0 || x >= w || y >= h) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "%d,%d is off the %dx%d screen", x, y, w, h);
		return FALSE;
	}
	/* the targets a finger lands on are those of the frame on screen */
	booth_ui_render(ui);
	SDL_Event e = {0};
	e.tfinger.x = (x + 0.5f) / w;
	e.tfinger.y = (y + 0.5f) / h;
	e.tfinger.fingerId = 1;
	e.tfinger.timestamp = SDL_GetTicks();
	e.type = down ? SDL_FINGERDOWN : SDL_FINGERUP;
	SDL_PushEvent(&e);
	booth_ui_pump(ui);
	return TRUE;
}
