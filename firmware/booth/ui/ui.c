/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The top of the UI: its life cycle, when it draws (screens.h: the view's
 * screen), its tick, and what it reports. */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/screens.h"
#include "ui/view.h"
#include "relais-config.h"

#include <string.h>

G_DEFINE_QUARK(booth - ui - error - quark, booth_ui_error)

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
	ui->focus_want = -1;
	ui->escape.type = RELAIS_JOURNEY_N_EVENTS;
	ui->dirty = TRUE;
	ui->fixed_time_us = -1;
	ui_text_init(ui);
	ui->draft_lines = g_array_new(FALSE, FALSE, sizeof(gsize));
	ui->tech_items = g_array_new(FALSE, TRUE, sizeof(UiTechItem));
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

	if (!(ui->font_paths[0] = ui_find_font(config->font_regular, 0, error)) ||
	    !(ui->font_paths[1] = ui_find_font(config->font_bold, 1, error)))
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
	/* Headless (tests, screenshots, benchmarks): nobody sees the pixels,
	 * so draw in software straight into the window's memory; an
	 * "accelerated" renderer there is a GPU emulated on the CPU, and the
	 * default window framebuffer goes through one too (6 ms a frame). */
	const char *driver = SDL_GetCurrentVideoDriver();
	gboolean headless = g_strcmp0(driver, "offscreen") == 0 || g_strcmp0(driver, "dummy") == 0;
	gboolean software = config->software || headless;
	if (headless)
		SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
	ui->window = SDL_CreateWindow("Relais", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, ui->w, ui->h,
				      config->fullscreen ? SDL_WINDOW_FULLSCREEN : 0);
	if (ui->window)
		ui->renderer = SDL_CreateRenderer(ui->window, -1,
						  software ? SDL_RENDERER_SOFTWARE
							   : SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
	if (ui->renderer == NULL && ui->window && !software) /* no GPU: still usable */
		ui->renderer = SDL_CreateRenderer(ui->window, -1, SDL_RENDERER_SOFTWARE);
	/* SDL's software renderer draws into the window's memory, which
	 * keeps its pixels between presents: a new video frame alone is then
	 * redrawn where it is. A GPU's back buffer is undefined after a
	 * present, so everything is drawn each time there. */
	SDL_RendererInfo info;
	ui->software_renderer =
		ui->renderer && SDL_GetRendererInfo(ui->renderer, &info) == 0 && (info.flags & SDL_RENDERER_SOFTWARE);
	ui->keeps_pixels = ui->software_renderer && g_getenv("RELAIS_UI_FULL_REDRAW") == NULL;
	if (ui->renderer == NULL) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "SDL window %dx%d: %s", ui->w, ui->h,
			    SDL_GetError());
		return NULL;
	}
	/* one size now, so that a broken font file fails here, clearly */
	if (ui_font(ui, FONT_BODY, FALSE) == NULL || ui_font(ui, FONT_BODY, TRUE) == NULL) {
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
	if (ui->wake) {
		GSource *wake = ui->wake;
		ui_video_set_wake(ui, NULL); /* no streaming thread touches it after this */
		g_source_destroy(wake);
		g_source_unref(wake);
	}
	g_clear_pointer(&ui->context, g_main_context_unref);
	ui_kb_reset(ui);
	ui_doc_clear(ui);
	ui_tech_clear(ui);
	ui_video_destroy(ui);
	g_clear_pointer(&ui->stamp_stats, relais_stamp_stats_unref);
	ui_text_destroy(ui); /* before the renderer goes */
	g_array_unref(ui->draft_lines);
	g_hash_table_destroy(ui->catalogs);
	ui_view_free(ui);
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

static gboolean animating(BoothUi *ui);

/* Where the streams with a new frame were drawn by the last render, if
 * only they changed and the renderer keeps its pixels: the part of the
 * screen to redraw (everything is drawn again, clipped to it, so that what
 * lies over a picture, translucent or not, is the same). FALSE: all. */
static gboolean damage(BoothUi *ui, SDL_Rect *out)
{
	if (!ui->keeps_pixels || ui->dirty || ui->video_fresh == 0 || ui->focus_want >= 0 || animating(ui))
		return FALSE;
	gboolean any = FALSE;
	for (int i = 0; i < BOOTH_UI_N_VIDEO; i++) {
		if (!(ui->video_fresh & (1u << i)) || !ui->video_drawn[i])
			continue;
		if (any)
			SDL_UnionRect(out, &ui->video_rect[i], out);
		else
			*out = ui->video_rect[i];
		any = TRUE;
	}
	return any;
}

static void draw(BoothUi *ui)
{
	g_array_set_size(ui->targets, 0);
	memset(ui->video_drawn, 0, sizeof ui->video_drawn);
	ui->escape.type = RELAIS_JOURNEY_N_EVENTS;
	ui->stats.screen_shown = FALSE;
	ui->stats.three_layout = NULL;
	if (ui->tech.mode != BOOTH_UI_TECH_CLOSED)
		ui_screen_technician(ui);
	else
		ui_draw_screen(ui);
}

void booth_ui_render(BoothUi *ui)
{
	ui_video_poll_mailboxes(ui);
	ui->text_render++;
	/* Focus belongs to a screen: a new screen starts with none, so that a
	 * touch user never sees a stray ring, and Tab starts at the top. */
	gboolean new_screen = ui->view.state != ui->drawn_state || ui->view.question != ui->drawn_question;
	if (new_screen) {
		ui->focus = -1;
		ui->code_page = 0;
	}
	ui->drawn_state = ui->view.state;
	ui->drawn_question = ui->view.question;
	ui->damage_on = damage(ui, &ui->damage);
	ui->damage_hole = (SDL_Rect){0, 0, 0, 0};
	for (int i = 0; ui->damage_on && i < BOOTH_UI_N_VIDEO; i++)
		if (ui->video_drawn[i] &&
		    ui->video_rect[i].w * ui->video_rect[i].h > ui->damage_hole.w * ui->damage_hole.h)
			ui->damage_hole = ui->video_rect[i];
	if (ui->damage_on) {
		SDL_RenderSetClipRect(ui->renderer, &ui->damage);
		ui->stats.frames_partial++;
	}
	draw(ui);
	if (ui_resolve_focus_want(ui))
		draw(ui); /* with the ring where it now is */
	if (ui->focus >= (int)ui->targets->len)
		ui->focus = -1;
	/* A new screen keeps the textures of its own texts only: the journey's
	 * earlier screens (questions, consent, waiting) stayed in the cache
	 * through the whole call, 56 textures and 3.6 MB at 1280x800 against
	 * 8 and 0.2 MB for the call screen (bench-ui.mjs, "UI text cache"). */
	if (new_screen && !ui->damage_on)
		ui_text_cache_drop_unused(ui);
	if (ui->damage_on) {
		ui->damage_on = FALSE;
		SDL_RenderSetClipRect(ui->renderer, NULL);
	}
	SDL_RenderPresent(ui->renderer);
	ui_video_presented(ui);
	ui->dirty = FALSE;
	ui->video_fresh = 0;
	ui->last_render_us = g_get_monotonic_time();
	ui->stats.frames_rendered++;
}

static gboolean animating(BoothUi *ui)
{
	return ui->view.state == RELAIS_JOURNEY_WAITING;
}

static gboolean tick(gpointer data)
{
	BoothUi *ui = data;
	booth_ui_pump(ui);
	/* Half a tick of slack, or 16 ms ticks would round a 33 ms frame
	 * period up to 48 ms. */
	const gint64 slack = 8000;
	gint64 since = g_get_monotonic_time() - ui->last_render_us;
	gint64 video_due = ui_video_due_us(ui);
	if (ui->dirty || ui->video_fresh || (video_due != G_MAXINT64 && g_get_monotonic_time() + slack >= video_due) ||
	    (since >= G_USEC_PER_SEC / CONFIG_RELAIS_UI_ANIMATION_FPS - slack && animating(ui)))
		booth_ui_render(ui);
	return G_SOURCE_CONTINUE;
}

/* A frame was posted: draw it now if the frame rate allows, else when it
 * does. */
static gboolean frame_posted(gpointer data)
{
	BoothUi *ui = data;
	gint64 due = ui_video_due_us(ui);
	if (due == G_MAXINT64)
		return G_SOURCE_CONTINUE;
	if (g_get_monotonic_time() >= due)
		booth_ui_render(ui);
	else
		g_source_set_ready_time(ui->wake, due);
	return G_SOURCE_CONTINUE;
}

static gboolean wake_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
	g_source_set_ready_time(source, -1);
	return callback(data);
}

