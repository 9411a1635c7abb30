/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag: the booth's diagnostics report on a real Booth (not started: no
 * network), with a real booth CA: every key of the report's shape, the
 * certificate's state and expiry for a valid, a due-for-renewal and an
 * expired certificate made by the switchboard's CA for this booth's own key,
 * "none" without one, the last warnings from the log ring, the board's
 * pipelines (camera) and nothing else. */
#include "boothca.h"
#include "diag.h"
#include "enrol-client.h"

#include <gst/gst.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#define BOOTH_ID "diag-1"
#define DAY	 86400

typedef struct {
	char *dir, *state_dir;
	RelaisLogRing *ring;
	Booth *booth;
} Fixture;

static const char *pipelines_dir(void)
{
	const char *env = g_getenv("RELAIS_PIPELINES_DIR");
	return env ? env : "pipelines";
}

static void setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->dir = g_dir_make_tmp("relais-diag-XXXXXX", &error);
	g_assert_no_error(error);
	f->state_dir = g_build_filename(f->dir, "state", NULL);
	g_assert_cmpint(g_mkdir(f->state_dir, 0700), ==, 0);
	f->ring = relais_log_ring_new(4);
	BoothConfig c = {
		.switchboard_url = "wss://127.0.0.1:9/ws/booth",
		.booth_id = BOOTH_ID,
		.site = "Médiathèque",
		.board = data ? data : "sim",
		.pipelines_dir = pipelines_dir(),
		.state_dir = f->state_dir,
		.log_ring = f->ring,
	};
	f->booth = booth_new(&c);
}

static void teardown(Fixture *f, gconstpointer data)
{
	booth_free(f->booth);
	relais_log_ring_free(f->ring);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(f->state_dir);
	g_free(f->dir);
}

static JsonObject *obj(JsonObject *o, const char *name)
{
	g_assert_true(json_object_has_member(o, name));
	return json_object_get_object_member(o, name);
}

static void test_shape(Fixture *f, gconstpointer data)
{
	relais_log_ring_add(f->ring, G_GINT64_CONSTANT(1764000000) * G_USEC_PER_SEC, G_LOG_LEVEL_WARNING, "relais-link",
			    "switchboard: connection refused");
	g_autoptr(JsonObject) r = booth_diag_report(f->booth);
	static const char *const keys[] = {"software", "board",	    "booth_id", "site",	  "uptime_s",
					   "memory",   "addresses", "link",	"camera", "microphone",
					   "speaker",  "turn",	    "errors"};
	g_assert_cmpuint(json_object_get_size(r), ==, G_N_ELEMENTS(keys));
	for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
		g_assert_true(json_object_has_member(r, keys[i]));
	g_assert_nonnull(json_object_get_string_member(obj(r, "software"), "version"));
	g_assert_nonnull(json_object_get_string_member(obj(r, "software"), "build"));
	g_assert_cmpstr(json_object_get_string_member(r, "board"), ==, "sim");
	g_assert_cmpstr(json_object_get_string_member(r, "booth_id"), ==, BOOTH_ID);
	g_assert_cmpstr(json_object_get_string_member(r, "site"), ==, "Médiathèque");
	g_assert_cmpint(json_object_get_int_member(r, "uptime_s"), >=, 0);
	/* this test's own process: some MiB resident, PSS no more than RSS */
	gint64 rss = json_object_get_int_member(obj(r, "memory"), "rss_kib");
	gint64 pss = json_object_get_int_member(obj(r, "memory"), "pss_kib");
	g_assert_cmpint(rss, >, 1024);
	g_assert_cmpint(pss, >, 0);
	g_assert_cmpint(pss, <=, rss);
	JsonArray *addrs = json_object_get_array_member(r, "addresses");
	for (guint i = 0; i < json_array_get_length(addrs); i++) {
		const char *a = json_array_get_string_element(addrs, i);
		g_assert_nonnull(strchr(a, ' '));
		g_assert_nonnull(strchr(a, '/'));
		g_assert_false(g_str_has_prefix(a, "lo ")); /* loopback is no news */
	}
	JsonObject *link = obj(r, "link");
	g_assert_cmpstr(json_object_get_string_member(link, "state"), ==, "offline"); /* not started */
	g_assert_cmpstr(json_object_get_string_member(link, "switchboard"), ==, "wss://127.0.0.1:9/ws/booth");
	g_assert_cmpstr(json_object_get_string_member(link, "certificate_state"), ==, "none");
	g_assert_true(json_object_get_null_member(link, "certificate_expires"));
	/* not started: the self-test has not loaded the pipelines yet */
	g_assert_cmpstr(json_object_get_string_member(obj(r, "camera"), "state"), ==, "error");
	g_assert_true(json_object_get_null_member(obj(r, "microphone"), "level_db"));
	g_assert_cmpstr(json_object_get_string_member(obj(r, "speaker"), "state"), ==, "untested");
	g_assert_cmpstr(json_object_get_string_member(obj(r, "turn"), "state"), ==, "not_configured");
	JsonArray *errors = json_object_get_array_member(r, "errors");
	g_assert_cmpuint(json_array_get_length(errors), ==, 1);
	JsonObject *e = json_array_get_object_element(errors, 0);
	g_assert_cmpstr(json_object_get_string_member(e, "time"), ==, "2025-11-24T16:00:00Z");
	g_assert_cmpstr(json_object_get_string_member(e, "message"), ==, "switchboard: connection refused");
}

