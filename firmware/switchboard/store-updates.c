/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-store"

#include "store-private.h"
#include "randomid.h"

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

/* TRUE when `a` is strictly before `b` (both valid ISO 8601 times). */
static gboolean older(const char *a, const char *b)
{
	g_autoptr(GDateTime) ta = g_date_time_new_from_iso8601(a, NULL);
	g_autoptr(GDateTime) tb = b ? g_date_time_new_from_iso8601(b, NULL) : NULL;
	return ta && tb && g_date_time_compare(ta, tb) < 0;
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
	if (old && (same_report(old, r) || older(r->at, old->at))) {
		/* the same again, or an older one repeated after a newer
		 * failure the booth reported itself: the record stays */
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

/* --- updates sent from afar: bundles and jobs ---------------------------------------- */

void sb_bundle_free(SbBundle *b)
{
	if (b == NULL)
		return;
	g_free(b->id);
	g_free(b->version);
	g_free(b->compatible);
	g_free(b->uploaded_by);
	g_free(b);
}

static gboolean check_bundle_id(const char *id, GError **error)
{
	if (!relais_proto_valid_sha256(id))
		return store_invalid(error, "a bundle id is its SHA-256: 64 lower-case hex digits");
	return TRUE;
}

gboolean sb_store_bundle_add(SbStore *s, const SbBundle *b, gboolean *existed, GError **error)
{
	if (existed)
		*existed = FALSE;
	if (!check_bundle_id(b->id, error))
		return FALSE;
	if (b->size <= 0)
		return store_invalid(error, "a bundle is at least one byte");
	if ((b->version && !store_check_id("the bundle's version", b->version, SB_STORE_MAX_ID, error)) ||
	    (b->compatible && !store_check_id("the bundle's compatible", b->compatible, SB_STORE_MAX_ID, error)) ||
	    !store_check_text("the uploader", b->uploaded_by, 0, SB_STORE_MAX_LOGIN, FALSE, error))
		return FALSE;
	g_autoptr(SbStmt) st =
		store_prep(s,
			   "INSERT INTO bundles (id, size, version, compatible, uploaded_at, uploaded_by) "
			   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
			   error);
	if (st == NULL ||
	    !store_bound(s,
			 store_bind_text(st, 1, b->id) | store_bind_int64(st, 2, b->size) |
				 store_bind_text(st, 3, b->version) | store_bind_text(st, 4, b->compatible) |
				 store_bind_int64(st, 5, sb_store_now(s)) |
				 store_bind_text(st, 6, b->uploaded_by ? b->uploaded_by : ""),
			 error) ||
	    !store_run(s, st, "recording the bundle", error))
		return FALSE;
	if (existed)
		*existed = store_changes(s) == 0;
	return TRUE;
}

static SbBundle *bundle_of_row(SbStmt *st)
{
	SbBundle *b = g_new0(SbBundle, 1);
	b->id = store_col_str(st, 0);
	b->size = store_col_int64(st, 1);
	b->version = store_col_str(st, 2);
	b->compatible = store_col_str(st, 3);
	b->uploaded_at = store_col_int64(st, 4);
	b->uploaded_by = store_col_str(st, 5);
	return b;
}

SbBundle *sb_store_bundle_get(SbStore *s, const char *id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(
		s, "SELECT id, size, version, compatible, uploaded_at, uploaded_by FROM bundles WHERE id = ?", error);
	if (st == NULL || !store_bound(s, store_bind_text(st, 1, id ? id : ""), error))
		return NULL;
	StoreStep rc = store_step(s, st, "reading the bundle", error);
	if (rc == STORE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no bundle '%.64s'", id ? id : "");
	return rc == STORE_ROW ? bundle_of_row(st) : NULL;
}

GPtrArray *sb_store_bundle_list(SbStore *s, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s,
					  "SELECT id, size, version, compatible, uploaded_at, uploaded_by FROM bundles "
					  "ORDER BY uploaded_at DESC, id",
					  error);
	if (st == NULL)
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)sb_bundle_free);
	StoreStep rc;
	while ((rc = store_step(s, st, "listing bundles", error)) == STORE_ROW)
		g_ptr_array_add(out, bundle_of_row(st));
	return rc == STORE_DONE ? g_steal_pointer(&out) : NULL;
}

