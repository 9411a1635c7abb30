/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-control"

#include "control.h"
#include "diag.h"
#include "updatestatus.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <string.h>

#define MAX_LINE 16384

struct _BoothControl {
	Booth *booth;
	BoothVisitor *visitor;
	BoothTechnician *tech;
	char *path;
	GSocketService *service;
};

static char *reply(JsonObject *o)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(node, o);
	return json_to_string(node, FALSE);
}

static char *reply_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static char *reply_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	JsonObject *o = json_object_new();
	json_object_set_boolean_member(o, "ok", FALSE);
	json_object_set_string_member(o, "error", msg);
	return reply(o);
}

static char *reply_ok(JsonObject *o)
{
	if (o == NULL)
		o = json_object_new();
	json_object_set_boolean_member(o, "ok", TRUE);
	return reply(o);
}

static const char *opt_string(JsonObject *o, const char *name, const char *def)
{
	JsonNode *n = json_object_get_member(o, name);
	if (n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING)
		return json_node_get_string(n);
	return def;
}

/* Glass-to-glass latency where the UI draws the adviser's picture, beside
 * the decoder's figure (stamp_*) in the media object: RELAIS_MEDIA_STAMP=1
 * and a call only. */
static void add_stamp_drawn(JsonObject *o, BoothVisitor *visitor)
{
	RelaisStampSummary st;
	JsonObject *media = json_object_get_object_member(o, "media");
	if (media == NULL || !booth_visitor_get_stamp_drawn(visitor, &st) || (st.samples == 0 && st.unreadable == 0))
		return;
	json_object_set_int_member(media, "stamp_drawn_samples", (gint64)st.samples);
	json_object_set_int_member(media, "stamp_drawn_unreadable", (gint64)st.unreadable);
	json_object_set_double_member(media, "stamp_drawn_p50_ms", st.p50_ms);
	json_object_set_double_member(media, "stamp_drawn_p90_ms", st.p90_ms);
	json_object_set_double_member(media, "stamp_drawn_max_ms", st.max_ms);
	JsonArray *recent = json_array_sized_new(st.n_recent);
	for (guint i = 0; i < st.n_recent; i++)
		json_array_add_double_element(recent, st.recent_ms[i]);
	json_object_set_array_member(media, "stamp_drawn_recent_ms", recent);
}

static JsonObject *status(Booth *booth, BoothVisitor *visitor)
{
	JsonObject *o = booth_status(booth);
	if (visitor) {
		json_object_set_object_member(o, "visitor", booth_visitor_status(visitor));
		if (json_object_has_member(o, "media"))
			add_stamp_drawn(o, visitor);
	}
	return o;
}

static gboolean event_type_from_name(const char *name, RelaisJourneyEventType *type)
{
	for (int t = 0; t < RELAIS_JOURNEY_N_EVENTS; t++) {
		if (g_strcmp0(relais_journey_event_name(t), name) == 0) {
			*type = t;
			return TRUE;
		}
	}
	return FALSE;
}

static char *handle_visitor(BoothVisitor *visitor, const char *cmd, JsonObject *o)
{
	g_autoptr(GError) error = NULL;
	if (g_str_equal(cmd, "tap")) {
		RelaisJourneyEventType type;
		const char *target = opt_string(o, "target", NULL);
		if (g_strcmp0(target, "keyboard") == 0) {
			if (!booth_visitor_tap_key(visitor, opt_string(o, "str", NULL), &error))
				return reply_error("%s", error->message);
		} else if (g_strcmp0(target, "guest") == 0) {
			if (!booth_visitor_tap_guest(visitor, opt_string(o, "str", NULL), &error))
				return reply_error("%s", error->message);
		} else if (g_strcmp0(target, "document") == 0) {
			if (!booth_visitor_tap_document(visitor, opt_string(o, "str", NULL), &error))
				return reply_error("%s", error->message);
		} else if (target == NULL || !event_type_from_name(target, &type))
			return reply_error("'target' must name a journey event (start, answer, skip, ...) or be "
					   "'keyboard', 'guest' or 'document'");
		else {
			int num = json_object_has_member(o, "num") ? (int)json_object_get_int_member(o, "num") : 0;
			const char *str = opt_string(o, "str", NULL);
			/* a booking code's digit reads as a number on the command line */
			g_autofree char *digit = NULL;
			if (str == NULL && type == RELAIS_JOURNEY_EV_CODE_CHAR && json_object_has_member(o, "num"))
				str = digit = g_strdup_printf("%d", num);
			if (!booth_visitor_tap(visitor, type, str, num, &error))
				return reply_error("%s", error->message);
		}
	} else if (g_str_equal(cmd, "key")) {
		if (!booth_visitor_key(visitor, opt_string(o, "key", ""), &error))
			return reply_error("%s", error->message);
	} else {
		const char *path = opt_string(o, "path", NULL);
		if (path == NULL)
			return reply_error("'path' must be a file name");
		booth_ui_render(booth_visitor_get_ui(visitor));
		if (!booth_ui_save_png(booth_visitor_get_ui(visitor), path, &error))
			return reply_error("%s", error->message);
	}
	JsonObject *r = json_object_new();
	json_object_set_object_member(r, "visitor", booth_visitor_status(visitor));
	return reply_ok(r);
}

