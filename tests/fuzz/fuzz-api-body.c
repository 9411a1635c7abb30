/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The switchboard's JSON request bodies (firmware/switchboard/api-json.c):
 * the body read as an object (sb_api_parse_object), then the checks each
 * handler runs on it, in its order: the outcome note (stats.c), the
 * administration's accounts, sites, booths, closures and updates
 * (admin-*.c), and the week of opening half-days (sb_admin_hours_from_json,
 * admin-hours.c), which has its own rules.
 *
 * Input: one selector byte (the endpoint, modulo the table), then the body.
 * Beyond "no crash, no leak": every refusal is an SB_API_JSON_ERROR that
 * names its field; accepted hours are at most 14 well-formed half-days.
 */
#include "fuzz.h"
#include "admin-private.h"
#include "api-json.h"
#include "stats.h"
#include "relais-config.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	relais_fuzz_init();
	return 0;
}

typedef enum { F_REQ, F_OPT, F_NOTE, F_ID, F_BOOL, F_STRV, F_END } Kind;

typedef struct {
	Kind kind;
	const char *name;
} Field;

/* Each handler's reads, in its order (grep sb_api_ firmware/switchboard) */
static const Field endpoints[][8] = {
	/* POST /api/outcome */
	{{F_REQ, "call"}, {F_REQ, "outcome"}, {F_NOTE, "note"}, {F_OPT, "topic"}, {F_BOOL, "follow_up"}, {F_END}},
	/* POST /api/admin/users (role: role_member, password: password_from) */
	{{F_REQ, "login"},
	 {F_OPT, "name"},
	 {F_OPT, "role"},
	 {F_ID, "site_id"},
	 {F_STRV, "languages"},
	 {F_STRV, "topics"},
	 {F_OPT, "password"},
	 {F_BOOL, "generate"}},
	/* POST /api/admin/sites */
	{{F_OPT, "name"}, {F_OPT, "timezone"}, {F_END}},
	/* POST /api/admin/booths */
	{{F_REQ, "id"}, {F_OPT, "name"}, {F_ID, "site_id"}, {F_END}},
	/* POST /api/admin/sites/ID/closures */
	{{F_REQ, "from"}, {F_REQ, "to"}, {F_OPT, "reason"}, {F_END}},
	/* POST /api/admin/booths/ID/update */
	{{F_REQ, "bundle"}, {F_END}},
};
#define N_ENDPOINTS (G_N_ELEMENTS(endpoints) + 1) /* the last: hours */

static gboolean check(JsonObject *o, const Field *f, GError **error)
{
	static const SbApiString required = {.required = TRUE};
	const SbApiString note = {.max_chars = CONFIG_RELAIS_SB_OUTCOME_NOTE_MAX};
	const char *s = NULL;
	gint64 id;
	gboolean present, b;
	g_auto(GStrv) v = NULL;
	switch (f->kind) {
	case F_REQ:
		if (!sb_api_json_string(o, f->name, &required, &s, error))
			return FALSE;
		g_assert(s && *s);
		return TRUE;
	case F_OPT:
		return sb_api_json_string(o, f->name, NULL, &s, error);
	case F_NOTE:
		if (!sb_api_json_string(o, f->name, &note, &s, error))
			return FALSE;
		g_assert(s == NULL || g_utf8_strlen(s, -1) <= CONFIG_RELAIS_SB_OUTCOME_NOTE_MAX);
		return TRUE;
	case F_ID:
		if (!sb_api_json_id(o, f->name, &id, &present, error))
			return FALSE;
		g_assert_cmpint(id, >=, 0);
		return TRUE;
	case F_BOOL:
		return sb_api_json_bool(o, f->name, &b, error);
	case F_STRV:
		if (!sb_api_json_strv(o, f->name, &v, &present, error))
			return FALSE;
		g_assert(v != NULL);
		for (char **p = v; *p; p++)
			g_assert(**p != '\0');
		return TRUE;
	case F_END:
		break;
	}
	return TRUE;
}

static void hours(JsonObject *o)
{
	SbSlot slots[SB_ADMIN_MAX_HALF_DAYS];
	guint n = 99;
	g_autofree char *field = NULL;
	g_autoptr(GError) error = NULL;
	if (!sb_admin_hours_from_json(o, slots, &n, &field, &error)) {
		g_assert(error != NULL && field != NULL && g_str_has_prefix(field, "slots"));
		return;
	}
	g_assert(field == NULL);
	g_assert_cmpuint(n, <=, SB_ADMIN_MAX_HALF_DAYS);
	for (guint i = 0; i < n; i++) {
		g_assert_cmpuint(slots[i].start_min, <, slots[i].end_min);
		g_assert_cmpuint(slots[i].end_min, <=, 24 * 60);
		g_assert_cmpuint(slots[i].capacity, >=, 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	guint e = data[0] % N_ENDPOINTS;
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = sb_api_parse_object("application/json", (const char *)data + 1, size - 1, parser);
	if (o == NULL)
		return 0;
	if (e == N_ENDPOINTS - 1) {
		hours(o);
		return 0;
	}
	for (const Field *f = endpoints[e]; f < endpoints[e] + G_N_ELEMENTS(endpoints[e]) && f->kind != F_END; f++) {
		g_autoptr(GError) error = NULL;
		if (!check(o, f, &error)) {
			g_assert(error != NULL && error->domain == SB_API_JSON_ERROR);
			g_assert(strstr(error->message, f->name) != NULL);
			return 0;
		}
	}
	if (e == 0) {
		const char *outcome = json_object_get_string_member(o, "outcome");
		(void)g_strv_contains(sb_outcome_codes, outcome);
	}
	return 0;
}
