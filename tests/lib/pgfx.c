/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pgfx.h"
#include "harness.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define PG_BIN "/usr/lib/postgresql/15/bin"

static char *server_dir;  /* the socket folder */
static char *started_dir; /* the folder of a server this process started */
static guint databases;

/* The watcher leaves this process's group and ignores the signals that end
 * it: `timeout` (run-all.sh) signals the whole group. */
static void own_session(gpointer data)
{
	setsid();
}

/* The server goes when this process goes, however it ends (an assertion
 * aborts it, skipping atexit; `timeout` ends it): a shell reads a pipe that
 * only this process holds, and at its end (EOF) stops the server and
 * removes its folder. */
static void stop_with_us(const char *dir, const char *data)
{
	g_autofree char *q_dir = g_shell_quote(dir);
	g_autofree char *q_data = g_shell_quote(data);
	g_autofree char *script = g_strdup_printf("trap '' HUP INT TERM; cat >/dev/null; %s " PG_BIN
						  "/pg_ctl -D %s -m immediate -s stop >/dev/null 2>&1; rm -rf %s",
						  getuid() == 0 ? "runuser -u postgres --" : "", q_data, q_dir);
	const char *argv[] = {"/bin/sh", "-c", script, NULL};
	g_autoptr(GError) error = NULL;
	int in = -1;
	if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, own_session, NULL, NULL, &in, NULL,
				      NULL, &error))
		g_error("PostgreSQL for the tests: cannot watch the server: %s", error->message);
	/* `in` stays open (close-on-exec) until this process ends */
	fcntl(in, F_SETFD, FD_CLOEXEC);
}

static void run_or_die(const char *const *argv, const char *what)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *out = NULL, *err = NULL;
	int status = 0;
	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error) ||
	    !g_spawn_check_wait_status(status, &error))
		g_error("PostgreSQL for the tests: %s failed: %s\n%s%s", what, error->message, out ? out : "",
			err ? err : "");
}

/* initdb + pg_ctl start in a temp dir: no TCP, a socket in the folder,
 * no fsync (a test's database need not survive a power cut). */
static void start_server(void)
{
	g_autoptr(GError) error = NULL;
	started_dir = g_dir_make_tmp("relais-pg-XXXXXX", &error);
	g_assert_no_error(error);
	gboolean root = getuid() == 0;
	if (root) {
		struct passwd *pw = getpwnam("postgres");
		if (pw == NULL || chown(started_dir, pw->pw_uid, pw->pw_gid) != 0)
			g_error("PostgreSQL for the tests: no user 'postgres' to run it as (make deps)");
	}
	g_autofree char *data = g_build_filename(started_dir, "data", NULL);
	g_autofree char *log = g_build_filename(started_dir, "log", NULL);
	g_autofree char *opts = g_strdup_printf("-k %s -c listen_addresses='' -c fsync=off "
						"-c synchronous_commit=off -c full_page_writes=off",
						started_dir);
	const char *initdb[] = {"runuser", "-u",   "postgres",	"--", PG_BIN "/initdb", "-D",
				data,	   "-A",   "trust",	"-U", "postgres",	"--locale=C",
				"-E",	   "UTF8", "--no-sync", NULL};
	const char *start[] = {"runuser", "-u", "postgres", "--", PG_BIN "/pg_ctl", "-D", data, "-o", opts,
			       "-l",	  log,	"-w",	    "-s", "start",	    NULL};
	run_or_die(root ? initdb : initdb + 4, "initdb");
	stop_with_us(started_dir, data);
	run_or_die(root ? start : start + 4, "pg_ctl start");
	server_dir = g_strdup(started_dir);
}

gboolean rt_pg_available(char **why)
{
	if (server_dir)
		return TRUE;
	const char *env = g_getenv("RELAIS_TEST_PG_HOST");
	if (env && *env) {
		server_dir = g_strdup(env);
		return TRUE;
	}
	if (!g_file_test(PG_BIN "/initdb", G_FILE_TEST_IS_EXECUTABLE)) {
		if (why)
			*why = g_strdup("PostgreSQL 15 is not installed (" PG_BIN "/initdb): make deps");
		return FALSE;
	}
	start_server();
	return TRUE;
}

static PGconn *connect_or_die(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK)
		g_error("PostgreSQL for the tests: cannot connect (%s): %s", conninfo, PQerrorMessage(c));
	return c;
}

static void admin(const char *sql)
{
	g_autofree char *info = g_strdup_printf("host=%s user=postgres dbname=postgres", server_dir);
	PGconn *c = connect_or_die(info);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		g_error("PostgreSQL for the tests: %s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

char *rt_pg_new_database(void)
{
	g_assert_true(rt_pg_available(NULL));
	g_autofree char *name = g_strdup_printf("relais_t%d_%u", (int)getpid(), ++databases);
	g_autofree char *sql =
		g_strdup_printf("CREATE DATABASE %s TEMPLATE template0 LOCALE 'C' ENCODING 'UTF8'", name);
	admin(sql);
	g_autofree char *host = g_uri_escape_string(server_dir, NULL, FALSE);
	return g_strdup_printf("postgresql:///%s?host=%s&user=postgres", name, host);
}

static char *name_of(const char *uri)
{
	const char *p = strstr(uri, ":///");
	g_assert_nonnull(p);
	p += 4;
	return g_strndup(p, strcspn(p, "?"));
}

void rt_pg_drop_database(const char *uri)
{
	if (uri == NULL)
		return;
	g_autofree char *name = name_of(uri);
	g_autofree char *sql = g_strdup_printf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	admin(sql);
}

char *rt_pg_exec(const char *uri, const char *sql)
{
	PGconn *c = connect_or_die(uri);
	PGresult *r = PQexec(c, sql);
	ExecStatusType t = PQresultStatus(r);
	if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
		g_error("PostgreSQL for the tests: %s: %s", sql, PQresultErrorMessage(r));
	char *out = NULL;
	if (t == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		out = g_strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return out;
}

gboolean rt_pg_try(const char *uri, const char *sql, char **state)
{
	PGconn *c = connect_or_die(uri);
	PGresult *r = PQexec(c, sql);
	ExecStatusType t = PQresultStatus(r);
	gboolean ok = t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;
	if (!ok && state)
		*state = g_strdup(PQresultErrorField(r, PG_DIAG_SQLSTATE));
	PQclear(r);
	PQfinish(c);
	return ok;
}

void rt_pg_skip(gconstpointer why)
{
	if (g_strcmp0(g_getenv("RELAIS_TEST_PG_REQUIRED"), "1") == 0)
		g_error("RELAIS_TEST_PG_REQUIRED: %s", (const char *)why);
	g_test_skip(why);
}

gpointer rt_pg_lock(const char *uri)
{
	PGconn *c = connect_or_die(uri);
	const char *steps[] = {
		"BEGIN", "SELECT pg_advisory_xact_lock(1380729177, 2)",
		"DO $$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = "
		"current_schema() LOOP EXECUTE format('LOCK TABLE %I IN EXCLUSIVE MODE', t); END LOOP; "
		"END $$"};
	for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
		PGresult *r = PQexec(c, steps[i]);
		ExecStatusType t = PQresultStatus(r);
		if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
			g_error("PostgreSQL for the tests: %s: %s", steps[i], PQresultErrorMessage(r));
		PQclear(r);
	}
	return c;
}

void rt_pg_unlock(gpointer lock)
{
	PGconn *c = lock;
	PQclear(PQexec(c, "ROLLBACK"));
	PQfinish(c);
}
