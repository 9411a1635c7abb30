/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-notify"

#include "sdnotify.h"
#include "fail.h"

#include <string.h>
#include <systemd/sd-daemon.h>

G_DEFINE_QUARK(relais - notify - error - quark, relais_notify_error)

struct _RelaisNotifyHeartbeat {
	char *name;
	gint64 max_silence_usec;
	GMutex lock;
	gint64 last;	 /* g_get_monotonic_time() of the last beat, under lock */
	gboolean active; /* counts for the watchdog, under lock */
};

struct _RelaisNotify {
	gboolean enabled;
	guint64 watchdog_usec;
	GSource *timer;
	GPtrArray *heartbeats; /* RelaisNotifyHeartbeat* */
	char *status;	       /* the program's last STATUS= text */
	guint pings;
	gboolean send_failed; /* warned once already */
	RelaisNotifyHealthFunc health;
	gpointer health_data;
	/* what held the pings back at the last tick (a heartbeat, &health), or
	 * NULL: an episode is reported once */
	gconstpointer episode;
};

static void heartbeat_free(gpointer p)
{
	RelaisNotifyHeartbeat *hb = p;
	g_mutex_clear(&hb->lock);
	g_free(hb->name);
	g_free(hb);
}

static gboolean notify_send(RelaisNotify *n, const char *text, GError **error)
{
	if (!n->enabled)
		return TRUE;
	int r = sd_notify(0, text);
	if (r < 0)
		return relais_fail(error, RELAIS_NOTIFY_ERROR, RELAIS_NOTIFY_ERROR_SEND, "sd_notify: %s",
				   g_strerror(-r));
	return TRUE;
}

/* The first heartbeat silent for too long, or NULL. */
static RelaisNotifyHeartbeat *silent_heartbeat(RelaisNotify *n, gint64 now, gint64 *silence)
{
	for (guint i = 0; i < n->heartbeats->len; i++) {
		RelaisNotifyHeartbeat *hb = g_ptr_array_index(n->heartbeats, i);
		g_mutex_lock(&hb->lock);
		*silence = now - hb->last;
		gboolean active = hb->active;
		g_mutex_unlock(&hb->lock);
		if (active && *silence > hb->max_silence_usec)
			return hb;
	}
	return NULL;
}

/* Why the pings are held back now (transfer full), or NULL; *episode names
 * the cause (a heartbeat, or the health check) so that one episode is
 * reported once however long it lasts. */
static char *held_reason(RelaisNotify *n, gconstpointer *episode)
{
	gint64 silence = 0;
	RelaisNotifyHeartbeat *silent = silent_heartbeat(n, g_get_monotonic_time(), &silence);
	if (silent) {
		*episode = silent;
		return g_strdup_printf("the %s thread has been silent for %" G_GINT64_FORMAT " ms", silent->name,
				       silence / 1000);
	}
	char *why = n->health ? n->health(n->health_data) : NULL;
	*episode = why ? (gconstpointer)&n->health : NULL;
	return why;
}

/* Says (once per episode) why the pings are held back, and restores the
 * program's status when they are not any more. */
static void report_held(RelaisNotify *n, gconstpointer episode, const char *why)
{
	if (episode == n->episode)
		return;
	n->episode = episode;
	g_autofree char *text = NULL;
	if (why) {
		g_message("%s; not feeding the watchdog", why);
		text = g_strconcat("STATUS=watchdog held: ", why, NULL);
	} else {
		g_message("feeding the watchdog again");
		text = g_strconcat("STATUS=", n->status ? n->status : "running", NULL);
	}
	g_autoptr(GError) error = NULL;
	if (!notify_send(n, text, &error))
		g_warning("%s", error->message);
}

static gboolean on_tick(gpointer data)
{
	RelaisNotify *n = data;
	gconstpointer episode = NULL;
	g_autofree char *why = held_reason(n, &episode);
	report_held(n, episode, why);
	if (why)
		return G_SOURCE_CONTINUE;
	g_autoptr(GError) error = NULL;
	if (notify_send(n, "WATCHDOG=1", &error)) {
		n->pings++;
	} else if (!n->send_failed) {
		/* systemd will restart us soon: say why once, not every tick */
		n->send_failed = TRUE;
		g_warning("feeding the watchdog: %s", error->message);
	}
	return G_SOURCE_CONTINUE;
}

