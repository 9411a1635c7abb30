/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-enrol"

#include "enrolment.h"
#include "backoff.h"
#include "enrol-client.h"
#include "boothconf.h"
#include "pki.h"

#include <libsoup/soup.h>
#include <string.h>

typedef enum {
	ST_IDLE,
	ST_CLOCK,
	ST_ENROLLING,
	ST_READY,
	ST_RENEWING,
	ST_RETRYING,
	ST_FAULT,
} State;

static const char *const state_names[] = {"idle", "clock", "enrolling", "ready", "renewing", "retrying", "fault"};

struct _BoothEnrolment {
	char *data_dir, *booth_id, *url, *token, *settings_path;
	gint64 build_time, ca_not_before;
	BoothEnrolmentClock clock;
	gpointer clock_data;
	BoothEnrolmentCallbacks cb;
	gpointer user_data;
	guint clock_retry_ms;
	RelaisBackoff backoff;
	SoupSession *session;
	GCancellable *cancellable; /* the request in flight */
	guint timer_id;
	State state;
	GTlsCertificate *cert; /* presented now (given to ready) */
	gint64 request_us;     /* the request's start (CSR made), for the log */
	gboolean renewed;      /* the last step saved a renewal */
	/* a certificate the switchboard issued that could not be written (a
	 * full data partition): kept here, saved again at each step, never
	 * lost (a first enrolment's token is spent by then) */
	char *unsaved_pem;
	gboolean unsaved_renewal;
};

static void step(BoothEnrolment *e);

BoothEnrolment *booth_enrolment_new(const BoothEnrolmentConfig *config, const BoothEnrolmentCallbacks *callbacks,
				    gpointer user_data)
{
	BoothEnrolment *e = g_new0(BoothEnrolment, 1);
	e->data_dir = g_strdup(config->data_dir);
	e->booth_id = g_strdup(config->booth_id);
	e->url = g_strdup(config->switchboard_url);
	e->token = g_strdup(config->token);
	e->settings_path = g_strdup(config->settings_path);
	e->build_time = config->build_time;
	e->ca_not_before = config->ca_not_before;
	e->clock = config->clock;
	e->clock_data = config->clock_data;
	e->cb = *callbacks;
	e->user_data = user_data;
	e->clock_retry_ms = config->clock_retry_ms ? config->clock_retry_ms : 3000;
	relais_backoff_init(&e->backoff, config->retry_min_ms ? config->retry_min_ms : 1000,
			    config->retry_max_ms ? config->retry_max_ms : 5 * 60 * 1000);
	e->session = soup_session_new_with_options("user-agent", "relais-booth", "timeout", 30, NULL);
	if (config->tls_database)
		soup_session_set_tls_database(e->session, config->tls_database);
	return e;
}

static gint64 now_s(BoothEnrolment *e)
{
	return e->clock ? e->clock(e->clock_data) : g_get_real_time() / G_USEC_PER_SEC;
}

static char *iso_time(gint64 t)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);
	return dt ? g_date_time_format_iso8601(dt) : g_strdup_printf("@%" G_GINT64_FORMAT, t);
}

static void schedule(BoothEnrolment *e, guint delay_ms);

static gboolean on_timer(gpointer data)
{
	BoothEnrolment *e = data;
	e->timer_id = 0;
	step(e);
	return G_SOURCE_REMOVE;
}

static void schedule(BoothEnrolment *e, guint delay_ms)
{
	g_clear_handle_id(&e->timer_id, g_source_remove);
	e->timer_id = g_timeout_add(delay_ms, on_timer, e);
}

static void fault(BoothEnrolment *e, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void fault(BoothEnrolment *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_warning("enrolment: %s", reason);
	e->state = ST_FAULT;
	if (e->cb.fault)
		e->cb.fault(e, reason, e->user_data);
}

static void waiting(BoothEnrolment *e, const char *reason)
{
	/* a booth that has a certificate goes on serving with it */
	if (e->cert == NULL && e->cb.waiting)
		e->cb.waiting(e, reason, e->user_data);
}

/* Loads what is on disk and gives it to the owner. */
static gboolean present(BoothEnrolment *e)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GTlsCertificate) cert = booth_enrol_client_certificate(e->data_dir, &error);
	if (cert == NULL) {
		fault(e, "cannot load this booth's certificate: %s", error->message);
		return FALSE;
	}
	g_set_object(&e->cert, cert);
	if (e->cb.ready)
		e->cb.ready(e, cert, e->user_data);
	return TRUE;
}

/* "SERIAL valid until ISO" of the saved certificate */
static char *describe_saved(BoothEnrolment *e)
{
	g_autofree char *path = g_build_filename(e->data_dir, BOOTH_ENROL_CERT_FILE, NULL);
	g_autoptr(X509) x = relais_pki_read_cert(path, NULL);
	if (x == NULL)
		return g_strdup("?");
	g_autofree char *serial = relais_pki_serial_hex(x);
	gint64 not_after = 0;
	relais_pki_cert_validity(x, NULL, &not_after);
	g_autofree char *until = iso_time(not_after);
	return g_strdup_printf("%s valid until %s", serial, until);
}

