/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The switchboard's rules, driven through the hub's transport interface:
 * queue, pairing race, relay isolation, disconnects, error limits, metrics. */
#include "hub.h"

#include <string.h>

typedef struct {
	const char *name;
	GPtrArray *inbox; /* char* texts received */
	gushort closed_code;
	SbPeer *peer;
} Conn;

typedef struct {
	SbHub *hub;
	Conn conns[6];
} Fixture;

static void t_send(gpointer conn, const char *text, gpointer ud)
{
	g_ptr_array_add(((Conn *)conn)->inbox, g_strdup(text));
}

static void t_close(gpointer conn, gushort code, const char *reason, gpointer ud)
{
	((Conn *)conn)->closed_code = code;
}

static const SbHubTransport transport = {t_send, t_close};

static void setup(Fixture *f, gconstpointer data)
{
	char *ice[] = {"stun://127.0.0.1:3478", NULL};
	SbHubConfig cfg = {.max_booths = 3, .max_advisers = 3, .max_queue = 2, .max_errors = 5, .ice_servers = ice};
	f->hub = sb_hub_new(&cfg, &transport, f);
	for (guint i = 0; i < G_N_ELEMENTS(f->conns); i++)
		f->conns[i].inbox = g_ptr_array_new_with_free_func(g_free);
}

static void teardown(Fixture *f, gconstpointer data)
{
	for (guint i = 0; i < G_N_ELEMENTS(f->conns); i++) {
		if (f->conns[i].peer)
			sb_hub_disconnect(f->hub, f->conns[i].peer);
		g_ptr_array_unref(f->conns[i].inbox);
	}
	sb_hub_free(f->hub);
}

static void say(Fixture *f, Conn *c, const char *text)
{
	sb_hub_receive(f->hub, c->peer, text, strlen(text));
}

static Conn *open_conn(Fixture *f, guint i, RelaisRole role)
{
	Conn *c = &f->conns[i];
	c->peer = sb_hub_connect(f->hub, role, c);
	return c;
}

static Conn *booth(Fixture *f, guint i, const char *id)
{
	Conn *c = open_conn(f, i, RELAIS_ROLE_BOOTH);
	g_autofree char *hello = g_strdup_printf(
		"{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"%s\",\"site\":\"Médiathèque\"}",
		id);
	say(f, c, hello);
	return c;
}

static Conn *adviser(Fixture *f, guint i, const char *name)
{
	Conn *c = open_conn(f, i, RELAIS_ROLE_ADVISER);
	g_autofree char *hello =
		g_strdup_printf("{\"type\":\"hello\",\"version\":1,\"role\":\"adviser\",\"name\":\"%s\"}", name);
	say(f, c, hello);
	return c;
}

/* Parses message `idx` (negative: from the end) of c's inbox as the
 * switchboard's; returns NULL if there is none. */
static RelaisMsg *msg_at(Conn *c, gint idx)
{
	gint n = (gint)c->inbox->len;
	gint i = idx < 0 ? n + idx : idx;
	if (i < 0 || i >= n)
		return NULL;
	const char *text = g_ptr_array_index(c->inbox, i);
	g_autoptr(GError) error = NULL;
	RelaisMsg *m = relais_msg_parse(text, strlen(text), RELAIS_ROLE_SWITCHBOARD, TRUE, NULL, &error);
	g_assert_no_error(error);
	return m;
}

/* Last message of the given type in the inbox, or NULL. */
static RelaisMsg *last_of(Conn *c, RelaisMsgType type)
{
	for (gint i = (gint)c->inbox->len - 1; i >= 0; i--) {
		RelaisMsg *m = msg_at(c, i);
		if (relais_msg_get_type(m) == type)
			return m;
		relais_msg_free(m);
	}
	return NULL;
}

static guint count_of(Conn *c, RelaisMsgType type)
{
	guint n = 0;
	for (guint i = 0; i < c->inbox->len; i++) {
		g_autoptr(RelaisMsg) m = msg_at(c, (gint)i);
		n += relais_msg_get_type(m) == type;
	}
	return n;
}

static char *ticket_of(Conn *booth_conn)
{
	g_autoptr(RelaisMsg) q = last_of(booth_conn, RELAIS_MSG_QUEUED);
	g_assert_nonnull(q);
	return g_strdup(relais_msg_get_string(q, "ticket"));
}

