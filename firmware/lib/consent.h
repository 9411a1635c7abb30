/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * consent: the visitor's yes or no to a guest who wants to join the call
 * (THREEWAY.md, PROTOCOL.md "A guest in the call"), as a pure state
 * machine the booth drives with the switchboard's messages and the clock.
 *
 *   idle --ask--> asking --answer/timeout--> idle (one guest_answer to send)
 *   asking --ask (another guest)--> asking (the newer one replaces it)
 *   asking --call ended--> idle (nothing to send: the call is gone)
 *
 * A second guest_ask replaces the first rather than being refused: the
 * switchboard lets at most one guest ask at a time, so a newer ask means
 * the older one is over there (declined by its timeout, cancelled); the
 * visitor must answer the one that can still come in. The same guest asked
 * again (sent anew after the booth's link came back) keeps its deadline.
 *
 * The guest's name and role are the visitor's session data: wiped (bytes
 * zeroed) when the ask ends, never logged here.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	RELAIS_CONSENT_IDLE,
	RELAIS_CONSENT_ASKING,
} RelaisConsentState;

/* What ended an ask: what relais_consent_take() hands back. */
typedef enum {
	RELAIS_CONSENT_NONE,	 /* nothing to send */
	RELAIS_CONSENT_ACCEPTED, /* send guest_answer{accept:true} */
	RELAIS_CONSENT_DECLINED, /* send guest_answer{accept:false}: the visitor's "Not now" */
	RELAIS_CONSENT_TIMED_OUT /* send guest_answer{accept:false}: nobody answered in time */
} RelaisConsentOutcome;

typedef struct _RelaisConsent RelaisConsent;

/* timeout_ms: how long the visitor has to answer (60 s in the product). */
RelaisConsent *relais_consent_new(guint timeout_ms);
void relais_consent_free(RelaisConsent *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisConsent, relais_consent_free)

/* A guest_ask for `call` at monotonic time now_us. Returns TRUE when it
 * replaced the ask of another guest (that one gets no answer from us). */
gboolean relais_consent_ask(RelaisConsent *c, const char *call, const char *guest, const char *name, const char *role,
			    gint64 now_us);
/* The visitor's answer. FALSE (nothing changes) when nothing is asked or
 * `guest` is not the one asked (NULL: whichever is asked). */
gboolean relais_consent_answer(RelaisConsent *c, const char *guest, gboolean accept);
/* The clock: past the deadline an ask ends as RELAIS_CONSENT_TIMED_OUT.
 * Returns TRUE when it did now. */
gboolean relais_consent_tick(RelaisConsent *c, gint64 now_us);
/* The call ended (or the guest left before the answer): the ask is
 * dropped with nothing to send. */
void relais_consent_cancel(RelaisConsent *c);

RelaisConsentState relais_consent_get_state(const RelaisConsent *c);
/* The ask now shown, NULL when idle. (transfer none) */
const char *relais_consent_get_call(const RelaisConsent *c);
const char *relais_consent_get_guest(const RelaisConsent *c);
const char *relais_consent_get_name(const RelaisConsent *c);
const char *relais_consent_get_role(const RelaisConsent *c);
/* Milliseconds left to answer (0 when idle or past), rounded up. */
gint64 relais_consent_ms_left(const RelaisConsent *c, gint64 now_us);
/* Monotonic µs of the deadline, 0 when idle: for the caller's timer. */
gint64 relais_consent_deadline_us(const RelaisConsent *c);

/* The answer the last ended ask owes the switchboard, once: the call and
 * guest ids are copied to *call and *guest (transfer full, may be NULL
 * pointers to skip). Returns RELAIS_CONSENT_NONE when nothing is owed. */
RelaisConsentOutcome relais_consent_take(RelaisConsent *c, char **call, char **guest);

const char *relais_consent_outcome_name(RelaisConsentOutcome o);

G_END_DECLS
