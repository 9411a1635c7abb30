/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The touch UI driven like a visitor would: synthetic SDL touch, mouse and
 * key events go through the UI's event layer, become journey events, and
 * the journey's state is asserted after each step. Also: touch-target sizes
 * on every screen, the accessibility toggles, the video hand-over, and the
 * glass-to-glass stamp read where the adviser's picture is drawn.
 */
#include "ui/samples.h"
#include "relais-config.h"

#include <gst/gst.h>
#include <gst/video/video.h>
#include <string.h>

typedef struct {
	RelaisQuestions *qs;
	RelaisJourney *j;
	BoothUi *ui;
	GPtrArray *actions; /* action names, in order */
	GPtrArray *chats;   /* texts of the ACT_CHAT actions */
	guint refused;
	int w, h;
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
	if (act == RELAIS_JOURNEY_ACT_CHAT)
		g_ptr_array_add(f->chats, g_strdup(ev->str));
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
	f->chats = g_ptr_array_new_with_free_func(g_free);
	f->w = w;
	f->h = h;
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
	g_ptr_array_unref(f->chats);
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
	e.tfinger.x = (r.x + r.w / 2.0f) / f->w;
	e.tfinger.y = (r.y + r.h / 2.0f) / f->h;
	g_assert_cmpint(SDL_PushEvent(&e), ==, 1);
	booth_ui_pump(f->ui);
}

/* A key of the on-screen keyboard, touched; then drawn again, as the
 * attached source would (a page or Shift changes the keys). */
static void touch_key(Fixture *f, BoothUiKey k, const char *text)
{
	SDL_Rect r;
	if (!booth_ui_find_key(f->ui, k, text, &r))
		g_error("no key %d '%s' on screen '%s'", k, text ? text : "",
			relais_journey_state_name(relais_journey_get_state(f->j)));
	SDL_Event e = {.type = SDL_FINGERUP};
	e.tfinger.x = (r.x + r.w / 2.0f) / f->w;
	e.tfinger.y = (r.y + r.h / 2.0f) / f->h;
	g_assert_cmpint(SDL_PushEvent(&e), ==, 1);
	booth_ui_pump(f->ui);
	booth_ui_render(f->ui);
}

/* Letters, space and the accented letters of `s`, through the pages. */
static void type(Fixture *f, const char *s)
{
	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		g_autofree char *c = g_strndup(p, g_utf8_next_char(p) - p);
		if (*c == ' ') {
			touch_key(f, BOOTH_UI_KEY_SPACE, NULL);
			continue;
		}
		SDL_Rect r;
		if (!booth_ui_find_key(f->ui, BOOTH_UI_KEY_CHAR, c, &r)) {
			touch_key(f, BOOTH_UI_KEY_ACCENTS, NULL);
			touch_key(f, BOOTH_UI_KEY_CHAR, c);
			touch_key(f, BOOTH_UI_KEY_LETTERS, NULL);
		} else {
			touch_key(f, BOOTH_UI_KEY_CHAR, c);
		}
	}
}

static void text_input(Fixture *f, const char *s)
{
	SDL_Event e = {.type = SDL_TEXTINPUT};
	g_strlcpy(e.text.text, s, sizeof e.text.text);
	g_assert_cmpint(SDL_PushEvent(&e), ==, 1);
	booth_ui_pump(f->ui);
	booth_ui_render(f->ui);
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
	booth_ui_render(f->ui); /* what the attached source does after input */
}

#define STATE(f) relais_journey_get_state((f)->j)

/* Nobody on duty: Book a time, a slot, confirm; the owner's answers fed as
 * visitor.c feeds them. */
static void test_booking(Fixture *f, gconstpointer data)
{
	RelaisJourneyEvent av = {RELAIS_JOURNEY_EV_AVAILABILITY, "2026-11-24T09:00:00+01:00", 0};
	g_assert_true(relais_journey_feed(f->j, &av, NULL, NULL));
	touch(f, RELAIS_JOURNEY_EV_LANGUAGE, "en", 0);
	touch(f, RELAIS_JOURNEY_EV_SKIP, NULL, 0);
	touch(f, RELAIS_JOURNEY_EV_SKIP, NULL, 0);
	touch(f, RELAIS_JOURNEY_EV_ACCEPT, NULL, 0);
	touch(f, RELAIS_JOURNEY_EV_READY, NULL, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_NO_ADVISER);
	touch(f, RELAIS_JOURNEY_EV_BOOK, NULL, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_BOOK_SLOTS);
	g_assert_cmpstr(g_ptr_array_index(f->actions, f->actions->len - 1), ==, "slots");
	/* the offer: three slots, each a button of its own */
	RelaisJourneyEvent offer = {RELAIS_JOURNEY_EV_SLOTS, NULL, 3};
	g_assert_true(relais_journey_feed(f->j, &offer, NULL, NULL));
	const char *const words[] = {"today at 4:30 pm", "today at 5:00 pm", "tomorrow at 9:00 am", NULL};
	BoothUiView view = {0};
	booth_ui_view_from_journey(&view, f->j);
	view.slots = words;
	booth_ui_set_view(f->ui, &view);
	booth_ui_render(f->ui);
	SDL_Rect r0, r2;
	g_assert_true(booth_ui_find_target(f->ui, RELAIS_JOURNEY_EV_SLOT, NULL, 0, &r0));
	g_assert_true(booth_ui_find_target(f->ui, RELAIS_JOURNEY_EV_SLOT, NULL, 2, &r2));
	g_assert_false(booth_ui_find_target(f->ui, RELAIS_JOURNEY_EV_SLOT, NULL, 3, &r2));
	g_assert_cmpint(r0.y, <, r2.y);
	touch(f, RELAIS_JOURNEY_EV_SLOT, NULL, 2);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_BOOK_CONFIRM);
	g_assert_cmpint(relais_journey_get_slot(f->j), ==, 2);
	touch(f, RELAIS_JOURNEY_EV_BOOK_CONFIRM, NULL, 0);
	g_assert_cmpstr(g_ptr_array_index(f->actions, f->actions->len - 1), ==, "book");
	/* waiting for the answer: no second booking, no way back */
	g_assert_false(booth_ui_find_target(f->ui, RELAIS_JOURNEY_EV_BOOK_CONFIRM, NULL, 0, &r0));
	g_assert_false(booth_ui_find_target(f->ui, RELAIS_JOURNEY_EV_BACK, NULL, 0, &r0));
	RelaisJourneyEvent booked = {RELAIS_JOURNEY_EV_BOOKED, "7KQ2MZ", 0};
	g_assert_true(relais_journey_feed(f->j, &booked, NULL, NULL));
	redraw(f);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_BOOK_CODE);
	key(f, SDLK_ESCAPE, 0); /* Escape is Done */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_ATTRACT);
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "");
}

