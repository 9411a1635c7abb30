/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-api"

#include "api-json.h"
#include "fail.h"
#include "http.h"
#include "store.h"

#include <stdarg.h>
#include <string.h>

G_DEFINE_QUARK(relais - api - json - error - quark, sb_api_json_error)

/* Every check fails the same way: the message names the field. */
#define invalid(error, ...) relais_fail(error, SB_API_JSON_ERROR, SB_API_JSON_ERROR_INVALID, __VA_ARGS__)

static gboolean given(JsonNode *n)
{
	return n != NULL && !JSON_NODE_HOLDS_NULL(n);
}

/* --- pure checks ------------------------------------------------------------------- */

gboolean sb_api_json_string(JsonObject *o, const char *name, const SbApiString *rule, const char **out, GError **error)
{
	static const SbApiString any = {0};
	if (rule == NULL)
		rule = &any;
	JsonNode *n = json_object_get_member(o, name);
	*out = NULL;
	if (given(n) && json_node_get_value_type(n) != G_TYPE_STRING)
		return invalid(error, "%s must be a string", name);
	const char *value = given(n) ? json_node_get_string(n) : NULL;
	if (value == NULL || *value == '\0') {
		if (rule->required)
			return invalid(error, "%s is required", name);
		*out = value;
		return TRUE;
	}
	if (rule->max_chars && g_utf8_strlen(value, -1) > (glong)rule->max_chars)
		return invalid(error, "%s is at most %u characters", name, rule->max_chars);
	if (rule->pattern) {
		g_autofree char *whole = g_strdup_printf("^(?:%s)$", rule->pattern);
		if (!g_regex_match_simple(whole, value, G_REGEX_DOLLAR_ENDONLY, 0))
			return invalid(error, "%s must be %s", name, rule->what ? rule->what : rule->pattern);
	}
	*out = value;
	return TRUE;
}

gboolean sb_api_json_id(JsonObject *o, const char *name, gint64 *out, gboolean *present, GError **error)
{
	JsonNode *n = json_object_get_member(o, name);
	*out = 0;
	*present = n != NULL;
	if (!given(n))
		return TRUE;
	if (json_node_get_value_type(n) != G_TYPE_INT64 || json_node_get_int(n) < 0)
		return invalid(error, "%s must be an id (a positive integer) or null", name);
	*out = json_node_get_int(n);
	return TRUE;
}

gboolean sb_api_json_bool(JsonObject *o, const char *name, gboolean *out, GError **error)
{
	JsonNode *n = json_object_get_member(o, name);
	*out = FALSE;
	if (!given(n))
		return TRUE;
	if (json_node_get_value_type(n) != G_TYPE_BOOLEAN)
		return invalid(error, "%s must be true or false", name);
	*out = json_node_get_boolean(n);
	return TRUE;
}

const char *sb_api_member_string(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);
	if (!given(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

gboolean sb_api_node_int_in(JsonNode *n, gint64 min, gint64 max, gint64 *out)
{
	if (!given(n) || json_node_get_value_type(n) != G_TYPE_INT64)
		return FALSE;
	gint64 v = json_node_get_int(n);
	if (v < min || v > max)
		return FALSE;
	*out = v;
	return TRUE;
}

gboolean sb_api_json_int(JsonObject *o, const char *name, gboolean required, gint64 min, gint64 max, gint64 *out,
			 gboolean *present, GError **error)
{
	JsonNode *n = json_object_get_member(o, name);
	*out = 0;
	*present = given(n);
	if (!given(n)) {
		if (required)
			return invalid(error, "%s is required", name);
		return TRUE;
	}
	if (!sb_api_node_int_in(n, min, max, out))
		return invalid(error, "%s must be an integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT, name, min,
			       max);
	return TRUE;
}

gboolean sb_api_json_strv(JsonObject *o, const char *name, char ***out, gboolean *present, GError **error)
{
	JsonNode *n = json_object_get_member(o, name);
	*out = NULL;
	*present = n != NULL;
	if (!given(n)) {
		*out = g_new0(char *, 1);
		return TRUE;
	}
	g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func(g_free);
	if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING) {
		g_auto(GStrv) parts = g_strsplit(json_node_get_string(n), ",", -1);
		for (char **p = parts; *p; p++)
			if (*g_strstrip(*p))
				g_ptr_array_add(items, g_strdup(*p));
	} else if (JSON_NODE_HOLDS_ARRAY(n)) {
		JsonArray *a = json_node_get_array(n);
		for (guint i = 0; i < json_array_get_length(a); i++) {
			JsonNode *e = json_array_get_element(a, i);
			if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING)
				return invalid(error, "%s must be a list of strings", name);
			g_autofree char *v = g_strstrip(g_strdup(json_node_get_string(e)));
			if (*v)
				g_ptr_array_add(items, g_steal_pointer(&v));
		}
	} else {
		return invalid(error, "%s must be a list of strings", name);
	}
	g_ptr_array_add(items, NULL);
	*out = (char **)g_ptr_array_steal(items, NULL);
	return TRUE;
}

/* --- requests ---------------------------------------------------------------------- */

JsonObject *sb_api_parse_object(const char *content_type, const char *data, gsize len, JsonParser *parser)
{
	if (g_strcmp0(content_type, "application/json") != 0 || data == NULL || len == 0 || memchr(data, '\0', len) ||
	    !g_utf8_validate(data, len, NULL) || !json_parser_load_from_data(parser, data, len, NULL))
		return NULL;
	/* blank text parses, without a root */
	JsonNode *root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return NULL;
	return json_node_get_object(json_parser_get_root(parser));
}