/* Test hooks are for test runs only: the booth must be started with
 * RELAIS_BOOTH_TEST_HOOKS=1 (a field booth's unit never sets it). */
static gboolean test_hooks_enabled(void)
{
	static gsize enabled = 0;
	if (g_once_init_enter(&enabled))
		g_once_init_leave(&enabled, g_strcmp0(g_getenv("RELAIS_BOOTH_TEST_HOOKS"), "1") == 0 ? 2 : 1);
	return enabled == 2;
}

/* {"cmd":"debug-block","thread":"main"|"media","seconds":N}: a hung booth
 * for the watchdog test. "main" blocks the main loop here and replies when
 * the block is over; "media" stalls the camera's streaming thread at its
 * next frame and replies at once. Both give the block's window on the
 * monotonic clock (CLOCK_MONOTONIC, shared by every process). */
static char *debug_block(Booth *booth, JsonObject *o)
{
	const char *thread = opt_string(o, "thread", "");
	JsonNode *sn = json_object_get_member(o, "seconds");
	gint64 seconds = sn && JSON_NODE_HOLDS_VALUE(sn) && json_node_get_value_type(sn) == G_TYPE_INT64
				 ? json_node_get_int(sn)
				 : 0;
	if (seconds < 1 || seconds > 120)
		return reply_error("'seconds' must be an integer from 1 to 120");
	gint64 from = g_get_monotonic_time();
	if (g_str_equal(thread, "main")) {
		g_message("test hook: blocking the main loop for %" G_GINT64_FORMAT " s", seconds);
		g_usleep((gulong)seconds * G_USEC_PER_SEC);
	} else if (g_str_equal(thread, "media")) {
		g_autoptr(GError) error = NULL;
		if (!booth_stall_media(booth, (guint)seconds * 1000, &error))
			return reply_error("%s", error->message);
	} else {
		return reply_error("'thread' must be 'main' or 'media'");
	}
	JsonObject *r = json_object_new();
	json_object_set_string_member(r, "thread", thread);
	json_object_set_int_member(r, "from_us", from);
	json_object_set_int_member(
		r, "until_us", g_str_equal(thread, "main") ? g_get_monotonic_time() : from + seconds * G_USEC_PER_SEC);
	return reply_ok(r);
}

static gboolean opt_int(JsonObject *o, const char *name, int *value)
{
	JsonNode *n = json_object_get_member(o, name);
	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
		return FALSE;
	gint64 v = json_node_get_int(n);
	if (v < G_MININT || v > G_MAXINT)
		return FALSE;
	*value = (int)v;
	return TRUE;
}

static char *handle_technician(BoothVisitor *visitor, BoothTechnician *tech, const char *cmd, JsonObject *o)
{
	g_autoptr(GError) error = NULL;
	BoothUi *ui = booth_visitor_get_ui(visitor);
	if (g_str_equal(cmd, "touch")) {
		int x, y;
		JsonNode *down = json_object_get_member(o, "down");
		if (down == NULL || !JSON_NODE_HOLDS_VALUE(down) || json_node_get_value_type(down) != G_TYPE_BOOLEAN ||
		    !opt_int(o, "x", &x) || !opt_int(o, "y", &y))
			return reply_error("'touch' needs 'down' (true or false) and integers 'x' and 'y'");
		if (!booth_ui_touch(ui, json_node_get_boolean(down), x, y, &error))
			return reply_error("%s", error->message);
	} else {
		if (tech == NULL)
			return reply_error("this booth has no technician screen");
		if (!booth_ui_tap_technician(ui, opt_string(o, "button", NULL), &error))
			return reply_error("%s", error->message);
	}
	JsonObject *r = json_object_new();
	json_object_set_object_member(r, "visitor", booth_visitor_status(visitor));
	if (tech)
		json_object_set_object_member(r, "technician", booth_technician_status(tech));
	return reply_ok(r);
}

char *booth_control_handle(Booth *booth, BoothVisitor *visitor, const char *line)
{
	return booth_control_handle_full(booth, visitor, NULL, line);
}

