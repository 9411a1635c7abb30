/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A real relais-booth enrols itself (enrolment.c) against an in-process
 * switchboard side made of the real parts: a SoupServer on 127.0.0.1 with
 * TLS (cert.c's certificate, the booth's --ca-file), client certificates
 * requested, enrol-http.c's EST endpoint and handshake check over a real
 * store and booth CA, and a /ws/booth behind sb_enrol_http_gate() that
 * records the certificate each connection presents and answers hello with
 * welcome. The booth is started as the switched tests will start it:
 * --switchboard wss://127.0.0.1:PORT/ws/booth --ca-file --state-dir
 * --enrol-token --booth-id.
 */
#define G_LOG_DOMAIN "test-booth-enrol"

#include "boothconf.h"
#include "cert.h"
#include "enrol-client.h"
#include "enrol-http.h"
#include "harness.h"
#include "link.h"
#include "pinhash.h"
#include "pki.h"
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BOOTH "hall-1"

typedef struct {
	char *serial;  /* of the certificate the connection presented */
	char *booth;   /* what the gate says it is */
	char *hello;   /* the booth id its hello named */
	gboolean open; /* not closed yet */
	SoupWebsocketConnection *ws;
} Conn;

typedef struct {
	char *tmp, *sb_dir, *state_dir, *ca_file, *log, *sock, *settings, *clock_file;
	SbStore *store;
	SbBoothCa *ca;
	SbEnrol *enrol;
	SoupServer *server;
	guint port;
	char *token;
	GPtrArray *conns; /* Conn*, in order */
	guint refused;	  /* /ws/booth requests the gate refused */
	GSubprocess *booth;
	char *mounted; /* a tmpfs the test mounted (unmounted by teardown) */
} Fixture;

