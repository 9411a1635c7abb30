/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store-copy: every row of one store into another, empty one (CLUSTER.md
 * "Moving a SQLite store to PostgreSQL"): `relais-switchboard --data DIR
 * store copy --to postgresql://…`. Both stores are open and migrated to the
 * same version; the tables go in an order that keeps foreign keys valid,
 * in one transaction on the target, ids kept, then each identity sequence
 * is moved past the largest id copied.
 */
#define G_LOG_DOMAIN "relais-store"

#include "store-engine.h"

#include <string.h>

/* Every column of every table, in an order where a row's references exist
 * before it. A column added by a migration must be added here: the copy
 * refuses a target table whose column count differs from its list. */
typedef struct {
	const char *table;
	const char *count;    /* rows already in the target */
	const char *select;   /* from the source */
	const char *insert;   /* into the target */
	const char *sequence; /* PostgreSQL: the identity sequence moved past the largest id, or NULL */
} CopyTable;

#define T(name, cols, qs, seq)                                                                                         \
	{                                                                                                              \
		name, "SELECT count(*) FROM " name, "SELECT " cols " FROM " name,                                      \
			"INSERT INTO " name " (" cols ") VALUES (" qs ")", seq                                         \
	}

static const CopyTable TABLES[] = {
	T("sites", "id, name, timezone, address", "?, ?, ?, ?",
	  "SELECT setval(pg_get_serial_sequence('sites', 'id'), coalesce(max(id), 0) + 1, false) FROM sites"),
	T("booths", "id, site_id, name, last_seen, state, reason, software, slot", "?, ?, ?, ?, ?, ?, ?, ?", NULL),
	T("users", "id, login, display_name, role, site_id, languages, topics, password_hash, created, disabled",
	  "?, ?, ?, ?, ?, ?, ?, ?, ?, ?",
	  "SELECT setval(pg_get_serial_sequence('users', 'id'), coalesce(max(id), 0) + 1, false) FROM users"),
	T("sessions", "token_hash, user_id, created, expires, last_used, remote_addr", "?, ?, ?, ?, ?, ?", NULL),
	T("sign_in_attempts", "id, login_key, address_key, at", "?, ?, ?, ?",
	  "SELECT setval(pg_get_serial_sequence('sign_in_attempts', 'id'), coalesce(max(id), 0) + 1, false) FROM "
	  "sign_in_attempts"),
	T("call_records",
	  "id, call_id, site_id, booth_id, topic, language, queued_at, answered_at, ended_at, end_reason, "
	  "satisfaction, outcome, outcome_note, follow_up, transfers",
	  "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?",
	  "SELECT setval(pg_get_serial_sequence('call_records', 'id'), coalesce(max(id), 0) + 1, false) FROM "
	  "call_records"),
	T("opening_slots", "site_id, weekday, half, start_min, end_min, capacity", "?, ?, ?, ?, ?, ?", NULL),
	T("closures", "id, site_id, date_from, date_to, reason", "?, ?, ?, ?, ?",
	  "SELECT setval(pg_get_serial_sequence('closures', 'id'), coalesce(max(id), 0) + 1, false) FROM closures"),
	T("bookings",
	  "id, code, site_id, start_at, end_at, language, topic, state, created, checked_in_at, used_at, "
	  "used_call_id",
	  "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?",
	  "SELECT setval(pg_get_serial_sequence('bookings', 'id'), coalesce(max(id), 0) + 1, false) FROM bookings"),
	T("enrol_tokens", "token_hash, booth_id, created, expires, used_at, used_serial", "?, ?, ?, ?, ?, ?", NULL),
	T("booth_certs", "serial, booth_id, not_before, not_after, issued, revoked_at", "?, ?, ?, ?, ?, ?", NULL),
	T("update_reports", "booth_id, result, version, from_version, slot, at, detail, received_at",
	  "?, ?, ?, ?, ?, ?, ?, ?", NULL),
	T("bundles", "id, size, version, compatible, uploaded_at, uploaded_by", "?, ?, ?, ?, ?, ?", NULL),
	/* rowid: SQLite's own, a column of PostgreSQL's table (store-pg.c) */
	T("update_jobs", "rowid, id, booth_id, bundle_id, state, progress, message, created, updated",
	  "?, ?, ?, ?, ?, ?, ?, ?, ?",
	  "SELECT setval(pg_get_serial_sequence('update_jobs', 'rowid'), coalesce(max(rowid), 0) + 1, false) FROM "
	  "update_jobs"),
	T("live_calls", "call_id, booth_id, adviser, ticket, site, topic, language, queued_at, answered_at",
	  "?, ?, ?, ?, ?, ?, ?, ?, ?", NULL),
};
#undef T

