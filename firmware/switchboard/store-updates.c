/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-store"

#include "store-private.h"

#include <string.h>

/* --- booths' update reports ------------------------------------------------------------ */

void sb_update_report_free(SbUpdateReport *r)
{
	if (r == NULL)
		return;
	g_free(r->result);
	g_free(r->version);
	g_free(r->from_version);
	g_free(r->slot);
	g_free(r->at);
	g_free(r->detail);
	g_free(r);
}

/* "" is stored as NULL */
static const char *nz(const char *s)
{
	return s && *s ? s : NULL;
}

static gboolean check_report(const SbUpdateReport *r, GError **error)
{
	if (g_strcmp0(r->result, "kept") != 0 && g_strcmp0(r->result, "rolled-back") != 0 &&
	    g_strcmp0(r->result, "install-failed") != 0)
		return store_invalid(error, "an update result is kept, rolled-back or install-failed");
	if (!store_check_id("the version", r->version, SB_STORE_MAX_ID, error) ||
	    (nz(r->from_version) && !store_check_id("the previous version", r->from_version, SB_STORE_MAX_ID, error)))
		return FALSE;
	if (g_strcmp0(r->slot, "A") != 0 && g_strcmp0(r->slot, "B") != 0)
		return store_invalid(error, "a slot is A or B");
	if (!relais_proto_valid_time(r->at))
		return store_invalid(error, "the time of an update is ISO 8601 with its offset");
	return store_check_text("the detail", r->detail, 0, SB_STORE_MAX_DETAIL, FALSE, error);
}

static gboolean same_report(const SbUpdateReport *a, const SbUpdateReport *b)
{
	return g_strcmp0(a->result, b->result) == 0 && g_strcmp0(a->version, b->version) == 0 &&
	       g_strcmp0(nz(a->from_version), nz(b->from_version)) == 0 && g_strcmp0(a->slot, b->slot) == 0 &&
	       g_strcmp0(a->at, b->at) == 0 && g_strcmp0(nz(a->detail), nz(b->detail)) == 0;
}

SbUpdateReport *sb_store_update_report_get(SbStore *s, const char *booth_id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s,
					  "SELECT result, version, from_version, slot, at, detail, received_at "
					  "FROM update_reports WHERE booth_id = ?",
					  error);
	if (st == NULL || !store_bound(s, store_bind_text(st, 1, booth_id ? booth_id : ""), error))
		return NULL;
	StoreStep rc = store_step(s, st, "reading the booth's update report", error);
	if (rc == STORE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "booth '%s' has reported no update",
			    booth_id);
	if (rc != STORE_ROW)
		return NULL;
	SbUpdateReport *r = g_new0(SbUpdateReport, 1);
	r->result = store_col_str(st, 0);
	r->version = store_col_str(st, 1);
	r->from_version = store_col_str(st, 2);
	r->slot = store_col_str(st, 3);
	r->at = store_col_str(st, 4);
	r->detail = store_col_str(st, 5);
	r->received_at = store_col_int64(st, 6);
	return r;
}

gboolean sb_store_update_report_save(SbStore *s, const char *booth_id, const SbUpdateReport *r, gboolean *changed,
				     GError **error)
{
	if (changed)
		*changed = FALSE;
	if (!store_check_id("the booth id", booth_id, SB_STORE_MAX_ID, error) || !check_report(r, error))
		return FALSE;
	/* read and write in one transaction: two switchboards (PostgreSQL,
	 * later) given the same report record it once */
	if (!store_tx_begin(s, error))
		return FALSE;
	g_autoptr(GError) local = NULL;
	g_autoptr(SbUpdateReport) old = sb_store_update_report_get(s, booth_id, &local);
	if (old == NULL && !g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND)) {
		store_tx_rollback(s);
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	if (old && same_report(old, r)) {
		store_tx_rollback(s);
		return TRUE;
	}
	g_autoptr(SbStmt) st = store_prep(
		s,
		"INSERT INTO update_reports (booth_id, result, version, from_version, slot, at, detail, received_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (booth_id) DO UPDATE SET result = excluded.result, "
		"version = excluded.version, from_version = excluded.from_version, slot = excluded.slot, "
		"at = excluded.at, detail = excluded.detail, received_at = excluded.received_at",
		error);
	gboolean ok =
		st &&
		store_bound(s,
			    store_bind_text(st, 1, booth_id) | store_bind_text(st, 2, r->result) |
				    store_bind_text(st, 3, r->version) | store_bind_text(st, 4, nz(r->from_version)) |
				    store_bind_text(st, 5, r->slot) | store_bind_text(st, 6, r->at) |
				    store_bind_text(st, 7, nz(r->detail)) | store_bind_int64(st, 8, sb_store_now(s)),
			    error) &&
		store_run(s, st, "recording the booth's update report", error);
	if (!ok) {
		store_tx_rollback(s);
		/* a foreign key: no such booth */
		if (error && *error && g_error_matches(*error, SB_STORE_ERROR, SB_STORE_ERROR_IN_USE)) {
			g_clear_error(error);
			g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no booth '%s'", booth_id);
		}
		return FALSE;
	}
	if (!store_tx_commit(s, error))
		return FALSE;
	if (changed)
		*changed = TRUE;
	return TRUE;
}