static void test_hello(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "sim-1");
	g_autoptr(RelaisMsg) w = msg_at(b, 0);
	g_assert_cmpint(relais_msg_get_type(w), ==, RELAIS_MSG_WELCOME);
	JsonArray *ice = relais_msg_get_array(w, "ice_servers");
	g_assert_cmpstr(json_array_get_string_element(ice, 0), ==, "stun://127.0.0.1:3478");

	Conn *a = adviser(f, 1, "Alice");
	g_autoptr(RelaisMsg) booths = last_of(a, RELAIS_MSG_BOOTHS);
	JsonArray *list = relais_msg_get_array(booths, "booths");
	g_assert_cmpuint(json_array_get_length(list), ==, 1);
	JsonObject *e = json_array_get_object_element(list, 0);
	g_assert_cmpstr(json_object_get_string_member(e, "booth_id"), ==, "sim-1");
	g_assert_cmpstr(json_object_get_string_member(e, "state"), ==, "idle");
	g_assert_cmpstr(json_object_get_string_member(e, "site"), ==, "Médiathèque");
	g_autoptr(RelaisMsg) queue = last_of(a, RELAIS_MSG_QUEUE);
	g_assert_cmpuint(json_array_get_length(relais_msg_get_array(queue, "queue")), ==, 0);
}

static void test_queue_and_race(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "sim-1");
	Conn *alice = adviser(f, 1, "Alice");
	Conn *bob = adviser(f, 2, "Bob");
	say(f, b,
	    "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"job-search\",\"answers\":{\"situation\":\"student\"}"
	    "}");
	g_autofree char *ticket = ticket_of(b);
	g_autoptr(RelaisMsg) q = last_of(b, RELAIS_MSG_QUEUED);
	g_assert_cmpint(relais_msg_get_int(q, "position", 0), ==, 1);

	g_autoptr(RelaisMsg) aq = last_of(alice, RELAIS_MSG_QUEUE);
	JsonObject *entry = json_array_get_object_element(relais_msg_get_array(aq, "queue"), 0);
	g_assert_cmpstr(json_object_get_string_member(entry, "topic"), ==, "job-search");
	g_assert_cmpstr(json_object_get_string_member(entry, "language"), ==, "fr");
	g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(entry, "answers"), "situation"), ==,
			"student");
	g_assert_true(json_object_has_member(entry, "waited_s"));

	/* a second request from the same booth is out of state */
	say(f, b, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"x\"}");
	g_autoptr(RelaisMsg) err = last_of(b, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(err, "code"), ==, "state");

	/* race: Alice first, Bob second */
	g_autofree char *accept = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}", ticket);
	say(f, alice, accept);
	say(f, bob, accept);
	g_autoptr(RelaisMsg) call_a = last_of(alice, RELAIS_MSG_CALL);
	g_autoptr(RelaisMsg) call_b = last_of(b, RELAIS_MSG_CALL);
	g_assert_nonnull(call_a);
	g_assert_nonnull(call_b);
	g_assert_cmpstr(relais_msg_get_string(call_a, "call"), ==, relais_msg_get_string(call_b, "call"));
	g_assert_cmpstr(relais_msg_get_string(call_b, "peer"), ==, "Alice");
	g_assert_cmpstr(relais_msg_get_string(call_a, "topic"), ==, "job-search");
	g_assert_null(last_of(bob, RELAIS_MSG_CALL));
	g_autoptr(RelaisMsg) taken = last_of(bob, RELAIS_MSG_TAKEN);
	g_assert_cmpstr(relais_msg_get_string(taken, "ticket"), ==, ticket);
	g_autoptr(RelaisMsg) gone = last_of(bob, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(gone, "code"), ==, "gone");

	SbHubCounts c;
	sb_hub_counts(f->hub, &c);
	g_assert_cmpuint(c.calls_active, ==, 1);
	g_assert_cmpuint(c.queue, ==, 0);
	g_assert_cmpuint(c.calls_total, ==, 1);
}

