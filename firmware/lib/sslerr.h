/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sslerr: OpenSSL's error queue as a GError, written once for every module
 * that calls OpenSSL (passwords, TURN credentials, certificates).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The reason of the most recent OpenSSL error ("unknown error" when the
 * queue is empty); the queue is cleared. Returns: (transfer full). */
char *relais_ssl_reason(void);

/* Sets *error to "WHAT: <OpenSSL's reason>" in domain/code, clears the
 * queue and returns FALSE. */
gboolean relais_ssl_fail(GError **error, GQuark domain, gint code, const char *what);

G_END_DECLS
