/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reader: the store's slow reads on a thread of their own (reader.h), on a
 * real SQLite file. A read's answer comes back on the caller's main
 * context; reads go one at a time and past max_waiting are refused at
 * once; a read past its budget is interrupted; the connection cannot
 * write; freeing the reader answers every read still out. The same on a
 * real PostgreSQL (/reader-pg/..., tests/lib/pgfx.h): the reader's own
 * connection, read-only, its budget a statement timeout. */
#include "reader.h"
#include "store-private.h"
#include "store-sites.h"
#include "harness.h"
#include "pgfx.h"

typedef struct {
	char *tmp;
	char *uri; /* PostgreSQL's database; NULL on SQLite */
	SbStore *store;
	SbReader *reader;
	GThread *main_thread;
	/* the gate a job may wait at, opened by the test */
	GMutex lock;
	GCond cond;
	gboolean open;
	guint inside; /* jobs waiting at the gate */
	/* answers */
	guint done;
	guint ok, closed, timeout, failed;
	GPtrArray *errors;
} Fixture;

static const int ON_PG = 1;

static void setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->tmp = g_dir_make_tmp("relais-reader-XXXXXX", &error);
	g_assert_no_error(error);
	g_autofree char *dir = g_build_filename(f->tmp, "data", NULL);
	if (data == &ON_PG)
		f->uri = rt_pg_new_database();
	f->store = sb_store_open(f->uri ? f->uri : dir, &error);
	g_assert_no_error(error);
	g_assert_cmpint(sb_store_site_upsert(f->store, 0, "Médiathèque", "Europe/Paris", &error), >, 0);
	g_assert_no_error(error);
	f->main_thread = g_thread_self();
	g_mutex_init(&f->lock);
	g_cond_init(&f->cond);
	f->errors = g_ptr_array_new_with_free_func(g_free);
}

static void teardown(Fixture *f, gconstpointer data)
{
	g_clear_pointer(&f->reader, sb_reader_free);
	g_clear_pointer(&f->store, sb_store_free);
	rt_pg_drop_database(f->uri);
	g_free(f->uri);
	rt_rm_rf(f->tmp);
	g_free(f->tmp);
	g_mutex_clear(&f->lock);
	g_cond_clear(&f->cond);
	g_ptr_array_unref(f->errors);
}

/* A read: the names of the store's sites, one line each. */
static gpointer read_sites(SbStore *store, gpointer data, GError **error)
{
	Fixture *f = data;
	g_assert_true(g_thread_self() != f->main_thread);
	g_autoptr(GPtrArray) sites = sb_store_site_list(store, error);
	if (sites == NULL)
		return NULL;
	GString *out = g_string_new(NULL);
	for (guint i = 0; i < sites->len; i++)
		g_string_append_printf(out, "%s\n", ((SbSite *)sites->pdata[i])->name);
	return g_string_free(out, FALSE);
}

/* The same, after waiting at the gate. */
static gpointer read_after_gate(SbStore *store, gpointer data, GError **error)
{
	Fixture *f = data;
	g_mutex_lock(&f->lock);
	f->inside++;
	g_cond_broadcast(&f->cond);
	while (!f->open)
		g_cond_wait(&f->cond, &f->lock);
	g_mutex_unlock(&f->lock);
	return read_sites(store, data, error);
}

/* A query that counts to a billion: far past any budget. */
static gpointer read_forever(SbStore *store, gpointer data, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(store,
					  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
					  "1000000000) SELECT count(*) FROM n",
					  error);
	if (st == NULL || store_step(store, st, "counting", error) != STORE_ROW)
		return NULL;
	return g_strdup_printf("%" G_GINT64_FORMAT, store_col_int64(st, 0));
}

/* A write, which a reader's connection must refuse. */
static gpointer try_write(SbStore *store, gpointer data, GError **error)
{
	if (sb_store_site_upsert(store, 0, "Written by a reader", "UTC", error) <= 0)
		return NULL;
	return g_strdup("written");
}

static void on_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Fixture *f = user_data;
	g_assert_true(g_thread_self() == f->main_thread);
	g_autoptr(GError) error = NULL;
	g_autofree char *text = sb_reader_finish(result, &error);
	f->done++;
	if (text) {
		g_assert_cmpstr(text, ==, "Médiathèque\n");
		f->ok++;
	} else if (g_error_matches(error, SB_READER_ERROR, SB_READER_ERROR_CLOSED)) {
		f->closed++;
	} else if (g_error_matches(error, SB_READER_ERROR, SB_READER_ERROR_TIMEOUT)) {
		f->timeout++;
		g_ptr_array_add(f->errors, g_strdup(error->message));
	} else {
		f->failed++;
		g_ptr_array_add(f->errors, g_strdup(error->message));
	}
}

static void run(Fixture *f, SbReaderJob job)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_reader_run(f->reader, job, f, NULL, g_free, on_done, f, &error));
	g_assert_no_error(error);
}

static gboolean answered(gpointer data)
{
	Fixture *f = data;
	return f->done > 0;
}

