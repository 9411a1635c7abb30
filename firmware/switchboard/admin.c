/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-admin"

#include "admin.h"
#include "auth.h"
#include "http.h"

#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <string.h>

#define ADMIN_DATA_KEY "relais-admin"

struct _SbAdmin {
	SbStore *store;
	gboolean secure;
	SbHub *hub;
	SbSiteBooths *booths;
	SbAdminCloseConsoles close_consoles;
	gpointer close_data;
};

static const char *const day_ids[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* --- replies ---------------------------------------------------------------------- */

/* {error, field?} */
static void reply_error(SoupServerMessage *msg, guint status, const char *field, const char *format, ...)
	G_GNUC_PRINTF(4, 5);
static void reply_error(SoupServerMessage *msg, guint status, const char *field, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	g_autofree char *text = g_strdup_vprintf(format, ap);
	va_end(ap);
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "error");
	json_builder_add_string_value(b, text);
	if (field) {
		json_builder_set_member_name(b, "field");
		json_builder_add_string_value(b, field);
	}
	json_builder_end_object(b);
	sb_http_set_json(msg, status, b);
}

/* A store error as a reply: INVALID 400, NOT_FOUND 404, EXISTS and IN_USE 409,
 * anything else 500 (logged, not shown). */
static void reply_store_error(SoupServerMessage *msg, const GError *error, const char *field)
{
	if (error && error->domain == SB_STORE_ERROR) {
		switch (error->code) {
		case SB_STORE_ERROR_INVALID:
			reply_error(msg, SOUP_STATUS_BAD_REQUEST, field, "%s", error->message);
			return;
		case SB_STORE_ERROR_NOT_FOUND:
			reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "%s", error->message);
			return;
		case SB_STORE_ERROR_EXISTS:
		case SB_STORE_ERROR_IN_USE:
			reply_error(msg, SOUP_STATUS_CONFLICT, field, "%s", error->message);
			return;
		default:
			break;
		}
	}
	g_warning("%s", error ? error->message : "store failure");
	reply_error(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL, "the store failed");
}

static void reply_ok(SoupServerMessage *msg)
{
	/* a body rather than 204: libsoup drops a kept-alive connection after a 204 */
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "ok");
	json_builder_add_boolean_value(b, TRUE);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

static char *iso_utc(gint64 unix_s)
{
	g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(unix_s);
	return t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

static void add_string(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_string_value(b, value ? value : "");
}

static void add_int(JsonBuilder *b, const char *name, gint64 value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, value);
}

static void add_id_or_null(JsonBuilder *b, const char *name, gint64 id)
{
	json_builder_set_member_name(b, name);
	if (id)
		json_builder_add_int_value(b, id);
	else
		json_builder_add_null_value(b);
}

static void add_strv(JsonBuilder *b, const char *name, char **items)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_array(b);
	for (char **i = items; i && *i; i++)
		json_builder_add_string_value(b, *i);
	json_builder_end_array(b);
}

/* --- request bodies ----------------------------------------------------------------- */

/* The body as a JSON object, or NULL (400 replied). */
static JsonObject *read_body(SoupServerMessage *msg, JsonParser *parser)
{
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	if (body->length > SB_ADMIN_MAX_BODY) {
		reply_error(msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL,
			    "request body too large (at most %d bytes)", SB_ADMIN_MAX_BODY);
		return NULL;
	}
	const char *type = soup_message_headers_get_content_type(soup_server_message_get_request_headers(msg), NULL);
	g_autoptr(GBytes) bytes = soup_message_body_flatten(body);
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	if (g_strcmp0(type, "application/json") != 0 || data == NULL || len == 0 || memchr(data, '\0', len) ||
	    !g_utf8_validate(data, len, NULL) || !json_parser_load_from_data(parser, data, len, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, NULL, "send a JSON object (application/json)");
		return NULL;
	}
	return json_node_get_object(json_parser_get_root(parser));
}

/* Member `name`: absent or null → *out NULL; a string → it; else 400. */
static gboolean opt_string(SoupServerMessage *msg, JsonObject *o, const char *name, const char **out)
{
	JsonNode *n = json_object_get_member(o, name);
	*out = NULL;
	if (n == NULL || JSON_NODE_HOLDS_NULL(n))
		return TRUE;
	if (json_node_get_value_type(n) != G_TYPE_STRING) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, name, "%s must be a string", name);
		return FALSE;
	}
	*out = json_node_get_string(n);
	return TRUE;
}

static gboolean req_string(SoupServerMessage *msg, JsonObject *o, const char *name, const char **out)
{
	if (!opt_string(msg, o, name, out))
		return FALSE;
	if (*out == NULL || **out == '\0') {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, name, "%s is required", name);
		return FALSE;
	}
	return TRUE;
}

/* Member `name`: a positive integer id, or null / 0 (→ 0). *present: the
 * member was there. */
static gboolean opt_id(SoupServerMessage *msg, JsonObject *o, const char *name, gint64 *out, gboolean *present)
{
	JsonNode *n = json_object_get_member(o, name);
	*out = 0;
	*present = n != NULL;
	if (n == NULL || JSON_NODE_HOLDS_NULL(n))
		return TRUE;
	if (json_node_get_value_type(n) != G_TYPE_INT64 || json_node_get_int(n) < 0) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, name, "%s must be an id (a positive integer) or null", name);
		return FALSE;
	}
	*out = json_node_get_int(n);
	return TRUE;
}

static gboolean opt_bool(SoupServerMessage *msg, JsonObject *o, const char *name, gboolean *out)
{
	JsonNode *n = json_object_get_member(o, name);
	*out = FALSE;
	if (n == NULL || JSON_NODE_HOLDS_NULL(n))
		return TRUE;
	if (json_node_get_value_type(n) != G_TYPE_BOOLEAN) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, name, "%s must be true or false", name);
		return FALSE;
	}
	*out = json_node_get_boolean(n);
	return TRUE;
}

/* Member `name`: an array of strings or one comma-separated string (blanks
 * dropped); absent → *out NULL, *present FALSE. The store checks the items. */
