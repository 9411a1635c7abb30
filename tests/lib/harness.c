/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "harness.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

/* A failed assertion aborts the test without teardown: the children must
 * not outlive it (they would hold ports and sockets). */
static void die_with_parent(gpointer data)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

const char *rt_top(void)
{
	static char *top;
	if (top == NULL) {
		const char *env = g_getenv("RELAIS_TOP");
		top = env ? g_strdup(env) : g_get_current_dir();
	}
	return top;
}

const char *rt_build(void)
{
	static char *build;
	if (build == NULL) {
		const char *env = g_getenv("RELAIS_BUILD");
		build = env ? g_strdup(env) : g_build_filename(rt_top(), "build", NULL);
	}
	return build;
}

/* RELAIS_PIPELINES_DIR (set by tests/run-all.sh) or found by walking up
 * from the source file, the test binary and the working directory. */
char *rt_pipelines_dir(void)
{
	const char *env = g_getenv("RELAIS_PIPELINES_DIR");
	if (env != NULL && *env != '\0')
		return g_strdup(env);

	g_autofree char *cwd = g_get_current_dir();
	g_autofree char *src_dir = g_path_get_dirname(__FILE__);
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *exe_dir = exe ? g_path_get_dirname(exe) : NULL;
	const char *starts[] = {src_dir, exe_dir, cwd};
	for (gsize i = 0; i < G_N_ELEMENTS(starts); i++) {
		if (starts[i] == NULL)
			continue;
		g_autofree char *dir = g_canonicalize_filename(starts[i], cwd);
		for (int up = 0; up < 6 && dir != NULL; up++) {
			g_autofree char *probe = g_build_filename(dir, "pipelines", "sim", "media.conf", NULL);
			if (g_file_test(probe, G_FILE_TEST_IS_REGULAR))
				return g_build_filename(dir, "pipelines", NULL);
			char *parent = g_path_get_dirname(dir);
			if (g_str_equal(parent, dir)) {
				g_free(parent);
				break;
			}
			g_free(dir);
			dir = parent;
		}
	}
	return NULL;
}

static gboolean known_upstream_critical(const char *domain, GLogLevelFlags level, const char *message)
{
	char thread[16] = "";

	return (level & G_LOG_LEVEL_CRITICAL) && g_strcmp0(domain, "GLib") == 0 && message &&
	       strstr(message, "g_hash_table_foreach: assertion 'version == hash_table->version' failed") &&
	       prctl(PR_GET_NAME, thread, 0, 0, 0) == 0 && strcmp(thread, "rtpsession-rtcp") == 0;
}

static guint known_upstream_count;

static void log_glib_critical(const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
	if (known_upstream_critical(domain, level, message)) {
		g_atomic_int_inc(&known_upstream_count);
		g_test_message("known GStreamer 1.22 rtpsession bug (tests/lib/harness.h), not fatal: %s", message);
	} else {
		g_log_default_handler(domain, level, message, data); /* fatal as before */
	}
}

static gboolean fatal_unless_known_upstream(const char *domain, GLogLevelFlags level, const char *message,
					    gpointer data)
{
	return !known_upstream_critical(domain, level, message);
}

void rt_tolerate_known_upstream_criticals(void)
{
	static gsize once;

	/* a handler matches only if it has every flag of the message: a
	 * critical made fatal by g_test_init comes with G_LOG_FLAG_FATAL */
	if (g_once_init_enter(&once))
		g_once_init_leave(&once, g_log_set_handler("GLib", G_LOG_LEVEL_CRITICAL | G_LOG_FLAG_FATAL,
							   log_glib_critical, NULL));
	g_test_log_set_fatal_handler(fatal_unless_known_upstream, NULL);
}

guint rt_known_upstream_criticals(void)
{
	return g_atomic_int_get(&known_upstream_count);
}

static gboolean keep_ticking(gpointer data)
{
	return G_SOURCE_CONTINUE;
}

