/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cert: a self-signed certificate made in a temp dir and loaded back with
 * GLib's TLS backend (GnuTLS, what libsoup serves with): SAN, key mode,
 * fingerprint format, refusals, a mismatched pair, bad arguments. */
#include "cert.h"
#include "harness.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
	char *dir;
	char *cert, *key;
} Fixture;

static void fx_setup(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp("relais-cert-XXXXXX", &error);
	g_assert_no_error(error);
	fx->cert = g_build_filename(fx->dir, SB_CERT_FILE, NULL);
	fx->key = g_build_filename(fx->dir, SB_KEY_FILE, NULL);
}

static void fx_teardown(Fixture *fx, gconstpointer data)
{
	rt_rm_rf(fx->dir);
	g_free(fx->dir);
	g_free(fx->cert);
	g_free(fx->key);
}

static GTlsCertificate *load(Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	GTlsCertificate *c = g_tls_certificate_new_from_files(fx->cert, fx->key, &error);
	g_assert_no_error(error);
	g_assert_nonnull(c);
	return c;
}

static gboolean has_ip(GTlsCertificate *c, const char *ip)
{
	g_autoptr(GPtrArray) ips = g_tls_certificate_get_ip_addresses(c);
	g_autoptr(GInetAddress) want = g_inet_address_new_from_string(ip);
	for (guint i = 0; ips && i < ips->len; i++)
		if (g_inet_address_equal(ips->pdata[i], want))
			return TRUE;
	return FALSE;
}

static gboolean has_dns(GTlsCertificate *c, const char *name)
{
	g_autoptr(GPtrArray) names = g_tls_certificate_get_dns_names(c);
	for (guint i = 0; names && i < names->len; i++) {
		gsize len;
		const char *n = g_bytes_get_data(names->pdata[i], &len);
		if (len == strlen(name) && memcmp(n, name, len) == 0)
			return TRUE;
	}
	return FALSE;
}

