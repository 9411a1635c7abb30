/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The visitor queue: which adviser can take which ticket (languages,
 * topics), the order (booked first), the queue as each adviser sees it, and
 * the estimated waits the booths are told. */
#define G_LOG_DOMAIN "relais-hub"

#include "hub-private.h"
#include "relais-config.h"

#include <string.h>

void hub_ticket_free(SbTicket *t)
{
	if (t == NULL)
		return;
	g_free(t->id);
	g_free(t->language);
	g_free(t->topic);
	g_free(t->booking);
	if (t->answers)
		json_object_unref(t->answers);
	g_free(t);
}

JsonObject *hub_answers_copy(JsonObject *answers)
{
	JsonObject *copy = json_object_new();
	if (answers == NULL)
		return copy;
	g_autoptr(GList) members = json_object_get_members(answers);
	for (GList *l = members; l; l = l->next)
		json_object_set_string_member(copy, l->data, json_object_get_string_member(answers, l->data));
	return copy;
}

/* A language matches when equal, or when the adviser's tag is the primary
 * subtag of the visitor's (an adviser with "pt" takes "pt-br"). */
static gboolean language_matches(const char *adviser, const char *visitor)
{
	gsize n = strlen(adviser);
	return g_ascii_strncasecmp(adviser, visitor, n) == 0 && (visitor[n] == '\0' || visitor[n] == '-');
}

/* Empty (or unset) lists mean "any": an account without languages or topics
 * takes every visitor, as before skills existed. */
gboolean hub_adviser_language_ok(const SbPeer *a, const SbTicket *t)
{
	if (a->languages == NULL || a->languages[0] == NULL)
		return TRUE;
	for (char **l = a->languages; *l; l++)
		if (language_matches(*l, t->language))
			return TRUE;
	return FALSE;
}

gboolean hub_adviser_topic_ok(const SbPeer *a, const SbTicket *t)
{
	return a->topics == NULL || a->topics[0] == NULL || g_strv_contains((const char *const *)a->topics, t->topic);
}

gboolean hub_adviser_can_take(const SbPeer *a, const SbTicket *t)
{
	return hub_adviser_language_ok(a, t) && hub_adviser_topic_ok(a, t);
}

char *hub_queue_entry(SbHub *hub, SbTicket *t)
{
	JsonObject *e = json_object_new();
	json_object_set_string_member(e, "ticket", t->id);
	json_object_set_string_member(e, "booth_id", t->booth->booth_id);
	json_object_set_string_member(e, "site", t->booth->site ? t->booth->site : "");
	json_object_set_string_member(e, "language", t->language);
	json_object_set_string_member(e, "topic", t->topic);
	json_object_set_object_member(e, "answers", hub_answers_copy(t->answers));
	json_object_set_int_member(e, "waited_s", (hub_now_us(hub) - t->created_us) / G_USEC_PER_SEC);
	json_object_set_boolean_member(e, "booked", t->booked);
	if (t->transfer)
		json_object_set_boolean_member(e, "transfer", TRUE);
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(node, e);
	return json_to_string(node, FALSE);
}

gboolean hub_queue_entry_fits(SbHub *hub, SbTicket *t)
{
	/* the envelope of a part with the widest numbers */
	static const char envelope[] = "{\"type\":\"queue\",\"queue\":[],\"snapshot\":2147483647,\"part\":"
				       "2147483647,\"parts\":2147483647}";
	g_autofree char *entry = hub_queue_entry(hub, t);
	return strlen(entry) + strlen(envelope) <= CONFIG_RELAIS_PROTO_MAX_MESSAGE;
}

GPtrArray *hub_queue_entries(SbHub *hub, SbPeer *adviser)
{
	GPtrArray *items = g_ptr_array_new_with_free_func(g_free);
	for (GList *l = hub->queue.head; l; l = l->next) {
		SbTicket *t = l->data;
		/* a transferred call is not listed to those who had it: a loop */
		if (hub_adviser_can_take(adviser, t) && !(t->transfer && hub_transfer_had_call(t->transfer, adviser)))
			g_ptr_array_add(items, hub_queue_entry(hub, t));
	}
	return items;
}

void hub_queue_add(SbHub *hub, SbTicket *t)
{
	if (t->booked) {
		/* booked visitors first, first come first served among them */
		GList *l = hub->queue.head;
		while (l && ((SbTicket *)l->data)->booked)
			l = l->next;
		if (l)
			g_queue_insert_before(&hub->queue, l, t);
		else
			g_queue_push_tail(&hub->queue, t);
	} else {
		g_queue_push_tail(&hub->queue, t);
	}
}

void hub_queue_record_call(SbHub *hub, gint64 length_us)
{
	hub->durations[hub->next_duration] = MAX(0, length_us);
	hub->next_duration = (hub->next_duration + 1) % hub->config.wait_history;
	hub->n_durations = MIN(hub->n_durations + 1, hub->config.wait_history);
}

/* Mean length of the last config.wait_history ended calls, or the configured
 * default before any call has ended. */
static gint64 mean_call_us(SbHub *hub)
{
	if (hub->n_durations == 0)
		return (gint64)hub->config.default_call_s * G_USEC_PER_SEC;
	gint64 sum = 0;
	for (guint i = 0; i < hub->n_durations; i++)
		sum += hub->durations[i];
	return sum / hub->n_durations;
}

/* PROTOCOL.md: wait_s = position x mean call length / max(1, advisers on
 * duty who can take this ticket). Deliberately rough: it ignores how long the
 * calls in progress have already lasted, and an adviser in a call still
 * counts as on duty. */
static gint64 estimated_wait_s(SbHub *hub, const SbTicket *t, guint position)
{
	guint able = 0;
	for (guint i = 0; i < hub->advisers->len; i++)
		able += hub_adviser_can_take(g_ptr_array_index(hub->advisers, i), t);
	gint64 s = (gint64)position * mean_call_us(hub) / MAX(1u, able) / G_USEC_PER_SEC;
	return CLAMP(s, 0, G_MAXINT32);
}

/* Tells every waiting booth whose position or estimated wait changed. */
void hub_tell_positions(SbHub *hub, gboolean only_new)
{
	guint pos = 1;
	for (GList *l = hub->queue.head; l; l = l->next, pos++) {
		SbTicket *t = l->data;
		if (t->transfer)
			continue; /* its visitor is in a call: it counts, it is told nothing */
		if (only_new && t->told_position != 0)
			continue;
		gint64 wait = estimated_wait_s(hub, t, pos);
		if (t->told_position == pos && t->told_wait_s == wait)
			continue;
		t->told_position = pos;
		t->told_wait_s = wait;
		JsonObject *o = relais_msg_new(RELAIS_MSG_QUEUED);
		json_object_set_string_member(o, "ticket", t->id);
		json_object_set_int_member(o, "position", pos);
		json_object_set_int_member(o, "wait_s", wait);
		hub_send_obj(hub, t->booth, o);
	}
}

void hub_queue_drop(SbHub *hub, SbTicket *t)
{
	g_queue_remove(&hub->queue, t);
	t->booth->ticket = NULL;
	hub_ticket_free(t);
}

SbTicket *hub_queue_find(SbHub *hub, const char *id)
{
	for (GList *l = hub->queue.head; l; l = l->next) {
		SbTicket *t = l->data;
		if (g_strcmp0(t->id, id) == 0)
			return t;
	}
	return NULL;
}
