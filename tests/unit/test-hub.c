/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The switchboard's rules, driven through the hub's transport interface:
 * queue, pairing race, relay isolation, disconnects, error limits, metrics,
 * availability, queue positions and estimated waits, visitors' ratings; a
 * guest in the call (invitations, consent, routing by peer, bad links);
 * warm transfer (to a colleague, along a chain, to a queue). */
#include "hub.h"
#include "relais-config.h"

#include <string.h>

typedef struct {
	const char *name;
	GPtrArray *inbox; /* char* texts received */
	gushort closed_code;
	char closed_reason[128];
	SbPeer *peer;
} Conn;

typedef struct {
	SbHub *hub;
	Conn conns[8];
	gint64 now_us;	      /* the hub's clock */
	guint openings_asked; /* calls of the services' next_opening */
	/* the fake store's bookings made into calls: code and call id */
	char used_code[4][8];
	char used_call[4][64];
	guint n_used;
} Fixture;

static gint64 fake_clock(gpointer user_data)
{
	return ((Fixture *)user_data)->now_us;
}

/* g_test_add data for a roomier switchboard (longer queue, more booths, more
 * errors tolerated) */
static const int ROOMY = 1;
/* ... with a TURN server and its shared secret */
static const int TURN = 2;
/* ... whose services know opening hours */
static const int HOURS = 3;

static void t_send(gpointer conn, const char *text, gpointer ud)
{
	g_ptr_array_add(((Conn *)conn)->inbox, g_strdup(text));
}

static void t_close(gpointer conn, gushort code, const char *reason, gpointer ud)
{
	((Conn *)conn)->closed_code = code;
	g_strlcpy(((Conn *)conn)->closed_reason, reason ? reason : "", sizeof((Conn *)conn)->closed_reason);
}

static const SbHubTransport transport = {t_send, t_close};

/* The store's answer, faked: only "Médiathèque" has opening hours. */
static char *t_next_opening(const char *site, gpointer ud)
{
	((Fixture *)ud)->openings_asked++;
	return g_strcmp0(site, "Médiathèque") == 0 ? g_strdup("2026-11-24T09:00:00+01:00") : NULL;
}

static const SbHubServices services_hours = {.next_opening = t_next_opening};

/* ... with a public URL (guests' links) */
static const int GUESTS = 6;

/* ... whose services take bookings (a fake store: see below) */
static const int BOOKINGS = 4;

/* Two free slots at "Médiathèque"; no site of another name. */
static SbBookingsResult *t_slots(const char *site, const char *language, const char *topic, gpointer ud)
{
	if (g_strcmp0(site, "Médiathèque") != 0)
		return sb_bookings_result_new(SB_BOOKINGS_NO_SITE, NULL);
	SbBookingsResult *r = sb_bookings_result_new(SB_BOOKINGS_OK, NULL);
	for (int i = 0; i < 2; i++)
		sb_bookings_result_add_slot(r, i ? "2026-11-24T09:30:00+01:00" : "2026-11-24T09:00:00+01:00",
					    i ? "2026-11-24T10:00:00+01:00" : "2026-11-24T09:30:00+01:00");
	return r;
}

/* 9:00 is free, anything else just taken. */
static SbBookingsResult *t_book(const char *site, const char *start, const char *end, const char *language,
				const char *topic, gpointer ud)
{
	if (g_strcmp0(start, "2026-11-24T09:00:00+01:00") != 0)
		return sb_bookings_result_new(SB_BOOKINGS_TAKEN, NULL);
	SbBookingsResult *r = sb_bookings_result_new(SB_BOOKINGS_OK, NULL);
	r->code = g_strdup("NEW234");
	r->time.start = g_strdup(start);
	r->time.end = g_strdup(end);
	r->site = g_strdup(site);
	return r;
}

/* GOOD22 checks in; any other code is unknown. */
static SbBookingsResult *t_check_in(const char *site, const char *code, gpointer ud)
{
	if (g_strcmp0(code, "DF3333") == 0) { /* the store cannot write now (bookings.c) */
		SbBookingsResult *r = sb_bookings_result_new(SB_BOOKINGS_FAILED, "could not be saved now");
		r->retry_s = SB_BOOKINGS_RETRY_S;
		return r;
	}
	if (g_strcmp0(code, "GD2222") != 0)
		return sb_bookings_result_new(SB_BOOKINGS_UNKNOWN, NULL);
	SbBookingsResult *r = sb_bookings_result_new(SB_BOOKINGS_OK, NULL);
	r->code = g_strdup(code);
	r->time.start = g_strdup("2026-11-24T09:00:00+01:00");
	r->time.end = g_strdup("2026-11-24T09:30:00+01:00");
	r->topic = g_strdup("training");
	return r;
}

static gboolean t_used(Fixture *f, const char *code)
{
	for (guint i = 0; i < f->n_used; i++)
		if (g_str_equal(f->used_code[i], code))
			return TRUE;
	return FALSE;
}

/* Codes starting GD are checked in at Médiathèque today, until made into a
 * call (t_use); WS2222 at another site; nothing else exists. */
static gboolean t_verify(const char *site, const char *code, char **why, gpointer ud)
{
	if (t_used(ud, code)) {
		*why = g_strdup("this booking was already used for a call");
		return FALSE;
	}
	if (g_str_has_prefix(code, "GD") && g_strcmp0(site, "Médiathèque") == 0)
		return TRUE;
	*why = g_strdup(g_str_equal(code, "WS2222") ? "the booking is for another site" : "no booking has this code");
	return FALSE;
}

static gboolean t_use(const char *site, const char *code, const char *call_id, char **why, gpointer ud)
{
	Fixture *f = ud;
	g_assert_cmpstr(site, ==, "Médiathèque");
	if (t_used(f, code) || f->n_used == G_N_ELEMENTS(f->used_code)) {
		*why = g_strdup("already used");
		return FALSE;
	}
	g_strlcpy(f->used_code[f->n_used], code, sizeof f->used_code[0]);
	g_strlcpy(f->used_call[f->n_used], call_id, sizeof f->used_call[0]);
	f->n_used++;
	return TRUE;
}

/* ... whose slot search answers later (the reading thread, faked: the
 * answers wait in the fixture until the test gives them) */
static const int SLOTS_LATER = 5;

typedef struct {
	SbHubSlotsReply reply;
	gpointer reply_data;
	char *site;
} SlotsAsked;

static GPtrArray *slots_asked; /* SlotsAsked*, in the order asked */

static void t_slots_async(const char *site, const char *language, const char *topic, SbHubSlotsReply reply,
			  gpointer reply_data, gpointer ud)
{
	SlotsAsked *a = g_new0(SlotsAsked, 1);
	*a = (SlotsAsked){reply, reply_data, g_strdup(site)};
	g_ptr_array_add(slots_asked, a);
}

/* Gives the `i`th search asked its answer. */
static void answer_slots(Fixture *f, guint i)
{
	SlotsAsked *a = g_ptr_array_index(slots_asked, i);
	a->reply(t_slots(a->site, NULL, NULL, f), a->reply_data);
	a->reply = NULL;
	sb_hub_flush(f->hub);
}

static const SbHubServices services_slots_later = {.booking_slots_async = t_slots_async};

static const SbHubServices services_bookings = {.booking_slots = t_slots,
						.booking_book = t_book,
						.booking_check_in = t_check_in,
						.booking_verify = t_verify,
						.booking_use = t_use};

static void setup(Fixture *f, gconstpointer data)
{
	char *ice[] = {"stun://127.0.0.1:3478", NULL};
	SbHubConfig cfg = {.max_booths = 3,
			   .max_advisers = 3,
			   .max_queue = 2,
			   .max_errors = 5,
			   .ice_servers = ice,
			   .wait_history = 2,
			   .default_call_s = 600,
			   .feedback_window_s = 600,
			   .recent_calls = 2};
	char *turn[] = {"turn:127.0.0.1:3478?transport=udp", "turns:127.0.0.1:443?transport=tcp", NULL};
	if (data == &TURN) {
		cfg.turn_urls = turn;
		cfg.turn_secret = "s3cret";
		cfg.turn_ttl_s = 3600;
	}
	if (data == &GUESTS)
		cfg.public_url = "https://relais.example.org/";
	if (data == &ROOMY || data == &BOOKINGS) {
		cfg.max_booths = 6;
		cfg.max_queue = 5;
		cfg.max_errors = 20;
	}
	f->hub = sb_hub_new(&cfg, &transport, f);
	if (data == &HOURS)
		sb_hub_set_services(f->hub, &services_hours, f);
	else if (data == &BOOKINGS)
		sb_hub_set_services(f->hub, &services_bookings, f);
	else if (data == &SLOTS_LATER)
		sb_hub_set_services(f->hub, &services_slots_later, f);
	slots_asked = g_ptr_array_new();
	/* any start: only differences matter */
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
	for (guint i = 0; i < slots_asked->len; i++) {
		SlotsAsked *a = g_ptr_array_index(slots_asked, i);
		/* one the hub never saw answered: answered now, to nobody */
		if (a->reply)
			a->reply(NULL, a->reply_data);
		g_free(a->site);
		g_free(a);
	}
	g_clear_pointer(&slots_asked, g_ptr_array_unref);
}

/* The hub gathers queue and booth lists sent within its broadcast
 * interval (hub.c "broadcasts"): the tests' clock stands still, so each
 * step here ends with what that interval would send (see
 * test_lists_gathered for the gathering itself). */
static void say(Fixture *f, Conn *c, const char *text)
{
	sb_hub_receive(f->hub, c->peer, text, strlen(text));
	sb_hub_flush(f->hub);
}

static void gone(Fixture *f, SbPeer *peer)
{
	sb_hub_disconnect(f->hub, peer);
	sb_hub_flush(f->hub);
}

static gboolean close_booth(Fixture *f, const char *booth_id)
{
	gboolean found = sb_hub_close_booth(f->hub, booth_id, 4003, "revoked");
	sb_hub_flush(f->hub);
	return found;
}

static void tick(Fixture *f)
{
	sb_hub_tick(f->hub);
	sb_hub_flush(f->hub);
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

static gint compare_entries(gconstpointer a, gconstpointer b)
{
	JsonObject *x = *(JsonObject *const *)a, *y = *(JsonObject *const *)b;
	return strcmp(json_object_get_string_member(x, "booth_id"), json_object_get_string_member(y, "booth_id"));
}

/* The booth list as adviser `c` has it (PROTOCOL.md "The booth list"): its
 * last whole snapshot, every part in order, with the changes after it
 * applied; sorted by booth id. Returns: (transfer full) */
static JsonArray *booth_list(Conn *c)
{
	g_autoptr(GHashTable) list =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)json_object_unref);
	g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
	gint64 snapshot = 0;
	for (guint i = 0; i < c->inbox->len; i++) {
		g_autoptr(RelaisMsg) m = msg_at(c, (gint)i);
		RelaisMsgType type = relais_msg_get_type(m);
		if (type != RELAIS_MSG_BOOTHS && type != RELAIS_MSG_BOOTHS_CHANGED)
			continue;
		JsonArray *a = relais_msg_get_array(m, "booths");
		if (type == RELAIS_MSG_BOOTHS) {
			gint64 part = relais_msg_get_int(m, "part", 0);
			if (part == 1) {
				g_ptr_array_set_size(parts, 0);
				snapshot = relais_msg_get_int(m, "snapshot", 0);
			}
			g_assert_cmpint(relais_msg_get_int(m, "snapshot", 0), ==, snapshot);
			for (guint k = 0; k < json_array_get_length(a); k++)
				g_ptr_array_add(parts, json_object_ref(json_array_get_object_element(a, k)));
			if (part == relais_msg_get_int(m, "parts", 0)) {
				g_hash_table_remove_all(list);
				for (guint k = 0; k < parts->len; k++) {
					JsonObject *e = g_ptr_array_index(parts, k);
					g_hash_table_replace(list,
							     g_strdup(json_object_get_string_member(e, "booth_id")),
							     json_object_ref(e));
				}
			}
			continue;
		}
		/* never an empty change */
		JsonArray *gone = relais_msg_get_array(m, "gone");
		g_assert_cmpuint(json_array_get_length(a) + json_array_get_length(gone), >, 0);
		for (guint k = 0; k < json_array_get_length(a); k++) {
			JsonObject *e = json_array_get_object_element(a, k);
			g_hash_table_replace(list, g_strdup(json_object_get_string_member(e, "booth_id")),
					     json_object_ref(e));
		}
		for (guint k = 0; k < json_array_get_length(gone); k++)
			g_hash_table_remove(list, json_array_get_string_element(gone, k));
	}
	g_autoptr(GPtrArray) sorted = g_ptr_array_new();
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, list);
	while (g_hash_table_iter_next(&it, NULL, &value))
		g_ptr_array_add(sorted, value);
	g_ptr_array_sort(sorted, compare_entries);
	JsonArray *out = json_array_new();
	for (guint k = 0; k < sorted->len; k++)
		json_array_add_object_element(out, json_object_ref(g_ptr_array_index(sorted, k)));
	return out;
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
	g_assert_cmpint(relais_msg_get_int(booths, "parts", 0), ==, 1);
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

/* share: relayed from the adviser to the booth of that call only; refused
 * from a booth (direction), outside the call (state), and held for a booth
 * whose link is away */
static void test_share(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "sim-1");
	Conn *alice = adviser(f, 1, "Alice");
	Conn *mallory = adviser(f, 2, "Mallory");
	say(f, b, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\"}");
	g_autofree char *ticket = ticket_of(b);
	/* before any call: state error */
	say(f, alice, "{\"type\":\"share\",\"call\":\"nope\",\"state\":\"on\"}");
	g_autoptr(RelaisMsg) e0 = last_of(alice, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e0, "code"), ==, "state");
	g_assert_cmpstr(relais_msg_get_string(e0, "ref"), ==, "share");
	g_autofree char *accept = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}", ticket);
	say(f, alice, accept);
	g_autoptr(RelaisMsg) call = last_of(alice, RELAIS_MSG_CALL);
	const char *id = relais_msg_get_string(call, "call");

	g_autofree char *on = g_strdup_printf("{\"type\":\"share\",\"call\":\"%s\",\"state\":\"on\",\"x\":1}", id);
	say(f, alice, on);
	g_autoptr(RelaisMsg) got = last_of(b, RELAIS_MSG_SHARE);
	g_assert_nonnull(got);
	g_assert_cmpstr(relais_msg_get_string(got, "call"), ==, id);
	g_assert_cmpstr(relais_msg_get_string(got, "state"), ==, "on");
	g_assert_false(json_object_has_member(relais_msg_get_root(got), "x"));
	g_assert_null(last_of(mallory, RELAIS_MSG_SHARE));

	/* the booth may not send it; another adviser may not name the call */
	guint before_a = alice->inbox->len, before_b = b->inbox->len;
	say(f, b, on);
	g_autoptr(RelaisMsg) e1 = last_of(b, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e1, "code"), ==, "direction");
	say(f, mallory, on);
	g_autoptr(RelaisMsg) e2 = last_of(mallory, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e2, "code"), ==, "state");
	g_assert_cmpuint(alice->inbox->len, ==, before_a);
	g_assert_cmpuint(count_of(b, RELAIS_MSG_SHARE), ==, 1);
	g_assert_cmpuint(b->inbox->len, ==, before_b + 1); /* its own error only */

	/* the booth's link drops: "off" is held and given back on resume */
	gone(f, b->peer);
	b->peer = NULL;
	g_autofree char *off = g_strdup_printf("{\"type\":\"share\",\"call\":\"%s\",\"state\":\"off\"}", id);
	for (guint i = 0; i < 20; i++) /* toggles: only the last one is kept */
		say(f, alice, i % 2 ? off : on);
	g_autofree char *chat = g_strdup_printf("{\"type\":\"chat\",\"call\":\"%s\",\"text\":\"still there?\"}", id);
	say(f, alice, chat);
	Conn *b1 = open_conn(f, 3, RELAIS_ROLE_BOOTH);
	g_autofree char *hello = g_strdup_printf(
		"{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"sim-1\",\"call\":\"%s\"}", id);
	say(f, b1, hello);
	g_autoptr(RelaisMsg) held = last_of(b1, RELAIS_MSG_SHARE);
	g_assert_nonnull(held);
	g_assert_cmpstr(relais_msg_get_string(held, "state"), ==, "off");
	g_assert_cmpuint(count_of(b1, RELAIS_MSG_SHARE), ==, 1);
	g_assert_cmpuint(count_of(b1, RELAIS_MSG_CHAT), ==, 1);
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
	gone(f, alice->peer);
	alice->peer = NULL;
	g_autoptr(RelaisMsg) end = last_of(b, RELAIS_MSG_END);
	g_assert_cmpstr(relais_msg_get_string(end, "reason"), ==, "peer-lost");

	/* a queued booth vanishes: its ticket leaves the queue */
	Conn *b2 = booth(f, 2, "sim-2");
	Conn *bob = adviser(f, 3, "Bob");
	say(f, b2, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\"}");
	gone(f, b2->peer);
	b2->peer = NULL;
	g_autoptr(RelaisMsg) q = last_of(bob, RELAIS_MSG_QUEUE);
	g_assert_cmpuint(json_array_get_length(relais_msg_get_array(q, "queue")), ==, 0);
	g_autoptr(JsonArray) booths = booth_list(bob);
	g_assert_cmpuint(json_array_get_length(booths), ==, 1);

	/* the same booth id again replaces the old connection */
	Conn *again = booth(f, 4, "sim-1");
	g_assert_cmpuint(f->conns[0].closed_code, ==, 4000);
	g_autoptr(RelaisMsg) w = last_of(again, RELAIS_MSG_WELCOME);
	g_assert_nonnull(w);
	SbHubCounts c;
	sb_hub_counts(f->hub, &c);
	g_assert_cmpuint(c.booths, ==, 1);
}

/* An administrator revoked a booth: its connection closes at once, its call
 * ends for the adviser without waiting for a resume, it leaves the list. */
static void test_close_booth(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "sim-1");
	Conn *b2 = booth(f, 1, "sim-2");
	Conn *alice = adviser(f, 2, "Alice");
	say(f, b, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\"}");
	g_autofree char *ticket = ticket_of(b);
	g_autofree char *accept = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}", ticket);
	say(f, alice, accept);
	say(f, b2, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\"}");

	g_assert_false(close_booth(f, "nobody"));
	g_assert_cmpuint(b->closed_code, ==, 0);

	/* in a call: closed, and the call ends now (resume grace or not) */
	guint before = b->inbox->len;
	g_assert_true(close_booth(f, "sim-1"));
	g_assert_cmpuint(b->closed_code, ==, 4003);
	g_assert_cmpuint(b->inbox->len, ==, before); /* nothing more is sent to it */
	g_autoptr(RelaisMsg) end = last_of(alice, RELAIS_MSG_END);
	g_assert_nonnull(end);
	g_assert_cmpstr(relais_msg_get_string(end, "reason"), ==, "peer-lost");
	SbHubCounts c;
	sb_hub_counts(f->hub, &c);
	g_assert_cmpuint(c.calls_active, ==, 0);
	g_assert_cmpuint(c.booths, ==, 1);
	/* a second close finds nothing; input from the closing socket is ignored */
	g_assert_false(close_booth(f, "sim-1"));
	say(f, b, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\"}");
	g_assert_cmpuint(b->inbox->len, ==, before);

	/* queued: its ticket leaves the queue, advisers see it gone */
	g_assert_true(close_booth(f, "sim-2"));
	g_assert_cmpuint(b2->closed_code, ==, 4003);
	g_autoptr(RelaisMsg) q = last_of(alice, RELAIS_MSG_QUEUE);
	g_assert_cmpuint(json_array_get_length(relais_msg_get_array(q, "queue")), ==, 0);
	g_autoptr(JsonArray) booths = booth_list(alice);
	g_assert_cmpuint(json_array_get_length(booths), ==, 0);
	sb_hub_counts(f->hub, &c);
	g_assert_cmpuint(c.booths, ==, 0);
	g_assert_cmpuint(c.queue, ==, 0);

	/* the transport then reports the sockets gone (teardown): no double free */
	gone(f, b->peer);
	b->peer = NULL;
}

/* The transport names the booth from its certificate: a hello naming
 * another booth gets nothing (no welcome, no TURN credentials, no place in
 * the registry, so no queue and no call), and does not knock the real booth
 * off; the right name is welcome. */
