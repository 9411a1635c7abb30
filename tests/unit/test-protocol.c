/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The signaling protocol: every rule of PROTOCOL.md, good and bad input. */
#include "protocol.h"
#include "relais-config.h"
#include "updatestatus.h"

#include <string.h>

static RelaisMsg *parse(const char *text, RelaisRole sender, gboolean greeted, GError **error)
{
	return relais_msg_parse(text, strlen(text), sender, greeted, NULL, error);
}

static void expect_error(const char *text, RelaisRole sender, gboolean greeted, RelaisProtoError code,
			 const char *needle)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *type = NULL;
	g_autoptr(RelaisMsg) msg = relais_msg_parse(text, strlen(text), sender, greeted, &type, &error);
	if (msg != NULL)
		g_error("accepted: %.200s", text);
	g_assert_error(error, RELAIS_PROTO_ERROR, (gint)code);
	if (needle && strstr(error->message, needle) == NULL)
		g_error("error '%s' does not mention '%s'", error->message, needle);
}

static void test_hello_good(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) m = parse("{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"sim-1\","
				       "\"site\":\"Bibliothèque municipale\",\"board\":\"sim\",\"extra\":[1,2]}",
				       RELAIS_ROLE_BOOTH, FALSE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(relais_msg_get_type(m), ==, RELAIS_MSG_HELLO);
	g_assert_cmpstr(relais_msg_get_string(m, "booth_id"), ==, "sim-1");
	g_assert_cmpstr(relais_msg_get_string(m, "site"), ==, "Bibliothèque municipale");
	g_assert_cmpint(relais_msg_get_int(m, "version", 0), ==, 1);

	g_autoptr(RelaisMsg) a = parse("{\"type\":\"hello\",\"version\":1,\"role\":\"adviser\",\"name\":\"Alice\"}",
				       RELAIS_ROLE_ADVISER, FALSE, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(relais_msg_get_string(a, "name"), ==, "Alice");
}

static void test_hello_bad(void)
{
	expect_error("{\"type\":\"hello\",\"version\":2,\"role\":\"booth\",\"booth_id\":\"b\"}", RELAIS_ROLE_BOOTH,
		     FALSE, RELAIS_PROTO_ERROR_VERSION, "version 2");
	expect_error("{\"type\":\"hello\",\"version\":\"1\",\"role\":\"booth\",\"booth_id\":\"b\"}", RELAIS_ROLE_BOOTH,
		     FALSE, RELAIS_PROTO_ERROR_FIELD, "'version' must be an integer");
	expect_error("{\"type\":\"hello\",\"version\":1,\"role\":\"adviser\"}", RELAIS_ROLE_BOOTH, FALSE,
		     RELAIS_PROTO_ERROR_FIELD, "does not match");
	expect_error("{\"type\":\"hello\",\"version\":1,\"role\":\"booth\"}", RELAIS_ROLE_BOOTH, FALSE,
		     RELAIS_PROTO_ERROR_FIELD, "booth_id");
	expect_error("{\"type\":\"hello\",\"version\":1,\"role\":\"king\",\"booth_id\":\"b\"}", RELAIS_ROLE_BOOTH,
		     FALSE, RELAIS_PROTO_ERROR_FIELD, "one of booth|adviser");
	expect_error("{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"../etc\"}", RELAIS_ROLE_BOOTH,
		     FALSE, RELAIS_PROTO_ERROR_FIELD, "booth_id");
	/* hello twice */
	expect_error("{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"b\"}", RELAIS_ROLE_BOOTH,
		     TRUE, RELAIS_PROTO_ERROR_STATE, "already");
}

static void test_before_hello(void)
{
	expect_error("{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"x\"}", RELAIS_ROLE_BOOTH, FALSE,
		     RELAIS_PROTO_ERROR_STATE, "before 'hello'");
	expect_error("{\"type\":\"ping\"}", RELAIS_ROLE_ADVISER, FALSE, RELAIS_PROTO_ERROR_STATE, NULL);
}

static void test_garbage(void)
{
	expect_error("", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_JSON, NULL);
	expect_error("not json at all", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_JSON, "not JSON");
	expect_error("{\"type\":\"ping\"", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_JSON, NULL);
	expect_error("[1,2,3]", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_JSON, "object");
	expect_error("42", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_JSON, "object");
	expect_error("{}", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_TYPE, "'type'");
	expect_error("{\"type\":7}", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_TYPE, NULL);
	expect_error("{\"type\":\"teleport\"}", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_UNKNOWN, "teleport");
	expect_error("{\"type\":\"\xff\xfe\"}", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_JSON, NULL);

	/* embedded NUL */
	const char nul[] = "{\"type\":\"ping\"}\0garbage";
	g_autoptr(GError) error = NULL;
	g_assert_null(relais_msg_parse(nul, sizeof nul - 1, RELAIS_ROLE_BOOTH, TRUE, NULL, &error));
	g_assert_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_JSON);

	/* deep nesting must be refused before the recursive parser sees it */
	GString *deep = g_string_new("{\"type\":\"ping\",\"x\":");
	for (int i = 0; i < 50000; i++)
		g_string_append_c(deep, '[');
	g_clear_error(&error);
	g_assert_null(relais_msg_parse(deep->str, deep->len, RELAIS_ROLE_BOOTH, TRUE, NULL, &error));
	g_assert_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_JSON);
	g_string_free(deep, TRUE);

	/* json-glib reads comments and single-quoted strings, which JSON has
	 * not: inside them a quote or brackets escaped the nesting count */
	static const char *const not_json[] = {
		"{\"type\":\"ping\"} /* x */",
		"{'type':'ping'}",
		"{\"type\":\"ping\",\"x\":['\"',[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]}",
		"/*]]]]]]]]]]]]]]]]]]]]*/{\"type\":\"ping\",\"x\":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]}",
		"{\"type\":\"ping\"} // x",
	};
	for (guint i = 0; i < G_N_ELEMENTS(not_json); i++) {
		g_clear_error(&error);
		g_assert_null(
			relais_msg_parse(not_json[i], strlen(not_json[i]), RELAIS_ROLE_BOOTH, TRUE, NULL, &error));
		g_assert_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_JSON);
	}
	/* an unpaired surrogate escape decodes to bytes that are not UTF-8:
	 * refused wherever it is, a member no rule reads and a name included */
	static const char *const surrogates[] = {
		"{\"type\":\"ping\",\"extra\":\"4KQ\\ud8002eZ\"}",
		"{\"type\":\"ping\",\"x\":[{\"y\":\"\\udc00\"}]}",
		"{\"type\":\"ping\",\"\\ud800\":1}",
	};
	for (guint i = 0; i < G_N_ELEMENTS(surrogates); i++) {
		g_clear_error(&error);
		g_assert_null(
			relais_msg_parse(surrogates[i], strlen(surrogates[i]), RELAIS_ROLE_BOOTH, TRUE, NULL, &error));
		g_assert_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_JSON);
	}
	/* a pair is a character */
	const char *pair = "{\"type\":\"ping\",\"extra\":\"\\ud83d\\ude00\"}";
	g_clear_error(&error);
	g_autoptr(RelaisMsg) ping = relais_msg_parse(pair, strlen(pair), RELAIS_ROLE_BOOTH, TRUE, NULL, &error);
	g_assert_no_error(error);

	/* the same characters inside a string are text */
	const char *fine = "{\"type\":\"chat\",\"call\":\"c1\",\"text\":\"l'heure /* et */ [[[[[[[[[[[[[[[[[[[[\"}";
	g_clear_error(&error);
	g_autoptr(RelaisMsg) chat = relais_msg_parse(fine, strlen(fine), RELAIS_ROLE_ADVISER, TRUE, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(relais_msg_get_string(chat, "text"), ==, "l'heure /* et */ [[[[[[[[[[[[[[[[[[[[");
}

static void test_direction(void)
{
	expect_error("{\"type\":\"accept\",\"ticket\":\"t-1\"}", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_DIRECTION,
		     "a booth may not send 'accept'");
	expect_error("{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"x\"}", RELAIS_ROLE_ADVISER, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"welcome\",\"version\":1,\"session\":\"s\"}", RELAIS_ROLE_ADVISER, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"queue\",\"queue\":[]}", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_DIRECTION, NULL);
}

static void test_request(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) m = parse("{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"job-search\","
				       "\"answers\":{\"situation\":\"job-seeker\",\"age\":\"26-45\"}}",
				       RELAIS_ROLE_BOOTH, TRUE, &error);
	g_assert_no_error(error);
	JsonObject *answers = relais_msg_get_object(m, "answers");
	g_assert_nonnull(answers);
	g_assert_cmpstr(json_object_get_string_member(answers, "situation"), ==, "job-seeker");

	expect_error("{\"type\":\"request\",\"topic\":\"x\"}", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_FIELD,
		     "'language'");
	expect_error("{\"type\":\"request\",\"language\":\"FRENCH!\",\"topic\":\"x\"}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "language tag");
	expect_error("{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"a b\"}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'topic'");
	expect_error("{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"x\",\"answers\":[1]}", RELAIS_ROLE_BOOTH,
		     TRUE, RELAIS_PROTO_ERROR_FIELD, "object");
	expect_error("{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"x\",\"answers\":{\"k\":3}}",
		     RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_FIELD, "answers.k");

	/* too many answers */
	GString *s = g_string_new("{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"x\",\"answers\":{");
	for (int i = 0; i <= CONFIG_RELAIS_PROTO_MAX_ANSWERS; i++)
		g_string_append_printf(s, "%s\"k%d\":\"v\"", i ? "," : "", i);
	g_string_append(s, "}}");
	expect_error(s->str, RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_SIZE, "cap");
	g_string_free(s, TRUE);

	/* an id one byte over the cap */
	g_autofree char *longid = g_strnfill(CONFIG_RELAIS_PROTO_MAX_ID + 1, 'a');
	g_autofree char *t = g_strdup_printf("{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"%s\"}", longid);
	expect_error(t, RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_SIZE, "topic");
}

static void test_sizes(void)
{
	g_autofree char *chat = g_strnfill(CONFIG_RELAIS_PROTO_MAX_TEXT + 1, 'x');
	g_autofree char *t = g_strdup_printf("{\"type\":\"chat\",\"call\":\"c1\",\"text\":\"%s\"}", chat);
	expect_error(t, RELAIS_ROLE_ADVISER, TRUE, RELAIS_PROTO_ERROR_SIZE, "'text'");

	chat[CONFIG_RELAIS_PROTO_MAX_TEXT] = '\0';
	g_autofree char *ok = g_strdup_printf("{\"type\":\"chat\",\"call\":\"c1\",\"text\":\"%s\"}", chat);
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) m = parse(ok, RELAIS_ROLE_ADVISER, TRUE, &error);
	g_assert_no_error(error);

	expect_error("{\"type\":\"chat\",\"call\":\"c1\",\"text\":\"\"}", RELAIS_ROLE_ADVISER, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "empty");

	g_autofree char *sdp = g_strnfill(CONFIG_RELAIS_PROTO_MAX_SDP + 1, 'v');
	g_autofree char *s =
		g_strdup_printf("{\"type\":\"sdp\",\"call\":\"c1\",\"sdp_type\":\"answer\",\"sdp\":\"%s\"}", sdp);
	expect_error(s, RELAIS_ROLE_ADVISER, TRUE, RELAIS_PROTO_ERROR_SIZE, "'sdp'");

	g_autofree char *big = g_strnfill(CONFIG_RELAIS_PROTO_MAX_MESSAGE + 1, ' ');
	expect_error(big, RELAIS_ROLE_ADVISER, TRUE, RELAIS_PROTO_ERROR_SIZE, "cap");
}

