/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secretline: lines read from a stream as a tool reads a secret from
 * standard input: LF and CRLF ends, a last line without its end, an empty
 * line, a line too long (read as empty), the end of input (NULL), and two
 * secrets in a row (a PIN and its confirmation). */
#include "secretline.h"

#include <string.h>

static char *read_from(const char *text, gsize max)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	g_assert_nonnull(in);
	char *line = relais_read_secret_line(in, "secret: ", max);
	fclose(in);
	return line;
}

static void test_lines(void)
{
	struct {
		const char *in, *want;
	} cases[] = {
		{"2468\n", "2468"}, {"2468\r\n", "2468"},	  {"2468", "2468"},
		{"\n", ""},	    {"pass word\n", "pass word"}, {"0123456789abcdef\n", "0123456789abcdef"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *got = read_from(cases[i].in, 16);
		g_assert_cmpstr(got, ==, cases[i].want);
	}
	/* longer than max: empty, so that the caller's policy refuses it */
	const char *too_long[] = {"0123456789abcdefg\n", "0123456789abcdefgh\n", "0123456789abcdefghijklmnop\n",
				  "0123456789abcdefghijklmnop"};
	for (guint i = 0; i < G_N_ELEMENTS(too_long); i++) {
		g_autofree char *got = read_from(too_long[i], 16);
		g_assert_cmpstr(got, ==, "");
	}
	g_autofree char *none = read_from("", 16);
	g_assert_null(none);
}

static void test_two_in_a_row(void)
{
	const char *text = "1357\r\n1358\n";
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	g_autofree char *a = relais_read_secret_line(in, "PIN: ", 16);
	g_autofree char *b = relais_read_secret_line(in, "again: ", 16);
	g_autofree char *c = relais_read_secret_line(in, "more: ", 16);
	fclose(in);
	g_assert_cmpstr(a, ==, "1357");
	g_assert_cmpstr(b, ==, "1358");
	g_assert_null(c);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/secretline/lines", test_lines);
	g_test_add_func("/secretline/two-in-a-row", test_two_in_a_row);
	return g_test_run();
}
