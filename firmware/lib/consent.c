/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-consent"

#include "consent.h"

#include <string.h>

struct _RelaisConsent {
	guint timeout_ms;
	RelaisConsentState state;
	char *call, *guest, *name, *role;
	gint64 deadline_us;
	/* the answer owed for the ask that ended last */
	RelaisConsentOutcome owed;
	char *owed_call, *owed_guest;
};

/* session data: zeroed before it is freed */
static void wipe_str(char **s)
{
	if (*s) {
		memset(*s, 0, strlen(*s));
		g_clear_pointer(s, g_free);
	}
}

static void clear_ask(RelaisConsent *c)
{
	wipe_str(&c->call);
	wipe_str(&c->guest);
	wipe_str(&c->name);
	wipe_str(&c->role);
	c->deadline_us = 0;
	c->state = RELAIS_CONSENT_IDLE;
}

static void clear_owed(RelaisConsent *c)
{
	wipe_str(&c->owed_call);
	wipe_str(&c->owed_guest);
	c->owed = RELAIS_CONSENT_NONE;
}

RelaisConsent *relais_consent_new(guint timeout_ms)
{
	RelaisConsent *c = g_new0(RelaisConsent, 1);
	c->timeout_ms = MAX(timeout_ms, 1);
	return c;
}

void relais_consent_free(RelaisConsent *c)
{
	if (c == NULL)
		return;
	clear_ask(c);
	clear_owed(c);
	g_free(c);
}

/* the ask ends with `o`: the answer is owed until taken */
static void end_ask(RelaisConsent *c, RelaisConsentOutcome o)
{
	clear_owed(c);
	c->owed = o;
	c->owed_call = g_steal_pointer(&c->call);
	c->owed_guest = g_steal_pointer(&c->guest);
	clear_ask(c);
}

gboolean relais_consent_ask(RelaisConsent *c, const char *call, const char *guest, const char *name, const char *role,
			    gint64 now_us)
{
	g_return_val_if_fail(c && call && guest && name && role, FALSE);
	if (c->state == RELAIS_CONSENT_ASKING && g_strcmp0(c->guest, guest) == 0 && g_strcmp0(c->call, call) == 0) {
		/* the same guest asked again (resent after our link came
		 * back): same deadline, fresh name and role */
		wipe_str(&c->name);
		wipe_str(&c->role);
		c->name = g_strdup(name);
		c->role = g_strdup(role);
		return FALSE;
	}
	gboolean replaced = c->state == RELAIS_CONSENT_ASKING;
	clear_ask(c);
	c->state = RELAIS_CONSENT_ASKING;
	c->call = g_strdup(call);
	c->guest = g_strdup(guest);
	c->name = g_strdup(name);
	c->role = g_strdup(role);
	c->deadline_us = now_us + (gint64)c->timeout_ms * 1000;
	return replaced;
}

gboolean relais_consent_answer(RelaisConsent *c, const char *guest, gboolean accept)
{
	if (c->state != RELAIS_CONSENT_ASKING || (guest && g_strcmp0(guest, c->guest) != 0))
		return FALSE;
	end_ask(c, accept ? RELAIS_CONSENT_ACCEPTED : RELAIS_CONSENT_DECLINED);
	return TRUE;
}

gboolean relais_consent_tick(RelaisConsent *c, gint64 now_us)
{
	if (c->state != RELAIS_CONSENT_ASKING || now_us < c->deadline_us)
		return FALSE;
	end_ask(c, RELAIS_CONSENT_TIMED_OUT);
	return TRUE;
}

void relais_consent_cancel(RelaisConsent *c)
{
	clear_ask(c);
	clear_owed(c);
}

RelaisConsentState relais_consent_get_state(const RelaisConsent *c)
{
	return c->state;
}

const char *relais_consent_get_call(const RelaisConsent *c)
{
	return c->call;
}

const char *relais_consent_get_guest(const RelaisConsent *c)
{
	return c->guest;
}

const char *relais_consent_get_name(const RelaisConsent *c)
{
	return c->name;
}

const char *relais_consent_get_role(const RelaisConsent *c)
{
	return c->role;
}

gint64 relais_consent_ms_left(const RelaisConsent *c, gint64 now_us)
{
	if (c->state != RELAIS_CONSENT_ASKING || now_us >= c->deadline_us)
		return 0;
	return (c->deadline_us - now_us + 999) / 1000;
}

gint64 relais_consent_deadline_us(const RelaisConsent *c)
{
	return c->state == RELAIS_CONSENT_ASKING ? c->deadline_us : 0;
}

RelaisConsentOutcome relais_consent_take(RelaisConsent *c, char **call, char **guest)
{
	RelaisConsentOutcome o = c->owed;
	if (o != RELAIS_CONSENT_NONE) {
		if (call)
			*call = g_strdup(c->owed_call);
		if (guest)
			*guest = g_strdup(c->owed_guest);
	}
	clear_owed(c);
	return o;
}

const char *relais_consent_outcome_name(RelaisConsentOutcome o)
{
	switch (o) {
	case RELAIS_CONSENT_ACCEPTED:
		return "accepted";
	case RELAIS_CONSENT_DECLINED:
		return "declined";
	case RELAIS_CONSENT_TIMED_OUT:
		return "timed-out";
	case RELAIS_CONSENT_NONE:
	default:
		return "none";
	}
}
