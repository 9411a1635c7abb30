/* SPDX-License-Identifier: GPL-2.0-or-later */
/* board/common/image/check-boot-rpi.sh, the Pi images' static checks of
 * their partitions and boot files, run against small disk images made here
 * with the real tools (sfdisk, mkfs.fat, mtools): a good one passes, and
 * each defect (a partition named or typed wrong: FAT for the firmware,
 * arm64 root and Linux data for systemd-repart; a table that is not GPT,
 * an autoboot.txt that does not follow bootstate or is too long, a damaged
 * bootstate, a good slot without a boot file system, a tryboot.txt that
 * is not config.txt, a config.txt naming a missing kernel, a kernel that
 * is not arm64, a missing firmware file, a cmdline.txt for the other slot
 * or of two lines) fails with its own sentence. When `make image BOARD=rpi4|rpi5` built an image in this build
 * folder, that image is checked too. */
#include "bootstate.h"
#include "harness.h"
#include "run.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
	char *dir;
	char *files; /* what goes on the config and boot_a partitions */
	char *board; /* a board folder: image.conf */
	char *image;
} Fixture;

#define AUTOBOOT   "[all]\ntryboot_a_b=1\nboot_partition=2\n[tryboot]\nboot_partition=3\n"
#define CMDLINE	   "console=ttyS1,115200 root=PARTLABEL=system_a ro rootwait rauc.slot=A panic=10\n"
#define CONFIG	   "[pi4]\nkernel=other\n[all]\narm_64bit=1\nkernel=vmlinuz\ninitramfs initrd.img followkernel\n"
#define FAT	   "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"
#define LINUX	   "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
#define ROOT_ARM64 "B921B045-1DF0-41C3-AF44-4C6F280D3FAE"
/* 4 MiB-aligned partitions of 4 and 8 MiB (sectors of 512 bytes) */
#define TABLE                                                                                                          \
	"label: gpt\n"                                                                                                 \
	"start=8192, size=8192, type=" FAT ", name=\"config\"\n"                                                       \
	"start=16384, size=16384, type=" FAT ", name=\"boot_a\"\n"                                                     \
	"start=32768, size=16384, type=" FAT ", name=\"boot_b\"\n"                                                     \
	"start=49152, size=16384, type=" ROOT_ARM64 ", name=\"system_a\"\n"                                            \
	"start=65536, size=16384, type=" ROOT_ARM64 ", name=\"system_b\"\n"                                            \
	"start=81920, size=16384, type=" LINUX ", name=\"data\"\n"

/* Makes IMAGE from FILES: the table of FILES/table, FAT file systems on
 * partitions 1 and 2 (and 3 when FILES/boot_b exists) at the table's
 * offsets, FILES/config/ and FILES/boot/ copied onto them. */
static const char MAKE_IMAGE[] =
	"set -e\n"
	"img=$1 files=$2\n"
	"truncate -s 60M \"$img\"\n"
	"sfdisk -q \"$img\" <\"$files/table\"\n"
	"export MTOOLS_SKIP_CHECK=1\n"
	"fat() { mkfs.fat --offset \"$1\" -n \"$2\" \"$img\" \"$3\" >/dev/null 2>&1; }\n"
	"fat 8192 RELAISCFG 4096\n"
	"fat 16384 BOOT_A 8192\n"
	"[ ! -e \"$files/boot_b\" ] || fat 32768 BOOT_B 8192\n"
	"cfg=$img@@$((8192 * 512)) boot=$img@@$((16384 * 512))\n"
	"mmd -i \"$cfg\" ::/relais\n"
	"put() { for f in \"$2\"/*; do if [ -f \"$f\" ]; then mcopy -i \"$1\" \"$f\" \"::$3\"; fi; done; }\n"
	"put \"$cfg\" \"$files/config\" /\n"
	"put \"$cfg\" \"$files/config/relais\" /relais/\n"
	"put \"$boot\" \"$files/boot\" /\n";

static void put(Fixture *fx, const char *rel, const char *text)
{
	g_autofree char *path = g_build_filename(fx->files, rel, NULL);
	g_autofree char *dir = g_path_get_dirname(path);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	g_unlink(path);
	if (text == NULL)
		return;
	g_autoptr(GError) error = NULL;
	g_assert_true(g_file_set_contents(path, text, -1, &error));
	g_assert_no_error(error);
}

