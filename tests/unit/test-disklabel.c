/* SPDX-License-Identifier: GPL-2.0-or-later */
/* disklabel: MBR images built byte by byte in a temp dir: the FAT partition
 * found among others by its type and its boot sector, a FAT type without a
 * FAT file system skipped, a whole-disk FAT file system, and the clear
 * errors: missing file, too small, cut short, no table, no FAT partition.
 * (GPT images are made with sfdisk in tests/integration/test-provision.c.) */
#include "disklabel.h"
#include "harness.h"

#include <glib/gstdio.h>
#include <string.h>

#define MIB (1024 * 1024)

typedef struct {
	char *dir;
	char *path;
} Fixture;

static void fx_setup(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp("relais-disklabel-XXXXXX", &error);
	g_assert_no_error(error);
	fx->path = g_build_filename(fx->dir, "disk.img", NULL);
}

static void fx_teardown(Fixture *fx, gconstpointer data)
{
	rt_rm_rf(fx->dir);
	g_free(fx->dir);
	g_free(fx->path);
}

static void put32(guint8 *p, guint32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (guint8)(v >> (8 * i));
}

/* What mkfs.vfat writes at the start of a FAT16 file system. */
static void fat_boot_sector(guint8 *s)
{
	memset(s, 0, 512);
	s[0] = 0xeb, s[1] = 0x3c, s[2] = 0x90;
	memcpy(s + 3, "mkfs.fat", 8);
	s[11] = 0x00, s[12] = 0x02; /* 512 bytes per sector */
	s[13] = 4;		    /* sectors per cluster */
	s[14] = 4;		    /* reserved sectors */
	s[16] = 2;		    /* FATs */
	memcpy(s + 54, "FAT16   ", 8);
	s[510] = 0x55, s[511] = 0xaa;
}

/* An MBR image of `size` bytes; each partition: type, start and length in
 * MiB, and whether a FAT boot sector is written at its start. */
typedef struct {
	guint8 type;
	guint start_mib, len_mib;
	gboolean format;
} Part;

static void make_mbr(Fixture *fx, guint64 size, const Part *parts, guint n)
{
	g_autofree guint8 *img = g_malloc0(size);
	for (guint i = 0; i < n; i++) {
		guint8 *e = img + 446 + 16 * i;
		e[4] = parts[i].type;
		put32(e + 8, parts[i].start_mib * (MIB / 512));
		put32(e + 12, parts[i].len_mib * (MIB / 512));
		guint64 at = (guint64)parts[i].start_mib * MIB;
		if (parts[i].format && at + 512 <= size)
			fat_boot_sector(img + at);
	}
	img[510] = 0x55, img[511] = 0xaa;
	g_autoptr(GError) error = NULL;
	g_assert_true(g_file_set_contents(fx->path, (char *)img, (gssize)size, &error));
}

static void test_mbr(Fixture *fx, gconstpointer data)
{
	/* a Linux partition first, then a FAT type that was never formatted,
	 * then the boot partition */
	Part parts[] = {{0x83, 1, 2, FALSE}, {0x0c, 3, 1, FALSE}, {0x0e, 4, 2, TRUE}};
	make_mbr(fx, 6 * MIB, parts, 3);
	g_autoptr(GError) error = NULL;
	RelaisDisklabel label;
	g_autoptr(GArray) all = relais_disk_partitions(fx->path, &label, &error);
	g_assert_no_error(error);
	g_assert_cmpint(label, ==, RELAIS_DISKLABEL_MBR);
	g_assert_cmpuint(all->len, ==, 3);
	g_assert_cmpstr(g_array_index(all, RelaisPartition, 0).type, ==, "83");
	g_assert_false(g_array_index(all, RelaisPartition, 1).fat);
	RelaisPartition p;
	g_assert_true(relais_disk_find_fat(fx->path, &p, &label, &error));
	g_assert_cmpuint(p.number, ==, 3);
	g_assert_cmpuint(p.offset, ==, 4 * MIB);
	g_assert_cmpuint(p.size, ==, 2 * MIB);
	g_assert_cmpstr(p.type, ==, "0e");
}

