/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cert: the switchboard's TLS certificate (OpenSSL 3).
 *
 *   - loads a PEM certificate and key given on the command line, checking
 *     that each file is readable and that the key belongs to the certificate
 *     (a mismatched pair would only fail later, at each client's handshake);
 *   - makes a self-signed certificate for trials (`make-cert`): an EC P-256
 *     key, SHA-256, subjectAltName for the name (and the loopback addresses
 *     for localhost). A real deployment uses a certificate from its CA.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SB_CERT_ERROR (sb_cert_error_quark())
GQuark sb_cert_error_quark(void);

typedef enum {
	SB_CERT_ERROR_ARGS,	/* a bad name, number of days, folder */
	SB_CERT_ERROR_EXISTS,	/* the file is there and force was not given */
	SB_CERT_ERROR_IO,	/* cannot read or write a file */
	SB_CERT_ERROR_PARSE,	/* not a PEM certificate / key */
	SB_CERT_ERROR_MISMATCH, /* the key is not the certificate's */
	SB_CERT_ERROR_CRYPTO,	/* OpenSSL failed */
} SbCertError;

#define SB_CERT_FILE	     "switchboard.crt"
#define SB_KEY_FILE	     "switchboard.key"
#define SB_CERT_DEFAULT_NAME "localhost"
#define SB_CERT_DEFAULT_DAYS 90
#define SB_CERT_MAX_DAYS     3650

/* Writes DIR/switchboard.crt (0644) and DIR/switchboard.key (0600), DIR
 * created if missing. Refuses an existing file unless `force`. `name`: a DNS
 * name or an IP address. */
gboolean sb_cert_make_self_signed(const char *dir, const char *name, guint days, gboolean force,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* SHA-256 of the certificate (DER), "AB:CD:..." as `openssl x509 -fingerprint
 * -sha256` prints it. Returns: (transfer full) */
char *sb_cert_fingerprint(const char *cert_file, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Base64 of the SHA-256 of the certificate's public key (SPKI), what
 * Chromium's --ignore-certificate-errors-spki-list and HPKP pins take.
 * Returns: (transfer full) */
char *sb_cert_spki_sha256(const char *cert_file, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The pair as a GTlsCertificate for the server; errors name the file.
 * Returns: (transfer full) */
GTlsCertificate *sb_cert_load_pair(const char *cert_file, const char *key_file,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* `relais-switchboard make-cert --out DIR [--name HOST] [--days N] [--force]`:
 * argv[0] is "make-cert". Prints the fingerprints on stdout, errors on
 * stderr. Returns: the exit code (0, 1: failed, 2: bad arguments). */
int sb_cert_command(int argc, char **argv);

G_END_DECLS
