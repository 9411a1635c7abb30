/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-enrol"

#include "enrol-client.h"
#include "tlstext.h"
#include "fail.h"
#include "pki.h"

#include <errno.h>
#include <string.h>

G_DEFINE_QUARK(booth - enrol - error - quark, booth_enrol_error)

#define enrol_fail(error, code, ...) relais_fail((error), BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_##code, __VA_ARGS__)

const char *booth_cert_state_name(BoothCertState state)
{
	switch (state) {
	case BOOTH_CERT_NONE:
		return "none";
	case BOOTH_CERT_VALID:
		return "valid";
	case BOOTH_CERT_RENEW:
		return "renew";
	case BOOTH_CERT_EXPIRED:
		return "expired";
	case BOOTH_CERT_CLOCK_UNSET:
		return "clock_unset";
	}
	return "?";
}

gint64 booth_enrol_renew_at(gint64 not_before, gint64 not_after)
{
	return not_before + (not_after - not_before) * 2 / 3;
}

gboolean booth_enrol_clock_sane(gint64 now, gint64 build_time, gint64 ca_not_before)
{
	return now >= BOOTH_ENROL_MIN_TIME && now >= build_time && now >= ca_not_before;
}

gint64 booth_enrol_ca_not_before(const char *ca_pem, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(X509) ca = relais_pki_cert_from_pem(ca_pem, -1, &local);
	if (ca == NULL) {
		enrol_fail(error, BAD_CERT, "the switchboard's CA: %s", local->message);
		return 0;
	}
	gint64 not_before = 0;
	relais_pki_cert_validity(ca, &not_before, NULL);
	return not_before;
}

/* The certificate in data_dir, checked against the booth and the key on
 * disk: NULL when it cannot serve (reason in `error`). */
static X509 *own_cert(const char *data_dir, const char *booth_id, const char *cert_pem, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(X509) x = NULL;
	if (cert_pem != NULL) {
		x = relais_pki_cert_from_pem(cert_pem, -1, &local);
	} else {
		g_autofree char *path = g_build_filename(data_dir, BOOTH_ENROL_CERT_FILE, NULL);
		x = relais_pki_read_cert(path, &local);
	}
	if (x == NULL) {
		enrol_fail(error, BAD_CERT, "%s", local->message);
		return NULL;
	}
	g_autofree char *cn = relais_pki_name_cn(X509_get_subject_name(x));
	if (g_strcmp0(cn, booth_id) != 0) {
		enrol_fail(error, BAD_CERT, "the certificate is for '%s', not for booth '%s'", cn ? cn : "nobody",
			   booth_id);
		return NULL;
	}
	g_autofree char *key_path = g_build_filename(data_dir, BOOTH_ENROL_KEY_FILE, NULL);
	g_autoptr(EVP_PKEY) key = relais_pki_read_key(key_path, &local);
	if (key == NULL) {
		enrol_fail(error, IO, "%s", local->message);
		return NULL;
	}
	if (EVP_PKEY_eq(X509_get0_pubkey(x), key) != 1) {
		enrol_fail(error, BAD_CERT, "the certificate is not for this booth's key");
		return NULL;
	}
	return g_steal_pointer(&x);
}

BoothCertState booth_enrol_status(const char *data_dir, const char *booth_id, gint64 now, gint64 build_time,
				  gint64 ca_not_before, gint64 *renew_at)
{
	if (!booth_enrol_clock_sane(now, build_time, ca_not_before))
		return BOOTH_CERT_CLOCK_UNSET;
	g_autoptr(GError) error = NULL;
	g_autoptr(X509) x = own_cert(data_dir, booth_id, NULL, &error);
	if (x == NULL) {
		g_debug("no usable certificate: %s", error->message);
		return BOOTH_CERT_NONE;
	}
	gint64 not_before = 0, not_after = 0;
	relais_pki_cert_validity(x, &not_before, &not_after);
	gint64 due = booth_enrol_renew_at(not_before, not_after);
	if (renew_at)
		*renew_at = due;
	if (now >= not_after)
		return BOOTH_CERT_EXPIRED;
	return now >= due ? BOOTH_CERT_RENEW : BOOTH_CERT_VALID;
}

