/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Remote diagnostics in the hub (hub.h, PROTOCOL.md "Diagnostics"), driven
 * through its transport interface with a fake clock: the report reaches its
 * asker exactly once; offline, busy, timeout, disconnection, replacement and
 * the hub's end each give their typed result; forged, late and oversize
 * reports are dropped and the hub goes on. */
#include "hub.h"
#include "relais-config.h"

#include <string.h>

#define TIMEOUT_MS  3000
#define MAX_PENDING 2

typedef struct {
	GPtrArray *inbox; /* char* texts received */
	gushort closed_code;
	SbPeer *peer;
} Conn;

/* What one request's `done` saw. */
typedef struct {
	guint calls;
	SbHubDiagResult result;
	char *report; /* the report as JSON, when there was one */
} Seen;

typedef struct {
	SbHub *hub;
	Conn conns[4];
	gint64 now_us;
	Seen seen[8];
} Fixture;

static gint64 fake_clock(gpointer user_data)
{
	return ((Fixture *)user_data)->now_us;
}

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
	SbHubConfig cfg = {.max_booths = 4,
			   .max_advisers = 2,
			   .max_queue = 2,
			   .max_errors = 5,
			   .diag_timeout_ms = TIMEOUT_MS,
			   .diag_max_pending = MAX_PENDING};
	f->hub = sb_hub_new(&cfg, &transport, f);
	f->now_us = 1000 * G_USEC_PER_SEC;
	sb_hub_set_clock(f->hub, fake_clock, f);
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
	for (guint i = 0; i < G_N_ELEMENTS(f->seen); i++)
		g_free(f->seen[i].report);
}

static void on_done(SbHubDiagResult result, JsonObject *report, gpointer user_data)
{
	Seen *s = user_data;
	s->calls++;
	s->result = result;
	g_clear_pointer(&s->report, g_free);
	if (report) {
		g_autoptr(JsonNode) n = json_node_new(JSON_NODE_OBJECT);
		json_node_set_object(n, report);
		s->report = json_to_string(n, FALSE);
	}
}

static void say(Fixture *f, Conn *c, const char *text)
{
	sb_hub_receive(f->hub, c->peer, text, strlen(text));
}

static Conn *booth(Fixture *f, guint i, const char *id)
{
	Conn *c = &f->conns[i];
	c->peer = sb_hub_connect(f->hub, RELAIS_ROLE_BOOTH, c);
	g_autofree char *hello =
		g_strdup_printf("{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"%s\"}", id);
	say(f, c, hello);
	return c;
}

static void gone(Fixture *f, Conn *c)
{
	sb_hub_disconnect(f->hub, c->peer);
	c->peer = NULL;
}

/* The request id of the last diag_request `c` got (parsed as the booth
 * would: the switchboard's message must pass the protocol). */
static char *last_request_id(Conn *c)
{
	for (gint i = (gint)c->inbox->len - 1; i >= 0; i--) {
		const char *text = g_ptr_array_index(c->inbox, i);
		g_autoptr(GError) error = NULL;
		g_autoptr(RelaisMsg) m =
			relais_msg_parse(text, strlen(text), RELAIS_ROLE_SWITCHBOARD, TRUE, NULL, &error);
		g_assert_no_error(error);
		if (relais_msg_get_type(m) == RELAIS_MSG_DIAG_REQUEST)
			return g_strdup(relais_msg_get_string(m, "request"));
	}
	return NULL;
}

static guint count_type(Conn *c, const char *type)
{
	g_autofree char *needle = g_strdup_printf("\"type\":\"%s\"", type);
	guint n = 0;
	for (guint i = 0; i < c->inbox->len; i++)
		n += strstr(g_ptr_array_index(c->inbox, i), needle) != NULL;
	return n;
}

static void report(Fixture *f, Conn *c, const char *id, const char *body)
{
	g_autofree char *text =
		g_strdup_printf("{\"type\":\"diag_report\",\"request\":\"%s\",\"report\":%s}", id, body);
	say(f, c, text);
}

static guint ask(Fixture *f, const char *booth_id, guint seen)
{
	SbHubDiagResult refused = SB_HUB_DIAG_OK;
	guint h = sb_hub_diag_request(f->hub, booth_id, on_done, &f->seen[seen], &refused);
	g_assert_cmpuint(h, >, 0);
	g_assert_cmpint(refused, ==, SB_HUB_DIAG_OK);
	return h;
}

