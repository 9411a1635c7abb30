/* SPDX-License-Identifier: GPL-2.0-or-later */
/* board/qemu-arm64/boot.cmd, the emulated board's A/B boot script, run by
 * the real boot loader (Debian's U-Boot for QEMU's virt machine, under
 * qemu-system-aarch64) on a small disk made here: a config partition with
 * the script and the two copies of relais/bootstate, and two boot
 * partitions whose "kernels" are not kernels, so that every boot attempt
 * fails, is printed, and the script goes on to the next slot. A wrapper
 * script sources the real one and powers QEMU off.
 * The boot loader and board/common/rauc/rauc-bootslot must agree on one
 * state: a try booted once (the flag cleared in the other copy, byte for
 * byte what the backend's reference `boot` writes), a kept slot first, a
 * copy cut short or emptied by a power cut (the other one used, nothing
 * written), hostile values behind a good checksum, no state at all. */
#include "bootstate.h"
#include "harness.h"
#include "run.h"

#include <glib/gstdio.h>
#include <string.h>

#define UBOOT "/usr/lib/u-boot/qemu_arm64/u-boot.bin"
#define FAT   "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"

typedef struct {
	char *dir;
	char *state; /* cfg/relais/bootstate (copies .0 and .1) */
	char *back;  /* back/relais/bootstate: the copies read back from the disk */
	char *image;
	char *script;  /* rauc-bootslot */
	char *scripts; /* boot.scr (the wrapper) and relais.scr (board/qemu-arm64/boot.cmd) */
} Fixture;

/* The disk: GPT, config (8 MiB) with the scripts and relais/ of CFG, boot_a
 * and boot_b (4 MiB each) with a vmlinuz and initrd.img that are text */
static const char MAKE_DISK[] =
	"set -e\n"
	"img=$1 cfg=$2 scripts=$3\n"
	"rm -f \"$img\"\n"
	"truncate -s 20M \"$img\"\n"
	"printf 'label: gpt\\nstart=2048, size=16384, type=" FAT "\\n"
	"start=18432, size=8192, type=" FAT "\\nstart=26624, size=8192, type=" FAT "\\n' |"
	" sfdisk -q \"$img\"\n"
	"export MTOOLS_SKIP_CHECK=1\n"
	"mkfs.fat --offset 2048 -n RELAISCFG \"$img\" 8192 >/dev/null 2>&1\n"
	"mkfs.fat --offset 18432 -n BOOT_A \"$img\" 4096 >/dev/null 2>&1\n"
	"mkfs.fat --offset 26624 -n BOOT_B \"$img\" 4096 >/dev/null 2>&1\n"
	"c=$img@@$((2048 * 512))\n"
	"mcopy -i \"$c\" \"$scripts/boot.scr\" \"$scripts/relais.scr\" ::/\n"
	"mmd -i \"$c\" ::/relais\n"
	"for f in \"$cfg\"/bootstate.*; do [ ! -f \"$f\" ] || mcopy -i \"$c\" \"$f\" ::/relais/; done\n"
	"echo 'slot A: not a kernel' >\"$scripts/a\"\n"
	"echo 'slot B: not a kernel' >\"$scripts/b\"\n"
	"for p in a:18432 b:26624; do\n"
	"  i=$img@@$((${p#*:} * 512))\n"
	"  mcopy -i \"$i\" \"$scripts/${p%:*}\" ::/vmlinuz\n"
	"  mcopy -i \"$i\" \"$scripts/${p%:*}\" ::/initrd.img\n"
	"done\n";

/* What U-Boot's distro boot finds first: the real script, then power off
 * (its kernels fail, so it returns) */
static const char WRAPPER[] = "load virtio 0:1 ${scriptaddr} relais.scr\n"
			      "source ${scriptaddr}\n"
			      "echo \"test: script returned\"\n"
			      "poweroff\n";

static char *path_env(void)
{
	return g_strdup_printf("PATH=%s:/usr/sbin:/sbin", g_getenv("PATH"));
}

