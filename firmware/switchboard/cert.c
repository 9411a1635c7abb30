/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-cert"

#include "cert.h"
#include "pki.h"
#include "sslerr.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK(relais - cert - error - quark, sb_cert_error)

/* pki.c's errors in this module's domain: callers of make-cert and the
 * server's --tls-cert/--tls-key know SB_CERT_ERROR only. */
static gboolean cert_error(GError **error, GError *pki)
{
	static const SbCertError codes[] = {
		[RELAIS_PKI_ERROR_IO] = SB_CERT_ERROR_IO,	   [RELAIS_PKI_ERROR_EXISTS] = SB_CERT_ERROR_EXISTS,
		[RELAIS_PKI_ERROR_PARSE] = SB_CERT_ERROR_PARSE,	   [RELAIS_PKI_ERROR_MISMATCH] = SB_CERT_ERROR_MISMATCH,
		[RELAIS_PKI_ERROR_KEY_TYPE] = SB_CERT_ERROR_PARSE, [RELAIS_PKI_ERROR_CRYPTO] = SB_CERT_ERROR_CRYPTO,
	};
	SbCertError code =
		pki->code >= 0 && (gsize)pki->code < G_N_ELEMENTS(codes) ? codes[pki->code] : SB_CERT_ERROR_CRYPTO;
	g_set_error_literal(error, SB_CERT_ERROR, code, pki->message);
	g_error_free(pki);
	return FALSE;
}

#define PROG "relais-switchboard"

/* A DNS name (letters, digits, '-', dots between labels) or an IP address. */
static gboolean valid_name(const char *name)
{
	if (name == NULL || *name == '\0' || strlen(name) > 253)
		return FALSE;
	if (g_hostname_is_ip_address(name))
		return TRUE;
	g_auto(GStrv) labels = g_strsplit(name, ".", -1);
	for (char **l = labels; *l; l++) {
		gsize len = strlen(*l);
		if (len == 0 || len > 63 || (*l)[0] == '-' || (*l)[len - 1] == '-')
			return FALSE;
		for (const char *c = *l; *c; c++)
			if (!g_ascii_isalnum(*c) && *c != '-')
				return FALSE;
	}
	return TRUE;
}

/* The certificate, self-signed with `key`. */
static X509 *make_x509(EVP_PKEY *key, const char *name, guint days, GError **error)
{
	g_autoptr(X509) x = X509_new();
	g_autoptr(GError) local = NULL;
	if (x == NULL || !X509_set_version(x, X509_VERSION_3)) {
		relais_ssl_fail(error, SB_CERT_ERROR, SB_CERT_ERROR_CRYPTO, "certificate version");
		return NULL;
	}
	if (!relais_pki_set_random_serial(x, &local)) {
		cert_error(error, g_steal_pointer(&local));
		return NULL;
	}
	/* an hour back: a booth whose clock is a little behind still accepts it */
	if (!X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 24 * 3600)) {
		relais_ssl_fail(error, SB_CERT_ERROR, SB_CERT_ERROR_CRYPTO, "certificate validity");
		return NULL;
	}
	X509_NAME *subject = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8, (const unsigned char *)"Relais trial", -1, -1,
					0) ||
	    !X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, (const unsigned char *)name, -1, -1, 0) ||
	    !X509_set_issuer_name(x, subject) || !X509_set_pubkey(x, key)) {
		relais_ssl_fail(error, SB_CERT_ERROR, SB_CERT_ERROR_CRYPTO, "certificate subject");
		return NULL;
	}
	/* clients match the name against subjectAltName only (RFC 6125) */
	g_autofree char *san = NULL;
	if (g_hostname_is_ip_address(name))
		san = g_strdup_printf("IP:%s", name);
	else if (g_ascii_strcasecmp(name, "localhost") == 0)
		san = g_strdup_printf("DNS:%s,IP:127.0.0.1,IP:::1", name);
	else
		san = g_strdup_printf("DNS:%s", name);
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (!relais_pki_add_ext(x, &ctx, NID_subject_alt_name, san, &local) ||
	    !relais_pki_add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE", &local) ||
	    !relais_pki_add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature", &local) ||
	    !relais_pki_add_ext(x, &ctx, NID_ext_key_usage, "serverAuth", &local) ||
	    !relais_pki_add_ext(x, &ctx, NID_subject_key_identifier, "hash", &local)) {
		cert_error(error, g_steal_pointer(&local));
		return NULL;
	}
	if (X509_sign(x, key, EVP_sha256()) == 0) {
		relais_ssl_fail(error, SB_CERT_ERROR, SB_CERT_ERROR_CRYPTO, "signing the certificate");
		return NULL;
	}
	return g_steal_pointer(&x);
}

