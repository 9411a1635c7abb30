/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fail: the one printf-style "set a GError and return FALSE" helper, so that a
 * check reads `return relais_fail(error, DOMAIN, CODE, "...", ...);`.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sets *error (when error is not NULL) and returns FALSE. */
gboolean relais_fail(GError **error, GQuark domain, gint code, const char *format, ...) G_GNUC_PRINTF(4, 5);

G_END_DECLS
