/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tlstext: why a peer's TLS certificate was refused, in words a technician
 * reads in a log ("not signed by a trusted CA (see --ca-file)"), shared by
 * the booth's link and its enrolment so both say the same thing.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The reasons in `flags`, comma-separated ("refused" for none).
 * Returns: (transfer full) */
char *relais_tls_flags_text(GTlsCertificateFlags flags);

G_END_DECLS
