/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Warm transfer (THREEWAY.md "Warm transfer", PROTOCOL.md "Warm
 * transfer"): the call's adviser A offers it to a colleague B, or puts its
 * ticket at the front of a topic's queue; B (or whoever accepts the
 * ticket) joins as a guest of role colleague, through the visitor's
 * consent, over its own adviser link; A's transfer_done then makes B the
 * call's adviser. One transfer per call at a time. Whatever goes wrong (B
 * declines, signs out, never answers; nobody takes the queue's ticket), A
 * keeps the call: nothing here ends it. */
#define G_LOG_DOMAIN "relais-hub"

#include "hub-private.h"

#include <string.h>

static const char *const state_names[] = {"offered", "queued", "joining"};
/* How transfers end, for relais_transfers_total (hub->transfer_outcomes). */
static const char *const outcome_names[HUB_TRANSFER_OUTCOMES] = {"done", "declined", "gone", "unanswered", "withdrawn"};

void hub_transfer_free(SbTransfer *t)
{
	if (t == NULL)
		return;
	g_free(t->topic);
	g_free(t->note);
	g_free(t);
}

/* How an adviser is named to others: the name, else the login (never empty:
 * the messages that carry it want 1 character at least). */
static const char *display_name(const SbPeer *a)
{
	if (a->name && *a->name)
		return a->name;
	return a->account && *a->account ? a->account : "adviser";
}

static void send_state(SbHub *hub, SbPeer *to, SbCall *call, const char *state, SbPeer *adviser)
{
	if (to == NULL)
		return;
	JsonObject *o = relais_msg_new(RELAIS_MSG_TRANSFER_STATE);
	json_object_set_string_member(o, "call", call->id);
	json_object_set_string_member(o, "state", state);
	if (adviser)
		json_object_set_string_member(o, "adviser", display_name(adviser));
	if (call->transfer && call->transfer->topic)
		json_object_set_string_member(o, "topic", call->transfer->topic);
	hub_send_obj(hub, to, o);
}

/* The queued ticket of a transfer leaves the queue: the other advisers
 * see it taken. */
static void drop_ticket(SbHub *hub, SbTransfer *tr, SbPeer *taker)
{
	SbTicket *t = tr->ticket;
	if (t == NULL)
		return;
	tr->ticket = NULL;
	JsonObject *taken = relais_msg_new(RELAIS_MSG_TAKEN);
	json_object_set_string_member(taken, "ticket", t->id);
	g_autofree char *text = relais_msg_to_string(taken);
	for (guint i = 0; i < hub->advisers->len; i++) {
		SbPeer *a = g_ptr_array_index(hub->advisers, i);
		if (a != taker)
			hub_send_text(hub, a, text);
	}
	/* not hub_queue_drop: the booth is in its call, it has no ticket of its own */
	g_queue_remove(&hub->queue, t);
	hub_ticket_free(t);
	hub_queue_changed(hub);
}

/* The transfer of `call` is over (declined, gone, done...): nobody is
 * offered or queued any more. A's state was told by the caller. */
static void transfer_end(SbHub *hub, SbCall *call, HubTransferOutcome outcome)
{
	SbTransfer *tr = call->transfer;
	if (tr == NULL)
		return;
	hub->transfer_outcomes[outcome]++;
	g_message("call %s: transfer %s over: %s", call->id, state_names[tr->state], outcome_names[outcome]);
	call->transfer = NULL;
	if (tr->to && tr->to->offer == call)
		tr->to->offer = NULL;
	drop_ticket(hub, tr, NULL);
	hub_transfer_free(tr);
}

/* Whether `a` is signed in as one of the advisers who had `call`. */
gboolean hub_transfer_had_call(SbCall *call, const SbPeer *a)
{
	if (a->account == NULL || call->owners == NULL)
		return FALSE;
	for (guint i = 0; i < call->owners->len; i++)
		if (g_strcmp0(g_ptr_array_index(call->owners, i), a->account) == 0)
			return TRUE;
	return FALSE;
}

