/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The store's slow reads, off the main loop: one worker thread with its own
 * read-only connection (sb_store_open_reader) runs the statistics and the
 * free-slot search, one at a time, each within a time budget, so that the
 * main loop, which relays every offer and ICE candidate, never waits for a
 * query (README.md "Slow reads"). */
#pragma once

#include <gio/gio.h>
#include "store.h"

G_BEGIN_DECLS

typedef struct _SbReader SbReader;

/* Runs on the worker thread with the reading connection: returns (transfer
 * full) its result, or NULL with `error` set. It must only read `store`
 * and its own `data`. */
typedef gpointer (*SbReaderJob)(SbStore *store, gpointer data, GError **error);

#define SB_READER_ERROR (sb_reader_error_quark())
GQuark sb_reader_error_quark(void);
typedef enum {
	SB_READER_ERROR_BUSY,	 /* too many reads waiting: refused at once */
	SB_READER_ERROR_TIMEOUT, /* the read took longer than its budget */
	SB_READER_ERROR_CLOSED,	 /* the reader was freed before it ran */
} SbReaderError;

/* A reader of `writer`'s file (which must outlive it) taking at most
 * `max_waiting` reads at once (0: CONFIG_RELAIS_SB_READER_MAX_WAITING), each
 * given `budget_ms` (0: CONFIG_RELAIS_SB_READER_BUDGET_MS).
 * Returns: (transfer full) or NULL with `error` set. */
SbReader *sb_reader_new(SbStore *writer, guint max_waiting, guint budget_ms, GError **error);
/* Waits for the read running now; those still waiting end with
 * SB_READER_ERROR_CLOSED. Every `done` has been called when it returns. */
void sb_reader_free(SbReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbReader, sb_reader_free)

/* Queues `job` (its `data` freed with `data_free` once it ran). `done` is
 * called exactly once, on the thread-default main context of this call,
 * with a result for sb_reader_finish(); `result_free` frees a result
 * nobody took. FALSE with `error` set (SB_READER_ERROR_BUSY), and `done`
 * never called, when max_waiting reads are queued already. */
gboolean sb_reader_run(SbReader *reader, SbReaderJob job, gpointer data, GDestroyNotify data_free,
		       GDestroyNotify result_free, GAsyncReadyCallback done, gpointer done_data, GError **error);
/* Returns: (transfer full) the job's result, or NULL with `error` set. */
gpointer sb_reader_finish(GAsyncResult *result, GError **error);

/* Prometheus text exposition of the reader's figures, appended to `out`. */
void sb_reader_metrics(SbReader *reader, GString *out);

G_END_DECLS
