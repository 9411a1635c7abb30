/* SPDX-License-Identifier: GPL-2.0-or-later */
/* site: the host-site staff page's data on a real SQLite store in a temp dir.
 * Status words, the hub's snapshot written into the `booths` table (site by
 * name, unknown site, a name an administrator gave kept, unchanged booths
 * rewritten only at the heartbeat, a booth gone recorded offline), and the
 * reply per site with nothing about visitors. */
#include "site.h"
#include "harness.h"
#include "pgfx.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

typedef struct {
	char *tmp;
	char *uri; /* PostgreSQL's database (/site-pg/...); NULL on SQLite */
	SbStore *store;
	gint64 now; /* the store's clock, unix seconds */
	gint64 site_a, site_b;
} Fixture;

static gint64 fake_clock(gpointer user_data)
{
	return ((Fixture *)user_data)->now;
}

static const int ON_PG = 1;

static void setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->tmp = g_dir_make_tmp("relais-site-XXXXXX", &error);
	g_assert_no_error(error);
	g_autofree char *dir = g_build_filename(f->tmp, "data", NULL);
	if (data == &ON_PG)
		f->uri = rt_pg_new_database();
	f->store = sb_store_open(f->uri ? f->uri : dir, &error);
	g_assert_no_error(error);
	f->now = 1709535600; /* 2024-03-04T07:00:00Z */
	sb_store_set_clock(f->store, fake_clock, f);
	f->site_a = sb_store_site_upsert(f->store, 0, "Site A", "Europe/Paris", &error);
	g_assert_no_error(error);
	f->site_b = sb_store_site_upsert(f->store, 0, "Site B", "UTC", &error);
	g_assert_no_error(error);
}

static void teardown(Fixture *f, gconstpointer data)
{
	g_clear_pointer(&f->store, sb_store_free);
	rt_pg_drop_database(f->uri);
	g_free(f->uri);
	rt_rm_rf(f->tmp);
	g_free(f->tmp);
}

/* A snapshot as sb_hub_booths_snapshot() makes it: (id, site, state,
 * reason) quadruples, NULL-terminated. */
static JsonArray *snapshot(const char *first, ...)
{
	JsonArray *a = json_array_new();
	va_list ap;
	va_start(ap, first);
	for (const char *id = first; id; id = va_arg(ap, const char *)) {
		JsonObject *o = json_object_new();
		json_object_set_string_member(o, "booth_id", id);
		json_object_set_string_member(o, "site", va_arg(ap, const char *));
		json_object_set_string_member(o, "state", va_arg(ap, const char *));
		json_object_set_string_member(o, "reason", va_arg(ap, const char *));
		json_array_add_object_element(a, o);
	}
	va_end(ap);
	return a;
}

static SbBooth *booth(Fixture *f, const char *id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = sb_store_booth_list(f->store, 0, &error);
	g_assert_no_error(error);
	for (guint i = 0; i < list->len; i++) {
		SbBooth *b = list->pdata[i];
		if (strcmp(b->id, id) == 0)
			return g_steal_pointer(&list->pdata[i]);
	}
	return NULL;
}

static void sync_ok(SbSiteBooths *sb, JsonArray *snap, gint64 now_us)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_site_booths_sync(sb, snap, now_us, &error));
	g_assert_no_error(error);
}

static void test_status_words(void)
{
	g_assert_cmpstr(sb_site_status_word(NULL), ==, "offline");
	g_assert_cmpstr(sb_site_status_word("idle"), ==, "online");
	g_assert_cmpstr(sb_site_status_word("queued"), ==, "in_use");
	g_assert_cmpstr(sb_site_status_word("in_call"), ==, "in_use");
	g_assert_cmpstr(sb_site_status_word("out_of_order"), ==, "out_of_order");
	g_assert_cmpstr(sb_site_status_word("something-new"), ==, "online");
}