/* A certificate from a real booth CA for this booth's own key, signed as
 * if at `signed_at` for `lifetime_s`. Returns its notAfter. */
static gint64 enrol(Fixture *f, gint64 signed_at, guint lifetime_s)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *ca_dir = g_build_filename(f->dir, "ca", NULL);
	g_autoptr(SbBoothCa) ca = sb_booth_ca_open(ca_dir, TRUE, &error);
	g_assert_no_error(error);
	g_autofree char *csr = booth_enrol_make_csr(f->state_dir, BOOTH_ID, &error);
	g_assert_no_error(error);
	g_autofree char *pem = sb_booth_ca_sign(ca, csr, BOOTH_ID, signed_at, lifetime_s, NULL, &error);
	g_assert_no_error(error);
	gint64 not_after = 0;
	g_assert_true(booth_enrol_save_cert(f->state_dir, BOOTH_ID, pem, &not_after, &error));
	g_assert_no_error(error);
	return not_after;
}

static void expect_cert(Fixture *f, const char *state, gint64 not_after)
{
	g_autoptr(JsonObject) r = booth_diag_report(f->booth);
	JsonObject *link = obj(r, "link");
	g_assert_cmpstr(json_object_get_string_member(link, "certificate_state"), ==, state);
	g_autofree char *want = booth_diag_iso_time(not_after * G_USEC_PER_SEC);
	g_assert_cmpstr(json_object_get_string_member(link, "certificate_expires"), ==, want);
}

static void test_certificate(Fixture *f, gconstpointer data)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	expect_cert(f, "valid", enrol(f, now, 30 * DAY));
	/* past two thirds of its life */
	expect_cert(f, "renew", enrol(f, now - 25 * DAY, 30 * DAY));
	expect_cert(f, "expired", enrol(f, now - 40 * DAY, 30 * DAY));
	/* a file that is not a certificate: none, never a crash */
	g_autofree char *path = g_build_filename(f->state_dir, BOOTH_ENROL_CERT_FILE, NULL);
	g_assert_true(g_file_set_contents(path, "-----BEGIN CERTIFICATE-----\ngarbage\n", -1, NULL));
	g_autoptr(JsonObject) r = booth_diag_report(f->booth);
	g_assert_cmpstr(json_object_get_string_member(obj(r, "link"), "certificate_state"), ==, "none");
	g_assert_true(json_object_get_null_member(obj(r, "link"), "certificate_expires"));
}

/* Started (the self-test loads the board's pipelines): the camera is the
 * pipelines' device, there (ok) or not (missing: the fallback runs). */
static void test_camera(Fixture *f, gconstpointer data)
{
	booth_start(f->booth);
	g_autoptr(JsonObject) r = booth_diag_report(f->booth);
	JsonObject *cam = obj(r, "camera");
	const char *state = json_object_get_string_member(cam, "state");
	gboolean have = g_file_test("/dev/video0", G_FILE_TEST_EXISTS);
	g_assert_cmpstr(state, ==, have ? "ok" : "missing");
	g_assert_nonnull(strstr(json_object_get_string_member(cam, "detail"), "/dev/video0"));
	g_assert_cmpstr(json_object_get_string_member(obj(r, "microphone"), "state"), ==, "ok");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	gst_init(&argc, &argv);
	g_test_add("/diag/shape", Fixture, NULL, setup, test_shape, teardown);
	g_test_add("/diag/certificate", Fixture, NULL, setup, test_certificate, teardown);
	g_test_add("/diag/camera", Fixture, NULL, setup, test_camera, teardown);
	return g_test_run();
}
