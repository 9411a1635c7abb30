/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-updates"

#include "updates.h"

/* An installed job whose version the report names ends with it: the
 * health service kept the new slot, or the booth rolled back. FALSE only
 * when the store cannot write now (the write queue tries the report again;
 * the same report again changes nothing and comes back here). */
static gboolean close_job(SbStore *store, const char *booth_id, const SbHubUpdateReport *r, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(SbUpdateJob) job = sb_store_update_job_of(store, booth_id, TRUE, &local);
	if (job == NULL || job->version == NULL || g_strcmp0(job->version, r->version) != 0)
		return TRUE;
	SbUpdateState end = g_strcmp0(r->result, "kept") == 0	       ? SB_UPDATE_KEPT
			    : g_strcmp0(r->result, "rolled-back") == 0 ? SB_UPDATE_ROLLED_BACK
								       : SB_UPDATE_FAILED;
	if (end != SB_UPDATE_FAILED && job->state != SB_UPDATE_INSTALLED)
		return TRUE; /* a report of an earlier try of the same version */
	if (!sb_store_update_job_set(store, job->id, end, 100, r->detail, &local)) {
		if (sb_store_error_is_transient(local)) {
			g_propagate_prefixed_error(error, g_steal_pointer(&local), "update %s: ", job->id);
			return FALSE;
		}
		g_warning("update %s: %s", job->id, local->message);
	} else {
		g_message("booth %s: update %s %s", booth_id, job->id, sb_update_state_name(end));
	}
	return TRUE;
}

static void log_report(const char *booth_id, const SbHubUpdateReport *r);

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
	/* the report is said even when its job cannot be closed now: the
	 * retry of the same report is unchanged and would not say it again */
	g_autoptr(GError) close_error = NULL;
	gboolean closed = close_job(store, booth_id, r, &close_error);
	if (!changed)
		g_debug("booth %s: the same update report again (%s %s at %s)", booth_id, r->result, r->version, r->at);
	else
		log_report(booth_id, r);
	if (!closed) {
		g_propagate_error(error, g_steal_pointer(&close_error));
		return FALSE;
	}
	return TRUE;
}

static void log_report(const char *booth_id, const SbHubUpdateReport *r)
{
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
}

/* --- updates sent from afar --------------------------------------------------------- */

static void offer(SbHub *hub, const SbUpdateJob *job)
{
	if (job->size <= 0)
		return; /* its bundle was deleted: nothing to send */
	if (sb_hub_offer_update(hub, job->booth_id, job->id, job->size, job->bundle_id, job->version))
		g_message("booth %s: update %s offered (bundle %.12s, %" G_GINT64_FORMAT " bytes, version %s)",
			  job->booth_id, job->id, job->bundle_id, job->size, job->version ? job->version : "unknown");
}

SbUpdateJob *sb_updates_start(SbStore *store, SbHub *hub, const char *booth_id, const char *bundle_id, GError **error)
{
	SbUpdateJob *job = sb_store_update_job_create(store, booth_id, bundle_id, error);
	if (job == NULL)
		return NULL;
	g_message("booth %s: update %s to bundle %.12s (version %s) asked", booth_id, job->id, bundle_id,
		  job->version ? job->version : "unknown");
	offer(hub, job);
	return job;
}

void sb_updates_booth_greeted(SbStore *store, SbHub *hub, const char *booth_id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbUpdateJob) job = sb_store_update_job_of(store, booth_id, TRUE, &error);
	if (job == NULL) {
		if (!g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND))
			g_warning("booth %s: its updates: %s", booth_id, error->message);
		return;
	}
	/* installing or installed: the booth is busy with it or rebooting */
	if (job->state == SB_UPDATE_PENDING || job->state == SB_UPDATE_DOWNLOADING)
		offer(hub, job);
}

gboolean sb_updates_status_write(SbStore *store, const char *booth_id, const SbHubUpdateStatus *st, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(SbUpdateJob) job = sb_store_update_job_get(store, st->update, &local);
	if (job == NULL && local && !g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	if (job == NULL || g_strcmp0(job->booth_id, booth_id) != 0 || !sb_update_state_active(job->state)) {
		g_message("booth %s: dropping an update_status for %s (%s)", booth_id, st->update,
			  job == NULL				? "unknown update"
			  : !sb_update_state_active(job->state) ? "over"
								: "not its own");
		return TRUE;
	}
	SbUpdateState next;
	if (g_strcmp0(st->state, "busy") == 0)
		next = SB_UPDATE_PENDING;
	else if (!sb_update_state_from_name(st->state, &next))
		next = SB_UPDATE_FAILED; /* "failed", the protocol's only other word */
	gint progress = st->progress >= 0 ? st->progress : next == SB_UPDATE_INSTALLED ? 100 : 0;
	const char *message = st->message			  ? st->message
			      : g_strcmp0(st->state, "busy") == 0 ? "waiting for the booth to be idle"
								  : NULL;
	if (!sb_store_update_job_set(store, job->id, next, progress, message, error)) {
		g_prefix_error(error, "update %s: ", job->id);
		return FALSE;
	}
	if (next == SB_UPDATE_FAILED)
		g_warning("booth %s: update %s failed: %s", booth_id, job->id, message ? message : "no reason given");
	else if (next != job->state || g_strcmp0(st->state, "busy") == 0)
		g_message("booth %s: update %s %s%s%s", booth_id, job->id, sb_update_state_name(next),
			  message ? ": " : "", message ? message : "");
	return TRUE;
}

void sb_updates_status(SbStore *store, const char *booth_id, const SbHubUpdateStatus *st)
{
	g_autoptr(GError) error = NULL;
	if (!sb_updates_status_write(store, booth_id, st, &error))
		g_warning("%s", error->message);
}

gboolean sb_updates_cancel(SbStore *store, const char *id, GError **error)
{
	if (!sb_store_update_job_set(store, id, SB_UPDATE_CANCELLED, 0, "cancelled by an administrator", error))
		return FALSE;
	g_message("update %s cancelled", id);
	return TRUE;
}
