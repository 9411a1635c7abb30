/* SPDX-License-Identifier: GPL-2.0-or-later */
/* auth: scrypt password hashes (known vectors from RFC 7914 and the openssl
 * CLI, malformed hashes, the policy), sign-in tokens and their hashes, random
 * codes, trial passwords, the sign-in rate limit decision. */
#include "auth.h"
#include "relais-config.h"

#include <string.h>

/* small enough for a fast test, same code path */
static const SbScryptParams FAST = {.n = 1024, .r = 8, .p = 1};

/* RFC 7914 section 12, third vector: scrypt("password", "NaCl", N=1024,
 * r=8, p=16, dkLen=64), written in our format. */
static const char RFC7914[] = "scrypt$1024$8$16$TmFDbA==$/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWIurzDZLiKjiG/"
			      "xCSedmDDaxyevuUqD7m2DYMvfoswGQA==";
/* `openssl kdf -keylen 32 -kdfopt pass:"correct horse battery" -kdfopt
 * hexsalt:000102030405060708090a0b0c0d0e0f -kdfopt n:1024 -kdfopt r:8
 * -kdfopt p:1 SCRYPT`, base64 (the same hash is in tests/data/store-v1.sql) */
static const char OPENSSL_CLI[] =
	"scrypt$1024$8$1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=";

static void test_hash_and_verify(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *h1 = sb_auth_hash_password_with("correct horse battery", &FAST, &error);
	g_assert_no_error(error);
	g_autofree char *h2 = sb_auth_hash_password_with("correct horse battery", &FAST, &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(h1, "scrypt$1024$8$1$"));
	g_auto(GStrv) parts = g_strsplit(h1, "$", 0);
	g_assert_cmpuint(g_strv_length(parts), ==, 6);
	gsize len = 0;
	g_autofree guint8 *salt = g_base64_decode(parts[4], &len);
	g_assert_cmpuint(len, ==, SB_AUTH_SALT_BYTES);
	g_autofree guint8 *hash = g_base64_decode(parts[5], &len);
	g_assert_cmpuint(len, ==, SB_AUTH_HASH_BYTES);
	/* a fresh salt each time */
	g_assert_cmpstr(h1, !=, h2);

	g_assert_true(sb_auth_verify_password("correct horse battery", h1));
	g_assert_true(sb_auth_verify_password("correct horse battery", h2));
	g_assert_false(sb_auth_verify_password("correct horse batterY", h1));
	g_assert_false(sb_auth_verify_password("correct horse battery ", h1));
	g_assert_false(sb_auth_verify_password("", h1));
	g_assert_false(sb_auth_verify_password(NULL, h1));
	/* the password is not in the hash */
	g_assert_null(strstr(h1, "correct"));

	/* non-ASCII passwords are bytes of UTF-8 */
	g_autofree char *h3 = sb_auth_hash_password_with("mot de passe très long", &FAST, &error);
	g_assert_no_error(error);
	g_assert_true(sb_auth_verify_password("mot de passe très long", h3));
	g_assert_false(sb_auth_verify_password("mot de passe tres long", h3));
}

static void test_defaults(void)
{
	SbScryptParams d;
	sb_auth_scrypt_defaults(&d);
	g_assert_cmpuint(d.n, ==, G_GUINT64_CONSTANT(1) << CONFIG_RELAIS_SB_SCRYPT_LOG2_N);
	g_assert_cmpuint(d.r, ==, CONFIG_RELAIS_SB_SCRYPT_R);
	g_assert_cmpuint(d.p, ==, CONFIG_RELAIS_SB_SCRYPT_P);

	g_autoptr(GError) error = NULL;
	g_autofree char *h = sb_auth_hash_password("a long enough secret", &error);
	g_assert_no_error(error);
	g_autofree char *prefix = g_strdup_printf("scrypt$%" G_GUINT64_FORMAT "$%u$%u$", d.n, d.r, d.p);
	g_assert_true(g_str_has_prefix(h, prefix));
	g_assert_true(sb_auth_verify_password("a long enough secret", h));
	g_assert_false(sb_auth_needs_rehash(h));

	/* cheaper parameters than the configured ones: rehash at next sign-in */
	g_autofree char *fast = sb_auth_hash_password_with("a long enough secret", &FAST, &error);
	g_assert_no_error(error);
	g_assert_true(sb_auth_needs_rehash(fast));
	g_assert_true(sb_auth_needs_rehash("garbage"));
	g_assert_true(sb_auth_needs_rehash(NULL));

	/* the policy applies to sb_auth_hash_password() */
	g_autofree char *none = sb_auth_hash_password("short", &error);
	g_assert_null(none);
	g_assert_error(error, SB_AUTH_ERROR, SB_AUTH_ERROR_POLICY);
}