gboolean sb_cert_make_self_signed(const char *dir, const char *name, guint days, gboolean force, GError **error)
{
	if (!valid_name(name)) {
		g_set_error(error, SB_CERT_ERROR, SB_CERT_ERROR_ARGS, "'%s' is neither a host name nor an IP address",
			    name ? name : "");
		return FALSE;
	}
	if (days < 1 || days > SB_CERT_MAX_DAYS) {
		g_set_error(error, SB_CERT_ERROR, SB_CERT_ERROR_ARGS, "days must be 1-%d", SB_CERT_MAX_DAYS);
		return FALSE;
	}
	if (dir == NULL || *dir == '\0') {
		g_set_error(error, SB_CERT_ERROR, SB_CERT_ERROR_ARGS, "no output folder");
		return FALSE;
	}
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		int e = errno;
		g_set_error(error, SB_CERT_ERROR, SB_CERT_ERROR_IO, "cannot create folder '%s': %s", dir,
			    g_strerror(e));
		return FALSE;
	}
	g_autofree char *cert_path = g_build_filename(dir, SB_CERT_FILE, NULL);
	g_autofree char *key_path = g_build_filename(dir, SB_KEY_FILE, NULL);
	/* both checked before anything is written: no half-replaced pair */
	const char *paths[] = {cert_path, key_path};
	for (guint i = 0; i < G_N_ELEMENTS(paths); i++) {
		if (!g_file_test(paths[i], G_FILE_TEST_EXISTS) && !g_file_test(paths[i], G_FILE_TEST_IS_SYMLINK))
			continue;
		if (!force) {
			g_set_error(error, SB_CERT_ERROR, SB_CERT_ERROR_EXISTS, "'%s' exists (--force replaces it)",
				    paths[i]);
			return FALSE;
		}
	}

	g_autoptr(GError) local = NULL;
	g_autoptr(EVP_PKEY) key = relais_pki_ec_key_new(&local);
	if (key == NULL)
		return cert_error(error, g_steal_pointer(&local));
	g_autoptr(X509) x = make_x509(key, name, days, error);
	if (x == NULL)
		return FALSE;

	gsize key_len = 0;
	char *key_text = relais_pki_key_to_pem(key, &key_len, &local);
	g_autofree char *cert_text = key_text ? relais_pki_cert_to_pem(x, &local) : NULL;
	if (cert_text == NULL) {
		relais_pki_secret_free(key_text);
		return cert_error(error, g_steal_pointer(&local));
	}
	for (guint i = 0; i < G_N_ELEMENTS(paths); i++)
		if (force && g_unlink(paths[i]) != 0 && errno != ENOENT) {
			int e = errno;
			g_set_error(error, SB_CERT_ERROR, SB_CERT_ERROR_IO, "cannot replace '%s': %s", paths[i],
				    g_strerror(e));
			relais_pki_secret_free(key_text);
			return FALSE;
		}
	gboolean ok = relais_pki_write_new_file(key_path, key_text, key_len, 0600, &local) &&
		      relais_pki_write_new_file(cert_path, cert_text, strlen(cert_text), 0644, &local);
	relais_pki_secret_free(key_text);
	if (!ok) {
		(void)g_unlink(key_path);
		return cert_error(error, g_steal_pointer(&local));
	}
	return TRUE;
}

/* The certificate in a PEM file; the error names the file. */
static X509 *read_cert(const char *path, GError **error)
{
	g_autoptr(GError) local = NULL;
	X509 *x = relais_pki_read_cert(path, &local);
	if (x == NULL)
		cert_error(error, g_steal_pointer(&local));
	return x;
}

static EVP_PKEY *read_key(const char *path, GError **error)
{
	g_autoptr(GError) local = NULL;
	EVP_PKEY *key = relais_pki_read_key(path, &local);
	if (key == NULL)
		cert_error(error, g_steal_pointer(&local));
	return key;
}

static char *hex_colons(const unsigned char *md, unsigned int len)
{
	GString *s = g_string_sized_new(len * 3);
	for (unsigned int i = 0; i < len; i++)
		g_string_append_printf(s, "%s%02X", i ? ":" : "", md[i]);
	return g_string_free(s, FALSE);
}

char *sb_cert_fingerprint(const char *cert_file, GError **error)
{
	g_autoptr(X509) x = read_cert(cert_file, error);
	if (x == NULL)
		return NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (!X509_digest(x, EVP_sha256(), md, &len)) {
		relais_ssl_fail(error, SB_CERT_ERROR, SB_CERT_ERROR_CRYPTO, "certificate digest");
		return NULL;
	}
	return hex_colons(md, len);
}