static gboolean opt_list(SoupServerMessage *msg, JsonObject *o, const char *name, char ***out, gboolean *present)
{
	JsonNode *n = json_object_get_member(o, name);
	*out = NULL;
	*present = n != NULL;
	if (n == NULL || JSON_NODE_HOLDS_NULL(n)) {
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
			if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING) {
				reply_error(msg, SOUP_STATUS_BAD_REQUEST, name, "%s must be a list of strings", name);
				return FALSE;
			}
			g_autofree char *v = g_strstrip(g_strdup(json_node_get_string(e)));
			if (*v)
				g_ptr_array_add(items, g_steal_pointer(&v));
		}
	} else {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, name, "%s must be a list of strings", name);
		return FALSE;
	}
	g_ptr_array_add(items, NULL);
	*out = (char **)g_ptr_array_steal(items, NULL);
	return TRUE;
}

gboolean sb_admin_parse_time(const char *text, guint *minutes)
{
	if (text == NULL || strlen(text) != 5 || text[2] != ':' || !g_ascii_isdigit(text[0]) ||
	    !g_ascii_isdigit(text[1]) || !g_ascii_isdigit(text[3]) || !g_ascii_isdigit(text[4]))
		return FALSE;
	guint h = (guint)(text[0] - '0') * 10 + (guint)(text[1] - '0');
	guint m = (guint)(text[3] - '0') * 10 + (guint)(text[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return FALSE;
	*minutes = h * 60 + m;
	return TRUE;
}

static void add_time(JsonBuilder *b, const char *name, guint minutes)
{
	g_autofree char *t = g_strdup_printf("%02u:%02u", minutes / 60, minutes % 60);
	add_string(b, name, t);
}

/* --- sites ------------------------------------------------------------------------------ */

static void site_json(JsonBuilder *b, const SbSite *site, const SbSiteUsage *u)
{
	json_builder_begin_object(b);
	add_int(b, "id", site->id);
	add_string(b, "name", site->name);
	add_string(b, "timezone", site->timezone);
	if (u) {
		json_builder_set_member_name(b, "usage");
		json_builder_begin_object(b);
		add_int(b, "booths", u->booths);
		add_int(b, "staff", u->staff);
		add_int(b, "bookings", u->bookings);
		add_int(b, "call_records", u->call_records);
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
}

static void sites_list(SbAdmin *a, SoupServerMessage *msg)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) sites = sb_store_site_list(a->store, &error);
	if (sites == NULL) {
		reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "sites");
	json_builder_begin_array(b);
	for (guint i = 0; i < sites->len; i++) {
		SbSite *s = sites->pdata[i];
		SbSiteUsage u;
		if (!sb_store_site_usage(a->store, s->id, &u, &error)) {
			reply_store_error(msg, error, NULL);
			return;
		}
		site_json(b, s, &u);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

static void reply_site(SbAdmin *a, SoupServerMessage *msg, guint status, gint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbSite) site = sb_store_site_get(a->store, id, &error);
	SbSiteUsage u;
	if (site == NULL || !sb_store_site_usage(a->store, id, &u, &error)) {
		reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	site_json(b, site, &u);
	sb_http_set_json(msg, status, b);
}

/* The store's messages name the field; this says which one for the page. */
static const char *site_field(const GError *error)
{
	if (error && strstr(error->message, "time zone"))
		return "timezone";
	return "name";
}

static void site_save(SbAdmin *a, SoupServerMessage *msg, gint64 id)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = read_body(msg, parser);
	const char *name, *timezone;
	if (o == NULL || !opt_string(msg, o, "name", &name) || !opt_string(msg, o, "timezone", &timezone))
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(SbSite) old = NULL;
	if (id) {
		old = sb_store_site_get(a->store, id, &error);
		if (old == NULL) {
			reply_store_error(msg, error, NULL);
			return;
		}
	} else if (name == NULL || timezone == NULL) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, name == NULL ? "name" : "timezone",
			    "a new site needs a name and a time zone");
		return;
	}
	gint64 saved = sb_store_site_upsert(a->store, id, name ? name : old->name, timezone ? timezone : old->timezone,
					    &error);
	if (saved == 0) {
		reply_store_error(msg, error, site_field(error));
		return;
	}
	g_message("site %" G_GINT64_FORMAT " '%s' %s", saved, name ? name : old->name, id ? "changed" : "added");
	reply_site(a, msg, id ? SOUP_STATUS_OK : SOUP_STATUS_CREATED, saved);
}

static void site_delete(SbAdmin *a, SoupServerMessage *msg, gint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbSite) site = sb_store_site_get(a->store, id, &error);
	SbSiteUsage u;
	if (site == NULL || !sb_store_site_usage(a->store, id, &u, &error)) {
		reply_store_error(msg, error, NULL);
		return;
	}
	if (u.booths || u.staff || u.bookings || u.call_records) {
		g_autoptr(GString) why = g_string_new(NULL);
		const struct {
			guint n;
			const char *one, *many;
		} refs[] = {
			{u.booths, "booth", "booths"},
			{u.staff, "staff account", "staff accounts"},
			{u.bookings, "booking", "bookings"},
			{u.call_records, "call record", "call records"},
		};
		for (guint i = 0; i < G_N_ELEMENTS(refs); i++) {
			if (refs[i].n == 0)
				continue;
			g_string_append_printf(why, "%s%u %s", why->len ? ", " : "", refs[i].n,
					       refs[i].n == 1 ? refs[i].one : refs[i].many);
		}
		gboolean history = u.bookings || u.call_records;
		reply_error(msg, SOUP_STATUS_CONFLICT, NULL, "“%s” is in use: %s. %s", site->name, why->str,
			    history ? "Its history is kept: rename the site instead."
				    : "Move or delete them first, or rename the site.");
		return;
	}
	if (!sb_store_site_del(a->store, id, &error)) {
		reply_store_error(msg, error, NULL);
		return;
	}
	g_message("site %" G_GINT64_FORMAT " '%s' deleted", id, site->name);
	reply_ok(msg);
}

/* --- opening hours and closures ------------------------------------------------------------ */

