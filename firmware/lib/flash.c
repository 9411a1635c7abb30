/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE /* O_DIRECT */
#include "flash.h"
#include "blockdev.h"
#include "disklabel.h"
#include "fail.h"
#include "mountinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <linux/fs.h>
#include <linux/major.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

G_DEFINE_QUARK(relais - flash - error - quark, relais_flash_error)

#define FAIL(code, ...) relais_fail(error, RELAIS_FLASH_ERROR, RELAIS_FLASH_ERROR_##code, __VA_ARGS__)

/* read back in pieces of this size (a multiple of every sector size) */
#define CHUNK (1024 * 1024)
/* the mount points whose disks are the running system's */
static const char *const system_mounts[] = {"/", "/boot", "/boot/firmware", "/boot/efi", NULL};

static void say(RelaisFlashSay fn, gpointer data, const char *format, ...) G_GNUC_PRINTF(3, 4);
static void say(RelaisFlashSay fn, gpointer data, const char *format, ...)
{
	if (fn == NULL)
		return;
	va_list ap;
	va_start(ap, format);
	g_autofree char *line = g_strdup_vprintf(format, ap);
	va_end(ap);
	fn(line, data);
}

void relais_flash_result_clear(RelaisFlashResult *result)
{
	g_clear_pointer(&result->bmap_how, g_free);
}

/* --- the image ----------------------------------------------------------- */

