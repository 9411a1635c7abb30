/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pki: the X.509 and key handling the switchboard and the booth share
 * (OpenSSL 3), written once: EC P-256 keys made and kept in 0600 files,
 * PEM in and out, certificate signing requests, serials, times, subject
 * names. Used by the switchboard's TLS certificate (cert.c), its booth CA
 * (boothca.c) and the booth's enrolment client (enrol-client.c).
 *
 * Errors are RELAIS_PKI_ERROR and name the file or the object.
 */
#pragma once

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

G_BEGIN_DECLS

#define RELAIS_PKI_ERROR (relais_pki_error_quark())
GQuark relais_pki_error_quark(void);

typedef enum {
	RELAIS_PKI_ERROR_IO,	   /* cannot read or write a file */
	RELAIS_PKI_ERROR_EXISTS,   /* the file to create is already there */
	RELAIS_PKI_ERROR_PARSE,	   /* not a PEM certificate, key or request */
	RELAIS_PKI_ERROR_MISMATCH, /* the key is not the certificate's */
	RELAIS_PKI_ERROR_KEY_TYPE, /* not an EC P-256 key */
	RELAIS_PKI_ERROR_CRYPTO,   /* OpenSSL failed */
} RelaisPkiError;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(X509_REQ, X509_REQ_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(X509_EXTENSION, X509_EXTENSION_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(X509_STORE, X509_STORE_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(X509_STORE_CTX, X509_STORE_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BIGNUM, BN_free)

/* --- files --------------------------------------------------------------------- */

/* Writes `len` bytes to a new file of `mode` (O_EXCL, O_NOFOLLOW: never
 * through an existing file or link; EXISTS when it is there), fsynced. The
 * umask does not change the mode. */
gboolean relais_pki_write_new_file(const char *path, const char *data, gsize len, guint mode,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Replaces `path` atomically (a new file beside it, then rename): a power
 * cut leaves the old file or the new one, never half of one. */
gboolean relais_pki_replace_file(const char *path, const char *data, gsize len, guint mode,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* --- keys ---------------------------------------------------------------------- */

/* A new EC P-256 key. Returns: (transfer full) or NULL. */
EVP_PKEY *relais_pki_ec_key_new(GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* TRUE for an EC key on the P-256 curve (prime256v1). */
gboolean relais_pki_is_ec_p256(EVP_PKEY *key);
/* The key in file `path` (unencrypted PEM), or a new EC P-256 key written
 * there 0600 when the file does not exist (*made set). An existing file
 * readable by group or others is made 0600; a key that is not EC P-256 is
 * KEY_TYPE. Returns: (transfer full) or NULL. */
EVP_PKEY *relais_pki_key_load_or_make(const char *path, gboolean *made, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The unencrypted PEM private key in `path`. Returns: (transfer full). */
EVP_PKEY *relais_pki_read_key(const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Returns: (transfer full) PKCS#8 PEM; the caller cleanses and frees it
 * with relais_pki_secret_free(). */
char *relais_pki_key_to_pem(EVP_PKEY *key, gsize *len, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void relais_pki_secret_free(char *text);

/* --- certificates and requests -------------------------------------------------- */

/* The first certificate of a PEM text (len -1: NUL-terminated). */
X509 *relais_pki_cert_from_pem(const char *pem, gssize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The certificate in PEM file `path`; the error names the file. */
X509 *relais_pki_read_cert(const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Returns: (transfer full) */
char *relais_pki_cert_to_pem(X509 *cert, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* A certificate signing request (PKCS#10) for subject CN=`cn`, signed with
 * `key` (SHA-256). Returns: (transfer full). */
X509_REQ *relais_pki_csr_new(EVP_PKEY *key, const char *cn, GError **error) G_GNUC_WARN_UNUSED_RESULT;
X509_REQ *relais_pki_csr_from_pem(const char *pem, gssize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;
char *relais_pki_csr_to_pem(X509_REQ *csr, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Adds extension `nid` with OpenSSL's text form (`critical,CA:TRUE`). */
gboolean relais_pki_add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* A random positive 127-bit serial (RFC 5280: at most 20 octets). */
gboolean relais_pki_set_random_serial(X509 *cert, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The serial, upper-case hex without separators. Returns: (transfer full) */
char *relais_pki_serial_hex(X509 *cert);
/* The (first) CN of a name, or NULL. Returns: (transfer full) */
char *relais_pki_name_cn(const X509_NAME *name);
/* An ASN.1 time as unix seconds (0 when it cannot be read). */
gint64 relais_pki_time_unix(const ASN1_TIME *t);
/* The certificate's validity as unix seconds. */
void relais_pki_cert_validity(X509 *cert, gint64 *not_before, gint64 *not_after);

G_END_DECLS
