/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boothconf: the booth's settings file with a real certificate in a temp dir:
 * save and load back (0600, atomic), each problem its own clear error
 * (missing, unreadable, bad syntax, missing or unknown key, URL scheme, CA,
 * token shape, PIN hash, Wi-Fi), a file edited with Notepad, every truncation of a good file refused or
 * valid, and the token erased with the rest kept. */
#include "boothconf.h"
#include "cert.h"
#include "harness.h"
#include "pinhash.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#define TOKEN "q0N-4m_Zx8T3tY2uV1wR7sP6oL5kJ4iH3gF2eD1cB0a"

typedef struct {
	char *dir;
	char *path;
	char *ca; /* a real certificate, PEM */
	char *key_pem;
	char *pin_hash;
} Fixture;

static void fx_setup(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp("relais-boothconf-XXXXXX", &error);
	g_assert_no_error(error);
	fx->path = g_build_filename(fx->dir, "booth.conf", NULL);
	g_assert_true(sb_cert_make_self_signed(fx->dir, "switchboard.test", 30, FALSE, &error));
	g_assert_no_error(error);
	g_autofree char *crt = g_build_filename(fx->dir, SB_CERT_FILE, NULL);
	g_autofree char *key = g_build_filename(fx->dir, SB_KEY_FILE, NULL);
	g_assert_true(g_file_get_contents(crt, &fx->ca, NULL, &error));
	g_assert_true(g_file_get_contents(key, &fx->key_pem, NULL, &error));
	fx->pin_hash = relais_pinhash_new("4321", RELAIS_PINHASH_MIN_ITERATIONS, &error);
	g_assert_no_error(error);
}

static void fx_teardown(Fixture *fx, gconstpointer data)
{
	rt_rm_rf(fx->dir);
	g_free(fx->dir);
	g_free(fx->path);
	g_free(fx->ca);
	g_free(fx->key_pem);
	g_free(fx->pin_hash);
}

static RelaisBoothConf *good_conf(Fixture *fx)
{
	RelaisBoothConf *c = relais_boothconf_new();
	c->switchboard_url = g_strdup("wss://switchboard.test:8443/ws/booth");
	c->ca_pem = g_strdup(fx->ca);
	c->name = g_strdup("mediatheque-1");
	c->site = g_strdup("Médiathèque");
	c->token = g_strdup(TOKEN);
	c->pin_hash = g_strdup(fx->pin_hash);
	c->wifi_ssid = g_strdup("Bibliothèque publique");
	c->wifi_psk = g_strdup("correct horse battery");
	return c;
}

/* The good file's text with one line replaced (or removed: with NULL). */
static char *good_text_with(Fixture *fx, const char *key, const char *line)
{
	g_autoptr(RelaisBoothConf) c = good_conf(fx);
	g_autofree char *text = relais_boothconf_to_data(c, NULL, NULL);
	g_assert_nonnull(text);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree char *prefix = g_strconcat(key, "=", NULL);
	gboolean found = FALSE;
	for (char **l = lines; *l; l++) {
		if (g_str_has_prefix(*l, prefix)) {
			found = TRUE;
			if (line)
				g_string_append_printf(out, "%s\n", line);
			continue;
		}
		g_string_append_printf(out, "%s\n", *l);
	}
	g_assert_true(found);
	return g_string_free(g_steal_pointer(&out), FALSE);
}

static void expect_parse_error(const char *text, gint code, const char *needle)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisBoothConf) c = relais_boothconf_parse(text, strlen(text), &error);
	g_assert_null(c);
	g_assert_error(error, RELAIS_BOOTHCONF_ERROR, code);
	if (needle && strstr(error->message, needle) == NULL)
		g_error("'%s' not in '%s'", needle, error->message);
}

