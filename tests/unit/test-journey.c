/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The visitor journey state machine: every screen, every branch, refusals. */
#include "journey.h"
#include "relais-config.h"

#include <string.h>

typedef RelaisJourneyState St;
typedef RelaisJourneyAction Act;

#define QS                                                                                                             \
	"[set]\nid=t\nquestions=topic;situation\n"                                                                     \
	"[question topic]\ntitle=q.topic.title\nchoices=guidance;training\nlabels=a;b\n"                               \
	"[question situation]\ntitle=q.s\nchoices=student;other\nlabels=c;d\n"

typedef struct {
	RelaisQuestions *qs;
	RelaisJourney *j;
} Fixture;

static const char *const two_languages[] = {"fr", "en", NULL};
static const RelaisJourneyTimeouts timeouts = {60, 20, 15, 30, 90, 8};

static void setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->qs = relais_questions_load_data(QS, strlen(QS), &error);
	g_assert_no_error(error);
	f->j = relais_journey_new(f->qs, data ? data : two_languages, &timeouts);
}

static void teardown(Fixture *f, gconstpointer data)
{
	relais_journey_free(f->j);
	relais_questions_free(f->qs);
}

static Act feed_full(RelaisJourney *j, RelaisJourneyEventType type, const char *str, int num)
{
	RelaisJourneyEvent ev = {type, str, num};
	Act act = RELAIS_JOURNEY_N_ACTIONS;
	g_autoptr(GError) error = NULL;
	if (!relais_journey_feed(j, &ev, &act, &error))
		g_error("%s", error->message);
	return act;
}

static Act feed(RelaisJourney *j, RelaisJourneyEventType type)
{
	return feed_full(j, type, NULL, 0);
}

static void refused(RelaisJourney *j, RelaisJourneyEventType type, const char *str, int num, gint code)
{
	RelaisJourneyEvent ev = {type, str, num};
	St before = relais_journey_get_state(j);
	guint q = relais_journey_get_question_index(j);
	g_autoptr(GError) error = NULL;
	g_assert_false(relais_journey_feed(j, &ev, NULL, &error));
	g_assert_error(error, RELAIS_JOURNEY_ERROR, code);
	if (code == RELAIS_JOURNEY_ERROR_NOT_ALLOWED) {
		g_assert_nonnull(strstr(error->message, relais_journey_event_name(type)));
		g_assert_nonnull(strstr(error->message, relais_journey_state_name(before)));
	}
	g_assert_cmpint(relais_journey_get_state(j), ==, before);
	g_assert_cmpuint(relais_journey_get_question_index(j), ==, q);
}

#define STATE(f) relais_journey_get_state((f)->j)

/* attract -> language -> questions -> consent -> self_check */
static void to_self_check(Fixture *f)
{
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_START), ==, RELAIS_JOURNEY_ACT_NONE);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_LANGUAGE);
	feed_full(f->j, RELAIS_JOURNEY_EV_LANGUAGE, "en", 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_QUESTION);
	g_assert_cmpstr(relais_journey_get_language(f->j), ==, "en");
	feed_full(f->j, RELAIS_JOURNEY_EV_ANSWER, "training", 0);
	g_assert_cmpuint(relais_journey_get_question_index(f->j), ==, 1);
	feed(f->j, RELAIS_JOURNEY_EV_SKIP);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CONSENT);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_ACCEPT), ==, RELAIS_JOURNEY_ACT_PREVIEW_START);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_SELF_CHECK);
}

static void assert_wiped(Fixture *f)
{
	g_assert_cmpstr(relais_journey_get_language(f->j), ==, "fr");
	g_assert_null(relais_journey_get_answer(f->j, 0));
	g_assert_null(relais_journey_get_answer(f->j, 1));
	g_assert_cmpint(relais_journey_get_score(f->j), ==, 0);
	g_assert_false(relais_journey_get_muted(f->j));
	g_assert_false(relais_journey_get_camera_off(f->j));
}

