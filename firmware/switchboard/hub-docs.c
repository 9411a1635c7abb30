/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Documents shown in a call (PROTOCOL.md "Showing a document"): the
 * adviser's upload (docshare.c) becomes the call's one document; both ends
 * are told, page turns, stops and errors are relayed, and the booth fetches
 * the bytes once with its token. */
#define G_LOG_DOMAIN "relais-hub"

#include "hub-private.h"
#include "auth.h"

#include <openssl/crypto.h>
#include <string.h>

void hub_doc_free(SbDoc *d)
{
	if (d == NULL)
		return;
	g_free(d->id);
	if (d->token) {
		memset(d->token, 0, strlen(d->token));
		g_free(d->token);
	}
	g_bytes_unref(d->bytes); /* the last reference zeroes the bytes */
	g_free(d);
}

static void drop_doc(SbCall *call)
{
	g_clear_pointer(&call->doc, hub_doc_free);
}

static void send_doc_page(SbHub *hub, SbCall *call)
{
	SbPeer *ends[2] = {call->booth, call->adviser};
	for (guint i = 0; i < 2; i++) {
		if (ends[i] == NULL)
			continue;
		JsonObject *o = relais_msg_new(RELAIS_MSG_DOC_PAGE);
		json_object_set_string_member(o, "call", call->id);
		json_object_set_string_member(o, "doc", call->doc->id);
		json_object_set_int_member(o, "page", call->doc->page);
		hub_send_obj(hub, ends[i], o);
	}
}

/* doc_page, doc_stop, doc_error: about the document shown now in the
 * sender's call. A page turn goes to both ends (the sender too), so that
 * two turns crossing each other still leave both on the same page. */
void hub_handle_doc(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	RelaisMsgType type = relais_msg_get_type(msg);
	const char *tname = relais_msg_type_name(type);
	const char *id = relais_msg_get_string(msg, "call");
	const char *doc = relais_msg_get_string(msg, "doc");
	if (peer->call == NULL || g_strcmp0(peer->call->id, id) != 0) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, tname, "not in call '%s'", id);
		return;
	}
	SbCall *call = peer->call;
	if (call->doc == NULL || g_strcmp0(call->doc->id, doc) != 0) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_GONE, tname, "document '%s' is no longer shown", doc);
		return;
	}
	SbPeer *other = peer == call->booth ? call->adviser : call->booth;
	if (type == RELAIS_MSG_DOC_PAGE) {
		gint64 page = relais_msg_get_int(msg, "page", 1);
		if (page > call->doc->pages) {
			hub_send_error(hub, peer, RELAIS_PROTO_ERROR_FIELD, tname,
				       "page %" G_GINT64_FORMAT " of a document of %u pages", page, call->doc->pages);
			return;
		}
		call->doc->page = (guint)page;
		send_doc_page(hub, call);
		return;
	}
	JsonObject *o = relais_msg_new(type);
	json_object_set_string_member(o, "call", call->id);
	json_object_set_string_member(o, "doc", doc);
	if (type == RELAIS_MSG_DOC_STOP)
		json_object_set_string_member(o, "by", relais_role_name(peer->role));
	else
		json_object_set_string_member(o, "message", relais_msg_get_string(msg, "message"));
	g_message("call %s: document %s %s by the %s", call->id, doc,
		  type == RELAIS_MSG_DOC_STOP ? "closed" : "not shown", relais_role_name(peer->role));
	drop_doc(call);
	if (other)
		hub_send_obj(hub, other, o);
	else
		json_object_unref(o);
}

gboolean sb_hub_adviser_in_call(SbPeer *adviser)
{
	SbCallState next;
	return adviser && adviser->role == RELAIS_ROLE_ADVISER && adviser->call &&
	       sb_call_transition(adviser->call->state, SB_CALL_EV_SHOW_DOC, &next, NULL);
}

const char *sb_hub_show_document(SbHub *hub, SbPeer *adviser, RelaisDocKind kind, GBytes *bytes, guint pages)
{
	g_return_val_if_fail(bytes != NULL && pages >= 1, NULL);
	if (!sb_hub_adviser_in_call(adviser))
		return NULL;
	g_autoptr(GError) error = NULL;
	char *token = sb_auth_new_token(&error);
	if (token == NULL) {
		g_warning("document token: %s", error->message);
		return NULL;
	}
	g_autofree char *doc_id = relais_random_id("doc-", &error);
	if (doc_id == NULL) {
		g_warning("document id: %s", error->message);
		g_free(token);
		return NULL;
	}
	SbCall *call = adviser->call;
	drop_doc(call); /* one at a time: the new one replaces it */
	SbDoc *d = g_new0(SbDoc, 1);
	d->id = g_steal_pointer(&doc_id);
	d->token = token;
	d->kind = kind;
	d->bytes = g_bytes_ref(bytes);
	d->pages = pages;
	d->page = 1;
	call->doc = d;
	gsize size = g_bytes_get_size(bytes);
	SbPeer *ends[2] = {call->booth, call->adviser};
	for (guint i = 0; i < 2; i++) {
		JsonObject *o = relais_msg_new(RELAIS_MSG_DOC_SHOW);
		json_object_set_string_member(o, "call", call->id);
		json_object_set_string_member(o, "doc", d->id);
		json_object_set_string_member(o, "kind", relais_doc_kind_name(kind));
		json_object_set_int_member(o, "size", (gint64)size);
		json_object_set_int_member(o, "pages", pages);
		json_object_set_int_member(o, "page", 1);
		if (ends[i] == call->booth)
			json_object_set_string_member(o, "token", d->token);
		hub_send_obj(hub, ends[i], o);
	}
	g_message("call %s: adviser shows document %s (%s, %" G_GSIZE_FORMAT " bytes, %u pages)", call->id, d->id,
		  relais_doc_kind_name(kind), size, pages);
	return d->id;
}

GBytes *sb_hub_fetch_document(SbHub *hub, const char *token, const char *booth_id, RelaisDocKind *kind)
{
	if (token == NULL || *token == '\0')
		return NULL;
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, hub->calls);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		SbCall *call = value;
		SbDoc *d = call->doc;
		SbCallState next;
		if (d == NULL || d->fetched || !sb_call_transition(call->state, SB_CALL_EV_SHOW_DOC, &next, NULL) ||
		    g_strcmp0(call->booth_id, booth_id) != 0)
			continue;
		/* in constant time: the token is the booth's only credential */
		if (strlen(token) != strlen(d->token) || CRYPTO_memcmp(token, d->token, strlen(token)) != 0)
			continue;
		d->fetched = TRUE;
		if (kind)
			*kind = d->kind;
		return g_bytes_ref(d->bytes);
	}
	return NULL;
}

gsize sb_hub_document_bytes(SbHub *hub)
{
	gsize n = 0;
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, hub->calls);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		SbCall *call = value;
		if (call->doc)
			n += g_bytes_get_size(call->doc->bytes);
	}
	return n;
}