static void test_roundtrip(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisBoothConf) c = good_conf(fx);
	g_assert_true(relais_boothconf_save(c, fx->path, &error));
	g_assert_no_error(error);
	GStatBuf st;
	g_assert_cmpint(g_stat(fx->path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_autoptr(RelaisBoothConf) back = relais_boothconf_load(fx->path, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(back->switchboard_url, ==, c->switchboard_url);
	g_assert_cmpstr(back->ca_pem, ==, fx->ca);
	g_assert_cmpstr(back->name, ==, "mediatheque-1");
	g_assert_cmpstr(back->site, ==, "Médiathèque");
	g_assert_cmpstr(back->token, ==, TOKEN);
	g_assert_cmpstr(back->wifi_ssid, ==, "Bibliothèque publique");
	g_assert_cmpstr(back->wifi_psk, ==, "correct horse battery");
	g_assert_true(relais_pinhash_check("4321", back->pin_hash));
	/* the CA is inline, one key, its newlines escaped */
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(fx->path, &text, NULL, NULL));
	g_assert_nonnull(strstr(text, "ca=-----BEGIN CERTIFICATE-----\\n"));
	/* saving again replaces the file (no temp file left beside it) */
	g_assert_true(relais_boothconf_save(c, fx->path, &error));
	g_autoptr(GDir) d = g_dir_open(fx->dir, 0, NULL);
	guint n = 0;
	while (g_dir_read_name(d))
		n++;
	g_assert_cmpuint(n, ==, 3); /* booth.conf, the certificate and its key */
}

static void test_minimal(Fixture *fx, gconstpointer data)
{
	/* no token (already enrolled), no Wi-Fi (wired), CA chain of two, https */
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisBoothConf) c = good_conf(fx);
	g_clear_pointer(&c->token, g_free);
	g_clear_pointer(&c->wifi_ssid, g_free);
	g_clear_pointer(&c->wifi_psk, g_free);
	g_free(c->switchboard_url);
	c->switchboard_url = g_strdup("https://192.0.2.7");
	g_free(c->ca_pem);
	c->ca_pem = g_strconcat(fx->ca, fx->ca, NULL);
	gsize len = 0;
	g_autofree char *text = relais_boothconf_to_data(c, &len, &error);
	g_assert_no_error(error);
	g_autoptr(RelaisBoothConf) back = relais_boothconf_parse(text, len, &error);
	g_assert_no_error(error);
	g_assert_null(back->token);
	g_assert_null(back->wifi_ssid);
	g_assert_null(back->wifi_psk);
	/* an open network: an SSID without a PSK */
	c->wifi_ssid = g_strdup("Guests");
	g_assert_true(relais_boothconf_validate(c, &error));
	/* an empty optional value reads as absent */
	g_autofree char *blank = good_text_with(fx, "enrolment-token", "enrolment-token=");
	g_autoptr(RelaisBoothConf) b = relais_boothconf_parse(blank, strlen(blank), &error);
	g_assert_no_error(error);
	g_assert_null(b->token);
}

/* Edited with Notepad on a Windows PC: a byte order mark and CRLF line ends. */
static void test_windows_edit(Fixture *fx, gconstpointer data)
{
	g_autoptr(RelaisBoothConf) c = good_conf(fx);
	g_autofree char *text = relais_boothconf_to_data(c, NULL, NULL);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autofree char *crlf = g_strjoinv("\r\n", lines);
	g_autofree char *edited = g_strconcat("\xef\xbb\xbf", crlf, NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisBoothConf) back = relais_boothconf_parse(edited, strlen(edited), &error);
	g_assert_no_error(error);
	g_assert_cmpstr(back->site, ==, "Médiathèque");
	g_assert_cmpstr(back->ca_pem, ==, fx->ca);
	g_assert_cmpstr(back->wifi_psk, ==, "correct horse battery");
	/* and the booth can still erase its token from it */
	g_assert_true(g_file_set_contents(fx->path, edited, -1, NULL));
	g_assert_true(relais_boothconf_erase_token(fx->path, &error));
	g_assert_no_error(error);
	g_autoptr(RelaisBoothConf) erased = relais_boothconf_load(fx->path, &error);
	g_assert_no_error(error);
	g_assert_null(erased->token);
	g_assert_cmpstr(erased->name, ==, "mediatheque-1");
}

