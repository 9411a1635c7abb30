/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * writeq: the writes the switchboard makes on its own (call records,
 * visitors' ratings, booths' update reports and progress, bookings made
 * into calls), kept in memory and retried while the store cannot take
 * them (STORE.md "When a write fails").
 *
 * A write is a function run against the store. It is tried at once when
 * nothing waits; if it fails for a fault of the moment (a full disk, an
 * I/O error, a lock held by another process: sb_store_error_is_transient)
 * it waits in a FIFO, and every write submitted after it waits behind it,
 * so that the order is kept (a rating never reaches the store before its
 * call's record). A timer retries the head with a growing delay
 * (lib/backoff.c) until it goes through, then the rest in order.
 *
 * - A fault episode (from the first write that waits until none waits) is
 *   logged twice: a warning when it starts, a message when it ends. Each
 *   failed attempt is counted (relais_store_write_failures_total{op}).
 * - A write the store refuses for what it is (INVALID, NOT_FOUND, EXISTS)
 *   is not retried: logged and counted as refused.
 * - At most max_waiting writes wait; one more is lost: logged with its
 *   summary (a warning each, so that it can be entered again by hand) and
 *   counted (relais_store_writes_lost_total{op}).
 * - sb_write_queue_free() makes one last attempt and logs every write still
 *   waiting with its summary.
 *
 * Each attempt waits at most busy_ms for another process's lock (the store's
 * own busy timeout is seconds): a locked database does not hold the main
 * loop, which relays calls. Not thread-safe: the main loop's.
 */
#pragma once

#include <glib.h>
#include "store.h"

G_BEGIN_DECLS

typedef struct _SbWriteQueue SbWriteQueue;

/* Writes one thing to the store; FALSE with the store's error. */
typedef gboolean (*SbWriteFunc)(SbStore *store, gpointer data, GError **error);

typedef struct {
	guint max_waiting;  /* 0: CONFIG_RELAIS_SB_STORE_WRITE_QUEUE_MAX */
	guint retry_min_ms; /* 0: 250 ms, the first retry's delay */
	guint retry_max_ms; /* 0: 10 s, the longest delay between retries */
	guint busy_ms;	    /* 0: 100 ms, the wait for another writer's lock */
	/* (array zero-terminated=1) the operations /metrics lists even before
	 * their first failure (nullable) */
	const char *const *ops;
} SbWriteQueueConfig;

/* `store` is not owned and must outlive the queue. config nullable.
 * Returns: (transfer full) */
SbWriteQueue *sb_write_queue_new(SbStore *store, const SbWriteQueueConfig *config);
/* One last attempt at what waits, then each write still waiting is logged
 * (a warning with its summary) and dropped. */
void sb_write_queue_free(SbWriteQueue *queue);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbWriteQueue, sb_write_queue_free)

typedef enum {
	SB_WRITE_DONE,	  /* written now */
	SB_WRITE_WAITING, /* kept in memory, written later in order */
	SB_WRITE_REFUSED, /* the store refused it for what it is: logged, dropped */
	SB_WRITE_LOST,	  /* the queue was full: logged with its summary, dropped */
} SbWriteResult;

/* Writes now or keeps the write. `op`: a static label for /metrics and the
 * log ("call_record", "rating": [a-z_]); `summary`: (transfer full) what
 * the write holds, in words, for the log should it be refused or lost
 * (never a person's name: writes hold none); `data`: (transfer full), freed
 * with `data_free` once written or dropped. */
SbWriteResult sb_write_queue_submit(SbWriteQueue *queue, const char *op, char *summary, SbWriteFunc func, gpointer data,
				    GDestroyNotify data_free);

/* Writes waiting now. */
guint sb_write_queue_waiting(SbWriteQueue *queue);
/* Tries what waits now, in order, without waiting for the timer; TRUE when
 * nothing waits any more. */
gboolean sb_write_queue_retry(SbWriteQueue *queue);

/* Appends relais_store_writes_waiting, relais_store_writes_waiting_max,
 * relais_store_write_failures_total{op}, relais_store_writes_refused_total{op}
 * and relais_store_writes_lost_total{op} to `out`. */
void sb_write_queue_metrics(SbWriteQueue *queue, GString *out);

G_END_DECLS
