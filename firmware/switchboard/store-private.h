/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store-private: what the store's area files (store-accounts.c,
 * store-sites.c, store-hours.c, store-bookings.c, store-calls.c) share, and
 * the only door between them and the SQL engine (store.c; STORE.md
 * "Engines"). Not an API for the rest of the switchboard.
 *
 * The area files hold the SQL text and the rules; they never include
 * <sqlite3.h>. They borrow a cached statement (store_prep), bind parameters
 * by position, step through rows and read columns through the functions
 * below, and group writes with store_tx_*(). A second engine implements this
 * header and nothing else.
 */
#pragma once

#include "store.h"
#include "protocol.h"
#include "fail.h"

G_BEGIN_DECLS

/* --- statements (store.c: the engine) ----------------------------------------- */

/* A cached prepared statement borrowed for one query: the autoptr cleanup
 * resets it and clears its bindings (it is never freed by its user). */
typedef struct _SbStmt SbStmt;
void store_stmt_release(SbStmt *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbStmt, store_stmt_release)

/* What store_step() found: 0 with `error` set when it failed. */
typedef enum {
	STORE_FAILED = 0,
	STORE_ROW,  /* a row to read with store_col_*() */
	STORE_DONE, /* no more rows; a write is done */
} StoreStep;

/* The cached statement for `sql`, a static string (the cache's key is its
 * address). Parameters are `?` (in order) or `?N` (numbered from 1).
 * Returns: (transfer none) or NULL with `error` set. */
SbStmt *store_prep(SbStore *s, const char *sql, GError **error);
StoreStep store_step(SbStore *s, SbStmt *st, const char *what, GError **error);
/* Runs a statement that returns no rows. */
gboolean store_run(SbStore *s, SbStmt *st, const char *what, GError **error);

/* Binders return 0 on success, so that several can be or-ed into one
 * store_bound() check. */
int store_bind_text(SbStmt *st, int i, const char *v); /* NULL binds NULL */
int store_bind_int(SbStmt *st, int i, gint v);
int store_bind_int64(SbStmt *st, int i, gint64 v);
int store_bind_opt(SbStmt *st, int i, gint64 v); /* 0 binds NULL */
gboolean store_bound(SbStore *s, int rc, GError **error);

/* Columns of the current row, numbered from 0. */
char *store_col_str(SbStmt *st, int i); /* (transfer full), NULL for NULL */
const char *store_col_text(SbStmt *st, int i);
gint store_col_int(SbStmt *st, int i); /* NULL reads 0 */
gint64 store_col_int64(SbStmt *st, int i);
gboolean store_col_is_null(SbStmt *st, int i);

/* Rows changed by the last write; the id of the last row inserted. */
guint store_changes(SbStore *s);
gint64 store_last_id(SbStore *s);
/* TRUE when the last write changed a row; else NOT_FOUND "no WHAT 'KEY'". */
gboolean store_changed_one(SbStore *s, const char *what, const char *key, GError **error);

/* One write transaction (BEGIN IMMEDIATE: taken at once, not on the first
 * write). Rollback does nothing outside a transaction. */
gboolean store_tx_begin(SbStore *s, GError **error);
gboolean store_tx_commit(SbStore *s, GError **error);
void store_tx_rollback(SbStore *s);

/* --- input checks (store-check.c) ---------------------------------------------- */

/* Sets INVALID with the message; returns FALSE. */
#define store_invalid(error, ...) relais_fail((error), SB_STORE_ERROR, SB_STORE_ERROR_INVALID, __VA_ARGS__)
/* UTF-8 text of min..max characters without control characters (newlines
 * only where allowed). */
gboolean store_check_text(const char *field, const char *v, glong min, glong max, gboolean newlines, GError **error);
/* PROTOCOL.md's id: 1..max of [A-Za-z0-9._:-] */
gboolean store_is_id(const char *v, gsize max);
gboolean store_check_id(const char *field, const char *v, gsize max, GError **error);
/* Language tags are the protocol's (relais_proto_valid_lang, protocol.h). */
/* lower-case word: [a-z0-9_-], 1..max (booth states, outcome codes) */
gboolean store_is_word(const char *v, gsize max);

/* --- shared by the areas ---------------------------------------------------------- */

/* TRUE when site `site_id` exists; else NOT_FOUND (store-sites.c). */
gboolean store_site_exists(SbStore *s, gint64 site_id, GError **error);

G_END_DECLS