/* Both copies of relais/bootstate (order NULL: neither) */
static void put_state(Fixture *fx, const char *order, const char *tryboot, const char *pending)
{
	g_autofree char *base = g_build_filename(fx->files, "config", "relais", "bootstate", NULL);
	g_autofree char *dir = g_path_get_dirname(base);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	if (order) {
		rt_bootstate_put_both(base, order, tryboot, pending);
		return;
	}
	for (int n = 0; n < 2; n++) {
		g_autofree char *path = g_strdup_printf("%s.%d", base, n);
		g_unlink(path);
	}
}

static void put_len(Fixture *fx, const char *rel, const char *data, gssize len)
{
	g_autofree char *path = g_build_filename(fx->files, rel, NULL);
	g_autoptr(GError) error = NULL;
	g_assert_true(g_file_set_contents(path, data, len, &error));
	g_assert_no_error(error);
}

/* A good image's files: the boot partition of a Pi 4 with an arm64 kernel
 * (its Image header's magic at byte 56), an initrd, the firmware and one
 * device tree of the board folder's image.conf. */
static void fx_setup(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp("relais-check-boot-XXXXXX", &error);
	g_assert_no_error(error);
	fx->files = g_build_filename(fx->dir, "files", NULL);
	fx->board = g_build_filename(fx->dir, "board", NULL);
	fx->image = g_build_filename(fx->dir, "disk.img", NULL);
	g_assert_cmpint(g_mkdir_with_parents(fx->board, 0755), ==, 0);
	g_autofree char *conf = g_build_filename(fx->board, "image.conf", NULL);
	g_assert_true(g_file_set_contents(
		conf, "RPI_FIRMWARE=\"start4.elf fixup4.dat\"\nRPI_DTBS=\"bcm2711-rpi-4-b.dtb\"\n", -1, &error));
	put(fx, "table", TABLE);
	put(fx, "config/autoboot.txt", AUTOBOOT);
	/* what rauc-bootslot writes for a fresh image: slot A alone, nothing to try */
	put_state(fx, "A", NULL, NULL);
	put(fx, "boot/config.txt", CONFIG);
	put(fx, "boot/tryboot.txt", CONFIG);
	put(fx, "boot/cmdline.txt", CMDLINE);
	char kernel[256] = {0};
	memcpy(kernel + 56, "ARM\x64", 4);
	put(fx, "boot/vmlinuz", "");
	put_len(fx, "boot/vmlinuz", kernel, sizeof kernel);
	put(fx, "boot/initrd.img", "an initrd\n");
	put(fx, "boot/start4.elf", "firmware\n");
	put(fx, "boot/fixup4.dat", "firmware\n");
	put(fx, "boot/bcm2711-rpi-4-b.dtb", "device tree\n");
}

static void fx_teardown(Fixture *fx, gconstpointer data)
{
	rt_rm_rf(fx->dir);
	g_free(fx->dir);
	g_free(fx->files);
	g_free(fx->board);
	g_free(fx->image);
}

static char *path_env(void)
{
	return g_strdup_printf("PATH=%s:/usr/sbin:/sbin", g_getenv("PATH"));
}

static void make_image(Fixture *fx)
{
	g_autofree char *sfdisk = rt_tool("sfdisk", "fdisk");
	g_autofree char *mkfs = rt_tool("mkfs.fat", "dosfstools");
	g_autofree char *mcopy = rt_tool("mcopy", "mtools");
	g_autofree char *path = path_env();
	g_unlink(fx->image);
	const char *argv[] = {"/bin/sh", "-c", MAKE_IMAGE, "sh", fx->image, fx->files, NULL};
	const char *env[] = {path, NULL};
	rt_run_ok(argv, env, NULL);
}

static void check_boot(RtRun *r, const char *image, const char *board)
{
	g_autofree char *script = g_build_filename(rt_top(), "board", "common", "image", "check-boot-rpi.sh", NULL);
	g_autofree char *path = path_env();
	const char *argv[] = {script, image, board, NULL};
	const char *env[] = {path, NULL};
	rt_run(r, argv, env, NULL);
}

static void assert_passes(Fixture *fx)
{
	make_image(fx);
	g_auto(RtRun) r = {0};
	check_boot(&r, fx->image, fx->board);
	if (r.status != 0)
		g_error("check-boot-rpi.sh refused a good image: exit %d\n%s%s", r.status, r.out, r.err);
	g_assert_nonnull(strstr(r.out, "are consistent"));
	g_assert_cmpstr(r.err, ==, "");
}

