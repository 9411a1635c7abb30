/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The store's two engines where they differ (STORE.md "Engines",
 * CLUSTER.md): the same statements through store-private.h on SQLite and
 * on a real PostgreSQL 15 (tests/lib/pgfx.h): `?` and `?N` parameters, the
 * last id, rows changed, booleans read as integers, error codes, a
 * transaction rolled back, a failed write inside a transaction that leaves
 * the rest of it alone. Then PostgreSQL's own: two connections (two
 * switchboards) counting and inserting a booking one after the other, the
 * version table (too new, another program's database, an older schema
 * whose migration fails and changes nothing), several nodes
 * migrating one fresh database at once, a connection cut by the server,
 * the reader's deadline and read-only connection. */
#include "store-private.h"
#include "harness.h"
#include "pgfx.h"

#include <libpq-fe.h>
#include <string.h>
#include <sys/wait.h>

typedef struct {
	char *tmp;
	char *uri; /* PostgreSQL's database; NULL on SQLite */
	char *location;
	SbStore *store;
	gint64 now;
} Fixture;

static const char SQLITE[] = "sqlite", PG[] = "pg";

static gint64 fake_clock(gpointer user_data)
{
	return ((Fixture *)user_data)->now;
}

static gint64 fake_clock_of(gpointer user_data)
{
	return *(gint64 *)user_data;
}

static void setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->tmp = g_dir_make_tmp("relais-engine-XXXXXX", &error);
	g_assert_no_error(error);
	if (data == PG)
		f->uri = rt_pg_new_database();
	f->location = f->uri ? g_strdup(f->uri) : g_build_filename(f->tmp, "data", NULL);
	f->store = sb_store_open(f->location, &error);
	g_assert_no_error(error);
	g_assert_cmpint(sb_store_schema_version(f->store), ==, SB_STORE_SCHEMA_VERSION);
	f->now = 1709535600; /* 2024-03-04 08:00 Europe/Paris, a Monday */
	sb_store_set_clock(f->store, fake_clock, f);
}

static void teardown(Fixture *f, gconstpointer data)
{
	g_clear_pointer(&f->store, sb_store_free);
	rt_pg_drop_database(f->uri);
	g_free(f->uri);
	g_free(f->location);
	rt_rm_rf(f->tmp);
	g_free(f->tmp);
}

static gint64 insert_site(SbStore *s, const char *name, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, "INSERT INTO sites (name, timezone) VALUES (?, ?)", error);
	if (!st || !store_bound(s, store_bind_text(st, 1, name) | store_bind_text(st, 2, "Europe/Paris"), error) ||
	    !store_run(s, st, "adding a site", error))
		return 0;
	return store_last_id(s);
}

static gint64 count_sites(SbStore *s)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbStmt) st = store_prep(s, "SELECT count(*) FROM sites", &error);
	g_assert_no_error(error);
	g_assert_cmpint(store_step(s, st, "counting", &error), ==, STORE_ROW);
	return store_col_int64(st, 0);
}

