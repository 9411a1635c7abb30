/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-pki"

#include "pki.h"
#include "fail.h"
#include "sslerr.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

G_DEFINE_QUARK(relais - pki - error - quark, relais_pki_error)

#define crypto_fail(error, what) relais_ssl_fail((error), RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_CRYPTO, (what))

/* --- files --------------------------------------------------------------------- */

gboolean relais_pki_write_new_file(const char *path, const char *data, gsize len, guint mode, GError **error)
{
	int fd = g_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, (mode_t)mode);
	if (fd < 0) {
		int e = errno;
		return relais_fail(error, RELAIS_PKI_ERROR, e == EEXIST ? RELAIS_PKI_ERROR_EXISTS : RELAIS_PKI_ERROR_IO,
				   "cannot create '%s': %s", path, g_strerror(e));
	}
	/* the umask must not loosen or tighten what we ask for */
	gboolean ok = fchmod(fd, (mode_t)mode) == 0;
	gsize done = 0;
	while (ok && done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			ok = FALSE;
		else
			done += (gsize)n;
	}
	int e = errno;
	if (fsync(fd) != 0 && ok) {
		ok = FALSE;
		e = errno;
	}
	if (close(fd) != 0 && ok) {
		ok = FALSE;
		e = errno;
	}
	if (!ok) {
		(void)g_unlink(path);
		return relais_fail(error, RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_IO, "writing '%s': %s", path,
				   g_strerror(e));
	}
	return TRUE;
}

gboolean relais_pki_replace_file(const char *path, const char *data, gsize len, guint mode, GError **error)
{
	g_autofree char *tmp = g_strdup_printf("%s.new", path);
	/* a leftover of a write cut short is ours to remove */
	if (g_unlink(tmp) != 0 && errno != ENOENT) {
		int e = errno;
		return relais_fail(error, RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_IO, "cannot remove '%s': %s", tmp,
				   g_strerror(e));
	}
	if (!relais_pki_write_new_file(tmp, data, len, mode, error))
		return FALSE;
	if (g_rename(tmp, path) != 0) {
		int e = errno;
		(void)g_unlink(tmp);
		return relais_fail(error, RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_IO, "cannot replace '%s': %s", path,
				   g_strerror(e));
	}
	return TRUE;
}

/* --- keys ---------------------------------------------------------------------- */

EVP_PKEY *relais_pki_ec_key_new(GError **error)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (key == NULL)
		crypto_fail(error, "making an EC P-256 key");
	return key;
}

gboolean relais_pki_is_ec_p256(EVP_PKEY *key)
{
	char curve[64] = "";
	if (key == NULL || !EVP_PKEY_is_a(key, "EC"))
		return FALSE;
	if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve, NULL)) {
		ERR_clear_error();
		return FALSE;
	}
	return g_strcmp0(curve, "prime256v1") == 0 || g_strcmp0(curve, "P-256") == 0;
}

static char *bio_dup(BIO *bio, gsize *len)
{
	char *p = NULL;
	long n = BIO_get_mem_data(bio, &p);
	if (len)
		*len = n > 0 ? (gsize)n : 0;
	return g_strndup(p, n > 0 ? (gsize)n : 0);
}

char *relais_pki_key_to_pem(EVP_PKEY *key, gsize *len, GError **error)
{
	g_autoptr(BIO) bio = BIO_new(BIO_s_mem());
	if (bio == NULL || !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)) {
		crypto_fail(error, "encoding the key");
		return NULL;
	}
	char *p = NULL;
	long n = BIO_get_mem_data(bio, &p);
	char *out = bio_dup(bio, len);
	OPENSSL_cleanse(p, n > 0 ? (size_t)n : 0);
	return out;
}

void relais_pki_secret_free(char *text)
{
	if (text == NULL)
		return;
	OPENSSL_cleanse(text, strlen(text));
	g_free(text);
}

EVP_PKEY *relais_pki_read_key(const char *path, GError **error)
{
	char *text = NULL;
	gsize len;
	g_autoptr(GError) local = NULL;
	if (!g_file_get_contents(path, &text, &len, &local)) {
		relais_fail(error, RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_IO, "key '%s': %s", path, local->message);
		return NULL;
	}
	g_autoptr(BIO) bio = BIO_new_mem_buf(text, (int)len);
	/* no passphrase callback: a program that starts unattended cannot ask */
	EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"") : NULL;
	OPENSSL_cleanse(text, len);
	g_free(text);
	if (key == NULL) {
		g_autofree char *why = relais_ssl_reason();
		relais_fail(error, RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_PARSE,
			    "key '%s' is not an unencrypted PEM private key (%s)", path, why);
	}
	return key;
}

EVP_PKEY *relais_pki_key_load_or_make(const char *path, gboolean *made, GError **error)
{
	if (made)
		*made = FALSE;
	struct stat st;
	if (g_lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			relais_fail(error, RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_IO, "key '%s' is not a regular file",
				    path);
			return NULL;
		}
		/* a key others could read is made private before it is used */
		if ((st.st_mode & 0077) != 0 && g_chmod(path, 0600) != 0) {
			int e = errno;
			relais_fail(error, RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_IO, "cannot make key '%s' 0600: %s", path,
				    g_strerror(e));
			return NULL;
		}
		g_autoptr(EVP_PKEY) key = relais_pki_read_key(path, error);
		if (key == NULL)
			return NULL;
		if (!relais_pki_is_ec_p256(key)) {
			relais_fail(error, RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_KEY_TYPE, "key '%s' is not EC P-256",
				    path);
			return NULL;
		}
		return g_steal_pointer(&key);
	}
	if (errno != ENOENT) {
		int e = errno;
		relais_fail(error, RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_IO, "key '%s': %s", path, g_strerror(e));
		return NULL;
	}
	g_autoptr(EVP_PKEY) key = relais_pki_ec_key_new(error);
	if (key == NULL)
		return NULL;
	gsize len = 0;
	char *pem = relais_pki_key_to_pem(key, &len, error);
	if (pem == NULL)
		return NULL;
	gboolean ok = relais_pki_write_new_file(path, pem, len, 0600, error);
	relais_pki_secret_free(pem);
	if (!ok)
		return NULL;
	if (made)
		*made = TRUE;
	return g_steal_pointer(&key);
}

