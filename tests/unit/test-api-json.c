/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The API handlers' JSON field checks (api-json.h), on parsed objects:
 * strings (required, length in characters, pattern), ids, booleans,
 * integer ranges, string lists; absent and null are "not given"; every
 * message names the field. */
#include "api-json.h"
#include "http.h"
#include "admin-private.h"

#include <string.h>

static JsonObject *parse(JsonParser *parser, const char *text)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(json_parser_load_from_data(parser, text, -1, &error));
	g_assert_no_error(error);
	return json_node_get_object(json_parser_get_root(parser));
}

/* The check failed with a message starting with the field's name. */
static void assert_invalid(gboolean ok, GError **error, const char *name, const char *words)
{
	g_assert_false(ok);
	g_assert_error(*error, SB_API_JSON_ERROR, SB_API_JSON_ERROR_INVALID);
	g_assert_true(g_str_has_prefix((*error)->message, name));
	g_assert_nonnull(strstr((*error)->message, words));
}

static void test_string(void)
{
	g_autoptr(JsonParser) p = json_parser_new();
	JsonObject *o = parse(p, "{\"name\": \"Médiathèque\", \"empty\": \"\", \"nul\": null, \"n\": 3}");
	const char *out = "x";
	g_autoptr(GError) error = NULL;

	g_assert_true(sb_api_json_string(o, "name", NULL, &out, &error));
	g_assert_cmpstr(out, ==, "Médiathèque");
	g_assert_true(sb_api_json_string(o, "absent", NULL, &out, &error));
	g_assert_null(out);
	g_assert_true(sb_api_json_string(o, "nul", NULL, &out, &error));
	g_assert_null(out);
	/* optional: "" is given, and is "" */
	g_assert_true(sb_api_json_string(o, "empty", NULL, &out, &error));
	g_assert_cmpstr(out, ==, "");
	g_assert_no_error(error);

	assert_invalid(sb_api_json_string(o, "n", NULL, &out, &error), &error, "n", "must be a string");
	g_assert_null(out);
	g_clear_error(&error);

	SbApiString required = {.required = TRUE};
	assert_invalid(sb_api_json_string(o, "empty", &required, &out, &error), &error, "empty", "is required");
	g_clear_error(&error);
	assert_invalid(sb_api_json_string(o, "absent", &required, &out, &error), &error, "absent", "is required");
	g_clear_error(&error);
	assert_invalid(sb_api_json_string(o, "nul", &required, &out, &error), &error, "nul", "is required");
	g_clear_error(&error);
}

static void test_string_rule(void)
{
	g_autoptr(JsonParser) p = json_parser_new();
	JsonObject *o = parse(p, "{\"name\": \"Médiathèque\", \"day\": \"2024-03-04\", \"bad\": \"2024-03-04x\"}");
	const char *out;
	g_autoptr(GError) error = NULL;

	/* eleven characters (thirteen bytes) */
	SbApiString eleven = {.max_chars = 11};
	g_assert_true(sb_api_json_string(o, "name", &eleven, &out, &error));
	g_assert_no_error(error);
	SbApiString ten = {.max_chars = 10};
	assert_invalid(sb_api_json_string(o, "name", &ten, &out, &error), &error, "name", "at most 10 characters");
	g_clear_error(&error);

	/* the pattern matches the whole value, not a part */
	SbApiString date = {.pattern = "[0-9]{4}-[0-9]{2}-[0-9]{2}", .what = "a date YYYY-MM-DD"};
	g_assert_true(sb_api_json_string(o, "day", &date, &out, &error));
	g_assert_cmpstr(out, ==, "2024-03-04");
	assert_invalid(sb_api_json_string(o, "bad", &date, &out, &error), &error, "bad", "must be a date YYYY-MM-DD");
	g_clear_error(&error);
	/* an optional one not given skips the pattern */
	g_assert_true(sb_api_json_string(o, "absent", &date, &out, &error));
	g_assert_null(out);
	g_assert_no_error(error);
}

static void test_id(void)
{
	g_autoptr(JsonParser) p = json_parser_new();
	JsonObject *o = parse(p, "{\"a\": 7, \"zero\": 0, \"nul\": null, \"neg\": -1, \"s\": \"7\", \"f\": 1.5}");
	gint64 id = -5;
	gboolean present = FALSE;
	g_autoptr(GError) error = NULL;

	g_assert_true(sb_api_json_id(o, "a", &id, &present, &error));
	g_assert_cmpint(id, ==, 7);
	g_assert_true(present);
	g_assert_true(sb_api_json_id(o, "zero", &id, &present, &error));
	g_assert_cmpint(id, ==, 0);
	/* null is "no site", and says so */
	g_assert_true(sb_api_json_id(o, "nul", &id, &present, &error));
	g_assert_cmpint(id, ==, 0);
	g_assert_true(present);
	g_assert_true(sb_api_json_id(o, "absent", &id, &present, &error));
	g_assert_false(present);
	g_assert_no_error(error);
	const char *bad[] = {"neg", "s", "f"};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		assert_invalid(sb_api_json_id(o, bad[i], &id, &present, &error), &error, bad[i], "must be an id");
		g_clear_error(&error);
	}
}

