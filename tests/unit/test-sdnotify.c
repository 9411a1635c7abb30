/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sdnotify: the test plays systemd. It binds its own AF_UNIX datagram socket,
 * sets NOTIFY_SOCKET and WATCHDOG_USEC, runs a main loop with the module and
 * reads what arrives: READY=1 with its status, periodic WATCHDOG=1, no pings
 * while the loop is blocked, none while a heartbeat thread is silent (and a
 * STATUS= saying so), pings again afterwards; nothing at all without
 * NOTIFY_SOCKET. */
#include "sdnotify.h"
#include "harness.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <string.h>

/* systemd's side: every datagram with the time it arrived */
typedef struct {
	char *text;
	gint64 at;
} Datagram;

typedef struct {
	GSocket *sock;
	GCancellable *stop;
	GThread *reader;
	GMutex lock;
	GPtrArray *got; /* Datagram*, under lock */
} Fixture;

static void datagram_free(gpointer p)
{
	Datagram *d = p;
	g_free(d->text);
	g_free(d);
}

static gpointer reader_main(gpointer data)
{
	Fixture *fx = data;
	char buf[4096];
	for (;;) {
		g_autoptr(GError) error = NULL;
		gssize n = g_socket_receive(fx->sock, buf, sizeof buf - 1, fx->stop, &error);
		if (n < 0)
			break; /* cancelled at teardown */
		Datagram *d = g_new0(Datagram, 1);
		d->text = g_strndup(buf, n);
		d->at = g_get_monotonic_time();
		g_mutex_lock(&fx->lock);
		g_ptr_array_add(fx->got, d);
		g_mutex_unlock(&fx->lock);
	}
	return NULL;
}

/* The socket's path, set in NOTIFY_SOCKET by main() before any thread runs
 * (setenv is not thread-safe); a test that needs another environment changes
 * it in a subprocess, before that process has threads. */
static const char *notify_path(void)
{
	return g_getenv("NOTIFY_SOCKET");
}

static void fx_setup(Fixture *fx, gconstpointer data)
{
	/* a test's subprocess is the program under test: the parent listens */
	if (g_test_subprocess())
		return;
	g_autoptr(GError) error = NULL;
	g_unlink(notify_path());
	fx->sock = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
	g_assert_no_error(error);
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(notify_path());
	g_assert_true(g_socket_bind(fx->sock, addr, FALSE, &error));
	g_assert_no_error(error);
	fx->stop = g_cancellable_new();
	g_mutex_init(&fx->lock);
	fx->got = g_ptr_array_new_with_free_func(datagram_free);
	fx->reader = g_thread_new("systemd", reader_main, fx);
}

static void fx_teardown(Fixture *fx, gconstpointer data)
{
	if (g_test_subprocess())
		return;
	g_cancellable_cancel(fx->stop);
	g_thread_join(fx->reader);
	g_object_unref(fx->stop);
	g_object_unref(fx->sock);
	g_ptr_array_unref(fx->got);
	g_mutex_clear(&fx->lock);
	g_unlink(notify_path());
}

/* Datagrams equal to `text`, from index `from` on; *last_at: the time of the
 * last one. */
static guint count(Fixture *fx, const char *text, guint from, gint64 *last_at)
{
	guint n = 0;
	g_mutex_lock(&fx->lock);
	for (guint i = from; i < fx->got->len; i++) {
		Datagram *d = g_ptr_array_index(fx->got, i);
		if (g_str_equal(d->text, text)) {
			n++;
			if (last_at)
				*last_at = d->at;
		}
	}
	g_mutex_unlock(&fx->lock);
	return n;
}

static guint received(Fixture *fx)
{
	g_mutex_lock(&fx->lock);
	guint n = fx->got->len;
	g_mutex_unlock(&fx->lock);
	return n;
}

/* The index of the first datagram starting with `prefix` from `from`, or -1. */
static gint find(Fixture *fx, const char *prefix, guint from)
{
	gint at = -1;
	g_mutex_lock(&fx->lock);
	for (guint i = from; i < fx->got->len && at < 0; i++)
		if (g_str_has_prefix(((Datagram *)g_ptr_array_index(fx->got, i))->text, prefix))
			at = (gint)i;
	g_mutex_unlock(&fx->lock);
	return at;
}

typedef struct {
	Fixture *fx;
	guint from;
	guint want;
} PingWait;

static gboolean enough_pings(gpointer data)
{
	PingWait *w = data;
	return count(w->fx, "WATCHDOG=1", w->from, NULL) >= w->want;
}

static gboolean wait_pings(Fixture *fx, guint from, guint want)
{
	PingWait w = {fx, from, want};
	return rt_wait(enough_pings, &w, 10000);
}

static void disabled_child(void)
{
	g_unsetenv("NOTIFY_SOCKET");
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisNotify) n = relais_notify_new(NULL);
	g_assert_false(relais_notify_enabled(n));
	g_assert_cmpuint(relais_notify_watchdog_usec(n), ==, 0);
	g_assert_true(relais_notify_ready(n, "serving", &error));
	g_assert_true(relais_notify_status(n, "busy", &error));
	g_assert_true(relais_notify_stopping(n, &error));
	RelaisNotifyHeartbeat *hb = relais_notify_add_heartbeat(n, "media", 1000);
	relais_notify_beat(hb);
	rt_sleep(400);
	g_assert_cmpuint(relais_notify_pings(n), ==, 0);
}