static void test_happy_path(Fixture *f, gconstpointer data)
{
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_ATTRACT);
	g_assert_cmpuint(relais_journey_timeout_s(f->j), ==, 0);
	to_self_check(f);
	g_assert_cmpstr(relais_journey_get_answer(f->j, 0), ==, "training");
	g_assert_null(relais_journey_get_answer(f->j, 1)); /* skipped */
	g_assert_cmpuint(relais_journey_timeout_s(f->j), ==, 60);

	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_READY), ==, RELAIS_JOURNEY_ACT_REQUEST);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_WAITING);
	g_assert_cmpuint(relais_journey_timeout_s(f->j), ==, 0); /* waiting has no timeout */
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_QUEUED);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_WAITING);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_CONNECTING);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CONNECTING);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_IN_CALL);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_IN_CALL);

	/* in-call controls */
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_MUTE), ==, RELAIS_JOURNEY_ACT_MUTE);
	g_assert_true(relais_journey_get_muted(f->j));
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_CAMERA), ==, RELAIS_JOURNEY_ACT_CAMERA);
	g_assert_true(relais_journey_get_camera_off(f->j));
	g_assert_cmpint(feed_full(f->j, RELAIS_JOURNEY_EV_VOLUME, NULL, 30), ==, RELAIS_JOURNEY_ACT_VOLUME);
	g_assert_cmpint(relais_journey_get_volume(f->j), ==, 30);
	refused(f->j, RELAIS_JOURNEY_EV_VOLUME, NULL, 101, RELAIS_JOURNEY_ERROR_INVALID);

	/* end asks first */
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_END), ==, RELAIS_JOURNEY_ACT_NONE);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CONFIRM_END);
	g_assert_cmpuint(relais_journey_timeout_s(f->j), ==, 15);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_KEEP_TALKING), ==, RELAIS_JOURNEY_ACT_NONE);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_IN_CALL);
	feed(f->j, RELAIS_JOURNEY_EV_END);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_CONFIRM_END), ==, RELAIS_JOURNEY_ACT_END);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_SATISFACTION);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_ENDED); /* the end we asked for, late */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_SATISFACTION);

	refused(f->j, RELAIS_JOURNEY_EV_SCORE, NULL, 0, RELAIS_JOURNEY_ERROR_INVALID);
	refused(f->j, RELAIS_JOURNEY_EV_SCORE, NULL, 6, RELAIS_JOURNEY_ERROR_INVALID);
	g_assert_cmpint(feed_full(f->j, RELAIS_JOURNEY_EV_SCORE, NULL, 4), ==, RELAIS_JOURNEY_ACT_SCORE);
	g_assert_cmpint(relais_journey_get_score(f->j), ==, 4);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_THANKS);
	g_assert_cmpuint(relais_journey_timeout_s(f->j), ==, 8);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_DONE), ==, RELAIS_JOURNEY_ACT_WIPE);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_WIPED);
	assert_wiped(f);
	feed(f->j, RELAIS_JOURNEY_EV_WIPED);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_ATTRACT);
}

static void test_back(Fixture *f, gconstpointer data)
{
	feed(f->j, RELAIS_JOURNEY_EV_START);
	feed(f->j, RELAIS_JOURNEY_EV_BACK);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_ATTRACT);
	feed(f->j, RELAIS_JOURNEY_EV_START);
	feed_full(f->j, RELAIS_JOURNEY_EV_LANGUAGE, "en", 0);
	feed_full(f->j, RELAIS_JOURNEY_EV_ANSWER, "guidance", 0);
	feed_full(f->j, RELAIS_JOURNEY_EV_ANSWER, "student", 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CONSENT);
	feed(f->j, RELAIS_JOURNEY_EV_ACCEPT);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_BACK), ==, RELAIS_JOURNEY_ACT_PREVIEW_STOP);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CONSENT);
	feed(f->j, RELAIS_JOURNEY_EV_BACK);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_QUESTION);
	g_assert_cmpuint(relais_journey_get_question_index(f->j), ==, 1);
	feed(f->j, RELAIS_JOURNEY_EV_BACK);
	g_assert_cmpuint(relais_journey_get_question_index(f->j), ==, 0);
	/* answers are kept while going back, so the screen shows them */
	g_assert_cmpstr(relais_journey_get_answer(f->j, 0), ==, "guidance");
	g_assert_cmpstr(relais_journey_get_answer(f->j, 1), ==, "student");
	/* changing one's mind: skip clears, answer replaces */
	feed(f->j, RELAIS_JOURNEY_EV_SKIP);
	g_assert_null(relais_journey_get_answer(f->j, 0));
	feed(f->j, RELAIS_JOURNEY_EV_BACK);
	feed(f->j, RELAIS_JOURNEY_EV_BACK);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_LANGUAGE);
	feed(f->j, RELAIS_JOURNEY_EV_BACK);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_ATTRACT);
	assert_wiped(f); /* back to attract forgets everything */
}

static void test_one_language(Fixture *f, gconstpointer data)
{
	feed(f->j, RELAIS_JOURNEY_EV_START);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_QUESTION); /* no language screen */
	g_assert_cmpstr(relais_journey_get_language(f->j), ==, "fr");
	feed(f->j, RELAIS_JOURNEY_EV_BACK);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_ATTRACT);
}

static void test_not_now_and_cancel(Fixture *f, gconstpointer data)
{
	to_self_check(f);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_NOT_NOW), ==, RELAIS_JOURNEY_ACT_WIPE);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_WIPED);
	assert_wiped(f);
	feed(f->j, RELAIS_JOURNEY_EV_WIPED);

	to_self_check(f);
	feed(f->j, RELAIS_JOURNEY_EV_READY);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_CANCEL), ==, RELAIS_JOURNEY_ACT_CANCEL);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_THANKS);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_ENDED); /* the cancel, confirmed */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_THANKS);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_TIMEOUT), ==, RELAIS_JOURNEY_ACT_WIPE);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_WIPED);

	/* hanging up before anyone is on screen needs no confirmation */
	feed(f->j, RELAIS_JOURNEY_EV_WIPED);
	to_self_check(f);
	feed(f->j, RELAIS_JOURNEY_EV_READY);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_CONNECTING);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_END), ==, RELAIS_JOURNEY_ACT_END);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_THANKS);
}

