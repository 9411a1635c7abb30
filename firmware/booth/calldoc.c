/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-calldoc"

#include "calldoc.h"
#include "relais-config.h"
#include "session.h"

#include <string.h>

struct _BoothCallDoc {
	BoothLink *link;
	BoothCallDocFunc changed;
	gpointer user_data;
	BoothDocument *doc;  /* NULL: none */
	char *call;	     /* the call it is shown in */
	GCancellable *fetch; /* its download, then its check */
};

static void changed(BoothCallDoc *cd)
{
	if (cd->changed)
		cd->changed(cd->user_data);
}

static void document_free(BoothDocument *d)
{
	g_free((char *)d->id);
	if (d->bytes)
		g_bytes_unref(d->bytes);
	g_free(d);
}

/* Erases the document (the bytes zero themselves with their last
 * reference: the screen may still hold one while it draws). */
void booth_call_doc_drop(BoothCallDoc *cd, gboolean notify)
{
	if (cd->fetch) {
		g_cancellable_cancel(cd->fetch);
		g_clear_object(&cd->fetch);
	}
	if (cd->doc == NULL)
		return;
	g_clear_pointer(&cd->doc, document_free);
	g_clear_pointer(&cd->call, g_free);
	if (notify)
		changed(cd);
}

static void send_doc_error(BoothCallDoc *cd, const char *doc, const char *why)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_DOC_ERROR);
	json_object_set_string_member(o, "call", cd->call);
	json_object_set_string_member(o, "doc", doc);
	g_autofree char *m = g_utf8_make_valid(why && *why ? why : "failed", MIN(strlen(why ? why : ""), 1000));
	json_object_set_string_member(o, "message", *m ? m : "failed");
	booth_link_send(cd->link, o);
}

static void document_refused(BoothCallDoc *cd, const GError *error)
{
	g_autofree char *doc_id = g_strdup(cd->doc->id);
	g_warning("document %s refused: %s", doc_id, error->message);
	send_doc_error(cd, doc_id, error->message);
	booth_call_doc_drop(cd, TRUE);
}

/* The check of a fetched document, on a worker thread: poppler may take a
 * while over a PDF, and this thread draws the screen. */
typedef struct {
	GBytes *bytes;
	RelaisDocKind kind;
	guint pages;
} DocCheck;

static void doc_check_free(DocCheck *c)
{
	g_bytes_unref(c->bytes);
	g_free(c);
}

static void doc_check_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	DocCheck *c = data;
	GError *error = NULL;
	RelaisDocInfo info;
	if (!relais_doc_check(g_bytes_get_data(c->bytes, NULL), g_bytes_get_size(c->bytes), c->kind, NULL, &info,
			      &error))
		g_task_return_error(task, error);
	else if (info.pages != c->pages)
		g_task_return_new_error(task, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_PAGES, "%u pages instead of %u",
					info.pages, c->pages);
	else
		g_task_return_boolean(task, TRUE);
}

