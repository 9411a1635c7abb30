/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The top of the UI: its life cycle, the view it is given, when it draws
 * (screens.h) and what it tells its owner. */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/screens.h"
#include "relais-config.h"

#include <string.h>

G_DEFINE_QUARK(booth - ui - error - quark, booth_ui_error)

/* --- life cycle ---------------------------------------------------------- */

static void chat_clear(BoothUi *ui)
{
	for (guint i = 0; i < ui->n_chat; i++) {
		char *text = (char *)ui->chat[i].text;
		memset(text, 0, strlen(text)); /* visitor data */
		g_free(text);
	}
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
	ui->focus_want = -1;
	ui->escape.type = RELAIS_JOURNEY_N_EVENTS;
	ui->dirty = TRUE;
	ui->fixed_time_us = -1;
	ui_text_init(ui);
	ui->draft_lines = g_array_new(FALSE, FALSE, sizeof(gsize));
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

static void booking_clear(BoothUi *ui);

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
	ui_kb_reset(ui);
	ui_doc_clear(ui);
	ui_video_destroy(ui);
	ui_text_destroy(ui); /* before the renderer goes */
	g_array_unref(ui->draft_lines);
	g_hash_table_destroy(ui->catalogs);
	chat_clear(ui);
	g_free(ui->language);
	g_free(ui->answer);
	g_free(ui->next_opening);
	g_free(ui->fault);
	booking_clear(ui);
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
	view->n_slots = relais_journey_get_n_slots(j);
	view->slot = relais_journey_get_slot(j);
	view->code = relais_journey_get_code(j);
	view->booking_error = relais_journey_get_booking_error(j);
	view->booking_pending = relais_journey_get_booking_pending(j);
	view->booked = relais_journey_get_booked(j);
	/* a site with opening hours: its slots can be booked */
	view->can_book = view->next_opening != NULL;
}

static void replace(char **slot, const char *s)
{
	char *old = *slot;
	*slot = g_strdup(s);
	g_free(old);
}

/* The booking code is the visitor's: erased, not only freed. */
static void booking_clear(BoothUi *ui)
{
	if (ui->bk_code)
		memset(ui->bk_code, 0, strlen(ui->bk_code));
	g_clear_pointer(&ui->bk_code, g_free);
	g_clear_pointer(&ui->bk_slots, g_strfreev);
	g_clear_pointer(&ui->bk_start, g_free);
	g_clear_pointer(&ui->bk_when, g_free);
	g_clear_pointer(&ui->bk_site, g_free);
	g_clear_pointer(&ui->bk_error, g_free);
	g_clear_pointer(&ui->bk_retry, g_free);
}

static gboolean booking_same(BoothUi *ui, const BoothUiView *v)
{
	const BoothUiView *c = &ui->view;
	int n = MAX(v->n_slots, 0);
	if (v->n_slots != c->n_slots || v->slot != c->slot || !v->booking_pending != !c->booking_pending ||
	    !v->can_book != !c->can_book || !v->booked != !c->booked || g_strcmp0(v->code, ui->bk_code) != 0 ||
	    g_strcmp0(v->booking_start, ui->bk_start) != 0 || g_strcmp0(v->booking_when, ui->bk_when) != 0 ||
	    g_strcmp0(v->booking_site, ui->bk_site) != 0 || g_strcmp0(v->booking_error, ui->bk_error) != 0 ||
	    g_strcmp0(v->booking_retry, ui->bk_retry) != 0)
		return FALSE;
	guint have = ui->bk_slots ? g_strv_length(ui->bk_slots) : 0;
	if ((guint)(v->slots ? n : 0) != have)
		return FALSE;
	for (guint i = 0; i < have; i++)
		if (g_strcmp0(v->slots[i], ui->bk_slots[i]) != 0)
			return FALSE;
	return TRUE;
}

static void booking_copy(BoothUi *ui, const BoothUiView *v)
{
	booking_clear(ui);
	if (v->slots && v->n_slots > 0) {
		ui->bk_slots = g_new0(char *, v->n_slots + 1);
		for (int i = 0; i < v->n_slots; i++)
			ui->bk_slots[i] = g_strdup(v->slots[i] ? v->slots[i] : "");
	}
	ui->bk_code = g_strdup(v->code);
	ui->bk_start = g_strdup(v->booking_start);
	ui->bk_when = g_strdup(v->booking_when);
	ui->bk_site = g_strdup(v->booking_site);
	ui->bk_error = g_strdup(v->booking_error);
	ui->bk_retry = g_strdup(v->booking_retry);
	ui->view.slots = (const char *const *)ui->bk_slots;
	ui->view.n_slots = v->slots ? v->n_slots : MIN(v->n_slots, 0);
	ui->view.code = ui->bk_code;
	ui->view.booking_start = ui->bk_start;
	ui->view.booking_when = ui->bk_when;
	ui->view.booking_site = ui->bk_site;
	ui->view.booking_error = ui->bk_error;
	ui->view.booking_retry = ui->bk_retry;
}