static void test_sync(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	/* an administrator named b1 beforehand (under no site yet) */
	g_assert_true(sb_store_booth_upsert(f->store, "b1", 0, "Front desk", &error));
	g_autoptr(SbSiteBooths) sb = sb_site_booths_new(f->store);
	gint64 t0 = 1000 * G_USEC_PER_SEC;
	g_autoptr(JsonArray) s1 = snapshot("b1", "Site A", "idle", "", "b2", "Nowhere", "out_of_order",
					   "camera unplugged", "b3", "Site B", "queued", "", NULL);
	sync_ok(sb, s1, t0);

	g_autoptr(SbBooth) b1 = booth(f, "b1");
	g_assert_nonnull(b1);
	g_assert_cmpint(b1->site_id, ==, f->site_a);
	g_assert_cmpstr(b1->name, ==, "Front desk");
	g_assert_cmpstr(b1->state, ==, "idle");
	g_assert_cmpint(b1->last_seen, ==, f->now);
	g_autoptr(SbBooth) b2 = booth(f, "b2");
	g_assert_cmpint(b2->site_id, ==, 0); /* a site the store does not know */
	g_assert_cmpstr(b2->state, ==, "out_of_order");
	g_assert_cmpstr(b2->reason, ==, "camera unplugged");
	g_autoptr(SbBooth) b3 = booth(f, "b3");
	g_assert_cmpint(b3->site_id, ==, f->site_b);
	g_assert_cmpstr(b3->state, ==, "queued");

	/* 10 s on: b2 left, the others unchanged (not rewritten) */
	gint64 then = f->now;
	f->now += 10;
	g_autoptr(JsonArray) s2 = snapshot("b1", "Site A", "idle", "", "b3", "Site B", "queued", "", NULL);
	sync_ok(sb, s2, t0 + 10 * G_USEC_PER_SEC);
	g_autoptr(SbBooth) b2off = booth(f, "b2");
	g_assert_cmpstr(b2off->state, ==, "offline");
	g_assert_null(b2off->reason);
	g_assert_cmpint(b2off->last_seen, ==, f->now);
	g_autoptr(SbBooth) b1same = booth(f, "b1");
	g_assert_cmpint(b1same->last_seen, ==, then);

	/* a change is written at once; an unchanged booth at the heartbeat */
	f->now += 5;
	g_autoptr(JsonArray) s3 = snapshot("b1", "Site A", "idle", "", "b3", "Site B", "in_call", "", NULL);
	sync_ok(sb, s3, t0 + 15 * G_USEC_PER_SEC);
	g_autoptr(SbBooth) b3call = booth(f, "b3");
	g_assert_cmpstr(b3call->state, ==, "in_call");
	g_assert_cmpint(b3call->last_seen, ==, f->now);
	f->now += SB_SITE_HEARTBEAT_S;
	sync_ok(sb, s3, t0 + (15 + SB_SITE_HEARTBEAT_S) * G_USEC_PER_SEC);
	g_autoptr(SbBooth) b1beat = booth(f, "b1");
	g_assert_cmpint(b1beat->last_seen, ==, f->now);

	/* a booth moved to another site follows it (its name stays) */
	g_autoptr(JsonArray) s4 = snapshot("b1", "Site B", "idle", "", NULL);
	sync_ok(sb, s4, t0 + (16 + SB_SITE_HEARTBEAT_S) * G_USEC_PER_SEC);
	g_autoptr(SbBooth) b1moved = booth(f, "b1");
	g_assert_cmpint(b1moved->site_id, ==, f->site_b);
	g_assert_cmpstr(b1moved->name, ==, "Front desk");

	/* an administrator puts b2 (of no known site) under site A: reconnecting
	 * with the same unknown name keeps it there */
	g_assert_true(sb_store_booth_upsert(f->store, "b2", f->site_a, "Hall", &error));
	g_autoptr(SbSiteBooths) fresh = sb_site_booths_new(f->store);
	g_autoptr(JsonArray) s5 = snapshot("b2", "Nowhere", "idle", "", NULL);
	sync_ok(fresh, s5, t0 + (17 + SB_SITE_HEARTBEAT_S) * G_USEC_PER_SEC);
	g_autoptr(SbBooth) b2kept = booth(f, "b2");
	g_assert_cmpint(b2kept->site_id, ==, f->site_a);
	g_assert_cmpstr(b2kept->name, ==, "Hall");
	g_assert_cmpstr(b2kept->state, ==, "idle");

	/* its calls count under that site; a known name wins; no booth, no site */
	g_assert_cmpint(sb_site_booth_site(f->store, "Nowhere", "b2"), ==, f->site_a);
	g_assert_cmpint(sb_site_booth_site(f->store, "Site B", "b2"), ==, f->site_b);
	g_assert_cmpint(sb_site_booth_site(f->store, NULL, "b2"), ==, f->site_a);
	g_assert_cmpint(sb_site_booth_site(f->store, "Nowhere", "never-seen"), ==, 0);
	g_assert_cmpint(sb_site_booth_site(f->store, "Nowhere", NULL), ==, 0);

	/* a new sync object (a restart) after the store kept everything */
	g_autoptr(SbSiteBooths) again = sb_site_booths_new(f->store);
	g_autoptr(JsonArray) none = json_array_new();
	sync_ok(again, none, t0);
	g_autoptr(SbBooth) b3kept = booth(f, "b3");
	g_assert_cmpint(b3kept->site_id, ==, f->site_b);
}