static void test_missing_unreadable(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisBoothConf) c = relais_boothconf_load(fx->path, &error);
	g_assert_null(c);
	g_assert_error(error, RELAIS_BOOTHCONF_ERROR, RELAIS_BOOTHCONF_ERROR_MISSING);
	g_assert_nonnull(strstr(error->message, fx->path));
	g_clear_error(&error);
	/* a folder where the file should be */
	g_assert_cmpint(g_mkdir(fx->path, 0700), ==, 0);
	c = relais_boothconf_load(fx->path, &error);
	g_assert_null(c);
	g_assert_error(error, RELAIS_BOOTHCONF_ERROR, RELAIS_BOOTHCONF_ERROR_UNREADABLE);
	g_clear_error(&error);
	g_assert_cmpint(g_rmdir(fx->path), ==, 0);
	/* too big to be ours */
	g_autofree char *big = g_strnfill(RELAIS_BOOTHCONF_MAX_BYTES + 1, '#');
	g_assert_true(g_file_set_contents(fx->path, big, -1, NULL));
	c = relais_boothconf_load(fx->path, &error);
	g_assert_null(c);
	g_assert_error(error, RELAIS_BOOTHCONF_ERROR, RELAIS_BOOTHCONF_ERROR_UNREADABLE);
}

static void test_syntax(Fixture *fx, gconstpointer data)
{
	expect_parse_error("this is not a key file\n", RELAIS_BOOTHCONF_ERROR_SYNTAX, "not a settings file");
	expect_parse_error("[booth\nname=x\n", RELAIS_BOOTHCONF_ERROR_SYNTAX, NULL);
	expect_parse_error("[booth]\nname=caf\xe9\n", RELAIS_BOOTHCONF_ERROR_SYNTAX, NULL);
	/* an empty file parses as a key file: what it lacks is the first key */
	expect_parse_error("", RELAIS_BOOTHCONF_ERROR_KEY, "[switchboard] url is missing");
}

static void test_keys(Fixture *fx, gconstpointer data)
{
	const char *required[] = {"url", "ca", "name", "site", "technician-pin"};
	for (guint i = 0; i < G_N_ELEMENTS(required); i++) {
		g_autofree char *text = good_text_with(fx, required[i], NULL);
		g_autofree char *needle = g_strdup_printf("%s is missing", required[i]);
		expect_parse_error(text, RELAIS_BOOTHCONF_ERROR_KEY, needle);
	}
	g_autofree char *typo = good_text_with(fx, "name", "nmae=mediatheque-1");
	expect_parse_error(typo, RELAIS_BOOTHCONF_ERROR_KEY, "[booth] nmae is not a known setting");
	g_autofree char *psk_only = good_text_with(fx, "ssid", NULL);
	expect_parse_error(psk_only, RELAIS_BOOTHCONF_ERROR_KEY, "[wifi] ssid is missing");
	/* another group is left for later features */
	g_autoptr(RelaisBoothConf) c = good_conf(fx);
	g_autofree char *text = relais_boothconf_to_data(c, NULL, NULL);
	g_autofree char *more = g_strconcat(text, "\n[update]\nchannel=stable\n", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisBoothConf) back = relais_boothconf_parse(more, strlen(more), &error);
	g_assert_no_error(error);
}

