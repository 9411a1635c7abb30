/* SPDX-License-Identifier: GPL-2.0-or-later */
/* writeq: the switchboard's own writes, made by the writer thread and kept
 * and retried while the store cannot take them. A real SQLite file in a temp dir, locked for real by a
 * second connection holding BEGIN IMMEDIATE (the hostile condition), and
 * the store's real call records and ratings: the order is kept (a rating
 * before its call's record would be refused), a fault episode is one
 * warning (GTest fails on any warning not expected), the bound loses the
 * newest write with its content in the log, a refused write is not
 * retried, and a last attempt at shutdown logs what it cannot save. The
 * same again on a real PostgreSQL (/writeq-pg/..., tests/lib/pgfx.h), locked
 * by a second connection holding the writers' lock (store-pg.c) and the
 * call tables. */
#include "store.h"
#include "stats.h"
#include "writeq.h"
#include "harness.h"
#include "pgfx.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>

typedef struct {
	char *tmp;
	char *uri; /* PostgreSQL's database (/writeq-pg/...); NULL on SQLite */
	SbStore *store;
	sqlite3 *other; /* the second process's connection, when locked */
	PGconn *node;	/* the same on PostgreSQL: another switchboard's writer */
} Fixture;

static const int ON_PG = 1;

/* The store's words for "another writer holds the lock", in a warning. */
static const char *locked_words(Fixture *f)
{
	return f->uri ? "store: cannot write now (call_record: *lock timeout)*"
		      : "store: cannot write now (call_record: *database is locked)*";
}

static void setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->tmp = g_dir_make_tmp("relais-writeq-XXXXXX", &error);
	g_assert_no_error(error);
	if (data == &ON_PG)
		f->uri = rt_pg_new_database();
	f->store = sb_store_open(f->uri ? f->uri : f->tmp, &error);
	g_assert_no_error(error);
}