static void fx_setup(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp("relais-bootscript-XXXXXX", &error);
	g_assert_no_error(error);
	g_autofree char *cfg = g_build_filename(fx->dir, "cfg", "relais", NULL);
	g_autofree char *back = g_build_filename(fx->dir, "back", "relais", NULL);
	fx->scripts = g_build_filename(fx->dir, "scripts", NULL);
	g_assert_cmpint(g_mkdir_with_parents(cfg, 0755), ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(back, 0755), ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(fx->scripts, 0755), ==, 0);
	fx->state = g_build_filename(cfg, "bootstate", NULL);
	fx->back = g_build_filename(back, "bootstate", NULL);
	fx->image = g_build_filename(fx->dir, "disk.img", NULL);
	fx->script = g_build_filename(rt_top(), "board", "common", "rauc", "rauc-bootslot", NULL);

	g_free(rt_tool("qemu-system-aarch64", "qemu-system-arm"));
	if (!g_file_test(UBOOT, G_FILE_TEST_EXISTS))
		g_error(UBOOT " is missing (apt-get install u-boot-qemu; board/host/packages.txt)");
	g_autofree char *mkimage = rt_tool("mkimage", "u-boot-tools");
	g_autofree char *wrapper = g_build_filename(fx->scripts, "wrapper.cmd", NULL);
	g_assert_true(g_file_set_contents(wrapper, WRAPPER, -1, NULL));
	g_autofree char *cmd = g_build_filename(rt_top(), "board", "qemu-arm64", "boot.cmd", NULL);
	g_autofree char *scr = g_build_filename(fx->scripts, "boot.scr", NULL);
	g_autofree char *rscr = g_build_filename(fx->scripts, "relais.scr", NULL);
	const char *w[] = {mkimage, "-A",   "arm64", "-T",    "script", "-C", "none",
			   "-n",    "test", "-d",    wrapper, scr,	NULL};
	rt_run_ok(w, NULL, NULL);
	const char *r[] = {mkimage, "-A",	  "arm64", "-T", "script", "-C", "none",
			   "-n",    "Relais A/B", "-d",	   cmd,	 rscr,	   NULL};
	rt_run_ok(r, NULL, NULL);
}

static void fx_teardown(Fixture *fx, gconstpointer data)
{
	rt_rm_rf(fx->dir);
	g_free(fx->dir);
	g_free(fx->state);
	g_free(fx->back);
	g_free(fx->image);
	g_free(fx->script);
	g_free(fx->scripts);
}

/* rauc-bootslot ARGS on the cfg/ folder, booted from `slot` (NULL: none),
 * that must succeed; returns its standard output (transfer full) */
static char *bootslot(Fixture *fx, const char *base, const char *slot, const char *a1, const char *a2)
{
	g_autofree char *state = g_strconcat("RELAIS_BOOTSTATE=", base, NULL);
	g_autofree char *cmdfile = g_build_filename(fx->dir, "cmdline", NULL);
	g_autofree char *line = g_strdup_printf("console=ttyAMA0 rauc.slot=%s\n", slot ? slot : "none");
	g_assert_true(g_file_set_contents(cmdfile, line, -1, NULL));
	g_autofree char *cmdline = g_strconcat("RELAIS_BOOTSLOT_CMDLINE=", cmdfile, NULL);
	const char *env[] = {state, cmdline, "RELAIS_BOOTSLOT_AUTOBOOT=/nonexistent", NULL};
	const char *argv[] = {fx->script, a1, a2, NULL};
	g_auto(RtRun) r = {0};
	rt_run(&r, argv, env, NULL);
	if (r.status != 0)
		g_error("rauc-bootslot %s: exit %d: %s", a1, r.status, r.err);
	return g_strdup(r.out);
}

static void make_disk(Fixture *fx)
{
	g_autofree char *path = path_env();
	g_autofree char *cfg = g_path_get_dirname(fx->state);
	const char *argv[] = {"/bin/sh", "-c", MAKE_DISK, "sh", fx->image, cfg, fx->scripts, NULL};
	const char *env[] = {path, NULL};
	rt_run_ok(argv, env, NULL);
}

/* Boots the disk once; returns the script's "relais: " lines, each ended
 * by a newline (transfer full). Fails the test when the wrapper did not
 * get control back (the script hung, or a "kernel" started). */
static char *boot(Fixture *fx)
{
	g_autofree char *drive = g_strdup_printf("if=none,file=%s,format=raw,id=disk", fx->image);
	/* TCG: U-Boot alone starts in seconds; the bound is for a busy machine */
	const char *argv[] = {"timeout",
			      "180",
			      "qemu-system-aarch64",
			      "-M",
			      "virt",
			      "-cpu",
			      "cortex-a72",
			      "-m",
			      "256",
			      "-nographic",
			      "-no-reboot",
			      "-net",
			      "none",
			      "-bios",
			      UBOOT,
			      "-drive",
			      drive,
			      "-device",
			      "virtio-blk-device,drive=disk",
			      NULL};
	g_auto(RtRun) r = {0};
	rt_run(&r, argv, NULL, NULL);
	if (r.status != 0 || !strstr(r.out, "test: script returned"))
		g_error("U-Boot: exit %d, the script did not return:\n%s\n%s", r.status, r.out, r.err);
	GString *lines = g_string_new(NULL);
	g_auto(GStrv) all = g_strsplit(r.out, "\n", -1);
	for (guint i = 0; all[i]; i++) {
		g_strchomp(all[i]);
		if (g_str_has_prefix(all[i], "relais: "))
			g_string_append_printf(lines, "%s\n", all[i]);
	}
	g_test_message("U-Boot said:\n%s", lines->str);
	return g_string_free(lines, FALSE);
}