static void test_superfloppy(Fixture *fx, gconstpointer data)
{
	guint8 img[4096];
	memset(img, 0, sizeof img);
	fat_boot_sector(img);
	g_assert_true(g_file_set_contents(fx->path, (char *)img, sizeof img, NULL));
	g_autoptr(GError) error = NULL;
	RelaisPartition p;
	RelaisDisklabel label;
	g_assert_true(relais_disk_find_fat(fx->path, &p, &label, &error));
	g_assert_no_error(error);
	g_assert_cmpint(label, ==, RELAIS_DISKLABEL_NONE);
	g_assert_cmpuint(p.number, ==, 0);
	g_assert_cmpuint(p.offset, ==, 0);
	g_assert_cmpuint(p.size, ==, sizeof img);
}

static void expect(Fixture *fx, gint code, const char *needle)
{
	g_autoptr(GError) error = NULL;
	RelaisPartition p;
	RelaisDisklabel label;
	g_assert_false(relais_disk_find_fat(fx->path, &p, &label, &error));
	g_assert_error(error, RELAIS_DISK_ERROR, code);
	if (strstr(error->message, needle) == NULL)
		g_error("'%s' not in '%s'", needle, error->message);
}

static void test_errors(Fixture *fx, gconstpointer data)
{
	expect(fx, RELAIS_DISK_ERROR_IO, "No such file");
	g_assert_true(g_file_set_contents(fx->path, "tiny", -1, NULL));
	expect(fx, RELAIS_DISK_ERROR_TOO_SMALL, "too small to hold a partition table");
	g_autofree char *zeros = g_malloc0(MIB);
	g_assert_true(g_file_set_contents(fx->path, zeros, MIB, NULL));
	expect(fx, RELAIS_DISK_ERROR_NO_TABLE, "no partition table");
	/* only a Linux partition */
	Part linux_only[] = {{0x83, 1, 2, FALSE}};
	make_mbr(fx, 3 * MIB, linux_only, 1);
	expect(fx, RELAIS_DISK_ERROR_NO_FAT, "no FAT partition in its MBR partition table (partitions: 1 (type 83))");
	/* an empty table */
	make_mbr(fx, 3 * MIB, NULL, 0);
	expect(fx, RELAIS_DISK_ERROR_NO_FAT, "(partitions: none)");
	/* cut short: the table says 4 MiB, the file has 3 */
	Part boot[] = {{0x0c, 1, 3, TRUE}};
	make_mbr(fx, 3 * MIB, boot, 1);
	expect(fx, RELAIS_DISK_ERROR_TOO_SMALL, "too small: partition 1 ends at byte 4194304, the image has 3145728");
	/* a partition starting beyond the end */
	Part far[] = {{0x0c, 100, 1, FALSE}};
	make_mbr(fx, 3 * MIB, far, 1);
	expect(fx, RELAIS_DISK_ERROR_TOO_SMALL, "too small");
	/* a protective MBR without a GPT behind it */
	Part protective[] = {{0xee, 0, 2, FALSE}};
	make_mbr(fx, 3 * MIB, protective, 1);
	expect(fx, RELAIS_DISK_ERROR_CORRUPT, "no GPT header");
	/* a folder */
	g_assert_cmpint(g_unlink(fx->path), ==, 0);
	g_assert_cmpint(g_mkdir(fx->path, 0700), ==, 0);
	g_autoptr(GError) error = NULL;
	RelaisDisklabel label;
	g_autoptr(GArray) a = relais_disk_partitions(fx->path, &label, &error);
	g_assert_null(a);
	g_assert_nonnull(error);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)
	ADD("/disklabel/mbr", test_mbr);
	ADD("/disklabel/superfloppy", test_superfloppy);
	ADD("/disklabel/errors", test_errors);
	return g_test_run();
}
