/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The booth's booking messages (bookings.c): the requests it sends pass the
 * protocol's own check, bad arguments are refused, and the switchboard's
 * answers come out typed; the refusal reasons are the protocol's table. */
#include "booth-bookings.h"

#include <string.h>

/* The booth's message as the switchboard would read it. */
static RelaisMsg *as_received(JsonObject *o, RelaisRole sender)
{
	g_autofree char *text = relais_msg_to_string(o);
	g_autoptr(GError) error = NULL;
	RelaisMsg *msg = relais_msg_parse(text, strlen(text), sender, TRUE, NULL, &error);
	g_assert_no_error(error);
	return msg;
}

static RelaisMsg *from_switchboard(const char *text)
{
	g_autoptr(GError) error = NULL;
	RelaisMsg *msg = relais_msg_parse(text, strlen(text), RELAIS_ROLE_SWITCHBOARD, TRUE, NULL, &error);
	g_assert_no_error(error);
	return msg;
}

static void test_requests(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) slots = as_received(booth_booking_slots_msg("fr", "guidance"), RELAIS_ROLE_BOOTH);
	g_assert_cmpint(relais_msg_get_type(slots), ==, RELAIS_MSG_BOOKING_SLOTS);
	g_assert_cmpstr(relais_msg_get_string(slots, "language"), ==, "fr");
	g_assert_cmpstr(relais_msg_get_string(slots, "topic"), ==, "guidance");
	/* what is not valid is left out, not sent */
	g_autoptr(RelaisMsg) bare = as_received(booth_booking_slots_msg("no such tag!", ""), RELAIS_ROLE_BOOTH);
	g_assert_null(relais_msg_get_string(bare, "language"));
	g_assert_null(relais_msg_get_string(bare, "topic"));

	JsonObject *o = booth_book_msg("2026-11-24T09:00:00+01:00", "2026-11-24T09:30:00+01:00", "en", NULL, &error);
	g_assert_no_error(error);
	g_autoptr(RelaisMsg) book = as_received(o, RELAIS_ROLE_BOOTH);
	g_assert_cmpint(relais_msg_get_type(book), ==, RELAIS_MSG_BOOK);
	g_assert_cmpstr(relais_msg_get_string(book, "end"), ==, "2026-11-24T09:30:00+01:00");
	g_assert_null(booth_book_msg("tomorrow", "2026-11-24T09:30:00+01:00", NULL, NULL, &error));
	g_assert_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD);
	g_clear_error(&error);

	o = booth_check_in_msg("7KQ2MZ", &error);
	g_assert_no_error(error);
	g_autoptr(RelaisMsg) check_in = as_received(o, RELAIS_ROLE_BOOTH);
	g_assert_cmpstr(relais_msg_get_string(check_in, "code"), ==, "7KQ2MZ");
	g_assert_null(booth_check_in_msg("7KQ2M0", &error)); /* 0 is not of the alphabet */
	g_assert_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD);
}

