/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The touch UI driven like a visitor would: synthetic SDL touch, mouse and
 * key events go through the UI's event layer, become journey events, and
 * the journey's state is asserted after each step. Also: touch-target sizes
 * on every screen, the accessibility toggles, and the video hand-over.
 */
#include "ui/samples.h"

#include <gst/gst.h>
#include <gst/video/video.h>
#include <string.h>

typedef struct {
	RelaisQuestions *qs;
	RelaisJourney *j;
	BoothUi *ui;
	GPtrArray *actions; /* action names, in order */
	guint refused;
} Fixture;

static const char *const languages[] = {"fr", "en", NULL};

static char *path_in(const char *env, const char *fallback, const char *rel)
{
	const char *base = g_getenv(env);
	return g_build_filename(base ? base : fallback, rel, NULL);
}

static void redraw(Fixture *f)
{
	BoothUiView view = {.queue_position = 1, .wait_minutes = 2};
	booth_ui_view_from_journey(&view, f->j);
	booth_ui_set_view(f->ui, &view);
	booth_ui_render(f->ui);
}

/* The owner's side, as relais-booth will do it: feed, act, redraw. */
static void on_event(const RelaisJourneyEvent *ev, gpointer data)
{
	Fixture *f = data;
	RelaisJourneyAction act;
	g_autoptr(GError) error = NULL;
	if (!relais_journey_feed(f->j, ev, &act, &error)) {
		f->refused++;
		return;
	}
	g_ptr_array_add(f->actions, (gpointer)relais_journey_action_name(act));
	if (act == RELAIS_JOURNEY_ACT_WIPE) {
		RelaisJourneyEvent wiped = {RELAIS_JOURNEY_EV_WIPED};
		g_assert_true(relais_journey_feed(f->j, &wiped, NULL, NULL));
	}
	redraw(f);
}

static void setup_size(Fixture *f, int w, int h, int dpi)
{
	g_autofree char *questions = path_in("RELAIS_TOP", ".", "assets/questions/default.ini");
	g_autofree char *locale = path_in("RELAIS_BUILD", "build", "locale");
	g_autoptr(GError) error = NULL;
	f->qs = relais_questions_load_file(questions, &error);
	g_assert_no_error(error);
	f->j = relais_journey_new(f->qs, languages, NULL);
	BoothUiConfig cfg = {.width = w,
			     .height = h,
			     .dpi = dpi,
			     .software = TRUE,
			     .locale_dir = locale,
			     .languages = languages,
			     .questions = f->qs};
	f->ui = booth_ui_new(&cfg, &error);
	g_assert_no_error(error);
	f->actions = g_ptr_array_new();
	booth_ui_set_event_func(f->ui, on_event, f);
	redraw(f);
}

static void setup(Fixture *f, gconstpointer data)
{
	setup_size(f, 1280, 800, 150);
}

static void teardown(Fixture *f, gconstpointer data)
{
	booth_ui_free(f->ui);
	relais_journey_free(f->j);
	relais_questions_free(f->qs);
	g_ptr_array_unref(f->actions);
}

static void session(Fixture *f, RelaisJourneyEventType type)
{
	RelaisJourneyEvent ev = {type};
	g_assert_true(relais_journey_feed(f->j, &ev, NULL, NULL));
	redraw(f);
}

/* A finger lifted at the centre of the target, through SDL's queue. */
static void touch(Fixture *f, RelaisJourneyEventType type, const char *str, int num)
{
	SDL_Rect r;
	if (!booth_ui_find_target(f->ui, type, str, num, &r))
		g_error("no target for '%s' on screen '%s'", relais_journey_event_name(type),
			relais_journey_state_name(relais_journey_get_state(f->j)));
	SDL_Event e = {.type = SDL_FINGERUP};
	e.tfinger.x = (r.x + r.w / 2.0f) / 1280.0f;
	e.tfinger.y = (r.y + r.h / 2.0f) / 800.0f;
	g_assert_cmpint(SDL_PushEvent(&e), ==, 1);
	booth_ui_pump(f->ui);
}

static void click_at(Fixture *f, int x, int y)
{
	SDL_Event e = {.type = SDL_MOUSEBUTTONUP};
	e.button.button = SDL_BUTTON_LEFT;
	e.button.x = x;
	e.button.y = y;
	booth_ui_handle_event(f->ui, &e);
}

static void key(Fixture *f, SDL_Keycode k, Uint16 mod)
{
	SDL_Event e = {.type = SDL_KEYDOWN};
	e.key.keysym.sym = k;
	e.key.keysym.mod = mod;
	g_assert_cmpint(SDL_PushEvent(&e), ==, 1);
	booth_ui_pump(f->ui);
}

