/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * health: what /healthz checks and the process figures of /metrics.
 *
 * Healthy means able to serve: the store answers a read and could take a
 * write, the data folder has room, and the main loop (which relays every
 * call's signaling) has not stalled lately. The main loop's lateness is
 * measured by a probe timer; a stall longer than max_lag_ms makes the
 * switchboard unhealthy for the next HEALTH_LAG_WINDOW_S seconds.
 */
#pragma once

#include <glib.h>
#include "store.h"

G_BEGIN_DECLS

typedef struct _SbHealth SbHealth;

typedef struct {
	SbStore *store;	   /* not owned, outlives the health */
	const char *dir;   /* the data folder (free space); NULL: the store's */
	guint min_free_mb; /* 0: CONFIG_RELAIS_SB_HEALTH_MIN_FREE_MB */
	guint max_lag_ms;  /* 0: CONFIG_RELAIS_SB_HEALTH_MAX_LAG_MS */
} SbHealthConfig;

/* Starts the main loop's probe (the thread-default main context). */
SbHealth *sb_health_new(const SbHealthConfig *config);
void sb_health_free(SbHealth *health);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbHealth, sb_health_free)

/* TRUE when healthy; else FALSE with one line per reason appended to
 * `reasons`, in words a caller may show anyone (no store error text, no
 * paths: those go to the log, once per change). */
gboolean sb_health_check(SbHealth *health, GString *reasons);

/* The longest the main loop was late in the last window, in microseconds. */
gint64 sb_health_loop_lag_us(SbHealth *health);

/* Appends the Prometheus process figures (process_resident_memory_bytes,
 * process_virtual_memory_bytes, process_open_fds, process_max_fds,
 * process_cpu_seconds_total, process_start_time_seconds), the main loop's
 * lateness and relais_build_info{version} to `out`. */
void sb_health_metrics(SbHealth *health, const char *version, GString *out);

G_END_DECLS
