/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The real programs under a systemd-like supervisor: the test binds the
 * AF_UNIX datagram socket a Type=notify unit would give them (with
 * SO_PASSCRED, so that each datagram names its sender, as systemd's
 * NotifyAccess=main checks), starts relais-switchboard and relais-booth with
 * NOTIFY_SOCKET and WATCHDOG_USEC, and reads what they say:
 *
 *   - READY=1 (with a STATUS= line), periodic WATCHDOG=1, no ping while the
 *     process is stopped (SIGSTOP), pings again after SIGCONT, STOPPING=1 on
 *     SIGTERM; the test hook is refused without RELAIS_BOOTH_TEST_HOOKS=1;
 *   - the booth's main loop blocked from inside (debug-block main): no ping
 *     during the block, pings after it;
 *   - the camera's streaming thread stuck in a call (debug-block media): the
 *     loop still turns but the pings stop, STATUS= and the log name the
 *     media thread, and pings come back when the thread does;
 *   - the booth killed in a call and started again, as systemd restarts a
 *     hung one: it is idle, the switchboard ends the call at once, and
 *     nothing of the session is on disk (nor in its log, which journald
 *     keeps).
 *
 * Every datagram is read by a thread and stamped on the monotonic clock,
 * which the booth's test hook also uses for the block's window. */
#include "harness.h"
#include "media.h"
#include "mediaconf.h"

#include <gio/gunixcredentialsmessage.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>

/* The watchdog interval of the SIGSTOP tests: pings every 100 ms. */
#define WATCHDOG_USEC "200000"
/* The main-loop block: pings every 500 ms. */
#define BLOCK_WATCHDOG_USEC "1000000"
/* Booths started by the harness inherit the process's environment (set in
 * main()): pings every 2 s, and the camera thread may be silent 2 s (a
 * margin against a loaded test machine's scheduling). */
#define CALL_WATCHDOG_USEC "4000000"

/* What the visitor and the adviser say in the restarted session: it must
 * not be anywhere on disk afterwards. */
#define VISITOR_SECRET "visitor-secret-4417 mon numéro"
#define ADVISER_SECRET "adviser-secret-8093 votre dossier"

typedef struct {
	char *text;
	gint64 at;  /* g_get_monotonic_time() when read */
	gint64 pid; /* the sender (SCM_CREDENTIALS), 0 if unknown */
} Datagram;

typedef struct {
	char *dir;
	GSocket *sock;
	GCancellable *stop;
	GThread *reader;
	GMutex lock;
	GPtrArray *got; /* Datagram*, under lock */
	GSubprocess *proc;
	/* a call: the switchboard, the harness's adviser and its media */
	guint port;
	GSubprocess *sb;
	RtClient *adviser;
	RelaisMediaConf *conf;
	RelaisMedia *media;
	char *call;
	char *end_reason;
} Fx;

static void datagram_free(gpointer p)
{
	Datagram *d = p;
	g_free(d->text);
	g_free(d);
}

/* The socket's path, set in NOTIFY_SOCKET by main() before any thread. */
static const char *notify_path(void)
{
	return g_getenv("NOTIFY_SOCKET");
}

static gpointer reader_main(gpointer data)
{
	Fx *fx = data;
	char buf[4096];
	for (;;) {
		GInputVector v = {buf, sizeof buf};
		GSocketControlMessage **msgs = NULL;
		gint n_msgs = 0;
		gssize n = g_socket_receive_message(fx->sock, NULL, &v, 1, &msgs, &n_msgs, NULL, fx->stop, NULL);
		if (n < 0)
			break; /* cancelled at teardown */
		Datagram *d = g_new0(Datagram, 1);
		d->at = g_get_monotonic_time();
		d->text = g_strndup(buf, n);
		for (gint i = 0; i < n_msgs; i++) {
			if (G_IS_UNIX_CREDENTIALS_MESSAGE(msgs[i])) {
				GCredentials *c =
					g_unix_credentials_message_get_credentials(G_UNIX_CREDENTIALS_MESSAGE(msgs[i]));
				d->pid = g_credentials_get_unix_pid(c, NULL);
			}
			g_object_unref(msgs[i]);
		}
		g_free(msgs);
		g_mutex_lock(&fx->lock);
		g_ptr_array_add(fx->got, d);
		g_mutex_unlock(&fx->lock);
	}
	return NULL;
}

