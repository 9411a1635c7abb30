/* SPDX-License-Identifier: GPL-2.0-or-later */
/* store: real SQLite files in temp dirs, and the same tests of the areas
 * again on a real PostgreSQL (/store-pg/..., tests/lib/pgfx.h: a fresh
 * database each). Opening (modes, WAL, garbage,
 * damaged, foreign and too-new files), migration from the v1 and v2
 * v3, v4, v5 and v6 fixtures (tests/data/store-v*.sql), accounts, sign-ins, sign-in attempts with the
 * rate limit, sites and booths, opening hours in the site's time zone,
 * bookings with an injectable clock (and used by one call), call records, statistics and CSV,
 * booth enrolment tokens and certificates, the booths' software and update
 * reports. */
#include "store.h"
#include "stats.h"
#include "harness.h"
#include "pgfx.h"
#include "auth.h"
#include "relais-config.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A well-formed hash (from the openssl CLI): the store only checks the form. */
static const char HASH[] = "scrypt$1024$8$1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=";

typedef struct {
	char *tmp;	/* the test's temp dir */
	char *dir;	/* tmp/data: the store's folder, made by sb_store_open */
	char *uri;	/* PostgreSQL (/store-pg/...): the test's database; NULL on SQLite */
	SbStore *store; /* opened by setup unless the test opens its own */
	gint64 now;	/* the store's clock */
} Fixture;

static gint64 fake_clock(gpointer user_data)
{
	return ((Fixture *)user_data)->now;
}

static const int NO_STORE = 1;
static const int ON_PG = 2;

static void setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->tmp = g_dir_make_tmp("relais-store-XXXXXX", &error);
	g_assert_no_error(error);
	f->dir = g_build_filename(f->tmp, "data", NULL);
	f->now = 1709535600; /* 2024-03-04 08:00 Europe/Paris, a Monday */
	if (data == &NO_STORE)
		return;
	if (data == &ON_PG)
		f->uri = rt_pg_new_database();
	f->store = sb_store_open(f->uri ? f->uri : f->dir, &error);
	g_assert_no_error(error);
	sb_store_set_clock(f->store, fake_clock, f);
}

static void teardown(Fixture *f, gconstpointer data)
{
	g_clear_pointer(&f->store, sb_store_free);
	rt_pg_drop_database(f->uri);
	g_free(f->uri);
	rt_rm_rf(f->tmp);
	g_free(f->dir);
	g_free(f->tmp);
}

static char *db_path(Fixture *f)
{
	return g_build_filename(f->dir, SB_STORE_FILE, NULL);
}

/* A second, plain SQLite connection to look behind the store's back. */
static sqlite3 *raw_open(Fixture *f)
{
	g_autofree char *path = db_path(f);
	sqlite3 *db = NULL;
	g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL), ==, SQLITE_OK);
	return db;
}

static char *raw_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
	char *out = NULL;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		out = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static gint64 raw_int(sqlite3 *db, const char *sql)
{
	g_autofree char *t = raw_text(db, sql);
	return t ? g_ascii_strtoll(t, NULL, 10) : -1;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		g_error("%s: %s", sql, msg);
}

/* The same look behind the store's back on either engine: SQLite's file,
 * or a second PostgreSQL connection. Plain SQL only. */
typedef struct {
	sqlite3 *db;
	const char *uri;
} Raw;

static Raw *any_open(Fixture *f)
{
	Raw *r = g_new0(Raw, 1);
	if (f->uri)
		r->uri = f->uri;
	else
		r->db = raw_open(f);
	return r;
}

static char *any_text(Raw *r, const char *sql)
{
	return r->uri ? rt_pg_exec(r->uri, sql) : raw_text(r->db, sql);
}

static gint64 any_int(Raw *r, const char *sql)
{
	g_autofree char *t = any_text(r, sql);
	return t ? g_ascii_strtoll(t, NULL, 10) : -1;
}

/* TRUE when the schema refuses `sql` with a constraint. */
static gboolean any_refused(Raw *r, const char *sql)
{
	if (r->db)
		return sqlite3_exec(r->db, sql, NULL, NULL, NULL) == SQLITE_CONSTRAINT;
	g_autofree char *state = NULL;
	return !rt_pg_try(r->uri, sql, &state) && g_str_has_prefix(state, "23");
}

/* A table's columns in order, comma-separated. */
static char *columns_of(Raw *r, const char *table)
{
	g_autofree char *sql =
		r->uri ? g_strdup_printf("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
					 "information_schema.columns WHERE table_schema = current_schema() AND "
					 "table_name = '%s'",
					 table)
		       : g_strdup_printf("SELECT group_concat(name, ',') FROM pragma_table_info('%s')", table);
	return any_text(r, sql);
}

static void any_close(Raw *r)
{
	if (r->db)
		sqlite3_close(r->db);
	g_free(r);
}

/* Every schema object, one line each, to compare two databases. */
static char *schema_of(sqlite3 *db)
{
	GString *out = g_string_new(NULL);
	sqlite3_stmt *st = NULL;
	g_assert_cmpint(sqlite3_prepare_v2(db,
					   "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema "
					   "ORDER BY type, name",
					   -1, &st, NULL),
			==, SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		g_string_append_printf(out, "%s %s %s: %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
				       sqlite3_column_text(st, 2), sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	return g_string_free(out, FALSE);
}

/* Unix time of a wall-clock time in `zone`. */
static gint64 at(const char *zone, int y, int mo, int d, int h, int mi)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(zone);
	g_assert_nonnull(tz);
	g_autoptr(GDateTime) dt = g_date_time_new(tz, y, mo, d, h, mi, 0);
	return g_date_time_to_unix(dt);
}

static gint64 paris(int y, int mo, int d, int h, int mi)
{
	return at("Europe/Paris", y, mo, d, h, mi);
}

static gint64 add_site(Fixture *f, const char *name, const char *tz)
{
	g_autoptr(GError) error = NULL;
	gint64 id = sb_store_site_upsert(f->store, 0, name, tz, &error);
	g_assert_no_error(error);
	g_assert_cmpint(id, >, 0);
	return id;
}

static gint64 add_user(Fixture *f, const char *login, SbRole role, gint64 site_id)
{
	SbUser u = {.login = (char *)login,
		    .display_name = (char *)login,
		    .role = role,
		    .site_id = site_id,
		    .password_hash = (char *)HASH};
	g_autoptr(GError) error = NULL;
	gint64 id = sb_store_user_add(f->store, &u, &error);
	g_assert_no_error(error);
	g_assert_cmpint(id, >, 0);
	return id;
}

/* Mon-Fri 09:00-12:30 (2 advisers) and 13:30-17:00 (1), Saturday morning. */
static void set_week(Fixture *f, gint64 site)
{
	SbSlot week[11];
	guint n = 0;
	for (guint d = 0; d < 5; d++) {
		week[n++] = (SbSlot){.weekday = d, .half = SB_HALF_AM, .start_min = 540, .end_min = 750, .capacity = 2};
		week[n++] =
			(SbSlot){.weekday = d, .half = SB_HALF_PM, .start_min = 810, .end_min = 1020, .capacity = 1};
	}
	week[n++] = (SbSlot){.weekday = 5, .half = SB_HALF_AM, .start_min = 600, .end_min = 720, .capacity = 1};
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_store_slots_set(f->store, site, week, n, &error));
	g_assert_no_error(error);
}

/* --- opening the file ---------------------------------------------------------------------- */

