/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A guest in the call (THREEWAY.md "Invitation", PROTOCOL.md "A guest in
 * the call"): the adviser's invitations, kept in memory by their token's
 * SHA-256 only; the guest's hello checked against them; the visitor's
 * consent; sdp, ice and chat routed between the three; the guest removed,
 * gone, or told the call ended. At most one guest per call. Nothing a
 * guest does, or fails to do, ends the visitor's call. */
#define G_LOG_DOMAIN "relais-hub"

#include "hub-private.h"
#include "auth.h"

#include <string.h>

/* An invitation lasts this long at most (or until its call ends). */
#define INVITE_LIFE_US ((gint64)15 * 60 * G_USEC_PER_SEC)
/* The visitor's answer: none within this is "Not now". */
#define ASK_TIMEOUT_US ((gint64)60 * G_USEC_PER_SEC)
/* A spent or expired invitation is remembered this long after it was
 * made, so that its link is answered "used" or "expired", not "unknown". */
#define INVITE_KEPT_US ((gint64)60 * 60 * G_USEC_PER_SEC)

static const char *const state_names[] = {"invited", "asking", "joining", "joined", "over"};

static void invite_free(SbInvite *inv)
{
	if (inv == NULL)
		return;
	g_free(inv->id);
	g_free(inv->hash);
	g_free(inv->call_id);
	g_free(inv->role);
	g_free(inv->name);
	g_free(inv);
}

void hub_guests_init(SbHub *hub)
{
	hub->invites = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)invite_free);
}

void hub_guests_shutdown(SbHub *hub)
{
	g_hash_table_unref(hub->invites);
}

static gboolean in_call(const SbInvite *inv)
{
	return inv->state == SB_GUEST_ASKING || inv->state == SB_GUEST_JOINING || inv->state == SB_GUEST_JOINED;
}

static gboolean let_in(const SbInvite *inv)
{
	return inv->state == SB_GUEST_JOINING || inv->state == SB_GUEST_JOINED;
}

/* Sends `text` to the booth and the adviser of `call` (held for an end
 * whose link is away) and, with `guest`, to the call's guest. */
static void send_to_call(SbHub *hub, SbCall *call, const char *text, gboolean booth, gboolean adviser, gboolean guest)
{
	if (booth) {
		if (call->booth)
			hub_send_text(hub, call->booth, text);
		else if (call->held->len < SB_HELD_MAX)
			g_ptr_array_add(call->held, g_strdup(text));
	}
	if (adviser) {
		if (call->adviser)
			hub_send_text(hub, call->adviser, text);
		else if (call->held_adviser->len < SB_HELD_MAX)
			g_ptr_array_add(call->held_adviser, g_strdup(text));
	}
	if (guest && call->invite && call->invite->peer)
		hub_send_text(hub, call->invite->peer, text);
}

static char *guest_state_text(SbInvite *inv, const char *state)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_GUEST_STATE);
	json_object_set_string_member(o, "call", inv->call_id);
	json_object_set_string_member(o, "guest", inv->id);
	if (inv->name)
		json_object_set_string_member(o, "name", inv->name);
	else if (inv->peer && inv->peer->name)
		json_object_set_string_member(o, "name", inv->peer->name);
	json_object_set_string_member(o, "role", inv->role);
	json_object_set_string_member(o, "state", state);
	return relais_msg_to_string(o);
}

/* The guest is out of the call (`state`: declined, removed, left): the
 * others are told, its connection closed with `close_code` (0: it is gone
 * already), the call free for another invitation. */
static void guest_out(SbHub *hub, SbInvite *inv, const char *state, gushort close_code, const char *close_reason)
{
	SbCall *call = inv->call;
	/* a colleague joining by a transfer is on its adviser link: told, never closed */
	gboolean colleague = inv->peer && inv->peer->role == RELAIS_ROLE_ADVISER;
	g_autofree char *text = guest_state_text(inv, state);
	g_message("call %s: guest %s %s", inv->call_id, inv->id, state);
	send_to_call(hub, call, text, TRUE, TRUE, close_code != 0 || colleague);
	if (inv->peer) {
		if (close_code && !colleague)
			hub_close_peer(hub, inv->peer, close_code, close_reason);
		inv->peer->invite = NULL;
		inv->peer = NULL;
	}
	inv->state = SB_GUEST_OVER;
	if (call->invite == inv)
		call->invite = NULL;
	if (colleague)
		hub_transfer_guest_step(hub, call, state);
}

/* An adviser's name as a guest's is shown: 1..RELAIS_PROTO_MAX_GUEST_NAME
 * characters, no control character (an account's display name may be
 * longer). Returns: (transfer full) */