/* Whether `a` could take `call` now, as a colleague: greeted, free (no
 * call, no offer, no guest place), its skills cover the call's language
 * and `topic`. */
static gboolean can_take(SbPeer *a, SbCall *call, const char *topic)
{
	SbTicket probe = {.language = call->language, .topic = (char *)topic};
	return !a->closing && a->call == NULL && a->offer == NULL && a->invite == NULL &&
	       hub_adviser_can_take(a, &probe);
}

static SbPeer *find_adviser(SbHub *hub, const char *login)
{
	for (guint i = 0; i < hub->advisers->len; i++) {
		SbPeer *a = g_ptr_array_index(hub->advisers, i);
		if (a->account && g_strcmp0(a->account, login) == 0 && !a->closing)
			return a;
	}
	return NULL;
}

static void send_offer(SbHub *hub, SbCall *call, SbPeer *to, gboolean queued)
{
	SbTransfer *tr = call->transfer;
	JsonObject *o = relais_msg_new(RELAIS_MSG_TRANSFER_OFFER);
	json_object_set_string_member(o, "call", call->id);
	json_object_set_string_member(o, "from", display_name(tr->from));
	json_object_set_string_member(o, "language", call->language);
	json_object_set_string_member(o, "topic", tr->topic ? tr->topic : call->topic);
	json_object_set_object_member(o, "answers", hub_answers_copy(call->answers));
	if (tr->note)
		json_object_set_string_member(o, "note", tr->note);
	/* taken from a queue it is accepted already: the time says nothing then */
	json_object_set_int_member(o, "expires_s", hub->config.transfer_answer_s);
	if (queued)
		json_object_set_boolean_member(o, "queued", TRUE);
	hub_send_obj(hub, to, o);
}

/* `b` takes the transfer of `call`: it joins through the visitor's consent. */
static void join(SbHub *hub, SbCall *call, SbPeer *b)
{
	SbTransfer *tr = call->transfer;
	tr->state = SB_TRANSFER_JOINING;
	tr->to = b;
	b->offer = call;
	send_state(hub, tr->from, call, "accepted", b);
	if (hub_guest_colleague(hub, call, b) == NULL) {
		/* a guest came first, or no random bytes: A keeps the call */
		send_state(hub, tr->from, call, "gone", b);
		send_state(hub, b, call, "withdrawn", NULL);
		transfer_end(hub, call, HUB_TRANSFER_GONE);
	}
}