/* check-boot-rpi.sh fails with `lines` FAIL lines, one of which says `why`. */
static void assert_fails_n(Fixture *fx, const char *why, guint lines)
{
	make_image(fx);
	g_auto(RtRun) r = {0};
	check_boot(&r, fx->image, fx->board);
	g_test_message("check-boot-rpi.sh: exit %d: %s", r.status, r.err);
	g_assert_cmpint(r.status, ==, 1);
	if (strstr(r.err, why) == NULL)
		g_error("expected '%s' in:\n%s", why, r.err);
	guint n = 0;
	for (const char *p = r.err; (p = strstr(p, "check-boot: FAIL: ")) != NULL; p++)
		n++;
	g_assert_cmpuint(n, ==, lines);
}

static void assert_fails(Fixture *fx, const char *why)
{
	assert_fails_n(fx, why, 1);
}

static void test_good(Fixture *fx, gconstpointer data)
{
	assert_passes(fx);
	/* a try of B pending: [tryboot] names partition 3 either way */
	put_state(fx, "A", "B", "B");
	assert_passes(fx);
}

static void test_partition_names(Fixture *fx, gconstpointer data)
{
	g_autofree char *swapped = g_strdup(TABLE);
	char *a = strstr(swapped, "\"boot_a\""), *b = strstr(swapped, "\"boot_b\"");
	a[6] = 'b';
	b[6] = 'a';
	put(fx, "table", swapped);
	assert_fails_n(fx, "partition 2 is named 'boot_b', not 'boot_a'", 2);
}

static void test_partition_type(Fixture *fx, gconstpointer data)
{
	g_autofree char *table = g_strdup(TABLE);
	char *t = strstr(strstr(table, "start=16384"), FAT);
	memcpy(t, LINUX, strlen(LINUX));
	put(fx, "table", table);
	assert_fails(fx, "partition 2 (boot_a) is of type " LINUX ", not FAT");
	/* a root slot of the Linux-data type: systemd-repart, which grows the
	 * data partition, could take it for the data partition */
	g_autofree char *table2 = g_strdup(TABLE);
	char *r = strstr(strstr(table2, "start=65536"), ROOT_ARM64);
	memcpy(r, LINUX, strlen(LINUX));
	put(fx, "table", table2);
	assert_fails(fx, "partition 5 (system_b) is of type " LINUX ", not arm64 root");
	g_autofree char *table3 = g_strdup(TABLE);
	char *d = strstr(strstr(table3, "start=81920"), LINUX);
	memcpy(d, ROOT_ARM64, strlen(ROOT_ARM64));
	put(fx, "table", table3);
	assert_fails(fx,
		     "partition 6 (data) is of type " ROOT_ARM64 ", not Linux data: systemd-repart would not grow it");
}

static void test_partition_alignment(Fixture *fx, gconstpointer data)
{
	g_autofree char *table = g_strdup(TABLE);
	char *s = strstr(table, "start=8192, size=8192");
	memcpy(s, "start=8200, size=8184", strlen("start=8200, size=8184"));
	put(fx, "table", table);
	/* the file systems are made at 8192: the config partition is unreadable */
	make_image(fx);
	g_auto(RtRun) r = {0};
	check_boot(&r, fx->image, fx->board);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.err, "partition 1 (config) starts at sector 8200, not on a 4 MiB boundary"));
}

static void test_not_gpt(Fixture *fx, gconstpointer data)
{
	put(fx, "table",
	    "label: dos\nstart=8192, size=8192, type=c\nstart=16384, size=16384, type=c\n"
	    "start=32768, size=16384, type=c\n");
	make_image(fx);
	g_auto(RtRun) r = {0};
	check_boot(&r, fx->image, fx->board);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.err, "the partition table is not GPT"));
	g_assert_nonnull(strstr(r.err, "partition 1 is named '', not 'config'"));
	g_assert_nonnull(strstr(r.err, "the table has 3 partitions, not 6"));
}

static void test_no_table(Fixture *fx, gconstpointer data)
{
	g_autofree char *blank = g_build_filename(fx->dir, "blank.img", NULL);
	g_assert_true(g_file_set_contents(blank, "not a disk", -1, NULL));
	g_auto(RtRun) r = {0};
	check_boot(&r, blank, fx->board);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.err, "has no partition table sfdisk can read"));
	/* and usage errors */
	g_auto(RtRun) u = {0};
	g_autofree char *nowhere = g_build_filename(fx->dir, "nowhere.img", NULL);
	check_boot(&u, nowhere, fx->board);
	g_assert_cmpint(u.status, ==, 2);
	g_assert_nonnull(strstr(u.err, "no such image file"));
}