static void hours_reply(SbAdmin *a, SoupServerMessage *msg, const SbSite *site)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) slots = sb_store_slots_list(a->store, site->id, &error);
	if (slots == NULL) {
		reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	add_int(b, "site_id", site->id);
	add_string(b, "timezone", site->timezone);
	json_builder_set_member_name(b, "slots");
	json_builder_begin_array(b);
	for (guint i = 0; i < slots->len; i++) {
		const SbSlot *s = &g_array_index(slots, SbSlot, i);
		json_builder_begin_object(b);
		add_string(b, "day", day_ids[s->weekday % 7]);
		add_string(b, "half", s->half == SB_HALF_AM ? "am" : "pm");
		add_time(b, "start", s->start_min);
		add_time(b, "end", s->end_min);
		add_int(b, "capacity", s->capacity);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

static gboolean slot_from_json(SoupServerMessage *msg, JsonNode *n, guint i, SbSlot *slot)
{
	g_autofree char *field = g_strdup_printf("slots[%u]", i);
	if (!JSON_NODE_HOLDS_OBJECT(n)) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, field, "%s must be an object", field);
		return FALSE;
	}
	JsonObject *o = json_node_get_object(n);
	const char *day = json_object_get_string_member_with_default(o, "day", NULL);
	const char *half = json_object_get_string_member_with_default(o, "half", NULL);
	const char *start = json_object_get_string_member_with_default(o, "start", NULL);
	const char *end = json_object_get_string_member_with_default(o, "end", NULL);
	JsonNode *cap = json_object_get_member(o, "capacity");
	*slot = (SbSlot){0};
	gboolean day_ok = FALSE;
	for (guint d = 0; day && d < G_N_ELEMENTS(day_ids); d++)
		if (strcmp(day, day_ids[d]) == 0) {
			slot->weekday = d;
			day_ok = TRUE;
		}
	if (!day_ok) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, field, "%s: day is mon, tue, wed, thu, fri, sat or sun",
			    field);
		return FALSE;
	}
	if (g_strcmp0(half, "am") != 0 && g_strcmp0(half, "pm") != 0) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, field, "%s: half is am or pm", field);
		return FALSE;
	}
	slot->half = strcmp(half, "am") == 0 ? SB_HALF_AM : SB_HALF_PM;
	if (!sb_admin_parse_time(start, &slot->start_min) || !sb_admin_parse_time(end, &slot->end_min)) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, field, "%s (%s %s): start and end are times HH:MM", field,
			    day, half);
		return FALSE;
	}
	if (cap == NULL || json_node_get_value_type(cap) != G_TYPE_INT64 || json_node_get_int(cap) < 1 ||
	    json_node_get_int(cap) > 1000) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, field,
			    "%s (%s %s): capacity is the number of advisers on duty, 1 to 1000", field, day, half);
		return FALSE;
	}
	slot->capacity = (guint)json_node_get_int(cap);
	return TRUE;
}

static void hours_save(SbAdmin *a, SoupServerMessage *msg, const SbSite *site)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = read_body(msg, parser);
	if (o == NULL)
		return;
	JsonNode *n = json_object_get_member(o, "slots");
	if (n == NULL || !JSON_NODE_HOLDS_ARRAY(n)) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, "slots", "slots must be a list (empty: never open)");
		return;
	}
	JsonArray *arr = json_node_get_array(n);
	guint len = json_array_get_length(arr);
	if (len > 14) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, "slots", "a week has at most 14 half-days");
		return;
	}
	SbSlot slots[14];
	for (guint i = 0; i < len; i++)
		if (!slot_from_json(msg, json_array_get_element(arr, i), i, &slots[i]))
			return;
	/* the store's messages count weekdays from 0: name them instead */
	for (guint i = 0; i < len; i++) {
		const SbSlot *s = &slots[i];
		if (s->start_min >= s->end_min) {
			reply_error(msg, SOUP_STATUS_BAD_REQUEST, "slots", "%s %s: the start must come before the end",
				    day_ids[s->weekday], s->half == SB_HALF_AM ? "morning" : "afternoon");
			return;
		}
		if (s->half == SB_HALF_AM && s->end_min > 14 * 60) {
			reply_error(msg, SOUP_STATUS_BAD_REQUEST, "slots", "%s morning: it must end by 14:00",
				    day_ids[s->weekday]);
			return;
		}
		if (s->half == SB_HALF_PM && s->start_min < 12 * 60) {
			reply_error(msg, SOUP_STATUS_BAD_REQUEST, "slots", "%s afternoon: it starts at 12:00 or later",
				    day_ids[s->weekday]);
			return;
		}
		for (guint j = 0; j < i; j++) {
			if (slots[j].weekday != s->weekday)
				continue;
			if (slots[j].half == s->half) {
				reply_error(msg, SOUP_STATUS_BAD_REQUEST, "slots", "%s %s is given twice",
					    day_ids[s->weekday], s->half == SB_HALF_AM ? "morning" : "afternoon");
				return;
			}
			const SbSlot *am = s->half == SB_HALF_AM ? s : &slots[j];
			const SbSlot *pm = s->half == SB_HALF_AM ? &slots[j] : s;
			if (am->end_min > pm->start_min) {
				reply_error(msg, SOUP_STATUS_BAD_REQUEST, "slots",
					    "%s: the morning ends (%02u:%02u) after the afternoon starts (%02u:%02u)",
					    day_ids[s->weekday], am->end_min / 60, am->end_min % 60, pm->start_min / 60,
					    pm->start_min % 60);
				return;
			}
		}
	}
	g_autoptr(GError) error = NULL;
	if (!sb_store_slots_set(a->store, site->id, slots, len, &error)) {
		reply_store_error(msg, error, "slots");
		return;
	}
	g_message("site '%s': %u half-days a week", site->name, len);
	hours_reply(a, msg, site);
}

static void closure_json(JsonBuilder *b, const SbClosure *c)
{
	json_builder_begin_object(b);
	add_int(b, "id", c->id);
	add_string(b, "from", c->date_from);
	add_string(b, "to", c->date_to);
	add_string(b, "reason", c->reason);
	json_builder_end_object(b);
}