/* The copies on the disk, copied to back/ (a missing one is absent there) */
static void read_back(Fixture *fx)
{
	g_autofree char *c = g_strdup_printf("%s@@%d", fx->image, 2048 * 512);
	for (int n = 0; n < 2; n++) {
		g_autofree char *to = g_strdup_printf("%s.%d", fx->back, n);
		g_autofree char *from = g_strdup_printf("::/relais/bootstate.%d", n);
		g_unlink(to);
		const char *argv[] = {"mcopy", "-n", "-i", c, from, to, NULL};
		const char *env[] = {"MTOOLS_SKIP_CHECK=1", NULL};
		g_auto(RtRun) r = {0};
		rt_run(&r, argv, env, NULL);
	}
}

static char *file_bytes(const char *base, int n, gsize *len)
{
	g_autofree char *path = g_strdup_printf("%s.%d", base, n);
	char *data = NULL;
	*len = 0;
	if (!g_file_get_contents(path, &data, len, NULL))
		return g_strdup("(missing)");
	return data;
}

static void assert_same_copy(const char *base1, const char *base2, int n)
{
	gsize l1, l2;
	g_autofree char *a = file_bytes(base1, n, &l1);
	g_autofree char *b = file_bytes(base2, n, &l2);
	if (l1 != l2 || memcmp(a, b, l1) != 0)
		g_error("bootstate.%d differs between %s and %s (%zu and %zu bytes)", n, base1, base2, l1, l2);
}

/* lines holds `expect` and, when `before` is given, after it */
static void assert_said(const char *lines, const char *expect, const char *before)
{
	const char *at = strstr(lines, expect);
	if (at == NULL)
		g_error("U-Boot did not say '%s'; it said:\n%s", expect, lines);
	if (before) {
		const char *b = strstr(lines, before);
		if (b && b < at)
			g_error("U-Boot said '%s' before '%s':\n%s", before, expect, lines);
	}
}

/* An update's try: RAUC made B the try (copy 1, seq 2). The boot loader
 * boots B once, clearing the try in copy 0 with seq 3 (byte for byte what
 * the backend's reference writes); the next boot is A again. */
static void test_try_once(Fixture *fx, gconstpointer data)
{
	g_free(bootslot(fx, fx->state, "A", "init", "A"));
	g_free(bootslot(fx, fx->state, "A", "set-primary", "B"));
	make_disk(fx);
	g_autofree char *said = boot(fx);
	assert_said(said, "relais: trying slot B once (relais/bootstate.0, seq 0x3)\n", NULL);
	assert_said(said, "relais: booting slot B\n", "relais: booting slot A\n");
	/* then, its kernel failing, the slots of order */
	assert_said(said, "relais: booting slot A\n", NULL);
	assert_said(said, "relais: no slot could be booted\n", NULL);

	read_back(fx);
	g_free(bootslot(fx, fx->state, NULL, "boot", NULL));
	assert_same_copy(fx->state, fx->back, 0);
	assert_same_copy(fx->state, fx->back, 1);
	g_autoptr(GHashTable) t = rt_bootstate_read_copy(fx->back, 0);
	g_assert_nonnull(t);
	g_assert_cmpstr(g_hash_table_lookup(t, "seq"), ==, "0x3");
	g_assert_false(g_hash_table_contains(t, "tryboot"));
	g_assert_cmpstr(g_hash_table_lookup(t, "pending"), ==, "B");

	/* one shot: the next boot starts A and writes nothing */
	g_autofree char *again = boot(fx);
	g_assert_null(strstr(again, "trying"));
	assert_said(again, "relais: booting slot A\n", "relais: booting slot B\n");
	g_autofree char *back2 = g_build_filename(fx->dir, "back2", NULL);
	g_autofree char *base2 = g_build_filename(back2, "bootstate", NULL);
	g_assert_cmpint(g_mkdir(back2, 0755), ==, 0);
	for (int n = 0; n < 2; n++) {
		gsize len;
		g_autofree char *bytes = file_bytes(fx->back, n, &len);
		g_autofree char *path = g_strdup_printf("%s.%d", base2, n);
		g_assert_true(g_file_set_contents(path, bytes, len, NULL));
	}
	read_back(fx);
	assert_same_copy(base2, fx->back, 0);
	assert_same_copy(base2, fx->back, 1);

	/* and the booth, up on A, reads what the boot loader wrote: B's try
	 * did not end healthy */
	g_autofree char *outcome = bootslot(fx, fx->back, "A", "booted", NULL);
	g_assert_cmpstr(outcome, ==, "failed B\n");
}