static void test_url(Fixture *fx, gconstpointer data)
{
	const char *bad[] = {"url=http://switchboard.test/ws/booth", "url=ftp://switchboard.test/",
			     "url=switchboard.test", "url=wss:///ws/booth", "url=wss://exa mple/"};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *text = good_text_with(fx, "url", bad[i]);
		expect_parse_error(text, RELAIS_BOOTHCONF_ERROR_URL, "[switchboard] url");
	}
	const char *good[] = {"url=ws://127.0.0.1:8080/ws/booth", "url=wss://[2001:db8::1]/ws/booth",
			      "url=https://switchboard.test"};
	for (guint i = 0; i < G_N_ELEMENTS(good); i++) {
		g_autofree char *text = good_text_with(fx, "url", good[i]);
		g_autoptr(GError) error = NULL;
		g_autoptr(RelaisBoothConf) c = relais_boothconf_parse(text, strlen(text), &error);
		g_assert_no_error(error);
	}
}

static char *ca_line(const char *pem)
{
	g_autofree char *escaped = g_strescape(pem, NULL);
	return g_strconcat("ca=", escaped, NULL);
}

static void test_ca(Fixture *fx, gconstpointer data)
{
	g_autofree char *not_pem = good_text_with(fx, "ca", "ca=MIIBszCCAVmgAwIBAgIU");
	expect_parse_error(not_pem, RELAIS_BOOTHCONF_ERROR_CA, "not a PEM certificate");
	/* the key pasted instead of the certificate */
	g_autofree char *key_line = ca_line(fx->key_pem);
	g_autofree char *key = good_text_with(fx, "ca", key_line);
	expect_parse_error(key, RELAIS_BOOTHCONF_ERROR_CA, "not a CERTIFICATE");
	/* a certificate block whose body is damaged */
	g_autofree char *damaged = g_strdup(fx->ca);
	char *body = strchr(damaged, '\n') + 40;
	memcpy(body, "AAAAAAAA", 8);
	g_autofree char *damaged_line = ca_line(damaged);
	g_autofree char *bad_cert = good_text_with(fx, "ca", damaged_line);
	expect_parse_error(bad_cert, RELAIS_BOOTHCONF_ERROR_CA, NULL);
	/* a certificate cut short */
	g_autofree char *cut = g_strndup(fx->ca, strlen(fx->ca) / 2);
	g_autofree char *cut_line = ca_line(cut);
	g_autofree char *cut_text = good_text_with(fx, "ca", cut_line);
	expect_parse_error(cut_text, RELAIS_BOOTHCONF_ERROR_CA, NULL);
}

static void test_token(Fixture *fx, gconstpointer data)
{
	const char *bad[] = {"enrolment-token=short", "enrolment-token=" TOKEN "x",
			     "enrolment-token=q0N+4m/Zx8T3tY2uV1wR7sP6oL5kJ4iH3gF2eD1cB0a",
			     "enrolment-token=q0N-4m_Zx8T3tY2uV1wR7sP6oL5kJ4iH3gF2eD1cB0="};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *text = good_text_with(fx, "enrolment-token", bad[i]);
		expect_parse_error(text, RELAIS_BOOTHCONF_ERROR_TOKEN, "enrolment-token");
	}
	g_assert_true(relais_boothconf_token_valid(TOKEN));
	g_assert_false(relais_boothconf_token_valid(NULL));
}

static void test_values(Fixture *fx, gconstpointer data)
{
	struct {
		const char *key, *line, *needle;
	} bad[] = {
		{"name", "name=booth one", "[booth] name"},
		{"name", "name=", "[booth] name"},
		{"site", "site=", "[booth] site is empty"},
		{"site", "site=a\\tb", "control character"},
		{"technician-pin", "technician-pin=1234", "technician-pin"},
		{"technician-pin", "technician-pin=pbkdf2-sha256$1$AAAA$AAAA", "technician-pin"},
		{"psk", "psk=short", "[wifi] psk"},
		{"ssid", "ssid=this SSID is far longer than thirty-two bytes", "[wifi] ssid"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *text = good_text_with(fx, bad[i].key, bad[i].line);
		expect_parse_error(text, RELAIS_BOOTHCONF_ERROR_VALUE, bad[i].needle);
	}
	g_autofree char *hex =
		good_text_with(fx, "psk", "psk=00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF");
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisBoothConf) c = relais_boothconf_parse(hex, strlen(hex), &error);
	g_assert_no_error(error);
	/* saving refuses an invalid conf and leaves no file */
	g_free(c->switchboard_url);
	c->switchboard_url = g_strdup("http://switchboard.test");
	g_assert_false(relais_boothconf_save(c, fx->path, &error));
	g_assert_error(error, RELAIS_BOOTHCONF_ERROR, RELAIS_BOOTHCONF_ERROR_URL);
	g_assert_false(g_file_test(fx->path, G_FILE_TEST_EXISTS));
}

