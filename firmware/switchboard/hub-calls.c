/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Calls: an adviser accepts a ticket, the two ends exchange sdp, ice, chat
 * and share through the hub, an end whose link drops (booth or adviser) is
 * waited for during the resume grace, the call ends (records through the
 * services), and the visitor's rating arrives afterwards. Calls answered by
 * a signed-in adviser are kept in the store while they last (services
 * call_answered / call_ended), so that a switchboard started again takes
 * them back (sb_hub_reload_call). */
#define G_LOG_DOMAIN "relais-hub"

#include "hub-private.h"

void hub_call_free(SbCall *c)
{
	hub_doc_free(c->doc);
	g_free(c->id);
	g_free(c->ticket);
	g_free(c->booth_id);
	g_free(c->site);
	g_free(c->topic);
	g_free(c->language);
	g_free(c->adviser_account);
	if (c->answers)
		json_object_unref(c->answers);
	if (c->owners)
		g_ptr_array_unref(c->owners);
	hub_transfer_free(c->transfer);
	if (c->held)
		g_ptr_array_unref(c->held);
	if (c->held_adviser)
		g_ptr_array_unref(c->held_adviser);
	g_free(c);
}

static void ended_free(SbEnded *e)
{
	g_free(e->call);
	g_free(e->adviser);
	g_free(e);
}

void hub_ended_queue_free(GQueue *q)
{
	g_queue_free_full(q, (GDestroyNotify)ended_free);
}

void hub_call_must_step(SbCall *call, SbCallEvent event)
{
	g_autoptr(GError) error = NULL;
	SbCallState next;
	if (!sb_call_transition(call->state, event, &next, &error)) {
		g_critical("call %s: %s", call->id, error->message);
		return;
	}
	call->state = next;
}

/* Forgets ended calls older than the rating window. */
static void prune_recent(SbHub *hub, gint64 now)
{
	gint64 window = (gint64)hub->config.feedback_window_s * G_USEC_PER_SEC;
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, hub->recent);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		GQueue *q = value;
		while (!g_queue_is_empty(q) && now - ((SbEnded *)g_queue_peek_head(q))->ended_us > window)
			ended_free(g_queue_pop_head(q));
		if (g_queue_is_empty(q))
			g_hash_table_iter_remove(&it);
	}
}

/* Keeps what a later rating needs, and the call's length for wait_s. Keyed
 * by booth_id, not by connection: a booth that reconnects (or sends status)
 * may still rate the call its visitor just had. */
static void remember_ended(SbHub *hub, SbCall *call)
{
	gint64 now = hub_now_us(hub);
	hub_queue_record_call(hub, now - call->started_us);

	prune_recent(hub, now);
	GQueue *q = g_hash_table_lookup(hub->recent, call->booth_id);
	if (q == NULL) {
		q = g_queue_new();
		g_hash_table_insert(hub->recent, g_strdup(call->booth_id), q);
	}
	SbEnded *e = g_new0(SbEnded, 1);
	e->call = g_strdup(call->id);
	e->adviser = call->adviser ? g_strdup(call->adviser->conn_id) : NULL; /* away: nobody to tell */
	e->ended_us = now;
	g_queue_push_tail(q, e);
	while (g_queue_get_length(q) > hub->config.recent_calls)
		ended_free(g_queue_pop_head(q));
}

