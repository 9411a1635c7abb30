/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/ui-private.h"
#include "relais-config.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK(booth - ui - error - quark, booth_ui_error)

/* Calm and friendly: warm paper background, deep teal for the one thing to
 * do next, no red except to hang up. Contrast ratios >= 7:1 for text. */
static const UiTheme theme_calm = {
	.bg = {0xf6, 0xf3, 0xec, 0xff},
	.surface = {0xff, 0xff, 0xff, 0xff},
	.ink = {0x1b, 0x26, 0x30, 0xff},
	.muted_ink = {0x4a, 0x55, 0x5e, 0xff},
	.primary = {0x0b, 0x5f, 0x63, 0xff},
	.on_primary = {0xff, 0xff, 0xff, 0xff},
	.border = {0xc4, 0xcc, 0xc9, 0xff},
	.danger = {0xb3, 0x26, 0x1e, 0xff},
	.on_danger = {0xff, 0xff, 0xff, 0xff},
	.focus = {0xe0, 0x8a, 0x00, 0xff},
	.selected = {0xd9, 0xee, 0xea, 0xff},
	.video_bg = {0x22, 0x2b, 0x31, 0xff},
	.overlay = {0x10, 0x18, 0x1e, 0xc0},
	.border_px = 2,
};

static const UiTheme theme_contrast = {
	.bg = {0xff, 0xff, 0xff, 0xff},
	.surface = {0xff, 0xff, 0xff, 0xff},
	.ink = {0x00, 0x00, 0x00, 0xff},
	.muted_ink = {0x00, 0x00, 0x00, 0xff},
	.primary = {0x00, 0x00, 0x00, 0xff},
	.on_primary = {0xff, 0xff, 0xff, 0xff},
	.border = {0x00, 0x00, 0x00, 0xff},
	.danger = {0x9a, 0x00, 0x00, 0xff},
	.on_danger = {0xff, 0xff, 0xff, 0xff},
	.focus = {0x00, 0x4c, 0xff, 0xff},
	.selected = {0xff, 0xe6, 0x00, 0xff},
	.video_bg = {0x00, 0x00, 0x00, 0xff},
	.overlay = {0x00, 0x00, 0x00, 0xe0},
	.border_px = 4,
};

const UiTheme *ui_theme(BoothUi *ui)
{
	return ui->high_contrast ? &theme_contrast : &theme_calm;
}

/* Lengths are designed at 1280x800 and scaled by the shorter ratio, so a
 * layout fits 800x480 and 1920x1080 alike. */
int ui_px(BoothUi *ui, double base)
{
	double s = MIN(ui->w / 1280.0, ui->h / 800.0);
	return (int)lround(base * s);
}

int booth_ui_mm_to_px(BoothUi *ui, double mm)
{
	return (int)ceil(mm * ui->dpi / 25.4);
}

int ui_target_px(BoothUi *ui)
{
	return booth_ui_mm_to_px(ui, CONFIG_RELAIS_UI_MIN_TARGET_MM);
}

/* --- fonts and text ------------------------------------------------------ */

static const char *const font_candidates[2][3] = {
	/* fonts-noto-core when present (wider script coverage), else
	 * fonts-dejavu-core, which the image always installs */
	{"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	 NULL},
	{"/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
	 NULL},
};

static char *find_font(const char *configured, int bold, GError **error)
{
	if (configured) {
		if (g_file_test(configured, G_FILE_TEST_IS_REGULAR))
			return g_strdup(configured);
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_FONT, "font %s not found", configured);
		return NULL;
	}
	for (const char *const *p = font_candidates[bold]; *p; p++)
		if (g_file_test(*p, G_FILE_TEST_IS_REGULAR))
			return g_strdup(*p);
	g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_FONT,
		    "no UI font: install fonts-dejavu-core (looked for %s and %s)", font_candidates[bold][0],
		    font_candidates[bold][1]);
	return NULL;
}

static const double font_base[N_FONT_ROLES] = {21, 27, 29, 42, 96};