static void lock_db(Fixture *f)
{
	if (f->uri) {
		g_assert_null(f->node);
		f->node = PQconnectdb(f->uri);
		g_assert_cmpint(PQstatus(f->node), ==, CONNECTION_OK);
		PQclear(PQexec(f->node, "BEGIN"));
		/* the writers' lock stops transactions; a write outside one
		 * (a rating is one UPDATE) takes no advisory lock, so the
		 * tables the test writes are locked against writes too, as
		 * SQLite's whole file is (reads go on, as with WAL) */
		PGresult *r = PQexec(f->node, "SELECT pg_advisory_xact_lock(1380729177, 2)");
		g_assert_cmpint(PQresultStatus(r), ==, PGRES_TUPLES_OK);
		PQclear(r);
		r = PQexec(f->node, "LOCK TABLE call_records, live_calls IN EXCLUSIVE MODE");
		g_assert_cmpint(PQresultStatus(r), ==, PGRES_COMMAND_OK);
		PQclear(r);
		return;
	}
	g_assert_null(f->other);
	g_assert_cmpint(sqlite3_open(sb_store_path(f->store), &f->other), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(f->other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
}

static void unlock_db(Fixture *f)
{
	if (f->uri) {
		PQclear(PQexec(f->node, "ROLLBACK"));
		g_clear_pointer(&f->node, PQfinish);
		return;
	}
	g_assert_cmpint(sqlite3_exec(f->other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
	sqlite3_close(f->other);
	f->other = NULL;
}

static void teardown(Fixture *f, gconstpointer data)
{
	if (f->other || f->node)
		unlock_db(f);
	g_clear_pointer(&f->store, sb_store_free);
	rt_pg_drop_database(f->uri);
	g_free(f->uri);
	rt_rm_rf(f->tmp);
	g_free(f->tmp);
}

/* --- writes of the test: real call records and ratings ----------------------- */

typedef struct {
	char *call_id;
	gint score; /* 0: the call's record, else its rating */
} TestWrite;

static void test_write_free(TestWrite *w)
{
	g_free(w->call_id);
	g_free(w);
}

static gboolean run_write(SbStore *store, gpointer data, GError **error)
{
	TestWrite *w = data;
	if (w->score)
		return sb_store_call_set_satisfaction(store, w->call_id, w->score, error);
	SbCallRecord r = {.call_id = w->call_id,
			  .topic = "jobs",
			  .language = "fr",
			  .queued_at = 1700000000,
			  .answered_at = 1700000010,
			  .ended_at = 1700000600,
			  .end_reason = "booth-hangup"};
	return sb_store_call_insert(store, &r, error) != 0;
}

static SbWriteResult submit(SbWriteQueue *q, const char *call_id, gint score)
{
	TestWrite *w = g_new0(TestWrite, 1);
	w->call_id = g_strdup(call_id);
	w->score = score;
	return sb_write_queue_submit(q, score ? "rating" : "call_record",
				     score ? g_strdup_printf("rating %d of call %s", score, call_id)
					   : g_strdup_printf("call %s", call_id),
				     run_write, w, (GDestroyNotify)test_write_free);
}

static SbWriteQueue *new_queue(Fixture *f, const SbWriteQueueConfig *config)
{
	g_autoptr(GError) error = NULL;
	SbWriteQueue *q = sb_write_queue_new(f->store, config, &error);
	g_assert_no_error(error);
	return q;
}

/* The writer has tried what was submitted: written, refused, or waiting
 * behind a fault (its warning logged). */
static void settle(SbWriteQueue *q)
{
	(void)sb_write_queue_sync(q, 10000);
}

/* call id -> rating (0: none); -1: no record */
static gint rating_of(Fixture *f, const char *call_id)
{
	if (f->uri) {
		g_assert_null(strchr(call_id, '\''));
		g_autofree char *sql = g_strdup_printf(
			"SELECT coalesce(satisfaction, 0) FROM call_records WHERE call_id = '%s'", call_id);
		g_autofree char *v = rt_pg_exec(f->uri, sql);
		return v ? (gint)g_ascii_strtoll(v, NULL, 10) : -1;
	}
	sqlite3 *db = NULL;
	g_assert_cmpint(sqlite3_open_v2(sb_store_path(f->store), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	sqlite3_stmt *st = NULL;
	g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT coalesce(satisfaction, 0) FROM call_records WHERE call_id = ?",
					   -1, &st, NULL),
			==, SQLITE_OK);
	sqlite3_bind_text(st, 1, call_id, -1, SQLITE_STATIC);
	gint v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static char *metrics(SbWriteQueue *q)
{
	GString *out = g_string_new(NULL);
	sb_write_queue_metrics(q, out);
	return g_string_free(out, FALSE);
}

static void assert_metric(const char *text, const char *line)
{
	g_autofree char *with_nl = g_strconcat("\n", line, "\n", NULL);
	g_autofree char *all = g_strconcat("\n", text, NULL);
	if (strstr(all, with_nl) == NULL)
		g_error("no line '%s' in:\n%s", line, text);
}

/* --- tests ----------------------------------------------------------------------- */

static void test_direct(Fixture *f, gconstpointer data)
{
	static const char *const ops[] = {"call_record", "rating", NULL};
	SbWriteQueueConfig config = {.ops = ops};
	g_autoptr(SbWriteQueue) q = new_queue(f, &config);
	g_assert_cmpint(submit(q, "c-1", 0), ==, SB_WRITE_WAITING);
	g_assert_cmpint(submit(q, "c-1", 4), ==, SB_WRITE_WAITING);
	settle(q);
	g_assert_cmpint(rating_of(f, "c-1"), ==, 4);
	g_assert_cmpuint(sb_write_queue_waiting(q), ==, 0);
	g_autofree char *m = metrics(q);
	/* every declared operation is listed before its first failure */
	assert_metric(m, "relais_store_writes_waiting 0");
	assert_metric(m, "relais_store_write_failures_total{op=\"call_record\"} 0");
	assert_metric(m, "relais_store_write_failures_total{op=\"rating\"} 0");
	assert_metric(m, "relais_store_writes_lost_total{op=\"rating\"} 0");
}

/* The database locked by another connection while a call ends and its
 * rating arrives: both wait, one warning, the order is kept once free. */
static void test_locked_then_free(Fixture *f, gconstpointer data)
{
	SbWriteQueueConfig config = {.busy_ms = 20};
	g_autoptr(SbWriteQueue) q = new_queue(f, &config);
	lock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING, locked_words(f));
	g_assert_cmpint(submit(q, "c-1", 0), ==, SB_WRITE_WAITING);
	/* behind it without trying (no second warning: GTest fails on one) */
	g_assert_cmpint(submit(q, "c-1", 5), ==, SB_WRITE_WAITING);
	g_assert_cmpint(submit(q, "c-2", 0), ==, SB_WRITE_WAITING);
	settle(q);
	g_test_assert_expected_messages();
	/* still locked: retrying is counted, not logged */
	g_assert_false(sb_write_queue_retry(q));
	g_assert_false(sb_write_queue_retry(q));
	g_assert_cmpuint(sb_write_queue_waiting(q), ==, 3);
	g_autofree char *m = metrics(q);
	assert_metric(m, "relais_store_writes_waiting 3");
	assert_metric(m, "relais_store_write_failures_total{op=\"call_record\"} 3");
	g_assert_cmpint(rating_of(f, "c-1"), ==, -1);

	unlock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_MESSAGE,
			      "store: writing again after * s: 3 kept writes saved");
	g_assert_true(sb_write_queue_retry(q));
	g_test_assert_expected_messages();
	/* the rating went in after its record: in order */
	g_assert_cmpint(rating_of(f, "c-1"), ==, 5);
	g_assert_cmpint(rating_of(f, "c-2"), ==, 0);
	g_assert_cmpuint(sb_write_queue_waiting(q), ==, 0);
	g_autofree char *m2 = metrics(q);
	assert_metric(m2, "relais_store_writes_waiting 0");
	/* a new episode is logged again */
	lock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING, "store: cannot write now (rating:*");
	g_assert_cmpint(submit(q, "c-2", 3), ==, SB_WRITE_WAITING);
	settle(q);
	g_test_assert_expected_messages();
	unlock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_MESSAGE,
			      "store: writing again after * s: 1 kept writes saved");
	g_assert_true(sb_write_queue_retry(q));
	g_test_assert_expected_messages();
	g_assert_cmpint(rating_of(f, "c-2"), ==, 3);
}

static gboolean queue_empty(gpointer data)
{
	return sb_write_queue_waiting(data) == 0;
}

/* Nobody calls retry: the timer does, with its backoff, once the lock goes. */
static void test_timer_retries(Fixture *f, gconstpointer data)
{
	SbWriteQueueConfig config = {.busy_ms = 10, .retry_min_ms = 10, .retry_max_ms = 40};
	g_autoptr(SbWriteQueue) q = new_queue(f, &config);
	lock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING, "store: cannot write now*");
	g_assert_cmpint(submit(q, "c-1", 0), ==, SB_WRITE_WAITING);
	settle(q);
	g_test_assert_expected_messages();
	/* a few retries fail while locked */
	g_assert_false(rt_wait(queue_empty, q, 300));
	unlock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_MESSAGE, "store: writing again*");
	g_assert_true(rt_wait(queue_empty, q, 5000));
	g_test_assert_expected_messages();
	g_assert_cmpint(rating_of(f, "c-1"), ==, 0);
}