static void closures_list(SbAdmin *a, SoupServerMessage *msg, const SbSite *site)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = sb_store_closure_list(a->store, site->id, &error);
	if (list == NULL) {
		reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	add_int(b, "site_id", site->id);
	json_builder_set_member_name(b, "closures");
	json_builder_begin_array(b);
	for (guint i = 0; i < list->len; i++)
		closure_json(b, list->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

static void closure_add(SbAdmin *a, SoupServerMessage *msg, const SbSite *site)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = read_body(msg, parser);
	const char *from, *to, *reason;
	if (o == NULL || !req_string(msg, o, "from", &from) || !req_string(msg, o, "to", &to) ||
	    !opt_string(msg, o, "reason", &reason))
		return;
	g_autoptr(GError) error = NULL;
	gint64 id = sb_store_closure_add(a->store, site->id, from, to, reason, &error);
	if (id == 0) {
		const char *field = error && strstr(error->message, "reason")	     ? "reason"
				    : error && strstr(error->message, "ends before") ? "to"
										     : "from";
		reply_store_error(msg, error, field);
		return;
	}
	g_message("site '%s' closed from %s to %s", site->name, from, to);
	SbClosure c = {.id = id,
		       .site_id = site->id,
		       .date_from = (char *)from,
		       .date_to = (char *)to,
		       .reason = (char *)(reason ? reason : "")};
	g_autoptr(JsonBuilder) b = json_builder_new();
	closure_json(b, &c);
	sb_http_set_json(msg, SOUP_STATUS_CREATED, b);
}

/* --- booths --------------------------------------------------------------------------------- */

/* The connected booths, written to the store first (as the staff page does). */
static JsonArray *booths_snapshot(SbAdmin *a)
{
	JsonArray *snapshot = sb_hub_booths_snapshot(a->hub);
	g_autoptr(GError) error = NULL;
	if (a->booths && !sb_site_booths_sync(a->booths, snapshot, g_get_monotonic_time(), &error))
		g_debug("booth sync: %s", error->message);
	return snapshot;
}

static JsonObject *snapshot_find(JsonArray *snapshot, const char *booth_id)
{
	for (guint i = 0; snapshot && i < json_array_get_length(snapshot); i++) {
		JsonObject *o = json_array_get_object_element(snapshot, i);
		if (o && g_strcmp0(json_object_get_string_member_with_default(o, "booth_id", NULL), booth_id) == 0)
			return o;
	}
	return NULL;
}

static void booths_list(SbAdmin *a, SoupServerMessage *msg)
{
	g_autoptr(JsonArray) snapshot = booths_snapshot(a);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) root =
		sb_site_booths_json(a->store, snapshot, 0, g_get_real_time() / G_USEC_PER_SEC, &error);
	if (root == NULL) {
		reply_store_error(msg, error, NULL);
		return;
	}
	/* the site each connected booth reports (its --site), beside the one it
	 * is listed under */
	JsonArray *booths = json_object_get_array_member(json_node_get_object(root), "booths");
	for (guint i = 0; i < json_array_get_length(booths); i++) {
		JsonObject *b = json_array_get_object_element(booths, i);
		JsonObject *live = snapshot_find(snapshot, json_object_get_string_member(b, "id"));
		if (live)
			json_object_set_string_member(b, "reported_site",
						      json_object_get_string_member_with_default(live, "site", ""));
		else
			json_object_set_null_member(b, "reported_site");
	}
	sb_http_set_json_node(msg, SOUP_STATUS_OK, root);
}

static SbBooth *booth_find(SbAdmin *a, const char *id, GError **error)
{
	g_autoptr(GPtrArray) list = sb_store_booth_list(a->store, 0, error);
	if (list == NULL)
		return NULL;
	for (guint i = 0; i < list->len; i++) {
		SbBooth *b = list->pdata[i];
		if (strcmp(b->id, id) == 0)
			return g_ptr_array_steal_index(list, i);
	}
	g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no booth '%s'", id);
	return NULL;
}

/* A site id given for a booth or an account must name a site: 400 otherwise
 * (the id is in the body, not the path). */
static gboolean site_known(SbAdmin *a, SoupServerMessage *msg, gint64 site_id)
{
	if (site_id == 0)
		return TRUE;
	g_autoptr(GError) error = NULL;
	g_autoptr(SbSite) site = sb_store_site_get(a->store, site_id, &error);
	if (site)
		return TRUE;
	if (g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND))
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, "site_id", "no site %" G_GINT64_FORMAT, site_id);
	else
		reply_store_error(msg, error, NULL);
	return FALSE;
}

static void booth_save(SbAdmin *a, SoupServerMessage *msg, const char *path_id)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = read_body(msg, parser);
	const char *id = path_id, *name;
	gint64 site_id;
	gboolean has_site;
	if (o == NULL || (path_id == NULL && !req_string(msg, o, "id", &id)) || !opt_string(msg, o, "name", &name) ||
	    !opt_id(msg, o, "site_id", &site_id, &has_site) || !site_known(a, msg, site_id))
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBooth) old = booth_find(a, id, &error);
	if (old == NULL && !g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND)) {
		reply_store_error(msg, error, NULL);
		return;
	}
	if (path_id == NULL && old) {
		reply_error(msg, SOUP_STATUS_CONFLICT, "id", "a booth '%s' exists already", id);
		return;
	}
	if (path_id && old == NULL) {
		reply_store_error(msg, error, NULL);
		return;
	}
	g_clear_error(&error);
	if (!sb_store_booth_upsert(a->store, id,
				   has_site ? site_id
				   : old    ? old->site_id
					    : 0,
				   name	 ? name
				   : old ? old->name
					 : "",
				   &error)) {
		reply_store_error(msg, error, error && strstr(error->message, "name") ? "name" : "id");
		return;
	}
	g_message("booth '%s' %s", id, old ? "changed" : "added");
	g_autoptr(SbBooth) now = booth_find(a, id, &error);
	if (now == NULL) {
		reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	add_string(b, "id", now->id);
	add_string(b, "name", now->name);
	add_id_or_null(b, "site_id", now->site_id);
	json_builder_end_object(b);
	sb_http_set_json(msg, old ? SOUP_STATUS_OK : SOUP_STATUS_CREATED, b);
}