static void handle_transfer(SbHub *hub, SbPeer *peer, SbCall *call, RelaisMsg *msg)
{
	JsonObject *to = relais_msg_get_object(msg, "to");
	const char *login = json_object_get_string_member_with_default(to, "adviser", NULL);
	const char *topic = json_object_get_string_member_with_default(to, "topic", NULL);
	if (call->transfer) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, "transfer",
			       "a transfer of this call is under way already (%s)", state_names[call->transfer->state]);
		return;
	}
	if (call->invite && call->invite->state != SB_GUEST_OVER &&
	    (call->invite->state != SB_GUEST_INVITED || hub_now_us(hub) < call->invite->expires_us)) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_FULL, "transfer",
			       "this call has a guest invited, asked or present: remove them first (at most three "
			       "people in a call)");
		return;
	}
	if (call->booth == NULL) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, "transfer",
			       "the booth's link is away: transfer when it is back");
		return;
	}
	if (login && peer->account && g_strcmp0(login, peer->account) == 0) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_LOOP, "transfer",
			       "you cannot transfer a call to yourself");
		return;
	}
	if (call->transfers >= RELAIS_PROTO_MAX_TRANSFERS) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_CHAIN, "transfer",
			       "this call was transferred %u times already, the most there may be", call->transfers);
		return;
	}
	const char *note = relais_msg_get_string(msg, "note");
	if (login) {
		SbPeer *b = find_adviser(hub, login);
		if (b && hub_transfer_had_call(call, b)) {
			hub_send_error(hub, peer, RELAIS_PROTO_ERROR_LOOP, "transfer",
				       "%s had this call before: a transfer does not go back along its chain",
				       display_name(b));
			return;
		}
		if (b == NULL) {
			hub_send_error(hub, peer, RELAIS_PROTO_ERROR_UNAVAILABLE, "transfer",
				       "no adviser '%s' is signed in now", login);
			return;
		}
		if (!can_take(b, call, call->topic)) {
			hub_send_error(hub, peer, RELAIS_PROTO_ERROR_UNAVAILABLE, "transfer",
				       b->call || b->offer || b->invite
					       ? "%s is busy (in a call, or offered one)"
					       : "%s does not take this call's language and topic",
				       display_name(b));
			return;
		}
		SbTransfer *tr = g_new0(SbTransfer, 1);
		tr->state = SB_TRANSFER_OFFERED;
		tr->from = peer;
		tr->to = b;
		tr->note = note && *note ? g_strdup(note) : NULL;
		tr->since_us = hub_now_us(hub);
		call->transfer = tr;
		b->offer = call;
		g_message("call %s: adviser '%s' offers it to '%s'", call->id, display_name(peer), display_name(b));
		send_offer(hub, call, b, FALSE);
		send_state(hub, peer, call, "offered", b);
		return;
	}
	/* to a topic's queue: someone free now, other than those who had it, must be able to take it */
	gboolean someone = FALSE;
	for (guint i = 0; i < hub->advisers->len && !someone; i++) {
		SbPeer *a = g_ptr_array_index(hub->advisers, i);
		SbTicket probe = {.language = call->language, .topic = (char *)topic};
		someone =
			a != peer && !hub_transfer_had_call(call, a) && !a->closing && hub_adviser_can_take(a, &probe);
	}
	if (!someone) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_UNAVAILABLE, "transfer",
			       "no adviser signed in takes topic '%s' in language '%s'", topic, call->language);
		return;
	}
	if (g_queue_get_length(&hub->queue) >= hub->config.max_queue) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_FULL, "transfer", "the queue is full (%u visitors)",
			       hub->config.max_queue);
		return;
	}
	g_autofree char *ticket_id = hub_random_id(hub, peer, "t-");
	if (ticket_id == NULL)
		return;
	SbTicket *t = g_new0(SbTicket, 1);
	t->id = g_steal_pointer(&ticket_id);
	t->booth = call->booth;
	t->language = g_strdup(call->language);
	t->topic = g_strdup(topic);
	t->answers = hub_answers_copy(call->answers);
	t->created_us = hub_now_us(hub);
	t->queued_wall_s = hub_wall_s(hub);
	t->transfer = call;
	/* never told a position: its visitor is in a call */
	t->told_position = 1;
	if (!hub_queue_entry_fits(hub, t)) {
		hub_ticket_free(t);
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_SIZE, "transfer",
			       "the answers are too long to be listed for the advisers");
		return;
	}
	SbTransfer *tr = g_new0(SbTransfer, 1);
	tr->state = SB_TRANSFER_QUEUED;
	tr->from = peer;
	tr->topic = g_strdup(topic);
	tr->note = note && *note ? g_strdup(note) : NULL;
	tr->since_us = t->created_us;
	tr->ticket = t;
	call->transfer = tr;
	/* at the front: before booked visitors too, who wait in the booth, not in a call */
	g_queue_push_head(&hub->queue, t);
	g_message("call %s: adviser '%s' puts it at the front of the queue for '%s' as %s", call->id, peer->name, topic,
		  t->id);
	send_state(hub, peer, call, "queued", NULL);
	hub_queue_changed(hub);
}