static void test_report(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "hall-1");
	ask(f, "hall-1", 0);
	g_assert_cmpuint(f->seen[0].calls, ==, 0); /* never from inside the call */
	g_autofree char *id = last_request_id(b);
	g_assert_nonnull(id);
	g_assert_cmpuint(strlen(id), ==, 43); /* 256 random bits, base64url */
	g_assert_cmpuint(sb_hub_diag_pending(f->hub), ==, 1);

	/* a second request gets another id */
	ask(f, "hall-1", 1);
	g_autofree char *id2 = last_request_id(b);
	g_assert_cmpstr(id, !=, id2);

	report(f, b, id, "{\"board\":\"sim\",\"errors\":[{\"time\":\"t\",\"message\":\"m\"}]}");
	g_assert_cmpuint(f->seen[0].calls, ==, 1);
	g_assert_cmpint(f->seen[0].result, ==, SB_HUB_DIAG_OK);
	g_assert_nonnull(strstr(f->seen[0].report, "\"board\":\"sim\""));
	g_assert_nonnull(strstr(f->seen[0].report, "\"errors\""));
	g_assert_cmpuint(f->seen[1].calls, ==, 0);

	/* the same report again: dropped, no second delivery, no error reply */
	guint before = b->inbox->len;
	g_test_expect_message("relais-hub", G_LOG_LEVEL_MESSAGE, "*dropping a diag_report*");
	report(f, b, id, "{\"board\":\"again\"}");
	g_test_assert_expected_messages();
	g_assert_cmpuint(f->seen[0].calls, ==, 1);
	g_assert_cmpuint(b->inbox->len, ==, before);

	report(f, b, id2, "{}");
	g_assert_cmpuint(f->seen[1].calls, ==, 1);
	g_assert_cmpint(f->seen[1].result, ==, SB_HUB_DIAG_OK);
	g_assert_cmpstr(f->seen[1].report, ==, "{}");
	g_assert_cmpuint(sb_hub_diag_pending(f->hub), ==, 0);
	g_assert_cmpuint(b->closed_code, ==, 0);

	/* counted by how they ended; the dropped duplicate is not a request */
	g_autoptr(GString) metrics = g_string_new(NULL);
	sb_hub_metrics(f->hub, metrics);
	g_assert_nonnull(strstr(metrics->str, "relais_diag_requests_total{result=\"ok\"} 2\n"));
	g_assert_nonnull(strstr(metrics->str, "relais_diag_requests_total{result=\"timeout\"} 0\n"));
}

static void test_offline_busy(Fixture *f, gconstpointer data)
{
	SbHubDiagResult refused = SB_HUB_DIAG_OK;
	g_assert_cmpuint(sb_hub_diag_request(f->hub, "nobody", on_done, &f->seen[0], &refused), ==, 0);
	g_assert_cmpint(refused, ==, SB_HUB_DIAG_OFFLINE);
	g_assert_cmpuint(sb_hub_diag_request(f->hub, NULL, on_done, &f->seen[0], &refused), ==, 0);
	g_assert_cmpint(refused, ==, SB_HUB_DIAG_OFFLINE);

	/* connected but not greeted yet: not a booth of the registry */
	Conn *c = &f->conns[1];
	c->peer = sb_hub_connect(f->hub, RELAIS_ROLE_BOOTH, c);
	refused = SB_HUB_DIAG_OK;
	g_assert_cmpuint(sb_hub_diag_request(f->hub, "late-1", on_done, &f->seen[0], &refused), ==, 0);
	g_assert_cmpint(refused, ==, SB_HUB_DIAG_OFFLINE);

	Conn *b = booth(f, 0, "hall-1");
	for (guint i = 0; i < MAX_PENDING; i++)
		ask(f, "hall-1", i);
	refused = SB_HUB_DIAG_OK;
	g_test_expect_message("relais-hub", G_LOG_LEVEL_MESSAGE, "*requests open already*");
	g_assert_cmpuint(sb_hub_diag_request(f->hub, "hall-1", on_done, &f->seen[5], &refused), ==, 0);
	g_test_assert_expected_messages();
	g_assert_cmpint(refused, ==, SB_HUB_DIAG_BUSY);
	g_assert_cmpuint(count_type(b, "diag_request"), ==, MAX_PENDING);
	g_autoptr(GString) metrics = g_string_new(NULL);
	sb_hub_metrics(f->hub, metrics);
	g_assert_nonnull(strstr(metrics->str, "relais_diag_requests_total{result=\"offline\"} 3\n"));
	g_assert_nonnull(strstr(metrics->str, "relais_diag_requests_total{result=\"busy\"} 1\n"));

	/* one answered: room for another */
	g_autofree char *id = last_request_id(b);
	report(f, b, id, "{}");
	ask(f, "hall-1", 6);
	g_assert_cmpuint(f->seen[5].calls, ==, 0);
	for (guint i = 0; i < G_N_ELEMENTS(f->seen); i++)
		g_assert_cmpuint(f->seen[i].calls, <=, 1);
}

