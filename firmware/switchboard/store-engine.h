/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store-engine: what the two engines behind store-private.h share (STORE.md
 * "Engines"): the store's struct and a table of each engine's operations.
 * store.c holds the engine-neutral part and SQLite's engine; store-pg.c
 * PostgreSQL's. sb_store_open() picks one from the location: a folder is
 * SQLite, a postgresql:// URI is PostgreSQL. Included by the engines only.
 */
#pragma once

#include "store-private.h"

G_BEGIN_DECLS

typedef struct _StoreEngine StoreEngine;

/* Every engine's statement starts with this. */
struct _SbStmt {
	const StoreEngine *engine;
};

struct _StoreEngine {
	const char *name;
	SbStmt *(*prep)(SbStore *s, const char *sql, GError **error);
	StoreStep (*step)(SbStore *s, SbStmt *st, const char *what, GError **error);
	void (*release)(SbStmt *st);
	int (*bind_text)(SbStmt *st, int i, const char *v);
	int (*bind_int64)(SbStmt *st, int i, gint64 v);
	int (*bind_null)(SbStmt *st, int i);
	gboolean (*bound)(SbStore *s, int rc, GError **error);
	const char *(*col_text)(SbStmt *st, int i);
	gint64 (*col_int64)(SbStmt *st, int i);
	gboolean (*col_is_null)(SbStmt *st, int i);
	guint (*changes)(SbStore *s);
	gint64 (*last_id)(SbStore *s);
	gboolean (*tx_begin)(SbStore *s, GError **error);
	gboolean (*tx_commit)(SbStore *s, GError **error);
	void (*tx_rollback)(SbStore *s);
	/* whether a transaction is open (SQLite: not in autocommit) */
	gboolean (*in_tx)(SbStore *s);
	/* a second connection to `main`'s store, for another thread */
	SbStore *(*open_sibling)(SbStore *main, gboolean read_only, GError **error);
	void (*close)(SbStore *s);
	void (*set_busy_ms)(SbStore *s, guint ms);
	gboolean (*can_read)(SbStore *s, GError **error);
	gboolean (*can_write)(SbStore *s, guint wait_ms, GError **error);
};

struct _SbStore {
	const StoreEngine *engine;
	struct sqlite3 *db; /* SQLite's connection */
	struct pg_conn *pg; /* PostgreSQL's connection */
	char *path;	    /* SQLite: the file; PostgreSQL: the URI as given */
	gint version;
	GHashTable *stmts; /* SQL text (static) -> the engine's statement */
	SbStoreClock clock;
	gpointer clock_data;
	guint early_min, no_show_min;
	SbStore *writer;    /* a sibling (reader, writer thread): the store whose clock it keeps */
	gint64 deadline_us; /* a reader: its query is interrupted past this (monotonic); 0: none */
	guint busy_ms;	    /* the busy (lock) timeout now (sb_store_set_busy_ms) */
	guint savepoints;   /* store_tx_begin() calls nested in an open transaction */
	/* PostgreSQL */
	gint64 changes;	  /* rows the last write changed (PQcmdTuples) */
	guint stmt_count; /* statements prepared on this connection: their names */
	gboolean read_only;
};

/* A new store struct with its defaults (no connection yet). */
SbStore *store_new(const StoreEngine *engine, const char *path, GDestroyNotify stmt_free);

/* PostgreSQL (store-pg.c): TRUE when `location` is a postgresql:// URI. */
gboolean store_pg_location(const char *location);
/* Opens and migrates the store at `uri`. Returns: (transfer full) or NULL. */
SbStore *store_pg_open(const char *uri, GError **error);
/* `uri` with its password hidden, for messages. Returns: (transfer full) */
char *store_pg_redacted(const char *uri);

G_END_DECLS