static JsonObject *find(JsonArray *booths, const char *id)
{
	for (guint i = 0; i < json_array_get_length(booths); i++) {
		JsonObject *o = json_array_get_object_element(booths, i);
		if (g_strcmp0(json_object_get_string_member(o, "id"), id) == 0)
			return o;
	}
	return NULL;
}

/* Another process holds the write lock across several syncs: one
 * warning (GTest fails on a second), each sync short (not the store's
 * busy timeout), and the states written at the first sync after. */
static void test_sync_locked(Fixture *f, gconstpointer data)
{
	g_autoptr(SbSiteBooths) sb = sb_site_booths_new(f->store);
	sqlite3 *other = NULL;
	gpointer node = NULL;
	if (f->uri) {
		node = rt_pg_lock(f->uri);
	} else {
		g_assert_cmpint(sqlite3_open(sb_store_path(f->store), &other), ==, SQLITE_OK);
		g_assert_cmpint(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
	}
	g_autoptr(JsonArray) s1 = snapshot("b1", "Site A", "idle", "", NULL);
	g_test_expect_message("relais-site", G_LOG_LEVEL_WARNING,
			      f->uri ? "booth states cannot be written now, retried at each sync: *" RT_PG_LOCKED_WORDS
				     : "booth states cannot be written now, retried at each sync: *database is locked");
	for (int i = 0; i < 3; i++) {
		g_autoptr(GError) error = NULL;
		gint64 t0 = g_get_monotonic_time();
		g_assert_false(sb_site_booths_sync(sb, s1, (1000 + i) * G_USEC_PER_SEC, &error));
		g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_UNAVAILABLE);
		g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
	}
	g_test_assert_expected_messages();
	g_assert_null(booth(f, "b1"));
	if (node) {
		rt_pg_unlock(node);
	} else {
		g_assert_cmpint(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
		sqlite3_close(other);
	}
	g_test_expect_message("relais-site", G_LOG_LEVEL_MESSAGE, "booth states written again");
	sync_ok(sb, s1, 1010 * G_USEC_PER_SEC);
	g_test_assert_expected_messages();
	g_autoptr(SbBooth) b1 = booth(f, "b1");
	g_assert_nonnull(b1);
	g_assert_cmpstr(b1->state, ==, "idle");
}

static void test_json(Fixture *f, gconstpointer data)
{
	g_autoptr(SbSiteBooths) sb = sb_site_booths_new(f->store);
	g_autoptr(JsonArray) s1 = snapshot("a1", "Site A", "idle", "", "a2", "Site A", "queued", "", "a3", "Site A",
					   "out_of_order", "no network", "a4", "Site A", "in_call", "", "b1", "Site B",
					   "idle", "", "x1", "", "idle", "", NULL);
	sync_ok(sb, s1, 0);
	f->now += 30;
	/* a4 and x1 went away; a2 still queued */
	g_autoptr(JsonArray) s2 = snapshot("a1", "Site A", "idle", "", "a2", "Site A", "queued", "", "a3", "Site A",
					   "out_of_order", "no network", "b1", "Site B", "idle", "", NULL);
	sync_ok(sb, s2, 30 * G_USEC_PER_SEC);
	gint64 now = f->now + 3;

	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) a = sb_site_booths_json(f->store, s2, f->site_a, now, &error);
	g_assert_no_error(error);
	JsonObject *root = json_node_get_object(a);
	JsonObject *site = json_object_get_object_member(root, "site");
	g_assert_cmpint(json_object_get_int_member(site, "id"), ==, f->site_a);
	g_assert_cmpstr(json_object_get_string_member(site, "name"), ==, "Site A");
	g_assert_cmpstr(json_object_get_string_member(root, "updated"), ==, "2024-03-04T07:00:33Z");
	JsonArray *booths = json_object_get_array_member(root, "booths");
	g_assert_cmpuint(json_array_get_length(booths), ==, 4);
	g_assert_null(find(booths, "b1"));
	g_assert_null(find(booths, "x1"));
	g_assert_cmpstr(json_object_get_string_member(find(booths, "a1"), "status"), ==, "online");
	g_assert_false(json_object_has_member(find(booths, "a1"), "reason"));
	g_assert_cmpstr(json_object_get_string_member(find(booths, "a2"), "status"), ==, "in_use");
	g_assert_cmpstr(json_object_get_string_member(find(booths, "a3"), "status"), ==, "out_of_order");
	g_assert_cmpstr(json_object_get_string_member(find(booths, "a3"), "reason"), ==, "no network");
	JsonObject *a4 = find(booths, "a4");
	g_assert_cmpstr(json_object_get_string_member(a4, "status"), ==, "offline");
	g_assert_cmpstr(json_object_get_string_member(a4, "last_seen"), ==, "2024-03-04T07:00:30Z");
	g_assert_cmpstr(json_object_get_string_member(a4, "site"), ==, "Site A");
	g_assert_cmpint(json_object_get_int_member(a4, "site_id"), ==, f->site_a);
	g_assert_cmpstr(json_object_get_string_member(find(booths, "a1"), "last_seen"), ==, "2024-03-04T07:00:33Z");

	/* nothing about visitors, whatever the booths were doing */
	g_autofree char *text = json_to_string(a, FALSE);
	static const char *const visitor_words[] = {"ticket", "topic", "language", "answers",
						    "call",   "queue", "position"};
	for (guint i = 0; i < G_N_ELEMENTS(visitor_words); i++)
		g_assert_null(strstr(text, visitor_words[i]));

	/* every booth (admins), including the one of no known site */
	g_autoptr(JsonNode) all = sb_site_booths_json(f->store, s2, 0, now, &error);
	g_assert_no_error(error);
	JsonObject *all_root = json_node_get_object(all);
	g_assert_true(json_object_get_null_member(all_root, "site"));
	JsonArray *every = json_object_get_array_member(all_root, "booths");
	g_assert_cmpuint(json_array_get_length(every), ==, 6);
	JsonObject *x1 = find(every, "x1");
	g_assert_cmpstr(json_object_get_string_member(x1, "status"), ==, "offline");
	g_assert_cmpstr(json_object_get_string_member(x1, "site"), ==, "");
	g_assert_true(json_node_is_null(json_object_get_member(x1, "site_id")));
	g_assert_cmpstr(json_object_get_string_member(find(every, "b1"), "site"), ==, "Site B");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/site/status-words", test_status_words);
	g_test_add("/site/sync", Fixture, NULL, setup, test_sync, teardown);
	g_test_add("/site/json", Fixture, NULL, setup, test_json, teardown);
	g_test_add("/site/sync-locked", Fixture, NULL, setup, test_sync_locked, teardown);
	/* the booth states' sync (one batch, a savepoint per write) on
	 * PostgreSQL; locked by another connection (pgfx.h) */
	g_autofree char *why = NULL;
	if (rt_pg_available(&why)) {
		g_test_add("/site-pg/sync", Fixture, &ON_PG, setup, test_sync, teardown);
		g_test_add("/site-pg/json", Fixture, &ON_PG, setup, test_json, teardown);
		g_test_add("/site-pg/sync-locked", Fixture, &ON_PG, setup, test_sync_locked, teardown);
	} else {
		g_test_add_data_func("/site-pg/skipped", why, rt_pg_skip);
	}
	return g_test_run();
}
