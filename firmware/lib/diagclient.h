/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * diagclient: fetches a booth's diagnostic report from the switchboard as
 * an administrator (`relaisctl diag`): signs in (POST /api/login), asks
 * GET /api/admin/booths/ID/diag, signs out. Each refusal is a typed error
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
} RelaisDiagClientError;

/* `switchboard`: its address, http(s)://HOST:PORT (a path is ignored; a
 * ws(s):// URL is read as http(s):// of the same host and port). `ca_file`
 * (nullable): PEM certificate(s) to trust for https instead of the
 * system's. Returns: (transfer full) the reply {booth_id, fetched_at,
 * report}, or NULL with a RELAIS_DIAG_CLIENT_ERROR. */
JsonObject *relais_diag_fetch(const char *switchboard, const char *ca_file, const char *login, const char *password,
			      const char *booth_id, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