gboolean rt_wait(gboolean (*cond)(gpointer), gpointer data, guint timeout_ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	/* wake at least every 20 ms so that polled conditions are re-checked */
	guint tick = g_timeout_add(20, keep_ticking, NULL);
	gboolean ok;
	while (!(ok = cond(data)) && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(tick);
	return ok;
}

static gboolean never(gpointer data)
{
	return FALSE;
}

void rt_sleep(guint ms)
{
	(void)rt_wait(never, NULL, ms);
}

void rt_rm_rf(const char *path)
{
	/* a symlink goes, never what it points to */
	g_autoptr(GDir) d = g_file_test(path, G_FILE_TEST_IS_SYMLINK) ? NULL : g_dir_open(path, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *child = g_build_filename(path, name, NULL);
		rt_rm_rf(child);
	}
	g_remove(path);
}

gboolean rt_add_user(const char *dir, const char *login, const char *role, const char *name, const char *password)
{
	g_autofree char *bin = g_build_filename(rt_build(), "bin", "relais-switchboard", NULL);
	g_autofree char *data = g_build_filename(dir, "sb-data", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GSubprocess) p = g_subprocess_new(
		G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
		bin, "--data", data, "user", "add", login, "--role", role, "--name", name, NULL);
	g_assert_no_error(error);
	g_autofree char *input = g_strdup_printf("%s\n", password);
	g_autofree char *out = NULL, *err = NULL;
	g_assert_true(g_subprocess_communicate_utf8(p, input, NULL, &out, &err, &error));
	g_assert_no_error(error);
	if (!g_subprocess_get_successful(p))
		g_test_message("user add %s: %s", login, err);
	return g_subprocess_get_successful(p);
}

char *rt_sign_in(guint port, const char *login, const char *password, guint *status)
{
	g_autoptr(SoupSession) s = soup_session_new();
	g_autofree char *url = g_strdup_printf("http://127.0.0.1:%u/api/login", port);
	g_autoptr(SoupMessage) m = soup_message_new("POST", url);
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "login");
	json_builder_add_string_value(b, login);
	json_builder_set_member_name(b, "password");
	json_builder_add_string_value(b, password);
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autofree char *body = json_to_string(root, FALSE);
	g_autoptr(GBytes) bytes = g_bytes_new(body, strlen(body));
	soup_message_set_request_body_from_bytes(m, "application/json", bytes);
	g_autoptr(GBytes) reply = soup_session_send_and_read(s, m, NULL, NULL);
	if (status)
		*status = soup_message_get_status(m);
	const char *cookie = soup_message_headers_get_one(soup_message_get_response_headers(m), "Set-Cookie");
	if (soup_message_get_status(m) != SOUP_STATUS_OK || cookie == NULL)
		return NULL;
	const char *end = strchr(cookie, ';');
	return end ? g_strndup(cookie, end - cookie) : g_strdup(cookie);
}

/* The booth listener's port of the switchboard of `dir`: chosen by the
 * first start, kept in dir/booth-port so that a restart serves the booths
 * on the same port (they redial the URL they were given). */
static guint booth_port_of(const char *dir)
{
	g_autofree char *file = g_build_filename(dir, "booth-port", NULL);
	g_autofree char *text = NULL;
	if (!g_file_get_contents(file, &text, NULL, NULL))
		return 0;
	return (guint)g_ascii_strtoull(text, NULL, 10);
}

/* "...: listening on http://127.0.0.1:PORT/" and "...: booth listener on
 * https://127.0.0.1:PORT/ (...)": the port */
static guint port_in(const char *line, const char *what)
{
	const char *at = strstr(line, what);
	g_assert_nonnull(at);
	const char *host = strstr(at, "://");
	g_assert_nonnull(host);
	const char *colon = strchr(host + 3, ':');
	g_assert_nonnull(colon);
	guint port = (guint)g_ascii_strtoull(colon + 1, NULL, 10);
	g_assert_cmpuint(port, >, 0);
	return port;
}