static TTF_Font *font_get(BoothUi *ui, UiFontRole role, gboolean bold)
{
	double scale = ui->large_text ? 1.3 : 1.0;
	int px = MAX(10, ui_px(ui, font_base[role] * scale));
	gpointer key = GINT_TO_POINTER((bold ? 1 << 16 : 0) | px);
	TTF_Font *f = g_hash_table_lookup(ui->fonts, key);
	if (f == NULL) {
		/* Opened at booth_ui_new() already for one size: a failure here
		 * would be memory; draw nothing rather than abort a kiosk. */
		f = TTF_OpenFont(ui->font_paths[bold ? 1 : 0], px);
		if (f == NULL) {
			g_warning("font %s at %d px: %s", ui->font_paths[bold ? 1 : 0], px, TTF_GetError());
			return NULL;
		}
		TTF_SetFontWrappedAlign(f, TTF_WRAPPED_ALIGN_CENTER);
		g_hash_table_insert(ui->fonts, key, f);
	}
	return f;
}

static SDL_Surface *text_surface(BoothUi *ui, UiFontRole role, gboolean bold, const char *text, int wrap_w, int align,
				 SDL_Color c)
{
	TTF_Font *f = font_get(ui, role, bold);
	if (f == NULL || text == NULL || *text == '\0')
		return NULL;
	TTF_SetFontWrappedAlign(f, align < 0   ? TTF_WRAPPED_ALIGN_LEFT
				   : align > 0 ? TTF_WRAPPED_ALIGN_RIGHT
					       : TTF_WRAPPED_ALIGN_CENTER);
	return TTF_RenderUTF8_Blended_Wrapped(f, text, c, (Uint32)MAX(wrap_w, 1));
}

int ui_text_width(BoothUi *ui, UiFontRole role, gboolean bold, const char *text)
{
	TTF_Font *f = font_get(ui, role, bold);
	int w = 0, h = 0;
	if (f == NULL || text == NULL || TTF_SizeUTF8(f, text, &w, &h) != 0)
		return 0;
	return w;
}

int ui_text_height(BoothUi *ui, UiFontRole role, gboolean bold, const char *text, int wrap_w)
{
	g_autoptr(SDL_Surface) s = text_surface(ui, role, bold, text, wrap_w, 0, (SDL_Color){0, 0, 0, 255});
	return s ? s->h : 0;
}

int ui_text(BoothUi *ui, UiFontRole role, gboolean bold, const char *text, SDL_Rect r, int align,
	    gboolean valign_centre, SDL_Color c)
{
	g_autoptr(SDL_Surface) s = text_surface(ui, role, bold, text, r.w, align, c);
	if (s == NULL)
		return 0;
	g_autoptr(SDL_Texture) t = SDL_CreateTextureFromSurface(ui->renderer, s);
	if (t == NULL)
		return 0;
	SDL_Rect d = {r.x, r.y, MIN(s->w, r.w), s->h};
	if (align == 0)
		d.x = r.x + (r.w - d.w) / 2;
	else if (align > 0)
		d.x = r.x + r.w - d.w;
	if (valign_centre)
		d.y = r.y + (r.h - d.h) / 2;
	SDL_Rect src = {0, 0, d.w, d.h};
	SDL_RenderCopy(ui->renderer, t, &src, &d);
	return s->h;
}

const char *ui_tr_lang(BoothUi *ui, const char *language, const char *msgid)
{
	const RelaisCatalog *cat = language ? g_hash_table_lookup(ui->catalogs, language) : NULL;
	const char *s = relais_catalog_lookup(cat, msgid);
	if (s == NULL) /* gap in a catalog: the default language, then the id */
		s = relais_catalog_get(g_hash_table_lookup(ui->catalogs, ui->languages[0]), msgid);
	return s;
}

const char *ui_tr(BoothUi *ui, const char *msgid)
{
	return ui_tr_lang(ui, ui->language, msgid);
}

const char *booth_ui_tr(BoothUi *ui, const char *msgid)
{
	return ui_tr(ui, msgid);
}

/* --- shapes -------------------------------------------------------------- */

