/* SPDX-License-Identifier: GPL-2.0-or-later */
/* relaisctl flash against plain files and loop devices standing for cards
 * (never a real disk): an MBR image made with sfdisk and mkfs.vfat, with
 * random data in its second partition, written with bmaptool and read back.
 * A good write verified (and compared here, independently); a byte flipped
 * between writing and verifying (the test-only RELAIS_FLASH_TEST_CORRUPT_AT)
 * reported at its offset; the refusals, each with its sentence and exit
 * status, and nothing written: too small, truncated or not a disk image, not
 * a block device or file, not removable without --force, mounted (a loop
 * device holding a mounted ext4), the system's disk (a loop device named as
 * / in RELAIS_FLASH_TEST_MOUNTINFO, which only adds mounts to the real list).
 * Loop devices (made as losetup does, auto-cleared) need root: without
 * them those cases are skipped with the reason; the file cases still run. */
#include "harness.h"
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MIB	  (1024 * 1024)
#define IMAGE_MIB 8
/* random data in partition 2, at 4 MiB */
#define DATA_OFFSET (4 * MIB)
#define DATA_LEN    (256 * 1024)

typedef struct {
	char *dir;
	char *image;
	GArray *loops;	   /* (int) open loop devices: auto-cleared when closed */
	GPtrArray *mounts; /* mounted here, unmounted in teardown */
} Fixture;

static char *tool(const char *name)
{
	return rt_tool(name, "bmap-tools, fdisk, dosfstools, e2fsprogs, mount");
}

/* argv with `env` (NAME=VALUE, NULL-terminated; may be NULL) added, and a
 * PATH with the sbin folders (bmaptool is in /usr/bin; sfdisk, mkfs, mount
 * in /usr/sbin or /usr/bin) */
static void run(RtRun *r, const char *const *argv, const char *const *env)
{
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_strv_builder_add(b, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (env)
		g_strv_builder_addv(b, (const char **)env);
	g_auto(GStrv) all = g_strv_builder_end(b);
	rt_run(r, argv, (const char *const *)all, NULL);
}

static void run_ok(const char *const *argv)
{
	g_auto(RtRun) r = {0};
	run(&r, argv, NULL);
	if (r.status != 0)
		g_error("%s: exit %d\n%s%s", argv[0], r.status, r.out, r.err);
}

static void flash(RtRun *r, const char *image, const char *target, const char *extra, const char *const *env)
{
	g_autofree char *bin = g_build_filename(rt_build(), "bin", "relaisctl", NULL);
	const char *argv[] = {bin, "flash", image, target, extra, NULL};
	run(r, argv, env);
	g_test_message("relaisctl flash %s %s %s: exit %d\n%s%s", image, target, extra ? extra : "", r->status, r->out,
		       r->err);
}

static void make_file(const char *path, goffset size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GFile) f = g_file_new_for_path(path);
	g_autoptr(GFileOutputStream) s = g_file_replace(f, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(g_seekable_truncate(G_SEEKABLE(s), size, NULL, &error));
	g_assert_true(g_output_stream_close(G_OUTPUT_STREAM(s), NULL, &error));
}

static void write_at(const char *path, goffset offset, const guint8 *data, gsize len)
{
	int fd = g_open(path, O_WRONLY, 0);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(pwrite(fd, data, len, offset), ==, (gssize)len);
	g_assert_cmpint(fsync(fd), ==, 0);
	close(fd);
}

static GBytes *read_range(const char *path, goffset offset, gsize len)
{
	int fd = g_open(path, O_RDONLY, 0);
	g_assert_cmpint(fd, >=, 0);
	guint8 *buf = g_malloc0(len);
	g_assert_cmpint(pread(fd, buf, len, offset), ==, (gssize)len);
	close(fd);
	return g_bytes_new_take(buf, len);
}

/* An 8 MiB MBR image: a FAT partition at 1 MiB, a Linux one at 3 MiB
 * holding random data at 4 MiB; the rest is sparse. */
static void make_image(const char *path)
{
	make_file(path, IMAGE_MIB * MIB);
	g_autofree char *sfdisk = tool("sfdisk");
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *script = g_build_filename(dir, "sfdisk.txt", NULL);
	g_assert_true(g_file_set_contents(script, "label: dos\nstart=2048, size=4096, type=c\nstart=6144, type=83\n",
					  -1, NULL));
	g_autofree char *shell =
		g_strdup_printf("%s --quiet --no-reread --no-tell-kernel %s < %s", sfdisk, path, script);
	const char *sh[] = {"/bin/sh", "-c", shell, NULL};
	run_ok(sh);
	g_autofree char *mkfs = tool("mkfs.vfat");
	const char *mk[] = {mkfs, "--offset=2048", "-n", "RELAISCFG", path, "2048", NULL};
	run_ok(mk);
	guint8 data[DATA_LEN];
	for (gsize i = 0; i < sizeof data; i++)
		data[i] = (guint8)g_random_int();
	write_at(path, DATA_OFFSET, data, sizeof data);
}

static void fx_setup(Fixture *fx, gconstpointer unused)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp("relais-flash-XXXXXX", &error);
	g_assert_no_error(error);
	fx->image = g_build_filename(fx->dir, "booth.img", NULL);
	make_image(fx->image);
	fx->loops = g_array_new(FALSE, FALSE, sizeof(int));
	fx->mounts = g_ptr_array_new_with_free_func(g_free);
}

