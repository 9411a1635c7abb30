/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The systemd units of board/common/ as systemd itself reads them: each copy,
 * its ExecStart= pointed at the built program (verify wants it to exist),
 * passes `systemd-analyze verify` without a single message, keeps the
 * promises the programs rely on (Type=notify, a watchdog, restarts that never
 * give up, the sandbox) and stays under a sandbox exposure level in
 * `systemd-analyze security --offline`; the sysusers.d file makes the booth's
 * user in an empty root. */
#include "harness.h"

#include <string.h>

typedef struct {
	const char *unit, *program;
	const char *threshold; /* systemd-analyze security, 0-100 (tenths of its 0-10 scale) */
} Unit;

static const Unit units[] = {
	{"relais-booth.service", "relais-booth", "25"},
	{"relais-switchboard.service", "relais-switchboard", "20"},
};

/* Lines every unit has, as written. */
static const char *const promised[] = {
	"Type=notify",
	"NotifyAccess=main",
	"Restart=always",
	"StartLimitIntervalSec=0",
	"ProtectSystem=strict",
	"ProtectHome=yes",
	"PrivateTmp=yes",
	"NoNewPrivileges=yes",
	"CapabilityBoundingSet=",
	"SystemCallFilter=@system-service",
	"SystemCallArchitectures=native",
	"LockPersonality=yes",
	"RestrictSUIDSGID=yes",
	"RestrictNamespaces=yes",
};

static char *unit_text(const char *unit)
{
	g_autofree char *path = g_build_filename(rt_top(), "board", "common", "systemd", unit, NULL);
	g_autoptr(GError) error = NULL;
	char *text = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, &error));
	g_assert_no_error(error);
	return text;
}

static gboolean has_line(const char *text, const char *line)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++)
		if (g_str_equal(*l, line))
			return TRUE;
	return FALSE;
}

/* Runs argv; returns the exit status, stdout and stderr. */
static int run(const char *const *argv, char **out, char **err)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSubprocess) p =
		g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_communicate_utf8(p, NULL, NULL, out, err, &error));
	g_assert_no_error(error);
	return g_subprocess_get_if_exited(p) ? g_subprocess_get_exit_status(p) : -1;
}

/* The unit with ExecStart=/usr/bin/PROGRAM replaced by the built one, in
 * dir; returns its path. */
static char *copy_for_verify(const Unit *u, const char *dir)
{
	g_autofree char *text = unit_text(u->unit);
	g_autofree char *from = g_strdup_printf("\nExecStart=/usr/bin/%s ", u->program);
	g_assert_nonnull(strstr(text, from));
	g_autofree char *build = g_canonicalize_filename(rt_build(), NULL);
	g_autofree char *bin = g_build_filename(build, "bin", u->program, NULL);
	g_assert_true(g_file_test(bin, G_FILE_TEST_IS_EXECUTABLE));
	g_autofree char *to = g_strdup_printf("\nExecStart=%s ", bin);
	g_auto(GStrv) parts = g_strsplit(text, from, 2);
	g_autofree char *copy = g_strjoinv(to, parts);
	char *path = g_build_filename(dir, u->unit, NULL);
	g_autoptr(GError) error = NULL;
	g_assert_true(g_file_set_contents(path, copy, -1, &error));
	return path;
}

/* systemd-analyze ARGS... on a copy of the unit made for it (appended last);
 * returns the exit status. */
static int analyze(const Unit *u, const char *const *args, char **out, char **err)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("relais-units-XXXXXX", &error);
	g_assert_no_error(error);
	g_autofree char *path = copy_for_verify(u, dir);
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_ptr_array_add(argv, "systemd-analyze");
	for (const char *const *a = args; *a; a++)
		g_ptr_array_add(argv, (gpointer)*a);
	g_ptr_array_add(argv, path);
	g_ptr_array_add(argv, NULL);
	int rc = run((const char *const *)argv->pdata, out, err);
	rt_rm_rf(dir);
	return rc;
}

