/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * enrol over the wire: a real SoupServer on 127.0.0.1 with TLS (a
 * certificate made by cert.c) serving enrol-http.c, a real booth CA and
 * store behind it, and the booth's enrol-client.c on a real SoupSession
 * that trusts only the provisioned certificate. A good token enrols and the
 * certificate is saved; a reused or forged token and a request for another
 * booth are refused with EST's statuses; a server that is not the
 * provisioned one is refused by the booth; renewal goes over mutual TLS;
 * a revoked, expired or foreign client certificate is refused at the
 * handshake; the booth endpoint's gate lets through only an enrolled booth,
 * with the booth id its certificate names.
 */
#define G_LOG_DOMAIN "test-enrol-tls"

#include "cert.h"
#include "enrol-client.h"
#include "enrol-http.h"
#include "harness.h"
#include "pki.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
	char *tmp, *sb_dir, *booth_dir, *ca_file;
	SbStore *store;
	SbBoothCa *ca;
	SbEnrol *enrol;
	SoupServer *server;
	SoupSession *session; /* trusts the switchboard's certificate only */
	guint port;
	gint64 skew; /* added to the store's clock */
	char *token;
} Fixture;

static gint64 skewed_clock(gpointer data)
{
	return g_get_real_time() / G_USEC_PER_SEC + ((Fixture *)data)->skew;
}

/* stands for /ws/booth: answers the booth id the gate lets through */
static void on_gate(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
	g_autoptr(SbBoothCert) who = sb_enrol_http_gate(data, msg);
	if (who == NULL)
		return;
	soup_server_message_set_status(msg, 200, NULL);
	soup_server_message_set_response(msg, "text/plain", SOUP_MEMORY_COPY, who->booth_id, strlen(who->booth_id));
}

static void setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->tmp = g_dir_make_tmp("relais-enrol-tls-XXXXXX", &error);
	g_assert_no_error(error);
	f->sb_dir = g_build_filename(f->tmp, "sb", NULL);
	f->booth_dir = g_build_filename(f->tmp, "booth", NULL);
	g_autofree char *tls_dir = g_build_filename(f->tmp, "tls", NULL);
	g_assert_true(sb_cert_make_self_signed(tls_dir, "localhost", 2, FALSE, &error));
	g_assert_no_error(error);
	f->ca_file = g_build_filename(tls_dir, SB_CERT_FILE, NULL);
	g_autofree char *key_file = g_build_filename(tls_dir, SB_KEY_FILE, NULL);

	f->store = sb_store_open(f->sb_dir, &error);
	g_assert_no_error(error);
	sb_store_set_clock(f->store, skewed_clock, f);
	f->ca = sb_booth_ca_open(f->sb_dir, TRUE, &error);
	g_assert_no_error(error);
	f->enrol = sb_enrol_new(f->store, f->ca);
	g_assert_cmpint(sb_store_site_upsert(f->store, 0, "Centre", "Europe/Paris", &error), >, 0);
	f->token = sb_enrol_booth_add(f->enrol, "hall-1", "Centre", 0, NULL, &error);
	g_assert_no_error(error);

	g_autoptr(GTlsCertificate) tls = sb_cert_load_pair(f->ca_file, key_file, &error);
	g_assert_no_error(error);
	f->server = soup_server_new("tls-certificate", tls, NULL);
	soup_server_set_tls_auth_mode(f->server, G_TLS_AUTHENTICATION_REQUESTED);
	sb_enrol_http_attach(f->server, f->enrol);
	soup_server_add_handler(f->server, "/gate", on_gate, f->enrol, NULL);
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, 0);
	g_assert_true(soup_server_listen(f->server, addr, SOUP_SERVER_LISTEN_HTTPS, &error));
	g_assert_no_error(error);
	GSList *uris = soup_server_get_uris(f->server);
	f->port = (guint)g_uri_get_port(uris->data);
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);

	g_autoptr(GTlsDatabase) db = g_tls_file_database_new(f->ca_file, &error);
	g_assert_no_error(error);
	f->session = soup_session_new_with_options("timeout", 10, NULL);
	soup_session_set_tls_database(f->session, db);
}