static void test_booth_identity(Fixture *f, gconstpointer data)
{
	Conn *real = booth(f, 0, "sim-1");
	Conn *alice = adviser(f, 1, "Alice");
	Conn *liar = open_conn(f, 2, RELAIS_ROLE_BOOTH);
	sb_hub_set_booth_identity(liar->peer, "sim-2", NULL);
	say(f, liar, "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"sim-1\",\"site\":\"M\"}");
	g_assert_cmpuint(liar->closed_code, ==, 1008);
	g_assert_cmpuint(count_of(liar, RELAIS_MSG_WELCOME), ==, 0);
	g_autoptr(RelaisMsg) err = last_of(liar, RELAIS_MSG_ERROR);
	g_assert_nonnull(err);
	g_assert_cmpstr(relais_msg_get_string(err, "code"), ==, "field");
	for (guint i = 0; i < liar->inbox->len; i++)
		g_assert_null(strstr(g_ptr_array_index(liar->inbox, i), "ice_servers"));
	/* what it says next is ignored: no ticket */
	say(f, liar, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\"}");
	g_assert_cmpuint(count_of(liar, RELAIS_MSG_QUEUED), ==, 0);
	/* the real sim-1 is still there and still the only booth */
	g_assert_cmpuint(real->closed_code, ==, 0);
	SbHubCounts c;
	sb_hub_counts(f->hub, &c);
	g_assert_cmpuint(c.booths, ==, 1);
	g_assert_cmpuint(c.queue, ==, 0);
	g_autoptr(JsonArray) booths = booth_list(alice);
	g_assert_cmpuint(json_array_get_length(booths), ==, 1);

	/* its own name: welcome */
	Conn *honest = open_conn(f, 3, RELAIS_ROLE_BOOTH);
	sb_hub_set_booth_identity(honest->peer, "sim-2", "Registered");
	say(f, honest,
	    "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"sim-2\",\"site\":\"Elsewhere\"}");
	g_assert_cmpuint(count_of(honest, RELAIS_MSG_WELCOME), ==, 1);
	sb_hub_counts(f->hub, &c);
	g_assert_cmpuint(c.booths, ==, 2);
	/* its site is where it is registered, not what its hello says */
	g_autoptr(JsonArray) all = booth_list(alice);
	gboolean seen = FALSE;
	for (guint i = 0; i < json_array_get_length(all); i++) {
		JsonObject *e = json_array_get_object_element(all, i);
		if (g_strcmp0(json_object_get_string_member(e, "booth_id"), "sim-2") == 0) {
			g_assert_cmpstr(json_object_get_string_member(e, "site"), ==, "Registered");
			seen = TRUE;
		}
	}
	g_assert_true(seen);
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
	g_assert_cmpuint(b3->closed_code, ==, SB_CLOSE_FULL);
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

/* relais_relay_seconds: each relayed message once, in the bucket of its
 * time in the hub (the fake clock stands still: the first), cumulative
 * buckets ending at +Inf = count; a message that is not relayed (a
 * request, a refused one) is not counted. */
static void test_relay_histogram(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "sim-1");
	Conn *alice = adviser(f, 1, "Alice");
	say(f, b, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\"}");
	g_autofree char *ticket = ticket_of(b);
	g_autofree char *accept = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}", ticket);
	say(f, alice, accept);
	g_autoptr(RelaisMsg) call = last_of(alice, RELAIS_MSG_CALL);
	const char *id = relais_msg_get_string(call, "call");
	g_autofree char *ice =
		g_strdup_printf("{\"type\":\"ice\",\"call\":\"%s\",\"candidate\":\"x\",\"mline\":0}", id);
	say(f, b, ice);
	say(f, alice, ice);
	say(f, alice, "{\"type\":\"ice\",\"call\":\"no-such-call\",\"candidate\":\"x\",\"mline\":0}");
	g_autoptr(GString) out = g_string_new(NULL);
	sb_hub_metrics(f->hub, out);
	g_assert_nonnull(strstr(out->str, "# TYPE relais_relay_seconds histogram\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_relay_seconds_bucket{le=\"0.0001\"} 2\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_relay_seconds_bucket{le=\"0.25\"} 2\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_relay_seconds_bucket{le=\"+Inf\"} 2\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_relay_seconds_count 2\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_relay_seconds_sum 0"));
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

/* The silent connection: a socket that never says hello is closed after
 * the hello timeout (Kconfig: RELAIS_SB_HELLO_TIMEOUT_S) with a reason that
 * says so; one that said hello in time stays. */
static void test_silent_connection(Fixture *f, gconstpointer data)
{
	gint64 limit = (gint64)CONFIG_RELAIS_SB_HELLO_TIMEOUT_S * G_USEC_PER_SEC;
	Conn *silent = open_conn(f, 0, RELAIS_ROLE_BOOTH);
	Conn *mute = open_conn(f, 1, RELAIS_ROLE_ADVISER);
	Conn *polite = booth(f, 2, "sim-1");
	f->now_us += limit - 1;
	tick(f);
	g_assert_cmpuint(silent->closed_code, ==, 0);
	g_autoptr(GString) before = g_string_new(NULL);
	sb_hub_metrics(f->hub, before);
	g_assert_nonnull(strstr(before->str, "\nrelais_connections_waiting_hello 2\n"));
	f->now_us += 1;
	tick(f);
	g_assert_cmpuint(silent->closed_code, ==, 1008);
	g_assert_cmpuint(mute->closed_code, ==, 1008);
	g_autofree char *want = g_strdup_printf("no hello within %d s", CONFIG_RELAIS_SB_HELLO_TIMEOUT_S);
	g_assert_cmpstr(silent->closed_reason, ==, want);
	g_assert_cmpuint(polite->closed_code, ==, 0);
	/* a hello that comes after the close is not answered */
	say(f, silent, "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"late\"}");
	g_assert_cmpuint(silent->inbox->len, ==, 0);
	g_autoptr(GString) out = g_string_new(NULL);
	sb_hub_metrics(f->hub, out);
	g_assert_nonnull(strstr(out->str, "\nrelais_hello_timeouts_total 2\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_connections_waiting_hello 0\n"));
	/* later ticks close nothing more */
	f->now_us += 10 * limit;
	tick(f);
	g_assert_cmpuint(polite->closed_code, ==, 0);
}

/* The noisy booth: one booth sends status, request and cancel as fast as it
 * may (120 messages, under its burst) while three advisers are on duty.
 * Each cancel's `taken` goes out at once, and the booth gets each new
 * ticket's id at once; but the queue and booth lists are gathered: within
 * the broadcast interval no adviser gets a list, and when it has passed
 * (the hub's own timer, on the real main loop) each gets exactly one of
 * each, showing the booth's last state. A change after a quiet interval is
 * sent at once; an unchanged list is not sent again. */
static guint count_from(Conn *c, guint from, RelaisMsgType type)
{
	guint n = 0;
	for (guint i = from; i < c->inbox->len; i++) {
		g_autoptr(RelaisMsg) m = msg_at(c, (gint)i);
		n += relais_msg_get_type(m) == type;
	}
	return n;
}

static void raw_say(Fixture *f, Conn *c, const char *text)
{
	sb_hub_receive(f->hub, c->peer, text, strlen(text));
}

/* A request whose answers are `n` of `len` bytes each. */
static char *long_request(guint n, guint len)
{
	GString *s = g_string_new("{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\",\"answers\":{");
	g_autofree char *value = g_strnfill(len, 'a');
	for (guint i = 0; i < n; i++)
		g_string_append_printf(s, "%s\"k%02u\":\"%s\"", i ? "," : "", i, value);
	g_string_append(s, "}}");
	return g_string_free(s, FALSE);
}

/* The queue list (PROTOCOL.md "The queue list"): longer than a message, it
 * comes in parts; a ticket that could not be listed at all is refused. */
static void test_queue_parts(Fixture *f, gconstpointer data)
{
	Conn *alice = adviser(f, 0, "Alice");
	/* a request at the message cap: its entry, with the ticket and the
	 * site, would not fit in a queue message of its own */
	Conn *big = booth(f, 1, "sim-big");
	g_autofree char *huge = long_request(16, 4080);
	g_assert_cmpuint(strlen(huge), <=, CONFIG_RELAIS_PROTO_MAX_MESSAGE);
	say(f, big, huge);
	g_autoptr(RelaisMsg) refused = last_of(big, RELAIS_MSG_ERROR);
	g_assert_nonnull(refused);
	g_assert_cmpstr(relais_msg_get_string(refused, "code"), ==, "size");
	g_assert_cmpuint(count_of(big, RELAIS_MSG_QUEUED), ==, 0);
	SbHubCounts c;
	sb_hub_counts(f->hub, &c);
	g_assert_cmpuint(c.queue, ==, 0);
	/* still idle: a shorter request is queued */
	g_autofree char *fine = long_request(16, 1000);
	say(f, big, fine);
	g_assert_cmpuint(count_of(big, RELAIS_MSG_QUEUED), ==, 1);

	/* four more visitors: about 80 KB of queue */
	const char *ids[] = {"sim-2", "sim-3", "sim-4", "sim-5"};
	for (guint i = 0; i < G_N_ELEMENTS(ids); i++)
		say(f, booth(f, 2 + i, ids[i]), fine);
	sb_hub_counts(f->hub, &c);
	g_assert_cmpuint(c.queue, ==, 5);
	/* the last list Alice was sent: every part of one snapshot, in order */
	gint last_first = -1;
	for (guint i = 0; i < alice->inbox->len; i++) {
		g_autoptr(RelaisMsg) m = msg_at(alice, (gint)i);
		if (relais_msg_get_type(m) == RELAIS_MSG_QUEUE && relais_msg_get_int(m, "part", 0) == 1)
			last_first = (gint)i;
	}
	g_assert_cmpint(last_first, >=, 0);
	g_autoptr(RelaisMsg) first = msg_at(alice, last_first);
	gint64 parts = relais_msg_get_int(first, "parts", 0), snapshot = relais_msg_get_int(first, "snapshot", 0);
	g_assert_cmpint(parts, >=, 2);
	guint tickets = 0;
	for (gint64 p = 0; p < parts; p++) {
		const char *text = g_ptr_array_index(alice->inbox, last_first + p);
		g_assert_cmpuint(strlen(text), <=, CONFIG_RELAIS_PROTO_MAX_MESSAGE);
		g_autoptr(RelaisMsg) m = msg_at(alice, last_first + (gint)p);
		g_assert_cmpint(relais_msg_get_type(m), ==, RELAIS_MSG_QUEUE);
		g_assert_cmpint(relais_msg_get_int(m, "snapshot", 0), ==, snapshot);
		g_assert_cmpint(relais_msg_get_int(m, "part", 0), ==, p + 1);
		tickets += json_array_get_length(relais_msg_get_array(m, "queue"));
	}
	g_assert_cmpuint(tickets, ==, 5);
}

/* The booth list (PROTOCOL.md "The booth list"): a snapshot after welcome,
 * then only what changed; a change longer than the list is a snapshot. */
static void test_booth_changes(Fixture *f, gconstpointer data)
{
	Conn *b[3] = {booth(f, 1, "sim-a"), booth(f, 2, "sim-b"), booth(f, 3, "sim-c")};
	Conn *alice = adviser(f, 0, "Alice");
	g_autoptr(RelaisMsg) snap = last_of(alice, RELAIS_MSG_BOOTHS);
	g_assert_cmpint(relais_msg_get_int(snap, "part", 0), ==, 1);
	g_assert_cmpint(relais_msg_get_int(snap, "parts", 0), ==, 1);
	g_assert_cmpuint(json_array_get_length(relais_msg_get_array(snap, "booths")), ==, 3);
	g_assert_cmpuint(count_of(alice, RELAIS_MSG_BOOTHS_CHANGED), ==, 0);

	/* one booth out of order: that booth only */
	f->now_us += (gint64)CONFIG_RELAIS_SB_BROADCAST_INTERVAL_MS * 1000;
	g_test_expect_message("relais-hub", G_LOG_LEVEL_WARNING, "booth sim-b out of order: no camera");
	say(f, b[1], "{\"type\":\"status\",\"state\":\"out_of_order\",\"reason\":\"no camera\"}");
	g_test_assert_expected_messages();
	g_autoptr(RelaisMsg) ch = last_of(alice, RELAIS_MSG_BOOTHS_CHANGED);
	JsonArray *changed = relais_msg_get_array(ch, "booths");
	g_assert_cmpuint(json_array_get_length(changed), ==, 1);
	JsonObject *e = json_array_get_object_element(changed, 0);
	g_assert_cmpstr(json_object_get_string_member(e, "booth_id"), ==, "sim-b");
	g_assert_cmpstr(json_object_get_string_member(e, "state"), ==, "out_of_order");
	g_assert_cmpstr(json_object_get_string_member(e, "reason"), ==, "no camera");
	g_assert_cmpuint(json_array_get_length(relais_msg_get_array(ch, "gone")), ==, 0);

	/* one leaves: its id in gone, nothing else */
	f->now_us += (gint64)CONFIG_RELAIS_SB_BROADCAST_INTERVAL_MS * 1000;
	gone(f, b[0]->peer);
	b[0]->peer = NULL;
	g_autoptr(RelaisMsg) left = last_of(alice, RELAIS_MSG_BOOTHS_CHANGED);
	g_assert_cmpuint(json_array_get_length(relais_msg_get_array(left, "booths")), ==, 0);
	JsonArray *ids = relais_msg_get_array(left, "gone");
	g_assert_cmpuint(json_array_get_length(ids), ==, 1);
	g_assert_cmpstr(json_array_get_string_element(ids, 0), ==, "sim-a");
	guint snapshots = count_of(alice, RELAIS_MSG_BOOTHS);

	/* the two others leave within the interval (the clock stands still):
	 * gathered, a change longer than the list left (nothing), so a new
	 * snapshot, empty */
	sb_hub_disconnect(f->hub, b[1]->peer);
	sb_hub_disconnect(f->hub, b[2]->peer);
	b[1]->peer = b[2]->peer = NULL;
	sb_hub_flush(f->hub);
	g_assert_cmpuint(count_of(alice, RELAIS_MSG_BOOTHS), ==, snapshots + 1);
	g_autoptr(RelaisMsg) resync = last_of(alice, RELAIS_MSG_BOOTHS);
	g_assert_cmpuint(json_array_get_length(relais_msg_get_array(resync, "booths")), ==, 0);
	g_assert_cmpint(relais_msg_get_int(resync, "snapshot", 0), >, relais_msg_get_int(snap, "snapshot", 0));
	g_autoptr(JsonArray) list = booth_list(alice);
	g_assert_cmpuint(json_array_get_length(list), ==, 0);

	g_autoptr(GString) out = g_string_new(NULL);
	sb_hub_metrics(f->hub, out);
	g_assert_nonnull(strstr(out->str, "relais_adviser_booth_messages_total{kind=\"snapshot\"} 2\n"));
	g_assert_nonnull(strstr(out->str, "relais_adviser_booth_messages_total{kind=\"changes\"} 2\n"));
}

static void test_lists_gathered(Fixture *f, gconstpointer data)
{
	Conn *a[3] = {adviser(f, 0, "Alice"), adviser(f, 1, "Bob"), adviser(f, 2, "Carol")};
	Conn *quiet = booth(f, 3, "sim-quiet");
	say(f, quiet, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\"}");
	Conn *noisy = booth(f, 4, "sim-noisy");
	guint from[3];
	for (guint i = 0; i < 3; i++)
		from[i] = a[i]->inbox->len;
	guint noisy_from = noisy->inbox->len, quiet_from = quiet->inbox->len;

	/* the clock stands still: all of it within one interval */
	const guint rounds = 40;
	for (guint r = 0; r < rounds; r++) {
		raw_say(f, noisy, "{\"type\":\"status\",\"state\":\"idle\"}");
		raw_say(f, noisy, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\"}");
		/* its ticket id came at once */
		g_autofree char *ticket = ticket_of(noisy);
		g_assert_cmpuint(count_from(noisy, noisy_from, RELAIS_MSG_QUEUED), ==, r + 1);
		if (r + 1 < rounds) {
			g_autofree char *cancel = g_strdup_printf("{\"type\":\"cancel\",\"ticket\":\"%s\"}", ticket);
			raw_say(f, noisy, cancel);
		}
	}
	g_assert_cmpuint(noisy->closed_code, ==, 0);
	for (guint i = 0; i < 3; i++) {
		g_assert_cmpuint(count_from(a[i], from[i], RELAIS_MSG_TAKEN), ==, rounds - 1);
		g_assert_cmpuint(count_from(a[i], from[i], RELAIS_MSG_QUEUE), ==, 0);
		g_assert_cmpuint(count_from(a[i], from[i], RELAIS_MSG_BOOTHS_CHANGED), ==, 0);
	}
	/* the quiet booth's place never moved: it was told nothing */
	g_assert_cmpuint(quiet->inbox->len, ==, quiet_from);

	/* the interval passes on the real main loop: one list of each kind */
	gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (count_from(a[2], from[2], RELAIS_MSG_BOOTHS_CHANGED) == 0 && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, TRUE);
	for (guint i = 0; i < 3; i++) {
		g_assert_cmpuint(count_from(a[i], from[i], RELAIS_MSG_QUEUE), ==, 1);
		g_assert_cmpuint(count_from(a[i], from[i], RELAIS_MSG_BOOTHS_CHANGED), ==, 1);
		g_assert_cmpuint(count_from(a[i], from[i], RELAIS_MSG_BOOTHS), ==, 0);
		g_autoptr(RelaisMsg) q = last_of(a[i], RELAIS_MSG_QUEUE);
		g_assert_cmpuint(json_array_get_length(relais_msg_get_array(q, "queue")), ==, 2);
		/* only the booth that changed: the quiet one is as it was */
		g_autoptr(RelaisMsg) bm = last_of(a[i], RELAIS_MSG_BOOTHS_CHANGED);
		g_assert_cmpuint(json_array_get_length(relais_msg_get_array(bm, "booths")), ==, 1);
		g_assert_cmpuint(json_array_get_length(relais_msg_get_array(bm, "gone")), ==, 0);
		g_autoptr(JsonArray) list = booth_list(a[i]);
		g_assert_cmpuint(json_array_get_length(list), ==, 2);
		JsonObject *e = json_array_get_object_element(list, 0); /* sorted: sim-noisy first */
		g_assert_cmpstr(json_object_get_string_member(e, "booth_id"), ==, "sim-noisy");
		g_assert_cmpstr(json_object_get_string_member(e, "state"), ==, "queued");
		from[i] = a[i]->inbox->len;
	}

	g_autoptr(GString) out = g_string_new(NULL);
	sb_hub_metrics(f->hub, out);
	/* per round, 3 changes to the booths and 2 to the queue (one fewer of
	 * each in the last): all but the first of each kind joined a list */
	g_autofree char *gathered = g_strdup_printf("relais_adviser_lists_total{outcome=\"gathered\"} %u\n",
						    (3 * rounds - 2) + (2 * rounds - 2));
	g_assert_nonnull(strstr(out->str, gathered));

	/* a quiet interval later, a change goes out at once */
	f->now_us += (gint64)CONFIG_RELAIS_SB_BROADCAST_INTERVAL_MS * 1000;
	raw_say(f, quiet, "{\"type\":\"status\",\"state\":\"idle\"}"); /* refused: it is queued */
	g_autofree char *last = ticket_of(noisy);
	g_autofree char *cancel = g_strdup_printf("{\"type\":\"cancel\",\"ticket\":\"%s\"}", last);
	raw_say(f, noisy, cancel);
	for (guint i = 0; i < 3; i++) {
		g_assert_cmpuint(count_from(a[i], from[i], RELAIS_MSG_QUEUE), ==, 1);
		g_assert_cmpuint(count_from(a[i], from[i], RELAIS_MSG_BOOTHS_CHANGED), ==, 1);
		from[i] = a[i]->inbox->len;
	}
	/* the quiet booth, first in the queue all along, was only told its
	 * refused status */
	g_assert_cmpuint(quiet->inbox->len, ==, quiet_from + 1);
	g_autoptr(RelaisMsg) refused = last_of(quiet, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(refused, "code"), ==, "state");

	/* a status that changes nothing: no list is sent again */
	f->now_us += (gint64)CONFIG_RELAIS_SB_BROADCAST_INTERVAL_MS * 1000;
	raw_say(f, noisy, "{\"type\":\"status\",\"state\":\"idle\"}");
	for (guint i = 0; i < 3; i++)
		g_assert_cmpuint(a[i]->inbox->len, ==, from[i]);
}

/* The flood: pings as fast as a client can send them. The burst passes, the
 * next message gets error{code:"rate"} and the connection is closed (1008);
 * nothing after that is answered. At the sustained rate nothing is refused. */
static void test_flood(Fixture *f, gconstpointer data)
{
	const guint burst = CONFIG_RELAIS_SB_MSG_BURST, rate = CONFIG_RELAIS_SB_MSG_RATE;
	Conn *a = adviser(f, 0, "Flood"); /* its hello took one token */
	guint from = a->inbox->len;
	for (guint i = 0; i < burst - 1; i++)
		say(f, a, "{\"type\":\"ping\"}");
	g_assert_cmpuint(a->inbox->len - from, ==, burst - 1); /* one pong each */
	g_assert_cmpuint(a->closed_code, ==, 0);
	say(f, a, "{\"type\":\"ping\"}");
	g_autoptr(RelaisMsg) e = msg_at(a, -1);
	g_assert_cmpint(relais_msg_get_type(e), ==, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e, "code"), ==, "rate");
	g_assert_nonnull(strstr(relais_msg_get_string(e, "message"), "too many messages"));
	g_assert_cmpuint(a->closed_code, ==, 1008);
	g_assert_cmpstr(a->closed_reason, ==, "message rate limit exceeded");
	guint n = a->inbox->len;
	say(f, a, "{\"type\":\"ping\"}");
	g_assert_cmpuint(a->inbox->len, ==, n);

	/* the bucket refills at `rate` a second: one second after the burst,
	 * `rate` more messages pass and the next does not */
	Conn *b = booth(f, 1, "sim-1");
	for (guint i = 0; i < burst - 1; i++)
		say(f, b, "{\"type\":\"ping\"}");
	g_assert_cmpuint(b->closed_code, ==, 0);
	f->now_us += G_USEC_PER_SEC;
	for (guint i = 0; i < rate; i++)
		say(f, b, "{\"type\":\"ping\"}");
	g_assert_cmpuint(b->closed_code, ==, 0);
	say(f, b, "{\"type\":\"ping\"}");
	g_assert_cmpuint(b->closed_code, ==, 1008);

	/* a steady client at the sustained rate, for a minute, is never refused */
	Conn *c = adviser(f, 2, "Steady");
	for (guint i = 0; i < 60 * rate; i++) {
		f->now_us += G_USEC_PER_SEC / rate;
		say(f, c, "{\"type\":\"ping\"}");
	}
	g_assert_cmpuint(c->closed_code, ==, 0);
	g_autoptr(GString) out = g_string_new(NULL);
	sb_hub_metrics(f->hub, out);
	g_assert_nonnull(strstr(out->str, "\nrelais_rate_limited_total 2\n"));
}