static char *colleague_name(const SbPeer *adviser)
{
	const char *name = adviser->name && *adviser->name ? adviser->name : adviser->account;
	if (name == NULL || *name == '\0')
		name = "adviser";
	/* g_utf8_substring reads past the end given more than the length */
	g_autofree char *clipped = g_utf8_strlen(name, -1) > RELAIS_PROTO_MAX_GUEST_NAME
					   ? g_utf8_substring(name, 0, RELAIS_PROTO_MAX_GUEST_NAME)
					   : g_strdup(name);
	GString *out = g_string_new(NULL);
	for (const char *p = clipped; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		g_string_append_unichar(out, g_unichar_iscntrl(c) ? ' ' : c);
	}
	return g_string_free(out, FALSE);
}

SbInvite *hub_guest_colleague(SbHub *hub, SbCall *call, SbPeer *adviser)
{
	if (call->invite && call->invite->state != SB_GUEST_OVER)
		return NULL;
	g_autofree char *guest_id = hub_random_id(hub, adviser, "g-");
	if (guest_id == NULL)
		return NULL;
	gint64 now = hub_now_us(hub);
	SbInvite *inv = g_new0(SbInvite, 1);
	/* no token: the key only has to differ from every token's hex hash */
	inv->hash = g_strdup_printf("colleague:%s", guest_id);
	inv->id = g_steal_pointer(&guest_id);
	inv->call_id = g_strdup(call->id);
	inv->call = call;
	inv->role = g_strdup("colleague");
	inv->name = colleague_name(adviser);
	inv->made_us = inv->asked_us = now;
	inv->expires_us = now;
	inv->used = TRUE;
	inv->state = SB_GUEST_ASKING;
	inv->peer = adviser;
	adviser->invite = inv;
	g_hash_table_insert(hub->invites, inv->hash, inv);
	call->invite = inv;
	g_message("call %s: colleague '%s' joins by a transfer as %s: asking the visitor", call->id, adviser->name,
		  inv->id);
	g_autofree char *asking = guest_state_text(inv, "asking");
	send_to_call(hub, call, asking, FALSE, TRUE, TRUE);
	JsonObject *o = relais_msg_new(RELAIS_MSG_GUEST_ASK);
	json_object_set_string_member(o, "call", call->id);
	json_object_set_string_member(o, "guest", inv->id);
	json_object_set_string_member(o, "name", inv->name);
	json_object_set_string_member(o, "role", inv->role);
	g_autofree char *ask = relais_msg_to_string(o);
	send_to_call(hub, call, ask, TRUE, FALSE, FALSE);
	return inv;
}

/* invite, invite_cancel, guest_remove from the call's adviser;
 * guest_answer from its booth. */