static void booth_delete(SbAdmin *a, SoupServerMessage *msg, const char *id)
{
	g_autoptr(JsonArray) snapshot = booths_snapshot(a);
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBooth) old = booth_find(a, id, &error);
	if (old == NULL) {
		reply_store_error(msg, error, NULL);
		return;
	}
	if (snapshot_find(snapshot, id)) {
		reply_error(msg, SOUP_STATUS_CONFLICT, NULL,
			    "booth '%s' is connected now and would be listed again: switch it off first", id);
		return;
	}
	if (!sb_store_booth_del(a->store, id, &error)) {
		reply_store_error(msg, error, NULL);
		return;
	}
	g_message("booth '%s' deleted", id);
	reply_ok(msg);
}

/* --- accounts --------------------------------------------------------------------------------- */

static void user_json(JsonBuilder *b, const SbUser *u, GHashTable *site_names)
{
	json_builder_begin_object(b);
	add_string(b, "login", u->login);
	add_string(b, "name", u->display_name);
	add_string(b, "role", sb_role_to_string(u->role));
	add_id_or_null(b, "site_id", u->site_id);
	add_string(b, "site", u->site_id && site_names ? g_hash_table_lookup(site_names, &u->site_id) : "");
	add_strv(b, "languages", u->languages);
	add_strv(b, "topics", u->topics);
	json_builder_set_member_name(b, "disabled");
	json_builder_add_boolean_value(b, u->disabled);
	g_autofree char *created = iso_utc(u->created);
	add_string(b, "created", created);
	json_builder_end_object(b);
}

/* site id → name, for the lists */
static GHashTable *site_names(SbAdmin *a, GError **error)
{
	g_autoptr(GPtrArray) sites = sb_store_site_list(a->store, error);
	if (sites == NULL)
		return NULL;
	GHashTable *names = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	for (guint i = 0; i < sites->len; i++) {
		SbSite *s = sites->pdata[i];
		g_hash_table_insert(names, g_memdup2(&s->id, sizeof s->id), g_strdup(s->name));
	}
	return names;
}

static void users_list(SbAdmin *a, SoupServerMessage *msg)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) users = sb_store_user_list(a->store, &error);
	g_autoptr(GHashTable) names = users ? site_names(a, &error) : NULL;
	if (names == NULL) {
		reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "users");
	json_builder_begin_array(b);
	for (guint i = 0; i < users->len; i++)
		user_json(b, users->pdata[i], names);
	json_builder_end_array(b);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

static void reply_user(SbAdmin *a, SoupServerMessage *msg, guint status, const char *login, const char *password)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbUser) u = sb_store_user_get(a->store, login, &error);
	g_autoptr(GHashTable) names = u ? site_names(a, &error) : NULL;
	if (names == NULL) {
		reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "user");
	user_json(b, u, names);
	if (password) {
		/* generated: shown once, here, and kept nowhere in clear */
		add_string(b, "password", password);
	}
	json_builder_end_object(b);
	sb_http_set_json(msg, status, b);
}

/* The new password's hash from {password} or {generate: true}; *generated:
 * the generated password (to show once). NULL: replied. */
static char *password_from(SoupServerMessage *msg, JsonObject *o, const char *login, char **generated)
{
	const char *password;
	gboolean generate;
	if (!opt_string(msg, o, "password", &password) || !opt_bool(msg, o, "generate", &generate))
		return NULL;
	if ((password != NULL) == generate) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, "password",
			    "give a password, or ask for one to be generated (not both)");
		return NULL;
	}
	g_autoptr(GError) error = NULL;
	g_autofree char *trial = NULL;
	if (generate) {
		trial = sb_auth_trial_password(&error);
		password = trial;
	} else if (!sb_auth_check_password_policy(password, login, 0, &error)) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, "password", "password refused: %s", error->message);
		return NULL;
	}
	char *hash = password ? sb_auth_hash_password(password, &error) : NULL;
	if (hash == NULL) {
		g_warning("password for %s: %s", login, error ? error->message : "failed");
		reply_error(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL, "could not make the password");
		return NULL;
	}
	*generated = g_steal_pointer(&trial);
	return hash;
}

static const char *user_field(const GError *error)
{
	static const struct {
		const char *word, *field;
	} words[] = {{"login", "login"},  {"display name", "name"}, {"languages", "languages"}, {"topics", "topics"},
		     {"site", "site_id"}, {"role", "role"},	    {"password", "password"}};
	for (guint i = 0; error && i < G_N_ELEMENTS(words); i++)
		if (strstr(error->message, words[i].word))
			return words[i].field;
	return NULL;
}

static gboolean role_member(SoupServerMessage *msg, JsonObject *o, gboolean required, SbRole *role, gboolean *given)
{
	const char *text;
	if (!opt_string(msg, o, "role", &text))
		return FALSE;
	*given = text != NULL;
	if (text == NULL && !required)
		return TRUE;
	if (!sb_role_from_string(text, role)) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, "role", "role is adviser, admin or staff");
		return FALSE;
	}
	return TRUE;
}

static void user_add(SbAdmin *a, SoupServerMessage *msg)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = read_body(msg, parser);
	const char *login, *name;
	SbRole role = SB_ROLE_ADVISER;
	gboolean given, has_site, has_l, has_t;
	gint64 site_id;
	g_auto(GStrv) langs = NULL;
	g_auto(GStrv) topics = NULL;
	if (o == NULL || !req_string(msg, o, "login", &login) || !opt_string(msg, o, "name", &name) ||
	    !role_member(msg, o, TRUE, &role, &given) || !opt_id(msg, o, "site_id", &site_id, &has_site) ||
	    !opt_list(msg, o, "languages", &langs, &has_l) || !opt_list(msg, o, "topics", &topics, &has_t))
		return;
	if ((role == SB_ROLE_STAFF) != (site_id != 0)) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, "site_id",
			    role == SB_ROLE_STAFF ? "a staff account needs a site" : "only staff accounts have a site");
		return;
	}
	if (!site_known(a, msg, site_id))
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(SbUser) exists = sb_store_user_get(a->store, login, &error);
	if (exists) {
		reply_error(msg, SOUP_STATUS_CONFLICT, "login", "the login '%s' is taken", exists->login);
		return;
	}
	if (!g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND)) {
		reply_store_error(msg, error, "login");
		return;
	}
	g_clear_error(&error);
	g_autofree char *generated = NULL;
	g_autofree char *hash = password_from(msg, o, login, &generated);
	if (hash == NULL)
		return;
	SbUser u = {
		.login = (char *)login,
		.display_name = (char *)(name && *name ? name : login),
		.role = role,
		.site_id = site_id,
		.languages = langs,
		.topics = topics,
		.password_hash = hash,
	};
	if (sb_store_user_add(a->store, &u, &error) == 0) {
		reply_store_error(msg, error, user_field(error));
		return;
	}
	g_message("%s '%s' added by the administration page", sb_role_to_string(role), login);
	reply_user(a, msg, SOUP_STATUS_CREATED, login, generated);
	if (generated)
		memset(generated, 0, strlen(generated));
}

