/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-health"

#include "health.h"
#include "relais-config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* how often the main loop is probed, and how long a stall counts */
#define PROBE_MS	    250
#define HEALTH_LAG_WINDOW_S 10
/* a healthz waits this long at most for another writer's lock */
#define WRITE_WAIT_MS 200

struct _SbHealth {
	SbStore *store;
	char *dir;
	guint min_free_mb, max_lag_ms;
	guint probe_id;
	gint64 last_probe_us;
	gint64 worst_lag_us, worst_at_us; /* the longest lateness in the window, and when */
	gint64 start_s;			  /* unix time the process started */
	char *last_reasons;		  /* what was logged last (logged once per change) */
};

static gboolean on_probe(gpointer data)
{
	SbHealth *h = data;
	gint64 now = g_get_monotonic_time();
	/* the first run measures from the loop's start, not from set-up */
	gint64 lag = h->last_probe_us ? MAX(now - h->last_probe_us - (gint64)PROBE_MS * 1000, 0) : 0;
	h->last_probe_us = now;
	gint64 window = (gint64)HEALTH_LAG_WINDOW_S * G_USEC_PER_SEC;
	if (lag >= h->worst_lag_us || now - h->worst_at_us > window) {
		h->worst_lag_us = lag;
		h->worst_at_us = now;
	}
	return G_SOURCE_CONTINUE;
}

/* The process's start, from /proc/self/stat (clock ticks after boot) and the
 * boot time of /proc/stat; the health's own start when they cannot be read. */
static gint64 process_start_s(void)
{
	g_autofree char *stat = NULL, *sys = NULL;
	gint64 fallback = g_get_real_time() / G_USEC_PER_SEC;
	if (!g_file_get_contents("/proc/self/stat", &stat, NULL, NULL) ||
	    !g_file_get_contents("/proc/stat", &sys, NULL, NULL))
		return fallback;
	/* the command may hold spaces and parentheses: fields count from the last ')' */
	const char *p = strrchr(stat, ')');
	if (p == NULL)
		return fallback;
	g_auto(GStrv) f = g_strsplit(p + 2, " ", -1);
	/* field 22 (starttime) is the 20th after the command */
	if (g_strv_length(f) < 20)
		return fallback;
	guint64 ticks = g_ascii_strtoull(f[19], NULL, 10);
	const char *b = strstr(sys, "\nbtime ");
	long hz = sysconf(_SC_CLK_TCK);
	if (b == NULL || hz <= 0)
		return fallback;
	return g_ascii_strtoll(b + 7, NULL, 10) + (gint64)(ticks / (guint64)hz);
}

SbHealth *sb_health_new(const SbHealthConfig *config)
{
	SbHealth *h = g_new0(SbHealth, 1);
	h->store = config->store;
	/* NULL on PostgreSQL: the database's disk is the database server's */
	h->dir = config->dir ? g_strdup(config->dir) : sb_store_folder(config->store);
	h->min_free_mb = config->min_free_mb ? config->min_free_mb : CONFIG_RELAIS_SB_HEALTH_MIN_FREE_MB;
	h->max_lag_ms = config->max_lag_ms ? config->max_lag_ms : CONFIG_RELAIS_SB_HEALTH_MAX_LAG_MS;
	h->worst_at_us = g_get_monotonic_time();
	h->start_s = process_start_s();
	h->probe_id = g_timeout_add(PROBE_MS, on_probe, h);
	return h;
}

void sb_health_free(SbHealth *h)
{
	if (h == NULL)
		return;
	g_clear_handle_id(&h->probe_id, g_source_remove);
	g_free(h->dir);
	g_free(h->last_reasons);
	g_free(h);
}

gint64 sb_health_loop_lag_us(SbHealth *h)
{
	gint64 now = g_get_monotonic_time();
	/* the probe itself late now counts too (a stall not over yet) */
	gint64 current = h->last_probe_us ? MAX(now - h->last_probe_us - (gint64)PROBE_MS * 1000, 0) : 0;
	gint64 worst = now - h->worst_at_us > (gint64)HEALTH_LAG_WINDOW_S * G_USEC_PER_SEC ? 0 : h->worst_lag_us;
	return MAX(worst, current);
}

