/* SPDX-License-Identifier: GPL-2.0-or-later */
/* board/common/rauc/rauc-bootslot, RAUC's custom boot-loader backend, on a
 * plain folder standing for the config partition (RELAIS_BOOTSTATE) and a
 * file standing for /proc/cmdline: primary and states, the one-shot try and
 * its outcome at the next boot, the Pi's autoboot.txt kept in step, the two
 * checksummed copies (written in turn, in place; one cut short or emptied
 * by a power cut and the other is used; both damaged: a clear sentence and
 * the slot that booted), and concurrent writers and readers. Then the real
 * RAUC (rauc service on a private D-Bus) drives it through system-conf.sh's
 * configuration: rauc status, mark-active, mark-good, mark-bad. The U-Boot
 * side of the same state: test-bootscript.c. */
#include "bootstate.h"
#include "cert.h"
#include "harness.h"
#include "run.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

typedef struct {
	char *dir;
	char *relais;  /* the folder relais/ of the "config partition" */
	char *state;   /* relais/bootstate: the copies are .0 and .1 */
	char *cmdline; /* stands for /proc/cmdline */
	char *autoboot;
	char *script;
} Fixture;

static GSubprocessLauncher *launcher(Fixture *fx, GSubprocessFlags flags)
{
	GSubprocessLauncher *l = g_subprocess_launcher_new(flags);
	g_subprocess_launcher_setenv(l, "RELAIS_BOOTSTATE", fx->state, TRUE);
	g_subprocess_launcher_setenv(l, "RELAIS_BOOTSLOT_CMDLINE", fx->cmdline, TRUE);
	g_subprocess_launcher_setenv(l, "RELAIS_BOOTSLOT_AUTOBOOT", fx->autoboot, TRUE);
	g_subprocess_launcher_setenv(l, "RELAIS_BOOTSLOT_REBOOT", "echo reboot", TRUE);
	return l;
}

static void run_argv(Fixture *fx, RtRun *r, const char *const *argv)
{
	g_autofree char *state = g_strconcat("RELAIS_BOOTSTATE=", fx->state, NULL);
	g_autofree char *cmdline = g_strconcat("RELAIS_BOOTSLOT_CMDLINE=", fx->cmdline, NULL);
	g_autofree char *autoboot = g_strconcat("RELAIS_BOOTSLOT_AUTOBOOT=", fx->autoboot, NULL);
	const char *env[] = {state, cmdline, autoboot, "RELAIS_BOOTSLOT_REBOOT=echo reboot", NULL};
	rt_run(r, argv, env, NULL);
}

/* rauc-bootslot ARGS...; the result in r */
static void bs(Fixture *fx, RtRun *r, const char *a1, const char *a2, const char *a3)
{
	const char *argv[] = {fx->script, a1, a2, a3, NULL};
	run_argv(fx, r, argv);
}

/* rauc-bootslot ARGS... that must succeed; returns its standard output's
 * first line (transfer full) */
static char *bs_ok(Fixture *fx, const char *a1, const char *a2, const char *a3)
{
	g_auto(RtRun) r = {0};
	bs(fx, &r, a1, a2, a3);
	if (r.status != 0)
		g_error("rauc-bootslot %s: exit %d: %s", a1, r.status, r.err);
	return g_strdup(g_strchomp(r.out));
}

#define assert_out(fx, expect, a1, a2, a3)                                                                             \
	do {                                                                                                           \
		g_autofree char *o_ = bs_ok(fx, a1, a2, a3);                                                           \
		g_assert_cmpstr(o_, ==, expect);                                                                       \
	} while (0)

static void set_cmdline(Fixture *fx, const char *slot)
{
	g_autofree char *line = g_strdup_printf("console=ttyAMA0 root=/dev/vda4 rauc.slot=%s quiet\n", slot);
	g_assert_true(g_file_set_contents(fx->cmdline, line, -1, NULL));
}

static char *read_file(const char *path)
{
	char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	return text;
}

/* The state the copies hold (the newer whole one), read independently of
 * the script (tests/lib/bootstate.c) */
static void assert_state(Fixture *fx, const char *order, const char *tryboot, const char *pending)
{
	g_autoptr(GHashTable) t = rt_bootstate_read(fx->state, NULL);
	if (t == NULL)
		g_error("no whole copy of bootstate; expected order=%s tryboot=%s pending=%s", order, tryboot, pending);
	const char *o = g_hash_table_lookup(t, "order"), *tb = g_hash_table_lookup(t, "tryboot"),
		   *p = g_hash_table_lookup(t, "pending");
	if (g_strcmp0(o ?: "", order) || g_strcmp0(tb ?: "", tryboot) || g_strcmp0(p ?: "", pending))
		g_error("bootstate is order=%s tryboot=%s pending=%s, expected order=%s tryboot=%s pending=%s", o, tb,
			p, order, tryboot, pending);
}