static void test_verify(gconstpointer data)
{
	const Unit *u = data;
	const char *args[] = {"verify", "--man=no", NULL};
	g_autofree char *out = NULL, *err = NULL;
	int rc = analyze(u, args, &out, &err);
	/* verify exits 0 on an unknown key or a bad value: every message counts */
	if (rc != 0 || *err != '\0' || *out != '\0')
		g_error("systemd-analyze verify %s: exit %d\n%s%s", u->unit, rc, out, err);
}

static void test_promises(gconstpointer data)
{
	const Unit *u = data;
	g_autofree char *text = unit_text(u->unit);
	for (guint i = 0; i < G_N_ELEMENTS(promised); i++)
		if (!has_line(text, promised[i]))
			g_error("%s lacks the line '%s'", u->unit, promised[i]);
	/* a watchdog, and restarts spaced out (the rate limit when the start
	 * limit is off) */
	g_assert_nonnull(strstr(text, "\nWatchdogSec="));
	g_assert_nonnull(strstr(text, "\nRestartSec="));
	g_assert_nonnull(strstr(text, "\nStateDirectory="));
	g_assert_nonnull(strstr(text, "\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"));
	/* a user of its own, never root */
	g_assert_true(has_line(text, "DynamicUser=yes") || has_line(text, "User=relais-booth"));
	if (g_str_equal(u->program, "relais-booth")) {
		g_assert_true(has_line(text, "SupplementaryGroups=video audio render input"));
		/* a field booth has no test hook on its control socket */
		g_assert_true(has_line(text, "UnsetEnvironment=RELAIS_BOOTH_TEST_HOOKS"));
	} else
		g_assert_null(strstr(text, "SupplementaryGroups="));
}

static void test_exposure(gconstpointer data)
{
	const Unit *u = data;
	/* --offline: the unit as written, not a running service; with a
	 * threshold, the status says whether the exposure is above it */
	g_autofree char *threshold = g_strconcat("--threshold=", u->threshold, NULL);
	const char *args[] = {"security", "--no-pager", "--offline=yes", threshold, NULL};
	g_autofree char *out = NULL, *err = NULL;
	int rc = analyze(u, args, &out, &err);
	if (rc != 0)
		g_error("systemd-analyze security %s: above %s (exit %d)\n%s%s", u->unit, u->threshold, rc, out, err);
}

static void test_sysusers(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *root = g_dir_make_tmp("relais-sysusers-XXXXXX", &error);
	g_assert_no_error(error);
	g_autofree char *etc = g_build_filename(root, "etc", NULL);
	g_assert_cmpint(g_mkdir_with_parents(etc, 0755), ==, 0);
	g_autofree char *conf = g_build_filename(rt_top(), "board", "common", "sysusers.d", "relais.conf", NULL);
	g_autofree char *root_opt = g_strconcat("--root=", root, NULL);
	const char *argv[] = {"systemd-sysusers", root_opt, conf, NULL};
	g_autofree char *out = NULL, *err = NULL;
	int rc = run(argv, &out, &err);
	if (rc != 0)
		g_error("systemd-sysusers: exit %d\n%s%s", rc, out, err);
	g_autofree char *passwd_path = g_build_filename(etc, "passwd", NULL);
	g_autofree char *passwd = NULL;
	g_assert_true(g_file_get_contents(passwd_path, &passwd, NULL, &error));
	g_assert_true(g_str_has_prefix(passwd, "relais-booth:x:"));
	/* a system user: no login shell */
	g_assert_nonnull(strstr(passwd, ":/var/lib/relais-booth:/usr/sbin/nologin\n"));
	rt_rm_rf(root);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(units); i++) {
		g_autofree char *v = g_strdup_printf("/units/%s/verify", units[i].program);
		g_autofree char *p = g_strdup_printf("/units/%s/promises", units[i].program);
		g_autofree char *e = g_strdup_printf("/units/%s/exposure", units[i].program);
		g_test_add_data_func(v, &units[i], test_verify);
		g_test_add_data_func(p, &units[i], test_promises);
		g_test_add_data_func(e, &units[i], test_exposure);
	}
	g_test_add_func("/units/sysusers", test_sysusers);
	return g_test_run();
}