void ui_fill(BoothUi *ui, SDL_Color c)
{
	SDL_SetRenderDrawColor(ui->renderer, c.r, c.g, c.b, c.a);
	SDL_RenderClear(ui->renderer);
}

/* A filled rounded rectangle as one triangle fan (SDL_RenderGeometry):
 * SDL2 has no rounded shapes, and a fan costs a handful of triangles. */
void ui_round_rect(BoothUi *ui, SDL_Rect r, int radius, SDL_Color c)
{
	enum { SEG = 8 };
	SDL_Vertex v[1 + 4 * (SEG + 1) + 1];
	int idx[3 * (4 * (SEG + 1))];
	radius = MIN(radius, MIN(r.w, r.h) / 2);
	float cx[4] = {r.x + r.w - radius, r.x + radius, r.x + radius, r.x + r.w - radius};
	float cy[4] = {r.y + radius, r.y + radius, r.y + r.h - radius, r.y + r.h - radius};
	int n = 0;
	v[n++] = (SDL_Vertex){{r.x + r.w / 2.0f, r.y + r.h / 2.0f}, c, {0, 0}};
	for (int k = 0; k < 4; k++)
		for (int i = 0; i <= SEG; i++) {
			double a = (k * 90.0 + i * 90.0 / SEG) * G_PI / 180.0;
			v[n++] = (SDL_Vertex){
				{cx[k] + radius * (float)cos(a), cy[k] - radius * (float)sin(a)}, c, {0, 0}};
		}
	int m = 0;
	for (int i = 1; i < n; i++) {
		idx[m++] = 0;
		idx[m++] = i;
		idx[m++] = i + 1 < n ? i + 1 : 1;
	}
	SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_BLEND);
	SDL_RenderGeometry(ui->renderer, NULL, v, n, idx, m);
}

void ui_round_frame(BoothUi *ui, SDL_Rect r, int radius, int width, SDL_Color c)
{
	/* outline = outer shape minus inner shape; drawn as four bands so that
	 * what is inside stays untouched */
	for (int i = 0; i < width; i++) {
		SDL_Rect o = {r.x + i, r.y + i, r.w - 2 * i, r.h - 2 * i};
		int rad = MAX(radius - i, 0);
		SDL_SetRenderDrawColor(ui->renderer, c.r, c.g, c.b, c.a);
		SDL_RenderDrawLine(ui->renderer, o.x + rad, o.y, o.x + o.w - 1 - rad, o.y);
		SDL_RenderDrawLine(ui->renderer, o.x + rad, o.y + o.h - 1, o.x + o.w - 1 - rad, o.y + o.h - 1);
		SDL_RenderDrawLine(ui->renderer, o.x, o.y + rad, o.x, o.y + o.h - 1 - rad);
		SDL_RenderDrawLine(ui->renderer, o.x + o.w - 1, o.y + rad, o.x + o.w - 1, o.y + o.h - 1 - rad);
		int steps = MAX(8, rad * 2);
		for (int s = 0; s <= steps && rad > 0; s++) {
			double a = s * (G_PI / 2) / steps;
			int dx = (int)lround(rad * cos(a)), dy = (int)lround(rad * sin(a));
			SDL_RenderDrawPoint(ui->renderer, o.x + o.w - 1 - rad + dx, o.y + rad - dy);
			SDL_RenderDrawPoint(ui->renderer, o.x + rad - dx, o.y + rad - dy);
			SDL_RenderDrawPoint(ui->renderer, o.x + rad - dx, o.y + o.h - 1 - rad + dy);
			SDL_RenderDrawPoint(ui->renderer, o.x + o.w - 1 - rad + dx, o.y + o.h - 1 - rad + dy);
		}
	}
}