/* Both copies' bytes, for "nothing was written" */
static char *copies(Fixture *fx)
{
	g_autofree char *c0 = g_strconcat(fx->state, ".0", NULL);
	g_autofree char *c1 = g_strconcat(fx->state, ".1", NULL);
	g_autofree char *t0 = read_file(c0);
	g_autofree char *t1 = read_file(c1);
	GString *all = g_string_new(NULL);
	for (int i = 0; i < 2; i++) {
		const char *path = i ? c1 : c0;
		gsize len = 0;
		g_autofree char *data = NULL;
		if (g_file_get_contents(path, &data, &len, NULL)) {
			g_autofree char *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (guchar *)data, len);
			g_string_append_printf(all, "%d:%zu:%s\n", i, len, hex);
		} else {
			g_string_append_printf(all, "%d:none\n", i);
		}
	}
	return g_string_free(all, FALSE);
}

static void fx_setup(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp("relais-bootslot-XXXXXX", &error);
	g_assert_no_error(error);
	fx->relais = g_build_filename(fx->dir, "relais", NULL);
	g_assert_cmpint(g_mkdir(fx->relais, 0755), ==, 0);
	fx->state = g_build_filename(fx->relais, "bootstate", NULL);
	fx->cmdline = g_build_filename(fx->dir, "cmdline", NULL);
	fx->autoboot = g_build_filename(fx->dir, "autoboot.txt", NULL);
	fx->script = g_build_filename(rt_top(), "board", "common", "rauc", "rauc-bootslot", NULL);
	g_assert_true(g_file_test(fx->script, G_FILE_TEST_IS_EXECUTABLE));
	set_cmdline(fx, "A");
	/* what the image's first boot finds: both slots written, A first */
	rt_bootstate_put_both(fx->state, "A B", NULL, NULL);
}

static void fx_teardown(Fixture *fx, gconstpointer data)
{
	rt_rm_rf(fx->dir);
	g_free(fx->dir);
	g_free(fx->relais);
	g_free(fx->state);
	g_free(fx->cmdline);
	g_free(fx->autoboot);
	g_free(fx->script);
}

/* An update that works: RAUC marks the target bad, writes it, makes it
 * primary (a try); the boot loader boots it once; the booth is healthy and
 * marks it good: from then on it is the primary, and A the fallback. */
static void test_update_kept(Fixture *fx, gconstpointer data)
{
	assert_out(fx, "A", "get-primary", NULL, NULL);
	assert_out(fx, "good", "get-state", "A", NULL);
	assert_out(fx, "good", "get-state", "B", NULL);
	assert_out(fx, "A", "get-current", NULL, NULL);

	assert_out(fx, "", "set-state", "B", "bad");
	assert_state(fx, "A", "", "");
	assert_out(fx, "bad", "get-state", "B", NULL);
	assert_out(fx, "", "set-primary", "B", NULL);
	assert_state(fx, "A", "B", "B");
	/* the next boot is B's try: RAUC's "primary" is what boots next */
	assert_out(fx, "B", "get-primary", NULL, NULL);

	/* the boot loader: B once, then A again (one shot) */
	assert_out(fx, "B", "boot", NULL, NULL);
	assert_state(fx, "A", "", "B");
	set_cmdline(fx, "B");
	assert_out(fx, "trying B", "booted", NULL, NULL);
	assert_out(fx, "B", "get-current", NULL, NULL);
	/* healthy: the health service runs `rauc status mark-good` */
	assert_out(fx, "", "set-state", "B", "good");
	assert_state(fx, "B A", "", "");
	assert_out(fx, "B", "get-primary", NULL, NULL);
	assert_out(fx, "B", "boot", NULL, NULL);
	assert_out(fx, "B", "boot", NULL, NULL);
	assert_out(fx, "normal", "booted", NULL, NULL);

	/* marking good again changes nothing, and writes nothing */
	g_autofree char *before = copies(fx);
	assert_out(fx, "", "set-state", "B", "good");
	g_autofree char *after = copies(fx);
	g_assert_cmpstr(before, ==, after);

	/* each write went to the older copy, in place: the same files (and so
	 * the same clusters and directory entries on FAT) from the first one */
	g_autofree char *c0 = g_strconcat(fx->state, ".0", NULL);
	GStatBuf st0;
	g_assert_cmpint(g_stat(c0, &st0), ==, 0);
	assert_out(fx, "", "set-primary", "A", NULL);
	assert_out(fx, "", "set-primary", "B", NULL);
	GStatBuf st0b;
	g_assert_cmpint(g_stat(c0, &st0b), ==, 0);
	g_assert_cmpuint(st0.st_ino, ==, st0b.st_ino);
	g_assert_cmpint(st0b.st_size, ==, RT_BOOTSTATE_SIZE);
}

/* An update whose booth never reports healthy: the try boots B once; B's
 * reboot (watchdog, health deadline, power) brings A back, and A's first
 * boot says which slot failed (for the switchboard) and marks it bad. */
