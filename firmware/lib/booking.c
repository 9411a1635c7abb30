/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "booking.h"

#include <string.h>

gboolean relais_booking_char_valid(char c)
{
	return c != '\0' && strchr(RELAIS_BOOKING_ALPHABET, c) != NULL;
}

gboolean relais_booking_code_valid(const char *s)
{
	if (s == NULL || strlen(s) != RELAIS_BOOKING_CODE_LEN)
		return FALSE;
	for (const char *p = s; *p; p++)
		if (!relais_booking_char_valid(*p))
			return FALSE;
	return TRUE;
}
