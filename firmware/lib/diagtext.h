/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * diagtext: a booth's diagnostic report (PROTOCOL.md "Diagnostics") as
 * readable text for a terminal (`relaisctl diag`). The report is the booth's
 * word, passed on by the switchboard: every member is optional, a member of
 * the wrong type reads as absent, and control characters (terminal escape
 * sequences) are replaced, so that a broken or hostile booth cannot forge
 * what the administrator's terminal shows.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* `reply` is the switchboard's answer {booth_id, fetched_at, report}.
 * Returns: (transfer full) the text, lines ending in '\n'. */
char *relais_diag_text(JsonObject *reply);

/* `text` with every control character (C0, DEL, C1) replaced by '?' and
 * invalid UTF-8 made valid. Returns: (transfer full) */
char *relais_diag_clean(const char *text);

G_END_DECLS
