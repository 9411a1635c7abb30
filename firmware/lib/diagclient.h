/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * diagclient: the administrator's client of the switchboard for relaisctl:
 * fetches a booth's diagnostic report (`relaisctl diag`: signs in, asks
 * GET /api/admin/booths/ID/diag, signs out), and sends a booth an update
 * (`relaisctl update`). Each refusal is a typed error
 * whose message is the switchboard's own words, so that the tool can give
 * each its exit status.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define RELAIS_DIAG_CLIENT_ERROR (relais_diag_client_error_quark())
GQuark relais_diag_client_error_quark(void);

typedef enum {
	RELAIS_DIAG_CLIENT_ERROR_USAGE,	    /* a URL or booth id that cannot be asked */
	RELAIS_DIAG_CLIENT_ERROR_CONNECT,   /* the switchboard cannot be reached (or its TLS not trusted) */
	RELAIS_DIAG_CLIENT_ERROR_SIGNIN,    /* 401: wrong login or password, or too many attempts */
	RELAIS_DIAG_CLIENT_ERROR_FORBIDDEN, /* 403: the account is not an administrator */
	RELAIS_DIAG_CLIENT_ERROR_NO_BOOTH,  /* 404: no such booth */
	RELAIS_DIAG_CLIENT_ERROR_OFFLINE,   /* 409: the booth is not connected */
	RELAIS_DIAG_CLIENT_ERROR_NO_ANSWER, /* 504 / 502: it did not answer in time, or left first */
	RELAIS_DIAG_CLIENT_ERROR_BUSY,	    /* 429: it is being asked already */
	RELAIS_DIAG_CLIENT_ERROR_FAILED,    /* anything else (a reply that is not the API's) */
	/* relaisctl update: */
	RELAIS_DIAG_CLIENT_ERROR_BUNDLE,	/* the bundle was refused (400, 413, 415, 507) or unreadable */
	RELAIS_DIAG_CLIENT_ERROR_UPDATING,	/* 409: the booth is being updated already */
	RELAIS_DIAG_CLIENT_ERROR_UPDATE_FAILED, /* --wait: the update failed, was rolled back or cancelled */
} RelaisDiagClientError;

/* `switchboard`: its address, http(s)://HOST:PORT (a path is ignored; a
 * ws(s):// URL is read as http(s):// of the same host and port). `ca_file`
 * (nullable): PEM certificate(s) to trust for https instead of the
 * system's. Returns: (transfer full) the reply {booth_id, fetched_at,
 * report}, or NULL with a RELAIS_DIAG_CLIENT_ERROR. */
JsonObject *relais_diag_fetch(const char *switchboard, const char *ca_file, const char *login, const char *password,
			      const char *booth_id, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* What relais_update_send() says as it goes (one line each), nullable. */
typedef void (*RelaisUpdateSay)(const char *line, gpointer user_data);

/* `relaisctl update`: signs in as an administrator, uploads `bundle` (a
 * file, streamed: POST /api/admin/bundles), asks booth `booth_id` to
 * install it (POST /api/admin/booths/ID/update), and with `wait_s` > 0
 * follows the update until it ends (or wait_s passes), saying each new
 * state. Returns: (transfer full) the update {id, state, progress,
 * message, ...} as last seen, or NULL with a RELAIS_DIAG_CLIENT_ERROR. */
JsonObject *relais_update_send(const char *switchboard, const char *ca_file, const char *login, const char *password,
			       const char *booth_id, const char *bundle, guint wait_s, RelaisUpdateSay say,
			       gpointer user_data, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