static void wait_done(Fixture *f, guint n)
{
	gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
	while (f->done < n && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpuint(f->done, ==, n);
}

static void test_answer_on_main_context(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->reader = sb_reader_new(f->store, 0, 0, &error);
	g_assert_no_error(error);
	run(f, read_sites);
	/* never answered from within run(): only by the main loop */
	g_assert_false(answered(f));
	wait_done(f, 1);
	g_assert_cmpuint(f->ok, ==, 1);
}

static void test_busy(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->reader = sb_reader_new(f->store, 2, 0, &error);
	g_assert_no_error(error);
	run(f, read_after_gate);
	g_mutex_lock(&f->lock);
	while (f->inside == 0)
		g_cond_wait(&f->cond, &f->lock);
	g_mutex_unlock(&f->lock);
	run(f, read_sites); /* waits behind the first: one reading thread */
	/* the third is refused at once, and never answered */
	g_assert_false(sb_reader_run(f->reader, read_sites, f, NULL, g_free, on_done, f, &error));
	g_assert_error(error, SB_READER_ERROR, SB_READER_ERROR_BUSY);
	g_autoptr(GString) metrics = g_string_new(NULL);
	sb_reader_metrics(f->reader, metrics);
	g_assert_nonnull(strstr(metrics->str, "relais_store_reads_waiting 2\n"));
	g_assert_nonnull(strstr(metrics->str, "relais_store_reads_total{outcome=\"busy\"} 1\n"));
	g_mutex_lock(&f->lock);
	f->open = TRUE;
	g_cond_broadcast(&f->cond);
	g_mutex_unlock(&f->lock);
	wait_done(f, 2);
	g_assert_cmpuint(f->ok, ==, 2);
	/* room again */
	run(f, read_sites);
	wait_done(f, 3);
}

static void test_budget(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->reader = sb_reader_new(f->store, 0, 200, &error);
	g_assert_no_error(error);
	run(f, read_forever);
	run(f, read_sites); /* the thread is free for the next one */
	wait_done(f, 2);
	g_assert_cmpuint(f->timeout, ==, 1);
	g_assert_cmpuint(f->ok, ==, 1);
	g_assert_true(g_str_has_prefix(g_ptr_array_index(f->errors, 0), "the read took longer than 200 ms"));
	g_autoptr(GString) metrics = g_string_new(NULL);
	sb_reader_metrics(f->reader, metrics);
	g_assert_nonnull(strstr(metrics->str, "relais_store_reads_total{outcome=\"timeout\"} 1\n"));
}

static void test_read_only(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->reader = sb_reader_new(f->store, 0, 0, &error);
	g_assert_no_error(error);
	run(f, try_write);
	wait_done(f, 1);
	g_assert_cmpuint(f->failed, ==, 1);
	/* SQLite: "attempt to write a readonly database"; PostgreSQL: "cannot
	 * execute INSERT in a read-only transaction" */
	const char *said = g_ptr_array_index(f->errors, 0);
	g_assert_true(strstr(said, "readonly") || strstr(said, "read-only"));
	g_autoptr(GPtrArray) sites = sb_store_site_list(f->store, &error);
	g_assert_cmpuint(sites->len, ==, 1);
}

static void test_free_answers_all(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->reader = sb_reader_new(f->store, 0, 0, &error);
	g_assert_no_error(error);
	run(f, read_after_gate);
	for (guint i = 0; i < 5; i++)
		run(f, read_sites);
	g_mutex_lock(&f->lock);
	while (f->inside == 0)
		g_cond_wait(&f->cond, &f->lock);
	f->open = TRUE; /* the first finishes; the others are still queued */
	g_cond_broadcast(&f->cond);
	g_mutex_unlock(&f->lock);
	g_clear_pointer(&f->reader, sb_reader_free);
	/* every read was answered before the free returned: read or closed */
	g_assert_cmpuint(f->done, ==, 6);
	g_assert_cmpuint(f->ok + f->closed, ==, 6);
	g_assert_cmpuint(f->ok, >=, 1);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/reader/answer-on-main-context", Fixture, NULL, setup, test_answer_on_main_context, teardown);
	g_test_add("/reader/busy", Fixture, NULL, setup, test_busy, teardown);
	g_test_add("/reader/budget", Fixture, NULL, setup, test_budget, teardown);
	g_test_add("/reader/read-only", Fixture, NULL, setup, test_read_only, teardown);
	g_test_add("/reader/free-answers-all", Fixture, NULL, setup, test_free_answers_all, teardown);
	g_autofree char *why = NULL;
	if (rt_pg_available(&why)) {
		g_test_add("/reader-pg/answer-on-main-context", Fixture, &ON_PG, setup, test_answer_on_main_context,
			   teardown);
		g_test_add("/reader-pg/busy", Fixture, &ON_PG, setup, test_busy, teardown);
		g_test_add("/reader-pg/budget", Fixture, &ON_PG, setup, test_budget, teardown);
		g_test_add("/reader-pg/read-only", Fixture, &ON_PG, setup, test_read_only, teardown);
		g_test_add("/reader-pg/free-answers-all", Fixture, &ON_PG, setup, test_free_answers_all, teardown);
	} else {
		g_test_add_data_func("/reader-pg/skipped", why, rt_pg_skip);
	}
	return g_test_run();
}