void ui_circle(BoothUi *ui, float cx, float cy, float radius, SDL_Color c)
{
	enum { SEG = 48 };
	SDL_Vertex v[SEG + 1];
	int idx[3 * SEG];
	v[0] = (SDL_Vertex){{cx, cy}, c, {0, 0}};
	for (int i = 0; i < SEG; i++) {
		double a = i * 2 * G_PI / SEG;
		v[i + 1] = (SDL_Vertex){{cx + radius * (float)cos(a), cy + radius * (float)sin(a)}, c, {0, 0}};
		idx[3 * i] = 0;
		idx[3 * i + 1] = i + 1;
		idx[3 * i + 2] = i + 1 < SEG ? i + 2 : 1;
	}
	SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_BLEND);
	SDL_RenderGeometry(ui->renderer, NULL, v, SEG + 1, idx, 3 * SEG);
}

/* --- targets and buttons ------------------------------------------------- */

void ui_add_target(BoothUi *ui, SDL_Rect r, UiTargetKind kind, RelaisJourneyEvent ev, gboolean focusable)
{
	UiTarget t = {r, kind, ev, focusable};
	g_array_append_val(ui->targets, t);
}

static gboolean is_focused(BoothUi *ui, guint index)
{
	return ui->focus >= 0 && (guint)ui->focus == index;
}

void ui_button(BoothUi *ui, SDL_Rect r, const char *label, UiButtonStyle style, gboolean selected, UiTargetKind kind,
	       RelaisJourneyEvent ev)
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
	guint index = ui->targets->len;
	ui_add_target(ui, r, kind, ev, TRUE);
	if (is_focused(ui, index)) {
		int f = MAX(3, ui_px(ui, 5));
		SDL_Rect ring = {r.x - 2 * f, r.y - 2 * f, r.w + 4 * f, r.h + 4 * f};
		ui_round_rect(ui, ring, radius + 2 * f, t->focus);
		SDL_Rect gap = {r.x - f, r.y - f, r.w + 2 * f, r.h + 2 * f};
		ui_round_rect(ui, gap, radius + f, t->bg);
	}
	ui_round_rect(ui, r, radius, fill);
	ui_round_frame(ui, r, radius, selected ? t->border_px * 2 : t->border_px, edge);
	SDL_Rect inner = {r.x + ui_px(ui, 14), r.y, r.w - 2 * ui_px(ui, 14), r.h};
	ui_text(ui, FONT_BUTTON, style == BTN_PRIMARY || style == BTN_DANGER || selected, label, inner, 0, TRUE, ink);
}

/* --- life cycle ---------------------------------------------------------- */

static void chat_clear(BoothUi *ui)
{
	for (guint i = 0; i < ui->n_chat; i++)
		g_free((char *)ui->chat[i].text);
	ui->n_chat = 0;
}