static void fx_teardown(Fixture *fx, gconstpointer unused)
{
	for (guint i = 0; i < fx->mounts->len; i++) {
		const char *argv[] = {"umount", fx->mounts->pdata[i], NULL};
		g_auto(RtRun) r = {0};
		run(&r, argv, NULL);
	}
	for (guint i = 0; i < fx->loops->len; i++)
		close(g_array_index(fx->loops, int, i));
	g_ptr_array_unref(fx->mounts);
	g_array_unref(fx->loops);
	rt_rm_rf(fx->dir);
	g_free(fx->dir);
	g_free(fx->image);
}

/* A loop device over a new file of `mib` MiB, as `losetup -f --show` makes
 * one but with LO_FLAGS_AUTOCLEAR, the device held open by the test: the
 * kernel detaches it when the test closes it or dies, so that a failed
 * assertion leaves no loop device behind on a shared machine. NULL (and the
 * test skipped, saying why) where loop devices are not permitted. */
static char *loop_file(Fixture *fx, const char *file)
{
	int ffd = g_open(file, O_RDWR | O_CLOEXEC, 0);
	g_assert_cmpint(ffd, >=, 0);
	int ctl = g_open("/dev/loop-control", O_RDWR | O_CLOEXEC, 0);
	const char *step = "opening /dev/loop-control";
	int err = errno;
	for (guint attempt = 0; ctl >= 0 && attempt < 20; attempt++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);
		step = "LOOP_CTL_GET_FREE";
		err = errno;
		if (n < 0)
			break;
		char *dev = g_strdup_printf("/dev/loop%d", n);
		int lfd = g_open(dev, O_RDWR | O_CLOEXEC, 0);
		step = "opening the loop device";
		err = errno;
		struct loop_config cfg = {.fd = (guint32)ffd, .info.lo_flags = LO_FLAGS_AUTOCLEAR | LO_FLAGS_PARTSCAN};
		if (lfd >= 0 && ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0) {
			close(ctl);
			close(ffd);
			g_array_append_val(fx->loops, lfd);
			return dev;
		}
		step = "LOOP_CONFIGURE";
		err = errno;
		if (lfd >= 0)
			close(lfd);
		g_free(dev);
		/* another process took that device meanwhile: ask again */
		if (err != EBUSY)
			break;
	}
	if (ctl >= 0)
		close(ctl);
	close(ffd);
	g_autofree char *why = g_strdup_printf("loop devices are not available here (%s: %s): the block device "
					       "cases did not run, the file cases did",
					       step, g_strerror(err));
	g_test_skip(why);
	return NULL;
}

static char *loop_card(Fixture *fx, const char *name, guint mib)
{
	g_autofree char *file = g_build_filename(fx->dir, name, NULL);
	make_file(file, (goffset)mib * MIB);
	return loop_file(fx, file);
}

static gboolean has(const char *text, const char *needle)
{
	if (strstr(text, needle))
		return TRUE;
	g_test_message("'%s' not in: %s", needle, text);
	return FALSE;
}

