/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The real programs under a systemd-like supervisor: the test binds the
 * AF_UNIX datagram socket a Type=notify unit would give them, starts
 * relais-switchboard and relais-booth with NOTIFY_SOCKET and WATCHDOG_USEC,
 * and reads READY=1 (with a STATUS= line), periodic WATCHDOG=1, no ping while
 * the process is stopped (SIGSTOP: nothing turns its loop), pings again after
 * SIGCONT, and STOPPING=1 on SIGTERM. The module's own test (test-sdnotify)
 * blocks the loop inside a running process and silences a heartbeat. */
#include "harness.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

/* The watchdog interval asked for: pings every 100 ms. */
#define WATCHDOG_USEC "200000"

typedef struct {
	char *dir;
	char *path;
	GSocket *sock;
	GPtrArray *got; /* char*: every datagram, in order */
	GSubprocess *proc;
} Fx;

static void fx_setup(Fx *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp("relais-notify-XXXXXX", &error);
	g_assert_no_error(error);
	fx->path = g_build_filename(fx->dir, "notify.sock", NULL);
	fx->sock = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
	g_assert_no_error(error);
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(fx->path);
	g_assert_true(g_socket_bind(fx->sock, addr, FALSE, &error));
	g_socket_set_blocking(fx->sock, FALSE);
	fx->got = g_ptr_array_new_with_free_func(g_free);
}

static void fx_teardown(Fx *fx, gconstpointer data)
{
	rt_stop(&fx->proc);
	g_object_unref(fx->sock);
	g_ptr_array_unref(fx->got);
	rt_rm_rf(fx->dir);
	g_free(fx->path);
	g_free(fx->dir);
}

/* Reads what has arrived (non-blocking). */
static void drain(Fx *fx)
{
	char buf[4096];
	gssize n;
	while ((n = g_socket_receive(fx->sock, buf, sizeof buf, NULL, NULL)) > 0)
		g_ptr_array_add(fx->got, g_strndup(buf, n));
}

static guint count_from(Fx *fx, guint from, const char *prefix)
{
	guint n = 0;
	for (guint i = from; i < fx->got->len; i++)
		if (g_str_has_prefix(fx->got->pdata[i], prefix))
			n++;
	return n;
}

typedef struct {
	Fx *fx;
	guint from;
	const char *prefix;
	guint want;
} Want;

static gboolean have(gpointer data)
{
	Want *w = data;
	drain(w->fx);
	return count_from(w->fx, w->from, w->prefix) >= w->want;
}

static void expect(Fx *fx, guint from, const char *prefix, guint want)
{
	Want w = {fx, from, prefix, want};
	if (!rt_wait(have, &w, 20000))
		g_error("expected %u datagram(s) '%s…' after #%u, got %u of %u", want, prefix, from,
			count_from(fx, from, prefix), fx->got->len);
}

static GSubprocess *spawn(Fx *fx, const char *log_name, const char *const *argv)
{
	g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
	g_autofree char *log = g_build_filename(fx->dir, log_name, NULL);
	g_subprocess_launcher_set_stderr_file_path(l, log);
	g_subprocess_launcher_setenv(l, "NOTIFY_SOCKET", fx->path, TRUE);
	g_subprocess_launcher_setenv(l, "WATCHDOG_USEC", WATCHDOG_USEC, TRUE);
	g_subprocess_launcher_unsetenv(l, "WATCHDOG_PID");
	g_autoptr(GError) error = NULL;
	GSubprocess *p = g_subprocess_launcher_spawnv(l, argv, &error);
	g_assert_no_error(error);
	return p;
}

/* The process is stopped ('T' in /proc/PID/stat). */
static gboolean is_stopped(gpointer pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%s/stat", (const char *)pid);
	g_autofree char *stat = NULL;
	if (!g_file_get_contents(path, &stat, NULL, NULL))
		return FALSE;
	const char *end = strrchr(stat, ')'); /* after the command name */
	return end && end[1] == ' ' && end[2] == 'T';
}

/* READY=1 with a status, pings, none while stopped, pings again, STOPPING=1. */
static void supervise(Fx *fx, const char *status_prefix)
{
	expect(fx, 0, "READY=1", 1);
	gint ready = -1;
	for (guint i = 0; i < fx->got->len && ready < 0; i++)
		if (g_str_has_prefix(fx->got->pdata[i], "READY=1"))
			ready = (gint)i;
	g_autofree char *status = g_strconcat("STATUS=", status_prefix, NULL);
	g_assert_nonnull(strstr(fx->got->pdata[ready], status));
	expect(fx, 0, "WATCHDOG=1", 3);

	/* a process whose loop cannot turn sends nothing */
	const char *pid = g_subprocess_get_identifier(fx->proc);
	kill((pid_t)g_ascii_strtoll(pid, NULL, 10), SIGSTOP);
	/* once it is stopped, every ping it sent is in the socket's queue */
	g_assert_true(rt_wait(is_stopped, (gpointer)pid, 10000));
	drain(fx);
	guint mark = fx->got->len;
	rt_sleep(1000); /* five intervals: observing an absence takes time */
	drain(fx);
	g_assert_cmpuint(count_from(fx, mark, "WATCHDOG=1"), ==, 0);
	kill((pid_t)g_ascii_strtoll(pid, NULL, 10), SIGCONT);
	expect(fx, mark, "WATCHDOG=1", 2);

	g_subprocess_send_signal(fx->proc, SIGTERM);
	expect(fx, mark, "STOPPING=1", 1);
	g_autoptr(GError) error = NULL;
	g_assert_true(g_subprocess_wait(fx->proc, NULL, &error));
	g_assert_true(g_subprocess_get_if_exited(fx->proc));
	g_assert_cmpint(g_subprocess_get_exit_status(fx->proc), ==, 0);
	g_clear_object(&fx->proc);
}

static void test_switchboard(Fx *fx, gconstpointer data)
{
	g_autofree char *bin = g_build_filename(rt_build(), "bin", "relais-switchboard", NULL);
	g_autofree char *store = g_build_filename(fx->dir, "sb-data", NULL);
	const char *argv[] = {bin, "--data", store, "--port", "0", NULL};
	fx->proc = spawn(fx, "switchboard.log", argv);
	supervise(fx, "listening on http://127.0.0.1:");
}

static void test_booth(Fx *fx, gconstpointer data)
{
	g_autofree char *bin = g_build_filename(rt_build(), "bin", "relais-booth", NULL);
	g_autofree char *pipelines = rt_pipelines_dir();
	/* no switchboard: the booth is ready (its attract screen or its
	 * out-of-order reason is up) whether or not the link is */
	const char *argv[] = {bin,	    "--switchboard", "ws://127.0.0.1:9/ws/booth",
			      "--booth-id", "notify-1",	     "--pipelines",
			      pipelines,    "--board",	     "sim",
			      NULL};
	fx->proc = spawn(fx, "booth.log", argv);
	supervise(fx, "booth notify-1");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/notify/switchboard", Fx, NULL, fx_setup, test_switchboard, fx_teardown);
	g_test_add("/notify/booth", Fx, NULL, fx_setup, test_booth, fx_teardown);
	return g_test_run();
}