JsonObject *sb_api_read_object(SoupServerMessage *msg, JsonParser *parser, gsize max_body)
{
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	if (body->length < 0 || (gsize)body->length > max_body) {
		sb_api_reply_error(msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL,
				   "request body too large (at most %" G_GSIZE_FORMAT " bytes)", max_body);
		return NULL;
	}
	const char *type = soup_message_headers_get_content_type(soup_server_message_get_request_headers(msg), NULL);
	g_autoptr(GBytes) bytes = soup_message_body_flatten(body);
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	JsonObject *o = sb_api_parse_object(type, data, len, parser);
	if (o == NULL)
		sb_api_reply_error(msg, SOUP_STATUS_BAD_REQUEST, NULL, "send a JSON object (application/json)");
	return o;
}

/* A failed check as 400 {error, field}. Takes the GError's address, not
 * its value: C leaves the order of a call's arguments unspecified, so
 * `checked(msg, name, check(&error), error)` may read error before the
 * check sets it. */
static gboolean checked(SoupServerMessage *msg, const char *name, gboolean ok, GError *const *error)
{
	if (!ok)
		sb_api_reply_error(msg, SOUP_STATUS_BAD_REQUEST, name, "%s", (*error)->message);
	return ok;
}

gboolean sb_api_string(SoupServerMessage *msg, JsonObject *o, const char *name, const SbApiString *rule,
		       const char **out)
{
	g_autoptr(GError) error = NULL;
	return checked(msg, name, sb_api_json_string(o, name, rule, out, &error), &error);
}

gboolean sb_api_opt_string(SoupServerMessage *msg, JsonObject *o, const char *name, const char **out)
{
	return sb_api_string(msg, o, name, NULL, out);
}

gboolean sb_api_req_string(SoupServerMessage *msg, JsonObject *o, const char *name, const char **out)
{
	static const SbApiString required = {.required = TRUE};
	return sb_api_string(msg, o, name, &required, out);
}

gboolean sb_api_opt_id(SoupServerMessage *msg, JsonObject *o, const char *name, gint64 *out, gboolean *present)
{
	g_autoptr(GError) error = NULL;
	return checked(msg, name, sb_api_json_id(o, name, out, present, &error), &error);
}

gboolean sb_api_opt_bool(SoupServerMessage *msg, JsonObject *o, const char *name, gboolean *out)
{
	g_autoptr(GError) error = NULL;
	return checked(msg, name, sb_api_json_bool(o, name, out, &error), &error);
}

gboolean sb_api_int(SoupServerMessage *msg, JsonObject *o, const char *name, gboolean required, gint64 min, gint64 max,
		    gint64 *out, gboolean *present)
{
	g_autoptr(GError) error = NULL;
	return checked(msg, name, sb_api_json_int(o, name, required, min, max, out, present, &error), &error);
}

gboolean sb_api_opt_strv(SoupServerMessage *msg, JsonObject *o, const char *name, char ***out, gboolean *present)
{
	g_autoptr(GError) error = NULL;
	return checked(msg, name, sb_api_json_strv(o, name, out, present, &error), &error);
}

/* --- replies ----------------------------------------------------------------------- */

void sb_api_reply_error(SoupServerMessage *msg, guint status, const char *field, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	g_autofree char *text = g_strdup_vprintf(format, ap);
	va_end(ap);
	sb_http_set_json_field_error(msg, status, field, text);
}

void sb_api_reply_store_error(SoupServerMessage *msg, const GError *error, const char *field)
{
	if (error && error->domain == SB_STORE_ERROR) {
		switch (error->code) {
		case SB_STORE_ERROR_INVALID:
			sb_api_reply_error(msg, SOUP_STATUS_BAD_REQUEST, field, "%s", error->message);
			return;
		case SB_STORE_ERROR_NOT_FOUND:
			sb_api_reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "%s", error->message);
			return;
		case SB_STORE_ERROR_EXISTS:
		case SB_STORE_ERROR_IN_USE:
			sb_api_reply_error(msg, SOUP_STATUS_CONFLICT, field, "%s", error->message);
			return;
		case SB_STORE_ERROR_UNAVAILABLE: {
			g_warning("store: cannot write now, the request is refused (503): %s", error->message);
			g_autofree char *after = g_strdup_printf("%d", SB_API_STORE_RETRY_S);
			soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After",
						     after);
			sb_api_reply_error(msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL,
					   "this could not be saved now (the switchboard's storage is unavailable): "
					   "nothing was changed, try again in a moment");
			return;
		}
		default:
			break;
		}
	}
	g_warning("%s", error ? error->message : "store failure");
	sb_api_reply_error(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL, "the store failed");
}

void sb_api_reply_ok(SoupServerMessage *msg)
{
	/* a body rather than 204: libsoup drops a kept-alive connection after a 204 */
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	sb_api_add_bool(b, "ok", TRUE);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

/* --- reply members ----------------------------------------------------------------- */

void sb_api_add_string(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_string_value(b, value ? value : "");
}

void sb_api_add_int(JsonBuilder *b, const char *name, gint64 value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, value);
}

void sb_api_add_bool(JsonBuilder *b, const char *name, gboolean value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_boolean_value(b, value);
}

void sb_api_add_id_or_null(JsonBuilder *b, const char *name, gint64 id)
{
	json_builder_set_member_name(b, name);
	if (id)
		json_builder_add_int_value(b, id);
	else
		json_builder_add_null_value(b);
}

void sb_api_add_strv(JsonBuilder *b, const char *name, char **items)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_array(b);
	for (char **i = items; i && *i; i++)
		json_builder_add_string_value(b, *i);
	json_builder_end_array(b);
}

void sb_api_add_time(JsonBuilder *b, const char *name, guint minutes)
{
	g_autofree char *t = g_strdup_printf("%02u:%02u", minutes / 60, minutes % 60);
	sb_api_add_string(b, name, t);
}