static void fx_setup(Fx *fx, gconstpointer data)
{
	rt_tolerate_known_upstream_criticals();
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp("relais-notify-XXXXXX", &error);
	g_assert_no_error(error);
	g_unlink(notify_path());
	fx->sock = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
	g_assert_no_error(error);
	g_assert_true(g_socket_set_option(fx->sock, SOL_SOCKET, SO_PASSCRED, 1, &error));
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(notify_path());
	g_assert_true(g_socket_bind(fx->sock, addr, FALSE, &error));
	g_assert_no_error(error);
	fx->stop = g_cancellable_new();
	g_mutex_init(&fx->lock);
	fx->got = g_ptr_array_new_with_free_func(datagram_free);
	fx->reader = g_thread_new("systemd", reader_main, fx);
}

static void fx_teardown(Fx *fx, gconstpointer data)
{
	g_clear_pointer(&fx->media, relais_media_free);
	g_clear_pointer(&fx->adviser, rt_client_free);
	rt_stop(&fx->proc);
	rt_stop(&fx->sb);
	g_clear_pointer(&fx->conf, relais_media_conf_free);
	g_cancellable_cancel(fx->stop);
	g_thread_join(fx->reader);
	g_object_unref(fx->stop);
	g_object_unref(fx->sock);
	g_ptr_array_unref(fx->got);
	g_mutex_clear(&fx->lock);
	g_unlink(notify_path());
	if (g_test_failed())
		g_test_message("logs kept in %s", fx->dir);
	else
		rt_rm_rf(fx->dir);
	g_free(fx->dir);
	g_free(fx->call);
	g_free(fx->end_reason);
}

/* --- what arrived ---------------------------------------------------------- */

static gint64 pid_of(GSubprocess *p)
{
	return g_ascii_strtoll(g_subprocess_get_identifier(p), NULL, 10);
}

static guint received(Fx *fx)
{
	g_mutex_lock(&fx->lock);
	guint n = fx->got->len;
	g_mutex_unlock(&fx->lock);
	return n;
}

static gboolean matches(Datagram *d, const char *prefix, gint64 pid)
{
	return (pid == 0 || d->pid == pid) && g_str_has_prefix(d->text, prefix);
}

/* Datagrams from `pid` (0: anyone) starting with `prefix`, from index
 * `from` on. */
static guint count_from(Fx *fx, guint from, const char *prefix, gint64 pid)
{
	guint n = 0;
	g_mutex_lock(&fx->lock);
	for (guint i = from; i < fx->got->len; i++)
		n += matches(g_ptr_array_index(fx->got, i), prefix, pid);
	g_mutex_unlock(&fx->lock);
	return n;
}

/* The same, read between t0 and t1 (monotonic). */
static guint count_between(Fx *fx, const char *prefix, gint64 pid, gint64 t0, gint64 t1)
{
	guint n = 0;
	g_mutex_lock(&fx->lock);
	for (guint i = 0; i < fx->got->len; i++) {
		Datagram *d = g_ptr_array_index(fx->got, i);
		n += matches(d, prefix, pid) && d->at >= t0 && d->at <= t1;
	}
	g_mutex_unlock(&fx->lock);
	return n;
}

/* The index of the first such datagram from `from` on, or -1; *at: when it
 * was read. */
static gint find_from(Fx *fx, guint from, const char *prefix, gint64 pid, gint64 *at)
{
	gint found = -1;
	g_mutex_lock(&fx->lock);
	for (guint i = from; i < fx->got->len && found < 0; i++) {
		Datagram *d = g_ptr_array_index(fx->got, i);
		if (matches(d, prefix, pid)) {
			found = (gint)i;
			if (at)
				*at = d->at;
		}
	}
	g_mutex_unlock(&fx->lock);
	return found;
}

static char *text_at(Fx *fx, gint index)
{
	g_mutex_lock(&fx->lock);
	char *text = g_strdup(((Datagram *)g_ptr_array_index(fx->got, index))->text);
	g_mutex_unlock(&fx->lock);
	return text;
}

typedef struct {
	Fx *fx;
	guint from;
	const char *prefix;
	gint64 pid;
	guint want;
	gint64 after; /* only datagrams read after this time count */
} Want;