/* Each prefix of a good file (a card pulled out mid-write without the atomic
 * rename) either parses to a valid conf or is refused with our error. */
static void test_truncated(Fixture *fx, gconstpointer data)
{
	g_autoptr(RelaisBoothConf) c = good_conf(fx);
	gsize len = 0;
	g_autofree char *text = relais_boothconf_to_data(c, &len, NULL);
	guint valid = 0;
	for (gsize n = 0; n < len; n++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(RelaisBoothConf) t = relais_boothconf_parse(text, n, &error);
		if (t) {
			valid++;
			continue;
		}
		g_assert_nonnull(error);
		g_assert_true(error->domain == RELAIS_BOOTHCONF_ERROR);
	}
	/* only cuts inside the optional [wifi] group at the end can be valid */
	g_assert_cmpuint(valid, <, 80);
}

static void test_erase_token(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisBoothConf) c = good_conf(fx);
	g_assert_true(relais_boothconf_save(c, fx->path, &error));
	/* a technician's comment survives */
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(fx->path, &text, NULL, NULL));
	g_autofree char *commented = g_strconcat(text, "# fitted on the 2nd floor\n", NULL);
	g_assert_true(g_file_set_contents(fx->path, commented, -1, NULL));
	g_assert_cmpint(g_chmod(fx->path, 0644), ==, 0);

	g_assert_true(relais_boothconf_erase_token(fx->path, &error));
	g_assert_no_error(error);
	g_autoptr(RelaisBoothConf) back = relais_boothconf_load(fx->path, &error);
	g_assert_no_error(error);
	g_assert_null(back->token);
	g_assert_cmpstr(back->name, ==, c->name);
	g_assert_cmpstr(back->ca_pem, ==, c->ca_pem);
	g_assert_cmpstr(back->wifi_psk, ==, c->wifi_psk);
	g_autofree char *after = NULL;
	g_assert_true(g_file_get_contents(fx->path, &after, NULL, NULL));
	g_assert_null(strstr(after, TOKEN));
	g_assert_nonnull(strstr(after, "# fitted on the 2nd floor"));
	GStatBuf st;
	g_assert_cmpint(g_stat(fx->path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	/* again: nothing to do */
	g_assert_true(relais_boothconf_erase_token(fx->path, &error));
	g_assert_no_error(error);
	/* no file: the booth reports it */
	g_assert_cmpint(g_unlink(fx->path), ==, 0);
	g_assert_false(relais_boothconf_erase_token(fx->path, &error));
	g_assert_error(error, RELAIS_BOOTHCONF_ERROR, RELAIS_BOOTHCONF_ERROR_MISSING);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)
	ADD("/boothconf/roundtrip", test_roundtrip);
	ADD("/boothconf/minimal", test_minimal);
	ADD("/boothconf/windows-edit", test_windows_edit);
	ADD("/boothconf/missing-unreadable", test_missing_unreadable);
	ADD("/boothconf/syntax", test_syntax);
	ADD("/boothconf/keys", test_keys);
	ADD("/boothconf/url", test_url);
	ADD("/boothconf/ca", test_ca);
	ADD("/boothconf/token", test_token);
	ADD("/boothconf/values", test_values);
	ADD("/boothconf/truncated", test_truncated);
	ADD("/boothconf/erase-token", test_erase_token);
	return g_test_run();
}