static void conn_free(Conn *c)
{
	if (c->ws) {
		g_signal_handlers_disconnect_matched(c->ws, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, c);
		if (soup_websocket_connection_get_state(c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_close(c->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
		g_object_unref(c->ws);
	}
	g_free(c->serial);
	g_free(c->booth);
	g_free(c->hello);
	g_free(c);
}

/* the gate of /ws/booth, as server.c will have it */
static void on_ws_gate(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
	Fixture *f = data;
	SbBoothCert *who = sb_enrol_http_gate(f->enrol, msg);
	if (who == NULL) {
		f->refused++;
		return;
	}
	g_object_set_data_full(G_OBJECT(msg), "who", who, (GDestroyNotify)sb_booth_cert_free);
}

static void on_ws_message(SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer data)
{
	Conn *c = data;
	gsize len = 0;
	const char *text = g_bytes_get_data(message, &len);
	g_autoptr(JsonParser) p = json_parser_new();
	if (!json_parser_load_from_data(p, text, (gssize)len, NULL))
		return;
	JsonObject *o = json_node_get_object(json_parser_get_root(p));
	if (g_strcmp0(json_object_get_string_member_with_default(o, "type", ""), "hello") != 0)
		return;
	c->hello = g_strdup(json_object_get_string_member_with_default(o, "booth_id", ""));
	JsonObject *w = relais_msg_new(RELAIS_MSG_WELCOME);
	json_object_set_int_member(w, "version", RELAIS_PROTO_VERSION);
	json_object_set_string_member(w, "session", "test-session");
	json_object_set_array_member(w, "ice_servers", json_array_new());
	g_autofree char *out = relais_msg_to_string(w);
	soup_websocket_connection_send_text(ws, out);
}

static void on_ws_closed(SoupWebsocketConnection *ws, gpointer data)
{
	((Conn *)data)->open = FALSE;
}

static char *serial_of(GTlsCertificate *cert)
{
	g_autofree char *pem = NULL;
	g_object_get(cert, "certificate-pem", &pem, NULL);
	g_autoptr(X509) x = relais_pki_cert_from_pem(pem, -1, NULL);
	return x ? relais_pki_serial_hex(x) : NULL;
}

static void on_ws(SoupServer *server, SoupServerMessage *msg, const char *path, SoupWebsocketConnection *ws,
		  gpointer data)
{
	Fixture *f = data;
	Conn *c = g_new0(Conn, 1);
	SbBoothCert *who = g_object_get_data(G_OBJECT(msg), "who");
	c->booth = g_strdup(who ? who->booth_id : NULL);
	GTlsCertificate *peer = soup_server_message_get_tls_peer_certificate(msg);
	c->serial = peer ? serial_of(peer) : NULL;
	c->ws = g_object_ref(ws);
	c->open = TRUE;
	g_signal_connect(ws, "message", G_CALLBACK(on_ws_message), c);
	g_signal_connect(ws, "closed", G_CALLBACK(on_ws_closed), c);
	g_ptr_array_add(f->conns, c);
}

static void setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->tmp = g_dir_make_tmp("relais-booth-enrol-XXXXXX", &error);
	g_assert_no_error(error);
	f->sb_dir = g_build_filename(f->tmp, "sb", NULL);
	f->state_dir = g_build_filename(f->tmp, "state", NULL);
	f->log = g_build_filename(f->tmp, BOOTH ".log", NULL);
	f->sock = g_build_filename(f->tmp, BOOTH ".sock", NULL);
	f->settings = g_build_filename(f->tmp, "booth.conf", NULL);
	f->clock_file = g_build_filename(f->tmp, "clock-offset", NULL);
	f->conns = g_ptr_array_new_with_free_func((GDestroyNotify)conn_free);
	g_autofree char *tls_dir = g_build_filename(f->tmp, "tls", NULL);
	g_assert_true(sb_cert_make_self_signed(tls_dir, "localhost", 2, FALSE, &error));
	g_assert_no_error(error);
	f->ca_file = g_build_filename(tls_dir, SB_CERT_FILE, NULL);
	g_autofree char *key_file = g_build_filename(tls_dir, SB_KEY_FILE, NULL);

	f->store = sb_store_open(f->sb_dir, &error);
	g_assert_no_error(error);
	f->ca = sb_booth_ca_open(f->sb_dir, TRUE, &error);
	g_assert_no_error(error);
	f->enrol = sb_enrol_new(f->store, f->ca);
	g_assert_cmpint(sb_store_site_upsert(f->store, 0, "Centre", "Europe/Paris", &error), >, 0);
	f->token = sb_enrol_booth_add(f->enrol, BOOTH, "Centre", 0, NULL, &error);
	g_assert_no_error(error);

	g_autoptr(GTlsCertificate) tls = sb_cert_load_pair(f->ca_file, key_file, &error);
	g_assert_no_error(error);
	f->server = soup_server_new("tls-certificate", tls, NULL);
	soup_server_set_tls_auth_mode(f->server, G_TLS_AUTHENTICATION_REQUESTED);
	sb_enrol_http_attach(f->server, f->enrol);
	soup_server_add_handler(f->server, "/ws/booth", on_ws_gate, f, NULL);
	soup_server_add_websocket_handler(f->server, "/ws/booth", NULL, NULL, on_ws, f, NULL);
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, 0);
	g_assert_true(soup_server_listen(f->server, addr, SOUP_SERVER_LISTEN_HTTPS, &error));
	g_assert_no_error(error);
	GSList *uris = soup_server_get_uris(f->server);
	f->port = (guint)g_uri_get_port(uris->data);
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
}

static gboolean exited(gpointer data)
{
	return *(gboolean *)data;
}

static void on_exited(GObject *src, GAsyncResult *res, gpointer data)
{
	(void)g_subprocess_wait_finish(G_SUBPROCESS(src), res, NULL);
	*(gboolean *)data = TRUE;
}

/* SIGTERM, and a clean exit: enrolment, link and booth freed without a
 * fault (the sanitizer build says so here) */
static void stop_booth(Fixture *f)
{
	if (f->booth == NULL)
		return;
	gboolean done = FALSE;
	g_subprocess_wait_async(f->booth, NULL, on_exited, &done);
	g_subprocess_send_signal(f->booth, SIGTERM);
	g_assert_true(rt_wait(exited, &done, 10000));
	g_assert_true(g_subprocess_get_if_exited(f->booth));
	g_assert_cmpint(g_subprocess_get_exit_status(f->booth), ==, 0);
	g_clear_object(&f->booth);
}

static void dump_log(Fixture *f)
{
	g_autofree char *log = NULL;
	if (g_file_get_contents(f->log, &log, NULL, NULL))
		g_printerr("booth log:\n%s\n", log);
}

static void teardown(Fixture *f, gconstpointer data)
{
	stop_booth(f);
	if (f->mounted) {
		g_auto(RtRun) r = {0};
		rt_run(&r, (const char *[]){"umount", f->mounted, NULL}, NULL, NULL);
		g_free(f->mounted);
	}
	if (g_test_failed())
		dump_log(f);
	g_ptr_array_unref(f->conns);
	if (f->server)
		soup_server_disconnect(f->server);
	g_clear_object(&f->server);
	g_clear_pointer(&f->enrol, sb_enrol_free);
	g_clear_pointer(&f->ca, sb_booth_ca_free);
	g_clear_pointer(&f->store, sb_store_free);
	rt_rm_rf(f->tmp);
	g_free(f->tmp);
	g_free(f->sb_dir);
	g_free(f->state_dir);
	g_free(f->ca_file);
	g_free(f->log);
	g_free(f->sock);
	g_free(f->settings);
	g_free(f->clock_file);
	g_free(f->token);
}

static void die_with_parent(gpointer data)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean sock_exists(gpointer data)
{
	return g_file_test(((Fixture *)data)->sock, G_FILE_TEST_EXISTS);
}

/* relais-booth with the hand-off's flags; `url` NULL: wss://127.0.0.1:PORT,
 * `token` NULL: none; then the NULL-terminated extra arguments */
static void start_booth(Fixture *f, const char *url, const char *token, ...)
{
	g_autofree char *bin = g_build_filename(rt_build(), "bin", "relais-booth", NULL);
	g_autofree char *pipelines = rt_pipelines_dir();
	g_autofree char *wss = g_strdup_printf("wss://127.0.0.1:%u/ws/booth", f->port);
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	const char *fixed[] = {bin,	     "--ca-file", f->ca_file,  "--state-dir", f->state_dir,
			       "--booth-id", BOOTH,	  "--control", f->sock,	      "--pipelines",
			       pipelines,    "--board",	  "sim",       "--site",      "Centre"};
	for (guint i = 0; i < G_N_ELEMENTS(fixed); i++)
		g_ptr_array_add(argv, (gpointer)fixed[i]);
	if (url != (const char *)-1) {
		g_ptr_array_add(argv, "--switchboard");
		g_ptr_array_add(argv, (gpointer)(url ? url : wss));
	}
	if (token) {
		g_ptr_array_add(argv, "--enrol-token");
		g_ptr_array_add(argv, (gpointer)token);
	}
	va_list ap;
	va_start(ap, token);
	for (const char *a = va_arg(ap, const char *); a; a = va_arg(ap, const char *))
		g_ptr_array_add(argv, (gpointer)a);
	va_end(ap);
	g_ptr_array_add(argv, NULL);
	g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
	g_subprocess_launcher_set_stderr_file_path(l, f->log);
	g_subprocess_launcher_setenv(l, "RELAIS_BOOTH_TEST_CLOCK_FILE", f->clock_file, TRUE);
	g_subprocess_launcher_setenv(l, "G_MESSAGES_DEBUG", "relais-link relais-enrol", TRUE);
	g_subprocess_launcher_set_child_setup(l, die_with_parent, NULL, NULL);
	g_autoptr(GError) error = NULL;
	f->booth = g_subprocess_launcher_spawnv(l, (const char *const *)argv->pdata, &error);
	g_assert_no_error(error);
	/* the server answers while the test waits */
	g_assert_true(rt_wait(sock_exists, f, 10000));
}

typedef struct {
	Fixture *f;
	const char *text;
} LogWait;

static gboolean log_has(gpointer data)
{
	LogWait *w = data;
	g_autofree char *log = NULL;
	return g_file_get_contents(w->f->log, &log, NULL, NULL) && strstr(log, w->text) != NULL;
}

static void wait_log(Fixture *f, const char *text, guint timeout_ms)
{
	LogWait w = {f, text};
	if (!rt_wait(log_has, &w, timeout_ms)) {
		dump_log(f);
		g_error("the booth did not log '%s' within %u ms", text, timeout_ms);
	}
}

static JsonObject *status(Fixture *f)
{
	JsonObject *o = rt_control(f->tmp, BOOTH, "{\"cmd\":\"status\"}");
	g_assert_nonnull(o);
	return o;
}

typedef struct {
	Fixture *f;
	const char *state, *link, *reason; /* each nullable: not checked */
} StatusWait;

static gboolean status_is(gpointer data)
{
	StatusWait *w = data;
	g_autoptr(JsonObject) o = status(w->f);
	const char *reason = rt_json_str(o, "reason");
	return (w->state == NULL || g_strcmp0(rt_json_str(o, "state"), w->state) == 0) &&
	       (w->link == NULL || g_strcmp0(rt_json_str(o, "link"), w->link) == 0) &&
	       (w->reason == NULL || (reason && strstr(reason, w->reason)));
}

static void wait_status(Fixture *f, const char *state, const char *link, const char *reason, guint timeout_ms)
{
	StatusWait w = {f, state, link, reason};
	if (!rt_wait(status_is, &w, timeout_ms)) {
		g_autoptr(JsonObject) o = status(f);
		dump_log(f);
		g_error("status is not %s/%s/%s within %u ms: state %s, link %s, reason %s", state, link, reason,
			timeout_ms, rt_json_str(o, "state"), rt_json_str(o, "link"), rt_json_str(o, "reason"));
	}
}

typedef struct {
	Fixture *f;
	guint n;
} ConnWait;

/* `n` connections made, the last one greeted (its hello named the booth) */
static gboolean conns_up(gpointer data)
{
	ConnWait *w = data;
	if (w->f->conns->len < w->n)
		return FALSE;
	Conn *c = g_ptr_array_index(w->f->conns, w->n - 1);
	return c->hello != NULL;
}

static Conn *wait_conn(Fixture *f, guint n, guint timeout_ms)
{
	ConnWait w = {f, n};
	g_assert_true(rt_wait(conns_up, &w, timeout_ms));
	return g_ptr_array_index(f->conns, n - 1);
}

static char *saved_serial(Fixture *f)
{
	g_autofree char *path = g_build_filename(f->state_dir, BOOTH_ENROL_CERT_FILE, NULL);
	g_autoptr(X509) x = relais_pki_read_cert(path, NULL);
	g_assert_nonnull(x);
	return relais_pki_serial_hex(x);
}

static guint file_mode(Fixture *f, const char *name)
{
	g_autofree char *path = g_build_filename(f->state_dir, name, NULL);
	struct stat st;
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	return st.st_mode & 0777;
}

/* the booth provisioned as relaisctl does it: a settings file with the
 * switchboard, its CA and the token; no --switchboard on the command line */
static void write_settings(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisBoothConf) conf = relais_boothconf_new();
	conf->switchboard_url = g_strdup_printf("wss://127.0.0.1:%u/ws/booth", f->port);
	g_assert_true(g_file_get_contents(f->ca_file, &conf->ca_pem, NULL, &error));
	conf->name = g_strdup(BOOTH);
	conf->site = g_strdup("Centre");
	conf->token = g_strdup(f->token);
	conf->pin_hash = relais_pinhash_new("2468", RELAIS_PINHASH_MIN_ITERATIONS, &error);
	g_assert_no_error(error);
	g_assert_true(relais_boothconf_save(conf, f->settings, &error));
	g_assert_no_error(error);
}