static void test_update_rolled_back(Fixture *fx, gconstpointer data)
{
	assert_out(fx, "", "set-state", "B", "bad");
	assert_out(fx, "", "set-primary", "B", NULL);
	assert_out(fx, "B", "boot", NULL, NULL);
	set_cmdline(fx, "B");
	assert_out(fx, "trying B", "booted", NULL, NULL);
	/* no mark-good: the next boot is the old slot */
	assert_out(fx, "A", "boot", NULL, NULL);
	set_cmdline(fx, "A");
	assert_out(fx, "failed B", "booted", NULL, NULL);
	assert_state(fx, "A", "", "");
	assert_out(fx, "bad", "get-state", "B", NULL);
	assert_out(fx, "A", "get-primary", NULL, NULL);
	/* said once: the next boot is a normal one */
	assert_out(fx, "normal", "booted", NULL, NULL);

	/* a try that never happened (a reboot without the try, a power cut
	 * before it) ends the same way: the old slot, the update failed */
	assert_out(fx, "", "set-primary", "B", NULL);
	assert_out(fx, "failed B", "booted", NULL, NULL);
	assert_state(fx, "A", "", "");

	/* going back to the primary cancels a try */
	assert_out(fx, "", "set-primary", "B", NULL);
	assert_out(fx, "", "set-primary", "A", NULL);
	assert_state(fx, "A", "", "");
	assert_out(fx, "A", "boot", NULL, NULL);
}

static void test_bad_arguments(Fixture *fx, gconstpointer data)
{
	g_auto(RtRun) r1 = {0};
	bs(fx, &r1, "set-primary", "C", NULL);
	g_assert_cmpint(r1.status, ==, 2);
	g_assert_nonnull(strstr(r1.err, "unknown slot 'C' (the slots are A and B)"));
	g_auto(RtRun) r2 = {0};
	bs(fx, &r2, "set-state", "A", "fine");
	g_assert_cmpint(r2.status, ==, 2);
	g_assert_nonnull(strstr(r2.err, "usage:"));
	g_auto(RtRun) r3 = {0};
	bs(fx, &r3, "frobnicate", NULL, NULL);
	g_assert_cmpint(r3.status, ==, 2);
	/* no slot on the kernel command line: get-current says so */
	g_assert_true(g_file_set_contents(fx->cmdline, "console=ttyAMA0 root=/dev/vda4\n", -1, NULL));
	g_auto(RtRun) r4 = {0};
	bs(fx, &r4, "get-current", NULL, NULL);
	g_assert_cmpint(r4.status, ==, 1);
	g_assert_nonnull(strstr(r4.err, "no rauc.slot=A|B on the kernel command line"));
	/* nothing was written by any of them */
	assert_state(fx, "A B", "", "");

	/* the config partition not mounted: a clear error, nothing made */
	rt_rm_rf(fx->relais);
	g_auto(RtRun) r5 = {0};
	bs(fx, &r5, "set-primary", "B", NULL);
	g_assert_cmpint(r5.status, ==, 1);
	g_assert_nonnull(strstr(r5.err, "no such folder (is the config partition mounted?)"));
	g_assert_false(g_file_test(fx->relais, G_FILE_TEST_EXISTS));
}

/* Both copies damaged or missing: one sentence naming each and what is
 * wrong, and the slot that booted as the only good one, nothing to try. A
 * checksum is not trust: a copy with a good one is still checked entry by
 * entry. */