/* Past the bound the newest write is lost, loudly, with what it held. */
static void test_bound(Fixture *f, gconstpointer data)
{
	SbWriteQueueConfig config = {.busy_ms = 10, .max_waiting = 2};
	g_autoptr(SbWriteQueue) q = new_queue(f, &config);
	lock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING, "store: cannot write now*(at most 2)*");
	g_assert_cmpint(submit(q, "c-1", 0), ==, SB_WRITE_WAITING);
	g_assert_cmpint(submit(q, "c-2", 0), ==, SB_WRITE_WAITING);
	settle(q);
	g_test_assert_expected_messages();
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING,
			      "store: 2 writes already wait: LOST rating: rating 2 of call c-1");
	g_assert_cmpint(submit(q, "c-1", 2), ==, SB_WRITE_LOST);
	g_test_assert_expected_messages();
	g_autofree char *m = metrics(q);
	assert_metric(m, "relais_store_writes_lost_total{op=\"rating\"} 1");
	assert_metric(m, "relais_store_writes_waiting_max 2");
	unlock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_MESSAGE, "*2 kept writes saved (some were lost*");
	g_assert_true(sb_write_queue_retry(q));
	g_test_assert_expected_messages();
	g_assert_cmpint(rating_of(f, "c-1"), ==, 0);
	g_assert_cmpint(rating_of(f, "c-2"), ==, 0);
}

/* A write the store refuses for what it holds is dropped, not retried
 * forever; the ones behind it go through. */