/* The target holds the image's data where the image has some. */
static void assert_same_data(const char *image, const char *target)
{
	g_autoptr(GBytes) a = read_range(image, 0, 2 * MIB + 4096);
	g_autoptr(GBytes) b = read_range(target, 0, 2 * MIB + 4096);
	g_assert_true(g_bytes_equal(a, b));
	g_autoptr(GBytes) c = read_range(image, DATA_OFFSET, DATA_LEN);
	g_autoptr(GBytes) d = read_range(target, DATA_OFFSET, DATA_LEN);
	g_assert_true(g_bytes_equal(c, d));
}

/* The first `len` bytes of `path` are zero: nothing was written. */
static gboolean all_zero(const char *path, gsize len)
{
	g_autoptr(GBytes) b = read_range(path, 0, len);
	gsize n = 0;
	const guint8 *p = g_bytes_get_data(b, &n);
	for (gsize i = 0; i < n; i++)
		if (p[i])
			return FALSE;
	return TRUE;
}

/* --- files ---------------------------------------------------------------- */

static void test_file_good(Fixture *fx, gconstpointer unused)
{
	g_autofree char *card = g_build_filename(fx->dir, "card.img", NULL);
	make_file(card, 16 * MIB);
	g_auto(RtRun) r = {0};
	flash(&r, fx->image, card, NULL, NULL);
	g_assert_cmpint(r.status, ==, 0);
	/* no block map beside it: one was made, and said so */
	g_assert_true(has(r.err, "making one with bmaptool create"));
	g_assert_true(has(r.out, "made with bmaptool create"));
	g_assert_true(g_str_has_prefix(r.out, "verified "));
	guint64 verified = g_ascii_strtoull(r.out + strlen("verified "), NULL, 10);
	/* at least the table, the FAT and the random data were read back */
	g_assert_cmpuint(verified, >=, DATA_LEN + 512);
	g_assert_cmpuint(verified, <, IMAGE_MIB * MIB);
	g_assert_false(strstr(r.err, "verifying") == NULL);
	assert_same_data(fx->image, card);

	/* with its block map beside it (booth.bmap, as the image build makes) */
	g_autofree char *bmap = g_build_filename(fx->dir, "booth.bmap", NULL);
	g_autofree char *bmaptool = tool("bmaptool");
	const char *argv[] = {bmaptool, "create", "-o", bmap, fx->image, NULL};
	run_ok(argv);
	g_autofree char *card2 = g_build_filename(fx->dir, "card2.img", NULL);
	make_file(card2, 16 * MIB);
	g_auto(RtRun) r2 = {0};
	flash(&r2, fx->image, card2, NULL, NULL);
	g_assert_cmpint(r2.status, ==, 0);
	g_assert_true(has(r2.out, "block map"));
	g_assert_true(has(r2.out, bmap));
	assert_same_data(fx->image, card2);
}

/* qemu-arm64's images are GPT: primary and backup tables both written */
static void test_file_gpt(Fixture *fx, gconstpointer unused)
{
	g_autofree char *gpt = g_build_filename(fx->dir, "gpt.img", NULL);
	make_file(gpt, IMAGE_MIB * MIB);
	g_autofree char *sfdisk = tool("sfdisk");
	g_autofree char *shell = g_strdup_printf("printf 'label: gpt\\nstart=2048, size=4096, type=U\\nstart=6144, "
						 "type=L\\n' | %s --quiet --no-reread --no-tell-kernel %s",
						 sfdisk, gpt);
	const char *sh[] = {"/bin/sh", "-c", shell, NULL};
	run_ok(sh);
	g_autofree char *card = g_build_filename(fx->dir, "card.img", NULL);
	make_file(card, 16 * MIB);
	g_auto(RtRun) r = {0};
	flash(&r, gpt, card, NULL, NULL);
	g_assert_cmpint(r.status, ==, 0);
	/* the backup GPT in the image's last sector is on the card */
	g_autoptr(GBytes) a = read_range(gpt, IMAGE_MIB * MIB - 512, 512);
	g_autoptr(GBytes) b = read_range(card, IMAGE_MIB * MIB - 512, 512);
	g_assert_true(g_bytes_equal(a, b));
	g_assert_cmpmem(g_bytes_get_data(b, NULL), 8, "EFI PART", 8);

	/* a --bmap that is not there: nothing written */
	g_autofree char *card2 = g_build_filename(fx->dir, "card2.img", NULL);
	make_file(card2, 16 * MIB);
	g_auto(RtRun) r2 = {0};
	flash(&r2, gpt, card2, "--bmap=/nonexistent/gpt.bmap", NULL);
	g_assert_cmpint(r2.status, ==, 4);
	g_assert_true(has(r2.err, "/nonexistent/gpt.bmap"));
	g_assert_true(all_zero(card2, IMAGE_MIB * MIB));
}