static void test_answers(void)
{
	g_autoptr(GArray) slots = g_array_new(FALSE, TRUE, sizeof(BoothSlot));
	BoothBookingAnswer a;

	g_autoptr(RelaisMsg) offer =
		from_switchboard("{\"type\":\"booking_offer\",\"slots\":[{\"start\":\"2026-11-24T09:00:00+01:00\","
				 "\"end\":\"2026-11-24T09:30:00+01:00\"},{\"start\":\"2026-11-24T09:30:00+01:00\","
				 "\"end\":\"2026-11-24T10:00:00+01:00\"}]}");
	g_assert_true(booth_booking_answer_from_msg(offer, slots, &a));
	g_assert_cmpint(a.kind, ==, BOOTH_BOOKING_SLOTS);
	g_assert_cmpuint(a.n_slots, ==, 2);
	g_assert_cmpstr(a.slots[1].start, ==, "2026-11-24T09:30:00+01:00");
	g_assert_cmpstr(a.slots[0].end, ==, "2026-11-24T09:30:00+01:00");

	g_autoptr(RelaisMsg) booked =
		from_switchboard("{\"type\":\"booked\",\"code\":\"7KQ2MZ\",\"start\":\"2026-11-24T09:00:00+01:00\","
				 "\"end\":\"2026-11-24T09:30:00+01:00\",\"site\":\"Lyon 3\","
				 "\"address\":\"1 place Guichard, Lyon\"}");
	g_assert_true(booth_booking_answer_from_msg(booked, slots, &a));
	g_assert_cmpint(a.kind, ==, BOOTH_BOOKING_BOOKED);
	g_assert_cmpstr(a.code, ==, "7KQ2MZ");
	g_assert_cmpstr(a.start, ==, "2026-11-24T09:00:00+01:00");
	g_assert_cmpstr(a.end, ==, "2026-11-24T09:30:00+01:00");
	g_assert_cmpstr(a.site, ==, "Lyon 3");
	g_assert_cmpstr(a.address, ==, "1 place Guichard, Lyon");

	g_autoptr(RelaisMsg) checked =
		from_switchboard("{\"type\":\"checked_in\",\"code\":\"7KQ2MZ\",\"start\":\"2026-11-24T09:00:00+01:00\","
				 "\"end\":\"2026-11-24T09:30:00+01:00\",\"language\":\"en\",\"topic\":\"training\"}");
	g_assert_true(booth_booking_answer_from_msg(checked, slots, &a));
	g_assert_cmpint(a.kind, ==, BOOTH_BOOKING_CHECKED_IN);
	g_assert_cmpstr(a.language, ==, "en");
	g_assert_cmpstr(a.topic, ==, "training");

	g_autoptr(RelaisMsg) early =
		from_switchboard("{\"type\":\"booking_error\",\"ref\":\"check_in\","
				 "\"reason\":\"too_early\",\"retry_at\":\"2026-11-24T08:30:00+01:00\"}");
	g_assert_true(booth_booking_answer_from_msg(early, slots, &a));
	g_assert_cmpint(a.kind, ==, BOOTH_BOOKING_REFUSED);
	g_assert_cmpint(a.reason, ==, BOOTH_BOOKING_TOO_EARLY);
	g_assert_cmpstr(a.retry_at, ==, "2026-11-24T08:30:00+01:00");
	g_assert_cmpint(a.retry_s, ==, -1);
	g_autoptr(RelaisMsg) wait = from_switchboard(
		"{\"type\":\"booking_error\",\"ref\":\"check_in\",\"reason\":\"wait\",\"retry_s\":90}");
	g_assert_true(booth_booking_answer_from_msg(wait, slots, &a));
	g_assert_cmpint(a.reason, ==, BOOTH_BOOKING_WAIT);
	g_assert_null(a.retry_at);
	g_assert_cmpint(a.retry_s, ==, 90);

	g_autoptr(RelaisMsg) other = from_switchboard("{\"type\":\"ice_servers\",\"ice_servers\":[]}");
	g_assert_false(booth_booking_answer_from_msg(other, slots, &a));
}

/* The enum is the protocol's table, in its order. */
static void test_reason_names(void)
{
	guint n = g_strv_length((char **)relais_booking_reasons);
	g_assert_cmpuint(n, ==, BOOTH_BOOKING_N_REASONS);
	for (guint i = 0; i < n; i++) {
		BoothBookingReason r = BOOTH_BOOKING_N_REASONS;
		g_assert_cmpstr(booth_booking_reason_name((BoothBookingReason)i), ==, relais_booking_reasons[i]);
		g_assert_true(booth_booking_reason_from_name(relais_booking_reasons[i], &r));
		g_assert_cmpint(r, ==, i);
	}
	BoothBookingReason r;
	g_assert_cmpstr(booth_booking_reason_name(BOOTH_BOOKING_TOO_EARLY), ==, "too_early");
	g_assert_cmpstr(booth_booking_reason_name(BOOTH_BOOKING_OFFLINE), ==, "offline");
	g_assert_false(booth_booking_reason_from_name("nonsense", &r));
	g_assert_false(booth_booking_reason_from_name(NULL, &r));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/booth-bookings/requests", test_requests);
	g_test_add_func("/booth-bookings/answers", test_answers);
	g_test_add_func("/booth-bookings/reason-names", test_reason_names);
	return g_test_run();
}
