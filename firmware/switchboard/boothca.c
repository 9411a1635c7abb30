/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-boothca"

#include "boothca.h"
#include "fail.h"
#include "pki.h"
#include "sslerr.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <string.h>

G_DEFINE_QUARK(sb - booth - ca - error - quark, sb_booth_ca_error)

struct _SbBoothCa {
	char *cert_path;
	X509 *cert;
	EVP_PKEY *key;
};

#define ca_fail(error, code, ...) relais_fail((error), SB_BOOTH_CA_ERROR, SB_BOOTH_CA_ERROR_##code, __VA_ARGS__)
#define ca_ssl_fail(error, what)  relais_ssl_fail((error), SB_BOOTH_CA_ERROR, SB_BOOTH_CA_ERROR_CRYPTO, (what))

/* pki.c's error in this module's domain, with `what` in front */
static gboolean from_pki(GError **error, GError *pki, SbBoothCaError code, const char *what)
{
	if (pki->domain == RELAIS_PKI_ERROR && pki->code == RELAIS_PKI_ERROR_EXISTS)
		code = SB_BOOTH_CA_ERROR_EXISTS;
	else if (pki->domain == RELAIS_PKI_ERROR && pki->code == RELAIS_PKI_ERROR_IO)
		code = SB_BOOTH_CA_ERROR_IO;
	g_set_error(error, SB_BOOTH_CA_ERROR, code, "%s%s", what, pki->message);
	g_error_free(pki);
	return FALSE;
}

void sb_booth_ca_free(SbBoothCa *ca)
{
	if (ca == NULL)
		return;
	g_free(ca->cert_path);
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	g_free(ca);
}

/* --- making the CA --------------------------------------------------------------- */

static X509 *make_ca_cert(EVP_PKEY *key, GError **error)
{
	g_autoptr(X509) x = X509_new();
	g_autoptr(GError) local = NULL;
	if (x == NULL || !X509_set_version(x, X509_VERSION_3)) {
		ca_ssl_fail(error, "CA certificate");
		return NULL;
	}
	if (!relais_pki_set_random_serial(x, &local)) {
		from_pki(error, g_steal_pointer(&local), SB_BOOTH_CA_ERROR_CRYPTO, "");
		return NULL;
	}
	X509_NAME *subject = X509_get_subject_name(x);
	/* an hour back, as every certificate here: clocks drift */
	if (!X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), (long)SB_BOOTH_CA_DAYS * 24 * 3600) ||
	    !X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8, (const unsigned char *)"Relais", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, (const unsigned char *)"Relais booth CA", -1, -1,
					0) ||
	    !X509_set_issuer_name(x, subject) || !X509_set_pubkey(x, key)) {
		ca_ssl_fail(error, "CA certificate");
		return NULL;
	}
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (!relais_pki_add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0", &local) ||
	    !relais_pki_add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign", &local) ||
	    !relais_pki_add_ext(x, &ctx, NID_subject_key_identifier, "hash", &local)) {
		from_pki(error, g_steal_pointer(&local), SB_BOOTH_CA_ERROR_CRYPTO, "");
		return NULL;
	}
	if (X509_sign(x, key, EVP_sha256()) == 0) {
		ca_ssl_fail(error, "signing the CA certificate");
		return NULL;
	}
	return g_steal_pointer(&x);
}