BoothUi *booth_ui_new(const BoothUiConfig *config, GError **error)
{
	g_return_val_if_fail(config != NULL && config->questions != NULL, NULL);
	g_autoptr(BoothUi) ui = g_new0(BoothUi, 1);
	ui->w = config->width ? config->width : CONFIG_RELAIS_UI_WIDTH;
	ui->h = config->height ? config->height : CONFIG_RELAIS_UI_HEIGHT;
	ui->dpi = config->dpi ? config->dpi : CONFIG_RELAIS_UI_DPI;
	ui->default_contrast = ui->high_contrast = config->high_contrast;
	ui->default_large = ui->large_text = config->large_text;
	ui->questions = config->questions;
	ui->targets = g_array_new(FALSE, TRUE, sizeof(UiTarget));
	ui->focus = -1;
	ui->escape.type = RELAIS_JOURNEY_N_EVENTS;
	ui->fonts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)TTF_CloseFont);
	ui->catalogs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)relais_catalog_free);
	if (config->languages)
		ui->languages = g_strdupv((char **)config->languages);
	else
		ui->languages = g_strsplit_set(CONFIG_RELAIS_UI_LANGUAGES, " ", -1);
	if (ui->languages[0] == NULL || *ui->languages[0] == '\0') {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_CATALOG, "no language configured");
		return NULL;
	}
	ui->language = g_strdup(ui->languages[0]);
	ui->view.state = RELAIS_JOURNEY_ATTRACT;
	ui->view.language = ui->language;
	ui->drawn_state = RELAIS_JOURNEY_N_STATES;

	const char *locale_dir = config->locale_dir ? config->locale_dir : CONFIG_RELAIS_UI_LOCALE_DIR;
	for (char **l = ui->languages; *l; l++) {
		RelaisCatalog *cat = relais_catalog_load(locale_dir, *l, error);
		if (cat == NULL)
			return NULL;
		g_hash_table_insert(ui->catalogs, g_strdup(*l), cat);
	}

	if (!(ui->font_paths[0] = find_font(config->font_regular, 0, error)) ||
	    !(ui->font_paths[1] = find_font(config->font_bold, 1, error)))
		return NULL;

	/* Touch is handled as touch: without this hint SDL also synthesises
	 * mouse events and every tap would act twice. */
	SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
	if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "SDL video (%s): %s",
			    g_getenv("SDL_VIDEODRIVER") ? g_getenv("SDL_VIDEODRIVER") : "default driver",
			    SDL_GetError());
		return NULL;
	}
	if (TTF_Init() != 0) {
		SDL_QuitSubSystem(SDL_INIT_VIDEO);
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_FONT, "SDL_ttf: %s", TTF_GetError());
		return NULL;
	}
	ui->window = SDL_CreateWindow("Relais", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, ui->w, ui->h,
				      config->fullscreen ? SDL_WINDOW_FULLSCREEN : 0);
	if (ui->window)
		ui->renderer =
			SDL_CreateRenderer(ui->window, -1,
					   config->software ? SDL_RENDERER_SOFTWARE
							    : SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
	if (ui->renderer == NULL && ui->window && !config->software) /* no GPU: still usable */
		ui->renderer = SDL_CreateRenderer(ui->window, -1, SDL_RENDERER_SOFTWARE);
	if (ui->renderer == NULL) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "SDL window %dx%d: %s", ui->w, ui->h,
			    SDL_GetError());
		return NULL;
	}
	/* one size now, so that a broken font file fails here, clearly */
	if (font_get(ui, FONT_BODY, FALSE) == NULL || font_get(ui, FONT_BODY, TRUE) == NULL) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_FONT, "cannot open font %s: %s", ui->font_paths[0],
			    TTF_GetError());
		return NULL;
	}
	ui->last_input_us = g_get_monotonic_time();
	return g_steal_pointer(&ui);
}

void booth_ui_free(BoothUi *ui)
{
	if (ui == NULL)
		return;
	if (ui->source_id) {
		GSource *s = g_main_context_find_source_by_id(ui->context, ui->source_id);
		if (s)
			g_source_destroy(s);
	}
	g_clear_pointer(&ui->context, g_main_context_unref);
	ui_video_destroy(ui);
	g_hash_table_destroy(ui->fonts);
	g_hash_table_destroy(ui->catalogs);
	chat_clear(ui);
	g_free(ui->language);
	g_free(ui->answer);
	g_free(ui->next_opening);
	g_free(ui->fault);
	g_strfreev(ui->languages);
	g_free(ui->font_paths[0]);
	g_free(ui->font_paths[1]);
	g_array_unref(ui->targets);
	gboolean inited = ui->window != NULL;
	if (ui->renderer)
		SDL_DestroyRenderer(ui->renderer);
	if (ui->window)
		SDL_DestroyWindow(ui->window);
	if (inited) {
		TTF_Quit();
		SDL_QuitSubSystem(SDL_INIT_VIDEO);
	}
	g_free(ui);
}

void booth_ui_set_event_func(BoothUi *ui, BoothUiEventFunc func, gpointer user_data)
{
	ui->func = func;
	ui->func_data = user_data;
}

void booth_ui_view_from_journey(BoothUiView *view, const RelaisJourney *j)
{
	view->state = relais_journey_get_state(j);
	view->language = relais_journey_get_language(j);
	view->question = relais_journey_get_question_index(j);
	view->answer = relais_journey_get_answer(j, view->question);
	view->muted = relais_journey_get_muted(j);
	view->camera_off = relais_journey_get_camera_off(j);
	view->volume = relais_journey_get_volume(j);
	view->reconnecting = relais_journey_get_link_down(j);
	view->next_opening = relais_journey_get_next_opening(j);
	view->fault = relais_journey_get_fault(j);
}