static void test_timeouts(Fixture *f, gconstpointer data)
{
	/* each screen before the call: still there? -> stay resumes it */
	static const St screens[] = {RELAIS_JOURNEY_LANGUAGE, RELAIS_JOURNEY_QUESTION, RELAIS_JOURNEY_CONSENT,
				     RELAIS_JOURNEY_SELF_CHECK};
	feed(f->j, RELAIS_JOURNEY_EV_START);
	for (guint i = 0; i < G_N_ELEMENTS(screens); i++) {
		g_assert_cmpint(STATE(f), ==, screens[i]);
		g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_TIMEOUT), ==, RELAIS_JOURNEY_ACT_NONE);
		g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_STILL_THERE);
		g_assert_cmpint(relais_journey_get_resume_state(f->j), ==, screens[i]);
		g_assert_cmpuint(relais_journey_timeout_s(f->j), ==, 20); /* the visible countdown */
		refused(f->j, RELAIS_JOURNEY_EV_BACK, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
		feed(f->j, RELAIS_JOURNEY_EV_STAY);
		g_assert_cmpint(STATE(f), ==, screens[i]);
		switch (i) {
		case 0:
			feed_full(f->j, RELAIS_JOURNEY_EV_LANGUAGE, "en", 0);
			break;
		case 1:
			feed_full(f->j, RELAIS_JOURNEY_EV_ANSWER, "guidance", 0);
			feed(f->j, RELAIS_JOURNEY_EV_SKIP);
			break;
		case 2:
			feed(f->j, RELAIS_JOURNEY_EV_ACCEPT);
			break;
		}
	}
	/* ... and when nobody answers, everything goes */
	feed(f->j, RELAIS_JOURNEY_EV_TIMEOUT);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_TIMEOUT), ==, RELAIS_JOURNEY_ACT_WIPE);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_WIPED);
	assert_wiped(f);
	feed(f->j, RELAIS_JOURNEY_EV_WIPED);

	/* confirm_end times out into the call, satisfaction into thanks */
	to_self_check(f);
	feed(f->j, RELAIS_JOURNEY_EV_READY);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_CONNECTING);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_IN_CALL);
	refused(f->j, RELAIS_JOURNEY_EV_TIMEOUT, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	feed(f->j, RELAIS_JOURNEY_EV_END);
	feed(f->j, RELAIS_JOURNEY_EV_TIMEOUT);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_IN_CALL);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_ENDED); /* the adviser ended */
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_SATISFACTION);
	g_assert_false(relais_journey_get_call_lost(f->j));
	g_assert_cmpuint(relais_journey_timeout_s(f->j), ==, 30);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_TIMEOUT), ==, RELAIS_JOURNEY_ACT_NONE);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_THANKS);
	g_assert_cmpint(relais_journey_get_score(f->j), ==, 0);

	/* a call the connection ended (the booth's "media lost"): the
	 * satisfaction screen says so; the next visitor does not see it */
	feed(f->j, RELAIS_JOURNEY_EV_DONE);
	feed(f->j, RELAIS_JOURNEY_EV_WIPED);
	to_self_check(f);
	feed(f->j, RELAIS_JOURNEY_EV_READY);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_CONNECTING);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_IN_CALL);
	feed_full(f->j, RELAIS_JOURNEY_EV_SESSION_ENDED, "media lost", 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_SATISFACTION);
	g_assert_true(relais_journey_get_call_lost(f->j));
	relais_journey_wipe(f->j);
	g_assert_false(relais_journey_get_call_lost(f->j));
}

static void test_no_adviser(Fixture *f, gconstpointer data)
{
	/* known beforehand: no request at all */
	feed_full(f->j, RELAIS_JOURNEY_EV_AVAILABILITY, "Tuesday 9:30", 0);
	to_self_check(f);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_READY), ==, RELAIS_JOURNEY_ACT_PREVIEW_STOP);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_NO_ADVISER);
	g_assert_cmpstr(relais_journey_get_next_opening(f->j), ==, "Tuesday 9:30");
	g_assert_cmpuint(relais_journey_timeout_s(f->j), ==, 90);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_TIMEOUT), ==, RELAIS_JOURNEY_ACT_WIPE);
	feed(f->j, RELAIS_JOURNEY_EV_WIPED);
	/* the next opening is the site's, not the visitor's: it stays */
	g_assert_cmpstr(relais_journey_get_next_opening(f->j), ==, "Tuesday 9:30");

	/* told by the switchboard after asking */
	feed_full(f->j, RELAIS_JOURNEY_EV_AVAILABILITY, NULL, -1);
	to_self_check(f);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_READY), ==, RELAIS_JOURNEY_ACT_REQUEST);
	feed_full(f->j, RELAIS_JOURNEY_EV_SESSION_NO_ADVISER, "Wednesday 14:00", 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_NO_ADVISER);
	g_assert_cmpstr(relais_journey_get_next_opening(f->j), ==, "Wednesday 14:00");
	g_assert_cmpint(relais_journey_get_advisers_on_duty(f->j), ==, 0);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_ENDED);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_DONE), ==, RELAIS_JOURNEY_ACT_WIPE);

	/* the queue dropped under the visitor */
	feed(f->j, RELAIS_JOURNEY_EV_WIPED);
	feed_full(f->j, RELAIS_JOURNEY_EV_AVAILABILITY, NULL, 2);
	to_self_check(f);
	feed(f->j, RELAIS_JOURNEY_EV_READY);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_ENDED);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_NO_ADVISER);
}