/* --- availability, queue positions and waits, ratings ------------------------- */

static void request(Fixture *f, Conn *b)
{
	say(f, b, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"job-search\"}");
}

static gint64 advisers_told(Conn *c)
{
	g_autoptr(RelaisMsg) m = last_of(c, RELAIS_MSG_AVAILABILITY);
	g_assert_nonnull(m);
	g_assert_null(relais_msg_get_string(m, "next_opening")); /* these services know no hours */
	return relais_msg_get_int(m, "advisers", -1);
}

/* The queued messages c received from index `from` on, as "position/wait_s"
 * separated by spaces: "2/1200 1/600". */
static char *queued_since(Conn *c, guint from)
{
	GString *s = g_string_new(NULL);
	for (guint i = from; i < c->inbox->len; i++) {
		g_autoptr(RelaisMsg) m = msg_at(c, (gint)i);
		if (relais_msg_get_type(m) != RELAIS_MSG_QUEUED)
			continue;
		g_string_append_printf(s, "%s%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, s->len ? " " : "",
				       relais_msg_get_int(m, "position", -1), relais_msg_get_int(m, "wait_s", -1));
	}
	return g_string_free(s, FALSE);
}

/* Queues b, has a accept it; returns the call id. */
static char *start_call(Fixture *f, Conn *b, Conn *a)
{
	request(f, b);
	g_autofree char *ticket = ticket_of(b);
	g_autofree char *accept = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}", ticket);
	say(f, a, accept);
	g_autoptr(RelaisMsg) call = last_of(b, RELAIS_MSG_CALL);
	g_assert_nonnull(call);
	return g_strdup(relais_msg_get_string(call, "call"));
}

static void end_call(Fixture *f, Conn *by, const char *call)
{
	g_autofree char *end = g_strdup_printf("{\"type\":\"end\",\"call\":\"%s\"}", call);
	say(f, by, end);
}

static void rate(Fixture *f, Conn *b, const char *call, int score)
{
	g_autofree char *text = g_strdup_printf("{\"type\":\"feedback\",\"call\":\"%s\",\"score\":%d}", call, score);
	say(f, b, text);
}

/* The code of the error c got for its last message, or NULL if none. */
static char *error_after(Conn *c, guint from)
{
	for (guint i = from; i < c->inbox->len; i++) {
		g_autoptr(RelaisMsg) m = msg_at(c, (gint)i);
		if (relais_msg_get_type(m) == RELAIS_MSG_ERROR)
			return g_strdup(relais_msg_get_string(m, "code"));
	}
	return NULL;
}

/* A booth's link drops in a call: the call is held, the booth comes back
 * naming it and gets it back with the adviser's chat of the meantime; a
 * booth that does not come back in the grace is lost for the adviser. */
static void test_resume(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "sim-1");
	Conn *alice = adviser(f, 1, "Alice");
	g_autofree char *call = start_call(f, b, alice);
	gone(f, b->peer);
	b->peer = NULL;
	g_assert_cmpuint(count_of(alice, RELAIS_MSG_END), ==, 0);
	/* the adviser writes meanwhile: held (candidates are dropped) */
	g_autofree char *chat = g_strdup_printf("{\"type\":\"chat\",\"call\":\"%s\",\"text\":\"still there?\"}", call);
	g_autofree char *ice =
		g_strdup_printf("{\"type\":\"ice\",\"call\":\"%s\",\"candidate\":\"\",\"mline\":0}", call);
	guint errors = count_of(alice, RELAIS_MSG_ERROR);
	say(f, alice, chat);
	say(f, alice, ice);
	g_assert_cmpuint(count_of(alice, RELAIS_MSG_ERROR), ==, errors);
	f->now_us += 10 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpuint(count_of(alice, RELAIS_MSG_END), ==, 0);

	/* back, naming the call */
	Conn *back = open_conn(f, 2, RELAIS_ROLE_BOOTH);
	g_autofree char *hello = g_strdup_printf(
		"{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"sim-1\",\"call\":\"%s\"}", call);
	say(f, back, hello);
	g_autoptr(RelaisMsg) held = last_of(back, RELAIS_MSG_CHAT);
	g_assert_nonnull(held);
	g_assert_cmpstr(relais_msg_get_string(held, "text"), ==, "still there?");
	g_assert_cmpuint(count_of(back, RELAIS_MSG_ICE), ==, 0);
	g_assert_cmpuint(count_of(back, RELAIS_MSG_END), ==, 0);
	/* and the call goes on both ways */
	g_autofree char *reply = g_strdup_printf("{\"type\":\"chat\",\"call\":\"%s\",\"text\":\"yes\"}", call);
	say(f, back, reply);
	g_autoptr(RelaisMsg) got = last_of(alice, RELAIS_MSG_CHAT);
	g_assert_cmpstr(relais_msg_get_string(got, "text"), ==, "yes");
	f->now_us += 60 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpuint(count_of(alice, RELAIS_MSG_END), ==, 0);

	/* another booth cannot take the call over */
	Conn *thief = open_conn(f, 3, RELAIS_ROLE_BOOTH);
	g_autofree char *steal = g_strdup_printf(
		"{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"sim-9\",\"call\":\"%s\"}", call);
	say(f, thief, steal);
	g_autoptr(RelaisMsg) refused = last_of(thief, RELAIS_MSG_END);
	g_assert_nonnull(refused);
	g_assert_cmpstr(relais_msg_get_string(refused, "reason"), ==, "gone");

	/* gone for longer than the grace: the adviser is told, and the booth
	 * coming back late is told the call is over */
	gone(f, back->peer);
	back->peer = NULL;
	f->now_us += 14 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpuint(count_of(alice, RELAIS_MSG_END), ==, 0);
	f->now_us += 2 * G_USEC_PER_SEC;
	tick(f);
	g_autoptr(RelaisMsg) lost = last_of(alice, RELAIS_MSG_END);
	g_assert_nonnull(lost);
	g_assert_cmpstr(relais_msg_get_string(lost, "reason"), ==, "peer-lost");
	Conn *late = open_conn(f, 4, RELAIS_ROLE_BOOTH);
	say(f, late, hello);
	g_autoptr(RelaisMsg) over = last_of(late, RELAIS_MSG_END);
	g_assert_nonnull(over);
	g_assert_cmpstr(relais_msg_get_string(over, "reason"), ==, "gone");
	/* the rating of that call still counts */
	rate(f, late, call, 5);
	SbHubCounts c;
	sb_hub_counts(f->hub, &c);
	g_assert_cmpuint(c.satisfaction[4], ==, 1);
}

/* A booth's link drops in a call and it comes back naming no call: it has
 * restarted (its session is wiped), so the held call ends for the adviser
 * at once rather than after the grace; another booth's hello changes
 * nothing. */
static void test_restarted_booth(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "sim-1");
	Conn *alice = adviser(f, 1, "Alice");
	g_autofree char *call = start_call(f, b, alice);
	gone(f, b->peer);
	b->peer = NULL;
	f->now_us += 2 * G_USEC_PER_SEC;
	tick(f);

	Conn *other = open_conn(f, 2, RELAIS_ROLE_BOOTH);
	say(f, other, "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"sim-2\"}");
	g_assert_cmpuint(count_of(alice, RELAIS_MSG_END), ==, 0);

	Conn *back = open_conn(f, 3, RELAIS_ROLE_BOOTH);
	say(f, back, "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"sim-1\"}");
	g_autoptr(RelaisMsg) lost = last_of(alice, RELAIS_MSG_END);
	g_assert_nonnull(lost);
	g_assert_cmpstr(relais_msg_get_string(lost, "call"), ==, call);
	g_assert_cmpstr(relais_msg_get_string(lost, "reason"), ==, "peer-lost");
	g_assert_cmpuint(count_of(back, RELAIS_MSG_END), ==, 0);
	/* once only: the grace passing later ends nothing more */
	f->now_us += 60 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpuint(count_of(alice, RELAIS_MSG_END), ==, 1);
	/* the adviser is free and the booth idle: a new visitor can be served */
	g_autofree char *again = start_call(f, back, alice);
	g_assert_cmpstr(again, !=, call);
}

/* Each end gets TURN credentials of its own (coturn REST scheme), escaped
 * into the URI; a booth gets fresh ones at half their life. */
static void test_turn(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "sim-1");
	Conn *a = adviser(f, 1, "Alice");
	g_autoptr(RelaisMsg) wb = last_of(b, RELAIS_MSG_WELCOME);
	g_autoptr(RelaisMsg) wa = last_of(a, RELAIS_MSG_WELCOME);
	JsonArray *ib = relais_msg_get_array(wb, "ice_servers");
	JsonArray *ia = relais_msg_get_array(wa, "ice_servers");
	g_assert_cmpuint(json_array_get_length(ib), ==, 3); /* the STUN server, then TURN, TURN over TLS */
	const char *tb = json_array_get_string_element(ib, 1);
	const char *ta = json_array_get_string_element(ia, 1);
	g_assert_true(g_str_has_prefix(tb, "turn://"));
	g_assert_true(g_str_has_suffix(tb, "@127.0.0.1:3478?transport=udp"));
	/* turns: stays turns: (TLS) for the console; the booth, whose libnice
	 * has no TLS client, gets TURN over TCP to the same port; the same
	 * credentials as the end's turn: entry */
	const char *tls = json_array_get_string_element(ia, 2);
	g_assert_true(g_str_has_prefix(tls, "turns://"));
	g_assert_true(g_str_has_suffix(tls, "@127.0.0.1:443?transport=tcp"));
	g_assert_cmpint(strncmp(tls + 8, ta + 7, strchr(ta, '@') - ta - 6), ==, 0);
	const char *tcp = json_array_get_string_element(ib, 2);
	g_assert_true(g_str_has_prefix(tcp, "turn://"));
	g_assert_true(g_str_has_suffix(tcp, "@127.0.0.1:443?transport=tcp"));
	g_assert_cmpint(strncmp(tcp + 7, tb + 7, strchr(tb, '@') - tb - 6), ==, 0);
	g_assert_cmpstr(tb, !=, ta); /* not shared between ends */
	/* user "<expiry>:<session>" escaped; the password checks out */
	g_autoptr(GUri) u = g_uri_parse(tb, G_URI_FLAGS_HAS_PASSWORD, NULL);
	g_assert_nonnull(u);
	g_auto(GStrv) parts = g_strsplit(g_uri_get_user(u), ":", 2);
	g_assert_cmpstr(parts[1], ==, relais_msg_get_string(wb, "session"));
	gint64 expiry = g_ascii_strtoll(parts[0], NULL, 10);
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_assert_cmpint(expiry, >=, now + 3600 - 5);
	g_assert_cmpint(expiry, <=, now + 3600 + 5);
	g_autoptr(GHmac) h = g_hmac_new(G_CHECKSUM_SHA1, (const guchar *)"s3cret", 6);
	g_hmac_update(h, (const guchar *)g_uri_get_user(u), -1);
	guint8 digest[20];
	gsize len = sizeof digest;
	g_hmac_get_digest(h, digest, &len);
	g_autofree char *b64 = g_base64_encode(digest, len);
	g_assert_cmpstr(g_uri_get_password(u), ==, b64);

	/* half their life later, the booth (not the adviser) gets new ones */
	guint before = count_of(b, RELAIS_MSG_ICE_SERVERS);
	f->now_us += 1700 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpuint(count_of(b, RELAIS_MSG_ICE_SERVERS), ==, before);
	f->now_us += 100 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpuint(count_of(b, RELAIS_MSG_ICE_SERVERS), ==, before + 1);
	g_assert_cmpuint(count_of(a, RELAIS_MSG_ICE_SERVERS), ==, 0);
	tick(f);
	g_assert_cmpuint(count_of(b, RELAIS_MSG_ICE_SERVERS), ==, before + 1);
}

static void test_availability(Fixture *f, gconstpointer data)
{
	/* nobody on duty: said right after the welcome, before any request */
	Conn *b = booth(f, 0, "sim-1");
	g_autoptr(RelaisMsg) w = msg_at(b, 0);
	g_assert_cmpint(relais_msg_get_type(w), ==, RELAIS_MSG_WELCOME);
	g_autoptr(RelaisMsg) av = msg_at(b, 1);
	g_assert_cmpint(relais_msg_get_type(av), ==, RELAIS_MSG_AVAILABILITY);
	g_assert_cmpint(advisers_told(b), ==, 0);

	/* an adviser's connection counts once it has said hello */
	Conn *alice = open_conn(f, 1, RELAIS_ROLE_ADVISER);
	g_assert_cmpuint(count_of(b, RELAIS_MSG_AVAILABILITY), ==, 1);
	say(f, alice, "{\"type\":\"hello\",\"version\":1,\"role\":\"adviser\",\"name\":\"Alice\"}");
	g_assert_cmpint(advisers_told(b), ==, 1);
	g_assert_cmpuint(count_of(alice, RELAIS_MSG_AVAILABILITY), ==, 0); /* booths only */

	/* a booth that comes later is told the current figure */
	Conn *b2 = booth(f, 2, "sim-2");
	g_assert_cmpint(advisers_told(b2), ==, 1);
	g_assert_cmpuint(count_of(b2, RELAIS_MSG_AVAILABILITY), ==, 1);

	/* every booth follows each change */
	Conn *bob = adviser(f, 3, "Bob");
	g_assert_cmpint(advisers_told(b), ==, 2);
	g_assert_cmpint(advisers_told(b2), ==, 2);
	gone(f, alice->peer);
	alice->peer = NULL;
	g_assert_cmpint(advisers_told(b), ==, 1);
	g_assert_cmpint(advisers_told(b2), ==, 1);
	gone(f, bob->peer);
	bob->peer = NULL;
	g_assert_cmpint(advisers_told(b), ==, 0);
	g_assert_cmpint(advisers_told(b2), ==, 0);
	g_assert_cmpuint(count_of(b, RELAIS_MSG_AVAILABILITY), ==, 5);

	/* a connection that never said hello changes nothing */
	Conn *silent = open_conn(f, 4, RELAIS_ROLE_ADVISER);
	gone(f, silent->peer);
	silent->peer = NULL;
	g_assert_cmpuint(count_of(b, RELAIS_MSG_AVAILABILITY), ==, 5);

	/* nobody on duty: a request still queues (someone may sign in); the
	 * booth already knows advisers=0 and its UI decides what to say */
	request(f, b);
	g_autoptr(RelaisMsg) q = last_of(b, RELAIS_MSG_QUEUED);
	g_assert_nonnull(q);
	g_assert_cmpint(relais_msg_get_int(q, "position", 0), ==, 1);
	g_assert_cmpint(relais_msg_get_int(q, "wait_s", -1), ==, 600); /* default length, divided by max(1, 0) */
	/* someone signs in: availability, then the wait the booth can expect */
	guint from = b->inbox->len;
	adviser(f, 5, "Carol");
	g_autoptr(RelaisMsg) next = msg_at(b, (gint)from);
	g_assert_cmpint(relais_msg_get_type(next), ==, RELAIS_MSG_AVAILABILITY);
	g_assert_cmpint(advisers_told(b), ==, 1);
	g_autofree char *updates = queued_since(b, from);
	g_assert_cmpstr(updates, ==, ""); /* 600 s for one adviser as for none */
}

static void test_queue_updates(Fixture *f, gconstpointer data)
{
	Conn *b[4] = {booth(f, 0, "b0"), booth(f, 1, "b1"), booth(f, 2, "b2"), booth(f, 3, "b3")};
	Conn *alice = adviser(f, 4, "Alice");
	for (int i = 0; i < 3; i++)
		request(f, b[i]);
	/* position x 600 s (no call has ended yet) / 1 adviser */
	for (int i = 0; i < 3; i++) {
		g_autoptr(RelaisMsg) q = last_of(b[i], RELAIS_MSG_QUEUED);
		g_assert_cmpint(relais_msg_get_int(q, "position", 0), ==, i + 1);
		g_assert_cmpint(relais_msg_get_int(q, "wait_s", -1), ==, 600 * (i + 1));
	}
	/* each booth was told once: a newcomer behind changes nobody's place */
	for (int i = 0; i < 3; i++)
		g_assert_cmpuint(count_of(b[i], RELAIS_MSG_QUEUED), ==, 1);

	/* the first is taken: the others move up, each told exactly once */
	guint from[4];
	for (int i = 0; i < 4; i++)
		from[i] = b[i]->inbox->len;
	g_autofree char *t0 = ticket_of(b[0]);
	g_autofree char *accept = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}", t0);
	say(f, alice, accept);
	g_autoptr(RelaisMsg) call = last_of(alice, RELAIS_MSG_CALL);
	const char *call_id = relais_msg_get_string(call, "call");
	g_autofree char *u0 = queued_since(b[0], from[0]);
	g_autofree char *u1 = queued_since(b[1], from[1]);
	g_autofree char *u2 = queued_since(b[2], from[2]);
	g_assert_cmpstr(u0, ==, "");
	g_assert_cmpstr(u1, ==, "1/600");
	g_assert_cmpstr(u2, ==, "2/1200");

	/* the first in line cancels: the one behind is first now */
	for (int i = 0; i < 4; i++)
		from[i] = b[i]->inbox->len;
	g_autofree char *t1 = ticket_of(b[1]);
	g_autofree char *cancel = g_strdup_printf("{\"type\":\"cancel\",\"ticket\":\"%s\"}", t1);
	say(f, b[1], cancel);
	g_autofree char *v1 = queued_since(b[1], from[1]);
	g_autofree char *v2 = queued_since(b[2], from[2]);
	g_assert_cmpstr(v1, ==, "");
	g_assert_cmpstr(v2, ==, "1/600");

	/* b3 queues behind b2: b2's place and wait do not change, nothing sent */
	from[2] = b[2]->inbox->len;
	request(f, b[3]);
	g_autofree char *w2 = queued_since(b[2], from[2]);
	g_autofree char *w3 = queued_since(b[3], 0);
	g_assert_cmpstr(w2, ==, "");
	g_assert_cmpstr(w3, ==, "2/1200");

	/* a second adviser signs in: the waits halve */
	from[2] = b[2]->inbox->len;
	from[3] = b[3]->inbox->len;
	Conn *bob = adviser(f, 5, "Bob");
	g_autofree char *x2 = queued_since(b[2], from[2]);
	g_autofree char *x3 = queued_since(b[3], from[3]);
	g_assert_cmpstr(x2, ==, "1/300");
	g_assert_cmpstr(x3, ==, "2/600");

	/* the call lasted 20 minutes: the estimate follows the calls that ended
	 * (mean 1200 s, 2 advisers) */
	f->now_us += 1200 * G_USEC_PER_SEC;
	from[2] = b[2]->inbox->len;
	from[3] = b[3]->inbox->len;
	end_call(f, alice, call_id);
	g_autofree char *y2 = queued_since(b[2], from[2]);
	g_autofree char *y3 = queued_since(b[3], from[3]);
	g_assert_cmpstr(y2, ==, "1/600");
	g_assert_cmpstr(y3, ==, "2/1200");

	/* a booth that drops out of the queue: the one behind moves up */
	from[3] = b[3]->inbox->len;
	gone(f, b[2]->peer);
	b[2]->peer = NULL;
	g_autofree char *z3 = queued_since(b[3], from[3]);
	g_assert_cmpstr(z3, ==, "1/600");

	/* an adviser leaves: one adviser for a 1200 s mean */
	from[3] = b[3]->inbox->len;
	gone(f, bob->peer);
	bob->peer = NULL;
	g_autofree char *z4 = queued_since(b[3], from[3]);
	g_assert_cmpstr(z4, ==, "1/1200");
}

