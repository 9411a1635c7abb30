/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-store"

#include "writeq.h"
#include "backoff.h"
#include "relais-config.h"

#define DEFAULT_RETRY_MIN_MS 250
#define DEFAULT_RETRY_MAX_MS 10000
#define DEFAULT_BUSY_MS	     100
/* Writes grouped in one transaction at most: a batch is one fsync, and
 * holds the store's write lock (and the main loop's own writes: sign-ins,
 * bookings) for as long as it takes. */
#define WRITER_BATCH_MAX 64

typedef struct {
	const char *op;
	char *summary;
	SbWriteFunc func;
	gpointer data;
	GDestroyNotify data_free;
} Write;

/* Counters of one operation, for /metrics. */
typedef struct {
	guint64 failures, refused, lost;
} OpCounts;

/* `lock` guards what both threads touch: waiting, the flags, the counters
 * and the episode. The writer takes the head's writes out of `waiting`
 * only once they are written or dropped: the count stays honest, and
 * submit only ever adds at the tail. */
struct _SbWriteQueue {
	SbStore *store; /* the writer's own connection (writer thread only) */
	guint max_waiting, busy_ms;
	GMutex lock;
	GCond wake;	/* to the writer: a write, a retry, the stop */
	GCond progress; /* to the main thread: writes went, or the head failed */
	GQueue waiting; /* Write*, oldest first */
	GThread *thread;
	gboolean stopping, retry_now;
	guint64 removed;       /* writes out of `waiting` so far: written, refused, or not saved */
	guint64 head_failures; /* attempts of the head that failed for a fault of the moment */
	RelaisBackoff backoff; /* writer only */
	gint64 retry_at_us;    /* the head failed last: its next attempt (monotonic); 0: it did not */
	GHashTable *ops;       /* op (static) -> OpCounts* */
	/* the fault episode: since when writes wait, and whether one was lost */
	gint64 episode_us;
	gboolean episode_lost;
	guint64 saved_in_episode;
};

static void write_free(Write *w)
{
	if (w->data_free)
		w->data_free(w->data);
	g_free(w->summary);
	g_free(w);
}

static OpCounts *op_counts(SbWriteQueue *q, const char *op)
{
	OpCounts *c = g_hash_table_lookup(q->ops, op);
	if (c == NULL) {
		c = g_new0(OpCounts, 1);
		g_hash_table_insert(q->ops, (gpointer)op, c);
	}
	return c;
}

/* --- the writer thread ------------------------------------------------------------- */

/* One write alone, with the short lock wait: its own transaction. */
static gboolean attempt(SbWriteQueue *q, Write *w, GError **error)
{
	sb_store_set_busy_ms(q->store, q->busy_ms);
	gboolean ok = w->func(q->store, w->data, error);
	sb_store_set_busy_ms(q->store, 0);
	return ok;
}

/* Writes `n` (> 1) in one transaction. TRUE once committed, with each
 * write the store refused in errors[i]; FALSE: nothing of it is kept
 * (a fault, or the transaction could not be committed), errors untouched. */
static gboolean attempt_batch(SbWriteQueue *q, Write **w, guint n, GError **errors)
{
	g_autoptr(GError) error = NULL;
	sb_store_set_busy_ms(q->store, q->busy_ms);
	gboolean ok = sb_store_batch_begin(q->store, &error);
	guint done = 0;
	for (; ok && done < n; done++) {
		if (sb_store_batch_write(q->store, w[done]->func, w[done]->data, &errors[done]))
			continue;
		/* a fault of the moment, or one that took the transaction with
		 * it: the batch is given up and its head tried alone */
		ok = !sb_store_error_is_transient(errors[done]) && sb_store_batch_open(q->store);
	}
	if (ok)
		ok = sb_store_batch_end(q->store, &error);
	else
		sb_store_batch_abort(q->store);
	sb_store_set_busy_ms(q->store, 0);
	if (!ok) {
		for (guint i = 0; i < done && i < n; i++)
			g_clear_error(&errors[i]);
		g_debug("store: %u writes not written together, one at a time now: %s", n,
			error ? error->message : "a write failed");
	}
	return ok;
}

