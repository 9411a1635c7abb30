/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * enrol-cmd: the command line of booth enrolment (ENROL.md), for main.c to
 * dispatch to:
 *
 *   relais-switchboard --data DIR ca init
 *   relais-switchboard --data DIR booth add NAME --site SITE [--ttl-hours H]
 *   relais-switchboard --data DIR booth revoke NAME
 *   relais-switchboard --data DIR booth certs NAME
 *
 * `booth add` prints the enrolment token alone on stdout (once: only its
 * hash is kept) and its expiry on stderr.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] is "ca" or "booth"; the booth CA is in data_dir, the store at
 * `store` (a folder or a postgresql:// URI; NULL: data_dir). Returns: the
 * exit code (0, 1: failed, 2: bad arguments). */
int sb_enrol_command(const char *data_dir, const char *store, int argc, char **argv);

G_END_DECLS