static void test_known_vectors(void)
{
	g_assert_true(sb_auth_verify_password("password", RFC7914));
	g_assert_false(sb_auth_verify_password("passwore", RFC7914));
	g_assert_true(sb_auth_verify_password("correct horse battery", OPENSSL_CLI));
	g_assert_false(sb_auth_verify_password("correct horse", OPENSSL_CLI));
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"",
		"scrypt",
		"scrypt$",
		"scrypt$1024$8$1$AAECAwQFBgcICQoLDA0ODw==",
		"bcrypt$1024$8$1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=",
		/* N not a power of two, N too big (a DoS), r and p out of range */
		"scrypt$1000$8$1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=",
		"scrypt$2097152$8$1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=",
		"scrypt$1048576$32$1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=",
		"scrypt$1024$0$1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=",
		"scrypt$1024$8$17$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=",
		"scrypt$01024$8$1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=",
		"scrypt$-1024$8$1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=",
		"scrypt$99999999999999999999999$8$1$AAECAwQFBgcICQoLDA0ODw==$"
		"hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=",
		/* bad base64, empty salt, a hash too short to mean anything */
		"scrypt$1024$8$1$AAEC!wQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=",
		"scrypt$1024$8$1$$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=",
		"scrypt$1024$8$1$AAECAwQFBgcICQoLDA0ODw==$hKGW",
		"scrypt$1024$8$1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=$",
		"scrypt$1024$8$1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk==",
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_test_message("malformed %u: %s", i, bad[i]);
		g_assert_false(sb_auth_verify_password("correct horse battery", bad[i]));
		g_assert_true(sb_auth_needs_rehash(bad[i]));
	}
	/* no such account: spends the time, says no */
	g_assert_false(sb_auth_verify_password("correct horse battery", NULL));
	g_assert_false(sb_auth_verify_password("", NULL));

	/* parameters refused when hashing too */
	static const SbScryptParams wrong[] = {
		{.n = 1000, .r = 8, .p = 1},
		{.n = 1, .r = 8, .p = 1},
		{.n = G_GUINT64_CONSTANT(1) << 21, .r = 8, .p = 1},
		{.n = 1024, .r = 0, .p = 1},
		{.n = 1024, .r = 8, .p = 0},
		{.n = 1024, .r = 33, .p = 1},
	};
	for (guint i = 0; i < G_N_ELEMENTS(wrong); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *h = sb_auth_hash_password_with("correct horse battery", &wrong[i], &error);
		g_assert_null(h);
		g_assert_error(error, SB_AUTH_ERROR, SB_AUTH_ERROR_PARAMS);
	}
}

