/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The booths' software and update reports on the switchboard (PROTOCOL.md
 * "Software and updates"): hello's software and slot reach the hub's
 * snapshot and, through site.c's sync, the store; update_report reaches
 * the store through the hub's service (updates.c) as one record per report,
 * with a warning naming the booth and the versions for a rollback or a
 * failed install. Refused: before hello, from an adviser, bad and oversized
 * fields (an error reply, nothing recorded, the link kept). A real store in
 * a temp dir; the hub driven through its transport interface. Updates sent
 * from afar: offered when asked and again after a hello while pending or
 * downloading, never while installing; the booth's words move the job,
 * another booth's are dropped; the report naming the version closes it. */
#include "hub.h"
#include "site.h"
#include "storefx.h"
#include "updates.h"
#include "relais-config.h"

#include <string.h>

typedef struct {
	GPtrArray *inbox;
	gushort closed_code;
	SbPeer *peer;
} Conn;

typedef struct {
	RtStoreFx fx;
	SbHub *hub;
	Conn conns[3];
	guint reports; /* update_report services called */
} Fixture;

static gint64 store_clock(gpointer data)
{
	return ((Fixture *)data)->fx.now;
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

/* The server's service, on the real store. */
static void t_update_report(const char *booth_id, const SbHubUpdateReport *report, gpointer ud)
{
	Fixture *f = ud;
	f->reports++;
	g_autoptr(GError) error = NULL;
	if (!sb_updates_record(f->fx.store, booth_id, report, &error))
		g_error("not recorded: %s", error->message);
}

static void t_booth_greeted(const char *booth_id, gpointer ud)
{
	Fixture *f = ud;
	sb_updates_booth_greeted(f->fx.store, f->hub, booth_id);
}

static void t_update_status(const char *booth_id, const SbHubUpdateStatus *status, gpointer ud)
{
	Fixture *f = ud;
	sb_updates_status(f->fx.store, booth_id, status);
}

static const SbHubServices services = {
	.update_report = t_update_report,
	.booth_greeted = t_booth_greeted,
	.update_status = t_update_status,
};

static void setup(Fixture *f, gconstpointer data)
{
	rt_store_fx_setup(&f->fx, "hub-updates", NULL, 0);
	sb_store_set_clock(f->fx.store, store_clock, f);
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_store_booth_upsert(f->fx.store, "hall-1", f->fx.site, "Hall", &error));
	g_assert_no_error(error);
	SbHubConfig cfg = {.max_booths = 4, .max_advisers = 2, .max_queue = 2, .max_errors = 20};
	f->hub = sb_hub_new(&cfg, &transport, f);
	sb_hub_set_services(f->hub, &services, f);
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
	rt_store_fx_teardown(&f->fx);
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

/* The last text c received, parsed as the switchboard's. */
static RelaisMsg *last(Conn *c)
{
	g_assert_cmpuint(c->inbox->len, >, 0);
	const char *text = g_ptr_array_index(c->inbox, c->inbox->len - 1);
	g_autoptr(GError) error = NULL;
	RelaisMsg *m = relais_msg_parse(text, strlen(text), RELAIS_ROLE_SWITCHBOARD, TRUE, NULL, &error);
	g_assert_no_error(error);
	return m;
}

static void expect_error(Conn *c, const char *code, const char *needle)
{
	g_autoptr(RelaisMsg) m = last(c);
	g_assert_cmpint(relais_msg_get_type(m), ==, RELAIS_MSG_ERROR);
	g_assert_cmpstr(relais_msg_get_string(m, "code"), ==, code);
	g_assert_cmpstr(relais_msg_get_string(m, "ref"), ==, "update_report");
	if (strstr(relais_msg_get_string(m, "message"), needle) == NULL)
		g_error("'%s' does not name '%s'", relais_msg_get_string(m, "message"), needle);
}

static const char ROLLED_BACK[] = "{\"type\":\"update_report\",\"result\":\"rolled-back\",\"version\":\"0.10-abc1234\","
				  "\"from\":\"0.10-0ff1ce5\",\"slot\":\"B\",\"at\":\"2026-12-06T22:10:00Z\","
				  "\"detail\":\"not healthy within 300 s: link down\"}";

static Conn *hall(Fixture *f)
{
	Conn *b = open_conn(f, 0, RELAIS_ROLE_BOOTH);
	say(f, b,
	    "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"hall-1\",\"site\":\"Médiathèque\","
	    "\"software\":\"0.10-0ff1ce5\",\"slot\":\"A\"}");
	return b;
}

static void test_software(Fixture *f, gconstpointer data)
{
	hall(f);
	/* an older booth says neither */
	Conn *old = open_conn(f, 1, RELAIS_ROLE_BOOTH);
	say(f, old, "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"old-2\"}");
	g_autoptr(JsonArray) snap = sb_hub_booths_snapshot(f->hub);
	g_assert_cmpuint(json_array_get_length(snap), ==, 2);
	for (guint i = 0; i < 2; i++) {
		JsonObject *e = json_array_get_object_element(snap, i);
		gboolean is_hall = g_str_equal(json_object_get_string_member(e, "booth_id"), "hall-1");
		g_assert_cmpstr(json_object_get_string_member_with_default(e, "software", NULL), ==,
				is_hall ? "0.10-0ff1ce5" : NULL);
		g_assert_cmpstr(json_object_get_string_member_with_default(e, "slot", NULL), ==, is_hall ? "A" : NULL);
	}

	/* the staff page's sync writes them into the store, where they stay
	 * once the booth is offline */
	g_autoptr(SbSiteBooths) sync = sb_site_booths_new(f->fx.store);
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_site_booths_sync(sync, snap, 1000000, &error));
	g_assert_no_error(error);
	sb_hub_disconnect(f->hub, f->conns[0].peer);
	f->conns[0].peer = NULL;
	g_autoptr(JsonArray) after = sb_hub_booths_snapshot(f->hub);
	g_assert_true(sb_site_booths_sync(sync, after, 2000000, &error));
	g_autoptr(GPtrArray) rows = sb_store_booth_list(f->fx.store, 0, &error);
	g_assert_no_error(error);
	SbBooth *row = NULL;
	for (guint i = 0; i < rows->len; i++)
		if (g_str_equal(((SbBooth *)rows->pdata[i])->id, "hall-1"))
			row = rows->pdata[i];
	g_assert_nonnull(row);
	g_assert_cmpstr(row->state, ==, "offline");
	g_assert_cmpstr(row->software, ==, "0.10-0ff1ce5");
	g_assert_cmpstr(row->slot, ==, "A");

	/* back on the other slot with the new software: written again */
	Conn *b = open_conn(f, 2, RELAIS_ROLE_BOOTH);
	say(f, b,
	    "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"hall-1\",\"software\":\"0.10-"
	    "abc1234\","
	    "\"slot\":\"B\"}");
	g_autoptr(JsonArray) back = sb_hub_booths_snapshot(f->hub);
	g_assert_true(sb_site_booths_sync(sync, back, 3000000, &error));
	g_autoptr(GPtrArray) rows2 = sb_store_booth_list(f->fx.store, 0, &error);
	for (guint i = 0; i < rows2->len; i++)
		if (g_str_equal(((SbBooth *)rows2->pdata[i])->id, "hall-1")) {
			g_assert_cmpstr(((SbBooth *)rows2->pdata[i])->software, ==, "0.10-abc1234");
			g_assert_cmpstr(((SbBooth *)rows2->pdata[i])->slot, ==, "B");
		}
}