/* With the lock held. */
static void refused(SbWriteQueue *q, Write *w, const GError *error)
{
	op_counts(q, w->op)->refused++;
	g_warning("store: %s refused, not kept: %s (%s)", w->op, error ? error->message : "no reason", w->summary);
}

/* With the lock held. */
static void episode_over(SbWriteQueue *q)
{
	if (q->episode_us == 0)
		return;
	gdouble s = (gdouble)(g_get_monotonic_time() - q->episode_us) / G_USEC_PER_SEC;
	g_message("store: writing again after %.1f s: %" G_GUINT64_FORMAT " kept writes saved%s", s,
		  q->saved_in_episode, q->episode_lost ? " (some were lost: see the warnings above)" : "");
	q->episode_us = 0;
	q->episode_lost = FALSE;
	q->saved_in_episode = 0;
	relais_backoff_reset(&q->backoff);
}

/* With the lock held: the head failed for a fault of the moment. */
static void head_failed(SbWriteQueue *q, Write *w, const GError *error)
{
	op_counts(q, w->op)->failures++;
	if (q->episode_us == 0) {
		/* the one warning of this fault episode */
		q->episode_us = g_get_monotonic_time();
		g_warning("store: cannot write now (%s: %s): keeping this and later writes in memory (at most %u) "
			  "and retrying",
			  w->op, error->message, q->max_waiting);
	} else {
		g_debug("store: %s still cannot be written (%u waiting): %s", w->op, g_queue_get_length(&q->waiting),
			error->message);
	}
	q->retry_at_us = g_get_monotonic_time() + (gint64)relais_backoff_next(&q->backoff, NULL) * 1000;
}

/* With the lock held: the writer stops in a fault episode. */
static void log_unsaved(SbWriteQueue *q)
{
	guint n = g_queue_get_length(&q->waiting);
	if (n == 0)
		return;
	g_warning("store: stopping with %u writes not saved; each follows", n);
	Write *w;
	while ((w = g_queue_pop_head(&q->waiting)) != NULL) {
		g_warning("store: not saved: %s: %s", w->op, w->summary);
		write_free(w);
	}
}

static gboolean must_wait(SbWriteQueue *q)
{
	if (q->stopping)
		return FALSE;
	if (g_queue_is_empty(&q->waiting))
		return TRUE;
	return q->retry_at_us != 0 && !q->retry_now && g_get_monotonic_time() < q->retry_at_us;
}

static gpointer writer_main(gpointer data)
{
	SbWriteQueue *q = data;
	Write *batch[WRITER_BATCH_MAX];
	GError *errors[WRITER_BATCH_MAX];
	g_mutex_lock(&q->lock);
	for (;;) {
		while (must_wait(q)) {
			if (q->retry_at_us != 0 && !g_queue_is_empty(&q->waiting))
				g_cond_wait_until(&q->wake, &q->lock, q->retry_at_us);
			else
				g_cond_wait(&q->wake, &q->lock);
		}
		if (g_queue_is_empty(&q->waiting))
			break; /* stopping, and all is written */
		gboolean last = q->stopping && q->retry_at_us != 0;
		q->retry_now = FALSE;
		/* a head that failed goes alone until it is written */
		guint n = q->retry_at_us != 0 ? 1 : MIN(g_queue_get_length(&q->waiting), WRITER_BATCH_MAX);
		GList *l = q->waiting.head;
		for (guint i = 0; i < n; i++, l = l->next) {
			batch[i] = l->data;
			errors[i] = NULL;
		}
		g_mutex_unlock(&q->lock);

		gboolean transient = FALSE;
		if (n > 1 && !attempt_batch(q, batch, n, errors))
			n = 1;
		if (n == 1 && !attempt(q, batch[0], &errors[0]))
			transient = sb_store_error_is_transient(errors[0]);

		g_mutex_lock(&q->lock);
		if (transient) {
			head_failed(q, batch[0], errors[0]);
			q->head_failures++;
			g_cond_broadcast(&q->progress);
			g_clear_error(&errors[0]);
			if (last) {
				log_unsaved(q);
				break;
			}
			continue;
		}
		q->retry_at_us = 0;
		for (guint i = 0; i < n; i++) {
			g_queue_pop_head(&q->waiting);
			if (errors[i])
				refused(q, batch[i], errors[i]);
			else if (q->episode_us != 0)
				q->saved_in_episode++;
			g_clear_error(&errors[i]);
			write_free(batch[i]);
		}
		q->removed += n;
		g_cond_broadcast(&q->progress);
		if (g_queue_is_empty(&q->waiting))
			episode_over(q);
	}
	g_cond_broadcast(&q->progress);
	g_mutex_unlock(&q->lock);
	return NULL;
}

