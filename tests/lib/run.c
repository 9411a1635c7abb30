/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "run.h"

#include <glib/gstdio.h>
#include <unistd.h>

void rt_run_clear(RtRun *r)
{
	g_free(r->out);
	g_free(r->err);
}

void rt_run(RtRun *r, const char *const *argv, const char *const *env, const char *input)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSubprocessLauncher) l =
		g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
	for (const char *const *e = env; e && *e; e++) {
		g_auto(GStrv) kv = g_strsplit(*e, "=", 2);
		g_assert_nonnull(kv[1]);
		g_subprocess_launcher_setenv(l, kv[0], kv[1], TRUE);
	}
	g_autofree char *in = NULL;
	int fd = g_file_open_tmp("relais-test-stdin-XXXXXX", &in, &error);
	g_assert_no_error(error);
	close(fd);
	g_assert_true(g_file_set_contents(in, input ? input : "", -1, &error));
	g_subprocess_launcher_set_stdin_file_path(l, in);
	g_autoptr(GSubprocess) p = g_subprocess_launcher_spawnv(l, argv, &error);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_communicate_utf8(p, NULL, NULL, &r->out, &r->err, &error));
	g_assert_no_error(error);
	r->status = g_subprocess_get_if_exited(p) ? g_subprocess_get_exit_status(p) : -1;
	g_unlink(in);
}

void rt_run_ok(const char *const *argv, const char *const *env, const char *input)
{
	g_auto(RtRun) r = {0};
	rt_run(&r, argv, env, input);
	if (r.status != 0)
		g_error("%s: exit %d\n%s%s", argv[0], r.status, r.out, r.err);
}

char *rt_tool(const char *name, const char *packages)
{
	char *p = g_find_program_in_path(name);
	if (p == NULL)
		p = g_build_filename("/usr/sbin", name, NULL);
	if (!g_file_test(p, G_FILE_TEST_IS_EXECUTABLE))
		g_error("%s is needed (board/host/packages.txt: %s)", name, packages);
	return p;
}