#define STATE(f) relais_journey_get_state((f)->j)

static void test_touch_journey(Fixture *f, gconstpointer data)
{
	click_at(f, 5, 5); /* anywhere on the attract screen */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_LANGUAGE);
	touch(f, RELAIS_JOURNEY_EV_LANGUAGE, "en", 0);
	g_assert_cmpstr(relais_journey_get_language(f->j), ==, "en");
	g_assert_cmpstr(booth_ui_tr(f->ui, "ui.back"), ==, "Back"); /* the screen switched language */
	touch(f, RELAIS_JOURNEY_EV_ANSWER, "admin-help", 0);
	touch(f, RELAIS_JOURNEY_EV_BACK, NULL, 0); /* back to the first question ... */
	g_assert_cmpuint(relais_journey_get_question_index(f->j), ==, 0);
	touch(f, RELAIS_JOURNEY_EV_ANSWER, "training", 0); /* ... and change the answer */
	touch(f, RELAIS_JOURNEY_EV_SKIP, NULL, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CONSENT);
	touch(f, RELAIS_JOURNEY_EV_ACCEPT, NULL, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_SELF_CHECK);
	touch(f, RELAIS_JOURNEY_EV_READY, NULL, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_WAITING);
	g_assert_cmpstr(relais_journey_get_answer(f->j, 0), ==, "training");
	g_assert_null(relais_journey_get_answer(f->j, 1));

	session(f, RELAIS_JOURNEY_EV_SESSION_QUEUED);
	session(f, RELAIS_JOURNEY_EV_SESSION_CONNECTING);
	session(f, RELAIS_JOURNEY_EV_SESSION_IN_CALL);
	touch(f, RELAIS_JOURNEY_EV_MUTE, NULL, 0);
	g_assert_true(relais_journey_get_muted(f->j));
	touch(f, RELAIS_JOURNEY_EV_VOLUME, NULL, 0); /* the first volume target: quieter */
	g_assert_cmpint(relais_journey_get_volume(f->j), ==, 70);
	touch(f, RELAIS_JOURNEY_EV_END, NULL, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CONFIRM_END);
	/* the call's buttons are covered by the dialog: no target left */
	SDL_Rect r;
	g_assert_false(booth_ui_find_target(f->ui, RELAIS_JOURNEY_EV_MUTE, NULL, 0, &r));
	touch(f, RELAIS_JOURNEY_EV_KEEP_TALKING, NULL, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_IN_CALL);
	touch(f, RELAIS_JOURNEY_EV_END, NULL, 0);
	touch(f, RELAIS_JOURNEY_EV_CONFIRM_END, NULL, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_SATISFACTION);
	touch(f, RELAIS_JOURNEY_EV_SCORE, NULL, 4);
	g_assert_cmpint(relais_journey_get_score(f->j), ==, 4);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_THANKS);
	touch(f, RELAIS_JOURNEY_EV_DONE, NULL, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_ATTRACT);

	static const char *const expected[] = {"none",		"none",	   "none",  "none",   "none", "none",
					       "preview-start", "request", "mute",  "volume", "none", "none",
					       "none",		"end",	   "score", "wipe"};
	g_assert_cmpuint(f->actions->len, ==, G_N_ELEMENTS(expected));
	for (guint i = 0; i < G_N_ELEMENTS(expected); i++)
		g_assert_cmpstr(f->actions->pdata[i], ==, expected[i]);
	g_assert_cmpuint(f->refused, ==, 0);
	g_assert_cmpstr(booth_ui_tr(f->ui, "ui.back"), ==, "Retour"); /* the next visitor gets the default */
}

