/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pinhash: the technician PIN's salted PBKDF2 hash: the right PIN matches and
 * a wrong one does not, salts differ, the PIN policy, the iteration range,
 * and malformed or forged stored strings are refused, never crash. */
#include "pinhash.h"

#include <string.h>

#define IT RELAIS_PINHASH_MIN_ITERATIONS

static void test_roundtrip(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *h = relais_pinhash_new("2468", IT, &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(h, "pbkdf2-sha256$1000$"));
	g_assert_true(relais_pinhash_valid(h, &error));
	g_assert_true(relais_pinhash_check("2468", h));
	g_assert_false(relais_pinhash_check("2469", h));
	g_assert_false(relais_pinhash_check("24680", h));
	g_assert_false(relais_pinhash_check("", h));
	g_assert_false(relais_pinhash_check(NULL, h));
	/* a fresh salt each time: the same PIN never gives the same string */
	g_autofree char *h2 = relais_pinhash_new("2468", IT, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(h, !=, h2);
	g_assert_true(relais_pinhash_check("2468", h2));
}

static void test_default_iterations(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *h = relais_pinhash_new("13579", 0, &error);
	g_assert_no_error(error);
	g_autofree char *want = g_strdup_printf("pbkdf2-sha256$%d$", RELAIS_PINHASH_DEFAULT_ITERATIONS);
	g_assert_true(g_str_has_prefix(h, want));
	g_assert_true(relais_pinhash_check("13579", h));
}

static void test_policy(void)
{
	const char *bad[] = {"", "123", "12345678901234567", "12a4", "1234 ", "١٢٣٤", "-1234"};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *h = relais_pinhash_new(bad[i], IT, &error);
		g_assert_null(h);
		g_assert_error(error, RELAIS_PINHASH_ERROR, RELAIS_PINHASH_ERROR_POLICY);
	}
	g_autoptr(GError) error = NULL;
	g_assert_true(relais_pin_check_policy("0000", &error));
	g_assert_true(relais_pin_check_policy("1234567890123456", &error));
	g_assert_false(relais_pin_check_policy(NULL, &error));
	g_assert_error(error, RELAIS_PINHASH_ERROR, RELAIS_PINHASH_ERROR_POLICY);
}

static void test_iterations_range(void)
{
	guint bad[] = {1, RELAIS_PINHASH_MIN_ITERATIONS - 1, RELAIS_PINHASH_MAX_ITERATIONS + 1};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *h = relais_pinhash_new("1234", bad[i], &error);
		g_assert_null(h);
		g_assert_error(error, RELAIS_PINHASH_ERROR, RELAIS_PINHASH_ERROR_PARAMS);
	}
}

static void test_malformed(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *good = relais_pinhash_new("1234", IT, &error);
	g_assert_no_error(error);
	g_auto(GStrv) part = g_strsplit(good, "$", -1);
	g_assert_cmpuint(g_strv_length(part), ==, 4);
	g_autofree char *short_hash = g_strdup_printf("%s$%s$%s$QUJD", part[0], part[1], part[2]);
	g_autofree char *many_it = g_strdup_printf("%s$99999999999$%s$%s", part[0], part[2], part[3]);
	g_autofree char *few_it = g_strdup_printf("%s$10$%s$%s", part[0], part[2], part[3]);
	g_autofree char *bad_salt = g_strdup_printf("%s$%s$!!!!$%s", part[0], part[1], part[3]);
	g_autofree char *extra = g_strdup_printf("%s$extra", good);
	g_autofree char *scrypt = g_strdup_printf("scrypt$%s$%s$%s", part[1], part[2], part[3]);
	const char *bad[] = {NULL,	 "",	  "1234", "pbkdf2-sha256$", "pbkdf2-sha256$1000$$",
			     short_hash, many_it, few_it, bad_salt,	    extra,
			     scrypt};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) e = NULL;
		g_assert_false(relais_pinhash_valid(bad[i], &e));
		g_assert_error(e, RELAIS_PINHASH_ERROR, RELAIS_PINHASH_ERROR_PARAMS);
		g_assert_false(relais_pinhash_check("1234", bad[i]));
	}
	/* every truncation of a good hash is refused or (the whole) matches */
	for (gsize n = 0; n < strlen(good); n++) {
		g_autofree char *t = g_strndup(good, n);
		g_assert_false(relais_pinhash_check("1234", t));
	}
	/* a flipped bit in the hash: well-formed, but the PIN no longer matches */
	g_autofree char *flipped = g_strdup(good);
	/* (not the last digit before '=': two of its bits are padding) */
	char *c = flipped + strlen(flipped) - 4;
	*c = *c == 'A' ? 'Q' : 'A';
	g_assert_true(relais_pinhash_valid(flipped, NULL));
	g_assert_false(relais_pinhash_check("1234", flipped));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pinhash/roundtrip", test_roundtrip);
	g_test_add_func("/pinhash/default-iterations", test_default_iterations);
	g_test_add_func("/pinhash/policy", test_policy);
	g_test_add_func("/pinhash/iterations-range", test_iterations_range);
	g_test_add_func("/pinhash/malformed", test_malformed);
	return g_test_run();
}