static GSourceFuncs wake_funcs = {.dispatch = wake_dispatch};

guint booth_ui_attach(BoothUi *ui, GMainContext *context)
{
	g_return_val_if_fail(ui->source_id == 0, 0);
	g_autoptr(GSource) s = g_timeout_source_new(16);
	g_source_set_callback(s, tick, ui, NULL);
	g_source_set_name(s, "booth-ui");
	ui->context = context ? g_main_context_ref(context) : g_main_context_ref_thread_default();
	ui->source_id = g_source_attach(s, ui->context);
	GSource *wake = g_source_new(&wake_funcs, sizeof(GSource));
	g_source_set_callback(wake, frame_posted, ui, NULL);
	g_source_set_name(wake, "booth-ui-frame");
	g_source_attach(wake, ui->context);
	ui_video_set_wake(ui, wake);
	return ui->source_id;
}

void booth_ui_invalidate(BoothUi *ui)
{
	ui_mark_dirty(ui);
}

void booth_ui_set_large_text(BoothUi *ui, gboolean on)
{
	ui_set_toggles(ui, ui->high_contrast, on);
}

void booth_ui_set_high_contrast(BoothUi *ui, gboolean on)
{
	ui_set_toggles(ui, on, ui->large_text);
}

gboolean booth_ui_get_large_text(BoothUi *ui)
{
	return ui->large_text;
}

gboolean booth_ui_get_high_contrast(BoothUi *ui)
{
	return ui->high_contrast;
}

SDL_Window *booth_ui_get_window(BoothUi *ui)
{
	return ui->window;
}

gint64 booth_ui_get_last_input_us(BoothUi *ui)
{
	return ui->last_input_us;
}

void booth_ui_get_stats(BoothUi *ui, BoothUiStats *st)
{
	*st = ui->stats;
	for (int i = 0; i < BOOTH_UI_N_VIDEO; i++)
		st->has_picture[i] = ui->video[i] != NULL;
	st->has_document = ui->doc_tex != NULL;
	st->text_entries = ui->text_lru.length;
	st->text_pixels = ui->text_pixels;
}
