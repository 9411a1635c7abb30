/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * enrol-client: the booth's side of enrolment (firmware/switchboard/ENROL.md),
 * as AWS IoT fleet provisioning does it: the key is made on the booth and
 * never sent anywhere, a certificate signing request naming the booth id
 * goes to the switchboard's EST endpoint with the one-time token, over TLS
 * checked against the provisioned CA, and the certificate that comes back
 * is what the booth presents from then on (mutual TLS). Renewal, at two
 * thirds of the lifetime, goes over mutual TLS without a token.
 *
 * Files in the booth's data folder: booth.key (EC P-256, 0600, made once)
 * and booth.crt (0644, replaced atomically). This module makes no decision
 * about when to run: booth_enrol_status() says what is due and the booth's
 * start-up (and a timer) acts on it.
 *
 * A Raspberry Pi has no real-time clock: at first boot the clock may read
 * 1970 or the image's build day until NTP answers. A clock earlier than
 * the build or than the CA's notBefore is "waiting for time sync", never a
 * certificate failure.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define BOOTH_ENROL_ERROR (booth_enrol_error_quark())
GQuark booth_enrol_error_quark(void);

typedef enum {
	BOOTH_ENROL_ERROR_IO,	    /* the key or certificate file cannot be read or written */
	BOOTH_ENROL_ERROR_CRYPTO,   /* making the key or the request failed */
	BOOTH_ENROL_ERROR_URL,	    /* the switchboard URL is not ws(s):// or http(s):// */
	BOOTH_ENROL_ERROR_NETWORK,  /* no answer, or TLS failed (the server is not the provisioned one) */
	BOOTH_ENROL_ERROR_REFUSED,  /* the switchboard said no (the status says why: 401 token, 403, 400) */
	BOOTH_ENROL_ERROR_BAD_CERT, /* the answer is not a certificate for this booth and this key */
} BoothEnrolError;

#define BOOTH_ENROL_KEY_FILE  "booth.key"
#define BOOTH_ENROL_CERT_FILE "booth.crt"
/* No clock before this is right: this code did not exist (2026-01-01). */
#define BOOTH_ENROL_MIN_TIME 1767225600

typedef enum {
	BOOTH_CERT_NONE,	/* no certificate (or not this key's): enrol with the token */
	BOOTH_CERT_VALID,	/* present it; renew at *renew_at */
	BOOTH_CERT_RENEW,	/* past two thirds of its lifetime: renew over mutual TLS */
	BOOTH_CERT_EXPIRED,	/* too late to renew: a technician gives a new token */
	BOOTH_CERT_CLOCK_UNSET, /* the clock is not set yet: wait for time sync, say so */
} BoothCertState;

const char *booth_cert_state_name(BoothCertState state);

/* When a certificate valid from not_before to not_after is due for renewal:
 * two thirds of the way. */
gint64 booth_enrol_renew_at(gint64 not_before, gint64 not_after);
/* FALSE when `now` is before BOOTH_ENROL_MIN_TIME, `build_time` or
 * `ca_not_before` (0: unknown): the clock has not been set. */
gboolean booth_enrol_clock_sane(gint64 now, gint64 build_time, gint64 ca_not_before);
/* notBefore of the first certificate of `ca_pem` (the provisioned CA, as
 * the settings file holds it: RelaisBoothConf.ca_pem), or 0 with `error` set. */
gint64 booth_enrol_ca_not_before(const char *ca_pem, GError **error);

/* What is due for the booth's certificate in `data_dir` at `now` (clock
 * checked first). *renew_at (nullable) gets the renewal time of a valid
 * certificate. A certificate that is unreadable, not for `booth_id` or not
 * for the key on disk reads as NONE (enrol again), not as an error. */
BoothCertState booth_enrol_status(const char *data_dir, const char *booth_id, gint64 now, gint64 build_time,
				  gint64 ca_not_before, gint64 *renew_at);

/* The request (PEM) for CN=`booth_id` with the booth's key, made 0600 in
 * `data_dir` the first time. Returns: (transfer full). */
G_GNUC_WARN_UNUSED_RESULT
char *booth_enrol_make_csr(const char *data_dir, const char *booth_id, GError **error);

/* https://HOST:PORT/.well-known/est/simpleenroll (or simplereenroll) for
 * the switchboard URL the booth is given (ws://, wss://, http://, https://;
 * ws maps to http, wss to https). Returns: (transfer full) or NULL. */
G_GNUC_WARN_UNUSED_RESULT
char *booth_enrol_url(const char *switchboard_url, gboolean renew, GError **error);

/* POSTs `csr_pem` to `url` on `session` (whose TLS database is the
 * provisioned CA): with `token` as Authorization: Bearer for an enrolment,
 * or with `client` (the current certificate and key) for a renewal. */
void booth_enrol_request_async(SoupSession *session, const char *url, const char *token, GTlsCertificate *client,
			       const char *csr_pem, GCancellable *cancellable, GAsyncReadyCallback callback,
			       gpointer user_data);
/* The certificate (PEM) from the answer; *status (nullable) gets the HTTP
 * status (0 without an answer). Returns: (transfer full) or NULL. */
char *booth_enrol_request_finish(GAsyncResult *result, guint *status, GError **error);

/* Checks that `cert_pem` is for `booth_id` and for the key in `data_dir`,
 * then replaces data_dir/booth.crt atomically. *not_after (nullable) gets
 * its expiry. */
G_GNUC_WARN_UNUSED_RESULT
gboolean booth_enrol_save_cert(const char *data_dir, const char *booth_id, const char *cert_pem, gint64 *not_after,
			       GError **error);

/* The booth's certificate and key as what a SoupMessage presents
 * (soup_message_set_tls_client_certificate). Returns: (transfer full). */
G_GNUC_WARN_UNUSED_RESULT
GTlsCertificate *booth_enrol_client_certificate(const char *data_dir, GError **error);

G_END_DECLS