static void test_enrol(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	write_settings(f);
	start_booth(f, (const char *)-1, NULL, "--settings", f->settings, NULL);
	wait_log(f, "enrolled as '" BOOTH "': certificate ", 20000);
	/* in service only with the certificate: the link carries it */
	Conn *c = wait_conn(f, 1, 10000);
	wait_status(f, "idle", "up", NULL, 10000);
	g_autofree char *serial = saved_serial(f);
	g_assert_cmpstr(c->serial, ==, serial);
	g_assert_cmpstr(c->booth, ==, BOOTH);
	g_assert_cmpstr(c->hello, ==, BOOTH);
	g_assert_cmpuint(f->refused, ==, 0);
	g_autoptr(JsonObject) st = status(f);
	g_assert_nonnull(rt_json_str(st, "certificate_expires"));
	/* the line a technician (and the closing note) reads, with the time
	 * from the request made to the certificate saved */
	g_autofree char *log = NULL;
	g_assert_true(g_file_get_contents(f->log, &log, NULL, NULL));
	g_autoptr(GRegex) re = g_regex_new("enrolled as '" BOOTH "': certificate ([0-9A-F]+) valid until "
					   "(\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z) \\((\\d+) ms\\)",
					   0, 0, &error);
	g_assert_no_error(error);
	g_autoptr(GMatchInfo) m = NULL;
	g_assert_true(g_regex_match(re, log, 0, &m));
	g_autofree char *logged_serial = g_match_info_fetch(m, 1);
	g_autofree char *ms = g_match_info_fetch(m, 3);
	g_assert_cmpstr(logged_serial, ==, serial);
	g_test_message("enrolment took %s ms (key, request, EST round trip, saved)", ms);

	/* the files: the key private, the certificate readable */
	g_assert_cmpuint(file_mode(f, BOOTH_ENROL_KEY_FILE), ==, 0600);
	g_assert_cmpuint(file_mode(f, BOOTH_ENROL_CERT_FILE), ==, 0644);
	/* the certificate the switchboard signed is for the key on the booth
	 * (the request carried its public half only) */
	g_autofree char *key_path = g_build_filename(f->state_dir, BOOTH_ENROL_KEY_FILE, NULL);
	g_autofree char *cert_path = g_build_filename(f->state_dir, BOOTH_ENROL_CERT_FILE, NULL);
	g_autoptr(EVP_PKEY) key = relais_pki_read_key(key_path, &error);
	g_assert_no_error(error);
	g_autoptr(X509) x = relais_pki_read_cert(cert_path, &error);
	g_assert_no_error(error);
	g_assert_cmpint(EVP_PKEY_eq(X509_get0_pubkey(x), key), ==, 1);
	/* the store recorded it for the booth */
	g_autoptr(GTlsCertificate) mine = booth_enrol_client_certificate(f->state_dir, &error);
	g_assert_no_error(error);
	g_autoptr(SbBoothCert) who = sb_enrol_check_peer(f->enrol, mine, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(who->serial, ==, serial);

	/* the token is erased from the settings file, the rest is kept */
	g_autoptr(RelaisBoothConf) after = relais_boothconf_load(f->settings, &error);
	g_assert_no_error(error);
	g_assert_null(after->token);
	g_assert_cmpstr(after->name, ==, BOOTH);

	/* started again: no token needed, the same certificate */
	stop_booth(f);
	g_ptr_array_set_size(f->conns, 0);
	start_booth(f, (const char *)-1, NULL, "--settings", f->settings, NULL);
	Conn *again = wait_conn(f, 1, 10000);
	g_assert_cmpstr(again->serial, ==, serial);
	wait_status(f, "idle", "up", NULL, 10000);
}

static void test_refused_token(Fixture *f, gconstpointer data)
{
	g_autofree char *forged = g_strdup(f->token);
	forged[0] = forged[0] == 'A' ? 'B' : 'A';
	start_booth(f, NULL, forged, NULL);
	wait_status(f, "out_of_order", "down", "the enrolment token was refused", 20000);
	g_autoptr(JsonObject) st = status(f);
	g_assert_nonnull(strstr(rt_json_str(st, "reason"), "401"));
	g_assert_cmpuint(f->conns->len, ==, 0);
	g_autofree char *cert_path = g_build_filename(f->state_dir, BOOTH_ENROL_CERT_FILE, NULL);
	g_assert_false(g_file_test(cert_path, G_FILE_TEST_EXISTS));
	/* the visitor cannot start anything */
	g_autoptr(JsonObject) r =
		rt_control(f->tmp, BOOTH, "{\"cmd\":\"request\",\"topic\":\"general\",\"language\":\"fr\"}");
	g_assert_nonnull(r);
	g_assert_false(json_object_get_boolean_member_with_default(r, "ok", TRUE));
}

/* a mistyped token on the command line: said at once, never sent */
static void test_bad_token_flag(Fixture *f, gconstpointer data)
{
	g_autofree char *bin = g_build_filename(rt_build(), "bin", "relais-booth", NULL);
	const char *bad[] = {"short", "with space and 43 characters, more or less!!", "line\r\nX-Injected: 1"};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *err = NULL;
		int status = 0;
		const char *argv[] = {bin, "--switchboard", "wss://127.0.0.1:1/ws/booth", "--enrol-token", bad[i],
				      NULL};
		g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
					   &err, &status, &error));
		g_assert_no_error(error);
		g_assert_true(WIFEXITED(status));
		g_assert_cmpint(WEXITSTATUS(status), ==, 2);
		g_assert_nonnull(strstr(err, "--enrol-token is not an enrolment token"));
	}
}