static gboolean count_admins(SbAdmin *a, guint *n, GError **error)
{
	g_autoptr(GPtrArray) users = sb_store_user_list(a->store, error);
	if (users == NULL)
		return FALSE;
	*n = 0;
	for (guint i = 0; i < users->len; i++)
		if (((SbUser *)users->pdata[i])->role == SB_ROLE_ADMIN && !((SbUser *)users->pdata[i])->disabled)
			(*n)++;
	return TRUE;
}

/* 409 unless `target` (an admin now) may stop being one: not `me`, not the
 * last. `what`: "delete", "demote". */
static gboolean may_lose_admin(SbAdmin *a, SoupServerMessage *msg, const SbUser *me, const SbUser *target,
			       const char *what)
{
	if (target->id == me->id) {
		reply_error(msg, SOUP_STATUS_CONFLICT, strcmp(what, "demote") == 0 ? "role" : NULL,
			    "you cannot %s your own account: ask another administrator", what);
		return FALSE;
	}
	if (target->role != SB_ROLE_ADMIN)
		return TRUE;
	g_autoptr(GError) error = NULL;
	guint n;
	if (!count_admins(a, &n, &error)) {
		reply_store_error(msg, error, NULL);
		return FALSE;
	}
	if (n <= 1) {
		reply_error(msg, SOUP_STATUS_CONFLICT, NULL, "'%s' is the last administrator", target->login);
		return FALSE;
	}
	return TRUE;
}

/* The account's sessions, read before they end: their consoles are closed
 * after. */
static char **session_hashes(SbAdmin *a, gint64 user_id)
{
	g_autoptr(GError) error = NULL;
	char **hashes = sb_store_session_hashes(a->store, user_id, &error);
	if (hashes == NULL)
		g_warning("sessions of account %" G_GINT64_FORMAT ": %s", user_id, error->message);
	return hashes;
}

static void close_consoles(SbAdmin *a, char **hashes)
{
	if (a->close_consoles && hashes && *hashes)
		a->close_consoles((const char *const *)hashes, a->close_data);
}

static void user_update(SbAdmin *a, SoupServerMessage *msg, const SbUser *me, const char *login)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbUser) old = sb_store_user_get(a->store, login, &error);
	if (old == NULL) {
		reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = read_body(msg, parser);
	const char *name;
	SbRole role = old->role;
	gboolean has_role, has_site, has_l, has_t;
	gint64 site_id;
	g_auto(GStrv) langs = NULL;
	g_auto(GStrv) topics = NULL;
	if (o == NULL || !opt_string(msg, o, "name", &name) || !role_member(msg, o, FALSE, &role, &has_role) ||
	    !opt_id(msg, o, "site_id", &site_id, &has_site) || !opt_list(msg, o, "languages", &langs, &has_l) ||
	    !opt_list(msg, o, "topics", &topics, &has_t))
		return;
	if (old->role == SB_ROLE_ADMIN && role != SB_ROLE_ADMIN && !may_lose_admin(a, msg, me, old, "demote"))
		return;
	/* a site only for staff: leaving staff drops it unless one is given */
	if (!has_site)
		site_id = role == SB_ROLE_STAFF ? old->site_id : 0;
	if ((role == SB_ROLE_STAFF) != (site_id != 0)) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, "site_id",
			    role == SB_ROLE_STAFF ? "a staff account needs a site" : "only staff accounts have a site");
		return;
	}
	if (!site_known(a, msg, site_id))
		return;
	SbUser u = {
		.login = old->login,
		.display_name = name && *name ? (char *)name : old->display_name,
		.role = role,
		.site_id = site_id,
		.languages = has_l ? langs : old->languages,
		.topics = has_t ? topics : old->topics,
	};
	/* staff do not answer calls: their open consoles close now (a change
	 * between adviser and admin, of name or skills, waits for the next
	 * connection rather than cut a visitor's call) */
	gboolean stops_answering = old->role != SB_ROLE_STAFF && role == SB_ROLE_STAFF;
	g_auto(GStrv) hashes = stops_answering ? session_hashes(a, old->id) : NULL;
	if (!sb_store_user_update(a->store, &u, &error)) {
		reply_store_error(msg, error, user_field(error));
		return;
	}
	close_consoles(a, hashes);
	g_message("account '%s' changed by the administration page", old->login);
	reply_user(a, msg, SOUP_STATUS_OK, old->login, NULL);
}

static void user_password(SbAdmin *a, SoupServerMessage *msg, const char *login)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbUser) old = sb_store_user_get(a->store, login, &error);
	if (old == NULL) {
		reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = read_body(msg, parser);
	if (o == NULL)
		return;
	g_autofree char *generated = NULL;
	g_autofree char *hash = password_from(msg, o, old->login, &generated);
	if (hash == NULL)
		return;
	g_auto(GStrv) hashes = session_hashes(a, old->id);
	if (!sb_store_user_set_password(a->store, old->login, hash, &error)) {
		reply_store_error(msg, error, "password");
		return;
	}
	close_consoles(a, hashes);
	g_message("password of '%s' reset by the administration page (its sessions are ended)", old->login);
	reply_user(a, msg, SOUP_STATUS_OK, old->login, generated);
	if (generated)
		memset(generated, 0, strlen(generated));
}