static void test_feedback(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "sim-1");
	Conn *alice = adviser(f, 1, "Alice");
	Conn *bob = adviser(f, 2, "Bob");
	Conn *b2 = booth(f, 3, "sim-2");

	/* while in the call: too early */
	g_autofree char *c1 = start_call(f, b, alice);
	guint from = b->inbox->len;
	rate(f, b, c1, 4);
	g_autofree char *e0 = error_after(b, from);
	g_assert_cmpstr(e0, ==, "state");

	f->now_us += 300 * G_USEC_PER_SEC;
	end_call(f, b, c1);
	/* the booth wipes its session and says so; the record stays */
	say(f, b, "{\"type\":\"status\",\"state\":\"idle\"}");
	f->now_us += 30 * G_USEC_PER_SEC;

	/* another booth cannot rate this booth's call */
	from = b2->inbox->len;
	rate(f, b2, c1, 1);
	g_autofree char *e1 = error_after(b2, from);
	g_assert_cmpstr(e1, ==, "gone");

	/* nor can an adviser rate at all */
	from = alice->inbox->len;
	rate(f, alice, c1, 5);
	g_autofree char *e2 = error_after(alice, from);
	g_assert_cmpstr(e2, ==, "direction");

	/* the visitor's tap: counted, and passed on to the adviser of that call only */
	from = b->inbox->len;
	guint from_alice = alice->inbox->len, from_bob = bob->inbox->len, from_b2 = b2->inbox->len;
	rate(f, b, c1, 4);
	g_assert_cmpuint(b->inbox->len, ==, from); /* no reply when all is well */
	g_assert_cmpuint(alice->inbox->len, ==, from_alice + 1);
	g_autoptr(RelaisMsg) fb = last_of(alice, RELAIS_MSG_FEEDBACK);
	g_assert_cmpstr(relais_msg_get_string(fb, "call"), ==, c1);
	g_assert_cmpint(relais_msg_get_int(fb, "score", 0), ==, 4);
	g_assert_cmpuint(bob->inbox->len, ==, from_bob);
	g_assert_cmpuint(b2->inbox->len, ==, from_b2);

	/* once per call */
	from = b->inbox->len;
	rate(f, b, c1, 5);
	g_autofree char *e3 = error_after(b, from);
	g_assert_cmpstr(e3, ==, "gone");
	/* a call nobody had */
	from = b->inbox->len;
	rate(f, b, "no-such-call", 3);
	g_autofree char *e4 = error_after(b, from);
	g_assert_cmpstr(e4, ==, "gone");
	/* a bad score never reaches the hub's rules */
	from = b->inbox->len;
	say(f, b, "{\"type\":\"feedback\",\"call\":\"x\",\"score\":6}");
	g_autofree char *e5 = error_after(b, from);
	g_assert_cmpstr(e5, ==, "field");

	/* at the edge of the window: accepted; past it: gone */
	g_autofree char *c2 = start_call(f, b, bob);
	end_call(f, bob, c2);
	g_autofree char *c3 = start_call(f, b, bob);
	end_call(f, b, c3);
	f->now_us += 600 * G_USEC_PER_SEC;
	from = b->inbox->len;
	rate(f, b, c3, 5);
	g_assert_cmpuint(b->inbox->len, ==, from);
	g_autoptr(RelaisMsg) fb3 = last_of(bob, RELAIS_MSG_FEEDBACK);
	g_assert_cmpint(relais_msg_get_int(fb3, "score", 0), ==, 5);
	f->now_us += 1;
	rate(f, b, c2, 2);
	g_autofree char *e6 = error_after(b, from);
	g_assert_cmpstr(e6, ==, "gone");

	/* the record is bounded (2 per booth here): the oldest call drops out */
	g_autofree char *c4 = start_call(f, b, alice);
	end_call(f, b, c4);
	g_autofree char *c5 = start_call(f, b, alice);
	end_call(f, b, c5);
	g_autofree char *c6 = start_call(f, b, alice);
	end_call(f, b, c6);
	from = b->inbox->len;
	rate(f, b, c4, 1);
	g_autofree char *e7 = error_after(b, from);
	g_assert_cmpstr(e7, ==, "gone");

	/* a booth that reconnects may still rate; an adviser who left is not
	 * told, but the rating counts */
	Conn *again = booth(f, 4, "sim-1");
	g_assert_cmpuint(f->conns[0].closed_code, ==, 4000);
	gone(f, alice->peer);
	alice->peer = NULL;
	from_bob = bob->inbox->len;
	from = again->inbox->len;
	rate(f, again, c5, 1);
	rate(f, again, c6, 1);
	g_assert_cmpuint(again->inbox->len, ==, from);
	g_assert_cmpuint(count_of(bob, RELAIS_MSG_FEEDBACK), ==, 1);

	SbHubCounts c;
	sb_hub_counts(f->hub, &c);
	g_assert_cmpuint(c.satisfaction[0], ==, 2);
	g_assert_cmpuint(c.satisfaction[1], ==, 0);
	g_assert_cmpuint(c.satisfaction[3], ==, 1);
	g_assert_cmpuint(c.satisfaction[4], ==, 1);
	g_autoptr(GString) out = g_string_new(NULL);
	sb_hub_metrics(f->hub, out);
	g_assert_nonnull(strstr(out->str, "# TYPE relais_satisfaction_total counter\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_satisfaction_total{score=\"1\"} 2\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_satisfaction_total{score=\"2\"} 0\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_satisfaction_total{score=\"3\"} 0\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_satisfaction_total{score=\"4\"} 1\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_satisfaction_total{score=\"5\"} 1\n"));
}

/* --- call records: the hub tells its owner when a call ends and when it is rated --- */

typedef struct {
	GPtrArray *ended; /* "call_id|booth|site|topic|language|queued|answered|ended|reason|adviser?" */
	GPtrArray *rated; /* "call_id=score" */
	gint64 wall_us;
} Records;

static Records *records_of(gpointer ud);

static void r_call_ended(const SbHubCallInfo *i, gpointer ud)
{
	Records *r = records_of(ud);
	g_ptr_array_add(r->ended, g_strdup_printf("%s|%s|%s|%s|%s|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT
						  "|%" G_GINT64_FORMAT "|%s|%s",
						  i->call_id, i->booth_id, i->site ? i->site : "", i->topic,
						  i->language, i->queued_at, i->answered_at, i->ended_at, i->end_reason,
						  i->adviser_conn ? ((Conn *)i->adviser_conn)->name : "-"));
}

static void r_feedback(const char *call_id, gint score, gpointer ud)
{
	g_ptr_array_add(records_of(ud)->rated, g_strdup_printf("%s=%d", call_id, score));
}

static const SbHubServices records_services = {.call_ended = r_call_ended, .feedback = r_feedback};

/* user_data of the records hub */
typedef struct {
	Fixture *f;
	Records r;
} RecordsCtx;

static Records *records_of(gpointer ud)
{
	return &((RecordsCtx *)ud)->r;
}

static gint64 records_wall(gpointer ud)
{
	return ((RecordsCtx *)ud)->r.wall_us;
}

static void test_call_records(Fixture *f, gconstpointer data)
{
	RecordsCtx ctx = {.f = f};
	ctx.r.ended = g_ptr_array_new_with_free_func(g_free);
	ctx.r.rated = g_ptr_array_new_with_free_func(g_free);
	ctx.r.wall_us = G_GINT64_CONSTANT(1700000000) * G_USEC_PER_SEC;
	SbHubConfig cfg = {.max_booths = 3,
			   .max_advisers = 3,
			   .max_queue = 3,
			   .max_errors = 5,
			   .feedback_window_s = 600,
			   .recent_calls = 2};
	sb_hub_free(f->hub);
	f->hub = sb_hub_new(&cfg, &transport, &ctx);
	sb_hub_set_services(f->hub, &records_services, &ctx);
	sb_hub_set_clock(f->hub, fake_clock, f);
	sb_hub_set_wall_clock(f->hub, records_wall, &ctx);

	Conn *b = booth(f, 0, "sim-1");
	Conn *a = adviser(f, 1, "Alice");
	a->name = "alice-conn";
	Conn *b2 = booth(f, 2, "sim-2");

	/* queued at T, answered 30 s later, ended by the adviser 5 min after */
	g_autofree char *c1 = NULL;
	{
		request(f, b);
		g_autofree char *ticket = ticket_of(b);
		ctx.r.wall_us += 30 * G_USEC_PER_SEC;
		g_autofree char *accept = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}", ticket);
		say(f, a, accept);
		g_autoptr(RelaisMsg) call = last_of(b, RELAIS_MSG_CALL);
		c1 = g_strdup(relais_msg_get_string(call, "call"));
	}
	g_assert_cmpuint(ctx.r.ended->len, ==, 0);
	/* chat is relayed, never reported */
	g_autofree char *chat = g_strdup_printf("{\"type\":\"chat\",\"call\":\"%s\",\"text\":\"canary-42\"}", c1);
	say(f, b, chat);
	ctx.r.wall_us += 300 * G_USEC_PER_SEC;
	end_call(f, a, c1);
	g_assert_cmpuint(ctx.r.ended->len, ==, 1);
	g_autofree char *want1 = g_strdup_printf("%s|sim-1|Médiathèque|job-search|fr|1700000000|1700000030|1700000330|"
						 "adviser-hangup|alice-conn",
						 c1);
	g_assert_cmpstr(g_ptr_array_index(ctx.r.ended, 0), ==, want1);
	g_assert_null(strstr(g_ptr_array_index(ctx.r.ended, 0), "canary"));

	/* the rating reaches the owner once, with its call id */
	say(f, b, "{\"type\":\"status\",\"state\":\"idle\"}");
	rate(f, b, c1, 5);
	rate(f, b, c1, 4); /* gone: not reported */
	rate(f, b2, c1, 1);
	g_assert_cmpuint(ctx.r.rated->len, ==, 1);
	g_autofree char *want_r = g_strdup_printf("%s=5", c1);
	g_assert_cmpstr(g_ptr_array_index(ctx.r.rated, 0), ==, want_r);

	/* ended by the booth: its code; a visitor who leaves the queue: a
	 * record without an answer */
	g_autofree char *c2 = start_call(f, b, a);
	end_call(f, b, c2);
	g_assert_true(g_str_has_suffix(g_ptr_array_index(ctx.r.ended, 1), "|booth-hangup|alice-conn"));
	request(f, b2);
	g_autofree char *t2 = ticket_of(b2);
	g_autofree char *cancel = g_strdup_printf("{\"type\":\"cancel\",\"ticket\":\"%s\"}", t2);
	say(f, b2, cancel);
	g_autofree char *want3 = g_strdup_printf("%s|sim-2|Médiathèque|job-search|fr|", t2);
	g_assert_true(g_str_has_prefix(g_ptr_array_index(ctx.r.ended, 2), want3));
	g_assert_true(g_str_has_suffix(g_ptr_array_index(ctx.r.ended, 2), "|0|1700000330|cancelled|-"));

	/* the adviser's link drops in a call: peer-lost; a queued booth's link: booth-lost */
	g_autofree char *c4 = start_call(f, b, a);
	gone(f, a->peer);
	a->peer = NULL;
	g_assert_true(g_str_has_prefix(g_ptr_array_index(ctx.r.ended, 3), c4));
	g_assert_true(g_str_has_suffix(g_ptr_array_index(ctx.r.ended, 3), "|peer-lost|alice-conn"));
	request(f, b2);
	gone(f, b2->peer);
	b2->peer = NULL;
	g_assert_true(g_str_has_suffix(g_ptr_array_index(ctx.r.ended, 4), "|booth-lost|-"));
	g_assert_cmpuint(ctx.r.ended->len, ==, 5);

	/* ctx lives on this stack: disconnect the rest before it goes */
	for (guint i = 0; i < G_N_ELEMENTS(f->conns); i++) {
		if (f->conns[i].peer)
			gone(f, f->conns[i].peer);
		f->conns[i].peer = NULL;
	}
	g_ptr_array_unref(ctx.r.ended);
	g_ptr_array_unref(ctx.r.rated);
}

/* An adviser signed in with skills (languages, topics: comma-separated,
 * "" = any), as server.c sets them from the account. */
static Conn *skilled(Fixture *f, guint i, const char *name, const char *languages, const char *topics)
{
	Conn *c = open_conn(f, i, RELAIS_ROLE_ADVISER);
	g_auto(GStrv) langs = g_strsplit(languages, ",", -1);
	g_auto(GStrv) tops = g_strsplit(topics, ",", -1);
	sb_hub_set_adviser_identity(c->peer, name);
	sb_hub_set_adviser_skills(c->peer, (const char *const *)(*languages ? langs : NULL),
				  (const char *const *)(*topics ? tops : NULL));
	say(f, c, "{\"type\":\"hello\",\"version\":1,\"role\":\"adviser\"}");
	return c;
}

/* The tickets of c's last queue, as "booth_id[*]" separated by spaces (* booked). */
static char *queue_of(Conn *c)
{
	g_autoptr(RelaisMsg) q = last_of(c, RELAIS_MSG_QUEUE);
	g_assert_nonnull(q);
	JsonArray *a = relais_msg_get_array(q, "queue");
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *e = json_array_get_object_element(a, i);
		g_string_append_printf(s, "%s%s%s", s->len ? " " : "", json_object_get_string_member(e, "booth_id"),
				       json_object_get_boolean_member(e, "booked") ? "*" : "");
	}
	return g_string_free(s, FALSE);
}

static void test_skills_filter(Fixture *f, gconstpointer data)
{
	Conn *fr = booth(f, 0, "b-fr");
	Conn *en = booth(f, 1, "b-en");
	Conn *pt = booth(f, 2, "b-pt");
	Conn *amelie = skilled(f, 3, "Amélie", "fr", "");
	Conn *ed = skilled(f, 4, "Ed", "en", "job-search");
	Conn *any = skilled(f, 5, "Any", "", "");
	say(f, fr, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"training\"}");
	say(f, en, "{\"type\":\"request\",\"language\":\"en\",\"topic\":\"job-search\"}");
	/* "pt" takes "pt-br" (primary subtag) */
	say(f, pt, "{\"type\":\"request\",\"language\":\"pt-br\",\"topic\":\"training\"}");
	g_autofree char *qa = queue_of(amelie);
	g_autofree char *qe = queue_of(ed);
	g_autofree char *qn = queue_of(any);
	g_assert_cmpstr(qa, ==, "b-fr");
	g_assert_cmpstr(qe, ==, "b-en");
	g_assert_cmpstr(qn, ==, "b-fr b-en b-pt");

	/* an adviser connecting later gets the filtered snapshot at once */
	gone(f, any->peer);
	any->peer = NULL;
	g_ptr_array_set_size(any->inbox, 0);
	Conn *joao = skilled(f, 5, "João", "pt,en", "training");
	g_autofree char *qj = queue_of(joao);
	g_assert_cmpstr(qj, ==, "b-pt");
	/* a visitor leaving: each adviser's list follows */
	gone(f, pt->peer);
	pt->peer = NULL;
	g_autofree char *qj2 = queue_of(joao);
	g_autofree char *qa2 = queue_of(amelie);
	g_assert_cmpstr(qj2, ==, "");
	g_assert_cmpstr(qa2, ==, "b-fr");
}

static void test_skills_accept(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "sim-1");
	Conn *amelie = skilled(f, 1, "Amélie", "fr", "");
	Conn *ed = skilled(f, 2, "Ed", "en,fr", "training");
	say(f, b, "{\"type\":\"request\",\"language\":\"en\",\"topic\":\"job-search\"}");
	g_autofree char *ticket = ticket_of(b);
	g_autofree char *accept = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}", ticket);

	say(f, amelie, accept);
	g_autoptr(RelaisMsg) e1 = last_of(amelie, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e1, "code"), ==, "state");
	g_assert_nonnull(strstr(relais_msg_get_string(e1, "message"), "language 'en'"));
	say(f, ed, accept);
	g_autoptr(RelaisMsg) e2 = last_of(ed, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e2, "code"), ==, "state");
	g_assert_nonnull(strstr(relais_msg_get_string(e2, "message"), "topic 'job-search'"));
	g_assert_null(last_of(b, RELAIS_MSG_CALL));
	SbHubCounts c;
	sb_hub_counts(f->hub, &c);
	g_assert_cmpuint(c.queue, ==, 1);
	g_assert_cmpuint(c.calls_active, ==, 0);

	/* someone able to take it still can */
	Conn *any = skilled(f, 3, "Any", "", "");
	say(f, any, accept);
	g_assert_nonnull(last_of(any, RELAIS_MSG_CALL));
}

static void test_skills_wait(Fixture *f, gconstpointer data)
{
	Conn *fr = booth(f, 0, "b-fr");
	Conn *en = booth(f, 1, "b-en");
	skilled(f, 2, "Amélie", "fr", "");
	skilled(f, 3, "Ed", "en", "");
	skilled(f, 4, "Any", "", "");
	/* fr: position 1, Amélie and Any can take it: 600 / 2 */
	say(f, fr, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"training\"}");
	g_autofree char *w1 = queued_since(fr, 0);
	g_assert_cmpstr(w1, ==, "1/300");
	/* de: position 2, nobody speaks German: counted as one adviser */
	say(f, en, "{\"type\":\"request\",\"language\":\"de\",\"topic\":\"training\"}");
	g_autofree char *w2 = queued_since(en, 0);
	g_assert_cmpstr(w2, ==, "2/1200");
	/* availability stays the number of advisers on duty */
	g_assert_cmpint(advisers_told(en), ==, 3);
}

static void test_booked_first(Fixture *f, gconstpointer data)
{
	Conn *b[4] = {booth(f, 0, "b0"), booth(f, 1, "b1"), booth(f, 2, "b2"), booth(f, 3, "b3")};
	Conn *a = adviser(f, 4, "Alice");
	request(f, b[0]);
	request(f, b[1]);
	say(f, b[2], "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"job-search\",\"booking\":\"GD2222\"}");
	g_autofree char *q1 = queue_of(a);
	g_assert_cmpstr(q1, ==, "b2* b0 b1");
	g_autofree char *w2 = queued_since(b[2], 0);
	g_assert_cmpstr(w2, ==, "1/600");
	/* FIFO among the booked */
	say(f, b[3], "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"job-search\",\"booking\":\"GD3333\"}");
	g_autofree char *q2 = queue_of(a);
	g_assert_cmpstr(q2, ==, "b2* b3* b0 b1");
	g_autoptr(RelaisMsg) p0 = last_of(b[0], RELAIS_MSG_QUEUED);
	g_assert_cmpint(relais_msg_get_int(p0, "position", 0), ==, 3);

	/* a booking that is not a booking code is a field error, nothing queued */
	Conn *bad = booth(f, 5, "b5");
	say(f, bad, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"job-search\",\"booking\":\"no spaces\"}");
	g_autoptr(RelaisMsg) e = last_of(bad, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e, "code"), ==, "field");
	g_assert_null(last_of(bad, RELAIS_MSG_QUEUED));
}

/* Member `field` of c's last message of `type` ("" if none), valid until
 * the next call. */
static const char *last_string(Conn *c, RelaisMsgType type, const char *field)
{
	static char value[64];
	g_autoptr(RelaisMsg) m = last_of(c, type);
	g_strlcpy(value, m && relais_msg_get_string(m, field) ? relais_msg_get_string(m, field) : "", sizeof(value));
	return value;
}

#define error_code_of(c)     last_string((c), RELAIS_MSG_ERROR, "code")
#define booking_reason_of(c) last_string((c), RELAIS_MSG_BOOKING_ERROR, "reason")

/* A booked request is served first only with a code the store says is
 * checked in at this booth's site today, once. */
static void test_booking_verify(Fixture *f, gconstpointer data)
{
	Conn *b0 = booth(f, 0, "b0");
	Conn *b1 = booth(f, 1, "b1");
	Conn *a = adviser(f, 2, "Alice");
	/* another site's booking, an unknown code: refused, nothing queued */
	say(f, b0, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"training\",\"booking\":\"WS2222\"}");
	g_assert_cmpstr(error_code_of(b0), ==, "state");
	g_autoptr(RelaisMsg) e0 = last_of(b0, RELAIS_MSG_ERROR);
	g_assert_nonnull(strstr(relais_msg_get_string(e0, "message"), "another site"));
	say(f, b0, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"training\",\"booking\":\"ZZ2222\"}");
	g_assert_cmpstr(error_code_of(b0), ==, "state");
	g_assert_null(last_of(b0, RELAIS_MSG_QUEUED));

	/* a good one: booked, first */
	request(f, b1);
	say(f, b0, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"training\",\"booking\":\"GD2222\"}");
	g_autofree char *q = queue_of(a);
	g_assert_cmpstr(q, ==, "b0* b1");
	/* the same code at another booth while it waits: gone */
	Conn *b2 = booth(f, 3, "b2");
	say(f, b2, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"training\",\"booking\":\"GD2222\"}");
	g_assert_cmpstr(error_code_of(b2), ==, "gone");
	g_assert_null(last_of(b2, RELAIS_MSG_QUEUED));

	/* waiting is not using: the store is told only when a call is made */
	g_assert_cmpuint(f->n_used, ==, 0);
	/* made into a call: the store marks the code used by that call */
	g_autofree char *ticket = ticket_of(b0);
	g_autofree char *accept = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}", ticket);
	say(f, a, accept);
	g_autoptr(RelaisMsg) call = last_of(b0, RELAIS_MSG_CALL);
	g_assert_nonnull(call);
	g_assert_cmpuint(f->n_used, ==, 1);
	g_assert_cmpstr(f->used_code[0], ==, "GD2222");
	g_assert_cmpstr(f->used_call[0], ==, relais_msg_get_string(call, "call"));
	g_autofree char *end =
		g_strdup_printf("{\"type\":\"end\",\"call\":\"%s\"}", relais_msg_get_string(call, "call"));
	say(f, b0, end);
	/* ... and refuses it from then on (the hub keeps no memory of it: a
	 * restarted switchboard refuses it the same way) */
	say(f, b0, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"training\",\"booking\":\"GD2222\"}");
	g_assert_cmpstr(error_code_of(b0), ==, "state");
	g_autoptr(RelaisMsg) used = last_of(b0, RELAIS_MSG_ERROR);
	g_assert_nonnull(strstr(relais_msg_get_string(used, "message"), "already used"));

	/* a visitor who left the queue has not used the code: it may queue again */
	say(f, b2, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"training\",\"booking\":\"GD3333\"}");
	g_autofree char *t2 = ticket_of(b2);
	g_autofree char *cancel = g_strdup_printf("{\"type\":\"cancel\",\"ticket\":\"%s\"}", t2);
	say(f, b2, cancel);
	guint before = count_of(b0, RELAIS_MSG_QUEUED);
	say(f, b0, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"training\",\"booking\":\"GD3333\"}");
	g_assert_cmpuint(count_of(b0, RELAIS_MSG_QUEUED), ==, before + 1);
	g_assert_cmpuint(f->n_used, ==, 1);
}

/* Without a way to verify codes, no request with a booking is accepted. */
static void test_booking_unverifiable(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "b0");
	say(f, b, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"training\",\"booking\":\"GD2222\"}");
	g_assert_cmpstr(error_code_of(b), ==, "state");
	g_assert_null(last_of(b, RELAIS_MSG_QUEUED));
	/* and the booking messages are answered, as failed */
	say(f, b, "{\"type\":\"booking_slots\"}");
	g_autoptr(RelaisMsg) e = last_of(b, RELAIS_MSG_BOOKING_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e, "reason"), ==, "failed");
	g_assert_cmpstr(relais_msg_get_string(e, "ref"), ==, "booking_slots");
}

