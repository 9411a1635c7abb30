/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-diag"

#include "diag-tests.h"

#include <gst/gst.h>
#include <nice/agent.h>

static void record(Booth *booth, const char *name, const char *state, const char *detail)
{
	BoothFacts f;
	booth_get_facts(booth, &f);
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "state", state);
	if (detail)
		json_object_set_string_member(o, "detail", detail);
	json_object_set_object_member(f.checks, name, o);
	g_message("technician test %s: %s%s%s", name, state, detail ? ": " : "", detail ? detail : "");
}

/* A test runs while its outcome says "testing": one at a time per booth,
 * with no state of this module's own. */
static gboolean running(Booth *booth, const char *name)
{
	BoothFacts f;
	booth_get_facts(booth, &f);
	JsonNode *n = json_object_get_member(f.checks, name);
	return n && JSON_NODE_HOLDS_OBJECT(n) &&
	       g_strcmp0(json_object_get_string_member_with_default(json_node_get_object(n), "state", NULL),
			 "testing") == 0;
}

/* --- speaker -------------------------------------------------------------- */

typedef struct {
	Booth *booth;
	GstElement *pipeline;
	guint watch_id, timeout_id;
} Speaker;

static void speaker_end(Speaker *s, const char *state, const char *detail)
{
	record(s->booth, "speaker", state, detail);
	g_clear_handle_id(&s->timeout_id, g_source_remove);
	g_clear_handle_id(&s->watch_id, g_source_remove);
	gst_element_set_state(s->pipeline, GST_STATE_NULL);
	gst_object_unref(s->pipeline);
	g_free(s);
}

static gboolean on_speaker_bus(GstBus *bus, GstMessage *msg, gpointer data)
{
	Speaker *s = data;
	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
		s->watch_id = 0;
		speaker_end(s, "ok", "1 s tone played");
		return G_SOURCE_REMOVE;
	}
	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
		g_autoptr(GError) error = NULL;
		gst_message_parse_error(msg, &error, NULL);
		s->watch_id = 0;
		speaker_end(s, "error", error->message);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean on_speaker_timeout(gpointer data)
{
	Speaker *s = data;
	s->timeout_id = 0;
	speaker_end(s, "error", "the tone did not finish within 5 s");
	return G_SOURCE_REMOVE;
}

void booth_diag_test_speaker(Booth *booth)
{
	if (running(booth, "speaker"))
		return;
	BoothFacts f;
	booth_get_facts(booth, &f);
	if (f.media_conf == NULL) {
		record(booth, "speaker", "error", "the board's pipelines did not load");
		return;
	}
	/* the board's own way to the loudspeaker, as a call's sound takes */
	g_autofree char *playback = relais_media_conf_dup_fragment(f.media_conf, "audio", "playback");
	g_autofree char *desc = g_strdup_printf("audiotestsrc wave=sine freq=880 volume=0.4 samplesperbuffer=1600 "
						"num-buffers=10 ! audio/x-raw,rate=16000,channels=1 ! %s",
						playback ? playback : "audioconvert ! autoaudiosink");
	g_autoptr(GError) error = NULL;
	GstElement *pipeline = gst_parse_launch_full(desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &error);
	if (pipeline == NULL) {
		record(booth, "speaker", "error", error->message);
		return;
	}
	Speaker *s = g_new0(Speaker, 1);
	s->booth = booth;
	s->pipeline = pipeline;
	g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
	s->watch_id = gst_bus_add_watch(bus, on_speaker_bus, s);
	s->timeout_id = g_timeout_add(5000, on_speaker_timeout, s);
	record(booth, "speaker", "testing", NULL);
	if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
		speaker_end(s, "error", "the playback pipeline does not start");
}

/* --- TURN ------------------------------------------------------------------- */

typedef struct {
	Booth *booth;
	NiceAgent *agent;
	guint stream;
	guint timeout_id, timeout_ms;
	gint64 start_us;
} Turn;

static gboolean turn_free_later(gpointer data)
{
	Turn *t = data;
	nice_agent_remove_stream(t->agent, t->stream);
	g_object_unref(t->agent);
	g_free(t);
	return G_SOURCE_REMOVE;
}

static void turn_end(Turn *t, const char *state, const char *detail)
{
	record(t->booth, "turn", state, detail);
	g_clear_handle_id(&t->timeout_id, g_source_remove);
	g_signal_handlers_disconnect_by_data(t->agent, t);
	/* not from inside the agent's own signal */
	g_idle_add(turn_free_later, t);
}

static void on_candidate(NiceAgent *agent, NiceCandidate *c, gpointer data)
{
	Turn *t = data;
	if (c->type != NICE_CANDIDATE_TYPE_RELAYED)
		return;
	char ip[NICE_ADDRESS_STRING_LEN] = "";
	nice_address_to_string(&c->addr, ip);
	g_autofree char *detail =
		g_strdup_printf("relayed candidate %s:%u in %" G_GINT64_FORMAT " ms", ip,
				nice_address_get_port(&c->addr), (g_get_monotonic_time() - t->start_us) / 1000);
	turn_end(t, "reachable", detail);
}

