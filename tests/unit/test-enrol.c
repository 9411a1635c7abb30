/* SPDX-License-Identifier: GPL-2.0-or-later */
/* enrol: the EST service without a transport, with a real booth CA, a real
 * store and real requests. Every refusal of issue 10 that needs no network:
 * a good token enrols; a reused, expired or forged token is refused; a
 * request naming another booth is refused (and burns nothing); renewal with
 * a valid certificate works, with a revoked, expired or foreign one it does
 * not; a revoked booth cannot enrol again without a new token. */
#include "enrol.h"
#include "harness.h"
#include "pki.h"
#include "relais-config.h"
#include "pgfx.h"

#include <sqlite3.h>
#include <string.h>

typedef struct {
	char *dir;
	char *uri; /* PostgreSQL's database (/enrol-pg/...); NULL: SQLite in dir */
	SbStore *store;
	SbBoothCa *ca;
	SbEnrol *enrol;
	gint64 now;
} Fixture;

static gint64 fake_clock(gpointer user_data)
{
	return ((Fixture *)user_data)->now;
}

static const int ON_PG = 1;

static void setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->dir = g_dir_make_tmp("relais-enrol-XXXXXX", &error);
	g_assert_no_error(error);
	if (data == &ON_PG)
		f->uri = rt_pg_new_database();
	f->store = sb_store_open(f->uri ? f->uri : f->dir, &error);
	g_assert_no_error(error);
	f->now = g_get_real_time() / G_USEC_PER_SEC;
	sb_store_set_clock(f->store, fake_clock, f);
	f->ca = sb_booth_ca_open(f->dir, TRUE, &error);
	g_assert_no_error(error);
	f->enrol = sb_enrol_new(f->store, f->ca);
	gint64 site = sb_store_site_upsert(f->store, 0, "Centre", "Europe/Paris", &error);
	g_assert_no_error(error);
	g_assert_cmpint(site, >, 0);
}

static void teardown(Fixture *f, gconstpointer data)
{
	g_clear_pointer(&f->enrol, sb_enrol_free);
	g_clear_pointer(&f->ca, sb_booth_ca_free);
	g_clear_pointer(&f->store, sb_store_free);
	rt_pg_drop_database(f->uri);
	g_free(f->uri);
	rt_rm_rf(f->dir);
	g_free(f->dir);
}

static char *add_booth(Fixture *f, const char *id)
{
	g_autoptr(GError) error = NULL;
	char *token = sb_enrol_booth_add(f->enrol, id, "Centre", 0, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(token);
	return token;
}

static char *csr_for(EVP_PKEY *key, const char *cn)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(X509_REQ) req = relais_pki_csr_new(key, cn, &error);
	g_assert_no_error(error);
	char *pem = relais_pki_csr_to_pem(req, &error);
	g_assert_no_error(error);
	return pem;
}

static char *new_csr(const char *cn)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(EVP_PKEY) key = relais_pki_ec_key_new(&error);
	g_assert_no_error(error);
	return csr_for(key, cn);
}

static void expect_enrol(Fixture *f, const char *token, const char *csr, gint code, guint status)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBoothCert) issued = NULL;
	g_autofree char *pem = sb_enrol_simpleenroll(f->enrol, token, csr, &issued, &error);
	g_assert_error(error, SB_ENROL_ERROR, code);
	g_assert_null(pem);
	g_assert_null(issued);
	g_assert_cmpuint(sb_enrol_http_status(error), ==, status);
	g_test_message("refused (%u): %s", status, error->message);
}

static char *enrol_ok(Fixture *f, const char *token, const char *csr, SbBoothCert **issued)
{
	g_autoptr(GError) error = NULL;
	char *pem = sb_enrol_simpleenroll(f->enrol, token, csr, issued, &error);
	g_assert_no_error(error);
	g_assert_nonnull(pem);
	return pem;
}