static void teardown(Fixture *f, gconstpointer data)
{
	g_clear_object(&f->session);
	if (f->server)
		soup_server_disconnect(f->server);
	g_clear_object(&f->server);
	g_clear_pointer(&f->enrol, sb_enrol_free);
	g_clear_pointer(&f->ca, sb_booth_ca_free);
	g_clear_pointer(&f->store, sb_store_free);
	rt_rm_rf(f->tmp);
	g_free(f->tmp);
	g_free(f->sb_dir);
	g_free(f->booth_dir);
	g_free(f->ca_file);
	g_free(f->token);
}

typedef struct {
	gboolean done;
	char *cert;
	guint status;
	GError *error;
} Reply;

static gboolean reply_done(gpointer data)
{
	return ((Reply *)data)->done;
}

static void on_reply(GObject *source, GAsyncResult *res, gpointer data)
{
	Reply *r = data;
	r->cert = booth_enrol_request_finish(res, &r->status, &r->error);
	r->done = TRUE;
}

/* One request from the booth; `session` NULL: the fixture's. */
static Reply request(Fixture *f, SoupSession *session, gboolean renew, const char *token, GTlsCertificate *client,
		     const char *csr)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *sb_url = g_strdup_printf("wss://localhost:%u/ws/booth", f->port);
	g_autofree char *url = booth_enrol_url(sb_url, renew, &error);
	g_assert_no_error(error);
	Reply r = {0};
	booth_enrol_request_async(session ? session : f->session, url, token, client, csr, NULL, on_reply, &r);
	g_assert_true(rt_wait(reply_done, &r, 10000));
	if (r.error)
		g_test_message("%s: %s (status %u)", renew ? "renewal" : "enrolment", r.error->message, r.status);
	return r;
}

static void reply_clear(Reply *r)
{
	g_free(r->cert);
	g_clear_error(&r->error);
}

static char *csr_for(Fixture *f, const char *booth)
{
	g_autoptr(GError) error = NULL;
	char *csr = booth_enrol_make_csr(f->booth_dir, booth, &error);
	g_assert_no_error(error);
	return csr;
}

static void expect_refused(Reply r, guint status)
{
	g_assert_error(r.error, BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_REFUSED);
	g_assert_cmpuint(r.status, ==, status);
	g_assert_null(r.cert);
	reply_clear(&r);
}

/* refused before any HTTP: the TLS handshake failed */
static void expect_handshake_refused(Reply r)
{
	g_assert_error(r.error, BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_NETWORK);
	g_assert_null(r.cert);
	reply_clear(&r);
}

static void enrol_booth(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *csr = csr_for(f, "hall-1");
	gint64 t0 = g_get_monotonic_time();
	Reply r = request(f, NULL, FALSE, f->token, NULL, csr);
	g_assert_no_error(r.error);
	g_assert_cmpuint(r.status, ==, 200);
	g_test_message("enrolment round trip: %" G_GINT64_FORMAT " ms", (g_get_monotonic_time() - t0) / 1000);
	gint64 not_after = 0;
	g_assert_true(booth_enrol_save_cert(f->booth_dir, "hall-1", r.cert, &not_after, &error));
	g_assert_no_error(error);
	g_assert_cmpint(not_after, >, g_get_real_time() / G_USEC_PER_SEC);
	reply_clear(&r);
}