void hub_handle_guest_msg(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	RelaisMsgType type = relais_msg_get_type(msg);
	const char *ref = relais_msg_type_name(type);
	const char *id = relais_msg_get_string(msg, "call");
	if (peer->call == NULL || g_strcmp0(peer->call->id, id) != 0) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, ref, "not in call '%s'", id);
		return;
	}
	SbCall *call = peer->call;
	SbInvite *inv = call->invite;
	gint64 now = hub_now_us(hub);
	if (inv && inv->state == SB_GUEST_INVITED && now >= inv->expires_us) {
		call->invite = NULL; /* an invitation nobody used in time */
		inv = NULL;
	}
	if (type == RELAIS_MSG_INVITE) {
		if (call->transfer) {
			hub_send_error(hub, peer, RELAIS_PROTO_ERROR_FULL, ref,
				       "a transfer of this call is under way: at most three people in a call");
			return;
		}
		if (inv) {
			hub_send_error(hub, peer, RELAIS_PROTO_ERROR_FULL, ref,
				       "this call already has a guest %s: at most three people in a call",
				       inv->state == SB_GUEST_INVITED ? "invited" : "asked or present");
			return;
		}
		if (call->invites_made >= HUB_MAX_INVITES) {
			hub_send_error(hub, peer, RELAIS_PROTO_ERROR_FULL, ref, "at most %d invitations in one call",
				       HUB_MAX_INVITES);
			return;
		}
		g_autofree char *guest_id = hub_random_id(hub, peer, "g-");
		if (guest_id == NULL)
			return;
		/* 128 bits, base64url: 22 characters in a link a person passes on */
		g_autofree char *token = sb_auth_new_token_of(16, NULL);
		if (token == NULL) {
			hub_send_error(hub, peer, RELAIS_PROTO_ERROR_FIELD, ref,
				       "the switchboard has no random bytes now: try again");
			return;
		}
		inv = g_new0(SbInvite, 1);
		inv->id = g_steal_pointer(&guest_id);
		inv->hash = sb_auth_token_hash(token);
		inv->call_id = g_strdup(call->id);
		inv->call = call;
		inv->role = g_strdup(relais_msg_get_string(msg, "role"));
		inv->made_us = now;
		inv->expires_us = now + INVITE_LIFE_US;
		inv->state = SB_GUEST_INVITED;
		g_hash_table_insert(hub->invites, inv->hash, inv);
		call->invite = inv;
		call->invites_made++;

		g_autoptr(GDateTime) expires =
			g_date_time_new_from_unix_local(hub_wall_s(hub) + INVITE_LIFE_US / G_USEC_PER_SEC);
		g_autofree char *expires_at = g_date_time_format(expires, "%Y-%m-%dT%H:%M:%S%:z");
		const char *base = hub->config.public_url ? hub->config.public_url : "";
		gsize n = strlen(base);
		g_autofree char *url =
			g_strdup_printf("%.*s/guest#%s", (int)(n && base[n - 1] == '/' ? n - 1 : n), base, token);
		JsonObject *o = relais_msg_new(RELAIS_MSG_INVITED);
		json_object_set_string_member(o, "call", call->id);
		json_object_set_string_member(o, "invite", inv->id);
		json_object_set_string_member(o, "url", url);
		json_object_set_string_member(o, "expires_at", expires_at);
		hub_send_obj(hub, peer, o);
		memset(url, 0, strlen(url));
		memset(token, 0, strlen(token));
		g_message("call %s: adviser '%s' invited a guest (%s), %s", call->id, peer->name, inv->role, inv->id);
		return;
	}
	const char *guest = relais_msg_get_string(msg, type == RELAIS_MSG_INVITE_CANCEL ? "invite" : "guest");
	if (inv == NULL || g_strcmp0(inv->id, guest) != 0) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_GONE, ref, "'%s' is not this call's guest now", guest);
		return;
	}
	switch (type) {
	case RELAIS_MSG_INVITE_CANCEL:
		if (inv->state == SB_GUEST_INVITED) {
			/* the link now reads as expired */
			inv->expires_us = now;
			inv->state = SB_GUEST_OVER;
			call->invite = NULL;
			g_message("call %s: invitation %s withdrawn", call->id, inv->id);
			return;
		}
		/* used already: its guest goes */
		G_GNUC_FALLTHROUGH;
	case RELAIS_MSG_GUEST_REMOVE:
		if (!in_call(inv)) {
			hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, ref, "nobody came in with '%s' yet", guest);
			return;
		}
		guest_out(hub, inv, "removed", RELAIS_CLOSE_REMOVED, "removed");
		return;
	case RELAIS_MSG_GUEST_ANSWER:
		if (inv->state != SB_GUEST_ASKING) {
			hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, ref,
				       "guest '%s' is not waiting for an answer", guest);
			return;
		}
		if (json_object_get_boolean_member(relais_msg_get_root(msg), "accept")) {
			inv->state = SB_GUEST_JOINING;
			g_message("call %s: the visitor let guest %s in", call->id, inv->id);
			g_autofree char *text = guest_state_text(inv, "joining");
			send_to_call(hub, call, text, TRUE, TRUE, TRUE);
			if (g_strcmp0(inv->role, "colleague") == 0)
				hub_transfer_guest_step(hub, call, "joining");
		} else {
			guest_out(hub, inv, "declined", RELAIS_CLOSE_DECLINED, "declined");
		}
		return;
	default:
		g_assert_not_reached();
	}
}

/* A guest refused at hello: said, then closed with the code the page reads. */
static void refuse(SbHub *hub, SbPeer *peer, RelaisProtoError code, gushort close_code, const char *sentence)
{
	g_message("guest refused: %s", relais_proto_error_code(code));
	hub_send_error(hub, peer, code, "hello", "%s", sentence);
	hub_close_peer(hub, peer, close_code, relais_proto_error_code(code));
}