gboolean sb_store_bundle_del(SbStore *s, const char *id, GError **error)
{
	if (!check_bundle_id(id, error) || !store_tx_begin(s, error))
		return FALSE;
	g_autoptr(SbStmt) use = store_prep(s,
					   "SELECT count(*) FROM update_jobs WHERE bundle_id = ? AND state IN "
					   "('pending', 'downloading', 'installing', 'installed')",
					   error);
	gboolean ok = use && store_bound(s, store_bind_text(use, 1, id), error) &&
		      store_step(s, use, "looking for the bundle's updates", error) == STORE_ROW;
	if (ok && store_col_int64(use, 0) > 0) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_IN_USE,
			    "bundle %.12s is being installed on %" G_GINT64_FORMAT " booth(s)", id,
			    store_col_int64(use, 0));
		ok = FALSE;
	}
	g_autoptr(SbStmt) del = ok ? store_prep(s, "DELETE FROM bundles WHERE id = ?", error) : NULL;
	ok = ok && del && store_bound(s, store_bind_text(del, 1, id), error) &&
	     store_run(s, del, "deleting the bundle", error) && store_changed_one(s, "bundle", id, error);
	if (!ok) {
		store_tx_rollback(s);
		return FALSE;
	}
	return store_tx_commit(s, error);
}

static const char *const state_names[SB_UPDATE_N_STATES] = {
	"pending", "downloading", "installing", "installed", "kept", "rolled-back", "failed", "cancelled",
};

const char *sb_update_state_name(SbUpdateState state)
{
	return (guint)state < SB_UPDATE_N_STATES ? state_names[state] : "?";
}

gboolean sb_update_state_from_name(const char *name, SbUpdateState *state)
{
	for (guint i = 0; i < SB_UPDATE_N_STATES; i++)
		if (g_strcmp0(state_names[i], name) == 0) {
			*state = (SbUpdateState)i;
			return TRUE;
		}
	return FALSE;
}

gboolean sb_update_state_active(SbUpdateState state)
{
	return state <= SB_UPDATE_INSTALLED;
}

void sb_update_job_free(SbUpdateJob *j)
{
	if (j == NULL)
		return;
	g_free(j->id);
	g_free(j->booth_id);
	g_free(j->bundle_id);
	g_free(j->version);
	g_free(j->message);
	g_free(j);
}

#define JOB_COLUMNS                                                                                                    \
	"SELECT j.id, j.booth_id, j.bundle_id, coalesce(b.size, 0), b.version, j.state, j.progress, j.message, "       \
	"j.created, j.updated FROM update_jobs j LEFT JOIN bundles b ON b.id = j.bundle_id "

static SbUpdateJob *job_of_row(SbStmt *st)
{
	SbUpdateJob *j = g_new0(SbUpdateJob, 1);
	j->id = store_col_str(st, 0);
	j->booth_id = store_col_str(st, 1);
	j->bundle_id = store_col_str(st, 2);
	j->size = store_col_int64(st, 3);
	j->version = store_col_str(st, 4);
	SbUpdateState state = SB_UPDATE_FAILED;
	(void)sb_update_state_from_name(store_col_text(st, 5), &state);
	j->state = state;
	j->progress = store_col_int(st, 6);
	j->message = store_col_str(st, 7);
	j->created = store_col_int64(st, 8);
	j->updated = store_col_int64(st, 9);
	return j;
}

static SbUpdateJob *job_query(SbStore *s, SbStmt *st, const char *what, const char *key, GError **error)
{
	StoreStep rc = store_step(s, st, what, error);
	if (rc == STORE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no update for '%.64s'", key ? key : "");
	return rc == STORE_ROW ? job_of_row(st) : NULL;
}

SbUpdateJob *sb_store_update_job_get(SbStore *s, const char *id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, JOB_COLUMNS "WHERE j.id = ?", error);
	if (st == NULL || !store_bound(s, store_bind_text(st, 1, id ? id : ""), error))
		return NULL;
	return job_query(s, st, "reading the update", id, error);
}