static void test_damaged_state(Fixture *fx, gconstpointer data)
{
	static const struct {
		const char *entries[4]; /* {NULL}: no file */
		gboolean torn;
		gsize size; /* 0: RT_BOOTSTATE_SIZE */
		const char *why;
	} cases[] = {
		{{NULL}, FALSE, 0, "bootstate.0: missing; "},
		/* what a power cut did to the single file of the first design */
		{{"order=A B", "seq=0x1", NULL}, FALSE, 1, "1 bytes, not 512"},
		{{"order=A B", "seq=0x1", NULL}, TRUE, 0, "bad checksum (a write cut short?)"},
		{{"order=A C", "seq=0x1", NULL}, FALSE, 0, "order='A C' is not 'A B', 'B A', 'A' or 'B'"},
		{{"order=A A", "seq=0x1", NULL}, FALSE, 0, "order='A A' is not"},
		{{"seq=0x1", "tryboot=B", NULL}, FALSE, 0, "order='' is not"},
		{{"order=A B", "seq=0x1", "tryboot=B; reset", NULL},
		 FALSE,
		 0,
		 "tryboot='B; reset' is not empty, A or B"},
		{{"order=A B", "pending=$(touch /tmp/x)", "seq=0x1", NULL},
		 FALSE,
		 0,
		 "pending='$(touch /tmp/x)' is not empty, A or B"},
		{{"order=A B", NULL}, FALSE, 0, "seq='' is not 0x and 1 to 8 hex digits"},
		{{"order=A B", "seq=12", NULL}, FALSE, 0, "seq='12' is not 0x and"},
		{{"order=A B", "seq=0x1ffffffff", NULL}, FALSE, 0, "seq='0x1ffffffff' is not"},
		/* a binary entry: its bytes shown as '?', never sent to a terminal */
		{{"\x7f\x45LF\x1b[2J", "order=A", "seq=0x1", NULL}, FALSE, 0, "entry '?ELF?[2J' is not key=value"},
	};
	set_cmdline(fx, "B");
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		for (int n = 0; n < 2; n++) {
			g_autofree char *path = g_strdup_printf("%s.%d", fx->state, n);
			if (cases[i].entries[0] == NULL) {
				g_unlink(path);
				continue;
			}
			g_autoptr(GBytes) b = rt_bootstate_copy(cases[i].entries, cases[i].torn);
			gsize size = cases[i].size ? cases[i].size : RT_BOOTSTATE_SIZE;
			g_assert_true(g_file_set_contents(path, g_bytes_get_data(b, NULL), size, NULL));
		}
		g_autofree char *before = copies(fx);
		g_auto(RtRun) r = {0};
		bs(fx, &r, "get-primary", NULL, NULL);
		g_assert_cmpint(r.status, ==, 0);
		g_assert_cmpstr(r.out, ==, "B\n");
		if (!strstr(r.err, cases[i].why) || !strstr(r.err, "rauc-bootslot: ") ||
		    !strstr(r.err, "bootstate.1: ") ||
		    !strstr(r.err, "using the slot that booted (B) as primary, nothing to try"))
			g_error("case %u: stderr is '%s', expected '%s'", i, r.err, cases[i].why);
		g_auto(RtRun) s = {0};
		bs(fx, &s, "get-state", "A", NULL);
		g_assert_cmpstr(s.out, ==, "bad\n");
		/* reading never repairs nor changes them */
		g_autofree char *after = copies(fx);
		g_assert_cmpstr(before, ==, after);
		/* the boot loader, which has no running slot: A, nothing written */
		assert_out(fx, "A", "boot", NULL, NULL);
		g_autofree char *after_boot = copies(fx);
		g_assert_cmpstr(before, ==, after_boot);
	}
	/* the next write repairs both from the safe default */
	assert_out(fx, "", "set-state", "B", "good");
	assert_state(fx, "B", "", "");
	g_autoptr(GHashTable) c0 = rt_bootstate_read_copy(fx->state, 0);
	g_autoptr(GHashTable) c1 = rt_bootstate_read_copy(fx->state, 1);
	g_assert_nonnull(c0);
	g_assert_nonnull(c1);
}

/* A power cut in the middle of a write tears one copy (or, on FAT,
 * empties it): the other one, one write older, is used, with one line
 * naming the damaged copy; the next write goes into the damaged one. */
static void test_one_copy_damaged(Fixture *fx, gconstpointer data)
{
	/* A primary; then an install made B the try (copy 1, seq 2) */
	rt_bootstate_put(fx->state, 0, 1, "A", NULL, NULL);
	rt_bootstate_put(fx->state, 1, 2, "A", "B", "B");
	assert_out(fx, "B", "get-primary", NULL, NULL);

	/* the try's write cut short: the state before it */
	g_autofree char *c1 = g_strconcat(fx->state, ".1", NULL);
	static const char *const torn[] = {"order=A", "pending=B", "seq=0x2", "tryboot=B", NULL};
	g_autoptr(GBytes) b = rt_bootstate_copy(torn, TRUE);
	g_assert_true(g_file_set_contents(c1, g_bytes_get_data(b, NULL), RT_BOOTSTATE_SIZE, NULL));
	g_auto(RtRun) r = {0};
	bs(fx, &r, "get-primary", NULL, NULL);
	g_assert_cmpstr(r.out, ==, "A\n");
	g_assert_nonnull(strstr(r.err, "bootstate.1: bad checksum (a write cut short?); using "));
	g_assert_nonnull(strstr(r.err, "bootstate.0"));
	/* emptied (what check-image's power cut did to the one file of the
	 * first design): the same */
	g_assert_true(g_file_set_contents(c1, "", 0, NULL));
	g_auto(RtRun) r2 = {0};
	bs(fx, &r2, "get-primary", NULL, NULL);
	g_assert_cmpstr(r2.out, ==, "A\n");
	g_assert_nonnull(strstr(r2.err, "bootstate.1: 0 bytes, not 512; using "));

	/* the boot loader boots A and writes nothing */
	g_autofree char *before = copies(fx);
	assert_out(fx, "A", "boot", NULL, NULL);
	g_autofree char *after = copies(fx);
	g_assert_cmpstr(before, ==, after);

	/* A's health check: a normal boot; marking A good changes no state,
	 * but the damaged copy is written again (seq 2), whole */
	assert_out(fx, "normal", "booted", NULL, NULL);
	assert_out(fx, "", "set-state", "A", "good");
	g_autoptr(GHashTable) t1 = rt_bootstate_read_copy(fx->state, 1);
	g_assert_nonnull(t1);
	g_assert_cmpstr(g_hash_table_lookup(t1, "seq"), ==, "0x2");
	g_assert_cmpstr(g_hash_table_lookup(t1, "order"), ==, "A");
	g_auto(RtRun) r3 = {0};
	bs(fx, &r3, "get-primary", NULL, NULL);
	g_assert_cmpstr(r3.out, ==, "A\n");
	g_assert_cmpstr(r3.err, ==, "");

	/* the newer copy wins whichever file it is in; a tie goes to copy 0 */
	rt_bootstate_put(fx->state, 0, 7, "B A", NULL, NULL);
	rt_bootstate_put(fx->state, 1, 6, "A B", NULL, NULL);
	assert_out(fx, "B", "get-primary", NULL, NULL);
	rt_bootstate_put(fx->state, 1, 0x10, "A B", NULL, NULL);
	assert_out(fx, "A", "get-primary", NULL, NULL);
	rt_bootstate_put(fx->state, 1, 7, "A B", NULL, NULL);
	assert_out(fx, "B", "get-primary", NULL, NULL);

	/* `show` tells a technician which copy is used and why the other is not */
	g_assert_true(g_file_set_contents(c1, "x", 1, NULL));
	g_auto(RtRun) sh = {0};
	bs(fx, &sh, "show", NULL, NULL);
	g_assert_cmpint(sh.status, ==, 0);
	g_assert_nonnull(strstr(sh.out, "order=B A\ntryboot=\npending=\n"));
	g_assert_nonnull(strstr(sh.out, "bootstate.0: whole, seq=0x7 (in use)\n"));
	g_assert_nonnull(strstr(sh.out, "bootstate.1: 1 bytes, not 512\n"));

	/* init: a fresh state in both, whatever was there */
	assert_out(fx, "", "init", "B", NULL);
	g_autoptr(GHashTable) i0 = rt_bootstate_read_copy(fx->state, 0);
	g_autoptr(GHashTable) i1 = rt_bootstate_read_copy(fx->state, 1);
	g_assert_nonnull(i0);
	g_assert_nonnull(i1);
	g_assert_cmpstr(g_hash_table_lookup(i0, "order"), ==, "B");
	g_assert_cmpstr(g_hash_table_lookup(i1, "order"), ==, "B");
	g_assert_false(g_hash_table_contains(i0, "tryboot"));
}