gboolean sb_booth_ca_init(const char *dir, GError **error)
{
	if (dir == NULL || *dir == '\0')
		return ca_fail(error, IO, "no data folder given");
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		int e = errno;
		return ca_fail(error, IO, "cannot create folder '%s': %s", dir, g_strerror(e));
	}
	g_autofree char *cert_path = g_build_filename(dir, SB_BOOTH_CA_CERT_FILE, NULL);
	g_autofree char *key_path = g_build_filename(dir, SB_BOOTH_CA_KEY_FILE, NULL);
	const char *paths[] = {cert_path, key_path};
	for (guint i = 0; i < G_N_ELEMENTS(paths); i++)
		if (g_file_test(paths[i], G_FILE_TEST_EXISTS) || g_file_test(paths[i], G_FILE_TEST_IS_SYMLINK))
			return ca_fail(error, EXISTS,
				       "'%s' exists: a new booth CA would cut off every enrolled booth "
				       "(move the old one away first if that is really meant)",
				       paths[i]);
	g_autoptr(GError) local = NULL;
	gboolean made = FALSE;
	g_autoptr(EVP_PKEY) key = relais_pki_key_load_or_make(key_path, &made, &local);
	if (key == NULL)
		return from_pki(error, g_steal_pointer(&local), SB_BOOTH_CA_ERROR_CRYPTO, "booth CA key: ");
	g_autoptr(X509) x = make_ca_cert(key, error);
	g_autofree char *pem = x ? relais_pki_cert_to_pem(x, &local) : NULL;
	if (x != NULL && pem == NULL)
		from_pki(error, g_steal_pointer(&local), SB_BOOTH_CA_ERROR_CRYPTO, "");
	if (pem == NULL || !relais_pki_write_new_file(cert_path, pem, strlen(pem), 0644, &local)) {
		if (pem != NULL)
			from_pki(error, g_steal_pointer(&local), SB_BOOTH_CA_ERROR_IO, "");
		/* no key without its certificate: the next start makes both */
		(void)g_unlink(key_path);
		return FALSE;
	}
	return TRUE;
}

/* --- loading ------------------------------------------------------------------------- */

static gboolean is_ca(X509 *x)
{
	return X509_check_ca(x) >= 1 && (X509_get_key_usage(x) & KU_KEY_CERT_SIGN) != 0;
}

SbBoothCa *sb_booth_ca_open(const char *dir, gboolean create, GError **error)
{
	if (dir == NULL || *dir == '\0') {
		ca_fail(error, IO, "no data folder given");
		return NULL;
	}
	g_autofree char *cert_path = g_build_filename(dir, SB_BOOTH_CA_CERT_FILE, NULL);
	g_autofree char *key_path = g_build_filename(dir, SB_BOOTH_CA_KEY_FILE, NULL);
	gboolean has_cert = g_file_test(cert_path, G_FILE_TEST_EXISTS);
	gboolean has_key = g_file_test(key_path, G_FILE_TEST_EXISTS);
	if (!has_cert && !has_key && create) {
		if (!sb_booth_ca_init(dir, error))
			return NULL;
	} else if (has_cert != has_key) {
		ca_fail(error, BROKEN, "booth CA in '%s': '%s' is missing (restore it from a backup)", dir,
			has_cert ? SB_BOOTH_CA_KEY_FILE : SB_BOOTH_CA_CERT_FILE);
		return NULL;
	}
	g_autoptr(SbBoothCa) ca = g_new0(SbBoothCa, 1);
	ca->cert_path = g_steal_pointer(&cert_path);
	g_autoptr(GError) local = NULL;
	ca->cert = relais_pki_read_cert(ca->cert_path, &local);
	if (ca->cert == NULL) {
		from_pki(error, g_steal_pointer(&local), SB_BOOTH_CA_ERROR_BROKEN, "booth CA: ");
		return NULL;
	}
	/* load_or_make: also makes a key readable by others 0600 again */
	ca->key = relais_pki_key_load_or_make(key_path, NULL, &local);
	if (ca->key == NULL) {
		from_pki(error, g_steal_pointer(&local), SB_BOOTH_CA_ERROR_BROKEN, "booth CA: ");
		return NULL;
	}
	if (X509_check_private_key(ca->cert, ca->key) != 1) {
		ERR_clear_error();
		ca_fail(error, BROKEN, "booth CA: '%s' is not the key of '%s'", key_path, ca->cert_path);
		return NULL;
	}
	if (!is_ca(ca->cert)) {
		ca_fail(error, BROKEN, "booth CA: '%s' is not a CA certificate", ca->cert_path);
		return NULL;
	}
	return g_steal_pointer(&ca);
}

const char *sb_booth_ca_cert_path(SbBoothCa *ca)
{
	return ca->cert_path;
}