char *booth_control_handle_full(Booth *booth, BoothVisitor *visitor, BoothTechnician *tech, const char *line)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	if (strlen(line) > MAX_LINE)
		return reply_error("command longer than %d bytes", MAX_LINE);
	if (!json_parser_load_from_data(parser, line, -1, &error))
		return reply_error("not JSON: %s", error->message);
	JsonNode *root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return reply_error("a command is a JSON object");
	JsonObject *o = json_node_get_object(root);
	const char *cmd = opt_string(o, "cmd", NULL);
	if (cmd == NULL)
		return reply_error("missing string member 'cmd'");

	if (g_str_equal(cmd, "status")) {
		JsonObject *st = status(booth, visitor);
		if (tech)
			json_object_set_object_member(st, "technician", booth_technician_status(tech));
		return reply_ok(st);
	}
	if (g_str_equal(cmd, "touch") || g_str_equal(cmd, "technician")) {
		if (visitor == NULL)
			return reply_error("'%s' needs the touch UI (relais-booth --ui)", cmd);
		return handle_technician(visitor, tech, cmd, o);
	}
	if (g_str_equal(cmd, "health"))
		return reply_ok(booth_diag_health(booth, NULL));
	/* {"cmd":"media-restart"}: a new media connection for the call now
	 * (PROTOCOL.md "Reconnecting a call's media") */
	if (g_str_equal(cmd, "media-restart")) {
		if (!booth_restart_media(booth, &error))
			return reply_error("%s", error->message);
		return reply_ok(status(booth, visitor));
	}
	if (g_str_equal(cmd, "update-report")) {
		gboolean sent = FALSE;
		g_autoptr(JsonObject) report = booth_send_update_report(booth, &sent, &error);
		if (report == NULL)
			return reply_error("%s", error->message);
		JsonObject *r = json_object_new();
		json_object_set_boolean_member(r, "sent", sent);
		json_object_set_object_member(r, "report", g_steal_pointer(&report));
		return reply_ok(r);
	}
	if (g_str_equal(cmd, "diag")) {
		JsonObject *r = json_object_new();
		json_object_set_object_member(r, "report", booth_diag_report(booth));
		return reply_ok(r);
	}
	if (g_str_equal(cmd, "tap") || g_str_equal(cmd, "key") || g_str_equal(cmd, "screenshot")) {
		if (visitor == NULL)
			return reply_error("'%s' needs the touch UI (relais-booth --ui)", cmd);
		return handle_visitor(visitor, cmd, o);
	}
	if (visitor && (g_str_equal(cmd, "request") || g_str_equal(cmd, "chat")))
		return reply_error("this booth has a touch screen: the visitor does that there (use 'tap')");
	if (g_str_equal(cmd, "request")) {
		JsonNode *an = json_object_get_member(o, "answers");
		if (an && !JSON_NODE_HOLDS_OBJECT(an))
			return reply_error("'answers' must be an object");
		if (!booth_request(booth, opt_string(o, "topic", "other"), opt_string(o, "language", "fr"),
				   an ? json_node_get_object(an) : NULL, &error))
			return reply_error("%s", error->message);
		return reply_ok(booth_status(booth));
	}
	if (g_str_equal(cmd, "end") || g_str_equal(cmd, "cancel")) {
		if (!booth_end(booth, &error))
			return reply_error("%s", error->message);
		return reply_ok(booth_status(booth));
	}
	/* {"cmd":"guest-answer","accept":true|false}: the visitor's answer to
	 * the guest asking to join (status "guest_ask"), as "Let them in" or
	 * "Not now" on the screen */
	if (g_str_equal(cmd, "guest-answer")) {
		JsonNode *acc = json_object_get_member(o, "accept");
		if (acc == NULL || !JSON_NODE_HOLDS_VALUE(acc) || json_node_get_value_type(acc) != G_TYPE_BOOLEAN)
			return reply_error("'accept' must be true or false");
		if (!booth_guest_answer(booth, json_node_get_boolean(acc), &error))
			return reply_error("%s", error->message);
		return reply_ok(status(booth, visitor));
	}
	if (g_str_equal(cmd, "drop-link")) {
		booth_drop_link(booth);
		return reply_ok(status(booth, visitor));
	}
	if (g_str_equal(cmd, "chat")) {
		if (!booth_chat(booth, opt_string(o, "text", ""), &error))
			return reply_error("%s", error->message);
		return reply_ok(NULL);
	}
	/* {"cmd":"sim-device","device":"camera"|"microphone","state":"lost"|"back"}:
	 * the sim board's unplug (booth_sim_device refuses other boards) */
	if (g_str_equal(cmd, "sim-device")) {
		const char *dev = opt_string(o, "device", ""), *st = opt_string(o, "state", "");
		gboolean camera = g_str_equal(dev, "camera"), lost = g_str_equal(st, "lost");
		if (!camera && !g_str_equal(dev, "microphone"))
			return reply_error("'device' must be 'camera' or 'microphone'");
		if (!lost && !g_str_equal(st, "back"))
			return reply_error("'state' must be 'lost' or 'back'");
		if (!booth_sim_device(booth, camera ? RELAIS_MEDIA_CAMERA : RELAIS_MEDIA_MICROPHONE, lost, &error))
			return reply_error("%s", error->message);
		return reply_ok(status(booth, visitor));
	}
	if (g_str_equal(cmd, "debug-block") && test_hooks_enabled())
		return debug_block(booth, o);
	return reply_error("unknown command '%.32s' (status, diag, health, update-report, request, end, chat, tap, "
			   "key, screenshot, touch, technician, drop-link, sim-device)",
			   cmd);
}