static void test_report(Fixture *f, gconstpointer data)
{
	Conn *b = hall(f);
	guint before = b->inbox->len;
	g_test_expect_message("relais-updates", G_LOG_LEVEL_WARNING,
			      "booth hall-1: update from 0.10-0ff1ce5 to 0.10-abc1234 rolled back (slot B tried, "
			      "2026-12-06T22:10:00Z): not healthy within 300 s: link down");
	say(f, b, ROLLED_BACK);
	g_test_assert_expected_messages();
	g_assert_cmpuint(b->inbox->len, ==, before); /* no reply */
	g_assert_cmpuint(f->reports, ==, 1);
	g_autoptr(GError) error = NULL;
	g_autoptr(SbUpdateReport) r = sb_store_update_report_get(f->fx.store, "hall-1", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(r->result, ==, "rolled-back");
	g_assert_cmpstr(r->version, ==, "0.10-abc1234");
	g_assert_cmpstr(r->from_version, ==, "0.10-0ff1ce5");
	g_assert_cmpstr(r->slot, ==, "B");
	g_assert_cmpstr(r->at, ==, "2026-12-06T22:10:00Z");
	g_assert_cmpstr(r->detail, ==, "not healthy within 300 s: link down");
	gint64 received = r->received_at;

	/* the same after a reconnection: one record, no second warning (a
	 * warning here would fail the test: GLib makes unexpected ones fatal) */
	f->fx.now += 60;
	sb_hub_disconnect(f->hub, b->peer);
	b = hall(f);
	say(f, b, ROLLED_BACK);
	g_assert_cmpuint(f->reports, ==, 2);
	g_autoptr(SbUpdateReport) same = sb_store_update_report_get(f->fx.store, "hall-1", &error);
	g_assert_cmpint(same->received_at, ==, received);

	/* a kept one: a message, no warning */
	g_test_expect_message("relais-updates", G_LOG_LEVEL_MESSAGE, "*update from 0.10-0ff1ce5 to 0.10-abc1235 kept*");
	say(f, b,
	    "{\"type\":\"update_report\",\"result\":\"kept\",\"version\":\"0.10-abc1235\",\"from\":\"0.10-0ff1ce5\","
	    "\"slot\":\"B\",\"at\":\"2026-12-07T08:00:00+01:00\"}");
	g_test_assert_expected_messages();
	g_autoptr(SbUpdateReport) kept = sb_store_update_report_get(f->fx.store, "hall-1", &error);
	g_assert_cmpstr(kept->result, ==, "kept");
	g_assert_null(kept->detail);

	/* install-failed, without a previous version */
	g_test_expect_message("relais-updates", G_LOG_LEVEL_WARNING,
			      "booth hall-1: update from an unknown version to 0.11-1 failed to install*data partition "
			      "full*");
	say(f, b,
	    "{\"type\":\"update_report\",\"result\":\"install-failed\",\"version\":\"0.11-1\",\"slot\":\"A\","
	    "\"at\":\"2026-12-08T08:00:00Z\",\"detail\":\"data partition full: the bundle needs 600 MiB, 200 MiB "
	    "free\"}");
	g_test_assert_expected_messages();

	/* counted by result, repeats included */
	g_autoptr(GString) metrics = g_string_new(NULL);
	sb_hub_metrics(f->hub, metrics);
	g_assert_nonnull(strstr(metrics->str, "relais_update_reports_total{result=\"rolled-back\"} 2\n"));
	g_assert_nonnull(strstr(metrics->str, "relais_update_reports_total{result=\"kept\"} 1\n"));
	g_assert_nonnull(strstr(metrics->str, "relais_update_reports_total{result=\"install-failed\"} 1\n"));
}

static void test_refused(Fixture *f, gconstpointer data)
{
	/* before hello */
	Conn *b = open_conn(f, 0, RELAIS_ROLE_BOOTH);
	say(f, b, ROLLED_BACK);
	expect_error(b, "state", "before 'hello'");
	/* from an adviser */
	Conn *a = open_conn(f, 1, RELAIS_ROLE_ADVISER);
	say(f, a, "{\"type\":\"hello\",\"version\":1,\"role\":\"adviser\",\"name\":\"Alice\"}");
	say(f, a, ROLLED_BACK);
	expect_error(a, "direction", "update_report");

	say(f, b,
	    "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"hall-1\",\"software\":\"0.10-"
	    "0ff1ce5\","
	    "\"slot\":\"A\"}");
	const struct {
		const char *text, *code, *needle;
	} bad[] = {
		{"{\"type\":\"update_report\",\"result\":\"maybe\",\"version\":\"v\",\"slot\":\"B\",\"at\":\"2026-12-"
		 "06T22:"
		 "10:00Z\"}",
		 "field", "'result'"},
		{"{\"type\":\"update_report\",\"result\":\"kept\",\"slot\":\"B\",\"at\":\"2026-12-06T22:10:00Z\"}",
		 "field", "'version'"},
		{"{\"type\":\"update_report\",\"result\":\"kept\",\"version\":\"a "
		 "b\",\"slot\":\"B\",\"at\":\"2026-12-06T22:"
		 "10:00Z\"}",
		 "field", "'version'"},
		{"{\"type\":\"update_report\",\"result\":\"kept\",\"version\":\"v\",\"slot\":\"Z\",\"at\":\"2026-12-"
		 "06T22:10:"
		 "00Z\"}",
		 "field", "'slot'"},
		{"{\"type\":\"update_report\",\"result\":\"kept\",\"version\":\"v\",\"slot\":\"B\",\"at\":\"tuesday\"}",
		 "field", "'at'"},
		{"{\"type\":\"update_report\",\"result\":\"kept\",\"version\":\"v\",\"slot\":\"B\",\"at\":\"2026-12-"
		 "06T22:10:"
		 "00Z\",\"from\":[1]}",
		 "field", "'from'"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		say(f, b, bad[i].text);
		expect_error(b, bad[i].code, bad[i].needle);
	}
	g_autofree char *long_detail = g_strnfill(CONFIG_RELAIS_PROTO_MAX_TEXT + 1, 'x');
	g_autofree char *oversize = g_strdup_printf("{\"type\":\"update_report\",\"result\":\"kept\",\"version\":\"v\","
						    "\"slot\":\"B\",\"at\":\"2026-12-06T22:10:"
						    "00Z\",\"detail\":\"%s\"}",
						    long_detail);
	say(f, b, oversize);
	expect_error(b, "size", "'detail'");
	g_autofree char *long_version = g_strnfill(CONFIG_RELAIS_PROTO_MAX_ID + 1, '1');
	g_autofree char *oversize_version =
		g_strdup_printf("{\"type\":\"update_report\",\"result\":\"kept\",\"version\":\"%s\",\"slot\":\"B\","
				"\"at\":\"2026-12-06T22:10:00Z\"}",
				long_version);
	say(f, b, oversize_version);
	expect_error(b, "size", "'version'");

	/* nothing reached the store; the booth is still served */
	g_assert_cmpuint(f->reports, ==, 0);
	g_autoptr(GError) error = NULL;
	g_autoptr(SbUpdateReport) none = sb_store_update_report_get(f->fx.store, "hall-1", &error);
	g_assert_null(none);
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
	g_assert_cmpint(b->closed_code, ==, 0);
	say(f, b, "{\"type\":\"ping\"}");
	g_autoptr(RelaisMsg) pong = last(b);
	g_assert_cmpint(relais_msg_get_type(pong), ==, RELAIS_MSG_PONG);

	/* a booth the store does not know (deleted meanwhile): not recorded,
	 * said, nothing else happens */
	g_autoptr(GError) e2 = NULL;
	SbHubUpdateReport r = {"kept", "v", NULL, "A", "2026-12-06T22:10:00Z", NULL};
	g_assert_false(sb_updates_record(f->fx.store, "ghost", &r, &e2));
	g_assert_error(e2, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND);
}

static const char SHA[] = "7dbfbcc2b7fa0123456789abcdef0123456789abcdef0123456789abcdef0123";

static guint offers(Conn *c)
{
	guint n = 0;
	for (guint i = 0; i < c->inbox->len; i++)
		n += strstr(g_ptr_array_index(c->inbox, i), "\"update_offer\"") != NULL;
	return n;
}

static SbUpdateState job_state(Fixture *f, const char *id, gint *progress, char **message)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbUpdateJob) j = sb_store_update_job_get(f->fx.store, id, &error);
	g_assert_no_error(error);
	if (progress)
		*progress = j->progress;
	if (message)
		*message = g_strdup(j->message);
	return j->state;
}