/* I have a booking: the keypad by touch, a physical keyboard too. */
static void test_check_in(Fixture *f, gconstpointer data)
{
	touch(f, RELAIS_JOURNEY_EV_HAVE_BOOKING, NULL, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CHECK_IN);
	SDL_Rect r;
	/* every character of the alphabet has a key; 0, O, 1 and I none */
	for (const char *c = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"; *c; c++) {
		char s[2] = {*c, 0};
		g_assert_true(booth_ui_find_target(f->ui, RELAIS_JOURNEY_EV_CODE_CHAR, s, 0, &r));
	}
	g_assert_false(booth_ui_find_target(f->ui, RELAIS_JOURNEY_EV_CODE_CHAR, "O", 0, &r));
	g_assert_false(booth_ui_find_target(f->ui, RELAIS_JOURNEY_EV_CODE_CHAR, "0", 0, &r));
	/* no "Check in" until six are typed */
	g_assert_false(booth_ui_find_target(f->ui, RELAIS_JOURNEY_EV_CHECK_IN, NULL, 0, &r));
	touch(f, RELAIS_JOURNEY_EV_CODE_CHAR, "7", 0);
	touch(f, RELAIS_JOURNEY_EV_CODE_CHAR, "K", 0);
	/* keys: lower case is upper case, O and 1 are refused, Backspace deletes */
	key(f, SDLK_q, 0);
	key(f, SDLK_o, 0);
	key(f, SDLK_1, 0);
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "7KQ");
	key(f, SDLK_BACKSPACE, 0);
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "7K");
	key(f, SDLK_q, 0);
	key(f, SDLK_2, 0);
	key(f, SDLK_m, 0);
	key(f, SDLK_z, 0);
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "7KQ2MZ");
	touch(f, RELAIS_JOURNEY_EV_CHECK_IN, NULL, 0);
	g_assert_cmpstr(g_ptr_array_index(f->actions, f->actions->len - 1), ==, "check-in");
	g_assert_true(relais_journey_get_booking_pending(f->j));
	/* while asked, the keypad is gone */
	g_assert_false(booth_ui_find_target(f->ui, RELAIS_JOURNEY_EV_CODE_CHAR, "A", 0, &r));
	RelaisJourneyEvent refused = {RELAIS_JOURNEY_EV_BOOKING_FAILED, "used", 0};
	g_assert_true(relais_journey_feed(f->j, &refused, NULL, NULL));
	redraw(f);
	/* the language on the spot, then back to attract */
	touch(f, RELAIS_JOURNEY_EV_LANGUAGE, "en", 0);
	g_assert_cmpstr(relais_journey_get_language(f->j), ==, "en");
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CHECK_IN);
	touch(f, RELAIS_JOURNEY_EV_BACK, NULL, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_ATTRACT);
}

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
	key(f, SDLK_RETURN, 0); /* attract: a button per language, Enter shows the ring first */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_ATTRACT);
	key(f, SDLK_RIGHT, 0); /* "Start in English" */
	key(f, SDLK_RETURN, 0);
	g_assert_cmpstr(relais_journey_get_language(f->j), ==, "en");
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_QUESTION);
	key(f, SDLK_ESCAPE, 0); /* back from the first question: the language list */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_LANGUAGE);
	key(f, SDLK_ESCAPE, 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_ATTRACT);
	click_at(f, 600, 100); /* a touch anywhere but the buttons: the language list */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_LANGUAGE);
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
	click_at(f, 600, 100);
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

/* A 640x480 I420 frame of mid grey, with `stamp` painted in (stamp.h) or
 * none. */
static GstSample *grey_frame(gboolean stamped, guint32 stamp)
{
	GstVideoInfo info;
	gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, 640, 480);
	g_autoptr(GstCaps) caps = gst_video_info_to_caps(&info);
	g_autoptr(GstBuffer) buf = gst_buffer_new_allocate(NULL, info.size, NULL);
	gst_buffer_memset(buf, 0, 0x80, info.size);
	if (stamped) {
		GstVideoFrame frame;
		g_assert_true(gst_video_frame_map(&frame, &info, buf, GST_MAP_WRITE));
		g_assert_true(relais_stamp_write_frame(&frame, stamp));
		gst_video_frame_unmap(&frame);
	}
	return gst_sample_new(buf, caps, NULL, NULL);
}

static RelaisStampSummary stamp_summary(RelaisStampStats *stats)
{
	RelaisStampSummary sum;
	relais_stamp_stats_get(stats, &sum);
	return sum;
}

static void post_frame(BoothUiMailbox *mb, gboolean stamped, gint64 age_us)
{
	g_autoptr(GstSample) s = grey_frame(stamped, relais_stamp_from_real_time(g_get_real_time() - age_us));
	booth_ui_mailbox_post(mb, s);
}

static void to_call(Fixture *f, const char *language);

/* The draw-side reader: the stamp of the adviser's frame, read at upload,
 * becomes a sample once a render that drew it has been presented; nothing
 * when the picture is not on screen, nothing twice, unreadable without a
 * stamp, nothing at all once turned off. */