static void test_autoboot_wrong(Fixture *fx, gconstpointer data)
{
	/* B made primary in autoboot.txt while bootstate says A: the firmware
	 * and RAUC would disagree on what boots */
	put(fx, "config/autoboot.txt", "[all]\ntryboot_a_b=1\nboot_partition=3\n[tryboot]\nboot_partition=2\n");
	assert_fails(fx, "autoboot.txt is not what rauc-bootslot writes for this bootstate (order=A)");
	/* without tryboot_a_b the firmware reads tryboot.txt on a try */
	put(fx, "config/autoboot.txt", "[all]\nboot_partition=2\n[tryboot]\nboot_partition=3\n");
	assert_fails(fx, "autoboot.txt is not what rauc-bootslot writes");
}

static void test_autoboot_long(Fixture *fx, gconstpointer data)
{
	g_autofree char *pad = g_strnfill(600, '#');
	g_autofree char *text = g_strconcat(AUTOBOOT, pad, "\n", NULL);
	put(fx, "config/autoboot.txt", text);
	g_autofree char *why = g_strdup_printf("autoboot.txt has %zu bytes; the firmware reads 512", strlen(text));
	assert_fails_n(fx, why, 2);
}

static void test_autoboot_missing(Fixture *fx, gconstpointer data)
{
	put(fx, "config/autoboot.txt", NULL);
	assert_fails(fx, "the config partition has no autoboot.txt");
}

static void test_bootstate_damaged(Fixture *fx, gconstpointer data)
{
	/* both copies checksummed, but with an order nothing writes */
	static const char *const hostile[] = {"order=A C", "seq=0x1", NULL};
	g_autoptr(GBytes) b = rt_bootstate_copy(hostile, FALSE);
	put_len(fx, "config/relais/bootstate.0", g_bytes_get_data(b, NULL), RT_BOOTSTATE_SIZE);
	put_len(fx, "config/relais/bootstate.1", g_bytes_get_data(b, NULL), RT_BOOTSTATE_SIZE);
	assert_fails(fx, "relais/bootstate is damaged: rauc-bootslot: relais/bootstate.0: order='A C' is not");
	/* one copy missing: the image lost its redundancy before it left */
	put_state(fx, "A", NULL, NULL);
	put(fx, "config/relais/bootstate.1", NULL);
	assert_fails(
		fx,
		"relais/bootstate is damaged: rauc-bootslot: relais/bootstate.1: missing; using relais/bootstate.0");
	put_state(fx, NULL, NULL, NULL);
	assert_fails(fx, "the config partition has no relais/bootstate.0 nor relais/bootstate.1");
}

static void test_slot_b_empty(Fixture *fx, gconstpointer data)
{
	/* B counted good while its boot partition holds nothing */
	put_state(fx, "A B", NULL, NULL);
	assert_fails(fx, "boot_b (partition 3, slot B) has no FAT file system, but bootstate's order=A B boots it");
	/* with a file system but no config.txt: not bootable for the firmware */
	put(fx, "boot_b", "");
	assert_fails(fx, "boot_b (partition 3, slot B) has no config.txt");
}

static void test_tryboot(Fixture *fx, gconstpointer data)
{
	put(fx, "boot/tryboot.txt", CONFIG "dtoverlay=something\n");
	assert_fails(fx, "boot_a (partition 2, slot A): tryboot.txt differs from config.txt");
	put(fx, "boot/tryboot.txt", NULL);
	assert_fails(fx, "boot_a (partition 2, slot A) has no tryboot.txt");
}

static void test_kernel_missing(Fixture *fx, gconstpointer data)
{
	put(fx, "boot/tryboot.txt", "[all]\nkernel=Image\ninitramfs initrd.img followkernel\n");
	put(fx, "boot/config.txt", "[all]\nkernel=Image\ninitramfs initrd.img followkernel\n");
	assert_fails(fx, "config.txt's kernel=Image is not on the partition");
	/* kernel= only in a [pi4] section does not count for every board */
	put(fx, "boot/tryboot.txt", "[pi4]\nkernel=vmlinuz\n[all]\ninitramfs initrd.img followkernel\n");
	put(fx, "boot/config.txt", "[pi4]\nkernel=vmlinuz\n[all]\ninitramfs initrd.img followkernel\n");
	assert_fails(fx, "config.txt names no kernel=");
}