GSubprocess *rt_start_switchboard(const char *dir, guint port, guint *port_out)
{
	g_autofree char *bin = g_build_filename(rt_build(), "bin", "relais-switchboard", NULL);
	g_autofree char *data = g_build_filename(dir, "sb-data", NULL);
	g_autofree char *db = g_build_filename(data, "relais.db", NULL);
	if (!g_file_test(db, G_FILE_TEST_EXISTS))
		g_assert_true(rt_add_user(dir, RT_ADVISER_LOGIN, "adviser", RT_ADVISER_NAME, RT_ADVISER_PASSWORD));
	g_autofree char *assets = g_build_filename(rt_top(), "assets", "web", NULL);
	g_autofree char *log = g_build_filename(dir, "switchboard.log", NULL);
	g_autofree char *port_s = g_strdup_printf("%u", port);
	g_autofree char *booth_port_s = g_strdup_printf("%u", booth_port_of(dir));
	g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
	g_autoptr(GError) error = NULL;
	g_subprocess_launcher_set_stderr_file_path(l, log);
	g_subprocess_launcher_set_child_setup(l, die_with_parent, NULL, NULL);
	GSubprocess *p = g_subprocess_launcher_spawn(l, &error, bin, "--data", data, "--port", port_s, "--booth-port",
						     booth_port_s, "--assets", assets, NULL);
	g_assert_no_error(error);
	g_autoptr(GDataInputStream) in = g_data_input_stream_new(g_subprocess_get_stdout_pipe(p));
	g_autofree char *line = g_data_input_stream_read_line_utf8(in, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(line);
	*port_out = port_in(line, "listening on http");
	g_autofree char *booth_line = g_data_input_stream_read_line_utf8(in, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(booth_line);
	g_autofree char *booth_port = g_strdup_printf("%u", port_in(booth_line, "booth listener on https"));
	g_autofree char *file = g_build_filename(dir, "booth-port", NULL);
	g_assert_true(g_file_set_contents(file, booth_port, -1, NULL));
	return p;
}

char *rt_booth_token(const char *dir, const char *id)
{
	g_autofree char *bin = g_build_filename(rt_build(), "bin", "relais-switchboard", NULL);
	g_autofree char *data = g_build_filename(dir, "sb-data", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GSubprocess) p =
		g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, bin, "--data",
				 data, "booth", "add", id, "--site", RT_BOOTH_SITE, "--create-site", NULL);
	g_assert_no_error(error);
	g_autofree char *out = NULL, *err = NULL;
	g_assert_true(g_subprocess_communicate_utf8(p, NULL, NULL, &out, &err, &error));
	g_assert_no_error(error);
	if (!g_subprocess_get_successful(p))
		g_error("booth add %s: %s", id, err);
	return g_strstrip(g_steal_pointer(&out));
}

char *rt_booth_url(const char *dir)
{
	guint port = booth_port_of(dir);
	g_assert_cmpuint(port, >, 0);
	return g_strdup_printf("wss://127.0.0.1:%u/ws/booth", port);
}

char *rt_booth_ca_file(const char *dir)
{
	return g_build_filename(dir, "sb-data", "booth-listener", "switchboard.crt", NULL);
}

GSubprocess *rt_start_booth(const char *dir, guint port, const char *id, const char *pipelines, const char *board)
{
	g_autofree char *bin = g_build_filename(rt_build(), "bin", "relais-booth", NULL);
	g_autofree char *log_name = g_strdup_printf("%s.log", id);
	g_autofree char *log = g_build_filename(dir, log_name, NULL);
	g_autofree char *sock_name = g_strdup_printf("%s.sock", id);
	g_autofree char *sock = g_build_filename(dir, sock_name, NULL);
	/* the booth enrols through the real path (a token from `booth add`,
	 * its own key, EST) and keeps its key and certificate in
	 * dir/state-ID: a restart presents them without a new token */
	g_autofree char *url = rt_booth_url(dir);
	g_autofree char *ca = rt_booth_ca_file(dir);
	g_autofree char *state_name = g_strdup_printf("state-%s", id);
	g_autofree char *state = g_build_filename(dir, state_name, NULL);
	g_autofree char *crt = g_build_filename(state, "booth.crt", NULL);
	g_autofree char *token = g_file_test(crt, G_FILE_TEST_EXISTS) ? g_strdup("") : rt_booth_token(dir, id);
	g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
	g_subprocess_launcher_set_stderr_file_path(l, log);
	g_subprocess_launcher_setenv(l, "G_MESSAGES_DEBUG", "relais-booth relais-media", TRUE);
	g_subprocess_launcher_set_child_setup(l, die_with_parent, NULL, NULL);
	g_autoptr(GError) error = NULL;
	const char *argv[] = {bin,
			      "--switchboard",
			      url,
			      "--ca-file",
			      ca,
			      "--state-dir",
			      state,
			      "--booth-id",
			      id,
			      "--site",
			      RT_BOOTH_SITE,
			      "--control",
			      sock,
			      "--pipelines",
			      pipelines,
			      "--board",
			      board,
			      *token ? "--enrol-token" : NULL,
			      token,
			      NULL};
	GSubprocess *p = g_subprocess_launcher_spawnv(l, argv, &error);
	g_assert_no_error(error);
	/* the control socket appears once the booth is up */
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (!g_file_test(sock, G_FILE_TEST_EXISTS) && g_get_monotonic_time() < end)
		g_usleep(10000);
	g_assert_true(g_file_test(sock, G_FILE_TEST_EXISTS));
	return p;
}

static void on_waited(GObject *src, GAsyncResult *res, gpointer data)
{
	(void)g_subprocess_wait_finish(G_SUBPROCESS(src), res, NULL);
	*(gboolean *)data = TRUE;
}

static gboolean flag_set(gpointer data)
{
	return *(gboolean *)data;
}

void rt_stop(GSubprocess **proc)
{
	if (*proc == NULL)
		return;
	gboolean done = FALSE;
	g_subprocess_wait_async(*proc, NULL, on_waited, &done);
	g_subprocess_send_signal(*proc, SIGTERM);
	if (!rt_wait(flag_set, &done, 5000)) {
		g_test_message("process did not stop on SIGTERM: killing it");
		g_subprocess_force_exit(*proc);
		(void)rt_wait(flag_set, &done, 5000);
	}
	g_clear_object(proc);
}

JsonObject *rt_control(const char *dir, const char *booth_id, const char *line)
{
	g_autofree char *sock_name = g_strdup_printf("%s.sock", booth_id);
	g_autofree char *sock = g_build_filename(dir, sock_name, NULL);
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(sock);
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketConnection) conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, &error);
	if (conn == NULL)
		return NULL;
	g_autofree char *out = g_strconcat(line, "\n", NULL);
	if (!g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(conn)), out, strlen(out), NULL, NULL,
				       &error))
		return NULL;
	g_autoptr(GDataInputStream) in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(conn)));
	g_autofree char *reply = g_data_input_stream_read_line_utf8(in, NULL, NULL, &error);
	if (reply == NULL)
		return NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	if (!json_parser_load_from_data(parser, reply, -1, NULL))
		return NULL;
	JsonNode *root = json_parser_get_root(parser);
	return JSON_NODE_HOLDS_OBJECT(root) ? json_object_ref(json_node_get_object(root)) : NULL;
}