static void test_stamp_drawn(Fixture *f, gconstpointer data)
{
	g_autoptr(RelaisStampStats) stats = relais_stamp_stats_new();
	g_autoptr(BoothUiMailbox) mb = booth_ui_mailbox_new();
	booth_ui_set_mailbox(f->ui, BOOTH_UI_VIDEO_REMOTE, mb);
	booth_ui_set_stamp_stats(f->ui, stats);

	/* attract: the adviser's picture is uploaded but not drawn */
	post_frame(mb, TRUE, 0);
	booth_ui_render(f->ui);
	g_assert_cmpuint(stamp_summary(stats).samples, ==, 0);
	g_assert_cmpuint(stamp_summary(stats).unreadable, ==, 0);

	/* in the call: a frame stamped 40 ms ago is drawn; its age is taken
	 * after the present, so it is at least 40 ms and at most 40 ms plus
	 * the time the post and the render took (stamps tick by 0.1 ms) */
	to_call(f, "en");
	gint64 t0 = g_get_real_time();
	post_frame(mb, TRUE, 40000);
	booth_ui_render(f->ui);
	double took_ms = (g_get_real_time() - t0) / 1000.0;
	RelaisStampSummary sum = stamp_summary(stats);
	g_assert_cmpuint(sum.samples, ==, 1);
	g_assert_cmpuint(sum.n_recent, ==, 1);
	g_test_message("drawn 40 ms stamp: %.1f ms (render %.1f ms)", sum.recent_ms[0], took_ms);
	g_assert_cmpfloat(sum.recent_ms[0], >=, 40.0 - 0.2);
	g_assert_cmpfloat(sum.recent_ms[0], <=, 40.0 + took_ms + 0.2);

	/* drawn again without a new frame: not a new sample */
	booth_ui_set_large_text(f->ui, TRUE);
	booth_ui_render(f->ui);
	g_assert_cmpuint(stamp_summary(stats).samples, ==, 1);

	/* two frames before a render: only the one on the glass counts */
	g_autoptr(GError) error = NULL;
	g_autoptr(GstSample) old = grey_frame(TRUE, relais_stamp_from_real_time(g_get_real_time() - 900000));
	g_assert_true(booth_ui_push_sample(f->ui, BOOTH_UI_VIDEO_REMOTE, old, &error));
	post_frame(mb, TRUE, 10000);
	booth_ui_render(f->ui);
	sum = stamp_summary(stats);
	g_assert_cmpuint(sum.samples, ==, 2);
	g_assert_cmpfloat(sum.recent_ms[1], >=, 10.0 - 0.2);
	g_assert_cmpfloat(sum.recent_ms[1], <, 900.0);

	/* a frame without a stamp, drawn: unreadable */
	post_frame(mb, FALSE, 0);
	booth_ui_render(f->ui);
	sum = stamp_summary(stats);
	g_assert_cmpuint(sum.samples, ==, 2);
	g_assert_cmpuint(sum.unreadable, ==, 1);

	/* the local picture's stamps are not the adviser's */
	g_autoptr(GstSample) own = grey_frame(TRUE, relais_stamp_from_real_time(g_get_real_time()));
	g_assert_true(booth_ui_push_sample(f->ui, BOOTH_UI_VIDEO_LOCAL, own, &error));
	booth_ui_render(f->ui);
	g_assert_cmpuint(stamp_summary(stats).samples, ==, 2);

	/* off: frames are drawn, no stamp is read */
	booth_ui_set_stamp_stats(f->ui, NULL);
	post_frame(mb, TRUE, 0);
	booth_ui_render(f->ui);
	sum = stamp_summary(stats);
	g_assert_cmpuint(sum.samples, ==, 2);
	g_assert_cmpuint(sum.unreadable, ==, 1);
	booth_ui_set_mailbox(f->ui, BOOTH_UI_VIDEO_REMOTE, NULL);
}

static void push_hue(Fixture *f, BoothUiVideo which, int w, int h, int hue)
{
	g_autofree guint8 *buf = g_malloc(w * h * 3 / 2);
	booth_ui_synthetic_i420(buf, w, h, hue);
	g_autoptr(GError) error = NULL;
	g_assert_true(booth_ui_push_i420(f->ui, which, w, h, buf, w, buf + w * h, w / 2, buf + w * h + w * h / 4, w / 2,
					 &error));
}

/* The same frame laid out two ways draws the same pixels: planes one after
 * the other (converted straight into a texture in the window's format)
 * and planes with padded rows (SDL's IYUV texture, the fallback). */
static SDL_Surface *call_with_frames(Fixture *f, gboolean padded)
{
	const int w = 640, h = 480, pad = padded ? 64 : 0;
	g_autofree guint8 *plain = g_malloc(w * h * 3 / 2);
	booth_ui_synthetic_i420(plain, w, h, 1);
	int ys = w + pad, cs = w / 2 + pad;
	g_autofree guint8 *buf = g_malloc0((gsize)ys * h + (gsize)cs * h);
	guint8 *u = buf + (gsize)ys * h, *v = u + (gsize)cs * (h / 2);
	for (int y = 0; y < h; y++)
		memcpy(buf + (gsize)y * ys, plain + (gsize)y * w, w);
	for (int y = 0; y < h / 2; y++) {
		memcpy(u + (gsize)y * cs, plain + w * h + y * (w / 2), w / 2);
		memcpy(v + (gsize)y * cs, plain + w * h + w * h / 4 + y * (w / 2), w / 2);
	}
	/* twice: the own picture, drawn small, is halved from its second frame */
	for (int frame = 0; frame < 2; frame++) {
		for (int which = BOOTH_UI_VIDEO_LOCAL; which <= BOOTH_UI_VIDEO_REMOTE; which++) {
			g_autoptr(GError) error = NULL;
			g_assert_true(booth_ui_push_i420(f->ui, which, w, h, buf, ys, u, cs, v, cs, &error));
			g_assert_no_error(error);
		}
		booth_ui_invalidate(f->ui);
		booth_ui_render(f->ui);
	}
	g_autoptr(GError) error = NULL;
	SDL_Surface *s = booth_ui_snapshot(f->ui, &error);
	g_assert_no_error(error);
	return s;
}

static void test_video_layouts(Fixture *f, gconstpointer data)
{
	to_call(f, "fr");
	BoothUiView view = {.queue_position = 1, .wait_minutes = 2, .quality = 2};
	booth_ui_view_from_journey(&view, f->j);
	booth_ui_set_view(f->ui, &view);
	g_autoptr(SDL_Surface) direct = call_with_frames(f, FALSE);
	g_autoptr(SDL_Surface) iyuv = call_with_frames(f, TRUE);
	int off = 0;
	for (int y = 0; y < direct->h; y++)
		off += memcmp((guint8 *)direct->pixels + y * direct->pitch, (guint8 *)iyuv->pixels + y * iyuv->pitch,
			      direct->w * 3) != 0;
	g_test_message("%d rows differ", off);
	g_assert_cmpint(off, ==, 0);
}

/* A render after new video frames only redraws where the pictures are
 * (software renderer): its pixels are exactly those of a full redraw, on
 * every layout of the call, with what lies over the pictures (the own
 * picture, its label, the link badge, the translucent bands, the chat
 * panel, the keyboard). */
