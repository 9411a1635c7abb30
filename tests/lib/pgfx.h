/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A real PostgreSQL 15 for the store's tests (tests/unit/README.md
 * "PostgreSQL"): one server per test run on a Unix socket in a temp dir,
 * and one fresh database per test.
 *
 * The server is the one RELAIS_TEST_PG_HOST names (the socket folder that
 * tests/run-all.sh's server listens in: one server for the whole unit run),
 * or else one this process starts with Debian's initdb and pg_ctl
 * (/usr/lib/postgresql/15/bin), as the user `postgres` when run as root
 * (PostgreSQL refuses root), stopped when the process exits. */
#pragma once

#include <glib.h>

/* Whether a server can be had; FALSE with `why` (transfer full) when
 * PostgreSQL is not installed. A server that is installed but fails to
 * start is a test failure (g_error), never a skip. */
gboolean rt_pg_available(char **why);
/* A new empty database (C locale) on the server, as a postgresql:// URI.
 * Returns: (transfer full) */
char *rt_pg_new_database(void);
/* Drops the database of `uri` (its connections closed first). */
void rt_pg_drop_database(const char *uri);
/* Runs `sql` on the database of `uri` (a second connection, behind the
 * store's back); returns the first column of the first row or NULL.
 * Returns: (transfer full) */
char *rt_pg_exec(const char *uri, const char *sql);
/* Runs `sql` on the database of `uri`; FALSE when it fails, with its
 * SQLSTATE in `state` (transfer full) when given. */
gboolean rt_pg_try(const char *uri, const char *sql, char **state);
/* A test that says why the PostgreSQL tests did not run (g_test_skip), or
 * fails when RELAIS_TEST_PG_REQUIRED is set (CI: there they must run).
 * `why` is the reason rt_pg_available() gave. */
void rt_pg_skip(gconstpointer why);
/* Another switchboard holding the store of `uri` against writes, as a
 * second SQLite connection's BEGIN IMMEDIATE does: a connection in a
 * transaction holding the writers' lock (store-pg.c) and every table in
 * EXCLUSIVE mode (reads go on). Returns: (transfer full) its connection,
 * for rt_pg_unlock(). */
gpointer rt_pg_lock(const char *uri);
void rt_pg_unlock(gpointer lock);
/* What the store says when such a lock outlasts its wait, as a
 * g_test_expect_message() pattern's end. */
#define RT_PG_LOCKED_WORDS "lock timeout"