static JsonNode *json_path(JsonObject *o, const char *path)
{
	g_auto(GStrv) parts = g_strsplit(path, ".", -1);
	JsonNode *n = NULL;
	for (char **p = parts; *p && o; p++) {
		n = json_object_get_member(o, *p);
		if (n == NULL)
			return NULL;
		o = p[1] && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
		if (p[1] && o == NULL)
			return NULL;
	}
	return n;
}

gint64 rt_json_int(JsonObject *o, const char *path, gint64 def)
{
	JsonNode *n = o ? json_path(o, path) : NULL;
	return n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_int(n) : def;
}

const char *rt_json_str(JsonObject *o, const char *path)
{
	JsonNode *n = o ? json_path(o, path) : NULL;
	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ? json_node_get_string(n)
											     : NULL;
}

char *rt_http_get(guint port, const char *path, guint *status)
{
	g_autoptr(SoupSession) s = soup_session_new();
	g_autofree char *url = g_strdup_printf("http://127.0.0.1:%u%s", port, path);
	g_autoptr(SoupMessage) m = soup_message_new("GET", url);
	g_autoptr(GBytes) body = soup_session_send_and_read(s, m, NULL, NULL);
	if (status)
		*status = soup_message_get_status(m);
	return body ? g_strndup(g_bytes_get_data(body, NULL), g_bytes_get_size(body)) : NULL;
}

/* --- WebSocket client ------------------------------------------------------ */

struct _RtClient {
	SoupSession *session;
	SoupWebsocketConnection *ws;
	GPtrArray *inbox;
	RtClientHandler handler;
	gpointer user_data;
	gboolean failed;
	gboolean closed;
	gushort close_code;
};

static void on_message(SoupWebsocketConnection *ws, gint type, GBytes *bytes, gpointer data)
{
	RtClient *c = data;
	gsize len;
	const char *text = g_bytes_get_data(bytes, &len);
	g_autoptr(GError) error = NULL;
	RelaisMsg *m = relais_msg_parse(text, len, RELAIS_ROLE_SWITCHBOARD, TRUE, NULL, &error);
	/* the switchboard must only ever send valid messages */
	g_assert_no_error(error);
	g_ptr_array_add(c->inbox, m);
	if (c->handler)
		c->handler(c, m, c->user_data);
}

static void on_closed(SoupWebsocketConnection *ws, gpointer data)
{
	RtClient *c = data;
	c->closed = TRUE;
	c->close_code = soup_websocket_connection_get_close_code(ws);
}