static void test_refused(Fixture *f, gconstpointer data)
{
	SbWriteQueueConfig config = {.busy_ms = 10};
	g_autoptr(SbWriteQueue) q = new_queue(f, &config);
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING,
			      "store: rating refused, not kept: no call 'nowhere' (rating 1 of call nowhere)");
	g_assert_cmpint(submit(q, "nowhere", 1), ==, SB_WRITE_WAITING);
	settle(q);
	g_test_assert_expected_messages();
	lock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING, "store: cannot write now*");
	g_assert_cmpint(submit(q, "c-1", 0), ==, SB_WRITE_WAITING);
	g_assert_cmpint(submit(q, "nowhere", 2), ==, SB_WRITE_WAITING);
	g_assert_cmpint(submit(q, "c-2", 0), ==, SB_WRITE_WAITING);
	settle(q);
	g_test_assert_expected_messages();
	unlock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING,
			      "store: rating refused, not kept: no call 'nowhere'*");
	g_test_expect_message("relais-store", G_LOG_LEVEL_MESSAGE, "*2 kept writes saved");
	g_assert_true(sb_write_queue_retry(q));
	g_test_assert_expected_messages();
	g_assert_cmpint(rating_of(f, "c-1"), ==, 0);
	g_assert_cmpint(rating_of(f, "c-2"), ==, 0);
	g_autofree char *m = metrics(q);
	assert_metric(m, "relais_store_writes_refused_total{op=\"rating\"} 2");
}

/* What waits together is written together (one transaction, each write in
 * a savepoint): a write refused in the middle undoes its own work only, and
 * the writes around it are kept, in order. */
static void test_batch(Fixture *f, gconstpointer data)
{
	SbWriteQueueConfig config = {.busy_ms = 10};
	g_autoptr(SbWriteQueue) q = new_queue(f, &config);
	lock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING, "store: cannot write now*");
	for (guint i = 0; i < 40; i++) {
		g_autofree char *id = g_strdup_printf("c-%u", i);
		g_assert_cmpint(submit(q, id, 0), ==, SB_WRITE_WAITING);
		g_assert_cmpint(submit(q, id, 1 + i % 5), ==, SB_WRITE_WAITING);
		if (i == 20) /* a second record of the same call: refused (EXISTS) */
			g_assert_cmpint(submit(q, id, 0), ==, SB_WRITE_WAITING);
	}
	settle(q);
	g_test_assert_expected_messages();
	g_assert_cmpuint(sb_write_queue_waiting(q), ==, 81);
	unlock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING,
			      "store: call_record refused, not kept: *(call c-20)");
	g_test_expect_message("relais-store", G_LOG_LEVEL_MESSAGE, "*80 kept writes saved");
	g_assert_true(sb_write_queue_retry(q));
	g_test_assert_expected_messages();
	for (guint i = 0; i < 40; i++) {
		g_autofree char *id = g_strdup_printf("c-%u", i);
		g_assert_cmpint(rating_of(f, id), ==, 1 + i % 5);
	}
}

/* Stopping while still locked: one last attempt, then each write is logged
 * with its content. */
static void test_shutdown(Fixture *f, gconstpointer data)
{
	SbWriteQueueConfig config = {.busy_ms = 10};
	SbWriteQueue *q = new_queue(f, &config);
	lock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING, "store: cannot write now*");
	g_assert_cmpint(submit(q, "c-1", 0), ==, SB_WRITE_WAITING);
	g_assert_cmpint(submit(q, "c-1", 4), ==, SB_WRITE_WAITING);
	settle(q);
	g_test_assert_expected_messages();
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING,
			      "store: stopping with 2 writes not saved; each follows");
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING, "store: not saved: call_record: call c-1");
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING, "store: not saved: rating: rating 4 of call c-1");
	sb_write_queue_free(q);
	g_test_assert_expected_messages();

	/* and once free again, the last attempt saves them */
	q = new_queue(f, &config);
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING, "store: cannot write now*");
	g_assert_cmpint(submit(q, "c-9", 0), ==, SB_WRITE_WAITING);
	settle(q);
	g_test_assert_expected_messages();
	unlock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_MESSAGE, "store: writing again*");
	sb_write_queue_free(q);
	g_test_assert_expected_messages();
	g_assert_cmpint(rating_of(f, "c-9"), ==, 0);
}

/* The store's own error codes: a locked database is a fault of the moment,
 * not a failure of the request. */
static void test_store_transient(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	lock_db(f);
	sb_store_set_busy_ms(f->store, 10);
	SbCallRecord r = {.call_id = "c-1", .topic = "jobs", .language = "fr", .queued_at = 1, .ended_at = 2};
	g_assert_cmpint(sb_store_call_insert(f->store, &r, &error), ==, 0);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_UNAVAILABLE);
	g_assert_true(sb_store_error_is_transient(error));
	sb_store_set_busy_ms(f->store, 0);
	unlock_db(f);
	g_clear_error(&error);
	g_assert_cmpint(sb_store_call_insert(f->store, &r, &error), >, 0);
	g_assert_false(sb_store_error_is_transient(NULL));
}

