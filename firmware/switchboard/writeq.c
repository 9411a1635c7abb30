/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-store"

#include "writeq.h"
#include "backoff.h"
#include "relais-config.h"

#define DEFAULT_RETRY_MIN_MS 250
#define DEFAULT_RETRY_MAX_MS 10000
#define DEFAULT_BUSY_MS	     100

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

struct _SbWriteQueue {
	SbStore *store;
	guint max_waiting, busy_ms;
	GQueue waiting; /* Write*, oldest first */
	RelaisBackoff backoff;
	guint retry_id;
	GHashTable *ops; /* op (static) -> OpCounts* */
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

SbWriteQueue *sb_write_queue_new(SbStore *store, const SbWriteQueueConfig *config)
{
	static const SbWriteQueueConfig defaults = {0};
	if (config == NULL)
		config = &defaults;
	SbWriteQueue *q = g_new0(SbWriteQueue, 1);
	q->store = store;
	q->max_waiting = config->max_waiting ? config->max_waiting : CONFIG_RELAIS_SB_STORE_WRITE_QUEUE_MAX;
	q->busy_ms = config->busy_ms ? config->busy_ms : DEFAULT_BUSY_MS;
	relais_backoff_init(&q->backoff, config->retry_min_ms ? config->retry_min_ms : DEFAULT_RETRY_MIN_MS,
			    config->retry_max_ms ? config->retry_max_ms : DEFAULT_RETRY_MAX_MS);
	g_queue_init(&q->waiting);
	q->ops = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	for (guint i = 0; config->ops && config->ops[i]; i++)
		op_counts(q, config->ops[i]);
	return q;
}

/* One attempt, with the short lock wait. */
static gboolean attempt(SbWriteQueue *q, Write *w, GError **error)
{
	sb_store_set_busy_ms(q->store, q->busy_ms);
	gboolean ok = w->func(q->store, w->data, error);
	sb_store_set_busy_ms(q->store, 0);
	return ok;
}

static void refused(SbWriteQueue *q, Write *w, const GError *error)
{
	op_counts(q, w->op)->refused++;
	g_warning("store: %s refused, not kept: %s (%s)", w->op, error ? error->message : "no reason", w->summary);
}

static gboolean on_retry(gpointer data);

static void schedule(SbWriteQueue *q)
{
	if (q->retry_id == 0)
		q->retry_id = g_timeout_add(relais_backoff_next(&q->backoff, NULL), on_retry, q);
}

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

gboolean sb_write_queue_retry(SbWriteQueue *q)
{
	g_clear_handle_id(&q->retry_id, g_source_remove);
	Write *w;
	while ((w = g_queue_peek_head(&q->waiting)) != NULL) {
		g_autoptr(GError) error = NULL;
		if (!attempt(q, w, &error) && sb_store_error_is_transient(error)) {
			op_counts(q, w->op)->failures++;
			g_debug("store: %s still cannot be written (%u waiting): %s", w->op,
				g_queue_get_length(&q->waiting), error->message);
			schedule(q);
			return FALSE;
		}
		g_queue_pop_head(&q->waiting);
		if (error)
			refused(q, w, error);
		else
			q->saved_in_episode++;
		write_free(w);
	}
	episode_over(q);
	return TRUE;
}

static gboolean on_retry(gpointer data)
{
	SbWriteQueue *q = data;
	q->retry_id = 0;
	sb_write_queue_retry(q);
	return G_SOURCE_REMOVE;
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
	guint waiting = g_queue_get_length(&q->waiting);
	if (waiting == 0) {
		g_autoptr(GError) error = NULL;
		if (attempt(q, w, &error)) {
			write_free(w);
			return SB_WRITE_DONE;
		}
		if (!sb_store_error_is_transient(error)) {
			refused(q, w, error);
			write_free(w);
			return SB_WRITE_REFUSED;
		}
		op_counts(q, op)->failures++;
		/* the one warning of this fault episode */
		q->episode_us = g_get_monotonic_time();
		g_warning("store: cannot write now (%s: %s): keeping this and later writes in memory (at most %u) "
			  "and retrying",
			  op, error->message, q->max_waiting);
	} else if (waiting >= q->max_waiting) {
		/* past the bound: the newest is the one lost, so that what
		 * waits keeps its order and its ratings their call records */
		op_counts(q, op)->lost++;
		q->episode_lost = TRUE;
		g_warning("store: %u writes already wait: LOST %s: %s", waiting, op, w->summary);
		write_free(w);
		return SB_WRITE_LOST;
	}
	g_queue_push_tail(&q->waiting, w);
	schedule(q);
	return SB_WRITE_WAITING;
}

guint sb_write_queue_waiting(SbWriteQueue *q)
{
	return g_queue_get_length(&q->waiting);
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

void sb_write_queue_metrics(SbWriteQueue *q, GString *out)
{
	g_string_append_printf(out,
			       "# HELP relais_store_writes_waiting Writes kept in memory until the store takes them "
			       "(a full disk, a locked database).\n"
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
}

void sb_write_queue_free(SbWriteQueue *q)
{
	if (q == NULL)
		return;
	if (!g_queue_is_empty(&q->waiting) && !sb_write_queue_retry(q)) {
		guint n = g_queue_get_length(&q->waiting);
		g_warning("store: stopping with %u writes not saved; each follows", n);
		Write *w;
		while ((w = g_queue_pop_head(&q->waiting)) != NULL) {
			g_warning("store: not saved: %s: %s", w->op, w->summary);
			write_free(w);
		}
	}
	g_clear_handle_id(&q->retry_id, g_source_remove);
	g_hash_table_destroy(q->ops);
	g_free(q);
}
