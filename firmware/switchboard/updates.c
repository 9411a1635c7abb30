/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-updates"

#include "updates.h"

gboolean sb_updates_record(SbStore *store, const char *booth_id, const SbHubUpdateReport *r, GError **error)
{
	SbUpdateReport row = {
		.result = (char *)r->result,
		.version = (char *)r->version,
		.from_version = (char *)r->from,
		.slot = (char *)r->slot,
		.at = (char *)r->at,
		.detail = (char *)r->detail,
	};
	gboolean changed = FALSE;
	if (!sb_store_update_report_save(store, booth_id, &row, &changed, error))
		return FALSE;
	if (!changed) {
		g_debug("booth %s: the same update report again (%s %s at %s)", booth_id, r->result, r->version, r->at);
		return TRUE;
	}
	const char *from = r->from ? r->from : "an unknown version";
	const char *detail = r->detail ? r->detail : "no detail";
	if (g_strcmp0(r->result, "kept") == 0)
		g_message("booth %s: update from %s to %s kept (slot %s, %s)", booth_id, from, r->version, r->slot,
			  r->at);
	else if (g_strcmp0(r->result, "rolled-back") == 0)
		g_warning("booth %s: update from %s to %s rolled back (slot %s tried, %s): %s", booth_id, from,
			  r->version, r->slot, r->at, detail);
	else
		g_warning("booth %s: update from %s to %s failed to install (slot %s, %s): %s", booth_id, from,
			  r->version, r->slot, r->at, detail);
	return TRUE;
}
