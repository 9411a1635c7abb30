/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * enrol: the booth enrolment service, shaped after EST (RFC 7030) and
 * without a transport (ENROL.md). enrol-http.c puts it on
 * /.well-known/est/; the command line and the administration page call it
 * to register and revoke booths.
 *
 *   - simpleenroll: a one-time token (step-ca's bootstrap token) and a
 *     PKCS#10 request made on the booth with a key that never leaves it; the
 *     request must name the token's booth. The certificate is recorded and
 *     the token burnt in one transaction.
 *   - simplereenroll: a booth that holds a valid certificate (checked by the
 *     caller at the TLS handshake, and again here) asks for a new one for
 *     the same booth, over mutual TLS, with no token.
 *   - registering a booth returns its token once; revoking a booth marks its
 *     certificates revoked and deletes its pending tokens.
 *
 * Every refusal is a typed SB_ENROL_ERROR; sb_enrol_http_status() maps it to
 * the reply an EST server gives.
 */
#pragma once

#include "boothca.h"
#include "store.h"

G_BEGIN_DECLS

#define SB_ENROL_ERROR (sb_enrol_error_quark())
GQuark sb_enrol_error_quark(void);

typedef enum {
	SB_ENROL_ERROR_TOKEN_UNKNOWN, /* no such token: mistyped, forged, or its booth was revoked */
	SB_ENROL_ERROR_TOKEN_EXPIRED, /* past its expiry */
	SB_ENROL_ERROR_TOKEN_USED,    /* already used for a certificate */
	SB_ENROL_ERROR_BAD_CSR,	      /* not a PEM PKCS#10 request, or not signed by its own key */
	SB_ENROL_ERROR_KEY_TYPE,      /* the request's key is not EC P-256 */
	SB_ENROL_ERROR_WRONG_BOOTH,   /* the request names another booth than the token's or certificate's */
	SB_ENROL_ERROR_CERT_REFUSED,  /* renewal: the presented certificate is not one of ours, or expired */
	SB_ENROL_ERROR_REVOKED,	      /* renewal: the booth's certificate was revoked */
	SB_ENROL_ERROR_INVALID,	      /* registering: a bad booth id, an unknown site, an unknown booth */
	SB_ENROL_ERROR_INTERNAL,      /* the store or the CA failed: the booth may retry later */
	SB_ENROL_ERROR_UNAVAILABLE,   /* the store cannot write now (a full disk, a lock): 503, retry later */
} SbEnrolError;

typedef struct _SbEnrol SbEnrol;

/* The service over `store` and `ca` (borrowed: they outlive it). The
 * certificate lifetime is CONFIG_RELAIS_SB_BOOTH_CERT_DAYS until set. */
SbEnrol *sb_enrol_new(SbStore *store, SbBoothCa *ca);
void sb_enrol_free(SbEnrol *enrol);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbEnrol, sb_enrol_free)
/* Lifetime of the certificates issued from now on, in seconds (0: the
 * Kconfig default). Tests and the demo shorten it to see renewals. */
void sb_enrol_set_cert_lifetime(SbEnrol *enrol, guint seconds);
guint sb_enrol_get_cert_lifetime(SbEnrol *enrol);

/* EST simpleenroll. `token`: the bearer token; `csr_pem`: the request.
 * *issued (nullable; transfer full) gets what was recorded.
 * Returns: (transfer full) the certificate (PEM), or NULL. */
G_GNUC_WARN_UNUSED_RESULT
char *sb_enrol_simpleenroll(SbEnrol *enrol, const char *token, const char *csr_pem, SbBoothCert **issued,
			    GError **error);
/* EST simplereenroll: `client_cert_pem` is the certificate the booth
 * presented at the handshake. Returns: (transfer full) the new certificate. */
G_GNUC_WARN_UNUSED_RESULT
char *sb_enrol_simplereenroll(SbEnrol *enrol, const char *client_cert_pem, const char *csr_pem, SbBoothCert **issued,
			      GError **error);

/* `booth add NAME --site SITE`: creates booth NAME (the protocol's booth
 * id) at site SITE (by name), or moves an existing one there, and returns
 * a new enrolment token, to be shown once (valid `ttl_s`, 0: Kconfig;
 * *expires nullable). A booth already enrolled keeps its certificate: the
 * token lets a replaced card enrol again. Returns: (transfer full). */
G_GNUC_WARN_UNUSED_RESULT
char *sb_enrol_booth_add(SbEnrol *enrol, const char *booth_id, const char *site_name, guint ttl_s, gint64 *expires,
			 GError **error);
/* Revokes booth `booth_id` (sb_store_booth_revoke). The caller then closes
 * the booth's open connections (the hub's booth, the TLS link). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_enrol_booth_revoke(SbEnrol *enrol, const char *booth_id, guint *revoked, GError **error);

/* A booth's enrolment as the administration page shows it. */
typedef enum {
	SB_ENROL_STATE_NONE,	 /* no certificate, no usable token */
	SB_ENROL_STATE_PENDING,	 /* no valid certificate; a token waits to be used */
	SB_ENROL_STATE_ENROLLED, /* a certificate valid now, not revoked */
	SB_ENROL_STATE_EXPIRED,	 /* certificates, all out of date: it needs a new token */
	SB_ENROL_STATE_REVOKED,	 /* its newest certificate is revoked */
} SbEnrolState;

typedef struct {
	SbEnrolState state;
	gint64 cert_expires;  /* the latest expiry of its valid certificates; 0: none */
	gint64 token_expires; /* its pending token's expiry; 0: none */
	gint64 revoked_at;    /* when its newest certificate was revoked; 0: not */
} SbEnrolStatus;

/* The status of a booth from its certificates (sb_store_cert_list, newest
 * first; NULL: none) and its pending token's expiry (0: none) at `now`.
 * Pure: an enrolled booth given a new token (a replaced card) stays
 * ENROLLED, a revoked one given a new token is PENDING. */
void sb_enrol_status_of(GPtrArray *certs, gint64 token_expires, gint64 now, SbEnrolStatus *out);
/* "none", "pending", "enrolled", "expired", "revoked". */
const char *sb_enrol_state_name(SbEnrolState state);

/* The TLS peer certificate of a booth connection, checked with the CA and
 * the store (sb_booth_ca_check_tls): what the booth listener's
 * accept-certificate handler and /ws/booth ask. Errors: SB_BOOTH_CA_ERROR.
 * Returns: (transfer full) who it is, or NULL. */
G_GNUC_WARN_UNUSED_RESULT
SbBoothCert *sb_enrol_check_peer(SbEnrol *enrol, GTlsCertificate *peer, GError **error);

/* The token of an `Authorization: Bearer <token>` header (the scheme in any
 * case, one space), or NULL. Returns: (transfer none) a pointer into `header`. */
const char *sb_enrol_bearer_token(const char *header);
/* The HTTP status for an enrolment error: 401 (token), 400 (request), 403
 * (booth, certificate, revoked), 500 (internal). */
guint sb_enrol_http_status(const GError *error);

G_END_DECLS