RelaisNotify *relais_notify_new(GMainContext *context)
{
	RelaisNotify *n = g_new0(RelaisNotify, 1);
	n->heartbeats = g_ptr_array_new_with_free_func(heartbeat_free);
	const char *sock = g_getenv("NOTIFY_SOCKET");
	n->enabled = sock != NULL && *sock != '\0';
	uint64_t usec = 0;
	if (n->enabled && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		n->watchdog_usec = usec;
		/* half the timeout, as sd_watchdog_enabled(3) advises: one late
		 * tick does not kill a healthy program */
		guint interval_ms = MAX(1, (guint)MIN(usec / 2000, G_MAXUINT));
		n->timer = g_timeout_source_new(interval_ms);
		g_source_set_name(n->timer, "relais-notify watchdog");
		g_source_set_callback(n->timer, on_tick, n, NULL);
		g_source_attach(n->timer, context);
	}
	return n;
}

void relais_notify_free(RelaisNotify *n)
{
	if (n == NULL)
		return;
	if (n->timer) {
		g_source_destroy(n->timer);
		g_source_unref(n->timer);
	}
	g_ptr_array_unref(n->heartbeats);
	g_free(n->status);
	g_free(n);
}

gboolean relais_notify_enabled(RelaisNotify *n)
{
	return n->enabled;
}

guint64 relais_notify_watchdog_usec(RelaisNotify *n)
{
	return n->watchdog_usec;
}

guint relais_notify_pings(RelaisNotify *n)
{
	return n->pings;
}

gboolean relais_notify_status(RelaisNotify *n, const char *status, GError **error)
{
	g_return_val_if_fail(status != NULL, FALSE);
	g_free(n->status);
	n->status = g_strdup(status);
	g_autofree char *text = g_strconcat("STATUS=", status, NULL);
	return notify_send(n, text, error);
}

gboolean relais_notify_ready(RelaisNotify *n, const char *status, GError **error)
{
	if (status == NULL)
		return notify_send(n, "READY=1", error);
	g_free(n->status);
	n->status = g_strdup(status);
	g_autofree char *text = g_strconcat("READY=1\nSTATUS=", status, NULL);
	return notify_send(n, text, error);
}

gboolean relais_notify_stopping(RelaisNotify *n, GError **error)
{
	return notify_send(n, "STOPPING=1", error);
}

void relais_notify_set_health(RelaisNotify *n, RelaisNotifyHealthFunc func, gpointer user_data)
{
	n->health = func;
	n->health_data = user_data;
}

RelaisNotifyHeartbeat *relais_notify_add_heartbeat(RelaisNotify *n, const char *name, guint64 max_silence_usec)
{
	RelaisNotifyHeartbeat *hb = g_new0(RelaisNotifyHeartbeat, 1);
	hb->name = g_strdup(name);
	hb->max_silence_usec = (gint64)MIN(max_silence_usec, (guint64)G_MAXINT64);
	g_mutex_init(&hb->lock);
	hb->last = g_get_monotonic_time();
	hb->active = TRUE;
	g_ptr_array_add(n->heartbeats, hb);
	return hb;
}

void relais_notify_beat(RelaisNotifyHeartbeat *hb)
{
	gint64 now = g_get_monotonic_time();
	g_mutex_lock(&hb->lock);
	hb->last = now;
	g_mutex_unlock(&hb->lock);
}

void relais_notify_heartbeat_set_active(RelaisNotifyHeartbeat *hb, gboolean active)
{
	gint64 now = g_get_monotonic_time();
	g_mutex_lock(&hb->lock);
	if (active && !hb->active)
		hb->last = now;
	hb->active = active;
	g_mutex_unlock(&hb->lock);
}