gboolean hub_guest_hello(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	g_autofree char *hash = sb_auth_token_hash(relais_msg_get_string(msg, "token"));
	SbInvite *inv = g_hash_table_lookup(hub->invites, hash);
	gint64 now = hub_now_us(hub);
	if (inv == NULL) {
		refuse(hub, peer, RELAIS_PROTO_ERROR_INVITE_UNKNOWN, RELAIS_CLOSE_INVITE_UNKNOWN,
		       "this invitation link is not known: check that it was copied whole");
		return FALSE;
	}
	if (inv->call == NULL) {
		refuse(hub, peer, RELAIS_PROTO_ERROR_CALL_ENDED, RELAIS_CLOSE_CALL_ENDED, "the call has ended");
		return FALSE;
	}
	if (inv->used) {
		refuse(hub, peer, RELAIS_PROTO_ERROR_INVITE_USED, RELAIS_CLOSE_INVITE_USED,
		       "this invitation link was already used: ask the adviser for a new one");
		return FALSE;
	}
	if (inv->state == SB_GUEST_OVER || now >= inv->expires_us) {
		refuse(hub, peer, RELAIS_PROTO_ERROR_INVITE_EXPIRED, RELAIS_CLOSE_INVITE_EXPIRED,
		       "this invitation link has expired: ask the adviser for a new one");
		return FALSE;
	}
	/* spent now: a second hello with it is "used" */
	SbCall *call = inv->call;
	inv->used = TRUE;
	inv->state = SB_GUEST_ASKING;
	inv->asked_us = now;
	inv->peer = peer;
	peer->invite = inv;
	peer->name = g_strdup(relais_msg_get_string(msg, "name"));
	g_message("call %s: guest %s (%s) came in with its invitation: asking the visitor", call->id, inv->id,
		  inv->role);

	/* the guest's own guest_state{asking} follows its welcome (hub.c) */
	g_autofree char *asking = guest_state_text(inv, "asking");
	send_to_call(hub, call, asking, FALSE, TRUE, FALSE);
	JsonObject *o = relais_msg_new(RELAIS_MSG_GUEST_ASK);
	json_object_set_string_member(o, "call", call->id);
	json_object_set_string_member(o, "guest", inv->id);
	json_object_set_string_member(o, "name", peer->name);
	json_object_set_string_member(o, "role", inv->role);
	g_autofree char *ask = relais_msg_to_string(o);
	send_to_call(hub, call, ask, TRUE, FALSE, FALSE);
	return TRUE;
}

/* The relayed copy of an sdp or ice, rebuilt from its validated fields;
 * `from`: the sender's role, named in `peer` when a guest is one end. */
static JsonObject *rebuild_media(RelaisMsg *msg, const char *from)
{
	RelaisMsgType type = relais_msg_get_type(msg);
	JsonObject *o = relais_msg_new(type);
	json_object_set_string_member(o, "call", relais_msg_get_string(msg, "call"));
	if (type == RELAIS_MSG_SDP) {
		json_object_set_string_member(o, "sdp_type", relais_msg_get_string(msg, "sdp_type"));
		json_object_set_string_member(o, "sdp", relais_msg_get_string(msg, "sdp"));
	} else {
		json_object_set_string_member(o, "candidate", relais_msg_get_string(msg, "candidate"));
		json_object_set_int_member(o, "mline", relais_msg_get_int(msg, "mline", 0));
	}
	if (relais_msg_get_int(msg, "media", 0) > 0)
		json_object_set_int_member(o, "media", relais_msg_get_int(msg, "media", 0));
	json_object_set_string_member(o, "peer", from);
	return o;
}

gboolean hub_guest_route_media(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	if (g_strcmp0(relais_msg_get_string(msg, "peer"), "guest") != 0)
		return FALSE;
	SbInvite *inv = peer->call->invite;
	RelaisMsgType type = relais_msg_get_type(msg);
	if (inv == NULL || !let_in(inv) || inv->peer == NULL) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, relais_msg_type_name(type),
			       "no guest is let into call '%s'", peer->call->id);
		return TRUE;
	}
	hub_send_obj(hub, inv->peer, rebuild_media(msg, relais_role_name(peer->role)));
	hub_observe_relay(hub);
	return TRUE;
}

/* The guest's name and role, as chat lines and the booth show it. */
static char *guest_from(SbPeer *guest)
{
	return g_strdup_printf("%s (%s)", guest->name, guest->invite->role);
}

void hub_guest_chat_copy(SbHub *hub, SbCall *call, RelaisMsg *msg, const char *from)
{
	SbInvite *inv = call->invite;
	if (inv == NULL || !let_in(inv) || inv->peer == NULL)
		return;
	JsonObject *o = relais_msg_new(RELAIS_MSG_CHAT);
	json_object_set_string_member(o, "call", call->id);
	json_object_set_string_member(o, "text", relais_msg_get_string(msg, "text"));
	json_object_set_string_member(o, "from", from);
	hub_send_obj(hub, inv->peer, o);
}

