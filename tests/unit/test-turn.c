/* SPDX-License-Identifier: GPL-2.0-or-later */
/* turn: coturn REST API credentials against a vector made by the openssl CLI
 * and against a second implementation (GLib's GHmac), expiry, bad input. */
#include "turn.h"
#include "relais-config.h"

#include <string.h>

/* printf '%s' "1700014400:booth-1" | openssl dgst -sha1 -hmac "north-secret" -binary | base64 */
static void test_known_vector(void)
{
	g_autofree char *user = NULL, *pass = NULL;
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_turn_credentials("north-secret", "booth-1", 1700000000, 14400, &user, &pass, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(user, ==, "1700014400:booth-1");
	g_assert_cmpstr(pass, ==, "aaL7faYONkvqg5sN6EaOq1/wrIE=");
}

/* The same scheme written again with GLib only. */
static char *ghmac_password(const char *secret, const char *username)
{
	g_autoptr(GHmac) h = g_hmac_new(G_CHECKSUM_SHA1, (const guchar *)secret, strlen(secret));
	g_hmac_update(h, (const guchar *)username, -1);
	guint8 digest[20];
	gsize len = sizeof digest;
	g_hmac_get_digest(h, digest, &len);
	g_assert_cmpuint(len, ==, 20);
	return g_base64_encode(digest, len);
}

static void test_second_implementation(void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(4);
	const char *tag_chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
	for (int i = 0; i < 200; i++) {
		/* secrets of any bytes but NUL, 1..100 long; tags from the allowed set */
		guint slen = (guint)g_rand_int_range(rand, 1, 101), tlen = (guint)g_rand_int_range(rand, 1, 65);
		g_autofree char *secret = g_malloc0(slen + 1);
		for (guint k = 0; k < slen; k++)
			secret[k] = (char)g_rand_int_range(rand, 1, 256);
		g_autofree char *tag = g_malloc0(tlen + 1);
		for (guint k = 0; k < tlen; k++)
			tag[k] = tag_chars[g_rand_int_range(rand, 0, (gint32)strlen(tag_chars))];
		gint64 now = g_rand_int_range(rand, 0, G_MAXINT32);
		guint ttl = (guint)g_rand_int_range(rand, 1, 86400 * 7);

		g_autofree char *user = NULL, *pass = NULL;
		g_autoptr(GError) error = NULL;
		g_assert_true(sb_turn_credentials(secret, tag, now, ttl, &user, &pass, &error));
		g_assert_no_error(error);
		g_autofree char *want_user = g_strdup_printf("%" G_GINT64_FORMAT ":%s", now + ttl, tag);
		g_assert_cmpstr(user, ==, want_user);
		g_autofree char *want_pass = ghmac_password(secret, want_user);
		g_assert_cmpstr(pass, ==, want_pass);
	}
}

static void test_expiry(void)
{
	g_autofree char *user = NULL, *pass = NULL;
	/* ttl 0: the Kconfig lifetime */
	g_assert_true(sb_turn_credentials("s", "adviser-7", 1000, 0, &user, &pass, NULL));
	g_autofree char *want = g_strdup_printf("%d:adviser-7", 1000 + CONFIG_RELAIS_SB_TURN_TTL_S);
	g_assert_cmpstr(user, ==, want);
	/* another expiry, another password: the time is what is signed */
	g_autofree char *user2 = NULL, *pass2 = NULL;
	g_assert_true(sb_turn_credentials("s", "adviser-7", 1001, 0, &user2, &pass2, NULL));
	g_assert_cmpstr(pass, !=, pass2);
	/* and another secret */
	g_autofree char *user3 = NULL, *pass3 = NULL;
	g_assert_true(sb_turn_credentials("t", "adviser-7", 1000, 0, &user3, &pass3, NULL));
	g_assert_cmpstr(user, ==, user3);
	g_assert_cmpstr(pass, !=, pass3);
}

static void test_bad_input(void)
{
	g_autofree char *long_tag = g_strnfill(SB_TURN_MAX_TAG + 1, 'a');
	g_autofree char *max_tag = g_strnfill(SB_TURN_MAX_TAG, 'a');
	struct {
		const char *secret, *tag;
		gint64 now;
	} bad[] = {
		{NULL, "booth-1", 1000},
		{"", "booth-1", 1000},
		{"s", NULL, 1000},
		{"s", "", 1000},
		{"s", "a:b", 1000}, /* ':' separates the expiry */
		{"s", "two words", 1000},
		{"s", "élan", 1000},
		{"s", long_tag, 1000},
		{"s", "booth-1", -1},
		{"s", "booth-1", G_GINT64_CONSTANT(253402300799)},
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *user = (char *)"untouched", *pass = (char *)"untouched";
		g_autoptr(GError) error = NULL;
		g_assert_false(sb_turn_credentials(bad[i].secret, bad[i].tag, bad[i].now, 60, &user, &pass, &error));
		g_assert_error(error, SB_TURN_ERROR, SB_TURN_ERROR_INVALID);
		g_assert_null(user);
		g_assert_null(pass);
	}
	g_autofree char *user = NULL, *pass = NULL;
	g_assert_true(sb_turn_credentials("s", max_tag, 0, 60, &user, &pass, NULL));
	g_assert_true(g_str_has_prefix(user, "60:aaaa"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/turn/known-vector", test_known_vector);
	g_test_add_func("/turn/second-implementation", test_second_implementation);
	g_test_add_func("/turn/expiry", test_expiry);
	g_test_add_func("/turn/bad-input", test_bad_input);
	return g_test_run();
}