void hub_end_call(SbHub *hub, SbCall *call, SbPeer *by, const char *reason)
{
	g_info("call %s ended by %s (%s)", call->id, by ? relais_role_name(by->role) : "switchboard",
	       reason ? reason : "");
	/* the switchboard ends a call only when an end did not come back */
	hub_call_must_step(call, by == NULL ? SB_CALL_EV_GRACE_OVER : SB_CALL_EV_END);
	hub_transfer_withdraw(hub, call, FALSE);
	hub_guests_call_ended(hub, call, reason);
	SbPeer *ends[2] = {call->booth, call->adviser};
	for (guint i = 0; i < 2; i++) {
		SbPeer *p = ends[i];
		if (p == NULL)
			continue; /* an end away: told `gone` if it comes back */
		p->call = NULL;
		if (p == call->booth)
			hub_booth_must_step(p, SB_BOOTH_EV_CALL_ENDED);
		if (p == by)
			continue;
		JsonObject *o = relais_msg_new(RELAIS_MSG_END);
		json_object_set_string_member(o, "call", call->id);
		if (reason)
			json_object_set_string_member(o, "reason", reason);
		hub_send_obj(hub, p, o);
	}
	remember_ended(hub, call);
	if (hub->services.call_ended) {
		/* a code, never the client's free text: the store keeps it */
		const char *code = g_strcmp0(reason, "peer-lost") == 0 ? "peer-lost"
				   : by == NULL			       ? "peer-lost"
				   : by->role == RELAIS_ROLE_BOOTH     ? "booth-hangup"
								       : "adviser-hangup";
		SbHubCallInfo info = {
			.call_id = call->id,
			.booth_id = call->booth_id,
			.site = call->site,
			.topic = call->topic,
			.language = call->language,
			.queued_at = call->queued_wall_s,
			.answered_at = call->answered_wall_s,
			.ended_at = hub_wall_s(hub),
			.end_reason = code,
			.adviser_conn = call->adviser ? call->adviser->conn : NULL,
			.transfers = call->transfers,
		};
		hub->services.call_ended(&info, hub->services_data);
	}
	g_hash_table_remove(hub->calls, call->id);
	hub_booths_changed(hub);
	/* the mean call length moved: so did the estimated waits */
	hub_tell_positions(hub, FALSE);
}

/* A visitor left the queue before anyone answered: a record without a call. */
void hub_ticket_abandoned(SbHub *hub, SbTicket *t, const char *code)
{
	if (hub->services.call_ended == NULL)
		return;
	SbHubCallInfo info = {
		.call_id = t->id,
		.booth_id = t->booth->booth_id,
		.site = t->booth->site,
		.topic = t->topic,
		.language = t->language,
		.queued_at = t->queued_wall_s,
		.ended_at = hub_wall_s(hub),
		.end_reason = code,
	};
	hub->services.call_ended(&info, hub->services_data);
}

/* Tells `peer` that call `id` is not there for it any more. */
static void send_gone(SbHub *hub, SbPeer *peer, const char *id)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_END);
	json_object_set_string_member(o, "call", id);
	json_object_set_string_member(o, "reason", "gone");
	hub_send_obj(hub, peer, o);
}

/* A booth back after losing its link, naming the call it was in. */
void hub_resume_call(SbHub *hub, SbPeer *booth, const char *id)
{
	SbCall *call = g_hash_table_lookup(hub->calls, id);
	SbCallState next;
	if (call == NULL || g_strcmp0(call->booth_id, booth->booth_id) != 0 ||
	    !sb_call_transition(call->state, SB_CALL_EV_BOOTH_BACK, &next, NULL)) {
		send_gone(hub, booth, id);
		return;
	}
	call->state = next;
	call->booth = booth;
	call->booth_away_us = 0;
	booth->call = call;
	hub_booth_must_step(booth, SB_BOOTH_EV_RESUMED);
	g_message("booth %s is back in call %s (%u held messages)", booth->booth_id, call->id, call->held->len);
	for (guint i = 0; i < call->held->len; i++)
		hub_send_text(hub, booth, g_ptr_array_index(call->held, i));
	g_ptr_array_set_size(call->held, 0);
}

/* An adviser back after losing its link (or a switchboard restart), naming
 * its call. The account it signed in with must be the one that answered:
 * the hello's words are not believed. A console of that account still
 * holding the call (its old link not found dead yet) is replaced, as a
 * booth's is. */
void hub_resume_adviser(SbHub *hub, SbPeer *adviser, const char *id)
{
	SbCall *call = g_hash_table_lookup(hub->calls, id);
	if (call == NULL || call->adviser_account == NULL || adviser->account == NULL ||
	    g_strcmp0(call->adviser_account, adviser->account) != 0) {
		if (call)
			g_message("adviser '%s' named call %s, which another account answered: refused", adviser->name,
				  id);
		send_gone(hub, adviser, id);
		return;
	}
	if (call->adviser && call->adviser != adviser) {
		SbPeer *old = call->adviser;
		g_message("adviser '%s' is back in call %s on a new connection: replacing the old one", adviser->name,
			  id);
		hub_close_peer(hub, old, 4000, "replaced");
		if (!hub_hold_call(hub, old)) {
			send_gone(hub, adviser, id);
			return;
		}
	}
	SbCallState next;
	if (!sb_call_transition(call->state, SB_CALL_EV_ADVISER_BACK, &next, NULL)) {
		send_gone(hub, adviser, id);
		return;
	}
	call->state = next;
	call->adviser = adviser;
	call->adviser_away_us = 0;
	adviser->call = call;
	g_message("adviser '%s' is back in call %s (%u held messages)", adviser->name, call->id,
		  call->held_adviser->len);
	for (guint i = 0; i < call->held_adviser->len; i++)
		hub_send_text(hub, adviser, g_ptr_array_index(call->held_adviser, i));
	g_ptr_array_set_size(call->held_adviser, 0);
}