static void test_file_corrupt(Fixture *fx, gconstpointer unused)
{
	g_autofree char *card = g_build_filename(fx->dir, "card.img", NULL);
	make_file(card, 16 * MIB);
	g_autofree char *at = g_strdup_printf("RELAIS_FLASH_TEST_CORRUPT_AT=%d", DATA_OFFSET + 1000);
	const char *env[] = {at, NULL};
	g_auto(RtRun) r = {0};
	flash(&r, fx->image, card, NULL, env);
	g_assert_cmpint(r.status, ==, 5);
	g_autofree char *where = g_strdup_printf("byte %d ", DATA_OFFSET + 1000);
	g_assert_true(has(r.err, where));
	g_assert_true(has(r.err, "verification failed"));
	g_assert_cmpstr(r.out, ==, "");
}

static void test_file_refused(Fixture *fx, gconstpointer unused)
{
	/* too small: nothing written */
	g_autofree char *small = g_build_filename(fx->dir, "small.img", NULL);
	make_file(small, 4 * MIB);
	g_auto(RtRun) r = {0};
	flash(&r, fx->image, small, NULL, NULL);
	g_assert_cmpint(r.status, ==, 3);
	g_assert_true(has(r.err, "is too small: 4194304 bytes, the image needs 8388608"));
	GStatBuf st;
	g_assert_cmpint(g_stat(small, &st), ==, 0);
	g_assert_cmpint(st.st_size, ==, 4 * MIB);
	g_assert_true(all_zero(small, 4 * MIB));

	/* not a block device or a file */
	g_auto(RtRun) r2 = {0};
	flash(&r2, fx->image, "/dev/null", NULL, NULL);
	g_assert_cmpint(r2.status, ==, 3);
	g_assert_true(has(r2.err, "/dev/null is neither a block device (a card) nor a regular file"));
	g_auto(RtRun) r3 = {0};
	flash(&r3, fx->image, fx->dir, NULL, NULL);
	g_assert_cmpint(r3.status, ==, 3);

	/* the image onto itself */
	g_auto(RtRun) r4 = {0};
	flash(&r4, fx->image, fx->image, NULL, NULL);
	g_assert_cmpint(r4.status, ==, 3);
	g_assert_true(has(r4.err, "is the image itself"));

	/* bad usage */
	g_auto(RtRun) r5 = {0};
	flash(&r5, fx->image, NULL, NULL, NULL);
	g_assert_cmpint(r5.status, ==, 2);
}

