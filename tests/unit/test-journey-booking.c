/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the journey keeps of the switchboard's booking answers (slots, the
 * booking made, the checked-in topic, the retry hint), and when it drops
 * them. */
#include "journey.h"

#include <string.h>

#define QS "[set]\nid=t\nquestions=topic\n[question topic]\ntitle=q.t\nchoices=guidance;training\nlabels=a;b\n"

typedef struct {
	RelaisQuestions *qs;
	RelaisJourney *j;
} Fixture;

static const char *const languages[] = {"fr", "en", NULL};
static const RelaisJourneyTimeouts timeouts = {60, 20, 15, 30, 90, 8};

static void setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->qs = relais_questions_load_data(QS, strlen(QS), &error);
	g_assert_no_error(error);
	f->j = relais_journey_new(f->qs, languages, &timeouts);
}

static void teardown(Fixture *f, gconstpointer data)
{
	relais_journey_free(f->j);
	relais_questions_free(f->qs);
}

static RelaisJourneyAction feed(Fixture *f, RelaisJourneyEventType type, const char *str, int num,
				const RelaisJourneyBooking *booking)
{
	RelaisJourneyEvent ev = {type, str, num, booking};
	RelaisJourneyAction act = RELAIS_JOURNEY_N_ACTIONS;
	g_autoptr(GError) error = NULL;
	if (!relais_journey_feed(f->j, &ev, &act, &error))
		g_error("%s", error->message);
	return act;
}

/* attract -> ... -> no_adviser (nobody on duty, the site opens later) */
static void to_no_adviser(Fixture *f)
{
	feed(f, RELAIS_JOURNEY_EV_AVAILABILITY, "2026-11-24T09:00:00+01:00", 0, NULL);
	feed(f, RELAIS_JOURNEY_EV_START, NULL, 0, NULL);
	feed(f, RELAIS_JOURNEY_EV_LANGUAGE, "en", 0, NULL);
	feed(f, RELAIS_JOURNEY_EV_ANSWER, "training", 0, NULL);
	feed(f, RELAIS_JOURNEY_EV_ACCEPT, NULL, 0, NULL);
	feed(f, RELAIS_JOURNEY_EV_READY, NULL, 0, NULL);
	g_assert_cmpint(relais_journey_get_state(f->j), ==, RELAIS_JOURNEY_NO_ADVISER);
}

static const RelaisJourneySlot slots[] = {
	{"2026-11-24T09:00:00+01:00", "2026-11-24T09:30:00+01:00"},
	{"2026-11-24T09:30:00+01:00", "2026-11-24T10:00:00+01:00"},
};