static void test_no_token(Fixture *f, gconstpointer data)
{
	start_booth(f, NULL, NULL, NULL);
	wait_status(f, "out_of_order", "down", "not enrolled (no enrolment token)", 20000);
	g_assert_cmpuint(f->conns->len, ==, 0);
}

static void test_plain_ws(Fixture *f, gconstpointer data)
{
	/* a token never goes in clear */
	g_autofree char *url = g_strdup_printf("ws://127.0.0.1:%u/ws/booth", f->port);
	start_booth(f, url, f->token, NULL);
	wait_status(f, "out_of_order", "down", "must be reached over wss:// (TLS)", 20000);
	g_assert_cmpuint(f->conns->len, ==, 0);
}

typedef struct {
	Fixture *f;
	const char *screen, *fault; /* fault nullable: not checked */
} ScreenWait;

static gboolean screen_is(gpointer data)
{
	ScreenWait *w = data;
	g_autoptr(JsonObject) o = status(w->f);
	const char *fault = rt_json_str(o, "visitor.fault");
	return g_strcmp0(rt_json_str(o, "visitor.screen"), w->screen) == 0 &&
	       (w->fault == NULL || (fault && strstr(fault, w->fault)));
}

/* The switchboard is not there yet at first boot: the booth says it is
 * enrolling, tries again with backoff and enrols once it answers. */