/* The Pi: its firmware reads autoboot.txt at the root of the config
 * partition, boots [all]'s boot_partition, and [tryboot]'s once after
 * `reboot "0 tryboot"`. */
static void test_pi_autoboot(Fixture *fx, gconstpointer data)
{
	g_assert_true(g_file_set_contents(fx->autoboot, "[all]\ntryboot_a_b=1\nboot_partition=2\n", -1, NULL));
	assert_out(fx, "", "set-state", "B", "bad");
	assert_out(fx, "", "set-primary", "B", NULL);
	g_autofree char *a1 = read_file(fx->autoboot);
	g_assert_cmpstr(a1, ==, "[all]\ntryboot_a_b=1\nboot_partition=2\n[tryboot]\nboot_partition=3\n");
	/* from now on of the same length: rewritten in place */
	GStatBuf st1;
	g_assert_cmpint(g_stat(fx->autoboot, &st1), ==, 0);
	g_auto(RtRun) text = {0};
	bs(fx, &text, "autoboot", NULL, NULL);
	g_assert_cmpstr(text.out, ==, a1);
	/* the reboot that starts the try */
	assert_out(fx, "reboot 0 tryboot", "reboot", NULL, NULL);
	set_cmdline(fx, "B");
	assert_out(fx, "trying B", "booted", NULL, NULL);
	/* after the try, a plain reboot */
	assert_out(fx, "reboot", "reboot", NULL, NULL);
	assert_out(fx, "", "set-state", "B", "good");
	g_autofree char *a2 = read_file(fx->autoboot);
	g_assert_cmpstr(a2, ==, "[all]\ntryboot_a_b=1\nboot_partition=3\n[tryboot]\nboot_partition=2\n");
	GStatBuf st2;
	g_assert_cmpint(g_stat(fx->autoboot, &st2), ==, 0);
	g_assert_cmpuint(st1.st_ino, ==, st2.st_ino);
	/* no temporary file left beside them */
	g_autoptr(GDir) d = g_dir_open(fx->dir, 0, NULL);
	const char *name;
	while ((name = g_dir_read_name(d)))
		g_assert_false(g_str_has_prefix(name, ".autoboot"));
}

/* Many writers at once, and readers all along: the writers queue on the
 * lock, each writing the older copy; a reader (RAUC's get-primary) shares
 * the lock, so it never meets a copy in the middle of its write, never
 * says a copy is damaged, and the copies end in a state one of the
 * writers meant. */
typedef struct {
	Fixture *fx;
	gint stop;
	guint reads;
	char *bad; /* the first wrong answer seen, if any */
} Reader;

