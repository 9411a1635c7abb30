/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Booking codes (firmware/lib/booking.c) wherever they are read: as text
 * (the protocol's check_in and the store), typed on the booth's keypad (the
 * journey's check-in screen, journey.c), and in the switchboard's answers
 * the booth turns into what it shows (booth_booking_answer_from_msg,
 * firmware/booth/booth-bookings.c).
 *
 * Input: one selector byte, then
 *   0: a code as text: valid exactly when it is 6 characters of the
 *      alphabet, and then its check_in message passes the protocol;
 *   1: key presses on the check-in screen (0x7f: delete, '\n': check in,
 *      anything else a character): the code typed so far is always a
 *      valid prefix of at most 6 characters;
 *   2: a message from the switchboard: a booking answer the protocol
 *      accepts reads into an answer whose booked code is valid.
 */
#include "fuzz.h"
#include "booking.h"
#include "booth-bookings.h"
#include "journey.h"
#include "protocol.h"
#include "questions.h"

#include <string.h>

static const char questions_ini[] = "[set]\nid=fuzz\nquestions=topic\n"
				    "[question topic]\ntitle=q.topic.title\nchoices=a;b\nlabels=q.a;q.b\n";
static RelaisQuestions *questions;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	relais_fuzz_init();
	g_autoptr(GError) error = NULL;
	questions = relais_questions_load_data(questions_ini, strlen(questions_ini), &error);
	g_assert_no_error(error);
	return 0;
}

static void code_text(const uint8_t *data, size_t size)
{
	g_autofree char *s = relais_fuzz_strndup(data, size);
	gboolean expect = strlen(s) == RELAIS_BOOKING_CODE_LEN;
	for (const char *p = s; expect && *p; p++)
		expect = strchr(RELAIS_BOOKING_ALPHABET, *p) != NULL;
	g_assert_cmpint(relais_booking_code_valid(s), ==, expect);
	g_autoptr(GError) error = NULL;
	JsonObject *o = booth_check_in_msg(s, &error);
	g_assert_cmpint(o != NULL, ==, expect);
	if (o) {
		g_autoptr(GError) check_error = NULL;
		if (!relais_msg_check(o, &check_error))
			g_error("check_in of a valid code refused: %s", check_error->message);
		json_object_unref(o);
	}
}

static void keypad(const uint8_t *data, size_t size)
{
	static const char *const languages[] = {"fr", "en", NULL};
	g_autoptr(RelaisJourney) j = relais_journey_new(questions, languages, NULL);
	RelaisJourneyAction act;
	RelaisJourneyEvent have = {.type = RELAIS_JOURNEY_EV_HAVE_BOOKING};
	g_assert_true(relais_journey_feed(j, &have, &act, NULL));
	for (size_t i = 0; i < size; i++) {
		char key[2] = {(char)data[i], '\0'};
		RelaisJourneyEvent ev = {.type = RELAIS_JOURNEY_EV_CODE_CHAR, .str = key};
		if (data[i] == 0x7f)
			ev = (RelaisJourneyEvent){.type = RELAIS_JOURNEY_EV_CODE_DELETE};
		else if (data[i] == '\n')
			ev = (RelaisJourneyEvent){.type = RELAIS_JOURNEY_EV_CHECK_IN};
		g_autoptr(GError) error = NULL;
		if (!relais_journey_feed(j, &ev, &act, &error))
			g_assert(error != NULL && error->domain == RELAIS_JOURNEY_ERROR);
		const char *code = relais_journey_get_code(j);
		if (code == NULL)
			continue;
		g_assert_cmpuint(strlen(code), <=, RELAIS_BOOKING_CODE_LEN);
		for (const char *p = code; *p; p++)
			g_assert_true(relais_booking_char_valid(*p));
		if (act == RELAIS_JOURNEY_ACT_CHECK_IN)
			g_assert_true(relais_booking_code_valid(code));
	}
}

static void answer(const uint8_t *data, size_t size)
{
	g_autoptr(RelaisMsg) msg =
		relais_msg_parse((const char *)data, size, RELAIS_ROLE_SWITCHBOARD, TRUE, NULL, NULL);
	if (msg == NULL)
		return;
	switch (relais_msg_get_type(msg)) {
	case RELAIS_MSG_BOOKING_OFFER:
	case RELAIS_MSG_BOOKED:
	case RELAIS_MSG_CHECKED_IN:
	case RELAIS_MSG_BOOKING_ERROR:
	case RELAIS_MSG_ERROR:
		break;
	default:
		return;
	}
	g_autoptr(GArray) slots = g_array_new(FALSE, TRUE, sizeof(BoothSlot));
	BoothBookingAnswer a;
	if (!booth_booking_answer_from_msg(msg, slots, &a))
		return;
	g_assert_cmpuint(a.n_slots, <=, slots->len);
	for (guint i = 0; i < a.n_slots; i++)
		g_assert(a.slots[i].start != NULL && a.slots[i].end != NULL);
	if (a.kind == BOOTH_BOOKING_BOOKED)
		g_assert_true(relais_booking_code_valid(a.code));
	if (a.kind == BOOTH_BOOKING_REFUSED)
		(void)booth_booking_reason_name(a.reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		code_text(data + 1, size - 1);
		break;
	case 1:
		keypad(data + 1, size - 1);
		break;
	default:
		answer(data + 1, size - 1);
		break;
	}
	return 0;
}