static void test_localhost(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_cert_make_self_signed(fx->dir, "localhost", 90, FALSE, &error));
	g_assert_no_error(error);

	struct stat st;
	g_assert_cmpint(g_stat(fx->key, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_cmpint(g_stat(fx->cert, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0644);

	g_autoptr(GTlsCertificate) c = load(fx);
	g_assert_true(has_dns(c, "localhost"));
	g_assert_true(has_ip(c, "127.0.0.1"));
	g_assert_true(has_ip(c, "::1"));
	g_autofree char *issuer = g_tls_certificate_get_issuer_name(c);
	g_assert_nonnull(strstr(issuer, "CN=localhost"));

	/* validity: about 90 days from now, started a little before */
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autoptr(GDateTime) nb = g_tls_certificate_get_not_valid_before(c);
	g_autoptr(GDateTime) na = g_tls_certificate_get_not_valid_after(c);
	g_assert_cmpint(g_date_time_compare(nb, now), <=, 0);
	gint64 days = g_date_time_difference(na, now) / G_TIME_SPAN_DAY;
	g_assert_cmpint(days, >=, 89);
	g_assert_cmpint(days, <=, 90);

	/* the trust store that holds it (a booth's --ca-file) verifies it for
	 * 127.0.0.1 and localhost, and not for another name */
	g_autoptr(GTlsDatabase) db = g_tls_file_database_new(fx->cert, &error);
	g_assert_no_error(error);
	g_autoptr(GSocketConnectable) ip = g_network_address_new("127.0.0.1", 443);
	g_autoptr(GSocketConnectable) lh = g_network_address_new("localhost", 443);
	g_autoptr(GSocketConnectable) other = g_network_address_new("example.org", 443);
	GTlsCertificateFlags f = g_tls_database_verify_chain(db, c, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER, ip,
							     NULL, 0, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(f, ==, 0);
	f = g_tls_database_verify_chain(db, c, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER, lh, NULL, 0, NULL, &error);
	g_assert_cmpint(f, ==, 0);
	f = g_tls_database_verify_chain(db, c, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER, other, NULL, 0, NULL,
					&error);
	g_assert_true(f & G_TLS_CERTIFICATE_BAD_IDENTITY);

	/* the server's loader agrees */
	g_autoptr(GTlsCertificate) pair = sb_cert_load_pair(fx->cert, fx->key, &error);
	g_assert_no_error(error);
	g_assert_nonnull(pair);
}

static void test_names(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_cert_make_self_signed(fx->dir, "192.0.2.7", 7, FALSE, &error));
	g_assert_no_error(error);
	{
		g_autoptr(GTlsCertificate) c = load(fx);
		g_assert_true(has_ip(c, "192.0.2.7"));
		g_assert_false(has_ip(c, "127.0.0.1"));
		g_autoptr(GDateTime) now = g_date_time_new_now_utc();
		g_autoptr(GDateTime) na = g_tls_certificate_get_not_valid_after(c);
		g_assert_cmpint(g_date_time_difference(na, now) / G_TIME_SPAN_DAY, ==, 6);
	}
	g_assert_true(sb_cert_make_self_signed(fx->dir, "relais.example.org", 30, TRUE, &error));
	g_assert_no_error(error);
	g_autoptr(GTlsCertificate) c = load(fx);
	g_assert_true(has_dns(c, "relais.example.org"));
	g_assert_false(has_ip(c, "127.0.0.1"));
}

static gboolean is_fingerprint(const char *fp)
{
	/* 32 bytes, "AB:CD:..." */
	if (fp == NULL || strlen(fp) != 32 * 3 - 1)
		return FALSE;
	for (int i = 0; fp[i]; i++) {
		if (i % 3 == 2 ? fp[i] != ':' : !g_ascii_isxdigit(fp[i]) || g_ascii_islower(fp[i]))
			return FALSE;
	}
	return TRUE;
}

static void test_fingerprints(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_cert_make_self_signed(fx->dir, "localhost", 90, FALSE, &error));
	g_autofree char *fp = sb_cert_fingerprint(fx->cert, &error);
	g_assert_no_error(error);
	g_assert_true(is_fingerprint(fp));

	/* the same digest computed by GLib from the DER GnuTLS gives back */
	g_autoptr(GTlsCertificate) c = load(fx);
	g_autoptr(GByteArray) der = NULL;
	g_object_get(c, "certificate", &der, NULL);
	g_autofree char *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, der->data, der->len);
	g_autoptr(GString) want = g_string_new(NULL);
	for (int i = 0; hex[i]; i += 2)
		g_string_append_printf(want, "%s%c%c", i ? ":" : "", g_ascii_toupper(hex[i]),
				       g_ascii_toupper(hex[i + 1]));
	g_assert_cmpstr(fp, ==, want->str);

	g_autofree char *spki = sb_cert_spki_sha256(fx->cert, &error);
	g_assert_no_error(error);
	gsize len = 0;
	g_autofree guchar *raw = g_base64_decode(spki, &len);
	g_assert_cmpuint(len, ==, 32);

	/* not a certificate: a clear error naming the file */
	g_autofree char *fp2 = sb_cert_fingerprint(fx->key, &error);
	g_assert_null(fp2);
	g_assert_error(error, SB_CERT_ERROR, SB_CERT_ERROR_PARSE);
	g_assert_nonnull(strstr(error->message, fx->key));
}