static void test_simpleenroll(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *token = add_booth(f, "hall-1");
	g_autofree char *csr = new_csr("hall-1");

	/* refusals that burn nothing: the token stays usable */
	g_autofree char *other = new_csr("hall-2");
	expect_enrol(f, token, other, SB_ENROL_ERROR_WRONG_BOOTH, 403);
	expect_enrol(f, token, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
		     SB_ENROL_ERROR_BAD_CSR, 400);
	g_autoptr(EVP_PKEY) rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	g_autofree char *rsa_csr = csr_for(rsa, "hall-1");
	expect_enrol(f, token, rsa_csr, SB_ENROL_ERROR_KEY_TYPE, 400);

	/* a forged token: one character changed, another length, none */
	g_autofree char *forged = g_strdup(token);
	forged[5] = forged[5] == 'x' ? 'y' : 'x';
	expect_enrol(f, forged, csr, SB_ENROL_ERROR_TOKEN_UNKNOWN, 401);
	expect_enrol(f, "secret", csr, SB_ENROL_ERROR_TOKEN_UNKNOWN, 401);
	expect_enrol(f, NULL, csr, SB_ENROL_ERROR_TOKEN_UNKNOWN, 401);

	/* the good token enrols, once */
	g_autoptr(SbBoothCert) issued = NULL;
	g_autofree char *pem = enrol_ok(f, token, csr, &issued);
	g_assert_cmpstr(issued->booth_id, ==, "hall-1");
	g_assert_cmpint(issued->not_after - issued->not_before, ==,
			(gint64)CONFIG_RELAIS_SB_BOOTH_CERT_DAYS * 86400 + 3600);
	g_assert_cmpint(CONFIG_RELAIS_SB_BOOTH_CERT_DAYS, ==, 30);
	g_autoptr(SbBoothCert) who = sb_booth_ca_check_client(f->ca, f->store, pem, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(who->serial, ==, issued->serial);
	expect_enrol(f, token, csr, SB_ENROL_ERROR_TOKEN_USED, 401);
	g_autofree char *csr2 = new_csr("hall-1");
	expect_enrol(f, token, csr2, SB_ENROL_ERROR_TOKEN_USED, 401);
}

static void test_token_expiry(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 expires = 0;
	g_autofree char *token = sb_enrol_booth_add(f->enrol, "hall-1", "Centre", 0, &expires, &error);
	g_assert_no_error(error);
	g_assert_cmpint(expires, ==, f->now + 24 * 3600);
	g_autofree char *csr = new_csr("hall-1");
	f->now = expires;
	expect_enrol(f, token, csr, SB_ENROL_ERROR_TOKEN_EXPIRED, 401);
	/* a new token works; the old one is gone */
	g_autofree char *fresh = add_booth(f, "hall-1");
	expect_enrol(f, token, csr, SB_ENROL_ERROR_TOKEN_UNKNOWN, 401);
	g_autofree char *pem = enrol_ok(f, fresh, csr, NULL);
}

static void test_booth_add(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_assert_null(sb_enrol_booth_add(f->enrol, "hall-1", "Nowhere", 0, NULL, &error));
	g_assert_error(error, SB_ENROL_ERROR, SB_ENROL_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_null(sb_enrol_booth_add(f->enrol, "bad id!", "Centre", 0, NULL, &error));
	g_assert_error(error, SB_ENROL_ERROR, SB_ENROL_ERROR_INVALID);
	g_clear_error(&error);
	/* the administrator's name for a booth survives a new token */
	g_assert_true(sb_store_booth_upsert(f->store, "hall-1", 0, "Hall d'entrée", &error));
	g_autofree char *token = add_booth(f, "hall-1");
	g_autoptr(GPtrArray) booths = sb_store_booth_list(f->store, 0, &error);
	g_assert_cmpuint(booths->len, ==, 1);
	SbBooth *b = booths->pdata[0];
	g_assert_cmpstr(b->name, ==, "Hall d'entrée");
	g_assert_cmpint(b->site_id, >, 0);
	g_assert_false(sb_enrol_booth_revoke(f->enrol, "ghost", NULL, &error));
	g_assert_error(error, SB_ENROL_ERROR, SB_ENROL_ERROR_INVALID);
}

static void expect_reenrol(Fixture *f, const char *cert, const char *csr, gint code, guint status)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *pem = sb_enrol_simplereenroll(f->enrol, cert, csr, NULL, &error);
	g_assert_error(error, SB_ENROL_ERROR, code);
	g_assert_null(pem);
	g_assert_cmpuint(sb_enrol_http_status(error), ==, status);
	g_test_message("renewal refused (%u): %s", status, error->message);
}

static void test_reenroll(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	sb_enrol_set_cert_lifetime(f->enrol, 600);
	g_assert_cmpuint(sb_enrol_get_cert_lifetime(f->enrol), ==, 600);
	g_autofree char *token = add_booth(f, "hall-1");
	g_autofree char *csr = new_csr("hall-1");
	g_autoptr(SbBoothCert) first = NULL;
	g_autofree char *cert = enrol_ok(f, token, csr, &first);

	/* renewal at two thirds of the lifetime, with a new key */
	f->now += 400;
	g_autofree char *csr2 = new_csr("hall-1");
	g_autoptr(SbBoothCert) second = NULL;
	g_autofree char *renewed = sb_enrol_simplereenroll(f->enrol, cert, csr2, &second, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(second->booth_id, ==, "hall-1");
	g_assert_cmpstr(second->serial, !=, first->serial);
	g_assert_cmpint(second->not_after, ==, f->now + 600);
	g_autoptr(SbBoothCert) who = sb_booth_ca_check_client(f->ca, f->store, renewed, &error);
	g_assert_no_error(error);

	/* a renewal for another booth, garbage, no certificate */
	g_autofree char *other = new_csr("hall-2");
	expect_reenrol(f, renewed, other, SB_ENROL_ERROR_WRONG_BOOTH, 403);
	expect_reenrol(f, renewed, "junk", SB_ENROL_ERROR_BAD_CSR, 400);
	expect_reenrol(f, NULL, csr2, SB_ENROL_ERROR_CERT_REFUSED, 403);

	/* the first certificate expires: too late to renew with it */
	f->now += 200;
	expect_reenrol(f, cert, csr2, SB_ENROL_ERROR_CERT_REFUSED, 403);

	/* a certificate of another CA, for the same booth id */
	g_autofree char *other_dir = g_build_filename(f->dir, "other", NULL);
	g_autoptr(SbBoothCa) rogue = sb_booth_ca_open(other_dir, TRUE, &error);
	g_assert_no_error(error);
	g_autofree char *rogue_cert = sb_booth_ca_sign(rogue, csr2, "hall-1", f->now, 600, NULL, &error);
	g_assert_no_error(error);
	expect_reenrol(f, rogue_cert, csr2, SB_ENROL_ERROR_CERT_REFUSED, 403);

	/* revoked: no renewal, no enrolment with the old token */
	guint n = 0;
	g_assert_true(sb_enrol_booth_revoke(f->enrol, "hall-1", &n, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(n, ==, 2);
	expect_reenrol(f, renewed, csr2, SB_ENROL_ERROR_REVOKED, 403);
	expect_enrol(f, token, csr2, SB_ENROL_ERROR_TOKEN_USED, 401);
}

static void test_revoke_pending(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	/* a token made, then the booth revoked before it enrolled */
	g_autofree char *token = add_booth(f, "hall-1");
	g_assert_true(sb_enrol_booth_revoke(f->enrol, "hall-1", NULL, &error));
	g_assert_no_error(error);
	g_autofree char *csr = new_csr("hall-1");
	expect_enrol(f, token, csr, SB_ENROL_ERROR_TOKEN_UNKNOWN, 401);
	/* only a new token lets it in again */
	g_autofree char *fresh = add_booth(f, "hall-1");
	g_autofree char *pem = enrol_ok(f, fresh, csr, NULL);
}

/* What the administration page shows per booth, read back from the store
 * as admin-booths.c does: pending, enrolled, expired, revoked, pending again. */
static void status_now(Fixture *f, const char *booth, SbEnrolStatus *st)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) certs = sb_store_cert_list(f->store, booth, &error);
	g_assert_no_error(error);
	gint64 token_expires = -1;
	g_assert_true(sb_store_enrol_token_pending(f->store, booth, &token_expires, &error));
	g_assert_no_error(error);
	sb_enrol_status_of(certs, token_expires, f->now, st);
}

static void test_status(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	SbEnrolStatus st;
	sb_enrol_status_of(NULL, 0, f->now, &st);
	g_assert_cmpint(st.state, ==, SB_ENROL_STATE_NONE);
	g_assert_cmpstr(sb_enrol_state_name(st.state), ==, "none");
	/* a token expired by the caller's clock counts as none */
	sb_enrol_status_of(NULL, f->now, f->now, &st);
	g_assert_cmpint(st.state, ==, SB_ENROL_STATE_NONE);
	g_assert_cmpint(st.token_expires, ==, 0);

	g_autofree char *token = add_booth(f, "hall-1");
	status_now(f, "hall-1", &st);
	g_assert_cmpstr(sb_enrol_state_name(st.state), ==, "pending");
	g_assert_cmpint(st.token_expires, ==, f->now + CONFIG_RELAIS_SB_ENROL_TOKEN_TTL_S);
	g_assert_cmpint(st.cert_expires, ==, 0);

	g_autofree char *csr = new_csr("hall-1");
	g_autoptr(SbBoothCert) cert = NULL;
	g_autofree char *pem = enrol_ok(f, token, csr, &cert);
	status_now(f, "hall-1", &st);
	g_assert_cmpstr(sb_enrol_state_name(st.state), ==, "enrolled");
	g_assert_cmpint(st.cert_expires, ==, cert->not_after);
	g_assert_cmpint(st.token_expires, ==, 0); /* burnt */
	/* a replaced card's token: still enrolled, a token pending beside it */
	g_autofree char *again = add_booth(f, "hall-1");
	status_now(f, "hall-1", &st);
	g_assert_cmpint(st.state, ==, SB_ENROL_STATE_ENROLLED);
	g_assert_cmpint(st.token_expires, >, 0);

	/* out of date (the token too, a day later): expired */
	f->now = cert->not_after;
	status_now(f, "hall-1", &st);
	g_assert_cmpstr(sb_enrol_state_name(st.state), ==, "expired");
	g_assert_cmpint(st.cert_expires, ==, 0);

	/* revoked; then a new token makes it pending, the revocation still said */
	g_assert_true(sb_enrol_booth_revoke(f->enrol, "hall-1", NULL, &error));
	g_assert_no_error(error);
	status_now(f, "hall-1", &st);
	g_assert_cmpstr(sb_enrol_state_name(st.state), ==, "revoked");
	g_assert_cmpint(st.revoked_at, ==, f->now);
	g_autofree char *fresh = add_booth(f, "hall-1");
	status_now(f, "hall-1", &st);
	g_assert_cmpint(st.state, ==, SB_ENROL_STATE_PENDING);
	g_assert_cmpint(st.revoked_at, ==, f->now);

	/* a booth the store does not know has nothing pending */
	gint64 none = -1;
	g_assert_true(sb_store_enrol_token_pending(f->store, "nobody", &none, &error));
	g_assert_cmpint(none, ==, 0);
}

/* The database locked by another process (BEGIN IMMEDIATE) while a booth
 * enrols: 503 (try again), not 500, and the token stays usable. */
static void test_locked(Fixture *f, gconstpointer data)
{
	g_autofree char *token = add_booth(f, "hall-1");
	g_autofree char *csr = new_csr("hall-1");
	sqlite3 *other = NULL;
	gpointer node = NULL;
	if (f->uri) {
		node = rt_pg_lock(f->uri);
	} else {
		g_assert_cmpint(sqlite3_open(sb_store_path(f->store), &other), ==, SQLITE_OK);
		g_assert_cmpint(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
	}
	sb_store_set_busy_ms(f->store, 20);
	expect_enrol(f, token, csr, SB_ENROL_ERROR_UNAVAILABLE, 503);
	sb_store_set_busy_ms(f->store, 0);
	if (node) {
		rt_pg_unlock(node);
	} else {
		g_assert_cmpint(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
		sqlite3_close(other);
	}
	g_autoptr(SbBoothCert) issued = NULL;
	g_autofree char *pem = enrol_ok(f, token, csr, &issued);
	g_assert_cmpstr(issued->booth_id, ==, "hall-1");
}

static void test_bearer(Fixture *f, gconstpointer data)
{
	g_assert_cmpstr(sb_enrol_bearer_token("Bearer abc"), ==, "abc");
	g_assert_cmpstr(sb_enrol_bearer_token("bearer abc"), ==, "abc");
	g_assert_null(sb_enrol_bearer_token("Basic abc"));
	g_assert_null(sb_enrol_bearer_token("Bearer "));
	g_assert_null(sb_enrol_bearer_token("Bearer a b"));
	g_assert_null(sb_enrol_bearer_token("Bearerabc"));
	g_assert_null(sb_enrol_bearer_token(NULL));
	g_assert_cmpuint(sb_enrol_http_status(NULL), ==, 500);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/enrol/simpleenroll", test_simpleenroll);
	ADD("/enrol/token-expiry", test_token_expiry);
	ADD("/enrol/booth-add", test_booth_add);
	ADD("/enrol/reenroll", test_reenroll);
	ADD("/enrol/revoke-pending", test_revoke_pending);
	ADD("/enrol/status", test_status);
	ADD("/enrol/bearer", test_bearer);
	ADD("/enrol/locked", test_locked);
	/* the same on PostgreSQL (the booth CA stays in the folder; locked
	 * by another connection, pgfx.h) */
	g_autofree char *why = NULL;
	if (rt_pg_available(&why)) {
#define ADD_PG(path, fn) g_test_add("/enrol-pg/" path, Fixture, &ON_PG, setup, fn, teardown)
		ADD_PG("simpleenroll", test_simpleenroll);
		ADD_PG("token-expiry", test_token_expiry);
		ADD_PG("booth-add", test_booth_add);
		ADD_PG("reenroll", test_reenroll);
		ADD_PG("revoke-pending", test_revoke_pending);
		ADD_PG("status", test_status);
		ADD_PG("bearer", test_bearer);
		ADD_PG("locked", test_locked);
	} else {
		g_test_add_data_func("/enrol-pg/skipped", why, rt_pg_skip);
	}
	return g_test_run();
}