static void test_link_and_faults(Fixture *f, gconstpointer data)
{
	to_self_check(f);
	feed(f->j, RELAIS_JOURNEY_EV_READY);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_CONNECTING);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_IN_CALL);
	/* link lost and recovered: the call screen stays, with an overlay */
	feed(f->j, RELAIS_JOURNEY_EV_LINK_LOST);
	g_assert_true(relais_journey_get_link_down(f->j));
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_IN_CALL);
	feed(f->j, RELAIS_JOURNEY_EV_LINK_UP);
	g_assert_false(relais_journey_get_link_down(f->j));
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_IN_CALL);
	/* lost for good: the session ends, the visitor still rates */
	feed(f->j, RELAIS_JOURNEY_EV_LINK_LOST);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_ENDED);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_SATISFACTION);
	feed(f->j, RELAIS_JOURNEY_EV_LINK_UP);

	/* out of order from anywhere, wiping what the visitor said */
	feed_full(f->j, RELAIS_JOURNEY_EV_SCORE, NULL, 5);
	g_assert_cmpint(feed_full(f->j, RELAIS_JOURNEY_EV_SESSION_OUT_OF_ORDER, "camera gone", 0), ==,
			RELAIS_JOURNEY_ACT_WIPE);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_OUT_OF_ORDER);
	g_assert_cmpstr(relais_journey_get_fault(f->j), ==, "camera gone");
	assert_wiped(f);
	refused(f->j, RELAIS_JOURNEY_EV_START, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, RELAIS_JOURNEY_EV_TIMEOUT, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	g_assert_cmpint(feed_full(f->j, RELAIS_JOURNEY_EV_SESSION_OUT_OF_ORDER, "still", 0), ==,
			RELAIS_JOURNEY_ACT_NONE);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_REPAIRED);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_ATTRACT);
	g_assert_null(relais_journey_get_fault(f->j));

	for (St s = 0; s < RELAIS_JOURNEY_N_STATES; s++)
		g_assert_cmpstr(relais_journey_state_name(s), !=, "?");
}

/* The language buttons of the attract screen: the first touch picks the
 * language, then four taps (two answers or skips, consent, I'm ready) put
 * the visitor in the queue, with no typing. */
static void test_four_taps(Fixture *f, gconstpointer data)
{
	refused(f->j, RELAIS_JOURNEY_EV_LANGUAGE, "de", 0, RELAIS_JOURNEY_ERROR_INVALID);
	g_assert_cmpint(feed_full(f->j, RELAIS_JOURNEY_EV_LANGUAGE, "en", 0), ==, RELAIS_JOURNEY_ACT_NONE);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_QUESTION);
	g_assert_cmpuint(relais_journey_get_question_index(f->j), ==, 0);
	g_assert_cmpstr(relais_journey_get_language(f->j), ==, "en");
	feed_full(f->j, RELAIS_JOURNEY_EV_ANSWER, "training", 0);
	feed(f->j, RELAIS_JOURNEY_EV_SKIP);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_ACCEPT), ==, RELAIS_JOURNEY_ACT_PREVIEW_START);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_READY), ==, RELAIS_JOURNEY_ACT_REQUEST);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_WAITING); /* four taps after the first touch */
	g_assert_cmpstr(relais_journey_get_answer(f->j, 0), ==, "training");
}

static void test_refused(Fixture *f, gconstpointer data)
{
	/* attract: only start (and owner/world events) */
	static const RelaisJourneyEventType not_in_attract[] = {
		RELAIS_JOURNEY_EV_ANSWER,
		RELAIS_JOURNEY_EV_SKIP,
		RELAIS_JOURNEY_EV_BACK,
		RELAIS_JOURNEY_EV_ACCEPT,
		RELAIS_JOURNEY_EV_READY,
		RELAIS_JOURNEY_EV_NOT_NOW,
		RELAIS_JOURNEY_EV_CANCEL,
		RELAIS_JOURNEY_EV_END,
		RELAIS_JOURNEY_EV_CONFIRM_END,
		RELAIS_JOURNEY_EV_KEEP_TALKING,
		RELAIS_JOURNEY_EV_MUTE,
		RELAIS_JOURNEY_EV_CAMERA,
		RELAIS_JOURNEY_EV_VOLUME,
		RELAIS_JOURNEY_EV_SCORE,
		RELAIS_JOURNEY_EV_DONE,
		RELAIS_JOURNEY_EV_STAY,
		RELAIS_JOURNEY_EV_CHAT,
		RELAIS_JOURNEY_EV_TIMEOUT,
		RELAIS_JOURNEY_EV_WIPED,
		RELAIS_JOURNEY_EV_SESSION_QUEUED,
		RELAIS_JOURNEY_EV_SESSION_NO_ADVISER,
		RELAIS_JOURNEY_EV_SESSION_CONNECTING,
		RELAIS_JOURNEY_EV_SESSION_IN_CALL,
		RELAIS_JOURNEY_EV_SESSION_ENDED,
		RELAIS_JOURNEY_EV_SESSION_REPAIRED,
	};
	for (guint i = 0; i < G_N_ELEMENTS(not_in_attract); i++)
		refused(f->j, not_in_attract[i], "x", 3, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, RELAIS_JOURNEY_N_EVENTS, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, (RelaisJourneyEventType)999, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);

	/* bad arguments */
	feed(f->j, RELAIS_JOURNEY_EV_START);
	refused(f->j, RELAIS_JOURNEY_EV_LANGUAGE, "de", 0, RELAIS_JOURNEY_ERROR_INVALID);
	refused(f->j, RELAIS_JOURNEY_EV_LANGUAGE, NULL, 0, RELAIS_JOURNEY_ERROR_INVALID);
	g_assert_cmpstr(relais_journey_get_language(f->j), ==, "fr");
	feed_full(f->j, RELAIS_JOURNEY_EV_LANGUAGE, "en", 0);
	refused(f->j, RELAIS_JOURNEY_EV_ANSWER, "student", 0, RELAIS_JOURNEY_ERROR_INVALID); /* other question's */
	refused(f->j, RELAIS_JOURNEY_EV_ANSWER, NULL, 0, RELAIS_JOURNEY_ERROR_INVALID);
	g_assert_null(relais_journey_get_answer(f->j, 0));
	/* session events out of place */
	refused(f->j, RELAIS_JOURNEY_EV_SESSION_IN_CALL, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, RELAIS_JOURNEY_EV_SESSION_ENDED, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, RELAIS_JOURNEY_EV_MUTE, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	feed(f->j, RELAIS_JOURNEY_EV_SKIP);
	feed(f->j, RELAIS_JOURNEY_EV_SKIP);
	feed(f->j, RELAIS_JOURNEY_EV_ACCEPT);
	feed(f->j, RELAIS_JOURNEY_EV_READY);
	refused(f->j, RELAIS_JOURNEY_EV_SESSION_IN_CALL, NULL, 0,
		RELAIS_JOURNEY_ERROR_NOT_ALLOWED); /* skips connecting */
	refused(f->j, RELAIS_JOURNEY_EV_END, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, RELAIS_JOURNEY_EV_BACK, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	/* the visitor controls mic and camera while waiting */
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_CAMERA), ==, RELAIS_JOURNEY_ACT_CAMERA);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_CONNECTING);
	refused(f->j, RELAIS_JOURNEY_EV_CANCEL, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, RELAIS_JOURNEY_EV_CONFIRM_END, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_IN_CALL);
	refused(f->j, RELAIS_JOURNEY_EV_SESSION_QUEUED, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, RELAIS_JOURNEY_EV_SCORE, NULL, 3, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, RELAIS_JOURNEY_EV_DONE, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, RELAIS_JOURNEY_EV_WIPED, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
}

