/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * writeq: the writes the switchboard makes on its own (call records,
 * visitors' ratings, booths' update reports and progress, bookings made
 * into calls, calls in progress), made by a thread of their own and
 * retried while the store cannot take them (STORE.md "When a write
 * fails", README.md "The store's writes off the main loop").
 *
 * A write is a function run against the store. sb_write_queue_submit()
 * only keeps it (in memory, in a FIFO) and wakes the writer thread: the
 * main loop, which relays calls, never waits for a commit and its fsync.
 * The writer owns a second connection to the store (sb_store_open_writer)
 * and writes in the order of submission:
 *
 * - What is queued together is written together: up to WRITER_BATCH_MAX
 *   writes in one transaction, one fsync (each in a savepoint, so that a
 *   write the store refuses undoes its own work only). A batch that cannot
 *   be committed is rolled back whole and its head tried alone, as below.
 * - If a write fails for a fault of the moment (a full disk, an I/O error,
 *   a lock held by another process: sb_store_error_is_transient) it stays
 *   at the head and every write submitted after it waits behind it, so
 *   that the order is kept (a rating never reaches the store before its
 *   call's record). The writer retries the head with a growing delay
 *   (lib/backoff.c) until it goes through, then the rest in order.
 * - A fault episode (from the first write that waits until none waits) is
 *   logged twice: a warning when it starts, a message when it ends. Each
 *   failed attempt is counted (relais_store_write_failures_total{op}).
 * - A write the store refuses for what it is (INVALID, NOT_FOUND, EXISTS)
 *   is not retried: logged and counted as refused.
 * - At most max_waiting writes wait; one more is lost: logged with its
 *   summary (a warning each, so that it can be entered again by hand) and
 *   counted (relais_store_writes_lost_total{op}).
 * - sb_write_queue_free() writes what is queued, or, in a fault episode,
 *   makes one last attempt and logs every write still waiting with its
 *   summary (and their count), then stops the thread.
 *
 * Each attempt waits at most busy_ms for another process's lock. The
 * functions below are for the thread that made the queue (the main loop);
 * a write's function and its data_free run on the writer thread, with the
 * writer's connection: they must touch nothing else of the main loop's.
 */
#pragma once

#include <glib.h>
#include "store.h"

G_BEGIN_DECLS

typedef struct _SbWriteQueue SbWriteQueue;

/* Writes one thing to the store; FALSE with the store's error. Runs on
 * the writer thread. */
typedef SbStoreWriteFunc SbWriteFunc;

typedef struct {
	guint max_waiting;  /* 0: CONFIG_RELAIS_SB_STORE_WRITE_QUEUE_MAX */
	guint retry_min_ms; /* 0: 250 ms, the first retry's delay */
	guint retry_max_ms; /* 0: 10 s, the longest delay between retries */
	guint busy_ms;	    /* 0: 100 ms, the wait for another writer's lock */
	/* (array zero-terminated=1) the operations /metrics lists even before
	 * their first failure (nullable) */
	const char *const *ops;
} SbWriteQueueConfig;

/* `store` (the main loop's) is not owned and must outlive the queue: the
 * writer opens its own connection to the same file. config nullable.
 * Returns: (transfer full) or NULL with `error` set. */
SbWriteQueue *sb_write_queue_new(SbStore *store, const SbWriteQueueConfig *config, GError **error);
/* Writes what is queued and stops the writer; in a fault episode, one last
 * attempt, then each write still waiting is logged (a warning with its
 * summary) and dropped. Blocks until the writer is done. */
void sb_write_queue_free(SbWriteQueue *queue);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbWriteQueue, sb_write_queue_free)

typedef enum {
	SB_WRITE_WAITING, /* kept in memory, written by the writer in order */
	SB_WRITE_LOST,	  /* the queue was full: logged with its summary, dropped */
} SbWriteResult;

/* Keeps the write for the writer (a refusal by the store is logged and
 * counted there). `op`: a static label for /metrics and the
 * log ("call_record", "rating": [a-z_]); `summary`: (transfer full) what
 * the write holds, in words, for the log should it be refused or lost
 * (never a person's name: writes hold none); `data`: (transfer full), freed
 * with `data_free` once written or dropped. */
SbWriteResult sb_write_queue_submit(SbWriteQueue *queue, const char *op, char *summary, SbWriteFunc func, gpointer data,
				    GDestroyNotify data_free);

/* Writes not written yet (queued for the writer, or waiting for the store). */
guint sb_write_queue_waiting(SbWriteQueue *queue);
/* Whether a fault episode is on: the head waits for the store. */
gboolean sb_write_queue_faulty(SbWriteQueue *queue);
/* Blocks until the writer has tried every write submitted so far (each
 * written, refused, or waiting behind a fault), at most timeout_ms; TRUE
 * when nothing waits then. For a reply that must see a write just queued
 * (an outcome posted as its call ends) and for tests: a commit's time. */
gboolean sb_write_queue_sync(SbWriteQueue *queue, guint timeout_ms);
/* Without blocking: a mark for what has been submitted so far, and
 * whether the writer has passed it since (each of those writes written,
 * refused or dropped) or is stuck at a head that failed. For the main loop
 * to wait for a write just queued without waiting on the writer (a reply
 * paused while it polls, stats.c's outcome). */
guint64 sb_write_queue_mark(SbWriteQueue *queue);
gboolean sb_write_queue_passed(SbWriteQueue *queue, guint64 mark);
/* Makes the writer try what waits now, in order, without waiting for its
 * delay, and blocks until it has; TRUE when nothing waits any more. */
gboolean sb_write_queue_retry(SbWriteQueue *queue);

/* Appends relais_store_writes_waiting, relais_store_writes_waiting_max,
 * relais_store_write_failures_total{op}, relais_store_writes_refused_total{op}
 * and relais_store_writes_lost_total{op} to `out`. */
void sb_write_queue_metrics(SbWriteQueue *queue, GString *out);

G_END_DECLS