char *booth_enrol_make_csr(const char *data_dir, const char *booth_id, GError **error)
{
	if (g_mkdir_with_parents(data_dir, 0700) != 0) {
		int e = errno;
		enrol_fail(error, IO, "cannot create '%s': %s", data_dir, g_strerror(e));
		return NULL;
	}
	g_autofree char *key_path = g_build_filename(data_dir, BOOTH_ENROL_KEY_FILE, NULL);
	g_autoptr(GError) local = NULL;
	gboolean made = FALSE;
	g_autoptr(EVP_PKEY) key = relais_pki_key_load_or_make(key_path, &made, &local);
	if (key == NULL) {
		enrol_fail(error, IO, "%s", local->message);
		return NULL;
	}
	if (made)
		g_message("made the booth's key %s", key_path);
	g_autoptr(X509_REQ) req = relais_pki_csr_new(key, booth_id, &local);
	char *pem = req ? relais_pki_csr_to_pem(req, &local) : NULL;
	if (pem == NULL)
		enrol_fail(error, CRYPTO, "%s", local->message);
	return pem;
}

char *booth_enrol_url(const char *switchboard_url, gboolean renew, GError **error)
{
	g_autoptr(GUri) uri = switchboard_url ? g_uri_parse(switchboard_url, G_URI_FLAGS_NONE, NULL) : NULL;
	const char *scheme = uri ? g_uri_get_scheme(uri) : NULL;
	const char *http = NULL;
	if (g_strcmp0(scheme, "wss") == 0 || g_strcmp0(scheme, "https") == 0)
		http = "https";
	else if (g_strcmp0(scheme, "ws") == 0 || g_strcmp0(scheme, "http") == 0)
		http = "http";
	if (http == NULL || g_uri_get_host(uri) == NULL) {
		enrol_fail(error, URL, "'%s' is not a switchboard URL (wss://HOST:PORT/...)",
			   switchboard_url ? switchboard_url : "");
		return NULL;
	}
	g_autoptr(GUri) est =
		g_uri_build(G_URI_FLAGS_NONE, http, NULL, g_uri_get_host(uri), g_uri_get_port(uri),
			    renew ? "/.well-known/est/simplereenroll" : "/.well-known/est/simpleenroll", NULL, NULL);
	return g_uri_to_string(est);
}

static void on_sent(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GTask) task = data;
	SoupMessage *msg = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) body = soup_session_send_and_read_finish(SOUP_SESSION(source), res, &error);
	if (body == NULL) {
		/* the switchboard's certificate refused: say why, as the link does */
		GTlsCertificateFlags *refused = g_object_get_data(G_OBJECT(msg), "relais-tls-errors");
		if (refused && *refused) {
			g_autofree char *why = relais_tls_flags_text(*refused);
			g_autofree char *url = g_uri_to_string(soup_message_get_uri(msg));
			g_task_return_new_error(task, BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_NETWORK,
						"switchboard certificate error at %s: %s", url, why);
			return;
		}
		g_task_return_new_error(task, BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_NETWORK, "%s", error->message);
		return;
	}
	gsize len = 0;
	const char *data_ = g_bytes_get_data(body, &len);
	g_autofree char *text = g_strndup(data_ ? data_ : "", len);
	guint status = soup_message_get_status(msg);
	if (status != SOUP_STATUS_OK) {
		g_strchomp(text);
		g_task_return_new_error(task, BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_REFUSED,
					"the switchboard said %u: %s", status,
					text[0] ? text : soup_message_get_reason_phrase(msg));
		return;
	}
	g_task_return_pointer(task, g_steal_pointer(&text), g_free);
}