gboolean hub_hold_call(SbHub *hub, SbPeer *peer)
{
	SbCall *call = peer->call;
	gboolean booth = peer->role == RELAIS_ROLE_BOOTH;
	if (call == NULL)
		return FALSE;
	if (hub->stopping && call->adviser_account != NULL) {
		/* the store keeps it: the next switchboard takes it back */
		if (booth)
			call->booth = NULL;
		else
			call->adviser = NULL;
		peer->call = NULL;
		return TRUE;
	}
	/* an adviser without account: nobody could ever resume the call */
	if (hub->config.resume_grace_s == 0 || (!booth && call->adviser_account == NULL))
		return FALSE;
	hub_call_must_step(call, booth ? SB_CALL_EV_BOOTH_LOST : SB_CALL_EV_ADVISER_LOST);
	if (booth) {
		call->booth = NULL;
		call->booth_away_us = hub_now_us(hub);
	} else {
		call->adviser = NULL;
		call->adviser_away_us = hub_now_us(hub);
	}
	peer->call = NULL;
	g_message("%s %s lost its link in call %s: holding the call %u s", relais_role_name(peer->role),
		  booth ? peer->booth_id : peer->name, call->id, hub->config.resume_grace_s);
	return TRUE;
}

static gboolean live_call_ok(const SbHubLiveCall *c, GError **error)
{
	const char *ids[] = {c->call_id, c->booth_id, c->adviser, c->ticket, c->topic, c->language};
	for (guint i = 0; i < G_N_ELEMENTS(ids); i++)
		if (ids[i] == NULL || *ids[i] == '\0') {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "a call in progress with a field missing");
			return FALSE;
		}
	if (c->queued_at <= 0 || c->answered_at < c->queued_at) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "call %s: its times are not in order",
			    c->call_id);
		return FALSE;
	}
	return TRUE;
}

gboolean sb_hub_reload_call(SbHub *hub, const SbHubLiveCall *c, GError **error)
{
	if (!live_call_ok(c, error))
		return FALSE;
	if (g_hash_table_contains(hub->calls, c->call_id)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS, "call %s is known already", c->call_id);
		return FALSE;
	}
	gint64 now = hub_now_us(hub);
	SbCall *call = g_new0(SbCall, 1);
	call->id = g_strdup(c->call_id);
	call->state = SB_CALL_BOTH_AWAY;
	call->ticket = g_strdup(c->ticket);
	call->booth_id = g_strdup(c->booth_id);
	call->adviser_account = g_strdup(c->adviser);
	call->owners = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(call->owners, g_strdup(c->adviser));
	/* its length (wait estimates) counts from now: the hub's clock is this process's */
	call->started_us = now;
	call->site = c->site && *c->site ? g_strdup(c->site) : NULL;
	call->topic = g_strdup(c->topic);
	call->language = g_strdup(c->language);
	call->queued_wall_s = c->queued_at;
	call->answered_wall_s = c->answered_at;
	call->booth_away_us = call->adviser_away_us = now;
	call->held = g_ptr_array_new_with_free_func(g_free);
	call->held_adviser = g_ptr_array_new_with_free_func(g_free);
	g_hash_table_insert(hub->calls, call->id, call);
	g_message("call %s (booth %s) taken back from the store: waiting %u s for its two ends", call->id,
		  call->booth_id, hub->config.resume_grace_s);
	return TRUE;
}