static void test_open_fresh(Fixture *f, gconstpointer data)
{
	g_autofree char *path = db_path(f);
	g_assert_cmpstr(sb_store_path(f->store), ==, path);
	g_assert_cmpint(sb_store_schema_version(f->store), ==, SB_STORE_SCHEMA_VERSION);
	struct stat st;
	g_assert_cmpint(g_stat(f->dir, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0700);
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	/* a write makes the WAL, as private as the database */
	add_site(f, "Médiathèque", "Europe/Paris");
	g_autofree char *wal = g_strconcat(path, "-wal", NULL);
	g_assert_cmpint(g_stat(wal, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);

	sqlite3 *db = raw_open(f);
	g_autofree char *mode = raw_text(db, "PRAGMA journal_mode");
	g_assert_cmpstr(mode, ==, "wal");
	g_assert_cmpint(raw_int(db, "PRAGMA user_version"), ==, SB_STORE_SCHEMA_VERSION);
	g_assert_cmpint(raw_int(db, "PRAGMA application_id"), ==, 0x524c4159);
	sqlite3_close(db);

	/* reopening changes nothing; a looser mode is tightened */
	g_clear_pointer(&f->store, sb_store_free);
	g_assert_cmpint(g_chmod(path, 0644), ==, 0);
	g_autoptr(GError) error = NULL;
	f->store = sb_store_open(f->dir, &error);
	g_assert_no_error(error);
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_autoptr(GPtrArray) sites = sb_store_site_list(f->store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(sites->len, ==, 1);

	/* foreign keys are on in the store's connection */
	sb_store_set_clock(f->store, fake_clock, f);
	gint64 site = ((SbSite *)g_ptr_array_index(sites, 0))->id;
	g_assert_true(sb_store_booth_upsert(f->store, "sim-1", site, NULL, &error));
	g_assert_false(sb_store_site_del(f->store, site, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_IN_USE);

	/* no folder, a folder that cannot be made */
	g_autoptr(GError) e1 = NULL;
	g_assert_null(sb_store_open("", &e1));
	g_assert_error(e1, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_autoptr(GError) e2 = NULL;
	g_autofree char *under_file = g_build_filename(path, "sub", NULL);
	g_assert_null(sb_store_open(under_file, &e2));
	g_assert_error(e2, SB_STORE_ERROR, SB_STORE_ERROR_FAILED);
}

static char *fixture_sql(const char *name)
{
	const char *top = g_getenv("RELAIS_TOP");
	g_autofree char *path = g_build_filename(top ? top : ".", "tests", "data", name, NULL);
	char *sql = NULL;
	g_autoptr(GError) error = NULL;
	g_file_get_contents(path, &sql, NULL, &error);
	g_assert_no_error(error);
	return sql;
}

/* dir/relais.db made from the fixture tests/data/store-v<version>.sql by
 * plain SQLite, plus `extra` */
static void make_version(Fixture *f, gint version, const char *extra)
{
	g_assert_cmpint(g_mkdir_with_parents(f->dir, 0700), ==, 0);
	g_autofree char *name = g_strdup_printf("store-v%d.sql", version);
	g_autofree char *sql = fixture_sql(name);
	sqlite3 *db = raw_open(f);
	raw_exec(db, sql);
	if (extra)
		raw_exec(db, extra);
	g_assert_cmpint(raw_int(db, "PRAGMA user_version"), ==, version);
	sqlite3_close(db);
}

static void make_v1(Fixture *f, const char *extra)
{
	make_version(f, 1, extra);
}

/* The migrated file's schema is exactly a fresh one's, with no dangling
 * reference. */
static void assert_schema_fresh(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	sqlite3 *db = raw_open(f);
	g_autofree char *migrated = schema_of(db);
	g_assert_cmpint(raw_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
	sqlite3_close(db);
	g_autofree char *fresh_dir = g_build_filename(f->tmp, "fresh", NULL);
	g_autoptr(SbStore) fresh = sb_store_open(fresh_dir, &error);
	g_assert_no_error(error);
	g_autofree char *fresh_path = g_build_filename(fresh_dir, SB_STORE_FILE, NULL);
	sqlite3 *fdb = NULL;
	g_assert_cmpint(sqlite3_open_v2(fresh_path, &fdb, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	g_autofree char *fresh_schema = schema_of(fdb);
	sqlite3_close(fdb);
	g_assert_cmpstr(migrated, ==, fresh_schema);
}

static void test_migrate_v1(Fixture *f, gconstpointer data)
{
	make_v1(f, NULL);
	g_autoptr(GError) error = NULL;
	f->store = sb_store_open(f->dir, &error);
	g_assert_no_error(error);
	sb_store_set_clock(f->store, fake_clock, f);
	g_assert_cmpint(sb_store_schema_version(f->store), ==, SB_STORE_SCHEMA_VERSION);
	g_assert_cmpint(SB_STORE_SCHEMA_VERSION, ==, 9);

	/* accounts survive, with their passwords */
	g_autoptr(GPtrArray) users = sb_store_user_list(f->store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(users->len, ==, 2);
	g_autoptr(SbUser) alice = sb_store_user_get(f->store, "alice", &error);
	g_assert_no_error(error);
	g_assert_cmpint(alice->id, ==, 1);
	g_assert_cmpstr(alice->display_name, ==, "Alice Admin");
	g_assert_cmpint(alice->role, ==, SB_ROLE_ADMIN);
	g_assert_cmpint(alice->created, ==, 1690000000);
	g_assert_false(alice->disabled);
	g_assert_cmpint(alice->site_id, ==, 0);
	g_assert_cmpuint(g_strv_length(alice->languages), ==, 2);
	g_assert_cmpstr(alice->languages[1], ==, "en");
	g_assert_cmpuint(g_strv_length(alice->topics), ==, 0);
	g_assert_true(sb_auth_verify_password("correct horse battery", alice->password_hash));
	g_autoptr(SbUser) bob = sb_store_user_get(f->store, "bob", &error);
	g_assert_no_error(error);
	g_assert_cmpint(bob->role, ==, SB_ROLE_ADVISER);
	g_assert_cmpstr(bob->topics[0], ==, "job-search");
	g_assert_cmpstr(bob->topics[1], ==, "housing");

	/* bob's sign-in survived the rebuild of users (foreign keys were off:
	 * dropping the old table did not cascade to sign-ins) */
	f->now = 1700000600;
	g_autoptr(SbUser) who = sb_store_signin_lookup(f->store, "v1-session-token-for-tests", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(who->login, ==, "bob");

	/* sites (one with an injection-looking name, verbatim) and booths */
	g_autoptr(GPtrArray) sites = sb_store_site_list(f->store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(sites->len, ==, 2);
	g_autoptr(SbSite) nord = sb_store_site_get(f->store, 2, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(nord->name, ==, "Bibliothèque 'Nord'; DROP TABLE sites;--");
	g_assert_cmpstr(nord->timezone, ==, "America/Montreal");
	g_autoptr(GPtrArray) booths = sb_store_booth_list(f->store, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(booths->len, ==, 2);
	SbBooth *b2 = g_ptr_array_index(booths, 1);
	g_assert_cmpstr(b2->id, ==, "sim-2");
	g_assert_cmpstr(b2->state, ==, "out_of_order");
	g_assert_cmpstr(b2->reason, ==, "camera missing");

	/* call records keep their figures and gain the new columns */
	g_autoptr(GPtrArray) rows = sb_store_stats(f->store, 0, G_MAXINT64, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rows->len, ==, 1);
	SbStatRow *r = g_ptr_array_index(rows, 0);
	g_assert_cmpuint(r->requests, ==, 2);
	g_assert_cmpuint(r->signins, ==, 1);
	g_assert_cmpuint(r->satisfaction[4], ==, 1);
	g_assert_cmpuint(r->follow_ups, ==, 0);
	g_assert_cmpuint(r->transferred, ==, 0); /* version 9: no old call was transferred */
	g_assert_true(sb_store_call_set_outcome(f->store, "c-1", "referred", NULL, TRUE, &error));
	g_assert_no_error(error);

	/* what version 2 brought works on the migrated file */
	add_user(f, "sam", SB_ROLE_STAFF, 1);
	g_assert_true(sb_store_user_set_disabled(f->store, "bob", TRUE, &error));
	set_week(f, 1);

	/* version 3: bookings say when and by which call they were used */
	sqlite3 *db = raw_open(f);
	g_assert_cmpint(raw_int(db, "SELECT count(*) FROM pragma_table_info('bookings') "
				    "WHERE name IN ('used_at', 'used_call_id')"),
			==, 2);

	sqlite3_close(db);

	/* the migrated schema is exactly a fresh one */
	assert_schema_fresh(f);
}

static void test_migrate_failure(Fixture *f, gconstpointer data)
{
	/* a v1 file where migration 2 cannot run: it must change nothing */
	make_v1(f, "CREATE TABLE bookings (x INTEGER)");
	g_autoptr(GError) error = NULL;
	g_assert_null(sb_store_open(f->dir, &error));
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "migrating from schema version 1 to 2 (nothing changed)"));
	g_assert_nonnull(strstr(error->message, "bookings"));
	sqlite3 *db = raw_open(f);
	g_assert_cmpint(raw_int(db, "PRAGMA user_version"), ==, 1);
	g_assert_cmpint(raw_int(db, "SELECT count(*) FROM users"), ==, 2);
	g_assert_cmpint(raw_int(db, "SELECT count(*) FROM sessions"), ==, 1);
	g_assert_cmpint(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'users_new'"), ==, 0);
	g_autofree char *users_sql = raw_text(db, "SELECT sql FROM sqlite_schema WHERE name = 'users'");
	g_assert_null(strstr(users_sql, "staff"));
	/* once the obstacle is gone, the migration goes through */
	raw_exec(db, "DROP TABLE bookings");
	sqlite3_close(db);
	g_clear_error(&error);
	f->store = sb_store_open(f->dir, &error);
	g_assert_no_error(error);
	g_assert_cmpint(sb_store_schema_version(f->store), ==, SB_STORE_SCHEMA_VERSION);
	g_assert_cmpint(SB_STORE_SCHEMA_VERSION, ==, 9);
}

static void test_too_new(Fixture *f, gconstpointer data)
{
	add_site(f, "Médiathèque", "Europe/Paris");
	g_clear_pointer(&f->store, sb_store_free);
	sqlite3 *db = raw_open(f);
	raw_exec(db, "PRAGMA user_version = 99");
	sqlite3_close(db);
	g_autoptr(GError) error = NULL;
	g_assert_null(sb_store_open(f->dir, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_TOO_NEW);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "schema version 99 is newer"));
	/* untouched */
	db = raw_open(f);
	g_assert_cmpint(raw_int(db, "PRAGMA user_version"), ==, 99);
	g_assert_cmpint(raw_int(db, "SELECT count(*) FROM sites"), ==, 1);
	sqlite3_close(db);
}

static void test_garbage(Fixture *f, gconstpointer data)
{
	g_assert_cmpint(g_mkdir_with_parents(f->dir, 0700), ==, 0);
	g_autofree char *path = db_path(f);
	/* random bytes */
	g_autoptr(GRand) rand = g_rand_new_with_seed(7);
	guint8 junk[8192];
	for (gsize i = 0; i < sizeof junk; i++)
		junk[i] = (guint8)g_rand_int(rand);
	g_assert_true(g_file_set_contents(path, (const char *)junk, sizeof junk, NULL));
	g_autoptr(GError) error = NULL;
	g_assert_null(sb_store_open(f->dir, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "damaged or not a SQLite database"));
	g_assert_nonnull(strstr(error->message, path));
	/* and left as it was */
	g_autofree char *after = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(path, &after, &len, NULL));
	g_assert_cmpuint(len, ==, sizeof junk);
	g_assert_cmpint(memcmp(after, junk, len), ==, 0);

	/* a text file */
	g_assert_true(g_file_set_contents(path, "relais.db is not this\n", -1, NULL));
	g_clear_error(&error);
	g_assert_null(sb_store_open(f->dir, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT);

	/* a real store whose pages after the header are overwritten */
	g_assert_cmpint(g_remove(path), ==, 0);
	g_clear_error(&error);
	{
		g_autoptr(SbStore) s = sb_store_open(f->dir, &error);
		g_assert_no_error(error);
		for (int i = 0; i < 50; i++) {
			g_autofree char *name = g_strdup_printf("Site %d with a longer name to fill pages", i);
			g_assert_cmpint(sb_store_site_upsert(s, 0, name, "UTC", &error), >, 0);
		}
	}
	g_autofree char *good = NULL;
	g_assert_true(g_file_get_contents(path, &good, &len, NULL));
	g_assert_cmpuint(len, >, 8192);
	memcpy(good + 4096, junk, len - 4096 > sizeof junk ? sizeof junk : len - 4096);
	g_assert_true(g_file_set_contents(path, good, (gssize)len, NULL));
	g_clear_error(&error);
	g_assert_null(sb_store_open(f->dir, &error));
	g_test_message("%s", error->message);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT);

	/* another program's SQLite database */
	g_assert_cmpint(g_remove(path), ==, 0);
	sqlite3 *db = raw_open(f);
	raw_exec(db, "CREATE TABLE contacts (name TEXT)");
	sqlite3_close(db);
	g_clear_error(&error);
	g_assert_null(sb_store_open(f->dir, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_RELAIS);
	db = raw_open(f);
	g_assert_cmpint(raw_int(db, "SELECT count(*) FROM sqlite_schema"), ==, 1);
	sqlite3_close(db);

	/* a symbolic link is not followed */
	g_assert_cmpint(g_remove(path), ==, 0);
	g_autofree char *elsewhere = g_build_filename(f->tmp, "elsewhere.db", NULL);
	g_assert_cmpint(symlink(elsewhere, path), ==, 0);
	g_clear_error(&error);
	g_assert_null(sb_store_open(f->dir, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED);
	g_assert_false(g_file_test(elsewhere, G_FILE_TEST_EXISTS));
}

/* --- accounts -------------------------------------------------------------------------------- */

static void expect_user_refused(Fixture *f, const SbUser *u, gint code)
{
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(sb_store_user_add(f->store, u, &error), ==, 0);
	g_test_message("refused: %s", error ? error->message : "(no error)");
	g_assert_error(error, SB_STORE_ERROR, code);
}

static void test_users(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 site = add_site(f, "Médiathèque", "Europe/Paris");
	char *langs[] = {"fr", "en", "pt-br", NULL};
	char *topics[] = {"job-search", "housing", NULL};
	const char *evil = "Robert'); DROP TABLE users;-- \"quoted\" %s %n";
	SbUser u = {.login = "Bob.Martin",
		    .display_name = (char *)evil,
		    .role = SB_ROLE_ADVISER,
		    .languages = langs,
		    .topics = topics,
		    .password_hash = (char *)HASH};
	f->now = 1700000000;
	gint64 bob = sb_store_user_add(f->store, &u, &error);
	g_assert_no_error(error);
	g_assert_cmpint(bob, >, 0);
	gint64 admin = add_user(f, "admin", SB_ROLE_ADMIN, 0);
	gint64 staff = add_user(f, "staff@mediatheque", SB_ROLE_STAFF, site);
	g_assert_cmpint(admin, !=, staff);

	/* read back verbatim; the login lower-cased; matched in any case */
	g_autoptr(SbUser) got = sb_store_user_get(f->store, "BOB.martin", &error);
	g_assert_no_error(error);
	g_assert_cmpint(got->id, ==, bob);
	g_assert_cmpstr(got->login, ==, "bob.martin");
	g_assert_cmpstr(got->display_name, ==, evil);
	g_assert_cmpstr(got->password_hash, ==, HASH);
	g_assert_cmpint(got->created, ==, 1700000000);
	g_assert_cmpuint(g_strv_length(got->languages), ==, 3);
	g_assert_cmpstr(got->languages[2], ==, "pt-br");
	g_assert_cmpstr(got->topics[1], ==, "housing");
	g_autoptr(SbUser) by_id = sb_store_user_get_by_id(f->store, staff, &error);
	g_assert_no_error(error);
	g_assert_cmpint(by_id->role, ==, SB_ROLE_STAFF);
	g_assert_cmpint(by_id->site_id, ==, site);

	/* the list: by login, no hashes */
	g_autoptr(GPtrArray) all = sb_store_user_list(f->store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(all->len, ==, 3);
	g_assert_cmpstr(((SbUser *)all->pdata[0])->login, ==, "admin");
	g_assert_cmpstr(((SbUser *)all->pdata[1])->login, ==, "bob.martin");
	for (guint i = 0; i < all->len; i++)
		g_assert_null(((SbUser *)all->pdata[i])->password_hash);

	/* refusals */
	SbUser dup = u;
	dup.login = "bob.MARTIN";
	expect_user_refused(f, &dup, SB_STORE_ERROR_EXISTS);
	SbUser bad = {.login = "carol", .display_name = "Carol", .role = (SbRole)7, .password_hash = (char *)HASH};
	expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);
	SbRole role;
	g_assert_false(sb_role_from_string("root", &role));
	g_assert_false(sb_role_from_string("Admin", &role));
	g_assert_false(sb_role_from_string(NULL, &role));
	g_assert_true(sb_role_from_string("staff", &role));
	g_assert_cmpint(role, ==, SB_ROLE_STAFF);
	g_assert_cmpstr(sb_role_to_string(SB_ROLE_ADVISER), ==, "adviser");
	bad.role = SB_ROLE_STAFF; /* staff without a site */
	expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);
	bad.site_id = 999; /* ... with one that does not exist */
	expect_user_refused(f, &bad, SB_STORE_ERROR_NOT_FOUND);
	bad.role = SB_ROLE_ADVISER; /* an adviser bound to a site */
	bad.site_id = site;
	expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);
	bad.site_id = 0;
	bad.password_hash = "correct horse battery"; /* a password, not a hash */
	expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);
	bad.password_hash = NULL; /* no account without a password */
	expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);
	bad.password_hash = "";
	expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);
	bad.password_hash = (char *)HASH;
	const char *bad_logins[] = {NULL, "", "c", "carol'; --", "carol martin", "ça", "-carol", "carol\n"};
	for (guint i = 0; i < G_N_ELEMENTS(bad_logins); i++) {
		bad.login = (char *)bad_logins[i];
		expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);
	}
	g_autofree char *login65 = g_strnfill(65, 'c');
	bad.login = login65;
	expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);
	g_autofree char *login64 = g_strnfill(64, 'c');
	bad.login = login64;
	g_assert_cmpint(sb_store_user_add(f->store, &bad, &error), >, 0);
	g_assert_no_error(error);
	bad.login = "carol";
	g_autofree char *name101 = g_strnfill(101, 'n');
	bad.display_name = name101;
	expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);
	bad.display_name = "Carol\tTab";
	expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);
	bad.display_name = "";
	expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);
	bad.display_name = "\xc3\x28"; /* not UTF-8 */
	expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);
	bad.display_name = "Carol";
	char *bad_langs[] = {"FR", NULL};
	bad.languages = bad_langs;
	expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);
	char *twice[] = {"fr", "fr", NULL};
	bad.languages = twice;
	expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);
	bad.languages = NULL;
	char *bad_topics[] = {"job search", NULL};
	bad.topics = bad_topics;
	expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);
	char *comma[] = {"a,b", NULL};
	bad.topics = comma;
	expect_user_refused(f, &bad, SB_STORE_ERROR_INVALID);

	/* update */
	SbUser change = {.login = "BOB.martin", .display_name = "Bob M.", .role = SB_ROLE_STAFF, .site_id = site};
	g_assert_true(sb_store_user_update(f->store, &change, &error));
	g_assert_no_error(error);
	g_autoptr(SbUser) changed = sb_store_user_get(f->store, "bob.martin", &error);
	g_assert_cmpstr(changed->display_name, ==, "Bob M.");
	g_assert_cmpint(changed->role, ==, SB_ROLE_STAFF);
	g_assert_cmpuint(g_strv_length(changed->languages), ==, 0);
	g_assert_cmpstr(changed->password_hash, ==, HASH);
	change.login = "nobody";
	g_assert_false(sb_store_user_update(f->store, &change, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* password, disable, delete */
	const char *other = "scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=";
	g_assert_true(sb_store_user_set_password(f->store, "admin", other, &error));
	g_assert_no_error(error);
	g_autoptr(SbUser) a2 = sb_store_user_get(f->store, "admin", &error);
	g_assert_cmpstr(a2->password_hash, ==, other);
	g_assert_false(sb_store_user_set_password(f->store, "admin", "hunter2hunter2", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(sb_store_user_set_password(f->store, "nobody", other, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_true(sb_store_user_set_disabled(f->store, "admin", TRUE, &error));
	g_autoptr(SbUser) a3 = sb_store_user_get(f->store, "admin", &error);
	g_assert_true(a3->disabled);
	g_assert_true(sb_store_user_del(f->store, "Admin", &error));
	g_assert_no_error(error);
	g_assert_false(sb_store_user_del(f->store, "admin", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_null(sb_store_user_get(f->store, "admin", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* the schema checks what the code checks, should a bug slip through */
	Raw *db = any_open(f);
	g_assert_true(any_refused(db, "INSERT INTO users (login, display_name, role, password_hash, created) "
				      "VALUES ('zed', 'Zed', 'root', 'scrypt$x', 0)"));
	g_assert_true(any_refused(db, "INSERT INTO users (login, display_name, role, password_hash, created) "
				      "VALUES ('zed', 'Zed', 'adviser', 'plain password', 0)"));
	g_assert_true(any_refused(db, "INSERT INTO users (login, display_name, role, password_hash, created) "
				      "VALUES ('zed', 'Zed', 'staff', 'scrypt$x', 0)"));
	any_close(db);
}

/* --- sign-ins ----------------------------------------------------------------------------------- */

static void test_signins(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 bob = add_user(f, "bob", SB_ROLE_ADVISER, 0);
	gint64 ann = add_user(f, "ann", SB_ROLE_ADMIN, 0);
	g_autofree char *t1 = sb_store_signin_create(f->store, bob, "192.0.2.1", 3600, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(strlen(t1), ==, SB_AUTH_TOKEN_CHARS);
	g_autofree char *t2 = sb_store_signin_create(f->store, bob, "2001:db8::1", 0, &error);
	g_autofree char *t3 = sb_store_signin_create(f->store, ann, NULL, 60, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(t1, !=, t2);

	/* only the hash is kept: no column anywhere holds the token */
	Raw *db = any_open(f);
	g_autofree char *q =
		g_strdup_printf("SELECT count(*) FROM sessions WHERE token_hash = '%s' OR remote_addr = '%s'", t1, t1);
	g_assert_cmpint(any_int(db, q), ==, 0);
	g_autofree char *h1 = sb_auth_token_hash(t1);
	g_autofree char *q2 = g_strdup_printf("SELECT expires - created FROM sessions WHERE token_hash = '%s'", h1);
	g_assert_cmpint(any_int(db, q2), ==, 3600);
	g_autofree char *h2 = sb_auth_token_hash(t2);
	g_autofree char *q3 = g_strdup_printf("SELECT expires - created FROM sessions WHERE token_hash = '%s'", h2);
	g_assert_cmpint(any_int(db, q3), ==, CONFIG_RELAIS_SB_SESSION_TTL_S);

	/* lookup and touch */
	g_autoptr(SbUser) who = sb_store_signin_lookup(f->store, t1, &error);
	g_assert_no_error(error);
	g_assert_cmpint(who->id, ==, bob);
	g_assert_cmpint(who->role, ==, SB_ROLE_ADVISER);
	g_assert_null(who->password_hash);
	f->now += 100;
	g_assert_true(sb_store_signin_touch(f->store, t1, &error));
	g_autofree char *q4 = g_strdup_printf("SELECT last_used - created FROM sessions WHERE token_hash = '%s'", h1);
	g_assert_cmpint(any_int(db, q4), ==, 100);

	/* unknown, empty, oversized tokens */
	const char *bad[] = {NULL, "", "not-a-token", "v1-session-token-for-tests"};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) e = NULL;
		g_assert_null(sb_store_signin_lookup(f->store, bad[i], &e));
		g_assert_error(e, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	}
	g_autofree char *huge = g_strnfill(100000, 'A');
	g_assert_null(sb_store_signin_lookup(f->store, huge, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(sb_store_signin_touch(f->store, "nope", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* expiry: ann's 60 s sign-in is gone a minute after it opened */
	f->now -= 100;
	f->now += 59;
	g_autoptr(SbUser) still = sb_store_signin_lookup(f->store, t3, &error);
	g_assert_no_error(error);
	f->now += 1;
	g_assert_null(sb_store_signin_lookup(f->store, t3, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXPIRED);
	g_clear_error(&error);
	g_assert_null(sb_store_signin_lookup(f->store, t3, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND); /* and deleted */
	g_clear_error(&error);

	/* purge: t1 (1 h) goes, t2 (12 h) stays */
	f->now += 3600;
	guint n = 99;
	g_assert_true(sb_store_signin_purge(f->store, &n, &error));
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpint(any_int(db, "SELECT count(*) FROM sessions"), ==, 1);

	/* sign out */
	g_assert_true(sb_store_signin_delete(f->store, t2, &error));
	g_assert_false(sb_store_signin_delete(f->store, t2, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* a password reset, disabling, deleting: every sign-in ends */
	g_autofree char *s1 = sb_store_signin_create(f->store, bob, NULL, 0, &error);
	g_autofree char *s2 = sb_store_signin_create(f->store, bob, NULL, 0, &error);
	g_assert_true(sb_store_user_set_password(f->store, "bob", HASH, &error));
	g_assert_null(sb_store_signin_lookup(f->store, s1, NULL));
	g_assert_null(sb_store_signin_lookup(f->store, s2, NULL));
	g_autofree char *s3 = sb_store_signin_create(f->store, bob, NULL, 0, &error);
	g_assert_true(sb_store_user_set_disabled(f->store, "bob", TRUE, &error));
	g_assert_null(sb_store_signin_lookup(f->store, s3, NULL));
	g_assert_null(sb_store_signin_create(f->store, bob, NULL, 0, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_DISABLED);
	g_clear_error(&error);
	g_assert_true(sb_store_user_set_disabled(f->store, "bob", FALSE, &error));
	g_autofree char *s4 = sb_store_signin_create(f->store, bob, NULL, 0, &error);
	g_assert_no_error(error);
	guint ended = 0;
	g_autofree char *s5 = sb_store_signin_create(f->store, bob, NULL, 0, &error);
	g_assert_true(sb_store_signin_delete_user(f->store, bob, &ended, &error));
	g_assert_cmpuint(ended, ==, 2);
	g_autofree char *s6 = sb_store_signin_create(f->store, bob, NULL, 0, &error);
	g_assert_true(sb_store_user_del(f->store, "bob", &error));
	g_assert_cmpint(any_int(db, "SELECT count(*) FROM sessions"), ==, 0);
	g_assert_null(sb_store_signin_lookup(f->store, s6, NULL));

	/* no sign-in for nobody; addresses are checked */
	g_assert_null(sb_store_signin_create(f->store, 424242, NULL, 0, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_autofree char *long_addr = g_strnfill(SB_STORE_MAX_ADDRESS + 1, '1');
	g_assert_null(sb_store_signin_create(f->store, ann, long_addr, 0, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_null(sb_store_signin_create(f->store, ann, "1.2.3.4\n", 0, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	any_close(db);
}

/* --- sign-in attempts ---------------------------------------------------------------------------- */

/* What the server will do before checking a password: 0 or seconds to wait. */
static const SbAuthLimits LIMITS = {
	.window_s = 900, .max_per_login = 5, .max_per_address = 8, .slowdown_after = 3, .slowdown_max_s = 8};

static guint decide(Fixture *f, const char *login, const char *addr)
{
	SbAttempts pp, pa;
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_store_attempts_count(f->store, login, addr, LIMITS.window_s, &pp, &pa, NULL, &error));
	g_assert_no_error(error);
	return sb_auth_rate_limit(&LIMITS, pp.failures, pp.oldest_s, pa.failures, pa.oldest_s, f->now);
}

/* The slow-down the server applies before checking the password. */
static guint slowdown(Fixture *f, const char *login)
{
	SbAttempts pl;
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_store_attempts_count(f->store, login, "any", LIMITS.window_s, NULL, NULL, &pl, &error));
	return sb_auth_slowdown(&LIMITS, pl.failures);
}

static void fail_once(Fixture *f, const char *login, const char *addr)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_store_attempt_record(f->store, login, addr, NULL, &error));
	g_assert_no_error(error);
}

static void test_attempts(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 t0 = f->now;
	/* five failures for alice from one address, ten seconds apart */
	for (int i = 0; i < 5; i++) {
		g_assert_cmpuint(decide(f, "alice", "192.0.2.1"), ==, 0);
		fail_once(f, i % 2 ? "ALICE" : "alice", "192.0.2.1");
		f->now += 10;
	}
	SbAttempts pp, pa, pl;
	g_assert_true(sb_store_attempts_count(f->store, "Alice", "192.0.2.1", 900, &pp, &pa, &pl, &error));
	g_assert_cmpuint(pp.failures, ==, 5);
	g_assert_cmpint(pp.oldest_s, ==, t0);
	g_assert_cmpuint(pa.failures, ==, 5);
	g_assert_cmpuint(pl.failures, ==, 5);
	/* the limit kicks in for that address... */
	g_assert_cmpuint(decide(f, "alice", "192.0.2.1"), ==, 900 - 50);
	/* ...and never locks alice out from another one: her sign-ins are
	 * slowed down instead (1 s at 3 failures, doubling, at most 8 s) */
	g_assert_cmpuint(decide(f, "alice", "198.51.100.9"), ==, 0);
	g_assert_cmpuint(slowdown(f, "alice"), ==, 4);
	for (int i = 0; i < 4; i++)
		fail_once(f, "alice", "198.51.100.10");
	g_assert_cmpuint(slowdown(f, "alice"), ==, 8);
	g_assert_cmpuint(decide(f, "alice", "198.51.100.9"), ==, 0);
	/* bob is not affected */
	g_assert_cmpuint(decide(f, "bob", "198.51.100.9"), ==, 0);
	g_assert_cmpuint(slowdown(f, "bob"), ==, 0);
	/* released when the oldest failure leaves the window */
	f->now = t0 + 899;
	g_assert_cmpuint(decide(f, "alice", "192.0.2.1"), ==, 1);
	f->now = t0 + 900;
	g_assert_cmpuint(decide(f, "alice", "192.0.2.1"), ==, 0);

	/* per address: one address trying many logins */
	for (int i = 0; i < 4; i++)
		fail_once(f, i % 2 ? "carol" : "dave", "192.0.2.1");
	/* 4 of alice's 5 still count for the address: 8 */
	g_assert_cmpuint(decide(f, "erin", "192.0.2.1"), >, 0);
	g_assert_cmpuint(decide(f, "erin", "203.0.113.5"), ==, 0);

	/* the right password: its attempt (recorded before the check) is
	 * deleted and the pair's failures forgotten; the address's stay, and
	 * so do the login's failures from elsewhere */
	fail_once(f, "frank", "203.0.113.5");
	fail_once(f, "frank", "198.51.100.7");
	gint64 id = 0;
	g_assert_true(sb_store_attempt_record(f->store, "Frank", "203.0.113.5", &id, &error));
	g_assert_cmpint(id, >, 0);
	g_assert_true(sb_store_attempts_count(f->store, "frank", "203.0.113.5", 900, &pp, &pa, &pl, &error));
	g_assert_cmpuint(pp.failures, ==, 2); /* in flight, it counts */
	g_assert_true(sb_store_attempt_succeeded(f->store, id, "Frank", "203.0.113.5", &error));
	g_assert_true(sb_store_attempts_count(f->store, "frank", "203.0.113.5", 900, &pp, &pa, &pl, &error));
	g_assert_cmpuint(pp.failures, ==, 0);
	g_assert_cmpint(pp.oldest_s, ==, 0);
	g_assert_cmpuint(pa.failures, ==, 1);
	g_assert_cmpuint(pl.failures, ==, 1);

	/* neither logins nor addresses are stored in clear */
	fail_once(f, "correct horse battery", "192.0.2.77");
	Raw *db = any_open(f);
	g_assert_cmpint(any_int(db, "SELECT count(*) FROM sign_in_attempts WHERE login_key LIKE '%horse%' OR "
				    "login_key LIKE '%alice%' OR address_key LIKE '%192.0.2%'"),
			==, 0);

	/* pruning: alice's nine, at t0 .. t0 + 50, are older than the window */
	f->now = t0 + 950;
	gint64 total = any_int(db, "SELECT count(*) FROM sign_in_attempts");
	guint n = 0;
	g_assert_true(sb_store_attempts_prune(f->store, 900, &n, &error));
	g_assert_cmpuint(n, ==, 9);
	g_assert_cmpint(any_int(db, "SELECT count(*) FROM sign_in_attempts"), ==, total - 9);
	f->now += 100000;
	g_assert_true(sb_store_maintain(f->store, &error));
	g_assert_no_error(error);
	g_assert_cmpint(any_int(db, "SELECT count(*) FROM sign_in_attempts"), ==, 0);
	any_close(db);
}

/* --- sites and booths ------------------------------------------------------------------------------ */

static void test_sites_booths(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 a = add_site(f, "Médiathèque \"Centre\", 1er étage", "Europe/Paris");
	gint64 b = add_site(f, "x'); DELETE FROM sites; --", "America/Montreal");
	g_assert_cmpint(sb_store_site_upsert(f->store, 0, "Médiathèque \"Centre\", 1er étage", "UTC", &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS);
	g_clear_error(&error);
	g_assert_cmpint(sb_store_site_upsert(f->store, 0, "Nowhere", "Mars/Olympus_Mons", &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_cmpint(sb_store_site_upsert(f->store, 0, "Nowhere", "", &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_autofree char *long_name = g_strnfill(101, 's');
	g_assert_cmpint(sb_store_site_upsert(f->store, 0, long_name, "UTC", &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_cmpint(sb_store_site_upsert(f->store, 9999, "Ghost", "UTC", &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* verbatim, listed by name, renamed */
	g_autoptr(SbSite) sb = sb_store_site_get_by_name(f->store, "x'); DELETE FROM sites; --", &error);
	g_assert_no_error(error);
	g_assert_cmpint(sb->id, ==, b);
	g_assert_cmpint(sb_store_site_upsert(f->store, b, "Bibliothèque Nord", "America/Toronto", &error), ==, b);
	g_autoptr(GPtrArray) sites = sb_store_site_list(f->store, &error);
	g_assert_cmpuint(sites->len, ==, 2);
	g_assert_cmpstr(((SbSite *)sites->pdata[0])->name, ==, "Bibliothèque Nord");
	g_assert_cmpstr(((SbSite *)sites->pdata[0])->timezone, ==, "America/Toronto");
	g_assert_null(sb_store_site_get(f->store, 9999, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* booths */
	g_assert_true(sb_store_booth_upsert(f->store, "sim-1", a, "Entrée", &error));
	g_assert_true(sb_store_booth_upsert(f->store, "sim-2", 0, NULL, &error));
	g_assert_true(sb_store_booth_upsert(f->store, "rpi4.nord:1", b, "", &error));
	g_assert_no_error(error);
	g_assert_false(sb_store_booth_upsert(f->store, "bad id", a, NULL, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(sb_store_booth_upsert(f->store, "sim-3", 777, NULL, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	f->now = 1700000123;
	g_assert_true(sb_store_booth_seen(f->store, "sim-1", "out_of_order", "camera: v4l2src missing", &error));
	g_assert_false(sb_store_booth_seen(f->store, "sim-9", "idle", NULL, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(sb_store_booth_seen(f->store, "sim-1", "Idle now", NULL, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	/* a reason is diagnostics: cut to its cap, not refused; control characters are */
	g_autofree char *long_reason = g_strnfill(SB_STORE_MAX_REASON + 50, 'r');
	g_assert_true(sb_store_booth_seen(f->store, "rpi4.nord:1", "out_of_order", long_reason, &error));
	g_assert_no_error(error);
	g_autoptr(GPtrArray) cut = sb_store_booth_list(f->store, b, &error);
	g_assert_cmpuint(cut->len, ==, 1);
	g_assert_cmpuint(strlen(((SbBooth *)cut->pdata[0])->reason), ==, SB_STORE_MAX_REASON);
	g_assert_false(sb_store_booth_seen(f->store, "sim-1", "idle", "bell\a", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	/* moving a booth to another site keeps its state */
	g_assert_true(sb_store_booth_upsert(f->store, "sim-2", a, "Étage", &error));
	g_autoptr(GPtrArray) at_a = sb_store_booth_list(f->store, a, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(at_a->len, ==, 2);
	SbBooth *s1 = at_a->pdata[0];
	g_assert_cmpstr(s1->id, ==, "sim-1");
	g_assert_cmpstr(s1->name, ==, "Entrée");
	g_assert_cmpint(s1->last_seen, ==, 1700000123);
	g_assert_cmpstr(s1->state, ==, "out_of_order");
	g_assert_cmpstr(s1->reason, ==, "camera: v4l2src missing");
	SbBooth *s2 = at_a->pdata[1];
	g_assert_cmpstr(s2->state, ==, "offline");
	g_assert_null(s2->reason);
	g_assert_cmpint(s2->last_seen, ==, 0);
	g_autoptr(GPtrArray) all = sb_store_booth_list(f->store, 0, &error);
	g_assert_cmpuint(all->len, ==, 3);

	/* a site in use cannot go; its hours and closures go with it */
	g_assert_false(sb_store_site_del(f->store, b, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_IN_USE);
	g_clear_error(&error);
	g_assert_true(sb_store_booth_del(f->store, "rpi4.nord:1", &error));
	g_assert_false(sb_store_booth_del(f->store, "rpi4.nord:1", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	set_week(f, b);
	g_assert_cmpint(sb_store_closure_add(f->store, b, "2024-12-24", "2024-12-26", "Noël", &error), >, 0);
	g_assert_true(sb_store_site_del(f->store, b, &error));
	g_assert_no_error(error);
	Raw *db = any_open(f);
	g_assert_cmpint(any_int(db, "SELECT count(*) FROM opening_slots"), ==, 0);
	g_assert_cmpint(any_int(db, "SELECT count(*) FROM closures"), ==, 0);
	any_close(db);
	g_assert_false(sb_store_site_del(f->store, b, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
}

/* --- opening hours ---------------------------------------------------------------------------------- */

static void expect_slots_refused(Fixture *f, gint64 site, const SbSlot *slots, guint n)
{
	g_autoptr(GError) error = NULL;
	g_assert_false(sb_store_slots_set(f->store, site, slots, n, &error));
	g_test_message("refused: %s", error->message);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
}

static void expect_open(Fixture *f, gint64 site, gint64 t, gboolean open, guint capacity)
{
	gboolean o = !open;
	guint c = 99;
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_store_site_open_at(f->store, site, t, &o, &c, &error));
	g_assert_no_error(error);
	g_assert_cmpint(o, ==, open);
	g_assert_cmpuint(c, ==, capacity);
}

static void expect_next(Fixture *f, gint64 site, gint64 after, gint64 start, gint64 end)
{
	gint64 s = -1, e = -1;
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_store_site_next_opening(f->store, site, after, &s, &e, &error));
	g_assert_no_error(error);
	g_assert_cmpint(s, ==, start);
	g_assert_cmpint(e, ==, end);
}

static void test_hours(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 site = add_site(f, "Médiathèque", "Europe/Paris");
	gint64 mtl = add_site(f, "Montréal", "America/Montreal");

	/* no slots: never open */
	expect_open(f, site, paris(2024, 3, 4, 10, 0), FALSE, 0);
	expect_next(f, site, paris(2024, 3, 4, 10, 0), 0, 0);

	/* refusals */
	SbSlot one = {.weekday = 7, .half = SB_HALF_AM, .start_min = 540, .end_min = 720, .capacity = 1};
	expect_slots_refused(f, site, &one, 1);
	one.weekday = 0;
	one.end_min = 900; /* a morning until 15:00 */
	expect_slots_refused(f, site, &one, 1);
	one = (SbSlot){.weekday = 0, .half = SB_HALF_PM, .start_min = 660, .end_min = 1000, .capacity = 1};
	expect_slots_refused(f, site, &one, 1); /* an afternoon from 11:00 */
	one = (SbSlot){.weekday = 0, .half = SB_HALF_PM, .start_min = 900, .end_min = 900, .capacity = 1};
	expect_slots_refused(f, site, &one, 1);
	one.end_min = 1441;
	expect_slots_refused(f, site, &one, 1);
	one.end_min = 1000;
	one.capacity = 0;
	expect_slots_refused(f, site, &one, 1);
	one.capacity = 1001;
	expect_slots_refused(f, site, &one, 1);
	one.half = (SbHalfDay)5;
	one.capacity = 1;
	expect_slots_refused(f, site, &one, 1);
	SbSlot two[2] = {
		{.weekday = 1, .half = SB_HALF_AM, .start_min = 540, .end_min = 720, .capacity = 1},
		{.weekday = 1, .half = SB_HALF_AM, .start_min = 600, .end_min = 700, .capacity = 1},
	};
	expect_slots_refused(f, site, two, 2);
	two[0].end_min = 780;
	two[1] = (SbSlot){.weekday = 1, .half = SB_HALF_PM, .start_min = 720, .end_min = 900, .capacity = 1};
	expect_slots_refused(f, site, two, 2); /* morning ends after the afternoon starts */
	g_assert_false(sb_store_slots_set(f->store, 4242, two, 1, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	set_week(f, site);
	g_autoptr(GArray) week = sb_store_slots_list(f->store, site, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(week->len, ==, 11);
	SbSlot *first = &g_array_index(week, SbSlot, 0), *last = &g_array_index(week, SbSlot, 10);
	g_assert_cmpuint(first->weekday, ==, 0);
	g_assert_cmpint(first->half, ==, SB_HALF_AM);
	g_assert_cmpuint(first->start_min, ==, 540);
	g_assert_cmpuint(first->capacity, ==, 2);
	g_assert_cmpuint(last->weekday, ==, 5);
	g_assert_cmpuint(last->end_min, ==, 720);

	/* open at: Monday 4 March 2024, Paris time */
	expect_open(f, site, paris(2024, 3, 4, 8, 59), FALSE, 0);
	expect_open(f, site, paris(2024, 3, 4, 9, 0), TRUE, 2);
	expect_open(f, site, paris(2024, 3, 4, 12, 29), TRUE, 2);
	expect_open(f, site, paris(2024, 3, 4, 12, 30), FALSE, 0);
	expect_open(f, site, paris(2024, 3, 4, 14, 0), TRUE, 1);
	expect_open(f, site, paris(2024, 3, 9, 11, 0), TRUE, 1);   /* Saturday */
	expect_open(f, site, paris(2024, 3, 9, 14, 0), FALSE, 0);  /* Saturday afternoon */
	expect_open(f, site, paris(2024, 3, 10, 11, 0), FALSE, 0); /* Sunday */
	/* the site's zone, not UTC: 08:30 UTC is 09:30 in Paris in winter */
	expect_open(f, site, at("UTC", 2024, 3, 4, 8, 30), TRUE, 2);
	/* across the change to summer time (31 March 2024): 07:30 UTC is 08:30
	 * in Paris the Monday before, 09:30 the Monday after */
	expect_open(f, site, at("UTC", 2024, 3, 25, 7, 30), FALSE, 0);
	expect_open(f, site, at("UTC", 2024, 4, 1, 7, 30), TRUE, 2);

	/* next opening */
	expect_next(f, site, paris(2024, 3, 4, 8, 0), paris(2024, 3, 4, 9, 0), paris(2024, 3, 4, 12, 30));
	expect_next(f, site, paris(2024, 3, 4, 10, 0), paris(2024, 3, 4, 10, 0), paris(2024, 3, 4, 12, 30));
	expect_next(f, site, paris(2024, 3, 4, 12, 45), paris(2024, 3, 4, 13, 30), paris(2024, 3, 4, 17, 0));
	expect_next(f, site, paris(2024, 3, 8, 18, 0), paris(2024, 3, 9, 10, 0), paris(2024, 3, 9, 12, 0));
	expect_next(f, site, paris(2024, 3, 9, 13, 0), paris(2024, 3, 11, 9, 0), paris(2024, 3, 11, 12, 30));

	/* closures: a day, then a week */
	g_assert_cmpint(sb_store_closure_add(f->store, site, "2024-03-11", "2024-03-11", "inventaire", &error), >, 0);
	g_assert_no_error(error);
	expect_open(f, site, paris(2024, 3, 11, 10, 0), FALSE, 0);
	expect_next(f, site, paris(2024, 3, 9, 13, 0), paris(2024, 3, 12, 9, 0), paris(2024, 3, 12, 12, 30));
	gint64 week_off = sb_store_closure_add(f->store, site, "2024-03-12", "2024-03-18", "travaux", &error);
	g_assert_no_error(error);
	expect_next(f, site, paris(2024, 3, 9, 13, 0), paris(2024, 3, 19, 9, 0), paris(2024, 3, 19, 12, 30));
	g_autoptr(GPtrArray) closures = sb_store_closure_list(f->store, site, &error);
	g_assert_cmpuint(closures->len, ==, 2);
	SbClosure *c0 = closures->pdata[0];
	g_assert_cmpstr(c0->date_from, ==, "2024-03-11");
	g_assert_cmpstr(c0->reason, ==, "inventaire");
	g_assert_true(sb_store_closure_del(f->store, week_off, &error));
	g_assert_false(sb_store_closure_del(f->store, week_off, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	expect_next(f, site, paris(2024, 3, 9, 13, 0), paris(2024, 3, 12, 9, 0), paris(2024, 3, 12, 12, 30));
	const char *bad_dates[][2] = {{"2024-02-30", "2024-03-01"}, {"2024/03/05", "2024-03-05"},
				      {"2024-03-05", "2024-03-04"}, {"24-03-05", "2024-03-05"},
				      {"2024-03-05", NULL},	    {"2024-03-05 ", "2024-03-06"}};
	for (guint i = 0; i < G_N_ELEMENTS(bad_dates); i++) {
		g_assert_cmpint(sb_store_closure_add(f->store, site, bad_dates[i][0], bad_dates[i][1], "", &error), ==,
				0);
		g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
		g_clear_error(&error);
	}
	g_autofree char *long_reason = g_strnfill(SB_STORE_MAX_REASON + 1, 'r');
	g_assert_cmpint(sb_store_closure_add(f->store, site, "2024-05-01", "2024-05-01", long_reason, &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_cmpint(sb_store_closure_add(f->store, 4242, "2024-05-01", "2024-05-01", "", &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* adjacent slots form one opening, also across midnight; a closure ends it */
	SbSlot montreal[] = {
		{.weekday = 0, .half = SB_HALF_AM, .start_min = 600, .end_min = 780, .capacity = 1},
		{.weekday = 0, .half = SB_HALF_PM, .start_min = 780, .end_min = 1440, .capacity = 3},
		{.weekday = 1, .half = SB_HALF_AM, .start_min = 0, .end_min = 120, .capacity = 1},
	};
	g_assert_true(sb_store_slots_set(f->store, mtl, montreal, G_N_ELEMENTS(montreal), &error));
	g_assert_no_error(error);
	gint64 mon10 = at("America/Montreal", 2024, 3, 4, 10, 0);
	expect_next(f, mtl, mon10 - 3600, mon10, at("America/Montreal", 2024, 3, 5, 2, 0));
	expect_open(f, mtl, at("America/Montreal", 2024, 3, 4, 23, 59), TRUE, 3);
	expect_open(f, mtl, at("America/Montreal", 2024, 3, 5, 0, 30), TRUE, 1);
	g_assert_cmpint(sb_store_closure_add(f->store, mtl, "2024-03-05", "2024-03-05", "", &error), >, 0);
	expect_next(f, mtl, mon10 - 3600, mon10, at("America/Montreal", 2024, 3, 5, 0, 0));

	/* an empty week again */
	g_assert_true(sb_store_slots_set(f->store, site, NULL, 0, &error));
	expect_next(f, site, paris(2024, 3, 4, 8, 0), 0, 0);
	g_assert_false(sb_store_site_open_at(f->store, 4242, 0, &(gboolean){0}, NULL, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
}

/* --- bookings -------------------------------------------------------------------------------------- */

static SbBooking *book(Fixture *f, gint64 site, gint64 start, guint minutes, gint code)
{
	g_autoptr(GError) error = NULL;
	SbBooking *b = sb_store_booking_create(f->store, site, start, start + minutes * 60, "fr", "job-search", &error);
	if (code < 0) {
		g_assert_no_error(error);
		g_assert_nonnull(b);
	} else {
		g_test_message("refused: %s", error ? error->message : "(no error)");
		g_assert_error(error, SB_STORE_ERROR, code);
		g_assert_null(b);
	}
	return b;
}

static void expect_check_in(Fixture *f, gint64 site, const char *code, gint err)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBooking) b = sb_store_booking_check_in(f->store, site, code, &error);
	if (err < 0) {
		g_assert_no_error(error);
		g_assert_nonnull(b);
		g_assert_cmpint(b->state, ==, SB_BOOKING_CHECKED_IN);
		g_assert_cmpint(b->checked_in_at, ==, f->now);
	} else {
		g_test_message("check-in refused: %s", error ? error->message : "(no error)");
		g_assert_error(error, SB_STORE_ERROR, err);
		g_assert_null(b);
	}
}

static SbBookingState state_of(Fixture *f, const char *code)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBooking) b = sb_store_booking_get(f->store, code, &error);
	g_assert_no_error(error);
	return b->state;
}

static void test_bookings(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 site = add_site(f, "Médiathèque", "Europe/Paris");
	gint64 other = add_site(f, "Annexe", "Europe/Paris");
	set_week(f, site);
	set_week(f, other);
	f->now = paris(2024, 3, 4, 8, 0);
	gint64 ten = paris(2024, 3, 4, 10, 0);

	g_autoptr(SbBooking) b1 = book(f, site, ten, 30, -1);
	g_assert_cmpuint(strlen(b1->code), ==, RELAIS_BOOKING_CODE_LEN);
	g_assert_cmpuint(strspn(b1->code, RELAIS_BOOKING_ALPHABET), ==, RELAIS_BOOKING_CODE_LEN);
	g_assert_cmpint(b1->state, ==, SB_BOOKING_BOOKED);
	g_assert_cmpint(b1->site_id, ==, site);
	g_assert_cmpint(b1->start_s, ==, ten);
	g_assert_cmpint(b1->end_s, ==, ten + 1800);
	g_assert_cmpstr(b1->language, ==, "fr");
	g_assert_cmpstr(b1->topic, ==, "job-search");
	g_assert_cmpint(b1->created, ==, f->now);
	g_assert_cmpint(b1->checked_in_at, ==, 0);
	g_assert_cmpstr(sb_booking_state_to_string(b1->state), ==, "booked");

	/* capacity 2 in the morning: a third overlapping booking is refused */
	g_autoptr(SbBooking) b2 = book(f, site, ten + 900, 30, -1);
	g_autoptr(SbBooking) b3 = book(f, site, ten + 600, 30, SB_STORE_ERROR_FULL);
	/* ... not a later one, nor at another site */
	g_autoptr(SbBooking) b4 = book(f, site, ten + 3600, 30, -1);
	g_autoptr(SbBooking) b5 = book(f, other, ten, 30, -1);
	/* capacity 1 in the afternoon */
	g_autoptr(SbBooking) b6 = book(f, site, paris(2024, 3, 4, 14, 0), 60, -1);
	g_autoptr(SbBooking) b7 = book(f, site, paris(2024, 3, 4, 14, 30), 30, SB_STORE_ERROR_FULL);
	/* closed: lunch, across lunch, Sunday, a closure, past the evening */
	g_autoptr(SbBooking) c1 = book(f, site, paris(2024, 3, 4, 12, 45), 30, SB_STORE_ERROR_CLOSED);
	g_autoptr(SbBooking) c2 = book(f, site, paris(2024, 3, 4, 12, 15), 90, SB_STORE_ERROR_CLOSED);
	g_autoptr(SbBooking) c3 = book(f, site, paris(2024, 3, 10, 10, 0), 30, SB_STORE_ERROR_CLOSED);
	g_assert_cmpint(sb_store_closure_add(f->store, site, "2024-03-05", "2024-03-05", "", &error), >, 0);
	g_autoptr(SbBooking) c4 = book(f, site, paris(2024, 3, 5, 10, 0), 30, SB_STORE_ERROR_CLOSED);
	g_autoptr(SbBooking) c5 = book(f, site, paris(2024, 3, 4, 16, 45), 30, SB_STORE_ERROR_CLOSED);
	/* invalid: in the past, too far ahead, too long, empty, bad language or topic */
	g_autoptr(SbBooking) i1 = book(f, site, f->now - 60, 30, SB_STORE_ERROR_INVALID);
	g_autoptr(SbBooking) i2 = book(f, site, f->now + 400 * 86400, 30, SB_STORE_ERROR_INVALID);
	g_autoptr(SbBooking) i3 = book(f, site, ten, 300, SB_STORE_ERROR_INVALID);
	g_autoptr(SbBooking) i4 = book(f, site, ten, 0, SB_STORE_ERROR_INVALID);
	g_autoptr(SbBooking) n1 = book(f, 4242, ten, 30, SB_STORE_ERROR_NOT_FOUND);
	g_assert_null(sb_store_booking_create(f->store, site, ten, ten + 60, "FR", NULL, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_null(sb_store_booking_create(f->store, site, ten, ten + 60, NULL, "x'; DROP TABLE bookings", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	/* language and topic are optional */
	g_autoptr(SbBooking) plain =
		sb_store_booking_create(f->store, other, ten + 3600, ten + 5400, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(plain->language, ==, "");
	g_assert_cmpstr(plain->topic, ==, "");

	/* check-in: too early, then in the window; typed any way */
	f->now = ten - 31 * 60;
	expect_check_in(f, site, b1->code, SB_STORE_ERROR_CODE_TOO_EARLY);
	f->now = ten - 30 * 60;
	g_autofree char *typed = g_strdup_printf(" %.3s-%s ", b1->code, b1->code + 3);
	for (char *c = typed; *c; c++)
		*c = g_ascii_tolower(*c);
	expect_check_in(f, site, typed, -1);
	/* reused */
	expect_check_in(f, site, b1->code, SB_STORE_ERROR_CODE_USED);
	/* wrong site, unknown code, not a code at all */
	expect_check_in(f, other, b2->code, SB_STORE_ERROR_CODE_WRONG_SITE);
	g_assert_cmpint(state_of(f, b2->code), ==, SB_BOOKING_BOOKED);
	char unknown[] = "222222";
	if (strcmp(unknown, b1->code) == 0 || strcmp(unknown, b2->code) == 0)
		unknown[0] = '3';
	expect_check_in(f, site, unknown, SB_STORE_ERROR_CODE_UNKNOWN);
	const char *not_codes[] = {NULL, "", "0O1I00", "ABCDE", "ABCDEFG", "AB'; --", "ÀBCDEF"};
	for (guint i = 0; i < G_N_ELEMENTS(not_codes); i++)
		expect_check_in(f, site, not_codes[i], SB_STORE_ERROR_CODE_UNKNOWN);

	/* no-show: NO_SHOW_MIN (15) after the start, b2 (10:15) is expired */
	g_assert_cmpint(CONFIG_RELAIS_SB_BOOKING_NO_SHOW_MIN, ==, 15);
	f->now = ten + 15 * 60 + 14 * 60 + 59;
	expect_check_in(f, 0, b2->code, -1);
	g_autoptr(SbBooking) b8 = book(f, site, paris(2024, 3, 4, 11, 30), 30, -1);
	f->now = paris(2024, 3, 4, 11, 45);
	expect_check_in(f, 0, b8->code, SB_STORE_ERROR_CODE_EXPIRED);
	g_assert_cmpint(state_of(f, b8->code), ==, SB_BOOKING_NO_SHOW);
	expect_check_in(f, 0, b8->code, SB_STORE_ERROR_CODE_EXPIRED);
	/* the periodic expiry marks the others: b4 (11:00), b5 and plain (other site) */
	guint marked = 0;
	g_assert_true(sb_store_bookings_expire(f->store, &marked, &error));
	g_assert_cmpuint(marked, ==, 3);
	g_assert_cmpint(state_of(f, plain->code), ==, SB_BOOKING_NO_SHOW);
	g_assert_cmpint(state_of(f, b4->code), ==, SB_BOOKING_NO_SHOW);
	g_assert_cmpint(state_of(f, b5->code), ==, SB_BOOKING_NO_SHOW);
	g_assert_cmpint(state_of(f, b6->code), ==, SB_BOOKING_BOOKED);
	g_assert_true(sb_store_bookings_expire(f->store, &marked, &error));
	g_assert_cmpuint(marked, ==, 0);

	/* cancel: then the code is refused as cancelled; the place is free again */
	g_assert_true(sb_store_booking_cancel(f->store, b6->code, &error));
	g_assert_no_error(error);
	expect_check_in(f, site, b6->code, SB_STORE_ERROR_CODE_CANCELLED);
	g_assert_false(sb_store_booking_cancel(f->store, b6->code, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_CANCELLED);
	g_clear_error(&error);
	g_assert_false(sb_store_booking_cancel(f->store, b1->code, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_USED);
	g_clear_error(&error);
	g_assert_false(sb_store_booking_cancel(f->store, b8->code, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_EXPIRED);
	g_clear_error(&error);
	g_autoptr(SbBooking) b9 = book(f, site, paris(2024, 3, 4, 14, 30), 30, -1);

	/* a shorter window, set by the caller */
	sb_store_set_booking_window(f->store, 5, 2);
	g_autoptr(SbBooking) b10 = book(f, site, paris(2024, 3, 6, 9, 0), 30, -1);
	f->now = paris(2024, 3, 6, 8, 54);
	expect_check_in(f, site, b10->code, SB_STORE_ERROR_CODE_TOO_EARLY);
	f->now = paris(2024, 3, 6, 9, 2);
	expect_check_in(f, site, b10->code, SB_STORE_ERROR_CODE_EXPIRED);

	/* list */
	g_autoptr(GPtrArray) day =
		sb_store_booking_list(f->store, site, paris(2024, 3, 4, 0, 0), paris(2024, 3, 5, 0, 0), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(day->len, ==, 6); /* b1 b2 b4 b8 b6 b9 */
	for (guint i = 1; i < day->len; i++)
		g_assert_cmpint(((SbBooking *)day->pdata[i - 1])->start_s, <=, ((SbBooking *)day->pdata[i])->start_s);
	g_autoptr(GPtrArray) everywhere = sb_store_booking_list(f->store, 0, 0, G_MAXINT64, &error);
	g_assert_cmpuint(everywhere->len, ==, 9);

	/* the schema keeps no visitor: these are all its columns */
	Raw *db = any_open(f);
	g_autofree char *cols = columns_of(db, "bookings");
	g_assert_cmpstr(
		cols, ==,
		"id,code,site_id,start_at,end_at,language,topic,state,created,checked_in_at,used_at,used_call_id");
	any_close(db);
}

static void expect_mark_used(Fixture *f, const char *code, const char *call_id, gint err)
{
	g_autoptr(GError) error = NULL;
	gboolean ok = sb_store_booking_mark_used(f->store, code, call_id, &error);
	if (err < 0) {
		g_assert_no_error(error);
		g_assert_true(ok);
	} else {
		g_test_message("refused: %s", error ? error->message : "(no error)");
		g_assert_error(error, SB_STORE_ERROR, err);
		g_assert_false(ok);
	}
}

/* A checked-in booking makes one call: the store says so across reopenings. */
static void test_booking_used(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 site = add_site(f, "Médiathèque", "Europe/Paris");
	set_week(f, site);
	f->now = paris(2024, 3, 4, 8, 0);
	gint64 ten = paris(2024, 3, 4, 10, 0);
	g_autoptr(SbBooking) b1 = book(f, site, ten, 30, -1);
	g_autoptr(SbBooking) b2 = book(f, site, ten + 1800, 30, -1);
	g_assert_cmpint(b1->used_at, ==, 0);
	g_assert_null(b1->used_call_id);

	/* not checked in yet: it cannot make a call */
	expect_mark_used(f, b1->code, "call-1", SB_STORE_ERROR_INVALID);
	f->now = ten - 10 * 60;
	expect_check_in(f, site, b1->code, -1);
	/* a malformed call id, an unknown code, not a code */
	expect_mark_used(f, b1->code, "call 1; --", SB_STORE_ERROR_INVALID);
	expect_mark_used(f, b1->code, NULL, SB_STORE_ERROR_INVALID);
	char unknown[] = "222222";
	if (strcmp(unknown, b1->code) == 0 || strcmp(unknown, b2->code) == 0)
		unknown[0] = '3';
	expect_mark_used(f, unknown, "call-1", SB_STORE_ERROR_CODE_UNKNOWN);
	expect_mark_used(f, "0O1I00", "call-1", SB_STORE_ERROR_CODE_UNKNOWN);

	/* the first call uses it (typed any way); a second is refused, even the same call */
	f->now = ten + 60;
	g_autofree char *typed = g_ascii_strdown(b1->code, -1);
	expect_mark_used(f, typed, "call-1", -1);
	expect_mark_used(f, b1->code, "call-2", SB_STORE_ERROR_CODE_USED);
	expect_mark_used(f, b1->code, "call-1", SB_STORE_ERROR_CODE_USED);
	/* the first call's mark stays */
	g_autoptr(SbBooking) got = sb_store_booking_get(f->store, b1->code, &error);
	g_assert_no_error(error);
	g_assert_cmpint(got->state, ==, SB_BOOKING_CHECKED_IN);
	g_assert_cmpint(got->used_at, ==, ten + 60);
	g_assert_cmpstr(got->used_call_id, ==, "call-1");
	/* the other booking is untouched */
	g_autoptr(SbBooking) other = sb_store_booking_get(f->store, b2->code, &error);
	g_assert_no_error(error);
	g_assert_cmpint(other->used_at, ==, 0);
	g_assert_null(other->used_call_id);

	/* a reopened store (a restarted switchboard) still refuses it, and lists it used */
	g_clear_pointer(&f->store, sb_store_free);
	f->store = sb_store_open(f->uri ? f->uri : f->dir, &error);
	g_assert_no_error(error);
	sb_store_set_clock(f->store, fake_clock, f);
	expect_mark_used(f, b1->code, "call-3", SB_STORE_ERROR_CODE_USED);
	g_autoptr(GPtrArray) all = sb_store_booking_list(f->store, site, 0, G_MAXINT64, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(all->len, ==, 2);
	g_assert_cmpstr(((SbBooking *)all->pdata[0])->used_call_id, ==, "call-1");
	g_assert_null(((SbBooking *)all->pdata[1])->used_call_id);
}

/* A version 2 file with bookings: they survive, unused, and can be used. */
static void test_migrate_v2(Fixture *f, gconstpointer data)
{
	make_version(f, 2, NULL);
	g_autoptr(GError) error = NULL;
	f->store = sb_store_open(f->dir, &error);
	g_assert_no_error(error);
	sb_store_set_clock(f->store, fake_clock, f);
	g_assert_cmpint(sb_store_schema_version(f->store), ==, SB_STORE_SCHEMA_VERSION);
	f->now = 1709542500; /* 2024-03-04 09:55 in Paris: 7KQ2MZ is checked in */

	g_autoptr(GPtrArray) all = sb_store_booking_list(f->store, 0, 0, G_MAXINT64, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(all->len, ==, 4);
	for (guint i = 0; i < all->len; i++) {
		SbBooking *b = all->pdata[i];
		g_assert_cmpint(b->used_at, ==, 0);
		g_assert_null(b->used_call_id);
	}
	g_autoptr(SbBooking) in = sb_store_booking_get(f->store, "7KQ2MZ", &error);
	g_assert_no_error(error);
	g_assert_cmpint(in->state, ==, SB_BOOKING_CHECKED_IN);
	g_assert_cmpint(in->checked_in_at, ==, 1709542200);
	g_assert_cmpstr(in->topic, ==, "job-search");
	g_assert_cmpint(state_of(f, "H3W9PX"), ==, SB_BOOKING_BOOKED);
	g_assert_cmpint(state_of(f, "R5TB4N"), ==, SB_BOOKING_NO_SHOW);
	g_assert_cmpint(state_of(f, "V8CD6E"), ==, SB_BOOKING_CANCELLED);

	/* what version 3 brought works on the migrated file */
	expect_mark_used(f, "7KQ2MZ", "c-3", -1);
	expect_mark_used(f, "7KQ2MZ", "c-4", SB_STORE_ERROR_CODE_USED);
	expect_mark_used(f, "H3W9PX", "c-4", SB_STORE_ERROR_INVALID);
	expect_mark_used(f, "V8CD6E", "c-4", SB_STORE_ERROR_INVALID);

	/* and the rest of version 2 is there: staff, hours, the call's outcome */
	g_autoptr(SbUser) sam = sb_store_user_get(f->store, "sam", &error);
	g_assert_no_error(error);
	g_assert_cmpint(sam->role, ==, SB_ROLE_STAFF);
	g_autoptr(GPtrArray) rows = sb_store_stats(f->store, 0, G_MAXINT64, &error);
	g_assert_no_error(error);
	guint follow_ups = 0, bookings = 0, no_shows = 0;
	for (guint i = 0; i < rows->len; i++) {
		SbStatRow *r = g_ptr_array_index(rows, i);
		follow_ups += r->follow_ups;
		bookings += r->bookings;
		no_shows += r->no_shows;
	}
	g_assert_cmpuint(follow_ups, ==, 1);
	g_assert_cmpuint(bookings, ==, 3); /* the cancelled one is not counted */
	g_assert_cmpuint(no_shows, ==, 1);

	assert_schema_fresh(f);
}

static void test_booking_codes(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 site = add_site(f, "Grande salle", "UTC");
	SbSlot wide = {.weekday = 0, .half = SB_HALF_AM, .start_min = 0, .end_min = 720, .capacity = 1000};
	g_assert_true(sb_store_slots_set(f->store, site, &wide, 1, &error));
	f->now = at("UTC", 2024, 3, 4, 0, 0);
	g_autoptr(GHashTable) codes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (int i = 0; i < 300; i++) {
		g_autoptr(SbBooking) b = book(f, site, f->now + 60 + i * 60, 30, -1);
		g_assert_cmpuint(strspn(b->code, RELAIS_BOOKING_ALPHABET), ==, RELAIS_BOOKING_CODE_LEN);
		g_assert_null(strpbrk(b->code, "0O1I"));
		g_assert_false(g_hash_table_contains(codes, b->code));
		g_hash_table_add(codes, g_strdup(b->code));
	}
	g_assert_cmpuint(strlen(RELAIS_BOOKING_ALPHABET), ==, 32);
}

/* --- call records and statistics --------------------------------------------------------------------- */

static gint64 call(Fixture *f, const char *id, gint64 site, const char *topic, gint64 queued, gint64 wait,
		   gint64 duration)
{
	SbCallRecord r = {.call_id = id,
			  .site_id = site,
			  .booth_id = "sim-1",
			  .topic = topic,
			  .language = "fr",
			  .queued_at = queued,
			  .answered_at = wait >= 0 ? queued + wait : 0,
			  .ended_at = queued + MAX(wait, 0) + MAX(duration, 0),
			  .end_reason = wait >= 0 ? "hangup" : "cancelled"};
	g_autoptr(GError) error = NULL;
	gint64 rid = sb_store_call_insert(f->store, &r, &error);
	g_assert_no_error(error);
	return rid;
}

/* Calls in progress: kept while they last, read back in order, removed
 * with the call's record (also when the record was written already). */
static void collect_live(const SbLiveCall *c, gpointer user_data)
{
	g_ptr_array_add(user_data,
			g_strdup_printf("%s|%s|%s|%s|%s|%s|%s|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT, c->call_id,
					c->booth_id, c->adviser, c->ticket, c->site ? c->site : "-", c->topic,
					c->language, c->queued_at, c->answered_at));
}

static GPtrArray *live_calls(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	g_assert_true(sb_store_live_call_scan(f->store, collect_live, a, &error));
	g_assert_no_error(error);
	return a;
}

static void test_live_calls(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 q = paris(2024, 3, 4, 10, 0);
	SbLiveCall c1 = {"c-1", "sim-1", "alice", "t-1", "Médiathèque", "job-search", "fr", q, q + 60};
	SbLiveCall c2 = {"c-2", "sim-2", "bob", "t-2", NULL, "housing", "en", q, q + 30};
	g_assert_true(sb_store_live_call_insert(f->store, &c1, &error));
	g_assert_true(sb_store_live_call_insert(f->store, &c2, &error));
	g_assert_no_error(error);
	g_assert_false(sb_store_live_call_insert(f->store, &c1, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS);
	g_clear_error(&error);
	/* refused for what they are */
	SbLiveCall bad[] = {
		{"c-3", "sim-1", NULL, "t-3", NULL, "t", "fr", q, q},
		{"c-3", "sim-1", "alice", "t-3", NULL, "t", "f", q, q},
		{"c-3", "sim-1", "alice", "t-3", NULL, "t", "fr", q, q - 1},
		{"c 3", "sim-1", "alice", "t-3", NULL, "t", "fr", q, q},
		{"c-3", "sim-1", "alice", "t-3", NULL, "t", "fr", 0, 0},
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_false(sb_store_live_call_insert(f->store, &bad[i], &error));
		g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
		g_clear_error(&error);
	}
	g_autoptr(GPtrArray) both = live_calls(f);
	g_assert_cmpuint(both->len, ==, 2);
	g_autofree char *want2 =
		g_strdup_printf("c-2|sim-2|bob|t-2|-|housing|en|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT, q, q + 30);
	g_assert_cmpstr(g_ptr_array_index(both, 0), ==, want2); /* answered first */

	/* its record removes it, in the same transaction */
	g_assert_cmpint(call(f, "c-1", 0, "job-search", q, 60, 600), >, 0);
	g_autoptr(GPtrArray) one = live_calls(f);
	g_assert_cmpuint(one->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(one, 0), ==, want2);
	/* a record written already (by another process): refused, and the
	 * call is no longer in progress either */
	g_assert_cmpint(call(f, "c-2", 0, "housing", q, 30, 60), >, 0);
	g_assert_true(sb_store_live_call_insert(f->store, &c2, &error));
	SbCallRecord again = {
		.call_id = "c-2", .topic = "housing", .language = "en", .queued_at = q, .ended_at = q + 1};
	g_assert_cmpint(sb_store_call_insert(f->store, &again, &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS);
	g_clear_error(&error);
	g_autoptr(GPtrArray) none = live_calls(f);
	g_assert_cmpuint(none->len, ==, 0);
	/* a record refused for what it is leaves the call in progress */
	SbLiveCall c4 = {"c-4", "sim-1", "alice", "t-4", NULL, "t", "fr", q, q};
	g_assert_true(sb_store_live_call_insert(f->store, &c4, &error));
	SbCallRecord wrong = {.call_id = "c-4", .topic = "t", .language = "fr", .queued_at = q, .ended_at = q - 1};
	g_assert_cmpint(sb_store_call_insert(f->store, &wrong, &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_autoptr(GPtrArray) kept = live_calls(f);
	g_assert_cmpuint(kept->len, ==, 1);
}

/* A warm transfer: the call in progress changes hands, its record counts
 * the transfers, the statistics one session with a transfer. */
static void test_transfers(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 site = add_site(f, "Médiathèque", "Europe/Paris");
	gint64 q = paris(2024, 3, 4, 10, 0);
	SbLiveCall c1 = {"c-1", "sim-1", "alice", "t-1", NULL, "job-search", "fr", q, q + 60};
	g_assert_true(sb_store_live_call_insert(f->store, &c1, &error));
	g_assert_true(sb_store_live_call_set_adviser(f->store, "c-1", "bob", &error));
	g_assert_no_error(error);
	g_autoptr(GPtrArray) live = live_calls(f);
	g_assert_cmpuint(live->len, ==, 1);
	g_assert_true(g_str_has_prefix(g_ptr_array_index(live, 0), "c-1|sim-1|bob|"));
	/* no such call, a bad login: refused */
	g_assert_false(sb_store_live_call_set_adviser(f->store, "c-9", "bob", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(sb_store_live_call_set_adviser(f->store, "c-1", "", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);

	SbCallRecord r = {.call_id = "c-1",
			  .site_id = site,
			  .booth_id = "sim-1",
			  .topic = "job-search",
			  .language = "fr",
			  .queued_at = q,
			  .answered_at = q + 60,
			  .ended_at = q + 600,
			  .end_reason = "adviser-hangup",
			  .transfers = 2};
	g_assert_cmpint(sb_store_call_insert(f->store, &r, &error), >, 0);
	g_assert_no_error(error);
	g_autoptr(GPtrArray) after = live_calls(f);
	g_assert_cmpuint(after->len, ==, 0);
	/* more than five: refused */
	SbCallRecord six = r;
	six.call_id = "c-6";
	six.transfers = RELAIS_PROTO_MAX_TRANSFERS + 1;
	g_assert_cmpint(sb_store_call_insert(f->store, &six, &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	/* one call without a transfer beside it */
	g_assert_cmpint(call(f, "c-2", site, "job-search", q, 60, 600), >, 0);
	g_autoptr(GPtrArray) rows = sb_store_stats(f->store, q - 3600, q + 3600, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rows->len, ==, 1);
	SbStatRow *row = g_ptr_array_index(rows, 0);
	g_assert_cmpuint(row->requests, ==, 2); /* one session each, transferred or not */
	g_assert_cmpuint(row->signins, ==, 2);
	g_assert_cmpuint(row->transferred, ==, 1);
	g_autofree char *csv = sb_stats_to_csv(rows);
	g_assert_true(g_str_has_suffix(csv, ",1\r\n"));
}

static void test_calls(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 site = add_site(f, "Médiathèque", "Europe/Paris");
	gint64 q = paris(2024, 3, 4, 10, 0);
	g_assert_cmpint(call(f, "c-1", site, "job-search", q, 60, 600), >, 0);

	SbCallRecord r = {.call_id = "c-1",
			  .site_id = site,
			  .topic = "housing",
			  .language = "fr",
			  .queued_at = q,
			  .ended_at = q + 10};
	g_assert_cmpint(sb_store_call_insert(f->store, &r, &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS);
	g_clear_error(&error);
	struct {
		SbCallRecord r;
		gint code;
	} bad[] = {
		{{.call_id = "c-2", .topic = "t", .language = "fr", .queued_at = q, .ended_at = q - 1},
		 SB_STORE_ERROR_INVALID},
		{{.call_id = "c-2",
		  .topic = "t",
		  .language = "fr",
		  .queued_at = q,
		  .answered_at = q - 1,
		  .ended_at = q},
		 SB_STORE_ERROR_INVALID},
		{{.call_id = "c-2",
		  .topic = "t",
		  .language = "fr",
		  .queued_at = q,
		  .answered_at = q + 9,
		  .ended_at = q + 5},
		 SB_STORE_ERROR_INVALID},
		{{.call_id = "c-2", .topic = "t", .language = "fr", .queued_at = 0, .ended_at = q},
		 SB_STORE_ERROR_INVALID},
		{{.call_id = "", .topic = "t", .language = "fr", .queued_at = q, .ended_at = q},
		 SB_STORE_ERROR_INVALID},
		{{.call_id = "c 2", .topic = "t", .language = "fr", .queued_at = q, .ended_at = q},
		 SB_STORE_ERROR_INVALID},
		{{.call_id = "c-2", .topic = NULL, .language = "fr", .queued_at = q, .ended_at = q},
		 SB_STORE_ERROR_INVALID},
		{{.call_id = "c-2", .topic = "t", .language = "French", .queued_at = q, .ended_at = q},
		 SB_STORE_ERROR_INVALID},
		/* an end reason is a code: no free text from a client reaches the disk */
		{{.call_id = "c-2",
		  .topic = "t",
		  .language = "fr",
		  .queued_at = q,
		  .ended_at = q,
		  .end_reason = "the visitor said her name was Jeanne"},
		 SB_STORE_ERROR_INVALID},
		{{.call_id = "c-2", .site_id = 4242, .topic = "t", .language = "fr", .queued_at = q, .ended_at = q},
		 SB_STORE_ERROR_NOT_FOUND},
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_cmpint(sb_store_call_insert(f->store, &bad[i].r, &error), ==, 0);
		g_test_message("refused: %s", error->message);
		g_assert_error(error, SB_STORE_ERROR, bad[i].code);
		g_clear_error(&error);
	}

	/* ratings: once, 1..5, for a call that exists */
	g_assert_false(sb_store_call_set_satisfaction(f->store, "c-1", 0, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(sb_store_call_set_satisfaction(f->store, "c-1", 6, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(sb_store_call_set_satisfaction(f->store, "c-9", 4, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_true(sb_store_call_set_satisfaction(f->store, "c-1", 4, &error));
	g_assert_no_error(error);
	g_assert_false(sb_store_call_set_satisfaction(f->store, "c-1", 5, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS);
	g_clear_error(&error);

	/* outcome: a code, a short note (verbatim), follow-up */
	const char *note = "Orienté vers l'atelier CV';\n DROP TABLE call_records; --";
	g_assert_true(sb_store_call_set_outcome(f->store, "c-1", "referred", note, TRUE, &error));
	g_assert_no_error(error);
	g_assert_cmpint(CONFIG_RELAIS_SB_OUTCOME_NOTE_MAX, ==, 140);
	g_autofree char *max_note = g_strnfill(140, 'n');
	g_assert_true(sb_store_call_set_outcome(f->store, "c-1", "referred", max_note, FALSE, &error));
	g_autofree char *long_note = g_strnfill(141, 'n');
	g_assert_false(sb_store_call_set_outcome(f->store, "c-1", "referred", long_note, FALSE, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	/* 140 characters of é are 280 bytes: characters are what is capped */
	GString *accents = g_string_new(NULL);
	for (int i = 0; i < 140; i++)
		g_string_append(accents, "é");
	g_assert_true(sb_store_call_set_outcome(f->store, "c-1", "resolved", accents->str, FALSE, &error));
	g_string_free(accents, TRUE);
	g_assert_false(sb_store_call_set_outcome(f->store, "c-1", "referred", "tab\there", FALSE, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(sb_store_call_set_outcome(f->store, "c-1", "Referred!", NULL, FALSE, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(sb_store_call_set_outcome(f->store, "c-9", "referred", NULL, FALSE, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_true(sb_store_call_set_outcome(f->store, "c-1", "referred", note, TRUE, &error));
	Raw *db = any_open(f);
	g_autofree char *stored = any_text(db, "SELECT outcome_note FROM call_records WHERE call_id = 'c-1'");
	g_assert_cmpstr(stored, ==, note);
	/* a call record holds no person: these are all its columns */
	g_autofree char *cols = columns_of(db, "call_records");
	g_assert_cmpstr(cols, ==,
			"id,call_id,site_id,booth_id,topic,language,queued_at,answered_at,ended_at,end_reason,"
			"satisfaction,outcome,outcome_note,follow_up,transfers");
	any_close(db);
}

static void test_stats(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 a = add_site(f, "Médiathèque \"Centre\", RDC", "Europe/Paris");
	gint64 b = add_site(f, "=HYPERLINK(\"http://x\")", "America/Montreal");
	set_week(f, a);
	/* Monday 4 March in Paris: three answered job-search calls, one left
	 * unanswered; waits 60, 120, 300 s; durations 600, 900, 1200 s */
	gint64 mon = paris(2024, 3, 4, 10, 0);
	call(f, "c-1", a, "job-search", mon, 60, 600);
	call(f, "c-2", a, "job-search", mon + 3600, 120, 900);
	call(f, "c-3", a, "job-search", mon + 7200, 300, 1200);
	call(f, "c-4", a, "job-search", mon + 8000, -1, 0);
	call(f, "c-5", a, "-housing", mon, 10, 20);
	g_assert_true(sb_store_call_set_satisfaction(f->store, "c-1", 5, &error));
	g_assert_true(sb_store_call_set_satisfaction(f->store, "c-2", 5, &error));
	g_assert_true(sb_store_call_set_satisfaction(f->store, "c-3", 2, &error));
	g_assert_true(sb_store_call_set_outcome(f->store, "c-2", "referred", NULL, TRUE, &error));
	/* 23:30 UTC on Monday is Tuesday in Paris, still Monday in Montreal */
	gint64 late = at("UTC", 2024, 3, 4, 23, 30);
	call(f, "c-6", a, "job-search", late, 30, 60);
	call(f, "c-7", b, "job-search", late, 40, 80);
	call(f, "c-8", b, "job-search", late + 10, 60, 100);
	/* a call of no known site */
	call(f, "c-9", 0, "job-search", mon, 5, 5);
	/* bookings on Monday: one checked in, one no-show, one cancelled, one
	 * still in its window, one past it but not yet marked */
	f->now = paris(2024, 3, 4, 8, 0);
	g_autoptr(SbBooking) k1 = book(f, a, paris(2024, 3, 4, 9, 0), 30, -1);
	g_autoptr(SbBooking) k2 = book(f, a, paris(2024, 3, 4, 9, 0), 30, -1);
	g_autoptr(SbBooking) k3 = book(f, a, paris(2024, 3, 4, 9, 30), 30, -1);
	g_autoptr(SbBooking) k4 = book(f, a, paris(2024, 3, 4, 11, 0), 30, -1);
	g_autoptr(SbBooking) k5 = book(f, a, paris(2024, 3, 4, 10, 0), 30, -1);
	g_assert_true(sb_store_booking_cancel(f->store, k3->code, &error));
	f->now = paris(2024, 3, 4, 9, 5);
	expect_check_in(f, a, k1->code, -1);
	f->now = paris(2024, 3, 4, 9, 20);
	guint marked = 0;
	g_assert_true(sb_store_bookings_expire(f->store, &marked, &error));
	g_assert_cmpuint(marked, ==, 1); /* k2 */
	f->now = paris(2024, 3, 4, 10, 50);
	(void)k4;
	(void)k5;

	g_autoptr(GPtrArray) rows = sb_store_stats(f->store, paris(2024, 3, 4, 0, 0), paris(2024, 3, 6, 0, 0), &error);
	g_assert_no_error(error);
	for (guint i = 0; i < rows->len; i++) {
		SbStatRow *r = rows->pdata[i];
		g_test_message("%s | %s | %s | %u/%u", r->day, r->site, r->topic, r->signins, r->requests);
	}
	g_assert_cmpuint(rows->len, ==, 5);
	/* by day, then site name in code point order ("" < "=" < "M"), then topic */
	SbStatRow *none = rows->pdata[0], *mtl = rows->pdata[1], *housing = rows->pdata[2], *jobs = rows->pdata[3],
		  *tue = rows->pdata[4];
	g_assert_cmpstr(none->day, ==, "2024-03-04");
	g_assert_cmpstr(none->site, ==, "");
	g_assert_cmpint(none->site_id, ==, 0);
	g_assert_cmpstr(housing->topic, ==, "-housing");
	g_assert_cmpstr(jobs->site, ==, "Médiathèque \"Centre\", RDC");
	g_assert_cmpstr(jobs->topic, ==, "job-search");
	g_assert_cmpuint(jobs->requests, ==, 4);
	g_assert_cmpuint(jobs->signins, ==, 3);
	g_assert_cmpfloat(jobs->wait_mean_s, ==, 160.0);
	g_assert_cmpfloat(jobs->wait_median_s, ==, 120.0);
	g_assert_cmpfloat(jobs->duration_mean_s, ==, 900.0);
	g_assert_cmpfloat(jobs->duration_median_s, ==, 900.0);
	g_assert_cmpuint(jobs->satisfaction[4], ==, 2);
	g_assert_cmpuint(jobs->satisfaction[1], ==, 1);
	g_assert_cmpuint(jobs->satisfaction[0] + jobs->satisfaction[2] + jobs->satisfaction[3], ==, 0);
	g_assert_cmpuint(jobs->follow_ups, ==, 1);
	g_assert_cmpuint(jobs->bookings, ==, 4); /* the cancelled one is not counted */
	g_assert_cmpuint(jobs->no_shows, ==, 2); /* k2 marked, k5 past its window */
	g_assert_cmpstr(mtl->day, ==, "2024-03-04");
	g_assert_cmpstr(mtl->site, ==, "=HYPERLINK(\"http://x\")");
	g_assert_cmpuint(mtl->signins, ==, 2);
	g_assert_cmpfloat(mtl->wait_median_s, ==, 50.0); /* even count: mean of the middle two */
	g_assert_cmpfloat(mtl->duration_mean_s, ==, 90.0);
	g_assert_cmpstr(tue->day, ==, "2024-03-05");
	g_assert_cmpuint(tue->signins, ==, 1);
	g_assert_cmpuint(tue->bookings, ==, 0);

	/* CSV: RFC 4180 quoting, CRLF, formulas defused, empty cells for no
	 * sign-ins. The range is in absolute time, the day local: Montreal's
	 * calls at 00:30 Paris time on the 5th are on the 4th there. */
	call(f, "c-10", a, "housing", paris(2024, 3, 5, 10, 0), -1, 0);
	g_autoptr(GPtrArray) rows2 = sb_store_stats(f->store, paris(2024, 3, 5, 0, 0), paris(2024, 3, 6, 0, 0), &error);
	g_autofree char *csv = sb_stats_to_csv(rows2);
	g_assert_cmpstr(
		csv, ==,
		"day,site,topic,requests,sessions,wait_mean_s,wait_median_s,duration_mean_s,"
		"duration_median_s,satisfaction_1,satisfaction_2,satisfaction_3,satisfaction_4,"
		"satisfaction_5,follow_ups,bookings,no_shows,transferred\r\n"
		"2024-03-04,\"'=HYPERLINK(\"\"http://x\"\")\",job-search,2,2,50.0,50.0,90.0,90.0,0,0,0,0,0,0,0,0,0\r\n"
		"2024-03-05,\"Médiathèque \"\"Centre\"\", RDC\",housing,1,0,,,,,0,0,0,0,0,0,0,0,0\r\n"
		"2024-03-05,\"Médiathèque \"\"Centre\"\", RDC\",job-search,1,1,30.0,30.0,60.0,60.0,0,0,0,0,0,0,"
		"0,0,0\r\n");
	g_autofree char *csv_all = sb_stats_to_csv(rows);
	g_assert_nonnull(strstr(csv_all, "\r\n2024-03-04,\"'=HYPERLINK(\"\"http://x\"\")\",job-search,2,2,50.0,50.0,"
					 "90.0,90.0,"));
	g_assert_nonnull(strstr(csv_all, ",'-housing,1,1,10.0,10.0,20.0,20.0,"));
	g_autofree char *empty = sb_stats_to_csv(NULL);
	g_assert_true(g_str_has_suffix(empty, "no_shows,transferred\r\n"));
	/* the figures do not depend on the locale's decimal separator */
	g_assert_null(strstr(csv_all, "50,0"));

	/* an empty range */
	g_autoptr(GPtrArray) none_rows = sb_store_stats(f->store, 0, 1, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(none_rows->len, ==, 0);
}

/* --- what the administrator's page needs ---------------------------------------------------------- */

static void expect_usage(Fixture *f, gint64 site, guint booths, guint staff, guint bookings, guint calls)
{
	g_autoptr(GError) error = NULL;
	SbSiteUsage u = {99, 99, 99, 99};
	g_assert_true(sb_store_site_usage(f->store, site, &u, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(u.booths, ==, booths);
	g_assert_cmpuint(u.staff, ==, staff);
	g_assert_cmpuint(u.bookings, ==, bookings);
	g_assert_cmpuint(u.call_records, ==, calls);
}

static void test_admin_helpers(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 site = add_site(f, "Médiathèque", "Europe/Paris");
	gint64 other = add_site(f, "Annexe", "Europe/Paris");
	expect_usage(f, site, 0, 0, 0, 0);
	SbSiteUsage u;
	g_assert_false(sb_store_site_usage(f->store, 4242, &u, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* each kind of reference counts, for its own site only */
	g_assert_true(sb_store_booth_upsert(f->store, "b1", site, "", &error));
	g_assert_true(sb_store_booth_upsert(f->store, "b2", site, "", &error));
	g_assert_true(sb_store_booth_upsert(f->store, "b3", other, "", &error));
	add_user(f, "desk", SB_ROLE_STAFF, site);
	add_user(f, "adv", SB_ROLE_ADVISER, 0);
	set_week(f, site);
	f->now = paris(2024, 3, 4, 8, 0);
	g_autoptr(SbBooking) b = book(f, site, paris(2024, 3, 4, 10, 0), 30, -1);
	SbCallRecord r = {.call_id = "c-1",
			  .site_id = site,
			  .topic = "job-search",
			  .language = "fr",
			  .queued_at = f->now,
			  .ended_at = f->now + 60};
	g_assert_cmpint(sb_store_call_insert(f->store, &r, &error), >, 0);
	g_assert_no_error(error);
	expect_usage(f, site, 2, 1, 1, 1);
	expect_usage(f, other, 1, 0, 0, 0);
	/* what the usage says is what keeps the site */
	g_assert_false(sb_store_site_del(f->store, site, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_IN_USE);
	g_clear_error(&error);
	g_assert_true(sb_store_booth_del(f->store, "b3", &error));
	expect_usage(f, other, 0, 0, 0, 0);
	g_assert_true(sb_store_site_del(f->store, other, &error));
	g_assert_no_error(error);

	/* dates as closures and the day's bookings take them */
	GDate d;
	g_assert_true(sb_store_parse_date("2024-02-29", &d));
	g_assert_cmpint(g_date_get_day(&d), ==, 29);
	const char *bad_dates[] = {NULL, "", "2023-02-29", "2024-2-29", "2024-02-29x", "29/02/2024", "1969-12-31"};
	for (guint i = 0; i < G_N_ELEMENTS(bad_dates); i++)
		g_assert_false(sb_store_parse_date(bad_dates[i], &d));

	/* an account's sign-ins, as stored: the hashes of their tokens */
	gint64 adv = add_user(f, "adv2", SB_ROLE_ADVISER, 0);
	g_auto(GStrv) none = sb_store_signin_hashes(f->store, adv, &error);
	g_assert_no_error(error);
	g_assert_nonnull(none);
	g_assert_cmpuint(g_strv_length(none), ==, 0);
	g_autofree char *t1 = sb_store_signin_create(f->store, adv, "192.0.2.1", 0, &error);
	f->now += 1;
	g_autofree char *t2 = sb_store_signin_create(f->store, adv, "192.0.2.2", 0, &error);
	g_autoptr(SbUser) desk_user = sb_store_user_get(f->store, "desk", &error);
	gint64 desk = desk_user->id;
	g_autofree char *t3 = sb_store_signin_create(f->store, desk, "192.0.2.3", 0, &error);
	g_assert_no_error(error);
	g_auto(GStrv) two = sb_store_signin_hashes(f->store, adv, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_strv_length(two), ==, 2);
	g_autofree char *h1 = sb_auth_token_hash(t1);
	g_autofree char *h2 = sb_auth_token_hash(t2);
	g_assert_cmpstr(two[0], ==, h1);
	g_assert_cmpstr(two[1], ==, h2);
	/* a password reset ends them all; the other account keeps its own */
	g_assert_true(sb_store_user_set_password(f->store, "adv2", HASH, &error));
	g_auto(GStrv) after = sb_store_signin_hashes(f->store, adv, &error);
	g_assert_cmpuint(g_strv_length(after), ==, 0);
	g_auto(GStrv) kept = sb_store_signin_hashes(f->store, desk, &error);
	g_assert_cmpuint(g_strv_length(kept), ==, 1);
}

/* --- booth enrolment (store-enrol.c) --------------------------------------------------- */

static SbBoothCert cert_of(const char *serial, const char *booth, gint64 from, gint64 to)
{
	return (SbBoothCert){.serial = (char *)serial, .booth_id = (char *)booth, .not_before = from, .not_after = to};
}

static void expect_token(Fixture *f, const char *token, const char *booth, gint code)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *got = sb_store_enrol_token_booth(f->store, token, &error);
	if (code < 0) {
		g_assert_no_error(error);
		g_assert_cmpstr(got, ==, booth);
	} else {
		g_assert_error(error, SB_STORE_ERROR, code);
		g_assert_null(got);
	}
}

/* A version 3 file (booths connected before enrolment): they survive, with
 * no certificate, and can be given a token and enrol. */
static void test_migrate_v3(Fixture *f, gconstpointer data)
{
	make_version(f, 3, NULL);
	g_autoptr(GError) error = NULL;
	f->store = sb_store_open(f->dir, &error);
	g_assert_no_error(error);
	sb_store_set_clock(f->store, fake_clock, f);
	g_assert_cmpint(sb_store_schema_version(f->store), ==, SB_STORE_SCHEMA_VERSION);

	g_autoptr(GPtrArray) booths = sb_store_booth_list(f->store, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(booths->len, ==, 2);
	g_assert_cmpstr(((SbBooth *)booths->pdata[1])->id, ==, "hall-1");
	g_assert_cmpstr(((SbBooth *)booths->pdata[1])->state, ==, "idle");
	g_autoptr(GPtrArray) none = sb_store_cert_list(f->store, "hall-1", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(none->len, ==, 0);
	/* what version 3 had stays: the booking used by call c-2 */
	g_autoptr(SbBooking) used = sb_store_booking_get(f->store, "7KQ2MZ", &error);
	g_assert_no_error(error);
	g_assert_cmpint(used->used_at, ==, 1709542300);
	g_assert_cmpstr(used->used_call_id, ==, "c-2");

	/* what version 4 brought works on the migrated file */
	g_autofree char *token = sb_store_enrol_token_create(f->store, "hall-1", 0, NULL, &error);
	g_assert_no_error(error);
	SbBoothCert c = cert_of("0A1B", "hall-1", f->now, f->now + 3600);
	g_assert_true(sb_store_enrol_complete(f->store, token, &c, &error));
	g_assert_no_error(error);
	g_assert_true(sb_store_cert_valid(f->store, "0A1B", "hall-1", f->now, &error));
	g_assert_no_error(error);

	assert_schema_fresh(f);
}

static void test_enrol_tokens(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 site = sb_store_site_upsert(f->store, 0, "Centre", "Europe/Paris", &error);
	g_assert_no_error(error);
	g_assert_true(sb_store_booth_upsert(f->store, "b-1", site, "Hall", &error));
	g_assert_true(sb_store_booth_upsert(f->store, "b-2", site, "", &error));

	/* no token for a booth that does not exist */
	g_assert_null(sb_store_enrol_token_create(f->store, "ghost", 0, NULL, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	gint64 expires = 0;
	g_autofree char *t1 = sb_store_enrol_token_create(f->store, "b-1", 0, &expires, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(strlen(t1), ==, SB_AUTH_TOKEN_CHARS); /* 256 random bits */
	g_assert_cmpint(expires, ==, f->now + CONFIG_RELAIS_SB_ENROL_TOKEN_TTL_S);
	g_assert_cmpint(CONFIG_RELAIS_SB_ENROL_TOKEN_TTL_S, ==, 24 * 3600);
	expect_token(f, t1, "b-1", -1);

	/* stored only as its hash */
	Raw *db = any_open(f);
	g_autofree char *stored = any_text(db, "SELECT token_hash FROM enrol_tokens");
	g_autofree char *hash = sb_auth_token_hash(t1);
	g_assert_cmpstr(stored, ==, hash);
	g_assert_cmpint(any_int(db, "SELECT count(*) FROM enrol_tokens WHERE token_hash LIKE '%x%'"), ==, 0);
	any_close(db);

	/* forged, mistyped, empty, absurdly long */
	g_autofree char *forged = g_strdup(t1);
	forged[0] = forged[0] == 'A' ? 'B' : 'A';
	expect_token(f, forged, NULL, SB_STORE_ERROR_NOT_FOUND);
	expect_token(f, "", NULL, SB_STORE_ERROR_NOT_FOUND);
	expect_token(f, NULL, NULL, SB_STORE_ERROR_NOT_FOUND);
	g_autofree char *huge = g_strnfill(100000, 'A');
	expect_token(f, huge, NULL, SB_STORE_ERROR_NOT_FOUND);

	/* a new token replaces the booth's pending one */
	g_autofree char *t2 = sb_store_enrol_token_create(f->store, "b-1", 60, &expires, &error);
	g_assert_no_error(error);
	g_assert_cmpint(expires, ==, f->now + 60);
	expect_token(f, t1, NULL, SB_STORE_ERROR_NOT_FOUND);
	expect_token(f, t2, "b-1", -1);

	/* expiry: usable until the last second before it */
	f->now += 59;
	expect_token(f, t2, "b-1", -1);
	f->now += 1;
	expect_token(f, t2, NULL, SB_STORE_ERROR_EXPIRED);
	SbBoothCert c = cert_of("01", "b-1", f->now, f->now + 100);
	g_assert_false(sb_store_enrol_complete(f->store, t2, &c, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXPIRED);
	g_clear_error(&error);

	/* single use: burnt with the certificate, in one transaction */
	g_autofree char *t3 = sb_store_enrol_token_create(f->store, "b-1", 0, NULL, &error);
	g_assert_no_error(error);
	/* another booth's token records nothing */
	g_autofree char *other = sb_store_enrol_token_create(f->store, "b-2", 0, NULL, &error);
	g_assert_no_error(error);
	g_assert_false(sb_store_enrol_complete(f->store, other, &c, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	expect_token(f, other, "b-2", -1);
	/* a bad certificate row leaves the token usable (rolled back) */
	SbBoothCert bad = cert_of("not-hex", "b-1", f->now, f->now + 100);
	g_assert_false(sb_store_enrol_complete(f->store, t3, &bad, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	expect_token(f, t3, "b-1", -1);
	g_assert_true(sb_store_enrol_complete(f->store, t3, &c, &error));
	g_assert_no_error(error);
	expect_token(f, t3, NULL, SB_STORE_ERROR_TOKEN_USED);
	SbBoothCert again = cert_of("02", "b-1", f->now, f->now + 100);
	g_assert_false(sb_store_enrol_complete(f->store, t3, &again, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_TOKEN_USED);
	g_clear_error(&error);
	g_autoptr(GPtrArray) certs = sb_store_cert_list(f->store, "b-1", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(certs->len, ==, 1);
	SbBoothCert *got = certs->pdata[0];
	g_assert_cmpstr(got->serial, ==, "01");
	g_assert_cmpint(got->issued, ==, f->now);
	g_assert_cmpint(got->revoked_at, ==, 0);
}

static void test_enrol_certs(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_store_booth_upsert(f->store, "b-1", 0, "", &error));
	g_assert_true(sb_store_booth_upsert(f->store, "b-2", 0, "", &error));
	gint64 t0 = f->now;
	SbBoothCert c1 = cert_of("AA01", "b-1", t0 - 3600, t0 + 1000);
	g_assert_true(sb_store_cert_record(f->store, &c1, &error));
	g_assert_no_error(error);
	/* a serial is recorded once */
	g_assert_false(sb_store_cert_record(f->store, &c1, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS);
	g_clear_error(&error);
	/* for a booth that exists only */
	SbBoothCert ghost = cert_of("AA09", "ghost", t0, t0 + 1000);
	g_assert_false(sb_store_cert_record(f->store, &ghost, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	g_assert_true(sb_store_cert_valid(f->store, "AA01", "b-1", t0, &error));
	g_assert_no_error(error);
	/* another booth's serial, an unknown one, a malformed one */
	g_assert_false(sb_store_cert_valid(f->store, "AA01", "b-2", t0, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(sb_store_cert_valid(f->store, "BB01", "b-1", t0, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(sb_store_cert_valid(f->store, "' OR 1=1 --", "b-1", t0, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	/* outside its validity */
	g_assert_false(sb_store_cert_valid(f->store, "AA01", "b-1", t0 + 1000, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXPIRED);
	g_clear_error(&error);
	g_assert_false(sb_store_cert_valid(f->store, "AA01", "b-1", t0 - 3601, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXPIRED);
	g_clear_error(&error);

	/* revocation: every certificate of the booth, and its pending token */
	SbBoothCert c2 = cert_of("AA02", "b-1", t0, t0 + 2000);
	SbBoothCert c3 = cert_of("AA03", "b-2", t0, t0 + 2000);
	g_assert_true(sb_store_cert_record(f->store, &c2, &error));
	g_assert_true(sb_store_cert_record(f->store, &c3, &error));
	g_autofree char *pending = sb_store_enrol_token_create(f->store, "b-1", 0, NULL, &error);
	g_assert_no_error(error);
	f->now += 10;
	guint n = 0;
	g_assert_true(sb_store_booth_revoke(f->store, "b-1", &n, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(n, ==, 2);
	g_assert_false(sb_store_cert_valid(f->store, "AA02", "b-1", f->now, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_REVOKED);
	g_clear_error(&error);
	expect_token(f, pending, NULL, SB_STORE_ERROR_NOT_FOUND);
	g_autoptr(GPtrArray) list = sb_store_cert_list(f->store, "b-1", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 2);
	for (guint i = 0; i < list->len; i++)
		g_assert_cmpint(((SbBoothCert *)list->pdata[i])->revoked_at, ==, f->now);
	/* the other booth is untouched */
	g_assert_true(sb_store_cert_valid(f->store, "AA03", "b-2", f->now, &error));
	g_assert_no_error(error);
	/* revoking again changes nothing; an unknown booth is NOT_FOUND */
	g_assert_true(sb_store_booth_revoke(f->store, "b-1", &n, &error));
	g_assert_cmpuint(n, ==, 0);
	g_assert_false(sb_store_booth_revoke(f->store, "ghost", NULL, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	/* a new token lets the revoked booth enrol again */
	g_autofree char *fresh = sb_store_enrol_token_create(f->store, "b-1", 0, NULL, &error);
	g_assert_no_error(error);
	SbBoothCert c4 = cert_of("AA04", "b-1", f->now, f->now + 2000);
	g_assert_true(sb_store_enrol_complete(f->store, fresh, &c4, &error));
	g_assert_no_error(error);
	g_assert_true(sb_store_cert_valid(f->store, "AA04", "b-1", f->now, &error));
	/* deleting the booth takes its certificates and tokens with it */
	g_assert_true(sb_store_booth_del(f->store, "b-1", &error));
	g_assert_no_error(error);
	g_assert_false(sb_store_cert_valid(f->store, "AA04", "b-1", f->now, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* the good ones in one read (the switchboard's re-check): the same
	 * answer as sb_store_cert_valid for each; revoked, deleted with their
	 * booth, not yet valid or expired are left out */
	g_assert_true(sb_store_booth_upsert(f->store, "b-3", 0, "", &error));
	SbBoothCert c5 = cert_of("AA05", "b-3", f->now + 100, f->now + 2000);
	SbBoothCert c6 = cert_of("AA06", "b-3", f->now - 100, f->now + 50);
	g_assert_true(sb_store_cert_record(f->store, &c5, &error));
	g_assert_true(sb_store_cert_record(f->store, &c6, &error));
	g_autoptr(GHashTable) good = sb_store_certs_good(f->store, f->now, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_hash_table_size(good), ==, 2);
	g_assert_cmpstr(g_hash_table_lookup(good, "AA03"), ==, "b-2");
	g_assert_cmpstr(g_hash_table_lookup(good, "AA06"), ==, "b-3");
	g_autoptr(GHashTable) later = sb_store_certs_good(f->store, f->now + 150, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_hash_table_size(later), ==, 2);
	g_assert_cmpstr(g_hash_table_lookup(later, "AA05"), ==, "b-3");
	g_assert_null(g_hash_table_lookup(later, "AA06"));
}

static SbUpdateReport report_of(const char *result, const char *version, const char *from, const char *at,
				const char *detail)
{
	return (SbUpdateReport){.result = (char *)result,
				.version = (char *)version,
				.from_version = (char *)from,
				.slot = "B",
				.at = (char *)at,
				.detail = (char *)detail};
}

static void test_migrate_v4(Fixture *f, gconstpointer data)
{
	make_version(f, 4, NULL);
	g_autoptr(GError) error = NULL;
	f->store = sb_store_open(f->dir, &error);
	g_assert_no_error(error);
	sb_store_set_clock(f->store, fake_clock, f);
	g_assert_cmpint(sb_store_schema_version(f->store), ==, SB_STORE_SCHEMA_VERSION);

	/* what version 4 had stays: booths, their certificates, a revocation */
	g_autoptr(GPtrArray) booths = sb_store_booth_list(f->store, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(booths->len, ==, 2);
	SbBooth *hall = booths->pdata[1];
	g_assert_cmpstr(hall->id, ==, "hall-1");
	g_assert_cmpstr(hall->name, ==, "Hall");
	g_assert_null(hall->software);
	g_assert_null(hall->slot);
	g_assert_true(sb_store_cert_valid(f->store, "0A1B", "hall-1", f->now, &error));
	g_assert_no_error(error);
	g_assert_false(sb_store_cert_valid(f->store, "0C2D", "annexe-2", f->now, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_REVOKED);
	g_clear_error(&error);
	gint64 token_expires = 0;
	g_assert_true(sb_store_enrol_token_pending(f->store, "hall-1", &token_expires, &error));
	g_assert_cmpint(token_expires, ==, 1709626400);

	/* what version 5 brought works on the migrated file */
	g_assert_true(sb_store_booth_software(f->store, "hall-1", "0.10-abc1234", "A", &error));
	g_assert_no_error(error);
	SbUpdateReport r = report_of("rolled-back", "0.10-abc1234", "0.10-0ff1ce5", "2024-03-04T08:00:00+01:00",
				     "not healthy within 300 s: link down");
	gboolean changed = FALSE;
	g_assert_true(sb_store_update_report_save(f->store, "hall-1", &r, &changed, &error));
	g_assert_no_error(error);
	g_assert_true(changed);

	assert_schema_fresh(f);
}

static void test_migrate_v5(Fixture *f, gconstpointer data)
{
	make_version(f, 5, NULL);
	g_autoptr(GError) error = NULL;
	f->store = sb_store_open(f->dir, &error);
	g_assert_no_error(error);
	sb_store_set_clock(f->store, fake_clock, f);
	g_assert_cmpint(sb_store_schema_version(f->store), ==, SB_STORE_SCHEMA_VERSION);

	/* what version 5 had stays: the software, the reports */
	g_autoptr(GPtrArray) booths = sb_store_booth_list(f->store, 0, &error);
	g_assert_no_error(error);
	SbBooth *hall = booths->pdata[1];
	g_assert_cmpstr(hall->id, ==, "hall-1");
	g_assert_cmpstr(hall->software, ==, "0.10-abc1234");
	g_assert_cmpstr(hall->slot, ==, "B");
	g_autoptr(SbUpdateReport) back = sb_store_update_report_get(f->store, "annexe-2", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(back->result, ==, "rolled-back");
	g_assert_cmpstr(back->detail, ==, "not healthy within 300 s: link down");
	g_assert_cmpint(back->received_at, ==, 1709504000);

	/* what version 6 brought works on the migrated file */
	SbBundle b = {.id = (char *)"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
		      .size = 10,
		      .version = "0.11-1",
		      .uploaded_by = "boss"};
	g_assert_true(sb_store_bundle_add(f->store, &b, NULL, &error));
	g_assert_no_error(error);
	g_autoptr(SbUpdateJob) job = sb_store_update_job_create(f->store, "hall-1", b.id, &error);
	g_assert_no_error(error);
	g_assert_cmpint(job->state, ==, SB_UPDATE_PENDING);

	assert_schema_fresh(f);
}

static void test_migrate_v6(Fixture *f, gconstpointer data)
{
	make_version(f, 6, NULL);
	g_autoptr(GError) error = NULL;
	f->store = sb_store_open(f->dir, &error);
	g_assert_no_error(error);
	sb_store_set_clock(f->store, fake_clock, f);
	g_assert_cmpint(sb_store_schema_version(f->store), ==, SB_STORE_SCHEMA_VERSION);

	/* what version 6 had stays: the bundle, the job under way */
	g_autoptr(SbUpdateJob) job = sb_store_update_job_get(f->store, "u-1", &error);
	g_assert_no_error(error);
	g_assert_cmpint(job->state, ==, SB_UPDATE_DOWNLOADING);
	g_assert_cmpint(job->progress, ==, 40);
	g_autoptr(SbBundle) bundle = sb_store_bundle_get(f->store, job->bundle_id, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(bundle->version, ==, "0.11-1");

	/* what version 7 brought works on the migrated file: a call in
	 * progress, gone with its record */
	SbLiveCall c = {"c-9", "hall-1", "alice", "t-9", "Médiathèque", "job-search", "fr", 1709542300, 1709542400};
	g_assert_true(sb_store_live_call_insert(f->store, &c, &error));
	g_assert_no_error(error);
	g_autoptr(GPtrArray) live = live_calls(f);
	g_assert_cmpuint(live->len, ==, 1);
	SbCallRecord r = {.call_id = "c-9",
			  .booth_id = "hall-1",
			  .topic = "job-search",
			  .language = "fr",
			  .queued_at = c.queued_at,
			  .answered_at = c.answered_at,
			  .ended_at = c.answered_at + 600,
			  .end_reason = "adviser-hangup"};
	g_assert_cmpint(sb_store_call_insert(f->store, &r, &error), >, 0);
	g_assert_no_error(error);
	g_autoptr(GPtrArray) none = live_calls(f);
	g_assert_cmpuint(none->len, ==, 0);

	assert_schema_fresh(f);
}

static void test_migrate_v7(Fixture *f, gconstpointer data)
{
	make_version(f, 7, NULL);
	g_autoptr(GError) error = NULL;
	f->store = sb_store_open(f->dir, &error);
	g_assert_no_error(error);
	sb_store_set_clock(f->store, fake_clock, f);
	g_assert_cmpint(sb_store_schema_version(f->store), ==, SB_STORE_SCHEMA_VERSION);

	/* what version 7 had stays: the call in progress, the sites */
	g_autoptr(GPtrArray) live = live_calls(f);
	g_assert_cmpuint(live->len, ==, 1);
	g_autoptr(GPtrArray) sites = sb_store_site_list(f->store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(sites->len, ==, 2);
	/* what version 8 brought: an address, empty until set */
	g_autoptr(SbSite) site = sb_store_site_get(f->store, 1, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(site->name, ==, "Médiathèque Centre");
	g_assert_cmpstr(site->address, ==, "");
	g_assert_cmpint(
		sb_store_site_save(f->store, 1, site->name, site->timezone, "4 rue Jean-Macé, 69007 Lyon", &error), ==,
		1);
	g_assert_no_error(error);
	g_autoptr(SbSite) again = sb_store_site_get(f->store, 1, &error);
	g_assert_cmpstr(again->address, ==, "4 rue Jean-Macé, 69007 Lyon");

	assert_schema_fresh(f);
}

static void test_migrate_v8(Fixture *f, gconstpointer data)
{
	make_version(f, 8, NULL);
	g_autoptr(GError) error = NULL;
	f->store = sb_store_open(f->dir, &error);
	g_assert_no_error(error);
	sb_store_set_clock(f->store, fake_clock, f);
	g_assert_cmpint(sb_store_schema_version(f->store), ==, SB_STORE_SCHEMA_VERSION);

	/* what version 8 had stays: the address, the record, the call in progress */
	g_autoptr(SbSite) site = sb_store_site_get(f->store, 1, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(site->address, ==, "4 rue Jean-Macé, 69007 Lyon");
	g_autoptr(GPtrArray) rows = sb_store_stats(f->store, 0, G_MAXINT64, &error);
	g_assert_no_error(error);
	guint sessions = 0, transferred = 0;
	for (guint i = 0; i < rows->len; i++) {
		SbStatRow *r = g_ptr_array_index(rows, i);
		sessions += r->signins;
		transferred += r->transferred;
	}
	g_assert_cmpuint(sessions, ==, 1);
	g_assert_cmpuint(transferred, ==, 0); /* no call before version 9 was transferred */
	/* what version 9 brought: the call in progress changes hands, its record counts the transfer */
	g_assert_true(sb_store_live_call_set_adviser(f->store, "c-9", "alice", &error));
	g_assert_no_error(error);
	g_autoptr(GPtrArray) live = live_calls(f);
	g_assert_cmpuint(live->len, ==, 1);
	g_assert_true(g_str_has_prefix(g_ptr_array_index(live, 0), "c-9|hall-1|alice|"));
	SbCallRecord r = {.call_id = "c-9",
			  .site_id = 1,
			  .booth_id = "hall-1",
			  .topic = "job-search",
			  .language = "fr",
			  .queued_at = 1709542300,
			  .answered_at = 1709542400,
			  .ended_at = 1709543000,
			  .end_reason = "adviser-hangup",
			  .transfers = 1};
	g_assert_cmpint(sb_store_call_insert(f->store, &r, &error), >, 0);
	g_assert_no_error(error);
	g_autoptr(GPtrArray) after = sb_store_stats(f->store, 0, G_MAXINT64, &error);
	transferred = 0;
	for (guint i = 0; i < after->len; i++)
		transferred += ((SbStatRow *)g_ptr_array_index(after, i))->transferred;
	g_assert_cmpuint(transferred, ==, 1);

	assert_schema_fresh(f);
}

/* A site's address: set, kept when not given, cleared, refused when it
 * spans lines or is too long. */
static void test_site_address(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 id = sb_store_site_save(f->store, 0, "Centre", "Europe/Paris", "1 place de la Gare; Lyon", &error);
	g_assert_no_error(error);
	g_autoptr(SbSite) a = sb_store_site_get(f->store, id, &error);
	g_assert_cmpstr(a->address, ==, "1 place de la Gare; Lyon");
	/* renamed by the older call: the address stays */
	g_assert_cmpint(sb_store_site_upsert(f->store, id, "Centre-ville", "Europe/Paris", &error), ==, id);
	g_autoptr(SbSite) b = sb_store_site_get_by_name(f->store, "Centre-ville", &error);
	g_assert_cmpstr(b->address, ==, "1 place de la Gare; Lyon");
	/* no address for a new site: "" */
	gint64 other = sb_store_site_upsert(f->store, 0, "Annexe", "Europe/Paris", &error);
	g_assert_no_error(error);
	g_autoptr(SbSite) c = sb_store_site_get(f->store, other, &error);
	g_assert_cmpstr(c->address, ==, "");
	/* refused: two lines, too long, not UTF-8; nothing changed */
	g_autofree char *longer = g_strnfill(SB_STORE_MAX_POSTAL + 1, 'x');
	const char *bad[] = {"1 place de la Gare\nLyon", longer, "caf\xc3"};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_cmpint(sb_store_site_save(f->store, id, "Centre-ville", "Europe/Paris", bad[i], &error), ==,
				0);
		g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
		g_assert_nonnull(strstr(error->message, "address"));
		g_clear_error(&error);
	}
	g_autofree char *full = g_strnfill(SB_STORE_MAX_POSTAL, 'x');
	g_assert_cmpint(sb_store_site_save(f->store, id, "Centre-ville", "Europe/Paris", full, &error), ==, id);
	g_assert_cmpint(sb_store_site_save(f->store, id, "Centre-ville", "Europe/Paris", "", &error), ==, id);
	g_autoptr(SbSite) d = sb_store_site_get(f->store, id, &error);
	g_assert_cmpstr(d->address, ==, "");
}

static void test_update_reports(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 site = sb_store_site_upsert(f->store, 0, "Centre", "Europe/Paris", &error);
	g_assert_no_error(error);
	g_assert_true(sb_store_booth_upsert(f->store, "b-1", site, "Hall", &error));
	g_assert_true(sb_store_booth_upsert(f->store, "b-2", site, "", &error));

	/* none yet */
	g_autoptr(SbUpdateReport) none = sb_store_update_report_get(f->store, "b-1", &error);
	g_assert_null(none);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	SbUpdateReport back = report_of("rolled-back", "0.10-abc1234", "0.10-0ff1ce5", "2026-12-06T22:10:00Z",
					"not healthy within 300 s: link down");
	gboolean changed = FALSE;
	g_assert_true(sb_store_update_report_save(f->store, "b-1", &back, &changed, &error));
	g_assert_no_error(error);
	g_assert_true(changed);
	gint64 first = f->now;
	{
		g_autoptr(SbUpdateReport) got = sb_store_update_report_get(f->store, "b-1", &error);
		g_assert_no_error(error);
		g_assert_cmpstr(got->result, ==, "rolled-back");
		g_assert_cmpstr(got->version, ==, "0.10-abc1234");
		g_assert_cmpstr(got->from_version, ==, "0.10-0ff1ce5");
		g_assert_cmpstr(got->slot, ==, "B");
		g_assert_cmpstr(got->at, ==, "2026-12-06T22:10:00Z");
		g_assert_cmpstr(got->detail, ==, "not healthy within 300 s: link down");
		g_assert_cmpint(got->received_at, ==, first);
	}

	/* the same report again, later (the booth repeats it after every
	 * welcome): one record, its first reception kept */
	f->now += 600;
	g_assert_true(sb_store_update_report_save(f->store, "b-1", &back, &changed, &error));
	g_assert_no_error(error);
	g_assert_false(changed);
	{
		g_autoptr(SbUpdateReport) got = sb_store_update_report_get(f->store, "b-1", &error);
		g_assert_cmpint(got->received_at, ==, first);
	}
	/* "" reads as none: the same again */
	SbUpdateReport empty_from = back;
	empty_from.detail = "not healthy within 300 s: link down";
	g_assert_true(sb_store_update_report_save(f->store, "b-1", &empty_from, &changed, &error));
	g_assert_false(changed);

	/* a newer one replaces it: still one row per booth */
	SbUpdateReport kept = report_of("kept", "0.10-abc1235", "", "2026-12-07T08:00:00+01:00", NULL);
	g_assert_true(sb_store_update_report_save(f->store, "b-1", &kept, &changed, &error));
	g_assert_no_error(error);
	g_assert_true(changed);
	{
		g_autoptr(SbUpdateReport) got = sb_store_update_report_get(f->store, "b-1", &error);
		g_assert_cmpstr(got->result, ==, "kept");
		g_assert_null(got->from_version);
		g_assert_null(got->detail);
		g_assert_cmpint(got->received_at, ==, f->now);
	}
	Raw *db = any_open(f);
	g_assert_cmpint(any_int(db, "SELECT count(*) FROM update_reports"), ==, 1);
	any_close(db);

	/* bad fields: refused, nothing changed */
	g_autofree char *long_detail = g_strnfill(SB_STORE_MAX_DETAIL + 1, 'd');
	g_autofree char *long_version = g_strnfill(SB_STORE_MAX_ID + 1, '1');
	SbUpdateReport bad[] = {
		report_of("exploded", "v1", NULL, "2026-12-06T22:10:00Z", NULL),
		report_of(NULL, "v1", NULL, "2026-12-06T22:10:00Z", NULL),
		report_of("kept", "v 1", NULL, "2026-12-06T22:10:00Z", NULL),
		report_of("kept", NULL, NULL, "2026-12-06T22:10:00Z", NULL),
		report_of("kept", long_version, NULL, "2026-12-06T22:10:00Z", NULL),
		report_of("kept", "v1", "a'b", "2026-12-06T22:10:00Z", NULL),
		report_of("kept", "v1", NULL, "2026-12-06 22:10", NULL),
		report_of("kept", "v1", NULL, NULL, NULL),
		report_of("kept", "v1", NULL, "2026-12-06T22:10:00Z", "bell\x07"),
		report_of("kept", "v1", NULL, "2026-12-06T22:10:00Z", long_detail),
		report_of("kept", "v1", NULL, "2026-12-06T22:10:00Z", "\xc3\x28"),
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_false(sb_store_update_report_save(f->store, "b-1", &bad[i], &changed, &error));
		g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
		g_assert_false(changed);
		g_clear_error(&error);
	}
	SbUpdateReport bad_slot = kept;
	bad_slot.slot = "C";
	g_assert_false(sb_store_update_report_save(f->store, "b-1", &bad_slot, NULL, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	{
		g_autoptr(SbUpdateReport) got = sb_store_update_report_get(f->store, "b-1", &error);
		g_assert_cmpstr(got->result, ==, "kept");
	}
	/* an unknown booth */
	g_assert_false(sb_store_update_report_save(f->store, "ghost", &kept, &changed, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* the software and the slot, kept while offline */
	g_assert_true(sb_store_booth_software(f->store, "b-2", "0.10-abc1235", "B", &error));
	g_assert_no_error(error);
	g_assert_true(sb_store_booth_seen(f->store, "b-2", "offline", NULL, &error));
	g_autoptr(GPtrArray) list = sb_store_booth_list(f->store, 0, &error);
	SbBooth *b2 = list->pdata[1];
	g_assert_cmpstr(b2->id, ==, "b-2");
	g_assert_cmpstr(b2->software, ==, "0.10-abc1235");
	g_assert_cmpstr(b2->slot, ==, "B");
	g_assert_false(sb_store_booth_software(f->store, "b-2", "<b>", "A", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(sb_store_booth_software(f->store, "b-2", "v1", "C", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(sb_store_booth_software(f->store, "ghost", "v1", "A", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	/* a booth that no longer says (an older one): none */
	g_assert_true(sb_store_booth_software(f->store, "b-2", NULL, NULL, &error));
	g_autoptr(GPtrArray) again = sb_store_booth_list(f->store, 0, &error);
	g_assert_null(((SbBooth *)again->pdata[1])->software);

	/* deleting the booth deletes its report */
	g_assert_true(sb_store_booth_del(f->store, "b-1", &error));
	g_assert_no_error(error);
	db = any_open(f);
	g_assert_cmpint(any_int(db, "SELECT count(*) FROM update_reports"), ==, 0);
	any_close(db);
}

static const char SHA_A[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char SHA_B[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

static void test_update_jobs(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 site = sb_store_site_upsert(f->store, 0, "Centre", "Europe/Paris", &error);
	g_assert_no_error(error);
	g_assert_true(sb_store_booth_upsert(f->store, "b-1", site, "Hall", &error));
	g_assert_true(sb_store_booth_upsert(f->store, "b-2", site, "", &error));

	/* bundles: named by their hash; the same twice is one */
	SbBundle a = {.id = (char *)SHA_A,
		      .size = 1000,
		      .version = "0.11-1",
		      .compatible = "relais-booth-sim",
		      .uploaded_by = "boss"};
	gboolean existed = TRUE;
	g_assert_true(sb_store_bundle_add(f->store, &a, &existed, &error));
	g_assert_no_error(error);
	g_assert_false(existed);
	g_assert_true(sb_store_bundle_add(f->store, &a, &existed, &error));
	g_assert_true(existed);
	SbBundle bad[] = {
		{.id = "abc", .size = 1},
		{.id = (char *)SHA_B, .size = 0},
		{.id = (char *)SHA_B, .size = 1, .version = "v 1"},
		{.id = (char *)SHA_B, .size = 1, .compatible = "<x>"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_false(sb_store_bundle_add(f->store, &bad[i], NULL, &error));
		g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
		g_clear_error(&error);
	}
	SbBundle b = {.id = (char *)SHA_B, .size = 2000, .uploaded_by = "boss"};
	f->now += 10;
	g_assert_true(sb_store_bundle_add(f->store, &b, NULL, &error));
	g_autoptr(GPtrArray) list = sb_store_bundle_list(f->store, &error);
	g_assert_cmpuint(list->len, ==, 2);
	g_assert_cmpstr(((SbBundle *)list->pdata[0])->id, ==, SHA_B); /* newest first */
	g_assert_null(((SbBundle *)list->pdata[0])->version);

	/* a job, one active per booth */
	g_autoptr(SbUpdateJob) j1 = sb_store_update_job_create(f->store, "b-1", SHA_A, &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(j1->id, "u-"));
	g_assert_cmpint(j1->state, ==, SB_UPDATE_PENDING);
	g_assert_cmpint(j1->size, ==, 1000);
	g_assert_cmpstr(j1->version, ==, "0.11-1");
	g_autoptr(SbUpdateJob) twice = sb_store_update_job_create(f->store, "b-1", SHA_B, &error);
	g_assert_null(twice);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS);
	g_clear_error(&error);
	g_assert_null(sb_store_update_job_create(f->store, "ghost", SHA_A, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_null(sb_store_update_job_create(
		f->store, "b-2", "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	/* another booth may have its own */
	g_autoptr(SbUpdateJob) j2 = sb_store_update_job_create(f->store, "b-2", SHA_A, &error);
	g_assert_no_error(error);

	/* a bundle being installed stays */
	g_assert_false(sb_store_bundle_del(f->store, SHA_A, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_IN_USE);
	g_clear_error(&error);

	/* the job moves with the booth's words, until it is over */
	g_assert_true(sb_store_update_job_set(f->store, j1->id, SB_UPDATE_DOWNLOADING, 40, NULL, &error));
	g_assert_true(sb_store_update_job_set(f->store, j1->id, SB_UPDATE_INSTALLED, 100, "rebooting", &error));
	{
		g_autoptr(SbUpdateJob) got = sb_store_update_job_of(f->store, "b-1", TRUE, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(got->id, ==, j1->id);
		g_assert_cmpint(got->state, ==, SB_UPDATE_INSTALLED);
		g_assert_cmpint(got->progress, ==, 100);
		g_assert_cmpstr(got->message, ==, "rebooting");
	}
	g_assert_true(sb_store_update_job_set(f->store, j1->id, SB_UPDATE_KEPT, 100, NULL, &error));
	g_assert_false(sb_store_update_job_set(f->store, j1->id, SB_UPDATE_FAILED, 0, "late", &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(sb_store_update_job_set(f->store, "u-nope", SB_UPDATE_FAILED, 0, NULL, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(sb_store_update_job_set(f->store, j2->id, SB_UPDATE_DOWNLOADING, 101, NULL, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	g_clear_error(&error);
	/* over: no active job, the last one is there; another may start */
	g_assert_null(sb_store_update_job_of(f->store, "b-1", TRUE, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	f->now += 10;
	g_autoptr(SbUpdateJob) j3 = sb_store_update_job_create(f->store, "b-1", SHA_B, &error);
	g_assert_no_error(error);
	g_autoptr(SbUpdateJob) last = sb_store_update_job_of(f->store, "b-1", FALSE, &error);
	g_assert_cmpstr(last->id, ==, j3->id);
	/* a long message is cut, not refused */
	g_autofree char *long_message = g_strnfill(SB_STORE_MAX_DETAIL + 50, 'm');
	g_assert_true(sb_store_update_job_set(f->store, j3->id, SB_UPDATE_FAILED, 0, long_message, &error));
	g_autoptr(SbUpdateJob) cut = sb_store_update_job_get(f->store, j3->id, &error);
	g_assert_cmpuint(strlen(cut->message), ==, SB_STORE_MAX_DETAIL);

	/* deleting a bundle leaves its jobs readable */
	g_assert_true(sb_store_update_job_set(f->store, j2->id, SB_UPDATE_CANCELLED, 0, NULL, &error));
	g_assert_true(sb_store_bundle_del(f->store, SHA_A, &error));
	g_assert_no_error(error);
	g_autoptr(SbUpdateJob) orphan = sb_store_update_job_get(f->store, j1->id, &error);
	g_assert_no_error(error);
	g_assert_cmpint(orphan->size, ==, 0);
	g_assert_null(orphan->version);
	g_assert_false(sb_store_bundle_del(f->store, SHA_A, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* an older report (the health service's, repeated) does not replace
	 * a newer failure the booth reported itself */
	SbUpdateReport failed = report_of("install-failed", "0.12-1", "0.11-1", "2026-12-08T10:00:00Z", "no room");
	g_assert_true(sb_store_update_report_save(f->store, "b-1", &failed, NULL, &error));
	SbUpdateReport older = report_of("kept", "0.11-1", NULL, "2026-12-07T10:00:00Z", NULL);
	gboolean changed = TRUE;
	g_assert_true(sb_store_update_report_save(f->store, "b-1", &older, &changed, &error));
	g_assert_false(changed);
	g_autoptr(SbUpdateReport) still = sb_store_update_report_get(f->store, "b-1", &error);
	g_assert_cmpstr(still->result, ==, "install-failed");
}

/* /healthz's store checks: a read, and the write lock, which another
 * process holding it makes fail within the wait (not the busy timeout). */
static void test_health(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_store_can_read(f->store, &error));
	g_assert_true(sb_store_can_write(f->store, 100, &error));
	g_assert_no_error(error);
	/* another switchboard's writer: SQLite's write lock, or PostgreSQL's
	 * writers' advisory lock (store-pg.c) */
	sqlite3 *other = NULL;
	PGconn *node = NULL;
	if (f->uri) {
		node = PQconnectdb(f->uri);
		g_assert_cmpint(PQstatus(node), ==, CONNECTION_OK);
		PQclear(PQexec(node, "BEGIN"));
		PGresult *r = PQexec(node, "SELECT pg_advisory_xact_lock(1380729177, 2)");
		g_assert_cmpint(PQresultStatus(r), ==, PGRES_TUPLES_OK);
		PQclear(r);
	} else {
		other = raw_open(f);
		g_assert_cmpint(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
	}
	gint64 t0 = g_get_monotonic_time();
	g_assert_false(sb_store_can_write(f->store, 100, &error));
	/* a fault of the moment, not a failure (STORE.md "When a write fails") */
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_UNAVAILABLE);
	g_clear_error(&error);
	/* waited about the 100 ms asked, not the store's busy timeout */
	g_assert_cmpint(g_get_monotonic_time() - t0, <, CONFIG_RELAIS_SB_STORE_BUSY_MS * 1000 / 2);
	/* reads go on meanwhile (WAL) */
	g_assert_true(sb_store_can_read(f->store, &error));
	if (node) {
		PQclear(PQexec(node, "ROLLBACK"));
		PQfinish(node);
	} else {
		g_assert_cmpint(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
		sqlite3_close(other);
	}
	g_assert_true(sb_store_can_write(f->store, 100, &error));
	g_assert_no_error(error);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn)	   g_test_add(path, Fixture, NULL, setup, fn, teardown)
#define ADD_BARE(path, fn) g_test_add(path, Fixture, &NO_STORE, setup, fn, teardown)
	ADD("/store/open-fresh", test_open_fresh);
	ADD_BARE("/store/migrate-v1", test_migrate_v1);
	ADD_BARE("/store/migrate-v2", test_migrate_v2);
	ADD_BARE("/store/migrate-v3", test_migrate_v3);
	ADD_BARE("/store/migrate-v4", test_migrate_v4);
	ADD_BARE("/store/migrate-v5", test_migrate_v5);
	ADD_BARE("/store/migrate-v6", test_migrate_v6);
	ADD_BARE("/store/migrate-v7", test_migrate_v7);
	ADD_BARE("/store/migrate-v8", test_migrate_v8);
	ADD("/store/update-reports", test_update_reports);
	ADD("/store/update-jobs", test_update_jobs);
	ADD_BARE("/store/migrate-failure", test_migrate_failure);
	ADD("/store/enrol-tokens", test_enrol_tokens);
	ADD("/store/enrol-certs", test_enrol_certs);
	ADD("/store/too-new", test_too_new);
	ADD_BARE("/store/garbage", test_garbage);
	ADD("/store/users", test_users);
	ADD("/store/sessions", test_signins);
	ADD("/store/attempts", test_attempts);
	ADD("/store/health", test_health);
	ADD("/store/sites-booths", test_sites_booths);
	ADD("/store/site-address", test_site_address);
	ADD("/store/hours", test_hours);
	ADD("/store/bookings", test_bookings);
	ADD("/store/booking-used", test_booking_used);
	ADD("/store/booking-codes", test_booking_codes);
	ADD("/store/calls", test_calls);
	ADD("/store/live-calls", test_live_calls);
	ADD("/store/transfers", test_transfers);
	ADD("/store/stats", test_stats);
	ADD("/store/admin-helpers", test_admin_helpers);

	/* the same on PostgreSQL (those above that read SQLite's file itself
	 * are SQLite's: test-store-pg covers the engine's own opening,
	 * migrations and versions) */
	g_autofree char *why = NULL;
	if (rt_pg_available(&why)) {
#define ADD_PG(path, fn) g_test_add("/store-pg/" path, Fixture, &ON_PG, setup, fn, teardown)
		ADD_PG("update-reports", test_update_reports);
		ADD_PG("update-jobs", test_update_jobs);
		ADD_PG("enrol-tokens", test_enrol_tokens);
		ADD_PG("enrol-certs", test_enrol_certs);
		ADD_PG("users", test_users);
		ADD_PG("sessions", test_signins);
		ADD_PG("attempts", test_attempts);
		ADD_PG("health", test_health);
		ADD_PG("sites-booths", test_sites_booths);
		ADD_PG("site-address", test_site_address);
		ADD_PG("hours", test_hours);
		ADD_PG("bookings", test_bookings);
		ADD_PG("booking-used", test_booking_used);
		ADD_PG("booking-codes", test_booking_codes);
		ADD_PG("calls", test_calls);
		ADD_PG("live-calls", test_live_calls);
		ADD_PG("transfers", test_transfers);
		ADD_PG("stats", test_stats);
		ADD_PG("admin-helpers", test_admin_helpers);
	} else {
		g_test_add_data_func("/store-pg/skipped", why, rt_pg_skip);
	}
	return g_test_run();
}