/* The visitor's chat: checked like the protocol checks it, and not kept. */
static void test_chat(Fixture *f, gconstpointer data)
{
	to_self_check(f);
	refused(f->j, RELAIS_JOURNEY_EV_CHAT, "hello", 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	feed(f->j, RELAIS_JOURNEY_EV_READY);
	refused(f->j, RELAIS_JOURNEY_EV_CHAT, "hello", 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED); /* waiting */
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_CONNECTING);
	refused(f->j, RELAIS_JOURNEY_EV_CHAT, "hello", 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED); /* nobody there yet */
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_IN_CALL);

	g_assert_cmpint(feed_full(f->j, RELAIS_JOURNEY_EV_CHAT, "Bonjour, j'ai une question", 0), ==,
			RELAIS_JOURNEY_ACT_CHAT);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_IN_CALL);
	g_assert_cmpint(feed_full(f->j, RELAIS_JOURNEY_EV_CHAT, "\u00e9t\u00e9 \u00e0 la gare", 0), ==,
			RELAIS_JOURNEY_ACT_CHAT);
	refused(f->j, RELAIS_JOURNEY_EV_CHAT, NULL, 0, RELAIS_JOURNEY_ERROR_INVALID);
	refused(f->j, RELAIS_JOURNEY_EV_CHAT, "", 0, RELAIS_JOURNEY_ERROR_INVALID);
	refused(f->j, RELAIS_JOURNEY_EV_CHAT, "caf\xc3", 0, RELAIS_JOURNEY_ERROR_INVALID); /* cut in a character */
	refused(f->j, RELAIS_JOURNEY_EV_CHAT, "\xff\xfe", 0, RELAIS_JOURNEY_ERROR_INVALID);
	g_autofree char *longest = g_strnfill(CONFIG_RELAIS_PROTO_MAX_TEXT, 'x');
	g_assert_cmpint(feed_full(f->j, RELAIS_JOURNEY_EV_CHAT, longest, 0), ==, RELAIS_JOURNEY_ACT_CHAT);
	g_autofree char *too_long = g_strnfill(CONFIG_RELAIS_PROTO_MAX_TEXT + 1, 'x');
	refused(f->j, RELAIS_JOURNEY_EV_CHAT, too_long, 0, RELAIS_JOURNEY_ERROR_INVALID);

	/* not while asking to end: the dialog covers the keyboard */
	feed(f->j, RELAIS_JOURNEY_EV_END);
	refused(f->j, RELAIS_JOURNEY_EV_CHAT, "hello", 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	feed(f->j, RELAIS_JOURNEY_EV_CONFIRM_END);
	refused(f->j, RELAIS_JOURNEY_EV_CHAT, "hello", 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
}

/* self_check -> no_adviser (nobody on duty) */
static void to_no_adviser(Fixture *f)
{
	feed_full(f->j, RELAIS_JOURNEY_EV_AVAILABILITY, "2026-11-24T09:00:00+01:00", 0);
	to_self_check(f);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_READY), ==, RELAIS_JOURNEY_ACT_PREVIEW_STOP);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_NO_ADVISER);
}