/* Nothing but the TURN server's answers is expected; libnice reads its
 * sockets (and so those answers) only with a receiver attached. */
static void on_receive(NiceAgent *agent, guint stream, guint component, guint len, gchar *buf, gpointer data)
{
}

static void on_gathering_done(NiceAgent *agent, guint stream, gpointer data)
{
	turn_end(data, "unreachable", "gathering ended without a relayed candidate");
}

static gboolean on_turn_timeout(gpointer data)
{
	Turn *t = data;
	t->timeout_id = 0;
	g_autofree char *detail = g_strdup_printf("no relayed candidate within %u s", t->timeout_ms / 1000);
	turn_end(t, "unreachable", detail);
	return G_SOURCE_REMOVE;
}

/* "turn://user:pass@host:port?transport=tcp" as libnice's relay. The
 * switchboard gives addresses; a name is resolved here, at once. */
static gboolean add_relay(Turn *t, const char *server, GError **error)
{
	g_autoptr(GUri) uri = g_uri_parse(server, G_URI_FLAGS_HAS_PASSWORD, error);
	if (uri == NULL)
		return FALSE;
	const char *host = g_uri_get_host(uri), *user = g_uri_get_user(uri), *pass = g_uri_get_password(uri);
	if (host == NULL || user == NULL || pass == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no host or credentials");
		return FALSE;
	}
	gboolean tls = g_str_equal(g_uri_get_scheme(uri), "turns");
	gboolean tcp = g_uri_get_query(uri) && g_strstr_len(g_uri_get_query(uri), -1, "transport=tcp");
	int port = g_uri_get_port(uri) > 0 ? g_uri_get_port(uri) : tls ? 5349 : 3478;
	g_autofree char *ip = NULL;
	if (g_hostname_is_ip_address(host)) {
		ip = g_strdup(host);
	} else {
		g_autoptr(GResolver) resolver = g_resolver_get_default();
		GList *addrs = g_resolver_lookup_by_name(resolver, host, NULL, error);
		if (addrs == NULL)
			return FALSE;
		ip = g_inet_address_to_string(addrs->data);
		g_resolver_free_addresses(addrs);
	}
	NiceRelayType type = tls ? NICE_RELAY_TYPE_TURN_TLS : tcp ? NICE_RELAY_TYPE_TURN_TCP : NICE_RELAY_TYPE_TURN_UDP;
	if (!nice_agent_set_relay_info(t->agent, t->stream, 1, ip, port, user, pass, type)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "libnice refused the relay %s:%d", ip, port);
		return FALSE;
	}
	return TRUE;
}

void booth_diag_test_turn(Booth *booth, guint timeout_ms)
{
	if (running(booth, "turn"))
		return;
	BoothFacts f;
	booth_get_facts(booth, &f);
	guint n = 0;
	for (const char *const *s = f.ice_servers; s && *s; s++)
		n += g_str_has_prefix(*s, "turn:") || g_str_has_prefix(*s, "turns:");
	if (n == 0) {
		record(booth, "turn", "not_configured", "the switchboard gave no TURN server");
		return;
	}
	Turn *t = g_new0(Turn, 1);
	t->booth = booth;
	t->timeout_ms = timeout_ms ? timeout_ms : 5000;
	t->agent = nice_agent_new(g_main_context_default(), NICE_COMPATIBILITY_RFC5245);
	g_object_set(t->agent, "ice-tcp", FALSE, "upnp", FALSE, NULL);
	/* the addresses the booth's media use (coturn on loopback in tests:
	 * libnice skips loopback interfaces unless given them) */
	for (const char *const *a = f.ice_addresses; a && *a; a++) {
		NiceAddress addr;
		nice_address_init(&addr);
		if (nice_address_set_from_string(&addr, *a))
			nice_agent_add_local_address(t->agent, &addr);
	}
	t->stream = nice_agent_add_stream(t->agent, 1);
	nice_agent_attach_recv(t->agent, t->stream, 1, g_main_context_default(), on_receive, NULL);
	for (const char *const *s = f.ice_servers; s && *s; s++) {
		g_autoptr(GError) error = NULL;
		if ((g_str_has_prefix(*s, "turn:") || g_str_has_prefix(*s, "turns:")) && !add_relay(t, *s, &error)) {
			/* the URI's credentials stay out of the report */
			g_autofree char *detail = g_strdup_printf("unusable TURN server: %s", error->message);
			turn_end(t, "unreachable", detail);
			return;
		}
	}
	g_signal_connect(t->agent, "new-candidate-full", G_CALLBACK(on_candidate), t);
	g_signal_connect(t->agent, "candidate-gathering-done", G_CALLBACK(on_gathering_done), t);
	t->start_us = g_get_monotonic_time();
	record(booth, "turn", "testing", NULL);
	t->timeout_id = g_timeout_add(t->timeout_ms, on_turn_timeout, t);
	if (!nice_agent_gather_candidates(t->agent, t->stream))
		turn_end(t, "unreachable", "libnice could not start gathering");
}