static void test_existing(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_cert_make_self_signed(fx->dir, "localhost", 90, FALSE, &error));
	g_autofree char *fp = sb_cert_fingerprint(fx->cert, &error);
	g_assert_false(sb_cert_make_self_signed(fx->dir, "localhost", 90, FALSE, &error));
	g_assert_error(error, SB_CERT_ERROR, SB_CERT_ERROR_EXISTS);
	g_clear_error(&error);
	g_autofree char *same = sb_cert_fingerprint(fx->cert, &error);
	g_assert_cmpstr(fp, ==, same);

	/* only the key there: still refused, and the key is left alone */
	g_assert_cmpint(g_unlink(fx->cert), ==, 0);
	g_assert_false(sb_cert_make_self_signed(fx->dir, "localhost", 90, FALSE, &error));
	g_assert_error(error, SB_CERT_ERROR, SB_CERT_ERROR_EXISTS);
	g_clear_error(&error);
	g_assert_false(g_file_test(fx->cert, G_FILE_TEST_EXISTS));

	g_assert_true(sb_cert_make_self_signed(fx->dir, "localhost", 90, TRUE, &error));
	g_assert_no_error(error);
	g_autofree char *fresh = sb_cert_fingerprint(fx->cert, &error);
	g_assert_cmpstr(fp, !=, fresh);
	struct stat st;
	g_assert_cmpint(g_stat(fx->key, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
}

static void test_load_pair(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *other = g_build_filename(fx->dir, "other", NULL);
	g_assert_true(sb_cert_make_self_signed(fx->dir, "localhost", 90, FALSE, &error));
	g_assert_true(sb_cert_make_self_signed(other, "localhost", 90, FALSE, &error));
	g_autofree char *other_key = g_build_filename(other, SB_KEY_FILE, NULL);

	g_autoptr(GTlsCertificate) c = sb_cert_load_pair(fx->cert, other_key, &error);
	g_assert_null(c);
	g_assert_error(error, SB_CERT_ERROR, SB_CERT_ERROR_MISMATCH);
	g_assert_nonnull(strstr(error->message, other_key));
	g_clear_error(&error);

	g_autofree char *missing = g_build_filename(fx->dir, "missing.crt", NULL);
	c = sb_cert_load_pair(missing, fx->key, &error);
	g_assert_null(c);
	g_assert_error(error, SB_CERT_ERROR, SB_CERT_ERROR_IO);
	g_assert_nonnull(strstr(error->message, missing));
	g_clear_error(&error);

	/* swapped: the key file is no certificate */
	c = sb_cert_load_pair(fx->key, fx->cert, &error);
	g_assert_null(c);
	g_assert_error(error, SB_CERT_ERROR, SB_CERT_ERROR_PARSE);
	g_assert_nonnull(strstr(error->message, fx->key));
	g_clear_error(&error);

	c = sb_cert_load_pair(fx->cert, fx->cert, &error);
	g_assert_null(c);
	g_assert_error(error, SB_CERT_ERROR, SB_CERT_ERROR_PARSE);
	g_clear_error(&error);
}

static int command(const char *first, ...)
{
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	g_ptr_array_add(args, (gpointer) "make-cert");
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *))
		g_ptr_array_add(args, (gpointer)a);
	va_end(ap);
	g_ptr_array_add(args, NULL);
	return sb_cert_command((int)args->len - 1, (char **)args->pdata);
}

static void test_command(Fixture *fx, gconstpointer data)
{
	g_autofree char *out = g_build_filename(fx->dir, "made", NULL);
	g_autofree char *crt = g_build_filename(out, SB_CERT_FILE, NULL);
	/* bad arguments: exit 2, nothing written */
	g_assert_cmpint(command(NULL), ==, 2);
	g_assert_cmpint(command("--out", out, "--days", "0", NULL), ==, 2);
	g_assert_cmpint(command("--out", out, "--days", "99999", NULL), ==, 2);
	g_assert_cmpint(command("--out", out, "--days", "ten", NULL), ==, 2);
	g_assert_cmpint(command("--out", out, "--name", "bad name", NULL), ==, 2);
	g_assert_cmpint(command("--out", out, "--name", "-x.org", NULL), ==, 2);
	g_assert_cmpint(command("--out", out, "extra", NULL), ==, 2);
	g_assert_cmpint(command("--out", out, "--bogus", NULL), ==, 2);
	g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));

	g_assert_cmpint(command("--out", out, "--name", "127.0.0.1", "--days", "5", NULL), ==, 0);
	g_assert_true(g_file_test(crt, G_FILE_TEST_IS_REGULAR));
	/* again: refused, then forced */
	g_assert_cmpint(command("--out", out, NULL), ==, 1);
	g_assert_cmpint(command("--out", out, "--force", NULL), ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)
	ADD("/cert/localhost", test_localhost);
	ADD("/cert/names", test_names);
	ADD("/cert/fingerprints", test_fingerprints);
	ADD("/cert/existing", test_existing);
	ADD("/cert/load-pair", test_load_pair);
	ADD("/cert/command", test_command);
	return g_test_run();
}