void hub_handle_accept(SbHub *hub, SbPeer *adviser, RelaisMsg *msg)
{
	const char *id = relais_msg_get_string(msg, "ticket");
	if (adviser->call) {
		hub_send_error(hub, adviser, RELAIS_PROTO_ERROR_STATE, "accept", "already in call %s",
			       adviser->call->id);
		return;
	}
	if (adviser->offer || adviser->invite) {
		hub_send_error(hub, adviser, RELAIS_PROTO_ERROR_STATE, "accept",
			       "a transfer is offered to you or you are joining one: answer it first");
		return;
	}
	SbTicket *t = hub_queue_find(hub, id);
	if (t == NULL) {
		hub_send_error(hub, adviser, RELAIS_PROTO_ERROR_GONE, "accept",
			       "ticket '%s' is no longer waiting (taken by another adviser or cancelled)", id);
		return;
	}
	if (!hub_adviser_language_ok(adviser, t)) {
		hub_send_error(hub, adviser, RELAIS_PROTO_ERROR_STATE, "accept",
			       "ticket '%s' is outside your skills: language '%s' is not one of yours", id,
			       t->language);
		return;
	}
	if (!hub_adviser_topic_ok(adviser, t)) {
		hub_send_error(hub, adviser, RELAIS_PROTO_ERROR_STATE, "accept",
			       "ticket '%s' is outside your skills: topic '%s' is not one of yours", id, t->topic);
		return;
	}
	if (t->transfer) {
		/* a call in progress transferred to this queue: its adviser joins it */
		hub_transfer_accept_ticket(hub, adviser, t);
		return;
	}
	SbPeer *booth = t->booth;
	g_autofree char *call_id = hub_random_id(hub, adviser, NULL);
	if (call_id == NULL)
		return;
	SbCall *call = g_new0(SbCall, 1);
	call->id = g_steal_pointer(&call_id);
	call->state = SB_CALL_ACTIVE;
	call->ticket = g_strdup(t->id);
	call->booth_id = g_strdup(booth->booth_id);
	call->booth = booth;
	call->adviser = adviser;
	call->started_us = hub_now_us(hub);
	call->site = g_strdup(booth->site);
	call->topic = g_strdup(t->topic);
	call->language = g_strdup(t->language);
	call->queued_wall_s = t->queued_wall_s;
	call->answered_wall_s = hub_wall_s(hub);
	call->held = g_ptr_array_new_with_free_func(g_free);
	call->held_adviser = g_ptr_array_new_with_free_func(g_free);
	call->adviser_account = g_strdup(adviser->account);
	call->answers = hub_answers_copy(t->answers);
	call->owners = g_ptr_array_new_with_free_func(g_free);
	if (adviser->account)
		g_ptr_array_add(call->owners, g_strdup(adviser->account));
	g_hash_table_insert(hub->calls, call->id, call);
	booth->call = call;
	hub_booth_must_step(booth, SB_BOOTH_EV_ACCEPTED);
	adviser->call = call;
	hub->calls_total++;
	if (t->booking && hub->services.booking_use) { /* a booking makes one call */
		g_autofree char *why = NULL;
		if (!hub->services.booking_use(booth->site, t->booking, call->id, &why, hub->services_data))
			g_warning("call %s: its booking could not be marked used: %s", call->id,
				  why ? why : "(no reason)");
	}

	JsonObject *to_booth = relais_msg_new(RELAIS_MSG_CALL);
	json_object_set_string_member(to_booth, "call", call->id);
	json_object_set_string_member(to_booth, "ticket", t->id);
	json_object_set_string_member(to_booth, "peer", adviser->name);
	json_object_set_array_member(to_booth, "ice_servers", hub_ice_servers_for(hub, booth));
	/* the booth's offer is ready: tell it first, every millisecond counts */
	hub_send_obj(hub, booth, to_booth);

	JsonObject *to_adviser = relais_msg_new(RELAIS_MSG_CALL);
	json_object_set_string_member(to_adviser, "call", call->id);
	json_object_set_string_member(to_adviser, "ticket", t->id);
	json_object_set_string_member(to_adviser, "peer", booth->booth_id);
	json_object_set_array_member(to_adviser, "ice_servers", hub_ice_servers_for(hub, adviser));
	json_object_set_string_member(to_adviser, "language", t->language);
	json_object_set_string_member(to_adviser, "topic", t->topic);
	json_object_set_object_member(to_adviser, "answers", hub_answers_copy(t->answers));
	hub_send_obj(hub, adviser, to_adviser);

	g_message("call %s: adviser '%s' accepted %s at booth %s", call->id, adviser->name, t->id, booth->booth_id);
	if (call->adviser_account && hub->services.call_answered) {
		SbHubLiveCall live = {
			.call_id = call->id,
			.booth_id = call->booth_id,
			.adviser = call->adviser_account,
			.ticket = call->ticket,
			.site = call->site,
			.topic = call->topic,
			.language = call->language,
			.queued_at = call->queued_wall_s,
			.answered_at = call->answered_wall_s,
		};
		hub->services.call_answered(&live, hub->services_data);
	}

	g_autofree char *ticket = g_strdup(t->id);
	hub_queue_drop(hub, t);
	/* everyone else: this visitor is no longer waiting */
	JsonObject *taken = relais_msg_new(RELAIS_MSG_TAKEN);
	json_object_set_string_member(taken, "ticket", ticket);
	g_autofree char *taken_text = relais_msg_to_string(taken);
	for (guint i = 0; i < hub->advisers->len; i++) {
		SbPeer *a = g_ptr_array_index(hub->advisers, i);
		if (a != adviser)
			hub_send_text(hub, a, taken_text);
	}
	hub_queue_changed(hub);
	hub_booths_changed(hub);
}

