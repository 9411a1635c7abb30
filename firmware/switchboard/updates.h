/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * updates: the switchboard's side of the booths' system updates (README.md
 * "Updates sent from afar", PROTOCOL.md "Software and updates"): what a
 * booth's update_report becomes in the store and in the log, and the jobs
 * that send a bundle to a booth: offered, followed, closed by the report. The software a booth runs and its slot reach
 * the store with its state (site.c's sync of the hub's snapshot).
 */
#pragma once

#include "hub.h"
#include "store.h"

G_BEGIN_DECLS

/* Records booth `booth_id`'s report (the hub's service update_report). A
 * new one is logged once: a message for "kept", a warning naming the booth
 * and both versions for "rolled-back" and "install-failed"; the same report
 * again (after every reconnection) is one record and only a debug line.
 * An installed job of the reported version is closed by it. FALSE on a
 * store error (NOT_FOUND: a booth deleted meanwhile; UNAVAILABLE, also
 * from closing the job: the write queue sends the same report again). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_updates_record(SbStore *store, const char *booth_id, const SbHubUpdateReport *report, GError **error);

/* --- updates sent from afar (README.md "Updates sent from afar") --- */

/* A job installing bundle `bundle_id` on booth `booth_id`, offered at once
 * when the booth is connected (else at its next hello).
 * Returns: (transfer full) or NULL: NOT_FOUND (booth, bundle), EXISTS (one
 * update at a time). */
SbUpdateJob *sb_updates_start(SbStore *store, SbHub *hub, const char *booth_id, const char *bundle_id,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Booth `booth_id` was greeted: its job is offered again while pending or
 * downloading (a download cut by a lost link starts over). */
void sb_updates_booth_greeted(SbStore *store, SbHub *hub, const char *booth_id);
/* The booth's update_status: its job moves (the booth's words kept), or
 * the status is dropped with a log line (another booth's, unknown, over).
 * FALSE only with the store's error (UNAVAILABLE: the write queue tries
 * again). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_updates_status_write(SbStore *store, const char *booth_id, const SbHubUpdateStatus *status, GError **error);
/* The same, its store error logged. */
void sb_updates_status(SbStore *store, const char *booth_id, const SbHubUpdateStatus *status);
/* Job `id` cancelled by an administrator (a booth that will not come back to
 * say). NOT_FOUND; INVALID when it is over already. */
gboolean sb_updates_cancel(SbStore *store, const char *id, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