static void replace(char **slot, const char *s)
{
	char *old = *slot;
	*slot = g_strdup(s);
	g_free(old);
}

void booth_ui_set_view(BoothUi *ui, const BoothUiView *view)
{
	RelaisJourneyState before = ui->view.state;
	ui->view = *view;
	if (view->language && g_hash_table_contains(ui->catalogs, view->language))
		replace(&ui->language, view->language);
	replace(&ui->answer, view->answer);
	replace(&ui->next_opening, view->next_opening);
	replace(&ui->fault, view->fault);
	ui->view.language = ui->language;
	ui->view.answer = ui->answer;
	ui->view.next_opening = ui->next_opening;
	ui->view.fault = ui->fault;
	if (ui->view.question >= relais_questions_count(ui->questions))
		ui->view.question = 0;
	chat_clear(ui);
	guint first = view->n_chat > UI_MAX_CHAT ? view->n_chat - UI_MAX_CHAT : 0;
	for (guint i = first; i < view->n_chat; i++) {
		ui->chat[ui->n_chat].from_adviser = view->chat[i].from_adviser;
		ui->chat[ui->n_chat].text = g_strdup(view->chat[i].text ? view->chat[i].text : "");
		ui->n_chat++;
	}
	ui->view.chat = ui->chat;
	ui->view.n_chat = ui->n_chat;
	/* A new visitor starts from the site's defaults, not from the
	 * previous visitor's choices. */
	if (view->state == RELAIS_JOURNEY_ATTRACT && before != RELAIS_JOURNEY_ATTRACT) {
		ui->high_contrast = ui->default_contrast;
		ui->large_text = ui->default_large;
	}
	if (view->state == RELAIS_JOURNEY_ATTRACT || view->state == RELAIS_JOURNEY_WIPED ||
	    view->state == RELAIS_JOURNEY_OUT_OF_ORDER) {
		booth_ui_clear_video(ui, BOOTH_UI_VIDEO_LOCAL);
		booth_ui_clear_video(ui, BOOTH_UI_VIDEO_REMOTE);
	}
}

void booth_ui_render(BoothUi *ui)
{
	ui_video_poll_mailboxes(ui);
	/* Focus belongs to a screen: a new screen starts with none, so that a
	 * touch user never sees a stray ring, and Tab starts at the top. */
	if (ui->view.state != ui->drawn_state || ui->view.question != ui->drawn_question)
		ui->focus = -1;
	ui->drawn_state = ui->view.state;
	ui->drawn_question = ui->view.question;
	g_array_set_size(ui->targets, 0);
	ui->escape.type = RELAIS_JOURNEY_N_EVENTS;
	ui_draw_screen(ui);
	SDL_RenderPresent(ui->renderer);
}

/* --- input --------------------------------------------------------------- */

static void emit(BoothUi *ui, const UiTarget *t)
{
	switch (t->kind) {
	case TARGET_LARGE_TEXT:
		ui->large_text = !ui->large_text;
		return;
	case TARGET_CONTRAST:
		ui->high_contrast = !ui->high_contrast;
		return;
	case TARGET_JOURNEY:
		if (ui->func)
			ui->func(&t->ev, ui->func_data);
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
			return;
		}
	}
}

static guint count_focusable(BoothUi *ui)
{
	guint n = 0;
	for (guint i = 0; i < ui->targets->len; i++)
		n += g_array_index(ui->targets, UiTarget, i).focusable;
	return n;
}

