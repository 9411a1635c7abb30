/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * booking: what the booth, the protocol and the switchboard's store share
 * about booking codes. Six characters of an alphabet without 0/O or 1/I
 * (32 symbols, 30 bits), shown to visitors in two groups of three.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAIS_BOOKING_ALPHABET "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#define RELAIS_BOOKING_CODE_LEN 6

/* c is one of RELAIS_BOOKING_ALPHABET (upper case only). */
gboolean relais_booking_char_valid(char c);
/* Exactly RELAIS_BOOKING_CODE_LEN characters of the alphabet. */
gboolean relais_booking_code_valid(const char *s);

G_END_DECLS