static void on_connected(GObject *src, GAsyncResult *res, gpointer data)
{
	RtClient *c = data;
	g_autoptr(GError) error = NULL;
	c->ws = soup_session_websocket_connect_finish(SOUP_SESSION(src), res, &error);
	if (c->ws == NULL) {
		g_test_message("websocket connect failed: %s", error->message);
		c->failed = TRUE;
		return;
	}
	/* let the client send what the server will refuse as too big */
	soup_websocket_connection_set_max_incoming_payload_size(c->ws, 0);
	g_signal_connect(c->ws, "message", G_CALLBACK(on_message), c);
	g_signal_connect(c->ws, "closed", G_CALLBACK(on_closed), c);
}

static gboolean connected_or_failed(gpointer data)
{
	RtClient *c = data;
	return c->ws != NULL || c->failed;
}

RtClient *rt_client_new(guint port, const char *endpoint, RtClientHandler handler, gpointer user_data)
{
	RtClient *c = g_new0(RtClient, 1);
	c->session = soup_session_new();
	c->inbox = g_ptr_array_new_with_free_func((GDestroyNotify)relais_msg_free);
	c->handler = handler;
	c->user_data = user_data;
	g_autofree char *url = g_strdup_printf("ws://127.0.0.1:%u%s", port, endpoint);
	g_autoptr(SoupMessage) m = soup_message_new("GET", url);
	g_autofree char *origin = NULL;
	if (g_str_equal(endpoint, "/ws/adviser")) {
		guint status = 0;
		g_autofree char *cookie = rt_sign_in(port, RT_ADVISER_LOGIN, RT_ADVISER_PASSWORD, &status);
		g_assert_nonnull(cookie);
		soup_message_headers_replace(soup_message_get_request_headers(m), "Cookie", cookie);
		origin = g_strdup_printf("http://127.0.0.1:%u", port);
	}
	soup_session_websocket_connect_async(c->session, m, origin, NULL, G_PRIORITY_DEFAULT, NULL, on_connected, c);
	g_assert_true(rt_wait(connected_or_failed, c, 5000));
	g_assert_false(c->failed);
	return c;
}

gboolean rt_client_is_open(RtClient *c)
{
	return c->ws && soup_websocket_connection_get_state(c->ws) == SOUP_WEBSOCKET_STATE_OPEN;
}

gboolean rt_client_is_closed(RtClient *c)
{
	return c->closed;
}

gushort rt_client_close_code(RtClient *c)
{
	return c->close_code;
}

void rt_client_send_text(RtClient *c, const char *text)
{
	if (rt_client_is_open(c))
		soup_websocket_connection_send_text(c->ws, text);
}

void rt_client_send(RtClient *c, JsonObject *obj)
{
	g_autofree char *text = relais_msg_to_string(obj);
	rt_client_send_text(c, text);
}

GPtrArray *rt_client_inbox(RtClient *c)
{
	return c->inbox;
}

RelaisMsg *rt_client_last(RtClient *c, RelaisMsgType type)
{
	for (guint i = c->inbox->len; i > 0; i--) {
		RelaisMsg *m = g_ptr_array_index(c->inbox, i - 1);
		if (relais_msg_get_type(m) == type)
			return m;
	}
	return NULL;
}

JsonObject *rt_client_booth(RtClient *c, const char *booth_id)
{
	/* the newest message that names it says; a snapshot's first part is
	 * as far back as the list goes */
	for (guint i = c->inbox->len; i > 0; i--) {
		RelaisMsg *m = g_ptr_array_index(c->inbox, i - 1);
		RelaisMsgType type = relais_msg_get_type(m);
		if (type != RELAIS_MSG_BOOTHS && type != RELAIS_MSG_BOOTHS_CHANGED)
			continue;
		JsonArray *a = relais_msg_get_array(m, "booths");
		for (guint k = 0; k < json_array_get_length(a); k++) {
			JsonObject *e = json_array_get_object_element(a, k);
			if (g_strcmp0(json_object_get_string_member(e, "booth_id"), booth_id) == 0)
				return e;
		}
		if (type == RELAIS_MSG_BOOTHS && relais_msg_get_int(m, "part", 0) == 1)
			return NULL;
		JsonArray *gone = relais_msg_get_array(m, "gone");
		for (guint k = 0; gone && k < json_array_get_length(gone); k++)
			if (g_strcmp0(json_array_get_string_element(gone, k), booth_id) == 0)
				return NULL;
	}
	return NULL;
}

void rt_client_free(RtClient *c)
{
	if (c == NULL)
		return;
	if (c->ws) {
		g_signal_handlers_disconnect_by_data(c->ws, c);
		if (soup_websocket_connection_get_state(c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_close(c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
		g_object_unref(c->ws);
	}
	g_object_unref(c->session);
	g_ptr_array_unref(c->inbox);
	g_free(c);
}