static gboolean have(gpointer data)
{
	Want *w = data;
	if (w->after == 0)
		return count_from(w->fx, w->from, w->prefix, w->pid) >= w->want;
	return count_between(w->fx, w->prefix, w->pid, w->after, G_MAXINT64) >= w->want;
}

static void expect_full(Fx *fx, guint from, const char *prefix, gint64 pid, guint want, gint64 after)
{
	Want w = {fx, from, prefix, pid, want, after};
	if (!rt_wait(have, &w, 20000))
		g_error("expected %u datagram(s) '%s…' from pid %" G_GINT64_FORMAT " after #%u, got %u of %u", want,
			prefix, pid, from, count_from(fx, from, prefix, pid), received(fx));
}

static void expect(Fx *fx, guint from, const char *prefix, guint want)
{
	expect_full(fx, from, prefix, 0, want, 0);
}

/* --- the programs ---------------------------------------------------------- */

static GSubprocess *spawn(Fx *fx, const char *log_name, const char *watchdog_usec, gboolean hooks,
			  const char *const *argv)
{
	g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
	g_autofree char *log = g_build_filename(fx->dir, log_name, NULL);
	g_subprocess_launcher_set_stderr_file_path(l, log);
	g_subprocess_launcher_setenv(l, "NOTIFY_SOCKET", notify_path(), TRUE);
	g_subprocess_launcher_setenv(l, "WATCHDOG_USEC", watchdog_usec, TRUE);
	g_subprocess_launcher_unsetenv(l, "WATCHDOG_PID");
	if (hooks)
		g_subprocess_launcher_setenv(l, "RELAIS_BOOTH_TEST_HOOKS", "1", TRUE);
	else
		g_subprocess_launcher_unsetenv(l, "RELAIS_BOOTH_TEST_HOOKS");
	g_autoptr(GError) error = NULL;
	GSubprocess *p = g_subprocess_launcher_spawnv(l, argv, &error);
	g_assert_no_error(error);
	return p;
}

/* A booth without a switchboard, with a control socket dir/<id>.sock: it is
 * ready (its attract screen or its out-of-order reason is up) whether or
 * not the link is. */
static GSubprocess *spawn_booth(Fx *fx, const char *id, const char *watchdog_usec, gboolean hooks)
{
	g_autofree char *bin = g_build_filename(rt_build(), "bin", "relais-booth", NULL);
	g_autofree char *pipelines = rt_pipelines_dir();
	g_autofree char *sock_name = g_strdup_printf("%s.sock", id);
	g_autofree char *sock = g_build_filename(fx->dir, sock_name, NULL);
	g_autofree char *log = g_strdup_printf("%s.log", id);
	const char *argv[] = {bin,
			      "--switchboard",
			      "ws://127.0.0.1:9/ws/booth",
			      "--booth-id",
			      id,
			      "--pipelines",
			      pipelines,
			      "--board",
			      "sim",
			      "--control",
			      sock,
			      NULL};
	return spawn(fx, log, watchdog_usec, hooks, argv);
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
	gint ready = find_from(fx, 0, "READY=1", 0, NULL);
	g_autofree char *ready_text = text_at(fx, ready);
	g_autofree char *status = g_strconcat("STATUS=", status_prefix, NULL);
	g_assert_nonnull(strstr(ready_text, status));
	expect(fx, 0, "WATCHDOG=1", 3);

	/* a process whose loop cannot turn sends nothing */
	const char *pid = g_subprocess_get_identifier(fx->proc);
	kill((pid_t)g_ascii_strtoll(pid, NULL, 10), SIGSTOP);
	g_assert_true(rt_wait(is_stopped, (gpointer)pid, 10000));
	/* what it sent before it stopped is read within a few ms */
	gint64 stopped = g_get_monotonic_time() + 200 * 1000;
	rt_sleep(1200); /* ten intervals: observing an absence takes time */
	g_assert_cmpuint(count_between(fx, "WATCHDOG=1", 0, stopped, G_MAXINT64), ==, 0);
	guint mark = received(fx);
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
	fx->proc = spawn(fx, "switchboard.log", WATCHDOG_USEC, FALSE, argv);
	supervise(fx, "listening on http://127.0.0.1:");
}