/* --- the main loop's side ---------------------------------------------------------- */

SbWriteQueue *sb_write_queue_new(SbStore *store, const SbWriteQueueConfig *config, GError **error)
{
	static const SbWriteQueueConfig defaults = {0};
	if (config == NULL)
		config = &defaults;
	g_autoptr(SbStore) writer = sb_store_open_writer(store, error);
	if (writer == NULL)
		return NULL;
	SbWriteQueue *q = g_new0(SbWriteQueue, 1);
	q->store = g_steal_pointer(&writer);
	q->max_waiting = config->max_waiting ? config->max_waiting : CONFIG_RELAIS_SB_STORE_WRITE_QUEUE_MAX;
	q->busy_ms = config->busy_ms ? config->busy_ms : DEFAULT_BUSY_MS;
	relais_backoff_init(&q->backoff, config->retry_min_ms ? config->retry_min_ms : DEFAULT_RETRY_MIN_MS,
			    config->retry_max_ms ? config->retry_max_ms : DEFAULT_RETRY_MAX_MS);
	g_mutex_init(&q->lock);
	g_cond_init(&q->wake);
	g_cond_init(&q->progress);
	g_queue_init(&q->waiting);
	q->ops = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	for (guint i = 0; config->ops && config->ops[i]; i++)
		op_counts(q, config->ops[i]);
	q->thread = g_thread_new("sb-writer", writer_main, q);
	return q;
}

SbWriteResult sb_write_queue_submit(SbWriteQueue *q, const char *op, char *summary, SbWriteFunc func, gpointer data,
				    GDestroyNotify data_free)
{
	Write *w = g_new0(Write, 1);
	w->op = op;
	w->summary = summary;
	w->func = func;
	w->data = data;
	w->data_free = data_free;
	g_mutex_lock(&q->lock);
	guint waiting = g_queue_get_length(&q->waiting);
	if (waiting >= q->max_waiting) {
		/* past the bound: the newest is the one lost, so that what
		 * waits keeps its order and its ratings their call records */
		op_counts(q, op)->lost++;
		q->episode_lost = TRUE;
		g_warning("store: %u writes already wait: LOST %s: %s", waiting, op, w->summary);
		g_mutex_unlock(&q->lock);
		write_free(w);
		return SB_WRITE_LOST;
	}
	g_queue_push_tail(&q->waiting, w);
	g_cond_signal(&q->wake);
	g_mutex_unlock(&q->lock);
	return SB_WRITE_WAITING;
}

guint sb_write_queue_waiting(SbWriteQueue *q)
{
	g_mutex_lock(&q->lock);
	guint n = g_queue_get_length(&q->waiting);
	g_mutex_unlock(&q->lock);
	return n;
}

gboolean sb_write_queue_faulty(SbWriteQueue *q)
{
	g_mutex_lock(&q->lock);
	gboolean faulty = q->episode_us != 0;
	g_mutex_unlock(&q->lock);
	return faulty;
}

gboolean sb_write_queue_sync(SbWriteQueue *q, guint timeout_ms)
{
	gint64 deadline_us = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	g_mutex_lock(&q->lock);
	/* FIFO: what waits now is out once `removed` has grown by its count */
	guint64 target = q->removed + g_queue_get_length(&q->waiting);
	while (q->removed < target && q->retry_at_us == 0)
		if (!g_cond_wait_until(&q->progress, &q->lock, deadline_us))
			break;
	gboolean ok = q->removed >= target;
	g_mutex_unlock(&q->lock);
	return ok;
}

