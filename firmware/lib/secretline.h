/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * secretline: one secret (a password, a PIN) read as a line from standard
 * input, prompted and not echoed on a terminal, so that command-line tools
 * never take a secret as an argument (where `ps` and the shell history would
 * keep it).
 */
#pragma once

#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

/* Reads one line of at most `max_bytes` bytes from `in`, without its line
 * end (LF or CRLF). When `in` is a terminal, `prompt` is shown on stderr and
 * the typing is not echoed. Returns: (transfer full) the line; "" for a line
 * longer than max_bytes (the caller's policy says why); NULL at the end of
 * the input. The read buffer is wiped. */
char *relais_read_secret_line(FILE *in, const char *prompt, gsize max_bytes);

G_END_DECLS