/* The names and logins of the colleagues who could take the call now, and
 * the topics the advisers signed in take, with the tickets waiting. */
static void handle_list(SbHub *hub, SbPeer *peer, SbCall *call)
{
	JsonArray *advisers = json_array_new();
	g_autoptr(GHashTable) topics = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_add(topics, call->topic);
	for (guint i = 0; i < hub->advisers->len; i++) {
		SbPeer *a = g_ptr_array_index(hub->advisers, i);
		if (a == peer)
			continue;
		for (char **t = a->topics; t && *t; t++)
			g_hash_table_add(topics, *t);
		if (a->account == NULL || hub_transfer_had_call(call, a) || !can_take(a, call, call->topic))
			continue;
		JsonObject *e = json_object_new();
		json_object_set_string_member(e, "adviser", a->account);
		json_object_set_string_member(e, "name", display_name(a));
		json_array_add_object_element(advisers, e);
	}
	g_autoptr(GList) names = g_list_sort(g_hash_table_get_keys(topics), (GCompareFunc)g_strcmp0);
	JsonArray *list = json_array_new();
	for (GList *l = names; l; l = l->next) {
		guint waiting = 0, able = 0;
		for (GList *q = hub->queue.head; q; q = q->next)
			waiting += g_strcmp0(((SbTicket *)q->data)->topic, l->data) == 0;
		SbTicket probe = {.language = call->language, .topic = l->data};
		for (guint i = 0; i < hub->advisers->len; i++) {
			SbPeer *a = g_ptr_array_index(hub->advisers, i);
			able += a != peer && !hub_transfer_had_call(call, a) && hub_adviser_can_take(a, &probe);
		}
		JsonObject *e = json_object_new();
		json_object_set_string_member(e, "topic", l->data);
		json_object_set_int_member(e, "waiting", waiting);
		json_object_set_int_member(e, "advisers", able);
		json_array_add_object_element(list, e);
	}
	JsonObject *o = relais_msg_new(RELAIS_MSG_TRANSFER_OPTIONS);
	json_object_set_string_member(o, "call", call->id);
	json_object_set_array_member(o, "advisers", advisers);
	json_object_set_array_member(o, "topics", list);
	hub_send_obj(hub, peer, o);
}

/* A's transfer_done: B, joined, becomes the call's adviser; A's link
 * gets end{transferred}, the booth and B call_owner. */
static void handover(SbHub *hub, SbPeer *a, SbCall *call)
{
	SbTransfer *tr = call->transfer;
	SbInvite *inv = call->invite;
	if (tr == NULL || tr->state != SB_TRANSFER_JOINING || inv == NULL || inv->peer != tr->to ||
	    inv->state != SB_GUEST_JOINED) {
		hub_send_error(hub, a, RELAIS_PROTO_ERROR_STATE, "transfer_done",
			       "no colleague has joined this call yet: hand over once they have");
		return;
	}
	SbPeer *b = tr->to;
	inv->state = SB_GUEST_OVER;
	inv->peer = NULL;
	b->invite = NULL;
	call->invite = NULL;
	call->transfers++;
	if (call->owners == NULL)
		call->owners = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(call->owners, g_strdup(b->account));
	transfer_end(hub, call, HUB_TRANSFER_DONE);

	a->call = NULL;
	b->call = call;
	call->adviser = b;
	g_free(call->adviser_account);
	call->adviser_account = g_strdup(b->account);
	g_message("call %s: adviser '%s' handed it over to '%s' (transfer %u)", call->id, a->name, b->name,
		  call->transfers);
	JsonObject *end = relais_msg_new(RELAIS_MSG_END);
	json_object_set_string_member(end, "call", call->id);
	json_object_set_string_member(end, "reason", "transferred");
	hub_send_obj(hub, a, end);
	JsonObject *owner = relais_msg_new(RELAIS_MSG_CALL_OWNER);
	json_object_set_string_member(owner, "call", call->id);
	json_object_set_string_member(owner, "adviser", display_name(b));
	g_autofree char *text = relais_msg_to_string(owner);
	hub_send_text(hub, call->booth, text);
	hub_send_text(hub, b, text);
	if (call->adviser_account && hub->services.call_owner)
		hub->services.call_owner(call->id, call->adviser_account, hub->services_data);
	/* A is free again: its queue and the booths' availability */
	hub_queue_changed(hub);
}