static void test_timeout(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "hall-1");
	ask(f, "hall-1", 0);
	g_autofree char *id = last_request_id(b);
	f->now_us += (TIMEOUT_MS - 1) * 1000;
	sb_hub_tick(f->hub);
	g_assert_cmpuint(f->seen[0].calls, ==, 0);
	f->now_us += 1000;
	sb_hub_tick(f->hub);
	g_assert_cmpuint(f->seen[0].calls, ==, 1);
	g_assert_cmpint(f->seen[0].result, ==, SB_HUB_DIAG_TIMEOUT);
	g_assert_null(f->seen[0].report);
	sb_hub_tick(f->hub);
	g_assert_cmpuint(f->seen[0].calls, ==, 1);

	/* the late report: dropped */
	g_test_expect_message("relais-hub", G_LOG_LEVEL_MESSAGE, "*dropping a diag_report*");
	report(f, b, id, "{}");
	g_test_assert_expected_messages();
	g_assert_cmpuint(f->seen[0].calls, ==, 1);

	/* a report past its time but before the tick noticed: still a timeout */
	ask(f, "hall-1", 1);
	g_autofree char *id2 = last_request_id(b);
	f->now_us += TIMEOUT_MS * 1000;
	g_test_expect_message("relais-hub", G_LOG_LEVEL_MESSAGE, "*dropping a diag_report*");
	report(f, b, id2, "{}");
	g_test_assert_expected_messages();
	g_assert_cmpuint(f->seen[1].calls, ==, 1);
	g_assert_cmpint(f->seen[1].result, ==, SB_HUB_DIAG_TIMEOUT);
	g_assert_cmpuint(sb_hub_diag_pending(f->hub), ==, 0);
}

/* Only the connection asked may answer, and only with its own id. */
static void test_forged(Fixture *f, gconstpointer data)
{
	Conn *a = booth(f, 0, "hall-1");
	Conn *b = booth(f, 1, "hall-2");
	ask(f, "hall-1", 0);
	g_autofree char *id = last_request_id(a);
	g_assert_null(last_request_id(b));

	/* another booth quoting hall-1's id, and ids nobody was given */
	g_test_expect_message("relais-hub", G_LOG_LEVEL_MESSAGE, "*hall-2: dropping a diag_report*");
	report(f, b, id, "{\"board\":\"forged\"}");
	g_test_assert_expected_messages();
	g_test_expect_message("relais-hub", G_LOG_LEVEL_MESSAGE, "*hall-1: dropping a diag_report*");
	report(f, a, "made-up", "{}");
	g_test_assert_expected_messages();
	g_assert_cmpuint(f->seen[0].calls, ==, 0);

	/* malformed and oversize reports: the protocol's error, nothing delivered */
	guint errors = count_type(a, "error");
	report(f, a, id, "[]");
	g_autofree char *pad = g_strnfill(CONFIG_RELAIS_PROTO_MAX_REPORT, 'x');
	g_autofree char *big = g_strdup_printf("{\"pad\":\"%s\"}", pad);
	report(f, a, id, big);
	g_assert_cmpuint(count_type(a, "error"), ==, errors + 2);
	g_assert_nonnull(strstr(g_ptr_array_index(a->inbox, a->inbox->len - 1), "\"code\":\"size\""));
	g_assert_cmpuint(f->seen[0].calls, ==, 0);

	/* the real answer still gets through */
	report(f, a, id, "{\"board\":\"real\"}");
	g_assert_cmpuint(f->seen[0].calls, ==, 1);
	g_assert_cmpint(f->seen[0].result, ==, SB_HUB_DIAG_OK);
	g_assert_nonnull(strstr(f->seen[0].report, "real"));
	g_assert_cmpuint(a->closed_code, ==, 0);
	g_assert_cmpuint(b->closed_code, ==, 0);
}