gint64 sb_booth_ca_not_before(SbBoothCa *ca)
{
	return relais_pki_time_unix(X509_get0_notBefore(ca->cert));
}

/* --- signing ------------------------------------------------------------------------- */

/* The request, checked: parsed, EC P-256, self-signed, naming `booth_id`.
 * Returns: (transfer full) its public key. */
static EVP_PKEY *checked_request_key(const char *csr_pem, const char *booth_id, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(X509_REQ) req = relais_pki_csr_from_pem(csr_pem, -1, &local);
	if (req == NULL) {
		from_pki(error, g_steal_pointer(&local), SB_BOOTH_CA_ERROR_PARSE, "certificate request: ");
		return NULL;
	}
	g_autoptr(EVP_PKEY) key = X509_REQ_get_pubkey(req);
	if (key == NULL || !relais_pki_is_ec_p256(key)) {
		ERR_clear_error();
		ca_fail(error, KEY_TYPE, "certificate request: the key must be EC P-256");
		return NULL;
	}
	/* proof that the sender holds the private key of what it asks us to certify */
	if (X509_REQ_verify(req, key) != 1) {
		ERR_clear_error();
		ca_fail(error, BAD_SIGNATURE, "certificate request: its signature does not match its key");
		return NULL;
	}
	g_autofree char *cn = relais_pki_name_cn(X509_REQ_get_subject_name(req));
	if (cn == NULL || g_strcmp0(cn, booth_id) != 0) {
		ca_fail(error, WRONG_BOOTH, "certificate request: it names '%s', not booth '%s'", cn ? cn : "no booth",
			booth_id);
		return NULL;
	}
	return g_steal_pointer(&key);
}

char *sb_booth_ca_sign(SbBoothCa *ca, const char *csr_pem, const char *booth_id, gint64 now, guint lifetime_s,
		       SbBoothCert **issued, GError **error)
{
	g_return_val_if_fail(ca != NULL && booth_id != NULL && lifetime_s > 0, NULL);
	g_autoptr(EVP_PKEY) key = checked_request_key(csr_pem, booth_id, error);
	if (key == NULL)
		return NULL;
	g_autoptr(X509) x = X509_new();
	g_autoptr(GError) local = NULL;
	if (x == NULL || !X509_set_version(x, X509_VERSION_3)) {
		ca_ssl_fail(error, "booth certificate");
		return NULL;
	}
	if (!relais_pki_set_random_serial(x, &local)) {
		from_pki(error, g_steal_pointer(&local), SB_BOOTH_CA_ERROR_CRYPTO, "");
		return NULL;
	}
	time_t t = (time_t)now;
	/* the subject is ours, not the request's: only CN=<booth id> */
	X509_NAME *subject = X509_get_subject_name(x);
	if (X509_time_adj_ex(X509_getm_notBefore(x), 0, -3600, &t) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), 0, (long)lifetime_s, &t) == NULL ||
	    !X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, (const unsigned char *)booth_id, -1, -1, 0) ||
	    !X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) || !X509_set_pubkey(x, key)) {
		ca_ssl_fail(error, "booth certificate");
		return NULL;
	}
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, ca->cert, x, NULL, NULL, 0);
	if (!relais_pki_add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE", &local) ||
	    !relais_pki_add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature", &local) ||
	    !relais_pki_add_ext(x, &ctx, NID_ext_key_usage, "clientAuth", &local) ||
	    !relais_pki_add_ext(x, &ctx, NID_subject_key_identifier, "hash", &local) ||
	    !relais_pki_add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always", &local)) {
		from_pki(error, g_steal_pointer(&local), SB_BOOTH_CA_ERROR_CRYPTO, "");
		return NULL;
	}
	if (X509_sign(x, ca->key, EVP_sha256()) == 0) {
		ca_ssl_fail(error, "signing the booth certificate");
		return NULL;
	}
	char *pem = relais_pki_cert_to_pem(x, &local);
	if (pem == NULL) {
		from_pki(error, g_steal_pointer(&local), SB_BOOTH_CA_ERROR_CRYPTO, "");
		return NULL;
	}
	if (issued) {
		SbBoothCert *c = g_new0(SbBoothCert, 1);
		c->serial = relais_pki_serial_hex(x);
		c->booth_id = g_strdup(booth_id);
		relais_pki_cert_validity(x, &c->not_before, &c->not_after);
		*issued = c;
	}
	return pem;
}