static guint64 le64(const guint8 *p)
{
	guint64 v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

gboolean relais_flash_check_image(const char *image, guint64 *size, GError **error)
{
	GStatBuf st;
	if (g_stat(image, &st) != 0)
		return FAIL(IMAGE, "%s: %s", image, g_strerror(errno));
	if (!S_ISREG(st.st_mode))
		return FAIL(IMAGE, "%s is not an image file", image);
	*size = (guint64)st.st_size;
	static const char *const packed[] = {".xz", ".gz", ".zst", ".bz2", ".lz4", ".zip"};
	for (guint i = 0; i < G_N_ELEMENTS(packed); i++)
		if (g_str_has_suffix(image, packed[i]))
			return FAIL(IMAGE, "%s is compressed (%s): decompress it first, then flash the .img", image,
				    packed[i]);
	if (*size == 0 || *size % RELAIS_DISK_SECTOR != 0)
		return FAIL(IMAGE,
			    "%s is %" G_GUINT64_FORMAT " bytes, not a whole number of 512-byte sectors: it is "
			    "truncated or not a disk image",
			    image, *size);
	RelaisDisklabel label = RELAIS_DISKLABEL_NONE;
	g_autoptr(GError) local = NULL;
	g_autoptr(GArray) parts = relais_disk_partitions(image, &label, &local);
	if (parts == NULL)
		return FAIL(IMAGE, "%s is not a whole disk image: %s", image, local->message);
	if (label == RELAIS_DISKLABEL_NONE)
		return FAIL(IMAGE, "%s holds a bare FAT file system, not a disk image with an MBR or a GPT", image);
	if (label == RELAIS_DISKLABEL_GPT) {
		/* the backup GPT is in the disk's last sector: an image cut by a
		 * few sectors still holds all its partitions but not that */
		guint8 h[RELAIS_DISK_SECTOR];
		int fd = g_open(image, O_RDONLY | O_CLOEXEC, 0);
		gboolean ok = fd >= 0 && pread(fd, h, sizeof h, RELAIS_DISK_SECTOR) == (ssize_t)sizeof h;
		if (fd >= 0)
			close(fd);
		if (!ok)
			return FAIL(IMAGE, "%s: cannot read its GPT header again", image);
		guint64 backup = le64(h + 32);
		if (backup >= *size / RELAIS_DISK_SECTOR)
			return FAIL(IMAGE,
				    "%s is truncated: its GPT says the disk ends at sector %" G_GUINT64_FORMAT
				    ", the file has %" G_GUINT64_FORMAT " sectors",
				    image, backup, *size / RELAIS_DISK_SECTOR);
	}
	return TRUE;
}

/* --- the target ---------------------------------------------------------- */

static gboolean dev_in(GArray *set, dev_t dev)
{
	for (guint i = 0; i < set->len; i++)
		if (g_array_index(set, dev_t, i) == dev)
			return TRUE;
	return FALSE;
}

/* The device a mount is on: its major:minor, or (btrfs, whose st_dev is an
 * anonymous 0:N) the block device named as its source. */
static gboolean mount_dev(const RelaisMount *m, dev_t *dev)
{
	if (m->major != 0) {
		*dev = makedev(m->major, m->minor);
		return TRUE;
	}
	GStatBuf st;
	if (m->source[0] == '/' && g_stat(m->source, &st) == 0 && S_ISBLK(st.st_mode)) {
		*dev = st.st_rdev;
		return TRUE;
	}
	return FALSE;
}

static GPtrArray *all_mounts(const RelaisFlashOptions *opts, GError **error)
{
	g_autoptr(GPtrArray) mounts = relais_mountinfo_read("/proc/self/mountinfo", error);
	if (mounts == NULL)
		return NULL;
	for (const char *const *p = opts->extra_mountinfo; p && *p; p++) {
		g_autoptr(GPtrArray) more = relais_mountinfo_read(*p, error);
		if (more == NULL)
			return NULL;
		/* steal the elements: the free function goes with the first array */
		g_ptr_array_set_free_func(more, NULL);
		for (guint i = 0; i < more->len; i++)
			g_ptr_array_add(mounts, more->pdata[i]);
	}
	return g_steal_pointer(&mounts);
}

static char *dev_path(const char *sysfs, dev_t dev)
{
	g_autofree char *name = relais_blockdev_name(sysfs, dev);
	return name ? g_strconcat("/dev/", name, NULL) : g_strdup_printf("device %u:%u", major(dev), minor(dev));
}

static gboolean check_block(const RelaisFlashOptions *opts, const char *sysfs, dev_t dev, guint64 image_size,
			    GError **error)
{
	const char *target = opts->target;
	/* a partition of the system's disk is refused as the system's disk,
	 * so that "give the whole disk" never points at that one */
	dev_t disk = dev;
	gboolean partition = relais_blockdev_partition_of(sysfs, dev, &disk);
	g_autoptr(GPtrArray) mounts = all_mounts(opts, error);
	if (mounts == NULL)
		return FALSE;
	/* every mount at those places, not only the visible one: a test's
	 * extra list must never hide the real system disk */
	for (guint i = 0; i < mounts->len; i++) {
		const RelaisMount *m = g_ptr_array_index(mounts, i);
		dev_t mdev;
		if (!g_strv_contains(system_mounts, m->mount_point) || !mount_dev(m, &mdev))
			continue;
		g_autoptr(GArray) disks = relais_blockdev_disks_under(sysfs, mdev);
		if (dev_in(disks, disk))
			return FAIL(REFUSED,
				    "%s is the disk the running system is on (%s is mounted from %s): it is never "
				    "written",
				    target, m->mount_point, m->source);
	}
	if (partition) {
		g_autofree char *whole = dev_path(sysfs, disk);
		return FAIL(REFUSED,
			    "%s is a partition of %s: give the whole disk, the image has its own partition table",
			    target, whole);
	}
	g_autoptr(GArray) stack = relais_blockdev_stack(sysfs, dev);
	for (guint i = 0; i < mounts->len; i++) {
		const RelaisMount *m = g_ptr_array_index(mounts, i);
		dev_t mdev;
		if (mount_dev(m, &mdev) && dev_in(stack, mdev))
			return FAIL(REFUSED, "%s is mounted (%s at %s): unmount every partition of it first", target,
				    m->source, m->mount_point);
	}
	char *why_raw = NULL;
	gboolean card = relais_blockdev_is_card(sysfs, dev, &why_raw);
	g_autofree char *why = why_raw;
	if (!card && !opts->force)
		return FAIL(REFUSED,
			    "%s is not a removable card (%s): it may be a computer's own disk; give --force if you "
			    "are sure it is the card",
			    target, why);
	/* O_EXCL on a block device fails while the kernel holds it: mounted
	 * by another namespace, swap, RAID or device-mapper members */
	int fd = g_open(target, O_RDONLY | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0 && errno == EBUSY)
		return FAIL(REFUSED,
			    "%s is in use by the system (mounted elsewhere, swap, RAID or device-mapper): "
			    "release it first",
			    target);
	if (fd < 0)
		return FAIL(FAILED, "%s: %s%s", target, g_strerror(errno),
			    errno == EACCES ? " (writing a card needs the disk group or root)" : "");
	guint64 size = 0;
	int rc = ioctl(fd, BLKGETSIZE64, &size);
	int err = errno;
	close(fd);
	if (rc != 0)
		return FAIL(FAILED, "%s: cannot read its size: %s", target, g_strerror(err));
	if (size < image_size)
		return FAIL(REFUSED,
			    "%s is too small: %" G_GUINT64_FORMAT " bytes, the image needs %" G_GUINT64_FORMAT
			    "; use a larger card",
			    target, size, image_size);
	return TRUE;
}

gboolean relais_flash_check_target(const RelaisFlashOptions *opts, guint64 image_size, GError **error)
{
	const char *sysfs = opts->sysfs ? opts->sysfs : "/sys";
	GStatBuf st, ist;
	if (g_stat(opts->target, &st) != 0)
		return FAIL(REFUSED, "%s: %s", opts->target, g_strerror(errno));
	if (S_ISBLK(st.st_mode))
		return check_block(opts, sysfs, st.st_rdev, image_size, error);
	if (!S_ISREG(st.st_mode))
		return FAIL(REFUSED, "%s is neither a block device (a card) nor a regular file", opts->target);
	if (g_stat(opts->image, &ist) == 0 && ist.st_dev == st.st_dev && ist.st_ino == st.st_ino)
		return FAIL(REFUSED, "%s is the image itself", opts->target);
	/* a file stands for a card of its size */
	if ((guint64)st.st_size < image_size)
		return FAIL(REFUSED,
			    "%s is too small: %" G_GUINT64_FORMAT " bytes, the image needs %" G_GUINT64_FORMAT
			    "; use a larger card",
			    opts->target, (guint64)st.st_size, image_size);
	return TRUE;
}

/* --- verification -------------------------------------------------------- */

static gboolean read_full(int fd, guint8 *buf, gsize len, guint64 offset, gsize *got)
{
	gsize done = 0;
	while (done < len) {
		ssize_t n = pread(fd, buf + done, len - done, (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return FALSE;
		if (n == 0)
			break;
		done += (gsize)n;
	}
	*got = done;
	return TRUE;
}

gboolean relais_flash_verify(const char *image, const char *target, const RelaisBmap *map, RelaisFlashSay sayfn,
			     gpointer user_data, guint64 *verified, GError **error)
{
	*verified = 0;
	int ifd = g_open(image, O_RDONLY | O_CLOEXEC, 0);
	if (ifd < 0)
		return FAIL(FAILED, "%s: %s", image, g_strerror(errno));
	/* a card is read through O_DIRECT: what the card holds, not what the
	 * page cache remembers of the write */
	GStatBuf st;
	gboolean block = g_stat(target, &st) == 0 && S_ISBLK(st.st_mode);
	int tfd = block ? g_open(target, O_RDONLY | O_DIRECT | O_CLOEXEC, 0) : -1;
	gsize align = 4096;
	if (tfd >= 0) {
		int ssz = 0;
		if (ioctl(tfd, BLKSSZGET, &ssz) == 0 && ssz > 0)
			align = (gsize)ssz;
		/* O_DIRECT reads start on a sector: a map of smaller blocks
		 * (not bmaptool's default) is read through the cache */
		if (map->block_size % align != 0) {
			close(tfd);
			tfd = -1;
			align = 4096;
		}
	}
	if (tfd < 0) {
		tfd = g_open(target, O_RDONLY | O_CLOEXEC, 0);
		if (tfd >= 0) {
			fdatasync(tfd);
			posix_fadvise(tfd, 0, 0, POSIX_FADV_DONTNEED);
		}
	}
	if (tfd < 0) {
		int err = errno;
		close(ifd);
		return FAIL(FAILED, "%s: %s", target, g_strerror(err));
	}
	guint8 *want = g_malloc(CHUNK);
	guint8 *got = NULL;
	if (posix_memalign((void **)&got, MAX(align, 4096), CHUNK) != 0)
		g_error("out of memory");
	/* a line every tenth: a 2 GB image reads back in about a minute */
	guint64 total = relais_bmap_mapped_bytes(map), next_report = total / 10;
	gboolean ok = TRUE;
	for (guint i = 0; ok && i < map->ranges->len; i++) {
		const RelaisBmapRange *r = &g_array_index(map->ranges, RelaisBmapRange, i);
		guint64 off = r->first * map->block_size;
		guint64 end = MIN((r->last + 1) * map->block_size, map->image_size);
		while (ok && off < end) {
			gsize len = (gsize)MIN((guint64)CHUNK, end - off);
			/* O_DIRECT reads whole sectors; the image ends on one */
			gsize rlen = (len + align - 1) / align * align;
			gsize n_img = 0, n_dev = 0;
			if (!read_full(ifd, want, len, off, &n_img) || n_img != len) {
				ok = FAIL(FAILED, "%s: reading at byte %" G_GUINT64_FORMAT ": %s", image, off,
					  n_img != len ? "the image is shorter than its block map" : g_strerror(errno));
				break;
			}
			if (!read_full(tfd, got, MIN(rlen, (gsize)CHUNK), off, &n_dev)) {
				ok = FAIL(FAILED, "%s: reading back at byte %" G_GUINT64_FORMAT ": %s", target, off,
					  g_strerror(errno));
				break;
			}
			if (n_dev < len) {
				ok = FAIL(MISMATCH,
					  "%s ends at byte %" G_GUINT64_FORMAT
					  " while reading back: the image did not fit",
					  target, off + n_dev);
				break;
			}
			if (memcmp(want, got, len) != 0) {
				gsize k = 0;
				while (want[k] == got[k])
					k++;
				ok = FAIL(MISMATCH,
					  "verification failed: byte %" G_GUINT64_FORMAT " (0x%" G_GINT64_MODIFIER
					  "x) of %s reads 0x%02x, the image has 0x%02x: the card did not keep what "
					  "was written (faulty or fake card?); do not use it",
					  off + k, off + k, target, got[k], want[k]);
				break;
			}
			off += len;
			*verified += len;
			if (total && *verified >= next_report) {
				say(sayfn, user_data, "verifying: %3u%% (%.1f of %.1f MiB)",
				    (guint)(*verified * 100 / total), *verified / 1048576.0, total / 1048576.0);
				next_report = *verified + MAX(total / 10, 1);
			}
		}
	}
	if (ok && total)
		say(sayfn, user_data, "verified: %.1f MiB read back, equal to the image", total / 1048576.0);
	g_free(want);
	free(got);
	close(ifd);
	close(tfd);
	return ok;
}

/* --- the whole run ------------------------------------------------------- */

/* IMAGE's own block map: NAME.bmap beside NAME.img, or IMAGE.bmap. */
static char *find_bmap(const char *image)
{
	const char *dot = strrchr(image, '.');
	const char *slash = strrchr(image, '/');
	if (dot && (!slash || dot > slash)) {
		g_autofree char *stem = g_strndup(image, (gsize)(dot - image));
		char *p = g_strconcat(stem, ".bmap", NULL);
		if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
			return p;
		g_free(p);
	}
	char *p = g_strconcat(image, ".bmap", NULL);
	if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
		return p;
	g_free(p);
	return NULL;
}

static gboolean run_tool(const char *const *argv, gboolean quiet, GError **error)
{
	g_autofree char *exe = g_find_program_in_path(argv[0]);
	if (exe == NULL)
		return FAIL(FAILED, "%s is not installed (Debian: apt-get install bmap-tools)", argv[0]);
	g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new(
		quiet ? G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE : G_SUBPROCESS_FLAGS_NONE);
	/* bmaptool's own lines are progress: standard error, so that standard
	 * output holds only the result */
	if (!quiet)
		g_subprocess_launcher_take_stdout_fd(l, dup(STDERR_FILENO));
	g_autoptr(GSubprocess) p = g_subprocess_launcher_spawnv(l, argv, error);
	if (p == NULL)
		return FALSE;
	g_autofree char *err = NULL;
	if (!g_subprocess_communicate_utf8(p, NULL, NULL, NULL, quiet ? &err : NULL, error))
		return FALSE;
	if (!g_subprocess_get_if_exited(p) || g_subprocess_get_exit_status(p) != 0)
		return FAIL(FAILED, "%s %s failed (exit %d)%s%s", argv[0], argv[1],
			    g_subprocess_get_if_exited(p) ? g_subprocess_get_exit_status(p) : -1, err ? ": " : "",
			    err ? g_strstrip(err) : "");
	return TRUE;
}

/* The test hook: flips one byte of a file or loop device, never of a card. */
static gboolean corrupt(const RelaisFlashOptions *opts, GError **error)
{
	GStatBuf st;
	if (g_stat(opts->target, &st) != 0 ||
	    !(S_ISREG(st.st_mode) || (S_ISBLK(st.st_mode) && major(st.st_rdev) == LOOP_MAJOR))) {
		say(opts->say, opts->user_data,
		    "RELAIS_FLASH_TEST_CORRUPT_AT ignored: only for files and loop devices");
		return TRUE;
	}
	int fd = g_open(opts->target, O_RDWR | O_CLOEXEC, 0);
	guint8 b = 0;
	gboolean ok = fd >= 0 && pread(fd, &b, 1, opts->test_corrupt_at) == 1;
	b ^= 0xff;
	ok = ok && pwrite(fd, &b, 1, opts->test_corrupt_at) == 1 && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	if (!ok)
		return FAIL(FAILED, "test hook: cannot flip byte %" G_GINT64_FORMAT " of %s", opts->test_corrupt_at,
			    opts->target);
	say(opts->say, opts->user_data, "test hook: flipped byte %" G_GINT64_FORMAT " of %s after writing",
	    opts->test_corrupt_at, opts->target);
	return TRUE;
}

/* --verify-only reads and never writes: a mounted card or the system's
 * disk may be read; it must still be a disk or file as large as the image. */
static gboolean check_readable(const RelaisFlashOptions *opts, guint64 image_size, GError **error)
{
	GStatBuf st;
	if (g_stat(opts->target, &st) != 0)
		return FAIL(REFUSED, "%s: %s", opts->target, g_strerror(errno));
	guint64 size = (guint64)st.st_size;
	if (S_ISBLK(st.st_mode)) {
		int fd = g_open(opts->target, O_RDONLY | O_CLOEXEC, 0);
		if (fd < 0)
			return FAIL(FAILED, "%s: %s", opts->target, g_strerror(errno));
		int rc = ioctl(fd, BLKGETSIZE64, &size);
		close(fd);
		if (rc != 0)
			return FAIL(FAILED, "%s: cannot read its size", opts->target);
	} else if (!S_ISREG(st.st_mode)) {
		return FAIL(REFUSED, "%s is neither a block device (a card) nor a regular file", opts->target);
	}
	if (size < image_size)
		return FAIL(REFUSED,
			    "%s is too small: %" G_GUINT64_FORMAT " bytes, the image needs %" G_GUINT64_FORMAT
			    ": it cannot hold it",
			    opts->target, size, image_size);
	return TRUE;
}

static gboolean flash(const RelaisFlashOptions *opts, RelaisFlashResult *result, const char *tmp, GError **error)
{
	g_autofree char *bmap = opts->bmap ? g_strdup(opts->bmap) : find_bmap(opts->image);
	if (bmap == NULL) {
		bmap = g_build_filename(tmp, "image.bmap", NULL);
		say(opts->say, opts->user_data, "no block map beside %s: making one with bmaptool create", opts->image);
		const char *argv[] = {"bmaptool", "create", "-o", bmap, opts->image, NULL};
		if (!run_tool(argv, TRUE, error))
			return FALSE;
		result->bmap_how = g_strdup("a block map made with bmaptool create");
	} else {
		result->bmap_how = g_strdup_printf("block map %s", bmap);
	}
	g_autoptr(GError) local = NULL;
	g_autoptr(RelaisBmap) map = relais_bmap_load(bmap, &local);
	if (map == NULL)
		return FAIL(IMAGE, "cannot use the block map: %s", local->message);
	if (map->image_size != result->image_size)
		return FAIL(IMAGE,
			    "%s is for an image of %" G_GUINT64_FORMAT " bytes, %s has %" G_GUINT64_FORMAT
			    ": not its block map",
			    bmap, map->image_size, opts->image, result->image_size);
	result->ranges = map->ranges->len;
	if (opts->verify_only) {
		say(opts->say, opts->user_data, "reading %s back (%.1f of %.1f MiB mapped, %s), writing nothing",
		    opts->target, relais_bmap_mapped_bytes(map) / 1048576.0, result->image_size / 1048576.0,
		    result->bmap_how);
		return relais_flash_verify(opts->image, opts->target, map, opts->say, opts->user_data,
					   &result->verified, error);
	}
	say(opts->say, opts->user_data, "writing %s to %s (%.1f of %.1f MiB mapped, %s)", opts->image, opts->target,
	    relais_bmap_mapped_bytes(map) / 1048576.0, result->image_size / 1048576.0, result->bmap_how);
	const char *argv[] = {"bmaptool", "copy", "--bmap", bmap, opts->image, opts->target, NULL};
	if (!run_tool(argv, FALSE, error))
		return FALSE;
	if (opts->test_corrupt_at >= 0 && !corrupt(opts, error))
		return FALSE;
	return relais_flash_verify(opts->image, opts->target, map, opts->say, opts->user_data, &result->verified,
				   error);
}

gboolean relais_flash_run(const RelaisFlashOptions *opts, RelaisFlashResult *result, GError **error)
{
	memset(result, 0, sizeof *result);
	if (!relais_flash_check_image(opts->image, &result->image_size, error))
		return FALSE;
	if (opts->verify_only ? !check_readable(opts, result->image_size, error)
			      : !relais_flash_check_target(opts, result->image_size, error))
		return FALSE;
	/* a private folder for a block map made here */
	g_autofree char *tmp = g_dir_make_tmp("relaisctl-flash-XXXXXX", error);
	if (tmp == NULL)
		return FALSE;
	gboolean ok = flash(opts, result, tmp, error);
	g_autofree char *made = g_build_filename(tmp, "image.bmap", NULL);
	g_unlink(made);
	g_rmdir(tmp);
	return ok;
}