/* parameters, last id, changes, columns */
static void test_statements(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	SbStore *s = f->store;
	gint64 a = insert_site(s, "Alpha", &error);
	g_assert_no_error(error);
	gint64 b = insert_site(s, "Beta", &error);
	g_assert_no_error(error);
	g_assert_cmpint(a, >, 0);
	g_assert_cmpint(b, ==, a + 1);

	/* ?N used twice, and mixed with plain ? after it */
	g_autoptr(SbStmt) up =
		store_prep(s, "UPDATE sites SET address = ?2 WHERE id = ?1 OR (?1 = 0 AND name = ?3)", &error);
	g_assert_no_error(error);
	g_assert_true(store_bound(s,
				  store_bind_int64(up, 1, a) | store_bind_text(up, 2, "1 rue des Fleurs") |
					  store_bind_text(up, 3, "Beta"),
				  &error));
	g_assert_true(store_run(s, up, "updating", &error));
	g_assert_cmpuint(store_changes(s), ==, 1);
	g_clear_pointer(&up, store_stmt_release);
	up = store_prep(s, "UPDATE sites SET address = ?2 WHERE id = ?1 OR (?1 = 0 AND name = ?3)", &error);
	g_assert_true(store_bound(
		s, store_bind_int64(up, 1, 0) | store_bind_text(up, 2, "x") | store_bind_text(up, 3, "nobody"),
		&error));
	g_assert_true(store_run(s, up, "updating", &error));
	g_assert_cmpuint(store_changes(s), ==, 0);
	g_assert_false(store_changed_one(s, "site", "nobody", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	/* a select does not change the count of the last write */
	g_autoptr(SbStmt) all = store_prep(s, "UPDATE sites SET address = 'y'", &error);
	g_assert_true(store_run(s, all, "updating", &error));
	g_assert_cmpuint(store_changes(s), ==, 2);
	g_assert_cmpint(count_sites(s), ==, 2);
	g_assert_cmpuint(store_changes(s), ==, 2);

	/* rows, NULLs, booleans and text as read back */
	g_autoptr(SbStmt) sel =
		store_prep(s, "SELECT id, name, id = ?, NULL, address FROM sites WHERE id >= ? ORDER BY id", &error);
	g_assert_no_error(error);
	g_assert_true(store_bound(s, store_bind_int64(sel, 1, b) | store_bind_int64(sel, 2, a), &error));
	g_assert_cmpint(store_step(s, sel, "reading", &error), ==, STORE_ROW);
	g_assert_cmpint(store_col_int64(sel, 0), ==, a);
	g_assert_cmpstr(store_col_text(sel, 1), ==, "Alpha");
	g_assert_cmpint(store_col_int(sel, 2), ==, 0);
	g_assert_true(store_col_is_null(sel, 3));
	g_assert_null(store_col_text(sel, 3));
	g_assert_cmpint(store_col_int(sel, 3), ==, 0);
	g_assert_cmpint(store_step(s, sel, "reading", &error), ==, STORE_ROW);
	g_assert_cmpint(store_col_int(sel, 2), ==, 1);
	g_autofree char *name = store_col_str(sel, 1);
	g_assert_cmpstr(name, ==, "Beta");
	g_assert_cmpint(store_step(s, sel, "reading", &error), ==, STORE_DONE);

	/* a parameter the statement does not have */
	g_autoptr(SbStmt) one = store_prep(s, "SELECT count(*) FROM sites WHERE id = ?", &error);
	g_assert_false(store_bound(s, store_bind_int64(one, 2, 1), &error));
	g_assert_nonnull(error);
}

/* SQLSTATE or SQLite's codes, the same SB_STORE_ERROR_* */
static void test_errors(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	SbStore *s = f->store;
	g_assert_cmpint(insert_site(s, "Alpha", &error), >, 0);
	g_assert_cmpint(insert_site(s, "Alpha", &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS);
	g_clear_error(&error);
	/* a CHECK */
	g_autofree char *long_name = g_strnfill(101, 'n');
	g_assert_cmpint(insert_site(s, long_name, &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	/* a foreign key */
	g_autoptr(SbStmt) booth = store_prep(s, "INSERT INTO booths (id, site_id) VALUES (?, ?)", &error);
	g_assert_true(store_bound(s, store_bind_text(booth, 1, "b-1") | store_bind_int64(booth, 2, 999), &error));
	g_assert_false(store_run(s, booth, "adding a booth", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_IN_USE);
	g_clear_error(&error);
	/* SQL that is wrong: FAILED, never a crash */
	SbStmt *bad = store_prep(s, "SELECT nothing FROM nowhere", &error);
	if (bad != NULL) {
		/* PostgreSQL prepares at the first step */
		g_assert_cmpint(store_step(s, bad, "reading", &error), ==, STORE_FAILED);
		store_stmt_release(bad);
	}
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED);
}

/* rolled back: nothing kept; a write refused inside a transaction leaves
 * the transaction's other writes alone (SQLite goes on after a failed
 * statement; PostgreSQL would abort the transaction without the engine's
 * savepoint) */
static void test_transactions(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	SbStore *s = f->store;
	/* no id drawn yet on this connection: 0, and the transaction goes on */
	g_assert_true(store_tx_begin(s, &error));
	g_assert_cmpint(store_last_id(s), ==, 0);
	g_assert_cmpint(insert_site(s, "Alpha", &error), >, 0);
	store_tx_rollback(s);
	g_assert_no_error(error);
	g_assert_true(store_tx_begin(s, &error));
	g_assert_cmpint(insert_site(s, "Alpha", &error), >, 0);
	g_assert_cmpint(count_sites(s), ==, 1);
	store_tx_rollback(s);
	g_assert_cmpint(count_sites(s), ==, 0);

	g_assert_true(store_tx_begin(s, &error));
	g_assert_cmpint(insert_site(s, "Alpha", &error), >, 0);
	g_assert_cmpint(insert_site(s, "Alpha", &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS);
	g_clear_error(&error);
	g_assert_cmpint(insert_site(s, "Beta", &error), >, 0);
	g_assert_no_error(error);
	/* a nested one (a batch's write) is a savepoint */
	g_assert_true(store_tx_begin(s, &error));
	g_assert_cmpint(insert_site(s, "Gamma", &error), >, 0);
	store_tx_rollback(s);
	g_assert_true(store_tx_commit(s, &error));
	g_assert_no_error(error);
	g_assert_cmpint(count_sites(s), ==, 2);

	/* a batch with a savepoint per write */
	g_assert_true(sb_store_batch_begin(s, &error));
	g_assert_true(sb_store_batch_open(s));
	g_assert_cmpint(insert_site(s, "Delta", &error), >, 0);
	sb_store_batch_abort(s);
	g_assert_false(sb_store_batch_open(s));
	g_assert_cmpint(count_sites(s), ==, 2);
}

/* --- PostgreSQL's own --------------------------------------------------------------- */

typedef struct {
	const char *uri;
	gint64 site, start;
	gint64 now;
	SbStore *store;
	GError *error;
	SbBooking *booking;
} Node;

static gint64 node_clock(gpointer user_data)
{
	return ((Node *)user_data)->now;
}

static gpointer node_book(gpointer data)
{
	Node *n = data;
	n->booking = sb_store_booking_create(n->store, n->site, n->start, n->start + 1800, "fr", "jobs", &n->error);
	return NULL;
}

static gint64 waiting_locks(const char *uri)
{
	g_autofree char *t =
		rt_pg_exec(uri, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
	return g_ascii_strtoll(t, NULL, 10);
}

/* Two switchboards on one database book the last place of a slot: the
 * second one's transaction waits for the first one's commit (the writers'
 * lock), then counts its booking and is refused FULL. Without the lock both
 * would count zero and both insert. */
static void test_two_writers(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 site = sb_store_site_upsert(f->store, 0, "Médiathèque", "Europe/Paris", &error);
	g_assert_no_error(error);
	SbSlot week[] = {{.weekday = 0, .half = SB_HALF_AM, .start_min = 540, .end_min = 750, .capacity = 1}};
	g_assert_true(sb_store_slots_set(f->store, site, week, 1, &error));
	gint64 ten = 1709535600 + 2 * 3600;

	Node other = {.uri = f->uri, .site = site, .start = ten, .now = f->now};
	other.store = sb_store_open(f->uri, &error);
	g_assert_no_error(error);
	sb_store_set_clock(other.store, node_clock, &other);

	/* this node's transaction is open and holds the lock */
	g_assert_true(store_tx_begin(f->store, &error));
	GThread *t = g_thread_new("other-node", node_book, &other);
	/* the other node waits on the lock (seen by the server), bounded */
	gint64 until = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (waiting_locks(f->uri) < 1 && g_get_monotonic_time() < until)
		g_usleep(10 * 1000);
	g_assert_cmpint(waiting_locks(f->uri), ==, 1);
	g_autoptr(SbBooking) mine = sb_store_booking_create(f->store, site, ten, ten + 1800, "fr", "jobs", &error);
	g_assert_no_error(error);
	g_assert_nonnull(mine);
	g_assert_true(store_tx_commit(f->store, &error));
	g_thread_join(t);
	g_assert_null(other.booking);
	g_assert_error(other.error, SB_STORE_ERROR, SB_STORE_ERROR_FULL);
	g_clear_error(&other.error);
	g_autofree char *n = rt_pg_exec(f->uri, "SELECT count(*) FROM bookings");
	g_assert_cmpstr(n, ==, "1");
	sb_store_free(other.store);
}

static gpointer node_open(gpointer data)
{
	Node *n = data;
	n->store = sb_store_open(n->uri, &n->error);
	return NULL;
}

/* Nodes starting together on an empty database: one migrates, the others
 * wait on the advisory lock and find the schema done. */
static void test_migrate_together(void)
{
	g_autofree char *uri = rt_pg_new_database();
	Node nodes[4] = {{0}};
	GThread *threads[G_N_ELEMENTS(nodes)];
	for (guint i = 0; i < G_N_ELEMENTS(nodes); i++) {
		nodes[i].uri = uri;
		threads[i] = g_thread_new("node", node_open, &nodes[i]);
	}
	for (guint i = 0; i < G_N_ELEMENTS(nodes); i++) {
		g_thread_join(threads[i]);
		g_assert_no_error(nodes[i].error);
		g_assert_cmpint(sb_store_schema_version(nodes[i].store), ==, SB_STORE_SCHEMA_VERSION);
		sb_store_free(nodes[i].store);
	}
	g_autofree char *rows = rt_pg_exec(uri, "SELECT count(*) || ' ' || max(version) FROM relais_schema");
	g_autofree char *want = g_strdup_printf("1 %d", SB_STORE_SCHEMA_VERSION);
	g_assert_cmpstr(rows, ==, want);
	rt_pg_drop_database(uri);
}

/* A newer schema, a database of another program, a server that is not
 * there: refused, nothing touched. */
static void test_open_refused(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *uri = rt_pg_new_database();
	SbStore *s = sb_store_open(uri, &error);
	g_assert_no_error(error);
	sb_store_free(s);
	g_free(rt_pg_exec(uri, "UPDATE relais_schema SET version = 99"));
	g_assert_null(sb_store_open(uri, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_TOO_NEW);
	g_test_message("%s", error->message);
	g_clear_error(&error);
	rt_pg_drop_database(uri);

	g_autofree char *foreign = rt_pg_new_database();
	g_free(rt_pg_exec(foreign, "CREATE TABLE invoices (id INT)"));
	g_assert_null(sb_store_open(foreign, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_RELAIS);
	g_clear_error(&error);
	g_autofree char *tables = rt_pg_exec(foreign, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
	g_assert_cmpstr(tables, ==, "1");
	rt_pg_drop_database(foreign);

	g_autofree char *tmp = g_dir_make_tmp("relais-nopg-XXXXXX", NULL);
	g_autofree char *absent = g_strdup_printf("postgresql:///relais?host=%s&user=postgres", tmp);
	g_assert_null(sb_store_open(absent, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_UNAVAILABLE);
	rt_rm_rf(tmp);
}

/* A switchboard finding an older schema migrates it; a migration that
 * fails changes nothing (the version stays), and goes through once the
 * cause is gone. Version 7 with a stray `address` column on sites: the
 * migration to 8 fails on it. */
static void test_migrate_failure(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *uri = rt_pg_new_database();
	sb_store_free(sb_store_open(uri, &error));
	g_assert_no_error(error);
	/* back to version 7: what migrations 8 and later added goes */
	g_free(rt_pg_exec(uri, "ALTER TABLE sites DROP COLUMN address"));
	g_free(rt_pg_exec(uri, "ALTER TABLE call_records DROP COLUMN transfers"));
	g_free(rt_pg_exec(uri, "UPDATE relais_schema SET version = 7"));
	g_free(rt_pg_exec(uri, "ALTER TABLE sites ADD COLUMN address TEXT"));
	g_assert_null(sb_store_open(uri, &error));
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "migrating from schema version 7 to 8 (nothing changed)"));
	g_assert_nonnull(strstr(error->message, "already exists"));
	g_clear_error(&error);
	g_autofree char *v = rt_pg_exec(uri, "SELECT version FROM relais_schema");
	g_assert_cmpstr(v, ==, "7");
	g_free(rt_pg_exec(uri, "ALTER TABLE sites DROP COLUMN address"));
	SbStore *s = sb_store_open(uri, &error);
	g_assert_no_error(error);
	g_assert_cmpint(sb_store_schema_version(s), ==, SB_STORE_SCHEMA_VERSION);
	g_assert_cmpint(sb_store_site_save(s, 0, "Gare", "Europe/Paris", "2 rue du Quai", &error), >, 0);
	sb_store_free(s);
	rt_pg_drop_database(uri);
}

/* The server ends the store's connection (a restart does the same): the
 * query that meets it fails UNAVAILABLE (a fault of the moment), the next
 * one reconnects, prepares again and works. */
static void test_reconnect(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(insert_site(f->store, "Alpha", &error), >, 0);
	g_assert_cmpint(count_sites(f->store), ==, 1);
	g_free(rt_pg_exec(f->uri, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
				  "WHERE datname = current_database() AND pid <> pg_backend_pid()"));
	g_assert_cmpint(insert_site(f->store, "Beta", &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_UNAVAILABLE);
	g_assert_true(sb_store_error_is_transient(error));
	g_clear_error(&error);
	g_assert_cmpint(insert_site(f->store, "Beta", &error), >, 0);
	g_assert_no_error(error);
	g_assert_cmpint(count_sites(f->store), ==, 2);
}

/* The reader's connection: read-only, and its deadline interrupts. */
static void test_reader(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(insert_site(f->store, "Alpha", &error), >, 0);
	g_autoptr(SbStore) r = sb_store_open_reader(f->store, &error);
	g_assert_no_error(error);
	g_assert_cmpint(count_sites(r), ==, 1);
	g_assert_cmpint(insert_site(r, "Beta", &error), ==, 0);
	g_assert_nonnull(error);
	g_clear_error(&error);
	sb_store_set_deadline(r, g_get_monotonic_time() - 1);
	g_autoptr(SbStmt) st = store_prep(r, "SELECT count(*) FROM sites", &error);
	g_assert_cmpint(store_step(r, st, "counting", &error), ==, STORE_FAILED);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED);
	g_clear_pointer(&st, store_stmt_release);
	sb_store_set_deadline(r, 0);
	g_assert_cmpint(count_sites(r), ==, 1);
}

/* --- moving a SQLite store to PostgreSQL ------------------------------------------- */

static const char HASH[] = "scrypt$1024$8$1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=";

/* A SQLite store with a row in every table. */
static void fill(SbStore *s, gint64 now)
{
	g_autoptr(GError) error = NULL;
	gint64 site = sb_store_site_save(s, 0, "Médiathèque", "Europe/Paris", "1 place de la Gare", &error);
	g_assert_no_error(error);
	g_assert_cmpint(sb_store_site_upsert(s, 0, "Mairie", "Europe/Paris", &error), >, site);
	SbSlot week[] = {{.weekday = 0, .half = SB_HALF_AM, .start_min = 540, .end_min = 750, .capacity = 2}};
	g_assert_true(sb_store_slots_set(s, site, week, 1, &error));
	g_assert_cmpint(sb_store_closure_add(s, site, "2024-12-24", "2024-12-26", "Noël", &error), >, 0);
	g_assert_true(sb_store_booth_upsert(s, "hall-1", site, "Hall", &error));
	g_assert_true(sb_store_booth_software(s, "hall-1", "relais-1.2", "A", &error));
	SbUser u = {
		.login = "claire", .display_name = "Claire", .role = SB_ROLE_ADVISER, .password_hash = (char *)HASH};
	gint64 claire = sb_store_user_add(s, &u, &error);
	g_assert_no_error(error);
	g_autofree char *token = sb_store_signin_create(s, claire, "192.0.2.1", 3600, &error);
	g_assert_no_error(error);
	g_assert_nonnull(token);
	g_assert_true(sb_store_attempt_record(s, "bob", "192.0.2.9", NULL, &error));
	g_autoptr(SbBooking) b =
		sb_store_booking_create(s, site, now + 2 * 3600, now + 2 * 3600 + 1800, "fr", "jobs", &error);
	g_assert_no_error(error);
	g_assert_nonnull(b);
	SbCallRecord rec = {.call_id = "c-1",
			    .site_id = site,
			    .booth_id = "hall-1",
			    .topic = "jobs",
			    .language = "fr",
			    .queued_at = now - 600,
			    .answered_at = now - 500,
			    .ended_at = now - 60,
			    .end_reason = "booth-hangup"};
	g_assert_cmpint(sb_store_call_insert(s, &rec, &error), >, 0);
	g_autofree char *enrol = sb_store_enrol_token_create(s, "hall-1", 3600, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(enrol);
	SbBundle bundle = {.id = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			   .size = 1000,
			   .uploaded_by = "admin"};
	g_assert_true(sb_store_bundle_add(s, &bundle, NULL, &error));
	g_autoptr(SbUpdateJob) job = sb_store_update_job_create(s, "hall-1", bundle.id, &error);
	g_assert_no_error(error);
	g_assert_nonnull(job);
}

static const char *const COPIED[] = {"sites",	     "booths",	      "users",	  "sessions", "sign_in_attempts",
				     "call_records", "opening_slots", "closures", "bookings", "enrol_tokens",
				     "bundles",	     "update_jobs"};

/* `relais-switchboard --data DIR store copy --to URI`, its exit code and
 * what it printed. */
static int run_copy(const char *data, const char *uri, char **out, char **err)
{
	const char *build = g_getenv("RELAIS_BUILD");
	g_autofree char *bin = g_build_filename(build ? build : "build", "bin", "relais-switchboard", NULL);
	const char *argv[] = {bin, "--data", data, "store", "copy", "--to", uri, NULL};
	g_autoptr(GError) error = NULL;
	int status = 0;
	g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error));
	g_assert_no_error(error);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_copy(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *tmp = g_dir_make_tmp("relais-copy-XXXXXX", &error);
	g_autofree char *data = g_build_filename(tmp, "data", NULL);
	gint64 now = 1709535600 + 3600; /* Monday 09:00 in Paris */
	{
		g_autoptr(SbStore) lite = sb_store_open(data, &error);
		g_assert_no_error(error);
		sb_store_set_clock(lite, fake_clock_of, &now);
		fill(lite, now);
	}
	g_autofree char *uri = rt_pg_new_database();
	g_autofree char *out = NULL, *err = NULL;
	g_assert_cmpint(run_copy(data, uri, &out, &err), ==, 0);
	g_test_message("%s%s", out, err);
	g_assert_true(g_str_has_prefix(out, "copied "));

	/* every row, table by table, and what the areas read back */
	g_autofree char *db = g_build_filename(data, SB_STORE_FILE, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(COPIED); i++) {
		g_autofree char *sql = g_strdup_printf("SELECT count(*) FROM %s", COPIED[i]);
		g_autofree char *pg = rt_pg_exec(uri, sql);
		g_autofree char *q = g_strdup_printf("sqlite3 %s '%s'", db, sql);
		g_autofree char *lite = NULL;
		g_assert_true(g_spawn_command_line_sync(q, &lite, NULL, NULL, &error));
		g_strstrip(lite);
		g_assert_cmpstr(pg, ==, lite);
		g_assert_cmpstr(pg, !=, "0");
	}
	g_autoptr(SbStore) s = sb_store_open(uri, &error);
	g_assert_no_error(error);
	sb_store_set_clock(s, fake_clock_of, &now);
	g_autoptr(SbUser) claire = sb_store_user_get(s, "claire", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(claire->password_hash, ==, HASH);
	g_autoptr(GPtrArray) bookings = sb_store_booking_list(s, 0, 0, G_MAXINT64, &error);
	g_assert_cmpuint(bookings->len, ==, 1);
	g_autoptr(SbBooking) again = sb_store_booking_get(s, ((SbBooking *)bookings->pdata[0])->code, &error);
	g_assert_no_error(error);
	g_autoptr(SbSite) site = sb_store_site_get(s, again->site_id, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(site->address, ==, "1 place de la Gare");
	/* new rows draw ids past the copied ones */
	gint64 third = sb_store_site_upsert(s, 0, "Gare", "Europe/Paris", &error);
	g_assert_no_error(error);
	g_assert_cmpint(third, ==, 3);

	/* a target that is not empty is refused, nothing copied */
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(run_copy(data, uri, &out, &err), ==, 1);
	g_assert_nonnull(strstr(err, "not empty"));
	g_autofree char *sites = rt_pg_exec(uri, "SELECT count(*) FROM sites");
	g_assert_cmpstr(sites, ==, "3");
	g_clear_pointer(&s, sb_store_free);
	rt_pg_drop_database(uri);
	rt_rm_rf(tmp);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/store-engine/sqlite/statements", Fixture, SQLITE, setup, test_statements, teardown);
	g_test_add("/store-engine/sqlite/errors", Fixture, SQLITE, setup, test_errors, teardown);
	g_test_add("/store-engine/sqlite/transactions", Fixture, SQLITE, setup, test_transactions, teardown);
	g_autofree char *why = NULL;
	if (rt_pg_available(&why)) {
		g_test_add("/store-engine/pg/statements", Fixture, PG, setup, test_statements, teardown);
		g_test_add("/store-engine/pg/errors", Fixture, PG, setup, test_errors, teardown);
		g_test_add("/store-engine/pg/transactions", Fixture, PG, setup, test_transactions, teardown);
		g_test_add("/store-engine/pg/two-writers", Fixture, PG, setup, test_two_writers, teardown);
		g_test_add_func("/store-engine/pg/migrate-together", test_migrate_together);
		g_test_add_func("/store-engine/pg/open-refused", test_open_refused);
		g_test_add_func("/store-engine/pg/migrate-failure", test_migrate_failure);
		g_test_add("/store-engine/pg/reconnect", Fixture, PG, setup, test_reconnect, teardown);
		g_test_add("/store-engine/pg/reader", Fixture, PG, setup, test_reader, teardown);
		g_test_add_func("/store-engine/pg/copy", test_copy);
	} else {
		g_test_add_data_func("/store-engine/pg/skipped", why, rt_pg_skip);
	}
	return g_test_run();
}