static void test_bad_image(Fixture *fx, gconstpointer unused)
{
	g_autofree char *card = g_build_filename(fx->dir, "card.img", NULL);
	make_file(card, 16 * MIB);
	g_autoptr(GBytes) whole = read_range(fx->image, 0, IMAGE_MIB * MIB);

	/* cut mid-sector (a failed download) */
	g_autofree char *cut = g_build_filename(fx->dir, "cut.img", NULL);
	g_assert_true(g_file_set_contents(cut, g_bytes_get_data(whole, NULL), 5 * MIB + 100, NULL));
	g_auto(RtRun) r = {0};
	flash(&r, cut, card, NULL, NULL);
	g_assert_cmpint(r.status, ==, 4);
	g_assert_true(has(r.err, "not a whole number of 512-byte sectors: it is truncated"));

	/* cut on a sector boundary: its last partition ends outside */
	g_assert_true(g_file_set_contents(cut, g_bytes_get_data(whole, NULL), 5 * MIB, NULL));
	g_auto(RtRun) r2 = {0};
	flash(&r2, cut, card, NULL, NULL);
	g_assert_cmpint(r2.status, ==, 4);
	g_assert_true(has(r2.err, "is not a whole disk image"));
	g_assert_true(has(r2.err, "too small"));

	/* not a disk image at all */
	g_autofree char *junk = g_build_filename(fx->dir, "junk.img", NULL);
	guint8 bytes[4096];
	for (gsize i = 0; i < sizeof bytes; i++)
		bytes[i] = (guint8)g_random_int();
	bytes[510] = 0; /* no MBR signature by chance */
	g_assert_true(g_file_set_contents(junk, (char *)bytes, sizeof bytes, NULL));
	g_auto(RtRun) r3 = {0};
	flash(&r3, junk, card, NULL, NULL);
	g_assert_cmpint(r3.status, ==, 4);
	g_assert_true(has(r3.err, "no partition table"));

	/* a GPT image missing its last sectors (the backup GPT) */
	g_autofree char *gpt = g_build_filename(fx->dir, "gpt.img", NULL);
	make_file(gpt, IMAGE_MIB * MIB);
	g_autofree char *sfdisk = tool("sfdisk");
	g_autofree char *shell = g_strdup_printf(
		"printf 'label: gpt\\nstart=2048, size=4096, type=U\\n' | %s --quiet --no-reread --no-tell-kernel %s",
		sfdisk, gpt);
	const char *sh[] = {"/bin/sh", "-c", shell, NULL};
	run_ok(sh);
	g_assert_cmpint(truncate(gpt, IMAGE_MIB * MIB - 8 * 512), ==, 0);
	g_auto(RtRun) r4 = {0};
	flash(&r4, gpt, card, NULL, NULL);
	g_assert_cmpint(r4.status, ==, 4);
	g_assert_true(has(r4.err, "is truncated: its GPT says the disk ends at sector 16383"));

	/* a block map of another image */
	g_autofree char *bmap = g_build_filename(fx->dir, "other.bmap", NULL);
	g_autofree char *bmaptool = tool("bmaptool");
	const char *argv[] = {bmaptool, "create", "-o", bmap, card, NULL};
	run_ok(argv);
	g_autofree char *opt = g_strdup_printf("--bmap=%s", bmap);
	g_auto(RtRun) r5 = {0};
	flash(&r5, fx->image, card, opt, NULL);
	g_assert_cmpint(r5.status, ==, 4);
	g_assert_true(has(r5.err, "not its block map"));
	g_assert_true(all_zero(card, IMAGE_MIB * MIB));
}

/* --- loop devices ---------------------------------------------------------- */

static void test_loop_good(Fixture *fx, gconstpointer unused)
{
	g_autofree char *dev = loop_card(fx, "card.img", 16);
	if (dev == NULL)
		return;
	/* a loop device is not removable: refused without --force, untouched */
	g_auto(RtRun) r = {0};
	flash(&r, fx->image, dev, NULL, NULL);
	g_assert_cmpint(r.status, ==, 3);
	g_assert_true(has(r.err, "is not a removable card"));
	g_assert_true(has(r.err, "--force"));
	g_assert_true(all_zero(dev, IMAGE_MIB * MIB));

	g_auto(RtRun) r2 = {0};
	flash(&r2, fx->image, dev, "--force", NULL);
	g_assert_cmpint(r2.status, ==, 0);
	g_assert_true(g_str_has_prefix(r2.out, "verified "));
	assert_same_data(fx->image, dev);
	/* and through the card's own file, past the block layer's cache */
	g_autofree char *file = g_build_filename(fx->dir, "card.img", NULL);
	assert_same_data(fx->image, file);
}

/* The card changes behind the block layer's cache (its backing file
 * written directly, as a card that loses data would return other bytes
 * than the cache holds): --verify-only reads the card, not the cache. */
