/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The store's slow reads on a worker thread (reader.h). */
#define G_LOG_DOMAIN "relais-reader"

#include "reader.h"
#include "relais-config.h"

G_DEFINE_QUARK(relais - reader - error - quark, sb_reader_error)

enum { OUTCOME_OK, OUTCOME_FAILED, OUTCOME_TIMEOUT, OUTCOME_BUSY, OUTCOME_CLOSED, N_OUTCOMES };
static const char *const outcome_names[N_OUTCOMES] = {"ok", "failed", "timeout", "busy", "closed"};

struct _SbReader {
	SbStore *store; /* the reading connection: used on the worker thread only */
	GThreadPool *pool;
	GMainContext *context; /* where `done` runs */
	guint max_waiting, budget_ms;
	gint waiting;	   /* queued or running (atomic) */
	gint closing;	   /* atomic: jobs end with SB_READER_ERROR_CLOSED */
	guint outstanding; /* `done` not called yet (the caller's thread) */
	GMutex lock;	   /* the figures below */
	guint64 outcomes[N_OUTCOMES];
	gint64 seconds_us; /* time spent reading, in all */
	gint64 longest_us;
};

typedef struct {
	SbReaderJob fn;
	gpointer data;
	GDestroyNotify data_free;
	GDestroyNotify result_free;
} Job;

typedef struct {
	SbReader *reader;
	GAsyncReadyCallback done;
	gpointer done_data;
} Done;

static void job_free(gpointer p)
{
	Job *job = p;
	if (job->data_free && job->data)
		job->data_free(job->data);
	g_free(job);
}

static void count(SbReader *r, guint outcome, gint64 took_us)
{
	g_mutex_lock(&r->lock);
	r->outcomes[outcome]++;
	r->seconds_us += took_us;
	r->longest_us = MAX(r->longest_us, took_us);
	g_mutex_unlock(&r->lock);
}

static void work(gpointer item, gpointer user_data)
{
	GTask *task = item;
	SbReader *r = user_data;
	Job *job = g_task_get_task_data(task);
	if (g_atomic_int_get(&r->closing)) {
		count(r, OUTCOME_CLOSED, 0);
		g_task_return_new_error(task, SB_READER_ERROR, SB_READER_ERROR_CLOSED, "the switchboard is stopping");
	} else {
		gint64 t0 = g_get_monotonic_time(), deadline = t0 + (gint64)r->budget_ms * 1000;
		sb_store_set_deadline(r->store, deadline);
		GError *error = NULL;
		gpointer result = job->fn(r->store, job->data, &error);
		sb_store_set_deadline(r->store, 0);
		gint64 t1 = g_get_monotonic_time();
		if (result) {
			count(r, OUTCOME_OK, t1 - t0);
			g_task_return_pointer(task, result, job->result_free);
		} else if (t1 > deadline) {
			count(r, OUTCOME_TIMEOUT, t1 - t0);
			g_task_return_new_error(task, SB_READER_ERROR, SB_READER_ERROR_TIMEOUT,
						"the read took longer than %u ms (%s)", r->budget_ms,
						error ? error->message : "no detail");
			g_clear_error(&error);
		} else {
			count(r, OUTCOME_FAILED, t1 - t0);
			if (error == NULL)
				g_set_error_literal(&error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "the read failed");
			g_task_return_error(task, error);
		}
	}
	g_atomic_int_dec_and_test(&r->waiting);
	g_object_unref(task);
}

SbReader *sb_reader_new(SbStore *writer, guint max_waiting, guint budget_ms, GError **error)
{
	g_autoptr(SbStore) store = sb_store_open_reader(writer, error);
	if (store == NULL)
		return NULL;
	SbReader *r = g_new0(SbReader, 1);
	g_mutex_init(&r->lock);
	r->max_waiting = max_waiting ? max_waiting : CONFIG_RELAIS_SB_READER_MAX_WAITING;
	r->budget_ms = budget_ms ? budget_ms : CONFIG_RELAIS_SB_READER_BUDGET_MS;
	/* one thread of its own: the connection is never used by two */
	r->pool = g_thread_pool_new(work, r, 1, TRUE, error);
	if (r->pool == NULL) {
		g_mutex_clear(&r->lock);
		g_free(r);
		return NULL;
	}
	r->store = g_steal_pointer(&store);
	r->context = g_main_context_ref_thread_default();
	return r;
}

void sb_reader_free(SbReader *r)
{
	if (r == NULL)
		return;
	g_atomic_int_set(&r->closing, 1);
	/* every queued job runs (and ends at once, closed) before this returns */
	g_thread_pool_free(r->pool, FALSE, TRUE);
	while (r->outstanding > 0)
		g_main_context_iteration(r->context, TRUE);
	g_main_context_unref(r->context);
	sb_store_free(r->store);
	g_mutex_clear(&r->lock);
	g_free(r);
}

static void on_task_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Done *d = user_data;
	d->reader->outstanding--;
	d->done(NULL, result, d->done_data);
	g_free(d);
}

gboolean sb_reader_run(SbReader *r, SbReaderJob fn, gpointer data, GDestroyNotify data_free, GDestroyNotify result_free,
		       GAsyncReadyCallback done, gpointer done_data, GError **error)
{
	Job *job = g_new0(Job, 1);
	*job = (Job){fn, data, data_free, result_free};
	if ((guint)g_atomic_int_add(&r->waiting, 1) >= r->max_waiting) {
		g_atomic_int_dec_and_test(&r->waiting);
		count(r, OUTCOME_BUSY, 0);
		job_free(job);
		g_set_error(error, SB_READER_ERROR, SB_READER_ERROR_BUSY, "%u reads are waiting already",
			    r->max_waiting);
		return FALSE;
	}
	Done *d = g_new0(Done, 1);
	*d = (Done){r, done, done_data};
	GTask *task = g_task_new(NULL, NULL, on_task_done, d);
	g_task_set_source_tag(task, sb_reader_run);
	g_task_set_task_data(task, job, job_free);
	r->outstanding++;
	g_thread_pool_push(r->pool, task, NULL);
	return TRUE;
}

gpointer sb_reader_finish(GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

void sb_reader_metrics(SbReader *r, GString *out)
{
	g_mutex_lock(&r->lock);
	g_string_append(out, "# HELP relais_store_reads_total Slow reads (statistics, free slots) on the reading "
			     "thread, by outcome.\n"
			     "# TYPE relais_store_reads_total counter\n");
	for (guint i = 0; i < N_OUTCOMES; i++)
		g_string_append_printf(out, "relais_store_reads_total{outcome=\"%s\"} %" G_GUINT64_FORMAT "\n",
				       outcome_names[i], r->outcomes[i]);
	g_string_append_printf(out,
			       "# HELP relais_store_read_seconds_total Time the reading thread spent reading.\n"
			       "# TYPE relais_store_read_seconds_total counter\n"
			       "relais_store_read_seconds_total %.6f\n"
			       "# HELP relais_store_read_longest_seconds The longest read since the start.\n"
			       "# TYPE relais_store_read_longest_seconds gauge\n"
			       "relais_store_read_longest_seconds %.6f\n"
			       "# HELP relais_store_reads_waiting Reads queued or running now.\n"
			       "# TYPE relais_store_reads_waiting gauge\n"
			       "relais_store_reads_waiting %d\n",
			       r->seconds_us / 1e6, r->longest_us / 1e6, g_atomic_int_get(&r->waiting));
	g_mutex_unlock(&r->lock);
}