/* The slot search answered later (the store read on another thread): the
 * booth gets its offer when the answer comes, other messages are handled
 * meanwhile; an answer that comes after the booth's link went, or after a
 * new connection of the same booth replaced it, is answered to nobody. */
static void test_booking_slots_later(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "b0");
	say(f, b, "{\"type\":\"booking_slots\",\"language\":\"fr\"}");
	g_assert_cmpuint(slots_asked->len, ==, 1);
	g_assert_cmpuint(count_of(b, RELAIS_MSG_BOOKING_OFFER), ==, 0);
	say(f, b, "{\"type\":\"ping\"}");
	g_assert_cmpuint(count_of(b, RELAIS_MSG_PONG), ==, 1);
	answer_slots(f, 0);
	g_autoptr(RelaisMsg) offer = last_of(b, RELAIS_MSG_BOOKING_OFFER);
	g_assert_nonnull(offer);
	g_assert_cmpuint(json_array_get_length(relais_msg_get_array(offer, "slots")), ==, 2);

	/* asked, then the link went and came back: the old answer is dropped */
	say(f, b, "{\"type\":\"booking_slots\"}");
	gone(f, b->peer);
	b->peer = NULL;
	Conn *again = booth(f, 1, "b0");
	answer_slots(f, 1);
	g_assert_cmpuint(count_of(again, RELAIS_MSG_BOOKING_OFFER), ==, 0);
	g_assert_cmpuint(count_of(b, RELAIS_MSG_BOOKING_OFFER), ==, 1);
	/* asked and never answered before the hub goes: teardown answers it */
	say(f, again, "{\"type\":\"booking_slots\"}");
	g_assert_cmpuint(slots_asked->len, ==, 3);
}

static void test_booking_messages(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "b0");
	say(f, b, "{\"type\":\"booking_slots\",\"language\":\"fr\"}");
	g_autoptr(RelaisMsg) offer = last_of(b, RELAIS_MSG_BOOKING_OFFER);
	g_assert_nonnull(offer);
	g_assert_cmpuint(json_array_get_length(relais_msg_get_array(offer, "slots")), ==, 2);

	say(f, b, "{\"type\":\"book\",\"start\":\"2026-11-24T09:00:00+01:00\",\"end\":\"2026-11-24T09:30:00+01:00\"}");
	g_autoptr(RelaisMsg) booked = last_of(b, RELAIS_MSG_BOOKED);
	g_assert_cmpstr(relais_msg_get_string(booked, "code"), ==, "NEW234");
	say(f, b, "{\"type\":\"book\",\"start\":\"2026-11-24T09:30:00+01:00\",\"end\":\"2026-11-24T10:00:00+01:00\"}");
	g_autoptr(RelaisMsg) taken = last_of(b, RELAIS_MSG_BOOKING_ERROR);
	g_assert_cmpstr(relais_msg_get_string(taken, "reason"), ==, "taken");
	g_assert_cmpstr(relais_msg_get_string(taken, "ref"), ==, "book");

	say(f, b, "{\"type\":\"check_in\",\"code\":\"GD2222\"}");
	g_autoptr(RelaisMsg) in = last_of(b, RELAIS_MSG_CHECKED_IN);
	g_assert_cmpstr(relais_msg_get_string(in, "topic"), ==, "training");

	/* malformed: the protocol's error, nothing asked of the store */
	say(f, b, "{\"type\":\"check_in\",\"code\":\"gd2222\"}");
	g_assert_cmpstr(error_code_of(b), ==, "field");
	say(f, b, "{\"type\":\"book\",\"start\":\"9h\",\"end\":\"2026-11-24T10:00:00+01:00\"}");
	g_assert_cmpstr(error_code_of(b), ==, "field");

	/* wrong state: queued, then in a call */
	guint errors = count_of(b, RELAIS_MSG_ERROR);
	request(f, b);
	say(f, b, "{\"type\":\"booking_slots\"}");
	say(f, b, "{\"type\":\"check_in\",\"code\":\"GD2222\"}");
	g_assert_cmpuint(count_of(b, RELAIS_MSG_ERROR), ==, errors + 2);
	g_assert_cmpstr(error_code_of(b), ==, "state");
	Conn *a = adviser(f, 1, "Alice");
	g_autofree char *ticket = ticket_of(b);
	g_autofree char *accept = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}", ticket);
	say(f, a, accept);
	say(f, b, "{\"type\":\"book\",\"start\":\"2026-11-24T09:00:00+01:00\",\"end\":\"2026-11-24T09:30:00+01:00\"}");
	g_assert_cmpuint(count_of(b, RELAIS_MSG_ERROR), ==, errors + 3);
	g_assert_cmpstr(error_code_of(b), ==, "state");
	/* an adviser may not book */
	say(f, a, "{\"type\":\"booking_slots\"}");
	g_assert_cmpstr(error_code_of(a), ==, "direction");

	/* a booth whose hello names no site, one the store does not know */
	Conn *nosite = open_conn(f, 2, RELAIS_ROLE_BOOTH);
	say(f, nosite, "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"ns\"}");
	say(f, nosite, "{\"type\":\"booking_slots\"}");
	g_autoptr(RelaisMsg) ns = last_of(nosite, RELAIS_MSG_BOOKING_ERROR);
	g_assert_cmpstr(relais_msg_get_string(ns, "reason"), ==, "no_site");
	Conn *gare = open_conn(f, 3, RELAIS_ROLE_BOOTH);
	say(f, gare, "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"g\",\"site\":\"Gare\"}");
	say(f, gare, "{\"type\":\"booking_slots\"}");
	g_autoptr(RelaisMsg) gs = last_of(gare, RELAIS_MSG_BOOKING_ERROR);
	g_assert_cmpstr(relais_msg_get_string(gs, "reason"), ==, "no_site");
}

/* Five refused codes within ten minutes, then the booth must wait; per
 * booth id, across reconnections. */
static void test_booking_rate_limit(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "b0");
	for (int i = 0; i < CONFIG_RELAIS_SB_CHECKIN_MAX_FAILURES; i++) {
		say(f, b, "{\"type\":\"check_in\",\"code\":\"ZZZZZZ\"}");
		g_assert_cmpstr(booking_reason_of(b), ==, "unknown");
		f->now_us += 10 * G_USEC_PER_SEC;
	}
	/* even a good code waits now */
	say(f, b, "{\"type\":\"check_in\",\"code\":\"GD2222\"}");
	g_assert_cmpstr(booking_reason_of(b), ==, "wait");
	g_autoptr(RelaisMsg) w = last_of(b, RELAIS_MSG_BOOKING_ERROR);
	gint64 retry = relais_msg_get_int(w, "retry_s", 0);
	g_assert_cmpint(retry, ==, CONFIG_RELAIS_SB_CHECKIN_WINDOW_S - 10 * CONFIG_RELAIS_SB_CHECKIN_MAX_FAILURES);
	g_assert_null(last_of(b, RELAIS_MSG_CHECKED_IN));

	/* reconnecting does not reset it */
	gone(f, b->peer);
	b->peer = NULL;
	g_ptr_array_set_size(b->inbox, 0);
	b = booth(f, 0, "b0");
	say(f, b, "{\"type\":\"check_in\",\"code\":\"GD2222\"}");
	g_assert_cmpstr(booking_reason_of(b), ==, "wait");

	/* another booth is not affected */
	Conn *other = booth(f, 1, "b1");
	say(f, other, "{\"type\":\"check_in\",\"code\":\"GD2222\"}");
	g_assert_nonnull(last_of(other, RELAIS_MSG_CHECKED_IN));

	/* once the oldest refusal is out of the window, one more try */
	f->now_us += retry * G_USEC_PER_SEC;
	say(f, b, "{\"type\":\"check_in\",\"code\":\"GD2222\"}");
	g_assert_nonnull(last_of(b, RELAIS_MSG_CHECKED_IN));
	/* the rate limit is not a protocol error: the connection stays */
	g_assert_cmpuint(b->closed_code, ==, 0);
	/* and it is counted */
	g_autoptr(GString) out = g_string_new(NULL);
	sb_hub_metrics(f->hub, out);
	g_assert_nonnull(strstr(out->str, "\nrelais_bookings_total{outcome=\"checked_in\"} 2\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_bookings_total{outcome=\"refused\"} 5\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_bookings_total{outcome=\"rate_limited\"} 2\n"));
	g_assert_nonnull(strstr(out->str, "\nrelais_bookings_total{outcome=\"booked\"} 0\n"));
}

/* A check-in the store cannot save now (a full disk) is "failed" with a
 * delay to try again, and is not a refused code: the booth is never made
 * to wait for it. */
static void test_booking_store_fault(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "b0");
	for (int i = 0; i < CONFIG_RELAIS_SB_CHECKIN_MAX_FAILURES + 2; i++) {
		say(f, b, "{\"type\":\"check_in\",\"code\":\"DF3333\"}");
		g_assert_cmpstr(booking_reason_of(b), ==, "failed");
		g_autoptr(RelaisMsg) e = last_of(b, RELAIS_MSG_BOOKING_ERROR);
		g_assert_cmpint(relais_msg_get_int(e, "retry_s", 0), ==, SB_BOOKINGS_RETRY_S);
	}
	say(f, b, "{\"type\":\"check_in\",\"code\":\"GD2222\"}");
	g_autoptr(RelaisMsg) in = last_of(b, RELAIS_MSG_CHECKED_IN);
	g_assert_nonnull(in);
}

static void test_next_opening(Fixture *f, gconstpointer data)
{
	/* nobody on duty: the booth learns when its site opens next */
	Conn *b = booth(f, 0, "sim-1");
	g_autoptr(RelaisMsg) av = last_of(b, RELAIS_MSG_AVAILABILITY);
	g_assert_cmpint(relais_msg_get_int(av, "advisers", -1), ==, 0);
	g_assert_cmpstr(relais_msg_get_string(av, "next_opening"), ==, "2026-11-24T09:00:00+01:00");

	/* a site without hours, and a booth naming no site: no next_opening */
	Conn *other = open_conn(f, 1, RELAIS_ROLE_BOOTH);
	say(f, other, "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"sim-2\",\"site\":\"Gare\"}");
	g_autoptr(RelaisMsg) av2 = last_of(other, RELAIS_MSG_AVAILABILITY);
	g_assert_null(relais_msg_get_string(av2, "next_opening"));
	Conn *nosite = open_conn(f, 2, RELAIS_ROLE_BOOTH);
	say(f, nosite, "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"sim-3\"}");
	g_autoptr(RelaisMsg) av3 = last_of(nosite, RELAIS_MSG_AVAILABILITY);
	g_assert_nonnull(av3);
	g_assert_null(relais_msg_get_string(av3, "next_opening"));
	g_assert_cmpuint(f->openings_asked, ==, 2); /* never for a booth without a site */

	/* someone on duty: not asked, not sent */
	guint asked = f->openings_asked;
	adviser(f, 3, "Alice");
	g_autoptr(RelaisMsg) on = last_of(b, RELAIS_MSG_AVAILABILITY);
	g_assert_cmpint(relais_msg_get_int(on, "advisers", -1), ==, 1);
	g_assert_null(relais_msg_get_string(on, "next_opening"));
	g_assert_cmpuint(f->openings_asked, ==, asked);

	/* the last one leaves: each booth is told its own site's opening */
	gone(f, f->conns[3].peer);
	f->conns[3].peer = NULL;
	g_autoptr(RelaisMsg) off = last_of(b, RELAIS_MSG_AVAILABILITY);
	g_assert_cmpint(relais_msg_get_int(off, "advisers", -1), ==, 0);
	g_assert_cmpstr(relais_msg_get_string(off, "next_opening"), ==, "2026-11-24T09:00:00+01:00");
	g_autoptr(RelaisMsg) off2 = last_of(other, RELAIS_MSG_AVAILABILITY);
	g_assert_cmpint(relais_msg_get_int(off2, "advisers", -1), ==, 0);
	g_assert_null(relais_msg_get_string(off2, "next_opening"));
}

/* The predictable-id attempt: a client that has recovered the state of
 * GLib's PRNG (a Mersenne Twister: a few hundred outputs suffice) predicts
 * the next g_uuid_string_random()s. Here the test knows the state outright
 * (it seeds it): the switchboard's connection, ticket and call ids must be
 * none of those predictions, and each 128 random bits in hex. */
static gboolean hex_tail(const char *id, const char *prefix)
{
	if (!g_str_has_prefix(id, prefix) || strlen(id) != strlen(prefix) + 32)
		return FALSE;
	for (const char *p = id + strlen(prefix); *p; p++)
		if (!g_ascii_isxdigit(*p) || g_ascii_isupper(*p))
			return FALSE;
	return TRUE;
}

static void test_unpredictable_ids(Fixture *f, gconstpointer data)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint round = 0; round < 50; round++) {
		const guint32 seed = 0x5eed0000u + round;
		g_random_set_seed(seed);
		g_autoptr(GPtrArray) predicted = g_ptr_array_new_with_free_func(g_free);
		for (guint i = 0; i < 8; i++)
			g_ptr_array_add(predicted, g_uuid_string_random());
		g_random_set_seed(seed);

		Conn *b = booth(f, 0, "sim-1");
		Conn *a = adviser(f, 1, "Alice");
		g_autoptr(RelaisMsg) wb = msg_at(b, 0);
		g_autoptr(RelaisMsg) wa = msg_at(a, 0);
		g_autofree char *call = start_call(f, b, a);
		g_autofree char *ticket = ticket_of(b);
		const char *ids[] = {relais_msg_get_string(wb, "session"), relais_msg_get_string(wa, "session"), ticket,
				     call};
		const char *prefixes[] = {"", "", "t-", ""};
		for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
			g_assert_true(hex_tail(ids[i], prefixes[i]));
			const char *tail = ids[i] + strlen(prefixes[i]);
			for (guint k = 0; k < predicted->len; k++) {
				g_autofree char *hexed = g_strdup(g_ptr_array_index(predicted, k));
				/* a uuid without its dashes, and its first 8 digits */
				char *w = hexed;
				for (const char *r = hexed; *r; r++)
					if (*r != '-')
						*w++ = *r;
				*w = '\0';
				g_autofree char *first8 = g_strndup(hexed, 8);
				g_assert_false(g_str_has_prefix(tail, first8));
				g_assert_cmpstr(tail, !=, hexed);
			}
			if (!g_hash_table_add(seen, g_strdup(ids[i])))
				g_error("id %s came twice", ids[i]);
		}
		end_call(f, a, call);
		for (guint i = 0; i < 2; i++) {
			gone(f, f->conns[i].peer);
			f->conns[i].peer = NULL;
			g_ptr_array_set_size(f->conns[i].inbox, 0);
		}
	}
}

/* A new media connection within a call (PROTOCOL.md "Reconnecting a call's
 * media"): the connection number travels with sdp and ice, the adviser's
 * reconnect reaches the booth, a booth cannot send one, and the call stays
 * one call. */
static void test_media_connections(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "sim-1");
	Conn *a = adviser(f, 1, "Alice");
	g_autofree char *id = start_call(f, b, a);
	g_autofree char *offer = g_strdup_printf(
		"{\"type\":\"sdp\",\"call\":\"%s\",\"sdp_type\":\"offer\",\"sdp\":\"v=0\",\"media\":2}", id);
	say(f, b, offer);
	g_autoptr(RelaisMsg) got = last_of(a, RELAIS_MSG_SDP);
	g_assert_cmpint(relais_msg_get_int(got, "media", -1), ==, 2);
	g_autofree char *ice =
		g_strdup_printf("{\"type\":\"ice\",\"call\":\"%s\",\"candidate\":\"\",\"mline\":0,\"media\":2}", id);
	say(f, a, ice);
	g_autoptr(RelaisMsg) cand = last_of(b, RELAIS_MSG_ICE);
	g_assert_cmpint(relais_msg_get_int(cand, "media", -1), ==, 2);
	/* the first connection's messages carry no number */
	g_autofree char *ice0 =
		g_strdup_printf("{\"type\":\"ice\",\"call\":\"%s\",\"candidate\":\"\",\"mline\":0}", id);
	say(f, a, ice0);
	g_autoptr(RelaisMsg) cand0 = last_of(b, RELAIS_MSG_ICE);
	g_assert_false(json_object_has_member(relais_msg_get_root(cand0), "media"));

	g_autofree char *again = g_strdup_printf("{\"type\":\"reconnect\",\"call\":\"%s\",\"media\":2}", id);
	say(f, a, again);
	g_autoptr(RelaisMsg) asked = last_of(b, RELAIS_MSG_RECONNECT);
	g_assert_nonnull(asked);
	g_assert_cmpint(relais_msg_get_int(asked, "media", -1), ==, 2);
	g_assert_cmpstr(relais_msg_get_string(asked, "call"), ==, id);
	say(f, b, again);
	g_assert_cmpstr(error_code_of(b), ==, "direction");
	g_assert_null(last_of(a, RELAIS_MSG_RECONNECT));
	SbHubCounts c;
	sb_hub_counts(f->hub, &c);
	g_assert_cmpuint(c.calls_active, ==, 1);
}

/* --- calls that survive a lost adviser link and a switchboard restart --- */

/* What the services heard: calls answered (kept in the store) and ended. */
typedef struct {
	GPtrArray *live;    /* "call|booth|adviser|ticket|site|topic|language|queued|answered" */
	GPtrArray *ended;   /* "call|reason" */
	SbHubLiveCall last; /* the last answered, its strings in `strings` */
	GPtrArray *strings;
} LiveLog;

static void l_call_ended(const SbHubCallInfo *i, gpointer ud)
{
	g_ptr_array_add(((LiveLog *)ud)->ended, g_strdup_printf("%s|%s", i->call_id, i->end_reason));
}

static const char *keep(LiveLog *l, const char *s)
{
	char *c = g_strdup(s);
	g_ptr_array_add(l->strings, c);
	return c;
}

static void l_call_answered(const SbHubLiveCall *c, gpointer ud)
{
	LiveLog *l = ud;
	g_ptr_array_add(l->live, g_strdup_printf("%s|%s|%s|%s|%s|%s|%s|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT,
						 c->call_id, c->booth_id, c->adviser, c->ticket, c->site ? c->site : "",
						 c->topic, c->language, c->queued_at, c->answered_at));
	l->last = (SbHubLiveCall){keep(l, c->call_id),	keep(l, c->booth_id), keep(l, c->adviser),
				  keep(l, c->ticket),	keep(l, c->site),     keep(l, c->topic),
				  keep(l, c->language), c->queued_at,	      c->answered_at};
}

static const SbHubServices live_services = {.call_ended = l_call_ended, .call_answered = l_call_answered};

static void live_log_init(LiveLog *l)
{
	l->live = g_ptr_array_new_with_free_func(g_free);
	l->ended = g_ptr_array_new_with_free_func(g_free);
	l->strings = g_ptr_array_new_with_free_func(g_free);
}

/* `l` lives on the test's stack: the hub stops telling it before it goes */
static void live_log_clear(Fixture *f, LiveLog *l)
{
	sb_hub_set_services(f->hub, NULL, NULL);
	g_ptr_array_unref(l->live);
	g_ptr_array_unref(l->ended);
	g_ptr_array_unref(l->strings);
}

/* A fresh hub of the fixture's with the live services (the old one's
 * connections must be gone). */
static void live_hub(Fixture *f, LiveLog *l)
{
	SbHubConfig cfg = {.max_booths = 6, .max_advisers = 6, .max_queue = 5, .max_errors = 20};
	if (f->hub)
		sb_hub_free(f->hub);
	f->hub = sb_hub_new(&cfg, &transport, f);
	sb_hub_set_services(f->hub, &live_services, l);
	sb_hub_set_clock(f->hub, fake_clock, f);
}

/* An adviser signed in as `account` (the transport's word, not the
 * hello's), naming `call` in its hello (nullable). */
static Conn *adviser_as(Fixture *f, guint i, const char *name, const char *account, const char *call)
{
	Conn *c = open_conn(f, i, RELAIS_ROLE_ADVISER);
	g_ptr_array_set_size(c->inbox, 0);
	c->closed_code = 0;
	sb_hub_set_adviser_identity(c->peer, name);
	sb_hub_set_adviser_account(c->peer, account);
	g_autofree char *hello =
		call ? g_strdup_printf("{\"type\":\"hello\",\"version\":1,\"role\":\"adviser\",\"call\":\"%s\"}", call)
		     : g_strdup("{\"type\":\"hello\",\"version\":1,\"role\":\"adviser\"}");
	say(f, c, hello);
	return c;
}

static Conn *booth_back(Fixture *f, guint i, const char *id, const char *call)
{
	Conn *c = open_conn(f, i, RELAIS_ROLE_BOOTH);
	g_ptr_array_set_size(c->inbox, 0);
	c->closed_code = 0;
	g_autofree char *hello = g_strdup_printf("{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":"
						 "\"%s\",\"site\":\"Médiathèque\",\"call\":\"%s\"}",
						 id, call);
	say(f, c, hello);
	return c;
}

static void drop(Fixture *f, Conn *c)
{
	gone(f, c->peer);
	c->peer = NULL;
}

static gboolean told_gone(Conn *c)
{
	g_autoptr(RelaisMsg) end = last_of(c, RELAIS_MSG_END);
	return end && g_strcmp0(relais_msg_get_string(end, "reason"), "gone") == 0;
}

static void chat(Fixture *f, Conn *c, const char *call, const char *text)
{
	g_autofree char *m = g_strdup_printf("{\"type\":\"chat\",\"call\":\"%s\",\"text\":\"%s\"}", call, text);
	say(f, c, m);
}

static const char *last_chat(Conn *c, char *buf, gsize size)
{
	g_autoptr(RelaisMsg) m = last_of(c, RELAIS_MSG_CHAT);
	g_strlcpy(buf, m ? relais_msg_get_string(m, "text") : "", size);
	return buf;
}