static void test_unreachable(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	soup_server_disconnect(f->server);
	start_booth(f, NULL, f->token, NULL);
	wait_log(f, "enrolling: ", 10000);
	wait_log(f, "trying again in ", 10000);
	wait_status(f, "out_of_order", "down", "enrolling with the switchboard", 10000);
	g_assert_cmpuint(f->conns->len, ==, 0);
	/* back on the same port */
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, f->port);
	g_assert_true(soup_server_listen(f->server, addr, SOUP_SERVER_LISTEN_HTTPS, &error));
	g_assert_no_error(error);
	wait_log(f, "enrolled as '" BOOTH "'", 20000);
	wait_conn(f, 1, 10000);
	wait_status(f, "idle", "up", NULL, 10000);
}

static void test_clock_unset(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	/* a Raspberry Pi at first boot: its clock reads the 1970s */
	g_assert_true(g_file_set_contents(f->clock_file, "-1500000000", -1, &error));
	/* with its touch screen, off screen */
	g_autofree char *questions = g_build_filename(rt_top(), "assets", "questions", "default.ini", NULL);
	g_autofree char *locale = g_build_filename(rt_build(), "locale", NULL);
	start_booth(f, NULL, f->token, "--ui", "--ui-size", "800x480", "--questions", questions, "--locale-dir", locale,
		    NULL);
	wait_log(f, "waiting for time sync", 10000);
	wait_status(f, "out_of_order", "down", "waiting for the clock to be set (time sync)", 10000);
	/* the screen says why */
	ScreenWait oos = {f, "out_of_order", "waiting for the clock to be set (time sync)"};
	g_assert_true(rt_wait(screen_is, &oos, 10000));
	g_autofree char *cert_path = g_build_filename(f->state_dir, BOOTH_ENROL_CERT_FILE, NULL);
	g_assert_false(g_file_test(cert_path, G_FILE_TEST_EXISTS));
	g_assert_cmpuint(f->conns->len, ==, 0);
	/* time sync: it enrols by itself */
	g_assert_cmpint(g_unlink(f->clock_file), ==, 0);
	wait_log(f, "enrolled as '" BOOTH "'", 20000);
	wait_conn(f, 1, 10000);
	wait_status(f, "idle", "up", NULL, 10000);
	ScreenWait attract = {f, "attract", NULL};
	g_assert_true(rt_wait(screen_is, &attract, 10000));
}