static gboolean is_call_screen(RelaisJourneyState s)
{
	return s == RELAIS_JOURNEY_IN_CALL || s == RELAIS_JOURNEY_CONFIRM_END;
}

/* Screens after which nothing of the visitor may stay on the GPU. */
static gboolean forgets_visitor(RelaisJourneyState s)
{
	return s == RELAIS_JOURNEY_ATTRACT || s == RELAIS_JOURNEY_WIPED || s == RELAIS_JOURNEY_OUT_OF_ORDER;
}

/* TRUE if `v` would draw exactly what is drawn now: the owner may set the
 * view as often as it likes (e.g. the mic level ten times a second), only a
 * change costs a frame. */
static gboolean same_view(BoothUi *ui, const BoothUiView *v)
{
	const BoothUiView *c = &ui->view;
	const char *lang = v->language && g_hash_table_contains(ui->catalogs, v->language) ? v->language : ui->language;
	guint question = v->question < relais_questions_count(ui->questions) ? v->question : 0;
	if (v->state != c->state || g_strcmp0(lang, ui->language) != 0 || question != c->question ||
	    g_strcmp0(v->answer, ui->answer) != 0 || v->queue_position != c->queue_position ||
	    v->wait_minutes != c->wait_minutes || g_strcmp0(v->next_opening, ui->next_opening) != 0 ||
	    v->countdown_s != c->countdown_s || !v->muted != !c->muted || !v->camera_off != !c->camera_off ||
	    v->volume != c->volume || v->quality != c->quality || !v->reconnecting != !c->reconnecting ||
	    g_strcmp0(v->fault, ui->fault) != 0 || !v->sharing != !c->sharing || !booking_same(ui, v))
		return FALSE;
	/* the meter is only drawn on self_check */
	if (v->state == RELAIS_JOURNEY_SELF_CHECK && v->mic_level != c->mic_level)
		return FALSE;
	guint first = v->n_chat > UI_MAX_CHAT ? v->n_chat - UI_MAX_CHAT : 0;
	if (v->n_chat - first != ui->n_chat)
		return FALSE;
	for (guint i = first; i < v->n_chat; i++) {
		const BoothUiChatLine *l = &v->chat[i], *mine = &ui->chat[i - first];
		if (!l->from_adviser != !mine->from_adviser || g_strcmp0(l->text ? l->text : "", mine->text) != 0)
			return FALSE;
	}
	return TRUE;
}

void booth_ui_set_view(BoothUi *ui, const BoothUiView *view)
{
	if (same_view(ui, view))
		return;
	RelaisJourneyState before = ui->view.state;
	g_autofree char *language_before = g_strdup(ui->language);
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
	booking_copy(ui, view);
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
	ui->dirty = TRUE;
	/* the draft belongs to the call screen (and its "end?" dialog) */
	if (!is_call_screen(view->state))
		ui_kb_reset(ui);
	/* A new visitor starts from the site's defaults, not from the
	 * previous visitor's choices. */
	if (view->state == RELAIS_JOURNEY_ATTRACT && before != RELAIS_JOURNEY_ATTRACT)
		ui_set_toggles(ui, ui->default_contrast, ui->default_large);
	if (forgets_visitor(view->state)) {
		booth_ui_set_document(ui, 0, 0);
		booth_ui_clear_video(ui, BOOTH_UI_VIDEO_LOCAL);
		booth_ui_clear_video(ui, BOOTH_UI_VIDEO_REMOTE);
		booth_ui_clear_video(ui, BOOTH_UI_VIDEO_SCREEN);
		if (before != view->state)
			ui_text_cache_flush(ui); /* chat lines were rendered into textures */
	} else if (g_strcmp0(language_before, ui->language) != 0) {
		ui_text_cache_flush(ui);
	}
}

static void draw(BoothUi *ui)
{
	g_array_set_size(ui->targets, 0);
	ui->escape.type = RELAIS_JOURNEY_N_EVENTS;
	ui->stats.screen_shown = FALSE;
	ui_draw_screen(ui);
}

void booth_ui_render(BoothUi *ui)
{
	ui_video_poll_mailboxes(ui);
	/* Focus belongs to a screen: a new screen starts with none, so that a
	 * touch user never sees a stray ring, and Tab starts at the top. */
	if (ui->view.state != ui->drawn_state || ui->view.question != ui->drawn_question) {
		ui->focus = -1;
		ui->code_page = 0;
	}
	ui->drawn_state = ui->view.state;
	ui->drawn_question = ui->view.question;
	draw(ui);
	if (ui_resolve_focus_want(ui))
		draw(ui); /* with the ring where it now is */
	if (ui->focus >= (int)ui->targets->len)
		ui->focus = -1;
	SDL_RenderPresent(ui->renderer);
	ui->dirty = FALSE;
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
	if (ui->dirty || (since >= G_USEC_PER_SEC / CONFIG_RELAIS_UI_VIDEO_FPS - slack && ui_video_pending(ui)) ||
	    (since >= G_USEC_PER_SEC / CONFIG_RELAIS_UI_ANIMATION_FPS - slack && animating(ui)))
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