/* The adviser's link drops mid-call (their Wi-Fi): the call is held for
 * the grace as for a booth, the visitor's chat kept; only a connection
 * signed in as the same account gets it back; a second console of that
 * account replaces the first; past the grace the booth is told, with one
 * record. */
static void test_adviser_resume(Fixture *f, gconstpointer data)
{
	LiveLog l = {0};
	live_log_init(&l);
	live_hub(f, &l);
	char buf[64];
	Conn *b = booth(f, 0, "sim-1");
	Conn *alice = adviser_as(f, 1, "Alice", "alice", NULL);
	g_autofree char *call = start_call(f, b, alice);
	g_assert_cmpuint(l.live->len, ==, 1);
	g_autofree char *ticket = g_strdup(l.last.ticket);
	g_autofree char *want = g_strdup_printf("%s|sim-1|alice|%s|Médiathèque|job-search|fr|", call, ticket);
	g_assert_true(g_str_has_prefix(g_ptr_array_index(l.live, 0), want));

	drop(f, alice);
	g_assert_cmpuint(count_of(b, RELAIS_MSG_END), ==, 0);
	chat(f, b, call, "allo");
	g_assert_cmpuint(count_of(b, RELAIS_MSG_ERROR), ==, 0);
	f->now_us += 10 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpuint(count_of(b, RELAIS_MSG_END), ==, 0);
	g_assert_cmpuint(l.ended->len, ==, 0);

	/* another adviser naming the call is refused, whatever its hello says */
	Conn *mallory = adviser_as(f, 2, "Alice", "mallory", call);
	g_assert_true(told_gone(mallory));
	chat(f, mallory, call, "hijack");
	g_assert_cmpstr(last_chat(b, buf, sizeof buf), !=, "hijack");
	/* a console without sign-in cannot either */
	Conn *anon = adviser_as(f, 3, "Alice", NULL, call);
	g_assert_true(told_gone(anon));

	/* the same account comes back: the visitor's chat of the meantime */
	Conn *again = adviser_as(f, 4, "Alice", "alice", call);
	g_assert_false(told_gone(again));
	g_assert_cmpstr(last_chat(again, buf, sizeof buf), ==, "allo");
	chat(f, again, call, "me revoilà");
	g_assert_cmpstr(last_chat(b, buf, sizeof buf), ==, "me revoilà");
	chat(f, b, call, "ok");
	g_assert_cmpstr(last_chat(again, buf, sizeof buf), ==, "ok");

	/* a second console of the same account, before the first is found
	 * dead: it takes the call, the first is closed as replaced */
	Conn *third = adviser_as(f, 5, "Alice", "alice", call);
	g_assert_false(told_gone(third));
	g_assert_cmpuint(again->closed_code, ==, 4000);
	chat(f, b, call, "encore");
	g_assert_cmpstr(last_chat(third, buf, sizeof buf), ==, "encore");
	drop(f, again); /* its transport's disconnect: the call is not touched */
	g_assert_cmpuint(count_of(b, RELAIS_MSG_END), ==, 0);
	chat(f, b, call, "toujours");
	g_assert_cmpstr(last_chat(third, buf, sizeof buf), ==, "toujours");

	/* lost for good: the booth is told after the grace, one record */
	drop(f, third);
	f->now_us += 14 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpuint(count_of(b, RELAIS_MSG_END), ==, 0);
	f->now_us += 1 * G_USEC_PER_SEC;
	tick(f);
	g_autoptr(RelaisMsg) end = last_of(b, RELAIS_MSG_END);
	g_assert_nonnull(end);
	g_assert_cmpstr(relais_msg_get_string(end, "reason"), ==, "peer-lost");
	g_assert_cmpuint(l.ended->len, ==, 1);
	g_autofree char *rec = g_strdup_printf("%s|peer-lost", call);
	g_assert_cmpstr(g_ptr_array_index(l.ended, 0), ==, rec);
	f->now_us += 60 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpuint(l.ended->len, ==, 1);
	/* too late */
	Conn *late = adviser_as(f, 6, "Alice", "alice", call);
	g_assert_true(told_gone(late));
	g_assert_cmpuint(l.ended->len, ==, 1);

	/* a console the switchboard closes on purpose (sign-in over): its
	 * call ends at once, no grace */
	g_autofree char *call2 = start_call(f, b, late);
	guint ends = count_of(b, RELAIS_MSG_END);
	sb_hub_end_adviser_call(f->hub, late->peer);
	g_assert_cmpuint(count_of(b, RELAIS_MSG_END), ==, ends + 1);
	g_assert_cmpuint(l.ended->len, ==, 2);
	g_autofree char *rec2 = g_strdup_printf("%s|peer-lost", call2);
	g_assert_cmpstr(g_ptr_array_index(l.ended, 1), ==, rec2);
	drop(f, late);
	g_assert_cmpuint(l.ended->len, ==, 2);
	sb_hub_end_adviser_call(f->hub, NULL); /* nothing */
	live_log_clear(f, &l);
}

/* The switchboard stops mid-call: nothing ends, nobody is told, no record;
 * the next one takes the call back from what the store kept, each end
 * resumes it (the right booth, the right account only), and it ends once. */
static void test_stop_and_reload(Fixture *f, gconstpointer data)
{
	LiveLog l = {0};
	live_log_init(&l);
	live_hub(f, &l);
	Conn *b = booth(f, 0, "sim-1");
	Conn *b2 = booth(f, 1, "sim-2");
	Conn *alice = adviser_as(f, 2, "Alice", "alice", NULL);
	g_autofree char *call = start_call(f, b, alice);
	/* a visitor waiting: left as a lost link leaves it (booth-lost) */
	request(f, b2);
	sb_hub_stop(f->hub);
	drop(f, alice);
	drop(f, b);
	drop(f, b2);
	g_assert_cmpuint(count_of(b, RELAIS_MSG_END), ==, 0);
	g_assert_cmpuint(count_of(alice, RELAIS_MSG_END), ==, 0);
	g_assert_cmpuint(l.ended->len, ==, 1);
	g_assert_true(g_str_has_suffix(g_ptr_array_index(l.ended, 0), "|booth-lost"));

	/* the next switchboard */
	f->now_us += 2 * G_USEC_PER_SEC;
	live_hub(f, &l);
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_hub_reload_call(f->hub, &l.last, &error));
	g_assert_no_error(error);
	g_assert_false(sb_hub_reload_call(f->hub, &l.last, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS);
	g_clear_error(&error);
	SbHubLiveCall bad = l.last;
	bad.call_id = "other";
	bad.adviser = NULL;
	g_assert_false(sb_hub_reload_call(f->hub, &bad, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_clear_error(&error);
	bad.adviser = "alice";
	bad.answered_at = bad.queued_at - 1;
	g_assert_false(sb_hub_reload_call(f->hub, &bad, &error));
	g_clear_error(&error);
	SbHubCounts c;
	sb_hub_counts(f->hub, &c);
	g_assert_cmpuint(c.calls_active, ==, 1);

	/* another booth and another adviser naming it: refused */
	Conn *thief = booth_back(f, 3, "sim-2", call);
	g_assert_true(told_gone(thief));
	Conn *bob = adviser_as(f, 4, "Alice", "bob", call);
	g_assert_true(told_gone(bob));
	/* its two ends: back in the call */
	Conn *b_back = booth_back(f, 5, "sim-1", call);
	g_assert_false(told_gone(b_back));
	Conn *a_back = adviser_as(f, 6, "Alice", "alice", call);
	g_assert_false(told_gone(a_back));
	char buf[64];
	chat(f, a_back, call, "on continue");
	g_assert_cmpstr(last_chat(b_back, buf, sizeof buf), ==, "on continue");
	g_autoptr(JsonArray) booths = booth_list(a_back);
	JsonObject *first = json_array_get_object_element(booths, 0);
	g_assert_cmpstr(json_object_get_string_member(first, "booth_id"), ==, "sim-1");
	g_assert_cmpstr(json_object_get_string_member(first, "state"), ==, "in_call");
	f->now_us += 60 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpuint(l.ended->len, ==, 1);
	end_call(f, a_back, call);
	g_assert_cmpuint(l.ended->len, ==, 2);
	g_autofree char *rec = g_strdup_printf("%s|adviser-hangup", call);
	g_assert_cmpstr(g_ptr_array_index(l.ended, 1), ==, rec);
	g_assert_cmpuint(count_of(b_back, RELAIS_MSG_END), ==, 1);
	/* and the booth is free for the next visitor */
	request(f, b_back);
	g_assert_cmpuint(count_of(b_back, RELAIS_MSG_ERROR), ==, 0);
	live_log_clear(f, &l);
}

/* Taken back after a restart, a call whose ends never come back ends after
 * the grace with one record; one end back alone is told then. */
static void test_reload_expiry(Fixture *f, gconstpointer data)
{
	LiveLog l = {0};
	live_log_init(&l);
	live_hub(f, &l);
	SbHubLiveCall c1 = {"c-1", "sim-1", "alice", "t-1", "Médiathèque", "other", "fr", 1700000000, 1700000030};
	SbHubLiveCall c2 = {"c-2", "sim-2", "bob", "t-2", NULL, "other", "fr", 1700000000, 1700000030};
	g_assert_true(sb_hub_reload_call(f->hub, &c1, NULL));
	g_assert_true(sb_hub_reload_call(f->hub, &c2, NULL));
	Conn *b2 = booth_back(f, 0, "sim-2", "c-2");
	g_assert_false(told_gone(b2));
	f->now_us += 14 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpuint(l.ended->len, ==, 0);
	f->now_us += 1 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpuint(l.ended->len, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(l.ended, 0), !=, g_ptr_array_index(l.ended, 1));
	for (guint i = 0; i < 2; i++)
		g_assert_true(g_str_has_suffix(g_ptr_array_index(l.ended, i), "|peer-lost"));
	g_autoptr(RelaisMsg) end = last_of(b2, RELAIS_MSG_END);
	g_assert_cmpstr(relais_msg_get_string(end, "reason"), ==, "peer-lost");
	f->now_us += 60 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpuint(l.ended->len, ==, 2);
	Conn *late = booth_back(f, 1, "sim-1", "c-1");
	g_assert_true(told_gone(late));
	g_assert_cmpuint(l.ended->len, ==, 2);
	live_log_clear(f, &l);
}

/* A device lost in a call (PROTOCOL.md): booth -> switchboard -> adviser,
 * re-encoded; an adviser cannot send one, nor a booth about another call,
 * and a bad state is refused before anything is relayed. */
static void test_device(Fixture *f, gconstpointer data)
{
	Conn *b = booth(f, 0, "sim-1");
	Conn *a = adviser(f, 1, "Alice");
	g_autofree char *id = start_call(f, b, a);
	g_autofree char *lost =
		g_strdup_printf("{\"type\":\"device\",\"call\":\"%s\",\"device\":\"camera\",\"state\":\"lost\","
				"\"extra\":\"dropped\"}",
				id);
	say(f, b, lost);
	g_autoptr(RelaisMsg) got = last_of(a, RELAIS_MSG_DEVICE);
	g_assert_nonnull(got);
	g_assert_cmpstr(relais_msg_get_string(got, "call"), ==, id);
	g_assert_cmpstr(relais_msg_get_string(got, "device"), ==, "camera");
	g_assert_cmpstr(relais_msg_get_string(got, "state"), ==, "lost");
	g_assert_false(json_object_has_member(relais_msg_get_root(got), "extra"));
	g_ptr_array_set_size(a->inbox, 0);

	say(f, a, lost);
	g_assert_cmpstr(error_code_of(a), ==, "direction");
	g_assert_null(last_of(b, RELAIS_MSG_DEVICE));
	say(f, b, "{\"type\":\"device\",\"call\":\"other\",\"device\":\"camera\",\"state\":\"ok\"}");
	g_assert_cmpstr(error_code_of(b), ==, "state");
	g_autofree char *bad =
		g_strdup_printf("{\"type\":\"device\",\"call\":\"%s\",\"device\":\"speaker\",\"state\":\"ok\"}", id);
	say(f, b, bad);
	g_assert_cmpstr(error_code_of(b), ==, "field");
	g_assert_null(last_of(a, RELAIS_MSG_DEVICE));
}

/* --- a guest in the call (PROTOCOL.md "A guest in the call") --- */

/* A call between booth `b` (conn 0) and adviser `a` (conn 1).
 * Returns: (transfer full) its id */
static char *guest_call(Fixture *f, Conn **b, Conn **a)
{
	*b = booth(f, 0, "sim-1");
	*a = adviser(f, 1, "Alice");
	say(f, *b, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"other\"}");
	g_autofree char *ticket = ticket_of(*b);
	g_autofree char *accept = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}", ticket);
	say(f, *a, accept);
	g_autoptr(RelaisMsg) call = last_of(*a, RELAIS_MSG_CALL);
	return g_strdup(relais_msg_get_string(call, "call"));
}

/* The adviser invites: the token of the link it gets (*invite: its id). */
static char *invite_guest(Fixture *f, Conn *a, const char *call, const char *role, char **invite)
{
	g_autofree char *text = g_strdup_printf("{\"type\":\"invite\",\"call\":\"%s\",\"role\":\"%s\"}", call, role);
	say(f, a, text);
	g_autoptr(RelaisMsg) m = msg_at(a, -1);
	g_assert_cmpint(relais_msg_get_type(m), ==, RELAIS_MSG_INVITED);
	g_assert_cmpstr(relais_msg_get_string(m, "call"), ==, call);
	if (invite)
		*invite = g_strdup(relais_msg_get_string(m, "invite"));
	const char *hash = strrchr(relais_msg_get_string(m, "url"), '#');
	g_assert_nonnull(hash);
	return g_strdup(hash + 1);
}

static Conn *guest(Fixture *f, guint i, const char *token, const char *name)
{
	/* a connection slot used again starts afresh */
	f->conns[i].closed_code = 0;
	g_ptr_array_set_size(f->conns[i].inbox, 0);
	Conn *c = open_conn(f, i, RELAIS_ROLE_GUEST);
	g_autofree char *hello = g_strdup_printf(
		"{\"type\":\"hello\",\"version\":1,\"role\":\"guest\",\"token\":\"%s\",\"name\":\"%s\"}", token, name);
	say(f, c, hello);
	return c;
}

static const char *last_state(Conn *c, char **buf)
{
	g_autoptr(RelaisMsg) m = last_of(c, RELAIS_MSG_GUEST_STATE);
	g_free(*buf);
	*buf = m ? g_strdup(relais_msg_get_string(m, "state")) : NULL;
	return *buf;
}

static guint active_calls(Fixture *f)
{
	SbHubCounts c;
	sb_hub_counts(f->hub, &c);
	return c.calls_active;
}

/* Invitation, consent, the mesh's sdp and ice routed by `peer`, chat to
 * all three, the guest removed and the call going on. */
static void test_guest_happy(Fixture *f, gconstpointer data)
{
	Conn *b, *a;
	g_autofree char *call = guest_call(f, &b, &a);
	g_autofree char *invite = NULL;
	g_autofree char *token = invite_guest(f, a, call, "interpreter", &invite);
	g_autoptr(RelaisMsg) invited = last_of(a, RELAIS_MSG_INVITED);
	g_assert_true(g_str_has_prefix(relais_msg_get_string(invited, "url"), "https://relais.example.org/guest#"));
	g_assert_cmpuint(strlen(token), ==, 22); /* 128 bits, base64url */
	g_assert_true(relais_proto_valid_time(relais_msg_get_string(invited, "expires_at")));

	Conn *g = guest(f, 2, token, "Claire");
	g_autoptr(RelaisMsg) w = msg_at(g, 0);
	g_assert_cmpint(relais_msg_get_type(w), ==, RELAIS_MSG_WELCOME);
	g_autofree char *st = NULL;
	g_assert_cmpstr(last_state(g, &st), ==, "asking");
	g_assert_cmpstr(last_state(a, &st), ==, "asking");
	g_autoptr(RelaisMsg) ask = last_of(b, RELAIS_MSG_GUEST_ASK);
	g_assert_cmpstr(relais_msg_get_string(ask, "name"), ==, "Claire");
	g_assert_cmpstr(relais_msg_get_string(ask, "role"), ==, "interpreter");
	g_assert_cmpstr(relais_msg_get_string(ask, "guest"), ==, invite);
	g_assert_null(last_of(b, RELAIS_MSG_GUEST_STATE)); /* the booth is asked, not told */

	/* nothing from the guest reaches anyone before the visitor's yes */
	guint before = b->inbox->len;
	g_autofree char *g_answer = g_strdup_printf(
		"{\"type\":\"sdp\",\"call\":\"%s\",\"sdp_type\":\"answer\",\"sdp\":\"v=0 g\",\"peer\":\"booth\"}",
		call);
	say(f, g, g_answer);
	g_autofree char *g_chat = g_strdup_printf("{\"type\":\"chat\",\"call\":\"%s\",\"text\":\"hello\"}", call);
	say(f, g, g_chat);
	g_assert_cmpuint(b->inbox->len, ==, before);
	g_assert_cmpuint(count_of(g, RELAIS_MSG_ERROR), ==, 2);
	/* nor to the guest: the booth's offer waits for the yes too */
	g_autofree char *b_offer = g_strdup_printf(
		"{\"type\":\"sdp\",\"call\":\"%s\",\"sdp_type\":\"offer\",\"sdp\":\"v=0 b\",\"peer\":\"guest\"}", call);
	say(f, b, b_offer);
	g_assert_null(last_of(g, RELAIS_MSG_SDP));

	g_autofree char *yes = g_strdup_printf(
		"{\"type\":\"guest_answer\",\"call\":\"%s\",\"guest\":\"%s\",\"accept\":true}", call, invite);
	say(f, b, yes);
	g_assert_cmpstr(last_state(g, &st), ==, "joining");
	g_assert_cmpstr(last_state(a, &st), ==, "joining");
	g_assert_cmpstr(last_state(b, &st), ==, "joining");
	g_autoptr(RelaisMsg) joining = last_of(b, RELAIS_MSG_GUEST_STATE);
	g_assert_cmpstr(relais_msg_get_string(joining, "name"), ==, "Claire");

	/* booth <-> guest: the booth offers */
	say(f, b, b_offer);
	g_autoptr(RelaisMsg) got = last_of(g, RELAIS_MSG_SDP);
	g_assert_cmpstr(relais_msg_get_string(got, "sdp"), ==, "v=0 b");
	g_assert_cmpstr(relais_msg_get_string(got, "peer"), ==, "booth");
	g_assert_null(last_of(a, RELAIS_MSG_SDP)); /* not to the adviser */
	say(f, g, g_answer);
	g_autoptr(RelaisMsg) got_b = last_of(b, RELAIS_MSG_SDP);
	g_assert_cmpstr(relais_msg_get_string(got_b, "sdp"), ==, "v=0 g");
	g_assert_cmpstr(relais_msg_get_string(got_b, "peer"), ==, "guest");
	g_assert_cmpstr(last_state(a, &st), ==, "joined");
	g_assert_cmpstr(last_state(g, &st), ==, "joined");
	/* adviser <-> guest: the console offers */
	g_autofree char *a_ice = g_strdup_printf(
		"{\"type\":\"ice\",\"call\":\"%s\",\"candidate\":\"c1\",\"mline\":1,\"peer\":\"guest\",\"x\":1}", call);
	say(f, a, a_ice);
	g_autoptr(RelaisMsg) gi = last_of(g, RELAIS_MSG_ICE);
	g_assert_cmpstr(relais_msg_get_string(gi, "peer"), ==, "adviser");
	g_assert_cmpint(relais_msg_get_int(gi, "mline", -1), ==, 1);
	g_assert_false(json_object_has_member(relais_msg_get_root(gi), "x"));
	g_autofree char *g_ice = g_strdup_printf(
		"{\"type\":\"ice\",\"call\":\"%s\",\"candidate\":\"c2\",\"mline\":0,\"peer\":\"adviser\"}", call);
	guint b_before = b->inbox->len;
	say(f, g, g_ice);
	g_autoptr(RelaisMsg) ai = last_of(a, RELAIS_MSG_ICE);
	g_assert_cmpstr(relais_msg_get_string(ai, "candidate"), ==, "c2");
	g_assert_cmpstr(relais_msg_get_string(ai, "peer"), ==, "guest");
	g_assert_cmpuint(b->inbox->len, ==, b_before);
	/* booth <-> adviser stays version 1: no peer */
	g_autofree char *b_ice =
		g_strdup_printf("{\"type\":\"ice\",\"call\":\"%s\",\"candidate\":\"c3\",\"mline\":0}", call);
	say(f, b, b_ice);
	g_autoptr(RelaisMsg) ai2 = last_of(a, RELAIS_MSG_ICE);
	g_assert_cmpstr(relais_msg_get_string(ai2, "candidate"), ==, "c3");
	g_assert_false(json_object_has_member(relais_msg_get_root(ai2), "peer"));

	/* chat reaches all three, with who said it */
	say(f, g, g_chat);
	g_autoptr(RelaisMsg) bc = last_of(b, RELAIS_MSG_CHAT);
	g_autoptr(RelaisMsg) ac = last_of(a, RELAIS_MSG_CHAT);
	g_assert_cmpstr(relais_msg_get_string(bc, "from"), ==, "Claire (interpreter)");
	g_assert_cmpstr(relais_msg_get_string(ac, "from"), ==, "Claire (interpreter)");
	g_autofree char *v_chat = g_strdup_printf("{\"type\":\"chat\",\"call\":\"%s\",\"text\":\"merci\"}", call);
	say(f, b, v_chat);
	g_autoptr(RelaisMsg) gc = last_of(g, RELAIS_MSG_CHAT);
	g_assert_cmpstr(relais_msg_get_string(gc, "from"), ==, "visitor");
	g_assert_cmpstr(relais_msg_get_string(gc, "text"), ==, "merci");
	g_autoptr(RelaisMsg) ac2 = last_of(a, RELAIS_MSG_CHAT);
	g_assert_cmpstr(relais_msg_get_string(ac2, "text"), ==, "merci");

	/* the adviser removes the guest: the call goes on with two */
	g_autofree char *rm =
		g_strdup_printf("{\"type\":\"guest_remove\",\"call\":\"%s\",\"guest\":\"%s\"}", call, invite);
	say(f, a, rm);
	g_assert_cmpstr(last_state(b, &st), ==, "removed");
	g_assert_cmpstr(last_state(a, &st), ==, "removed");
	g_assert_cmpstr(last_state(g, &st), ==, "removed");
	g_assert_cmpuint(g->closed_code, ==, RELAIS_CLOSE_REMOVED);
	gone(f, g->peer);
	g->peer = NULL;
	g_assert_cmpuint(active_calls(f), ==, 1);
	say(f, b, b_ice);
	g_autoptr(RelaisMsg) ai3 = last_of(a, RELAIS_MSG_ICE);
	g_assert_false(json_object_has_member(relais_msg_get_root(ai3), "peer"));
	/* nothing goes to a guest any more */
	say(f, a, a_ice);
	g_autoptr(RelaisMsg) err = last_of(a, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(err, "code"), ==, "state");

	/* another guest may come now; this one leaves by itself */
	g_autofree char *invite2 = NULL;
	g_autofree char *token2 = invite_guest(f, a, call, "relative", &invite2);
	g_assert_cmpstr(token2, !=, token);
	Conn *g2 = guest(f, 3, token2, "Léa");
	g_autofree char *yes2 = g_strdup_printf(
		"{\"type\":\"guest_answer\",\"call\":\"%s\",\"guest\":\"%s\",\"accept\":true}", call, invite2);
	say(f, b, yes2);
	g_autofree char *leave = g_strdup_printf("{\"type\":\"end\",\"call\":\"%s\"}", call);
	say(f, g2, leave);
	g_assert_cmpstr(last_state(b, &st), ==, "left");
	g_assert_cmpstr(last_state(a, &st), ==, "left");
	g_assert_null(last_of(b, RELAIS_MSG_END));
	g_assert_null(last_of(a, RELAIS_MSG_END));
	g_assert_cmpuint(active_calls(f), ==, 1);
}

/* Forged, reused, expired and withdrawn links; a guest after the call
 * ended; a guest in the call when it ends. */
static void test_guest_bad_links(Fixture *f, gconstpointer data)
{
	Conn *b, *a;
	g_autofree char *call = guest_call(f, &b, &a);
	/* forged */
	Conn *forged = guest(f, 2, "AAAAAAAAAAAAAAAAAAAAAA", "Eve");
	g_autoptr(RelaisMsg) e1 = last_of(forged, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e1, "code"), ==, "invite_unknown");
	g_assert_cmpuint(forged->closed_code, ==, RELAIS_CLOSE_INVITE_UNKNOWN);
	g_assert_false(sb_hub_peer_greeted(forged->peer));
	g_assert_null(last_of(b, RELAIS_MSG_GUEST_ASK));
	gone(f, forged->peer);
	forged->peer = NULL;

	/* reused: the first guest stays, the second is refused */
	g_autofree char *invite = NULL;
	g_autofree char *token = invite_guest(f, a, call, "relative", &invite);
	Conn *g = guest(f, 2, token, "Paul");
	g_assert_true(sb_hub_peer_greeted(g->peer));
	Conn *again = guest(f, 3, token, "Paul");
	g_autoptr(RelaisMsg) e2 = last_of(again, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e2, "code"), ==, "invite_used");
	g_assert_cmpuint(again->closed_code, ==, RELAIS_CLOSE_INVITE_USED);
	g_assert_cmpuint(g->closed_code, ==, 0);
	g_assert_cmpuint(count_of(b, RELAIS_MSG_GUEST_ASK), ==, 1);
	gone(f, again->peer);
	again->peer = NULL;
	/* the guest's link lost while asking: it left, the call goes on */
	gone(f, g->peer);
	g->peer = NULL;
	g_autofree char *st = NULL;
	g_assert_cmpstr(last_state(b, &st), ==, "left");
	g_assert_cmpstr(last_state(a, &st), ==, "left");
	g_assert_cmpuint(active_calls(f), ==, 1);
	/* and its link, once spent, stays spent */
	Conn *late = guest(f, 2, token, "Paul");
	g_autoptr(RelaisMsg) e3 = last_of(late, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e3, "code"), ==, "invite_used");
	gone(f, late->peer);
	late->peer = NULL;

	/* expired: 15 minutes */
	g_autofree char *token2 = invite_guest(f, a, call, "adviser", NULL);
	f->now_us += 15 * 60 * G_USEC_PER_SEC;
	Conn *slow = guest(f, 2, token2, "Zoé");
	g_autoptr(RelaisMsg) e4 = last_of(slow, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e4, "code"), ==, "invite_expired");
	g_assert_cmpuint(slow->closed_code, ==, RELAIS_CLOSE_INVITE_EXPIRED);
	gone(f, slow->peer);
	slow->peer = NULL;

	/* withdrawn: reads as expired */
	g_autofree char *invite3 = NULL;
	g_autofree char *token3 = invite_guest(f, a, call, "adviser", &invite3);
	g_autofree char *cancel =
		g_strdup_printf("{\"type\":\"invite_cancel\",\"call\":\"%s\",\"invite\":\"%s\"}", call, invite3);
	say(f, a, cancel);
	Conn *w = guest(f, 2, token3, "Zoé");
	g_autoptr(RelaisMsg) e5 = last_of(w, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e5, "code"), ==, "invite_expired");
	gone(f, w->peer);
	w->peer = NULL;

	/* a guest in the call when it ends, and a link used after */
	g_autofree char *invite4 = NULL;
	g_autofree char *token4 = invite_guest(f, a, call, "interpreter", &invite4);
	g_autofree char *token5 = NULL;
	Conn *in = guest(f, 2, token4, "Claire");
	g_autofree char *yes = g_strdup_printf(
		"{\"type\":\"guest_answer\",\"call\":\"%s\",\"guest\":\"%s\",\"accept\":true}", call, invite4);
	say(f, b, yes);
	g_autofree char *end = g_strdup_printf("{\"type\":\"end\",\"call\":\"%s\"}", call);
	say(f, a, end);
	g_autoptr(RelaisMsg) ge = last_of(in, RELAIS_MSG_END);
	g_assert_cmpstr(relais_msg_get_string(ge, "call"), ==, call);
	g_assert_cmpuint(in->closed_code, ==, RELAIS_CLOSE_CALL_ENDED);
	gone(f, in->peer);
	in->peer = NULL;
	Conn *after = guest(f, 2, token4, "Claire");
	g_autoptr(RelaisMsg) e6 = last_of(after, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e6, "code"), ==, "call_ended");
	g_assert_cmpuint(after->closed_code, ==, RELAIS_CLOSE_CALL_ENDED);
	/* an invitation of an ended call that nobody used: the same */
	Conn *after2 = guest(f, 3, token2, "Zoé");
	g_autoptr(RelaisMsg) e7 = last_of(after2, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e7, "code"), ==, "call_ended");
	(void)token5;
}