static void test_booth(Fx *fx, gconstpointer data)
{
	fx->proc = spawn_booth(fx, "notify-1", WATCHDOG_USEC, FALSE);
	expect(fx, 0, "READY=1", 1);
	/* a booth started without RELAIS_BOOTH_TEST_HOOKS=1 (a field booth)
	 * has no test hook: an unknown command, and its loop goes on */
	g_autoptr(JsonObject) r =
		rt_control(fx->dir, "notify-1", "{\"cmd\":\"debug-block\",\"thread\":\"main\",\"seconds\":5}");
	g_assert_nonnull(r);
	g_assert_false(json_object_get_boolean_member(r, "ok"));
	g_assert_nonnull(strstr(rt_json_str(r, "error"), "unknown command 'debug-block'"));
	supervise(fx, "booth notify-1");
}

/* The main loop blocked from inside: no ping during the block (the window
 * comes from the booth, on the same monotonic clock), pings before and
 * after it. */
static void test_booth_main_blocked(Fx *fx, gconstpointer data)
{
	fx->proc = spawn_booth(fx, "block-1", BLOCK_WATCHDOG_USEC, TRUE);
	gint64 pid = pid_of(fx->proc);
	expect_full(fx, 0, "READY=1", pid, 1, 0);
	expect_full(fx, 0, "WATCHDOG=1", pid, 4, 0);

	/* bad input gets a clear error, and blocks nothing */
	const char *bad[] = {
		"{\"cmd\":\"debug-block\",\"thread\":\"main\",\"seconds\":0}",
		"{\"cmd\":\"debug-block\",\"thread\":\"main\",\"seconds\":\"3\"}",
		"{\"cmd\":\"debug-block\",\"thread\":\"main\",\"seconds\":121}",
		"{\"cmd\":\"debug-block\",\"thread\":\"ui\",\"seconds\":3}",
		"{\"cmd\":\"debug-block\",\"seconds\":3}",
		/* nothing plays while idle without a screen */
		"{\"cmd\":\"debug-block\",\"thread\":\"media\",\"seconds\":3}",
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(JsonObject) r = rt_control(fx->dir, "block-1", bad[i]);
		g_assert_nonnull(r);
		g_assert_false(json_object_get_boolean_member(r, "ok"));
		g_test_message("%s -> %s", bad[i], rt_json_str(r, "error"));
	}
	g_autoptr(JsonObject) idle_media =
		rt_control(fx->dir, "block-1", "{\"cmd\":\"debug-block\",\"thread\":\"media\",\"seconds\":3}");
	g_assert_nonnull(strstr(rt_json_str(idle_media, "error"), "no media pipeline is playing"));

	/* replies once the block is over */
	g_autoptr(JsonObject) r =
		rt_control(fx->dir, "block-1", "{\"cmd\":\"debug-block\",\"thread\":\"main\",\"seconds\":3}");
	g_assert_nonnull(r);
	g_assert_true(json_object_get_boolean_member(r, "ok"));
	gint64 from = rt_json_int(r, "from_us", 0), until = rt_json_int(r, "until_us", 0);
	g_assert_cmpint(until - from, >=, 3 * G_USEC_PER_SEC);
	g_assert_cmpint(until, <=, g_get_monotonic_time());

	/* pings again after it; then everything sent during it has been read */
	expect_full(fx, 0, "WATCHDOG=1", pid, 2, until);
	/* it was fed right before (every 500 ms), so the test can fail... */
	g_assert_cmpuint(count_between(fx, "WATCHDOG=1", pid, from - 2 * G_USEC_PER_SEC, from), >=, 2);
	/* ...and nothing came during the block (a ping sent just before it may
	 * be read a little after it began) */
	g_assert_cmpuint(count_between(fx, "WATCHDOG=1", pid, from + 300 * 1000, until), ==, 0);
	g_assert_cmpuint(count_from(fx, 0, "STATUS=watchdog held", pid), ==, 0);
}

/* --- a call: the harness's switchboard, booth and adviser ------------------- */

static void adv_sdp(RelaisMedia *m, const char *type, const char *sdp, gpointer data)
{
	Fx *fx = data;
	JsonObject *o = relais_msg_new(RELAIS_MSG_SDP);
	json_object_set_string_member(o, "call", fx->call);
	json_object_set_string_member(o, "sdp_type", type);
	json_object_set_string_member(o, "sdp", sdp);
	rt_client_send(fx->adviser, o);
}