static void test_book(Fixture *f, gconstpointer data)
{
	to_no_adviser(f);
	/* the list is asked for; until it comes, nothing to pick */
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_BOOK), ==, RELAIS_JOURNEY_ACT_SLOTS);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_BOOK_SLOTS);
	g_assert_cmpint(relais_journey_get_n_slots(f->j), ==, -1);
	g_assert_cmpuint(relais_journey_timeout_s(f->j), ==, 60);
	refused(f->j, RELAIS_JOURNEY_EV_SLOT, NULL, 0, RELAIS_JOURNEY_ERROR_INVALID);
	refused(f->j, RELAIS_JOURNEY_EV_SLOTS, NULL, -1, RELAIS_JOURNEY_ERROR_INVALID);
	refused(f->j, RELAIS_JOURNEY_EV_SLOTS, NULL, CONFIG_RELAIS_PROTO_MAX_SLOTS + 1, RELAIS_JOURNEY_ERROR_INVALID);
	feed_full(f->j, RELAIS_JOURNEY_EV_SLOTS, NULL, 3);
	g_assert_cmpint(relais_journey_get_n_slots(f->j), ==, 3);
	refused(f->j, RELAIS_JOURNEY_EV_SLOT, NULL, 3, RELAIS_JOURNEY_ERROR_INVALID);
	refused(f->j, RELAIS_JOURNEY_EV_SLOT, NULL, -1, RELAIS_JOURNEY_ERROR_INVALID);
	refused(f->j, RELAIS_JOURNEY_EV_BOOK_CONFIRM, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);

	/* pick, back, pick again */
	feed_full(f->j, RELAIS_JOURNEY_EV_SLOT, NULL, 2);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_BOOK_CONFIRM);
	g_assert_cmpint(relais_journey_get_slot(f->j), ==, 2);
	feed(f->j, RELAIS_JOURNEY_EV_BACK);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_BOOK_SLOTS);
	feed_full(f->j, RELAIS_JOURNEY_EV_SLOT, NULL, 1);

	/* the slot was just taken: back to a fresh list, the reason shown */
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_BOOK_CONFIRM), ==, RELAIS_JOURNEY_ACT_BOOK);
	g_assert_true(relais_journey_get_booking_pending(f->j));
	refused(f->j, RELAIS_JOURNEY_EV_BOOK_CONFIRM, NULL, 0,
		RELAIS_JOURNEY_ERROR_NOT_ALLOWED); /* no double booking */
	refused(f->j, RELAIS_JOURNEY_EV_BACK, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, RELAIS_JOURNEY_EV_BOOKING_FAILED, "nonsense", 0, RELAIS_JOURNEY_ERROR_INVALID);
	g_assert_cmpint(feed_full(f->j, RELAIS_JOURNEY_EV_BOOKING_FAILED, "taken", 0), ==, RELAIS_JOURNEY_ACT_SLOTS);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_BOOK_SLOTS);
	g_assert_cmpstr(relais_journey_get_booking_error(f->j), ==, "taken");
	g_assert_cmpint(relais_journey_get_n_slots(f->j), ==, -1);
	feed_full(f->j, RELAIS_JOURNEY_EV_SLOTS, NULL, 2);
	feed_full(f->j, RELAIS_JOURNEY_EV_SLOT, NULL, 0);
	g_assert_null(relais_journey_get_booking_error(f->j));
	feed(f->j, RELAIS_JOURNEY_EV_BOOK_CONFIRM);
	/* an answer that is not a code is refused; the real one shows */
	refused(f->j, RELAIS_JOURNEY_EV_BOOKED, "bk-1", 0, RELAIS_JOURNEY_ERROR_INVALID);
	feed_full(f->j, RELAIS_JOURNEY_EV_BOOKED, "7KQ2MZ", 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_BOOK_CODE);
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "7KQ2MZ");
	g_assert_cmpuint(relais_journey_timeout_s(f->j), ==, CONFIG_RELAIS_UI_BOOKING_CODE_TIMEOUT_S);
	refused(f->j, RELAIS_JOURNEY_EV_BACK, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	/* done: the code is not kept */
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_DONE), ==, RELAIS_JOURNEY_ACT_WIPE);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_WIPED);
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "");
	g_assert_cmpint(relais_journey_get_n_slots(f->j), ==, -1);
	assert_wiped(f);
}

static void test_book_edges(Fixture *f, gconstpointer data)
{
	/* only from no_adviser */
	refused(f->j, RELAIS_JOURNEY_EV_BOOK, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	to_no_adviser(f);
	feed(f->j, RELAIS_JOURNEY_EV_BOOK);
	/* the list could not be had: the reason, and no loop asking again */
	g_assert_cmpint(feed_full(f->j, RELAIS_JOURNEY_EV_BOOKING_FAILED, "offline", 0), ==, RELAIS_JOURNEY_ACT_NONE);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_BOOK_SLOTS);
	g_assert_cmpint(relais_journey_get_n_slots(f->j), ==, 0);
	g_assert_cmpstr(relais_journey_get_booking_error(f->j), ==, "offline");
	/* back to no_adviser, then an idle visitor: still there? then wiped */
	feed(f->j, RELAIS_JOURNEY_EV_BACK);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_NO_ADVISER);
	feed(f->j, RELAIS_JOURNEY_EV_BOOK);
	feed_full(f->j, RELAIS_JOURNEY_EV_SLOTS, NULL, 1);
	feed_full(f->j, RELAIS_JOURNEY_EV_SLOT, NULL, 0);
	feed(f->j, RELAIS_JOURNEY_EV_TIMEOUT);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_STILL_THERE);
	feed(f->j, RELAIS_JOURNEY_EV_STAY);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_BOOK_CONFIRM);
	feed(f->j, RELAIS_JOURNEY_EV_BOOK_CONFIRM);
	feed_full(f->j, RELAIS_JOURNEY_EV_BOOKED, "ABCDEF", 0);
	/* the code screen times out into the wipe */
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_TIMEOUT), ==, RELAIS_JOURNEY_ACT_WIPE);
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "");
	/* a late answer changes nothing */
	refused(f->j, RELAIS_JOURNEY_EV_BOOKED, "ABCDEF", 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, RELAIS_JOURNEY_EV_SLOTS, NULL, 2, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
}