static void test_booth_gone(Fixture *f, gconstpointer data)
{
	Conn *a = booth(f, 0, "hall-1");
	ask(f, "hall-1", 0);
	ask(f, "hall-1", 1);
	Conn *b = booth(f, 1, "hall-2");
	ask(f, "hall-2", 2);
	gone(f, a);
	g_assert_cmpuint(f->seen[0].calls, ==, 1);
	g_assert_cmpint(f->seen[0].result, ==, SB_HUB_DIAG_GONE);
	g_assert_cmpuint(f->seen[1].calls, ==, 1);
	g_assert_cmpint(f->seen[1].result, ==, SB_HUB_DIAG_GONE);
	g_assert_cmpuint(f->seen[2].calls, ==, 0);
	g_assert_cmpuint(sb_hub_diag_pending(f->hub), ==, 1);

	/* replaced by a new connection of the same id: the old one's request
	 * ends, and the new connection cannot answer it */
	g_autofree char *id = last_request_id(b);
	Conn *b2 = booth(f, 2, "hall-2");
	g_assert_cmpuint(b->closed_code, ==, 4000);
	g_assert_cmpuint(f->seen[2].calls, ==, 1);
	g_assert_cmpint(f->seen[2].result, ==, SB_HUB_DIAG_GONE);
	g_test_expect_message("relais-hub", G_LOG_LEVEL_MESSAGE, "*dropping a diag_report*");
	report(f, b2, id, "{}");
	g_test_assert_expected_messages();
	g_assert_cmpuint(f->seen[2].calls, ==, 1);

	/* shut out by an administrator */
	ask(f, "hall-2", 3);
	g_assert_true(sb_hub_close_booth(f->hub, "hall-2", 4003, "revoked"));
	g_assert_cmpuint(f->seen[3].calls, ==, 1);
	g_assert_cmpint(f->seen[3].result, ==, SB_HUB_DIAG_GONE);
	SbHubDiagResult refused = SB_HUB_DIAG_OK;
	g_assert_cmpuint(sb_hub_diag_request(f->hub, "hall-2", on_done, &f->seen[4], &refused), ==, 0);
	g_assert_cmpint(refused, ==, SB_HUB_DIAG_OFFLINE);
	g_assert_cmpuint(sb_hub_diag_pending(f->hub), ==, 0);
}

static void test_cancel(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "hall-1");
	guint h = ask(f, "hall-1", 0);
	g_autofree char *id = last_request_id(b);
	sb_hub_diag_cancel(f->hub, h);
	sb_hub_diag_cancel(f->hub, h); /* twice: ignored */
	sb_hub_diag_cancel(f->hub, 0);
	g_assert_cmpuint(sb_hub_diag_pending(f->hub), ==, 0);
	g_test_expect_message("relais-hub", G_LOG_LEVEL_MESSAGE, "*dropping a diag_report*");
	report(f, b, id, "{}");
	g_test_assert_expected_messages();
	f->now_us += TIMEOUT_MS * 1000 * 2;
	sb_hub_tick(f->hub);
	gone(f, b);
	g_assert_cmpuint(f->seen[0].calls, ==, 0);
	/* its slot is free again */
	Conn *b2 = booth(f, 1, "hall-1");
	for (guint i = 0; i < MAX_PENDING; i++)
		ask(f, "hall-1", 1 + i);
	g_assert_cmpuint(count_type(b2, "diag_request"), ==, MAX_PENDING);
}

/* A callback that asks again (a page that retries at once) or cancels the
 * other request being ended in the same sweep. */
typedef struct {
	Fixture *f;
	guint other;
	guint calls;
	guint again;
} Chain;

static void on_done_chain(SbHubDiagResult result, JsonObject *report, gpointer user_data)
{
	Chain *c = user_data;
	c->calls++;
	sb_hub_diag_cancel(c->f->hub, c->other);
	if (c->calls == 1)
		c->again = sb_hub_diag_request(c->f->hub, "hall-1", on_done, &c->f->seen[7], NULL);
}

static void test_reentrant(Fixture *f, gconstpointer data)
{
	booth(f, 0, "hall-1");
	Chain chain = {.f = f};
	guint first = sb_hub_diag_request(f->hub, "hall-1", on_done_chain, &chain, NULL);
	g_assert_cmpuint(first, >, 0);
	chain.other = ask(f, "hall-1", 0);
	f->now_us += TIMEOUT_MS * 1000;
	sb_hub_tick(f->hub);
	g_assert_cmpuint(chain.calls, ==, 1);
	/* the other ended in the same sweep, before the callback (timeout) or
	 * cancelled by it (never called), whichever the table's order made
	 * first: at most once either way */
	g_assert_cmpuint(f->seen[0].calls, <=, 1);
	if (f->seen[0].calls)
		g_assert_cmpint(f->seen[0].result, ==, SB_HUB_DIAG_TIMEOUT);
	/* the new request is open, with a fresh deadline */
	g_assert_cmpuint(chain.again, >, 0);
	g_assert_cmpuint(sb_hub_diag_pending(f->hub), ==, 1);
	g_assert_cmpuint(f->seen[7].calls, ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/hub-diag/report", Fixture, NULL, setup, test_report, teardown);
	g_test_add("/hub-diag/offline-busy", Fixture, NULL, setup, test_offline_busy, teardown);
	g_test_add("/hub-diag/timeout", Fixture, NULL, setup, test_timeout, teardown);
	g_test_add("/hub-diag/forged", Fixture, NULL, setup, test_forged, teardown);
	g_test_add("/hub-diag/booth-gone", Fixture, NULL, setup, test_booth_gone, teardown);
	g_test_add("/hub-diag/cancel", Fixture, NULL, setup, test_cancel, teardown);
	g_test_add("/hub-diag/reentrant", Fixture, NULL, setup, test_reentrant, teardown);
	return g_test_run();
}