static void adv_ice(RelaisMedia *m, guint mline, const char *candidate, gpointer data)
{
	Fx *fx = data;
	JsonObject *o = relais_msg_new(RELAIS_MSG_ICE);
	json_object_set_string_member(o, "call", fx->call);
	json_object_set_string_member(o, "candidate", candidate);
	json_object_set_int_member(o, "mline", mline);
	rt_client_send(fx->adviser, o);
}

static const RelaisMediaCallbacks adv_callbacks = {adv_sdp, adv_ice, NULL, NULL};

static void on_adviser_msg(RtClient *c, RelaisMsg *msg, gpointer data)
{
	Fx *fx = data;
	g_autoptr(GError) error = NULL;
	switch (relais_msg_get_type(msg)) {
	case RELAIS_MSG_CALL:
		g_free(fx->call);
		fx->call = g_strdup(relais_msg_get_string(msg, "call"));
		fx->media = relais_media_new(fx->conf, RELAIS_MEDIA_ANSWERER, &adv_callbacks, fx, &error);
		g_assert_no_error(error);
		g_assert_true(relais_media_start(fx->media, NULL, &error));
		break;
	case RELAIS_MSG_SDP:
		if (fx->media &&
		    !relais_media_set_remote(fx->media, "offer", relais_msg_get_string(msg, "sdp"), &error))
			g_test_message("adviser: %s", error->message);
		break;
	case RELAIS_MSG_ICE:
		if (fx->media)
			relais_media_add_ice(fx->media, (guint)relais_msg_get_int(msg, "mline", 0),
					     relais_msg_get_string(msg, "candidate"));
		break;
	case RELAIS_MSG_END:
		if (g_strcmp0(relais_msg_get_string(msg, "call"), fx->call) == 0) {
			g_free(fx->end_reason);
			fx->end_reason = g_strdup(relais_msg_get_string(msg, "reason"));
			if (fx->end_reason == NULL)
				fx->end_reason = g_strdup("");
		}
		break;
	default:
		break;
	}
}

typedef struct {
	Fx *fx;
	const char *booth_id;
	const char *state;
} BoothSeen;

/* the adviser's booth list shows booth_id in state */
static gboolean booth_listed(gpointer data)
{
	BoothSeen *s = data;
	JsonObject *b = rt_client_booth(s->fx->adviser, s->booth_id);
	return b && g_strcmp0(json_object_get_string_member(b, "state"), s->state) == 0;
}

static gboolean queue_nonempty(gpointer data)
{
	Fx *fx = data;
	RelaisMsg *m = rt_client_last(fx->adviser, RELAIS_MSG_QUEUE);
	return m && json_array_get_length(relais_msg_get_array(m, "queue")) > 0;
}

typedef struct {
	Fx *fx;
	const char *booth_id;
	const char *member; /* a dotted status path */
	gint64 above;
} StatusWait;

static gboolean status_above(gpointer data)
{
	StatusWait *w = data;
	g_autoptr(JsonObject) st = rt_control(w->fx->dir, w->booth_id, "{\"cmd\":\"status\"}");
	return st && rt_json_int(st, w->member, 0) > w->above;
}

static gint64 status_int(Fx *fx, const char *booth_id, const char *member)
{
	g_autoptr(JsonObject) st = rt_control(fx->dir, booth_id, "{\"cmd\":\"status\"}");
	return rt_json_int(st, member, -1);
}

/* The switchboard, the booth and the adviser, then a visitor's request the
 * adviser accepts, until video flows both ways. */