static void test_loop_behind_cache(Fixture *fx, gconstpointer unused)
{
	g_autofree char *dev = loop_card(fx, "card.img", 16);
	if (dev == NULL)
		return;
	g_auto(RtRun) r = {0};
	flash(&r, fx->image, dev, "--force", NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_auto(RtRun) again = {0};
	flash(&again, fx->image, dev, "--verify-only", NULL);
	g_assert_cmpint(again.status, ==, 0);
	g_assert_true(has(again.err, "writing nothing"));
	g_assert_cmpstr(again.out, ==, r.out);

	/* warm the device's cache, then change the card underneath it */
	g_autoptr(GBytes) warm = read_range(dev, DATA_OFFSET, DATA_LEN);
	const guint8 *old = g_bytes_get_data(warm, NULL);
	guint8 flipped = old[77] ^ 0x5a;
	g_autofree char *file = g_build_filename(fx->dir, "card.img", NULL);
	write_at(file, DATA_OFFSET + 77, &flipped, 1);
	g_autoptr(GBytes) cached = read_range(dev, DATA_OFFSET, DATA_LEN);
	g_test_message("a buffered read of %s %s the change", dev,
		       ((const guint8 *)g_bytes_get_data(cached, NULL))[77] == flipped ? "sees" : "does not see");

	g_auto(RtRun) r2 = {0};
	flash(&r2, fx->image, dev, "--verify-only", NULL);
	g_assert_cmpint(r2.status, ==, 5);
	g_autofree char *where = g_strdup_printf("byte %d ", DATA_OFFSET + 77);
	g_assert_true(has(r2.err, where));
}

static void test_loop_corrupt(Fixture *fx, gconstpointer unused)
{
	g_autofree char *dev = loop_card(fx, "card.img", 16);
	if (dev == NULL)
		return;
	const char *env[] = {"RELAIS_FLASH_TEST_CORRUPT_AT=510", NULL};
	g_auto(RtRun) r = {0};
	flash(&r, fx->image, dev, "--force", env);
	g_assert_cmpint(r.status, ==, 5);
	g_assert_true(has(r.err, "verification failed: byte 510 (0x1fe)"));
}

static void test_loop_too_small(Fixture *fx, gconstpointer unused)
{
	g_autofree char *dev = loop_card(fx, "small.img", 4);
	if (dev == NULL)
		return;
	g_auto(RtRun) r = {0};
	flash(&r, fx->image, dev, "--force", NULL);
	g_assert_cmpint(r.status, ==, 3);
	g_assert_true(has(r.err, "is too small: 4194304 bytes, the image needs 8388608"));
}

static void test_loop_mounted(Fixture *fx, gconstpointer unused)
{
	g_autofree char *dev = loop_card(fx, "mounted.img", 16);
	if (dev == NULL)
		return;
	g_autofree char *mkfs = tool("mkfs.ext4");
	const char *mk[] = {mkfs, "-q", "-L", "MOUNTED", dev, NULL};
	run_ok(mk);
	g_autofree char *mnt = g_build_filename(fx->dir, "mnt", NULL);
	g_assert_cmpint(g_mkdir(mnt, 0700), ==, 0);
	const char *mount[] = {"mount", dev, mnt, NULL};
	g_auto(RtRun) m = {0};
	run(&m, mount, NULL);
	if (m.status != 0) {
		g_autofree char *why =
			g_strdup_printf("mount is not permitted here (%s): the mounted case is covered by "
					"test-flash-checks' mountinfo fixtures only",
					g_strstrip(m.err));
		g_test_skip(why);
		return;
	}
	g_ptr_array_add(fx->mounts, g_strdup(mnt));
	g_autoptr(GBytes) before = read_range(dev, 0, 2 * MIB);
	g_auto(RtRun) r = {0};
	flash(&r, fx->image, dev, "--force", NULL);
	g_assert_cmpint(r.status, ==, 3);
	g_autofree char *says =
		g_strdup_printf("%s is mounted (%s at %s): unmount every partition of it first", dev, dev, mnt);
	g_assert_true(has(r.err, says));
	g_autoptr(GBytes) after = read_range(dev, 0, 2 * MIB);
	g_assert_true(g_bytes_equal(before, after));
}

static void test_loop_system_disk(Fixture *fx, gconstpointer unused)
{
	g_autofree char *dev = loop_card(fx, "system.img", 16);
	if (dev == NULL)
		return;
	GStatBuf st;
	g_assert_cmpint(g_stat(dev, &st), ==, 0);
	/* this loop device as the disk of / and /boot, in mountinfo's words */
	g_autofree char *info = g_build_filename(fx->dir, "mountinfo", NULL);
	g_autofree char *text =
		g_strdup_printf("900 1 %u:%u / / ro,relatime - ext4 %s ro\n"
				"901 900 %u:%u / /boot rw - vfat %s rw\n",
				major(st.st_rdev), minor(st.st_rdev), dev, major(st.st_rdev), minor(st.st_rdev), dev);
	g_assert_true(g_file_set_contents(info, text, -1, NULL));
	g_autofree char *var = g_strdup_printf("RELAIS_FLASH_TEST_MOUNTINFO=%s", info);
	const char *env[] = {var, NULL};
	g_auto(RtRun) r = {0};
	flash(&r, fx->image, dev, "--force", env);
	g_assert_cmpint(r.status, ==, 3);
	g_autofree char *says =
		g_strdup_printf("%s is the disk the running system is on (/ is mounted from %s)", dev, dev);
	g_assert_true(has(r.err, says));
	g_assert_true(all_zero(dev, IMAGE_MIB * MIB));
}

/* A card with partitions, as a used card arrives: one of them mounted, and
 * a partition given instead of the disk. */
static void test_loop_partitions(Fixture *fx, gconstpointer unused)
{
	g_autofree char *file = g_build_filename(fx->dir, "used.img", NULL);
	make_file(file, 16 * MIB);
	g_autofree char *sfdisk = tool("sfdisk");
	g_autofree char *shell = g_strdup_printf("printf 'label: dos\\nstart=2048, size=4096, type=c\\nstart=6144, "
						 "type=83\\n' | %s --quiet --no-reread --no-tell-kernel %s",
						 sfdisk, file);
	const char *sh[] = {"/bin/sh", "-c", shell, NULL};
	run_ok(sh);
	g_autofree char *dev = loop_file(fx, file);
	if (dev == NULL)
		return;
	/* the kernel's own scan does not run in every container: partx adds
	 * the partitions from the table (BLKPG), as it would on a host */
	g_autofree char *partx = tool("partx");
	const char *add[] = {partx, "-a", dev, NULL};
	g_auto(RtRun) px = {0};
	run(&px, add, NULL);
	g_autofree char *p1 = g_strconcat(dev, "p1", NULL), *p2 = g_strconcat(dev, "p2", NULL);
	for (guint i = 0; i < 50 && !g_file_test(p2, G_FILE_TEST_EXISTS); i++)
		g_usleep(20000);
	if (!g_file_test(p2, G_FILE_TEST_EXISTS)) {
		g_autofree char *why =
			g_strdup_printf("no partition devices for a loop device here (partx: %s)", g_strstrip(px.err));
		g_test_skip(why);
		return;
	}
	g_auto(RtRun) r = {0};
	flash(&r, fx->image, p1, "--force", NULL);
	g_assert_cmpint(r.status, ==, 3);
	g_autofree char *says = g_strdup_printf("%s is a partition of %s: give the whole disk", p1, dev);
	g_assert_true(has(r.err, says));

	g_autofree char *mkfs = tool("mkfs.ext4");
	const char *mk[] = {mkfs, "-q", p2, NULL};
	run_ok(mk);
	g_autofree char *mnt = g_build_filename(fx->dir, "mnt", NULL);
	g_assert_cmpint(g_mkdir(mnt, 0700), ==, 0);
	const char *mount[] = {"mount", p2, mnt, NULL};
	g_auto(RtRun) m = {0};
	run(&m, mount, NULL);
	if (m.status != 0) {
		g_autofree char *why = g_strdup_printf("mount is not permitted here (%s)", g_strstrip(m.err));
		g_test_skip(why);
		return;
	}
	g_ptr_array_add(fx->mounts, g_strdup(mnt));
	g_autoptr(GBytes) before = read_range(dev, 0, 4 * MIB);
	g_auto(RtRun) r2 = {0};
	flash(&r2, fx->image, dev, "--force", NULL);
	g_assert_cmpint(r2.status, ==, 3);
	g_autofree char *says2 = g_strdup_printf("%s is mounted (%s at %s)", dev, p2, mnt);
	g_assert_true(has(r2.err, says2));
	g_autoptr(GBytes) after = read_range(dev, 0, 4 * MIB);
	g_assert_true(g_bytes_equal(before, after));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)
	ADD("/flash/file/good", test_file_good);
	ADD("/flash/file/gpt", test_file_gpt);
	ADD("/flash/file/corrupt", test_file_corrupt);
	ADD("/flash/file/refused", test_file_refused);
	ADD("/flash/image/refused", test_bad_image);
	ADD("/flash/loop/good", test_loop_good);
	ADD("/flash/loop/corrupt", test_loop_corrupt);
	ADD("/flash/loop/behind-cache", test_loop_behind_cache);
	ADD("/flash/loop/too-small", test_loop_too_small);
	ADD("/flash/loop/mounted", test_loop_mounted);
	ADD("/flash/loop/system-disk", test_loop_system_disk);
	ADD("/flash/loop/partitions", test_loop_partitions);
	return g_test_run();
}
