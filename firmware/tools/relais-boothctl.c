/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * relais-boothctl: drives a headless booth through its control socket.
 *
 *   relais-boothctl -c PATH status
 *   relais-boothctl -c PATH request [--topic T] [--language L] [--answer k=v]...
 *   relais-boothctl -c PATH end
 *   relais-boothctl -c PATH chat TEXT
 *   relais-boothctl -c PATH tap TARGET [ARG]   touch UI: press a target (journey
 *                                              event name; ARG: choice, language
 *                                              or number)
 *   relais-boothctl -c PATH key NAME           touch UI: a key (Tab, Return...)
 *   relais-boothctl -c PATH screenshot FILE    touch UI: the screen as PNG
 *   relais-boothctl -c PATH touch-down X Y     touch UI: a finger down at pixel X, Y
 *   relais-boothctl -c PATH touch-up X Y       ... and up (a press is the time between)
 *   relais-boothctl -c PATH press X Y MS       down, held MS milliseconds, up (the
 *                                              technician's gesture: two corners held)
 *   relais-boothctl -c PATH technician BUTTON  technician screen: 0-9, back, ok, close,
 *                                              speaker, turn
 *   relais-boothctl -c PATH diag               the diagnostics report
 *   relais-boothctl -c PATH health             the health check: exits 0 when
 *                                              healthy (link up, camera and
 *                                              microphone opened), 1 when not,
 *                                              2 when no booth answers
 *   relais-boothctl -c PATH update-report      reads the update status file
 *                                              again and reports it
 *   relais-boothctl -c PATH media-restart      in a call: a new media connection
 *                                              now, as when the path is dead
 *   relais-boothctl -c PATH sim-device camera|microphone lost|back
 *                                              the sim board only: unplugs or
 *                                              plugs back its camera or
 *                                              microphone (status: "devices")
 *
 *
 * Test runs only (the booth started with RELAIS_BOOTH_TEST_HOOKS=1, see
 * firmware/booth/control.h); a field booth answers "unknown command":
 *
 *   relais-boothctl -c PATH debug-block main|media SECONDS
 *                                              blocks the booth's main loop or
 *                                              stalls its camera's thread
 *
 * Prints the booth's JSON reply; exits 0 when it says ok, 1 otherwise.
 */
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

/* What exchange() saw. */
typedef enum {
	REPLY_OK,	/* {"ok":true,...} */
	REPLY_REFUSED,	/* the booth answered, not ok */
	REPLY_NO_BOOTH, /* no socket, no answer, or not the booth's JSON */
} Reply;

/* Sends one command (a new connection), prints the reply; TRUE if it says ok. */
static gboolean exchange(const char *path, JsonObject *o, char **reply_out);
static Reply exchange_full(const char *path, JsonObject *o, JsonObject **reply_out);

static gboolean exchange(const char *path, JsonObject *o, char **reply_out)
{
	g_autoptr(JsonObject) r = NULL;
	Reply rc = exchange_full(path, o, &r);
	if (reply_out && r) {
		g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
		json_node_set_object(node, r);
		*reply_out = json_to_string(node, FALSE);
	}
	return rc == REPLY_OK;
}

static Reply exchange_full(const char *path, JsonObject *o, JsonObject **reply_out)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	json_node_set_object(node, o);
	g_autofree char *text = json_to_string(node, FALSE);
	g_autofree char *line = g_strconcat(text, "\n", NULL);

	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
	g_autoptr(GSocketConnection) conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, &error);
	if (conn == NULL) {
		fprintf(stderr, "relais-boothctl: %s: %s\n", path, error->message);
		return REPLY_NO_BOOTH;
	}
	GOutputStream *os = g_io_stream_get_output_stream(G_IO_STREAM(conn));
	if (!g_output_stream_write_all(os, line, strlen(line), NULL, NULL, &error)) {
		fprintf(stderr, "relais-boothctl: %s\n", error->message);
		return REPLY_NO_BOOTH;
	}
	g_autoptr(GDataInputStream) in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(conn)));
	g_autofree char *reply = g_data_input_stream_read_line_utf8(in, NULL, NULL, &error);
	if (reply == NULL) {
		fprintf(stderr, "relais-boothctl: no reply%s%s\n", error ? ": " : "", error ? error->message : "");
		return REPLY_NO_BOOTH;
	}
	printf("%s\n", reply);
	g_autoptr(JsonParser) parser = json_parser_new();
	if (!json_parser_load_from_data(parser, reply, -1, NULL) || json_parser_get_root(parser) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		fprintf(stderr, "relais-boothctl: the reply is not a JSON object\n");
		return REPLY_NO_BOOTH;
	}
	JsonObject *r = json_node_get_object(json_parser_get_root(parser));
	gboolean ok = json_object_get_boolean_member_with_default(r, "ok", FALSE);
	if (reply_out)
		*reply_out = json_object_ref(r);
	return ok ? REPLY_OK : REPLY_REFUSED;
}