static GSubprocess *start_call(Fx *fx, const char *booth_id)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *pipelines = rt_pipelines_dir();
	fx->conf = relais_media_conf_load_board(pipelines, "sim", &error);
	g_assert_no_error(error);
	fx->sb = rt_start_switchboard(fx->dir, 0, &fx->port);
	GSubprocess *booth = rt_start_booth(fx->dir, fx->port, booth_id, pipelines, "sim");
	fx->adviser = rt_client_new(fx->port, "/ws/adviser", on_adviser_msg, fx);
	rt_client_send_text(fx->adviser,
			    "{\"type\":\"hello\",\"version\":1,\"role\":\"adviser\",\"name\":\"C adviser\"}");
	BoothSeen idle = {fx, booth_id, "idle"};
	g_assert_true(rt_wait(booth_listed, &idle, 10000));

	g_autoptr(JsonObject) r = rt_control(fx->dir, booth_id,
					     "{\"cmd\":\"request\",\"topic\":\"job-search\",\"language\":\"fr\","
					     "\"answers\":{\"situation\":\"job-seeker\"}}");
	g_assert_true(json_object_get_boolean_member(r, "ok"));
	g_assert_true(rt_wait(queue_nonempty, fx, 5000));
	RelaisMsg *q = rt_client_last(fx->adviser, RELAIS_MSG_QUEUE);
	JsonObject *entry = json_array_get_object_element(relais_msg_get_array(q, "queue"), 0);
	JsonObject *accept = relais_msg_new(RELAIS_MSG_ACCEPT);
	json_object_set_string_member(accept, "ticket", json_object_get_string_member(entry, "ticket"));
	rt_client_send(fx->adviser, accept);
	StatusWait flowing = {fx, booth_id, "media.video_frames_received", 30};
	g_assert_true(rt_wait(status_above, &flowing, 20000));
	g_autoptr(JsonObject) st = rt_control(fx->dir, booth_id, "{\"cmd\":\"status\"}");
	g_assert_cmpstr(rt_json_str(st, "state"), ==, "in_call");
	return booth;
}

static gboolean log_has(Fx *fx, const char *log_name, const char *text)
{
	g_autofree char *path = g_build_filename(fx->dir, log_name, NULL);
	g_autofree char *log = NULL;
	return g_file_get_contents(path, &log, NULL, NULL) && strstr(log, text) != NULL;
}

/* The camera's streaming thread stuck in a call: the main loop still turns
 * (the control socket answers) but the pings stop, the reason is said once,
 * and they come back with the thread. */
static void test_booth_media_stuck(Fx *fx, gconstpointer data)
{
	fx->proc = start_call(fx, "stuck-1");
	gint64 pid = pid_of(fx->proc);
	expect_full(fx, 0, "READY=1", pid, 1, 0);
	/* in a call, the watchdog is fed: the camera delivers */
	expect_full(fx, 0, "WATCHDOG=1", pid, 2, g_get_monotonic_time());
	g_assert_cmpuint(count_from(fx, 0, "STATUS=watchdog held", pid), ==, 0);
	/* the camera's limit is capped at half the watchdog (Kconfig: 10 s) */
	g_assert_true(log_has(fx, "stuck-1.log", "a playing camera has delivered a frame within 2000 ms"));

	guint mark = received(fx);
	g_autoptr(JsonObject) r =
		rt_control(fx->dir, "stuck-1", "{\"cmd\":\"debug-block\",\"thread\":\"media\",\"seconds\":10}");
	g_assert_nonnull(r);
	g_assert_true(json_object_get_boolean_member(r, "ok"));
	gint64 until = rt_json_int(r, "until_us", 0);

	/* noticed within the limit (2 s: half of WATCHDOG_USEC) and a tick */
	const char *held_prefix = "STATUS=watchdog held: media thread stuck: no video buffer for";
	expect_full(fx, mark, held_prefix, pid, 1, 0);
	gint64 held_at = 0;
	gint held = find_from(fx, mark, held_prefix, pid, &held_at);
	g_assert_cmpint(held_at, <, until - 4 * G_USEC_PER_SEC);
	/* the main loop is not what is stuck: it answers */
	g_autoptr(JsonObject) during = rt_control(fx->dir, "stuck-1", "{\"cmd\":\"status\"}");
	g_assert_cmpstr(rt_json_str(during, "state"), ==, "in_call");
	gint64 frames = status_int(fx, "stuck-1", "media.video_frames_sent");

	/* the first ping after the hold comes only once the thread is back */
	expect_full(fx, (guint)held, "WATCHDOG=1", pid, 1, 0);
	gint64 back_at = 0;
	find_from(fx, (guint)held, "WATCHDOG=1", pid, &back_at);
	g_assert_cmpint(back_at, >=, until);
	g_test_message("camera thread stalled 10 s: pings held %.1f s after the stall began, back %.0f ms after it "
		       "ended",
		       (held_at - rt_json_int(r, "from_us", 0)) / 1e6, (back_at - until) / 1e3);
	/* the status is the booth's own again, and the reason was said once */
	expect_full(fx, (guint)held, "STATUS=booth stuck-1", pid, 1, 0);
	g_assert_cmpuint(count_from(fx, mark, held_prefix, pid), ==, 1);
	g_assert_true(log_has(fx, "stuck-1.log", "media thread stuck: no video buffer for"));
	g_assert_true(log_has(fx, "stuck-1.log", "s; not feeding the watchdog"));
	/* the call goes on: frames are sent again */
	StatusWait sending = {fx, "stuck-1", "media.video_frames_sent", frames + 10};
	g_assert_true(rt_wait(status_above, &sending, 10000));
	expect_full(fx, 0, "WATCHDOG=1", pid, 3, until);
}

