/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-enrol"

#include "enrol-http.h"
#include "client.h"

#include <string.h>

static void reply(SoupServerMessage *msg, guint status, const char *content_type, const char *body)
{
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, content_type, SOUP_MEMORY_COPY, body, strlen(body));
}

/* Retry-After of a 503 (the store cannot write now) */
#define SB_ENROL_RETRY_S 5

static void refuse(SoupServerMessage *msg, const char *what, GError *error)
{
	guint status = sb_enrol_http_status(error);
	const char *from = sb_client_address(msg);
	g_message("%s from %s refused (%u): %s", what, *from ? from : "?", status, error->message);
	if (status == 401)
		soup_message_headers_replace(soup_server_message_get_response_headers(msg), "WWW-Authenticate",
					     "Bearer realm=\"relais-enrol\"");
	if (status == 503) {
		g_autofree char *after = g_strdup_printf("%d", SB_ENROL_RETRY_S);
		soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After", after);
	}
	/* the store's and the CA's own words (SQLite's, a path) stay in the
	 * log above: a client reads only that it may try again */
	g_autofree char *text = status == 503	? g_strdup("the switchboard cannot save this now: try again\n")
				: status >= 500 ? g_strdup("the switchboard failed: try again later\n")
						: g_strdup_printf("%s\n", error->message);
	reply(msg, status, "text/plain; charset=utf-8", text);
}

/* The request's body as text, or NULL (the reply is set) */
static char *request_text(SoupServerMessage *msg)
{
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	g_autoptr(GBytes) bytes = soup_message_body_flatten(body);
	gsize len = 0;
	const char *data = g_bytes_get_data(bytes, &len);
	if (len == 0 || len > SB_ENROL_HTTP_MAX_BODY || memchr(data, '\0', len) != NULL) {
		reply(msg, len > SB_ENROL_HTTP_MAX_BODY ? 413 : 400, "text/plain; charset=utf-8",
		      "the body must be one PEM certificate request\n");
		return NULL;
	}
	return g_strndup(data, len);
}

static void handle(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
	SbEnrol *enrol = data;
	gboolean renew = g_strcmp0(path, SB_ENROL_HTTP_REENROLL) == 0;
	if (!renew && g_strcmp0(path, SB_ENROL_HTTP_ENROLL) != 0) {
		reply(msg, 404, "text/plain; charset=utf-8", "not an enrolment endpoint\n");
		return;
	}
	if (g_strcmp0(soup_server_message_get_method(msg), SOUP_METHOD_POST) != 0) {
		soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Allow", "POST");
		reply(msg, 405, "text/plain; charset=utf-8", "POST a certificate request\n");
		return;
	}
	g_autofree char *csr = request_text(msg);
	if (csr == NULL)
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBoothCert) issued = NULL;
	g_autofree char *cert = NULL;
	if (renew) {
		GTlsCertificate *peer = soup_server_message_get_tls_peer_certificate(msg);
		g_autofree char *peer_pem = NULL;
		if (peer)
			g_object_get(peer, "certificate-pem", &peer_pem, NULL);
		cert = sb_enrol_simplereenroll(enrol, peer_pem, csr, &issued, &error);
	} else {
		const char *auth =
			soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Authorization");
		cert = sb_enrol_simpleenroll(enrol, sb_enrol_bearer_token(auth), csr, &issued, &error);
	}
	if (cert == NULL) {
		refuse(msg, renew ? "renewal" : "enrolment", error);
		return;
	}
	g_message("%s booth '%s': certificate %s", renew ? "renewed" : "enrolled", issued->booth_id, issued->serial);
	reply(msg, 200, SB_ENROL_HTTP_CONTENT_TYPE, cert);
}

static gboolean on_accept_certificate(SoupServerMessage *msg, GTlsCertificate *peer, GTlsCertificateFlags errors,
				      gpointer data)
{
	/* GnuTLS's own verdict (`errors`) is set aside: the booth CA is not
	 * in its database on purpose, and the store's clock and revocation
	 * list decide */
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBoothCert) who = sb_enrol_check_peer(data, peer, &error);
	if (who == NULL)
		g_message("booth certificate refused at the handshake: %s", error->message);
	return who != NULL;
}

SbBoothCert *sb_enrol_http_gate(SbEnrol *enrol, SoupServerMessage *msg)
{
	g_autoptr(GError) error = NULL;
	SbBoothCert *who = sb_enrol_check_peer(enrol, soup_server_message_get_tls_peer_certificate(msg), &error);
	if (who == NULL) {
		g_message("booth endpoint refused: %s", error->message);
		g_autofree char *text = g_strdup_printf("only enrolled booths: %s\n", error->message);
		reply(msg, 403, "text/plain; charset=utf-8", text);
	}
	return who;
}

static void on_request_started(SoupServer *server, SoupServerMessage *msg, gpointer data)
{
	g_signal_connect(msg, "accept-certificate", G_CALLBACK(on_accept_certificate), data);
}

void sb_enrol_http_attach(SoupServer *server, SbEnrol *enrol)
{
	g_signal_connect(server, "request-started", G_CALLBACK(on_request_started), enrol);
	soup_server_add_handler(server, SB_ENROL_HTTP_PATH, handle, enrol, NULL);
}
