/* SPDX-License-Identifier: GPL-2.0-or-later */
/* enrol-cmd: `ca init`, `booth add NAME --site SITE` (the token alone on
 * stdout, usable once), `booth revoke`, `booth certs`, and bad arguments,
 * each in a subprocess so that its output can be checked. */
#include "enrol-cmd.h"
#include "enrol.h"
#include "harness.h"
#include "pki.h"

#include <glib/gstdio.h>
#include <string.h>

static char *data_dir;

static int run(const char *first, ...)
{
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *))
		g_ptr_array_add(args, (gpointer)a);
	va_end(ap);
	g_ptr_array_add(args, NULL);
	return sb_enrol_command(data_dir, NULL, (int)args->len - 1, (char **)args->pdata);
}

static void add_site(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbStore) store = sb_store_open(data_dir, &error);
	g_assert_no_error(error);
	g_assert_cmpint(sb_store_site_upsert(store, 0, "Centre", "Europe/Paris", &error), >, 0);
}

static void test_ca_init(void)
{
	if (g_test_subprocess()) {
		exit(run("ca", "init", NULL));
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stderr("*made the booth CA*");
	/* never twice */
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*exists*");
}

static void test_booth_add(void)
{
	if (g_test_subprocess()) {
		exit(run("booth", "add", "hall-1", "--site", "Centre", NULL));
	}
	add_site();
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stderr("*booth 'hall-1' at 'Centre'*valid until*");
	/* 43 base64url characters and a newline, nothing else */
	g_test_trap_assert_stdout("???????????????????????????????????????????\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(SbStore) store = sb_store_open(data_dir, &error);
	g_assert_no_error(error);
	g_autoptr(GPtrArray) booths = sb_store_booth_list(store, 0, &error);
	g_assert_cmpuint(booths->len, ==, 1);
	g_assert_cmpstr(((SbBooth *)booths->pdata[0])->id, ==, "hall-1");
	/* the CA was made on first use */
	g_autofree char *ca = g_build_filename(data_dir, SB_BOOTH_CA_CERT_FILE, NULL);
	g_assert_true(g_file_test(ca, G_FILE_TEST_EXISTS));
}

static void test_booth_add_bad(void)
{
	if (g_test_subprocess()) {
		const char *which = g_getenv("CASE");
		if (g_strcmp0(which, "no-site") == 0)
			exit(run("booth", "add", "hall-1", NULL));
		if (g_strcmp0(which, "unknown-site") == 0)
			exit(run("booth", "add", "hall-1", "--site", "Nowhere", NULL));
		if (g_strcmp0(which, "two-names") == 0)
			exit(run("booth", "add", "a", "b", "--site", "Centre", NULL));
		exit(run("booth", "frobnicate", "x", NULL));
	}
	add_site();
	const char *cases[][3] = {{"no-site", "2", "*--site*"},
				  {"unknown-site", "1", "*no site named 'Nowhere'*"},
				  {"two-names", "2", "*one NAME*"},
				  {"verb", "2", "*booth add|revoke|certs*"}};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_setenv("CASE", cases[i][0], TRUE);
		g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDIN);
		g_test_trap_assert_failed();
		g_test_trap_assert_stderr(cases[i][2]);
	}
	g_unsetenv("CASE");
}

static void test_revoke_certs(void)
{
	if (g_test_subprocess()) {
		const char *which = g_getenv("CASE");
		if (g_strcmp0(which, "revoke") == 0)
			exit(run("booth", "revoke", "hall-1", NULL));
		if (g_strcmp0(which, "revoke-ghost") == 0)
			exit(run("booth", "revoke", "ghost", NULL));
		exit(run("booth", "certs", "hall-1", NULL));
	}
	add_site();
	/* an enrolled booth */
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(SbStore) store = sb_store_open(data_dir, &error);
		g_autoptr(SbBoothCa) ca = sb_booth_ca_open(data_dir, TRUE, &error);
		g_assert_no_error(error);
		g_autoptr(SbEnrol) enrol = sb_enrol_new(store, ca);
		g_autofree char *token = sb_enrol_booth_add(enrol, "hall-1", "Centre", 0, NULL, &error);
		g_assert_no_error(error);
		g_autoptr(EVP_PKEY) key = relais_pki_ec_key_new(&error);
		g_autoptr(X509_REQ) req = relais_pki_csr_new(key, "hall-1", &error);
		g_autofree char *csr = relais_pki_csr_to_pem(req, &error);
		g_autofree char *cert = sb_enrol_simpleenroll(enrol, token, csr, NULL, &error);
		g_assert_no_error(error);
	}
	g_setenv("CASE", "certs", TRUE);
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stdout("* UTC .. * UTC\n");
	g_setenv("CASE", "revoke", TRUE);
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stderr("*booth 'hall-1' revoked (1 certificate)*");
	g_setenv("CASE", "certs", TRUE);
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stdout("*  revoked *UTC\n");
	g_setenv("CASE", "revoke-ghost", TRUE);
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*no booth 'ghost'*");
	g_unsetenv("CASE");
}

/* Each test gets its own data folder, made before the subprocess runs
 * (the subprocess inherits the variable). */
static void with_dir(gconstpointer test)
{
	g_autoptr(GError) error = NULL;
	if (!g_test_subprocess()) {
		g_autofree char *tmp = g_dir_make_tmp("relais-enrol-cmd-XXXXXX", &error);
		g_assert_no_error(error);
		g_setenv("RELAIS_TEST_DATA", tmp, TRUE);
	}
	data_dir = g_strdup(g_getenv("RELAIS_TEST_DATA"));
	((void (*)(void))test)();
	if (!g_test_subprocess()) {
		rt_rm_rf(data_dir);
		g_unsetenv("RELAIS_TEST_DATA");
	}
	g_clear_pointer(&data_dir, g_free);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_data_func("/enrol-cmd/ca-init", test_ca_init, with_dir);
	g_test_add_data_func("/enrol-cmd/booth-add", test_booth_add, with_dir);
	g_test_add_data_func("/enrol-cmd/booth-add-bad", test_booth_add_bad, with_dir);
	g_test_add_data_func("/enrol-cmd/revoke-certs", test_revoke_certs, with_dir);
	return g_test_run();
}
