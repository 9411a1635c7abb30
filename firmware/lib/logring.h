/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * logring: the last warnings and criticals of a program, kept in memory for
 * its diagnostics report (the booth's technician screen and the remote
 * report). A GLib structured log writer records each message at or above
 * G_LOG_LEVEL_WARNING and then hands every message, recorded or not, to the
 * writer that was there before (g_log_writer_default unless told): nothing
 * the journal gets changes.
 *
 * Messages are cut to RELAIS_LOGRING_MAX_MESSAGE bytes (on a character
 * boundary) and the oldest go first. Whatever a module writes at warning
 * level is shown to a technician: no visitor data goes into warnings.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAIS_LOGRING_MAX_MESSAGE 240

typedef struct _RelaisLogRing RelaisLogRing;

typedef struct {
	gint64 time_us; /* g_get_real_time() when logged */
	GLogLevelFlags level;
	const char *domain; /* nullable */
	const char *message;
} RelaisLogEntry;

/* A ring of `capacity` (>= 1) entries. Thread-safe: GStreamer's threads
 * log too. */
RelaisLogRing *relais_log_ring_new(guint capacity);
void relais_log_ring_free(RelaisLogRing *ring);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisLogRing, relais_log_ring_free)

/* Records one entry (any level: the filter is the writer's). */
void relais_log_ring_add(RelaisLogRing *ring, gint64 time_us, GLogLevelFlags level, const char *domain,
			 const char *message);
guint relais_log_ring_count(RelaisLogRing *ring);
/* Calls `func` on each entry, oldest first, under the ring's lock (the
 * entry is valid during the call only; do not log from `func`). */
typedef void (*RelaisLogRingFunc)(const RelaisLogEntry *entry, gpointer user_data);
void relais_log_ring_foreach(RelaisLogRing *ring, RelaisLogRingFunc func, gpointer user_data);

/* The log writer: records warnings and criticals (and errors) in `user_data`
 * (a RelaisLogRing) and chains to g_log_writer_default. Install it with
 * relais_log_ring_install(), or g_log_set_writer_func() yourself. */
GLogWriterOutput relais_log_ring_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
					gpointer user_data);
/* Installs the writer for the whole process with `ring` (which must then
 * live as long as the process: GLib allows one writer, set once). */
void relais_log_ring_install(RelaisLogRing *ring);

G_END_DECLS
