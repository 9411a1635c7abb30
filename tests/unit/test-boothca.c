/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boothca: a real booth CA made in a temp dir (key mode, CA extensions,
 * refusal to replace it, half a CA), real requests signed by real keys (a
 * good one, one for another booth, one whose signature is not its key's,
 * an RSA one), and client certificates checked against the CA and the
 * store: good, from another CA, expired, revoked, unknown; and the openssl
 * command reads what we make as a standard request, CA and certificate. */
#include "boothca.h"
#include "harness.h"
#include "pki.h"

#include <glib/gstdio.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
	char *dir;
	SbBoothCa *ca;
	SbStore *store;
	gint64 now;
} Fixture;

static gint64 fake_clock(gpointer user_data)
{
	return ((Fixture *)user_data)->now;
}

static void setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->dir = g_dir_make_tmp("relais-boothca-XXXXXX", &error);
	g_assert_no_error(error);
	f->ca = sb_booth_ca_open(f->dir, TRUE, &error);
	g_assert_no_error(error);
	f->store = sb_store_open(f->dir, &error);
	g_assert_no_error(error);
	f->now = g_get_real_time() / G_USEC_PER_SEC;
	sb_store_set_clock(f->store, fake_clock, f);
	g_assert_true(sb_store_booth_upsert(f->store, "b-1", 0, "", &error));
	g_assert_true(sb_store_booth_upsert(f->store, "b-2", 0, "", &error));
}

static void teardown(Fixture *f, gconstpointer data)
{
	g_clear_pointer(&f->ca, sb_booth_ca_free);
	g_clear_pointer(&f->store, sb_store_free);
	rt_rm_rf(f->dir);
	g_free(f->dir);
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

static EVP_PKEY *ec_key(void)
{
	g_autoptr(GError) error = NULL;
	EVP_PKEY *key = relais_pki_ec_key_new(&error);
	g_assert_no_error(error);
	return key;
}

/* A certificate for `booth`, recorded in the store as enrol.c does. */
static char *issue(Fixture *f, const char *booth, guint lifetime_s, SbBoothCert **out)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(EVP_PKEY) key = ec_key();
	g_autofree char *csr = csr_for(key, booth);
	g_autoptr(SbBoothCert) issued = NULL;
	char *pem = sb_booth_ca_sign(f->ca, csr, booth, f->now, lifetime_s, &issued, &error);
	g_assert_no_error(error);
	g_assert_nonnull(pem);
	g_assert_true(sb_store_cert_record(f->store, issued, &error));
	g_assert_no_error(error);
	if (out)
		*out = g_steal_pointer(&issued);
	return pem;
}