static void test_relay_isolation(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "sim-1");
	Conn *alice = adviser(f, 1, "Alice");
	Conn *mallory = adviser(f, 2, "Mallory");
	Conn *b2 = booth(f, 3, "sim-2");
	say(f, b, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\"}");
	g_autofree char *ticket = ticket_of(b);
	g_autofree char *accept = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}", ticket);
	say(f, alice, accept);
	g_autoptr(RelaisMsg) call = last_of(alice, RELAIS_MSG_CALL);
	const char *id = relais_msg_get_string(call, "call");

	/* booth offers; only Alice gets it, re-encoded */
	g_autofree char *offer = g_strdup_printf(
		"{\"type\":\"sdp\",\"call\":\"%s\",\"sdp_type\":\"offer\",\"sdp\":\"v=0 offer\",\"evil\":\"x\"}", id);
	say(f, b, offer);
	g_autoptr(RelaisMsg) got = last_of(alice, RELAIS_MSG_SDP);
	g_assert_cmpstr(relais_msg_get_string(got, "sdp"), ==, "v=0 offer");
	g_assert_false(json_object_has_member(relais_msg_get_root(got), "evil"));
	g_assert_null(last_of(mallory, RELAIS_MSG_SDP));
	g_assert_null(last_of(b2, RELAIS_MSG_SDP));

	/* Mallory and another booth naming the live call: refused, delivered nowhere */
	guint before_b = b->inbox->len, before_a = alice->inbox->len;
	g_autofree char *fake_ice =
		g_strdup_printf("{\"type\":\"ice\",\"call\":\"%s\",\"candidate\":\"x\",\"mline\":0}", id);
	g_autofree char *fake_end = g_strdup_printf("{\"type\":\"end\",\"call\":\"%s\"}", id);
	g_autofree char *fake_chat = g_strdup_printf("{\"type\":\"chat\",\"call\":\"%s\",\"text\":\"hi\"}", id);
	say(f, mallory, fake_ice);
	say(f, mallory, fake_end);
	say(f, b2, fake_chat);
	g_assert_cmpuint(b->inbox->len, ==, before_b);
	g_assert_cmpuint(alice->inbox->len, ==, before_a);
	g_assert_cmpuint(count_of(mallory, RELAIS_MSG_ERROR), ==, 2);
	g_autoptr(RelaisMsg) e = last_of(b2, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e, "code"), ==, "state");

	/* chat both ways carries the sender */
	g_autofree char *chat = g_strdup_printf("{\"type\":\"chat\",\"call\":\"%s\",\"text\":\"Bonjour\"}", id);
	say(f, alice, chat);
	g_autoptr(RelaisMsg) bc = last_of(b, RELAIS_MSG_CHAT);
	g_assert_cmpstr(relais_msg_get_string(bc, "text"), ==, "Bonjour");
	g_assert_cmpstr(relais_msg_get_string(bc, "from"), ==, "Alice");

	/* end from the adviser reaches the booth only */
	say(f, alice, fake_end);
	g_autoptr(RelaisMsg) end = last_of(b, RELAIS_MSG_END);
	g_assert_cmpstr(relais_msg_get_string(end, "call"), ==, id);
	g_assert_null(last_of(mallory, RELAIS_MSG_END));
	SbHubCounts c;
	sb_hub_counts(f->hub, &c);
	g_assert_cmpuint(c.calls_active, ==, 0);
	/* the booth is idle again and may ask again */
	say(f, b, "{\"type\":\"request\",\"language\":\"en\",\"topic\":\"training\"}");
	g_autoptr(RelaisMsg) q = last_of(b, RELAIS_MSG_QUEUED);
	g_assert_nonnull(q);
}

static void test_disconnects(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "sim-1");
	Conn *alice = adviser(f, 1, "Alice");
	say(f, b, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\"}");
	g_autofree char *ticket = ticket_of(b);
	g_autofree char *accept = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}", ticket);
	say(f, alice, accept);

	/* adviser's browser vanishes: the booth is told */
	sb_hub_disconnect(f->hub, alice->peer);
	alice->peer = NULL;
	g_autoptr(RelaisMsg) end = last_of(b, RELAIS_MSG_END);
	g_assert_cmpstr(relais_msg_get_string(end, "reason"), ==, "peer-lost");

	/* a queued booth vanishes: its ticket leaves the queue */
	Conn *b2 = booth(f, 2, "sim-2");
	Conn *bob = adviser(f, 3, "Bob");
	say(f, b2, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\"}");
	sb_hub_disconnect(f->hub, b2->peer);
	b2->peer = NULL;
	g_autoptr(RelaisMsg) q = last_of(bob, RELAIS_MSG_QUEUE);
	g_assert_cmpuint(json_array_get_length(relais_msg_get_array(q, "queue")), ==, 0);
	g_autoptr(RelaisMsg) booths = last_of(bob, RELAIS_MSG_BOOTHS);
	g_assert_cmpuint(json_array_get_length(relais_msg_get_array(booths, "booths")), ==, 1);

	/* the same booth id again replaces the old connection */
	Conn *again = booth(f, 4, "sim-1");
	g_assert_cmpuint(f->conns[0].closed_code, ==, 4000);
	g_autoptr(RelaisMsg) w = last_of(again, RELAIS_MSG_WELCOME);
	g_assert_nonnull(w);
	SbHubCounts c;
	sb_hub_counts(f->hub, &c);
	g_assert_cmpuint(c.booths, ==, 1);
}