/* The visitor declines, or does not answer within 60 s: the guest is
 * told, the call goes on. */
static void test_guest_declined(Fixture *f, gconstpointer data)
{
	Conn *b, *a;
	g_autofree char *call = guest_call(f, &b, &a);
	g_autofree char *invite = NULL;
	g_autofree char *token = invite_guest(f, a, call, "relative", &invite);
	Conn *g = guest(f, 2, token, "Marc");
	g_autofree char *no = g_strdup_printf(
		"{\"type\":\"guest_answer\",\"call\":\"%s\",\"guest\":\"%s\",\"accept\":false}", call, invite);
	say(f, b, no);
	g_autofree char *st = NULL;
	g_assert_cmpstr(last_state(g, &st), ==, "declined");
	g_assert_cmpstr(last_state(a, &st), ==, "declined");
	g_assert_cmpuint(g->closed_code, ==, RELAIS_CLOSE_DECLINED);
	gone(f, g->peer);
	g->peer = NULL;
	g_assert_cmpuint(active_calls(f), ==, 1);
	/* an answer twice: out of state, and harmless */
	say(f, b, no);
	g_autoptr(RelaisMsg) e = last_of(b, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e, "code"), ==, "gone");

	/* no answer within 60 s */
	g_autofree char *invite2 = NULL;
	g_autofree char *token2 = invite_guest(f, a, call, "relative", &invite2);
	Conn *g2 = guest(f, 2, token2, "Marc");
	f->now_us += 59 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpstr(last_state(g2, &st), ==, "asking");
	f->now_us += 1 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpstr(last_state(g2, &st), ==, "declined");
	g_assert_cmpstr(last_state(b, &st), ==, "declined"); /* the booth's screen goes */
	g_assert_cmpuint(g2->closed_code, ==, RELAIS_CLOSE_DECLINED);
	/* a late yes changes nothing */
	g_autofree char *late = g_strdup_printf(
		"{\"type\":\"guest_answer\",\"call\":\"%s\",\"guest\":\"%s\",\"accept\":true}", call, invite2);
	say(f, b, late);
	g_assert_cmpstr(last_state(g2, &st), ==, "declined");
	g_assert_cmpuint(active_calls(f), ==, 1);
}

/* At most one guest; what only an adviser or a booth may send; others'
 * mistakes never drop the visitor's call. */
static void test_guest_limits(Fixture *f, gconstpointer data)
{
	Conn *b, *a;
	g_autofree char *call = guest_call(f, &b, &a);
	Conn *bob = adviser(f, 4, "Bob");
	g_autofree char *invite = NULL;
	g_autofree char *token = invite_guest(f, a, call, "interpreter", &invite);
	g_autofree char *again = g_strdup_printf("{\"type\":\"invite\",\"call\":\"%s\",\"role\":\"relative\"}", call);
	/* a second invite while one is out: full */
	say(f, a, again);
	g_autoptr(RelaisMsg) e1 = last_of(a, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e1, "code"), ==, "full");
	/* another adviser, the booth: not theirs to send */
	say(f, bob, again);
	g_autoptr(RelaisMsg) e2 = last_of(bob, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e2, "code"), ==, "state");
	say(f, b, again);
	g_autoptr(RelaisMsg) e3 = last_of(b, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e3, "code"), ==, "direction");

	Conn *g = guest(f, 2, token, "Claire");
	/* still full while the guest is asked */
	say(f, a, again);
	g_assert_cmpuint(count_of(a, RELAIS_MSG_ERROR), ==, 2);
	/* the adviser may not answer for the visitor */
	g_autofree char *yes = g_strdup_printf(
		"{\"type\":\"guest_answer\",\"call\":\"%s\",\"guest\":\"%s\",\"accept\":true}", call, invite);
	say(f, a, yes);
	g_autoptr(RelaisMsg) e4 = last_of(a, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e4, "code"), ==, "direction");
	g_autofree char *st = NULL;
	g_assert_cmpstr(last_state(g, &st), ==, "asking");

	/* a guest sends what only an adviser or a booth may */
	const char *const forbidden[] = {
		"{\"type\":\"invite\",\"call\":\"%s\",\"role\":\"relative\"}",
		"{\"type\":\"guest_remove\",\"call\":\"%s\",\"guest\":\"x\"}",
		"{\"type\":\"guest_answer\",\"call\":\"%s\",\"guest\":\"x\",\"accept\":true}",
		"{\"type\":\"share\",\"call\":\"%s\",\"state\":\"on\"}",
		"{\"type\":\"reconnect\",\"call\":\"%s\",\"media\":1}",
	};
	guint b_before = b->inbox->len, a_before = a->inbox->len;
	for (guint i = 0; i < G_N_ELEMENTS(forbidden); i++) {
		g_autofree char *text = g_strdup_printf(forbidden[i], call);
		say(f, g, text);
		g_autoptr(RelaisMsg) e = last_of(g, RELAIS_MSG_ERROR);
		g_assert_cmpstr(relais_msg_get_string(e, "code"), ==, "direction");
	}
	g_assert_cmpuint(b->inbox->len, ==, b_before);
	g_assert_cmpuint(a->inbox->len, ==, a_before);
	/* a guest's end only takes the guest out, and its errors only close
	 * the guest: the visitor's call goes on (max_errors is 5) */
	g_autofree char *bad = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}", call);
	say(f, g, bad);
	g_assert_cmpuint(g->closed_code, ==, 1008);
	gone(f, g->peer);
	g->peer = NULL;
	g_assert_cmpstr(last_state(b, &st), ==, "left");
	g_assert_cmpuint(active_calls(f), ==, 1);
	g_assert_null(last_of(b, RELAIS_MSG_END));
	g_assert_null(last_of(a, RELAIS_MSG_END));

	/* without a public URL the link is a path, for the console's origin */
	(void)data;
}

/* Without --public-url: the link is the path alone; a booth away when the
 * guest comes is asked once it is back. */
static void test_guest_path_link(Fixture *f, gconstpointer data)
{
	Conn *b, *a;
	g_autofree char *call = guest_call(f, &b, &a);
	g_autofree char *token = invite_guest(f, a, call, "relative", NULL);
	g_autoptr(RelaisMsg) invited = last_of(a, RELAIS_MSG_INVITED);
	g_assert_true(g_str_has_prefix(relais_msg_get_string(invited, "url"), "/guest#"));
	/* the booth's link drops (held call), the guest comes meanwhile */
	gone(f, b->peer);
	b->peer = NULL;
	g_ptr_array_set_size(b->inbox, 0);
	Conn *g = guest(f, 2, token, "Léa");
	g_autofree char *st = NULL;
	g_assert_cmpstr(last_state(g, &st), ==, "asking");
	g_autofree char *hello = g_strdup_printf("{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":"
						 "\"sim-1\",\"site\":\"Médiathèque\",\"call\":\"%s\"}",
						 call);
	open_conn(f, 0, RELAIS_ROLE_BOOTH);
	say(f, b, hello);
	g_autoptr(RelaisMsg) ask = last_of(b, RELAIS_MSG_GUEST_ASK);
	g_assert_nonnull(ask);
	g_assert_cmpstr(relais_msg_get_string(ask, "name"), ==, "Léa");
}

/* invite_cancel once used removes the guest; an adviser not in a call; at
 * most HUB_MAX_INVITES (16) invitations in one call. */
static void test_guest_cancel_and_cap(Fixture *f, gconstpointer data)
{
	Conn *b, *a;
	g_autofree char *call = guest_call(f, &b, &a);
	Conn *bob = adviser(f, 4, "Bob");
	say(f, bob, "{\"type\":\"invite\",\"call\":\"nope\",\"role\":\"relative\"}");
	g_autoptr(RelaisMsg) e0 = last_of(bob, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e0, "code"), ==, "state");

	g_autofree char *invite = NULL;
	g_autofree char *token = invite_guest(f, a, call, "relative", &invite);
	Conn *g = guest(f, 2, token, "Marc");
	g_autofree char *cancel =
		g_strdup_printf("{\"type\":\"invite_cancel\",\"call\":\"%s\",\"invite\":\"%s\"}", call, invite);
	say(f, a, cancel);
	g_autofree char *st = NULL;
	g_assert_cmpstr(last_state(b, &st), ==, "removed");
	g_assert_cmpuint(g->closed_code, ==, RELAIS_CLOSE_REMOVED);
	/* again: that guest is gone */
	say(f, a, cancel);
	g_autoptr(RelaisMsg) e1 = last_of(a, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e1, "code"), ==, "gone");

	/* 1 made above; 15 more made and withdrawn, then no more */
	for (guint i = 1; i < 16; i++) {
		g_autofree char *id = NULL;
		g_autofree char *t = invite_guest(f, a, call, "adviser", &id);
		g_autofree char *c =
			g_strdup_printf("{\"type\":\"invite_cancel\",\"call\":\"%s\",\"invite\":\"%s\"}", call, id);
		say(f, a, c);
	}
	g_autofree char *more = g_strdup_printf("{\"type\":\"invite\",\"call\":\"%s\",\"role\":\"adviser\"}", call);
	say(f, a, more);
	g_autoptr(RelaisMsg) e2 = msg_at(a, -1);
	g_assert_cmpint(relais_msg_get_type(e2), ==, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(e2, "code"), ==, "full");
	g_assert_cmpuint(active_calls(f), ==, 1);
}

/* --- warm transfer (PROTOCOL.md "Warm transfer") --- */

/* A hub of room for one booth (conns[0]) and seven signed-in advisers
 * (conns[1..7]), answer and queue times of 60 s and 120 s, whose call
 * records go to ctx. */
static void transfer_hub(Fixture *f, RecordsCtx *ctx)
{
	ctx->f = f;
	ctx->r.ended = g_ptr_array_new_with_free_func(g_free);
	ctx->r.rated = g_ptr_array_new_with_free_func(g_free);
	ctx->r.wall_us = G_GINT64_CONSTANT(1700000000) * G_USEC_PER_SEC;
	SbHubConfig cfg = {.max_booths = 3,
			   .max_advisers = 8,
			   .max_queue = 3,
			   .max_errors = 50,
			   .feedback_window_s = 600,
			   .recent_calls = 2,
			   .transfer_answer_s = 60,
			   .transfer_queue_s = 120};
	sb_hub_free(f->hub);
	f->hub = sb_hub_new(&cfg, &transport, ctx);
	sb_hub_set_services(f->hub, &records_services, ctx);
	sb_hub_set_clock(f->hub, fake_clock, f);
	sb_hub_set_wall_clock(f->hub, records_wall, ctx);
}

static void transfer_ctx_clear(Fixture *f, RecordsCtx *ctx)
{
	/* ctx lives on the test's stack: disconnect everyone before it goes */
	for (guint i = 0; i < G_N_ELEMENTS(f->conns); i++) {
		if (f->conns[i].peer)
			gone(f, f->conns[i].peer);
		f->conns[i].peer = NULL;
	}
	g_ptr_array_unref(ctx->r.ended);
	g_ptr_array_unref(ctx->r.rated);
}

/* Adviser `name` signed in as `login`, taking `topics` ("": any), in conns[i]. */
static Conn *signed_in(Fixture *f, guint i, const char *login, const char *name, const char *topics)
{
	Conn *c = open_conn(f, i, RELAIS_ROLE_ADVISER);
	c->name = name;
	g_auto(GStrv) tops = g_strsplit(topics, ",", -1);
	sb_hub_set_adviser_identity(c->peer, name);
	sb_hub_set_adviser_account(c->peer, login);
	sb_hub_set_adviser_skills(c->peer, NULL, (const char *const *)(*topics ? tops : NULL));
	say(f, c, "{\"type\":\"hello\",\"version\":1,\"role\":\"adviser\"}");
	return c;
}

static void say_call(Fixture *f, Conn *c, const char *fmt, const char *call)
{
	g_autofree char *text = g_strdup_printf(fmt, call);
	say(f, c, text);
}

static const char *last_error(Conn *c)
{
	static char code[32];
	g_autoptr(RelaisMsg) m = last_of(c, RELAIS_MSG_ERROR);
	g_strlcpy(code, m ? relais_msg_get_string(m, "code") : "-", sizeof code);
	return code;
}

static const char *last_transfer_state(Conn *c)
{
	static char state[32];
	g_autoptr(RelaisMsg) m = last_of(c, RELAIS_MSG_TRANSFER_STATE);
	g_strlcpy(state, m ? relais_msg_get_string(m, "state") : "-", sizeof state);
	return state;
}

/* From `from`, offers the call to `to_login`; `to` accepts, the visitor
 * lets it in, it answers the booth's offer (joined); `from` hands over. */
static void hand_over(Fixture *f, Conn *b, Conn *from, Conn *to, const char *to_login, const char *call)
{
	g_autofree char *t = g_strdup_printf(
		"{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"adviser\":\"%s\"},\"note\":\"n\"}", call, to_login);
	say(f, from, t);
	g_assert_cmpstr(last_transfer_state(from), ==, "offered");
	say_call(f, to, "{\"type\":\"transfer_accept\",\"call\":\"%s\"}", call);
	g_autoptr(RelaisMsg) ask = last_of(b, RELAIS_MSG_GUEST_ASK);
	g_assert_nonnull(ask);
	g_assert_cmpstr(relais_msg_get_string(ask, "role"), ==, "colleague");
	g_autofree char *answer =
		g_strdup_printf("{\"type\":\"guest_answer\",\"call\":\"%s\",\"guest\":\"%s\",\"accept\":true}", call,
				relais_msg_get_string(ask, "guest"));
	say(f, b, answer);
	g_assert_cmpstr(last_transfer_state(from), ==, "joining");
	say_call(f, b, "{\"type\":\"sdp\",\"call\":\"%s\",\"sdp_type\":\"offer\",\"sdp\":\"v=0 b\",\"peer\":\"guest\"}",
		 call);
	say_call(f, to,
		 "{\"type\":\"sdp\",\"call\":\"%s\",\"sdp_type\":\"answer\",\"sdp\":\"v=0 c\",\"peer\":\"booth\"}",
		 call);
	g_assert_cmpstr(last_transfer_state(from), ==, "joined");
	/* the first adviser's connection with the colleague: `to` names it
	 * "adviser"; the adviser who has the call may not name itself */
	say_call(f, from,
		 "{\"type\":\"sdp\",\"call\":\"%s\",\"sdp_type\":\"offer\",\"sdp\":\"v=0 a\",\"peer\":\"guest\"}",
		 call);
	g_autoptr(RelaisMsg) to_offer = last_of(to, RELAIS_MSG_SDP);
	g_assert_cmpstr(relais_msg_get_string(to_offer, "peer"), ==, "adviser");
	say_call(f, to,
		 "{\"type\":\"sdp\",\"call\":\"%s\",\"sdp_type\":\"answer\",\"sdp\":\"v=0 ca\",\"peer\":\"adviser\"}",
		 call);
	g_autoptr(RelaisMsg) from_answer = last_of(from, RELAIS_MSG_SDP);
	g_assert_cmpstr(relais_msg_get_string(from_answer, "sdp"), ==, "v=0 ca");
	g_assert_cmpstr(relais_msg_get_string(from_answer, "peer"), ==, "guest");
	guint b_before = b->inbox->len;
	say_call(f, from, "{\"type\":\"ice\",\"call\":\"%s\",\"candidate\":\"c\",\"mline\":0,\"peer\":\"adviser\"}",
		 call);
	g_assert_cmpstr(last_error(from), ==, "field");
	g_assert_cmpuint(b->inbox->len, ==, b_before);
	say_call(f, from, "{\"type\":\"transfer_done\",\"call\":\"%s\"}", call);
	g_autoptr(RelaisMsg) end = last_of(from, RELAIS_MSG_END);
	g_assert_nonnull(end);
	g_assert_cmpstr(relais_msg_get_string(end, "reason"), ==, "transferred");
	g_autoptr(RelaisMsg) owner = last_of(b, RELAIS_MSG_CALL_OWNER);
	g_assert_cmpstr(relais_msg_get_string(owner, "adviser"), ==, to->name);
}