static gboolean contains(const char *bytes, gsize len, const char *needle)
{
	gsize n = strlen(needle);
	for (gsize i = 0; i + n <= len; i++)
		if (memcmp(bytes + i, needle, n) == 0)
			return TRUE;
	return FALSE;
}

/* What a visitor said must not be in any file under `path` (recursively). */
static void assert_no_secret(const char *path)
{
	if (g_file_test(path, G_FILE_TEST_IS_SYMLINK))
		return;
	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
		const char *name;
		while (d && (name = g_dir_read_name(d))) {
			g_autofree char *child = g_build_filename(path, name, NULL);
			assert_no_secret(child);
		}
		return;
	}
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
		return; /* the control socket */
	g_autofree char *bytes = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
	const char *secrets[] = {VISITOR_SECRET, ADVISER_SECRET};
	for (guint i = 0; i < G_N_ELEMENTS(secrets); i++)
		if (contains(bytes, len, secrets[i]))
			g_error("'%s' is in %s", secrets[i], path);
}

static gboolean ended(gpointer data)
{
	return ((Fx *)data)->end_reason != NULL;
}

static gboolean booth_has_chat(gpointer data)
{
	Fx *fx = data;
	g_autoptr(JsonObject) st = rt_control(fx->dir, "restart-1", "{\"cmd\":\"status\"}");
	JsonArray *chat = st ? json_object_get_array_member(st, "chat") : NULL;
	return chat && json_array_get_length(chat) == 2;
}

/* Killed in a call (as systemd does with a hung booth: SIGABRT then a start)
 * and started again with the same places: it is idle with nothing of the
 * session, the switchboard ends the call at once, and nothing the visitor
 * said is on disk. */