static void user_delete(SbAdmin *a, SoupServerMessage *msg, const SbUser *me, const char *login)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbUser) old = sb_store_user_get(a->store, login, &error);
	if (old == NULL) {
		reply_store_error(msg, error, NULL);
		return;
	}
	if (!may_lose_admin(a, msg, me, old, "delete"))
		return;
	g_auto(GStrv) hashes = session_hashes(a, old->id);
	if (!sb_store_user_del(a->store, old->login, &error)) {
		reply_store_error(msg, error, NULL);
		return;
	}
	close_consoles(a, hashes);
	g_message("account '%s' deleted by the administration page", old->login);
	reply_ok(msg);
}

/* --- routing ------------------------------------------------------------------------------------ */

static gboolean is_write(SoupServerMessage *msg)
{
	const char *m = soup_server_message_get_method(msg);
	return g_strcmp0(m, "GET") != 0 && g_strcmp0(m, "HEAD") != 0;
}

static gboolean method_is(SoupServerMessage *msg, const char *method)
{
	return g_strcmp0(soup_server_message_get_method(msg), method) == 0;
}

static void on_admin(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
	SbAdmin *a = user_data;
	g_autoptr(SbUser) me = sb_http_require_role(a->store, msg, SB_HTTP_ROLE(SB_ROLE_ADMIN), NULL);
	if (me == NULL)
		return;
	if (is_write(msg) && !sb_http_origin_is_ours(msg, a->secure, FALSE)) {
		reply_error(msg, SOUP_STATUS_FORBIDDEN, NULL, "cross-origin request refused");
		return;
	}
	/* /api/admin/<kind>[/<id>[/<sub>]] */
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);
	guint n = g_strv_length(parts);
	if (n < 4 || n > 6 || strcmp(parts[1], "api") != 0 || strcmp(parts[2], "admin") != 0) {
		reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no such endpoint");
		return;
	}
	const char *kind = parts[3];
	g_autofree char *id = n >= 5 ? g_uri_unescape_string(parts[4], NULL) : NULL;
	const char *sub = n == 6 ? parts[5] : NULL;
	if (n >= 5 && (id == NULL || *id == '\0')) {
		reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no such endpoint");
		return;
	}

	if (strcmp(kind, "sites") == 0 && sub == NULL) {
		if (id == NULL) {
			if (sb_http_allow(msg, "GET, HEAD, POST"))
				method_is(msg, "POST") ? site_save(a, msg, 0) : sites_list(a, msg);
			return;
		}
		gint64 site_id = sb_http_parse_id(id);
		if (!sb_http_allow(msg, "GET, HEAD, PUT, DELETE"))
			return;
		if (site_id == 0)
			reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no site '%s'", id);
		else if (method_is(msg, "PUT"))
			site_save(a, msg, site_id);
		else if (method_is(msg, "DELETE"))
			site_delete(a, msg, site_id);
		else
			reply_site(a, msg, SOUP_STATUS_OK, site_id);
		return;
	}
	if (strcmp(kind, "sites") == 0 && (strcmp(sub, "hours") == 0 || strcmp(sub, "closures") == 0)) {
		gboolean hours = strcmp(sub, "hours") == 0;
		if (!sb_http_allow(msg, hours ? "GET, HEAD, PUT" : "GET, HEAD, POST"))
			return;
		gint64 site_id = sb_http_parse_id(id);
		g_autoptr(GError) error = NULL;
		g_autoptr(SbSite) site = site_id ? sb_store_site_get(a->store, site_id, &error) : NULL;
		if (site == NULL) {
			if (site_id == 0)
				reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no site '%s'", id);
			else
				reply_store_error(msg, error, NULL);
			return;
		}
		if (hours)
			is_write(msg) ? hours_save(a, msg, site) : hours_reply(a, msg, site);
		else
			is_write(msg) ? closure_add(a, msg, site) : closures_list(a, msg, site);
		return;
	}
	if (strcmp(kind, "closures") == 0 && id && sub == NULL) {
		if (!sb_http_allow(msg, "DELETE"))
			return;
		gint64 closure_id = sb_http_parse_id(id);
		g_autoptr(GError) error = NULL;
		if (closure_id == 0)
			reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no closure '%s'", id);
		else if (!sb_store_closure_del(a->store, closure_id, &error))
			reply_store_error(msg, error, NULL);
		else {
			g_message("closure %" G_GINT64_FORMAT " deleted", closure_id);
			reply_ok(msg);
		}
		return;
	}
	if (strcmp(kind, "booths") == 0 && sub == NULL) {
		if (id == NULL) {
			if (sb_http_allow(msg, "GET, HEAD, POST"))
				method_is(msg, "POST") ? booth_save(a, msg, NULL) : booths_list(a, msg);
		} else if (sb_http_allow(msg, "PUT, DELETE")) {
			method_is(msg, "PUT") ? booth_save(a, msg, id) : booth_delete(a, msg, id);
		}
		return;
	}
	if (strcmp(kind, "users") == 0 && sub == NULL) {
		if (id == NULL) {
			if (sb_http_allow(msg, "GET, HEAD, POST"))
				method_is(msg, "POST") ? user_add(a, msg) : users_list(a, msg);
		} else if (sb_http_allow(msg, "GET, HEAD, PUT, DELETE")) {
			if (method_is(msg, "PUT"))
				user_update(a, msg, me, id);
			else if (method_is(msg, "DELETE"))
				user_delete(a, msg, me, id);
			else
				reply_user(a, msg, SOUP_STATUS_OK, id, NULL);
		}
		return;
	}
	if (strcmp(kind, "users") == 0 && strcmp(sub, "password") == 0) {
		if (sb_http_allow(msg, "POST"))
			user_password(a, msg, id);
		return;
	}
	reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no such endpoint");
}

/* --- the day's bookings ------------------------------------------------------------------------------ */

static void local_format(GTimeZone *tz, gint64 t, const char *format, char *out, gsize size)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t);
	g_autoptr(GDateTime) local = utc ? g_date_time_to_timezone(utc, tz) : NULL;
	g_autofree char *text = local ? g_date_time_format(local, format) : NULL;
	g_strlcpy(out, text ? text : "", size);
}

static void day_booking_free(SbDayBooking *d)
{
	sb_booking_free(d->booking);
	g_free(d->site);
	g_free(d);
}

