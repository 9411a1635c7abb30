/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-store"

#include "store-private.h"
#include "calendar.h"

#include <string.h>

/* UTF-8 text of min..max characters without control characters (newlines
 * only where allowed). */
gboolean store_check_text(const char *field, const char *v, glong min, glong max, gboolean newlines, GError **error)
{
	if (v == NULL)
		v = "";
	if (!g_utf8_validate(v, -1, NULL))
		return store_invalid(error, "%s is not valid UTF-8 text", field);
	glong n = g_utf8_strlen(v, -1);
	if (n < min)
		return min == 1 ? store_invalid(error, "%s is empty", field)
				: store_invalid(error, "%s is shorter than %ld characters", field, min);
	if (n > max)
		return store_invalid(error, "%s is longer than %ld characters", field, max);
	for (const char *c = v; *c; c = g_utf8_next_char(c)) {
		gunichar u = g_utf8_get_char(c);
		if ((u < 0x20 && !(newlines && u == '\n')) || u == 0x7f || (u >= 0x80 && u < 0xa0))
			return store_invalid(error, "%s contains a control character", field);
	}
	return TRUE;
}

/* 1..max characters, each a-z, 0-9, A-Z where `upper`, or one of `punct` */
static gboolean of_chars(const char *v, gsize max, gboolean upper, const char *punct)
{
	gsize n = v ? strlen(v) : 0;
	if (n == 0 || n > max)
		return FALSE;
	for (const char *c = v; *c; c++)
		if (!g_ascii_islower(*c) && !g_ascii_isdigit(*c) && !(upper && g_ascii_isupper(*c)) &&
		    !strchr(punct, *c))
			return FALSE;
	return TRUE;
}

/* PROTOCOL.md's id: 1..max of [A-Za-z0-9._:-] */
gboolean store_is_id(const char *v, gsize max)
{
	return of_chars(v, max, TRUE, "._:-");
}

gboolean store_check_id(const char *field, const char *v, gsize max, GError **error)
{
	if (!store_is_id(v, max))
		return store_invalid(error, "%s must be 1..%zu characters of A-Z a-z 0-9 . _ : -", field, max);
	return TRUE;
}

/* lower-case word: [a-z0-9_-], 1..max (booth states, outcome codes) */
gboolean store_is_word(const char *v, gsize max)
{
	return of_chars(v, max, FALSE, "_-");
}

gboolean sb_store_parse_date(const char *text, GDate *out)
{
	return sb_calendar_parse_date(text, out);
}