static void test_partial_redraw(Fixture *f, gconstpointer data)
{
	static const BoothUiChatLine chat[] = {{.text = "Bonjour, je vous vois bien.", .from_adviser = TRUE},
					       {.text = "Moi aussi."}};
	to_call(f, "fr");
	for (int layout = 0; layout < 4; layout++) {
		BoothUiView view = {.queue_position = 1, .wait_minutes = 2, .quality = 2};
		booth_ui_view_from_journey(&view, f->j);
		if (layout == 1) {
			view.reconnecting = TRUE;
			view.camera_lost = TRUE;
			view.chat = chat;
			view.n_chat = G_N_ELEMENTS(chat);
		}
		view.sharing = layout == 3;
		booth_ui_set_view(f->ui, &view);
		booth_ui_set_keyboard(f->ui, layout == 2, layout == 2 ? "Une question" : NULL);
		push_hue(f, BOOTH_UI_VIDEO_LOCAL, 640, 480, 0);
		push_hue(f, BOOTH_UI_VIDEO_REMOTE, 640, 480, 0);
		if (layout == 3)
			push_hue(f, BOOTH_UI_VIDEO_SCREEN, 1280, 720, 0);
		booth_ui_invalidate(f->ui);
		booth_ui_render(f->ui);
		/* a picture drawn at half its size or less is halved from its
		 * next frame on: a new texture, drawn whole once */
		push_hue(f, BOOTH_UI_VIDEO_LOCAL, 640, 480, 0);
		push_hue(f, BOOTH_UI_VIDEO_REMOTE, 640, 480, 0);
		if (layout == 3)
			push_hue(f, BOOTH_UI_VIDEO_SCREEN, 1280, 720, 0);
		booth_ui_render(f->ui);

		BoothUiStats before, after;
		booth_ui_get_stats(f->ui, &before);
		push_hue(f, BOOTH_UI_VIDEO_LOCAL, 640, 480, 1);
		push_hue(f, BOOTH_UI_VIDEO_REMOTE, 640, 480, 1);
		if (layout == 3)
			push_hue(f, BOOTH_UI_VIDEO_SCREEN, 1280, 720, 1);
		booth_ui_render(f->ui);
		booth_ui_get_stats(f->ui, &after);
		g_assert_cmpuint(after.frames_partial, ==, before.frames_partial + 1);
		g_autoptr(GError) error = NULL;
		g_autoptr(SDL_Surface) partial = booth_ui_snapshot(f->ui, &error);
		g_assert_no_error(error);

		booth_ui_invalidate(f->ui);
		booth_ui_render(f->ui);
		booth_ui_get_stats(f->ui, &before);
		g_assert_cmpuint(before.frames_partial, ==, after.frames_partial);
		g_autoptr(SDL_Surface) full = booth_ui_snapshot(f->ui, &error);
		g_assert_no_error(error);
		int off = 0;
		for (int y = 0; y < full->h; y++)
			off += memcmp((guint8 *)full->pixels + y * full->pitch,
				      (guint8 *)partial->pixels + y * partial->pitch, full->w * 3) != 0;
		g_test_message("layout %d: %d rows differ", layout, off);
		g_assert_cmpint(off, ==, 0);
	}
	/* a new view is drawn whole, frame or not */
	BoothUiStats before, after;
	booth_ui_get_stats(f->ui, &before);
	push_hue(f, BOOTH_UI_VIDEO_REMOTE, 640, 480, 0);
	booth_ui_set_large_text(f->ui, TRUE);
	booth_ui_render(f->ui);
	booth_ui_get_stats(f->ui, &after);
	g_assert_cmpuint(after.frames_partial, ==, before.frames_partial);
	g_assert_cmpuint(after.frames_rendered, ==, before.frames_rendered + 1);
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

/* From attract to the call, in `language`, skipping the questions. */
static void to_call(Fixture *f, const char *language)
{
	click_at(f, 5, 5);
	touch(f, RELAIS_JOURNEY_EV_LANGUAGE, language, 0);
	while (STATE(f) == RELAIS_JOURNEY_QUESTION)
		touch(f, RELAIS_JOURNEY_EV_SKIP, NULL, 0);
	touch(f, RELAIS_JOURNEY_EV_ACCEPT, NULL, 0);
	touch(f, RELAIS_JOURNEY_EV_READY, NULL, 0);
	session(f, RELAIS_JOURNEY_EV_SESSION_CONNECTING);
	session(f, RELAIS_JOURNEY_EV_SESSION_IN_CALL);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_IN_CALL);
}

static void test_keyboard_typing(Fixture *f, gconstpointer data)
{
	SDL_Rect r, a, q;
	to_call(f, "fr");
	g_assert_false(booth_ui_get_keyboard_open(f->ui));
	g_assert_null(booth_ui_get_draft(f->ui));
	g_assert_false(booth_ui_find_key(f->ui, BOOTH_UI_KEY_SEND, NULL, &r));
	touch_key(f, BOOTH_UI_KEY_OPEN, NULL);
	g_assert_true(booth_ui_get_keyboard_open(f->ui));
	g_assert_cmpstr(booth_ui_get_draft(f->ui), ==, "");
	/* the call's controls make room for the keys */
	g_assert_false(booth_ui_find_target(f->ui, RELAIS_JOURNEY_EV_END, NULL, 0, &r));
	/* AZERTY in French: a above q, in the first column */
	g_assert_true(booth_ui_find_key(f->ui, BOOTH_UI_KEY_CHAR, "a", &a));
	g_assert_true(booth_ui_find_key(f->ui, BOOTH_UI_KEY_CHAR, "q", &q));
	g_assert_cmpint(a.y, <, q.y);
	g_assert_cmpint(a.x, ==, q.x);

	type(f, "bonjour");
	g_assert_cmpstr(booth_ui_get_draft(f->ui), ==, "Bonjour"); /* a sentence starts with a capital */
	type(f, "x");
	touch_key(f, BOOTH_UI_KEY_BACKSPACE, NULL);
	type(f, " \u00e9t\u00e9");
	g_assert_cmpstr(booth_ui_get_draft(f->ui), ==, "Bonjour \u00e9t\u00e9");
	touch_key(f, BOOTH_UI_KEY_SEND, NULL);
	g_assert_cmpuint(f->chats->len, ==, 1);
	g_assert_cmpstr(f->chats->pdata[0], ==, "Bonjour \u00e9t\u00e9");
	g_assert_cmpuint(f->refused, ==, 0);
	/* sent: the draft is gone, the keyboard stays for the next message */
	g_assert_cmpstr(booth_ui_get_draft(f->ui), ==, "");
	g_assert_true(booth_ui_get_keyboard_open(f->ui));

	/* Shift, once; capitals again after a full stop */
	touch_key(f, BOOTH_UI_KEY_SHIFT, NULL); /* on by itself at the start: now off */
	type(f, "ok");
	touch_key(f, BOOTH_UI_KEY_SYMBOLS, NULL);
	touch_key(f, BOOTH_UI_KEY_CHAR, ".");
	touch_key(f, BOOTH_UI_KEY_CHAR, "2");
	touch_key(f, BOOTH_UI_KEY_LETTERS, NULL);
	type(f, " merci");
	g_assert_cmpstr(booth_ui_get_draft(f->ui), ==, "ok.2 merci");
	type(f, ". oui");
	g_assert_cmpstr(booth_ui_get_draft(f->ui), ==, "ok.2 merci. Oui");

	/* Close erases the draft */
	touch_key(f, BOOTH_UI_KEY_CLOSE, NULL);
	g_assert_false(booth_ui_get_keyboard_open(f->ui));
	g_assert_null(booth_ui_get_draft(f->ui));
	g_assert_true(booth_ui_find_target(f->ui, RELAIS_JOURNEY_EV_END, NULL, 0, &r));
	touch_key(f, BOOTH_UI_KEY_OPEN, NULL);
	g_assert_cmpstr(booth_ui_get_draft(f->ui), ==, "");
	/* blanks are not a message */
	type(f, "  ");
	touch_key(f, BOOTH_UI_KEY_SEND, NULL);
	g_assert_cmpuint(f->chats->len, ==, 1);
	/* the owner shows the visitor's own messages too */
	const BoothUiChatLine lines[] = {{TRUE, "Bonjour"}, {FALSE, "Bonjour \u00e9t\u00e9"}};
	BoothUiView view = {.n_chat = 2, .chat = lines};
	booth_ui_view_from_journey(&view, f->j);
	booth_ui_set_view(f->ui, &view);
	booth_ui_render(f->ui);
	g_assert_true(booth_ui_get_keyboard_open(f->ui));
}

