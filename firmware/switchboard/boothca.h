/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * boothca: the switchboard's booth CA (OpenSSL 3; ENROL.md). A private CA
 * whose only job is to certify booths: an EC P-256 key (0600) and a
 * self-signed CA certificate (basicConstraints CA:TRUE, pathlen 0; keyUsage
 * keyCertSign, cRLSign) in the switchboard's data folder, made on first use
 * or by `relais-switchboard ca init`.
 *
 * It signs a booth's certificate signing request (PKCS#10) after checking
 * it: the request's own signature, an EC P-256 key, and a subject CN equal
 * to the booth the caller vouches for (the token's booth, or the booth of
 * the certificate presented for a renewal). The certificate says only
 * CN=<booth id>, clientAuth, digitalSignature, with a random serial.
 *
 * It verifies a client certificate presented at the TLS handshake: chained
 * to this CA, within its validity at the store's clock, for client
 * authentication, and (with the store) recorded for that booth and not
 * revoked. Nothing here knows HTTP or a socket.
 */
#pragma once

#include "store.h"

#include <gio/gio.h>

G_BEGIN_DECLS

#define SB_BOOTH_CA_ERROR (sb_booth_ca_error_quark())
GQuark sb_booth_ca_error_quark(void);

typedef enum {
	SB_BOOTH_CA_ERROR_IO,		 /* cannot read or write the CA's files */
	SB_BOOTH_CA_ERROR_EXISTS,	 /* `ca init` on a folder that has a CA */
	SB_BOOTH_CA_ERROR_BROKEN,	 /* half a CA, a key not the certificate's, not a CA */
	SB_BOOTH_CA_ERROR_PARSE,	 /* not a PEM request or certificate */
	SB_BOOTH_CA_ERROR_BAD_SIGNATURE, /* the request is not signed by its own key */
	SB_BOOTH_CA_ERROR_KEY_TYPE,	 /* the request's key is not EC P-256 */
	SB_BOOTH_CA_ERROR_WRONG_BOOTH,	 /* the request names another booth (or none) */
	SB_BOOTH_CA_ERROR_UNTRUSTED,	 /* not issued by this CA, or not for client authentication */
	SB_BOOTH_CA_ERROR_EXPIRED,	 /* outside its validity (or not yet valid) */
	SB_BOOTH_CA_ERROR_REVOKED,	 /* the store says revoked */
	SB_BOOTH_CA_ERROR_UNKNOWN,	 /* signed by this CA but not recorded for the booth */
	SB_BOOTH_CA_ERROR_CRYPTO,	 /* OpenSSL failed */
} SbBoothCaError;

#define SB_BOOTH_CA_CERT_FILE "booth-ca.crt"
#define SB_BOOTH_CA_KEY_FILE  "booth-ca.key"
/* The CA certificate's own lifetime: longer than any booth's life in the field. */
#define SB_BOOTH_CA_DAYS 7300

typedef struct _SbBoothCa SbBoothCa;

/* Makes DIR/booth-ca.key (0600) and DIR/booth-ca.crt (0644), DIR created
 * 0700 if missing. EXISTS when either file is there: replacing the CA would
 * cut off every enrolled booth. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_booth_ca_init(const char *dir, GError **error);
/* Loads the CA of DIR; with `create`, makes it first when neither file
 * exists. BROKEN for one file without the other, a key that is not the
 * certificate's or not EC P-256, a certificate that is not a CA.
 * Returns: (transfer full) or NULL. */
G_GNUC_WARN_UNUSED_RESULT
SbBoothCa *sb_booth_ca_open(const char *dir, gboolean create, GError **error);
void sb_booth_ca_free(SbBoothCa *ca);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbBoothCa, sb_booth_ca_free)

/* DIR/booth-ca.crt: what the server's TLS listener trusts for client
 * certificates. Returns: (transfer none) */
const char *sb_booth_ca_cert_path(SbBoothCa *ca);
/* When the CA certificate starts: a booth whose clock is earlier has not
 * synchronised it yet (enrol-client.h). */
gint64 sb_booth_ca_not_before(SbBoothCa *ca);

/* Signs `csr_pem` for booth `booth_id`: valid from an hour before `now`
 * (a booth clock a little behind still accepts it) for `lifetime_s`
 * seconds. *issued (nullable; transfer full) gets the serial, booth and
 * validity to record.
 * Errors: PARSE, KEY_TYPE, BAD_SIGNATURE, WRONG_BOOTH, CRYPTO.
 * Returns: (transfer full) the certificate, PEM. */
G_GNUC_WARN_UNUSED_RESULT
char *sb_booth_ca_sign(SbBoothCa *ca, const char *csr_pem, const char *booth_id, gint64 now, guint lifetime_s,
		       SbBoothCert **issued, GError **error);

/* The cryptographic check of a presented certificate (PEM) at `now`:
 * signed by this CA, valid, for client authentication, CN a booth id.
 * Errors: PARSE, UNTRUSTED, EXPIRED. Returns: (transfer full) what it says
 * (serial, booth, validity; issued and revoked_at 0), or NULL. */
G_GNUC_WARN_UNUSED_RESULT
SbBoothCert *sb_booth_ca_verify(SbBoothCa *ca, const char *cert_pem, gint64 now, GError **error);
/* sb_booth_ca_verify at the store's clock, then the store: recorded for
 * that booth (UNKNOWN), not revoked (REVOKED), within the recorded validity
 * (EXPIRED). What the server calls at the handshake and before a renewal. */
G_GNUC_WARN_UNUSED_RESULT
SbBoothCert *sb_booth_ca_check_client(SbBoothCa *ca, SbStore *store, const char *cert_pem, GError **error);
/* The same for the peer certificate of a TLS connection (libsoup's
 * accept-certificate, soup_server_message_get_tls_peer_certificate). */
G_GNUC_WARN_UNUSED_RESULT
SbBoothCert *sb_booth_ca_check_tls(SbBoothCa *ca, SbStore *store, GTlsCertificate *peer, GError **error);

G_END_DECLS