void hub_handle_transfer(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	RelaisMsgType type = relais_msg_get_type(msg);
	const char *ref = relais_msg_type_name(type);
	const char *id = relais_msg_get_string(msg, "call");
	if (type == RELAIS_MSG_TRANSFER_ACCEPT || type == RELAIS_MSG_TRANSFER_DECLINE) {
		SbCall *call = peer->offer;
		if (call == NULL || g_strcmp0(call->id, id) != 0 || call->transfer == NULL ||
		    call->transfer->to != peer || call->transfer->state != SB_TRANSFER_OFFERED) {
			hub_send_error(hub, peer, RELAIS_PROTO_ERROR_GONE, ref,
				       "call '%s' is not offered to you now (withdrawn, or its time ran out)", id);
			return;
		}
		if (type == RELAIS_MSG_TRANSFER_DECLINE) {
			g_message("call %s: '%s' declined the transfer", call->id, peer->name);
			send_state(hub, call->transfer->from, call, "declined", peer);
			transfer_end(hub, call, HUB_TRANSFER_DECLINED);
			return;
		}
		g_message("call %s: '%s' accepted the transfer", call->id, peer->name);
		join(hub, call, peer);
		return;
	}
	if (peer->call == NULL || g_strcmp0(peer->call->id, id) != 0 || peer->call->adviser != peer) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, ref, "not in call '%s'", id);
		return;
	}
	switch (type) {
	case RELAIS_MSG_TRANSFER:
		handle_transfer(hub, peer, peer->call, msg);
		return;
	case RELAIS_MSG_TRANSFER_LIST:
		handle_list(hub, peer, peer->call);
		return;
	case RELAIS_MSG_TRANSFER_DONE:
		handover(hub, peer, peer->call);
		return;
	default:
		g_assert_not_reached();
	}
}

void hub_transfer_accept_ticket(SbHub *hub, SbPeer *adviser, SbTicket *t)
{
	SbCall *call = t->transfer;
	SbTransfer *tr = call->transfer;
	if (hub_transfer_had_call(call, adviser)) {
		hub_send_error(hub, adviser, RELAIS_PROTO_ERROR_LOOP, "accept",
			       "you had this call before: a transfer does not go back along its chain");
		return;
	}
	g_message("call %s: '%s' takes its transfer from the queue (%s)", call->id, adviser->name, t->id);
	drop_ticket(hub, tr, adviser);
	/* what the offer says to a colleague named: the answers and A's note */
	send_offer(hub, call, adviser, TRUE);
	join(hub, call, adviser);
}

void hub_transfer_guest_step(SbHub *hub, SbCall *call, const char *state)
{
	SbTransfer *tr = call->transfer;
	if (tr == NULL || tr->state != SB_TRANSFER_JOINING)
		return;
	if (g_strcmp0(state, "joining") == 0 || g_strcmp0(state, "joined") == 0) {
		send_state(hub, tr->from, call, state, tr->to);
		return;
	}
	/* out of the call before the hand-over: the visitor said no (declined),
	 * or the colleague left, was removed, or lost its link (gone) */
	send_state(hub, tr->from, call, g_strcmp0(state, "declined") == 0 ? "declined" : "gone", tr->to);
	transfer_end(hub, call, g_strcmp0(state, "declined") == 0 ? HUB_TRANSFER_DECLINED : HUB_TRANSFER_GONE);
}