static void test_kernel_not_arm64(Fixture *fx, gconstpointer data)
{
	put(fx, "boot/vmlinuz", "a 32-bit zImage, say\n");
	assert_fails(fx, "boot_a (partition 2, slot A): vmlinuz is not an arm64 kernel Image");
}

static void test_initrd(Fixture *fx, gconstpointer data)
{
	put(fx, "boot/initrd.img", NULL);
	assert_fails(fx, "config.txt's initramfs initrd.img is not on the partition");
	put(fx, "boot/config.txt", "[all]\nkernel=vmlinuz\n");
	put(fx, "boot/tryboot.txt", "[all]\nkernel=vmlinuz\n");
	assert_fails(fx, "config.txt names no initramfs");
}

static void test_firmware_missing(Fixture *fx, gconstpointer data)
{
	put(fx, "boot/start4.elf", NULL);
	put(fx, "boot/bcm2711-rpi-4-b.dtb", NULL);
	assert_fails_n(fx, "boot_a (partition 2, slot A): start4.elf is missing", 2);
}

static void test_cmdline_other_slot(Fixture *fx, gconstpointer data)
{
	/* slot A's boot partition written with slot B's command line: the new
	 * kernel would boot the old root */
	put(fx, "boot/cmdline.txt", "console=ttyS1,115200 root=PARTLABEL=system_b ro rootwait rauc.slot=B\n");
	assert_fails_n(fx, "cmdline.txt has root=PARTLABEL=system_b, not root=PARTLABEL=system_a", 2);
	put(fx, "boot/cmdline.txt", "console=ttyS1,115200 root=PARTLABEL=system_a ro rootwait\n");
	assert_fails(fx, "cmdline.txt has rauc.slot=(none), not rauc.slot=A");
	put(fx, "boot/cmdline.txt", "root=PARTLABEL=system_a ro rauc.slot=A\n");
	assert_fails_n(fx, "cmdline.txt has no rootwait", 2);
}

static void test_cmdline_lines(Fixture *fx, gconstpointer data)
{
	put(fx, "boot/cmdline.txt", CMDLINE "quiet\n");
	assert_fails(fx, "cmdline.txt has 2 lines; the firmware passes only the first to the kernel");
	put(fx, "boot/cmdline.txt", NULL);
	assert_fails(fx, "boot_a (partition 2, slot A) has no cmdline.txt");
}

/* The image `make image BOARD=...` built in this build folder, if any. */
static void test_built_image(gconstpointer data)
{
	const char *board = data;
	g_autofree char *name = g_strdup_printf("relais-%s.img", board);
	g_autofree char *image = g_build_filename(rt_build(), board, name, NULL);
	if (!g_file_test(image, G_FILE_TEST_IS_REGULAR)) {
		g_autofree char *why = g_strdup_printf("no built image (make image BOARD=%s makes %s)", board, image);
		g_test_skip(why);
		return;
	}
	g_autofree char *dir = g_build_filename(rt_top(), "board", board, NULL);
	g_auto(RtRun) r = {0};
	check_boot(&r, image, dir);
	if (r.status != 0)
		g_error("check-boot-rpi.sh %s: exit %d\n%s%s", image, r.status, r.out, r.err);
	g_test_message("%s", r.out);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add("/check-boot-rpi/" name, Fixture, NULL, fx_setup, fn, fx_teardown)
	ADD("good", test_good);
	ADD("partition-names", test_partition_names);
	ADD("partition-type", test_partition_type);
	ADD("partition-alignment", test_partition_alignment);
	ADD("not-gpt", test_not_gpt);
	ADD("no-table", test_no_table);
	ADD("autoboot-wrong", test_autoboot_wrong);
	ADD("autoboot-long", test_autoboot_long);
	ADD("autoboot-missing", test_autoboot_missing);
	ADD("bootstate-damaged", test_bootstate_damaged);
	ADD("slot-b-empty", test_slot_b_empty);
	ADD("tryboot", test_tryboot);
	ADD("kernel-missing", test_kernel_missing);
	ADD("kernel-not-arm64", test_kernel_not_arm64);
	ADD("initrd", test_initrd);
	ADD("firmware-missing", test_firmware_missing);
	ADD("cmdline-other-slot", test_cmdline_other_slot);
	ADD("cmdline-lines", test_cmdline_lines);
	g_test_add_data_func("/check-boot-rpi/built-image/rpi4", "rpi4", test_built_image);
	g_test_add_data_func("/check-boot-rpi/built-image/rpi5", "rpi5", test_built_image);
	return g_test_run();
}
