/* SPDX-License-Identifier: GPL-2.0-or-later */
/* admin-hours: /api/admin/sites/ID/hours: a site's week of opening
 * half-days, read and replaced whole. */
#define G_LOG_DOMAIN "relais-admin"

#include "admin-private.h"

#include <string.h>

static const char *const day_ids[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

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

void sb_admin_hours_reply(SbAdmin *a, SoupServerMessage *msg, const SbSite *site)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) slots = sb_store_slots_list(a->store, site->id, &error);
	if (slots == NULL) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	sb_api_add_int(b, "site_id", site->id);
	sb_api_add_string(b, "timezone", site->timezone);
	json_builder_set_member_name(b, "slots");
	json_builder_begin_array(b);
	for (guint i = 0; i < slots->len; i++) {
		const SbSlot *s = &g_array_index(slots, SbSlot, i);
		json_builder_begin_object(b);
		sb_api_add_string(b, "day", day_ids[s->weekday % 7]);
		sb_api_add_string(b, "half", s->half == SB_HALF_AM ? "am" : "pm");
		sb_api_add_time(b, "start", s->start_min);
		sb_api_add_time(b, "end", s->end_min);
		sb_api_add_int(b, "capacity", s->capacity);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

/* Every refusal below: SB_API_JSON_ERROR, *field the member to name. */
#define refuse(...) (g_set_error(error, SB_API_JSON_ERROR, SB_API_JSON_ERROR_INVALID, __VA_ARGS__), FALSE)

static gboolean slot_from_json(JsonNode *n, guint i, SbSlot *slot, char **field, GError **error)
{
	*field = g_strdup_printf("slots[%u]", i);
	if (!JSON_NODE_HOLDS_OBJECT(n))
		return refuse("%s must be an object", *field);
	JsonObject *o = json_node_get_object(n);
	const char *day = sb_api_member_string(o, "day");
	const char *half = sb_api_member_string(o, "half");
	const char *start = sb_api_member_string(o, "start");
	const char *end = sb_api_member_string(o, "end");
	JsonNode *cap = json_object_get_member(o, "capacity");
	*slot = (SbSlot){0};
	gboolean day_ok = FALSE;
	for (guint d = 0; day && d < G_N_ELEMENTS(day_ids); d++)
		if (strcmp(day, day_ids[d]) == 0) {
			slot->weekday = d;
			day_ok = TRUE;
		}
	if (!day_ok)
		return refuse("%s: day is mon, tue, wed, thu, fri, sat or sun", *field);
	if (g_strcmp0(half, "am") != 0 && g_strcmp0(half, "pm") != 0)
		return refuse("%s: half is am or pm", *field);
	slot->half = strcmp(half, "am") == 0 ? SB_HALF_AM : SB_HALF_PM;
	if (!sb_admin_parse_time(start, &slot->start_min) || !sb_admin_parse_time(end, &slot->end_min))
		return refuse("%s (%s %s): start and end are times HH:MM", *field, day, half);
	gint64 capacity;
	if (!sb_api_node_int_in(cap, 1, 1000, &capacity))
		return refuse("%s (%s %s): capacity is the number of advisers on duty, 1 to 1000", *field, day, half);
	slot->capacity = (guint)capacity;
	g_clear_pointer(field, g_free);
	return TRUE;
}

gboolean sb_admin_hours_from_json(JsonObject *o, SbSlot slots[SB_ADMIN_MAX_HALF_DAYS], guint *n_slots, char **field,
				  GError **error)
{
	*field = NULL;
	*n_slots = 0;
	JsonNode *n = json_object_get_member(o, "slots");
	if (n == NULL || !JSON_NODE_HOLDS_ARRAY(n)) {
		*field = g_strdup("slots");
		return refuse("slots must be a list (empty: never open)");
	}
	JsonArray *arr = json_node_get_array(n);
	guint len = json_array_get_length(arr);
	if (len > SB_ADMIN_MAX_HALF_DAYS) {
		*field = g_strdup("slots");
		return refuse("a week has at most 14 half-days");
	}
	for (guint i = 0; i < len; i++)
		if (!slot_from_json(json_array_get_element(arr, i), i, &slots[i], field, error))
			return FALSE;
	/* the store's messages count weekdays from 0: name them instead */
	*field = g_strdup("slots");
	for (guint i = 0; i < len; i++) {
		const SbSlot *s = &slots[i];
		if (s->start_min >= s->end_min)
			return refuse("%s %s: the start must come before the end", day_ids[s->weekday],
				      s->half == SB_HALF_AM ? "morning" : "afternoon");
		if (s->half == SB_HALF_AM && s->end_min > 14 * 60)
			return refuse("%s morning: it must end by 14:00", day_ids[s->weekday]);
		if (s->half == SB_HALF_PM && s->start_min < 12 * 60)
			return refuse("%s afternoon: it starts at 12:00 or later", day_ids[s->weekday]);
		for (guint j = 0; j < i; j++) {
			if (slots[j].weekday != s->weekday)
				continue;
			if (slots[j].half == s->half)
				return refuse("%s %s is given twice", day_ids[s->weekday],
					      s->half == SB_HALF_AM ? "morning" : "afternoon");
			const SbSlot *am = s->half == SB_HALF_AM ? s : &slots[j];
			const SbSlot *pm = s->half == SB_HALF_AM ? &slots[j] : s;
			if (am->end_min > pm->start_min)
				return refuse("%s: the morning ends (%02u:%02u) after the afternoon starts (%02u:%02u)",
					      day_ids[s->weekday], am->end_min / 60, am->end_min % 60,
					      pm->start_min / 60, pm->start_min % 60);
		}
	}
	g_clear_pointer(field, g_free);
	*n_slots = len;
	return TRUE;
}

void sb_admin_hours_save(SbAdmin *a, SoupServerMessage *msg, const SbSite *site)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = sb_api_read_object(msg, parser, SB_ADMIN_MAX_BODY);
	if (o == NULL)
		return;
	SbSlot slots[SB_ADMIN_MAX_HALF_DAYS];
	guint len;
	g_autofree char *field = NULL;
	g_autoptr(GError) refused = NULL;
	if (!sb_admin_hours_from_json(o, slots, &len, &field, &refused)) {
		sb_api_reply_error(msg, SOUP_STATUS_BAD_REQUEST, field, "%s", refused->message);
		return;
	}
	g_autoptr(GError) error = NULL;
	if (!sb_store_slots_set(a->store, site->id, slots, len, &error)) {
		sb_api_reply_store_error(msg, error, "slots");
		return;
	}
	g_message("site '%s': %u half-days a week", site->name, len);
	sb_admin_hours_reply(a, msg, site);
}