/* Never accepts what the trust store refused; keeps why for on_sent() */
static gboolean on_accept_certificate(SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors,
				      gpointer data)
{
	g_object_set_data_full(G_OBJECT(msg), "relais-tls-errors", g_memdup2(&errors, sizeof errors), g_free);
	return FALSE;
}

void booth_enrol_request_async(SoupSession *session, const char *url, const char *token, GTlsCertificate *client,
			       const char *csr_pem, GCancellable *cancellable, GAsyncReadyCallback callback,
			       gpointer user_data)
{
	GTask *task = g_task_new(session, cancellable, callback, user_data);
	g_task_set_source_tag(task, booth_enrol_request_async);
	SoupMessage *msg = soup_message_new(SOUP_METHOD_POST, url);
	if (msg == NULL) {
		g_task_return_new_error(task, BOOTH_ENROL_ERROR, BOOTH_ENROL_ERROR_URL, "'%s' is not a URL", url);
		g_object_unref(task);
		return;
	}
	g_task_set_task_data(task, msg, g_object_unref);
	SoupMessageHeaders *headers = soup_message_get_request_headers(msg);
	if (token) {
		g_autofree char *auth = g_strdup_printf("Bearer %s", token);
		soup_message_headers_replace(headers, "Authorization", auth);
	}
	if (client) {
		soup_message_set_tls_client_certificate(msg, client);
		/* a kept-alive connection made without the certificate (the
		 * enrolment's) would carry the request anonymously: TLS 1.3
		 * has no renegotiation to add it */
		soup_message_add_flags(msg, SOUP_MESSAGE_NEW_CONNECTION);
	}
	g_signal_connect(msg, "accept-certificate", G_CALLBACK(on_accept_certificate), NULL);
	soup_message_headers_replace(headers, "Accept", "application/pem-certificate-chain");
	g_autoptr(GBytes) body = g_bytes_new(csr_pem, strlen(csr_pem));
	soup_message_set_request_body_from_bytes(msg, "application/pkcs10", body);
	soup_session_send_and_read_async(session, msg, G_PRIORITY_DEFAULT, cancellable, on_sent, task);
}

char *booth_enrol_request_finish(GAsyncResult *result, guint *status, GError **error)
{
	GTask *task = G_TASK(result);
	SoupMessage *msg = g_task_get_task_data(task);
	if (status)
		*status = msg ? soup_message_get_status(msg) : 0;
	return g_task_propagate_pointer(task, error);
}

gboolean booth_enrol_save_cert(const char *data_dir, const char *booth_id, const char *cert_pem, gint64 *not_after,
			       GError **error)
{
	g_autoptr(X509) x = own_cert(data_dir, booth_id, cert_pem, error);
	if (x == NULL)
		return FALSE;
	g_autoptr(GError) local = NULL;
	g_autofree char *pem = relais_pki_cert_to_pem(x, &local);
	g_autofree char *path = g_build_filename(data_dir, BOOTH_ENROL_CERT_FILE, NULL);
	if (pem == NULL || !relais_pki_replace_file(path, pem, strlen(pem), 0644, &local))
		return enrol_fail(error, IO, "%s", local->message);
	if (not_after)
		relais_pki_cert_validity(x, NULL, not_after);
	return TRUE;
}

GTlsCertificate *booth_enrol_client_certificate(const char *data_dir, GError **error)
{
	g_autofree char *cert = g_build_filename(data_dir, BOOTH_ENROL_CERT_FILE, NULL);
	g_autofree char *key = g_build_filename(data_dir, BOOTH_ENROL_KEY_FILE, NULL);
	g_autoptr(GError) local = NULL;
	GTlsCertificate *c = g_tls_certificate_new_from_files(cert, key, &local);
	if (c == NULL)
		enrol_fail(error, IO, "certificate '%s' with key '%s': %s", cert, key, local->message);
	return c;
}
