/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * enrolment: when and how the booth gets and keeps its certificate (the
 * driver; enrol-client.h is the mechanism). At start and at each timer it
 * asks booth_enrol_status() what is due and acts:
 *
 *   clock not set   -> waiting ("waiting for time sync"), look again in a few seconds
 *   no certificate  -> with a token: key, request, simpleenroll, save, erase the
 *                      token from the settings file, ready;
 *                      without one: fault ("not enrolled")
 *   valid           -> ready; a timer at the renewal time
 *   due for renewal -> ready with the current one, simplereenroll over mutual
 *                      TLS, ready again with the new one
 *   expired         -> with a token: enrol again; without: fault
 *
 * A network failure or a switchboard error (5xx) is retried with backoff; a
 * refused token (401/403) is a fault: retrying it cannot help, a technician
 * must give a new one. A renewal that fails keeps the current certificate
 * and is retried (backoff) until the certificate expires.
 *
 * The owner hears three things: ready (present this certificate; again
 * after each renewal), waiting (out of order for now, it will pass by
 * itself) and fault (out of order until a technician acts).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _BoothEnrolment BoothEnrolment;

typedef struct {
	/* the certificate (with its key) to present on the link; transfer none */
	void (*ready)(BoothEnrolment *e, GTlsCertificate *client, gpointer user_data);
	/* temporarily unable to serve (clock not set, enrolling, switchboard
	 * unreachable before the first certificate): `reason` for the screen */
	void (*waiting)(BoothEnrolment *e, const char *reason, gpointer user_data);
	/* unable to serve until a technician acts: `reason` for the screen */
	void (*fault)(BoothEnrolment *e, const char *reason, gpointer user_data);
} BoothEnrolmentCallbacks;

/* The booth's clock in Unix seconds (tests shift it to play a Raspberry Pi
 * before time sync). */
typedef gint64 (*BoothEnrolmentClock)(gpointer user_data);

typedef struct {
	const char *data_dir;	     /* booth.key, booth.crt */
	const char *booth_id;	     /* the certificate's CN */
	const char *switchboard_url; /* wss://HOST:PORT/... (or https://): anything else is a fault */
	const char *token;	     /* (nullable) the one-time enrolment token */
	const char *settings_path;   /* (nullable) the settings file to erase the token from */
	GTlsDatabase *tls_database;  /* (nullable) the provisioned CA; NULL: the system's. Referenced. */
	gint64 build_time;	     /* the firmware's build time (0: unknown) */
	gint64 ca_not_before;	     /* the provisioned CA's notBefore (0: unknown) */
	BoothEnrolmentClock clock;   /* (nullable) NULL: the real time */
	gpointer clock_data;
	guint retry_min_ms, retry_max_ms; /* backoff after a failure (0: 1 s, 5 min) */
	guint clock_retry_ms;		  /* how often to look at an unset clock again (0: 3 s) */
} BoothEnrolmentConfig;

/* Nothing runs before booth_enrolment_start(). */
BoothEnrolment *booth_enrolment_new(const BoothEnrolmentConfig *config, const BoothEnrolmentCallbacks *callbacks,
				    gpointer user_data);
void booth_enrolment_start(BoothEnrolment *e);
/* The switchboard refused the certificate presented (revoked): with a token
 * at hand (a technician re-provisioned the booth with a new one) it enrols
 * anew; a refused token then changes nothing. Without one, nothing: the
 * booth is out of order for the refusal already. */
void booth_enrolment_refused(BoothEnrolment *e);
/* "clock", "enrolling", "ready", "renewing", "retrying" or "fault". */
const char *booth_enrolment_get_state(BoothEnrolment *e);
/* The certificate presented now, or NULL. (transfer none) */
GTlsCertificate *booth_enrolment_get_certificate(BoothEnrolment *e);
void booth_enrolment_free(BoothEnrolment *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BoothEnrolment, booth_enrolment_free)

G_END_DECLS