/* --- certificates and requests -------------------------------------------------- */

X509 *relais_pki_cert_from_pem(const char *pem, gssize len, GError **error)
{
	if (pem == NULL) {
		relais_fail(error, RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_PARSE, "no certificate");
		return NULL;
	}
	g_autoptr(BIO) bio = BIO_new_mem_buf(pem, len < 0 ? -1 : (int)len);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	if (x == NULL) {
		g_autofree char *why = relais_ssl_reason();
		relais_fail(error, RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_PARSE, "not a PEM certificate (%s)", why);
	}
	return x;
}

X509 *relais_pki_read_cert(const char *path, GError **error)
{
	g_autofree char *text = NULL;
	gsize len;
	g_autoptr(GError) local = NULL;
	if (!g_file_get_contents(path, &text, &len, &local)) {
		relais_fail(error, RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_IO, "certificate '%s': %s", path, local->message);
		return NULL;
	}
	X509 *x = relais_pki_cert_from_pem(text, (gssize)len, &local);
	if (x == NULL)
		relais_fail(error, RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_PARSE, "certificate '%s' is %s", path,
			    local->message);
	return x;
}

char *relais_pki_cert_to_pem(X509 *cert, GError **error)
{
	g_autoptr(BIO) bio = BIO_new(BIO_s_mem());
	if (bio == NULL || !PEM_write_bio_X509(bio, cert)) {
		crypto_fail(error, "encoding the certificate");
		return NULL;
	}
	return bio_dup(bio, NULL);
}

X509_REQ *relais_pki_csr_new(EVP_PKEY *key, const char *cn, GError **error)
{
	g_autoptr(X509_REQ) req = X509_REQ_new();
	if (req == NULL || !X509_REQ_set_version(req, X509_REQ_VERSION_1) ||
	    !X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_UTF8, (const unsigned char *)cn,
					-1, -1, 0) ||
	    !X509_REQ_set_pubkey(req, key) || X509_REQ_sign(req, key, EVP_sha256()) == 0) {
		crypto_fail(error, "making the certificate request");
		return NULL;
	}
	return g_steal_pointer(&req);
}

X509_REQ *relais_pki_csr_from_pem(const char *pem, gssize len, GError **error)
{
	if (pem == NULL) {
		relais_fail(error, RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_PARSE, "no certificate request");
		return NULL;
	}
	g_autoptr(BIO) bio = BIO_new_mem_buf(pem, len < 0 ? -1 : (int)len);
	X509_REQ *req = bio ? PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL) : NULL;
	if (req == NULL) {
		g_autofree char *why = relais_ssl_reason();
		relais_fail(error, RELAIS_PKI_ERROR, RELAIS_PKI_ERROR_PARSE, "not a PEM certificate request (%s)", why);
	}
	return req;
}

char *relais_pki_csr_to_pem(X509_REQ *csr, GError **error)
{
	g_autoptr(BIO) bio = BIO_new(BIO_s_mem());
	if (bio == NULL || !PEM_write_bio_X509_REQ(bio, csr)) {
		crypto_fail(error, "encoding the certificate request");
		return NULL;
	}
	return bio_dup(bio, NULL);
}

gboolean relais_pki_add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value, GError **error)
{
	g_autoptr(X509_EXTENSION) ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	if (ext == NULL || !X509_add_ext(x, ext, -1)) {
		g_autofree char *what = g_strdup_printf("certificate extension %s", OBJ_nid2sn(nid));
		return crypto_fail(error, what);
	}
	return TRUE;
}

gboolean relais_pki_set_random_serial(X509 *x, GError **error)
{
	g_autoptr(BIGNUM) serial = BN_new();
	if (serial == NULL || !BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) == NULL)
		return crypto_fail(error, "certificate serial number");
	return TRUE;
}

char *relais_pki_serial_hex(X509 *x)
{
	g_autoptr(BIGNUM) bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	if (hex == NULL) {
		ERR_clear_error();
		return NULL;
	}
	char *out = g_ascii_strup(hex, -1);
	OPENSSL_free(hex);
	return out;
}

char *relais_pki_name_cn(const X509_NAME *name)
{
	int i = name ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
	if (i < 0)
		return NULL;
	ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	unsigned char *utf8 = NULL;
	int len = ASN1_STRING_to_UTF8(&utf8, data);
	if (len < 0) {
		ERR_clear_error();
		return NULL;
	}
	/* an embedded NUL would let "b-1\0evil" pass for "b-1" */
	char *out = memchr(utf8, '\0', (size_t)len) ? NULL : g_strndup((const char *)utf8, (gsize)len);
	OPENSSL_free(utf8);
	return out;
}

gint64 relais_pki_time_unix(const ASN1_TIME *t)
{
	struct tm tm = {0};
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm)) {
		ERR_clear_error();
		return 0;
	}
	return (gint64)timegm(&tm);
}

void relais_pki_cert_validity(X509 *x, gint64 *not_before, gint64 *not_after)
{
	if (not_before)
		*not_before = relais_pki_time_unix(X509_get0_notBefore(x));
	if (not_after)
		*not_after = relais_pki_time_unix(X509_get0_notAfter(x));
}