static void test_disabled(Fixture *fx, gconstpointer data)
{
	if (g_test_subprocess()) {
		disabled_child();
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
	g_test_trap_assert_passed();
	rt_sleep(100);
	g_assert_cmpuint(received(fx), ==, 0);
}

/* NOTIFY_SOCKET without WATCHDOG_USEC (no WatchdogSec=), or a WATCHDOG_PID
 * naming another process: READY=1 but no pings. */
static void no_watchdog_child(void)
{
	g_autoptr(GError) error = NULL;
	g_unsetenv("WATCHDOG_USEC");
	g_autoptr(RelaisNotify) n = relais_notify_new(NULL);
	g_assert_true(relais_notify_enabled(n));
	g_assert_cmpuint(relais_notify_watchdog_usec(n), ==, 0);
	g_setenv("WATCHDOG_USEC", "300000", TRUE);
	g_setenv("WATCHDOG_PID", "1", TRUE);
	g_autoptr(RelaisNotify) other = relais_notify_new(NULL);
	g_assert_cmpuint(relais_notify_watchdog_usec(other), ==, 0);
	g_assert_true(relais_notify_ready(n, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(relais_notify_stopping(n, &error));
	rt_sleep(500);
	g_assert_cmpuint(relais_notify_pings(n) + relais_notify_pings(other), ==, 0);
}

static void test_no_watchdog(Fixture *fx, gconstpointer data)
{
	if (g_test_subprocess()) {
		no_watchdog_child();
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
	g_test_trap_assert_passed();
	rt_sleep(100);
	g_assert_cmpuint(count(fx, "READY=1", 0, NULL), ==, 1);
	g_assert_cmpuint(count(fx, "STOPPING=1", 0, NULL), ==, 1);
	g_assert_cmpuint(count(fx, "WATCHDOG=1", 0, NULL), ==, 0);
}

static gboolean block_loop(gpointer data)
{
	g_usleep(GPOINTER_TO_UINT(data) * 1000);
	return G_SOURCE_REMOVE;
}

static void test_ready_and_watchdog(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisNotify) n = relais_notify_new(NULL);
	g_assert_cmpuint(relais_notify_watchdog_usec(n), ==, 300000);
	g_assert_true(relais_notify_ready(n, "serving 2 booths", &error));
	g_assert_no_error(error);
	g_assert_true(wait_pings(fx, 0, 4));
	g_assert_cmpint(find(fx, "READY=1\nSTATUS=serving 2 booths", 0), ==, 0);
	g_assert_true(relais_notify_status(n, "serving 3 booths", &error));
	g_assert_true(wait_pings(fx, 0, 5));
	g_assert_cmpint(find(fx, "STATUS=serving 3 booths", 0), >, 0);

	/* a stuck main loop: nothing for 1.5 s, five times the timeout */
	gint64 before = 0, after = 0;
	guint seen = received(fx);
	g_idle_add(block_loop, GUINT_TO_POINTER(1500));
	g_assert_true(wait_pings(fx, seen, 2));
	count(fx, "WATCHDOG=1", 0, &before);
	/* the last ping before the block and the first after it */
	g_mutex_lock(&fx->lock);
	gint64 gap = 0;
	for (guint i = 1; i < fx->got->len; i++) {
		Datagram *a = g_ptr_array_index(fx->got, i - 1), *b = g_ptr_array_index(fx->got, i);
		gap = MAX(gap, b->at - a->at);
	}
	after = ((Datagram *)g_ptr_array_index(fx->got, fx->got->len - 1))->at;
	g_mutex_unlock(&fx->lock);
	g_assert_cmpint(gap, >=, 1000 * 1000);
	g_assert_cmpint(after, >=, before);
	/* and the loop feeds it again */
	guint now = received(fx);
	g_assert_true(wait_pings(fx, now, 3));
	g_assert_cmpuint(relais_notify_pings(n), ==, count(fx, "WATCHDOG=1", 0, NULL));
}

typedef struct {
	RelaisNotifyHeartbeat *hb;
	gint beating; /* atomic */
	gint quit;    /* atomic */
} MediaThread;

static gpointer media_main(gpointer data)
{
	MediaThread *m = data;
	while (!g_atomic_int_get(&m->quit)) {
		if (g_atomic_int_get(&m->beating))
			relais_notify_beat(m->hb);
		g_usleep(20 * 1000);
	}
	return NULL;
}

typedef struct {
	Fixture *fx;
	const char *prefix;
	guint from;
} FindWait;

static gboolean found(gpointer data)
{
	FindWait *w = data;
	return find(w->fx, w->prefix, w->from) >= 0;
}

static void test_heartbeat(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisNotify) n = relais_notify_new(NULL);
	g_assert_true(relais_notify_ready(n, "idle", &error));
	MediaThread m = {.hb = relais_notify_add_heartbeat(n, "media", 800 * 1000), .beating = 1};
	GThread *t = g_thread_new("media", media_main, &m);
	g_assert_true(wait_pings(fx, 0, 4));

	/* the media thread hangs, the loop still runs: the pings stop */
	g_atomic_int_set(&m.beating, 0);
	FindWait held = {fx, "STATUS=watchdog held: the media thread has been silent for", received(fx)};
	g_assert_true(rt_wait(found, &held, 10000));
	gint at = find(fx, held.prefix, held.from);
	rt_sleep(1000);
	g_assert_cmpuint(count(fx, "WATCHDOG=1", at, NULL), ==, 0);
	/* the held status is said once, not on every tick */
	g_assert_cmpint(find(fx, held.prefix, at + 1), <, 0);

	/* it beats again: pings again, and the program's status is back */
	g_atomic_int_set(&m.beating, 1);
	g_assert_true(wait_pings(fx, at, 3));
	FindWait back = {fx, "STATUS=idle", at};
	g_assert_true(rt_wait(found, &back, 10000));

	/* a thread with nothing to do is made inactive: its silence holds
	 * nothing back, and it starts afresh when made active again */
	relais_notify_heartbeat_set_active(m.hb, FALSE);
	g_atomic_int_set(&m.beating, 0);
	guint idle_from = received(fx);
	rt_sleep(1500);
	g_assert_cmpuint(count(fx, "WATCHDOG=1", idle_from, NULL), >=, 3);
	g_assert_cmpint(find(fx, held.prefix, idle_from), <, 0);
	relais_notify_heartbeat_set_active(m.hb, TRUE);
	guint active_from = received(fx);
	g_assert_true(wait_pings(fx, active_from, 2));
	g_assert_cmpint(find(fx, held.prefix, active_from), <, 0);

	g_atomic_int_set(&m.quit, 1);
	g_thread_join(t);
}

/* The booth's check on its camera thread, played by a flag. */
static char *health(gpointer data)
{
	return g_atomic_int_get((gint *)data) ? g_strdup("media thread stuck: no video buffer for 12.0 s") : NULL;
}

static void test_health(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisNotify) n = relais_notify_new(NULL);
	gint stuck = 0;
	relais_notify_set_health(n, health, &stuck);
	g_assert_true(relais_notify_ready(n, "in call", &error));
	g_assert_true(wait_pings(fx, 0, 3));

	/* unhealthy: the loop turns but sends no ping, says why once */
	g_atomic_int_set(&stuck, 1);
	g_test_expect_message("relais-notify", G_LOG_LEVEL_MESSAGE,
			      "media thread stuck: no video buffer for 12.0 s; not feeding the watchdog");
	FindWait held = {fx, "STATUS=watchdog held: media thread stuck: no video buffer for", received(fx)};
	g_assert_true(rt_wait(found, &held, 10000));
	g_test_assert_expected_messages();
	gint at = find(fx, held.prefix, held.from);
	rt_sleep(1000); /* six ticks: observing an absence takes time */
	g_assert_cmpuint(count(fx, "WATCHDOG=1", at, NULL), ==, 0);
	g_assert_cmpint(find(fx, held.prefix, at + 1), <, 0);

	/* healthy again: pings, and the program's status is back */
	g_test_expect_message("relais-notify", G_LOG_LEVEL_MESSAGE, "feeding the watchdog again");
	g_atomic_int_set(&stuck, 0);
	g_assert_true(wait_pings(fx, at, 3));
	g_test_assert_expected_messages();
	FindWait back = {fx, "STATUS=in call", at};
	g_assert_true(rt_wait(found, &back, 10000));

	/* cleared: nothing holds the pings back */
	relais_notify_set_health(n, NULL, NULL);
	g_atomic_int_set(&stuck, 1);
	guint from = received(fx);
	g_assert_true(wait_pings(fx, from, 3));
	g_assert_cmpint(find(fx, held.prefix, from), <, 0);
}

int main(int argc, char **argv)
{
	/* before any thread: the environment systemd gives a service (300 ms:
	 * a ping every 150 ms); a test's subprocess inherits it */
	g_autofree char *dir = NULL;
	if (g_getenv("RELAIS_TEST_NOTIFY_DIR") == NULL) {
		dir = g_dir_make_tmp("relais-sdnotify-XXXXXX", NULL);
		g_assert_nonnull(dir);
		g_autofree char *path = g_build_filename(dir, "notify", NULL);
		g_setenv("RELAIS_TEST_NOTIFY_DIR", dir, TRUE);
		g_setenv("NOTIFY_SOCKET", path, TRUE);
		g_setenv("WATCHDOG_USEC", "300000", TRUE);
		g_unsetenv("WATCHDOG_PID");
	}
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)
	ADD("/sdnotify/disabled", test_disabled);
	ADD("/sdnotify/no-watchdog", test_no_watchdog);
	ADD("/sdnotify/ready-and-watchdog", test_ready_and_watchdog);
	ADD("/sdnotify/heartbeat", test_heartbeat);
	ADD("/sdnotify/health", test_health);
	int rc = g_test_run();
	if (dir)
		rt_rm_rf(dir);
	return rc;
}