static void test_slots_and_booked(Fixture *f, gconstpointer data)
{
	to_no_adviser(f);
	feed(f, RELAIS_JOURNEY_EV_BOOK, NULL, 0, NULL);
	g_assert_null(relais_journey_get_slot_start(f->j, 0));
	RelaisJourneyBooking offer = {.slots = slots, .retry_s = -1};
	feed(f, RELAIS_JOURNEY_EV_SLOTS, NULL, 2, &offer);
	g_assert_cmpstr(relais_journey_get_slot_start(f->j, 1), ==, slots[1].start);
	g_assert_cmpstr(relais_journey_get_slot_end(f->j, 0), ==, slots[0].end);
	g_assert_null(relais_journey_get_slot_start(f->j, 2));
	g_assert_null(relais_journey_get_slot_end(f->j, -1));

	/* refused with a retry hint: back to the list, asked again, the old
	 * slots gone; a later refusal without a hint clears it */
	feed(f, RELAIS_JOURNEY_EV_SLOT, NULL, 1, NULL);
	feed(f, RELAIS_JOURNEY_EV_BOOK_CONFIRM, NULL, 0, NULL);
	RelaisJourneyBooking refusal = {.retry_at = "2026-11-24T16:00:00+01:00", .retry_s = 120};
	g_assert_cmpint(feed(f, RELAIS_JOURNEY_EV_BOOKING_FAILED, "taken", 0, &refusal), ==, RELAIS_JOURNEY_ACT_SLOTS);
	g_assert_cmpstr(relais_journey_get_retry_at(f->j), ==, refusal.retry_at);
	g_assert_cmpint(relais_journey_get_retry_s(f->j), ==, 120);
	g_assert_null(relais_journey_get_slot_start(f->j, 0));
	feed(f, RELAIS_JOURNEY_EV_SLOTS, NULL, 1, &offer);
	g_assert_cmpstr(relais_journey_get_slot_start(f->j, 0), ==, slots[0].start);
	g_assert_null(relais_journey_get_slot_start(f->j, 1));

	feed(f, RELAIS_JOURNEY_EV_SLOT, NULL, 0, NULL);
	feed(f, RELAIS_JOURNEY_EV_BOOK_CONFIRM, NULL, 0, NULL);
	RelaisJourneyBooking booked = {.start = slots[0].start,
				       .end = slots[0].end,
				       .site = "Lyon 3",
				       .address = "1 place Guichard, Lyon",
				       .made = "2026-11-23T14:05:09Z",
				       .retry_s = -1};
	feed(f, RELAIS_JOURNEY_EV_BOOKED, "7KQ2MZ", 0, &booked);
	g_assert_cmpint(relais_journey_get_state(f->j), ==, RELAIS_JOURNEY_BOOK_CODE);
	g_assert_cmpstr(relais_journey_get_booked_start(f->j), ==, slots[0].start);
	g_assert_cmpstr(relais_journey_get_booked_site(f->j), ==, "Lyon 3");
	/* what the calendar QR is made of */
	g_assert_cmpstr(relais_journey_get_booked_end(f->j), ==, slots[0].end);
	g_assert_cmpstr(relais_journey_get_booked_address(f->j), ==, "1 place Guichard, Lyon");
	g_assert_cmpstr(relais_journey_get_booked_made(f->j), ==, "2026-11-23T14:05:09Z");

	/* everything goes with the wipe */
	g_assert_cmpint(feed(f, RELAIS_JOURNEY_EV_DONE, NULL, 0, NULL), ==, RELAIS_JOURNEY_ACT_WIPE);
	g_assert_null(relais_journey_get_booked_start(f->j));
	g_assert_null(relais_journey_get_booked_site(f->j));
	g_assert_null(relais_journey_get_booked_end(f->j));
	g_assert_null(relais_journey_get_booked_address(f->j));
	g_assert_null(relais_journey_get_booked_made(f->j));
	g_assert_null(relais_journey_get_slot_start(f->j, 0));
	g_assert_null(relais_journey_get_retry_at(f->j));
	g_assert_cmpint(relais_journey_get_retry_s(f->j), ==, -1);
}

static void test_check_in(Fixture *f, gconstpointer data)
{
	feed(f, RELAIS_JOURNEY_EV_HAVE_BOOKING, NULL, 0, NULL);
	for (const char *c = "7KQ2MZ"; *c; c++) {
		char s[2] = {*c, 0};
		feed(f, RELAIS_JOURNEY_EV_CODE_CHAR, s, 0, NULL);
	}
	feed(f, RELAIS_JOURNEY_EV_CHECK_IN, NULL, 0, NULL);
	RelaisJourneyBooking wait = {.retry_s = 59};
	feed(f, RELAIS_JOURNEY_EV_BOOKING_FAILED, "wait", 0, &wait);
	g_assert_cmpint(relais_journey_get_retry_s(f->j), ==, 59);
	g_assert_null(relais_journey_get_retry_at(f->j));
	feed(f, RELAIS_JOURNEY_EV_CHECK_IN, NULL, 0, NULL);
	/* the booth's own refusal (no link) carries no hint */
	feed(f, RELAIS_JOURNEY_EV_BOOKING_FAILED, "offline", 0, NULL);
	g_assert_cmpint(relais_journey_get_retry_s(f->j), ==, -1);
	feed(f, RELAIS_JOURNEY_EV_CHECK_IN, NULL, 0, NULL);
	RelaisJourneyBooking checked = {.topic = "guidance", .retry_s = -1};
	feed(f, RELAIS_JOURNEY_EV_CHECKED_IN, "en", 0, &checked);
	g_assert_true(relais_journey_get_booked(f->j));
	g_assert_cmpstr(relais_journey_get_booked_topic(f->j), ==, "guidance");
	relais_journey_wipe(f->j);
	g_assert_null(relais_journey_get_booked_topic(f->j));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/journey-booking/slots-and-booked", Fixture, NULL, setup, test_slots_and_booked, teardown);
	g_test_add("/journey-booking/check-in", Fixture, NULL, setup, test_check_in, teardown);
	return g_test_run();
}