/* The draft belongs to the call screen: it survives the "end?" dialog, and
 * goes when the call does. QWERTY in English. */
static void test_keyboard_leaves(Fixture *f, gconstpointer data)
{
	SDL_Rect a, q;
	to_call(f, "en");
	touch_key(f, BOOTH_UI_KEY_OPEN, NULL);
	g_assert_true(booth_ui_find_key(f->ui, BOOTH_UI_KEY_CHAR, "a", &a));
	g_assert_true(booth_ui_find_key(f->ui, BOOTH_UI_KEY_CHAR, "q", &q));
	g_assert_cmpint(q.y, <, a.y);
	type(f, "hello");
	session(f, RELAIS_JOURNEY_EV_END);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CONFIRM_END);
	g_assert_cmpstr(booth_ui_get_draft(f->ui), ==, "Hello");
	session(f, RELAIS_JOURNEY_EV_KEEP_TALKING);
	g_assert_cmpstr(booth_ui_get_draft(f->ui), ==, "Hello");
	g_assert_true(booth_ui_find_key(f->ui, BOOTH_UI_KEY_SEND, NULL, &a));
	session(f, RELAIS_JOURNEY_EV_SESSION_ENDED); /* the adviser hung up */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_SATISFACTION);
	g_assert_false(booth_ui_get_keyboard_open(f->ui));
	g_assert_null(booth_ui_get_draft(f->ui));
	/* and it cannot be opened outside the call */
	booth_ui_set_keyboard(f->ui, TRUE, "late");
	g_assert_false(booth_ui_get_keyboard_open(f->ui));
}

/* Never more than the protocol carries, and never half a character. */
static void test_keyboard_cap(Fixture *f, gconstpointer data)
{
	const gsize max = CONFIG_RELAIS_PROTO_MAX_TEXT;
	SDL_Rect a;
	to_call(f, "fr");
	touch_key(f, BOOTH_UI_KEY_OPEN, NULL);
	g_assert_true(booth_ui_find_key(f->ui, BOOTH_UI_KEY_CHAR, "a", &a));
	for (gsize i = 0; i < max + 10; i++)
		click_at(f, a.x + a.w / 2, a.y + a.h / 2);
	g_assert_cmpuint(strlen(booth_ui_get_draft(f->ui)), ==, max);
	touch_key(f, BOOTH_UI_KEY_BACKSPACE, NULL);
	touch_key(f, BOOTH_UI_KEY_ACCENTS, NULL);
	touch_key(f, BOOTH_UI_KEY_CHAR, "\u00e9"); /* two bytes: no room */
	g_assert_cmpuint(strlen(booth_ui_get_draft(f->ui)), ==, max - 1);
	text_input(f, "z\u00e9");
	g_assert_cmpuint(strlen(booth_ui_get_draft(f->ui)), ==, max);
	g_assert_true(g_str_has_suffix(booth_ui_get_draft(f->ui), "az"));
	touch_key(f, BOOTH_UI_KEY_SEND, NULL);
	g_assert_cmpuint(f->chats->len, ==, 1);
	g_assert_cmpuint(strlen(f->chats->pdata[0]), ==, max);
	g_assert_cmpuint(f->refused, ==, 0);
	/* a long draft given at once is cut on a character boundary */
	GString *s = g_string_new(NULL);
	while (s->len <= max)
		g_string_append(s, "\u00e9");
	booth_ui_set_keyboard(f->ui, TRUE, s->str);
	g_string_free(s, TRUE);
	g_assert_cmpuint(strlen(booth_ui_get_draft(f->ui)), ==, max - max % 2);
	g_assert_true(g_utf8_validate(booth_ui_get_draft(f->ui), -1, NULL));
	booth_ui_render(f->ui); /* a full field draws (its tail) */
}

/* Switch access and a physical keyboard: Tab to "Write", Enter opens with
 * the ring on the first letter, arrows move over the keys, typed text goes
 * into the draft, Enter sends, Escape closes. */
static void test_keyboard_keys(Fixture *f, gconstpointer data)
{
	to_call(f, "fr");
	key(f, SDLK_TAB, 0); /* mic */
	key(f, SDLK_TAB, 0); /* camera */
	key(f, SDLK_TAB, 0); /* write */
	key(f, SDLK_RETURN, 0);
	g_assert_true(booth_ui_get_keyboard_open(f->ui));
	key(f, SDLK_RETURN, 0); /* the ring is on "a" */
	g_assert_cmpstr(booth_ui_get_draft(f->ui), ==, "A");
	key(f, SDLK_DOWN, 0); /* the key under it */
	key(f, SDLK_RETURN, 0);
	g_assert_cmpstr(booth_ui_get_draft(f->ui), ==, "Aq");
	key(f, SDLK_RIGHT, 0);
	key(f, SDLK_RETURN, 0);
	g_assert_cmpstr(booth_ui_get_draft(f->ui), ==, "Aqs");
	key(f, SDLK_BACKSPACE, 0);
	text_input(f, "uoi de neuf ?");
	g_assert_cmpstr(booth_ui_get_draft(f->ui), ==, "Aquoi de neuf ?");
	key(f, SDLK_ESCAPE, 0); /* closes the keyboard, not the call */
	g_assert_false(booth_ui_get_keyboard_open(f->ui));
	g_assert_null(booth_ui_get_draft(f->ui));
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_IN_CALL);
	text_input(f, "ignored");
	g_assert_null(booth_ui_get_draft(f->ui));
	key(f, SDLK_RETURN, 0); /* the ring went back to "Write" */
	g_assert_true(booth_ui_get_keyboard_open(f->ui));
	/* typing on a physical keyboard: Enter sends when no key has the ring */
	key(f, SDLK_ESCAPE, 0);
	touch_key(f, BOOTH_UI_KEY_OPEN, NULL); /* by touch: no ring */
	text_input(f, "Bonjour");
	key(f, SDLK_SPACE, 0); /* a space comes as text input, not as "press" */
	text_input(f, " !");
	key(f, SDLK_RETURN, 0);
	g_assert_cmpuint(f->chats->len, ==, 1);
	g_assert_cmpstr(f->chats->pdata[0], ==, "Bonjour !");
	key(f, SDLK_ESCAPE, 0);
	key(f, SDLK_ESCAPE, 0); /* now Escape is the call's: "end?" */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CONFIRM_END);
	g_assert_cmpuint(f->refused, ==, 0);
}