/* Switch access: Tab/arrows move a focus ring, Enter acts, Escape backs out. */
static void test_keyboard_journey(Fixture *f, gconstpointer data)
{
	key(f, SDLK_RETURN, 0); /* attract: one focusable button, Enter starts */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_LANGUAGE);
	key(f, SDLK_ESCAPE, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_ATTRACT);
	key(f, SDLK_SPACE, 0);
	key(f, SDLK_TAB, 0);   /* first language */
	key(f, SDLK_RIGHT, 0); /* second: English */
	key(f, SDLK_RETURN, 0);
	g_assert_cmpstr(relais_journey_get_language(f->j), ==, "en");
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_QUESTION);
	key(f, SDLK_DOWN, 0);	       /* first choice */
	key(f, SDLK_TAB, KMOD_LSHIFT); /* wraps backwards to the last target ... */
	key(f, SDLK_TAB, 0);	       /* ... and forward again to the first */
	key(f, SDLK_KP_ENTER, 0);
	g_assert_cmpstr(relais_journey_get_answer(f->j, 0), ==, "guidance");
	g_assert_cmpuint(relais_journey_get_question_index(f->j), ==, 1);
	key(f, SDLK_ESCAPE, 0);
	g_assert_cmpuint(relais_journey_get_question_index(f->j), ==, 0);
	key(f, SDLK_a, 0); /* not ours */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_QUESTION);
	/* through to the call with the keyboard alone */
	key(f, SDLK_TAB, 0);
	key(f, SDLK_RETURN, 0); /* guidance again */
	key(f, SDLK_TAB, 0);
	key(f, SDLK_RETURN, 0); /* student */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CONSENT);
	key(f, SDLK_TAB, 0); /* back */
	key(f, SDLK_TAB, 0); /* I agree */
	key(f, SDLK_RETURN, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_SELF_CHECK);
	key(f, SDLK_TAB, 0); /* I'm ready comes first */
	key(f, SDLK_RETURN, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_WAITING);
	session(f, RELAIS_JOURNEY_EV_SESSION_CONNECTING);
	session(f, RELAIS_JOURNEY_EV_SESSION_IN_CALL);
	key(f, SDLK_ESCAPE, 0); /* asks ... */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CONFIRM_END);
	key(f, SDLK_ESCAPE, 0); /* ... and Escape again keeps talking */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_IN_CALL);
	key(f, SDLK_ESCAPE, 0);
	key(f, SDLK_TAB, 0); /* the dialog's first button is "keep talking" */
	key(f, SDLK_RETURN, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_IN_CALL);
	key(f, SDLK_ESCAPE, 0);
	key(f, SDLK_TAB, 0);
	key(f, SDLK_TAB, 0);
	key(f, SDLK_RETURN, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_SATISFACTION);
	g_assert_cmpuint(f->refused, ==, 0);
}

static void test_still_there(Fixture *f, gconstpointer data)
{
	click_at(f, 600, 400);
	session(f, RELAIS_JOURNEY_EV_TIMEOUT);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_STILL_THERE);
	click_at(f, 3, 3); /* any touch means "I'm here" */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_LANGUAGE);
	/* a touch on empty space elsewhere does nothing */
	click_at(f, 640, 790);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_LANGUAGE);
	SDL_Event right = {.type = SDL_MOUSEBUTTONUP};
	right.button.button = SDL_BUTTON_RIGHT;
	g_assert_false(booth_ui_handle_event(f->ui, &right));
}

static void test_toggles(Fixture *f, gconstpointer data)
{
	click_at(f, 5, 5);
	g_assert_false(booth_ui_get_large_text(f->ui));
	/* the two square buttons right of the footer */
	click_at(f, 1280 - 36 - 150, 800 - 36 - 20);
	g_assert_true(booth_ui_get_large_text(f->ui));
	click_at(f, 1280 - 36 - 20, 800 - 36 - 20);
	g_assert_true(booth_ui_get_high_contrast(f->ui));
	booth_ui_render(f->ui);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_LANGUAGE); /* not journey events */
	key(f, SDLK_ESCAPE, 0);
	/* the next visitor starts from the site's defaults */
	g_assert_false(booth_ui_get_large_text(f->ui));
	g_assert_false(booth_ui_get_high_contrast(f->ui));
}

/* >= 15 mm on every screen, at both sizes, with and without larger text. */
static void test_target_sizes(void)
{
	static const struct {
		int w, h, dpi;
	} sizes[] = {{1280, 800, 150}, {800, 480, 133}, {1920, 1080, 96}};
	for (guint s = 0; s < G_N_ELEMENTS(sizes); s++) {
		Fixture f = {0};
		setup_size(&f, sizes[s].w, sizes[s].h, sizes[s].dpi);
		int min = booth_ui_mm_to_px(f.ui, 15);
		for (guint i = 0; i < booth_ui_samples_count(); i++)
			for (const char *const *l = languages; *l; l++) {
				g_autoptr(GError) error = NULL;
				g_assert_true(booth_ui_render_sample(f.ui, i, *l, &error));
				int got = booth_ui_min_target_px(f.ui);
				if (got != 0 && got < min)
					g_error("%dx%d %s/%s: a %d px target, under 15 mm (%d px)", sizes[s].w,
						sizes[s].h, *l, booth_ui_sample_name(i), got, min);
			}
		teardown(&f, NULL);
	}
}