static void test_booth_restart_mid_session(Fx *fx, gconstpointer data)
{
	fx->proc = start_call(fx, "restart-1");
	g_autofree char *line = g_strdup_printf("{\"cmd\":\"chat\",\"text\":\"%s\"}", VISITOR_SECRET);
	g_autoptr(JsonObject) said = rt_control(fx->dir, "restart-1", line);
	g_assert_true(json_object_get_boolean_member(said, "ok"));
	JsonObject *chat = relais_msg_new(RELAIS_MSG_CHAT);
	json_object_set_string_member(chat, "call", fx->call);
	json_object_set_string_member(chat, "text", ADVISER_SECRET);
	rt_client_send(fx->adviser, chat);
	g_assert_true(rt_wait(booth_has_chat, fx, 5000));
	g_autofree char *call = g_strdup(fx->call);

	g_subprocess_send_signal(fx->proc, SIGKILL);
	g_assert_true(g_subprocess_wait(fx->proc, NULL, NULL));
	g_assert_true(g_subprocess_get_if_signaled(fx->proc));
	g_clear_object(&fx->proc);
	g_assert_null(fx->end_reason); /* the switchboard holds the call for a while */
	/* a killed process leaves its socket file behind */
	g_autofree char *sock = g_build_filename(fx->dir, "restart-1.sock", NULL);
	g_unlink(sock);

	gint64 restarted = g_get_monotonic_time();
	g_autofree char *pipelines = rt_pipelines_dir();
	fx->proc = rt_start_booth(fx->dir, fx->port, "restart-1", pipelines, "sim");
	expect_full(fx, 0, "READY=1", pid_of(fx->proc), 1, 0);
	g_autoptr(JsonObject) st = rt_control(fx->dir, "restart-1", "{\"cmd\":\"status\"}");
	g_assert_nonnull(st);
	g_assert_cmpstr(rt_json_str(st, "state"), ==, "idle");
	g_assert_false(json_object_has_member(st, "call"));
	g_assert_false(json_object_has_member(st, "media"));
	g_assert_false(json_object_has_member(st, "last_call"));
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(st, "chat")), ==, 0);

	/* back without its call: the switchboard ends it now, not after its
	 * 15 s grace, and lists the booth idle */
	g_assert_true(rt_wait(ended, fx, 10000));
	g_assert_cmpstr(fx->end_reason, ==, "peer-lost");
	g_assert_cmpint(g_get_monotonic_time() - restarted, <, 10 * G_USEC_PER_SEC);
	g_assert_cmpstr(fx->call, ==, call);
	BoothSeen idle = {fx, "restart-1", "idle"};
	g_assert_true(rt_wait(booth_listed, &idle, 5000));
	g_assert_true(log_has(fx, "switchboard.log", "is back without call"));

	/* nothing of the session on disk: not in the booth's places (its home,
	 * state, data, config and temp folders are under the test's), nor in
	 * its log (journald keeps it); the switchboard's store is not the
	 * booth's */
	g_autofree char *store = g_build_filename(fx->dir, "sb-data", NULL);
	g_assert_true(g_file_test(store, G_FILE_TEST_IS_DIR));
	g_autoptr(GDir) d = g_dir_open(fx->dir, 0, NULL);
	const char *name;
	while ((name = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(fx->dir, name, NULL);
		if (!g_str_equal(p, store))
			assert_no_secret(p);
	}
	assert_no_secret(g_getenv("HOME"));
}

int main(int argc, char **argv)
{
	/* before any thread: the environment a Type=notify unit gives, which
	 * the booths the harness starts inherit, with the test hooks; and the
	 * booth's writable places (home, XDG folders, temp) in one folder the
	 * restart test searches; the plugin cache stays where it is */
	(void)g_get_tmp_dir(); /* this process's temp folder stays the usual one */
	g_autofree char *home = g_dir_make_tmp("relais-notify-home-XXXXXX", NULL);
	g_assert_nonnull(home);
	g_autofree char *sock = g_build_filename(home, "notify.sock", NULL);
	g_autofree char *cache = g_strdup(g_get_user_cache_dir());
	g_setenv("XDG_CACHE_HOME", cache, TRUE);
	const char *places[] = {"XDG_STATE_HOME",  "state",  "XDG_DATA_HOME", "data",
				"XDG_CONFIG_HOME", "config", "TMPDIR",	      "tmp"};
	for (guint i = 0; i < G_N_ELEMENTS(places); i += 2) {
		g_autofree char *p = g_build_filename(home, places[i + 1], NULL);
		g_assert_cmpint(g_mkdir_with_parents(p, 0700), ==, 0);
		g_setenv(places[i], p, TRUE);
	}
	g_setenv("HOME", home, TRUE);
	g_setenv("NOTIFY_SOCKET", sock, TRUE);
	g_setenv("WATCHDOG_USEC", CALL_WATCHDOG_USEC, TRUE);
	g_unsetenv("WATCHDOG_PID");
	g_setenv("RELAIS_BOOTH_TEST_HOOKS", "1", TRUE);

	g_test_init(&argc, &argv, NULL);
	/* g_test_init turns every domain's debug output on: libsoup's per-frame
	 * lines would drown the log. The programs' own logs are in the temp dir. */
	g_log_set_debug_enabled(FALSE);
	gst_init(&argc, &argv);
	relais_media_warm_up();
#define ADD(path, fn) g_test_add(path, Fx, NULL, fx_setup, fn, fx_teardown)
	ADD("/notify/switchboard", test_switchboard);
	ADD("/notify/booth", test_booth);
	ADD("/notify/booth-main-loop-blocked", test_booth_main_blocked);
	ADD("/notify/booth-media-thread-stuck", test_booth_media_stuck);
	ADD("/notify/booth-restart-mid-session", test_booth_restart_mid_session);
	int rc = g_test_run();
	rt_rm_rf(home);
	return rc;
}