static void test_ice_sdp(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) m =
		parse("{\"type\":\"ice\",\"call\":\"c1\",\"candidate\":\"candidate:1 1 UDP 2 127.0.0.1 5000 typ host\","
		      "\"mline\":1}",
		      RELAIS_ROLE_ADVISER, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(relais_msg_get_int(m, "mline", -1), ==, 1);
	g_autoptr(RelaisMsg) eoc = parse("{\"type\":\"ice\",\"call\":\"c1\",\"candidate\":\"\",\"mline\":0}",
					 RELAIS_ROLE_ADVISER, TRUE, &error);
	g_assert_no_error(error);
	expect_error("{\"type\":\"ice\",\"call\":\"c1\",\"candidate\":\"x\",\"mline\":99}", RELAIS_ROLE_ADVISER, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'mline'");
	expect_error("{\"type\":\"ice\",\"call\":\"c1\",\"candidate\":\"x\",\"mline\":1.5}", RELAIS_ROLE_ADVISER, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "integer");
	expect_error("{\"type\":\"sdp\",\"call\":\"c1\",\"sdp_type\":\"pranswer\",\"sdp\":\"v=0\"}", RELAIS_ROLE_BOOTH,
		     TRUE, RELAIS_PROTO_ERROR_FIELD, "offer|answer");
	expect_error("{\"type\":\"end\"}", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_FIELD, "'call'");
}

static void test_availability(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) none =
		parse("{\"type\":\"availability\",\"advisers\":0}", RELAIS_ROLE_SWITCHBOARD, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(relais_msg_get_type(none), ==, RELAIS_MSG_AVAILABILITY);
	g_assert_cmpint(relais_msg_get_int(none, "advisers", -1), ==, 0);
	g_assert_null(relais_msg_get_string(none, "next_opening"));
	g_autoptr(RelaisMsg) later =
		parse("{\"type\":\"availability\",\"advisers\":0,\"next_opening\":\"mardi 9 h 30\"}",
		      RELAIS_ROLE_SWITCHBOARD, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(relais_msg_get_string(later, "next_opening"), ==, "mardi 9 h 30");
	g_autoptr(RelaisMsg) some =
		parse("{\"type\":\"availability\",\"advisers\":3}", RELAIS_ROLE_SWITCHBOARD, TRUE, &error);
	g_assert_no_error(error);

	expect_error("{\"type\":\"availability\"}", RELAIS_ROLE_SWITCHBOARD, TRUE, RELAIS_PROTO_ERROR_FIELD,
		     "'advisers'");
	expect_error("{\"type\":\"availability\",\"advisers\":-1}", RELAIS_ROLE_SWITCHBOARD, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'advisers'");
	expect_error("{\"type\":\"availability\",\"advisers\":\"2\"}", RELAIS_ROLE_SWITCHBOARD, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "integer");
	expect_error("{\"type\":\"availability\",\"advisers\":1.5}", RELAIS_ROLE_SWITCHBOARD, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "integer");
	expect_error("{\"type\":\"availability\",\"advisers\":0,\"next_opening\":\"\"}", RELAIS_ROLE_SWITCHBOARD, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'next_opening'");
	expect_error("{\"type\":\"availability\",\"advisers\":0,\"next_opening\":7}", RELAIS_ROLE_SWITCHBOARD, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'next_opening'");
	g_autofree char *text = g_strnfill(CONFIG_RELAIS_PROTO_MAX_TEXT + 1, 'x');
	g_autofree char *big =
		g_strdup_printf("{\"type\":\"availability\",\"advisers\":0,\"next_opening\":\"%s\"}", text);
	expect_error(big, RELAIS_ROLE_SWITCHBOARD, TRUE, RELAIS_PROTO_ERROR_SIZE, "'next_opening'");
	/* the switchboard's to say */
	expect_error("{\"type\":\"availability\",\"advisers\":1}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"availability\",\"advisers\":1}", RELAIS_ROLE_ADVISER, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
}

static void test_queued_wait(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) m = parse("{\"type\":\"queued\",\"ticket\":\"t-1\",\"position\":2,\"wait_s\":1200}",
				       RELAIS_ROLE_SWITCHBOARD, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(relais_msg_get_int(m, "wait_s", -1), ==, 1200);
	/* optional: a switchboard that does not estimate */
	g_autoptr(RelaisMsg) n =
		parse("{\"type\":\"queued\",\"ticket\":\"t-1\",\"position\":1}", RELAIS_ROLE_SWITCHBOARD, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(relais_msg_get_int(n, "wait_s", -1), ==, -1);
	expect_error("{\"type\":\"queued\",\"ticket\":\"t-1\",\"position\":1,\"wait_s\":-5}", RELAIS_ROLE_SWITCHBOARD,
		     TRUE, RELAIS_PROTO_ERROR_FIELD, "'wait_s'");
	expect_error("{\"type\":\"queued\",\"ticket\":\"t-1\",\"position\":1,\"wait_s\":\"soon\"}",
		     RELAIS_ROLE_SWITCHBOARD, TRUE, RELAIS_PROTO_ERROR_FIELD, "'wait_s'");
	expect_error("{\"type\":\"queued\",\"ticket\":\"t-1\",\"position\":0}", RELAIS_ROLE_SWITCHBOARD, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'position'");
}

static void test_feedback(void)
{
	g_autoptr(GError) error = NULL;
	for (int score = 1; score <= 5; score++) {
		g_autofree char *t = g_strdup_printf("{\"type\":\"feedback\",\"call\":\"c-1\",\"score\":%d}", score);
		g_autoptr(RelaisMsg) m = parse(t, RELAIS_ROLE_BOOTH, TRUE, &error);
		g_assert_no_error(error);
		g_assert_cmpint(relais_msg_get_type(m), ==, RELAIS_MSG_FEEDBACK);
		g_assert_cmpint(relais_msg_get_int(m, "score", 0), ==, score);
		g_assert_cmpstr(relais_msg_get_string(m, "call"), ==, "c-1");
	}
	/* relayed to the adviser of the call */
	g_autoptr(RelaisMsg) relayed =
		parse("{\"type\":\"feedback\",\"call\":\"c-1\",\"score\":4}", RELAIS_ROLE_SWITCHBOARD, TRUE, &error);
	g_assert_no_error(error);

	expect_error("{\"type\":\"feedback\",\"call\":\"c-1\",\"score\":0}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "allowed 1..5");
	expect_error("{\"type\":\"feedback\",\"call\":\"c-1\",\"score\":6}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "allowed 1..5");
	expect_error("{\"type\":\"feedback\",\"call\":\"c-1\",\"score\":-3}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'score'");
	expect_error("{\"type\":\"feedback\",\"call\":\"c-1\",\"score\":\"4\"}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'score' must be an integer");
	expect_error("{\"type\":\"feedback\",\"call\":\"c-1\",\"score\":4.5}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "integer");
	expect_error("{\"type\":\"feedback\",\"call\":\"c-1\",\"score\":true}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "integer");
	expect_error("{\"type\":\"feedback\",\"call\":\"c-1\"}", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_FIELD,
		     "'score'");
	expect_error("{\"type\":\"feedback\",\"score\":4}", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_FIELD,
		     "'call'");
	expect_error("{\"type\":\"feedback\",\"call\":null,\"score\":4}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'call'");
	expect_error("{\"type\":\"feedback\",\"call\":\"\",\"score\":4}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'call'");
	expect_error("{\"type\":\"feedback\",\"call\":\"c 1\",\"score\":4}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'call'");
	g_autofree char *longid = g_strnfill(CONFIG_RELAIS_PROTO_MAX_ID + 1, 'c');
	g_autofree char *t = g_strdup_printf("{\"type\":\"feedback\",\"call\":\"%s\",\"score\":4}", longid);
	expect_error(t, RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_SIZE, "'call'");
	longid[CONFIG_RELAIS_PROTO_MAX_ID] = '\0';
	g_autofree char *ok = g_strdup_printf("{\"type\":\"feedback\",\"call\":\"%s\",\"score\":4}", longid);
	g_autoptr(RelaisMsg) at_cap = parse(ok, RELAIS_ROLE_BOOTH, TRUE, &error);
	g_assert_no_error(error);

	/* the visitor rates, not the adviser; and not before hello */
	expect_error("{\"type\":\"feedback\",\"call\":\"c-1\",\"score\":4}", RELAIS_ROLE_ADVISER, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, "an adviser may not send 'feedback'");
	expect_error("{\"type\":\"feedback\",\"call\":\"c-1\",\"score\":4}", RELAIS_ROLE_BOOTH, FALSE,
		     RELAIS_PROTO_ERROR_STATE, "before 'hello'");
}

/* Parses text as sent by `sender` (after hello) and expects it valid. */
static RelaisMsg *good(const char *text, RelaisRole sender)
{
	g_autoptr(GError) error = NULL;
	RelaisMsg *m = parse(text, sender, TRUE, &error);
	if (m == NULL)
		g_error("refused (%s): %s", error->message, text);
	return m;
}

#define B	RELAIS_ROLE_BOOTH
#define S	RELAIS_ROLE_SWITCHBOARD
#define A	RELAIS_ROLE_ADVISER
#define E_FIELD RELAIS_PROTO_ERROR_FIELD

static void test_booking_requests(void)
{
	/* booking_slots: language and topic optional */
	g_autoptr(RelaisMsg) s1 = good("{\"type\":\"booking_slots\"}", B);
	g_assert_cmpint(relais_msg_get_type(s1), ==, RELAIS_MSG_BOOKING_SLOTS);
	g_autoptr(RelaisMsg) s2 = good("{\"type\":\"booking_slots\",\"language\":\"fr\",\"topic\":\"training\"}", B);
	g_assert_cmpstr(relais_msg_get_string(s2, "topic"), ==, "training");
	expect_error("{\"type\":\"booking_slots\",\"language\":\"French\"}", B, TRUE, E_FIELD, "language tag");
	expect_error("{\"type\":\"booking_slots\",\"topic\":\"a b\"}", B, TRUE, E_FIELD, "'topic'");
	expect_error("{\"type\":\"booking_slots\",\"topic\":7}", B, TRUE, E_FIELD, "'topic'");
	expect_error("{\"type\":\"booking_slots\"}", A, TRUE, RELAIS_PROTO_ERROR_DIRECTION, "booking_slots");
	expect_error("{\"type\":\"booking_slots\"}", B, FALSE, RELAIS_PROTO_ERROR_STATE, "before 'hello'");

	/* book: two times with their offsets, end after start */
	g_autoptr(RelaisMsg) b1 =
		good("{\"type\":\"book\",\"start\":\"2026-11-24T09:00:00+01:00\","
		     "\"end\":\"2026-11-24T09:30:00+01:00\",\"language\":\"en\",\"topic\":\"job-search\"}",
		     B);
	g_assert_cmpstr(relais_msg_get_string(b1, "start"), ==, "2026-11-24T09:00:00+01:00");
	g_autoptr(RelaisMsg) b2 =
		good("{\"type\":\"book\",\"start\":\"2026-11-24T08:00:00Z\",\"end\":\"2026-11-24T08:30:00Z\"}", B);
	expect_error("{\"type\":\"book\",\"end\":\"2026-11-24T09:30:00+01:00\"}", B, TRUE, E_FIELD, "'start'");
	expect_error("{\"type\":\"book\",\"start\":\"2026-11-24T09:00:00+01:00\"}", B, TRUE, E_FIELD, "'end'");
	expect_error("{\"type\":\"book\",\"start\":\"2026-11-24T09:00:00\",\"end\":\"2026-11-24T09:30:00+01:00\"}", B,
		     TRUE, E_FIELD, "offset");
	expect_error("{\"type\":\"book\",\"start\":\"tomorrow\",\"end\":\"2026-11-24T09:30:00+01:00\"}", B, TRUE,
		     E_FIELD, "ISO 8601");
	expect_error("{\"type\":\"book\",\"start\":\"2026-11-24\",\"end\":\"2026-11-25\"}", B, TRUE, E_FIELD,
		     "ISO 8601");
	expect_error("{\"type\":\"book\",\"start\":1764000000,\"end\":\"2026-11-24T09:30:00+01:00\"}", B, TRUE, E_FIELD,
		     "must be a string");
	expect_error(
		"{\"type\":\"book\",\"start\":\"2026-11-24T09:30:00+01:00\",\"end\":\"2026-11-24T09:30:00+01:00\"}", B,
		TRUE, E_FIELD, "after 'start'");
	expect_error(
		"{\"type\":\"book\",\"start\":\"2026-11-24T10:00:00+01:00\",\"end\":\"2026-11-24T09:30:00+01:00\"}", B,
		TRUE, E_FIELD, "after 'start'");
	g_autofree char *longtime = g_strdup_printf("{\"type\":\"book\",\"start\":\"2026-11-24T09:00:00.%s+01:00\","
						    "\"end\":\"2026-11-24T09:30:00+01:00\"}",
						    "0000000000000000000000000000");
	expect_error(longtime, B, TRUE, RELAIS_PROTO_ERROR_SIZE, "'start'");
	expect_error(
		"{\"type\":\"book\",\"start\":\"2026-11-24T09:00:00+01:00\",\"end\":\"2026-11-24T09:30:00+01:00\"}", A,
		TRUE, RELAIS_PROTO_ERROR_DIRECTION, "book");

	/* check_in: exactly six characters of the booking alphabet */
	g_autoptr(RelaisMsg) c1 = good("{\"type\":\"check_in\",\"code\":\"7KQ2MZ\"}", B);
	g_assert_cmpstr(relais_msg_get_string(c1, "code"), ==, "7KQ2MZ");
	const char *bad_codes[] = {"\"\"",	 "\"7KQ2M\"",  "\"7KQ2MZA\"", "\"7kq2mz\"", "\"7KQ-2MZ\"",
				   "\"0KQ2MZ\"", "\"1KQ2MZ\"", "\"OKQ2MZ\"",  "\"IKQ2MZ\"", "\"7KQ 2M\"",
				   "42",	 "[]",	       "true"};
	for (guint i = 0; i < G_N_ELEMENTS(bad_codes); i++) {
		g_autofree char *t = g_strdup_printf("{\"type\":\"check_in\",\"code\":%s}", bad_codes[i]);
		expect_error(t, B, TRUE, E_FIELD, "'code'");
	}
	g_autofree char *longcode = g_strnfill(CONFIG_RELAIS_PROTO_MAX_ID + 1, 'A');
	g_autofree char *lc = g_strdup_printf("{\"type\":\"check_in\",\"code\":\"%s\"}", longcode);
	expect_error(lc, B, TRUE, RELAIS_PROTO_ERROR_SIZE, "'code'");
	expect_error("{\"type\":\"check_in\"}", B, TRUE, E_FIELD, "'code'");
	expect_error("{\"type\":\"check_in\",\"code\":\"7KQ2MZ\"}", A, TRUE, RELAIS_PROTO_ERROR_DIRECTION, "check_in");
	expect_error("{\"type\":\"check_in\",\"code\":\"7KQ2MZ\"}", S, TRUE, RELAIS_PROTO_ERROR_DIRECTION, "check_in");

	/* request's booking is a code now (verified by the switchboard) */
	g_autoptr(RelaisMsg) r =
		good("{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"x\",\"booking\":\"7KQ2MZ\"}", B);
	g_assert_cmpstr(relais_msg_get_string(r, "booking"), ==, "7KQ2MZ");
	expect_error("{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"x\",\"booking\":\"bk-1\"}", B, TRUE,
		     E_FIELD, "booking code");
}

static void test_booking_replies(void)
{
	g_autoptr(RelaisMsg) o = good("{\"type\":\"booking_offer\",\"slots\":[{\"start\":\"2026-11-24T09:00:00+01:00\","
				      "\"end\":\"2026-11-24T09:30:00+01:00\"},{\"start\":\"2026-11-24T09:30:00+01:00\","
				      "\"end\":\"2026-11-24T10:00:00+01:00\"}]}",
				      S);
	g_assert_cmpuint(json_array_get_length(relais_msg_get_array(o, "slots")), ==, 2);
	g_autoptr(RelaisMsg) empty = good("{\"type\":\"booking_offer\",\"slots\":[]}", S);
	expect_error("{\"type\":\"booking_offer\"}", S, TRUE, E_FIELD, "'slots'");
	expect_error("{\"type\":\"booking_offer\",\"slots\":{}}", S, TRUE, E_FIELD, "array");
	expect_error("{\"type\":\"booking_offer\",\"slots\":[\"9:00\"]}", S, TRUE, E_FIELD, "object");
	expect_error("{\"type\":\"booking_offer\",\"slots\":[{\"start\":\"2026-11-24T09:00:00+01:00\"}]}", S, TRUE,
		     E_FIELD, "'start' and 'end'");
	expect_error(
		"{\"type\":\"booking_offer\",\"slots\":[{\"start\":\"9h\",\"end\":\"2026-11-24T09:30:00+01:00\"}]}", S,
		TRUE, E_FIELD, "slots[].start");
	expect_error("{\"type\":\"booking_offer\",\"slots\":[{\"start\":\"2026-11-24T10:00:00+01:00\","
		     "\"end\":\"2026-11-24T09:30:00+01:00\"}]}",
		     S, TRUE, E_FIELD, "after");
	GString *many = g_string_new("{\"type\":\"booking_offer\",\"slots\":[");
	for (int i = 0; i <= CONFIG_RELAIS_PROTO_MAX_SLOTS; i++)
		g_string_append_printf(many, "%s{\"start\":\"2026-11-24T09:00:00Z\",\"end\":\"2026-11-24T09:30:00Z\"}",
				       i ? "," : "");
	g_string_append(many, "]}");
	expect_error(many->str, S, TRUE, RELAIS_PROTO_ERROR_SIZE, "cap");
	g_string_free(many, TRUE);
	expect_error("{\"type\":\"booking_offer\",\"slots\":[]}", B, TRUE, RELAIS_PROTO_ERROR_DIRECTION, NULL);

	g_autoptr(RelaisMsg) bk =
		good("{\"type\":\"booked\",\"code\":\"7KQ2MZ\",\"start\":\"2026-11-24T09:00:00+01:00\","
		     "\"end\":\"2026-11-24T09:30:00+01:00\",\"site\":\"Médiathèque\"}",
		     S);
	g_assert_cmpstr(relais_msg_get_string(bk, "site"), ==, "Médiathèque");
	g_assert_null(relais_msg_get_string(bk, "address"));
	/* the site's address (optional, a switchboard of before says none) */
	g_autoptr(RelaisMsg) bka = good(
		"{\"type\":\"booked\",\"code\":\"7KQ2MZ\",\"start\":\"2026-11-24T09:00:00+01:00\","
		"\"end\":\"2026-11-24T09:30:00+01:00\",\"site\":\"Médiathèque\",\"address\":\"4 rue Jean-Macé, Lyon\"}",
		S);
	g_assert_cmpstr(relais_msg_get_string(bka, "address"), ==, "4 rue Jean-Macé, Lyon");
	expect_error("{\"type\":\"booked\",\"code\":\"7KQ2MZ\",\"start\":\"2026-11-24T09:00:00+01:00\","
		     "\"end\":\"2026-11-24T09:30:00+01:00\",\"address\":42}",
		     S, TRUE, E_FIELD, "'address'");
	g_autoptr(JsonObject) built =
		relais_msg_booked("7KQ2MZ", "2026-11-24T09:00:00+01:00", "2026-11-24T09:30:00+01:00", "Médiathèque",
				  "4 rue Jean-Macé, Lyon");
	g_assert_cmpstr(json_object_get_string_member(built, "address"), ==, "4 rue Jean-Macé, Lyon");
	expect_error("{\"type\":\"booked\",\"code\":\"7kq2mz\",\"start\":\"2026-11-24T09:00:00+01:00\","
		     "\"end\":\"2026-11-24T09:30:00+01:00\"}",
		     S, TRUE, E_FIELD, "'code'");
	expect_error("{\"type\":\"booked\",\"code\":\"7KQ2MZ\",\"start\":\"2026-11-24T09:00:00+01:00\"}", S, TRUE,
		     E_FIELD, "'end'");

	g_autoptr(RelaisMsg) ci =
		good("{\"type\":\"checked_in\",\"code\":\"7KQ2MZ\",\"start\":\"2026-11-24T09:00:00+01:00\","
		     "\"end\":\"2026-11-24T09:30:00+01:00\",\"language\":\"en\",\"topic\":\"training\"}",
		     S);
	g_assert_cmpstr(relais_msg_get_string(ci, "language"), ==, "en");
	expect_error("{\"type\":\"checked_in\",\"code\":\"7KQ2MZ\",\"start\":\"2026-11-24T09:00:00+01:00\","
		     "\"end\":\"2026-11-24T09:30:00+01:00\",\"language\":\"EN\"}",
		     S, TRUE, E_FIELD, "language");

	/* booking_error: every reason of the table, the optional retry fields */
	for (const char *const *r = relais_booking_reasons; *r; r++) {
		g_autofree char *t =
			g_strdup_printf("{\"type\":\"booking_error\",\"ref\":\"check_in\",\"reason\":\"%s\"}", *r);
		g_autoptr(RelaisMsg) m = good(t, S);
		g_assert_cmpstr(relais_msg_get_string(m, "reason"), ==, *r);
	}
	g_autoptr(RelaisMsg) early = good("{\"type\":\"booking_error\",\"ref\":\"check_in\",\"reason\":\"too_early\","
					  "\"retry_at\":\"2026-11-24T08:30:00+01:00\",\"message\":\"later\"}",
					  S);
	g_autoptr(RelaisMsg) wait =
		good("{\"type\":\"booking_error\",\"ref\":\"check_in\",\"reason\":\"wait\",\"retry_s\":540}", S);
	g_assert_cmpint(relais_msg_get_int(wait, "retry_s", 0), ==, 540);
	expect_error("{\"type\":\"booking_error\",\"ref\":\"check_in\",\"reason\":\"nope\"}", S, TRUE, E_FIELD,
		     "'reason' must be one of");
	expect_error("{\"type\":\"booking_error\",\"ref\":\"request\",\"reason\":\"used\"}", S, TRUE, E_FIELD, "'ref'");
	expect_error("{\"type\":\"booking_error\",\"ref\":\"book\"}", S, TRUE, E_FIELD, "'reason'");
	expect_error("{\"type\":\"booking_error\",\"ref\":\"check_in\",\"reason\":\"wait\",\"retry_s\":-1}", S, TRUE,
		     E_FIELD, "retry_s");
	expect_error("{\"type\":\"booking_error\",\"ref\":\"check_in\",\"reason\":\"too_early\",\"retry_at\":\"soon\"}",
		     S, TRUE, E_FIELD, "retry_at");
	/* switchboard-only types */
	expect_error("{\"type\":\"booked\",\"code\":\"7KQ2MZ\",\"start\":\"2026-11-24T09:00:00+01:00\","
		     "\"end\":\"2026-11-24T09:30:00+01:00\"}",
		     B, TRUE, RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"booking_error\",\"ref\":\"book\",\"reason\":\"taken\"}", A, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);

	g_assert_true(relais_proto_valid_time("2026-11-24T09:00:00+01:00"));
	g_assert_false(relais_proto_valid_time("2026-11-24T09:00:00"));
	g_assert_false(relais_proto_valid_time(NULL));
}

#undef B
#undef S
#undef A
#undef E_FIELD

static void test_build_roundtrip(void)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_CALL);
	json_object_set_string_member(o, "call", "c-1");
	json_object_set_string_member(o, "ticket", "t-1");
	json_object_set_string_member(o, "peer", "Alice");
	g_autofree char *text = relais_msg_to_string(o);
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) m = parse(text, RELAIS_ROLE_SWITCHBOARD, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(relais_msg_get_type(m), ==, RELAIS_MSG_CALL);
	g_assert_cmpstr(relais_msg_get_string(m, "peer"), ==, "Alice");

	/* error replies are valid messages too, even when quoting hostile text */
	g_autofree char *hostile = g_strnfill(5000, 'z');
	g_autofree char *e =
		relais_msg_error_string(RELAIS_PROTO_ERROR_UNKNOWN, hostile, "\xff\xfe bad ref that is long");
	g_autoptr(RelaisMsg) em = parse(e, RELAIS_ROLE_SWITCHBOARD, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(relais_msg_get_string(em, "code"), ==, "unknown");
	g_assert_cmpuint(strlen(relais_msg_get_string(em, "message")), <=, 512);
}

/* A call's media connections (PROTOCOL.md "Reconnecting a call's media"):
 * sdp and ice may say which one (0..1000), reconnect goes adviser ->
 * switchboard -> booth naming the connection found dead. */
static void test_media_connections(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) sdp =
		parse("{\"type\":\"sdp\",\"call\":\"c1\",\"sdp_type\":\"offer\",\"sdp\":\"v=0\",\"media\":3}",
		      RELAIS_ROLE_BOOTH, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(relais_msg_get_int(sdp, "media", 0), ==, 3);
	g_autoptr(RelaisMsg) first = parse("{\"type\":\"ice\",\"call\":\"c1\",\"candidate\":\"\",\"mline\":0}",
					   RELAIS_ROLE_ADVISER, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(relais_msg_get_int(first, "media", 0), ==, 0); /* absent: the first */
	expect_error("{\"type\":\"ice\",\"call\":\"c1\",\"candidate\":\"\",\"mline\":0,\"media\":1001}",
		     RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_FIELD, "media");
	expect_error("{\"type\":\"sdp\",\"call\":\"c1\",\"sdp_type\":\"answer\",\"sdp\":\"v=0\",\"media\":-1}",
		     RELAIS_ROLE_ADVISER, TRUE, RELAIS_PROTO_ERROR_FIELD, "media");
	expect_error("{\"type\":\"sdp\",\"call\":\"c1\",\"sdp_type\":\"answer\",\"sdp\":\"v=0\",\"media\":\"1\"}",
		     RELAIS_ROLE_ADVISER, TRUE, RELAIS_PROTO_ERROR_FIELD, "media");
	g_autoptr(RelaisMsg) again =
		parse("{\"type\":\"reconnect\",\"call\":\"c1\",\"media\":2}", RELAIS_ROLE_ADVISER, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(relais_msg_get_type(again), ==, RELAIS_MSG_RECONNECT);
	/* only the adviser asks (the booth makes new connections itself) */
	expect_error("{\"type\":\"reconnect\",\"call\":\"c1\",\"media\":2}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"reconnect\",\"call\":\"c1\"}", RELAIS_ROLE_ADVISER, TRUE, RELAIS_PROTO_ERROR_FIELD,
		     "media");
	expect_error("{\"type\":\"reconnect\",\"call\":\"c1\",\"media\":2}", RELAIS_ROLE_ADVISER, FALSE,
		     RELAIS_PROTO_ERROR_STATE, NULL);
}

/* device: booth -> switchboard -> adviser, a known device and state */
static void test_device(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) lost =
		parse("{\"type\":\"device\",\"call\":\"c1\",\"device\":\"microphone\",\"state\":\"lost\"}",
		      RELAIS_ROLE_BOOTH, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(relais_msg_get_type(lost), ==, RELAIS_MSG_DEVICE);
	expect_error("{\"type\":\"device\",\"call\":\"c1\",\"device\":\"camera\",\"state\":\"lost\"}",
		     RELAIS_ROLE_ADVISER, TRUE, RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"device\",\"call\":\"c1\",\"device\":\"speaker\",\"state\":\"lost\"}",
		     RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_FIELD, "device");
	expect_error("{\"type\":\"device\",\"call\":\"c1\",\"device\":\"camera\",\"state\":\"gone\"}",
		     RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_FIELD, "state");
	expect_error("{\"type\":\"device\",\"call\":\"c1\",\"device\":\"camera\"}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "state");
	expect_error("{\"type\":\"device\",\"call\":\"c1\",\"device\":\"camera\",\"state\":\"ok\"}", RELAIS_ROLE_BOOTH,
		     FALSE, RELAIS_PROTO_ERROR_STATE, NULL);
}

/* share: adviser -> switchboard -> booth only, on or off, in a named call */
static void test_share(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) on =
		parse("{\"type\":\"share\",\"call\":\"c1\",\"state\":\"on\"}", RELAIS_ROLE_ADVISER, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(relais_msg_get_type(on), ==, RELAIS_MSG_SHARE);
	g_assert_cmpstr(relais_msg_get_string(on, "state"), ==, "on");
	g_autoptr(RelaisMsg) off =
		parse("{\"type\":\"share\",\"call\":\"c1\",\"state\":\"off\"}", RELAIS_ROLE_SWITCHBOARD, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(relais_msg_get_string(off, "state"), ==, "off");
	/* the booth never shares a screen */
	expect_error("{\"type\":\"share\",\"call\":\"c1\",\"state\":\"on\"}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"share\",\"call\":\"c1\",\"state\":\"maybe\"}", RELAIS_ROLE_ADVISER, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "state");
	expect_error("{\"type\":\"share\",\"call\":\"c1\",\"state\":true}", RELAIS_ROLE_ADVISER, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "state");
	expect_error("{\"type\":\"share\",\"call\":\"c1\"}", RELAIS_ROLE_ADVISER, TRUE, RELAIS_PROTO_ERROR_FIELD,
		     "state");
	expect_error("{\"type\":\"share\",\"state\":\"on\"}", RELAIS_ROLE_ADVISER, TRUE, RELAIS_PROTO_ERROR_FIELD,
		     "call");
	expect_error("{\"type\":\"share\",\"call\":\"c 1\",\"state\":\"on\"}", RELAIS_ROLE_ADVISER, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "call");
	expect_error("{\"type\":\"share\",\"call\":\"c1\",\"state\":\"on\"}", RELAIS_ROLE_ADVISER, FALSE,
		     RELAIS_PROTO_ERROR_STATE, NULL);
	/* built by the switchboard, read back */
	JsonObject *o = relais_msg_new(RELAIS_MSG_SHARE);
	json_object_set_string_member(o, "call", "c1");
	json_object_set_string_member(o, "state", "on");
	g_autofree char *text = relais_msg_to_string(o);
	g_autoptr(RelaisMsg) back = parse(text, RELAIS_ROLE_SWITCHBOARD, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(relais_msg_type_name(RELAIS_MSG_SHARE), ==, "share");
}

static void test_names(void)
{
	g_assert_cmpstr(relais_proto_error_code(RELAIS_PROTO_ERROR_FULL), ==, "full");
	g_assert_cmpstr(relais_msg_type_name(RELAIS_MSG_PONG), ==, "pong");
	g_assert_cmpstr(relais_msg_type_name(RELAIS_MSG_AVAILABILITY), ==, "availability");
	g_assert_cmpstr(relais_msg_type_name(RELAIS_MSG_FEEDBACK), ==, "feedback");
	g_assert_true(relais_proto_valid_id("sim-1"));
	g_assert_false(relais_proto_valid_id(""));
	g_assert_false(relais_proto_valid_id("a/b"));
	g_assert_true(relais_proto_valid_lang("fr"));
	g_assert_false(relais_proto_valid_lang("f"));
}

/* What a program builds is checked with the receiver's own table
 * (relais_msg_check, run by relais_msg_to_string). */
static void test_outgoing_check(void)
{
	g_autoptr(GError) error = NULL;
	/* good: the switchboard's queued, a booth's hello, an adviser's accept */
	JsonObject *q = relais_msg_new(RELAIS_MSG_QUEUED);
	json_object_set_string_member(q, "ticket", "t-1");
	json_object_set_int_member(q, "position", 2);
	g_assert_true(relais_msg_check(q, &error));
	g_assert_no_error(error);
	/* a position the receiver refuses */
	json_object_set_int_member(q, "position", 0);
	g_assert_false(relais_msg_check(q, &error));
	g_assert_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD);
	g_clear_error(&error);
	json_object_unref(q);

	JsonObject *h = relais_msg_new(RELAIS_MSG_HELLO);
	json_object_set_int_member(h, "version", RELAIS_PROTO_VERSION);
	json_object_set_string_member(h, "role", "booth");
	/* a booth's hello needs its id */
	g_assert_false(relais_msg_check(h, &error));
	g_assert_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD);
	g_clear_error(&error);
	json_object_set_string_member(h, "booth_id", "b-1");
	g_assert_true(relais_msg_check(h, &error));
	json_object_unref(h);

	JsonObject *a = relais_msg_new(RELAIS_MSG_ACCEPT);
	g_assert_false(relais_msg_check(a, &error)); /* no ticket */
	g_assert_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD);
	g_clear_error(&error);
	json_object_set_string_member(a, "ticket", "t-1");
	g_assert_true(relais_msg_check(a, &error));
	json_object_unref(a);

	/* a builder's output with a reason outside the table */
	JsonObject *b = relais_msg_booking_error("book", "no-such-reason", NULL);
	g_assert_false(relais_msg_check(b, &error));
	g_assert_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD);
	g_clear_error(&error);
	json_object_unref(b);

	/* an unknown type */
	JsonObject *u = json_object_new();
	json_object_set_string_member(u, "type", "teleport");
	g_assert_false(relais_msg_check(u, &error));
	g_assert_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_UNKNOWN);
	g_clear_error(&error);
	json_object_unref(u);

#if CONFIG_RELAIS_PROTO_CHECK_OUTGOING
	/* serialising a broken message says so (and still returns the text);
	 * under RELAIS_PROTO_STRICT it would abort, which is what the other
	 * tests rely on: not here */
	g_unsetenv("RELAIS_PROTO_STRICT");
	JsonObject *c = relais_msg_new(RELAIS_MSG_CHAT);
	json_object_set_string_member(c, "call", "c-1");
	g_test_expect_message("relais-proto", G_LOG_LEVEL_CRITICAL, "an outgoing 'chat' breaks the protocol*text*");
	g_autofree char *text = relais_msg_to_string(c);
	g_test_assert_expected_messages();
	g_assert_nonnull(strstr(text, "\"chat\""));
#endif
}

/* Remote diagnostics: the switchboard asks with a request id, the booth
 * answers with it and a report object of at most MAX_REPORT bytes. */
static void test_diag(void)
{
	g_autoptr(RelaisMsg) q = good("{\"type\":\"diag_request\",\"request\":\"d-1a2B_c\"}", RELAIS_ROLE_SWITCHBOARD);
	g_assert_cmpint(relais_msg_get_type(q), ==, RELAIS_MSG_DIAG_REQUEST);
	g_assert_cmpstr(relais_msg_get_string(q, "request"), ==, "d-1a2B_c");
	expect_error("{\"type\":\"diag_request\"}", RELAIS_ROLE_SWITCHBOARD, TRUE, RELAIS_PROTO_ERROR_FIELD,
		     "'request'");
	expect_error("{\"type\":\"diag_request\",\"request\":\"a b\"}", RELAIS_ROLE_SWITCHBOARD, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'request'");
	/* nobody else may ask a booth for its report */
	expect_error("{\"type\":\"diag_request\",\"request\":\"d-1\"}", RELAIS_ROLE_ADVISER, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, "diag_request");
	expect_error("{\"type\":\"diag_request\",\"request\":\"d-1\"}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, "diag_request");

	g_autoptr(RelaisMsg) r = good("{\"type\":\"diag_report\",\"request\":\"d-1\",\"report\":{\"board\":\"sim\","
				      "\"link\":{\"state\":\"up\"},\"errors\":[{\"time\":\"x\",\"message\":\"m\"}]}}",
				      RELAIS_ROLE_BOOTH);
	JsonObject *report = relais_msg_get_object(r, "report");
	g_assert_nonnull(report);
	g_assert_cmpstr(json_object_get_string_member(report, "board"), ==, "sim");
	expect_error("{\"type\":\"diag_report\",\"request\":\"d-1\"}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'report'");
	expect_error("{\"type\":\"diag_report\",\"report\":{}}", RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_FIELD,
		     "'request'");
	expect_error("{\"type\":\"diag_report\",\"request\":\"d-1\",\"report\":[1]}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "object");
	expect_error("{\"type\":\"diag_report\",\"request\":\"d-1\",\"report\":\"ok\"}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "object");
	expect_error("{\"type\":\"diag_report\",\"request\":\"d-1\",\"report\":{}}", RELAIS_ROLE_ADVISER, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, "diag_report");
	expect_error("{\"type\":\"diag_report\",\"request\":\"d-1\",\"report\":{}}", RELAIS_ROLE_BOOTH, FALSE,
		     RELAIS_PROTO_ERROR_STATE, "before 'hello'");

	/* the report's cap, as serialised: exactly at it passes, one byte more is refused */
	const gsize overhead = strlen("{\"pad\":\"\"}");
	g_autofree char *pad = g_strnfill(CONFIG_RELAIS_PROTO_MAX_REPORT - overhead, 'x');
	g_autofree char *at_cap =
		g_strdup_printf("{\"type\":\"diag_report\",\"request\":\"d-1\",\"report\":{\"pad\":\"%s\"}}", pad);
	g_autoptr(RelaisMsg) fits = good(at_cap, RELAIS_ROLE_BOOTH);
	g_assert_nonnull(fits);
	g_autofree char *over =
		g_strdup_printf("{\"type\":\"diag_report\",\"request\":\"d-1\",\"report\":{\"pad\":\"%sx\"}}", pad);
	expect_error(over, RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_SIZE, "'report'");

	/* what the switchboard and the booth build passes their own check */
	g_autoptr(GError) error = NULL;
	JsonObject *out = relais_msg_new(RELAIS_MSG_DIAG_REQUEST);
	json_object_set_string_member(out, "request", "d-2");
	g_assert_true(relais_msg_check(out, &error));
	g_assert_no_error(error);
	json_object_unref(out);
	JsonObject *built = json_object_new();
	json_object_set_string_member(built, "board", "sim");
	JsonObject *back = relais_msg_diag_report("d-2", built);
	g_assert_true(relais_msg_check(back, &error));
	g_assert_no_error(error);
	g_autofree char *text = relais_msg_to_string(back);
	g_assert_cmpstr(text, ==, "{\"type\":\"diag_report\",\"request\":\"d-2\",\"report\":{\"board\":\"sim\"}}");
	/* an oversize report breaks the protocol: the builder's user is told */
	JsonObject *big = json_object_new();
	g_autofree char *bigpad = g_strnfill(CONFIG_RELAIS_PROTO_MAX_REPORT, 'x');
	json_object_set_string_member(big, "pad", bigpad);
	JsonObject *too_big = relais_msg_diag_report("d-3", big);
	g_assert_false(relais_msg_check(too_big, &error));
	g_assert_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_SIZE);
	g_clear_error(&error);
	json_object_unref(too_big);
}

/* hello's software and slot; update_report (PROTOCOL.md "Software and updates") */
static void test_update_report(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) hello = parse("{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"b\","
					   "\"software\":\"0.10-abc1234.dirty\",\"slot\":\"B\"}",
					   RELAIS_ROLE_BOOTH, FALSE, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(relais_msg_get_string(hello, "software"), ==, "0.10-abc1234.dirty");
	g_assert_cmpstr(relais_msg_get_string(hello, "slot"), ==, "B");
	expect_error("{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"b\",\"slot\":\"C\"}",
		     RELAIS_ROLE_BOOTH, FALSE, RELAIS_PROTO_ERROR_FIELD, "'slot' must be one of A|B");
	expect_error(
		"{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"b\",\"software\":\"<b>1</b>\"}",
		RELAIS_ROLE_BOOTH, FALSE, RELAIS_PROTO_ERROR_FIELD, "'software'");
	g_autofree char *long_version = g_strnfill(CONFIG_RELAIS_PROTO_MAX_ID + 1, '1');
	g_autofree char *long_hello = g_strdup_printf(
		"{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"b\",\"software\":\"%s\"}",
		long_version);
	expect_error(long_hello, RELAIS_ROLE_BOOTH, FALSE, RELAIS_PROTO_ERROR_SIZE, "'software'");

	const char *full = "{\"type\":\"update_report\",\"result\":\"rolled-back\",\"version\":\"0.10-abc1234\","
			   "\"from\":\"0.10-0ff1ce5\",\"slot\":\"B\",\"at\":\"2026-12-06T22:10:00Z\","
			   "\"detail\":\"not healthy within 300 s: link down\"}";
	g_autoptr(RelaisMsg) r = good(full, RELAIS_ROLE_BOOTH);
	g_assert_nonnull(r);
	g_assert_cmpint(relais_msg_get_type(r), ==, RELAIS_MSG_UPDATE_REPORT);
	g_autoptr(RelaisMsg) minimal = good("{\"type\":\"update_report\",\"result\":\"kept\",\"version\":\"v1\","
					    "\"slot\":\"A\",\"at\":\"2026-12-06T23:10:00+01:00\"}",
					    RELAIS_ROLE_BOOTH);
	g_assert_nonnull(minimal);
	/* every result of the file (updatestatus.h) is the protocol's */
	for (guint i = 0; relais_update_results[i]; i++) {
		g_autofree char *t = g_strdup_printf("{\"type\":\"update_report\",\"result\":\"%s\",\"version\":\"v\","
						     "\"slot\":\"A\",\"at\":\"2026-12-06T22:10:00Z\"}",
						     relais_update_results[i]);
		g_autoptr(RelaisMsg) m = good(t, RELAIS_ROLE_BOOTH);
		g_assert_nonnull(m);
	}
	expect_error("{\"type\":\"update_report\",\"result\":\"exploded\",\"version\":\"v\",\"slot\":\"A\","
		     "\"at\":\"2026-12-06T22:10:00Z\"}",
		     RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_FIELD, "'result'");
	expect_error("{\"type\":\"update_report\",\"result\":\"kept\",\"slot\":\"A\",\"at\":\"2026-12-06T22:10:00Z\"}",
		     RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_FIELD, "'version'");
	expect_error("{\"type\":\"update_report\",\"result\":\"kept\",\"version\":\"v\",\"slot\":\"A\","
		     "\"at\":\"2026-12-06 22:10\"}",
		     RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_FIELD, "'at'");
	expect_error("{\"type\":\"update_report\",\"result\":\"kept\",\"version\":\"v\",\"slot\":\"b\","
		     "\"at\":\"2026-12-06T22:10:00Z\"}",
		     RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_FIELD, "'slot'");
	expect_error("{\"type\":\"update_report\",\"result\":\"kept\",\"version\":\"v\",\"slot\":\"A\","
		     "\"at\":\"2026-12-06T22:10:00Z\",\"detail\":7}",
		     RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_FIELD, "'detail'");
	g_autofree char *long_detail = g_strnfill(CONFIG_RELAIS_PROTO_MAX_TEXT + 1, 'd');
	g_autofree char *oversize =
		g_strdup_printf("{\"type\":\"update_report\",\"result\":\"kept\",\"version\":\"v\",\"slot\":\"A\","
				"\"at\":\"2026-12-06T22:10:00Z\",\"detail\":\"%s\"}",
				long_detail);
	expect_error(oversize, RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_SIZE, "'detail'");
	/* a booth's own word: nobody else sends it, and not before hello */
	expect_error(full, RELAIS_ROLE_ADVISER, TRUE, RELAIS_PROTO_ERROR_DIRECTION, "update_report");
	expect_error(full, RELAIS_ROLE_SWITCHBOARD, TRUE, RELAIS_PROTO_ERROR_DIRECTION, "update_report");
	expect_error(full, RELAIS_ROLE_BOOTH, FALSE, RELAIS_PROTO_ERROR_STATE, "before 'hello'");

	/* what the booth builds from its file passes its own check */
	RelaisUpdateStatus st = {RELAIS_UPDATE_INSTALL_FAILED, "0.11-1", NULL, "B", "2026-12-06T22:10:00Z", NULL};
	JsonObject *built = relais_update_status_message(&st);
	g_assert_true(relais_msg_check(built, &error));
	g_assert_no_error(error);
	g_autofree char *text = relais_msg_to_string(built);
	g_assert_cmpstr(text, ==,
			"{\"type\":\"update_report\",\"result\":\"install-failed\",\"version\":\"0.11-1\","
			"\"slot\":\"B\",\"at\":\"2026-12-06T22:10:00Z\"}");
}

/* update_offer (S→B) and update_status (B→S): PROTOCOL.md "Updates sent from afar" */
static void test_update_offer_status(void)
{
	const char *sha = "7dbfbcc2b7fa0123456789abcdef0123456789abcdef0123456789abcdef0123";
	g_autofree char *offer = g_strdup_printf("{\"type\":\"update_offer\",\"update\":\"u-1\",\"size\":308657,"
						 "\"sha256\":\"%s\",\"version\":\"0.11-e2e\"}",
						 sha);
	g_autoptr(RelaisMsg) o = good(offer, RELAIS_ROLE_SWITCHBOARD);
	g_assert_cmpint(relais_msg_get_int(o, "size", 0), ==, 308657);
	/* bigger than 2^31: a size is any positive integer */
	g_autofree char *big = g_strdup_printf(
		"{\"type\":\"update_offer\",\"update\":\"u-1\",\"size\":5000000000,\"sha256\":\"%s\"}", sha);
	g_autoptr(RelaisMsg) b = good(big, RELAIS_ROLE_SWITCHBOARD);
	g_assert_cmpint(relais_msg_get_int(b, "size", 0), ==, 5000000000);
	g_autofree char *upper = g_ascii_strup(sha, -1);
	const char *bad_sha[] = {"abc", upper, "7dbfbcc2b7fa0123456789abcdef0123456789abcdef0123456789abcdef012g"};
	for (guint i = 0; i < G_N_ELEMENTS(bad_sha); i++) {
		g_autofree char *t = g_strdup_printf(
			"{\"type\":\"update_offer\",\"update\":\"u-1\",\"size\":1,\"sha256\":\"%s\"}", bad_sha[i]);
		expect_error(t, RELAIS_ROLE_SWITCHBOARD, TRUE, RELAIS_PROTO_ERROR_FIELD, "'sha256'");
	}
	g_autofree char *zero =
		g_strdup_printf("{\"type\":\"update_offer\",\"update\":\"u-1\",\"size\":0,\"sha256\":\"%s\"}", sha);
	expect_error(zero, RELAIS_ROLE_SWITCHBOARD, TRUE, RELAIS_PROTO_ERROR_FIELD, "'size'");
	/* only the switchboard offers */
	expect_error(offer, RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_DIRECTION, "update_offer");
	expect_error(offer, RELAIS_ROLE_ADVISER, TRUE, RELAIS_PROTO_ERROR_DIRECTION, "update_offer");

	for (guint i = 0; relais_update_states[i]; i++) {
		g_autofree char *t = g_strdup_printf("{\"type\":\"update_status\",\"update\":\"u-1\",\"state\":\"%s\"}",
						     relais_update_states[i]);
		g_autoptr(RelaisMsg) m = good(t, RELAIS_ROLE_BOOTH);
		g_assert_nonnull(m);
	}
	g_autoptr(RelaisMsg) st = good("{\"type\":\"update_status\",\"update\":\"u-1\",\"state\":\"installing\","
				       "\"progress\":40,\"message\":\"40% Copying image to rootfs.1\"}",
				       RELAIS_ROLE_BOOTH);
	g_assert_cmpint(relais_msg_get_int(st, "progress", -1), ==, 40);
	expect_error("{\"type\":\"update_status\",\"update\":\"u-1\",\"state\":\"done\"}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'state'");
	expect_error("{\"type\":\"update_status\",\"update\":\"u-1\",\"state\":\"installing\",\"progress\":101}",
		     RELAIS_ROLE_BOOTH, TRUE, RELAIS_PROTO_ERROR_FIELD, "'progress'");
	expect_error("{\"type\":\"update_status\",\"state\":\"failed\"}", RELAIS_ROLE_BOOTH, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'update'");
	expect_error("{\"type\":\"update_status\",\"update\":\"u-1\",\"state\":\"failed\"}", RELAIS_ROLE_ADVISER, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, "update_status");
	expect_error("{\"type\":\"update_status\",\"update\":\"u-1\",\"state\":\"failed\"}", RELAIS_ROLE_BOOTH, FALSE,
		     RELAIS_PROTO_ERROR_STATE, "before 'hello'");
	g_assert_true(relais_proto_valid_sha256(sha));
	g_assert_false(relais_proto_valid_sha256(NULL));
}

/* --- the booth list: a snapshot in parts, then changes ------------------- */

static GPtrArray *booth_entries(guint n)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < n; i++)
		g_ptr_array_add(a,
				g_strdup_printf("{\"booth_id\":\"b-%05u\",\"site\":\"Médiathèque\",\"board\":\"sim\","
						"\"state\":\"idle\",\"reason\":\"\"}",
						i));
	return a;
}

/* The booth ids of every message in `texts`, in order, each checked as
 * the console's link parses it; `snapshot` > 0: parts 1..n of it. */
static GPtrArray *ids_of(GPtrArray *texts, gint64 snapshot, gsize cap, GPtrArray *gone)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < texts->len; i++) {
		const char *t = g_ptr_array_index(texts, i);
		g_assert_cmpuint(strlen(t), <=, cap);
		g_autoptr(GError) error = NULL;
		g_autoptr(RelaisMsg) m = parse(t, RELAIS_ROLE_SWITCHBOARD, TRUE, &error);
		g_assert_no_error(error);
		if (snapshot > 0) {
			g_assert_cmpint(relais_msg_get_type(m), ==, RELAIS_MSG_BOOTHS);
			g_assert_cmpint(relais_msg_get_int(m, "snapshot", 0), ==, snapshot);
			g_assert_cmpint(relais_msg_get_int(m, "part", 0), ==, i + 1);
			g_assert_cmpint(relais_msg_get_int(m, "parts", 0), ==, texts->len);
		} else {
			g_assert_cmpint(relais_msg_get_type(m), ==, RELAIS_MSG_BOOTHS_CHANGED);
			JsonArray *g = relais_msg_get_array(m, "gone");
			for (guint k = 0; k < json_array_get_length(g); k++)
				g_ptr_array_add(gone, g_strdup(json_array_get_string_element(g, k)));
		}
		JsonArray *a = relais_msg_get_array(m, "booths");
		for (guint k = 0; k < json_array_get_length(a); k++)
			g_ptr_array_add(ids, g_strdup(json_object_get_string_member(json_array_get_object_element(a, k),
										    "booth_id")));
	}
	return ids;
}

static guint ndigits(guint v)
{
	return v >= 10 ? 1 + ndigits(v / 10) : 1;
}

static void test_booths_split(void)
{
	g_autoptr(GPtrArray) entries = booth_entries(40);
	RelaisListMember m = {"booths", entries};

	/* the whole list in one message of exactly `cap` bytes: one part */
	g_autoptr(GString) one = g_string_new("{\"type\":\"booths\",\"booths\":[");
	for (guint i = 0; i < entries->len; i++)
		g_string_append_printf(one, "%s%s", i ? "," : "", (char *)g_ptr_array_index(entries, i));
	g_string_append(one, "],\"snapshot\":7,\"part\":1,\"parts\":1}");
	guint dropped = 99;
	g_autoptr(GPtrArray) exact = relais_msg_split(RELAIS_MSG_BOOTHS, &m, 1, 7, one->len, &dropped);
	g_assert_cmpuint(exact->len, ==, 1);
	g_assert_cmpuint(dropped, ==, 0);
	g_assert_cmpstr(g_ptr_array_index(exact, 0), ==, one->str);

	/* a byte less: two parts, every entry once, in order */
	g_autoptr(GPtrArray) two = relais_msg_split(RELAIS_MSG_BOOTHS, &m, 1, 7, one->len - 1, NULL);
	g_assert_cmpuint(two->len, ==, 2);
	g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) ids = ids_of(two, 7, one->len - 1, gone);
	g_assert_cmpuint(ids->len, ==, entries->len);
	for (guint i = 0; i < ids->len; i++) {
		g_autofree char *want = g_strdup_printf("b-%05u", i);
		g_assert_cmpstr(g_ptr_array_index(ids, i), ==, want);
	}
	/* the first part is full: the second's first entry did not fit */
	g_assert_cmpuint(strlen(g_ptr_array_index(two, 0)) + 1 + strlen(g_ptr_array_index(entries, 39)), >,
			 one->len - 1);

	/* a fleet: 1,500 booths, parts of at most 4 KiB (a two-digit count of
	 * parts), each as full as the next entry allows */
	g_autoptr(GPtrArray) fleet = booth_entries(1500);
	RelaisListMember f = {"booths", fleet};
	const gsize cap = 4096;
	g_autoptr(GPtrArray) parts = relais_msg_split(RELAIS_MSG_BOOTHS, &f, 1, 123456, cap, NULL);
	g_assert_cmpuint(parts->len, >=, 10);
	g_autoptr(GPtrArray) fleet_ids = ids_of(parts, 123456, cap, gone);
	g_assert_cmpuint(fleet_ids->len, ==, 1500);
	guint next = 0;
	for (guint p = 0; p + 1 < parts->len; p++) {
		g_autoptr(RelaisMsg) pm = parse(g_ptr_array_index(parts, p), RELAIS_ROLE_SWITCHBOARD, TRUE, NULL);
		next += json_array_get_length(relais_msg_get_array(pm, "booths"));
		/* what the part number's width leaves unused, against a part of
		 * the widest number */
		gsize slack = ndigits(parts->len) - ndigits(p + 1);
		g_assert_cmpuint(strlen(g_ptr_array_index(parts, p)) + slack + 1 +
					 strlen(g_ptr_array_index(fleet, next)),
				 >, cap);
	}

	/* nothing to list: one part, empty */
	g_autoptr(GPtrArray) none = g_ptr_array_new();
	RelaisListMember e = {"booths", none};
	g_autoptr(GPtrArray) empty = relais_msg_split(RELAIS_MSG_BOOTHS, &e, 1, 1, 65536, NULL);
	g_assert_cmpuint(empty->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(empty, 0), ==,
			"{\"type\":\"booths\",\"booths\":[],\"snapshot\":1,\"part\":1,\"parts\":1}");

	/* an entry longer than a message of its own is left out, and said */
	g_autoptr(GPtrArray) big = booth_entries(3);
	g_free(g_ptr_array_index(big, 1));
	g_autofree char *site = g_strnfill(300, 'x');
	big->pdata[1] = g_strdup_printf("{\"booth_id\":\"b-big\",\"site\":\"%s\",\"state\":\"idle\"}", site);
	RelaisListMember b = {"booths", big};
	g_autoptr(GPtrArray) left = relais_msg_split(RELAIS_MSG_BOOTHS, &b, 1, 2, 300, &dropped);
	g_assert_cmpuint(dropped, ==, 1);
	g_autoptr(GPtrArray) left_ids = ids_of(left, 2, 300, gone);
	g_assert_cmpuint(left_ids->len, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(left_ids, 1), ==, "b-00002");
}

static void test_booths_changed_split(void)
{
	g_autoptr(GPtrArray) changed = booth_entries(30);
	g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < 50; i++)
		g_ptr_array_add(gone, g_strdup_printf("\"gone-%03u\"", i));
	RelaisListMember m[2] = {{"booths", changed}, {"gone", gone}};

	/* everything in one message of exactly `cap` bytes */
	g_autoptr(GString) one = g_string_new("{\"type\":\"booths_changed\",\"booths\":[");
	for (guint i = 0; i < changed->len; i++)
		g_string_append_printf(one, "%s%s", i ? "," : "", (char *)g_ptr_array_index(changed, i));
	g_string_append(one, "],\"gone\":[");
	for (guint i = 0; i < gone->len; i++)
		g_string_append_printf(one, "%s%s", i ? "," : "", (char *)g_ptr_array_index(gone, i));
	g_string_append(one, "]}");
	g_autoptr(GPtrArray) exact = relais_msg_split(RELAIS_MSG_BOOTHS_CHANGED, m, 2, 0, one->len, NULL);
	g_assert_cmpuint(exact->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(exact, 0), ==, one->str);

	/* in messages of 1 KiB: every change and every gone booth once, in order */
	g_autoptr(GPtrArray) texts = relais_msg_split(RELAIS_MSG_BOOTHS_CHANGED, m, 2, 0, 1024, NULL);
	g_assert_cmpuint(texts->len, >, 2);
	g_autoptr(GPtrArray) got_gone = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) ids = ids_of(texts, 0, 1024, got_gone);
	g_assert_cmpuint(ids->len, ==, 30);
	g_assert_cmpuint(got_gone->len, ==, 50);
	for (guint i = 0; i < 50; i++) {
		g_autofree char *want = g_strdup_printf("gone-%03u", i);
		g_assert_cmpstr(g_ptr_array_index(got_gone, i), ==, want);
	}
}

static void test_booths_rules(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) ok = parse("{\"type\":\"booths\",\"booths\":[{\"booth_id\":\"b-1\",\"state\":\"idle\"}],"
					"\"snapshot\":1,\"part\":2,\"parts\":2}",
					RELAIS_ROLE_SWITCHBOARD, TRUE, &error);
	g_assert_no_error(error);
	/* a snapshot says which one and which part */
	expect_error("{\"type\":\"booths\",\"booths\":[]}", RELAIS_ROLE_SWITCHBOARD, TRUE, RELAIS_PROTO_ERROR_FIELD,
		     "'snapshot'");
	expect_error("{\"type\":\"booths\",\"booths\":[],\"snapshot\":1,\"part\":3,\"parts\":2}",
		     RELAIS_ROLE_SWITCHBOARD, TRUE, RELAIS_PROTO_ERROR_FIELD, "past 'parts'");
	expect_error("{\"type\":\"booths\",\"booths\":[],\"snapshot\":0,\"part\":1,\"parts\":1}",
		     RELAIS_ROLE_SWITCHBOARD, TRUE, RELAIS_PROTO_ERROR_FIELD, "'snapshot'");
	/* entries: an id and a state */
	expect_error("{\"type\":\"booths\",\"booths\":[{\"state\":\"idle\"}],\"snapshot\":1,\"part\":1,\"parts\":1}",
		     RELAIS_ROLE_SWITCHBOARD, TRUE, RELAIS_PROTO_ERROR_FIELD, "booth_id");
	expect_error("{\"type\":\"booths_changed\",\"booths\":[{\"booth_id\":\"a b\",\"state\":\"idle\"}],\"gone\":[]}",
		     RELAIS_ROLE_SWITCHBOARD, TRUE, RELAIS_PROTO_ERROR_FIELD, "booth_id");
	expect_error("{\"type\":\"booths_changed\",\"booths\":[{\"booth_id\":\"b\",\"state\":\"\"}],\"gone\":[]}",
		     RELAIS_ROLE_SWITCHBOARD, TRUE, RELAIS_PROTO_ERROR_FIELD, "state");
	expect_error("{\"type\":\"booths_changed\",\"booths\":[],\"gone\":[\"ok\",\"../x\"]}", RELAIS_ROLE_SWITCHBOARD,
		     TRUE, RELAIS_PROTO_ERROR_FIELD, "gone[1]");
	expect_error("{\"type\":\"booths_changed\",\"booths\":[],\"gone\":[3]}", RELAIS_ROLE_SWITCHBOARD, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "gone[0]");
	expect_error("{\"type\":\"booths_changed\",\"booths\":[]}", RELAIS_ROLE_SWITCHBOARD, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'gone'");
	/* the switchboard's only */
	expect_error("{\"type\":\"booths_changed\",\"booths\":[],\"gone\":[]}", RELAIS_ROLE_ADVISER, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, "booths_changed");
}

/* A guest in the call (PROTOCOL.md "A guest in the call"): each message
 * good, then bad (missing field, wrong type, wrong direction, oversize
 * name, unknown role). */
static void expect_ok(const char *text, RelaisRole sender, gboolean greeted)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) msg = parse(text, sender, greeted, &error);
	if (msg == NULL)
		g_error("refused: %s: %.200s", error->message, text);
}

static void test_guest_messages(void)
{
	const RelaisRole A_ = RELAIS_ROLE_ADVISER, B_ = RELAIS_ROLE_BOOTH, G_ = RELAIS_ROLE_GUEST,
			 S_ = RELAIS_ROLE_SWITCHBOARD;
	/* good */
	expect_ok("{\"type\":\"hello\",\"version\":1,\"role\":\"guest\",\"token\":\"AbC-_9xYz012345678901w\","
		  "\"name\":\"Claire\"}",
		  G_, FALSE);
	expect_ok("{\"type\":\"invite\",\"call\":\"c1\",\"role\":\"interpreter\"}", A_, TRUE);
	expect_ok("{\"type\":\"invited\",\"call\":\"c1\",\"invite\":\"g-1\",\"url\":\"https://sb.example/guest#x\","
		  "\"expires_at\":\"2026-11-24T09:15:00+01:00\"}",
		  S_, TRUE);
	expect_ok("{\"type\":\"invite_cancel\",\"call\":\"c1\",\"invite\":\"g-1\"}", A_, TRUE);
	expect_ok("{\"type\":\"guest_ask\",\"call\":\"c1\",\"guest\":\"g-1\",\"name\":\"Claire\",\"role\":"
		  "\"interpreter\"}",
		  S_, TRUE);
	expect_ok("{\"type\":\"guest_answer\",\"call\":\"c1\",\"guest\":\"g-1\",\"accept\":false}", B_, TRUE);
	expect_ok("{\"type\":\"guest_state\",\"call\":\"c1\",\"guest\":\"g-1\",\"state\":\"asking\"}", S_, TRUE);
	expect_ok("{\"type\":\"guest_state\",\"call\":\"c1\",\"guest\":\"g-1\",\"name\":\"Claire\",\"role\":"
		  "\"relative\",\"state\":\"joining\"}",
		  S_, TRUE);
	expect_ok("{\"type\":\"guest_remove\",\"call\":\"c1\",\"guest\":\"g-1\"}", A_, TRUE);
	expect_ok("{\"type\":\"sdp\",\"call\":\"c1\",\"sdp_type\":\"offer\",\"sdp\":\"v=0\",\"peer\":\"guest\"}", B_,
		  TRUE);
	expect_ok("{\"type\":\"sdp\",\"call\":\"c1\",\"sdp_type\":\"answer\",\"sdp\":\"v=0\",\"peer\":\"booth\"}", G_,
		  TRUE);
	expect_ok("{\"type\":\"ice\",\"call\":\"c1\",\"candidate\":\"\",\"mline\":0,\"peer\":\"adviser\"}", G_, TRUE);
	expect_ok("{\"type\":\"chat\",\"call\":\"c1\",\"text\":\"bonjour\"}", G_, TRUE);
	expect_ok("{\"type\":\"end\",\"call\":\"c1\"}", G_, TRUE);
	/* a name of 40 characters, 80 bytes */
	g_autoptr(GString) name = g_string_new(NULL);
	for (int i = 0; i < RELAIS_PROTO_MAX_GUEST_NAME; i++)
		g_string_append(name, "é");
	g_autofree char *hello40 = g_strdup_printf(
		"{\"type\":\"hello\",\"version\":1,\"role\":\"guest\",\"token\":\"t0k\",\"name\":\"%s\"}", name->str);
	expect_ok(hello40, G_, FALSE);

	/* bad: missing fields */
	expect_error("{\"type\":\"hello\",\"version\":1,\"role\":\"guest\",\"name\":\"Claire\"}", G_, FALSE,
		     RELAIS_PROTO_ERROR_FIELD, "'token'");
	expect_error("{\"type\":\"hello\",\"version\":1,\"role\":\"guest\",\"token\":\"t0k\"}", G_, FALSE,
		     RELAIS_PROTO_ERROR_FIELD, "'name'");
	expect_error("{\"type\":\"invite\",\"call\":\"c1\"}", A_, TRUE, RELAIS_PROTO_ERROR_FIELD, "'role'");
	expect_error("{\"type\":\"invited\",\"call\":\"c1\",\"invite\":\"g-1\",\"url\":\"u\"}", S_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'expires_at'");
	expect_error("{\"type\":\"invite_cancel\",\"call\":\"c1\"}", A_, TRUE, RELAIS_PROTO_ERROR_FIELD, "'invite'");
	expect_error("{\"type\":\"guest_ask\",\"call\":\"c1\",\"guest\":\"g-1\",\"role\":\"relative\"}", S_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'name'");
	expect_error("{\"type\":\"guest_answer\",\"call\":\"c1\",\"guest\":\"g-1\"}", B_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'accept'");
	expect_error("{\"type\":\"guest_state\",\"call\":\"c1\",\"guest\":\"g-1\"}", S_, TRUE, RELAIS_PROTO_ERROR_FIELD,
		     "'state'");
	expect_error("{\"type\":\"guest_remove\",\"call\":\"c1\"}", A_, TRUE, RELAIS_PROTO_ERROR_FIELD, "'guest'");
	/* a guest names which of its two connections */
	expect_error("{\"type\":\"sdp\",\"call\":\"c1\",\"sdp_type\":\"answer\",\"sdp\":\"v=0\"}", G_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'peer'");
	/* bad: wrong types */
	expect_error("{\"type\":\"guest_answer\",\"call\":\"c1\",\"guest\":\"g-1\",\"accept\":\"yes\"}", B_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "true or false");
	expect_error("{\"type\":\"guest_answer\",\"call\":\"c1\",\"guest\":\"g-1\",\"accept\":1}", B_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "true or false");
	expect_error("{\"type\":\"hello\",\"version\":1,\"role\":\"guest\",\"token\":42,\"name\":\"Claire\"}", G_,
		     FALSE, RELAIS_PROTO_ERROR_FIELD, "'token'");
	expect_error("{\"type\":\"hello\",\"version\":1,\"role\":\"guest\",\"token\":\"a b\",\"name\":\"Claire\"}", G_,
		     FALSE, RELAIS_PROTO_ERROR_FIELD, "'token'");
	expect_error("{\"type\":\"guest_remove\",\"call\":\"c1\",\"guest\":[\"g-1\"]}", A_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'guest'");
	expect_error("{\"type\":\"sdp\",\"call\":\"c1\",\"sdp_type\":\"offer\",\"sdp\":\"v=0\",\"peer\":\"everyone\"}",
		     B_, TRUE, RELAIS_PROTO_ERROR_FIELD, "'peer'");
	expect_error("{\"type\":\"ice\",\"call\":\"c1\",\"candidate\":\"\",\"mline\":0,\"peer\":\"booth\"}", B_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "itself");
	expect_error("{\"type\":\"ice\",\"call\":\"c1\",\"candidate\":\"\",\"mline\":0,\"peer\":\"guest\"}", G_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "itself");
	/* a colleague joining by a transfer answers the first adviser (the
	 * hub refuses it from the adviser who has the call) */
	expect_ok("{\"type\":\"sdp\",\"call\":\"c1\",\"sdp_type\":\"answer\",\"sdp\":\"v=0\",\"peer\":\"adviser\"}", A_,
		  TRUE);
	/* bad: unknown roles */
	expect_error("{\"type\":\"invite\",\"call\":\"c1\",\"role\":\"spy\"}", A_, TRUE, RELAIS_PROTO_ERROR_FIELD,
		     "interpreter|relative|adviser");
	/* a colleague joins by a transfer, never by a link */
	expect_error("{\"type\":\"invite\",\"call\":\"c1\",\"role\":\"colleague\"}", A_, TRUE, RELAIS_PROTO_ERROR_FIELD,
		     "'role'");
	expect_error("{\"type\":\"guest_state\",\"call\":\"c1\",\"guest\":\"g-1\",\"state\":\"hiding\"}", S_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'state'");
	expect_error("{\"type\":\"hello\",\"version\":1,\"role\":\"guest\",\"token\":\"t\",\"name\":\"C\"}", A_, FALSE,
		     RELAIS_PROTO_ERROR_FIELD, "does not match");
	/* bad: oversize and empty names, control characters */
	g_string_append(name, "e");
	g_autofree char *hello41 = g_strdup_printf(
		"{\"type\":\"hello\",\"version\":1,\"role\":\"guest\",\"token\":\"t0k\",\"name\":\"%s\"}", name->str);
	expect_error(hello41, G_, FALSE, RELAIS_PROTO_ERROR_SIZE, "the cap is 40");
	expect_error("{\"type\":\"hello\",\"version\":1,\"role\":\"guest\",\"token\":\"t\",\"name\":\"\"}", G_, FALSE,
		     RELAIS_PROTO_ERROR_FIELD, "empty");
	expect_error("{\"type\":\"hello\",\"version\":1,\"role\":\"guest\",\"token\":\"t\",\"name\":\"a\\u0007b\"}", G_,
		     FALSE, RELAIS_PROTO_ERROR_FIELD, "control");
	g_autofree char *ask41 = g_strdup_printf(
		"{\"type\":\"guest_ask\",\"call\":\"c1\",\"guest\":\"g\",\"name\":\"%s\",\"role\":\"relative\"}",
		name->str);
	expect_error(ask41, S_, TRUE, RELAIS_PROTO_ERROR_SIZE, "the cap is 40");
	/* a token is for guests only; a guest is no booth */
	expect_error("{\"type\":\"hello\",\"version\":1,\"role\":\"adviser\",\"name\":\"A\",\"token\":\"t\"}", A_,
		     FALSE, RELAIS_PROTO_ERROR_FIELD, "'token'");
	expect_error("{\"type\":\"hello\",\"version\":1,\"role\":\"guest\",\"token\":\"t\",\"name\":\"C\","
		     "\"booth_id\":\"b\"}",
		     G_, FALSE, RELAIS_PROTO_ERROR_FIELD, "booth_id");
	/* bad: wrong directions */
	expect_error("{\"type\":\"invite\",\"call\":\"c1\",\"role\":\"relative\"}", G_, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"invite\",\"call\":\"c1\",\"role\":\"relative\"}", B_, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"guest_remove\",\"call\":\"c1\",\"guest\":\"g\"}", G_, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"guest_answer\",\"call\":\"c1\",\"guest\":\"g\",\"accept\":true}", G_, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"guest_answer\",\"call\":\"c1\",\"guest\":\"g\",\"accept\":true}", A_, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"guest_ask\",\"call\":\"c1\",\"guest\":\"g\",\"name\":\"C\",\"role\":\"relative\"}",
		     A_, TRUE, RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"guest_state\",\"call\":\"c1\",\"guest\":\"g\",\"state\":\"joined\"}", G_, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"share\",\"call\":\"c1\",\"state\":\"on\"}", G_, TRUE, RELAIS_PROTO_ERROR_DIRECTION,
		     NULL);
	expect_error("{\"type\":\"accept\",\"ticket\":\"t\"}", G_, TRUE, RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"x\"}", G_, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"reconnect\",\"call\":\"c1\",\"media\":1}", G_, TRUE, RELAIS_PROTO_ERROR_DIRECTION,
		     NULL);
	/* the new error codes, by name */
	g_assert_cmpstr(relais_proto_error_code(RELAIS_PROTO_ERROR_INVITE_UNKNOWN), ==, "invite_unknown");
	g_assert_cmpstr(relais_proto_error_code(RELAIS_PROTO_ERROR_CALL_ENDED), ==, "call_ended");
	g_assert_cmpstr(relais_role_name(RELAIS_ROLE_GUEST), ==, "guest");
}

static void test_transfer_messages(void)
{
	const RelaisRole A_ = RELAIS_ROLE_ADVISER, B_ = RELAIS_ROLE_BOOTH, G_ = RELAIS_ROLE_GUEST,
			 S_ = RELAIS_ROLE_SWITCHBOARD;
	/* good */
	expect_ok("{\"type\":\"transfer\",\"call\":\"c1\",\"to\":{\"adviser\":\"marie\"},\"note\":\"CV done\"}", A_,
		  TRUE);
	expect_ok("{\"type\":\"transfer\",\"call\":\"c1\",\"to\":{\"topic\":\"training\"}}", A_, TRUE);
	expect_ok("{\"type\":\"transfer_offer\",\"call\":\"c1\",\"from\":\"Claire\",\"language\":\"fr\",\"topic\":"
		  "\"training\",\"answers\":{\"situation\":\"student\"},\"note\":\"n\",\"expires_s\":60}",
		  S_, TRUE);
	expect_ok("{\"type\":\"transfer_accept\",\"call\":\"c1\"}", A_, TRUE);
	expect_ok("{\"type\":\"transfer_decline\",\"call\":\"c1\"}", A_, TRUE);
	expect_ok("{\"type\":\"transfer_done\",\"call\":\"c1\"}", A_, TRUE);
	expect_ok("{\"type\":\"transfer_list\",\"call\":\"c1\"}", A_, TRUE);
	for (const char *const *st = relais_transfer_states; *st; st++) {
		g_autofree char *text =
			g_strdup_printf("{\"type\":\"transfer_state\",\"call\":\"c1\",\"state\":\"%s\"}", *st);
		expect_ok(text, S_, TRUE);
	}
	expect_ok("{\"type\":\"call_owner\",\"call\":\"c1\",\"adviser\":\"Marie\"}", S_, TRUE);
	expect_ok("{\"type\":\"transfer_options\",\"call\":\"c1\",\"advisers\":[{\"adviser\":\"marie\",\"name\":"
		  "\"Marie\"}],\"topics\":[]}",
		  S_, TRUE);
	/* a note of 500 bytes, not 501 */
	g_autofree char *n500 = g_strnfill(RELAIS_PROTO_MAX_NOTE, 'n');
	g_autofree char *t500 = g_strdup_printf(
		"{\"type\":\"transfer\",\"call\":\"c1\",\"to\":{\"adviser\":\"m\"},\"note\":\"%s\"}", n500);
	expect_ok(t500, A_, TRUE);
	g_autofree char *t501 = g_strdup_printf(
		"{\"type\":\"transfer\",\"call\":\"c1\",\"to\":{\"adviser\":\"m\"},\"note\":\"%sx\"}", n500);
	expect_error(t501, A_, TRUE, RELAIS_PROTO_ERROR_SIZE, "'note'");

	/* bad: the target */
	expect_error("{\"type\":\"transfer\",\"call\":\"c1\"}", A_, TRUE, RELAIS_PROTO_ERROR_FIELD, "'to'");
	expect_error("{\"type\":\"transfer\",\"call\":\"c1\",\"to\":\"marie\"}", A_, TRUE, RELAIS_PROTO_ERROR_FIELD,
		     "must be an object");
	expect_error("{\"type\":\"transfer\",\"call\":\"c1\",\"to\":{}}", A_, TRUE, RELAIS_PROTO_ERROR_FIELD,
		     "one adviser or one topic");
	expect_error("{\"type\":\"transfer\",\"call\":\"c1\",\"to\":{\"adviser\":\"m\",\"topic\":\"t\"}}", A_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "one adviser or one topic");
	expect_error("{\"type\":\"transfer\",\"call\":\"c1\",\"to\":{\"booth\":\"b\"}}", A_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "one adviser or one topic");
	expect_error("{\"type\":\"transfer\",\"call\":\"c1\",\"to\":{\"adviser\":7}}", A_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'to.adviser'");
	expect_error("{\"type\":\"transfer\",\"call\":\"c1\",\"to\":{\"adviser\":\"\"}}", A_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "empty");
	expect_error("{\"type\":\"transfer\",\"call\":\"c1\",\"to\":{\"topic\":\"a b\"}}", A_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'to.topic'");
	g_autofree char *long_login = g_strnfill(65, 'm');
	g_autofree char *tl =
		g_strdup_printf("{\"type\":\"transfer\",\"call\":\"c1\",\"to\":{\"adviser\":\"%s\"}}", long_login);
	expect_error(tl, A_, TRUE, RELAIS_PROTO_ERROR_SIZE, "'to.adviser'");
	/* bad: missing and wrong fields */
	expect_error("{\"type\":\"transfer_accept\"}", A_, TRUE, RELAIS_PROTO_ERROR_FIELD, "'call'");
	expect_error("{\"type\":\"transfer_offer\",\"call\":\"c1\",\"from\":\"C\",\"language\":\"fr\",\"topic\":\"t\"}",
		     S_, TRUE, RELAIS_PROTO_ERROR_FIELD, "'expires_s'");
	expect_error("{\"type\":\"transfer_state\",\"call\":\"c1\",\"state\":\"lost\"}", S_, TRUE,
		     RELAIS_PROTO_ERROR_FIELD, "'state'");
	expect_error("{\"type\":\"call_owner\",\"call\":\"c1\"}", S_, TRUE, RELAIS_PROTO_ERROR_FIELD, "'adviser'");
	/* bad: directions (only an adviser transfers; only the switchboard offers) */
	expect_error("{\"type\":\"transfer\",\"call\":\"c1\",\"to\":{\"topic\":\"t\"}}", B_, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"transfer\",\"call\":\"c1\",\"to\":{\"topic\":\"t\"}}", G_, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"transfer_done\",\"call\":\"c1\"}", G_, TRUE, RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"transfer_accept\",\"call\":\"c1\"}", B_, TRUE, RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"call_owner\",\"call\":\"c1\",\"adviser\":\"M\"}", A_, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"transfer_state\",\"call\":\"c1\",\"state\":\"joined\"}", A_, TRUE,
		     RELAIS_PROTO_ERROR_DIRECTION, NULL);
	expect_error("{\"type\":\"transfer_offer\",\"call\":\"c1\",\"from\":\"C\",\"language\":\"fr\",\"topic\":\"t\","
		     "\"expires_s\":60}",
		     A_, TRUE, RELAIS_PROTO_ERROR_DIRECTION, NULL);
	/* the new error codes have their names */
	g_assert_cmpstr(relais_proto_error_code(RELAIS_PROTO_ERROR_LOOP), ==, "loop");
	g_assert_cmpstr(relais_proto_error_code(RELAIS_PROTO_ERROR_CHAIN), ==, "chain");
	g_assert_cmpstr(relais_proto_error_code(RELAIS_PROTO_ERROR_UNAVAILABLE), ==, "unavailable");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/protocol/update-report", test_update_report);
	g_test_add_func("/protocol/update-offer-status", test_update_offer_status);
	g_test_add_func("/protocol/hello/good", test_hello_good);
	g_test_add_func("/protocol/hello/bad", test_hello_bad);
	g_test_add_func("/protocol/before-hello", test_before_hello);
	g_test_add_func("/protocol/garbage", test_garbage);
	g_test_add_func("/protocol/direction", test_direction);
	g_test_add_func("/protocol/request", test_request);
	g_test_add_func("/protocol/sizes", test_sizes);
	g_test_add_func("/protocol/ice-sdp", test_ice_sdp);
	g_test_add_func("/protocol/availability", test_availability);
	g_test_add_func("/protocol/queued-wait", test_queued_wait);
	g_test_add_func("/protocol/feedback", test_feedback);
	g_test_add_func("/protocol/build-roundtrip", test_build_roundtrip);
	g_test_add_func("/protocol/booking/requests", test_booking_requests);
	g_test_add_func("/protocol/booking/replies", test_booking_replies);
	g_test_add_func("/protocol/names", test_names);
	g_test_add_func("/protocol/share", test_share);
	g_test_add_func("/protocol/media-connections", test_media_connections);
	g_test_add_func("/protocol/device", test_device);
	g_test_add_func("/protocol/outgoing-check", test_outgoing_check);
	g_test_add_func("/protocol/diag", test_diag);
	g_test_add_func("/protocol/booths/split", test_booths_split);
	g_test_add_func("/protocol/booths/changed-split", test_booths_changed_split);
	g_test_add_func("/protocol/booths/rules", test_booths_rules);
	g_test_add_func("/protocol/guest", test_guest_messages);
	g_test_add_func("/protocol/transfer", test_transfer_messages);
	return g_test_run();
}