static gpointer poster(gpointer data)
{
	BoothUiMailbox *mb = data;
	GstVideoInfo info;
	gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, 320, 240);
	g_autoptr(GstCaps) caps = gst_video_info_to_caps(&info);
	for (int i = 0; i < 50; i++) {
		g_autoptr(GstBuffer) buf = gst_buffer_new_allocate(NULL, info.size, NULL);
		gst_buffer_memset(buf, 0, (guint8)i, info.size);
		g_autoptr(GstSample) s = gst_sample_new(buf, caps, NULL, NULL);
		booth_ui_mailbox_post(mb, s);
	}
	return NULL;
}

static void test_video(Fixture *f, gconstpointer data)
{
	g_autoptr(BoothUiMailbox) mb = booth_ui_mailbox_new();
	g_assert_null(booth_ui_mailbox_take(mb));
	GThread *t = g_thread_new("poster", poster, mb);
	g_thread_join(t);
	/* only the latest frame is kept */
	g_autoptr(GstSample) s = booth_ui_mailbox_take(mb);
	g_assert_nonnull(s);
	GstMapInfo map;
	g_assert_true(gst_buffer_map(gst_sample_get_buffer(s), &map, GST_MAP_READ));
	g_assert_cmpuint(map.data[0], ==, 49);
	gst_buffer_unmap(gst_sample_get_buffer(s), &map);
	g_assert_null(booth_ui_mailbox_take(mb));

	g_autoptr(GError) error = NULL;
	g_assert_true(booth_ui_push_sample(f->ui, BOOTH_UI_VIDEO_REMOTE, s, &error));
	g_assert_no_error(error);
	/* the attached mailbox is drained on render */
	booth_ui_mailbox_post(mb, s);
	booth_ui_set_mailbox(f->ui, BOOTH_UI_VIDEO_REMOTE, mb);
	booth_ui_render(f->ui);
	g_assert_null(booth_ui_mailbox_take(mb));
	booth_ui_set_mailbox(f->ui, BOOTH_UI_VIDEO_REMOTE, NULL);

	/* not I420: refused, clearly */
	GstVideoInfo info;
	gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGBA, 32, 32);
	g_autoptr(GstCaps) caps = gst_video_info_to_caps(&info);
	g_autoptr(GstBuffer) buf = gst_buffer_new_allocate(NULL, info.size, NULL);
	g_autoptr(GstSample) rgba = gst_sample_new(buf, caps, NULL, NULL);
	g_assert_false(booth_ui_push_sample(f->ui, BOOTH_UI_VIDEO_REMOTE, rgba, &error));
	g_assert_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL);
	g_clear_error(&error);
	guint8 plane[4] = {0};
	g_assert_false(booth_ui_push_i420(f->ui, BOOTH_UI_VIDEO_LOCAL, 3, 3, plane, 4, plane, 2, plane, 2, &error));
	g_assert_nonnull(strstr(error->message, "3x3"));
}

static void test_bad_config(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *questions = path_in("RELAIS_TOP", ".", "assets/questions/default.ini");
	g_autoptr(RelaisQuestions) qs = relais_questions_load_file(questions, &error);
	g_assert_no_error(error);
	g_autofree char *locale = path_in("RELAIS_BUILD", "build", "locale");
	BoothUiConfig cfg = {.software = TRUE,
			     .locale_dir = locale,
			     .languages = languages,
			     .questions = qs,
			     .font_regular = "/nonexistent/font.ttf"};
	g_assert_null(booth_ui_new(&cfg, &error));
	g_assert_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_FONT);
	g_clear_error(&error);
	static const char *const klingon[] = {"tlh", NULL};
	BoothUiConfig cfg2 = {.software = TRUE, .locale_dir = locale, .languages = klingon, .questions = qs};
	g_assert_null(booth_ui_new(&cfg2, &error));
	g_assert_nonnull(strstr(error->message, "tlh"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	gst_init(&argc, &argv);
	g_setenv("SDL_VIDEODRIVER", "offscreen", FALSE);
#define ADD(name, fn) g_test_add(name, Fixture, NULL, setup, fn, teardown)
	ADD("/ui-input/touch-journey", test_touch_journey);
	ADD("/ui-input/keyboard-journey", test_keyboard_journey);
	ADD("/ui-input/still-there", test_still_there);
	ADD("/ui-input/toggles", test_toggles);
	ADD("/ui-input/video", test_video);
	g_test_add_func("/ui-input/target-sizes", test_target_sizes);
	g_test_add_func("/ui-input/bad-config", test_bad_config);
	return g_test_run();
}