gboolean booth_ui_handle_event(BoothUi *ui, const SDL_Event *e)
{
	const UiTarget *t = NULL;
	switch (e->type) {
	case SDL_MOUSEBUTTONUP:
		if (e->button.button != SDL_BUTTON_LEFT)
			return FALSE;
		t = hit(ui, e->button.x, e->button.y);
		break;
	case SDL_FINGERUP:
		t = hit(ui, (int)(e->tfinger.x * ui->w), (int)(e->tfinger.y * ui->h));
		break;
	case SDL_KEYDOWN: {
		SDL_Keycode k = e->key.keysym.sym;
		ui->last_input_us = g_get_monotonic_time();
		if (k == SDLK_TAB) {
			move_focus(ui, (e->key.keysym.mod & KMOD_SHIFT) ? -1 : 1);
		} else if (k == SDLK_RIGHT || k == SDLK_DOWN) {
			move_focus(ui, 1);
		} else if (k == SDLK_LEFT || k == SDLK_UP) {
			move_focus(ui, -1);
		} else if (k == SDLK_RETURN || k == SDLK_KP_ENTER || k == SDLK_SPACE) {
			/* Enter with nothing focused: act when the screen has a
			 * single button (attract, still there), else show the
			 * focus ring first rather than guess. */
			if (ui->focus < 0 && count_focusable(ui) == 1)
				move_focus(ui, 1);
			if (ui->focus >= 0 && (guint)ui->focus < ui->targets->len)
				emit(ui, &g_array_index(ui->targets, UiTarget, ui->focus));
			else
				move_focus(ui, 1);
		} else if (k == SDLK_ESCAPE) {
			if (ui->escape.type != RELAIS_JOURNEY_N_EVENTS && ui->func)
				ui->func(&ui->escape, ui->func_data);
		} else {
			return FALSE;
		}
		return TRUE;
	}
	default:
		return FALSE;
	}
	ui->last_input_us = g_get_monotonic_time();
	if (t == NULL)
		return FALSE;
	emit(ui, t);
	return TRUE;
}

void booth_ui_pump(BoothUi *ui)
{
	SDL_Event e;
	while (SDL_PollEvent(&e))
		booth_ui_handle_event(ui, &e);
}

static gboolean tick(gpointer data)
{
	BoothUi *ui = data;
	booth_ui_pump(ui);
	booth_ui_render(ui);
	return G_SOURCE_CONTINUE;
}

guint booth_ui_attach(BoothUi *ui, GMainContext *context)
{
	g_return_val_if_fail(ui->source_id == 0, 0);
	g_autoptr(GSource) s = g_timeout_source_new(16);
	g_source_set_callback(s, tick, ui, NULL);
	g_source_set_name(s, "booth-ui");
	ui->context = context ? g_main_context_ref(context) : g_main_context_ref_thread_default();
	ui->source_id = g_source_attach(s, ui->context);
	return ui->source_id;
}

void booth_ui_set_large_text(BoothUi *ui, gboolean on)
{
	ui->large_text = on;
}

void booth_ui_set_high_contrast(BoothUi *ui, gboolean on)
{
	ui->high_contrast = on;
}

gboolean booth_ui_get_large_text(BoothUi *ui)
{
	return ui->large_text;
}

gboolean booth_ui_get_high_contrast(BoothUi *ui)
{
	return ui->high_contrast;
}

gint64 booth_ui_get_last_input_us(BoothUi *ui)
{
	return ui->last_input_us;
}

gboolean booth_ui_find_target(BoothUi *ui, RelaisJourneyEventType type, const char *str, int num, SDL_Rect *rect)
{
	for (guint i = 0; i < ui->targets->len; i++) {
		const UiTarget *t = &g_array_index(ui->targets, UiTarget, i);
		if (t->kind != TARGET_JOURNEY || t->ev.type != type)
			continue;
		if (str && g_strcmp0(str, t->ev.str) != 0)
			continue;
		if (type == RELAIS_JOURNEY_EV_SCORE && num != t->ev.num)
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

SDL_Surface *booth_ui_snapshot(BoothUi *ui, GError **error)
{
	g_autoptr(SDL_Surface) s = SDL_CreateRGBSurfaceWithFormat(0, ui->w, ui->h, 24, SDL_PIXELFORMAT_RGB24);
	if (s == NULL || SDL_RenderReadPixels(ui->renderer, NULL, SDL_PIXELFORMAT_RGB24, s->pixels, s->pitch) != 0) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "reading pixels: %s", SDL_GetError());
		return NULL;
	}
	return g_steal_pointer(&s);
}