static void retry_later(BoothEnrolment *e, const char *what, const GError *error)
{
	guint delay = relais_backoff_next(&e->backoff, NULL);
	g_warning("%s: %s; trying again in %u ms", what, error->message, delay);
	e->state = ST_RETRYING;
	if (e->cert == NULL) {
		g_autofree char *reason =
			g_strdup_printf("enrolling with the switchboard: %s (trying again)", error->message);
		waiting(e, reason);
	}
	schedule(e, delay);
}

static void save(BoothEnrolment *e, const char *pem, gboolean renewal);

static void on_answer(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	guint status = 0;
	g_autofree char *pem = booth_enrol_request_finish(res, &status, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return; /* freed, or asked again */
	BoothEnrolment *e = data;
	g_clear_object(&e->cancellable);
	gboolean renewal = e->state == ST_RENEWING;
	const char *what = renewal ? "renewing the certificate" : "enrolling";
	if (pem == NULL) {
		/* a refused token does not get better by asking again; a
		 * refused renewal is retried while the certificate lasts (the
		 * switchboard may be mid-restore, its clock may be off) */
		if (!renewal && e->cert && g_error_matches(error, BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_REFUSED)) {
			/* enrolling anew after a refusal: the booth is out
			 * of order for that already; the token is spent */
			g_warning("enrolling again: %s; the token is forgotten", error->message);
			g_clear_pointer(&e->token, g_free);
			e->state = ST_READY;
			return;
		}
		if (!renewal && g_error_matches(error, BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_REFUSED) &&
		    (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)) {
			fault(e, "the enrolment token was refused: %s. Please call a technician.", error->message);
			return;
		}
		if (!renewal && g_error_matches(error, BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_REFUSED) &&
		    status == SOUP_STATUS_BAD_REQUEST) {
			fault(e, "the switchboard refused this booth's request: %s", error->message);
			return;
		}
		retry_later(e, what, error);
		return;
	}
	save(e, pem, renewal);
}

/* Saves an issued certificate (an answer, or one kept since a write
 * failed) and goes on with it. */
static void save(BoothEnrolment *e, const char *pem, gboolean renewal)
{
	g_autoptr(GError) error = NULL;
	gint64 not_after = 0;
	if (!booth_enrol_save_cert(e->data_dir, e->booth_id, pem, &not_after, &error)) {
		if (g_error_matches(error, BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_IO)) {
			/* ours, but the disk said no: keep it, try again */
			if (e->unsaved_pem != pem) {
				g_free(e->unsaved_pem);
				e->unsaved_pem = g_strdup(pem);
			}
			e->unsaved_renewal = renewal;
			guint delay = relais_backoff_next(&e->backoff, NULL);
			if (renewal && e->cert) {
				g_warning("cannot save the renewed certificate: %s (is the data partition full?); "
					  "kept in memory, trying again in %u ms",
					  error->message, delay);
				e->state = ST_RETRYING;
			} else {
				fault(e,
				      "cannot save this booth's certificate: %s (is the data partition full?). It is "
				      "kept and saved as soon as there is room; trying again in %u s.",
				      error->message, delay / 1000);
			}
			schedule(e, delay);
			return;
		}
		/* the answer is not ours (another booth's, another key's):
		 * nothing to present; the token may be spent */
		g_clear_pointer(&e->unsaved_pem, g_free);
		if (renewal)
			retry_later(e, "renewing the certificate", error);
		else
			fault(e, "the switchboard's answer is not a certificate for this booth: %s", error->message);
		return;
	}
	gboolean late = e->unsaved_pem != NULL;
	g_clear_pointer(&e->unsaved_pem, g_free);
	gint64 ms = (g_get_monotonic_time() - e->request_us) / 1000;
	g_autofree char *desc = describe_saved(e);
	if (late)
		g_message("saved the certificate kept in memory (there is room again)");
	if (renewal) {
		g_message("renewed certificate %s (%" G_GINT64_FORMAT " ms)", desc, ms);
	} else {
		g_message("enrolled as '%s': certificate %s (%" G_GINT64_FORMAT " ms)", e->booth_id, desc, ms);
		/* single use, spent now: not kept on the boot partition */
		if (e->settings_path) {
			if (relais_boothconf_erase_token(e->settings_path, &error))
				g_message("erased the enrolment token from %s", e->settings_path);
			else
				g_warning("cannot erase the enrolment token: %s", error->message);
		}
		g_clear_pointer(&e->token, g_free);
	}
	relais_backoff_reset(&e->backoff);
	e->renewed = renewal;
	if (present(e))
		step(e);
}

static void request(BoothEnrolment *e, gboolean renew)
{
	g_autoptr(GError) error = NULL;
	e->state = renew ? ST_RENEWING : ST_ENROLLING;
	e->request_us = g_get_monotonic_time();
	g_autofree char *csr = booth_enrol_make_csr(e->data_dir, e->booth_id, &error);
	g_autofree char *url = csr ? booth_enrol_url(e->url, renew, &error) : NULL;
	if (url == NULL) {
		/* a key that cannot be written (a full data partition) may be
		 * writable later; a bad URL is not, but asking costs nothing */
		fault(e, "cannot ask for a certificate: %s", error->message);
		schedule(e, relais_backoff_next(&e->backoff, NULL));
		return;
	}
	if (!renew)
		waiting(e, "enrolling with the switchboard");
	g_message("%s at %s", renew ? "renewing the certificate" : "enrolling", url);
	e->cancellable = g_cancellable_new();
	booth_enrol_request_async(e->session, url, renew ? NULL : e->token, renew ? e->cert : NULL, csr, e->cancellable,
				  on_answer, e);
}

static void step(BoothEnrolment *e)
{
	if (e->cancellable)
		return; /* a request is on its way */
	if (e->unsaved_pem) {
		g_autofree char *pem = g_strdup(e->unsaved_pem);
		save(e, pem, e->unsaved_renewal);
		return;
	}
	gint64 now = now_s(e);
	gint64 renew_at = 0;
	BoothCertState st =
		booth_enrol_status(e->data_dir, e->booth_id, now, e->build_time, e->ca_not_before, &renew_at);
	gboolean renewed = e->renewed;
	e->renewed = FALSE;
	switch (st) {
	case BOOTH_CERT_CLOCK_UNSET: {
		if (e->state != ST_CLOCK) {
			g_autofree char *reads = iso_time(now);
			g_message("waiting for time sync (the clock reads %s)", reads);
			waiting(e, "waiting for the clock to be set (time sync)");
		}
		e->state = ST_CLOCK;
		schedule(e, e->clock_retry_ms);
		return;
	}
	case BOOTH_CERT_NONE:
	case BOOTH_CERT_EXPIRED:
		if (e->token) {
			request(e, FALSE);
			return;
		}
		g_clear_object(&e->cert);
		if (st == BOOTH_CERT_NONE)
			fault(e, "this booth is not enrolled (no enrolment token). Please call a technician.");
		else
			fault(e, "this booth's certificate expired. Please call a technician (it needs a new "
				 "enrolment token).");
		/* a certificate put in place by hand, or a clock set right */
		schedule(e, 60 * 1000);
		return;
	case BOOTH_CERT_RENEW:
		if (e->cert == NULL && !present(e))
			return;
		if (renewed) {
			/* a new certificate already due (a lifetime shorter than
			 * the switchboard's back-dating): not at once again */
			e->state = ST_READY;
			schedule(e, relais_backoff_next(&e->backoff, NULL));
			return;
		}
		request(e, TRUE);
		return;
	case BOOTH_CERT_VALID:
		if (e->cert == NULL && !present(e))
			return;
		e->state = ST_READY;
		/* looked at again at least hourly: the clock may jump (time
		 * sync after a long power cut) */
		gint64 wait_s = CLAMP(renew_at - now, 1, 3600);
		schedule(e, (guint)wait_s * 1000);
		return;
	}
}

void booth_enrolment_start(BoothEnrolment *e)
{
	g_autoptr(GUri) uri = g_uri_parse(e->url, G_URI_FLAGS_NONE, NULL);
	const char *scheme = uri ? g_uri_get_scheme(uri) : NULL;
	if (g_strcmp0(scheme, "wss") != 0 && g_strcmp0(scheme, "https") != 0) {
		/* the token and the booth's identity never go in clear */
		fault(e, "the switchboard must be reached over wss:// (TLS), not '%s'", e->url);
		return;
	}
	step(e);
}

void booth_enrolment_refused(BoothEnrolment *e)
{
	if (e->token == NULL || e->cancellable || e->state == ST_FAULT)
		return;
	g_message("the certificate was refused: enrolling again with the enrolment token");
	g_clear_handle_id(&e->timer_id, g_source_remove);
	request(e, FALSE);
}

const char *booth_enrolment_get_state(BoothEnrolment *e)
{
	return state_names[e->state];
}

GTlsCertificate *booth_enrolment_get_certificate(BoothEnrolment *e)
{
	return e->cert;
}

void booth_enrolment_free(BoothEnrolment *e)
{
	if (e == NULL)
		return;
	if (e->cancellable) {
		g_cancellable_cancel(e->cancellable);
		g_clear_object(&e->cancellable);
	}
	g_clear_handle_id(&e->timer_id, g_source_remove);
	g_clear_object(&e->session);
	g_clear_object(&e->cert);
	g_free(e->unsaved_pem);
	g_free(e->data_dir);
	g_free(e->booth_id);
	g_free(e->url);
	g_free(e->token);
	g_free(e->settings_path);
	g_free(e);
}