static void type_code(Fixture *f, const char *code)
{
	for (const char *p = code; *p; p++) {
		char c[2] = {*p, 0};
		g_assert_cmpint(feed_full(f->j, RELAIS_JOURNEY_EV_CODE_CHAR, c, 0), ==, RELAIS_JOURNEY_ACT_NONE);
	}
}

static void test_check_in(Fixture *f, gconstpointer data)
{
	feed_full(f->j, RELAIS_JOURNEY_EV_AVAILABILITY, NULL, 0); /* nobody on duty yet */
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_HAVE_BOOKING), ==, RELAIS_JOURNEY_ACT_NONE);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CHECK_IN);
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "");
	/* the visitor's language, on the spot */
	g_assert_cmpint(feed_full(f->j, RELAIS_JOURNEY_EV_LANGUAGE, "en", 0), ==, RELAIS_JOURNEY_ACT_NONE);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CHECK_IN);
	g_assert_cmpstr(relais_journey_get_language(f->j), ==, "en");
	refused(f->j, RELAIS_JOURNEY_EV_LANGUAGE, "de", 0, RELAIS_JOURNEY_ERROR_INVALID);
	feed_full(f->j, RELAIS_JOURNEY_EV_LANGUAGE, "fr", 0);
	/* the booking alphabet only, six at most, lower case taken as upper */
	refused(f->j, RELAIS_JOURNEY_EV_CODE_CHAR, "0", 0, RELAIS_JOURNEY_ERROR_INVALID);
	refused(f->j, RELAIS_JOURNEY_EV_CODE_CHAR, "O", 0, RELAIS_JOURNEY_ERROR_INVALID);
	refused(f->j, RELAIS_JOURNEY_EV_CODE_CHAR, "1", 0, RELAIS_JOURNEY_ERROR_INVALID);
	refused(f->j, RELAIS_JOURNEY_EV_CODE_CHAR, "I", 0, RELAIS_JOURNEY_ERROR_INVALID);
	refused(f->j, RELAIS_JOURNEY_EV_CODE_CHAR, "AB", 0, RELAIS_JOURNEY_ERROR_INVALID);
	refused(f->j, RELAIS_JOURNEY_EV_CODE_CHAR, NULL, 0, RELAIS_JOURNEY_ERROR_INVALID);
	refused(f->j, RELAIS_JOURNEY_EV_CODE_CHAR, "-", 0, RELAIS_JOURNEY_ERROR_INVALID);
	type_code(f, "7kq2m");
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "7KQ2M");
	refused(f->j, RELAIS_JOURNEY_EV_CHECK_IN, NULL, 0, RELAIS_JOURNEY_ERROR_INVALID); /* five of six */
	type_code(f, "X");
	refused(f->j, RELAIS_JOURNEY_EV_CODE_CHAR, "A", 0, RELAIS_JOURNEY_ERROR_INVALID); /* complete */
	feed(f->j, RELAIS_JOURNEY_EV_CODE_DELETE);
	type_code(f, "Z");
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "7KQ2MZ");

	/* refused: the reason shows, the code stays to be corrected */
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_CHECK_IN), ==, RELAIS_JOURNEY_ACT_CHECK_IN);
	refused(f->j, RELAIS_JOURNEY_EV_CHECK_IN, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, RELAIS_JOURNEY_EV_CODE_DELETE, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, RELAIS_JOURNEY_EV_BACK, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	feed_full(f->j, RELAIS_JOURNEY_EV_BOOKING_FAILED, "unknown", 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CHECK_IN);
	g_assert_cmpstr(relais_journey_get_booking_error(f->j), ==, "unknown");
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "7KQ2MZ");
	refused(f->j, RELAIS_JOURNEY_EV_CHECKED_IN, "en", 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED); /* not asked */
	feed(f->j, RELAIS_JOURNEY_EV_CODE_DELETE);
	g_assert_null(relais_journey_get_booking_error(f->j));
	type_code(f, "Y");

	/* checked in: the booking's language, consent without a way back, and
	 * the queue even with nobody on duty (the adviser is due) */
	feed(f->j, RELAIS_JOURNEY_EV_CHECK_IN);
	feed_full(f->j, RELAIS_JOURNEY_EV_CHECKED_IN, "en", 0);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CONSENT);
	g_assert_cmpstr(relais_journey_get_language(f->j), ==, "en");
	g_assert_true(relais_journey_get_booked(f->j));
	refused(f->j, RELAIS_JOURNEY_EV_BACK, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_ACCEPT), ==, RELAIS_JOURNEY_ACT_PREVIEW_START);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_READY), ==, RELAIS_JOURNEY_ACT_REQUEST);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_WAITING);
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "7KQ2MY");
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_CONNECTING);
	feed(f->j, RELAIS_JOURNEY_EV_SESSION_IN_CALL);
	feed(f->j, RELAIS_JOURNEY_EV_END);
	feed(f->j, RELAIS_JOURNEY_EV_CONFIRM_END);
	feed_full(f->j, RELAIS_JOURNEY_EV_SCORE, NULL, 5);
	feed(f->j, RELAIS_JOURNEY_EV_DONE);
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "");
	g_assert_false(relais_journey_get_booked(f->j));
	assert_wiped(f);
}

