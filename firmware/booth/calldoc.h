/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * calldoc: the document the adviser shows in the call (PROTOCOL.md "Showing
 * a document"): announced by doc_show, fetched once from the switchboard
 * over the booth's link, checked again here on a worker thread
 * (relais_doc_check), turned by either side, closed or refused. Held in
 * memory only and zeroed when dropped (the bytes zero themselves with their
 * last reference: the screen may still hold one while it draws). One at a
 * time: a new one replaces the old.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "docfile.h"
#include "link.h"
#include "protocol.h"

G_BEGIN_DECLS

typedef struct {
	const char *id;
	RelaisDocKind kind;
	guint pages, page; /* page: 1..pages, both ends agree through the switchboard */
	gsize size;
	GBytes *bytes; /* NULL while it is being fetched */
} BoothDocument;

typedef struct _BoothCallDoc BoothCallDoc;

/* The document appeared, was fetched, turned a page or went. */
typedef void (*BoothCallDocFunc)(gpointer user_data);

/* `link` (transfer none) must outlive it. */
BoothCallDoc *booth_call_doc_new(BoothLink *link, BoothCallDocFunc changed, gpointer user_data);
void booth_call_doc_free(BoothCallDoc *cd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BoothCallDoc, booth_call_doc_free)

/* A doc_show, doc_page or doc_stop from the switchboard; `call` is the
 * booth's call now (nullable): a doc_show about another is ignored. */
void booth_call_doc_handle(BoothCallDoc *cd, const char *call, RelaisMsg *msg);
/* Returns: (transfer none) (nullable) the document shown now. */
const BoothDocument *booth_call_doc_get(BoothCallDoc *cd);
/* The visitor turns to `page` (1..pages) or closes it: told to the adviser. */
gboolean booth_call_doc_turn(BoothCallDoc *cd, guint page, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean booth_call_doc_close(BoothCallDoc *cd, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The screen could not draw it: the adviser is told why, it is dropped. */
void booth_call_doc_failed(BoothCallDoc *cd, const char *why);
/* Erases it (the call ended); `notify`: tell the changed function. */
void booth_call_doc_drop(BoothCallDoc *cd, gboolean notify);
/* Returns: (transfer full) {shown, id, kind, state, page, pages, size}. */
JsonObject *booth_call_doc_status(BoothCallDoc *cd);

G_END_DECLS