static void test_renew(Fixture *f, gconstpointer data)
{
	/* valid from an hour back (enrol.c) for 1810 s: renewal due about 7 s
	 * after issue (two thirds of 3610 s) */
	sb_enrol_set_cert_lifetime(f->enrol, 1810);
	start_booth(f, NULL, f->token, NULL);
	Conn *first = wait_conn(f, 1, 20000);
	g_autofree char *serial1 = g_strdup(first->serial);
	g_assert_nonnull(serial1);
	wait_log(f, "renewed certificate ", 30000);
	/* the link comes back with the new certificate */
	Conn *second = wait_conn(f, 2, 10000);
	g_autofree char *serial2 = saved_serial(f);
	g_assert_cmpstr(second->serial, !=, serial1);
	g_assert_cmpstr(second->serial, ==, serial2);
	g_assert_cmpstr(second->booth, ==, BOOTH);
	wait_status(f, "idle", "up", NULL, 10000);
}

/* A renewal while a visitor waits: the link is not cut under the session;
 * the new certificate is presented once it is over. */
static void test_renew_in_session(Fixture *f, gconstpointer data)
{
	/* renewal due about 10 s after issue */
	sb_enrol_set_cert_lifetime(f->enrol, 1815);
	start_booth(f, NULL, f->token, NULL);
	Conn *first = wait_conn(f, 1, 20000);
	wait_status(f, "idle", "up", NULL, 10000);
	g_autoptr(JsonObject) r =
		rt_control(f->tmp, BOOTH, "{\"cmd\":\"request\",\"topic\":\"general\",\"language\":\"fr\"}");
	g_assert_true(json_object_get_boolean_member_with_default(r, "ok", FALSE));
	wait_status(f, "queued", "up", NULL, 10000);
	wait_log(f, "renewed certificate ", 30000);
	wait_log(f, "presented once the session is over", 5000);
	g_assert_cmpuint(f->conns->len, ==, 1);
	g_assert_true(first->open);
	g_autoptr(JsonObject) st = status(f);
	g_assert_cmpstr(rt_json_str(st, "state"), ==, "queued");
	/* the visitor leaves: then the link comes back with it */
	g_autoptr(JsonObject) c = rt_control(f->tmp, BOOTH, "{\"cmd\":\"cancel\"}");
	g_assert_true(json_object_get_boolean_member_with_default(c, "ok", FALSE));
	Conn *second = wait_conn(f, 2, 10000);
	g_autofree char *serial = saved_serial(f);
	g_assert_cmpstr(second->serial, !=, first->serial);
	g_assert_cmpstr(second->serial, ==, serial);
	wait_status(f, "idle", "up", NULL, 10000);
}