guint64 sb_write_queue_mark(SbWriteQueue *q)
{
	g_mutex_lock(&q->lock);
	/* FIFO: what waits now is out once `removed` has grown by its count */
	guint64 mark = q->removed + g_queue_get_length(&q->waiting);
	g_mutex_unlock(&q->lock);
	return mark;
}

gboolean sb_write_queue_passed(SbWriteQueue *q, guint64 mark)
{
	g_mutex_lock(&q->lock);
	gboolean passed = q->removed >= mark || q->retry_at_us != 0;
	g_mutex_unlock(&q->lock);
	return passed;
}

gboolean sb_write_queue_retry(SbWriteQueue *q)
{
	g_mutex_lock(&q->lock);
	guint64 failures = q->head_failures;
	q->retry_now = TRUE;
	g_cond_signal(&q->wake);
	while (!g_queue_is_empty(&q->waiting) && q->head_failures == failures)
		g_cond_wait(&q->progress, &q->lock);
	gboolean empty = g_queue_is_empty(&q->waiting);
	g_mutex_unlock(&q->lock);
	return empty;
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

void sb_write_queue_metrics(SbWriteQueue *q, GString *out)
{
	g_mutex_lock(&q->lock);
	g_string_append_printf(out,
			       "# HELP relais_store_writes_waiting Writes kept in memory until the store takes them "
			       "(queued for the writer thread, a full disk, a locked database).\n"
			       "# TYPE relais_store_writes_waiting gauge\n"
			       "relais_store_writes_waiting %u\n"
			       "# HELP relais_store_writes_waiting_max Writes kept at most; more are lost.\n"
			       "# TYPE relais_store_writes_waiting_max gauge\n"
			       "relais_store_writes_waiting_max %u\n",
			       g_queue_get_length(&q->waiting), q->max_waiting);
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	GHashTableIter it;
	gpointer key;
	g_hash_table_iter_init(&it, q->ops);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_ptr_array_add(names, key);
	g_ptr_array_sort(names, cmp_str);
	static const struct {
		const char *name, *help;
		gsize offset;
	} series[] = {
		{"relais_store_write_failures_total",
		 "Attempts to write that failed for a fault of the moment (kept and retried).",
		 G_STRUCT_OFFSET(OpCounts, failures)},
		{"relais_store_writes_refused_total", "Writes the store refused for what they held (not retried).",
		 G_STRUCT_OFFSET(OpCounts, refused)},
		{"relais_store_writes_lost_total", "Writes dropped because too many were waiting.",
		 G_STRUCT_OFFSET(OpCounts, lost)},
	};
	for (guint k = 0; k < G_N_ELEMENTS(series); k++) {
		g_string_append_printf(out, "# HELP %s %s\n# TYPE %s counter\n", series[k].name, series[k].help,
				       series[k].name);
		for (guint i = 0; i < names->len; i++) {
			const char *op = names->pdata[i];
			const OpCounts *c = g_hash_table_lookup(q->ops, op);
			guint64 v = G_STRUCT_MEMBER(guint64, c, series[k].offset);
			g_string_append_printf(out, "%s{op=\"%s\"} %" G_GUINT64_FORMAT "\n", series[k].name, op, v);
		}
	}
	g_mutex_unlock(&q->lock);
}

void sb_write_queue_free(SbWriteQueue *q)
{
	if (q == NULL)
		return;
	g_mutex_lock(&q->lock);
	q->stopping = TRUE;
	g_cond_signal(&q->wake);
	g_mutex_unlock(&q->lock);
	g_thread_join(q->thread);
	/* the writer leaves nothing: all written, or logged as not saved */
	g_assert(g_queue_is_empty(&q->waiting));
	sb_store_free(q->store);
	g_hash_table_destroy(q->ops);
	g_cond_clear(&q->wake);
	g_cond_clear(&q->progress);
	g_mutex_clear(&q->lock);
	g_free(q);
}