SbUpdateJob *sb_store_update_job_of(SbStore *s, const char *booth_id, gboolean active, GError **error)
{
	g_autoptr(SbStmt) st =
		store_prep(s,
			   JOB_COLUMNS "WHERE j.booth_id = ?1 AND (?2 = 0 OR j.state IN ('pending', 'downloading', "
				       "'installing', 'installed')) ORDER BY j.created DESC, j.rowid DESC LIMIT 1",
			   error);
	if (st == NULL ||
	    !store_bound(s, store_bind_text(st, 1, booth_id ? booth_id : "") | store_bind_int(st, 2, active), error))
		return NULL;
	return job_query(s, st, "reading the booth's update", booth_id, error);
}

SbUpdateJob *sb_store_update_job_create(SbStore *s, const char *booth_id, const char *bundle_id, GError **error)
{
	if (!store_check_id("the booth id", booth_id, SB_STORE_MAX_ID, error) || !check_bundle_id(bundle_id, error))
		return NULL;
	g_autoptr(SbBundle) bundle = sb_store_bundle_get(s, bundle_id, error);
	if (bundle == NULL)
		return NULL;
	g_autoptr(GError) rand_error = NULL;
	g_autofree char *id = relais_random_id("u-", &rand_error);
	if (id == NULL) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "a new update id: %s", rand_error->message);
		return NULL;
	}
	gint64 now = sb_store_now(s);
	g_autoptr(SbStmt) st = store_prep(
		s, "INSERT INTO update_jobs (id, booth_id, bundle_id, created, updated) VALUES (?, ?, ?, ?, ?)", error);
	g_autoptr(GError) local = NULL;
	if (st == NULL ||
	    !store_bound(s,
			 store_bind_text(st, 1, id) | store_bind_text(st, 2, booth_id) |
				 store_bind_text(st, 3, bundle_id) | store_bind_int64(st, 4, now) |
				 store_bind_int64(st, 5, now),
			 &local) ||
	    !store_run(s, st, "recording the update", &local)) {
		/* the partial unique index: one active job per booth; the
		 * foreign key: no such booth */
		if (local && g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS))
			g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS,
				    "booth '%s' is already being updated (one update at a time)", booth_id);
		else if (local && g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_IN_USE))
			g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no booth '%s'", booth_id);
		else
			g_propagate_error(error, g_steal_pointer(&local));
		return NULL;
	}
	return sb_store_update_job_get(s, id, error);
}

gboolean sb_store_update_job_set(SbStore *s, const char *id, SbUpdateState state, gint progress, const char *message,
				 GError **error)
{
	if ((guint)state >= SB_UPDATE_N_STATES || progress < 0 || progress > 100)
		return store_invalid(error, "an update's state or progress is out of range");
	g_autofree char *cut = NULL;
	if (message && g_utf8_validate(message, -1, NULL) && g_utf8_strlen(message, -1) > SB_STORE_MAX_DETAIL)
		message = cut = g_utf8_substring(message, 0, SB_STORE_MAX_DETAIL);
	if (!store_check_text("the update's message", message, 0, SB_STORE_MAX_DETAIL, FALSE, error))
		return FALSE;
	g_autoptr(SbStmt) st =
		store_prep(s,
			   "UPDATE update_jobs SET state = ?, progress = ?, message = ?, updated = ? "
			   "WHERE id = ? AND state IN ('pending', 'downloading', 'installing', 'installed')",
			   error);
	if (st == NULL ||
	    !store_bound(s,
			 store_bind_text(st, 1, state_names[state]) | store_bind_int(st, 2, progress) |
				 store_bind_text(st, 3, message && *message ? message : NULL) |
				 store_bind_int64(st, 4, sb_store_now(s)) | store_bind_text(st, 5, id ? id : ""),
			 error) ||
	    !store_run(s, st, "recording the update's state", error))
		return FALSE;
	if (store_changes(s) == 1)
		return TRUE;
	g_autoptr(SbUpdateJob) j = sb_store_update_job_get(s, id, error);
	if (j == NULL)
		return FALSE;
	return store_invalid(error, "update %s is over (%s)", id, sb_update_state_name(j->state));
}