static gboolean conn_closed(gpointer data)
{
	return !((Conn *)data)->open;
}

static void test_revoked(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	start_booth(f, NULL, f->token, NULL);
	Conn *c = wait_conn(f, 1, 20000);
	wait_status(f, "idle", "up", NULL, 10000);
	/* the administrator revokes it: the switchboard closes its link */
	g_assert_true(sb_enrol_booth_revoke(f->enrol, BOOTH, NULL, &error));
	g_assert_no_error(error);
	soup_websocket_connection_close(c->ws, BOOTH_LINK_CLOSE_REVOKED, "revoked");
	g_assert_true(rt_wait(conn_closed, c, 5000));
	wait_status(f, "out_of_order", "down", BOOTH_LINK_REFUSED_REASON, 10000);
	/* and it does not hammer the switchboard */
	wait_log(f, "retrying slowly", 5000);
	g_autofree char *log = NULL;
	g_assert_true(g_file_get_contents(f->log, &log, NULL, NULL));
	const char *last = g_strrstr(log, "switchboard link down; retrying in ");
	g_assert_nonnull(last);
	guint64 delay = g_ascii_strtoull(last + strlen("switchboard link down; retrying in "), NULL, 10);
	g_assert_cmpuint(delay, >=, 15000);

	/* started again with its (revoked) certificate: refused at the
	 * handshake, out of order with the same reason */
	stop_booth(f);
	start_booth(f, NULL, NULL, NULL);
	wait_status(f, "out_of_order", "down", BOOTH_LINK_REFUSED_REASON, 20000);
	g_assert_cmpuint(f->conns->len, ==, 1);

	/* the old token is spent: refused, nothing changes */
	stop_booth(f);
	start_booth(f, NULL, f->token, NULL);
	wait_log(f, "the token is forgotten", 20000);
	wait_status(f, "out_of_order", "down", BOOTH_LINK_REFUSED_REASON, 5000);
	g_assert_cmpuint(f->conns->len, ==, 1);

	/* the administrator gives it a new token (booth add again), the
	 * technician puts it in: the booth enrols anew and is back */
	stop_booth(f);
	g_autofree char *old_serial = saved_serial(f);
	g_autofree char *token2 = sb_enrol_booth_add(f->enrol, BOOTH, "Centre", 0, NULL, &error);
	g_assert_no_error(error);
	start_booth(f, NULL, token2, NULL);
	wait_log(f, "enrolled as '" BOOTH "'", 20000);
	Conn *back = wait_conn(f, 2, 10000);
	g_assert_cmpstr(back->serial, !=, old_serial);
	wait_status(f, "idle", "up", NULL, 10000);
}