gboolean sb_health_check(SbHealth *h, GString *reasons)
{
	gsize from = reasons->len;
	g_autoptr(GString) log = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	if (!sb_store_can_read(h->store, &error)) {
		g_string_append(reasons, "store: cannot read\n");
		g_string_append_printf(log, "store: cannot read: %s; ", error->message);
		g_clear_error(&error);
	} else if (!sb_store_can_write(h->store, WRITE_WAIT_MS, &error)) {
		g_string_append(reasons, "store: cannot write (locked by another process, or read-only)\n");
		g_string_append_printf(log, "store: cannot write: %s; ", error->message);
		g_clear_error(&error);
	}
	struct statvfs vfs;
	if (h->dir == NULL) {
		/* no local store file to watch */
	} else if (statvfs(h->dir, &vfs) != 0) {
		g_string_append(reasons, "disk: the data folder cannot be examined\n");
		g_string_append_printf(log, "disk: %s: %s; ", h->dir, g_strerror(errno));
	} else {
		guint64 free_mb = (guint64)vfs.f_bavail * vfs.f_frsize / (1024 * 1024);
		if (free_mb < h->min_free_mb) {
			g_string_append_printf(reasons,
					       "disk: %" G_GUINT64_FORMAT " MiB free in the data folder (at least %u "
					       "needed)\n",
					       free_mb, h->min_free_mb);
			g_string_append_printf(log, "disk: %s has %" G_GUINT64_FORMAT " MiB free; ", h->dir, free_mb);
		}
	}
	gint64 lag_ms = sb_health_loop_lag_us(h) / 1000;
	if (lag_ms > h->max_lag_ms) {
		g_string_append_printf(reasons,
				       "main loop: %" G_GINT64_FORMAT " ms late in the last %d s (at most %u)\n",
				       lag_ms, HEALTH_LAG_WINDOW_S, h->max_lag_ms);
		g_string_append_printf(log, "main loop: %" G_GINT64_FORMAT " ms late; ", lag_ms);
	}
	gboolean healthy = reasons->len == from;
	/* logged when it changes, not at every scrape */
	const char *now = healthy ? "" : log->str;
	if (g_strcmp0(now, h->last_reasons ? h->last_reasons : "") != 0) {
		if (healthy)
			g_message("healthy again");
		else
			g_warning("unhealthy: %s", log->str);
		g_free(h->last_reasons);
		h->last_reasons = g_strdup(now);
	}
	return healthy;
}

static gint64 count_fds(void)
{
	g_autoptr(GDir) d = g_dir_open("/proc/self/fd", 0, NULL);
	if (d == NULL)
		return -1;
	gint64 n = 0;
	while (g_dir_read_name(d))
		n++;
	return n - 1; /* the listing's own */
}

/* a label value: backslash, quote and newline escaped (exposition format) */
static char *label_value(const char *v)
{
	GString *s = g_string_new(NULL);
	for (const char *p = v; *p; p++) {
		if (*p == '\\' || *p == '"')
			g_string_append_c(s, '\\');
		if (*p == '\n') {
			g_string_append(s, "\\n");
			continue;
		}
		g_string_append_c(s, *p);
	}
	return g_string_free(s, FALSE);
}

void sb_health_metrics(SbHealth *h, const char *version, GString *out)
{
	long page = sysconf(_SC_PAGESIZE);
	g_autofree char *statm = NULL;
	guint64 vsize = 0, rss = 0;
	if (page > 0 && g_file_get_contents("/proc/self/statm", &statm, NULL, NULL)) {
		char *end = NULL;
		vsize = g_ascii_strtoull(statm, &end, 10) * (guint64)page;
		rss = g_ascii_strtoull(end, NULL, 10) * (guint64)page;
	}
	struct rusage ru;
	double cpu = 0;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
		      ru.ru_stime.tv_usec / 1e6;
	struct rlimit rl;
	gint64 max_fds = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (gint64)rl.rlim_cur : -1;
	g_autofree char *v = label_value(version ? version : "unknown");
	char cpu_text[G_ASCII_DTOSTR_BUF_SIZE], lag_text[G_ASCII_DTOSTR_BUF_SIZE];
	g_ascii_formatd(cpu_text, sizeof cpu_text, "%.3f", cpu);
	g_ascii_formatd(lag_text, sizeof lag_text, "%.6f", sb_health_loop_lag_us(h) / 1e6);
	g_string_append_printf(
		out,
		"# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
		"# TYPE process_resident_memory_bytes gauge\n"
		"process_resident_memory_bytes %" G_GUINT64_FORMAT "\n"
		"# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
		"# TYPE process_virtual_memory_bytes gauge\n"
		"process_virtual_memory_bytes %" G_GUINT64_FORMAT "\n"
		"# HELP process_open_fds Number of open file descriptors.\n"
		"# TYPE process_open_fds gauge\n"
		"process_open_fds %" G_GINT64_FORMAT "\n"
		"# HELP process_max_fds Maximum number of open file descriptors.\n"
		"# TYPE process_max_fds gauge\n"
		"process_max_fds %" G_GINT64_FORMAT "\n"
		"# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
		"# TYPE process_cpu_seconds_total counter\n"
		"process_cpu_seconds_total %s\n"
		"# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
		"# TYPE process_start_time_seconds gauge\n"
		"process_start_time_seconds %" G_GINT64_FORMAT "\n"
		"# HELP relais_main_loop_lag_seconds The longest the main loop was late in the last %d s.\n"
		"# TYPE relais_main_loop_lag_seconds gauge\n"
		"relais_main_loop_lag_seconds %s\n"
		"# HELP relais_build_info The switchboard's version.\n"
		"# TYPE relais_build_info gauge\n"
		"relais_build_info{version=\"%s\"} 1\n",
		rss, vsize, count_fds(), max_fds, cpu_text, h->start_s, HEALTH_LAG_WINDOW_S, lag_text, v);
}