/* 15 mm keys whatever the panel; every letter and the French accents on
 * screen; full rows of ten where they fit. */
static void test_keyboard_sizes(void)
{
	static const struct {
		int w, h, dpi;
	} sizes[] = {{1280, 800, 150}, {1920, 1080, 96}, {800, 480, 133}};
	for (guint s = 0; s < G_N_ELEMENTS(sizes); s++)
		for (const char *const *l = languages; *l; l++) {
			Fixture f = {0};
			setup_size(&f, sizes[s].w, sizes[s].h, sizes[s].dpi);
			to_call(&f, *l);
			touch_key(&f, BOOTH_UI_KEY_OPEN, NULL);
			int min = booth_ui_mm_to_px(f.ui, 15);
			SDL_Rect r, first, tenth;
			for (const char *c = "abcdefghijklmnopqrstuvwxyz"; *c; c++) {
				char k[2] = {*c, 0};
				g_assert_true(booth_ui_find_key(f.ui, BOOTH_UI_KEY_CHAR, k, &r));
				g_assert_cmpint(r.x, >=, 0);
				g_assert_cmpint(r.y, >=, 0);
				g_assert_cmpint(r.x + r.w, <=, sizes[s].w);
				g_assert_cmpint(r.y + r.h, <=, sizes[s].h);
			}
			g_assert_cmpint(booth_ui_min_target_px(f.ui), >=, min);
			if (sizes[s].w >= 1280) { /* the whole top row: a..p / q..p */
				g_assert_true(
					booth_ui_find_key(f.ui, BOOTH_UI_KEY_CHAR, *l[0] == 'f' ? "a" : "q", &first));
				g_assert_true(booth_ui_find_key(f.ui, BOOTH_UI_KEY_CHAR, "p", &tenth));
				g_assert_cmpint(first.y, ==, tenth.y);
			}
			touch_key(&f, BOOTH_UI_KEY_ACCENTS, NULL);
			static const char *const fr[] = {"\u00e9", "\u00e8", "\u00e0", "\u00e7", "\u00f9", "\u00ea"};
			for (guint i = 0; i < G_N_ELEMENTS(fr); i++)
				g_assert_true(booth_ui_find_key(f.ui, BOOTH_UI_KEY_CHAR, fr[i], &r));
			g_assert_cmpint(booth_ui_min_target_px(f.ui), >=, min);
			touch_key(&f, BOOTH_UI_KEY_SYMBOLS, NULL);
			for (const char *c = "0123456789"; *c; c++) {
				char k[2] = {*c, 0};
				g_assert_true(booth_ui_find_key(f.ui, BOOTH_UI_KEY_CHAR, k, &r));
			}
			g_assert_cmpint(booth_ui_min_target_px(f.ui), >=, min);
			teardown(&f, NULL);
		}
}

static void run_loop(GMainContext *ctx, int ms)
{
	gint64 end = g_get_monotonic_time() + ms * 1000;
	while (g_get_monotonic_time() < end) {
		while (g_main_context_iteration(ctx, FALSE))
			;
		g_usleep(2000);
	}
}

static guint64 frames(Fixture *f)
{
	BoothUiStats st;
	booth_ui_get_stats(f->ui, &st);
	return st.frames_rendered;
}

/* The attached source draws only when something changed. */
static void test_redraw_on_change(Fixture *f, gconstpointer data)
{
	g_autoptr(GMainContext) ctx = g_main_context_new();
	booth_ui_attach(f->ui, ctx);
	run_loop(ctx, 100);
	guint64 n = frames(f);
	run_loop(ctx, 200); /* a static screen: nothing */
	g_assert_cmpuint(frames(f), ==, n);
	BoothUiView view = {.queue_position = 1, .wait_minutes = 2};
	booth_ui_view_from_journey(&view, f->j);
	booth_ui_set_view(f->ui, &view); /* the same view again: nothing */
	run_loop(ctx, 100);
	g_assert_cmpuint(frames(f), ==, n);
	view.language = "en"; /* a change: one frame */
	booth_ui_set_view(f->ui, &view);
	run_loop(ctx, 100);
	g_assert_cmpuint(frames(f), ==, n + 1);

	/* a frame posted by a streaming thread: drawn once, uploaded once */
	BoothUiStats before, after;
	booth_ui_get_stats(f->ui, &before);
	g_autoptr(BoothUiMailbox) mb = booth_ui_mailbox_new();
	booth_ui_set_mailbox(f->ui, BOOTH_UI_VIDEO_REMOTE, mb);
	GThread *t = g_thread_new("poster", poster, mb);
	g_thread_join(t);
	run_loop(ctx, 150);
	booth_ui_get_stats(f->ui, &after);
	g_assert_cmpuint(after.frames_rendered, ==, before.frames_rendered + 1);
	g_assert_cmpuint(after.video_uploads[BOOTH_UI_VIDEO_REMOTE], ==,
			 before.video_uploads[BOOTH_UI_VIDEO_REMOTE] + 1);
	g_assert_cmpuint(after.video_uploads[BOOTH_UI_VIDEO_LOCAL], ==, before.video_uploads[BOOTH_UI_VIDEO_LOCAL]);
	g_assert_true(after.has_picture[BOOTH_UI_VIDEO_REMOTE]);
	g_assert_false(after.has_picture[BOOTH_UI_VIDEO_LOCAL]);
	/* ... and the texts of that frame came from the cache */
	g_assert_cmpuint(after.text_hits, >, before.text_hits);
	g_assert_cmpuint(after.text_misses, ==, before.text_misses);
	booth_ui_set_mailbox(f->ui, BOOTH_UI_VIDEO_REMOTE, NULL);

	/* input that changes the picture: a focus ring */
	SDL_Event e = {.type = SDL_KEYDOWN};
	e.key.keysym.sym = SDLK_TAB;
	g_assert_cmpint(SDL_PushEvent(&e), ==, 1);
	run_loop(ctx, 100);
	g_assert_cmpuint(frames(f), ==, after.frames_rendered + 1);

	/* the waiting screen moves, calmly: a capped frame rate */
	BoothUiView waiting = {.state = RELAIS_JOURNEY_WAITING, .language = "fr", .queue_position = 2};
	booth_ui_set_view(f->ui, &waiting);
	run_loop(ctx, 50);
	n = frames(f);
	run_loop(ctx, 600);
	guint64 drawn = frames(f) - n;
	g_test_message("waiting: %" G_GUINT64_FORMAT " frames in 600 ms", drawn);
	g_assert_cmpuint(drawn, >=, 2);
	g_assert_cmpuint(drawn, <=, 600 * CONFIG_RELAIS_UI_ANIMATION_FPS / 1000 + 2);
	/* back to a still screen: still again */
	BoothUiView thanks = {.state = RELAIS_JOURNEY_THANKS, .language = "fr"};
	booth_ui_set_view(f->ui, &thanks);
	run_loop(ctx, 100);
	n = frames(f);
	run_loop(ctx, 200);
	g_assert_cmpuint(frames(f), ==, n);
}