void hub_guest_in_call(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	RelaisMsgType type = relais_msg_get_type(msg);
	const char *ref = relais_msg_type_name(type);
	const char *id = relais_msg_get_string(msg, "call");
	SbInvite *inv = peer->invite;
	if (inv == NULL || inv->call == NULL || g_strcmp0(inv->call_id, id) != 0) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, ref, "not in call '%s'", id);
		return;
	}
	SbCall *call = inv->call;
	if (type == RELAIS_MSG_END) {
		/* the guest leaves; the call goes on with two */
		guest_out(hub, inv, "left", 1000, "left");
		return;
	}
	if (!let_in(inv)) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, ref, "the visitor has not let you in yet");
		return;
	}
	if (type == RELAIS_MSG_CHAT) {
		g_autofree char *from = guest_from(peer);
		JsonObject *o = relais_msg_new(RELAIS_MSG_CHAT);
		json_object_set_string_member(o, "call", id);
		json_object_set_string_member(o, "text", relais_msg_get_string(msg, "text"));
		json_object_set_string_member(o, "from", from);
		g_autofree char *text = relais_msg_to_string(o);
		send_to_call(hub, call, text, TRUE, TRUE, FALSE);
		hub_observe_relay(hub);
		return;
	}
	/* sdp, ice: to the end it names; a stale one for an end away is dropped */
	gboolean to_booth = g_strcmp0(relais_msg_get_string(msg, "peer"), "booth") == 0;
	SbPeer *to = to_booth ? call->booth : call->adviser;
	if (to == NULL)
		return;
	hub_send_obj(hub, to, rebuild_media(msg, "guest"));
	hub_observe_relay(hub);
	if (type == RELAIS_MSG_SDP && to_booth && inv->state == SB_GUEST_JOINING &&
	    g_strcmp0(relais_msg_get_string(msg, "sdp_type"), "answer") == 0) {
		inv->state = SB_GUEST_JOINED;
		g_autofree char *text = guest_state_text(inv, "joined");
		send_to_call(hub, call, text, TRUE, TRUE, TRUE);
		if (g_strcmp0(inv->role, "colleague") == 0)
			hub_transfer_guest_step(hub, call, "joined");
	}
}

void hub_guest_gone(SbHub *hub, SbPeer *peer)
{
	SbInvite *inv = peer->invite;
	if (inv == NULL || inv->call == NULL)
		return;
	guest_out(hub, inv, "left", 0, NULL);
}

void hub_guests_call_ended(SbHub *hub, SbCall *call, const char *reason)
{
	SbInvite *cur = call->invite;
	if (cur && cur->peer && cur->peer->role == RELAIS_ROLE_ADVISER) {
		/* a colleague: its adviser link stays (hub_transfer_call_ended told it) */
		cur->peer->invite = NULL;
		cur->peer = NULL;
	} else if (cur && cur->peer) {
		JsonObject *o = relais_msg_new(RELAIS_MSG_END);
		json_object_set_string_member(o, "call", call->id);
		if (reason)
			json_object_set_string_member(o, "reason", reason);
		hub_send_obj(hub, cur->peer, o);
		hub_close_peer(hub, cur->peer, RELAIS_CLOSE_CALL_ENDED, "call_ended");
		cur->peer->invite = NULL;
		cur->peer = NULL;
	}
	call->invite = NULL;
	/* every invitation of the call now reads "call_ended" */
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, hub->invites);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		SbInvite *inv = value;
		if (inv->call == call) {
			inv->call = NULL;
			inv->state = SB_GUEST_OVER;
		}
	}
}

void hub_guests_expire(SbHub *hub, gint64 now)
{
	GHashTableIter it;
	gpointer value;
	g_autoptr(GPtrArray) unanswered = g_ptr_array_new();
	g_hash_table_iter_init(&it, hub->invites);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		SbInvite *inv = value;
		if (inv->state == SB_GUEST_ASKING && now - inv->asked_us >= ASK_TIMEOUT_US)
			g_ptr_array_add(unanswered, inv);
		else if (inv->peer == NULL && (inv->call == NULL || inv->state == SB_GUEST_OVER) &&
			 now - inv->made_us >= INVITE_KEPT_US)
			g_hash_table_iter_remove(&it);
	}
	for (guint i = 0; i < unanswered->len; i++) {
		SbInvite *inv = g_ptr_array_index(unanswered, i);
		g_message("call %s: the visitor did not answer within %d s: guest %s declined", inv->call_id,
			  (int)(ASK_TIMEOUT_US / G_USEC_PER_SEC), inv->id);
		guest_out(hub, inv, "declined", RELAIS_CLOSE_DECLINED, "declined");
	}
}

const char *hub_guest_state_name(const SbInvite *inv)
{
	return state_names[inv->state];
}