/* A full data partition (a tmpfs of 16 KiB as the state folder, filled up
 * after the booth's key was made): the certificate the switchboard issues
 * cannot be written. The booth says why, keeps it in memory (its token is
 * spent by then: it could not ask again) and saves it once there is room. */
static void test_full_disk(Fixture *f, gconstpointer data)
{
	if (geteuid() != 0) {
		g_test_skip("needs root: the test mounts a small tmpfs as the booth's state folder");
		return;
	}
	g_autoptr(GError) error = NULL;
	g_autofree char *full = g_build_filename(f->tmp, "full", NULL);
	g_assert_cmpint(g_mkdir(full, 0700), ==, 0);
	g_auto(RtRun) m = {0};
	rt_run(&m, (const char *[]){"mount", "-t", "tmpfs", "-o", "size=16k,mode=0700", "relais-full", full, NULL},
	       NULL, NULL);
	if (m.status != 0)
		g_error("mount -t tmpfs: %s", m.err);
	f->mounted = g_strdup(full);
	g_free(f->state_dir);
	f->state_dir = g_strdup(full);
	/* the key first (the booth loads a key it finds), then no room */
	g_autofree char *csr = booth_enrol_make_csr(full, BOOTH, &error);
	g_assert_no_error(error);
	g_autofree char *filler = g_build_filename(full, "filler", NULL);
	int fd = g_open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	g_assert_cmpint(fd, >=, 0);
	char block[512] = {0};
	while (write(fd, block, sizeof block) > 0)
		;
	g_assert_cmpint(errno, ==, ENOSPC);
	close(fd);

	start_booth(f, NULL, f->token, NULL);
	wait_status(f, "out_of_order", "down", "(is the data partition full?)", 20000);
	g_autoptr(JsonObject) st = status(f);
	g_assert_nonnull(strstr(rt_json_str(st, "reason"), "No space left on device"));
	g_autofree char *cert_path = g_build_filename(full, BOOTH_ENROL_CERT_FILE, NULL);
	g_assert_false(g_file_test(cert_path, G_FILE_TEST_EXISTS));
	g_assert_cmpuint(f->conns->len, ==, 0);

	/* room again: the same certificate is saved, the booth links */
	g_assert_cmpint(g_unlink(filler), ==, 0);
	wait_log(f, "saved the certificate kept in memory", 30000);
	Conn *c = wait_conn(f, 1, 10000);
	wait_status(f, "idle", "up", NULL, 10000);
	g_autofree char *serial = saved_serial(f);
	g_assert_cmpstr(c->serial, ==, serial);
	/* one certificate issued in all: the kept one, not a second request */
	g_autofree char *log = NULL;
	g_assert_true(g_file_get_contents(f->log, &log, NULL, NULL));
	guint asked = 0;
	for (const char *p = log; (p = strstr(p, "enrolling at ")) != NULL; p++)
		asked++;
	g_assert_cmpuint(asked, ==, 1);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/booth-enrol/enrol", test_enrol);
	ADD("/booth-enrol/refused-token", test_refused_token);
	ADD("/booth-enrol/bad-token-flag", test_bad_token_flag);
	ADD("/booth-enrol/no-token", test_no_token);
	ADD("/booth-enrol/plain-ws", test_plain_ws);
	ADD("/booth-enrol/unreachable", test_unreachable);
	ADD("/booth-enrol/clock-unset", test_clock_unset);
	ADD("/booth-enrol/renew", test_renew);
	ADD("/booth-enrol/renew-in-session", test_renew_in_session);
	ADD("/booth-enrol/revoked", test_revoked);
	ADD("/booth-enrol/full-disk", test_full_disk);
	return g_test_run();
}