/* Only the adviser's last screen-sharing state matters to a booth that
 * comes back: an earlier one held is dropped (toggles never push chat out). */
static void drop_held_share(SbCall *call)
{
	for (guint i = call->held->len; i-- > 0;)
		if (g_str_has_prefix(g_ptr_array_index(call->held, i), "{\"type\":\"share\""))
			g_ptr_array_remove_index(call->held, i);
}

/* sdp, ice, chat, share, reconnect, end: only between the two ends of the named call */
void hub_handle_in_call(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	RelaisMsgType type = relais_msg_get_type(msg);
	const char *id = relais_msg_get_string(msg, "call");
	if (peer->call == NULL || g_strcmp0(peer->call->id, id) != 0) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, relais_msg_type_name(type), "not in call '%s'", id);
		return;
	}
	SbCall *call = peer->call;
	SbPeer *other = peer == call->booth ? call->adviser : call->booth;
	if (type == RELAIS_MSG_END) {
		hub_end_call(hub, call, peer, relais_msg_get_string(msg, "reason"));
		return;
	}
	if ((type == RELAIS_MSG_SDP || type == RELAIS_MSG_ICE) && hub_guest_route_media(hub, peer, msg))
		return;
	/* "adviser" is only a transferring colleague's name for the other
	 * adviser (protocol.c check_peer) */
	if ((type == RELAIS_MSG_SDP || type == RELAIS_MSG_ICE) && peer->role == RELAIS_ROLE_ADVISER &&
	    g_strcmp0(relais_msg_get_string(msg, "peer"), "adviser") == 0) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_FIELD, relais_msg_type_name(type),
			       "field 'peer' names the sender itself");
		return;
	}
	if (type == RELAIS_MSG_CHAT)
		hub_guest_chat_copy(hub, call, msg, peer->role == RELAIS_ROLE_BOOTH ? "visitor" : peer->name);
	hub_call_must_step(call, SB_CALL_EV_RELAY);
	/* Re-encode from the validated message rather than forwarding the raw
	 * text: the receiver only ever sees members we know. */
	JsonObject *o = relais_msg_new(type);
	json_object_set_string_member(o, "call", id);
	switch (type) {
	case RELAIS_MSG_SDP:
		json_object_set_string_member(o, "sdp_type", relais_msg_get_string(msg, "sdp_type"));
		json_object_set_string_member(o, "sdp", relais_msg_get_string(msg, "sdp"));
		if (relais_msg_get_int(msg, "media", 0) > 0)
			json_object_set_int_member(o, "media", relais_msg_get_int(msg, "media", 0));
		break;
	case RELAIS_MSG_ICE:
		json_object_set_string_member(o, "candidate", relais_msg_get_string(msg, "candidate"));
		json_object_set_int_member(o, "mline", relais_msg_get_int(msg, "mline", 0));
		if (relais_msg_get_int(msg, "media", 0) > 0)
			json_object_set_int_member(o, "media", relais_msg_get_int(msg, "media", 0));
		break;
	case RELAIS_MSG_RECONNECT:
		json_object_set_int_member(o, "media", relais_msg_get_int(msg, "media", 0));
		break;
	case RELAIS_MSG_CHAT:
		json_object_set_string_member(o, "text", relais_msg_get_string(msg, "text"));
		json_object_set_string_member(o, "from", peer->role == RELAIS_ROLE_BOOTH ? "visitor" : peer->name);
		break;
	case RELAIS_MSG_SHARE:
		json_object_set_string_member(o, "state", relais_msg_get_string(msg, "state"));
		break;
	case RELAIS_MSG_DEVICE:
		json_object_set_string_member(o, "device", relais_msg_get_string(msg, "device"));
		json_object_set_string_member(o, "state", relais_msg_get_string(msg, "state"));
		break;
	default:
		break;
	}
	if (other == NULL) {
		/* The other end's link is away: media may well still flow
		 * between the two ends; keep the chat (and, for the booth, the
		 * screen-sharing state) for when it is back, drop the rest
		 * (candidates and descriptions are stale by then). */
		GPtrArray *held = peer == call->adviser ? call->held : call->held_adviser;
		if (type == RELAIS_MSG_SHARE)
			drop_held_share(call);
		if ((type == RELAIS_MSG_CHAT || type == RELAIS_MSG_SHARE) && held->len < SB_HELD_MAX)
			g_ptr_array_add(held, relais_msg_to_string(o));
		else
			json_object_unref(o);
		return;
	}
	hub_send_obj(hub, other, o);
	hub_observe_relay(hub);
}