static void test_policy(void)
{
	struct {
		const char *password, *login;
		gboolean ok;
	} cases[] = {
		{"", NULL, FALSE},
		{NULL, NULL, FALSE},
		{"123456789", NULL, FALSE},				       /* 9: one short of the default */
		{"1234567890", NULL, TRUE},				       /* 10 */
		{"ééééééééé", NULL, FALSE},				       /* 9 characters, 18 bytes */
		{"éééééééééé", NULL, TRUE},				       /* 10 characters */
		{"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5", NULL, FALSE}, /* not UTF-8 */
		{"alice.martin", "Alice.Martin", FALSE},		       /* the login */
		{"alice.martin!", "alice.martin", TRUE},
	};
	g_assert_cmpint(CONFIG_RELAIS_SB_PASSWORD_MIN_LEN, ==, 10);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		gboolean ok = sb_auth_check_password_policy(cases[i].password, cases[i].login, 0, &error);
		g_test_message("policy %u: %s", i, error ? error->message : "ok");
		g_assert_cmpint(ok, ==, cases[i].ok);
		if (!ok)
			g_assert_error(error, SB_AUTH_ERROR, SB_AUTH_ERROR_POLICY);
	}
	/* the messages say what is wrong */
	g_autoptr(GError) e1 = NULL;
	g_assert_false(sb_auth_check_password_policy("", NULL, 0, &e1));
	g_assert_nonnull(strstr(e1->message, "empty"));
	g_autoptr(GError) e2 = NULL;
	g_assert_false(sb_auth_check_password_policy("abc", NULL, 0, &e2));
	g_assert_nonnull(strstr(e2->message, "at least 10"));
	/* an explicit minimum */
	g_assert_true(sb_auth_check_password_policy("abc", NULL, 3, NULL));
	/* oversized: refused before the KDF sees it */
	g_autofree char *huge = g_strnfill(SB_AUTH_PASSWORD_MAX_BYTES + 1, 'x');
	g_autoptr(GError) e3 = NULL;
	g_assert_false(sb_auth_check_password_policy(huge, NULL, 0, &e3));
	g_assert_error(e3, SB_AUTH_ERROR, SB_AUTH_ERROR_POLICY);
	g_autoptr(GError) e4 = NULL;
	g_autofree char *h = sb_auth_hash_password_with(huge, &FAST, &e4);
	g_assert_null(h);
	g_assert_error(e4, SB_AUTH_ERROR, SB_AUTH_ERROR_POLICY);
	g_autoptr(GError) e5 = NULL;
	g_autofree char *h2 = sb_auth_hash_password_with("", &FAST, &e5);
	g_assert_null(h2);
	g_assert_error(e5, SB_AUTH_ERROR, SB_AUTH_ERROR_POLICY);
	g_assert_false(sb_auth_verify_password(huge, OPENSSL_CLI));
	/* at the limit it works */
	huge[SB_AUTH_PASSWORD_MAX_BYTES] = '\0';
	g_autoptr(GError) e6 = NULL;
	g_autofree char *h3 = sb_auth_hash_password_with(huge, &FAST, &e6);
	g_assert_no_error(e6);
	g_assert_true(sb_auth_verify_password(huge, h3));
}

static gboolean only_chars(const char *s, const char *allowed)
{
	for (const char *c = s; *c; c++)
		if (strchr(allowed, *c) == NULL)
			return FALSE;
	return TRUE;
}