static void test_bool(void)
{
	g_autoptr(JsonParser) p = json_parser_new();
	JsonObject *o = parse(p, "{\"t\": true, \"f\": false, \"n\": 1}");
	gboolean v = FALSE;
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_api_json_bool(o, "t", &v, &error));
	g_assert_true(v);
	g_assert_true(sb_api_json_bool(o, "f", &v, &error));
	g_assert_false(v);
	v = TRUE;
	g_assert_true(sb_api_json_bool(o, "absent", &v, &error));
	g_assert_false(v);
	g_assert_no_error(error);
	assert_invalid(sb_api_json_bool(o, "n", &v, &error), &error, "n", "true or false");
}

static void test_int(void)
{
	g_autoptr(JsonParser) p = json_parser_new();
	JsonObject *o = parse(p, "{\"one\": 1, \"big\": 1001, \"zero\": 0, \"s\": \"5\", \"b\": true}");
	gint64 v;
	gboolean present;
	g_autoptr(GError) error = NULL;

	g_assert_true(sb_api_json_int(o, "one", TRUE, 1, 1000, &v, &present, &error));
	g_assert_cmpint(v, ==, 1);
	g_assert_true(present);
	g_assert_true(sb_api_json_int(o, "absent", FALSE, 1, 1000, &v, &present, &error));
	g_assert_false(present);
	g_assert_no_error(error);
	assert_invalid(sb_api_json_int(o, "absent", TRUE, 1, 1000, &v, &present, &error), &error, "absent",
		       "is required");
	g_clear_error(&error);
	const char *bad[] = {"big", "zero", "s", "b"};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		assert_invalid(sb_api_json_int(o, bad[i], TRUE, 1, 1000, &v, &present, &error), &error, bad[i],
			       "an integer from 1 to 1000");
		g_clear_error(&error);
	}

	/* elements of an array */
	g_assert_true(sb_api_node_int_in(json_object_get_member(o, "big"), 0, 1001, &v));
	g_assert_cmpint(v, ==, 1001);
	g_assert_false(sb_api_node_int_in(json_object_get_member(o, "big"), 1, 1000, &v));
	g_assert_false(sb_api_node_int_in(json_object_get_member(o, "s"), 1, 1000, &v));
	g_assert_false(sb_api_node_int_in(NULL, 1, 1000, &v));
}

static void test_strv(void)
{
	g_autoptr(JsonParser) p = json_parser_new();
	JsonObject *o = parse(p, "{\"list\": [\" fr \", \"\", \"en\"], \"csv\": \"fr, ,en,\", \"nul\": null,"
				 " \"mixed\": [\"fr\", 1], \"n\": 3}");
	gboolean present;
	g_autoptr(GError) error = NULL;
	{
		g_auto(GStrv) v = NULL;
		g_assert_true(sb_api_json_strv(o, "list", &v, &present, &error));
		const char *want[] = {"fr", "en", NULL};
		g_assert_cmpstrv(v, want);
		g_assert_true(present);
	}
	{
		g_auto(GStrv) v = NULL;
		g_assert_true(sb_api_json_strv(o, "csv", &v, &present, &error));
		const char *want[] = {"fr", "en", NULL};
		g_assert_cmpstrv(v, want);
	}
	{
		/* null is present and empty; absent is not present and empty */
		g_auto(GStrv) v = NULL;
		g_assert_true(sb_api_json_strv(o, "nul", &v, &present, &error));
		g_assert_true(present);
		g_assert_cmpuint(g_strv_length(v), ==, 0);
		g_clear_pointer(&v, g_strfreev);
		g_assert_true(sb_api_json_strv(o, "absent", &v, &present, &error));
		g_assert_false(present);
		g_assert_cmpuint(g_strv_length(v), ==, 0);
	}
	g_assert_no_error(error);
	const char *bad[] = {"mixed", "n"};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		char **v = NULL;
		assert_invalid(sb_api_json_strv(o, bad[i], &v, &present, &error), &error, bad[i],
			       "must be a list of strings");
		g_assert_null(v);
		g_clear_error(&error);
	}
}

/* Bodies refused before any field is read, without a critical on the way
 * (GTest makes criticals fatal): blank text parses to no root at all, which
 * the fuzzer found (tests/fuzz/regressions/api-body/blank-body). */