/* "123" as 0..max, else FALSE */
static gboolean parse_int(const char *s, guint64 max, int *v)
{
	guint64 n = 0;
	if (s == NULL || !g_ascii_string_to_unsigned(s, 10, 0, max, &n, NULL))
		return FALSE;
	*v = (int)n;
	return TRUE;
}

int main(int argc, char **argv)
{
	/* option values (site names) are UTF-8 text: GOption needs the locale */
	setlocale(LC_ALL, "");
	g_autofree char *path = NULL;
	g_autofree char *topic = NULL;
	g_autofree char *language = NULL;
	g_auto(GStrv) answers = NULL;
	GOptionEntry entries[] = {
		{"control", 'c', 0, G_OPTION_ARG_FILENAME, &path, "Booth control socket", "PATH"},
		{"topic", 't', 0, G_OPTION_ARG_STRING, &topic, "request: topic id", "ID"},
		{"language", 'l', 0, G_OPTION_ARG_STRING, &language, "request: language (fr, en...)", "LANG"},
		{"answer", 'a', 0, G_OPTION_ARG_STRING_ARRAY, &answers, "request: a pre-question answer", "KEY=VALUE"},
		{NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"status|diag|health|update-report|request|end|chat TEXT|guest-answer yes|no|tap TARGET [ARG]|key NAME|"
		"screenshot FILE|touch-down X Y|touch-up X Y|press X Y MS|technician BUTTON");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc < 2) {
		fprintf(stderr, "relais-boothctl: %s\n",
			error ? error->message : "a command is needed (status, request, end, chat)");
		return 2;
	}
	/* the defaults once the options are parsed: GOption replaces a string
	 * it is given without freeing the one it finds (a leak per option) */
	if (path == NULL)
		path = g_strdup("/run/relais/booth.sock");
	if (topic == NULL)
		topic = g_strdup("other");
	if (language == NULL)
		language = g_strdup("fr");
	const char *cmd = argv[1];
	gboolean press = FALSE;
	int press_ms = 0;
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "cmd", cmd);
	if (g_str_equal(cmd, "request")) {
		json_object_set_string_member(o, "topic", topic);
		json_object_set_string_member(o, "language", language);
		JsonObject *a = json_object_new();
		for (char **s = answers; s && *s; s++) {
			char *eq = strchr(*s, '=');
			if (eq == NULL) {
				fprintf(stderr, "relais-boothctl: --answer '%s' is not KEY=VALUE\n", *s);
				return 2;
			}
			*eq = '\0';
			json_object_set_string_member(a, *s, eq + 1);
		}
		json_object_set_object_member(o, "answers", a);
	} else if (g_str_equal(cmd, "chat")) {
		if (argc < 3) {
			fprintf(stderr, "relais-boothctl: chat needs the text\n");
			return 2;
		}
		json_object_set_string_member(o, "text", argv[2]);
	} else if (g_str_equal(cmd, "guest-answer")) {
		/* the visitor's "Let them in" (yes) or "Not now" (no) */
		gboolean yes = argc >= 3 && g_str_equal(argv[2], "yes");
		if (argc < 3 || (!yes && !g_str_equal(argv[2], "no"))) {
			fprintf(stderr, "relais-boothctl: guest-answer needs yes or no\n");
			return 2;
		}
		json_object_set_boolean_member(o, "accept", yes);
	} else if (g_str_equal(cmd, "sim-device")) {
		if (argc < 4) {
			fprintf(stderr, "relais-boothctl: sim-device needs camera|microphone and lost|back\n");
			return 2;
		}
		/* the booth checks the words (and that it is the sim board) */
		json_object_set_string_member(o, "device", argv[2]);
		json_object_set_string_member(o, "state", argv[3]);
	} else if (g_str_equal(cmd, "debug-block")) {
		guint64 seconds = 0;
		if (argc < 4 || !g_ascii_string_to_unsigned(argv[3], 10, 1, 120, &seconds, NULL)) {
			fprintf(stderr, "relais-boothctl: debug-block needs main|media and 1-120 seconds\n");
			return 2;
		}
		json_object_set_string_member(o, "thread", argv[2]);
		json_object_set_int_member(o, "seconds", (gint64)seconds);
	} else if (g_str_equal(cmd, "touch-down") || g_str_equal(cmd, "touch-up") || g_str_equal(cmd, "press")) {
		int x, y;
		press = g_str_equal(cmd, "press");
		if (argc < (press ? 5 : 4) || !parse_int(argv[2], 100000, &x) || !parse_int(argv[3], 100000, &y) ||
		    (press && !parse_int(argv[4], 60000, &press_ms))) {
			fprintf(stderr, "relais-boothctl: %s needs X Y%s (pixels%s)\n", cmd, press ? " MS" : "",
				press ? ", milliseconds up to 60000" : "");
			return 2;
		}
		json_object_set_string_member(o, "cmd", "touch");
		json_object_set_boolean_member(o, "down", !g_str_equal(cmd, "touch-up"));
		json_object_set_int_member(o, "x", x);
		json_object_set_int_member(o, "y", y);
	} else if (g_str_equal(cmd, "technician")) {
		if (argc < 3) {
			fprintf(stderr,
				"relais-boothctl: technician needs a button (0-9, back, ok, close, speaker, turn)\n");
			return 2;
		}
		json_object_set_string_member(o, "button", argv[2]);
	} else if (g_str_equal(cmd, "tap") || g_str_equal(cmd, "key") || g_str_equal(cmd, "screenshot")) {
		if (argc < 3) {
			fprintf(stderr, "relais-boothctl: %s needs an argument\n", cmd);
			return 2;
		}
		const char *member = g_str_equal(cmd, "tap") ? "target" : g_str_equal(cmd, "key") ? "key" : "path";
		json_object_set_string_member(o, member, argv[2]);
		if (g_str_equal(cmd, "tap") && argc >= 4) {
			char *end = NULL;
			gint64 n = g_ascii_strtoll(argv[3], &end, 10);
			if (end && *end == '\0' && end != argv[3])
				json_object_set_int_member(o, "num", n);
			else
				json_object_set_string_member(o, "str", argv[3]);
		}
	}
	if (g_str_equal(cmd, "health")) {
		/* for a shell script's loop: 0 healthy, 1 not (yet), 2 no booth */
		g_autoptr(JsonObject) r = NULL;
		Reply rc = exchange_full(path, o, &r);
		json_object_unref(o);
		if (rc != REPLY_OK)
			return 2;
		return json_object_get_boolean_member_with_default(r, "healthy", FALSE) ? 0 : 1;
	}
	if (press) {
		/* a finger down, held, then up: the real input path, for the
		 * technician's gesture (two corners held in turn) */
		if (!exchange(path, o, NULL))
			return 1;
		g_usleep((gulong)press_ms * 1000);
		json_object_set_boolean_member(o, "down", FALSE);
	}
	int rc = exchange(path, o, NULL) ? 0 : 1;
	json_object_unref(o);
	return rc;
}
