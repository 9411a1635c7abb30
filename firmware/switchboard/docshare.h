/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docshare: the HTTP side of documents shown in a call (PROTOCOL.md
 * "Showing a document"; the rules of the messages are the hub's).
 *
 *   GET  /api/call/document          the caps, for the console's own checks
 *   POST /api/call/document          the adviser's upload: body = the file,
 *                                    Content-Type application/pdf, image/png
 *                                    or image/jpeg
 *   GET  /api/booth/document/TOKEN   the booth's one download
 *
 * The upload is checked in an early handler, on the headers alone, before
 * any of the body is read: method, Origin, a signed-in adviser or admin, a
 * call going on for that sign-in (found from the sign-in, never from
 * a client-supplied id), the media type, and a Content-Length within the cap
 * (413; no length: 411). The body then goes straight into one buffer of
 * exactly that length (libsoup's accumulation is off), so no more than the
 * cap is ever held for one upload (and at most four caps for all uploads
 * in flight: 503 beyond). A refusal on the headers takes the connection
 * over (libsoup would otherwise read the whole body): answer, short drain,
 * close. relais_doc_check() then decides, on a worker thread (the message
 * paused, the main loop free for the calls), whether the bytes are what
 * the type claims; the hub keeps them for that call alone, in memory,
 * zeroed when dropped.
 *
 * The download is served on the booth listener (ENROL.md), not on the
 * advisers' port: it needs the one-time token the booth got in doc_show, a
 * booth certificate (the booth id is the certificate's, never a header)
 * and no Origin (booths are not browsers); it answers 403 without a valid
 * certificate and 404 for anything else: wrong token, another booth's,
 * fetched already, call over.
 */
#pragma once

#include <libsoup/soup.h>
#include "docfile.h"
#include "enrol.h"
#include "hub.h"
#include "store.h"

G_BEGIN_DECLS

/* The adviser's connection of sign-in `signin_hash` (SHA-256 of the
 * token) that is in a call with a connected booth, or NULL. */
typedef SbPeer *(*SbDocshareFindAdviser)(const char *signin_hash, gpointer user_data);

typedef struct {
	SbStore *store;
	SbHub *hub;
	gboolean secure;	/* served over TLS: the Origin is https:// */
	RelaisDocLimits limits; /* 0s: Kconfig */
	SbDocshareFindAdviser find_adviser;
	gpointer find_data;
} SbDocshareConfig;

/* The advisers' routes on `soup`, the booths' download on `booth_soup`
 * (its client certificates checked by `enrol`, which outlives both). */
void sb_docshare_register(SoupServer *soup, SoupServer *booth_soup, SbEnrol *enrol, const SbDocshareConfig *config);
/* Bytes of upload buffers allocated now (uploads whose body is coming):
 * the /metrics gauge relais_document_uploads_bytes. */
gsize sb_docshare_uploads_bytes(SoupServer *soup);

G_END_DECLS