/* Texts are rendered once; the visitor's go with the visitor. */
static void test_text_cache(Fixture *f, gconstpointer data)
{
	guint in_call = 0;
	while (g_strcmp0(booth_ui_sample_name(in_call), "in-call-keyboard") != 0)
		in_call++;
	g_autoptr(GError) error = NULL;
	g_assert_true(booth_ui_render_sample(f->ui, in_call, "fr", &error));
	BoothUiStats a, b;
	booth_ui_get_stats(f->ui, &a);
	g_assert_cmpuint(a.text_entries, >, 10);
	g_assert_cmpuint(a.text_misses, >, 0);
	booth_ui_render(f->ui);
	booth_ui_get_stats(f->ui, &b);
	g_assert_cmpuint(b.text_misses, ==, a.text_misses);
	g_assert_cmpuint(b.text_hits, >=, a.text_hits + a.text_entries / 2);
	g_assert_cmpuint(b.text_entries, ==, a.text_entries);
	/* larger text: every text changes, the old ones go */
	booth_ui_set_large_text(f->ui, TRUE);
	booth_ui_get_stats(f->ui, &b);
	g_assert_cmpuint(b.text_entries, ==, 0);
	booth_ui_render(f->ui);
	booth_ui_get_stats(f->ui, &a);
	g_assert_cmpuint(a.text_entries, >, 10);
	/* wiped: chat and draft were in textures, nothing of them stays */
	BoothUiView wiped = {.state = RELAIS_JOURNEY_WIPED, .language = "fr"};
	booth_ui_set_view(f->ui, &wiped);
	booth_ui_get_stats(f->ui, &b);
	g_assert_cmpuint(b.text_entries, ==, 0);
	g_assert_cmpuint(b.text_pixels, ==, 0);
	g_assert_true(a.has_picture[BOOTH_UI_VIDEO_REMOTE]);
	g_assert_false(b.has_picture[BOOTH_UI_VIDEO_REMOTE]);
	g_assert_false(b.has_picture[BOOTH_UI_VIDEO_LOCAL]);
	g_assert_false(booth_ui_get_keyboard_open(f->ui));
	g_assert_null(booth_ui_get_draft(f->ui));
}

/* availability.next_opening in the visitor's words, against a fixed "now":
 * Monday 23 November 2026, 10:00 in Paris. */