/* --- verifying ------------------------------------------------------------------------ */

SbBoothCert *sb_booth_ca_verify(SbBoothCa *ca, const char *cert_pem, gint64 now, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(X509) x = relais_pki_cert_from_pem(cert_pem, -1, &local);
	if (x == NULL) {
		from_pki(error, g_steal_pointer(&local), SB_BOOTH_CA_ERROR_PARSE, "client certificate: ");
		return NULL;
	}
	g_autoptr(X509_STORE) trust = X509_STORE_new();
	g_autoptr(X509_STORE_CTX) ctx = X509_STORE_CTX_new();
	if (trust == NULL || ctx == NULL || !X509_STORE_add_cert(trust, ca->cert) ||
	    !X509_STORE_CTX_init(ctx, trust, x, NULL)) {
		ca_ssl_fail(error, "checking the client certificate");
		return NULL;
	}
	/* the store's clock, not the system's: tests drive it, and the store
	 * decides expiry with the same clock */
	X509_STORE_CTX_set_time(ctx, 0, (time_t)now);
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
	if (X509_verify_cert(ctx) != 1) {
		int e = X509_STORE_CTX_get_error(ctx);
		ERR_clear_error();
		if (e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID)
			ca_fail(error, EXPIRED, "client certificate: %s", X509_verify_cert_error_string(e));
		else
			ca_fail(error, UNTRUSTED, "client certificate: %s", X509_verify_cert_error_string(e));
		return NULL;
	}
	g_autofree char *cn = relais_pki_name_cn(X509_get_subject_name(x));
	if (cn == NULL || *cn == '\0' || strlen(cn) > SB_STORE_MAX_ID) {
		ca_fail(error, UNTRUSTED, "client certificate: it names no booth");
		return NULL;
	}
	g_autoptr(SbBoothCert) who = g_new0(SbBoothCert, 1);
	who->serial = relais_pki_serial_hex(x);
	who->booth_id = g_steal_pointer(&cn);
	relais_pki_cert_validity(x, &who->not_before, &who->not_after);
	if (who->serial == NULL) {
		ca_fail(error, UNTRUSTED, "client certificate: no readable serial");
		return NULL;
	}
	return g_steal_pointer(&who);
}

SbBoothCert *sb_booth_ca_check_client(SbBoothCa *ca, SbStore *store, const char *cert_pem, GError **error)
{
	gint64 now = sb_store_now(store);
	g_autoptr(SbBoothCert) who = sb_booth_ca_verify(ca, cert_pem, now, error);
	if (who == NULL)
		return NULL;
	g_autoptr(GError) local = NULL;
	if (!sb_store_cert_valid(store, who->serial, who->booth_id, now, &local)) {
		SbBoothCaError code =
			g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_REVOKED)	   ? SB_BOOTH_CA_ERROR_REVOKED
			: g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_EXPIRED)   ? SB_BOOTH_CA_ERROR_EXPIRED
			: g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND) ? SB_BOOTH_CA_ERROR_UNKNOWN
											   : SB_BOOTH_CA_ERROR_IO;
		g_set_error(error, SB_BOOTH_CA_ERROR, code, "client certificate: %s", local->message);
		return NULL;
	}
	return g_steal_pointer(&who);
}

SbBoothCert *sb_booth_ca_check_tls(SbBoothCa *ca, SbStore *store, GTlsCertificate *peer, GError **error)
{
	if (peer == NULL) {
		ca_fail(error, UNTRUSTED, "no client certificate");
		return NULL;
	}
	g_autofree char *pem = NULL;
	g_object_get(peer, "certificate-pem", &pem, NULL);
	return sb_booth_ca_check_client(ca, store, pem, error);
}