static gpointer reader_thread(gpointer data)
{
	Reader *rd = data;
	while (!g_atomic_int_get(&rd->stop)) {
		g_auto(RtRun) r = {0};
		bs(rd->fx, &r, "get-primary", NULL, NULL);
		rd->reads++;
		if (r.status != 0 || (g_strcmp0(r.out, "A\n") && g_strcmp0(r.out, "B\n")) || *r.err) {
			rd->bad = g_strdup_printf("exit %d, '%s', '%s'", r.status, r.out, r.err);
			break;
		}
	}
	return NULL;
}

static void test_concurrent_writers(Fixture *fx, gconstpointer data)
{
	enum { WRITERS = 24 };
	GSubprocess *procs[WRITERS];
	Reader rd = {fx, 0, 0, NULL};
	GThread *t = g_thread_new("reader", reader_thread, &rd);
	g_autoptr(GSubprocessLauncher) l = launcher(fx, G_SUBPROCESS_FLAGS_STDERR_SILENCE);
	for (guint i = 0; i < WRITERS; i++) {
		g_autoptr(GError) error = NULL;
		const char *slot = i % 2 ? "B" : "A";
		if (i % 3 == 0)
			procs[i] = g_subprocess_launcher_spawn(l, &error, fx->script, "set-primary", slot, NULL);
		else
			procs[i] = g_subprocess_launcher_spawn(l, &error, fx->script, "set-state", slot,
							       i % 3 == 1 ? "good" : "bad", NULL);
		g_assert_no_error(error);
	}
	for (guint i = 0; i < WRITERS; i++) {
		g_autoptr(GError) error = NULL;
		g_assert_true(g_subprocess_wait_check(procs[i], NULL, &error));
		g_assert_no_error(error);
		g_object_unref(procs[i]);
	}
	/* at least one read after the last write */
	guint seen = (guint)g_atomic_int_get(&rd.reads);
	while (!rd.bad && (guint)g_atomic_int_get(&rd.reads) < seen + 2)
		g_usleep(10 * 1000);
	g_atomic_int_set(&rd.stop, 1);
	g_thread_join(t);
	if (rd.bad)
		g_error("a reader got a wrong answer after %u right ones: %s", rd.reads, rd.bad);
	g_test_message("%u reads during %d writers", rd.reads, WRITERS);
	g_autoptr(GDir) d = g_dir_open(fx->relais, 0, NULL);
	const char *name;
	while ((name = g_dir_read_name(d)))
		g_assert_true(g_str_equal(name, "bootstate.0") || g_str_equal(name, "bootstate.1") ||
			      g_str_equal(name, ".bootstate.lock"));
	/* both whole, and the newer one is the last writer's */
	g_autoptr(GHashTable) c0 = rt_bootstate_read_copy(fx->state, 0);
	g_autoptr(GHashTable) c1 = rt_bootstate_read_copy(fx->state, 1);
	g_assert_nonnull(c0);
	g_assert_nonnull(c1);
	g_auto(RtRun) r = {0};
	bs(fx, &r, "get-primary", NULL, NULL);
	g_assert_cmpstr(r.err, ==, "");
}

/* The real RAUC on a private bus (gio reads DBUS_SYSTEM_BUS_ADDRESS), with
 * system-conf.sh's configuration of qemu-arm64 and this backend: what
 * `rauc status` says, and what mark-bad, mark-active and mark-good write. */
typedef struct {
	Fixture *fx;
	char *bus;
	GSubprocess *daemon, *service;
	gboolean service_gone;
} Rauc;

/* A test that fails half-way (g_error) leaves no service behind. */
static void die_with_test(gpointer data)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static void on_service_exit(GObject *source, GAsyncResult *res, gpointer data)
{
	g_subprocess_wait_finish(G_SUBPROCESS(source), res, NULL);
	*(gboolean *)data = TRUE;
}

static GSubprocess *rauc_service(Rauc *rc, const char *conf, const char *booted)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *rauc = g_find_program_in_path("rauc");
	if (rauc == NULL)
		g_error("rauc is needed (board/host/packages.txt)");
	g_autoptr(GSubprocessLauncher) l = launcher(rc->fx, G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
	g_autofree char *log = g_build_filename(rc->fx->dir, "rauc-service.log", NULL);
	g_subprocess_launcher_set_child_setup(l, die_with_test, NULL, NULL);
	g_subprocess_launcher_set_stderr_file_path(l, log);
	g_subprocess_launcher_setenv(l, "DBUS_SYSTEM_BUS_ADDRESS", rc->bus, TRUE);
	g_autofree char *c = g_strdup_printf("--conf=%s", conf);
	g_autofree char *m = g_strdup_printf("--mount=%s/mnt", rc->fx->dir);
	g_autofree char *o = g_strdup_printf("--override-boot-slot=%s", booted);
	GSubprocess *p = g_subprocess_launcher_spawn(l, &error, rauc, c, m, o, "service", NULL);
	g_assert_no_error(error);
	rc->service_gone = FALSE;
	g_subprocess_wait_async(p, NULL, on_service_exit, &rc->service_gone);
	return p;
}

