/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-booth"

#include "watchdog.h"
#include "relais-config.h"
#include "sdnotify.h"

struct _BoothWatchdog {
	Booth *booth;
	RelaisNotify *notify;
	guint64 media_limit_us;
};

/* The health check, before each WATCHDOG=1 (main loop). */
static char *media_health(gpointer data)
{
	BoothWatchdog *w = data;
	gint64 silence = booth_media_silence_us(w->booth);
	if (silence < 0 || (guint64)silence <= w->media_limit_us)
		return NULL;
	return g_strdup_printf("media thread stuck: no video buffer for %.1f s", silence / (double)G_USEC_PER_SEC);
}

BoothWatchdog *booth_watchdog_new(Booth *booth, const char *status)
{
	BoothWatchdog *w = g_new0(BoothWatchdog, 1);
	w->booth = booth;
	w->notify = relais_notify_new(NULL);
	w->media_limit_us = (guint64)CONFIG_RELAIS_BOOTH_MEDIA_STALL_S * G_USEC_PER_SEC;
	guint64 watchdog_usec = relais_notify_watchdog_usec(w->notify);
	/* a short WatchdogSec= (or a test's WATCHDOG_USEC) shortens the limit:
	 * the stall is seen at the latest one tick before systemd's timeout */
	if (watchdog_usec > 0) {
		w->media_limit_us = MIN(w->media_limit_us, watchdog_usec / 2);
		g_message("systemd watchdog: fed every %" G_GUINT64_FORMAT " ms while the main loop turns and a "
			  "playing camera has delivered a frame within %" G_GUINT64_FORMAT " ms",
			  watchdog_usec / 2000, w->media_limit_us / 1000);
	}
	relais_notify_set_health(w->notify, media_health, w);
	g_autoptr(GError) error = NULL;
	if (!relais_notify_ready(w->notify, status, &error))
		g_warning("systemd: %s", error->message);
	return w;
}

void booth_watchdog_stopping(BoothWatchdog *w)
{
	g_autoptr(GError) error = NULL;
	if (!relais_notify_stopping(w->notify, &error))
		g_warning("systemd: %s", error->message);
}

void booth_watchdog_free(BoothWatchdog *w)
{
	if (w == NULL)
		return;
	relais_notify_free(w->notify);
	g_free(w);
}