static void test_enrol(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_autofree char *ca_pem = NULL;
	g_assert_true(g_file_get_contents(f->ca_file, &ca_pem, NULL, &error));
	gint64 ca_nb = booth_enrol_ca_not_before(ca_pem, &error);
	g_assert_no_error(error);
	g_assert_cmpint(ca_nb, >, now - 2 * 3600);
	g_assert_cmpint(booth_enrol_ca_not_before("junk", &error), ==, 0);
	g_assert_error(error, BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_BAD_CERT);
	g_clear_error(&error);
	g_assert_cmpint(booth_enrol_status(f->booth_dir, "hall-1", now, 0, ca_nb, NULL), ==, BOOTH_CERT_NONE);

	/* a request for another booth, a forged token, no token: refused */
	g_autofree char *other = csr_for(f, "hall-2");
	expect_refused(request(f, NULL, FALSE, f->token, NULL, other), 403);
	g_autofree char *forged = g_strdup(f->token);
	forged[0] = forged[0] == 'A' ? 'B' : 'A';
	g_autofree char *csr = csr_for(f, "hall-1");
	expect_refused(request(f, NULL, FALSE, forged, NULL, csr), 401);
	expect_refused(request(f, NULL, FALSE, NULL, NULL, csr), 401);

	/* a server the booth was not provisioned for (the system's CAs do not
	 * know it): the booth refuses it, the token is not sent to it */
	g_autoptr(SoupSession) stranger = soup_session_new_with_options("timeout", 10, NULL);
	expect_handshake_refused(request(f, stranger, FALSE, f->token, NULL, csr));

	/* the good token enrols once; the key never left the booth's folder */
	enrol_booth(f);
	g_autofree char *key_path = g_build_filename(f->booth_dir, BOOTH_ENROL_KEY_FILE, NULL);
	struct stat st;
	g_assert_cmpint(g_stat(key_path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	gint64 renew_at = 0;
	g_assert_cmpint(booth_enrol_status(f->booth_dir, "hall-1", now, 0, ca_nb, &renew_at), ==, BOOTH_CERT_VALID);
	g_assert_cmpint(renew_at, >, now + 19 * 86400);
	expect_refused(request(f, NULL, FALSE, f->token, NULL, csr), 401);

	/* the saved certificate is what the switchboard accepts */
	g_autoptr(GTlsCertificate) mine = booth_enrol_client_certificate(f->booth_dir, &error);
	g_assert_no_error(error);
	g_autoptr(SbBoothCert) who = sb_enrol_check_peer(f->enrol, mine, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(who->booth_id, ==, "hall-1");
}

static void test_renew(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	/* a short lifetime, as the test flag of issue 10 sets it */
	sb_enrol_set_cert_lifetime(f->enrol, 90);
	enrol_booth(f);
	g_autoptr(GTlsCertificate) first = booth_enrol_client_certificate(f->booth_dir, &error);
	g_assert_no_error(error);
	gint64 renew_at = 0;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	/* 3600 s back-dated + 90 s: renewal is due now already */
	g_assert_cmpint(booth_enrol_status(f->booth_dir, "hall-1", now, 0, 0, &renew_at), ==, BOOTH_CERT_RENEW);

	/* no certificate: no renewal */
	g_autofree char *csr = csr_for(f, "hall-1");
	expect_refused(request(f, NULL, TRUE, NULL, NULL, csr), 403);
	/* over mutual TLS: a new certificate, no token */
	Reply r = request(f, NULL, TRUE, NULL, first, csr);
	g_assert_no_error(r.error);
	g_assert_cmpuint(r.status, ==, 200);
	g_assert_true(booth_enrol_save_cert(f->booth_dir, "hall-1", r.cert, NULL, &error));
	g_assert_no_error(error);
	reply_clear(&r);
	g_autoptr(GTlsCertificate) second = booth_enrol_client_certificate(f->booth_dir, &error);
	g_assert_no_error(error);
	g_assert_false(g_tls_certificate_is_same(first, second));
	/* a renewal for another booth with a valid certificate */
	g_autofree char *other = csr_for(f, "hall-2");
	expect_refused(request(f, NULL, TRUE, NULL, second, other), 403);

	/* expired: refused at the handshake (the store's clock decides) */
	f->skew = 200;
	expect_handshake_refused(request(f, NULL, TRUE, NULL, second, csr));
	f->skew = 0;

	/* revoked: refused at the handshake, and no enrolment without a new token */
	g_assert_true(sb_enrol_booth_revoke(f->enrol, "hall-1", NULL, &error));
	g_assert_no_error(error);
	expect_handshake_refused(request(f, NULL, TRUE, NULL, second, csr));
	expect_refused(request(f, NULL, FALSE, f->token, NULL, csr), 401);
}

static void test_foreign_cert(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	/* a booth certificate from another CA, for the same booth id and key */
	g_autofree char *rogue_dir = g_build_filename(f->tmp, "rogue", NULL);
	g_autoptr(SbBoothCa) rogue = sb_booth_ca_open(rogue_dir, TRUE, &error);
	g_assert_no_error(error);
	g_autofree char *csr = csr_for(f, "hall-1");
	g_autofree char *pem =
		sb_booth_ca_sign(rogue, csr, "hall-1", g_get_real_time() / G_USEC_PER_SEC, 3600, NULL, &error);
	g_assert_no_error(error);
	g_autofree char *cert_path = g_build_filename(f->booth_dir, BOOTH_ENROL_CERT_FILE, NULL);
	g_assert_true(g_file_set_contents(cert_path, pem, -1, &error));
	g_autoptr(GTlsCertificate) fake = booth_enrol_client_certificate(f->booth_dir, &error);
	g_assert_no_error(error);
	expect_handshake_refused(request(f, NULL, TRUE, NULL, fake, csr));
	/* the server's own certificate as a client certificate */
	g_autoptr(GTlsCertificate) server_cert = soup_server_get_tls_certificate(f->server);
	g_object_ref(server_cert);
	expect_handshake_refused(request(f, NULL, TRUE, NULL, server_cert, csr));
}

typedef struct {
	gboolean done;
	guint status;
	char *body;
	GError *error;
} Get;

static void on_get(GObject *source, GAsyncResult *res, gpointer data)
{
	Get *g = data;
	g_autoptr(GBytes) body = soup_session_send_and_read_finish(SOUP_SESSION(source), res, &g->error);
	if (body)
		g->body = g_strndup(g_bytes_get_data(body, NULL), g_bytes_get_size(body));
	g->done = TRUE;
}

static gboolean get_done(gpointer data)
{
	return ((Get *)data)->done;
}

/* GET /gate with `client` (nullable); the status (0: no answer) and body */
static guint gate(Fixture *f, GTlsCertificate *client, char **body)
{
	g_autofree char *url = g_strdup_printf("https://localhost:%u/gate", f->port);
	g_autoptr(SoupMessage) msg = soup_message_new("GET", url);
	if (client) {
		/* as enrol-client.c does: never a connection made without it */
		soup_message_set_tls_client_certificate(msg, client);
		soup_message_add_flags(msg, SOUP_MESSAGE_NEW_CONNECTION);
	}
	Get g = {0};
	soup_session_send_and_read_async(f->session, msg, G_PRIORITY_DEFAULT, NULL, on_get, &g);
	g_assert_true(rt_wait(get_done, &g, 10000));
	guint status = g.error ? 0 : soup_message_get_status(msg);
	g_clear_error(&g.error);
	if (body)
		*body = g_steal_pointer(&g.body);
	g_free(g.body);
	return status;
}

static void test_gate(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	/* no certificate: the handshake passes, the booth endpoint does not */
	g_autofree char *why = NULL;
	g_assert_cmpuint(gate(f, NULL, &why), ==, 403);
	g_assert_nonnull(strstr(why, "only enrolled booths"));
	/* enrolled: its booth id, from the certificate */
	enrol_booth(f);
	g_autoptr(GTlsCertificate) mine = booth_enrol_client_certificate(f->booth_dir, &error);
	g_assert_no_error(error);
	g_autofree char *who = NULL;
	g_assert_cmpuint(gate(f, mine, &who), ==, 200);
	g_assert_cmpstr(who, ==, "hall-1");
	/* revoked: refused at the handshake */
	g_assert_true(sb_enrol_booth_revoke(f->enrol, "hall-1", NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(gate(f, mine, NULL), ==, 0);
}

static void test_clock(Fixture *f, gconstpointer data)
{
	/* a Raspberry Pi at first boot: 1970, or the image's build day */
	g_assert_false(booth_enrol_clock_sane(0, 0, 0));
	g_assert_false(booth_enrol_clock_sane(BOOTH_ENROL_MIN_TIME - 1, 0, 0));
	g_assert_true(booth_enrol_clock_sane(BOOTH_ENROL_MIN_TIME, 0, 0));
	g_assert_false(booth_enrol_clock_sane(BOOTH_ENROL_MIN_TIME + 10, BOOTH_ENROL_MIN_TIME + 11, 0));
	g_assert_false(booth_enrol_clock_sane(BOOTH_ENROL_MIN_TIME + 10, 0, BOOTH_ENROL_MIN_TIME + 11));
	g_assert_cmpint(booth_enrol_status(f->booth_dir, "hall-1", 1000, 0, 0, NULL), ==, BOOTH_CERT_CLOCK_UNSET);
	g_assert_cmpstr(booth_cert_state_name(BOOTH_CERT_CLOCK_UNSET), ==, "clock_unset");
	/* two thirds */
	g_assert_cmpint(booth_enrol_renew_at(0, 30 * 86400), ==, 20 * 86400);
	g_assert_cmpint(booth_enrol_renew_at(1000, 1090), ==, 1060);
	/* URLs */
	g_autoptr(GError) error = NULL;
	g_autofree char *a = booth_enrol_url("wss://sb.example:8443/ws/booth", FALSE, &error);
	g_assert_cmpstr(a, ==, "https://sb.example:8443/.well-known/est/simpleenroll");
	g_autofree char *b = booth_enrol_url("ws://127.0.0.1:8080/ws/booth", TRUE, &error);
	g_assert_cmpstr(b, ==, "http://127.0.0.1:8080/.well-known/est/simplereenroll");
	g_assert_null(booth_enrol_url("ftp://x/", FALSE, &error));
	g_assert_error(error, BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_URL);
}

static void test_saved_cert_checked(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	enrol_booth(f);
	g_autofree char *cert_path = g_build_filename(f->booth_dir, BOOTH_ENROL_CERT_FILE, NULL);
	g_autofree char *good = NULL;
	g_assert_true(g_file_get_contents(cert_path, &good, NULL, NULL));
	/* not this booth's name: refused, the good file stays */
	g_assert_false(booth_enrol_save_cert(f->booth_dir, "hall-2", good, NULL, &error));
	g_assert_error(error, BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_BAD_CERT);
	g_clear_error(&error);
	g_assert_false(booth_enrol_save_cert(f->booth_dir, "hall-1", "garbage", NULL, &error));
	g_assert_error(error, BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_BAD_CERT);
	g_clear_error(&error);
	g_autofree char *after = NULL;
	g_assert_true(g_file_get_contents(cert_path, &after, NULL, NULL));
	g_assert_cmpstr(after, ==, good);
	/* a new key on the booth (a wiped key file): the old certificate is not its own */
	g_autofree char *key_path = g_build_filename(f->booth_dir, BOOTH_ENROL_KEY_FILE, NULL);
	g_assert_cmpint(g_unlink(key_path), ==, 0);
	g_autofree char *csr = csr_for(f, "hall-1");
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_assert_cmpint(booth_enrol_status(f->booth_dir, "hall-1", now, 0, 0, NULL), ==, BOOTH_CERT_NONE);
	g_assert_false(booth_enrol_save_cert(f->booth_dir, "hall-1", good, NULL, &error));
	g_assert_error(error, BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_BAD_CERT);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/enrol-tls/enrol", test_enrol);
	ADD("/enrol-tls/renew", test_renew);
	ADD("/enrol-tls/foreign-cert", test_foreign_cert);
	ADD("/enrol-tls/gate", test_gate);
	ADD("/enrol-tls/clock", test_clock);
	ADD("/enrol-tls/saved-cert-checked", test_saved_cert_checked);
	return g_test_run();
}