typedef struct {
	BoothControl *control;
	GSocketConnection *conn;
	GDataInputStream *in;
} Client;

static void client_free(Client *c)
{
	g_clear_object(&c->in);
	g_clear_object(&c->conn);
	g_free(c);
}

static void on_line(GObject *source, GAsyncResult *res, gpointer data)
{
	Client *c = data;
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	g_autofree char *line = g_data_input_stream_read_line_finish_utf8(c->in, res, &len, &error);
	if (line == NULL) {
		if (error && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			g_autofree char *r = reply_error("unreadable command: %s", error->message);
			g_autofree char *out = g_strconcat(r, "\n", NULL);
			GOutputStream *os = g_io_stream_get_output_stream(G_IO_STREAM(c->conn));
			(void)g_output_stream_write_all(os, out, strlen(out), NULL, NULL, NULL);
		}
		client_free(c);
		return;
	}
	g_autofree char *r = booth_control_handle_full(c->control->booth, c->control->visitor, c->control->tech, line);
	g_autofree char *out = g_strconcat(r, "\n", NULL);
	GOutputStream *os = g_io_stream_get_output_stream(G_IO_STREAM(c->conn));
	/* replies are small and the socket local: a blocking write is fine */
	if (!g_output_stream_write_all(os, out, strlen(out), NULL, NULL, &error)) {
		g_debug("control client gone: %s", error->message);
		client_free(c);
		return;
	}
	g_data_input_stream_read_line_async(c->in, G_PRIORITY_DEFAULT, NULL, on_line, c);
}

static gboolean on_incoming(GSocketService *service, GSocketConnection *conn, GObject *source, gpointer data)
{
	Client *c = g_new0(Client, 1);
	c->control = data;
	c->conn = g_object_ref(conn);
	c->in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(conn)));
	g_buffered_input_stream_set_buffer_size(G_BUFFERED_INPUT_STREAM(c->in), MAX_LINE + 1);
	g_data_input_stream_read_line_async(c->in, G_PRIORITY_DEFAULT, NULL, on_line, c);
	return TRUE;
}

BoothControl *booth_control_new(Booth *booth, const char *path, GError **error)
{
	g_autoptr(BoothControl) control = g_new0(BoothControl, 1);
	control->booth = booth;
	control->path = g_strdup(path);
	/* a stale socket from a crashed run would make bind fail */
	if (g_file_test(path, G_FILE_TEST_EXISTS) && !g_file_test(path, G_FILE_TEST_IS_REGULAR))
		(void)g_unlink(path);
	control->service = g_socket_service_new();
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
	mode_t old = umask(0077);
	gboolean ok = g_socket_listener_add_address(G_SOCKET_LISTENER(control->service), addr, G_SOCKET_TYPE_STREAM,
						    G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, error);
	umask(old);
	if (!ok) {
		g_prefix_error(error, "control socket %s: ", path);
		return NULL;
	}
	g_signal_connect(control->service, "incoming", G_CALLBACK(on_incoming), control);
	g_socket_service_start(control->service);
	return g_steal_pointer(&control);
}

void booth_control_set_visitor(BoothControl *control, BoothVisitor *visitor)
{
	control->visitor = visitor;
}

void booth_control_set_technician(BoothControl *control, BoothTechnician *tech)
{
	control->tech = tech;
}

void booth_control_free(BoothControl *control)
{
	if (control == NULL)
		return;
	if (control->service) {
		g_socket_service_stop(control->service);
		g_socket_listener_close(G_SOCKET_LISTENER(control->service));
		g_object_unref(control->service);
		(void)g_unlink(control->path);
	}
	g_free(control->path);
	g_free(control);
}