char *sb_cert_spki_sha256(const char *cert_file, GError **error)
{
	g_autoptr(X509) x = read_cert(cert_file, error);
	if (x == NULL)
		return NULL;
	unsigned char *der = NULL;
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	if (len <= 0) {
		relais_ssl_fail(error, SB_CERT_ERROR, SB_CERT_ERROR_CRYPTO, "encoding the public key");
		return NULL;
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	gboolean ok = EVP_Digest(der, (size_t)len, md, &md_len, EVP_sha256(), NULL);
	OPENSSL_free(der);
	if (!ok) {
		relais_ssl_fail(error, SB_CERT_ERROR, SB_CERT_ERROR_CRYPTO, "public key digest");
		return NULL;
	}
	return g_base64_encode(md, md_len);
}

GTlsCertificate *sb_cert_load_pair(const char *cert_file, const char *key_file, GError **error)
{
	g_autoptr(X509) x = read_cert(cert_file, error);
	if (x == NULL)
		return NULL;
	g_autoptr(EVP_PKEY) key = read_key(key_file, error);
	if (key == NULL)
		return NULL;
	if (X509_check_private_key(x, key) != 1) {
		ERR_clear_error();
		g_set_error(error, SB_CERT_ERROR, SB_CERT_ERROR_MISMATCH,
			    "key '%s' does not belong to certificate '%s'", key_file, cert_file);
		return NULL;
	}
	g_autoptr(GError) local = NULL;
	GTlsCertificate *tls = g_tls_certificate_new_from_files(cert_file, key_file, &local);
	if (tls == NULL)
		g_set_error(error, SB_CERT_ERROR, SB_CERT_ERROR_PARSE, "certificate '%s' with key '%s': %s", cert_file,
			    key_file, local->message);
	return tls;
}

/* --- relais-switchboard make-cert ------------------------------------------- */

static const char usage[] =
	"usage: " PROG " make-cert --out DIR [--name HOST] [--days N] [--force]\n"
	"Writes DIR/" SB_CERT_FILE " and DIR/" SB_KEY_FILE " (0600): a self-signed certificate for trials.\n";

int sb_cert_command(int argc, char **argv)
{
	g_autofree char *out = NULL, *name = NULL;
	int days = SB_CERT_DEFAULT_DAYS;
	gboolean force = FALSE;
	GOptionEntry entries[] = {
		{"out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Folder for the certificate and key", "DIR"},
		{"name", 'n', 0, G_OPTION_ARG_STRING, &name, "Host name or IP address (default: localhost)", "HOST"},
		{"days", 0, 0, G_OPTION_ARG_INT, &days, "Validity in days (default: 90)", "N"},
		{"force", 'f', 0, G_OPTION_ARG_NONE, &force, "Replace existing files", NULL},
		{NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- make a self-signed certificate for trials");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_help_enabled(ctx, TRUE);
	/* GOption may permute argv: work on a copy of the pointers */
	g_autofree char **args = g_new0(char *, argc + 1);
	memcpy(args, argv, sizeof(char *) * argc);
	int n = argc;
	char **parse = args;
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &n, &parse, &error)) {
		fprintf(stderr, PROG ": make-cert: %s\n%s", error->message, usage);
		return 2;
	}
	if (n > 1) {
		fprintf(stderr, PROG ": make-cert: unexpected argument '%s'\n%s", parse[1], usage);
		return 2;
	}
	if (out == NULL || *out == '\0') {
		fprintf(stderr, PROG ": make-cert: --out DIR is required\n%s", usage);
		return 2;
	}
	if (days < 1 || days > SB_CERT_MAX_DAYS) {
		fprintf(stderr, PROG ": make-cert: --days must be 1-%d\n", SB_CERT_MAX_DAYS);
		return 2;
	}
	const char *host = name ? name : SB_CERT_DEFAULT_NAME;
	if (!valid_name(host)) {
		fprintf(stderr, PROG ": make-cert: --name '%s' is neither a host name nor an IP address\n", host);
		return 2;
	}
	if (!sb_cert_make_self_signed(out, host, (guint)days, force, &error)) {
		fprintf(stderr, PROG ": make-cert: %s\n", error->message);
		return 1;
	}
	g_autofree char *cert_path = g_build_filename(out, SB_CERT_FILE, NULL);
	g_autofree char *key_path = g_build_filename(out, SB_KEY_FILE, NULL);
	g_autofree char *fp = sb_cert_fingerprint(cert_path, &error);
	g_autofree char *spki = fp ? sb_cert_spki_sha256(cert_path, &error) : NULL;
	if (spki == NULL) {
		fprintf(stderr, PROG ": make-cert: %s\n", error->message);
		return 1;
	}
	fprintf(stderr, PROG ": wrote %s and %s (self-signed for %s, %d days)\n", cert_path, key_path, host, days);
	printf("SHA-256 fingerprint: %s\n", fp);
	printf("SPKI SHA-256: %s\n", spki);
	fflush(stdout);
	return 0;
}