static void status(Fixture *f, Conn *c, const char *id, const char *state, int progress)
{
	g_autofree char *t = progress >= 0 ? g_strdup_printf("{\"type\":\"update_status\",\"update\":\"%s\","
							     "\"state\":\"%s\",\"progress\":%d}",
							     id, state, progress)
					   : g_strdup_printf("{\"type\":\"update_status\",\"update\":\"%s\","
							     "\"state\":\"%s\"}",
							     id, state);
	say(f, c, t);
}

static void test_jobs(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	SbBundle bundle = {.id = (char *)SHA, .size = 308657, .version = "0.11-e2e", .uploaded_by = "boss"};
	g_assert_true(sb_store_bundle_add(f->fx.store, &bundle, NULL, &error));
	g_assert_true(sb_store_booth_upsert(f->fx.store, "hall-2", f->fx.site, "", &error));
	Conn *b = hall(f);
	g_assert_cmpuint(offers(b), ==, 0);

	/* asked: offered at once */
	g_autoptr(SbUpdateJob) job = sb_updates_start(f->fx.store, f->hub, "hall-1", SHA, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(offers(b), ==, 1);
	g_autoptr(RelaisMsg) offer = last(b);
	g_assert_cmpint(relais_msg_get_type(offer), ==, RELAIS_MSG_UPDATE_OFFER);
	g_assert_cmpstr(relais_msg_get_string(offer, "update"), ==, job->id);
	g_assert_cmpint(relais_msg_get_int(offer, "size", 0), ==, 308657);
	g_assert_cmpstr(relais_msg_get_string(offer, "sha256"), ==, SHA);
	g_assert_cmpstr(relais_msg_get_string(offer, "version"), ==, "0.11-e2e");
	/* one at a time */
	g_assert_null(sb_updates_start(f->fx.store, f->hub, "hall-1", SHA, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS);
	g_clear_error(&error);

	/* busy, then downloading */
	status(f, b, job->id, "busy", -1);
	g_autofree char *why = NULL;
	g_assert_cmpint(job_state(f, job->id, NULL, &why), ==, SB_UPDATE_PENDING);
	g_assert_cmpstr(why, ==, "waiting for the booth to be idle");
	status(f, b, job->id, "downloading", 40);
	gint progress = 0;
	g_assert_cmpint(job_state(f, job->id, &progress, NULL), ==, SB_UPDATE_DOWNLOADING);
	g_assert_cmpint(progress, ==, 40);

	/* another booth's word about it is dropped */
	Conn *other = open_conn(f, 1, RELAIS_ROLE_BOOTH);
	say(f, other, "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"hall-2\"}");
	status(f, other, job->id, "failed", -1);
	g_assert_cmpint(job_state(f, job->id, &progress, NULL), ==, SB_UPDATE_DOWNLOADING);
	status(f, b, "u-unknown", "installed", -1);

	/* the link lost while downloading: offered again after the hello */
	sb_hub_disconnect(f->hub, b->peer);
	g_ptr_array_set_size(b->inbox, 0);
	b = hall(f);
	g_assert_cmpuint(offers(b), ==, 1);
	status(f, b, job->id, "installing", 60);
	status(f, b, job->id, "installed", -1);
	g_assert_cmpint(job_state(f, job->id, &progress, NULL), ==, SB_UPDATE_INSTALLED);
	g_assert_cmpint(progress, ==, 100);
	/* rebooting: not offered again */
	sb_hub_disconnect(f->hub, b->peer);
	Conn *back = open_conn(f, 2, RELAIS_ROLE_BOOTH);
	say(f, back,
	    "{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":\"hall-1\",\"software\":\"0.11-e2e\","
	    "\"slot\":\"B\"}");
	f->conns[0].peer = NULL;
	g_assert_cmpuint(offers(back), ==, 0);
	/* the health service kept it: the report names the version */
	g_test_expect_message("relais-updates", G_LOG_LEVEL_MESSAGE, "*update u-* kept");
	g_test_expect_message("relais-updates", G_LOG_LEVEL_MESSAGE, "*update from 0.10-0ff1ce5 to 0.11-e2e kept*");
	say(f, back,
	    "{\"type\":\"update_report\",\"result\":\"kept\",\"version\":\"0.11-e2e\",\"from\":\"0.10-0ff1ce5\","
	    "\"slot\":\"B\",\"at\":\"2026-12-08T08:00:00Z\"}");
	g_test_assert_expected_messages();
	g_assert_cmpint(job_state(f, job->id, NULL, NULL), ==, SB_UPDATE_KEPT);
	/* over: its late words change nothing */
	status(f, back, job->id, "failed", -1);
	g_assert_cmpint(job_state(f, job->id, NULL, NULL), ==, SB_UPDATE_KEPT);

	/* the next one fails on the booth: the job says why */
	g_autoptr(SbUpdateJob) second = sb_updates_start(f->fx.store, f->hub, "hall-1", SHA, &error);
	g_assert_no_error(error);
	g_test_expect_message("relais-updates", G_LOG_LEVEL_WARNING, "*failed: data partition full*");
	g_autofree char *failed =
		g_strdup_printf("{\"type\":\"update_status\",\"update\":\"%s\",\"state\":\"failed\",\"message\":"
				"\"data partition full: the bundle needs 301 MiB, 12 MiB free\"}",
				second->id);
	say(f, back, failed);
	g_test_assert_expected_messages();
	g_autofree char *msg = NULL;
	g_assert_cmpint(job_state(f, second->id, NULL, &msg), ==, SB_UPDATE_FAILED);
	g_assert_cmpstr(msg, ==, "data partition full: the bundle needs 301 MiB, 12 MiB free");

	/* a booth that never comes back: cancelled by an administrator */
	g_autoptr(SbUpdateJob) third = sb_updates_start(f->fx.store, f->hub, "hall-2", SHA, &error);
	g_assert_no_error(error);
	g_assert_true(sb_updates_cancel(f->fx.store, third->id, &error));
	g_assert_cmpint(job_state(f, third->id, NULL, NULL), ==, SB_UPDATE_CANCELLED);
	g_assert_false(sb_updates_cancel(f->fx.store, third->id, &error));
	g_assert_error(error, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/hub-updates/software", Fixture, NULL, setup, test_software, teardown);
	g_test_add("/hub-updates/report", Fixture, NULL, setup, test_report, teardown);
	g_test_add("/hub-updates/refused", Fixture, NULL, setup, test_refused, teardown);
	g_test_add("/hub-updates/jobs", Fixture, NULL, setup, test_jobs, teardown);
	return g_test_run();
}
