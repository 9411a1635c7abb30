/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * updates: the switchboard's side of the booths' system updates (README.md
 * "Software and updates"): what a booth's update_report becomes in the
 * store and in the log. The software a booth runs and its slot reach the
 * store with its state (site.c's sync of the hub's snapshot).
 */
#pragma once

#include "hub.h"
#include "store.h"

G_BEGIN_DECLS

/* Records booth `booth_id`'s report (the hub's service update_report). A
 * new one is logged once: a message for "kept", a warning naming the booth
 * and both versions for "rolled-back" and "install-failed"; the same report
 * again (after every reconnection) is one record and only a debug line.
 * FALSE on a store error (NOT_FOUND: a booth deleted meanwhile). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_updates_record(SbStore *store, const char *booth_id, const SbHubUpdateReport *report, GError **error);

G_END_DECLS