static void test_limits(Fixture *f, gconstpointer data)
{
	/* queue cap is 2 */
	Conn *b[3] = {booth(f, 0, "b0"), booth(f, 1, "b1"), booth(f, 2, "b2")};
	for (int i = 0; i < 3; i++)
		say(f, b[i], "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\"}");
	g_autoptr(RelaisMsg) full = last_of(b[2], RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(full, "code"), ==, "full");
	/* booth cap is 3 */
	Conn *b3 = booth(f, 3, "b3");
	g_autoptr(RelaisMsg) full2 = last_of(b3, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(full2, "code"), ==, "full");
	g_assert_cmpuint(b3->closed_code, ==, 1013);
	/* positions follow the queue: b1 moves up when b0 cancels */
	g_autofree char *t0 = ticket_of(b[0]);
	g_autofree char *cancel = g_strdup_printf("{\"type\":\"cancel\",\"ticket\":\"%s\"}", t0);
	say(f, b[0], cancel);
	g_autoptr(RelaisMsg) pos = last_of(b[1], RELAIS_MSG_QUEUED);
	g_assert_cmpint(relais_msg_get_int(pos, "position", 0), ==, 1);
	/* cancelling someone else's ticket is refused */
	g_autofree char *t1 = ticket_of(b[1]);
	g_autofree char *steal = g_strdup_printf("{\"type\":\"cancel\",\"ticket\":\"%s\"}", t1);
	say(f, b[0], steal);
	g_autoptr(RelaisMsg) gone = last_of(b[0], RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(gone, "code"), ==, "gone");
}

static void test_error_limit(Fixture *f, gconstpointer data)
{
	Conn *c = open_conn(f, 0, RELAIS_ROLE_ADVISER);
	say(f, c, "garbage");
	g_autoptr(RelaisMsg) e = msg_at(c, 0);
	g_assert_cmpstr(relais_msg_get_string(e, "code"), ==, "json");
	say(f, c, "{\"type\":\"accept\",\"ticket\":\"t\"}");
	g_autoptr(RelaisMsg) e2 = msg_at(c, 1);
	g_assert_cmpstr(relais_msg_get_string(e2, "code"), ==, "state");
	g_assert_cmpstr(relais_msg_get_string(e2, "ref"), ==, "accept");
	for (int i = 0; i < 3; i++)
		say(f, c, "{\"type\":\"nope\"}");
	g_assert_cmpuint(c->closed_code, ==, 1008);
	guint n = c->inbox->len;
	say(f, c, "{\"type\":\"nope\"}");
	g_assert_cmpuint(c->inbox->len, ==, n); /* closing: ignored */

	Conn *v = open_conn(f, 1, RELAIS_ROLE_BOOTH);
	say(f, v, "{\"type\":\"hello\",\"version\":9,\"role\":\"booth\",\"booth_id\":\"x\"}");
	g_autoptr(RelaisMsg) ve = msg_at(v, 0);
	g_assert_cmpstr(relais_msg_get_string(ve, "code"), ==, "version");
	g_assert_cmpuint(v->closed_code, ==, 1002);
}

static void test_metrics(Fixture *f, gconstpointer data)
{
	booth(f, 0, "sim-1");
	adviser(f, 1, "Alice");
	Conn *bad = adviser(f, 2, "Bad");
	say(f, bad, "{}");
	g_autoptr(GString) out = g_string_new(NULL);
	sb_hub_metrics(f->hub, out);
	g_assert_nonnull(strstr(out->str, "\nrelais_booths_connected 1\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_advisers_connected 2\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_queue_length 0\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_calls_active 0\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_calls_total 0\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_protocol_errors_total 1\n"));
	g_assert_nonnull(strstr(out->str, "# TYPE relais_calls_total counter"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/hub/hello", Fixture, NULL, setup, test_hello, teardown);
	g_test_add("/hub/queue-and-race", Fixture, NULL, setup, test_queue_and_race, teardown);
	g_test_add("/hub/relay-isolation", Fixture, NULL, setup, test_relay_isolation, teardown);
	g_test_add("/hub/disconnects", Fixture, NULL, setup, test_disconnects, teardown);
	g_test_add("/hub/limits", Fixture, NULL, setup, test_limits, teardown);
	g_test_add("/hub/error-limit", Fixture, NULL, setup, test_error_limit, teardown);
	g_test_add("/hub/metrics", Fixture, NULL, setup, test_metrics, teardown);
	return g_test_run();
}