static void test_body(void)
{
	static const struct {
		const char *type, *text;
	} bad[] = {
		{"application/json", ""},	 {"application/json", " "},   {"application/json", ":\r"},
		{"application/json", "\r\n\t "}, {"application/json", "[1]"}, {"application/json", "\"x\""},
		{"application/json", "{"},	 {"text/plain", "{}"},	      {NULL, "{}"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(JsonParser) p = json_parser_new();
		g_assert_null(sb_api_parse_object(bad[i].type, bad[i].text, strlen(bad[i].text), p));
	}
	g_autoptr(JsonParser) p = json_parser_new();
	JsonObject *o = sb_api_parse_object("application/json", "{\"a\": 1}", 8, p);
	g_assert_nonnull(o);
	g_assert_cmpint(json_object_get_int_member(o, "a"), ==, 1);
}

/* The sign-in body (POST /api/login) as JSON or a form, and its refusals:
 * a blank JSON body is one of them, not a critical. */
static void test_credentials(void)
{
	static const struct {
		const char *type, *text;
		const char *login, *password; /* NULL: refused */
	} cases[] = {
		{"application/json", "{\"login\": \"alice\", \"password\": \"pw\"}", "alice", "pw"},
		{"application/x-www-form-urlencoded", "login=%C3%A9lo&password=a+b", "élo", "a b"},
		{"application/json", " ", NULL, NULL},
		{"application/json", "\r\n", NULL, NULL},
		{"application/json", "{\"login\": \"alice\"}", NULL, NULL},
		{"application/json", "{\"login\": \"alice\", \"password\": 3}", NULL, NULL},
		{"application/json", "{\"login\": \"\", \"password\": \"pw\"}", NULL, NULL},
		{"application/x-www-form-urlencoded", "login=alice", NULL, NULL},
		{"text/plain", "login=alice&password=pw", NULL, NULL},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *login = NULL, *password = NULL;
		const char *why = NULL;
		gboolean ok = sb_http_parse_credentials(cases[i].type, cases[i].text, strlen(cases[i].text), &login,
							&password, &why);
		if (cases[i].login) {
			g_assert_true(ok);
			g_assert_cmpstr(login, ==, cases[i].login);
			g_assert_cmpstr(password, ==, cases[i].password);
		} else {
			g_assert_false(ok);
			g_assert_nonnull(why);
			g_assert_null(login);
			g_assert_null(password);
		}
	}
}

/* A member read as a string only when it is one: json-glib's own getter
 * raises a critical on an array or an object (found by fuzz-api-body on the
 * opening hours: "half": ["", "u"], kept in tests/fuzz/regressions). */
static void test_member_string(void)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = parse(parser, "{\"s\":\"am\",\"a\":[\"am\"],\"o\":{\"x\":1},\"n\":null,\"i\":3}");
	g_assert_cmpstr(sb_api_member_string(o, "s"), ==, "am");
	g_assert_null(sb_api_member_string(o, "a"));
	g_assert_null(sb_api_member_string(o, "o"));
	g_assert_null(sb_api_member_string(o, "n"));
	g_assert_null(sb_api_member_string(o, "i"));
	g_assert_null(sb_api_member_string(o, "absent"));
	/* the opening hours say which member is wrong, and raise nothing */
	JsonObject *hours = parse(parser, "{\"slots\":[{\"day\":\"mon\",\"half\":[\"am\"],\"start\":\"09:00\","
					  "\"end\":\"12:00\",\"capacity\":1}]}");
	SbSlot slots[SB_ADMIN_MAX_HALF_DAYS];
	guint n = 0;
	g_autofree char *field = NULL;
	g_autoptr(GError) error = NULL;
	g_assert_false(sb_admin_hours_from_json(hours, slots, &n, &field, &error));
	g_assert_cmpstr(field, ==, "slots[0]");
	g_assert_nonnull(strstr(error->message, "half is am or pm"));
}

/* The sign-in token among a Cookie header's cookies. */
static void test_cookie(void)
{
	g_autofree char *t1 = sb_http_cookie_token("theme=dark; relais_session=abc, x=1");
	g_assert_cmpstr(t1, ==, "abc");
	g_autofree char *t2 = sb_http_cookie_token("relais_session=");
	g_assert_null(t2);
	g_autofree char *t3 = sb_http_cookie_token(NULL);
	g_assert_null(t3);
	g_autofree char *longer = g_strnfill(2 * 43 + 1, 'a');
	g_autofree char *header = g_strconcat("relais_session=", longer, NULL);
	g_autofree char *t4 = sb_http_cookie_token(header);
	g_assert_null(t4);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/api-json/string", test_string);
	g_test_add_func("/api-json/member-string", test_member_string);
	g_test_add_func("/api-json/string-rule", test_string_rule);
	g_test_add_func("/api-json/id", test_id);
	g_test_add_func("/api-json/bool", test_bool);
	g_test_add_func("/api-json/int", test_int);
	g_test_add_func("/api-json/strv", test_strv);
	g_test_add_func("/api-json/body", test_body);
	g_test_add_func("/api-json/credentials", test_credentials);
	g_test_add_func("/api-json/cookie", test_cookie);
	return g_test_run();
}