static void test_check_in_edges(Fixture *f, gconstpointer data)
{
	/* a language this booth does not offer keeps the default */
	feed(f->j, RELAIS_JOURNEY_EV_HAVE_BOOKING);
	type_code(f, "ABCDEF");
	feed(f->j, RELAIS_JOURNEY_EV_CHECK_IN);
	feed_full(f->j, RELAIS_JOURNEY_EV_CHECKED_IN, "de", 0);
	g_assert_cmpstr(relais_journey_get_language(f->j), ==, "fr");
	/* not now on self-check: wiped, code gone */
	feed(f->j, RELAIS_JOURNEY_EV_ACCEPT);
	g_assert_cmpint(feed(f->j, RELAIS_JOURNEY_EV_NOT_NOW), ==, RELAIS_JOURNEY_ACT_WIPE);
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "");
	feed(f->j, RELAIS_JOURNEY_EV_WIPED);
	/* back from the code entry: attract, nothing kept; idle: still there */
	feed(f->j, RELAIS_JOURNEY_EV_HAVE_BOOKING);
	type_code(f, "AB");
	feed(f->j, RELAIS_JOURNEY_EV_TIMEOUT);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_STILL_THERE);
	feed(f->j, RELAIS_JOURNEY_EV_STAY);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_CHECK_IN);
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "AB");
	feed(f->j, RELAIS_JOURNEY_EV_BACK);
	g_assert_cmpint(STATE(f), ==, RELAIS_JOURNEY_ATTRACT);
	g_assert_cmpstr(relais_journey_get_code(f->j), ==, "");
	/* only from attract; not in the middle of a visit */
	feed(f->j, RELAIS_JOURNEY_EV_START);
	refused(f->j, RELAIS_JOURNEY_EV_HAVE_BOOKING, NULL, 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, RELAIS_JOURNEY_EV_CODE_CHAR, "A", 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
	refused(f->j, RELAIS_JOURNEY_EV_BOOKING_FAILED, "unknown", 0, RELAIS_JOURNEY_ERROR_NOT_ALLOWED);
}

/* Every state, event and action has its own name (logs and the control
 * socket use them). */
static void test_names(void)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (St s = 0; s < RELAIS_JOURNEY_N_STATES; s++) {
		g_assert_cmpstr(relais_journey_state_name(s), !=, "?");
		g_assert_true(g_hash_table_add(seen, (gpointer)relais_journey_state_name(s)));
	}
	g_assert_cmpstr(relais_journey_state_name(RELAIS_JOURNEY_N_STATES), ==, "?");
	g_hash_table_remove_all(seen);
	for (RelaisJourneyEventType e = 0; e < RELAIS_JOURNEY_N_EVENTS; e++) {
		g_assert_cmpstr(relais_journey_event_name(e), !=, "?");
		g_assert_true(g_hash_table_add(seen, (gpointer)relais_journey_event_name(e)));
	}
	g_assert_cmpstr(relais_journey_event_name(RELAIS_JOURNEY_N_EVENTS), ==, "?");
	g_assert_cmpstr(relais_journey_event_name(RELAIS_JOURNEY_EV_CHAT), ==, "chat");
	g_hash_table_remove_all(seen);
	for (Act a = 0; a < RELAIS_JOURNEY_N_ACTIONS; a++) {
		g_assert_cmpstr(relais_journey_action_name(a), !=, "?");
		g_assert_true(g_hash_table_add(seen, (gpointer)relais_journey_action_name(a)));
	}
	g_assert_cmpstr(relais_journey_action_name(RELAIS_JOURNEY_N_ACTIONS), ==, "?");
	g_assert_cmpstr(relais_journey_action_name(RELAIS_JOURNEY_ACT_CHAT), ==, "chat");
}

int main(int argc, char **argv)
{
	static const char *const one_language[] = {"fr", NULL};
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn, data) g_test_add(name, Fixture, data, setup, fn, teardown)
	ADD("/journey/happy-path", test_happy_path, NULL);
	ADD("/journey/back", test_back, NULL);
	ADD("/journey/one-language", test_one_language, one_language);
	ADD("/journey/not-now-and-cancel", test_not_now_and_cancel, NULL);
	ADD("/journey/timeouts", test_timeouts, NULL);
	ADD("/journey/no-adviser", test_no_adviser, NULL);
	ADD("/journey/link-and-faults", test_link_and_faults, NULL);
	ADD("/journey/refused", test_refused, NULL);
	ADD("/journey/four-taps", test_four_taps, NULL);
	ADD("/journey/chat", test_chat, NULL);
	ADD("/journey/book", test_book, NULL);
	ADD("/journey/book-edges", test_book_edges, NULL);
	ADD("/journey/check-in", test_check_in, NULL);
	ADD("/journey/check-in-edges", test_check_in_edges, NULL);
	g_test_add_func("/journey/names", test_names);
	return g_test_run();
}
