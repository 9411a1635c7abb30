/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * booth: the booth application. Owns the visitor session state machine
 * (session.h), the switchboard link (link.h) and, during a session, the media
 * engine (media.h), and turns events from each into transitions of the one
 * state machine.
 *
 * Privacy: the media engine exists only between the visitor's request and the
 * end of the session. At the end, booth_wipe() drops the engine (sources
 * stopped, decoded frames released), the answers, the chat and every id.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include "session.h"

G_BEGIN_DECLS

typedef struct _Booth Booth;

typedef struct {
	const char *switchboard_url;
	const char *booth_id;
	const char *site;
	const char *board;
	const char *pipelines_dir;
} BoothConfig;

/* Never fails for runtime conditions: a missing plugin or a corrupt pipeline
 * file puts the booth out of order with the reason, reported to the
 * switchboard. */
Booth *booth_new(const BoothConfig *config);
void booth_start(Booth *booth);
void booth_free(Booth *booth);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Booth, booth_free)

RelaisSessionState booth_get_state(Booth *booth);

/* Visitor actions (from the touch UI, or the control socket). `answers` may be
 * NULL; it is validated and copied. */
gboolean booth_request(Booth *booth, const char *topic, const char *language, JsonObject *answers,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean booth_end(Booth *booth, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean booth_chat(Booth *booth, const char *text, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Returns: (transfer full) the status as a JSON object: state, link, ids,
 * queue position, media statistics. */
JsonObject *booth_status(Booth *booth);

G_END_DECLS