static void test_init(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *key_path = g_build_filename(f->dir, SB_BOOTH_CA_KEY_FILE, NULL);
	struct stat st;
	g_assert_cmpint(g_stat(key_path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_cmpint(g_stat(sb_booth_ca_cert_path(f->ca), &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0644);

	/* a CA: CA:TRUE, pathlen 0, keyCertSign and cRLSign, EC P-256 */
	g_autoptr(X509) x = relais_pki_read_cert(sb_booth_ca_cert_path(f->ca), &error);
	g_assert_no_error(error);
	g_assert_cmpint(X509_check_ca(x), >=, 1);
	g_assert_cmpint(X509_get_pathlen(x), ==, 0);
	g_assert_cmpuint(X509_get_key_usage(x), ==, KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	g_assert_true(relais_pki_is_ec_p256(X509_get0_pubkey(x)));
	g_assert_cmpint(sb_booth_ca_not_before(f->ca), <=, f->now);

	/* ca init never replaces a CA */
	g_assert_false(sb_booth_ca_init(f->dir, &error));
	g_assert_error(error, SB_BOOTH_CA_ERROR, SB_BOOTH_CA_ERROR_EXISTS);
	g_clear_error(&error);
	/* opening again loads the same CA; a key readable by others is made private */
	g_assert_cmpint(g_chmod(key_path, 0644), ==, 0);
	g_autoptr(SbBoothCa) again = sb_booth_ca_open(f->dir, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(g_stat(key_path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_autofree char *pem = issue(f, "b-1", 3600, NULL);
	g_autoptr(SbBoothCert) who = sb_booth_ca_verify(again, pem, f->now, &error);
	g_assert_no_error(error);

	/* without create, an empty folder has no CA; half a CA is broken */
	g_autofree char *empty = g_build_filename(f->dir, "empty", NULL);
	g_assert_null(sb_booth_ca_open(empty, FALSE, &error));
	g_assert_nonnull(error);
	g_clear_error(&error);
	g_assert_cmpint(g_unlink(key_path), ==, 0);
	g_assert_null(sb_booth_ca_open(f->dir, TRUE, &error));
	g_assert_error(error, SB_BOOTH_CA_ERROR, SB_BOOTH_CA_ERROR_BROKEN);
	g_assert_nonnull(strstr(error->message, SB_BOOTH_CA_KEY_FILE));
}

static void test_sign(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(EVP_PKEY) key = ec_key();
	g_autofree char *csr = csr_for(key, "b-1");
	g_autoptr(SbBoothCert) issued = NULL;
	g_autofree char *pem = sb_booth_ca_sign(f->ca, csr, "b-1", f->now, 30 * 86400, &issued, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(issued->booth_id, ==, "b-1");
	g_assert_cmpint(issued->not_before, ==, f->now - 3600);
	g_assert_cmpint(issued->not_after, ==, f->now + 30 * 86400);
	g_assert_cmpuint(strlen(issued->serial), >=, 16);

	g_autoptr(X509) x = relais_pki_cert_from_pem(pem, -1, &error);
	g_assert_no_error(error);
	/* the booth's own key, CN only, client authentication, not a CA */
	g_assert_true(EVP_PKEY_eq(X509_get0_pubkey(x), key) == 1);
	g_autofree char *cn = relais_pki_name_cn(X509_get_subject_name(x));
	g_assert_cmpstr(cn, ==, "b-1");
	g_assert_cmpint(X509_NAME_entry_count(X509_get_subject_name(x)), ==, 1);
	g_assert_cmpuint(X509_get_extended_key_usage(x), ==, XKU_SSL_CLIENT);
	g_assert_cmpuint(X509_get_key_usage(x), ==, KU_DIGITAL_SIGNATURE);
	g_assert_cmpint(X509_check_ca(x), ==, 0);
	g_autofree char *serial = relais_pki_serial_hex(x);
	g_assert_cmpstr(serial, ==, issued->serial);

	/* two certificates never share a serial */
	g_autoptr(SbBoothCert) second = NULL;
	g_autofree char *pem2 = sb_booth_ca_sign(f->ca, csr, "b-1", f->now, 60, &second, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(second->serial, !=, issued->serial);
}

static void expect_sign_refused(Fixture *f, const char *csr, const char *booth, gint code)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBoothCert) issued = NULL;
	g_autofree char *pem = sb_booth_ca_sign(f->ca, csr, booth, f->now, 3600, &issued, &error);
	g_assert_error(error, SB_BOOTH_CA_ERROR, code);
	g_assert_null(pem);
	g_assert_null(issued);
	g_test_message("refused: %s", error->message);
}

static void test_sign_refusals(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(EVP_PKEY) key = ec_key();

	/* a request naming another booth than the token's */
	g_autofree char *other = csr_for(key, "b-2");
	expect_sign_refused(f, other, "b-1", SB_BOOTH_CA_ERROR_WRONG_BOOTH);
	/* a prefix, and an empty name, are other booths too */
	g_autofree char *prefix = csr_for(key, "b-");
	expect_sign_refused(f, prefix, "b-1", SB_BOOTH_CA_ERROR_WRONG_BOOTH);

	/* a request whose key was swapped after signing: not the signer's */
	g_autoptr(X509_REQ) req = relais_pki_csr_new(key, "b-1", &error);
	g_assert_no_error(error);
	g_autoptr(EVP_PKEY) stranger = ec_key();
	g_assert_cmpint(X509_REQ_set_pubkey(req, stranger), ==, 1);
	g_autofree char *forged = relais_pki_csr_to_pem(req, &error);
	g_assert_no_error(error);
	expect_sign_refused(f, forged, "b-1", SB_BOOTH_CA_ERROR_BAD_SIGNATURE);

	/* a flipped bit in the signature */
	g_autofree char *good = csr_for(key, "b-1");
	g_autoptr(X509_REQ) parsed = relais_pki_csr_from_pem(good, -1, &error);
	g_assert_no_error(error);
	unsigned char *der = NULL;
	int len = i2d_X509_REQ(parsed, &der);
	g_assert_cmpint(len, >, 10);
	der[len - 3] ^= 0x01;
	const unsigned char *p = der;
	g_autoptr(X509_REQ) flipped = d2i_X509_REQ(NULL, &p, len);
	OPENSSL_free(der);
	g_assert_nonnull(flipped);
	g_autofree char *flipped_pem = relais_pki_csr_to_pem(flipped, &error);
	g_assert_no_error(error);
	expect_sign_refused(f, flipped_pem, "b-1", SB_BOOTH_CA_ERROR_BAD_SIGNATURE);

	/* an RSA key (properly self-signed) and another curve */
	g_autoptr(EVP_PKEY) rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	g_assert_nonnull(rsa);
	g_autofree char *rsa_csr = csr_for(rsa, "b-1");
	expect_sign_refused(f, rsa_csr, "b-1", SB_BOOTH_CA_ERROR_KEY_TYPE);
	g_autoptr(EVP_PKEY) p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	g_assert_nonnull(p384);
	g_autofree char *p384_csr = csr_for(p384, "b-1");
	expect_sign_refused(f, p384_csr, "b-1", SB_BOOTH_CA_ERROR_KEY_TYPE);

	/* garbage, a truncated request, nothing */
	expect_sign_refused(f, "hello", "b-1", SB_BOOTH_CA_ERROR_PARSE);
	g_autofree char *cut = g_strndup(good, strlen(good) / 2);
	expect_sign_refused(f, cut, "b-1", SB_BOOTH_CA_ERROR_PARSE);
	expect_sign_refused(f, NULL, "b-1", SB_BOOTH_CA_ERROR_PARSE);
}

static void expect_client(Fixture *f, SbBoothCa *ca, const char *pem, gint code)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBoothCert) who = sb_booth_ca_check_client(ca, f->store, pem, &error);
	if (code < 0) {
		g_assert_no_error(error);
		g_assert_nonnull(who);
		return;
	}
	g_assert_error(error, SB_BOOTH_CA_ERROR, code);
	g_assert_null(who);
	g_test_message("refused: %s", error->message);
}

static void test_client(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBoothCert) issued = NULL;
	g_autofree char *pem = issue(f, "b-1", 3600, &issued);
	g_autoptr(SbBoothCert) who = sb_booth_ca_check_client(f->ca, f->store, pem, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(who->booth_id, ==, "b-1");
	g_assert_cmpstr(who->serial, ==, issued->serial);

	/* the same through GIO's TLS certificate, as the server gets it */
	g_autoptr(GTlsCertificate) tls = g_tls_certificate_new_from_pem(pem, -1, &error);
	g_assert_no_error(error);
	g_autoptr(SbBoothCert) via_tls = sb_booth_ca_check_tls(f->ca, f->store, tls, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(via_tls->booth_id, ==, "b-1");
	g_assert_null(sb_booth_ca_check_tls(f->ca, f->store, NULL, &error));
	g_assert_error(error, SB_BOOTH_CA_ERROR, SB_BOOTH_CA_ERROR_UNTRUSTED);
	g_clear_error(&error);

	/* a certificate from another CA (a perfect copy of ours, another key) */
	g_autofree char *other_dir = g_build_filename(f->dir, "other", NULL);
	g_autoptr(SbBoothCa) other = sb_booth_ca_open(other_dir, TRUE, &error);
	g_assert_no_error(error);
	g_autoptr(EVP_PKEY) key = ec_key();
	g_autofree char *csr = csr_for(key, "b-1");
	g_autoptr(SbBoothCert) foreign_issued = NULL;
	g_autofree char *foreign = sb_booth_ca_sign(other, csr, "b-1", f->now, 3600, &foreign_issued, &error);
	g_assert_no_error(error);
	expect_client(f, f->ca, foreign, SB_BOOTH_CA_ERROR_UNTRUSTED);
	/* even when its serial is recorded */
	g_assert_true(sb_store_cert_record(f->store, foreign_issued, &error));
	expect_client(f, f->ca, foreign, SB_BOOTH_CA_ERROR_UNTRUSTED);

	/* a server certificate (no clientAuth) is not a booth's, nor is the CA's own */
	g_autofree char *ca_pem = NULL;
	g_assert_true(g_file_get_contents(sb_booth_ca_cert_path(f->ca), &ca_pem, NULL, NULL));
	expect_client(f, f->ca, ca_pem, SB_BOOTH_CA_ERROR_UNTRUSTED);
	expect_client(f, f->ca, "not a certificate", SB_BOOTH_CA_ERROR_PARSE);

	/* signed by us but never recorded (a certificate the store lost) */
	g_autoptr(SbBoothCert) unrecorded = NULL;
	g_autofree char *csr2 = csr_for(key, "b-2");
	g_autofree char *lost = sb_booth_ca_sign(f->ca, csr2, "b-2", f->now, 3600, &unrecorded, &error);
	g_assert_no_error(error);
	expect_client(f, f->ca, lost, SB_BOOTH_CA_ERROR_UNKNOWN);

	/* expired, and not yet valid (a clock far behind) */
	f->now += 3600;
	expect_client(f, f->ca, pem, SB_BOOTH_CA_ERROR_EXPIRED);
	f->now -= 3600 + 3601;
	expect_client(f, f->ca, pem, SB_BOOTH_CA_ERROR_EXPIRED);
	f->now += 3601;
	expect_client(f, f->ca, pem, -1);

	/* revoked */
	g_assert_true(sb_store_booth_revoke(f->store, "b-1", NULL, &error));
	g_assert_no_error(error);
	expect_client(f, f->ca, pem, SB_BOOTH_CA_ERROR_REVOKED);
	/* the other booth is not affected */
	g_autofree char *b2 = issue(f, "b-2", 3600, NULL);
	expect_client(f, f->ca, b2, -1);
}

/* Runs the openssl CLI; TRUE on exit 0. *out (nullable) gets stdout+stderr. */
static gboolean openssl(char **out, ...)
{
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	g_ptr_array_add(args, (gpointer) "openssl");
	va_list ap;
	va_start(ap, out);
	for (const char *a = va_arg(ap, const char *); a; a = va_arg(ap, const char *))
		g_ptr_array_add(args, (gpointer)a);
	va_end(ap);
	g_ptr_array_add(args, NULL);
	g_autofree char *text = NULL;
	gint status = -1;
	g_autoptr(GError) error = NULL;
	gboolean ran = g_spawn_sync(NULL, (char **)args->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
				    NULL, NULL, &text, NULL, &status, &error);
	g_assert_no_error(error);
	if (out)
		*out = g_steal_pointer(&text);
	return ran && g_spawn_check_wait_status(status, NULL);
}

/* What we make is what the standard tool reads: the request verifies with
 * `openssl req -verify`, the certificate with `openssl verify` for client
 * authentication against the CA file, and not against another CA. */
static void test_openssl_cli(Fixture *f, gconstpointer data)
{
	g_autofree char *tool = g_find_program_in_path("openssl");
	if (tool == NULL) {
		g_test_skip("no openssl command");
		return;
	}
	g_autoptr(GError) error = NULL;
	g_autoptr(EVP_PKEY) key = ec_key();
	g_autofree char *csr = csr_for(key, "b-1");
	g_autofree char *csr_path = g_build_filename(f->dir, "b-1.csr", NULL);
	g_assert_true(g_file_set_contents(csr_path, csr, -1, &error));
	g_autofree char *subject = NULL;
	g_assert_true(openssl(&subject, "req", "-in", csr_path, "-verify", "-noout", "-subject", NULL));
	g_assert_nonnull(strstr(subject, "CN = b-1"));

	g_autofree char *pem = issue(f, "b-1", 3600, NULL);
	g_autofree char *cert_path = g_build_filename(f->dir, "b-1.crt", NULL);
	g_assert_true(g_file_set_contents(cert_path, pem, -1, &error));
	g_assert_true(openssl(NULL, "verify", "-CAfile", sb_booth_ca_cert_path(f->ca), "-purpose", "sslclient",
			      cert_path, NULL));
	/* not a server certificate */
	g_assert_false(openssl(NULL, "verify", "-CAfile", sb_booth_ca_cert_path(f->ca), "-purpose", "sslserver",
			       cert_path, NULL));
	g_autofree char *other_dir = g_build_filename(f->dir, "other", NULL);
	g_autoptr(SbBoothCa) other = sb_booth_ca_open(other_dir, TRUE, &error);
	g_assert_no_error(error);
	g_assert_false(openssl(NULL, "verify", "-CAfile", sb_booth_ca_cert_path(other), cert_path, NULL));
	/* the CA is a CA to the tool too, and the key file is a P-256 key */
	g_autofree char *ca_text = NULL;
	g_assert_true(openssl(&ca_text, "x509", "-in", sb_booth_ca_cert_path(f->ca), "-noout", "-text", NULL));
	g_assert_nonnull(strstr(ca_text, "CA:TRUE, pathlen:0"));
	g_assert_nonnull(strstr(ca_text, "Certificate Sign, CRL Sign"));
	g_autofree char *key_path = g_build_filename(f->dir, SB_BOOTH_CA_KEY_FILE, NULL);
	g_autofree char *key_text = NULL;
	g_assert_true(openssl(&key_text, "pkey", "-in", key_path, "-noout", "-text", NULL));
	g_assert_nonnull(strstr(key_text, "prime256v1"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/boothca/init", test_init);
	ADD("/boothca/sign", test_sign);
	ADD("/boothca/sign-refusals", test_sign_refusals);
	ADD("/boothca/client", test_client);
	ADD("/boothca/openssl-cli", test_openssl_cli);
	return g_test_run();
}