/* The visitor's rating, sent by the booth after the call (it is idle again
 * by then). Refused as gone unless it names a call this booth had that ended
 * within the window and was not rated yet. */
void hub_handle_feedback(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	const char *id = relais_msg_get_string(msg, "call");
	gint64 score = relais_msg_get_int(msg, "score", 0);
	if (!hub_booth_step(peer, SB_BOOTH_EV_FEEDBACK)) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, "feedback",
			       "feedback is sent after the call, not while queued or in a call");
		return;
	}
	prune_recent(hub, hub_now_us(hub));
	GQueue *q = g_hash_table_lookup(hub->recent, peer->booth_id);
	GList *l = q ? q->head : NULL;
	while (l && g_strcmp0(((SbEnded *)l->data)->call, id) != 0)
		l = l->next;
	if (l == NULL) {
		hub_send_error(
			hub, peer, RELAIS_PROTO_ERROR_GONE, "feedback",
			"call '%s' cannot be rated: not this booth's, ended more than %u s ago, or already rated", id,
			hub->config.feedback_window_s);
		return;
	}
	SbEnded *e = l->data;
	g_queue_delete_link(q, l); /* once per call */
	if (g_queue_is_empty(q))
		g_hash_table_remove(hub->recent, peer->booth_id);
	hub->satisfaction[score - 1]++;
	if (hub->services.feedback)
		hub->services.feedback(id, (gint)score, hub->services_data);
	g_message("call %s rated %" G_GINT64_FORMAT "/5 at booth %s", id, score, peer->booth_id);
	for (guint i = 0; i < hub->advisers->len; i++) {
		SbPeer *a = g_ptr_array_index(hub->advisers, i);
		if (g_strcmp0(a->conn_id, e->adviser) != 0)
			continue;
		JsonObject *o = relais_msg_new(RELAIS_MSG_FEEDBACK);
		json_object_set_string_member(o, "call", id);
		json_object_set_int_member(o, "score", score);
		hub_send_obj(hub, a, o);
		break;
	}
	ended_free(e);
}

void hub_end_held_calls(SbHub *hub, const char *booth_id)
{
	g_autoptr(GPtrArray) held = g_ptr_array_new();
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, hub->calls);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		SbCall *call = value;
		if (call->booth == NULL && g_strcmp0(call->booth_id, booth_id) == 0)
			g_ptr_array_add(held, call);
	}
	for (guint i = 0; i < held->len; i++) {
		SbCall *call = g_ptr_array_index(held, i);
		g_message("booth %s is back without call %s (restarted): ending it", booth_id, call->id);
		hub_end_call(hub, call, NULL, "peer-lost");
	}
}

void hub_calls_expire(SbHub *hub, gint64 now)
{
	gint64 grace = (gint64)hub->config.resume_grace_s * G_USEC_PER_SEC;
	g_autoptr(GPtrArray) expired = g_ptr_array_new();
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, hub->calls);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		SbCall *call = value;
		if ((call->booth == NULL && now - call->booth_away_us >= grace) ||
		    (call->adviser == NULL && now - call->adviser_away_us >= grace))
			g_ptr_array_add(expired, call);
	}
	for (guint i = 0; i < expired->len; i++) {
		SbCall *call = g_ptr_array_index(expired, i);
		g_message("call %s: %s did not come back within %u s", call->id,
			  call->booth == NULL && call->adviser == NULL ? "neither end"
			  : call->booth == NULL			       ? "the booth"
								       : "the adviser",
			  hub->config.resume_grace_s);
		hub_end_call(hub, call, NULL, "peer-lost");
	}
}