static void test_format_when(Fixture *f, gconstpointer data)
{
	g_autoptr(GDateTime) now = g_date_time_new_from_iso8601("2026-11-23T10:00:00+01:00", NULL);
	static const struct {
		const char *lang, *iso, *words;
	} cases[] = {
		{"fr", "2026-11-23T13:30:00+01:00", "aujourd'hui à 13 h 30"},
		{"fr", "2026-11-24T09:00:00+01:00", "demain à 9 h 00"},
		{"fr", "2026-11-26T13:30:00+01:00", "jeudi à 13 h 30"},
		{"fr", "2026-12-08T09:00:00+01:00", "mardi 8/12 à 9 h 00"},
		{"en", "2026-11-24T09:00:00+01:00", "tomorrow at 9:00 am"},
		{"en", "2026-11-24T13:30:00+01:00", "tomorrow at 1:30 pm"},
		{"en", "2026-11-29T12:00:00+01:00", "Sunday at 12:00 pm"},
		{"en", "2026-11-23T10:30:00+01:00", "today at 10:30 am"},
		/* days as the site counts them: 01:00 tomorrow in Paris is still
		 * today at a site five hours behind UTC */
		{"en", "2026-11-23T20:00:00-05:00", "today at 8:00 pm"},
		{"en", "2026-11-24T00:30:00+01:00", "tomorrow at 12:30 am"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *words = booth_ui_format_when(f->ui, cases[i].lang, cases[i].iso, now);
		g_assert_cmpstr(words, ==, cases[i].words);
	}
	/* not ISO 8601 with an offset, or already past: the "come back later" text */
	static const char *const bad[] = {
		"mardi à 9 h 30",	    "2026-11-24T09:00:00", "2026-11-24", "", "2026-13-01T09:00:00+01:00",
		"2026-11-23T09:00:00+01:00"};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_null(booth_ui_format_when(f->ui, "fr", bad[i], now));
	g_assert_null(booth_ui_format_when(f->ui, "fr", NULL, now));
}

/* The technician screen's input: every press reports its corner and how
 * long it was held; a corner held a second or more is not a tap (the
 * attract screen's whole surface is "start"), a short one is; while the
 * screen is open only its buttons exist (by touch and by keys), and the
 * journey gets nothing. */
static void on_tech(const BoothUiTechInput *in, gpointer data)
{
	g_array_append_val((GArray *)data, *in);
}

static void test_technician(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) got = g_array_new(FALSE, TRUE, sizeof(BoothUiTechInput));
	booth_ui_set_technician_func(f->ui, on_tech, got);
	g_assert_cmpint(relais_journey_get_state(f->j), ==, RELAIS_JOURNEY_ATTRACT);
	/* held in the top-left corner: reported, not a tap */
	g_assert_true(booth_ui_touch(f->ui, TRUE, 5, 5, &error));
	g_usleep(1100 * 1000); /* the press itself: a finger held */
	g_assert_true(booth_ui_touch(f->ui, FALSE, 5, 5, &error));
	g_assert_cmpuint(got->len, ==, 1);
	BoothUiTechInput in = g_array_index(got, BoothUiTechInput, 0);
	g_assert_cmpint(in.action, ==, BOOTH_UI_TECH_PRESS);
	g_assert_cmpint(in.corner, ==, 0);
	g_assert_cmpuint(in.held_ms, >=, 1100);
	g_assert_cmpint(relais_journey_get_state(f->j), ==, RELAIS_JOURNEY_ATTRACT);
	g_assert_cmpuint(f->actions->len, ==, 0);
	/* the top-right corner, and the middle: their corners */
	g_assert_true(booth_ui_touch(f->ui, TRUE, f->w - 3, 3, &error));
	g_usleep(1100 * 1000);
	g_assert_true(booth_ui_touch(f->ui, FALSE, f->w - 3, 3, &error));
	g_assert_cmpint(g_array_index(got, BoothUiTechInput, 1).corner, ==, 1);
	g_assert_cmpint(relais_journey_get_state(f->j), ==, RELAIS_JOURNEY_ATTRACT);
	/* a short press in a corner is a visitor's tap */
	g_assert_true(booth_ui_touch(f->ui, TRUE, 5, 5, &error));
	g_assert_true(booth_ui_touch(f->ui, FALSE, 5, 5, &error));
	g_assert_cmpuint(got->len, ==, 3);
	in = g_array_index(got, BoothUiTechInput, 2);
	g_assert_cmpint(in.corner, ==, 0);
	g_assert_cmpuint(in.held_ms, <, 1000);
	g_assert_cmpint(relais_journey_get_state(f->j), !=, RELAIS_JOURNEY_ATTRACT);
	/* off the screen: refused clearly */
	g_assert_false(booth_ui_touch(f->ui, TRUE, f->w, 5, &error));
	g_assert_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL);
	g_clear_error(&error);

	/* open: only the technician's buttons */
	guint before = f->actions->len;
	BoothUiTechView v = {.mode = BOOTH_UI_TECH_PIN, .attempts_left = 3};
	booth_ui_set_technician(f->ui, &v);
	g_assert_cmpint(booth_ui_get_technician_mode(f->ui), ==, BOOTH_UI_TECH_PIN);
	booth_ui_render(f->ui);
	SDL_Rect r;
	g_assert_false(booth_ui_find_target(f->ui, RELAIS_JOURNEY_EV_BACK, NULL, 0, &r));
	g_assert_false(booth_ui_find_technician_target(f->ui, "speaker", &r)); /* report only */
	g_array_set_size(got, 0);
	g_assert_true(booth_ui_tap_technician(f->ui, "7", &error));
	g_assert_true(booth_ui_tap_technician(f->ui, "back", &error));
	g_assert_true(booth_ui_tap_technician(f->ui, "ok", &error));
	g_assert_false(booth_ui_tap_technician(f->ui, "x", &error));
	g_clear_error(&error);
	/* each tap: its press, then its button */
	g_assert_cmpuint(got->len, ==, 6);
	g_assert_cmpint(g_array_index(got, BoothUiTechInput, 1).action, ==, BOOTH_UI_TECH_DIGIT);
	g_assert_cmpint(g_array_index(got, BoothUiTechInput, 1).digit, ==, 7);
	g_assert_cmpint(g_array_index(got, BoothUiTechInput, 3).action, ==, BOOTH_UI_TECH_BACKSPACE);
	g_assert_cmpint(g_array_index(got, BoothUiTechInput, 5).action, ==, BOOTH_UI_TECH_OK);
	/* keys: Escape does nothing to the journey, Tab and Enter press a button */
	g_array_set_size(got, 0);
	g_assert_true(booth_ui_press_key(f->ui, "Escape", &error));
	g_assert_true(booth_ui_press_key(f->ui, "Tab", &error));
	booth_ui_render(f->ui);
	g_assert_true(booth_ui_press_key(f->ui, "Return", &error));
	g_assert_cmpuint(got->len, ==, 1);
	g_assert_cmpint(g_array_index(got, BoothUiTechInput, 0).action, ==, BOOTH_UI_TECH_DIGIT);
	g_assert_cmpint(g_array_index(got, BoothUiTechInput, 0).digit, ==, 1);
	g_assert_cmpuint(f->actions->len, ==, before);
	/* the report: the tests' buttons and Close */
	BoothUiTechItem items[] = {{"ui.tech.item.board", "sim"}, {"ui.tech.item.turn", "unreachable", TRUE}};
	v = (BoothUiTechView){.mode = BOOTH_UI_TECH_REPORT, .items = items, .n_items = 2, .mic_level = 0.5};
	booth_ui_set_technician(f->ui, &v);
	booth_ui_render(f->ui);
	g_assert_true(booth_ui_find_technician_target(f->ui, "speaker", &r));
	g_assert_true(booth_ui_find_technician_target(f->ui, "turn", &r));
	g_assert_true(booth_ui_find_technician_target(f->ui, "close", &r));
	g_assert_false(booth_ui_find_technician_target(f->ui, "5", &r));
	/* closed: the journey's screen and targets are back */
	booth_ui_set_technician(f->ui, NULL);
	g_assert_cmpint(booth_ui_get_technician_mode(f->ui), ==, BOOTH_UI_TECH_CLOSED);
	booth_ui_render(f->ui);
	g_assert_false(booth_ui_find_technician_target(f->ui, "close", &r));
	g_assert_true(booth_ui_find_target(f->ui, RELAIS_JOURNEY_EV_BACK, NULL, 0, &r));
	booth_ui_set_technician_func(f->ui, NULL, NULL);
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
	ADD("/ui-input/stamp-drawn", test_stamp_drawn);
	ADD("/ui-input/partial-redraw", test_partial_redraw);
	ADD("/ui-input/video-layouts", test_video_layouts);
	ADD("/ui-input/keyboard-typing", test_keyboard_typing);
	ADD("/ui-input/keyboard-leaves", test_keyboard_leaves);
	ADD("/ui-input/keyboard-cap", test_keyboard_cap);
	ADD("/ui-input/keyboard-keys", test_keyboard_keys);
	ADD("/ui-input/redraw-on-change", test_redraw_on_change);
	ADD("/ui-input/text-cache", test_text_cache);
	ADD("/ui-input/format-when", test_format_when);
	ADD("/ui-input/booking", test_booking);
	ADD("/ui-input/check-in", test_check_in);
	ADD("/ui-input/technician", test_technician);
	g_test_add_func("/ui-input/keyboard-sizes", test_keyboard_sizes);
	g_test_add_func("/ui-input/target-sizes", test_target_sizes);
	g_test_add_func("/ui-input/bad-config", test_bad_config);
	return g_test_run();
}