static gint64 one_int(SbStore *s, const char *sql, const char *what, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, sql, error);
	if (st == NULL)
		return -1;
	if (store_step(s, st, what, error) != STORE_ROW)
		return -1;
	return store_col_int64(st, 0);
}

/* The columns of the list: its insert's parameters. */
static guint columns_of(const CopyTable *t)
{
	guint n = 0;
	for (const char *c = t->insert; *c; c++)
		n += *c == '?';
	return n;
}

/* The store has as many columns in `t` as the list (PostgreSQL's
 * catalogue; SQLite's table_info, plus update_jobs' rowid). */
static gboolean columns_match(SbStore *s, const CopyTable *t, GError **error)
{
	g_autoptr(SbStmt) st =
		s->pg ? store_prep(s,
				   "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
				   "current_schema() AND table_name = ?",
				   error)
		      : store_prep(s, "SELECT count(*) FROM pragma_table_info(?)", error);
	if (st == NULL || !store_bound(s, store_bind_text(st, 1, t->table), error) ||
	    store_step(s, st, "reading the columns", error) != STORE_ROW)
		return FALSE;
	gint64 n = store_col_int64(st, 0);
	if (!s->pg && strcmp(t->table, "update_jobs") == 0)
		n++;
	if (n == (gint64)columns_of(t))
		return TRUE;
	g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED,
		    "table %s has %" G_GINT64_FORMAT " columns, the copy knows %u: store-copy.c needs the new ones",
		    t->table, n, columns_of(t));
	return FALSE;
}

static gboolean copy_table(SbStore *from, SbStore *to, const CopyTable *t, guint64 *rows, GError **error)
{
	g_autoptr(SbStmt) src = store_prep(from, t->select, error);
	if (src == NULL)
		return FALSE;
	for (;;) {
		StoreStep step = store_step(from, src, "reading", error);
		if (step == STORE_FAILED)
			return FALSE;
		if (step == STORE_DONE)
			return TRUE;
		g_autoptr(SbStmt) dst = store_prep(to, t->insert, error);
		if (dst == NULL)
			return FALSE;
		int rc = 0;
		for (guint i = 0; i < columns_of(t); i++)
			rc |= store_bind_text(dst, (int)i + 1, store_col_text(src, (int)i));
		if (!store_bound(to, rc, error) || !store_run(to, dst, "writing", error))
			return FALSE;
		(*rows)++;
	}
}

gboolean sb_store_copy(SbStore *from, SbStore *to, guint64 *rows_out, GError **error)
{
	if (sb_store_schema_version(from) != sb_store_schema_version(to)) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "schema versions differ (%d, %d)",
			    sb_store_schema_version(from), sb_store_schema_version(to));
		return FALSE;
	}
	for (guint i = 0; i < G_N_ELEMENTS(TABLES); i++) {
		if (!columns_match(from, &TABLES[i], error) || !columns_match(to, &TABLES[i], error))
			return FALSE;
		gint64 n = one_int(to, TABLES[i].count, "counting the target's rows", error);
		if (n < 0)
			return FALSE;
		if (n > 0) {
			g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS,
				    "the target is not empty (%s has %" G_GINT64_FORMAT " rows): nothing copied",
				    TABLES[i].table, n);
			return FALSE;
		}
	}
	guint64 rows = 0;
	if (!store_tx_begin(to, error))
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(TABLES); i++) {
		const CopyTable *t = &TABLES[i];
		if (!copy_table(from, to, t, &rows, error) ||
		    (t->sequence && to->pg && one_int(to, t->sequence, "moving the ids on", error) < 0)) {
			g_prefix_error(error, "copying %s: ", t->table);
			store_tx_rollback(to);
			return FALSE;
		}
	}
	if (!store_tx_commit(to, error)) {
		store_tx_rollback(to);
		return FALSE;
	}
	if (rows_out)
		*rows_out = rows;
	return TRUE;
}
