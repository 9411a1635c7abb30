/* SPDX-License-Identifier: GPL-2.0-or-later */
/* randomid: the shape of an id (prefix + 32 lower-case hex digits, 128 bits)
 * and that its bits look random: 100 000 ids, no repeat, every byte position
 * takes every one of its 256 values, every bit is set in about half of them.
 * A counter, a clock or a truncated id would fail one of these. */
#include "randomid.h"

#include <string.h>

#define N_IDS 100000

static gboolean is_hex_id(const char *s)
{
	if (strlen(s) != RELAIS_RANDOM_ID_CHARS)
		return FALSE;
	for (const char *p = s; *p; p++)
		if (!g_ascii_isdigit(*p) && !(*p >= 'a' && *p <= 'f'))
			return FALSE;
	return TRUE;
}

static void test_shape(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *bare = relais_random_id(NULL, &error);
	g_assert_no_error(error);
	g_assert_true(is_hex_id(bare));
	g_autofree char *empty = relais_random_id("", &error);
	g_assert_no_error(error);
	g_assert_true(is_hex_id(empty));
	g_autofree char *t = relais_random_id("t-", &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(t, "t-"));
	g_assert_true(is_hex_id(t + 2));
	/* the protocol's id: [A-Za-z0-9._:-], at most MAX_ID (64) bytes */
	g_autofree char *doc = relais_random_id("doc-", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(strlen(doc), <=, 64);
}

static guint8 nibble(char c)
{
	return (guint8)(g_ascii_isdigit(c) ? c - '0' : c - 'a' + 10);
}

static void test_random_looking(void)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	/* values[pos][byte]: how often byte position pos took that value */
	g_autofree guint *values = g_new0(guint, RELAIS_RANDOM_ID_BYTES * 256);
	guint bits[RELAIS_RANDOM_ID_BYTES * 8] = {0};
	for (guint i = 0; i < N_IDS; i++) {
		g_autoptr(GError) error = NULL;
		char *id = relais_random_id(NULL, &error);
		g_assert_no_error(error);
		g_assert_true(is_hex_id(id));
		for (guint pos = 0; pos < RELAIS_RANDOM_ID_BYTES; pos++) {
			guint8 b = (guint8)(nibble(id[2 * pos]) << 4 | nibble(id[2 * pos + 1]));
			values[pos * 256 + b]++;
			for (guint k = 0; k < 8; k++)
				bits[pos * 8 + k] += (b >> k) & 1;
		}
		if (!g_hash_table_add(seen, id))
			g_error("id %s came twice in %u", id, i + 1);
	}
	for (guint pos = 0; pos < RELAIS_RANDOM_ID_BYTES; pos++)
		for (guint v = 0; v < 256; v++)
			if (values[pos * 256 + v] == 0)
				g_error("byte %u never took the value %u in %d ids", pos, v, N_IDS);
	/* a fair bit is set in 50 % of 100 000 ids, give or take 0.16 % (one
	 * standard deviation): 48..52 % is twelve of them */
	for (guint k = 0; k < G_N_ELEMENTS(bits); k++) {
		if (bits[k] < N_IDS * 48 / 100 || bits[k] > N_IDS * 52 / 100)
			g_error("bit %u is set in %u of %d ids", k, bits[k], N_IDS);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/randomid/shape", test_shape);
	g_test_add_func("/randomid/random-looking", test_random_looking);
	return g_test_run();
}