static void on_document_checked(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	if (!g_task_propagate_boolean(G_TASK(res), &error) && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return; /* replaced, closed, the call ended or the booth is freed */
	BoothCallDoc *cd = data;
	g_clear_object(&cd->fetch);
	BoothDocument *d = cd->doc;
	if (d == NULL)
		return;
	if (error) {
		document_refused(cd, error);
		return;
	}
	d->bytes = g_bytes_ref(((DocCheck *)g_task_get_task_data(G_TASK(res)))->bytes);
	g_message("document %s (%s, %u pages) fetched", d->id, relais_doc_kind_name(d->kind), d->pages);
	changed(cd);
}

static void on_document_fetched(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *type = NULL;
	/* the link is not needed to finish: `cd` may be gone if cancelled */
	g_autoptr(GBytes) body = booth_link_fetch_finish(NULL, res, &type, &error);
	if (body == NULL && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return; /* replaced, closed, the call ended or the booth is freed */
	BoothCallDoc *cd = data;
	BoothDocument *d = cd->doc;
	if (d == NULL)
		return;
	RelaisDocKind kind;
	if (body == NULL) {
		g_prefix_error(&error, "download: ");
	} else if (!relais_doc_kind_from_mime(type, &kind) || kind != d->kind) {
		g_set_error(&error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_TYPE, "download: expected %s, got %s",
			    relais_doc_kind_mime(d->kind), type ? type : "no type");
	} else if (g_bytes_get_size(body) != d->size) {
		g_set_error(&error, RELAIS_DOC_ERROR, RELAIS_DOC_ERROR_TRUNCATED,
			    "download: %" G_GSIZE_FORMAT " bytes instead of %" G_GSIZE_FORMAT, g_bytes_get_size(body),
			    d->size);
	}
	if (error) {
		g_clear_object(&cd->fetch);
		document_refused(cd, error);
		return;
	}
	/* libsoup's buffer itself (no copy when it is the only reference),
	 * from now on zeroed when dropped */
	gsize len = 0;
	guint8 *file = g_bytes_unref_to_data(g_steal_pointer(&body), &len);
	DocCheck *c = g_new0(DocCheck, 1);
	c->bytes = relais_doc_bytes_take_zeroing(file, len);
	c->kind = d->kind;
	c->pages = d->pages;
	/* still under `fetch`: dropping the document cancels the check too */
	g_autoptr(GTask) task = g_task_new(NULL, cd->fetch, on_document_checked, cd);
	g_task_set_task_data(task, c, (GDestroyNotify)doc_check_free);
	g_task_run_in_thread(task, doc_check_thread);
}

static void handle_doc_show(BoothCallDoc *cd, const char *call, RelaisMsg *msg)
{
	if (call == NULL || g_strcmp0(relais_msg_get_string(msg, "call"), call) != 0)
		return;
	const char *token = relais_msg_get_string(msg, "token");
	RelaisDocKind kind;
	if (token == NULL || !relais_doc_kind_from_name(relais_msg_get_string(msg, "kind"), &kind)) {
		g_warning("ignoring a doc_show without a token");
		return;
	}
	booth_call_doc_drop(cd, FALSE); /* one at a time: the new one replaces it */
	gint64 size = relais_msg_get_int(msg, "size", 0);
	BoothDocument *d = g_new0(BoothDocument, 1);
	d->id = g_strdup(relais_msg_get_string(msg, "doc"));
	d->kind = kind;
	d->pages = (guint)relais_msg_get_int(msg, "pages", 1);
	d->page = (guint)CLAMP(relais_msg_get_int(msg, "page", 1), 1, d->pages);
	d->size = (gsize)size;
	cd->doc = d;
	cd->call = g_strdup(call);
	if (size > CONFIG_RELAIS_DOC_MAX_BYTES) {
		g_autofree char *why =
			g_strdup_printf("Too large: max %d MB.", (CONFIG_RELAIS_DOC_MAX_BYTES + 999999) / 1000000);
		send_doc_error(cd, d->id, why);
		booth_call_doc_drop(cd, TRUE);
		return;
	}
	g_autofree char *path = g_strdup_printf("/api/booth/document/%s", token);
	cd->fetch = g_cancellable_new();
	booth_link_fetch_async(cd->link, path, CONFIG_RELAIS_DOC_MAX_BYTES, cd->fetch, on_document_fetched, cd);
	changed(cd);
}

static void handle_doc_update(BoothCallDoc *cd, RelaisMsg *msg)
{
	BoothDocument *d = cd->doc;
	if (d == NULL || g_strcmp0(relais_msg_get_string(msg, "call"), cd->call) != 0 ||
	    g_strcmp0(relais_msg_get_string(msg, "doc"), d->id) != 0)
		return;
	if (relais_msg_get_type(msg) == RELAIS_MSG_DOC_STOP) {
		g_message("document %s closed by the adviser", d->id);
		booth_call_doc_drop(cd, TRUE);
		return;
	}
	guint page = (guint)relais_msg_get_int(msg, "page", 1);
	if (page < 1 || page > d->pages || page == d->page)
		return;
	d->page = page;
	changed(cd);
}

const BoothDocument *booth_call_doc_get(BoothCallDoc *cd)
{
	return cd->doc;
}

gboolean booth_call_doc_turn(BoothCallDoc *cd, guint page, GError **error)
{
	BoothDocument *d = cd->doc;
	if (d == NULL || cd->call == NULL) {
		g_set_error(error, RELAIS_SESSION_ERROR, RELAIS_SESSION_ERROR_NOT_ALLOWED, "no document is shown");
		return FALSE;
	}
	if (page < 1 || page > d->pages) {
		g_set_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD, "page %u outside 1..%u", page,
			    d->pages);
		return FALSE;
	}
	JsonObject *o = relais_msg_new(RELAIS_MSG_DOC_PAGE);
	json_object_set_string_member(o, "call", cd->call);
	json_object_set_string_member(o, "doc", d->id);
	json_object_set_int_member(o, "page", page);
	booth_link_send(cd->link, o);
	if (page != d->page) {
		d->page = page;
		changed(cd);
	}
	return TRUE;
}

gboolean booth_call_doc_close(BoothCallDoc *cd, GError **error)
{
	BoothDocument *d = cd->doc;
	if (d == NULL || cd->call == NULL) {
		g_set_error(error, RELAIS_SESSION_ERROR, RELAIS_SESSION_ERROR_NOT_ALLOWED, "no document is shown");
		return FALSE;
	}
	JsonObject *o = relais_msg_new(RELAIS_MSG_DOC_STOP);
	json_object_set_string_member(o, "call", cd->call);
	json_object_set_string_member(o, "doc", d->id);
	booth_link_send(cd->link, o);
	g_message("document %s closed by the visitor", d->id);
	booth_call_doc_drop(cd, TRUE);
	return TRUE;
}

void booth_call_doc_failed(BoothCallDoc *cd, const char *why)
{
	if (cd->doc == NULL || cd->call == NULL)
		return;
	g_warning("document %s cannot be shown: %s", cd->doc->id, why);
	send_doc_error(cd, cd->doc->id, why);
	booth_call_doc_drop(cd, TRUE);
}

JsonObject *booth_call_doc_status(BoothCallDoc *cd)
{
	JsonObject *o = json_object_new();
	BoothDocument *d = cd->doc;
	json_object_set_boolean_member(o, "shown", d && d->bytes);
	if (d) {
		json_object_set_string_member(o, "id", d->id);
		json_object_set_string_member(o, "kind", relais_doc_kind_name(d->kind));
		json_object_set_string_member(o, "state", d->bytes ? "shown" : "loading");
		json_object_set_int_member(o, "page", d->page);
		json_object_set_int_member(o, "pages", d->pages);
		json_object_set_int_member(o, "size", (gint64)d->size);
	}
	return o;
}

void booth_call_doc_handle(BoothCallDoc *cd, const char *call, RelaisMsg *msg)
{
	if (relais_msg_get_type(msg) == RELAIS_MSG_DOC_SHOW)
		handle_doc_show(cd, call, msg);
	else
		handle_doc_update(cd, msg);
}

BoothCallDoc *booth_call_doc_new(BoothLink *link, BoothCallDocFunc changed_func, gpointer user_data)
{
	BoothCallDoc *cd = g_new0(BoothCallDoc, 1);
	cd->link = link;
	cd->changed = changed_func;
	cd->user_data = user_data;
	return cd;
}

void booth_call_doc_free(BoothCallDoc *cd)
{
	if (cd == NULL)
		return;
	booth_call_doc_drop(cd, FALSE);
	g_free(cd);
}