static gint cmp_day_booking(gconstpointer pa, gconstpointer pb)
{
	const SbDayBooking *x = *(SbDayBooking *const *)pa, *y = *(SbDayBooking *const *)pb;
	if (x->booking->start_s != y->booking->start_s)
		return x->booking->start_s < y->booking->start_s ? -1 : 1;
	return g_utf8_collate(x->site, y->site);
}

GPtrArray *sb_admin_day_bookings(SbStore *store, gint64 site_id, const GDate *day, gint64 now_s, GError **error)
{
	g_autoptr(GPtrArray) sites = sb_store_site_list(store, error);
	if (sites == NULL)
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)day_booking_free);
	for (guint i = 0; i < sites->len; i++) {
		SbSite *site = sites->pdata[i];
		if (site_id != 0 && site->id != site_id)
			continue;
		g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(site->timezone);
		if (tz == NULL)
			tz = g_time_zone_new_utc();
		GDate d;
		if (day) {
			d = *day;
		} else {
			g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(now_s);
			g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, tz);
			g_date_clear(&d, 1);
			g_date_set_dmy(&d, (GDateDay)g_date_time_get_day_of_month(local),
				       (GDateMonth)g_date_time_get_month(local),
				       (GDateYear)g_date_time_get_year(local));
		}
		g_autoptr(GDateTime) from =
			g_date_time_new(tz, g_date_get_year(&d), g_date_get_month(&d), g_date_get_day(&d), 0, 0, 0);
		g_autoptr(GDateTime) to = from ? g_date_time_add_days(from, 1) : NULL;
		if (to == NULL)
			continue;
		g_autoptr(GPtrArray) list = sb_store_booking_list(store, site->id, g_date_time_to_unix(from),
								  g_date_time_to_unix(to), error);
		if (list == NULL)
			return NULL;
		for (guint j = 0; j < list->len; j++) {
			SbDayBooking *row = g_new0(SbDayBooking, 1);
			row->booking = g_steal_pointer(&list->pdata[j]);
			row->site = g_strdup(site->name);
			local_format(tz, row->booking->start_s, "%Y-%m-%d", row->date, sizeof row->date);
			local_format(tz, row->booking->start_s, "%H:%M", row->time, sizeof row->time);
			local_format(tz, row->booking->end_s, "%H:%M", row->end_time, sizeof row->end_time);
			g_ptr_array_add(out, row);
		}
	}
	g_ptr_array_sort(out, cmp_day_booking);
	return g_steal_pointer(&out);
}

/* GET /api/bookings?day=YYYY-MM-DD */
static void on_bookings(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
			gpointer user_data)
{
	SbAdmin *a = user_data;
	if (g_strcmp0(path, "/api/bookings") != 0) {
		reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no such endpoint");
		return;
	}
	if (!sb_http_allow(msg, "GET, HEAD"))
		return;
	g_autoptr(SbUser) me = sb_http_require_role(
		a->store, msg,
		SB_HTTP_ROLE(SB_ROLE_ADVISER) | SB_HTTP_ROLE(SB_ROLE_ADMIN) | SB_HTTP_ROLE(SB_ROLE_STAFF), NULL);
	if (me == NULL)
		return;
	const char *day_q = query ? g_hash_table_lookup(query, "day") : NULL;
	gboolean today = day_q == NULL || *day_q == '\0';
	GDate day;
	if (!today && !sb_store_parse_date(day_q, &day)) {
		reply_error(msg, SOUP_STATUS_BAD_REQUEST, "day", "day is a date YYYY-MM-DD");
		return;
	}
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_autoptr(GError) error = NULL;
	/* staff: their own site only */
	g_autoptr(GPtrArray) rows = sb_admin_day_bookings(a->store, me->role == SB_ROLE_STAFF ? me->site_id : 0,
							  today ? NULL : &day, now, &error);
	if (rows == NULL) {
		reply_store_error(msg, error, NULL);
		return;
	}
	/* advisers do not check visitors in: no codes for them */
	gboolean codes = me->role != SB_ROLE_ADVISER;
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "day");
	if (today)
		json_builder_add_null_value(b);
	else
		json_builder_add_string_value(b, day_q);
	g_autofree char *updated = iso_utc(now);
	add_string(b, "updated", updated);
	json_builder_set_member_name(b, "codes");
	json_builder_add_boolean_value(b, codes);
	json_builder_set_member_name(b, "bookings");
	json_builder_begin_array(b);
	for (guint i = 0; i < rows->len; i++) {
		const SbDayBooking *r = rows->pdata[i];
		json_builder_begin_object(b);
		add_int(b, "site_id", r->booking->site_id);
		add_string(b, "site", r->site);
		add_string(b, "date", r->date);
		add_string(b, "time", r->time);
		add_string(b, "end_time", r->end_time);
		g_autofree char *start = iso_utc(r->booking->start_s);
		g_autofree char *end = iso_utc(r->booking->end_s);
		add_string(b, "start", start);
		add_string(b, "end", end);
		add_string(b, "language", r->booking->language);
		add_string(b, "topic", r->booking->topic);
		add_string(b, "state", sb_booking_state_to_string(r->booking->state));
		/* checked in and then seen by an adviser (made into a call) */
		json_builder_set_member_name(b, "used");
		json_builder_add_boolean_value(b, r->booking->used_at != 0);
		if (codes)
			add_string(b, "code", r->booking->code);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

/* --- registration --------------------------------------------------------------------------------- */

SbAdmin *sb_admin_register(SoupServer *soup, SbStore *store, gboolean secure, SbHub *hub, SbSiteBooths *booths,
			   SbAdminCloseConsoles close_consoles, gpointer user_data)
{
	SbAdmin *a = g_new0(SbAdmin, 1);
	a->store = store;
	a->secure = secure;
	a->hub = hub;
	a->booths = booths;
	a->close_consoles = close_consoles;
	a->close_data = user_data;
	g_object_set_data_full(G_OBJECT(soup), ADMIN_DATA_KEY, a, g_free);
	soup_server_add_handler(soup, "/api/admin", on_admin, a, NULL);
	soup_server_add_handler(soup, "/api/bookings", on_bookings, a, NULL);
	return a;
}
