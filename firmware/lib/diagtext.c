/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "diagtext.h"

#include <string.h>

#define NONE "—"

char *relais_diag_clean(const char *text)
{
	g_autofree char *valid = g_utf8_make_valid(text ? text : "", -1);
	GString *out = g_string_sized_new(strlen(valid));
	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
			g_string_append_c(out, '?');
		else
			g_string_append_unichar(out, c);
	}
	return g_string_free(out, FALSE);
}

static JsonObject *object_member(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;
	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static JsonArray *array_member(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;
	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

/* A scalar as text (strings cleaned, numbers and booleans written out);
 * NULL when absent, null, or not a scalar. Returns: (transfer full) */
static char *node_text(JsonNode *n)
{
	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
		return NULL;
	switch (json_node_get_value_type(n)) {
	case G_TYPE_STRING:
		return relais_diag_clean(json_node_get_string(n));
	case G_TYPE_INT64:
		return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
	case G_TYPE_DOUBLE:
		return g_strdup_printf("%.1f", json_node_get_double(n));
	case G_TYPE_BOOLEAN:
		return g_strdup(json_node_get_boolean(n) ? "yes" : "no");
	default:
		return NULL;
	}
}

static char *member_text(JsonObject *o, const char *name)
{
	return node_text(o ? json_object_get_member(o, name) : NULL);
}

static void line(GString *out, const char *label, const char *value)
{
	g_string_append_printf(out, "  %-22s %s\n", label, value && *value ? value : NONE);
}

static void field(GString *out, const char *label, JsonObject *o, const char *name)
{
	g_autofree char *v = member_text(o, name);
	line(out, label, v);
}

static void uptime(GString *out, JsonObject *report)
{
	JsonNode *n = report ? json_object_get_member(report, "uptime_s") : NULL;
	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
	    json_node_get_int(n) < 0) {
		line(out, "Uptime", NULL);
		return;
	}
	gint64 s = json_node_get_int(n);
	g_autofree char *text =
		s >= 86400
			? g_strdup_printf("%" G_GINT64_FORMAT " d %" G_GINT64_FORMAT " h", s / 86400, s % 86400 / 3600)
		: s >= 3600
			? g_strdup_printf("%" G_GINT64_FORMAT " h %" G_GINT64_FORMAT " min", s / 3600, s % 3600 / 60)
			: g_strdup_printf("%" G_GINT64_FORMAT " min %" G_GINT64_FORMAT " s", s / 60, s % 60);
	line(out, "Uptime", text);
}

/* A part with a state and a detail (camera, TURN): "ok — detail". */
static void part(GString *out, const char *label, JsonObject *report, const char *name, const char *extra,
		 const char *unit)
{
	JsonObject *o = object_member(report, name);
	g_autofree char *state = member_text(o, "state");
	g_autofree char *detail = member_text(o, "detail");
	g_autofree char *more = extra ? member_text(o, extra) : NULL;
	GString *v = g_string_new(state ? state : NONE);
	if (more)
		g_string_append_printf(v, ", %s %s%s", extra, more, unit ? unit : "");
	if (detail && *detail)
		g_string_append_printf(v, " — %s", detail);
	line(out, label, v->str);
	g_string_free(v, TRUE);
}

char *relais_diag_text(JsonObject *reply)
{
	GString *out = g_string_new(NULL);
	JsonObject *report = object_member(reply, "report");
	g_autofree char *booth = member_text(reply, "booth_id");
	g_autofree char *fetched = member_text(reply, "fetched_at");
	g_string_append_printf(out, "Booth %s — report fetched %s\n", booth ? booth : NONE, fetched ? fetched : NONE);

	g_string_append(out, "\nBooth\n");
	JsonObject *sw = object_member(report, "software");
	g_autofree char *version = member_text(sw, "version");
	g_autofree char *build = member_text(sw, "build");
	g_autofree char *software =
		build ? g_strdup_printf("%s (build %s)", version ? version : NONE, build) : g_strdup(version);
	line(out, "Software", software);
	field(out, "Board", report, "board");
	field(out, "Booth id", report, "booth_id");
	field(out, "Site", report, "site");
	uptime(out, report);
	JsonObject *mem = object_member(report, "memory");
	JsonNode *pss = mem ? json_object_get_member(mem, "pss_kib") : NULL;
	JsonNode *rss = mem ? json_object_get_member(mem, "rss_kib") : NULL;
	if (pss && JSON_NODE_HOLDS_VALUE(pss) && json_node_get_value_type(pss) == G_TYPE_INT64 && rss &&
	    JSON_NODE_HOLDS_VALUE(rss) && json_node_get_value_type(rss) == G_TYPE_INT64) {
		g_autofree char *m = g_strdup_printf("%.1f MiB PSS, %.1f MiB resident", json_node_get_int(pss) / 1024.0,
						     json_node_get_int(rss) / 1024.0);
		line(out, "Memory", m);
	}
	JsonArray *addresses = array_member(report, "addresses");
	GString *addr = g_string_new(NULL);
	for (guint i = 0; addresses && i < json_array_get_length(addresses); i++) {
		g_autofree char *a = node_text(json_array_get_element(addresses, i));
		if (a)
			g_string_append_printf(addr, "%s%s", addr->len ? ", " : "", a);
	}
	line(out, "Addresses", addr->str);
	g_string_free(addr, TRUE);

	g_string_append(out, "\nSwitchboard link\n");
	JsonObject *link = object_member(report, "link");
	field(out, "State", link, "state");
	field(out, "Switchboard", link, "switchboard");
	field(out, "Certificate", link, "certificate_state");
	field(out, "Certificate expires", link, "certificate_expires");

	g_string_append(out, "\nDevices\n");
	part(out, "Camera", report, "camera", NULL, NULL);
	part(out, "Microphone", report, "microphone", "level_db", " dB");
	part(out, "Speaker", report, "speaker", NULL, NULL);
	part(out, "TURN", report, "turn", NULL, NULL);

	JsonArray *errors = array_member(report, "errors");
	guint n = errors ? json_array_get_length(errors) : 0;
	g_string_append_printf(out, "\nLast errors (%u)\n", n);
	if (n == 0)
		g_string_append(out, "  none recorded\n");
	for (guint i = 0; i < n; i++) {
		JsonNode *e = json_array_get_element(errors, i);
		JsonObject *o = JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
		g_autofree char *time = member_text(o, "time");
		g_autofree char *message = o ? member_text(o, "message") : node_text(e);
		g_string_append_printf(out, "  %-22s %s\n", time ? time : NONE, message ? message : NONE);
	}
	return g_string_free(out, FALSE);
}