static void test_transfer_colleague(Fixture *f, gconstpointer data)
{
	RecordsCtx ctx = {0};
	transfer_hub(f, &ctx);
	Conn *b = booth(f, 0, "sim-1");
	Conn *a = signed_in(f, 1, "claire", "Claire", "");
	Conn *m = signed_in(f, 2, "marie", "Marie", "job-search");
	Conn *h = signed_in(f, 3, "hugo", "Hugo", "housing");
	g_autofree char *call = start_call(f, b, a);

	/* the list: Marie takes job-search, Hugo does not; both topics listed */
	say_call(f, a, "{\"type\":\"transfer_list\",\"call\":\"%s\"}", call);
	g_autoptr(RelaisMsg) opts = last_of(a, RELAIS_MSG_TRANSFER_OPTIONS);
	JsonArray *advs = relais_msg_get_array(opts, "advisers");
	g_assert_cmpuint(json_array_get_length(advs), ==, 1);
	g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(advs, 0), "adviser"), ==, "marie");
	g_assert_cmpuint(json_array_get_length(relais_msg_get_array(opts, "topics")), ==, 2);

	/* bad targets, each its own code; the call goes on */
	say_call(f, a, "{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"adviser\":\"claire\"}}", call);
	g_assert_cmpstr(last_error(a), ==, "loop");
	say_call(f, a, "{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"adviser\":\"nobody\"}}", call);
	g_assert_cmpstr(last_error(a), ==, "unavailable");
	say_call(f, a, "{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"adviser\":\"hugo\"}}", call);
	g_assert_cmpstr(last_error(a), ==, "unavailable");
	say_call(f, a, "{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"topic\":\"astronomy\"}}", call);
	g_assert_cmpstr(last_error(a), ==, "unavailable");
	say(f, m, "{\"type\":\"transfer_accept\",\"call\":\"nope\"}");
	g_assert_cmpstr(last_error(m), ==, "gone");
	say_call(f, a, "{\"type\":\"transfer_done\",\"call\":\"%s\"}", call);
	g_assert_cmpstr(last_error(a), ==, "state");

	/* declined: A keeps the call */
	say_call(f, a, "{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"adviser\":\"marie\"},\"note\":\"CV\"}", call);
	g_autoptr(RelaisMsg) offer = last_of(m, RELAIS_MSG_TRANSFER_OFFER);
	g_assert_cmpstr(relais_msg_get_string(offer, "from"), ==, "Claire");
	g_assert_cmpstr(relais_msg_get_string(offer, "note"), ==, "CV");
	g_assert_cmpstr(relais_msg_get_string(offer, "topic"), ==, "job-search");
	g_assert_cmpint(relais_msg_get_int(offer, "expires_s", 0), ==, 60);
	/* one at a time */
	say_call(f, a, "{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"adviser\":\"marie\"}}", call);
	g_assert_cmpstr(last_error(a), ==, "state");
	/* an adviser offered a call takes no ticket meanwhile */
	say_call(f, m, "{\"type\":\"transfer_decline\",\"call\":\"%s\"}", call);
	g_assert_cmpstr(last_transfer_state(a), ==, "declined");

	/* no answer within 60 s: declined, and Marie's offer expired */
	say_call(f, a, "{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"adviser\":\"marie\"}}", call);
	f->now_us += 59 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpstr(last_transfer_state(a), ==, "offered");
	f->now_us += 1 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpstr(last_transfer_state(a), ==, "declined");
	g_assert_cmpstr(last_transfer_state(m), ==, "expired");
	say_call(f, m, "{\"type\":\"transfer_accept\",\"call\":\"%s\"}", call);
	g_assert_cmpstr(last_error(m), ==, "gone");

	/* Marie signs out while offered: gone */
	say_call(f, a, "{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"adviser\":\"marie\"}}", call);
	gone(f, m->peer);
	m->peer = NULL;
	g_assert_cmpstr(last_transfer_state(a), ==, "gone");
	m = signed_in(f, 2, "marie", "Marie", "job-search");

	/* the visitor says no to the colleague: declined, Marie's link stays */
	say_call(f, a, "{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"adviser\":\"marie\"}}", call);
	say_call(f, m, "{\"type\":\"transfer_accept\",\"call\":\"%s\"}", call);
	g_assert_cmpstr(last_transfer_state(a), ==, "accepted");
	g_autoptr(RelaisMsg) ask = last_of(b, RELAIS_MSG_GUEST_ASK);
	g_assert_cmpstr(relais_msg_get_string(ask, "name"), ==, "Marie");
	/* a guest while the colleague is asked: full */
	say_call(f, a, "{\"type\":\"invite\",\"call\":\"%s\",\"role\":\"relative\"}", call);
	g_assert_cmpstr(last_error(a), ==, "full");
	g_autofree char *no =
		g_strdup_printf("{\"type\":\"guest_answer\",\"call\":\"%s\",\"guest\":\"%s\",\"accept\":false}", call,
				relais_msg_get_string(ask, "guest"));
	say(f, b, no);
	g_assert_cmpstr(last_transfer_state(a), ==, "declined");
	g_assert_cmpuint(m->closed_code, ==, 0);

	/* the whole way: Marie has the call, Claire's link got end{transferred} */
	hand_over(f, b, a, m, "marie", call);
	g_assert_cmpuint(a->closed_code, ==, 0);
	/* Claire is free: the chat goes between the booth and Marie now */
	say_call(f, b, "{\"type\":\"chat\",\"call\":\"%s\",\"text\":\"merci\"}", call);
	g_autoptr(RelaisMsg) mc = last_of(m, RELAIS_MSG_CHAT);
	g_assert_cmpstr(relais_msg_get_string(mc, "text"), ==, "merci");
	say_call(f, a, "{\"type\":\"chat\",\"call\":\"%s\",\"text\":\"still?\"}", call);
	g_assert_cmpstr(last_error(a), ==, "state");
	/* back to Claire: a loop */
	say_call(f, m, "{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"adviser\":\"claire\"}}", call);
	g_assert_cmpstr(last_error(m), ==, "loop");

	/* the record: one session, one transfer, Marie's connection finished it */
	end_call(f, m, call);
	g_assert_cmpuint(ctx.r.ended->len, ==, 1);
	g_assert_true(g_str_has_suffix(g_ptr_array_index(ctx.r.ended, 0), "|Marie"));
	/* declined three times (Marie, the clock, the visitor), gone once, handed over once */
	g_autoptr(GString) metrics = g_string_new(NULL);
	sb_hub_metrics(f->hub, metrics);
	g_assert_nonnull(strstr(metrics->str, "relais_transfers_total{outcome=\"done\"} 1\n"));
	g_assert_nonnull(strstr(metrics->str, "relais_transfers_total{outcome=\"declined\"} 3\n"));
	g_assert_nonnull(strstr(metrics->str, "relais_transfers_total{outcome=\"gone\"} 1\n"));
	(void)h;
	transfer_ctx_clear(f, &ctx);
}

/* A call goes through five transfers, never a sixth. */
static void test_transfer_chain(Fixture *f, gconstpointer data)
{
	RecordsCtx ctx = {0};
	transfer_hub(f, &ctx);
	Conn *b = booth(f, 0, "sim-1");
	static const char *const logins[] = {"a1", "a2", "a3", "a4", "a5", "a6", "a7"};
	Conn *adv[7];
	for (guint i = 0; i < 7; i++)
		adv[i] = signed_in(f, i + 1, logins[i], logins[i], "");
	g_autofree char *call = start_call(f, b, adv[0]);
	for (guint i = 0; i < 5; i++)
		hand_over(f, b, adv[i], adv[i + 1], logins[i + 1], call);
	say_call(f, adv[5], "{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"adviser\":\"a7\"}}", call);
	g_assert_cmpstr(last_error(adv[5]), ==, "chain");
	transfer_ctx_clear(f, &ctx);
}

/* To a topic's queue: at the front, marked transfer; whoever accepts
 * joins; nobody within the queue's time: A keeps the call. */
static void test_transfer_queue(Fixture *f, gconstpointer data)
{
	RecordsCtx ctx = {0};
	transfer_hub(f, &ctx);
	Conn *b = booth(f, 0, "sim-1");
	Conn *b2 = booth(f, 4, "sim-2");
	Conn *a = signed_in(f, 1, "claire", "Claire", "");
	Conn *h = signed_in(f, 2, "hugo", "Hugo", "housing");
	g_autofree char *call = start_call(f, b, a);
	request(f, b2); /* a walk-in waiting already */

	say_call(f, a, "{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"topic\":\"housing\"},\"note\":\"rent\"}",
		 call);
	g_assert_cmpstr(last_transfer_state(a), ==, "queued");
	g_autoptr(RelaisMsg) q = last_of(h, RELAIS_MSG_QUEUE);
	JsonArray *entries = relais_msg_get_array(q, "queue");
	g_assert_cmpuint(json_array_get_length(entries), ==, 1); /* Hugo takes housing only */
	JsonObject *e = json_array_get_object_element(entries, 0);
	g_assert_true(json_object_get_boolean_member(e, "transfer"));
	g_assert_cmpstr(json_object_get_string_member(e, "topic"), ==, "housing");
	/* Claire, who takes everything, does not see her own call's ticket: only the walk-in */
	g_autoptr(RelaisMsg) qa = last_of(a, RELAIS_MSG_QUEUE);
	JsonArray *qae = relais_msg_get_array(qa, "queue");
	g_assert_cmpuint(json_array_get_length(qae), ==, 1);
	g_assert_false(json_object_has_member(json_array_get_object_element(qae, 0), "transfer"));
	/* nobody within 120 s: unanswered, the ticket gone, Claire keeps the call */
	f->now_us += 120 * G_USEC_PER_SEC;
	tick(f);
	g_assert_cmpstr(last_transfer_state(a), ==, "unanswered");
	g_autoptr(RelaisMsg) q2 = last_of(h, RELAIS_MSG_QUEUE);
	g_assert_cmpuint(json_array_get_length(relais_msg_get_array(q2, "queue")), ==, 0);

	/* again, and Hugo accepts the ticket: he gets the offer's facts and joins */
	say_call(f, a, "{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"topic\":\"housing\"},\"note\":\"rent\"}",
		 call);
	g_autoptr(RelaisMsg) q3 = last_of(h, RELAIS_MSG_QUEUE);
	const char *ticket = json_object_get_string_member(
		json_array_get_object_element(relais_msg_get_array(q3, "queue"), 0), "ticket");
	g_autofree char *accept = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}", ticket);
	say(f, h, accept);
	g_autoptr(RelaisMsg) offer = last_of(h, RELAIS_MSG_TRANSFER_OFFER);
	g_assert_cmpstr(relais_msg_get_string(offer, "note"), ==, "rent");
	g_assert_true(json_object_get_boolean_member(relais_msg_get_root(offer), "queued"));
	g_assert_cmpstr(last_transfer_state(a), ==, "accepted");
	g_autoptr(RelaisMsg) ask = last_of(b, RELAIS_MSG_GUEST_ASK);
	g_assert_cmpstr(relais_msg_get_string(ask, "name"), ==, "Hugo");
	/* the booth goes: the transfer is withdrawn (told to both) */
	gone(f, b->peer);
	b->peer = NULL;
	g_assert_cmpstr(last_transfer_state(a), ==, "withdrawn");
	g_assert_cmpstr(last_transfer_state(h), ==, "withdrawn");
	transfer_ctx_clear(f, &ctx);
}

/* Links lost during a transfer: the colleague's (A is told gone, the call
 * goes on), the first adviser's (the transfer is withdrawn, the colleague
 * told and out of the call, the call held for A's return). */
static void test_transfer_links(Fixture *f, gconstpointer data)
{
	RecordsCtx ctx = {0};
	transfer_hub(f, &ctx);
	Conn *b = booth(f, 0, "sim-1");
	Conn *a = signed_in(f, 1, "claire", "Claire", "");
	Conn *m = signed_in(f, 2, "marie", "Marie", "");
	g_autofree char *call = start_call(f, b, a);

	/* Marie joined, then her link drops: gone, the visitor told she left */
	say_call(f, a, "{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"adviser\":\"marie\"}}", call);
	say_call(f, m, "{\"type\":\"transfer_accept\",\"call\":\"%s\"}", call);
	g_autoptr(RelaisMsg) ask = last_of(b, RELAIS_MSG_GUEST_ASK);
	g_autofree char *yes =
		g_strdup_printf("{\"type\":\"guest_answer\",\"call\":\"%s\",\"guest\":\"%s\",\"accept\":true}", call,
				relais_msg_get_string(ask, "guest"));
	say(f, b, yes);
	say_call(f, m, "{\"type\":\"sdp\",\"call\":\"%s\",\"sdp_type\":\"answer\",\"sdp\":\"v=0\",\"peer\":\"booth\"}",
		 call);
	g_assert_cmpstr(last_transfer_state(a), ==, "joined");
	gone(f, m->peer);
	m->peer = NULL;
	g_assert_cmpstr(last_transfer_state(a), ==, "gone");
	g_autoptr(RelaisMsg) left = last_of(b, RELAIS_MSG_GUEST_STATE);
	g_assert_cmpstr(relais_msg_get_string(left, "state"), ==, "left");
	say_call(f, a, "{\"type\":\"chat\",\"call\":\"%s\",\"text\":\"still here\"}", call);
	g_autoptr(RelaisMsg) chat = last_of(b, RELAIS_MSG_CHAT);
	g_assert_cmpstr(relais_msg_get_string(chat, "text"), ==, "still here");

	/* Marie back and joining; Claire's link drops: withdrawn to Marie, she
	 * is out of the call, the call is held for Claire */
	/* (her account's display name is longer than a guest's: the booth is
	 * asked with its first 40 characters) */
	m = signed_in(f, 2, "marie", "Marie-Thérèse de La Tour d'Auvergne-Lauraguais", "");
	say_call(f, a, "{\"type\":\"transfer\",\"call\":\"%s\",\"to\":{\"adviser\":\"marie\"}}", call);
	say_call(f, m, "{\"type\":\"transfer_accept\",\"call\":\"%s\"}", call);
	g_autoptr(RelaisMsg) ask2 = last_of(b, RELAIS_MSG_GUEST_ASK);
	g_assert_cmpstr(relais_msg_get_string(ask2, "name"), ==, "Marie-Thérèse de La Tour d'Auvergne-Laur");
	gone(f, a->peer);
	a->peer = NULL;
	g_assert_cmpstr(last_transfer_state(m), ==, "withdrawn");
	say_call(f, m, "{\"type\":\"chat\",\"call\":\"%s\",\"text\":\"hello?\"}", call);
	g_assert_cmpstr(last_error(m), ==, "state");
	g_assert_cmpuint(ctx.r.ended->len, ==, 0); /* held, not ended */
	transfer_ctx_clear(f, &ctx);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/hub/hello", Fixture, NULL, setup, test_hello, teardown);
	g_test_add("/hub/guest/happy", Fixture, &GUESTS, setup, test_guest_happy, teardown);
	g_test_add("/hub/transfer/colleague", Fixture, NULL, setup, test_transfer_colleague, teardown);
	g_test_add("/hub/transfer/chain", Fixture, NULL, setup, test_transfer_chain, teardown);
	g_test_add("/hub/transfer/queue", Fixture, NULL, setup, test_transfer_queue, teardown);
	g_test_add("/hub/transfer/links", Fixture, NULL, setup, test_transfer_links, teardown);
	g_test_add("/hub/guest/bad-links", Fixture, &ROOMY, setup, test_guest_bad_links, teardown);
	g_test_add("/hub/guest/declined", Fixture, NULL, setup, test_guest_declined, teardown);
	g_test_add("/hub/guest/limits", Fixture, NULL, setup, test_guest_limits, teardown);
	g_test_add("/hub/guest/path-link", Fixture, NULL, setup, test_guest_path_link, teardown);
	g_test_add("/hub/guest/cancel-and-cap", Fixture, &ROOMY, setup, test_guest_cancel_and_cap, teardown);
	g_test_add("/hub/unpredictable-ids", Fixture, NULL, setup, test_unpredictable_ids, teardown);
	g_test_add("/hub/silent-connection", Fixture, NULL, setup, test_silent_connection, teardown);
	g_test_add("/hub/flood", Fixture, NULL, setup, test_flood, teardown);
	g_test_add("/hub/lists-gathered", Fixture, &ROOMY, setup, test_lists_gathered, teardown);
	g_test_add("/hub/queue-parts", Fixture, &ROOMY, setup, test_queue_parts, teardown);
	g_test_add("/hub/booth-changes", Fixture, NULL, setup, test_booth_changes, teardown);
	g_test_add("/hub/booth-identity", Fixture, NULL, setup, test_booth_identity, teardown);
	g_test_add("/hub/queue-and-race", Fixture, NULL, setup, test_queue_and_race, teardown);
	g_test_add("/hub/relay-isolation", Fixture, NULL, setup, test_relay_isolation, teardown);
	g_test_add("/hub/media-connections", Fixture, NULL, setup, test_media_connections, teardown);
	g_test_add("/hub/device", Fixture, NULL, setup, test_device, teardown);
	g_test_add("/hub/share", Fixture, NULL, setup, test_share, teardown);
	g_test_add("/hub/disconnects", Fixture, NULL, setup, test_disconnects, teardown);
	g_test_add("/hub/close-booth", Fixture, &ROOMY, setup, test_close_booth, teardown);
	g_test_add("/hub/limits", Fixture, NULL, setup, test_limits, teardown);
	g_test_add("/hub/error-limit", Fixture, NULL, setup, test_error_limit, teardown);
	g_test_add("/hub/metrics", Fixture, NULL, setup, test_metrics, teardown);
	g_test_add("/hub/relay-histogram", Fixture, NULL, setup, test_relay_histogram, teardown);
	g_test_add("/hub/availability", Fixture, NULL, setup, test_availability, teardown);
	g_test_add("/hub/queue-updates", Fixture, &ROOMY, setup, test_queue_updates, teardown);
	g_test_add("/hub/feedback", Fixture, &ROOMY, setup, test_feedback, teardown);
	g_test_add("/hub/resume", Fixture, &ROOMY, setup, test_resume, teardown);
	g_test_add("/hub/adviser-resume", Fixture, NULL, setup, test_adviser_resume, teardown);
	g_test_add("/hub/stop-and-reload", Fixture, NULL, setup, test_stop_and_reload, teardown);
	g_test_add("/hub/reload-expiry", Fixture, NULL, setup, test_reload_expiry, teardown);
	g_test_add("/hub/restarted-booth", Fixture, &ROOMY, setup, test_restarted_booth, teardown);
	g_test_add("/hub/turn", Fixture, &TURN, setup, test_turn, teardown);
	g_test_add("/hub/call-records", Fixture, NULL, setup, test_call_records, teardown);
	g_test_add("/hub/skills-filter", Fixture, &ROOMY, setup, test_skills_filter, teardown);
	g_test_add("/hub/skills-accept", Fixture, NULL, setup, test_skills_accept, teardown);
	g_test_add("/hub/skills-wait", Fixture, NULL, setup, test_skills_wait, teardown);

	g_test_add("/hub/booked-first", Fixture, &BOOKINGS, setup, test_booked_first, teardown);
	g_test_add("/hub/booking/verify", Fixture, &BOOKINGS, setup, test_booking_verify, teardown);
	g_test_add("/hub/booking/unverifiable", Fixture, &ROOMY, setup, test_booking_unverifiable, teardown);
	g_test_add("/hub/booking/messages", Fixture, &BOOKINGS, setup, test_booking_messages, teardown);
	g_test_add("/hub/booking/slots-later", Fixture, &SLOTS_LATER, setup, test_booking_slots_later, teardown);
	g_test_add("/hub/booking/rate-limit", Fixture, &BOOKINGS, setup, test_booking_rate_limit, teardown);
	g_test_add("/hub/booking/store-fault", Fixture, &BOOKINGS, setup, test_booking_store_fault, teardown);
	g_test_add("/hub/next-opening", Fixture, &HOURS, setup, test_next_opening, teardown);
	return g_test_run();
}