static void test_tokens(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (int i = 0; i < 200; i++) {
		char *t = sb_auth_new_token(&error);
		g_assert_no_error(error);
		g_assert_cmpuint(strlen(t), ==, SB_AUTH_TOKEN_CHARS);
		g_assert_true(only_chars(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"));
		g_assert_false(g_hash_table_contains(seen, t));
		g_hash_table_add(seen, t);
	}
	/* SHA-256, lower-case hex: `printf %s v1-sign-in-token-for-tests | sha256sum` */
	g_autofree char *h = sb_auth_token_hash("v1-session-token-for-tests");
	g_assert_cmpstr(h, ==, "1689f4ec0078bfcf24cda6171bdc31952601a8f1b549235966d96010dd4b2c4e");
}

static void test_random_codes(void)
{
	g_autoptr(GError) error = NULL;
	/* every symbol about equally often: 32 symbols x 1000 */
	const char *alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
	g_autofree char *many = sb_auth_random_code(alphabet, 32000, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(strlen(many), ==, 32000);
	guint counts[256] = {0};
	for (const char *c = many; *c; c++)
		counts[(guint8)*c]++;
	for (const char *a = alphabet; *a; a++) {
		g_assert_cmpuint(counts[(guint8)*a], >, 800);
		g_assert_cmpuint(counts[(guint8)*a], <, 1200);
	}
	g_assert_cmpuint(counts['0'] + counts['O'] + counts['1'] + counts['I'], ==, 0);
	/* an alphabet that does not divide 256 stays uniform (rejection) */
	g_autofree char *three = sb_auth_random_code("abc", 30000, &error);
	g_assert_no_error(error);
	guint n[3] = {0};
	for (const char *c = three; *c; c++)
		n[*c - 'a']++;
	for (int i = 0; i < 3; i++) {
		g_assert_cmpuint(n[i], >, 9400);
		g_assert_cmpuint(n[i], <, 10600);
	}
	g_autofree char *empty = sb_auth_random_code("ab", 0, &error);
	g_assert_cmpstr(empty, ==, "");

	/* trial passwords: 4 groups of 4 readable characters */
	g_autoptr(GRegex) re =
		g_regex_new("^[" SB_AUTH_TRIAL_ALPHABET "]{4}(-[" SB_AUTH_TRIAL_ALPHABET "]{4}){3}$", 0, 0, NULL);
	g_autofree char *first = NULL;
	for (int i = 0; i < 50; i++) {
		g_autofree char *p = sb_auth_trial_password(&error);
		g_assert_no_error(error);
		g_assert_true(g_regex_match(re, p, 0, NULL));
		g_assert_true(sb_auth_check_password_policy(p, "demo", 0, NULL));
		if (first == NULL)
			first = g_strdup(p);
		else
			g_assert_cmpstr(p, !=, first);
	}
	g_assert_null(strpbrk(SB_AUTH_TRIAL_ALPHABET, "01ilo"));
}

static void test_rate_limit(void)
{
	const SbAuthLimits lim = {.window_s = 900, .max_per_login = 5, .max_per_address = 20};
	const gint64 now = 1700000000;
	/* under both limits */
	g_assert_cmpuint(sb_auth_rate_limit(&lim, 0, 0, 0, 0, now), ==, 0);
	g_assert_cmpuint(sb_auth_rate_limit(&lim, 4, now - 100, 19, now - 100, now), ==, 0);
	/* the login at its limit: wait until its oldest failure leaves the window */
	g_assert_cmpuint(sb_auth_rate_limit(&lim, 5, now - 100, 5, now - 100, now), ==, 800);
	/* the address at its limit */
	g_assert_cmpuint(sb_auth_rate_limit(&lim, 1, now - 10, 20, now - 600, now), ==, 300);
	/* both: the longer wait */
	g_assert_cmpuint(sb_auth_rate_limit(&lim, 5, now - 800, 20, now - 10, now), ==, 890);
	/* always at least one second while at a limit, never more than a window */
	g_assert_cmpuint(sb_auth_rate_limit(&lim, 5, now - 900, 0, 0, now), ==, 1);
	g_assert_cmpuint(sb_auth_rate_limit(&lim, 5, now + 5000, 0, 0, now), ==, 900);
	/* NULL or zero fields: the Kconfig limits */
	g_assert_cmpuint(sb_auth_rate_limit(NULL, CONFIG_RELAIS_SB_SIGNIN_MAX_PER_LOGIN - 1, now, 0, 0, now), ==, 0);
	g_assert_cmpuint(sb_auth_rate_limit(NULL, CONFIG_RELAIS_SB_SIGNIN_MAX_PER_LOGIN, now, 0, 0, now), ==,
			 CONFIG_RELAIS_SB_SIGNIN_WINDOW_S);
	const SbAuthLimits partial = {.max_per_login = 2};
	g_assert_cmpuint(sb_auth_rate_limit(&partial, 2, now - 1, 0, 0, now), ==, CONFIG_RELAIS_SB_SIGNIN_WINDOW_S - 1);
}

/* The slow-down: nothing below the threshold, then 1, 2, 4 ... seconds up to
 * the cap, never more, whatever the count (no overflow). */
static void test_slowdown(void)
{
	const SbAuthLimits lim = {.slowdown_after = 3, .slowdown_max_s = 8};
	g_assert_cmpuint(sb_auth_slowdown(&lim, 0), ==, 0);
	g_assert_cmpuint(sb_auth_slowdown(&lim, 2), ==, 0);
	g_assert_cmpuint(sb_auth_slowdown(&lim, 3), ==, 1);
	g_assert_cmpuint(sb_auth_slowdown(&lim, 4), ==, 2);
	g_assert_cmpuint(sb_auth_slowdown(&lim, 5), ==, 4);
	g_assert_cmpuint(sb_auth_slowdown(&lim, 6), ==, 8);
	g_assert_cmpuint(sb_auth_slowdown(&lim, 7), ==, 8);
	g_assert_cmpuint(sb_auth_slowdown(&lim, 40), ==, 8);
	g_assert_cmpuint(sb_auth_slowdown(&lim, G_MAXUINT), ==, 8);
	g_assert_cmpuint(sb_auth_slowdown(NULL, CONFIG_RELAIS_SB_SIGNIN_SLOWDOWN_AFTER - 1), ==, 0);
	g_assert_cmpuint(sb_auth_slowdown(NULL, 1000), ==, CONFIG_RELAIS_SB_SIGNIN_SLOWDOWN_MAX_S);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/auth/hash-and-verify", test_hash_and_verify);
	g_test_add_func("/auth/slowdown", test_slowdown);
	g_test_add_func("/auth/defaults", test_defaults);
	g_test_add_func("/auth/known-vectors", test_known_vectors);
	g_test_add_func("/auth/malformed", test_malformed);
	g_test_add_func("/auth/policy", test_policy);
	g_test_add_func("/auth/tokens", test_tokens);
	g_test_add_func("/auth/random-codes", test_random_codes);
	g_test_add_func("/auth/rate-limit", test_rate_limit);
	return g_test_run();
}