/* --- a mark the main loop polls instead of waiting ------------------------ */

typedef struct {
	GMutex lock;
	GCond cond;
	gboolean entered, open;
} Gate;

/* A write that waits, inside the writer, until the test opens the gate. */
static gboolean gated_write(SbStore *store, gpointer data, GError **error)
{
	Gate *g = data;
	g_mutex_lock(&g->lock);
	g->entered = TRUE;
	g_cond_broadcast(&g->cond);
	while (!g->open)
		g_cond_wait(&g->cond, &g->lock);
	g_mutex_unlock(&g->lock);
	return TRUE;
}

static void test_mark(Fixture *f, gconstpointer data)
{
	SbWriteQueueConfig config = {.busy_ms = 20};
	g_autoptr(SbWriteQueue) q = new_queue(f, &config);
	/* nothing submitted: passed at once */
	g_assert_true(sb_write_queue_passed(q, sb_write_queue_mark(q)));

	Gate g = {0};
	g_mutex_init(&g.lock);
	g_cond_init(&g.cond);
	g_assert_cmpint(sb_write_queue_submit(q, "gated", g_strdup("a gated write"), gated_write, &g, NULL), ==,
			SB_WRITE_WAITING);
	g_assert_cmpint(submit(q, "c-1", 0), ==, SB_WRITE_WAITING);
	guint64 mark = sb_write_queue_mark(q);
	g_mutex_lock(&g.lock);
	while (!g.entered)
		g_cond_wait(&g.cond, &g.lock);
	g_mutex_unlock(&g.lock);
	/* the writer is inside the first write: not passed, and asking does
	 * not wait for it (this thread would hang here otherwise) */
	g_assert_false(sb_write_queue_passed(q, mark));
	g_mutex_lock(&g.lock);
	g.open = TRUE;
	g_cond_broadcast(&g.cond);
	g_mutex_unlock(&g.lock);
	settle(q);
	g_assert_true(sb_write_queue_passed(q, mark));
	g_assert_cmpint(rating_of(f, "c-1"), ==, 0);

	/* a head stuck on a fault passes the mark too: nothing to wait for */
	lock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_WARNING, locked_words(f));
	g_assert_cmpint(submit(q, "c-2", 0), ==, SB_WRITE_WAITING);
	mark = sb_write_queue_mark(q);
	settle(q);
	g_test_assert_expected_messages();
	g_assert_true(sb_write_queue_passed(q, mark));
	unlock_db(f);
	g_test_expect_message("relais-store", G_LOG_LEVEL_MESSAGE,
			      "store: writing again after * s: 1 kept writes saved");
	g_assert_true(sb_write_queue_retry(q));
	g_test_assert_expected_messages();
	g_clear_pointer(&q, sb_write_queue_free);
	g_cond_clear(&g.cond);
	g_mutex_clear(&g.lock);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/writeq/direct", test_direct);
	ADD("/writeq/locked-then-free", test_locked_then_free);
	ADD("/writeq/timer-retries", test_timer_retries);
	ADD("/writeq/bound", test_bound);
	ADD("/writeq/refused", test_refused);
	ADD("/writeq/batch", test_batch);
	ADD("/writeq/shutdown", test_shutdown);
	ADD("/writeq/store-transient", test_store_transient);
	ADD("/writeq/mark", test_mark);
	g_autofree char *why = NULL;
	if (rt_pg_available(&why)) {
#define ADD_PG(path, fn) g_test_add("/writeq-pg/" path, Fixture, &ON_PG, setup, fn, teardown)
		ADD_PG("direct", test_direct);
		ADD_PG("locked-then-free", test_locked_then_free);
		ADD_PG("timer-retries", test_timer_retries);
		ADD_PG("bound", test_bound);
		ADD_PG("refused", test_refused);
		ADD_PG("batch", test_batch);
		ADD_PG("shutdown", test_shutdown);
		ADD_PG("store-transient", test_store_transient);
		ADD_PG("mark", test_mark);
	} else {
		g_test_add_data_func("/writeq-pg/skipped", why, rt_pg_skip);
	}
	return g_test_run();
}