void hub_transfer_adviser_gone(SbHub *hub, SbPeer *adviser)
{
	SbCall *offered = adviser->offer;
	if (offered && offered->transfer && offered->transfer->to == adviser) {
		if (adviser->invite) {
			/* joining or joined: it left (hub_transfer_guest_step tells A) */
			hub_guest_gone(hub, adviser);
		} else {
			send_state(hub, offered->transfer->from, offered, "gone", adviser);
			transfer_end(hub, offered, HUB_TRANSFER_GONE);
		}
	}
	adviser->offer = NULL;
	SbCall *own = adviser->call;
	if (own && own->transfer && own->transfer->from == adviser) {
		/* A went before handing over: the transfer is withdrawn, the
		 * call is held or ends as any call whose adviser goes */
		hub_transfer_withdraw(hub, own, TRUE);
	}
}

void hub_transfer_withdraw(SbHub *hub, SbCall *call, gboolean tell_from)
{
	SbTransfer *tr = call->transfer;
	if (tr == NULL)
		return;
	SbPeer *b = tr->to;
	if (tell_from)
		send_state(hub, tr->from, call, "withdrawn", NULL);
	if (b) {
		send_state(hub, b, call, "withdrawn", NULL);
		if (b->invite && b->invite->call == call && tell_from) {
			call->transfer = NULL; /* its guest_out must not step a transfer being withdrawn */
			hub_guest_gone(hub, b);
			call->transfer = tr;
		}
	}
	transfer_end(hub, call, HUB_TRANSFER_WITHDRAWN);
}

void hub_transfer_metrics(SbHub *hub, GString *out)
{
	g_string_append(out, "# HELP relais_transfers_total Warm transfers, by how they ended: handed over, declined "
			     "(by the colleague, by the visitor, or not answered in time), the colleague gone, nobody "
			     "taking the queue's ticket, withdrawn (the call or a link ended).\n"
			     "# TYPE relais_transfers_total counter\n");
	for (guint i = 0; i < HUB_TRANSFER_OUTCOMES; i++)
		g_string_append_printf(out, "relais_transfers_total{outcome=\"%s\"} %" G_GUINT64_FORMAT "\n",
				       outcome_names[i], hub->transfer_outcomes[i]);
}

void hub_transfer_expire(SbHub *hub, gint64 now)
{
	g_autoptr(GPtrArray) late = g_ptr_array_new();
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, hub->calls);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		SbCall *call = value;
		SbTransfer *tr = call->transfer;
		if (tr == NULL)
			continue;
		if ((tr->state == SB_TRANSFER_OFFERED &&
		     now - tr->since_us >= (gint64)hub->config.transfer_answer_s * G_USEC_PER_SEC) ||
		    (tr->state == SB_TRANSFER_QUEUED &&
		     now - tr->since_us >= (gint64)hub->config.transfer_queue_s * G_USEC_PER_SEC))
			g_ptr_array_add(late, call);
	}
	for (guint i = 0; i < late->len; i++) {
		SbCall *call = g_ptr_array_index(late, i);
		SbTransfer *tr = call->transfer;
		if (tr->state == SB_TRANSFER_OFFERED) {
			g_message("call %s: '%s' did not answer the transfer within %u s: declined", call->id,
				  tr->to->name, hub->config.transfer_answer_s);
			send_state(hub, tr->to, call, "expired", NULL);
			send_state(hub, tr->from, call, "declined", tr->to);
		} else {
			g_message("call %s: nobody took it from the queue within %u s: its adviser keeps it", call->id,
				  hub->config.transfer_queue_s);
			send_state(hub, tr->from, call, "unanswered", NULL);
		}
		/* an offer nobody answered counts as declined (PROTOCOL.md) */
		transfer_end(hub, call,
			     tr->state == SB_TRANSFER_OFFERED ? HUB_TRANSFER_DECLINED : HUB_TRANSFER_UNANSWERED);
	}
}