/* rauc status ARGS on the private bus; the result in r */
static void rauc_status(Rauc *rc, RtRun *r, const char *a1, const char *a2)
{
	const char *argv[] = {"timeout", "20", "rauc", "status", a1, a2, NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(GSubprocessLauncher) l =
		launcher(rc->fx, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_subprocess_launcher_setenv(l, "DBUS_SYSTEM_BUS_ADDRESS", rc->bus, TRUE);
	g_autoptr(GSubprocess) p = g_subprocess_launcher_spawnv(l, argv, &error);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_communicate_utf8(p, NULL, NULL, &r->out, &r->err, &error));
	r->status = g_subprocess_get_if_exited(p) ? g_subprocess_get_exit_status(p) : -1;
}

/* `rauc status --output-format=json`, once the service answers */
static JsonObject *rauc_json(Rauc *rc)
{
	for (guint i = 0; i < 100; i++) {
		g_auto(RtRun) r = {0};
		rauc_status(rc, &r, "--output-format=json", NULL);
		while (g_main_context_iteration(NULL, FALSE))
			;
		if (rc->service_gone) {
			g_autofree char *log = g_build_filename(rc->fx->dir, "rauc-service.log", NULL);
			g_autofree char *text = read_file(log);
			g_error("rauc service ended:\n%s", text);
		}
		if (r.status == 0) {
			g_autoptr(JsonParser) p = json_parser_new();
			g_assert_true(json_parser_load_from_data(p, r.out, -1, NULL));
			JsonObject *o = json_node_get_object(json_parser_get_root(p));
			/* a client that started before the service took its
			 * name has no cached properties (compatible, booted:
			 * null) although its method calls work: ask again */
			if (json_object_get_string_member_with_default(o, "booted", NULL))
				return json_object_ref(o);
		}
		g_usleep(100 * 1000);
	}
	g_error("rauc service did not answer in 10 s (log: %s/rauc-service.log)", rc->fx->dir);
	return NULL;
}

/* boot_status of slot rootfs.N in rauc status's JSON */
static const char *slot_boot_status(JsonObject *o, const char *slot)
{
	JsonArray *slots = json_object_get_array_member(o, "slots");
	for (guint i = 0; i < json_array_get_length(slots); i++) {
		JsonObject *s = json_array_get_object_element(slots, i);
		if (json_object_has_member(s, slot))
			return json_object_get_string_member(json_object_get_object_member(s, slot), "boot_status");
	}
	g_error("no slot %s in rauc status", slot);
	return NULL;
}

static void rauc_mark(Rauc *rc, const char *what, const char *slot, const char *says)
{
	g_auto(RtRun) r = {0};
	rauc_status(rc, &r, what, slot);
	if (r.status != 0 || !strstr(r.out, says))
		g_error("rauc status %s %s: exit %d, '%s' '%s'", what, slot ? slot : "", r.status, r.out, r.err);
}

static void stop(GSubprocess **p, gboolean *gone)
{
	if (*p == NULL)
		return;
	g_subprocess_send_signal(*p, SIGTERM);
	if (gone)
		while (!*gone)
			g_main_context_iteration(NULL, TRUE);
	else
		g_subprocess_wait(*p, NULL, NULL);
	g_clear_object(p);
}

/* data: the board; on the Pi boards autoboot.txt follows each change */
static void test_driven_by_rauc(Fixture *fx, gconstpointer data)
{
	const char *board = data;
	gboolean pi = g_str_has_prefix(board, "rpi");
	g_autoptr(GError) error = NULL;
	Rauc rc = {fx, NULL, NULL, NULL, FALSE};
	g_autofree char *sock = g_build_filename(fx->dir, "bus", NULL);
	rc.bus = g_strdup_printf("unix:path=%s", sock);
	g_autofree char *busconf = g_build_filename(fx->dir, "bus.conf", NULL);
	g_autofree char *bustext =
		g_strdup_printf("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" "
				"\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
				"<busconfig><type>session</type><listen>%s</listen>"
				"<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
				"<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n",
				rc.bus);
	g_assert_true(g_file_set_contents(busconf, bustext, -1, NULL));
	g_autofree char *dbus = g_find_program_in_path("dbus-daemon");
	if (dbus == NULL)
		g_error("dbus-daemon is needed (board/host/packages.txt)");
	g_autofree char *cfg = g_strdup_printf("--config-file=%s", busconf);
	g_autoptr(GSubprocessLauncher) dl =
		g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
	g_subprocess_launcher_set_child_setup(dl, die_with_test, NULL, NULL);
	rc.daemon = g_subprocess_launcher_spawn(dl, &error, dbus, cfg, "--nofork", NULL);
	g_assert_no_error(error);
	for (guint i = 0; i < 100 && !g_file_test(sock, G_FILE_TEST_EXISTS); i++)
		g_usleep(50 * 1000);
	g_assert_true(g_file_test(sock, G_FILE_TEST_EXISTS));

	/* the booth's configuration, but a keyring, data folder and backend
	 * of this test */
	g_assert_true(sb_cert_make_self_signed(fx->dir, "keyring.test", 30, FALSE, &error));
	g_autofree char *keyring = g_build_filename(fx->dir, SB_CERT_FILE, NULL);
	g_autofree char *data_dir = g_build_filename(fx->dir, "rauc-data", NULL);
	g_autofree char *gen = g_build_filename(rt_top(), "board", "common", "rauc", "system-conf.sh", NULL);
	const char *argv[] = {gen, board, "--data-dir", data_dir, "--keyring", keyring, "--backend", fx->script, NULL};
	g_auto(RtRun) g = {0};
	run_argv(fx, &g, argv);
	g_assert_cmpint(g.status, ==, 0);
	g_autofree char *conf = g_build_filename(fx->dir, "system.conf", NULL);
	g_assert_true(g_file_set_contents(conf, g.out, -1, NULL));

	if (pi)
		g_assert_true(g_file_set_contents(fx->autoboot, "[all]\ntryboot_a_b=1\nboot_partition=2\n", -1, NULL));
	/* booted from A, as the image leaves it */
	rc.service = rauc_service(&rc, conf, "A");
	g_autoptr(JsonObject) s1 = rauc_json(&rc);
	g_autofree char *compatible = g_strdup_printf("relais-booth-%s", board);
	g_assert_cmpstr(json_object_get_string_member(s1, "compatible"), ==, compatible);
	g_assert_cmpstr(json_object_get_string_member(s1, "booted"), ==, "A");
	g_assert_cmpstr(json_object_get_string_member(s1, "boot_primary"), ==, "rootfs.0");
	g_assert_cmpstr(slot_boot_status(s1, "rootfs.1"), ==, "good");

	/* what an install does to the other slot: bad while written, then
	 * made primary, which here means tried once */
	rauc_mark(&rc, "mark-bad", "other", "marked slot rootfs.1 as bad");
	assert_state(fx, "A", "", "");
	g_autoptr(JsonObject) s2 = rauc_json(&rc);
	g_assert_cmpstr(slot_boot_status(s2, "rootfs.1"), ==, "bad");
	rauc_mark(&rc, "mark-active", "other", "activated slot rootfs.1");
	assert_state(fx, "A", "B", "B");
	if (pi) {
		g_autofree char *ab = read_file(fx->autoboot);
		g_assert_cmpstr(ab, ==, "[all]\ntryboot_a_b=1\nboot_partition=2\n[tryboot]\nboot_partition=3\n");
		assert_out(fx, "reboot 0 tryboot", "reboot", NULL, NULL);
	}
	g_autoptr(JsonObject) s3 = rauc_json(&rc);
	g_assert_cmpstr(json_object_get_string_member(s3, "boot_primary"), ==, "rootfs.1");
	stop(&rc.service, &rc.service_gone);

	/* the boot loader tries B; the healthy booth marks it good */
	assert_out(fx, "B", "boot", NULL, NULL);
	set_cmdline(fx, "B");
	assert_out(fx, "trying B", "booted", NULL, NULL);
	rc.service = rauc_service(&rc, conf, "B");
	g_autoptr(JsonObject) s4 = rauc_json(&rc);
	g_assert_cmpstr(json_object_get_string_member(s4, "booted"), ==, "B");
	rauc_mark(&rc, "mark-good", NULL, "marked slot rootfs.1 as good");
	assert_state(fx, "B A", "", "");
	if (pi) {
		g_autofree char *ab = read_file(fx->autoboot);
		g_assert_cmpstr(ab, ==, "[all]\ntryboot_a_b=1\nboot_partition=3\n[tryboot]\nboot_partition=2\n");
	}
	g_autoptr(JsonObject) s5 = rauc_json(&rc);
	g_assert_cmpstr(json_object_get_string_member(s5, "boot_primary"), ==, "rootfs.1");
	g_assert_cmpstr(slot_boot_status(s5, "rootfs.0"), ==, "good");
	stop(&rc.service, &rc.service_gone);
	stop(&rc.daemon, NULL);
	g_free(rc.bus);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)
	ADD("/bootslot/update-kept", test_update_kept);
	ADD("/bootslot/update-rolled-back", test_update_rolled_back);
	ADD("/bootslot/bad-arguments", test_bad_arguments);
	ADD("/bootslot/damaged-state", test_damaged_state);
	ADD("/bootslot/one-copy-damaged", test_one_copy_damaged);
	ADD("/bootslot/pi-autoboot", test_pi_autoboot);
	ADD("/bootslot/concurrent-writers", test_concurrent_writers);
	g_test_add("/bootslot/driven-by-rauc/qemu-arm64", Fixture, "qemu-arm64", fx_setup, test_driven_by_rauc,
		   fx_teardown);
	g_test_add("/bootslot/driven-by-rauc/rpi5", Fixture, "rpi5", fx_setup, test_driven_by_rauc, fx_teardown);
	return g_test_run();
}