/* A kept update (order B A): B first, nothing written */
static void test_kept(Fixture *fx, gconstpointer data)
{
	rt_bootstate_put(fx->state, 0, 4, "A", NULL, NULL);
	rt_bootstate_put(fx->state, 1, 5, "B A", NULL, NULL);
	make_disk(fx);
	g_autofree char *said = boot(fx);
	g_assert_null(strstr(said, "trying"));
	g_assert_null(strstr(said, "damaged"));
	assert_said(said, "relais: booting slot B\n", "relais: booting slot A\n");
	read_back(fx);
	assert_same_copy(fx->state, fx->back, 0);
	assert_same_copy(fx->state, fx->back, 1);
}

/* The power cut of check-image: the newer copy (the try of B) cut short,
 * then emptied. The older one is used (A, no try), nothing is written,
 * and the booth on A agrees. */
static void test_torn_copy(Fixture *fx, gconstpointer data)
{
	rt_bootstate_put(fx->state, 0, 1, "A", NULL, NULL);
	static const char *const newer[] = {"order=A", "pending=B", "seq=0x2", "tryboot=B", NULL};
	g_autoptr(GBytes) b = rt_bootstate_copy(newer, TRUE);
	g_autofree char *c1 = g_strconcat(fx->state, ".1", NULL);
	g_assert_true(g_file_set_contents(c1, g_bytes_get_data(b, NULL), RT_BOOTSTATE_SIZE, NULL));
	for (int round = 0; round < 2; round++) {
		make_disk(fx);
		g_autofree char *said = boot(fx);
		assert_said(said, "relais: relais/bootstate.1 is missing or damaged\n", NULL);
		g_assert_null(strstr(said, "trying"));
		assert_said(said, "relais: booting slot A\n", NULL);
		g_assert_null(strstr(said, "booting slot B"));
		read_back(fx);
		assert_same_copy(fx->state, fx->back, 0);
		assert_same_copy(fx->state, fx->back, 1);
		g_autofree char *primary = bootslot(fx, fx->back, "A", "get-primary", NULL);
		g_assert_cmpstr(primary, ==, "A\n");
		/* emptied, as the first design's single file was */
		g_assert_true(g_file_set_contents(c1, "", 0, NULL));
	}
}

/* A good checksum on values nothing writes: that copy is damaged, even
 * when it is the newer one; and nothing of it runs as a command. */
static void test_hostile_copy(Fixture *fx, gconstpointer data)
{
	rt_bootstate_put(fx->state, 0, 1, "A", NULL, NULL);
	static const char *const cases[][5] = {
		{"order=A", "seq=0x9", "tryboot=B; echo relais: INJECTED", NULL},
		{"order=B; echo relais: INJECTED", "seq=0x9", NULL},
		{"order=B A", "seq=0x9 -o 1", NULL},
		{"order=B A", "pending=B; echo relais: INJECTED", "seq=0x9", NULL},
	};
	g_autofree char *c1 = g_strconcat(fx->state, ".1", NULL);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GBytes) b = rt_bootstate_copy(cases[i], FALSE);
		g_assert_true(g_file_set_contents(c1, g_bytes_get_data(b, NULL), RT_BOOTSTATE_SIZE, NULL));
		make_disk(fx);
		g_autofree char *said = boot(fx);
		g_assert_null(strstr(said, "INJECTED"));
		assert_said(said, "relais: relais/bootstate.1 is missing or damaged\n", NULL);
		assert_said(said, "relais: booting slot A\n", "relais: booting slot B\n");
	}
}

/* No whole copy: A then B, said, and nothing written */
static void test_no_state(Fixture *fx, gconstpointer data)
{
	make_disk(fx);
	g_autofree char *said = boot(fx);
	assert_said(said, "relais: relais/bootstate.0 is missing or damaged\n", NULL);
	assert_said(said, "relais: no whole boot-slot state; trying slot A, then B\n", NULL);
	assert_said(said, "relais: booting slot A\n", "relais: booting slot B\n");
	assert_said(said, "relais: booting slot B\n", NULL);
	read_back(fx);
	g_autofree char *c0 = g_strconcat(fx->back, ".0", NULL);
	g_autofree char *c1 = g_strconcat(fx->back, ".1", NULL);
	g_assert_false(g_file_test(c0, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(c1, G_FILE_TEST_EXISTS));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)
	ADD("/bootscript/try-once", test_try_once);
	ADD("/bootscript/kept", test_kept);
	ADD("/bootscript/torn-copy", test_torn_copy);
	ADD("/bootscript/hostile-copy", test_hostile_copy);
	ADD("/bootscript/no-state", test_no_state);
	return g_test_run();
}
